// REI (section 6): validity checks, stack switches, TP merge, AST request.
import { deepEqual, equal } from "node:assert/strict";
import {
  cc,
  PROT,
  psl,
  pte,
  pteAddress,
  readVL,
  run,
  stack,
  STACKS,
} from "./_helpers.ts";

const TARGET = 0x1002; // REI at 0x1000, HALT at 0x1001, target code at 0x1002
const USER = psl({ cur: 3, prv: 3 });
const NAMES = ["KSP", "ESP", "SSP", "USP"] as const;

/** Top of the stack the PSL selects. */
function top(p: number): number {
  if (p & 0x04000000) return STACKS.ISP;
  return STACKS[NAMES[(p >>> 24) & 3]!];
}

/**
 * Runs REI in mode `start` with (SP) = TARGET and 4(SP) = `popped`; the
 * target code is `body`.
 */
function rei(
  start: number,
  popped: number,
  body = "HALT",
  extra: { regs?: Record<string, number>; vmExtensions?: boolean } = {},
) {
  const sp = top(start) - 8;
  return run(`REI\n HALT\n ${body}`, {
    psl: start,
    regs: { ...extra.regs, SP: sp },
    longs: { [sp]: TARGET, [sp + 4]: popped },
    vmExtensions: extra.vmExtensions,
  });
}

/** Expects a reserved operand fault with nothing changed. */
function expectRof(start: number, popped: number, vmExtensions = true) {
  const r = rei(start, popped, "HALT", { vmExtensions });
  const what = `REI from ${start.toString(16)} to ${popped.toString(16)}`;
  equal(r.vector, 0x18, what);
  const sp = top(start) - 8;
  if (((start >>> 24) & 3) === 0) {
    // Fault frame pushed on the same (kernel or interrupt) stack.
    equal(r.m.get("SP"), sp - 8, what);
  } else {
    equal(r.m.get("SP"), STACKS.KSP - 8, what);
    equal(r.m.get(NAMES[(start >>> 24) & 3]!), sp, `${what}: SP unchanged`);
  }
  deepEqual(stack(r.m, 2), [0x1000, start], `${what}: fault frame`);
  deepEqual([readVL(r.m, sp), readVL(r.m, sp + 4)], [TARGET, popped]);
  equal(r.m.get("SISR"), 0);
  return r;
}

Deno.test("6 REI kernel -> user: PSL (with CCs) and PC restored, KSP saved, R14 <- USP", () => {
  const popped = USER | cc("NC");
  const r = rei(psl({ ipl: 0 }), popped, "MOVPSL R0\n MOVL SP,R1\n HALT");
  equal(r.m.get("R0"), popped);
  equal(r.m.get("R1"), STACKS.USP);
  // The user HALT then faults: kernel stack, frame on KSP.
  equal(r.vector, 0x10);
  equal(r.m.get("SP"), STACKS.KSP - 8, "KSP was saved as SP + 8");
  // MOVL SP,R1 cleared N and kept C.
  deepEqual(stack(r.m, 2), [TARGET + 5, USER | cc("C")]);
});

Deno.test("6 REI from the interrupt stack to the kernel stack: ISP saved, R14 <- KSP", () => {
  const r = rei(psl({ is: true, ipl: 31 }), psl({ ipl: 5, cc: cc("Z") }));
  equal(r.m.get("PC"), TARGET + 1);
  equal(r.m.psl, psl({ ipl: 5, cc: cc("Z") }));
  equal(r.m.get("SP"), STACKS.KSP);
  equal(r.m.get("ISP"), STACKS.ISP);
});

Deno.test("6 REI from the interrupt stack to the interrupt stack at a lower IPL", () => {
  const r = rei(psl({ is: true, ipl: 31 }), psl({ is: true, ipl: 3 }));
  equal(r.m.get("PC"), TARGET + 1);
  equal(r.m.psl, psl({ is: true, ipl: 3 }));
  equal(r.m.get("SP"), STACKS.ISP);
  equal(r.m.get("KSP"), STACKS.KSP);
});

Deno.test("6 REI to executive and supervisor selects their stacks", () => {
  for (const [mode, name] of [[1, "ESP"], [2, "SSP"]] as const) {
    const popped = psl({ cur: mode, prv: 3 });
    const r = rei(psl({ ipl: 4 }), popped, "MOVL SP,R0\n MOVPSL R1\n HALT");
    equal(r.m.get("R0"), STACKS[name], name);
    equal(r.m.get("R1"), popped, name);
    // The HALT then faults onto the kernel stack, which REI left at its top.
    equal(r.vector, 0x10);
    equal(r.m.get("SP"), STACKS.KSP - 8);
  }
});

