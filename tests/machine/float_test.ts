// Pure VAX floating point (src/machine/isa/float.ts) on hand-checked bit
// patterns. Each encoding below is derived in its comment: "natural" is the
// value with the words in significance order (sign, exponent, fraction from
// the top), the longword is that with its two words exchanged (PDP-11 order).

import assert from "node:assert/strict";
import { rng } from "./_helpers.ts";
import {
  addF,
  addSplitDG,
  divF,
  fFromInt,
  fFromNumber,
  floatAdd,
  floatCompare,
  floatConvert,
  floatDiv,
  floatEmod,
  FloatFault,
  type FloatFormat,
  floatFromInt,
  floatFromNumber,
  floatLiteral,
  floatMove,
  floatMul,
  floatNeg,
  floatPoly,
  floatSub,
  floatTest,
  floatToInt,
  floatToLiteral,
  floatToNumber,
  fToNumber,
  moveF,
  mulF,
  mulSplitDG,
  type Quad,
  subF,
  subSplitDG,
} from "../../src/machine/isa/float.ts";

/** Longword from a natural-order 32-bit pattern. */
function sw(n: number): number {
  return ((n << 16) | (n >>> 16)) >>> 0;
}
/** Quad from a natural-order 64-bit pattern given as two halves. */
function q(hi: number, lo: number): Quad {
  return [sw(hi), sw(lo)];
}

function faults(kind: string, code: number, f: () => unknown): void {
  assert.throws(f, (e: unknown) => {
    assert.ok(e instanceof FloatFault, `expected FloatFault, got ${e}`);
    assert.equal(e.kind, kind);
    assert.equal(e.code, code);
    return true;
  });
}

// F 1.0 = 0.1b × 2^1: exponent 129 (0x81), fraction 0 → natural 0x40800000.
const F_ONE = 0x00004080;
// F -2.5 = -0.101b × 2^2: exponent 130, fraction .01 → natural 0xC1200000.
const F_M2_5 = 0x0000c120;
// F 0.1 = 0.1100 1100 ... × 2^-3: exponent 125 (0x7D); 24 bits
// 1100...1100 then 1100... below: round bit 1, so ...1101 → 0x3ECCCCCD.
const F_TENTH = 0xcccd3ecc;
// Largest F: exponent 255, all fraction bits: (1 − 2^-24) × 2^127.
const F_MAX = 0xffff7fff;
// Smallest positive F: exponent 1, fraction 0: 0.5 × 2^-127 = 2^-128.
const F_MIN = 0x00000080;

Deno.test("F encodings: 1.0, -2.5, 0.1, the largest and smallest", () => {
  assert.equal(fFromNumber(1), F_ONE);
  assert.equal(fFromNumber(-2.5), F_M2_5);
  assert.equal(fFromNumber(0.1), F_TENTH);
  assert.equal(fToNumber(F_ONE), 1);
  assert.equal(fToNumber(F_M2_5), -2.5);
  assert.equal(fToNumber(F_TENTH), 0.10000000149011612); // 13421773 × 2^-27
  assert.equal(fToNumber(F_MAX), (1 - 2 ** -24) * 2 ** 127);
  assert.equal(fToNumber(F_MIN), 2 ** -128);
  assert.equal(fFromNumber((1 - 2 ** -24) * 2 ** 127), F_MAX);
  assert.equal(fFromNumber(2 ** -128), F_MIN);
});

// D 1.0 = F 1.0 followed by a zero longword.
const D_ONE: Quad = [0x4080, 0];
// D 0.1: 56 bits of 1100... then 1100... below: round up → 0x3ECCCCCCCCCCCCCD.
const D_TENTH = q(0x3ecccccc, 0xcccccccd);
// G 1.0: exponent 1025 (0x401) → natural 0x4010000000000000.
const G_ONE: Quad = [0x4010, 0];
// G -2.5: exponent 1026 (0x402), fraction .01 → 0xC024000000000000.
const G_M2_5: Quad = [0xc024, 0];
// G 0.1: exponent 1021 (0x3FD), 53 bits as IEEE double's 0x3FB999999999999A
// (same rounding) → natural 0x3FD999999999999A.
const G_TENTH = q(0x3fd99999, 0x9999999a);

