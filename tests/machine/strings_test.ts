// The character-string instructions the CVAX executes in microcode: MOVC3,
// MOVC5, CMPC3, CMPC5, LOCC, SKPC, SCANC, SPANC (vax-architecture.md
// section 4.14). Register results and condition codes follow the VAX SRM's
// description of each instruction; restartability (PSL<FPD> and the
// intermediate state in R0-R5 after an access fault in the middle of a
// string) is checked by comparing a run that takes a page fault with one
// that does not. Expected values are worked out by hand or, for the moves,
// by a reference memmove in the test.
import { deepEqual, equal } from "node:assert/strict";
import type { Machine } from "../../src/machine/machine.ts";
import { DEFAULT_COST_MODEL } from "../../src/machine/clock.ts";
import {
  cc,
  flags,
  P0PT,
  PROT,
  psl,
  pte,
  pteAddress,
  readL,
  run,
  type Setup,
} from "./_helpers.ts";

/** Free physical memory (identity-mapped in P0 with `mapping: true`). */
const A = 0x9000;
const B = 0xb000;
const T = 0xd000; // translation tables of SCANC/SPANC
const DATA = 0x3000;

function poke(m: Machine, pa: number, bytes: ArrayLike<number>): void {
  m.writePhysical(pa, Uint8Array.from(bytes));
}

function peek(m: Machine, pa: number, n: number): number[] {
  return Array.from(m.readPhysical(pa, n));
}

/** A recognizable byte pattern of length n (never zero). */
function pattern(n: number, seed = 1): number[] {
  return Array.from({ length: n }, (_, i) => ((i * 7 + seed * 13) % 251) + 1);
}

/** Boots, preloads bytes, runs to the final HALT; returns the machine. */
function runWith(
  source: string,
  bytes: Record<number, ArrayLike<number>>,
  s: Setup & { regs?: Record<string, number> } = {},
): Machine {
  // Build through the helpers' run() with a limit of 0 instructions, then
  // preload the bytes and run for real.
  const r = run(`${source}\n HALT`, { ...s, limit: 0 });
  for (const [pa, b] of Object.entries(bytes)) poke(r.m, Number(pa), b);
  r.m.run({ limit: s.limit ?? 100000 });
  if (!r.m.halted || r.m.get("PC") !== r.asm.end) {
    throw new Error(
      `expected the final HALT of "${source}", stopped at PC ${
        r.m.get("PC").toString(16)
      }`,
    );
  }
  return r.m;
}

function regs6(m: Machine): number[] {
  return [0, 1, 2, 3, 4, 5].map((i) => m.get(`R${i}`));
}

/** memmove of n bytes from src to dst inside a copy of `image` (at base). */
function memmove(
  image: number[],
  base: number,
  src: number,
  dst: number,
  n: number,
) {
  const out = image.slice();
  const tmp = image.slice(src - base, src - base + n);
  for (let i = 0; i < n; i++) out[dst - base + i] = tmp[i]!;
  return out;
}

// ---------------------------------------------------------------------------
// MOVC3

Deno.test("strings: MOVC3 moves len bytes: R0=R2=R4=R5=0, R1/R3 past the strings, CC 0100", () => {
  const src = pattern(10);
  const m = runWith("MOVC3 #10,@#^X9000,@#^XB000", { [A]: src }, {
    psl: cc("NVC"),
    regs: { R0: -1, R2: -1, R4: -1, R5: -1 },
  });
  deepEqual(peek(m, B, 11), [...src, 0]);
  deepEqual(regs6(m), [0, A + 10, 0, B + 10, 0, 0]);
  equal(flags(m.psl), "Z");
});

Deno.test("strings: MOVC3 with length 0 moves nothing; R1/R3 are the addresses", () => {
  const m = runWith("MOVC3 #0,@#^X9003,@#^XB005", { [A]: [1, 2, 3, 4, 5] }, {
    psl: cc("NC"),
  });
  deepEqual(peek(m, B, 8), [0, 0, 0, 0, 0, 0, 0, 0]);
  deepEqual(regs6(m), [0, A + 3, 0, B + 5, 0, 0]);
  equal(flags(m.psl), "Z");
});

