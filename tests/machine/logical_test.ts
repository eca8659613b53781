// Compare and bit test (section 4.4), logical (4.6), shift and rotate (4.7).
import { deepEqual, equal } from "node:assert/strict";
import {
  type AluCase,
  checkAlu,
  DATA,
  exec,
  flags,
  readL,
} from "./_helpers.ts";

Deno.test("4.4 CMPx: N = signed <, Z = equal, C = unsigned <, V=0", () => {
  const cases: AluCase[] = [
    ["CMPB #1,#2", {}, "V", {}, "NC"],
    ["CMPB #2,#1", {}, "NZVC", {}, ""],
    ["CMPB #5,#5", {}, "NVC", {}, "Z"],
    ["CMPB #^X80,#1", {}, "", {}, "N"],
    ["CMPB #1,#^X80", {}, "", {}, "C"],
    ["CMPB R0,R1", { R0: 0x1ff, R1: 0x2ff }, "", {}, "Z"],
    ["CMPW #^X8000,#^X7FFF", {}, "", {}, "N"],
    ["CMPW #^X7FFF,#^X8000", {}, "", {}, "C"],
    ["CMPW #^XFFFF,#^XFFFF", {}, "", {}, "Z"],
    ["CMPL #^X80000000,#^X7FFFFFFF", {}, "", {}, "N"],
    ["CMPL #^X7FFFFFFF,#^X80000000", {}, "", {}, "C"],
    ["CMPL #-1,#0", {}, "", {}, "N"],
    ["CMPL #0,#-1", {}, "", {}, "C"],
    ["CMPL #3,#7", {}, "", {}, "NC"],
    ["CMPL R0,R0", { R0: 0x80000000 }, "NVC", { R0: 0x80000000 }, "Z"],
  ];
  checkAlu(cases, deepEqual);
});

Deno.test("4.4 BITx: N Z of (src AND mask), V=0, C kept, operands unchanged", () => {
  const cases: AluCase[] = [
    ["BITB #^X80,R0", { R0: 0xff }, "C", { R0: 0xff }, "NC"],
    ["BITB #^X0F,R0", { R0: 0x1f0 }, "V", { R0: 0x1f0 }, "Z"],
    ["BITW #^X0F,R0", { R0: 0xf0 }, "N", {}, "Z"],
    ["BITW #^X8001,R0", { R0: 0xffff8000 }, "", {}, "N"],
    ["BITL #^X80000000,R0", { R0: 0xffffffff }, "VC", { R0: 0xffffffff }, "NC"],
    ["BITL #1,R0", { R0: 3 }, "NZ", {}, ""],
  ];
  checkAlu(cases, deepEqual);
});

Deno.test("4.6 BISx: dst <- src OR mask, V=0, C kept", () => {
  const cases: AluCase[] = [
    ["BISB2 #^X0F,R0", { R0: 0x123456f0 }, "VC", { R0: 0x123456ff }, "NC"],
    ["BISB3 #0,#0,R0", { R0: 0xffffffff }, "N", { R0: 0xffffff00 }, "Z"],
    ["BISW2 #1,R0", { R0: 0xffff0000 }, "", { R0: 0xffff0001 }, ""],
    ["BISW3 #^X8000,#1,R0", { R0: 0 }, "", { R0: 0x8001 }, "N"],
    ["BISL2 #^X80000000,R0", { R0: 1 }, "ZV", { R0: 0x80000001 }, "N"],
    ["BISL3 #0,#0,R0", { R0: 5 }, "C", { R0: 0 }, "ZC"],
  ];
  checkAlu(cases, deepEqual);
});

Deno.test("4.6 BICx: dst <- src AND NOT mask, V=0, C kept", () => {
  const cases: AluCase[] = [
    ["BICB2 #^X0F,R0", { R0: 0x123456ff }, "V", { R0: 0x123456f0 }, "N"],
    ["BICB3 #^XFF,#^XAA,R0", { R0: 0x11111111 }, "C", { R0: 0x11111100 }, "ZC"],
    ["BICW2 #^X8000,R0", { R0: 0xffffffff }, "", { R0: 0xffff7fff }, ""],
    ["BICW3 #^X00FF,#^X8FFF,R0", { R0: 0 }, "", { R0: 0x8f00 }, "N"],
    ["BICL3 #^X80000000,#-1,R0", {}, "NZ", { R0: 0x7fffffff }, ""],
    ["BICL2 #-1,R0", { R0: 0x12345678 }, "VC", { R0: 0 }, "ZC"],
  ];
  checkAlu(cases, deepEqual);
});

Deno.test("4.6 XORx: dst <- src XOR mask, V=0, C kept", () => {
  const cases: AluCase[] = [
    ["XORB2 #^XFF,R0", { R0: 0x1234560f }, "", { R0: 0x123456f0 }, "N"],
    [
      "XORB3 #^X55,#^X55,R0",
      { R0: 0xffffffff },
      "VC",
      { R0: 0xffffff00 },
      "ZC",
    ],
    ["XORW3 #^XFFFF,#^X7FFF,R0", { R0: 0 }, "", { R0: 0x8000 }, "N"],
    ["XORW2 #1,R0", { R0: 0x10000 }, "Z", { R0: 0x10001 }, ""],
    ["XORL3 #-1,#^X12345678,R0", {}, "", { R0: 0xedcba987 }, "N"],
    ["XORL2 R0,R0", { R0: 0x12345678 }, "N", { R0: 0 }, "Z"],
  ];
  checkAlu(cases, deepEqual);
});