Deno.test("D and G encodings: 1.0, -2.5, 0.1, extremes", () => {
  assert.deepEqual(floatFromNumber("d", 1), D_ONE);
  assert.deepEqual(floatFromNumber("d", -2.5), [0xc120, 0]);
  assert.deepEqual(floatFromNumber("g", 1), G_ONE);
  assert.deepEqual(floatFromNumber("g", -2.5), G_M2_5);
  assert.deepEqual(floatFromNumber("g", 0.1), G_TENTH);
  assert.equal(floatToNumber("g", G_TENTH), 0.1);
  assert.equal(floatToNumber("d", D_TENTH), 0.1);
  // Largest G: (1 − 2^-53) × 2^1023; smallest: 2^-1024 (below a double's
  // normal range but a double subnormal holds it).
  assert.equal(
    floatToNumber("g", q(0x7fffffff, 0xffffffff)),
    2 ** 1023 * (1 - 2 ** -53),
  );
  assert.equal(floatToNumber("g", q(0x00100000, 0)), 2 ** -1024);
  assert.equal(floatToNumber("d", q(0x7fffffff, 0xffffffff)), 2 ** 127);
});

Deno.test("D holds values a double cannot: 0.1 and 1 + 2^-55", () => {
  // 1 ÷ 10 in D is the 56-bit 0.1, not the double's 0.1 widened.
  const ten = floatFromInt("d", 10);
  assert.deepEqual(floatDiv("d", D_ONE, ten, false), D_TENTH);
  assert.notDeepEqual(floatFromNumber("d", 0.1), D_TENTH);
  // The double's 0.1 (0x3FB999999999999A) widened: its 52 fraction bits
  // then three zeros.
  assert.deepEqual(floatFromNumber("d", 0.1), q(0x3ecccccc, 0xccccccd0));
  // 1 + 2^-55: the last of the 56 bits → natural 0x4080000000000001.
  const tiny = floatFromNumber("d", 2 ** -55);
  const sum = floatAdd("d", D_ONE, tiny, false);
  assert.deepEqual(sum, q(0x40800000, 0x00000001));
  assert.equal(floatToNumber("d", sum), 1); // the double loses it
  assert.deepEqual(floatSub("d", sum, D_ONE, false), tiny); // D does not
  // (1 + 2^-55)^2 = 1 + 2^-54 + 2^-110: rounds to 1 + 2^-54.
  assert.deepEqual(floatMul("d", sum, sum, false), q(0x40800000, 0x00000002));
});

Deno.test("rounding ties go away from zero (not to even)", () => {
  // 1 + 2^-24 lies halfway between 1 and 1 + 2^-23: the VAX rounds up.
  const half = fFromNumber(2 ** -24);
  assert.equal(addF(F_ONE, half, false), sw(0x40800001));
  assert.equal(addF(F_ONE | 0x8000, half | 0x8000, false), sw(0xc0800001));
  // 1 + 3 × 2^-25 is below the half: stays 1 + ... rounds to 1 + 2^-23.
  assert.equal(addF(F_ONE, fFromNumber(3 * 2 ** -25), false), sw(0x40800001));
  // 1 + 2^-25 is below the half: 1.
  assert.equal(addF(F_ONE, fFromNumber(2 ** -25), false), F_ONE);
  // IEEE (ties to even) would give exactly 1 here; the VAX does not.
  assert.equal(fToNumber(addF(F_ONE, half, false)), 1 + 2 ** -23);
  // CVTLF: 2^24 + 1 is a tie between 2^24 and 2^24 + 2.
  assert.equal(fToNumber(fFromInt(2 ** 24 + 1)), 2 ** 24 + 2);
  assert.equal(fToNumber(fFromInt(-(2 ** 24) - 1)), -(2 ** 24) - 2);
  // 0x7FFFFFFF rounds to 2^31: exponent 160 → natural 0x50000000.
  assert.equal(fFromInt(0x7fffffff), 0x5000);
  // D: 1 + 2^-56 is the tie in D.
  const d = floatAdd("d", D_ONE, floatFromNumber("d", 2 ** -56), false);
  assert.deepEqual(d, q(0x40800000, 1));
  // G: 1 + 2^-53 is the tie in G (the double rounds it to even: to 1).
  const g = floatAdd("g", G_ONE, floatFromNumber("g", 2 ** -53), false);
  assert.deepEqual(g, q(0x40100000, 1));
});

