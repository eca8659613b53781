// Increment, decrement, test (section 4.3), add, subtract, multiply, divide
// (4.5), and the integer overflow / divide-by-zero traps (4.12, 5.3, 5.4).
import { deepEqual, equal } from "node:assert/strict";
import {
  type AluCase,
  cc,
  checkAlu,
  DATA,
  exec,
  flags,
  psl,
  readL,
  run,
  stack,
  STACKS,
} from "./_helpers.ts";

Deno.test("4.3 INCB/INCW/INCL: carry and overflow at the edges", () => {
  const cases: AluCase[] = [
    ["INCL R0", { R0: 5 }, "NZVC", { R0: 6 }, ""],
    ["INCB R0", { R0: 0x1234567f }, "", { R0: 0x12345680 }, "NV"],
    ["INCB R0", { R0: 0x123456ff }, "", { R0: 0x12345600 }, "ZC"],
    ["INCB R0", { R0: 0x000000fe }, "", { R0: 0xff }, "N"],
    ["INCW R0", { R0: 0x7fff }, "", { R0: 0x8000 }, "NV"],
    ["INCW R0", { R0: 0xabcdffff }, "", { R0: 0xabcd0000 }, "ZC"],
    ["INCL R0", { R0: 0x7fffffff }, "", { R0: 0x80000000 }, "NV"],
    ["INCL R0", { R0: 0xffffffff }, "", { R0: 0 }, "ZC"],
    ["INCL R0", { R0: 0xfffffffe }, "", { R0: 0xffffffff }, "N"],
  ];
  checkAlu(cases, deepEqual);
});

Deno.test("4.3 DECB/DECW/DECL: borrow iff the old value was 0, overflow at the most negative", () => {
  const cases: AluCase[] = [
    ["DECL R0", { R0: 6 }, "NZVC", { R0: 5 }, ""],
    ["DECB R0", { R0: 0x12345680 }, "", { R0: 0x1234567f }, "V"],
    ["DECB R0", { R0: 0x12345600 }, "", { R0: 0x123456ff }, "NC"],
    ["DECB R0", { R0: 1 }, "", { R0: 0 }, "Z"],
    ["DECW R0", { R0: 0x8000 }, "", { R0: 0x7fff }, "V"],
    ["DECW R0", { R0: 0xffff0000 }, "", { R0: 0xffffffff }, "NC"],
    ["DECL R0", { R0: 0x80000000 }, "", { R0: 0x7fffffff }, "V"],
    ["DECL R0", { R0: 0 }, "", { R0: 0xffffffff }, "NC"],
    ["DECL R0", { R0: 1 }, "NC", { R0: 0 }, "Z"],
  ];
  checkAlu(cases, deepEqual);
});

Deno.test("4.3 TSTB/TSTW/TSTL: N Z from the operand, V=0, C=0", () => {
  const cases: AluCase[] = [
    ["TSTB R0", { R0: 0x80 }, "VC", { R0: 0x80 }, "N"],
    ["TSTB R0", { R0: 0x100 }, "NC", {}, "Z"],
    ["TSTB R0", { R0: 0x7f }, "ZVC", {}, ""],
    ["TSTW R0", { R0: 0x8000 }, "C", {}, "N"],
    ["TSTW R0", { R0: 0xffff0000 }, "", {}, "Z"],
    ["TSTL R0", { R0: 0 }, "NVC", {}, "Z"],
    ["TSTL R0", { R0: 0x80000000 }, "", {}, "N"],
    ["TSTL R0", { R0: 0x00010000 }, "NZVC", {}, ""],
  ];
  checkAlu(cases, deepEqual);
});

Deno.test("4.3 INCL/DECL on memory (modify operands)", () => {
  const m = exec(
    `INCL @#${DATA}
     DECW @#${DATA + 4}
     INCB @#${DATA + 8}`,
    {},
    0,
    { longs: { [DATA]: 0x7fffffff, [DATA + 4]: 0x11110000, [DATA + 8]: 0xff } },
  );
  equal(readL(m, DATA), 0x80000000);
  equal(readL(m, DATA + 4), 0x1111ffff);
  equal(readL(m, DATA + 8), 0);
  equal(flags(m.psl), "ZC");
});

