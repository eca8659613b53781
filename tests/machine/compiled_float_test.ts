// F-floating instructions in compiled blocks: the same programs with every
// block compiled and with nothing cached give the same registers, PSL,
// memory, faults, simulated time and instruction counts, over operands
// chosen to reach every outcome of the arithmetic (zero, dirty zero,
// reserved operand, overflow, underflow with and without PSL<FU>, divide
// by zero) and from both sides of each operand kind (register, literal,
// memory through displacement and autoincrement).

import { deepEqual, equal, ok } from "node:assert/strict";
import { assemble } from "../../src/asm/assembler.ts";
import { compileBlock } from "../../src/machine/block_compiler.ts";
import {
  DC_STRIDE,
  decodeInstruction,
} from "../../src/machine/decode_cache.ts";
import { SPEC_COUNT } from "../../src/arch/opcodes.ts";
import { machine, same, setL, snapshot, vector } from "./_blocks.ts";
import { rng } from "./_helpers.ts";

/** An F-floating longword from sign, exponent (0..255) and fraction. */
function fBits(sign: number, exp: number, frac: number): number {
  const f = frac & 0x7fffff;
  return ((f & 0xffff) << 16 | sign << 15 | exp << 7 | f >>> 16) >>> 0;
}

/** Exponents at the edges of the range, and in the middle. */
const EXPS = [0, 0, 1, 2, 3, 64, 127, 128, 129, 130, 192, 253, 254, 255, 255];

/** N F operands: edge exponents mostly, some fully random. */
function fOperands(seed: number, n: number): number[] {
  const next = rng(seed);
  return Array.from({ length: n }, () => {
    const k = next() % (EXPS.length + 3);
    if (k >= EXPS.length) return next();
    return fBits(next() & 1, EXPS[k]!, next());
  });
}

const TABLE = 0x3000;
const OUT = 0x5000;

// Per pair (a, b) at (R2), 4(R2): every compiled F instruction, results
// stored to (R3)+. A fault records its code (-1 for a reserved operand)
// and PC and goes on with the next pair.
const PROGRAM = `
        MOVL    #^X3000,R2
        MOVL    #^X5000,R3
loop:   ADDL3   R12,R12,R11             ; C and V set (R12 = 2**31) before an F result
        ADDF3   (R2),4(R2),R4
        MOVPSL  (R3)+
        MOVF    R4,(R3)+
        SUBF3   (R2),4(R2),(R3)+
        MULF3   4(R2),(R2),R5
        MOVF    R5,(R3)+
        DIVF3   (R2),4(R2),R6
        MOVL    R6,(R3)+
        CMPL    R0,#^X7FFFFFFF          ; C set: MOVF keeps it
        MOVF    (R2),R7
        MOVPSL  (R3)+
        ADDF2   #1.5,R7
        MULF2   4(R2),R7
        SUBF2   (R2),R7
        DIVF2   #2.0,R7
        MOVL    R7,(R3)+
        MNEGF   (R2),(R3)+
        TSTF    4(R2)
        MOVPSL  (R3)+
        CMPF    (R2),4(R2)
        MOVPSL  (R3)+
        CMPF    4(R2),R7
        MOVPSL  (R3)+
        CVTLF   R0,(R3)+
        CVTBF   R0,R8
        CVTWF   R2,(R3)+
        MOVF    (R2)+,R9
        MOVF    (R2)+,(R3)+
        MOVL    R2,R10
        MOVL    R8,(R3)+
        SOBGTR  R0,loop
        HALT
next:   ADDL3   #8,R10,R2
        MOVL    R2,R10
        SOBGTR  R0,loop
        HALT
        .ALIGN  LONG
arith:  MOVL    (SP)+,(R3)+
        MOVL    (SP),(R3)+
        MOVAL   next,(SP)
        REI
        .ALIGN  LONG
rof:    MNEGL   #1,(R3)+
        MOVL    (SP),(R3)+
        MOVAL   next,(SP)
        REI
`;

