// Exit hooks (issue 12): a hook observes and counts exits, takes an exit
// over (emulates it itself), sees minidisk requests and reflections; a hook
// that throws stops the run with the error and the VM's state intact.
import { deepEqual, equal, ok, throws } from "node:assert/strict";
import { HookError } from "../../src/monitor/hooks.ts";
import { asm, monitorWithVm, prepare } from "./_helpers.ts";

const SYSCALL = `
        MOVL #7, R0
        CHMK #3
        MOVL R0, R1
        MOVPSL R2
        HALT
`;

Deno.test("exit hooks observe and count every exit, filtered by VM and kind", () => {
  const { cp, vm } = monitorWithVm();
  prepare(vm, asm(SYSCALL), { vectors: { 0x40: 0x1100 } });
  // CHMK handler at 0x1100: ADDL2 #4,SP (drop the code) ; MOVL #42,R0 ; REI
  vm.load(new Uint8Array([0xc0, 0x04, 0x5e, 0xd0, 0x2a, 0x50, 0x02]), 0x1100);
  const all: string[] = [];
  const chmk: number[] = [];
  cp.on("exit", (e) => void all.push(`${e.vm.name}:${e.kind}`));
  cp.on("exit", (e) => void chmk.push(e.exit.pc), { kind: "chmk" });
  cp.on("exit", () => {
    throw new Error("never called: no VM of that name");
  }, { vm: "OTHER" });
  const r = vm.run({ limit: 100 });
  equal(r.stop, "halt");
  equal(vm.get("R1"), 42);
  ok(
    all.includes("G:CHMK") && all.includes("G:REI") && all.at(-1) === "G:HALT",
  );
  equal(chmk.length, 1);
  equal(all.length, vm.stats.totalExits);
});

Deno.test("an exit hook takes a CHMK over: it emulates the system call itself", () => {
  const { cp, vm } = monitorWithVm();
  prepare(vm, asm(SYSCALL));
  let reflected = 0;
  cp.on("reflect", () => void reflected++);
  cp.on("exit", (e) => {
    if (e.kind !== "CHMK") return;
    // The system call, done by the host: R0 = 6 * R0, continue after CHMK.
    e.vm.set("R0", e.vm.get("R0") * 6);
    e.vm.set("PC", e.exit.nextPc);
    return "handled";
  });
  const r = vm.run({ limit: 100 });
  equal(r.stop, "halt");
  equal(vm.get("R1"), 42);
  equal(reflected, 0);
  // The guest's PSL is untouched (still kernel, no CHMK frame pushed).
  equal(vm.get("R2") >>> 24 & 3, 0);
});

Deno.test("a hook that throws stops the run with the error; the VM can go on", () => {
  const { cp, vm } = monitorWithVm();
  const a = asm(SYSCALL);
  prepare(vm, a, { vectors: { 0x40: 0x1100 } });
  vm.load(new Uint8Array([0xc0, 0x04, 0x5e, 0xd0, 0x2a, 0x50, 0x02]), 0x1100);
  const off = cp.on("exit", (e) => {
    if (e.kind === "CHMK") throw new Error("stop here");
  });
  let err: unknown;
  try {
    vm.run({ limit: 100 });
  } catch (e) {
    err = e;
  }
  ok(err instanceof HookError);
  ok(err.message.includes("stop here") && err.message.includes('"G"'));
  // State intact: PC at the CHMK, R0 as set, nothing pushed.
  equal(vm.get("PC"), a.entry + 3);
  equal(vm.get("R0"), 7);
  off();
  equal(vm.run({ limit: 100 }).stop, "halt");
  equal(vm.get("R1"), 42);
});

Deno.test("io hooks see minidisk requests; reflect hooks see exceptions and can take them over", () => {
  const { cp, vm } = monitorWithVm();
  const a = asm(`
        MTPR #2, #PR$_DKBLK
        MTPR #^X8000, #PR$_DKMEM
        MTPR #1, #PR$_DKCNT
        MTPR #^X101, #PR$_DKCS
        .BYTE ^XFF          ; reserved instruction
        MOVL #1, R5
        HALT
  `);
  prepare(vm, a);
  const io: string[] = [];
  const reflections: number[] = [];
  cp.on(
    "io",
    (e) =>
      void io.push(
        `${e.func} ${e.block}+${e.count} -> ${e.memory.toString(16)}`,
      ),
  );
  cp.on("reflect", (e) => {
    reflections.push(e.vector);
    e.vm.set("PC", e.vm.get("PC") + 1); // skip the bad byte
    return "handled";
  });
  equal(vm.run({ limit: 100 }).stop, "halt");
  deepEqual(io, ["read 2+1 -> 8000"]);
  deepEqual(reflections, [0x10]);
  equal(vm.get("R5"), 1);
});

Deno.test("bad hook registrations are refused clearly", () => {
  const { cp } = monitorWithVm();
  throws(
    // deno-lint-ignore no-explicit-any
    () => cp.on("exits" as any, () => {}),
    /expected "exit", "io" or "reflect"/,
  );
  // deno-lint-ignore no-explicit-any
  throws(() => cp.on("exit", 5 as any), /expected a function/);
  // deno-lint-ignore no-explicit-any
  throws(() => cp.on("exit", () => {}, { vm: 3 as any }), /filter vm/);
});