Deno.test("4.5 ADDx: sum, signed overflow V, unsigned carry C", () => {
  const cases: AluCase[] = [
    ["ADDB2 #1,R0", { R0: 0x1234567f }, "", { R0: 0x12345680 }, "NV"],
    ["ADDB2 #1,R0", { R0: 0x000000ff }, "", { R0: 0 }, "ZC"],
    ["ADDB3 #^X80,#^X80,R0", { R0: 0xffffffff }, "", { R0: 0xffffff00 }, "ZVC"],
    ["ADDB3 #^X7F,#^X81,R0", { R0: 0 }, "N", { R0: 0 }, "ZC"],
    ["ADDB3 #3,#4,R0", { R0: 0 }, "NZVC", { R0: 7 }, ""],
    ["ADDW2 #1,R0", { R0: 0x7fff }, "", { R0: 0x8000 }, "NV"],
    ["ADDW3 #^XFFFF,#^XFFFF,R0", { R0: 0 }, "", { R0: 0xfffe }, "NC"],
    [
      "ADDW3 #^X8000,#^X8000,R0",
      { R0: 0x12345678 },
      "",
      { R0: 0x12340000 },
      "ZVC",
    ],
    ["ADDL2 #1,R0", { R0: 0x7fffffff }, "", { R0: 0x80000000 }, "NV"],
    ["ADDL2 #1,R0", { R0: 0xffffffff }, "", { R0: 0 }, "ZC"],
    ["ADDL3 #-1,#-1,R0", {}, "", { R0: 0xfffffffe }, "NC"],
    ["ADDL3 #^X80000000,#^X80000000,R0", {}, "", { R0: 0 }, "ZVC"],
    ["ADDL3 #^X80000000,#-1,R0", {}, "", { R0: 0x7fffffff }, "VC"],
    ["ADDL3 R1,R2,R3", { R1: 1000, R2: 2345 }, "", { R3: 3345 }, ""],
  ];
  checkAlu(cases, deepEqual);
});

Deno.test("4.5 SUBx: min - sub, V on signed overflow, C = borrow (unsigned min < sub)", () => {
  const cases: AluCase[] = [
    ["SUBB2 #1,R0", { R0: 0x80 }, "", { R0: 0x7f }, "V"],
    ["SUBB2 #1,R0", { R0: 0xffffff00 }, "", { R0: 0xffffffff }, "NC"],
    ["SUBB3 #1,#^X80,R0", { R0: 0 }, "", { R0: 0x7f }, "V"],
    ["SUBB3 #^X80,#0,R0", { R0: 0 }, "", { R0: 0x80 }, "NVC"],
    ["SUBB3 #5,#5,R0", { R0: 0x100 }, "NVC", { R0: 0x100 }, "Z"],
    ["SUBW2 #2,R0", { R0: 1 }, "", { R0: 0xffff }, "NC"],
    ["SUBW3 #1,#^X8000,R0", { R0: 0 }, "", { R0: 0x7fff }, "V"],
    ["SUBW3 #^X8000,#^X7FFF,R0", { R0: 0 }, "", { R0: 0xffff }, "NVC"],
    ["SUBL2 #5,R0", { R0: 5 }, "NC", { R0: 0 }, "Z"],
    ["SUBL3 #1,#^X80000000,R0", {}, "", { R0: 0x7fffffff }, "V"],
    ["SUBL3 #2,#1,R0", {}, "", { R0: 0xffffffff }, "NC"],
    ["SUBL3 #^X80000000,#0,R0", {}, "", { R0: 0x80000000 }, "NVC"],
    ["SUBL3 #-1,#^X7FFFFFFF,R0", {}, "", { R0: 0x80000000 }, "NVC"],
    ["SUBL3 #1,#-1,R0", {}, "", { R0: 0xfffffffe }, "N"],
  ];
  checkAlu(cases, deepEqual);
});

Deno.test("4.5 MULx: low bits of the signed product, V if it does not fit, C=0", () => {
  const cases: AluCase[] = [
    ["MULB3 #^X10,#^X10,R0", { R0: 0x12345678 }, "C", { R0: 0x12345600 }, "ZV"],
    ["MULB3 #-1,#^X80,R0", { R0: 0 }, "", { R0: 0x80 }, "NV"],
    ["MULB3 #-1,#^X7F,R0", { R0: 0 }, "C", { R0: 0x81 }, "N"],
    ["MULB2 #3,R0", { R0: 7 }, "NZVC", { R0: 21 }, ""],
    ["MULW3 #^X100,#^X80,R0", { R0: 0 }, "", { R0: 0x8000 }, "NV"],
    ["MULW3 #-1,#^X8000,R0", { R0: 0 }, "", { R0: 0x8000 }, "NV"],
    ["MULW3 #-2,#^X4000,R0", { R0: 0 }, "", { R0: 0x8000 }, "N"],
    ["MULL3 #^X10000,#^X10000,R0", {}, "C", { R0: 0 }, "ZV"],
    ["MULL3 #-1,#^X80000000,R0", {}, "", { R0: 0x80000000 }, "NV"],
    ["MULL3 #^XFFFF,#^X10001,R0", {}, "", { R0: 0xffffffff }, "NV"],
    ["MULL3 #-2,#3,R0", {}, "C", { R0: 0xfffffffa }, "N"],
    ["MULL3 #^X40000000,#2,R0", {}, "", { R0: 0x80000000 }, "NV"],
    ["MULL3 #^X40000000,#-2,R0", {}, "", { R0: 0x80000000 }, "N"],
    ["MULL3 #^X7FFFFFFF,#^X7FFFFFFF,R0", {}, "", { R0: 1 }, "V"],
    ["MULL2 #0,R0", { R0: 12345 }, "", { R0: 0 }, "Z"],
  ];
  checkAlu(cases, deepEqual);
});

