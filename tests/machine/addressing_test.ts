// Addressing modes (sections 3.3 and 3.4), their legality (RAF), evaluation
// order and the backing out of register side effects on faults (3.6).
import { deepEqual, equal } from "node:assert/strict";
import {
  DATA,
  exec,
  hexBytes,
  PROT,
  psl,
  pte,
  pteAddress,
  readL,
  run,
  stack,
  STACKS,
} from "./_helpers.ts";

// Memory used by the mode tests: DATA holds 0x11111111, 0x22222222, ...;
// PTR holds a pointer to DATA + 8.
const PTR = DATA + 0x100;
const LONGS: Record<number, number> = {
  [DATA - 8]: 0xeeeeeeee,
  [DATA - 4]: 0xffffffff,
  [DATA]: 0x11111111,
  [DATA + 4]: 0x22222222,
  [DATA + 8]: 0x33333333,
  [DATA + 12]: 0x44444444,
  [DATA + 16]: 0x55555555,
  [DATA + 20]: 0x66666666,
  [PTR]: DATA + 8,
  [PTR + 4]: DATA + 16,
};

function mode(src: string, init: Record<string, number>) {
  return exec(src, init, 0, { longs: LONGS });
}

Deno.test("3.3 short literal: value = spec<5:0>, zero-extended to the operand size", () => {
  let m = mode("MOVL S^#63,R0", { R0: 0xffffffff });
  equal(m.get("R0"), 63);
  m = mode("MOVW S^#0,R0", { R0: 0xffffffff });
  equal(m.get("R0"), 0xffff0000);
  m = mode("MOVB S^#32,R0", { R0: 0xffffffff });
  equal(m.get("R0"), 0xffffff20);
  const r = run("MOVL S^#63,R0\n HALT");
  equal(r.asm.bytes[1], 0x3f, "specifier byte 0x3F");
});

Deno.test("3.3 register mode: longword writes replace all of Rn, byte/word only the low part", () => {
  const m = mode("MOVL R1,R2\n MOVW R1,R3\n MOVB R1,R4", {
    R1: 0x89abcdef,
    R3: 0x11111111,
    R4: 0x22222222,
  });
  deepEqual([m.get("R2"), m.get("R3"), m.get("R4")], [
    0x89abcdef,
    0x1111cdef,
    0x222222ef,
  ]);
});

Deno.test("3.3 register deferred (Rn): EA = Rn", () => {
  const m = mode("MOVL (R1),R0\n MOVL R0,(R2)", {
    R1: DATA + 4,
    R2: DATA + 32,
  });
  equal(m.get("R0"), 0x22222222);
  equal(readL(m, DATA + 32), 0x22222222);
  equal(m.get("R1"), DATA + 4);
});

Deno.test("3.3 autodecrement -(Rn): Rn decremented by the operand size first", () => {
  let m = mode("MOVL -(R1),R0", { R1: DATA + 8 });
  deepEqual([m.get("R0"), m.get("R1")], [0x22222222, DATA + 4]);
  m = mode("MOVW -(R1),R0", { R1: DATA + 8, R0: 0 });
  deepEqual([m.get("R0"), m.get("R1")], [0x2222, DATA + 6]);
  m = mode("MOVB -(R1),R0", { R1: DATA + 8, R0: 0 });
  deepEqual([m.get("R0"), m.get("R1")], [0x22, DATA + 7]);
});

Deno.test("3.3 autoincrement (Rn)+: EA = Rn, then Rn incremented by the operand size", () => {
  let m = mode("MOVL (R1)+,R0", { R1: DATA });
  deepEqual([m.get("R0"), m.get("R1")], [0x11111111, DATA + 4]);
  m = mode("MOVW (R1)+,R0", { R1: DATA + 4, R0: 0 });
  deepEqual([m.get("R0"), m.get("R1")], [0x2222, DATA + 6]);
  m = mode("MOVB (R1)+,R0", { R1: DATA + 8, R0: 0 });
  deepEqual([m.get("R0"), m.get("R1")], [0x33, DATA + 9]);
});

