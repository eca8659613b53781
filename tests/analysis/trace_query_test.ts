// Finding a system call in a trace, bare and under the monitor.
import { equal } from "node:assert/strict";
import { Machine } from "../../src/machine/machine.ts";
import { Monitor } from "../../src/monitor/monitor.ts";
import { multiprogramming } from "../../src/guests/mod.ts";
import { systemCallSpan } from "../../src/analysis/trace_query.ts";

Deno.test("systemCallSpan: a read system call on bare hardware, CHMK to the return", () => {
  const m = new Machine({ memory: "128 KiB", disk: "64 KiB", trace: true });
  multiprogramming.boot(m, { diskMode: "sync" });
  m.run({ limit: 20_000_000 });
  const span = systemCallSpan(m.trace.events, 2);
  const kinds = span.map((e) => e.kind);
  equal(kinds[0], "chm");
  equal(kinds.includes("io-start") && kinds.includes("io-done"), true);
  equal(kinds.at(-1), "rei");
  equal(span.at(-1)!.data?.to, span[0]!.data?.next);
  equal(systemCallSpan(m.trace.events, 77).length, 0);
});

Deno.test("systemCallSpan: the same call under the monitor, without the other VM's events", () => {
  const real = new Machine({ memory: "4 MiB", disk: "1 MiB", trace: true });
  const cp = Monitor.on(real);
  cp.vm("o").memory("128 KiB").minidisk("64 KiB").boot(multiprogramming, {
    diskMode: "sync",
  });
  cp.vm("o2").memory("128 KiB").minidisk("64 KiB").boot(multiprogramming, {
    diskMode: "sync",
  });
  cp.run({ limit: 80_000_000 });
  const span = systemCallSpan(real.trace.events, 2);
  equal(span[0]!.kind, "exit");
  equal(span[0]!.data?.mnemonic, "CHMK");
  equal(
    span.every((e) => e.source !== (span[0]!.source === "o" ? "o2" : "o")),
    true,
  );
  const last = span.at(-1)!;
  equal(last.kind, "emulate");
  equal(last.data?.mnemonic, "REI");
  equal(last.pc, span[0]!.data?.next);
  equal(span.some((e) => e.kind === "minidisk"), true);
});