Deno.test("4.5 DIVx: quotient truncated toward zero, C=0", () => {
  const cases: AluCase[] = [
    ["DIVB3 #3,#7,R0", { R0: 0xffffffff }, "C", { R0: 0xffffff02 }, ""],
    ["DIVB3 #3,#-7,R0", { R0: 0 }, "", { R0: 0xfe }, "N"],
    ["DIVB3 #-3,#7,R0", { R0: 0 }, "", { R0: 0xfe }, "N"],
    ["DIVB3 #2,#-1,R0", { R0: 0 }, "NVC", { R0: 0 }, "Z"],
    ["DIVB2 #-1,R0", { R0: 0x7f }, "", { R0: 0x81 }, "N"],
    ["DIVW3 #^X100,#^X7FFF,R0", { R0: 0 }, "", { R0: 0x7f }, ""],
    ["DIVW3 #-1,#^X7FFF,R0", { R0: 0 }, "", { R0: 0x8001 }, "N"],
    ["DIVL3 #7,#-50,R0", {}, "", { R0: 0xfffffff9 }, "N"],
    ["DIVL3 #-7,#-50,R0", {}, "C", { R0: 7 }, ""],
    ["DIVL2 #10,R0", { R0: 1000 }, "", { R0: 100 }, ""],
    ["DIVL3 #^X80000000,#^X7FFFFFFF,R0", {}, "", { R0: 0 }, "Z"],
    ["DIVL3 #-1,#^X7FFFFFFF,R0", {}, "", { R0: 0x80000001 }, "N"],
  ];
  checkAlu(cases, deepEqual);
});

Deno.test("4.5 DIVx most negative / -1: result = dividend, V=1 (no trap without IV)", () => {
  const cases: AluCase[] = [
    ["DIVB3 #-1,#^X80,R0", { R0: 0 }, "C", { R0: 0x80 }, "NV"],
    ["DIVW3 #-1,#^X8000,R0", { R0: 0 }, "", { R0: 0x8000 }, "NV"],
    ["DIVL3 #-1,#^X80000000,R0", {}, "", { R0: 0x80000000 }, "NV"],
    ["DIVL2 #-1,R0", { R0: 0x80000000 }, "", { R0: 0x80000000 }, "NV"],
  ];
  checkAlu(cases, deepEqual);
});

/** Runs a program that should take the arithmetic trap; returns the frame. */
function arithTrap(
  src: string,
  init: Record<string, number>,
  start: number,
) {
  const r = run(`${src}\nnext: HALT`, { regs: init, psl: start });
  return r;
}

Deno.test("4.5/4.12 divide by zero: quo = dividend, V=1, trap code 2 even with IV=0", () => {
  const cases: [string, Record<string, number>, string, number, string][] = [
    ["DIVB2 #0,R0", { R0: 0x12345605 }, "R0", 0x12345605, "V"],
    ["DIVB3 #0,#^X80,R0", { R0: 0 }, "R0", 0x80, "NV"],
    ["DIVW3 #0,#0,R0", { R0: 0xffffffff }, "R0", 0xffff0000, "ZV"],
    ["DIVL3 #0,#5,R0", {}, "R0", 5, "V"],
    ["DIVL2 R1,R0", { R0: 0xfffffff0, R1: 0 }, "R0", 0xfffffff0, "NV"],
  ];
  for (const [src, init, reg, value, ccOut] of cases) {
    for (const iv of [false, true]) {
      const start = psl({ iv, cc: cc("C") });
      const r = arithTrap(src, init, start);
      equal(r.vector, 0x34, src);
      equal(r.m.get(reg), value >>> 0, src);
      const frame = stack(r.m, 3);
      equal(frame[0], 2, `${src}: type code`);
      equal(frame[1], r.sym("next"), `${src}: PC of the next instruction`);
      equal(frame[2], (start & ~0xf | cc(ccOut)) >>> 0, `${src}: PSL`);
      equal(r.m.get("SP"), STACKS.KSP - 12);
    }
  }
});