Deno.test("3.3 autoincrement deferred @(Rn)+: EA = (Rn), Rn += 4 whatever the size", () => {
  let m = mode("MOVL @(R1)+,R0", { R1: PTR });
  deepEqual([m.get("R0"), m.get("R1")], [0x33333333, PTR + 4]);
  m = mode("MOVB @(R1)+,R0", { R1: PTR + 4, R0: 0 });
  deepEqual([m.get("R0"), m.get("R1")], [0x55, PTR + 8]);
  m = mode("MOVW @(R1)+,R0", { R1: PTR, R0: 0 });
  deepEqual([m.get("R0"), m.get("R1")], [0x3333, PTR + 4]);
});

Deno.test("3.3 displacement modes: B^, W^, L^ with sign-extended displacements", () => {
  const cases: [string, number, number][] = [
    ["MOVL B^4(R1),R0", DATA, 0x22222222],
    ["MOVL B^-4(R1),R0", DATA, 0xffffffff],
    ["MOVL W^8(R1),R0", DATA, 0x33333333],
    ["MOVL W^-8(R1),R0", DATA, 0xeeeeeeee],
    ["MOVL W^^X1000(R1),R0", DATA - 0x1000, 0x11111111],
    ["MOVL L^12(R1),R0", DATA, 0x44444444],
    ["MOVL L^-4(R1),R0", DATA, 0xffffffff],
    ["MOVL L^^X3010(R1),R0", -0x10, 0x11111111],
  ];
  for (const [src, r1, value] of cases) {
    const m = mode(src, { R1: r1 });
    equal(m.get("R0"), value, src);
    equal(m.get("R1"), r1 >>> 0, `${src}: R1 unchanged`);
  }
});

Deno.test("3.3 displacement deferred modes: EA = longword at (Rn + d)", () => {
  const cases: [string, number, number][] = [
    ["MOVL @B^4(R1),R0", PTR - 4, 0x33333333],
    ["MOVL @B^-4(R1),R0", PTR + 8, 0x55555555],
    ["MOVL @W^^X100(R1),R0", PTR - 0x100, 0x33333333],
    ["MOVL @L^^X10000(R1),R0", PTR - 0x10000, 0x33333333],
    ["MOVL @L^-4(R1),R0", PTR + 4, 0x33333333],
  ];
  for (const [src, r1, value] of cases) {
    equal(mode(src, { R1: r1 }).get("R0"), value, src);
  }
});

Deno.test("3.3 displacement modes encode as A/B/C/D/E/F with the register", () => {
  const a = run(
    `MOVL B^4(R1),R0
     MOVL @B^4(R1),R0
     MOVL W^4(R1),R0
     MOVL @W^4(R1),R0
     MOVL L^4(R1),R0
     MOVL @L^4(R1),R0`,
    { longs: LONGS, regs: { R1: PTR - 4 } },
  ).asm.bytes;
  deepEqual([a[1], a[5], a[9], a[14], a[19], a[26]], [
    0xa1,
    0xb1,
    0xc1,
    0xd1,
    0xe1,
    0xf1,
  ]);
});

Deno.test("3.3 PC-relative modes: EA = PC' + displacement (byte, word, long, deferred)", () => {
  const r = run(
    `       MOVL B^val,R0
        MOVL @B^ptr,R1
        MOVL W^val,R2
        MOVL @W^ptr,R3
        MOVL L^val,R4
        MOVL @L^ptr,R5
        MOVL R0,W^out
        HALT
val:    .LONG ^X12345678
ptr:    .LONG val
out:    .LONG 0`,
  );
  for (const n of [0, 1, 2, 3, 4, 5]) {
    equal(r.m.get(`R${n}`), 0x12345678, `R${n}`);
  }
  equal(readL(r.m, r.sym("out")), 0x12345678);
  const b = r.asm.bytes;
  // PC' for the first: 0x1003; val is at PC' + disp.
  equal(b[1], 0xaf);
  equal(0x1003 + b[2]!, r.sym("val"));
  deepEqual([b[5], b[9], b[14], b[19], b[26]], [0xbf, 0xcf, 0xdf, 0xef, 0xff]);
});

