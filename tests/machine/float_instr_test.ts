// Floating-point instructions on the machine (assembled programs): F, D
// and G arithmetic, moves, tests, compares, conversions, ACBx, and the
// faults through the SCB with the frames of vax-architecture.md 5.4
// (arithmetic fault: type code, PC of the faulting instruction, PSL).
// Expected bit patterns are derived by hand in tests/machine/float_test.ts.

import assert from "node:assert/strict";
import {
  cc,
  DATA,
  exec,
  flags,
  psl,
  readL,
  run,
  stack,
  STACKS,
} from "./_helpers.ts";
import { assemble } from "../../src/asm/assembler.ts";
import { disassemble } from "../../src/asm/disassembler.ts";

/** A longword from a natural-order (significance-order) 32-bit pattern. */
function sw(n: number): number {
  return ((n << 16) | (n >>> 16)) >>> 0;
}

const F_ONE = 0x4080;
const F_M2_5 = 0xc120;
const F_TENTH = 0xcccd3ecc;

Deno.test("4 F arithmetic: 2- and 3-operand forms, literals and immediates", () => {
  let m = exec("ADDF3 #1.5, #2.5, R0");
  assert.equal(m.get("R0"), 0x4180); // 4.0 = 0.1 × 2^3
  assert.equal(flags(m.psl), "");
  m = exec("MOVF #1, R1\n SUBF2 #3.5, R1", {}, cc("C"));
  assert.equal(m.get("R1"), F_M2_5);
  assert.equal(flags(m.psl), "N", "N from the result, V and C cleared");
  m = exec("MULF3 #0.1, #10, R2\n DIVF3 #3, #1, R3");
  assert.equal(m.get("R2"), F_ONE);
  assert.equal(m.get("R3"), sw(0x3faaaaab));
  m = exec("MOVF #0.1, R4\n MULF2 #10, R4\n SUBF2 #1, R4");
  assert.equal(m.get("R4"), 0);
  assert.equal(flags(m.psl), "Z");
  m = exec("DIVF2 #4, R5", { R5: F_ONE });
  assert.equal(m.get("R5"), 0x3f80); // 0.25
});

Deno.test("4 F ADDF ties round away from zero (1 + 2^-24)", () => {
  // 2^-24 = 0.1 × 2^-23: exponent 105 (0x69) → natural 0x34800000.
  const m = exec("ADDF3 R1, R0, R2", { R0: F_ONE, R1: 0x3480 });
  assert.equal(m.get("R2"), sw(0x40800001));
});

Deno.test("4 D arithmetic in register pairs and memory, 56-bit exact", () => {
  // 1 / 10 in D: 0x3ECCCCCCCCCCCCCD (natural order), beyond a double.
  const m = exec(
    `DIVD3 #10, #1, R0
     MOVD R0, @#${DATA}
     MULD3 @#${DATA}, #10, R2
     CVTLD #-7, R4
     ADDD2 #0.5, R4`,
  );
  assert.equal(m.get("R0"), sw(0x3ecccccc));
  assert.equal(m.get("R1"), sw(0xcccccccd));
  assert.equal(readL(m, DATA), sw(0x3ecccccc));
  assert.equal(readL(m, DATA + 4), sw(0xcccccccd));
  assert.equal(m.get("R2"), F_ONE, "0.1 × 10 rounds back to 1 in D");
  assert.equal(m.get("R3"), 0);
  // -6.5 = -0.1101 × 2^3 → natural 0xC1D00000 00000000.
  assert.equal(m.get("R4"), 0xc1d0);
  assert.equal(m.get("R5"), 0);
  assert.equal(flags(m.psl), "N");
});

Deno.test("4 G arithmetic (two-byte opcodes 0xFDxx)", () => {
  const m = exec(
    `MOVG #1.5, R0
     ADDG2 #1, R0
     MULG3 #-2, R0, R2
     CVTGL R2, R4
     CVTLG #3, R6
     DIVG3 R6, #1, R8`,
  );
  // 2.5 in G: exponent 1026, fraction .01 → 0x4024000000000000.
  assert.equal(m.get("R0"), 0x4024);
  assert.equal(m.get("R1"), 0);
  assert.equal(m.get("R2"), 0xc034); // -5.0
  assert.equal(m.get("R4"), -5 >>> 0);
  assert.equal(m.get("R6"), 0x4028); // 3.0 = 0.11 × 2^2, exponent 1026
  // 1/3 = 0.1010... × 2^-1 in G: exponent 1023, 53 bits 1010...101, the
  // next bit 0 → 0x3FF5555555555555.
  assert.equal(m.get("R8"), sw(0x3ff55555));
  assert.equal(m.get("R9"), sw(0x55555555));
});