// Every instruction that sets V for integer overflow (4.12), with the
// result it stores.
const OVERFLOWS: [string, Record<string, number>, string, number][] = [
  ["ADDL2 #1,R0", { R0: 0x7fffffff }, "R0", 0x80000000],
  ["ADDB3 #^X7F,#1,R0", { R0: 0 }, "R0", 0x80],
  ["SUBW2 #1,R0", { R0: 0x8000 }, "R0", 0x7fff],
  ["INCL R0", { R0: 0x7fffffff }, "R0", 0x80000000],
  ["DECB R0", { R0: 0x80 }, "R0", 0x7f],
  ["MNEGL R0,R1", { R0: 0x80000000 }, "R1", 0x80000000],
  ["MULL3 #^X10000,#^X10000,R0", {}, "R0", 0],
  ["DIVL3 #-1,#^X80000000,R0", {}, "R0", 0x80000000],
  ["CVTLB #^X100,R0", { R0: 0x55 }, "R0", 0],
  ["CVTLW #^X8000,R0", { R0: 0 }, "R0", 0x8000],
  ["ASHL #1,#^X40000000,R0", {}, "R0", 0x80000000],
  ["ACBL #0,#1,R0,next", { R0: 0x7fffffff }, "R0", 0x80000000],
  ["AOBLEQ #0,R0,next", { R0: 0x7fffffff }, "R0", 0x80000000],
  ["SOBGTR R0,next", { R0: 0x80000000 }, "R0", 0x7fffffff],
];

Deno.test("4.12 integer overflow with IV=1: trap code 1 after the instruction completes", () => {
  for (const [src, init, reg, value] of OVERFLOWS) {
    const start = psl({ iv: true });
    const r = arithTrap(src, init, start);
    equal(r.vector, 0x34, src);
    equal(r.m.get(reg), value, `${src}: result stored before the trap`);
    const [code, pc, saved] = stack(r.m, 3);
    equal(code, 1, `${src}: type code`);
    equal(pc, r.sym("next"), `${src}: PC of the next instruction`);
    equal((saved! & 0x22) >>> 0, 0x22, `${src}: saved PSL has IV and V`);
    equal(saved! & ~0xf, start, `${src}: saved PSL otherwise unchanged`);
  }
});

Deno.test("4.12 integer overflow with IV=0: V set, no trap", () => {
  for (const [src, init, reg, value] of OVERFLOWS) {
    const r = arithTrap(src, init, 0);
    equal(r.vector, -1, src);
    equal(r.m.get("PC"), r.sym("next") + 1, src);
    equal(r.m.get(reg), value, src);
    equal(r.m.psl & V_BIT, V_BIT, `${src}: V`);
  }
});
const V_BIT = 2;

Deno.test("4.12/5.5 arithmetic trap from user mode: kernel stack, PRV_MOD=user, IPL unchanged", () => {
  const start = psl({ cur: 3, prv: 3, iv: true, cc: cc("C") });
  const r = run("ADDL2 #1,R0\nnext: HALT", {
    regs: { R0: 0x7fffffff },
    psl: start,
  });
  equal(r.vector, 0x34);
  equal(r.m.get("SP"), STACKS.KSP - 12);
  deepEqual(stack(r.m, 3), [1, r.sym("next"), (start & ~0xf) | cc("NV")]);
  equal(r.m.psl, psl({ cur: 0, prv: 3 }));
  equal(r.m.get("USP"), STACKS.USP);
});

Deno.test("4.12 a trap after a taken branch saves the branch target", () => {
  // SOBGEQ 0x80000000 -> 0x7FFFFFFF, V, branch taken (>= 0).
  const r = run(
    `SOBGEQ R0,target
     HALT
target: HALT`,
    { regs: { R0: 0x80000000 }, psl: psl({ iv: true }) },
  );
  equal(r.vector, 0x34);
  deepEqual(stack(r.m, 2), [1, r.sym("target")]);
});

Deno.test("4.12 the trap is taken before the next instruction runs", () => {
  const r = run(
    `ADDL2 #1,R0
     MOVL #1,R1
     HALT`,
    { regs: { R0: 0x7fffffff, R1: 0 }, psl: psl({ iv: true }) },
  );
  equal(r.vector, 0x34);
  equal(r.m.get("R1"), 0);
});