Deno.test("strings: MOVC3 overlap: the result is as if the source were read entirely first", () => {
  const base = DATA;
  const image = pattern(64, 3);
  // Every combination of direction, small distances (inside a longword)
  // and alignments of both ends.
  const cases: [number, number, number][] = [];
  for (
    const [s, d] of [
      [4, 0],
      [0, 4],
      [1, 0],
      [0, 1],
      [3, 1],
      [1, 3],
      [
        2,
        9,
      ],
      [9, 2],
      [5, 5],
    ]
  ) {
    for (const n of [1, 3, 4, 7, 16, 33, 40]) cases.push([s!, d!, n]);
  }
  for (const [s, d, n] of cases) {
    const m = runWith(
      `MOVC3 #${n},@#${base + 8 + s},@#${base + 8 + d}`,
      { [base]: image },
    );
    deepEqual(
      peek(m, base, 64),
      memmove(image, base, base + 8 + s, base + 8 + d, n),
      `src +${s} dst +${d} len ${n}`,
    );
    deepEqual(regs6(m), [0, base + 8 + s + n, 0, base + 8 + d + n, 0, 0]);
  }
});

Deno.test("strings: MOVC3 and MOVC5 on long overlapping strings across pages match memmove and fill", () => {
  // A fixed pseudo-random sequence of (src, dst, srclen, dstlen) inside an
  // 8 KiB region: distances below, at and above a longword, both
  // directions, page-crossing ends.
  let seed = 12345;
  const rnd = (n: number) => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return (seed >>> 8) % n;
  };
  const base = 0x10000;
  const image = pattern(0x2000, 7);
  for (let t = 0; t < 24; t++) {
    const src = base + 8 + rnd(0x1000);
    const near = t % 3 === 0;
    const dst = near ? src + rnd(9) - 4 : base + rnd(0x1000);
    const len = rnd(0x900);
    const dlen = t % 2 === 0 ? len : rnd(0x900);
    const five = t % 2 === 1;
    const fill = 0x5a;
    const source = five
      ? `MOVC5 R6,@#${src},#${fill},R7,@#${dst}`
      : `MOVC3 R6,@#${src},@#${dst}`;
    const m = runWith(source, { [base]: image }, {
      regs: { R6: len, R7: dlen },
    });
    const n = five ? Math.min(len, dlen) : len;
    const want = memmove(image, base, src, dst, n);
    if (five) { for (let i = n; i < dlen; i++) want[dst - base + i] = fill; }
    deepEqual(peek(m, base, 0x2000), want, source);
    const end = five ? dlen : len;
    deepEqual(
      regs6(m),
      [five && len > dlen ? len - dlen : 0, src + n, 0, dst + end, 0, 0],
      source,
    );
  }
});

Deno.test("strings: MOVC3 of a long string across pages, word length up to 65535", () => {
  const n = 0x1234;
  const src = pattern(n, 5);
  const m = runWith(
    "MOVW #^X1234,R6\n MOVC3 R6,@#^X9001,@#^X10003",
    { [A + 1]: src },
  );
  deepEqual(peek(m, 0x10003, n), src);
  deepEqual(regs6(m), [0, A + 1 + n, 0, 0x10003 + n, 0, 0]);
  // The length is a word: bits 31:16 of a register operand are ignored.
  const m2 = runWith("MOVC3 R6,@#^X9000,@#^XB000", { [A]: [9, 8, 7] }, {
    regs: { R6: 0x00030002 },
  });
  deepEqual(peek(m2, B, 3), [9, 8, 0]);
});

Deno.test("strings: MOVC3 operands: address specifiers with autoincrement and registers", () => {
  const src = pattern(6);
  const m = runWith("MOVC3 R6,(R7)+,(R8)", { [A]: src }, {
    regs: { R6: 6, R7: A, R8: B },
  });
  deepEqual(peek(m, B, 6), src);
  equal(m.get("R7"), A + 1, "(R7)+ with .ab access adds 1");
  deepEqual(regs6(m), [0, A + 6, 0, B + 6, 0, 0]);
});