Deno.test("3.3 PC-relative with a backward (negative) displacement", () => {
  const r = run(
    `val:    .LONG ^XCAFEBABE
start:  MOVL B^val,R0
        MOVL W^val,R1
        MOVL L^val,R2
        HALT
        .END start`,
  );
  deepEqual([r.m.get("R0"), r.m.get("R1"), r.m.get("R2")], [
    0xcafebabe,
    0xcafebabe,
    0xcafebabe,
  ]);
});

Deno.test("3.3 immediate I^#: data of the operand size follows in the I-stream", () => {
  let m = mode("MOVL I^#^X12345678,R0", {});
  equal(m.get("R0"), 0x12345678);
  m = mode("MOVB I^#^X80,R0", { R0: 0 });
  equal(m.get("R0"), 0x80);
  m = mode("MOVW I^#^X1234,R0\n MOVL I^#1,R1", { R0: 0 });
  deepEqual([m.get("R0"), m.get("R1")], [0x1234, 1]);
  const r = run("MOVL I^#5,R0\n HALT");
  deepEqual(Array.from(r.asm.bytes.slice(0, 7)), [
    0xd0,
    0x8f,
    5,
    0,
    0,
    0,
    0x50,
  ]);
});

Deno.test("3.3 immediate with address access: EA = the immediate data in the I-stream", () => {
  // MOVAL I^#^X12345678,R0 ; MOVAB I^#^X12,R1 ; HALT
  const r = run(hexBytes("DE 8F 78 56 34 12 50 9E 8F 12 51 00"));
  equal(r.m.get("R0"), 0x1002);
  equal(r.m.get("R1"), 0x1009);
  equal(r.m.get("PC"), 0x100c);
  equal(r.vector, -1);
});

Deno.test("3.3 absolute @#addr: EA = the longword that follows", () => {
  const m = mode(`MOVL @#${DATA + 4},R0\n MOVL R0,@#${DATA + 40}`, {});
  equal(m.get("R0"), 0x22222222);
  equal(readL(m, DATA + 40), 0x22222222);
  const r = run(`MOVL @#${DATA},R0\n HALT`);
  deepEqual(Array.from(r.asm.bytes.slice(1, 6)), [0x9f, 0x00, 0x30, 0, 0]);
});

Deno.test("3.4 index mode with each legal base: EA = base EA + Rx * size", () => {
  // R2 = 2: +8 for longwords.
  const cases: [
    string,
    Record<string, number>,
    number,
    Record<string, number>,
  ][] = [
    ["MOVL (R1)[R2],R0", { R1: DATA }, 0x33333333, { R1: DATA }],
    ["MOVL -(R1)[R2],R0", { R1: DATA + 4 }, 0x33333333, { R1: DATA }],
    ["MOVL (R1)+[R2],R0", { R1: DATA }, 0x33333333, { R1: DATA + 4 }],
    ["MOVL @(R1)+[R2],R0", { R1: PTR }, 0x55555555, { R1: PTR + 4 }],
    [`MOVL @#${DATA}[R2],R0`, {}, 0x33333333, {}],
    ["MOVL B^4(R1)[R2],R0", { R1: DATA }, 0x44444444, {}],
    ["MOVL @B^4(R1)[R2],R0", { R1: PTR - 4 }, 0x55555555, {}],
    ["MOVL W^-4(R1)[R2],R0", { R1: DATA + 4 }, 0x33333333, {}],
    ["MOVL @W^^X100(R1)[R2],R0", { R1: PTR - 0x100 }, 0x55555555, {}],
    ["MOVL L^8(R1)[R2],R0", { R1: DATA }, 0x55555555, {}],
    ["MOVL @L^4(R1)[R2],R0", { R1: PTR - 4 }, 0x55555555, {}],
  ];
  for (const [src, init, value, after] of cases) {
    const m = mode(src, { ...init, R2: 2 });
    equal(m.get("R0"), value, src);
    for (const [k, v] of Object.entries(after)) {
      equal(m.get(k), v, `${src} ${k}`);
    }
  }
});