Deno.test("4 MOVx keeps C, MNEGx/TSTx/CMPx clear it; dirty zero moves as 0", () => {
  let m = exec("MOVF R0, R1", { R0: 0x12340012 }, cc("NVC"));
  assert.equal(m.get("R1"), 0, "exponent 0, sign 0: true zero");
  assert.equal(flags(m.psl), "ZC");
  m = exec("MNEGF #2.5, R1", {}, cc("C"));
  assert.equal(m.get("R1"), F_M2_5);
  assert.equal(flags(m.psl), "N");
  m = exec("TSTF R0", { R0: F_M2_5 }, cc("C"));
  assert.equal(flags(m.psl), "N");
  m = exec("CMPF #1.5, #2.5", {}, cc("ZC"));
  assert.equal(flags(m.psl), "N");
  m = exec("CMPD #2.5, #2.5");
  assert.equal(flags(m.psl), "Z");
  m = exec("CMPG #-1, #-2");
  assert.equal(flags(m.psl), "");
  m = exec("MOVD R2, R4", { R2: 0x4080, R3: 0x5555 }, cc("C"));
  assert.equal(m.get("R4"), 0x4080);
  assert.equal(m.get("R5"), 0x5555);
  assert.equal(flags(m.psl), "C");
});

Deno.test("4 conversions: CVTRFL rounds, CVTFL truncates, CVTDF rounds", () => {
  const m = exec(
    `CVTFL #-2.5, R0
     CVTRFL #-2.5, R1
     CVTRDL #2.5, R2
     CVTWF #-3, R3
     CVTBD #-128, R4
     CVTDF #0.1, R6
     CVTFD R6, R7
     CVTFG #0.5, R9`,
  );
  assert.equal(m.get("R0"), -2 >>> 0);
  assert.equal(m.get("R1"), -3 >>> 0);
  assert.equal(m.get("R2"), 3);
  assert.equal(m.get("R3"), 0xc140); // -3.0
  assert.equal(m.get("R4"), 0xc400); // -128 = -0.1 × 2^8, exponent 136
  assert.equal(m.get("R6"), F_TENTH);
  assert.equal(m.get("R7"), F_TENTH);
  assert.equal(m.get("R8"), 0);
  assert.equal(m.get("R9"), 0x4000); // 0.5 in G: exponent 1024
});

Deno.test("4.12 CVTFB overflow: low byte stored, V set, trap code 1 with IV", () => {
  let m = exec("CVTFB #200, R0", { R0: 0x11111111 });
  assert.equal(m.get("R0"), 0x111111c8);
  assert.equal(flags(m.psl), "NV");
  const r = run("CVTFB #200, R0\nnext: HALT", {
    psl: psl({ iv: true }),
    regs: { R0: 0 },
  });
  assert.equal(r.vector, 0x34);
  assert.deepEqual(stack(r.m, 3), [
    1,
    r.sym("next"),
    psl({ iv: true, cc: cc("NV") }),
  ]);
  assert.equal(r.m.get("R0"), 0xc8, "a trap: the result is stored");
  m = exec("CVTGW #-32768.5, R0");
  assert.equal(m.get("R0"), 0x8000, "a word store keeps R0<31:16>");
  assert.equal(flags(m.psl), "N");
});

Deno.test("4 ACBF/ACBD/ACBG count up and down with a floating step", () => {
  let m = exec(
    `CLRL R1
     MOVF #0.5, R0
loop: INCL R1
     ACBF #3, #0.5, R0, loop`,
  );
  assert.equal(m.get("R1"), 6, "0.5 .. 3.0 in steps of 0.5");
  assert.equal(m.get("R0"), 0x4160); // 3.5
  m = exec(
    `CLRL R4
     MOVD #2, R0
loop: INCL R4
     ACBD #-1, #-0.5, R0, loop`,
    {},
    cc("C"),
  );
  assert.equal(m.get("R4"), 7, "2.0 down to -1.0");
  assert.equal(flags(m.psl), "N");
  m = exec("MOVD #2, R0\n ACBD #0, #-0.5, R0, 1$\n1$: NOP", {}, cc("C"));
  assert.equal(m.get("R0"), 0x40c0); // 1.5
  assert.equal(flags(m.psl), "C", "N, Z from the index, V cleared, C kept");
  m = exec(
    `CLRL R4
     MOVG #1, R0
loop: INCL R4
     ACBG #1, #1, R0, loop`,
  );
  assert.equal(m.get("R4"), 1);
});