Deno.test("strings: simulated time of a move is its memory references: two per longword moved, one per longword filled", () => {
  const ns = (source: string) => run(`${source}\n HALT`).result.ns;
  const ref = DEFAULT_COST_MODEL.memoryReference;
  // 0x800 more bytes, aligned: 0x200 more longwords read and written.
  equal(
    ns("MOVC3 #^X1000,@#^X9000,@#^XB000") -
      ns("MOVC3 #^X800,@#^X9000,@#^XB000"),
    0x400 * ref,
  );
  // Moving down (backward) costs the same.
  equal(
    ns("MOVC3 #^X1000,@#^XB000,@#^X9000") -
      ns("MOVC3 #^X800,@#^XB000,@#^X9000"),
    0x400 * ref,
  );
  // 0x800 more fill bytes: 0x200 more longwords written.
  equal(
    ns("MOVC5 #0,@#^X9000,#1,#^X1000,@#^XB000") -
      ns("MOVC5 #0,@#^X9000,#1,#^X800,@#^XB000"),
    0x200 * ref,
  );
});

// ---------------------------------------------------------------------------
// MOVC5

Deno.test("strings: MOVC5 with a shorter source fills: R0=0, CC from srclen:dstlen", () => {
  const m = runWith("MOVC5 #3,@#^X9000,#^A/*/,#8,@#^XB000", {
    [A]: [1, 2, 3, 4],
    [B]: pattern(10),
  });
  deepEqual(peek(m, B, 9), [1, 2, 3, 42, 42, 42, 42, 42, pattern(10)[8]!]);
  deepEqual(regs6(m), [0, A + 3, 0, B + 8, 0, 0]);
  equal(flags(m.psl), "NC", "3 < 8: N (signed), C (unsigned)");
});

Deno.test("strings: MOVC5 with a longer source truncates: R0 = bytes not moved", () => {
  const m = runWith("MOVC5 #10,@#^X9000,#0,#4,@#^XB000", {
    [A]: pattern(10),
  }, { psl: cc("NZVC") });
  deepEqual(peek(m, B, 5), [...pattern(10).slice(0, 4), 0]);
  deepEqual(regs6(m), [6, A + 4, 0, B + 4, 0, 0]);
  equal(flags(m.psl), "");
});

Deno.test("strings: MOVC5 equal lengths: Z; both lengths 0: nothing written", () => {
  const m = runWith("MOVC5 #4,@#^X9000,#0,#4,@#^XB000", { [A]: [5, 6, 7, 8] });
  deepEqual(peek(m, B, 4), [5, 6, 7, 8]);
  equal(flags(m.psl), "Z");
  const m2 = runWith("MOVC5 #0,@#^X9000,#7,#0,@#^XB000", { [B]: [1] });
  deepEqual(peek(m2, B, 1), [1]);
  deepEqual(regs6(m2), [0, A, 0, B, 0, 0]);
  equal(flags(m2.psl), "Z");
});

Deno.test("strings: MOVC5 with srclen 0 is a fill of dstlen bytes", () => {
  const m = runWith(
    "MOVC5 #0,@#^X9000,#^XEE,#^X0301,@#^XB001",
    { [B]: [0x11], [B + 0x302]: [0x22] },
  );
  const out = peek(m, B, 0x303);
  equal(out[0], 0x11);
  equal(out[0x302], 0x22);
  equal(out.slice(1, 0x302).every((b) => b === 0xee), true);
  deepEqual(regs6(m), [0, A, 0, B + 0x302, 0, 0]);
  equal(flags(m.psl), "NC");
});

Deno.test("strings: MOVC5 CC compare the lengths as words: N signed, C unsigned", () => {
  // srclen 1, dstlen 0x8000: signed 1 > -32768 (N=0), unsigned 1 < 0x8000.
  const m = runWith("MOVC5 #1,@#^X9000,#0,#^X8000,@#^X10000", { [A]: [7] });
  equal(flags(m.psl), "C");
  deepEqual(peek(m, 0x10000, 2), [7, 0]);
  equal(m.get("R3"), 0x18000);
  equal(m.get("R0"), 0);
});

Deno.test("strings: MOVC5 overlapping move then fill", () => {
  const base = DATA;
  const image = pattern(48, 2);
  // dst above src, overlapping: backward move of 10, then 5 fill bytes.
  const m = runWith(`MOVC5 #10,@#${base + 4},#^XFF,#15,@#${base + 7}`, {
    [base]: image,
  });
  const want = memmove(image, base, base + 4, base + 7, 10);
  for (let i = 0; i < 5; i++) want[7 + 10 + i] = 0xff;
  deepEqual(peek(m, base, 48), want);
  deepEqual(regs6(m), [0, base + 14, 0, base + 22, 0, 0]);
});