Deno.test("arithmetic results in each format", () => {
  for (const fmt of ["f", "d", "g"] as FloatFormat[]) {
    const n = (x: number) => floatFromNumber(fmt, x);
    const v = (x: Quad) => floatToNumber(fmt, x);
    assert.equal(v(floatAdd(fmt, n(1.5), n(-2.5), false)), -1);
    assert.equal(v(floatSub(fmt, n(1.5), n(2.5), false)), -1);
    assert.equal(v(floatMul(fmt, n(-1.5), n(2.5), false)), -3.75);
    assert.equal(v(floatDiv(fmt, n(7.5), n(-2.5), false)), -3);
    assert.deepEqual(floatSub(fmt, n(2.5), n(2.5), false), [0, 0]);
    assert.deepEqual(floatMul(fmt, n(2.5), [0, 0], false), [0, 0]);
    assert.deepEqual(floatDiv(fmt, [0, 0], n(3), false), [0, 0]);
    assert.equal(floatCompare(fmt, n(-3), n(2)), -1);
    assert.equal(floatCompare(fmt, n(2), n(2)), 0);
    assert.equal(floatCompare(fmt, n(-2), n(-3)), 1);
    assert.equal(floatCompare(fmt, [0, 0], n(-3)), 1);
    assert.equal(floatTest(fmt, n(-0.5)), -1);
    assert.equal(floatTest(fmt, [0, 0]), 0);
    assert.deepEqual(floatNeg(fmt, n(2.5)), n(-2.5));
    assert.deepEqual(floatNeg(fmt, [0, 0]), [0, 0]);
  }
  // 1/3 in F: 0.1010...10|1010... → round bit 1 → ...1011: 0x3FAAAAAB.
  assert.equal(divF(F_ONE, fFromInt(3), false), sw(0x3faaaaab));
  assert.equal(mulF(F_TENTH, fFromInt(10), false), F_ONE);
});

Deno.test("dirty zero: exponent 0 with sign 0 is zero whatever the fraction", () => {
  const dirtyF = 0x12340012; // exponent 0, sign 0, fraction bits set
  assert.equal(moveF(dirtyF), 0);
  assert.equal(addF(dirtyF, F_ONE, false), F_ONE);
  assert.deepEqual(floatMove("d", [0x0012, 0x5555]), [0, 0]);
  assert.deepEqual(floatMove("d", [0x4080, 0x5555]), [0x4080, 0x5555]);
});

Deno.test("reserved operand: sign set, exponent zero", () => {
  const rf = 0x8000;
  faults("reserved-operand", 0, () => addF(rf, F_ONE, false));
  faults("reserved-operand", 0, () => mulF(F_ONE, rf, false));
  faults("reserved-operand", 0, () => divF(rf, F_ONE, false));
  faults("reserved-operand", 0, () => moveF(rf));
  faults("reserved-operand", 0, () => subF(F_ONE, rf, false));
  faults("reserved-operand", 0, () => floatTest("g", [0x8000, 0]));
  faults("reserved-operand", 0, () => floatCompare("d", D_ONE, [0x8000, 1]));
  faults("reserved-operand", 0, () => floatToInt("f", [rf, 0], 4, false));
  faults(
    "reserved-operand",
    0,
    () => floatConvert("g", "f", [0x800f, 0], false),
  );
  // A reserved divisor is a reserved operand, not a divide by zero.
  faults("reserved-operand", 0, () => divF(F_ONE, rf, false));
  assert.ok(Number.isNaN(fToNumber(rf)));
});

