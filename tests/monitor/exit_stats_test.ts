// A VM's exit statistics: counted by integer code on the exit path
// (src/machine/exit_kinds.ts), read as names and counts (`vm.stats.exits`)
// in the order each kind's first exit came, the same with the processor's
// own system calls on or off, and the same names in traces and hooks.
import { deepEqual, equal, notEqual, ok } from "node:assert/strict";
import { Machine } from "../../src/machine/machine.ts";
import { Monitor, type MonitorOptions } from "../../src/monitor/monitor.ts";
import { assemble } from "../../src/asm/assembler.ts";
import type { VirtualMachine } from "../../src/monitor/vm.ts";
import { nestedMonitorWithVm } from "./_helpers.ts";

// Kernel mode: MTPR x3, MFPR, BPT (its handler REIs past it), REI to user
// mode; there CHMK #1 twice, an MTPR (reserved instruction in user mode:
// the handler REIs past it), CHMK #0, whose handler halts.
const GUEST = `
        .org    ^X200
start:  MTPR    #^X1000,#17       ; SCBB
        MTPR    #^X8000,#0        ; KSP
        MOVL    #^X9000,SP        ; ISP
        MTPR    #^X7000,#3        ; USP
        MFPR    #17,R1
        BPT
        PUSHL   #^X03C00000       ; user mode
        PUSHAB  user
        REI
user:   CHMK    #1
        CHMK    #1
        MTPR    #0,#18            ; reserved instruction in user mode
        CHMK    #0
        .align  long
bpt:    INCL    (SP)              ; skip the BPT (a fault)
        REI
        .align  long
rif:    ADDL2   #3,(SP)           ; skip the MTPR (3 bytes)
        REI
        .align  long
chmk:   MOVL    (SP)+,R0
        BEQL    done
        REI
done:   HALT
        .org    ^X1010
        .long   rif
        .org    ^X102C
        .long   bpt
        .org    ^X1040
        .long   chmk
`;

// What the monitor counted (by name) before the counters were integers,
// in the order of each kind's first exit: the shadow fills of the first
// accesses (mapping off), then the instructions.
const EXPECTED: [string, number][] = [
  ["TNV", 1],
  ["ACV", 3],
  ["MTPR", 3],
  ["MFPR", 1],
  ["breakpoint", 1],
  ["REI", 5],
  ["CHMK", 3],
  ["reserved instruction", 1],
  ["HALT", 1],
];

function run(
  options: MonitorOptions = {},
  setup?: (cp: Monitor) => void,
): { cp: Monitor; vm: VirtualMachine } {
  const cp = Monitor.on(
    new Machine({ memory: "2 MiB", disk: "256 KiB" }),
    options,
  );
  setup?.(cp);
  const vm = cp.vm("G").memory("256 KiB").create();
  const a = assemble(GUEST, { origin: 0 });
  vm.load(a.bytes, a.origin);
  vm.set("PC", 0x200);
  equal(vm.run({ limit: 10_000 }).stop, "halt");
  return { cp, vm };
}

function sum(r: Record<string, number>): number {
  return Object.values(r).reduce((s, n) => s + n, 0);
}

Deno.test("exit statistics: many kinds of exit, by name and in order, with the processor's system calls on and off", () => {
  for (const fastSyscalls of [true, false]) {
    const { vm } = run({ fastSyscalls });
    deepEqual(Object.entries(vm.stats.exits), EXPECTED, `fast ${fastSyscalls}`);
    equal(vm.stats.totalExits, sum(vm.stats.exits));
    // Emulated: the MTPRs, MFPR, REIs, CHMKs and HALT (the reserved
    // instruction and the breakpoint are reflected).
    equal(vm.stats.emulated, 3 + 1 + 5 + 3 + 1);
  }
});

Deno.test("exit statistics: an exit hook and the trace get every exit's name, and their tally is the statistics", () => {
  const hooked: string[] = [];
  const a = run(
    {},
    (cp) => void cp.on("exit", (e) => void hooked.push(e.kind)),
  );
  const tally: Record<string, number> = {};
  for (const k of hooked) tally[k] = (tally[k] ?? 0) + 1;
  deepEqual(Object.entries(tally), EXPECTED);
  deepEqual(Object.entries(a.vm.stats.exits), EXPECTED);

  const b = run({}, (cp) => void (cp.machine.trace.enabled = true));
  const traced: Record<string, number> = {};
  for (const e of b.cp.machine.trace.events) {
    const m = /^exit: (.+) at 0x[0-9A-F]{8}$/.exec(e.text);
    if (e.kind === "exit" && m) traced[m[1]!] = (traced[m[1]!] ?? 0) + 1;
  }
  deepEqual(Object.entries(traced), EXPECTED);
  deepEqual(Object.entries(b.vm.stats.exits), EXPECTED);
});

Deno.test("exit statistics: each read of vm.stats.exits is a new snapshot that changing does not touch", () => {
  const { vm } = run();
  const first = vm.stats.exits;
  notEqual(vm.stats.exits, first);
  first.MTPR = 1000;
  delete first.HALT;
  deepEqual(Object.entries(vm.stats.exits), EXPECTED);
  // A second run counts on; the earlier snapshot stays as it was.
  const before = vm.stats.exits;
  vm.set("PC", 0x200);
  equal(vm.run({ limit: 10_000 }).stop, "halt");
  equal(before.CHMK, 3);
  equal(vm.stats.exits.CHMK, 6);
  equal(vm.stats.totalExits, sum(vm.stats.exits));
});

Deno.test("exit statistics: the statistics object copies, serializes and prints with its exits", () => {
  const { vm } = run();
  const exits = Object.fromEntries(EXPECTED);
  deepEqual({ ...vm.stats }.exits, exits);
  deepEqual(structuredClone(vm.stats).exits, exits);
  deepEqual(JSON.parse(JSON.stringify(vm.stats)).exits, exits);
  // Equal to a plain object with the same numbers, exits included.
  deepEqual(vm.stats, { ...vm.stats });
  const text = Deno.inspect(vm.stats);
  ok(!text.includes("Getter"), text);
  ok(text.includes(`"reserved instruction": 1`), text);
  ok(text.indexOf("instructions:") < text.indexOf("exits:"));
  ok(text.indexOf("exits:") < text.indexOf("totalExits:"));
});

Deno.test("exit statistics: CP under CP, every VM's exits add up to its total (the inner monitor's own REI and MTPR included)", () => {
  const { outer, vm } = nestedMonitorWithVm(2);
  const a = assemble(GUEST, { origin: 0 });
  vm.load(a.bytes, a.origin);
  vm.set("PC", 0x200);
  equal(vm.run({ limit: 10_000 }).stop, "halt");
  deepEqual(
    Object.keys(vm.stats.exits).sort(),
    EXPECTED.map(([k]) => k).sort(),
  );
  for (const [k, n] of EXPECTED) {
    if (k !== "TNV" && k !== "ACV") equal(vm.stats.exits[k], n, k);
  }
  const cp2 = outer.vms.get("CP2")!;
  const e = cp2.stats.exits;
  ok((e.REI ?? 0) > 0 && (e.MTPR ?? 0) > 0, JSON.stringify(e));
  equal(cp2.stats.totalExits, sum(e));
  equal(vm.stats.totalExits, sum(vm.stats.exits));
});
