// Branches, jumps and subroutines (section 4.9); loops, bit tests and CASEL
// (4.10); branch displacements (3.5).
import { deepEqual, equal } from "node:assert/strict";
import { cc, DATA, exec, flags, psl, run, stack, STACKS } from "./_helpers.ts";

// The branch condition of each conditional branch, written from the table
// of section 4.9 (n, z, v, c are the condition codes).
const CONDITIONS: [
  string,
  number,
  (n: number, z: number, v: number, c: number) => boolean,
][] = [
  ["BNEQ", 0x12, (_n, z) => z === 0],
  ["BEQL", 0x13, (_n, z) => z === 1],
  ["BGTR", 0x14, (n, z) => (n | z) === 0],
  ["BLEQ", 0x15, (n, z) => (n | z) === 1],
  ["BGEQ", 0x18, (n) => n === 0],
  ["BLSS", 0x19, (n) => n === 1],
  ["BGTRU", 0x1a, (_n, z, _v, c) => (c | z) === 0],
  ["BLEQU", 0x1b, (_n, z, _v, c) => (c | z) === 1],
  ["BVC", 0x1c, (_n, _z, v) => v === 0],
  ["BVS", 0x1d, (_n, _z, v) => v === 1],
  ["BCC", 0x1e, (_n, _z, _v, c) => c === 0],
  ["BCS", 0x1f, (_n, _z, _v, c) => c === 1],
  ["BGEQU", 0x1e, (_n, _z, _v, c) => c === 0],
  ["BLSSU", 0x1f, (_n, _z, _v, c) => c === 1],
  ["BNEQU", 0x12, (_n, z) => z === 0],
  ["BEQLU", 0x13, (_n, z) => z === 1],
];

for (const [mnemonic, opcode, cond] of CONDITIONS) {
  Deno.test(`4.9 ${mnemonic} (${opcode.toString(16)}) taken and not taken for all 16 CC values`, () => {
    const src = `${mnemonic} yes
        MOVL #1,R0
        HALT
yes:    MOVL #2,R0
        HALT`;
    for (let ccIn = 0; ccIn < 16; ccIn++) {
      const r = run(src, { psl: ccIn });
      const taken = cond(ccIn >> 3 & 1, ccIn >> 2 & 1, ccIn >> 1 & 1, ccIn & 1);
      equal(r.asm.bytes[0], opcode);
      equal(r.m.get("R0"), taken ? 2 : 1, `${mnemonic} with CC ${flags(ccIn)}`);
      // MOVL then sets N=Z=V=0 and keeps C: the branch itself kept C.
      equal(r.m.psl & 1, ccIn & 1);
    }
  });
}

Deno.test("4.9 conditional branches leave all condition codes unchanged", () => {
  for (let ccIn = 0; ccIn < 16; ccIn++) {
    const m = exec(
      "BNEQ .+2\n BEQL .+2\n BGTR .+2\n BLEQ .+2\n BVS .+2\n BCC .+2",
      {},
      ccIn,
    );
    equal(m.psl, ccIn);
  }
});

Deno.test("3.5/4.9 BRB and BRW: forward and backward, target = PC' + sext(displ)", () => {
  const r = run(
    `       BRB fwd
        HALT
back:   MOVL #3,R1
        HALT
fwd:    MOVL #1,R0
        BRW far
        HALT
        .BLKB 300
far:    MOVL #2,R2
        BRW back`,
  );
  deepEqual([r.m.get("R0"), r.m.get("R1"), r.m.get("R2")], [1, 3, 2]);
  equal(r.m.get("PC"), r.sym("back") + 4);
  // Encodings: BRB with a byte displacement, BRW with a word one.
  equal(r.asm.bytes[0], 0x11);
  equal(r.asm.bytes[1], r.sym("fwd") - (0x1000 + 2));
});