Deno.test("6 REI within the same mode (user to user) and kernel to kernel", () => {
  let r = rei(USER, USER | cc("V"), "MOVPSL R0\n HALT");
  equal(r.m.get("R0"), USER | cc("V"));
  equal(r.m.get("USP"), STACKS.USP);
  r = rei(psl({ ipl: 20, prv: 3 }), psl({ ipl: 20, prv: 3 }));
  equal(r.m.get("PC"), TARGET + 1);
  equal(r.m.get("SP"), STACKS.KSP);
});

Deno.test("6.2.1 REI to a more privileged mode: ROF, nothing changed", () => {
  expectRof(USER, psl({}));
  expectRof(USER, psl({ cur: 2, prv: 3 }));
  expectRof(psl({ cur: 1, prv: 1 }), psl({ prv: 1 }));
  expectRof(psl({ cur: 2, prv: 2 }), psl({ cur: 1, prv: 2 }));
});

Deno.test("6.2.2 REI to the interrupt stack from outside it: ROF", () => {
  expectRof(psl({ ipl: 31 }), psl({ is: true, ipl: 31 }));
});

Deno.test("6.2.3 REI to the interrupt stack in a non-kernel mode: ROF", () => {
  expectRof(
    psl({ is: true, ipl: 31 }),
    psl({ is: true, cur: 1, prv: 1, ipl: 1 }),
  );
  expectRof(psl({ is: true, ipl: 31 }), psl({ is: true, cur: 3, prv: 3 }));
});

Deno.test("6.2.4 REI to the interrupt stack with IPL 0: ROF", () => {
  expectRof(psl({ is: true, ipl: 31 }), psl({ is: true, ipl: 0 }));
});

Deno.test("6.2.5 REI to a non-kernel mode with IPL > 0: ROF", () => {
  expectRof(psl({ ipl: 31 }), psl({ cur: 3, prv: 3, ipl: 1 }));
  expectRof(psl({ ipl: 31 }), psl({ cur: 1, prv: 1, ipl: 31 }));
});

Deno.test("6.2.6 REI with PRV_MOD more privileged than CUR_MOD: ROF", () => {
  expectRof(psl({}), psl({ cur: 2, prv: 1 }));
  expectRof(psl({}), psl({ cur: 3, prv: 0 }));
});

Deno.test("6.2.7 REI raising IPL: ROF; the same IPL is allowed", () => {
  expectRof(psl({ ipl: 8 }), psl({ ipl: 9 }));
  expectRof(psl({ is: true, ipl: 8 }), psl({ is: true, ipl: 31 }));
  const r = rei(psl({ ipl: 8 }), psl({ ipl: 8 }));
  equal(r.m.get("PC"), TARGET + 1);
});

Deno.test("6.2.8 REI with a must-be-zero PSL bit set: ROF", () => {
  for (const bit of [8, 9, 15, 21, 28]) {
    for (const vm of [true, false]) {
      expectRof(psl({}), USER | (1 << bit), vm);
    }
  }
  // Bit 29 is must-be-zero on a standard VAX (VM extensions off).
  expectRof(psl({}), (USER | (1 << 29)) >>> 0, false);
});

Deno.test("6.2.9 REI to compatibility mode (CM=1): ROF on the KA655", () => {
  expectRof(psl({}), (0x80000000 | USER) >>> 0);
});

Deno.test("6.4 TP merge: REI executed with TP set traces the first target instruction", () => {
  // T=1 in the kernel PSL sets TP before the REI; the popped PSL has T=TP=0.
  const r = rei(psl({ t: true }), USER, "MOVL #1,R0\n HALT", {
    regs: { R0: 0 },
  });
  equal(r.vector, 0x28);
  equal(r.m.get("R0"), 0, "trace taken before the target instruction");
  deepEqual(stack(r.m, 2), [TARGET, USER]);
  equal(r.m.psl, psl({ prv: 3 }));
});

Deno.test("6.4 TP merge: TP in the popped PSL is kept", () => {
  const r = rei(psl({}), psl({ tp: true, prv: 3 }), "MOVL #1,R0\n HALT", {
    regs: { R0: 0 },
  });
  equal(r.vector, 0x28);
  equal(r.m.get("R0"), 0);
  deepEqual(stack(r.m, 2), [TARGET, psl({ prv: 3 })]);
});

