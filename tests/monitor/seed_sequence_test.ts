// The seed scenario under the monitor: p's read system call to o, traced.
import { equal, match, ok } from "node:assert/strict";
import { Machine } from "../../src/machine/machine.ts";
import { Monitor } from "../../src/monitor/monitor.ts";
import { multiprogramming } from "../../src/guests/mod.ts";
import { systemCallSpan } from "../../src/analysis/trace_query.ts";
import type { TraceEvent } from "../../src/machine/trace.ts";

const mode = (psl: unknown) => typeof psl === "number" ? (psl >>> 24) & 3 : -1;

function indexOf(
  span: TraceEvent[],
  from: number,
  test: (e: TraceEvent) => boolean,
): number {
  for (let i = from; i < span.length; i++) if (test(span[i]!)) return i;
  return -1;
}

Deno.test("seed: p's CHMK exits and is reflected into o; o's disk request traps and the monitor reads the minidisk; o's REI traps and is emulated; p continues", () => {
  const real = new Machine({ memory: "2 MiB", disk: "1 MiB", trace: true });
  const cp = Monitor.on(real);
  const o = cp.vm("o").memory("128 KiB").minidisk("64 KiB").boot(
    multiprogramming,
    {
      diskMode: "sync",
    },
  );
  cp.run({ limit: 50_000_000 });
  ok(o.halted);
  const span = systemCallSpan(real.trace.events, 2);
  ok(span.length > 0, "a read system call was traced");

  // 1. p's CHMK exits to the monitor (from virtual user mode)...
  equal(span[0]!.kind, "exit");
  equal(span[0]!.data?.mnemonic, "CHMK");
  equal(mode(span[0]!.psl), 3);
  // ...which emulates it by dispatching through o's SCB, into virtual kernel mode.
  const chmk = indexOf(
    span,
    1,
    (e) => e.kind === "emulate" && e.data?.mnemonic === "CHMK",
  );
  ok(chmk > 0);
  equal(mode(span[chmk]!.data?.newPsl), 0);

  // 2. o's disk request (MTPR to DKCS) traps; the monitor performs the read
  //    on the minidisk with the real disk, then completes o's MTPR.
  const md = indexOf(span, chmk, (e) => e.kind === "minidisk");
  ok(md > chmk);
  match(
    span[md]!.text,
    /o read 1 block at virtual \d+ -> real \d+\+1 sync/,
  );
  const exitGo = span.slice(chmk, md).reverse().find((e) => e.kind === "exit");
  equal(exitGo?.data?.mnemonic, "MTPR");
  const start = indexOf(
    span,
    md,
    (e) => e.kind === "io-start" && e.source === "disk",
  );
  const done = indexOf(
    span,
    start,
    (e) => e.kind === "io-done" && e.source === "disk",
  );
  ok(start > md && done > start);
  const completed = indexOf(
    span,
    done,
    (e) => e.kind === "emulate" && e.data?.mnemonic === "MTPR",
  );
  ok(completed > done);

  // 3. o's return to p: its REI traps and the monitor emulates it, back to
  //    virtual user mode at the instruction after p's CHMK.
  const last = span.at(-1)!;
  equal(last.kind, "emulate");
  equal(last.data?.mnemonic, "REI");
  equal(mode(last.data?.newPsl), 3);
  equal(last.pc, span[0]!.data?.next);
  const reiExit = span.at(-2)!;
  equal(reiExit.kind, "exit");
  equal(reiExit.data?.mnemonic, "REI");

  // 4. p continues: the data it read is what the disk holds, and it printed it.
  match(o.console.output, /P1: block 16 crc 0x44083A3D/);
});