Deno.test("3.5 BRB with displacement ^X80 jumps back 128 bytes", () => {
  // Hand-encoded: at 0x1090, BRB -128 -> 0x1092 - 0x80 = 0x1012.
  const code = new Uint8Array(0x100);
  code[0x12] = 0xd0; // MOVL #9,R0 ; HALT at 0x1012
  code[0x13] = 0x09;
  code[0x14] = 0x50;
  code[0x15] = 0x00;
  code[0x90] = 0x11;
  code[0x91] = 0x80;
  const r = run(code, { regs: { PC: 0x1090 } });
  equal(r.m.get("R0"), 9);
  equal(r.m.get("PC"), 0x1016);
});

Deno.test("4.9 JMP: PC <- EA, CCs unchanged", () => {
  const r = run(
    `       JMP @#there
        HALT
there:  HALT`,
    { psl: cc("NZVC") },
  );
  equal(r.m.get("PC"), r.sym("there") + 1);
  equal(flags(r.m.psl), "NZVC");
  const r2 = run(
    `       JMP (R1)
        HALT
there:  HALT`,
    { regs: { R1: 0x1000 + 3 } },
  );
  equal(r2.m.get("PC"), r2.sym("there") + 1);
});

Deno.test("4.9 JSB/RSB: push the next instruction's address, return to it", () => {
  const r = run(
    `       JSB sub
after:  MOVL #1,R1
        HALT
sub:    MOVL (SP),R0
        MOVL SP,R2
        RSB`,
    { psl: cc("NVC") },
  );
  equal(r.m.get("R0"), r.sym("after"));
  equal(r.m.get("R2"), STACKS.KSP - 4);
  equal(r.m.get("SP"), STACKS.KSP);
  equal(r.m.get("R1"), 1);
});

Deno.test("4.9 JSB and RSB do not change the condition codes", () => {
  const r = run(
    `       JSB sub
        HALT
sub:    RSB`,
    { psl: cc("NZVC") },
  );
  equal(flags(r.m.psl), "NZVC");
  equal(r.m.get("SP"), STACKS.KSP);
});

Deno.test("4.9 JSB @(SP)+: the operand (and SP autoincrement) is evaluated before the push", () => {
  const r = run(
    `       PUSHAB co
        JSB @(SP)+
after:  HALT
co:     MOVL (SP),R0
        MOVL SP,R1
        HALT`,
  );
  equal(r.m.get("R0"), r.sym("after"));
  equal(r.m.get("R1"), STACKS.KSP - 4);
});

Deno.test("4.9 BSBB/BSBW: push PC', branch to PC' + sext(displ)", () => {
  const r = run(
    `       BSBB sub1
a1:     BSBW sub2
a2:     HALT
sub1:   MOVL (SP),R0
        RSB
        .BLKB 200
sub2:   MOVL (SP),R1
        RSB`,
  );
  equal(r.m.get("R0"), r.sym("a1"));
  equal(r.m.get("R1"), r.sym("a2"));
  equal(r.m.get("PC"), r.sym("a2") + 1);
  equal(r.m.get("SP"), STACKS.KSP);
  equal(r.asm.bytes[0], 0x10);
  equal(r.asm.bytes[2], 0x30);
});

Deno.test("4.9 BSBW backwards with a negative word displacement", () => {
  const r = run(
    `       BRW start
sub:    MOVL #7,R0
        RSB
        .BLKB 300
start:  BSBW sub
        HALT`,
  );
  equal(r.m.get("R0"), 7);
  equal(r.m.get("PC"), r.asm.end);
});

Deno.test("4.10 SOBGTR / SOBGEQ loops, N Z V from the index, C kept", () => {
  let m = exec(
    `10$: MOVAB 1(R1),R1
     SOBGTR R0,10$`,
    { R0: 5, R1: 0 },
    cc("C"),
  );
  deepEqual([m.get("R0"), m.get("R1")], [0, 5]);
  equal(flags(m.psl), "ZC");
  m = exec(
    `10$: INCL R1
     SOBGEQ R0,10$`,
    { R0: 5, R1: 0 },
  );
  deepEqual([m.get("R0"), m.get("R1")], [0xffffffff, 6]);
  equal(flags(m.psl), "N");
});

