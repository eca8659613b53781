// The VM extensions of vm-extensions.md: PSL<VM> (bit 29), VMPSL (IPR 80),
// entry by REI, MOVPSL inside a VM, and the VM-emulation exception through
// SCB 0x3C (with machine.cpu.hostExits false).
import { deepEqual, equal } from "node:assert/strict";
import {
  boot,
  cc,
  flags,
  PROT,
  psl,
  pte,
  pteAddress,
  run,
  stack,
  STACKS,
} from "./_helpers.ts";

/** Real PSL of a VM in virtual kernel or executive mode (ring compression). */
const VM_EXEC = psl({ vm: true, cur: 1, prv: 1 });
const VM_USER = psl({ vm: true, cur: 3, prv: 3 });

/**
 * Enters a VM from real kernel mode: VMPSL <- vmpsl, then REI to `guest`
 * with the real PSL `real`. The guest code follows.
 */
function vm(guest: string, vmpsl: number, real = VM_EXEC, regs = {}) {
  return run(
    `       MTPR #${vmpsl},#80
        PUSHL #${real}
        PUSHAB guest
        REI
guest:  ${guest}`,
    { regs },
  );
}

Deno.test("VM: hostExits is off by default", () => {
  const { m } = boot("HALT");
  equal(m.cpu.hostExits, false);
});

Deno.test("VM: MTPR / MFPR VMPSL (IPR 80) hold IS, CUR_MOD, PRV_MOD, IPL", () => {
  const value = psl({ is: true, cur: 0, prv: 3, ipl: 0x1f });
  const r = run(`MTPR #${value},#80\n MFPR #80,R0\n HALT`);
  equal(r.m.get("R0"), value);
  equal(r.m.get("VMPSL"), value);
});

Deno.test("VM: MTPR VMPSL with any other bit set: ROF", () => {
  for (const bad of [1, 0x10, 0x08000000, 0x20000000, 0x00200000, 0x80000000]) {
    const r = run(`MTPR #${bad},#80\n HALT`);
    equal(r.vector, 0x18, bad.toString(16));
    equal(r.m.get("VMPSL"), 0);
  }
});

Deno.test("VM extensions off: MTPR / MFPR of IPR 80 is a reserved operand", () => {
  for (const src of ["MTPR #0,#80", "MFPR #80,R0"]) {
    const r = run(`${src}\n HALT`, { vmExtensions: false });
    equal(r.vector, 0x18, src);
    deepEqual(stack(r.m, 2), [0x1000, 0]);
  }
});

Deno.test("VM extensions off: REI with PSL<29> set is a reserved operand", () => {
  const r = run(
    `       PUSHL #${VM_EXEC}
        PUSHAB guest
rei:    REI
guest:  HALT`,
    { vmExtensions: false },
  );
  equal(r.vector, 0x18);
  deepEqual(stack(r.m, 4), [r.sym("rei"), 0, r.sym("guest"), VM_EXEC]);
});

Deno.test("VM: REI from real kernel enters the VM; MOVPSL answers with the VMPSL fields", () => {
  const vmpsl = psl({ cur: 0, prv: 3, ipl: 5 });
  const r = vm(
    `MOVPSL R0
        MOVL SP,R1
        HALT`,
    vmpsl,
    VM_EXEC | cc("Z"),
  );
  // Real PSL<VM, CUR, PRV, IS, IPL> replaced by VMPSL; the VM bit reads 0.
  equal(r.m.get("R0"), (vmpsl | cc("Z")) >>> 0);
  equal(
    r.m.get("R1"),
    STACKS.ESP,
    "virtual kernel runs on the real executive stack",
  );
});

Deno.test("VM: a sensitive instruction raises the VM-emulation exception through 0x3C", () => {
  const vmpsl = psl({ cur: 0, prv: 0, ipl: 31 });
  const r = vm("CHMK #1\nnext: HALT", vmpsl, VM_EXEC | cc("NC"));
  equal(r.vector, 0x3c);
  // Frame: opcode, PC of the next instruction, PC of the instruction, PSL.
  deepEqual(stack(r.m, 4), [
    0xbc,
    r.sym("next"),
    r.sym("guest"),
    VM_EXEC | cc("NC"),
  ]);
  equal(r.m.get("SP"), STACKS.KSP - 16, "on the real kernel stack");
  // New PSL: real kernel, VM bit clear, IPL unchanged, PRV = executive.
  equal(r.m.psl, psl({ prv: 1 }));
  equal(r.m.get("ESP"), STACKS.ESP);
});