Deno.test("5.4 floating divide by zero: fault code 9, PC = the DIVF, nothing stored", () => {
  const r = run("NOP\ndiv: DIVF2 #0, R0\n HALT", {
    regs: { R0: F_ONE },
    psl: psl({ cc: cc("C") }),
  });
  assert.equal(r.vector, 0x34);
  assert.deepEqual(stack(r.m, 3), [9, r.sym("div"), psl({ cc: cc("C") })]);
  assert.equal(r.m.get("R0"), F_ONE);
  assert.equal(r.m.get("SP"), STACKS.KSP - 12);
});

Deno.test("5.4 floating overflow fault code 8; autoincrement backed out", () => {
  const r = run(`MOVAL @#${DATA}, R2\nmul: MULF3 (R2)+, #2, R0\n HALT`, {
    longs: { [DATA]: 0xffff7fff }, // the largest F
  });
  assert.equal(r.vector, 0x34);
  assert.deepEqual(stack(r.m, 3), [8, r.sym("mul"), 0]);
  assert.equal(r.m.get("R2"), DATA, "(R2)+ undone by the fault");
  assert.equal(r.m.get("R0"), 0);
});

Deno.test("5.4 underflow: 0 with FU clear, fault code 10 with FU set", () => {
  const tiny = 0x80; // 2^-128, the smallest F
  let m = exec("MULF3 R1, #0.5, R0", { R0: 7, R1: tiny });
  assert.equal(m.get("R0"), 0);
  assert.equal(flags(m.psl), "Z");
  const r = run("mul: MULF3 R1, #0.5, R0\n HALT", {
    regs: { R0: 7, R1: tiny },
    psl: psl({ fu: true }),
  });
  assert.equal(r.vector, 0x34);
  assert.deepEqual(stack(r.m, 3), [10, r.sym("mul"), psl({ fu: true })]);
  assert.equal(r.m.get("R0"), 7);
  m = exec("SUBD3 R2, R4, R0", { R2: 0x80, R3: 0, R4: 0x80, R5: 0x10000 });
  assert.equal(m.get("R0"), 0, "D underflow without FU is 0");
});

Deno.test("5.2 reserved operand (sign set, exponent 0): fault through 0x18", () => {
  for (
    const src of ["ADDF2 R1, R0", "MOVF R1, R0", "TSTF R1", "CVTFL R1, R0"]
  ) {
    const r = run(`op: ${src}\n HALT`, { regs: { R0: 5, R1: 0x8000 } });
    assert.equal(r.vector, 0x18, src);
    assert.deepEqual(stack(r.m, 2), [r.sym("op"), 0], src);
    assert.equal(r.m.get("R0"), 5, src);
  }
  const r = run("op: ADDG2 R2, R0\n HALT", {
    regs: { R0: 0x4010, R1: 0, R2: 0x8000, R3: 0 },
  });
  assert.equal(r.vector, 0x18);
  assert.equal(r.m.get("R0"), 0x4010);
});

Deno.test("3.3 floating short literals decode as 0.5..120; immediates are 4 or 8 bytes", () => {
  const a = assemble(
    `MOVF #1.5, R0
     MOVD #0.1, R0
     MOVG #120, R0
     MOVF I^#2.5, R0
     ADDD3 #0.5, #-0.5, R0
     MOVD I^#^X3ECCCCCCCCCCCCCD, R0`,
    { origin: 0 },
  );
  const lines = disassemble(a.bytes, 0).map((i) => i.text);
  assert.deepEqual(lines, [
    "MOVF S^#1.5,R0",
    "MOVD I^#0.1,R0",
    "MOVG S^#120.0,R0",
    "MOVF I^#2.5,R0",
    "ADDD3 S^#0.5,I^#-0.5,R0",
    "MOVD I^#^X3ECCCCCCCCCCCCCD,R0",
  ]);
  // The byte encodings: 50 0C 50; 70 8F <8 bytes> 50; FD 50 3F 50.
  assert.deepEqual([...a.bytes.slice(0, 3)], [0x50, 0x0c, 0x50]);
  assert.deepEqual([...a.bytes.slice(3, 5)], [0x70, 0x8f]);
  assert.equal(a.bytes.length, 3 + 11 + 4 + 7 + 12 + 11);
  // And back: the disassembly assembles to the same bytes.
  const again = assemble(lines.join("\n"), { origin: 0 });
  assert.deepEqual([...again.bytes], [...a.bytes]);
});