Deno.test("4.10 SOBxxx overflow: 0x80000000 - 1 = 0x7FFFFFFF, V=1, branch on the wrapped value", () => {
  for (const op of ["SOBGEQ", "SOBGTR"]) {
    const r = run(
      `       ${op} R0,yes
        HALT
yes:    MOVL #1,R1
        HALT`,
      { regs: { R0: 0x80000000, R1: 0 }, psl: cc("C") },
    );
    equal(r.m.get("R0"), 0x7fffffff, op);
    equal(r.m.get("R1"), 1, `${op} taken`);
    equal(flags(r.m.psl), "C", `${op}: MOVL cleared V, C kept`);
  }
  const m = exec("SOBGEQ R0,.+3", { R0: 0x80000000 }, cc("C"));
  equal(flags(m.psl), "VC");
});

Deno.test("4.10 SOBGEQ / SOBGTR not taken at the boundary values", () => {
  let m = exec("SOBGTR R0,.", { R0: 1 });
  equal(m.get("R0"), 0);
  m = exec("SOBGEQ R0,.", { R0: 0 });
  equal(m.get("R0"), 0xffffffff);
});

Deno.test("4.10 AOBLSS / AOBLEQ loops", () => {
  let m = exec(
    `10$: INCL R1
     AOBLSS #5,R0,10$`,
    { R0: 0, R1: 0 },
  );
  deepEqual([m.get("R0"), m.get("R1")], [5, 5]);
  equal(flags(m.psl), "");
  m = exec(
    `10$: INCL R1
     AOBLEQ #5,R0,10$`,
    { R0: 0, R1: 0 },
  );
  deepEqual([m.get("R0"), m.get("R1")], [6, 6]);
  m = exec(
    `10$: INCL R1
     AOBLSS #-1,R0,10$`,
    { R0: -5, R1: 0 },
  );
  deepEqual([m.get("R0"), m.get("R1")], [0xffffffff, 4]);
  equal(flags(m.psl), "N");
});

Deno.test("4.10 AOBxxx overflow: 0x7FFFFFFF + 1 = 0x80000000, V=1, branch on the wrapped value", () => {
  for (const op of ["AOBLSS", "AOBLEQ"]) {
    const m = exec(`${op} #0,R0,.+4`, { R0: 0x7fffffff }, cc("C"));
    equal(m.get("R0"), 0x80000000, op);
    equal(flags(m.psl), "NVC", op);
    const r = run(
      `       ${op} #0,R0,yes
        HALT
yes:    HALT`,
      { regs: { R0: 0x7fffffff } },
    );
    equal(r.m.get("PC"), r.sym("yes") + 1, `${op} taken`);
  }
});

Deno.test("4.10 ACBL: positive add branches while index <= limit, negative while >=", () => {
  let m = exec(
    `10$: INCL R1
     ACBL #10,#3,R0,10$`,
    { R0: 0, R1: 0 },
  );
  deepEqual([m.get("R0"), m.get("R1")], [12, 4]);
  m = exec(
    `10$: INCL R1
     ACBL #-10,#-3,R0,10$`,
    { R0: 0, R1: 0 },
  );
  deepEqual([m.get("R0"), m.get("R1")], [-12 >>> 0, 4]);
  equal(flags(m.psl), "N");
  m = exec(
    `10$: INCL R1
     ACBL #0,#0,R0,20$
     BRB 30$
20$: INCL R2
30$:`,
    { R0: 0, R1: 0, R2: 0 },
  );
  deepEqual([m.get("R1"), m.get("R2")], [1, 1]);
  equal(flags(m.psl), "");
});