Deno.test("3.4 index mode with PC-relative bases (byte, word, long, deferred)", () => {
  const r = run(
    `       MOVL B^tab[R2],R0
        MOVL W^tab[R2],R1
        MOVL L^tab[R2],R3
        MOVL @B^ptr[R2],R4
        MOVL @W^ptr[R2],R5
        MOVL @L^ptr[R2],R6
        HALT
tab:    .LONG 10, 11, 12, 13
ptr:    .LONG tab`,
    { regs: { R2: 3 } },
  );
  deepEqual(
    [0, 1, 3, 4, 5, 6].map((n) => r.m.get(`R${n}`)),
    [13, 13, 13, 13, 13, 13],
  );
  equal(r.asm.bytes[1], 0x42, "index specifier 4x comes first");
  equal(r.asm.bytes[2], 0xaf);
});

Deno.test("3.4 the index is scaled by the operand size and may be negative", () => {
  let m = mode("MOVB (R1)[R2],R0", { R1: DATA, R2: 5, R0: 0 });
  equal(m.get("R0"), 0x22);
  m = mode("MOVW (R1)[R2],R0", { R1: DATA, R2: 3, R0: 0 });
  equal(m.get("R0"), 0x2222);
  m = mode("MOVL (R1)[R2],R0", { R1: DATA, R2: -1 });
  equal(m.get("R0"), 0xffffffff);
  m = mode("MOVL R3,(R1)[R2]", { R1: DATA, R2: 10, R3: 0xabcdef01 });
  equal(readL(m, DATA + 40), 0xabcdef01);
  m = mode("MOVB (R1)+[R2],R0", { R1: DATA, R2: 4, R0: 0 });
  deepEqual([m.get("R0"), m.get("R1")], [0x22, DATA + 1]);
});

/** Runs hand-encoded bytes and expects a reserved addressing mode fault. */
function expectRaf(hex: string, init: Record<string, number> = {}) {
  const r = run(hexBytes(hex), { regs: init, longs: LONGS, psl: 0x5 });
  equal(r.vector, 0x1c, `${hex}: RAF`);
  deepEqual(stack(r.m, 2), [0x1000, 0x5], `${hex}: PC of the instruction, PSL`);
  equal(r.m.get("SP"), STACKS.KSP - 8);
  return r;
}

Deno.test("3.3 RAF: short literal as a write, modify, address or field operand", () => {
  expectRaf("D0 50 01"); // MOVL R0,S^#1
  expectRaf("D6 05"); // INCL S^#5
  expectRaf("C0 01 02"); // ADDL2 #1,S^#2
  expectRaf("DE 05 50"); // MOVAL S^#5,R0
  expectRaf("17 05"); // JMP S^#5
  expectRaf("9F 05"); // PUSHAB S^#5
  expectRaf("E0 01 05 00"); // BBS #1,S^#5,.
});

Deno.test("3.3 RAF: register mode for an address operand", () => {
  expectRaf("DE 51 50"); // MOVAL R1,R0
  expectRaf("17 51"); // JMP R1
  expectRaf("16 51"); // JSB R1
  expectRaf("9F 51"); // PUSHAB R1
  expectRaf("FB 00 51"); // CALLS #0,R1
  expectRaf("0E 51 62"); // INSQUE R1,(R2)
});

Deno.test("3.3 RAF: PC as register, (PC), -(PC)", () => {
  expectRaf("D0 5F 50"); // MOVL PC,R0
  expectRaf("D0 50 5F"); // MOVL R0,PC
  expectRaf("D0 6F 50"); // MOVL (PC),R0
  expectRaf("D0 7F 50"); // MOVL -(PC),R0
  expectRaf("D0 50 7F"); // MOVL R0,-(PC)
});

Deno.test("3.4 RAF: PC as index register, and each illegal index base", () => {
  expectRaf("D0 4F 61 50", { R1: DATA }); // MOVL (R1)[PC],R0
  expectRaf("D0 42 05 50", { R2: 1 }); // literal base
  expectRaf("D0 42 51 50", { R2: 1 }); // register base
  expectRaf("D0 42 43 61 50", { R2: 1 }); // index base
  expectRaf("D0 42 8F 00 30 00 00 50", { R2: 1 }); // immediate base (KA655)
  expectRaf("D0 42 6F 50", { R2: 1 }); // (PC) base
  expectRaf("D0 42 7F 50", { R2: 1 }); // -(PC) base
  expectRaf("DE 42 51 50", { R2: 1 }); // register base for an address operand
});

