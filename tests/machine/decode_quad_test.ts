// Quadword and D operands in the decode cache: register pairs, short
// literals (expanded per type) and the memory modes run from decoded
// entries; immediates and index mode stay on the general path, as do the
// G, H and octaword instructions (two-byte opcodes are not cached). The same programs with the cache on ("always") and off
// ("never") give the same registers, PSL, memory, faults, simulated time
// and instruction counts.

import { equal, ok } from "node:assert/strict";
import { assemble } from "../../src/asm/assembler.ts";
import {
  D_DISP,
  D_QLIT,
  D_QREG,
  D_WIDE,
  DC_STRIDE,
  decodeInstruction,
} from "../../src/machine/decode_cache.ts";
import { SPEC_COUNT } from "../../src/arch/opcodes.ts";
import { same, setL, snapshot, vector } from "./_blocks.ts";
import { rng } from "./_helpers.ts";

/** The kinds of the decoded operands of one instruction. */
function kinds(source: string): number[] {
  const u8 = new Uint8Array(512);
  u8.set(assemble(source, { origin: 0 }).bytes);
  const dc = new Int32Array(DC_STRIDE);
  ok(decodeInstruction(u8, 0, SPEC_COUNT, dc, 0) > 0, "cacheable");
  return Array.from({ length: dc[2]! }, (_, i) => dc[3 + 2 * i]! & 15);
}

Deno.test("decode cache: quadword and D operands decode by kind; immediates and index mode do not", () => {
  equal(kinds("MOVQ R2,R4").join(), [D_QREG, D_QREG].join());
  equal(kinds("ADDD2 #1.5,R4").join(), [D_QLIT, D_QREG].join());
  equal(kinds("ADDD2 #1.5,8(R6)").join(), [D_QLIT, D_DISP].join());
  equal(kinds("MOVQ #^X12345678,R4")[0], D_WIDE); // immediate: general path
  equal(kinds("MOVQ 4(R2)[R3],R4")[0], D_WIDE); // index mode: general path
  // A quadword in R14 and PC is a reserved addressing mode: the general
  // path decodes it (and faults).
  equal(kinds("MOVQ R14,R4")[0], D_WIDE);
});

/** An operand table of D and G values, reserved operands among them. */
function table(seed: number, n: number): number[] {
  const next = rng(seed);
  return Array.from({ length: n }, (_, i) => {
    const v = next();
    // Every seventh first longword a reserved operand (sign, exponent 0).
    return i % 14 === 0 ? 0x8000 | (v & 0xffff0000) : v;
  });
}

const PROGRAM = `
        MOVL    #^X3000,R2
        MOVL    #^X5000,R3
loop:   MOVQ    (R2),R4
        MOVQ    R4,(R3)+
        ADDD3   #1.5,(R2),R6
        MOVQ    R6,(R3)+
        MULD2   8(R2),R6
        MOVD    R6,(R3)+
        ADDG3   (R2),@#^X3008,(R3)+
        SUBG2   #2.0,R4
        MOVQ    R4,(R3)+
        CVTDF   (R2),R8
        MOVL    R8,(R3)+
        CLRQ    R10
        MOVAL   8(R3),(R3)
        MOVQ    R10,@0(R3)
        ADDL2   #16,R3
        MOVQ    (R2)+,(R3)+
        MOVQ    (R2)+,(R3)+
        MOVL    R2,R9
        SOBGTR  R0,loop
        HALT
        .ALIGN  LONG
rof:    MNEGL   #1,(R3)+
        MOVL    (SP),(R3)+
        ADDL3   #16,R9,R2
        MOVL    R2,R9
        MOVAL   next,(SP)
        REI
next:   SOBGTR  R0,loop
        HALT
        .ALIGN  LONG
arith:  MOVL    (SP)+,(R3)+
        MOVL    (SP),(R3)+
        ADDL3   #16,R9,R2
        MOVL    R2,R9
        MOVAL   next,(SP)
        REI
`;

Deno.test("decode cache: quadword, D and G operands give the interpreter's results, faults and times", () => {
  const ops = table(7, 4 * 100);
  const m = same(PROGRAM, (m) => {
    ops.forEach((v, i) => setL(m, 0x3000 + 4 * i, v));
    vector(m, 0x18, PROGRAM, "rof");
    vector(m, 0x34, PROGRAM, "arith");
    m.set("R0", 100);
    m.set("R9", 0x3000);
    m.run({ limit: 100_000 });
    return [
      snapshot(m),
      m.haltReason,
      Array.from(m.readPhysical(0x5000, 0x2000)),
    ];
  });
  equal(m.haltReason, "HALT instruction");
  equal(m.get("R0"), 0);
});