Deno.test("4.10 ACBL overflow: V=1, C kept, branch on the wrapped value", () => {
  const r = run(
    `       ACBL #^X7FFFFFFF,#1,R0,yes
        HALT
yes:    HALT`,
    { regs: { R0: 0x7fffffff }, psl: cc("C") },
  );
  equal(r.m.get("R0"), 0x80000000);
  equal(r.m.get("PC"), r.sym("yes") + 1);
  equal(flags(r.m.psl), "NVC");
  const r2 = run(
    `       ACBL #0,#-1,R0,yes
        HALT
yes:    HALT`,
    { regs: { R0: 0x80000000 } },
  );
  equal(r2.m.get("R0"), 0x7fffffff);
  equal(r2.m.get("PC"), r2.sym("yes") + 1);
  equal(flags(r2.m.psl), "V");
});

Deno.test("4.10 ACBL uses a word displacement", () => {
  const r = run(
    `       ACBL #1,#1,R0,far
        HALT
        .BLKB 400
far:    HALT`,
    { regs: { R0: 0 } },
  );
  equal(r.asm.bytes[0], 0xf1);
  equal(r.m.get("PC"), r.sym("far") + 1);
});

Deno.test("4.10 BLBS / BLBC test bit 0, CCs unchanged", () => {
  const cases: [string, number, boolean][] = [
    ["BLBS", 1, true],
    ["BLBS", 0, false],
    ["BLBS", 0xfffffffe, false],
    ["BLBS", 0x80000001, true],
    ["BLBC", 1, false],
    ["BLBC", 0, true],
    ["BLBC", 0xfffffffe, true],
  ];
  for (const [op, value, taken] of cases) {
    const r = run(
      `       ${op} R0,yes
        MOVL #1,R1
        HALT
yes:    MOVL #2,R1
        HALT`,
      { regs: { R0: value } },
    );
    equal(r.m.get("R1"), taken ? 2 : 1, `${op} ${value.toString(16)}`);
  }
  const m = exec(
    `BLBS @#${DATA},10$
10$: BLBC @#${DATA},20$
20$:`,
    {},
    cc("NZVC"),
    { longs: { [DATA]: 1 } },
  );
  equal(flags(m.psl), "NZVC");
});

/** Runs `op pos,base,yes` and tells whether it branched. */
function bb(
  op: string,
  pos: string,
  base: string,
  init: Record<string, number>,
  longs: Record<number, number> = {},
): boolean | number {
  const r = run(
    `       ${op} ${pos},${base},yes
        HALT
yes:    HALT`,
    { regs: init, longs, psl: cc("NZVC") },
  );
  if (r.vector !== -1) return r.vector;
  equal(flags(r.m.psl), "NZVC", `${op} keeps the CCs`);
  return r.m.get("PC") === r.sym("yes") + 1;
}

Deno.test("4.10 BBS / BBC with a register base: bit = Rn<pos>", () => {
  equal(bb("BBS", "#0", "R0", { R0: 1 }), true);
  equal(bb("BBS", "#0", "R0", { R0: 0xfffffffe }), false);
  equal(bb("BBS", "#31", "R0", { R0: 0x80000000 }), true);
  equal(bb("BBC", "#31", "R0", { R0: 0x80000000 }), false);
  equal(bb("BBC", "#5", "R0", { R0: 0xffffffdf }), true);
  equal(bb("BBS", "R1", "R0", { R0: 0x00010000, R1: 16 }), true);
});

Deno.test("4.10 BBS / BBC register base with pos > 31 (unsigned): ROF", () => {
  for (const pos of [32, 0xffffffff, 0x80000000]) {
    for (const op of ["BBS", "BBC"]) {
      const r = run(`${op} R1,R0,.+4\n HALT`, {
        regs: { R0: 0xffffffff, R1: pos },
      });
      equal(r.vector, 0x18, `${op} pos ${pos.toString(16)}`);
      deepEqual(stack(r.m, 2), [0x1000, 0], "saved PC is the instruction");
    }
  }
});