Deno.test("3.6 RAF backs out autoincrement and autodecrement of earlier specifiers", () => {
  // MOVL (R1)+,S^#1: the destination is illegal; R1 must be unchanged.
  let r = expectRaf("D0 81 01", { R1: DATA });
  equal(r.m.get("R1"), DATA);
  // ADDL3 (R1)+,-(R2),S^#3
  r = expectRaf("C1 81 72 03", { R1: DATA, R2: DATA + 16 });
  deepEqual([r.m.get("R1"), r.m.get("R2")], [DATA, DATA + 16]);
  // ADDL3 @(R1)+,(R3)+[R2],-(PC): two legal specifiers, then an illegal one.
  r = expectRaf("C1 91 42 83 7F", { R1: PTR, R2: 0, R3: DATA });
  deepEqual([r.m.get("R1"), r.m.get("R3")], [PTR, DATA]);
});

const BAD = 0x20000; // P0 VPN 0x100 = P0LR: length violation

Deno.test("3.6 ACV on the destination backs out (R1)+: MOVL (R1)+,@#bad", () => {
  const r = run(`MOVL (R1)+,@#${BAD}\n HALT`, {
    mapping: true,
    regs: { R1: DATA },
    psl: 0x8,
  });
  equal(r.vector, 0x20);
  equal(r.m.get("R1"), DATA);
  // mask: length violation + write; VA; PC of the instruction; PSL.
  deepEqual(stack(r.m, 4), [5, BAD, 0x1000, 0x8]);
});

Deno.test("3.6 faults back out every register change of the instruction", () => {
  const cases: [string, Record<string, number>, number, number][] = [
    [`MOVL -(R1),@#${BAD}`, { R1: DATA + 4 }, 5, BAD],
    [`MOVL @(R1)+,R0`, { R1: DATA }, 1, BAD],
    [`MOVL (R1)+,(R2)+`, { R1: DATA, R2: BAD }, 5, BAD],
    [`MOVL (R1)+[R3],-(R2)`, { R1: DATA, R2: BAD + 4, R3: 1 }, 5, BAD],
    [`ADDL3 (R1)+,(R2)+,R0`, { R1: DATA, R2: BAD }, 1, BAD],
    [`INCL (R1)+`, { R1: BAD }, 5, BAD],
  ];
  for (const [src, init, mask, va] of cases) {
    const r = run(`${src}\n HALT`, {
      mapping: true,
      regs: { ...init, R0: 0x77 },
      longs: { [DATA]: BAD },
    });
    equal(r.vector, 0x20, src);
    for (const [k, v] of Object.entries(init)) {
      equal(r.m.get(k), v, `${src}: ${k}`);
    }
    equal(r.m.get("R0"), 0x77, `${src}: R0`);
    deepEqual(stack(r.m, 3), [mask, va, 0x1000], src);
  }
});

Deno.test("3.6 a TNV on a later specifier backs out earlier autoincrements too", () => {
  const page = 0x4000;
  const r = run(`MOVL (R1)+,-(R2)\n HALT`, {
    mapping: true,
    regs: { R1: DATA, R2: page + 8 },
    longs: { [pteAddress(page)]: pte(page >>> 9, PROT.UW, false) },
  });
  equal(r.vector, 0x24);
  deepEqual([r.m.get("R1"), r.m.get("R2")], [DATA, page + 8]);
  deepEqual(stack(r.m, 3), [4, page + 4, 0x1000]);
});

Deno.test("3.6 evaluation order: left to right, autoincrements visible to later specifiers", () => {
  let m = mode("MOVL (R1)+,(R1)+", { R1: DATA });
  equal(m.get("R1"), DATA + 8);
  equal(readL(m, DATA + 4), 0x11111111);
  m = mode("ADDL3 (R1)+,(R1)+,R0", { R1: DATA });
  equal(m.get("R0"), 0x33333333);
  m = mode("MOVL R1,(R1)+", { R1: DATA + 32 });
  equal(readL(m, DATA + 32), DATA + 32, "source read before the increment");
  equal(m.get("R1"), DATA + 36);
  m = mode("MOVL (R1)+,R1", { R1: DATA });
  equal(m.get("R1"), 0x11111111, "the write comes last");
  m = mode("MOVL -(R1),-(R1)", { R1: DATA + 8 });
  equal(m.get("R1"), DATA);
  equal(readL(m, DATA), 0x22222222);
});