// Each sensitive instruction with its opcode (vm-extensions.md table), run
// in virtual kernel mode (VMPSL<CUR_MOD> = kernel, PRV_MOD = kernel).
const SENSITIVE: [string, number][] = [
  ["REI", 0x02],
  ["CHMK #1", 0xbc],
  ["CHME #1", 0xbd],
  ["CHMS #1", 0xbe],
  ["CHMU #1", 0xbf],
  ["MTPR #1,#PR$_IPL", 0xda],
  ["MFPR #PR$_IPL,R0", 0xdb],
  ["LDPCTX", 0x06],
  ["SVPCTX", 0x07],
  ["HALT", 0x00],
  ["PROBER #0,#4,@#^X3000", 0x0c],
  ["PROBEW #1,#4,@#^X3000", 0x0d],
];

Deno.test("VM: every sensitive instruction in virtual kernel mode exits through 0x3C with its opcode", () => {
  for (const [src, opcode] of SENSITIVE) {
    const r = vm(`${src}\nnext: HALT`, psl({}), VM_EXEC, { R0: 0x55 });
    equal(r.vector, 0x3c, src);
    deepEqual(
      stack(r.m, 4),
      [opcode, r.sym("next"), r.sym("guest"), VM_EXEC],
      src,
    );
    equal(r.m.get("R0"), 0x55, `${src}: not executed`);
  }
});

Deno.test("VM: REI and CHMx exit in every virtual mode", () => {
  for (
    const [vmpsl, real] of [
      [psl({ cur: 1, prv: 1 }), VM_EXEC],
      [psl({ cur: 3, prv: 3 }), VM_USER],
      [psl({ cur: 2, prv: 3 }), psl({ vm: true, cur: 2, prv: 3 })],
    ]
  ) {
    for (const [src, opcode] of SENSITIVE.slice(0, 5)) {
      const r = vm(`${src}\nnext: HALT`, vmpsl!, real!);
      equal(r.vector, 0x3c, `${src} with VMPSL ${vmpsl!.toString(16)}`);
      deepEqual(stack(r.m, 4), [opcode, r.sym("next"), r.sym("guest"), real]);
    }
  }
});

Deno.test("VM: privileged instructions outside virtual kernel mode are ordinary RIFs", () => {
  for (
    const src of [
      "MTPR #1,#PR$_IPL",
      "MFPR #PR$_IPL,R0",
      "LDPCTX",
      "SVPCTX",
      "HALT",
    ]
  ) {
    const r = vm(`${src}\n HALT`, psl({ cur: 3, prv: 3 }), VM_USER);
    equal(r.vector, 0x10, src);
    deepEqual(stack(r.m, 2), [r.sym("guest"), VM_USER], src);
  }
});

Deno.test("VM: PROBE with an effective mode of supervisor or user runs directly", () => {
  // Effective mode = max(mode operand, VMPSL<PRV_MOD>).
  for (
    const [src, vmpsl] of [
      ["PROBER #3,#4,@#^X3000", psl({ prv: 0 })],
      ["PROBEW #2,#4,@#^X3000", psl({ prv: 1 })],
      ["PROBER #0,#4,@#^X3000", psl({ cur: 1, prv: 3 })],
    ] as const
  ) {
    const r = vm(`${src}\n MOVPSL R0\n CHMK #0`, vmpsl, VM_EXEC | cc("NZV"));
    equal(r.vector, 0x3c, `${src}: reaches the CHMK`);
    equal(stack(r.m, 1)[0], 0xbc);
    // MAPEN = 0: accessible, Z=0; N and V cleared.
    equal(flags(r.m.get("R0")), "", src);
  }
});

Deno.test("VM: the VM-emulation exception is a fault: operand side effects are backed out", () => {
  const r = vm("MTPR (R1)+,#PR$_IPL\nnext: HALT", psl({}), VM_EXEC, {
    R1: 0x3000,
  });
  equal(r.vector, 0x3c);
  equal(r.m.get("R1"), 0x3000);
  deepEqual(stack(r.m, 3), [0xda, r.sym("next"), r.sym("guest")]);
});

Deno.test("VM: MOVPSL and BISPSW / BICPSW do not exit", () => {
  const r = vm(
    `BISPSW #^X0F
        BICPSW #^X04
        MOVPSL R0
        CHMK #0`,
    psl({ ipl: 3 }),
  );
  equal(r.vector, 0x3c);
  equal(stack(r.m, 1)[0], 0xbc);
  equal(r.m.get("R0"), psl({ ipl: 3, cc: cc("NVC") }));
});