Deno.test("overflow faults (code 8) whatever FU", () => {
  faults("overflow", 8, () => mulF(F_MAX, fFromInt(2), false));
  faults("overflow", 8, () => addF(F_MAX, F_MAX, true));
  faults("overflow", 8, () => divF(F_MAX, fFromNumber(0.5), false));
  // Rounding up can overflow: the largest D rounds to 2^128 in F.
  faults(
    "overflow",
    8,
    () => floatConvert("d", "f", q(0x7fffffff, 0xffffffff), false),
  );
  faults(
    "overflow",
    8,
    () => floatConvert("g", "f", floatFromNumber("g", 2 ** 127), false),
  );
  faults(
    "overflow",
    8,
    () => floatMul("g", q(0x7fffffff, 0xffffffff), floatFromInt("g", 2), false),
  );
  assert.throws(() => fFromNumber(2 ** 127), FloatFault);
});

Deno.test("underflow: 0 when FU is clear, a fault (code 10) when set", () => {
  const half = fFromNumber(0.5);
  assert.equal(mulF(F_MIN, half, false), 0);
  faults("underflow", 10, () => mulF(F_MIN, half, true));
  assert.equal(divF(F_MIN, fFromInt(4), false), 0);
  faults("underflow", 10, () => divF(F_MIN, fFromInt(4), true));
  // Subtracting neighbours at the bottom of the range.
  const next = sw(0x00800001);
  assert.equal(subF(next, F_MIN, false), 0);
  faults("underflow", 10, () => subF(next, F_MIN, true));
  assert.deepEqual(
    floatConvert("g", "f", floatFromNumber("g", 2 ** -140), false),
    [0, 0],
  );
  faults(
    "underflow",
    10,
    () => floatConvert("g", "f", floatFromNumber("g", 2 ** -140), true),
  );
  // Rounding up can rescue: (1 − 2^-53) × 2^-128 rounds to 2^-128 in F.
  const g = floatSub(
    "g",
    floatFromNumber("g", 2 ** -128),
    floatFromNumber("g", 2 ** -181),
    true,
  );
  assert.deepEqual(floatConvert("g", "f", g, true), [F_MIN, 0]);
  assert.deepEqual(floatMul("d", [F_MIN, 0], [half, 0], false), [0, 0]);
});

Deno.test("divide by zero faults (code 9)", () => {
  faults("divide-by-zero", 9, () => divF(F_ONE, 0, false));
  faults("divide-by-zero", 9, () => divF(0, 0, false));
  faults("divide-by-zero", 9, () => floatDiv("d", D_ONE, [0, 0], false));
  faults("divide-by-zero", 9, () => floatDiv("g", G_ONE, [0x0001, 7], false));
});

Deno.test("conversions to integers: truncate, round, overflow", () => {
  const n = (x: number) => floatFromNumber("f", x);
  assert.deepEqual(floatToInt("f", n(2.5), 4, false), {
    value: 2,
    overflow: false,
  });
  assert.deepEqual(floatToInt("f", n(2.5), 4, true), {
    value: 3,
    overflow: false,
  });
  assert.deepEqual(floatToInt("f", n(-2.5), 4, false), {
    value: -2,
    overflow: false,
  });
  assert.deepEqual(floatToInt("f", n(-2.5), 4, true), {
    value: -3,
    overflow: false,
  });
  assert.deepEqual(floatToInt("f", n(0.49), 4, true), {
    value: 0,
    overflow: false,
  });
  assert.deepEqual(floatToInt("f", n(-0.5), 4, true), {
    value: -1,
    overflow: false,
  });
  assert.deepEqual(floatToInt("f", n(127), 1, false), {
    value: 127,
    overflow: false,
  });
  assert.deepEqual(floatToInt("f", n(-128), 1, false), {
    value: -128,
    overflow: false,
  });
  assert.deepEqual(floatToInt("f", n(200), 1, false), {
    value: -56,
    overflow: true,
  });
  assert.deepEqual(floatToInt("f", n(-32769), 2, false), {
    value: 32767,
    overflow: true,
  });
  assert.deepEqual(
    floatToInt("d", floatFromNumber("d", -2147483648), 4, false),
    {
      value: -2147483648,
      overflow: false,
    },
  );
  assert.deepEqual(
    floatToInt("d", floatFromNumber("d", 2147483647.5), 4, true),
    {
      value: -2147483648,
      overflow: true,
    },
  );
  assert.deepEqual(
    floatToInt("g", floatFromNumber("g", 2 ** 32 + 5), 4, false),
    {
      value: 5,
      overflow: true,
    },
  );
  assert.deepEqual(floatToInt("g", floatFromNumber("g", 1e300), 4, false), {
    value: 0,
    overflow: true,
  });
  assert.deepEqual(floatToInt("g", [0, 0], 4, true), {
    value: 0,
    overflow: false,
  });
});

