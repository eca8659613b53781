// The processor's own CHMx and REI for a VM (src/machine/vm_fastpath.ts):
// the same guest state, statistics, simulated time and trace as the
// monitor's emulation, taken only where nothing needs the monitor. (The
// randomized comparison of both paths is in equivalence_test.ts.)
import { deepEqual, equal, ok, throws } from "node:assert/strict";
import { Machine } from "../../src/machine/machine.ts";
import { Monitor, type MonitorOptions } from "../../src/monitor/monitor.ts";
import { assemble } from "../../src/asm/assembler.ts";
import { fastCount } from "./_helpers.ts";

// R5 times: CHMK #1 from user mode to a handler that REIs; then a CHMS
// (its handler REIs) and CHMK #0, whose handler halts.
const LOOP = `
        .org    ^X200
start:  MTPR    #^X1000,#17       ; SCBB
        MTPR    #^X8000,#0        ; KSP
        MOVL    #^X9000,SP        ; ISP
        MTPR    #^X7000,#3        ; USP
        MTPR    #^X6000,#2        ; SSP
        PUSHL   #^X03C00000       ; user mode
        PUSHAB  user
        REI
user:   CHMK    #1
        SOBGTR  R5,user
        CHMS    #2
        CHMK    #0                ; done
        .align  long
chmk:   MOVL    (SP)+,R0
        BEQL    done
        REI
done:   HALT
        .align  long
chms:   TSTL    (SP)+
        REI
        .org    ^X1040
        .long   chmk
        .long   0
        .long   chms
`;

function run(options: MonitorOptions, setup?: (cp: Monitor) => void) {
  const cp = Monitor.on(new Machine({ memory: "2 MiB", disk: "256 KiB" }), {
    ...options,
  });
  setup?.(cp);
  const vm = cp.vm("G").memory("256 KiB").create();
  const a = assemble(LOOP, { origin: 0 });
  vm.load(a.bytes, a.origin);
  vm.set("PSL", 0x041f0000);
  vm.set("R5", 300);
  vm.set("PC", 0x200);
  const result = vm.run({ limit: 100_000 });
  return {
    result,
    regs: ["R0", "R5", "SP", "PC", "PSL", "KSP", "SSP", "USP", "ISP"].map((
      n,
    ) => vm.get(n)),
    memory: vm.readPhysical(0, 0x10000),
    stats: structuredClone(vm.stats),
    kinds: Object.keys(vm.stats.exits),
    ns: cp.machine.now,
    trace: JSON.stringify(cp.machine.trace.events),
  };
}

Deno.test("fast system calls: a CHMK/REI loop ends exactly as with the monitor's emulation, every one in the processor", () => {
  const [fast, n] = fastCount(() => run({}));
  const [slow, m] = fastCount(() => run({ fastSyscalls: false }));
  equal(fast.result.stop, "halt");
  deepEqual(fast, slow);
  equal(m, 0);
  // 301 CHMK, 1 CHMS, 302 REI (the first one enters user mode): every one
  // in the processor.
  equal(fast.stats.exits["CHMK"], 301);
  equal(fast.stats.exits["CHMS"], 1);
  equal(fast.stats.exits["REI"], 302);
  equal(n, 604);
});

Deno.test("fast system calls: costs come from the monitor's cost model", () => {
  const costs = { exitEntry: 1_234, emulation: 777 };
  const [fast, n] = fastCount(() => run({ costs }));
  const slow = run({ costs, fastSyscalls: false });
  ok(n > 0);
  deepEqual(fast, slow);
});

Deno.test("fast system calls: off while a trace records, an exit hook listens or the monitor pages", () => {
  const traced = fastCount(() =>
    run({}, (cp) => void (cp.machine.trace.enabled = true))
  );
  equal(traced[1], 0);
  deepEqual(
    traced[0],
    run(
      { fastSyscalls: false },
      (cp) => void (cp.machine.trace.enabled = true),
    ),
  );
  ok(traced[0].trace.includes("emulate CHMK"));
  let seen = 0;
  const hooked = fastCount(() =>
    run({}, (cp) => void cp.on("exit", () => void seen++, { kind: "CHMK" }))
  );
  equal(hooked[1], 0);
  equal(seen, 301);
  const paged = fastCount(() => run({ paging: true }));
  equal(paged[1], 0);
  equal(paged[0].result.stop, "halt");
});

Deno.test("fast system calls: the option is checked", () => {
  throws(
    // @ts-expect-error: not a boolean
    () => Monitor.on(new Machine({ memory: "1 MiB" }), { fastSyscalls: 1 }),
    /Cannot use fastSyscalls 1: expected true or false/,
  );
});

Deno.test("fast system calls: not for a guest of a monitor in a VM (CP under CP), which still ends as with one level", () => {
  const [two, n] = fastCount(() => {
    const outer = Monitor.on(
      new Machine({ memory: "4 MiB", disk: "1 MiB" }),
    );
    const inner = Monitor.on(
      outer.vm("CP2").memory("2 MiB").minidisk("256 KiB").create(),
    );
    const vm = inner.vm("G").memory("256 KiB").create();
    const a = assemble(LOOP, { origin: 0 });
    vm.load(a.bytes, a.origin);
    vm.set("PSL", 0x041f0000);
    vm.set("R5", 300);
    vm.set("PC", 0x200);
    vm.run({ limit: 100_000 });
    return ["R0", "R5", "SP", "PC", "PSL"].map((r) => vm.get(r));
  });
  equal(n, 0);
  deepEqual(two, run({}).regs.slice(0, 5));
});