// ---------------------------------------------------------------------------
// CMPC3, CMPC5

Deno.test("strings: CMPC3 equal strings: Z, R0=R2=0, R1/R3 past the strings", () => {
  const s = pattern(12);
  const m = runWith("CMPC3 #12,@#^X9000,@#^XB000", { [A]: s, [B]: s }, {
    psl: cc("NVC"),
  });
  deepEqual(regs6(m).slice(0, 4), [0, A + 12, 0, B + 12]);
  equal(flags(m.psl), "Z");
});

Deno.test("strings: CMPC3 stops at the first difference: counts and addresses of it, CC from the bytes", () => {
  const s1 = [1, 2, 3, 0x41, 5, 6];
  const s2 = [1, 2, 3, 0x81, 5, 6];
  const m = runWith("CMPC3 #6,@#^X9000,@#^XB000", { [A]: s1, [B]: s2 });
  deepEqual(regs6(m).slice(0, 4), [3, A + 3, 3, B + 3]);
  // 0x41 : 0x81 -> signed 65 > -127 (N=0), unsigned 65 < 129 (C=1).
  equal(flags(m.psl), "C");
  const m2 = runWith("CMPC3 #6,@#^XB000,@#^X9000", { [A]: s1, [B]: s2 });
  equal(flags(m2.psl), "N");
});

Deno.test("strings: CMPC3 with length 0: Z", () => {
  const m = runWith("CMPC3 #0,@#^X9000,@#^XB000", { [A]: [1], [B]: [2] }, {
    psl: cc("NC"),
  });
  deepEqual(regs6(m).slice(0, 4), [0, A, 0, B]);
  equal(flags(m.psl), "Z");
});

Deno.test("strings: CMPC5 compares the shorter string's tail with the fill", () => {
  // s1 = "AB", s2 = "AB  ", fill ' ': equal.
  const m = runWith("CMPC5 #2,@#^X9000,#^A/ /,#4,@#^XB000", {
    [A]: [65, 66],
    [B]: [65, 66, 32, 32],
  });
  deepEqual(regs6(m).slice(0, 4), [0, A + 2, 0, B + 4]);
  equal(flags(m.psl), "Z");
  // s2 longer with a byte above the fill: s1 (fill) < s2.
  const m2 = runWith("CMPC5 #2,@#^X9000,#^A/ /,#4,@#^XB000", {
    [A]: [65, 66],
    [B]: [65, 66, 32, 33],
  });
  deepEqual(regs6(m2).slice(0, 4), [0, A + 2, 1, B + 3]);
  equal(flags(m2.psl), "NC");
  // s1 longer: its tail is compared with the fill.
  const m3 = runWith("CMPC5 #3,@#^X9000,#0,#1,@#^XB000", {
    [A]: [7, 0, 9],
    [B]: [7],
  });
  deepEqual(regs6(m3).slice(0, 4), [1, A + 2, 0, B + 1]);
  equal(flags(m3.psl), "");
});

// ---------------------------------------------------------------------------
// LOCC, SKPC

Deno.test("strings: LOCC finds the character: R0 = bytes left including it, R1 = its address", () => {
  const m = runWith("LOCC #^A/x/,#10,@#^X9000", {
    [A]: [..."abcdexfghi"].map((c) => c.charCodeAt(0)),
  }, { psl: cc("NZVC"), regs: { R2: 0x2222, R3: 0x3333 } });
  deepEqual(regs6(m).slice(0, 4), [5, A + 5, 0x2222, 0x3333]);
  equal(flags(m.psl), "");
});

Deno.test("strings: LOCC not found, and length 0: R0 = 0, R1 past the string, Z", () => {
  const m = runWith("LOCC #^A/x/,#4,@#^X9000", { [A]: [1, 2, 3, 4, 120] });
  deepEqual(regs6(m).slice(0, 2), [0, A + 4]);
  equal(flags(m.psl), "Z");
  const m2 = runWith("LOCC #1,#0,@#^X9000", { [A]: [1] });
  deepEqual(regs6(m2).slice(0, 2), [0, A]);
  equal(flags(m2.psl), "Z");
});