Deno.test("4.10 BBS / BBC with a memory base: byte EA + pos>>3, bit pos<2:0>", () => {
  const longs = { [DATA]: 0x80000400, [DATA + 12]: 0x10 };
  equal(bb("BBS", "#10", `@#${DATA}`, {}, longs), true);
  equal(bb("BBS", "#9", `@#${DATA}`, {}, longs), false);
  equal(bb("BBC", "#10", `@#${DATA}`, {}, longs), false);
  equal(bb("BBS", "#31", `@#${DATA}`, {}, longs), true);
  equal(bb("BBS", "#100", `@#${DATA}`, {}, longs), true);
  equal(bb("BBS", "#99", `@#${DATA}`, {}, longs), false);
  // Unlike a register base, pos 32 and more is fine in memory.
  equal(bb("BBC", "#32", `@#${DATA}`, {}, longs), true);
});

Deno.test("4.10 BBS / BBC with a memory base and a negative position reach lower addresses", () => {
  // pos = -1: byte EA - 1, bit 7; pos = -9: byte EA - 2, bit 7; -16: EA - 2 bit 0.
  const longs = { [DATA]: 0x00000180 };
  equal(bb("BBS", "#-1", `@#${DATA + 1}`, {}, longs), true);
  equal(bb("BBS", "#-1", `@#${DATA + 2}`, {}, longs), false);
  equal(bb("BBS", "#-9", `@#${DATA + 2}`, {}, longs), true);
  equal(bb("BBS", "#-16", `@#${DATA + 3}`, {}, longs), true);
  equal(bb("BBC", "#-15", `@#${DATA + 3}`, {}, longs), true);
  equal(bb("BBS", "R1", "(R2)", { R1: -8, R2: DATA + 2 }, longs), true);
});

const CASE_SRC = `
        CASEL R0,#1,#2
tbl:    .WORD c0-tbl, c1-tbl, c2-tbl
        MOVL #99,R1
        HALT
c0:     MOVL #10,R1
        HALT
c1:     MOVL #11,R1
        HALT
c2:     MOVL #12,R1
        HALT`;

Deno.test("4.10 CASEL in range: PC <- table + sext(table[selector - base])", () => {
  for (const [sel, out] of [[1, 10], [2, 11], [3, 12]] as const) {
    const r = run(CASE_SRC, { regs: { R0: sel, R1: 0 } });
    equal(r.m.get("R1"), out, `selector ${sel}`);
  }
});

Deno.test("4.10 CASEL out of range: skip the table of limit+1 words", () => {
  for (const sel of [4, 0, 0x80000000, 0xffffffff]) {
    const r = run(CASE_SRC, { regs: { R0: sel, R1: 0 } });
    equal(r.m.get("R1"), 99, `selector ${sel.toString(16)}`);
  }
});

Deno.test("4.10 CASEL condition codes are those of CMPL (selector-base), limit", () => {
  const cases: [number, string][] = [
    [1, "NC"], // tmp 0 < 2
    [3, "Z"], // tmp 2 = 2
    [4, ""], // tmp 3 > 2
    [0, "N"], // tmp -1: signed less, unsigned greater
  ];
  for (const [sel, ccOut] of cases) {
    const r = run(
      `       CASEL R0,#1,#2
tbl:    .WORD d-tbl, d-tbl, d-tbl
d:      HALT`,
      { regs: { R0: sel }, psl: cc("V") },
    );
    equal(flags(r.m.psl), ccOut, `selector ${sel}`);
  }
});

Deno.test("4.10 CASEL with a negative displacement and a wrapped base", () => {
  const r = run(
    `back:   MOVL #5,R1
        HALT
start:  CASEL R0,#-2,#1
tbl:    .WORD back-tbl, back-tbl
        HALT
        .END start`,
    { regs: { R0: 0xffffffff } },
  );
  // selector -1 - base -2 = 1 <= 1: second entry.
  equal(r.m.get("R1"), 5);
});

Deno.test("4.9 branches work from user mode too (not privileged)", () => {
  const r = run(
    `       BRB l1
        HALT
l1:     JSB l2
        HALT
l2:     RSB`,
    { psl: psl({ cur: 3, prv: 3 }) },
  );
  // The user-mode HALT after the RSB faults (RIF) with PC = that HALT.
  equal(r.vector, 0x10);
  equal(stack(r.m, 1)[0], r.sym("l2") - 1);
});