Deno.test("VM: other exceptions go to the real kernel with the VM bit in the saved PSL", () => {
  const r = vm("BPT\n HALT", psl({}), VM_EXEC | cc("V"));
  equal(r.vector, 0x2c);
  deepEqual(stack(r.m, 2), [r.sym("guest"), VM_EXEC | cc("V")]);
  equal(r.m.psl, psl({ prv: 1 }));
  equal(r.m.get("SP"), STACKS.KSP - 8);
});

Deno.test("VM: REI with the VM bit from a non-kernel mode is a reserved operand", () => {
  const start = psl({ cur: 1, prv: 1 });
  const r = run(
    `       PUSHL #${VM_EXEC}
        PUSHAB guest
rei:    REI
guest:  HALT`,
    { psl: start },
  );
  equal(r.vector, 0x18);
  deepEqual(stack(r.m, 2), [r.sym("rei"), start]);
});

Deno.test("VM: the monitor can return into the VM after an exit (REI to the next PC)", () => {
  // Handler for 0x3C: skip the instruction (pop opcode, replace PC by next PC).
  const r = run(
    `       MTPR #0,#80
        PUSHL #${VM_EXEC}
        PUSHAB guest
        REI
guest:  CHMK #7
        MOVL #9,R5
        CHMK #0
        .ALIGN LONG
h:      TSTL (SP)+
        MOVL (SP)+,(SP)
        INCL R6
        CMPL R6,#2
        BNEQ again
        HALT
again:  REI`,
    { regs: { R5: 0, R6: 0 }, vectors: { 0x3c: "h" } },
  );
  equal(r.m.get("R6"), 2);
  equal(r.m.get("R5"), 9, "the guest continued after the first exit");
  equal(r.m.get("PC"), r.sym("again"));
});

Deno.test("VM: privileged instructions in virtual executive mode are RIFs too", () => {
  const r = vm("MTPR #1,#PR$_IPL\n HALT", psl({ cur: 1, prv: 1 }), VM_EXEC);
  equal(r.vector, 0x10);
  deepEqual(stack(r.m, 2), [r.sym("guest"), VM_EXEC]);
});

/** PROBER in a VM (virtual kernel, real executive) of an SR page. */
function probeSr(vmpsl: number) {
  const page = 0x4000;
  return run(
    `       MTPR #${vmpsl},#80
        PUSHL #${VM_EXEC}
        PUSHAB guest
        REI
guest:  PROBER #0,#4,@#${page}
next:   MOVPSL R0
        CHMK #0`,
    {
      mapping: true,
      regs: { R0: 0 },
      longs: { [pteAddress(page)]: pte(page >>> 9, PROT.SR) },
    },
  );
}

Deno.test("VM: a direct PROBE uses VMPSL<PRV_MOD>, not the real PRV_MOD", () => {
  // Real PSL: executive/executive. Page 0x4000 is SR: supervisor may read
  // it, user may not. Effective mode = max(0, VMPSL<PRV_MOD>).
  let r = probeSr(psl({ prv: 2 }));
  equal(r.vector, 0x3c);
  equal(stack(r.m, 1)[0], 0xbc, "allowed: no exit, the CHMK exits");
  equal(flags(r.m.get("R0")), "", "accessible");
  // With VMPSL<PRV_MOD> = user the probe is denied. vm-extensions.md says
  // "executed directly (no trap)"; vmmlab's refinement (cpu.ts, lazily
  // filled shadow tables) turns a denied PROBE in a VM into a VM-emulation
  // exception so that the monitor answers from the guest's tables.
  r = probeSr(psl({ prv: 3 }));
  equal(r.vector, 0x3c);
  deepEqual(stack(r.m, 3), [0x0c, r.sym("next"), r.sym("guest")]);
  equal(r.m.get("R0"), 0);
});

Deno.test("VM: interrupts taken while a VM runs go to the real kernel with the VM bit saved", () => {
  const r = run(
    `       MTPR #3,#PR$_SIRR
        MTPR #0,#80
        PUSHL #${VM_EXEC}
        PUSHAB guest
        REI
guest:  MOVL #1,R0
        HALT`,
    { psl: psl({ ipl: 31 }), regs: { R0: 0 } },
  );
  equal(r.vector, 0x8c);
  equal(r.m.get("R0"), 0);
  deepEqual(stack(r.m, 2), [r.sym("guest"), VM_EXEC]);
  equal(r.m.psl, psl({ ipl: 3 }));
});