Deno.test("strings: SKPC skips the leading characters equal to char", () => {
  const m = runWith("SKPC #^A/ /,#6,@#^X9000", {
    [A]: [32, 32, 32, 65, 32, 66],
  });
  deepEqual(regs6(m).slice(0, 2), [3, A + 3]);
  equal(flags(m.psl), "");
  const m2 = runWith("SKPC #^A/ /,#3,@#^X9000", { [A]: [32, 32, 32, 65] });
  deepEqual(regs6(m2).slice(0, 2), [0, A + 3]);
  equal(flags(m2.psl), "Z");
});

// ---------------------------------------------------------------------------
// SCANC, SPANC

/** A 256-byte table: digits have bit 0, letters bit 1, space bit 2. */
function charTable(): number[] {
  return Array.from({ length: 256 }, (_, c) =>
    (c >= 48 && c <= 57 ? 1 : 0) |
    ((c >= 65 && c <= 90) || (c >= 97 && c <= 122) ? 2 : 0) |
    (c === 32 ? 4 : 0));
}

const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));

Deno.test("strings: SCANC stops at the first byte whose table entry ANDs with the mask", () => {
  const m = runWith("SCANC #8,@#^X9000,@#^XD000,#1", {
    [A]: ascii("abc 12de"),
    [T]: charTable(),
  }, { regs: { R2: 0x2222, R3: 0, R4: 0x4444 } });
  deepEqual(regs6(m).slice(0, 5), [4, A + 4, 0, T, 0x4444]);
  equal(flags(m.psl), "");
  const m2 = runWith("SCANC #3,@#^X9000,@#^XD000,#1", {
    [A]: ascii("abc"),
    [T]: charTable(),
  });
  deepEqual(regs6(m2).slice(0, 4), [0, A + 3, 0, T]);
  equal(flags(m2.psl), "Z");
});

Deno.test("strings: SPANC skips the bytes whose table entry ANDs with the mask", () => {
  const m = runWith("SPANC #8,@#^X9000,@#^XD000,#3", {
    [A]: ascii("ab1c d"),
    [T]: charTable(),
  }, { psl: cc("NVC") });
  deepEqual(regs6(m).slice(0, 4), [4, A + 4, 0, T]);
  equal(flags(m.psl), "");
  const m2 = runWith("SPANC #0,@#^X9000,@#^XD000,#3", { [T]: charTable() });
  deepEqual(regs6(m2).slice(0, 4), [0, A, 0, T]);
  equal(flags(m2.psl), "Z");
});

// ---------------------------------------------------------------------------
// Restartability (section 3.6 and 5.3): an access fault in the middle of a
// string leaves PSL<FPD> set and the state in the registers; after the
// handler validates the page and REIs, the instruction completes exactly as
// without the fault.

const FAULT = 0x3f00; // handler's record: count, mask, VA, PC, PSL, R0-R5
const HANDLER = `
        .ALIGN 2
tnv:    MOVL R11,-(SP)
        INCL @#${FAULT}
        MOVL 4(SP),@#${FAULT + 4}
        MOVL 8(SP),R11
        MOVL R11,@#${FAULT + 8}
        MOVL 12(SP),@#${FAULT + 12}
        MOVL 16(SP),@#${FAULT + 16}
        MOVL R0,@#${FAULT + 20}
        MOVL R1,@#${FAULT + 24}
        MOVL R2,@#${FAULT + 28}
        MOVL R3,@#${FAULT + 32}
        MOVL R4,@#${FAULT + 36}
        MOVL R5,@#${FAULT + 40}
        MTPR R11,#PR$_TBIS
        ASHL #-9,R11,R11
        BISL2 #^X80000000,@#${0x80000000 + P0PT}[R11]
        MOVL (SP)+,R11
        ADDL2 #8,SP
        REI`;

interface FaultRecord {
  count: number;
  mask: number;
  va: number;
  pc: number;
  psl: number;
  regs: number[];
}

function record(m: Machine): FaultRecord {
  const l = (k: number) => readL(m, FAULT + 4 * k);
  return {
    count: l(0),
    mask: l(1),
    va: l(2),
    pc: l(3),
    psl: l(4),
    regs: [5, 6, 7, 8, 9, 10].map(l),
  };
}