Deno.test("conversions from integers and between formats", () => {
  assert.deepEqual(
    floatFromInt("d", -2147483648),
    floatFromNumber("d", -(2 ** 31)),
  );
  assert.deepEqual(
    floatFromInt("g", 123456789),
    floatFromNumber("g", 123456789),
  );
  assert.deepEqual(floatFromInt("f", 0), [0, 0]);
  assert.equal(fFromInt(-3), fFromNumber(-3));
  // F → D and F → G are exact; D → F rounds.
  assert.deepEqual(
    floatConvert("f", "d", [F_TENTH, 0], false),
    q(0x3ecccccd, 0),
  );
  assert.deepEqual(floatConvert("d", "f", D_TENTH, false), [F_TENTH, 0]);
  assert.deepEqual(floatConvert("f", "g", [F_M2_5, 0], false), G_M2_5);
  assert.deepEqual(floatConvert("g", "f", G_TENTH, false), [F_TENTH, 0]);
  // F → G widens the exponent range; G values outside F's range exist.
  assert.equal(
    floatToNumber("g", floatConvert("f", "g", [F_MIN, 0], false)),
    2 ** -128,
  );
});

Deno.test("short literals in floating operands: 0.5 to 120", () => {
  assert.equal(fToNumber(floatLiteral("f", 0)[0]), 0.5);
  assert.equal(fToNumber(floatLiteral("f", 8)[0]), 1);
  assert.equal(fToNumber(floatLiteral("f", 0x3f)[0]), 120);
  assert.equal(floatToNumber("d", floatLiteral("d", 0x0c)), 1.5);
  assert.equal(floatToNumber("g", floatLiteral("g", 0x11)), 2.25);
  assert.equal(floatToNumber("g", floatLiteral("g", 0x3f)), 120);
  assert.equal(floatToLiteral("f", [fFromNumber(1.5), 0]), 0x0c);
  assert.equal(floatToLiteral("g", floatFromNumber("g", 120)), 0x3f);
  assert.equal(floatToLiteral("f", [F_TENTH, 0]), -1);
});

Deno.test("the F fast path agrees with the exact BigInt reference", () => {
  const r = rng(0x9e3779b9);
  const pick = (): number => {
    // Exponents clustered so that additions cancel, round and overflow.
    const kind = r() % 4;
    let v = r();
    if (kind === 0) v = (v & ~0x7f80) | ((120 + (r() % 16)) << 7);
    if (kind === 1) v = (v & ~0x7f80) | (((r() % 6) + 1) << 7);
    if (kind === 2) v = (v & ~0x7f80) | ((250 + (r() % 6)) << 7);
    if ((v & 0x7f80) === 0) v &= 0x7fff; // no reserved operands here
    return v >>> 0;
  };
  const same = (f: () => number, g: () => Quad) => {
    let a: unknown, b: unknown;
    try {
      a = f();
    } catch (e) {
      a = (e as FloatFault).kind;
    }
    try {
      b = g()[0];
    } catch (e) {
      b = (e as FloatFault).kind;
    }
    assert.equal(a, b);
  };
  for (let i = 0; i < 4000; i++) {
    const a = pick();
    const b = pick();
    const fu = (i & 1) === 1;
    same(() => addF(a, b, fu), () => floatAdd("f", [a, 0], [b, 0], fu));
    same(() => subF(a, b, fu), () => floatSub("f", [a, 0], [b, 0], fu));
    same(() => mulF(a, b, fu), () => floatMul("f", [a, 0], [b, 0], fu));
    same(() => divF(a, b, fu), () => floatDiv("f", [a, 0], [b, 0], fu));
    const n = r() | 0;
    same(() => fFromInt(n), () => floatFromInt("f", n));
  }
});