Deno.test("4.6 logical instructions on memory operands", () => {
  const m = exec(
    `BISL2 #^X100,@#${DATA}
     BICW2 #^X00FF,@#${DATA + 4}
     XORB2 #^XFF,@#${DATA + 8}
     BISL3 @#${DATA},#1,@#${DATA + 12}`,
    {},
    0,
    {
      longs: {
        [DATA]: 0x00000001,
        [DATA + 4]: 0x1234ffff,
        [DATA + 8]: 0x0000000f,
      },
    },
  );
  equal(readL(m, DATA), 0x101);
  equal(readL(m, DATA + 4), 0x1234ff00);
  equal(readL(m, DATA + 8), 0xf0);
  equal(readL(m, DATA + 12), 0x101);
  equal(flags(m.psl), "");
});

Deno.test("4.7 ASHL left: zeros in, V if shifted-out bits differ from the sign, C=0", () => {
  const cases: AluCase[] = [
    ["ASHL #1,#1,R0", {}, "C", { R0: 2 }, ""],
    ["ASHL #4,#^X12345678,R0", {}, "", { R0: 0x23456780 }, "V"],
    ["ASHL #31,#1,R0", {}, "", { R0: 0x80000000 }, "NV"],
    ["ASHL #1,#^X40000000,R0", {}, "", { R0: 0x80000000 }, "NV"],
    ["ASHL #1,#^XC0000000,R0", {}, "", { R0: 0x80000000 }, "N"],
    ["ASHL #3,#-1,R0", {}, "", { R0: 0xfffffff8 }, "N"],
    ["ASHL #0,#^X80000000,R0", {}, "VC", { R0: 0x80000000 }, "N"],
    ["ASHL #0,#0,R0", {}, "", { R0: 0 }, "Z"],
    ["ASHL #32,#1,R0", { R0: 7 }, "", { R0: 0 }, "ZV"],
    ["ASHL #32,#0,R0", { R0: 7 }, "", { R0: 0 }, "Z"],
    ["ASHL #^X7F,#-1,R0", {}, "", { R0: 0 }, "ZV"],
    ["ASHL #16,#^X00007FFF,R0", {}, "", { R0: 0x7fff0000 }, ""],
    ["ASHL #16,#^X00008000,R0", {}, "", { R0: 0x80000000 }, "NV"],
    ["ASHL #31,#-1,R0", {}, "", { R0: 0x80000000 }, "N"],
    ["ASHL #30,#-2,R0", {}, "", { R0: 0x80000000 }, "N"],
    ["ASHL #30,#-3,R0", {}, "", { R0: 0x40000000 }, "V"],
  ];
  checkAlu(cases, deepEqual);
});

Deno.test("4.7 ASHL right (negative count): arithmetic shift, never V", () => {
  const cases: AluCase[] = [
    ["ASHL #-1,#4,R0", {}, "VC", { R0: 2 }, ""],
    ["ASHL #-1,#-1,R0", {}, "", { R0: 0xffffffff }, "N"],
    ["ASHL #-4,#^X80000000,R0", {}, "", { R0: 0xf8000000 }, "N"],
    ["ASHL #-31,#^X80000000,R0", {}, "", { R0: 0xffffffff }, "N"],
    ["ASHL #-32,#^X80000000,R0", {}, "", { R0: 0xffffffff }, "N"],
    ["ASHL #-32,#^X7FFFFFFF,R0", {}, "", { R0: 0 }, "Z"],
    ["ASHL #-128,#5,R0", {}, "", { R0: 0 }, "Z"],
    ["ASHL #-128,#-5,R0", {}, "", { R0: 0xffffffff }, "N"],
    ["ASHL #-2,#7,R0", {}, "", { R0: 1 }, ""],
    // The count is a signed byte: ^XFF is -1.
    ["ASHL R1,#8,R0", { R1: 0x000000ff }, "", { R0: 4 }, ""],
  ];
  checkAlu(cases, deepEqual);
});

Deno.test("4.7 ROTL: rotate left by cnt mod 32, V=0, C kept", () => {
  const cases: AluCase[] = [
    ["ROTL #1,#^X80000000,R0", {}, "V", { R0: 1 }, ""],
    ["ROTL #4,#^X12345678,R0", {}, "C", { R0: 0x23456781 }, "C"],
    ["ROTL #-4,#^X12345678,R0", {}, "", { R0: 0x81234567 }, "N"],
    ["ROTL #28,#^X12345678,R0", {}, "", { R0: 0x81234567 }, "N"],
    ["ROTL #32,#^X12345678,R0", {}, "", { R0: 0x12345678 }, ""],
    ["ROTL #0,#0,R0", { R0: 9 }, "NVC", { R0: 0 }, "ZC"],
    ["ROTL #31,#1,R0", {}, "", { R0: 0x80000000 }, "N"],
    ["ROTL #-1,#1,R0", {}, "", { R0: 0x80000000 }, "N"],
    ["ROTL #16,#^XFFFF0000,R0", {}, "", { R0: 0x0000ffff }, ""],
  ];
  checkAlu(cases, deepEqual);
});