/**
 * Runs `body` (which starts at the symbol `start`) with mapping on, once with
 * every page valid and once with the page of `invalid` marked not valid;
 * returns both machines and the fault record of the second.
 */
function faultPair(
  body: string,
  bytes: Record<number, ArrayLike<number>>,
  invalid: number,
  regs: Record<string, number> = {},
) {
  const source = `start: ${body}\ndone: HALT\n${HANDLER}`;
  const [good, bad] = [false, true].map((bad) => {
    const r = run(source, {
      mapping: true,
      vectors: { 0x24: "tnv" },
      regs,
      longs: bad
        ? { [pteAddress(invalid)]: pte(invalid >>> 9, PROT.UW, false) }
        : {},
      limit: 0,
    });
    for (const [pa, b] of Object.entries(bytes)) poke(r.m, Number(pa), b);
    r.m.run({ limit: 100000 });
    equal(r.m.get("PC"), r.sym("done") + 1, "ran to the HALT after the body");
    return r;
  }) as [ReturnType<typeof run>, ReturnType<typeof run>];
  return {
    good: good.m,
    bad: bad.m,
    rec: record(bad.m),
    start: bad.sym("start"),
  };
}

/** Registers and CCs that must agree between the two runs. */
function state(m: Machine): Record<string, number | string> {
  const o: Record<string, number | string> = {};
  for (let i = 0; i <= 10; i++) o[`R${i}`] = m.get(`R${i}`);
  o.SP = m.get("SP");
  o.CC = flags(m.psl);
  o.FPD = (m.psl >>> 27) & 1;
  return o;
}

Deno.test("strings/3.6 MOVC3 (forward) interrupted by a page fault on the destination resumes to the same result", () => {
  const n = 0x500;
  const src = pattern(n, 9);
  // Source above the destination: the move runs forward.
  const { good, bad, rec, start } = faultPair(
    "MOVC3 R6,@#^XB033,@#^X9001",
    { [B + 0x33]: src },
    0x9200,
    { R6: n },
  );
  equal(rec.count, 1, "one translation-not-valid fault");
  equal(readL(good, FAULT), 0, "no fault in the reference run");
  // The fault: write intent, the first byte of the invalid page (the
  // destination is written in aligned longwords after 3 head bytes), saved
  // PC = the MOVC3, saved PSL with FPD set.
  equal(rec.mask, 4);
  equal(rec.va, 0x9200);
  equal(rec.pc, start);
  equal((rec.psl >>> 27) & 1, 1, "PSL<FPD> saved set");
  // Intermediate state: R1/R3 at the longword that faulted.
  equal(rec.regs[3], 0x9200);
  equal(rec.regs[1], 0xb033 + (0x9200 - 0x9001));
  deepEqual(state(bad), state(good));
  deepEqual(peek(bad, A, n + 8), peek(good, A, n + 8));
  deepEqual(peek(bad, A + 1, n), src);
});

Deno.test("strings/3.6 MOVC3 interrupted on the source (a longword read across the page) resumes", () => {
  const n = 0x500;
  const src = pattern(n, 4);
  const { good, bad, rec } = faultPair(
    "MOVC3 R6,@#^XB033,@#^X9001",
    { [B + 0x33]: src },
    0xb400,
    { R6: n },
  );
  equal(rec.count, 1);
  equal(rec.mask, 0, "read intent");
  // After 3 head bytes the source is read in longwords from 0xB036: the one
  // at 0xB3FE crosses into the invalid page. The VA it reports is the one a
  // plain longword read there reports (section 10.5).
  const probe = faultPair("MOVL @#^XB3FE,R0", {}, 0xb400);
  equal(probe.rec.count, 1);
  equal(rec.va, probe.rec.va);
  equal(rec.regs[1], 0xb3fe, "R1 at the longword that faulted");
  equal(rec.regs[3], 0x9001 + (0xb3fe - 0xb033));
  deepEqual(state(bad), state(good));
  deepEqual(peek(bad, A, n + 8), peek(good, A, n + 8));
  deepEqual(peek(bad, A + 1, n), src);
});