Deno.test("F results match exact rational arithmetic on doubles where exact", () => {
  // Sums and products of small F values are exact in a double; the VAX
  // result is that double rounded half away from zero to 24 bits.
  const r = rng(12345);
  for (let i = 0; i < 2000; i++) {
    const x = ((r() % 2000000) - 1000000) / 1024;
    const y = ((r() % 2000000) - 1000000) / 1024;
    const fx = fFromNumber(x);
    const fy = fFromNumber(y);
    assert.equal(fToNumber(fx), x);
    assert.equal(fToNumber(addF(fx, fy, false)), fToNumber(fFromNumber(x + y)));
    assert.equal(fToNumber(mulF(fx, fy, false)), fToNumber(fFromNumber(x * y)));
  }
});

Deno.test("D and G split-fraction add, sub, mul agree with the BigInt reference", () => {
  const r = rng(0x1234567);
  const pick = (fmt: "d" | "g"): Quad => {
    const maxE = fmt === "d" ? 255 : 2047;
    const sh = fmt === "d" ? 7 : 4;
    const mask = maxE << sh;
    let v0 = r();
    let v1 = r();
    const k = r() % 5;
    const e = k === 0
      ? (maxE >> 1) + (r() % 8)
      : k === 1
      ? 1 + (r() % 4)
      : k === 2
      ? maxE - (r() % 4)
      : k === 3
      ? (maxE >> 1) + (r() % 70)
      : -1;
    if (e >= 0) v0 = (v0 & ~mask) | (e << sh);
    if (r() % 7 === 0) v1 = r() % 4;
    if ((v0 & mask) === 0) v0 &= 0x7fff;
    return [v0 >>> 0, v1 >>> 0];
  };
  const res = (f: () => Quad) => {
    try {
      return f().join(",");
    } catch (e) {
      return (e as FloatFault).kind;
    }
  };
  for (let i = 0; i < 6000; i++) {
    const fmt = i & 1 ? "d" : "g";
    const a = pick(fmt);
    const k = r() % 4;
    // Equal, nearly equal (cancellation) and independent operands.
    const b: Quad = k === 0
      ? [a[0], a[1]]
      : k === 1
      ? [(a[0] ^ (r() & 0x80ff0000)) >>> 0, (a[1] ^ r()) >>> 0]
      : pick(fmt);
    const fu = (i & 2) !== 0;
    assert.equal(
      res(() => addSplitDG(fmt, a, b, fu)),
      res(() => floatAdd(fmt, a, b, fu)),
    );
    assert.equal(
      res(() => subSplitDG(fmt, a, b, fu)),
      res(() => floatSub(fmt, a, b, fu)),
    );
    assert.equal(
      res(() => mulSplitDG(fmt, a, b, fu)),
      res(() => floatMul(fmt, a, b, fu)),
    );
  }
});

