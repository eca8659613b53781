#!/usr/bin/python3
"""Runs Jupyter notebooks headless against Deno's kernel and checks them.

Usage: python3 tests/notebooks/harness.py [--kernel NAME] [--write] NOTEBOOK...

Each code cell is sent to a fresh kernel (NAME, default: the notebook's
kernelspec; the tests pass their own, see _kernel.ts) with NO_COLOR=1 and
the notebook's folder as working directory. The harness collects every IOPub message
of the cell until the kernel reports idle, and then keeps reading for a grace
period: Deno 2.9's kernel sometimes publishes a cell's result after it says
idle (deno-ecosystem.md, section 1.7). A cell fails on an `error` output or
an `execute_reply` with status "error". With --write, the outputs are stored
back into the notebook (so it reads well on a code host), every cell gets an
id (kept if it has one) and the code cells execution counts 1, 2, 3... in
order, as a run from top to bottom in Jupyter gives them.

Prints one JSON line per notebook: {"notebook", "cells", "failed", "errors"};
exits 1 if any cell failed.
"""

import hashlib
import json
import os
import queue
import subprocess
import sys
import time

from jupyter_client.manager import KernelManager

GRACE = 0.8  # seconds to keep reading after idle
TIMEOUT = 300  # seconds per cell


def cell_id(path, index, taken):
    """A stable id for a cell that has none (nbformat 4.5)."""
    base = hashlib.sha1(f"{os.path.basename(path)}:{index}".encode()).hexdigest()[:8]
    cid = base
    n = 0
    while cid in taken:
        n += 1
        cid = f"{base}-{n}"
    return cid


def run_notebook(path, write, kernel):
    with open(path, encoding="utf-8") as f:
        nb = json.load(f)
    env = dict(os.environ)
    env["NO_COLOR"] = "1"
    name = kernel or nb.get("metadata", {}).get("kernelspec", {}).get("name", "deno")
    km = KernelManager(kernel_name=name)
    km.start_kernel(env=env, cwd=os.path.dirname(os.path.abspath(path)))
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=120)
    failed = 0
    errors = []
    cells = 0
    count = 0
    try:
        for cell in nb["cells"]:
            if cell.get("cell_type") != "code":
                continue
            source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            if not source.strip():
                continue
            cells += 1
            count += 1
            msg_id = kc.execute(source)
            outputs = []
            displays = {}
            status = None
            idle_at = None
            deadline = time.time() + TIMEOUT
            while True:
                if idle_at is not None and time.time() - idle_at > GRACE:
                    break
                if time.time() > deadline:
                    errors.append({"cell": cells, "error": "timeout"})
                    failed += 1
                    break
                try:
                    msg = kc.get_iopub_msg(timeout=0.1)
                except queue.Empty:
                    continue
                if msg.get("parent_header", {}).get("msg_id") != msg_id:
                    continue
                t = msg["msg_type"]
                c = msg["content"]
                if t == "status" and c.get("execution_state") == "idle":
                    idle_at = time.time()
                elif t == "stream":
                    outputs.append({"output_type": "stream", "name": c["name"], "text": c["text"]})
                elif t in ("execute_result", "display_data"):
                    out = {"output_type": t, "data": c.get("data", {}), "metadata": c.get("metadata", {})}
                    if t == "execute_result":
                        out["execution_count"] = count
                    outputs.append(out)
                    display_id = c.get("transient", {}).get("display_id")
                    if display_id:
                        displays[display_id] = out
                elif t == "update_display_data":
                    # A display updated in place (a progress bar): store its last state.
                    out = displays.get(c.get("transient", {}).get("display_id"))
                    if out is not None:
                        out["data"] = c.get("data", {})
                        out["metadata"] = c.get("metadata", {})
                elif t == "error":
                    outputs.append({"output_type": "error", "ename": c.get("ename", ""),
                                    "evalue": c.get("evalue", ""), "traceback": c.get("traceback", [])})
            try:
                reply = kc.get_shell_msg(timeout=30)
                while reply.get("parent_header", {}).get("msg_id") != msg_id:
                    reply = kc.get_shell_msg(timeout=30)
                status = reply["content"].get("status")
            except queue.Empty:
                status = "no reply"
            bad = [o for o in outputs if o["output_type"] == "error"]
            if bad or status != "ok":
                failed += 1
                errors.append({"cell": cells, "status": status,
                               "error": (bad[0]["ename"] + ": " + bad[0]["evalue"]) if bad else status,
                               "source": source[:200]})
            cell["outputs"] = outputs
            cell["execution_count"] = count
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    if write:
        taken = {c["id"] for c in nb["cells"] if c.get("id")}
        for i, c in enumerate(nb["cells"]):
            if not c.get("id"):
                c["id"] = cell_id(path, i, taken)
                taken.add(c["id"])
            if c.get("cell_type") == "code" and not "".join(c.get("source", "")).strip():
                c["execution_count"] = None
                c["outputs"] = []
        nb["nbformat"] = 4
        nb["nbformat_minor"] = max(5, nb.get("nbformat_minor", 0))
        with open(path, "w", encoding="utf-8") as f:
            json.dump(nb, f, indent=1, ensure_ascii=False)
            f.write("\n")
        # Format the code cells as `deno fmt` would.
        deno = os.environ.get("VMMLAB_DENO", "deno")
        subprocess.run([deno, "fmt", "-q", "--no-config", path], check=False)
    return {"notebook": path, "cells": cells, "failed": failed, "errors": errors}


def main():
    args = sys.argv[1:]
    write = "--write" in args
    kernel = None
    if "--kernel" in args:
        i = args.index("--kernel")
        kernel = args[i + 1]
        del args[i:i + 2]
    paths = [a for a in args if a != "--write"]
    bad = 0
    for p in paths:
        r = run_notebook(p, write, kernel)
        print(json.dumps(r))
        if r["failed"]:
            bad += 1
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