Deno.test("strings/3.6 MOVC3 backward (overlapping) interrupted by a page fault resumes", () => {
  const n = 0x600;
  const image = pattern(0x800, 6);
  // dst above src, overlapping: the move runs from the end down; the page
  // at 0x9400 (inside both strings) faults on its first access.
  const { good, bad, rec } = faultPair(
    "MOVC3 R6,@#^X9010,@#^X9111",
    { [A]: image },
    0x9400,
    { R6: n },
  );
  equal(rec.count, 1);
  // From the end down: one head byte aligns the destination end (0x9711),
  // then longwords are read at 0x960B, 0x9607, 0x9603 and 0x95FF: that one
  // starts in the invalid page, a read.
  equal(rec.va, 0x95ff);
  equal(rec.mask, 0);
  equal(rec.regs[1], 0x9603);
  equal(rec.regs[3], 0x9704);
  deepEqual(state(bad), state(good));
  deepEqual(peek(bad, A, 0x800), peek(good, A, 0x800));
  deepEqual(
    peek(good, A, 0x800),
    memmove(image, A, A + 0x10, A + 0x111, n),
  );
});

Deno.test("strings/3.6 MOVC5 interrupted in the fill resumes with the fill", () => {
  const { good, bad, rec } = faultPair(
    "MOVC5 #5,@#^X9000,#^XA5,#^X400,@#^XB100",
    { [A]: [1, 2, 3, 4, 5] },
    0xb200,
  );
  equal(rec.count, 1);
  equal(rec.va, 0xb200);
  equal(rec.mask, 4);
  deepEqual(state(bad), state(good));
  equal(flags(good.psl), "NC");
  const out = peek(bad, 0xb100, 0x400);
  deepEqual(out.slice(0, 5), [1, 2, 3, 4, 5]);
  equal(out.slice(5).every((b) => b === 0xa5), true);
});

Deno.test("strings/3.6 autoincrement specifiers are not applied twice when the string resumes", () => {
  const n = 0x300;
  const { good, bad, rec } = faultPair(
    "MOVC3 R6,(R7)+,-(R8)",
    { [A]: pattern(n) },
    0xb200,
    { R6: n, R7: A, R8: 0xb101 },
  );
  equal(rec.count, 1);
  equal(bad.get("R7"), A + 1);
  equal(bad.get("R8"), 0xb100);
  deepEqual(state(bad), state(good));
  deepEqual(peek(bad, 0xb100, n), pattern(n));
});

Deno.test("strings/3.6 CMPC3, LOCC and SCANC resume after a page fault in the string", () => {
  const s = pattern(0x400, 2);
  const s2 = s.slice();
  s2[0x3a0] = 0;
  const cmp = faultPair(
    "CMPC3 #^X400,@#^X9000,@#^XB000",
    { [A]: s, [B]: s2 },
    0xb200,
  );
  equal(cmp.rec.count, 1);
  deepEqual(state(cmp.bad), state(cmp.good));
  deepEqual(regs6(cmp.good).slice(0, 4), [0x60, A + 0x3a0, 0x60, B + 0x3a0]);

  const text = Array(0x300).fill(65);
  text[0x2f0] = 66;
  const loc = faultPair(
    "LOCC #66,#^X300,@#^X9100",
    { [A + 0x100]: text },
    0x9200,
  );
  equal(loc.rec.count, 1);
  equal(loc.rec.va, 0x9200);
  deepEqual(state(loc.bad), state(loc.good));
  deepEqual(regs6(loc.good).slice(0, 2), [0x10, A + 0x100 + 0x2f0]);

  // The table page faults (the table is read through R3).
  const scan = faultPair(
    "SCANC #6,@#^X9000,@#^XD000,#1",
    { [A]: ascii("abc 1x"), [T]: charTable() },
    0xd000,
  );
  equal(scan.rec.count, 1);
  equal(scan.rec.va, T + 97, "the table entry of 'a'");
  deepEqual(state(scan.bad), state(scan.good));
  deepEqual(regs6(scan.good).slice(0, 4), [2, A + 4, 0, T]);
});

Deno.test("strings: FPD set on an instruction that is not a string instruction: reserved instruction", () => {
  const r = run(
    `       PUSHL #${psl({ fpd: true })}
        PUSHAB next
        REI
next:   MOVL #1,R0
        HALT`,
    { regs: { R0: 0 } },
  );
  equal(r.vector, 0x10);
  equal(r.m.get("R0"), 0);
});
