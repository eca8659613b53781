// Everything a terminal shows fits in 80 columns, and follows the numbers
// convention (hex marked 0x, counts with their unit, singular and plural).
import { equal, match } from "node:assert/strict";
import { stripVTControlCharacters } from "node:util";
import {
  assemble,
  checkVirtualizability,
  disassemble,
  formatVirtualizability,
  Machine,
  Monitor,
  multiprogramming,
  view,
} from "../../mod.ts";

const INSPECT = Symbol.for("Deno.customInspect");

function text(x: unknown): string {
  const f = (x as Record<symbol, unknown>)[INSPECT];
  return stripVTControlCharacters(
    typeof f === "function" ? String(f.call(x)) : String(x),
  );
}

function fits(what: string, s: string): void {
  for (const line of s.split("\n")) {
    equal(line.length <= 80, true, `${what}: ${line.length} columns: ${line}`);
  }
}

Deno.test("renderings of machines, VMs, monitors, traces, tables fit in 80 columns", () => {
  const real = new Machine({ memory: "4 MiB", disk: "1 MiB", trace: true });
  const cp = Monitor.on(real);
  const vm = cp.vm("o").memory("128 KiB").minidisk("64 KiB").boot(
    multiprogramming,
    { diskMode: "sync" },
  );
  cp.run({ limit: 300_000 });
  const m = new Machine({ memory: "1 MiB" });
  const a = assemble("MOVL #20,R0\nMTPR R0,#18\nHALT", { origin: 0x1000 });
  m.load(a.bytes, a.origin);
  m.set("PC", a.entry);
  const r = m.run({ limit: 10 });
  fits("machine", text(m));
  fits("run result", text(view.run(r)));
  fits("vm", text(vm));
  fits("monitor", text(cp));
  fits("trace", text(view.trace(real.trace.events.slice(0, 200))));
  fits("page tables S0", text(vm.pageTables("S0")));
  fits("page tables P0", text(vm.pageTables("P0")));
  fits("stats", text(view.stats(vm)));
  fits("psl", text(vm.psl()));
  fits("iprs", text(view.iprs(vm)));
  fits("listing", text(disassemble(a.bytes, a.origin)));
  fits("assembly", text(a));
  const t = cp.vm("T").memory("64 KiB").create();
  t.set("PC", 0x400);
  fits("inject", text(t.inject("MTPR #^X14,#18", { mode: "kernel" })));
  fits("inject halted", text(t.inject("MTPR #3,#18", { mode: "user" })));
  fits("check", formatVirtualizability(checkVirtualizability()));
});

Deno.test("one numbers convention: IPL and addresses in marked hex, counts with units", () => {
  const m = new Machine({ memory: "1 MiB" });
  const a = assemble("MTPR #20,#18\nHALT", { origin: 0x1000 });
  m.load(a.bytes, a.origin);
  m.set("PC", a.entry);
  const r = m.run({ limit: 10 });
  equal(r.pc, 0x1004); // results to scripts stay numbers
  match(text(view.run(r)), /2 instructions, .*PC=0x00001004/);
  match(text(m), /IPL=0x14/);
  match(text(view.psl(m.psl)), /IPL=0x14/);
  match(text(view.state(m.state())), /IPL=0x14/);
  const one = new Machine({ memory: "1 MiB" });
  one.load(Uint8Array.of(0), 0);
  match(text(view.run(one.run({ limit: 5 }))), /\b1 instruction,/);
  match(text(a), /assembly: 4 bytes at 0x00001000, entry 0x00001000/);
});

Deno.test("disassemble() renders as a listing and still compares as an array", () => {
  const a = assemble("MOVL #1,R0\nHALT", { origin: 0x200 });
  const d = disassemble(a.bytes, a.origin);
  match(text(d), /^00000200 {2}d0 01 50 +MOVL S\^#1,R0\n00000203 {2}00 +HALT$/);
  equal(Array.isArray(d), true);
  equal(d.map((i) => i.text).join(";"), "MOVL S^#1,R0;HALT");
});