Deno.test("assembler: floating data directives and errors", () => {
  const a = assemble(
    ".F_FLOATING 1.0, -2.5\n .D_FLOATING 0.1\n .G_FLOATING 1",
    {
      origin: 0,
    },
  );
  assert.deepEqual([...a.bytes.slice(0, 8)], [
    0x80,
    0x40,
    0,
    0,
    0x20,
    0xc1,
    0,
    0,
  ]);
  assert.equal(a.bytes.length, 8 + 8 + 8);
  const b = assemble("x: .BLKF 2\ny: .BLKD\nz: .BLKG 3\nw: .BYTE 1", {
    origin: 0,
  });
  assert.deepEqual(
    ["x", "y", "z", "w"].map((s) => b.symbol(s)),
    [0, 8, 16, 40],
  );
  assert.throws(() => assemble("MOVL #1.5, R0"), /floating literal 1.5/);
  assert.throws(
    () => assemble("MOVF S^#0.1, R0"),
    /not a floating short literal/,
  );
  assert.throws(
    () => assemble("MOVF #1E40, R0"),
    /out of the range of F_floating/,
  );
  assert.throws(() => assemble(".FLOAT abc"), /decimal numbers/);
});

Deno.test("3.4 index mode scales by the operand size: 4 for F, 8 for D and G", () => {
  const m = exec(
    `MOVL #1, R1
     MOVD @#${DATA}[R1], R2
     MOVF @#${DATA}[R1], R4
     MOVG R2, @#${DATA + 0x10}[R1]`,
    {},
    0,
    {
      longs: {
        [DATA]: 0x4080,
        [DATA + 4]: 0x41a0, // F 5.0 (at index 1 of F)
        [DATA + 8]: 0xc120, // D -2.5 (at index 1 of D)
        [DATA + 12]: 0,
      },
    },
  );
  assert.equal(m.get("R2"), 0xc120);
  assert.equal(m.get("R4"), 0x41a0);
  assert.equal(readL(m, DATA + 0x18), 0xc120);
});

Deno.test("4 MOVAF/MOVAD/MOVAG, PUSHAF/PUSHAD, CLRF/CLRD/CLRG are the address and clear moves", () => {
  const a = assemble(
    `MOVAF @#^X100, R0
     MOVAD @#^X100, R0
     MOVAG @#^X100, R0
     PUSHAF @#^X100
     PUSHAD @#^X100
     CLRF R0
     CLRD R0
     CLRG R0`,
    { origin: 0 },
  );
  const names = disassemble(a.bytes, 0).map((i) => i.mnemonic);
  assert.deepEqual(names, [
    "MOVAL",
    "MOVAQ",
    "MOVAQ",
    "PUSHAL",
    "PUSHAQ",
    "CLRL",
    "CLRQ",
    "CLRQ",
  ]);
  const m = exec(`MOVAD @#${DATA}[R1], R0\n CLRD R2`, { R1: 2, R2: 5, R3: 6 });
  assert.equal(m.get("R0"), DATA + 16);
  assert.equal(m.get("R2"), 0);
  assert.equal(m.get("R3"), 0);
});

Deno.test("4 EMODF and POLYF on the machine: results, registers, condition codes", () => {
  let m = exec("EMODF #1.5, #0, #2.75, R0, R1");
  assert.equal(m.get("R0"), 4);
  assert.equal(m.get("R1"), 0x3f00); // 0.125 = 0.1 × 2^-2
  assert.equal(flags(m.psl), "");
  m = exec(
    `POLYF #2, #2, @#${DATA}`,
    { R4: 7, R5: 7 },
    0,
    { longs: { [DATA]: 0x4100, [DATA + 4]: 0x4140, [DATA + 8]: 0x4080 } },
  );
  // 2x^2 + 3x + 1 at 2 = 15 = 0.1111 × 2^4 → 0x4270.
  assert.equal(m.get("R0"), 0x4270);
  assert.deepEqual([m.get("R1"), m.get("R2"), m.get("R3")], [0, 0, DATA + 12]);
  assert.deepEqual([m.get("R4"), m.get("R5")], [7, 7], "POLYF leaves R4, R5");
  const r = run(`p: POLYF #2, #32, @#${DATA}\n HALT`);
  assert.equal(r.vector, 0x18, "degree above 31: reserved operand");
  assert.deepEqual(stack(r.m, 2), [r.sym("p"), 0]);
});

Deno.test("3.3 PC-relative floating operands and floating data directives", () => {
  const m = exec(
    `MOVF val, R0
     MOVD dval, R2
     ADDG2 gval, R4
     BRB done
val:  .F_FLOATING 2.5
dval: .D_FLOATING -0.5
gval: .G_FLOATING 1.5
done: NOP`,
    { R4: 0x4010, R5: 0 }, // G 1.0
  );
  assert.equal(m.get("R0"), 0x4120); // 2.5
  assert.deepEqual([m.get("R2"), m.get("R3")], [0xc000, 0]); // -0.5
  assert.deepEqual([m.get("R4"), m.get("R5")], [0x4024, 0]); // 2.5 in G
});