Deno.test("3.6 unaligned and page-crossing data accesses are legal", () => {
  let m = exec(
    `MOVL @#${DATA + 0x1fe},R0\n MOVL R1,@#${DATA + 0x3ff}`,
    { R1: 0xa1b2c3d4 },
    0,
    { longs: { [DATA + 0x1fc]: 0x44332211, [DATA + 0x200]: 0x88776655 } },
  );
  equal(m.get("R0"), 0x66554433);
  equal(readL(m, DATA + 0x3fc), 0xd4000000);
  equal(readL(m, DATA + 0x400), 0x00a1b2c3);
  // The same with mapping on.
  m = exec(
    `MOVL @#${DATA + 0x1fe},R0`,
    {},
    0,
    {
      mapping: true,
      longs: { [DATA + 0x1fc]: 0x44332211, [DATA + 0x200]: 0x88776655 },
    },
  );
  equal(m.get("R0"), 0x66554433);
});

Deno.test("3.6 a page-crossing write whose second page faults writes nothing", () => {
  const page = 0x3200;
  const r = run(`MOVL R1,@#${page - 2}\n HALT`, {
    mapping: true,
    regs: { R1: 0xa1b2c3d4 },
    longs: {
      [page - 4]: 0x11111111,
      [pteAddress(page)]: pte(page >>> 9, PROT.UR),
    },
  });
  equal(r.vector, 0x20);
  equal(readL(r.m, page - 4), 0x11111111);
  equal(stack(r.m, 1)[0], 4, "write, protection");
});

Deno.test("3.3 deferred pointer fetches are reads in the current mode", () => {
  // User mode; the pointer lies on a kernel-only page.
  const page = 0x4200;
  const r = run(`MOVL @(R1)+,R0\n HALT`, {
    mapping: true,
    psl: psl({ cur: 3, prv: 3 }),
    regs: { R1: page + 4 },
    longs: { [pteAddress(page)]: pte(page >>> 9, PROT.KW) },
  });
  equal(r.vector, 0x20);
  deepEqual(stack(r.m, 3), [0, page + 4, 0x1000]);
  equal(r.m.get("USP"), STACKS.USP);
});

Deno.test("3.6 modify operands are read with write-access checking", () => {
  // Kernel may read a UR page but not write it: INCL reports write intent
  // at the read, and memory is unchanged.
  const page = 0x4000;
  for (
    const src of [`INCL @#${page}`, `ADDL2 #1,@#${page}`, `BISB2 #1,@#${page}`]
  ) {
    const r = run(`${src}\n HALT`, {
      mapping: true,
      longs: { [page]: 7, [pteAddress(page)]: pte(page >>> 9, PROT.UR) },
    });
    equal(r.vector, 0x20, src);
    deepEqual(stack(r.m, 3), [4, page, 0x1000], src);
    equal(readL(r.m, page), 7);
  }
});

Deno.test("3.4 the index register is a full 32-bit value; EA arithmetic wraps modulo 2^32", () => {
  // R2 * 4 = 0x100000004: the EA is R1 + 4.
  let m = mode("MOVL (R1)[R2],R0", { R1: DATA, R2: 0x40000001 });
  equal(m.get("R0"), 0x22222222);
  // R2 * 2 = 0x1_FFFFFFFE = -2 (mod 2^32): the EA is R1 - 2 = DATA + 2.
  m = mode("MOVW (R1)[R2],R0", { R1: DATA + 4, R2: 0xffffffff, R0: 0 });
  equal(m.get("R0"), 0x1111);
  m = mode("MOVAL @#^XFFFFFFF0[R2],R0", { R2: 8 });
  equal(m.get("R0"), 0x10);
});
