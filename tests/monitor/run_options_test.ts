// Runs of a VM and of a monitor share the bare machine's validation of run
// options, honour an instruction limit exactly, stop at the default budget
// without a limit, and stop on an interrupt.
import { equal, match, throws } from "node:assert/strict";
import { assemble } from "../../src/asm/assembler.ts";
import { Machine } from "../../src/machine/machine.ts";
import { Monitor } from "../../src/monitor/monitor.ts";
import {
  clearInterrupt,
  requestInterrupt,
} from "../../src/machine/interrupt.ts";

function looping() {
  const cp = Monitor.on(new Machine({ memory: "4 MiB" }));
  const vm = cp.vm("LOOP").memory("64 KiB").create();
  // A loop with an exit (MTPR to IPL) in it.
  vm.load(assemble("x: INCL R0\nMTPR #3,#18\nBRB x").bytes, 0x1000);
  vm.set("PC", 0x1000);
  return { cp, vm };
}

Deno.test("vm.run and cp.run refuse what Machine.run refuses, naming option and value", () => {
  const { cp, vm } = looping();
  for (
    const run of [
      (o: unknown) => vm.run(o as never),
      (o: unknown) => cp.run(o as never),
    ]
  ) {
    throws(
      () => run({ limit: 2.5 }),
      /Cannot run with limit 2.5: expected a whole number/,
    );
    throws(() => run({ limit: NaN }), /limit NaN/);
    throws(() => run({ limit: 5e-324 }), /limit 5e-324/);
    throws(() => run({ limit: "5" }), /limit "5"/);
    throws(() => run({ forNs: NaN }), /forNs NaN: expected a finite number/);
    throws(() => run({ untilNs: NaN }), /untilNs NaN/);
    throws(() => run({ untilNs: "soon" }), /untilNs "soon"/);
    throws(() => run({ limt: 3 }), /option "limt"/);
  }
  equal(vm.stats.instructions, 0);
});

Deno.test("a VM's run honours its instruction limit exactly, across exits and slices", () => {
  const { vm } = looping();
  for (const n of [1, 2, 3, 7, 1000, 44_375, 100_001]) {
    const r = vm.run({ limit: n });
    equal(r.stop, "limit");
    equal(r.instructions, n, `limit ${n}`);
  }
});

Deno.test("vm.run and cp.run without a limit stop at the default budget", () => {
  const { cp, vm } = looping();
  let r = vm.run();
  equal(r.stop, "budget");
  match(r.reason, /run again to continue/);
  const r2 = cp.run();
  equal(r2.stop, "budget");
  r = vm.run({ limit: 4 });
  equal(r.instructions, 4);
});

Deno.test("an interrupt stops a monitor's run and leaves the VM able to go on", () => {
  const { cp, vm } = looping();
  vm.run({ limit: 10 });
  // The flag is cleared when a run starts: set it from inside the run, as
  // the SIGINT listener would, by a device event of the machine.
  cp.machine.events.schedule(
    cp.machine.now + 50_000_000,
    () => requestInterrupt(),
  );
  const r = vm.run({ limit: Infinity });
  clearInterrupt();
  equal(r.stop, "interrupted");
  const before = vm.get("R0");
  equal(vm.run({ limit: 3 }).instructions, 3);
  equal(vm.get("R0") >= before, true);
});

Deno.test("a large VM runs at the top of its memory, through S0 with mapping off", () => {
  // 64 MiB of guest memory: each shadow set's system table (with mapping
  // off it covers all of it) is 514 contiguous frames: real memory has a 32nd more, and 4 MiB.
  const cp = Monitor.on(
    new Machine({ memory: 70 * 1024 * 1024 }),
  );
  const vm = cp.vm("BIG").memory("64 MiB").create();
  // At the top of its memory, through S0 (mapping off: VA<29:0>).
  vm.load(assemble("MOVL #7,R0\nHALT").bytes, 0x3fff000);
  vm.set("PC", 0x83fff000);
  equal(vm.run({ limit: 10 }).stop, "halt");
  equal(vm.get("R0"), 7);
});