Deno.test("6.5 AST: REI to a mode >= ASTLVL sets SISR<2> (level-2 interrupt follows)", () => {
  const r = rei(psl({ ipl: 0 }), USER, "MOVL #1,R0\n HALT", {
    regs: { ASTLVL: 3, R0: 0 },
  });
  equal(r.vector, 0x88);
  equal(r.m.get("R0"), 0);
  deepEqual(stack(r.m, 2), [TARGET, USER]);
  equal(r.m.get("SISR"), 0, "cleared when the interrupt was taken");
  equal(r.m.psl, psl({ ipl: 2 }));

  const s = rei(psl({}), psl({ cur: 2, prv: 3 }), "HALT", {
    regs: { ASTLVL: 2 },
  });
  equal(s.vector, 0x88, "supervisor >= ASTLVL 2");
});

Deno.test("6.5 AST: no request when the new mode < ASTLVL, or ASTLVL = 4", () => {
  let r = rei(psl({}), USER, "HALT", { regs: { ASTLVL: 4 } });
  equal(r.vector, 0x10, "the user HALT faults: no AST interrupt first");
  equal(r.m.get("SISR"), 0);
  r = rei(psl({}), psl({ cur: 1, prv: 3 }), "HALT", { regs: { ASTLVL: 3 } });
  equal(r.vector, 0x10);
  equal(r.m.get("SISR"), 0);
});

Deno.test("6.5 AST: REI to kernel with ASTLVL 0 requests level 2, held off by IPL", () => {
  const r = rei(psl({ ipl: 3 }), psl({ ipl: 3 }), "HALT", {
    regs: { ASTLVL: 0 },
  });
  equal(r.m.get("PC"), TARGET + 1);
  equal(r.m.get("SISR"), 4);
});

Deno.test("6.5 AST: no request when returning to the interrupt stack", () => {
  const r = rei(psl({ is: true, ipl: 5 }), psl({ is: true, ipl: 4 }), "HALT", {
    regs: { ASTLVL: 0 },
  });
  equal(r.m.get("PC"), TARGET + 1);
  equal(r.m.get("SISR"), 0);
});

Deno.test("6.3 REI is not privileged: user to user works, CCs come from the popped PSL", () => {
  const r = rei(USER | cc("NZVC"), USER | cc("Z"), "MOVPSL R0\n HALT");
  equal(r.m.get("R0"), USER | cc("Z"));
});

Deno.test("6 REI restoring T: the first target instruction runs, then the trace", () => {
  const r = rei(psl({}), psl({ t: true, prv: 3 }), "MOVL #1,R0\nnext: HALT", {
    regs: { R0: 0 },
  });
  equal(r.vector, 0x28);
  equal(r.m.get("R0"), 1);
  deepEqual(stack(r.m, 2), [TARGET + 3, psl({ t: true, prv: 3 })]);
});

Deno.test("6.1 REI reads PC and PSL with current-mode access: ACV is a normal fault", () => {
  // User mode with SP on a kernel-only page.
  const page = 0x4000;
  const r = run("REI\n HALT", {
    mapping: true,
    psl: USER,
    regs: { SP: page + 0x100 },
    longs: {
      [pteAddress(page)]: pte(page >>> 9, PROT.KW),
      [page + 0x100]: TARGET,
      [page + 0x104]: USER,
    },
  });
  equal(r.vector, 0x20);
  deepEqual(stack(r.m, 4), [0, page + 0x100, 0x1000, USER]);
  equal(r.m.get("USP"), page + 0x100, "SP unchanged");
});

Deno.test("6 REI restoring FPD=1: the next instruction faults with RIF", () => {
  const popped = psl({ fpd: true, ipl: 2 });
  const r = rei(psl({ ipl: 2 }), popped, "NOP\n HALT");
  equal(r.vector, 0x10);
  deepEqual(stack(r.m, 2), [TARGET, popped]);
});

Deno.test("6 REI restores DV, FU, IV and T from the popped PSL", () => {
  const popped = psl({ cur: 3, prv: 3, dv: true, fu: true, iv: true });
  const r = rei(psl({}), popped, "MOVPSL R0\n HALT");
  equal(r.m.get("R0"), popped);
});
