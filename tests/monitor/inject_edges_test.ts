// inject at its edges: a VM with no SCB to reflect into is explained, the
// changed table agrees with the VM's registers, each inject starts from
// the mode, previous mode and IPL it asks for, and a misspelled operand is
// one error.
import { deepEqual, equal, match, throws } from "node:assert/strict";
import { Machine } from "../../src/machine/machine.ts";
import { Monitor } from "../../src/monitor/monitor.ts";
import { AsmError } from "../../src/asm/assembler.ts";

function fresh() {
  const cp = Monitor.on(new Machine({ memory: "4 MiB" }));
  const vm = cp.vm("T").memory("64 KiB").create();
  vm.set("PC", 0x400);
  return { cp, vm };
}

Deno.test("inject in user mode on a VM without an SCB explains the halt and how to avoid it", () => {
  for (const mode of ["user", "executive"] as const) {
    const { vm } = fresh();
    const r = vm.inject("MTPR #3,#18", { mode });
    equal(r.stop, "halt");
    equal(vm.halted, true);
    match(r.explanation, /no SCB to reflect it into \(SCBB=0x00000000/);
    match(r.explanation, /boot a guest OS|set SCBB/);
  }
});

Deno.test("the changed table and vm.get agree after an inject", () => {
  const { vm } = fresh();
  const r = vm.inject("MOVL #5,R3", { mode: "kernel" });
  equal(vm.get("PC"), 0x400);
  equal(r.changed.PC, undefined);
  deepEqual(r.changed.R3, [0, 5]);
  equal(vm.get("R3"), 5);
  for (const [name, [, after]] of Object.entries(r.changed)) {
    equal(vm.get(name), after, name);
  }
});

Deno.test("each inject starts from the mode, previous mode and IPL asked for", () => {
  const { vm } = fresh();
  vm.inject("MOVPSL R0", { mode: "executive" });
  vm.inject("MOVPSL R1", { mode: "kernel" });
  equal(vm.get("R1"), 0x001f0000); // kernel, previous kernel, IPL 0x1F
  vm.inject("MOVPSL R2", { mode: "kernel", previousMode: "user", ipl: 4 });
  equal(vm.get("R2"), 0x00c40000);
  vm.inject("MOVPSL R3", { mode: "supervisor" });
  equal(vm.get("R3"), 0x02800000);
  throws(
    () => vm.inject("NOP", { mode: "user", previousMode: "kernel" }),
    /previous mode is never more privileged/,
  );
  throws(() => vm.inject("NOP", { mode: 0.5 }), /expected 0-3 or kernel/);
  throws(() => vm.inject("NOP", { mode: "user", ipl: 3 }), /IPL 3/);
});

Deno.test("a misspelled operand in inject is one error", () => {
  const { vm } = fresh();
  throws(
    () => vm.inject("BRB nowhere"),
    (e: unknown) =>
      e instanceof AsmError && e.errors.length === 1 &&
      /undefined symbol "nowhere"/.test(e.message),
  );
  throws(
    () => vm.inject("MOVL R99,R0"),
    (e: unknown) => e instanceof AsmError && e.errors.length === 1,
  );
});