/** Runs PROGRAM over `pairs` operand pairs with the given PSL. */
function runPairs(seed: number, pairs: number, psl: number) {
  const ops = fOperands(seed, 2 * pairs);
  const faults = new Map<number, number>();
  const m = same(PROGRAM, (m) => {
    for (let i = 0; i < ops.length; i++) setL(m, TABLE + 4 * i, ops[i]!);
    vector(m, 0x34, PROGRAM, "arith");
    vector(m, 0x18, PROGRAM, "rof");
    // R10 follows R2 so that a fault's continuation finds the next pair.
    m.set("R10", TABLE);
    m.set("R12", 0x80000000);
    m.set("R0", pairs);
    m.set("PSL", psl);
    m.run({ limit: 1_000_000 });
    return [snapshot(m), m.haltReason, Array.from(m.readPhysical(OUT, 0x2800))];
  });
  // The fault records: code (or -1) then the faulting PC.
  const p = assemble(PROGRAM, { origin: 0x200 });
  const out = new DataView(m.readPhysical(OUT, 0x2800).buffer);
  for (let k = 0; k + 8 <= 0x2800; k += 4) {
    const code = out.getInt32(k, true);
    const pc = out.getUint32(k + 4, true);
    if (
      (code === -1 || code === 8 || code === 9 || code === 10) &&
      pc >= p.symbol("loop") && pc < p.symbol("next")
    ) {
      faults.set(code, (faults.get(code) ?? 0) + 1);
    }
  }
  return { m, faults };
}

Deno.test("compiled F floating: same results, faults and times as the interpreter (FU clear)", () => {
  const { m, faults } = runPairs(1, 120, 0x001f0000);
  equal(m.haltReason, "HALT instruction");
  equal(m.get("R0"), 0);
  // The operands reach the reserved operand, overflow and divide by zero.
  ok((faults.get(-1) ?? 0) > 0, "reserved operands");
  ok((faults.get(8) ?? 0) > 0, "floating overflow");
  ok((faults.get(9) ?? 0) > 0, "divide by zero");
  equal(faults.get(10) ?? 0, 0, "no underflow fault with FU clear");
});

Deno.test("compiled F floating: underflow faults with PSL<FU> set, identically", () => {
  const { m, faults } = runPairs(2, 120, 0x001f0040);
  equal(m.get("R0"), 0);
  ok((faults.get(10) ?? 0) > 0, "floating underflow");
});

Deno.test("compiled F floating: a loop of ADDF2/MULF2 runs as one block with exact results", () => {
  const src = `
loop:   ADDF2   #1.5,R1
        MULF2   R3,R2
        SOBGTR  R0,loop
        HALT
`;
  const m = same(src, (m) => {
    m.set("R0", 100);
    m.set("R2", 0x4080); // 1.0
    m.set("R3", 0x4080);
    m.run();
    return [snapshot(m)];
  });
  equal(m.get("R1"), 0x4416); // 150.0: exponent 0x88, fraction 0x16 << 16
  equal(m.get("R2"), 0x4080);
  equal(m.instructions, 301);
  // The whole loop is one block (the three instructions).
  const dc = new Int32Array(512 * DC_STRIDE);
  const u8 = new Uint8Array(512);
  u8.set(assemble(src, { origin: 0 }).bytes);
  const at = (off: number) =>
    decodeInstruction(u8, off, SPEC_COUNT, dc, off * DC_STRIDE) > 0
      ? off * DC_STRIDE
      : -1;
  equal(compileBlock(at, dc, 0)?.count, 3);
});

Deno.test("compiled F floating: a fault in a block's F instruction leaves PC, registers and autoincrements as the interpreter does", () => {
  // The second pair's first operand is a reserved operand (sign set,
  // exponent 0): MOVF (R2)+,R9 faults with R2 unchanged.
  const src = `
loop:   MOVF    (R2)+,R9
        ADDF2   R9,R4
        SOBGTR  R0,loop
        HALT
`;
  const m = machine("always", src);
  setL(m, TABLE, 0x4080);
  setL(m, TABLE + 4, 0x8000);
  m.set("R2", TABLE);
  m.set("R0", 5);
  m.run();
  const loop = assemble(src, { origin: 0x200 }).symbol("loop");
  equal(m.get("PC"), 0x1800 + 0x18 + 1, "after the reserved-operand HALT");
  equal(m.get("R2"), TABLE + 4, "the faulting autoincrement backed out");
  equal(m.get("R9"), 0x4080);
  equal(m.get("R4"), 0x4080);
  equal(m.get("R0"), 4);
  const frame = new DataView(m.readPhysical(m.get("SP"), 8).buffer);
  equal(frame.getUint32(0, true), loop, "the fault's PC is the MOVF");
  deepEqual(
    snapshot(m),
    (() => {
      const n = machine("never", src);
      setL(n, TABLE, 0x4080);
      setL(n, TABLE + 4, 0x8000);
      n.set("R2", TABLE);
      n.set("R0", 5);
      n.run();
      return snapshot(n);
    })(),
  );
});
