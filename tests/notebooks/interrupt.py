#!/usr/bin/python3
"""Interrupting Deno's kernel stops a run: starts KERNEL (argv[1]) in the
notebooks folder, runs a guest that loops forever with no limit, interrupts
the kernel as Jupyter's interrupt button does, and checks that the cell
ends with the run's result (stop "interrupted") and that the kernel still
answers. Prints one JSON line {"result", "after", "alive"}."""

import json
import os
import queue
import sys
import time

from jupyter_client.manager import KernelManager


def execute(kc, code, timeout):
    mid = kc.execute(code)
    result = None
    deadline = time.time() + timeout
    idle = None
    while time.time() < deadline and (idle is None or time.time() - idle < 0.8):
        try:
            msg = kc.get_iopub_msg(timeout=0.1)
        except queue.Empty:
            continue
        if msg.get("parent_header", {}).get("msg_id") != mid:
            continue
        c = msg["content"]
        if msg["msg_type"] == "execute_result":
            result = c["data"].get("text/plain")
        elif msg["msg_type"] == "error":
            result = "error: " + c.get("ename", "") + ": " + c.get("evalue", "")
        elif msg["msg_type"] == "status" and c.get("execution_state") == "idle":
            idle = time.time()
    return result


def main():
    km = KernelManager(kernel_name=sys.argv[1])
    km.start_kernel(env=dict(os.environ), cwd=sys.argv[2])
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=120)
    try:
        execute(kc, 'import { assemble, Machine } from "../mod.ts";\n'
                'const loop = new Machine({ memory: "64 KiB" });\n'
                'loop.load(assemble("x: INCL R0\\nBRB x").bytes, 0); 1', 120)
        mid = kc.execute('"stop=" + loop.run({ limit: Infinity }).stop')
        time.sleep(2)
        km.interrupt_kernel()
        result = None
        deadline = time.time() + 30
        while time.time() < deadline and result is None:
            try:
                msg = kc.get_iopub_msg(timeout=0.2)
            except queue.Empty:
                continue
            if (msg.get("parent_header", {}).get("msg_id") == mid
                    and msg["msg_type"] == "execute_result"):
                result = msg["content"]["data"].get("text/plain")
        after = execute(kc, '"R0 counted: " + (loop.get("R0") > 1000)', 30)
        print(json.dumps({"result": result, "after": after, "alive": km.is_alive()}))
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


if __name__ == "__main__":
    main()