Deno.test("EMOD: integer and fraction parts of the extended product", () => {
  const f = (x: number): Quad => floatFromNumber("f", x);
  let r = floatEmod("f", f(1.5), 0, f(2.75), false);
  assert.deepEqual([r.int, r.overflow, fToNumber(r.fraction[0])], [
    4,
    false,
    0.125,
  ]);
  r = floatEmod("f", f(-2.5), 0, f(1.5), false);
  assert.deepEqual([r.int, r.overflow, fToNumber(r.fraction[0])], [
    -3,
    false,
    -0.75,
  ]);
  // The extension byte adds 8 fraction bits below mulr's 24, but the F
  // product keeps only the top 32 of its 64 bits before normalizing:
  // (1 + 2^-31) × 2^31 = 0x40000000_80000000 × 2^-62 loses its last bit.
  r = floatEmod("f", [F_ONE, 0], 0x01, f(2 ** 31), false);
  assert.deepEqual([r.int, r.overflow, r.fraction], [-(2 ** 31), true, [0, 0]]);
  r = floatEmod("f", [F_ONE, 0], 0x80, f(2 ** 23), false); // (1 + 2^-24) × 2^23
  assert.deepEqual([r.int, r.overflow, fToNumber(r.fraction[0])], [
    2 ** 23,
    false,
    0.5,
  ]);
  r = floatEmod("f", f(2 ** 40), 0, [F_ONE, 0], false);
  assert.deepEqual([r.int, r.overflow, r.fraction], [0, true, [0, 0]]);
  // D: 0.1 (56 bits, rounded up) × 10 = 1 + 2^-58 exactly: fraction 2^-58
  // = 0.1 × 2^-57, exponent 71 (0x47) → natural 0x23800000 00000000.
  r = floatEmod("d", D_TENTH, 0, floatFromInt("d", 10), false);
  assert.deepEqual([r.int, r.overflow, r.fraction], [1, false, [0x2380, 0]]);
  faults(
    "reserved-operand",
    0,
    () => floatEmod("g", [0x8000, 0], 0, G_ONE, false),
  );
});

Deno.test("POLY: Horner's rule, highest coefficient first", () => {
  const table = [2, 3, 1].map((x) => floatFromNumber("f", x));
  const at = (x: number) =>
    floatPoly("f", floatFromNumber("f", x), 2, (i) => table[i]!, false);
  // 2x^2 + 3x + 1 at 2 = 15 = 0.1111 × 2^4 → natural 0x42700000.
  assert.deepEqual(at(2), [0x4270, 0]);
  assert.equal(floatToNumber("f", at(-0.5)), 0);
  const g = [1, -1, 0.5].map((x) => floatFromNumber("g", x));
  assert.equal(
    floatToNumber(
      "g",
      floatPoly("g", floatFromNumber("g", 3), 2, (i) => g[i]!, false),
    ),
    6.5,
  );
  faults(
    "reserved-operand",
    0,
    () => floatPoly("f", [F_ONE, 0], 32, () => [F_ONE, 0], false),
  );
  faults(
    "reserved-operand",
    0,
    () => floatPoly("f", [F_ONE, 0], 1, () => [0x8000, 0], false),
  );
});

Deno.test("CMP and TST agree with the order of the values (F and G exact in doubles)", () => {
  const r = rng(777);
  for (let i = 0; i < 3000; i++) {
    const fmt = i & 1 ? "f" : "g";
    const x = (((r() % 2001) - 1000) / 8) * 2 ** ((r() % 40) - 20);
    const y = r() % 5 === 0
      ? x
      : (((r() % 2001) - 1000) / 8) * 2 ** ((r() % 40) - 20);
    const a = floatFromNumber(fmt, x);
    const b = floatFromNumber(fmt, y);
    assert.equal(floatCompare(fmt, a, b), Math.sign(x - y) + 0);
    assert.equal(floatTest(fmt, a), Math.sign(x) + 0);
  }
  // D: values that differ only in the last of their 56 bits.
  const one = floatFromNumber("d", 1);
  const next = floatAdd("d", one, floatFromNumber("d", 2 ** -55), false);
  assert.equal(floatCompare("d", one, next), -1);
  assert.equal(floatCompare("d", floatNeg("d", one), floatNeg("d", next)), 1);
  assert.equal(
    floatCompare("d", [0x0012, 7], [0, 0]),
    0,
    "dirty zero equals 0",
  );
});
