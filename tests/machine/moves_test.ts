// Moves and conversions (section 4.2), push and address (4.8), and the PSW
// instructions BISPSW, BICPSW, MOVPSL (1.2, 4.1).
import { deepEqual, equal } from "node:assert/strict";
import {
  type AluCase,
  cc,
  checkAlu,
  DATA,
  exec,
  flags,
  PROT,
  psl,
  pte,
  pteAddress,
  readL,
  run,
  stack,
  STACKS,
} from "./_helpers.ts";

Deno.test("4.2 MOVB/MOVW/MOVL: result, N Z from result, V cleared, C kept", () => {
  const cases: AluCase[] = [
    ["MOVB #^X80,R0", { R0: 0x12345678 }, "C", { R0: 0x12345680 }, "NC"],
    ["MOVB #0,R0", { R0: 0xffffffff }, "NV", { R0: 0xffffff00 }, "Z"],
    ["MOVB #^X7F,R0", { R0: 0 }, "ZVC", { R0: 0x7f }, "C"],
    ["MOVW #^X8000,R1", { R1: 0x11111111 }, "", { R1: 0x11118000 }, "N"],
    ["MOVW #0,R1", { R1: 0xffffffff }, "NVC", { R1: 0xffff0000 }, "ZC"],
    ["MOVL #^X80000000,R2", {}, "ZV", { R2: 0x80000000 }, "N"],
    ["MOVL #0,R2", { R2: 5 }, "NZVC", { R2: 0 }, "ZC"],
    ["MOVL #^X7FFFFFFF,R2", {}, "", { R2: 0x7fffffff }, ""],
    // Register read of a byte operand uses Rn<7:0> (3.3).
    ["MOVB R1,R0", { R1: 0x12345680, R0: 0 }, "", { R0: 0x80 }, "N"],
    ["MOVW R1,R0", { R1: 0x12340000, R0: 0xffffffff }, "", {
      R0: 0xffff0000,
    }, "Z"],
  ];
  checkAlu(cases, deepEqual);
});

Deno.test("4.2 MOVZBW/MOVZBL/MOVZWL: zero-extend, N=0, V=0, C kept", () => {
  const cases: AluCase[] = [
    ["MOVZBW #^XFF,R0", { R0: 0xaaaaaaaa }, "NZVC", { R0: 0xaaaa00ff }, "C"],
    ["MOVZBW #0,R0", { R0: 0xaaaaaaaa }, "N", { R0: 0xaaaa0000 }, "Z"],
    ["MOVZBL #^X80,R0", { R0: 0xffffffff }, "NV", { R0: 0x80 }, ""],
    ["MOVZBL R1,R0", { R1: 0xffffff00 }, "C", { R0: 0 }, "ZC"],
    ["MOVZWL #^XFFFF,R0", { R0: 0xffffffff }, "", { R0: 0xffff }, ""],
    ["MOVZWL #^X8000,R0", {}, "C", { R0: 0x8000 }, "C"],
    ["MOVZWL R1,R0", { R1: 0x12340000 }, "", { R0: 0 }, "Z"],
  ];
  checkAlu(cases, deepEqual);
});

Deno.test("4.2 CVTBL/CVTWL: sign-extend, V=0, C=0", () => {
  const cases: AluCase[] = [
    ["CVTBL #^XFF,R0", {}, "ZVC", { R0: 0xffffffff }, "N"],
    ["CVTBL #^X80,R0", {}, "", { R0: 0xffffff80 }, "N"],
    ["CVTBL #^X7F,R0", {}, "C", { R0: 0x7f }, ""],
    ["CVTBL #0,R0", { R0: 7 }, "NC", { R0: 0 }, "Z"],
    ["CVTWL #^X8000,R0", {}, "C", { R0: 0xffff8000 }, "N"],
    ["CVTWL #^X7FFF,R0", {}, "VC", { R0: 0x7fff }, ""],
    ["CVTWL #0,R0", { R0: 9 }, "C", { R0: 0 }, "Z"],
  ];
  checkAlu(cases, deepEqual);
});

Deno.test("4.2 CVTLB/CVTLW: truncate, V when out of range, N Z of truncated value, C=0", () => {
  const cases: AluCase[] = [
    ["CVTLB #^X7F,R0", { R0: 0x12345600 }, "C", { R0: 0x1234567f }, ""],
    ["CVTLB #^X80,R0", { R0: 0x12345600 }, "C", { R0: 0x12345680 }, "NV"],
    ["CVTLB #-128,R0", { R0: 0 }, "", { R0: 0x80 }, "N"],
    ["CVTLB #-129,R0", { R0: 0 }, "", { R0: 0x7f }, "V"],
    ["CVTLB #^X100,R0", { R0: 0xffffffff }, "", { R0: 0xffffff00 }, "ZV"],
    ["CVTLB #-1,R0", { R0: 0 }, "ZC", { R0: 0xff }, "N"],
    ["CVTLW #^X7FFF,R0", { R0: 0xffff0000 }, "", { R0: 0xffff7fff }, ""],
    ["CVTLW #^X8000,R0", { R0: 0 }, "C", { R0: 0x8000 }, "NV"],
    ["CVTLW #-32768,R0", { R0: 0 }, "", { R0: 0x8000 }, "N"],
    ["CVTLW #-32769,R0", { R0: 0 }, "", { R0: 0x7fff }, "V"],
    ["CVTLW #^X10000,R0", { R0: 0x55555555 }, "", { R0: 0x55550000 }, "ZV"],
    ["CVTLW #^X80000000,R0", { R0: 0 }, "", { R0: 0 }, "ZV"],
  ];
  checkAlu(cases, deepEqual);
});

Deno.test("4.2 CLRB/CLRW/CLRL: zero, Z=1, N=V=0, C kept", () => {
  const cases: AluCase[] = [
    ["CLRB R0", { R0: 0xffffffff }, "NVC", { R0: 0xffffff00 }, "ZC"],
    ["CLRW R0", { R0: 0xffffffff }, "N", { R0: 0xffff0000 }, "Z"],
    ["CLRL R0", { R0: 0xffffffff }, "NVC", { R0: 0 }, "ZC"],
  ];
  checkAlu(cases, deepEqual);
});

Deno.test("4.2 MCOMB/MCOMW/MCOML: NOT, V=0, C kept", () => {
  const cases: AluCase[] = [
    ["MCOMB #^X0F,R0", { R0: 0x12345678 }, "VC", { R0: 0x123456f0 }, "NC"],
    ["MCOMB #^XFF,R0", { R0: 0xffffffff }, "N", { R0: 0xffffff00 }, "Z"],
    ["MCOMW #^XFFFF,R0", { R0: 0x12345678 }, "C", { R0: 0x12340000 }, "ZC"],
    ["MCOMW #^X00FF,R0", { R0: 0 }, "", { R0: 0xff00 }, "N"],
    ["MCOML #0,R0", {}, "V", { R0: 0xffffffff }, "N"],
    ["MCOML #^XFFFFFFFF,R0", { R0: 5 }, "", { R0: 0 }, "Z"],
    ["MCOML #^X80000000,R0", {}, "", { R0: 0x7fffffff }, ""],
  ];
  checkAlu(cases, deepEqual);
});

Deno.test("4.2 MNEGB/MNEGW/MNEGL: 0 - src, V for most negative, C = src != 0", () => {
  const cases: AluCase[] = [
    ["MNEGB #1,R0", { R0: 0x12345600 }, "", { R0: 0x123456ff }, "NC"],
    ["MNEGB #0,R0", { R0: 0x123456ff }, "NVC", { R0: 0x12345600 }, "Z"],
    ["MNEGB #^X80,R0", { R0: 0 }, "", { R0: 0x80 }, "NVC"],
    ["MNEGB #^X7F,R0", { R0: 0 }, "", { R0: 0x81 }, "NC"],
    ["MNEGB #^XFF,R0", { R0: 0 }, "", { R0: 0x01 }, "C"],
    ["MNEGW #^X8000,R0", { R0: 0 }, "", { R0: 0x8000 }, "NVC"],
    ["MNEGW #1,R0", { R0: 0 }, "", { R0: 0xffff }, "NC"],
    ["MNEGW #0,R0", { R0: 0x12340000 }, "C", { R0: 0x12340000 }, "Z"],
    ["MNEGL #^X80000000,R0", {}, "", { R0: 0x80000000 }, "NVC"],
    ["MNEGL #5,R0", {}, "", { R0: 0xfffffffb }, "NC"],
    ["MNEGL #-5,R0", {}, "", { R0: 5 }, "C"],
    ["MNEGL #0,R0", { R0: 1 }, "NVC", { R0: 0 }, "Z"],
  ];
  checkAlu(cases, deepEqual);
});

Deno.test("4.2 moves to memory write only the operand's bytes", () => {
  const m = exec(
    `MOVL #^X11223344,@#${DATA}
     MOVB #^XAA,@#${DATA + 4}
     MOVW #^XBBCC,@#${DATA + 5}
     CLRB @#${DATA + 1}
     MOVZBL @#${DATA},@#${DATA + 8}`,
  );
  equal(readL(m, DATA), 0x11220044);
  equal(readL(m, DATA + 4) & 0xffffff, 0xbbccaa);
  equal(readL(m, DATA + 8), 0x44);
});

Deno.test("4.8 PUSHL: -(SP) <- src, N Z from src, V=0, C kept", () => {
  const cases: [string, string, number, string][] = [
    ["PUSHL #^X12345678", "VC", 0x12345678, "C"],
    ["PUSHL #0", "N", 0, "Z"],
    ["PUSHL #-1", "", 0xffffffff, "N"],
  ];
  for (const [src, ccIn, value, ccOut] of cases) {
    const m = exec(src, {}, cc(ccIn));
    equal(m.get("SP"), STACKS.KSP - 4, src);
    deepEqual(stack(m, 1), [value], src);
    equal(flags(m.psl), ccOut, src);
  }
});

Deno.test("4.8 MOVAx: dst <- EA, the operand size scales autoincrement and index", () => {
  const cases: AluCase[] = [
    ["MOVAB 5(R1),R0", { R1: 0x3000 }, "", { R0: 0x3005, R1: 0x3000 }, ""],
    ["MOVAB -(R1),R0", { R1: 0x3000 }, "", { R0: 0x2fff, R1: 0x2fff }, ""],
    ["MOVAW (R1)+,R0", { R1: 0x3000 }, "C", { R0: 0x3000, R1: 0x3002 }, "C"],
    ["MOVAL (R1)+,R0", { R1: 0x3000 }, "", { R0: 0x3000, R1: 0x3004 }, ""],
    ["MOVAW -(R1),R0", { R1: 0x3000 }, "", { R0: 0x2ffe, R1: 0x2ffe }, ""],
    ["MOVAB 4(R1)[R2],R0", { R1: 0x3000, R2: 3 }, "", { R0: 0x3007 }, ""],
    ["MOVAW 4(R1)[R2],R0", { R1: 0x3000, R2: 3 }, "", { R0: 0x300a }, ""],
    ["MOVAL 4(R1)[R2],R0", { R1: 0x3000, R2: 3 }, "", { R0: 0x3010 }, ""],
    ["MOVAL 4(R1)[R2],R0", { R1: 0x3000, R2: -2 }, "", { R0: 0x2ffc }, ""],
    ["MOVAB @#^X80000000,R0", {}, "ZV", { R0: 0x80000000 }, "N"],
    ["MOVAB @#0,R0", {}, "NC", { R0: 0 }, "ZC"],
  ];
  checkAlu(cases, deepEqual);
});

Deno.test("4.8 PUSHAB/PUSHAW/PUSHAL push the effective address", () => {
  const cases: [string, Record<string, number>, number][] = [
    ["PUSHAB 8(R1)[R2]", { R1: 0x3000, R2: 5 }, 0x300d],
    ["PUSHAW 8(R1)[R2]", { R1: 0x3000, R2: 5 }, 0x3012],
    ["PUSHAL 8(R1)[R2]", { R1: 0x3000, R2: 5 }, 0x301c],
    ["PUSHAL @#^X80001000", {}, 0x80001000],
  ];
  for (const [src, init, value] of cases) {
    const m = exec(src, init, cc("VC"));
    equal(m.get("SP"), STACKS.KSP - 4, src);
    deepEqual(stack(m, 1), [value], src);
    equal(flags(m.psl), value >= 0x80000000 ? "NC" : "C", src);
  }
});

Deno.test("4.8 PUSHAL (SP)+ evaluates the operand before pushing", () => {
  // EA = old SP, SP += 4, then -(SP) <- EA: the push lands where SP was.
  const m = exec("PUSHAL (SP)+");
  equal(m.get("SP"), STACKS.KSP);
  deepEqual(stack(m, 1), [STACKS.KSP]);
});

Deno.test("1.2 BISPSW/BICPSW set and clear PSW<7:0>; CCs are the new PSW<3:0>", () => {
  let m = exec("BISPSW #^X0F", {}, 0);
  equal(m.psl, 0x0f);
  m = exec("BICPSW #^X05", {}, cc("NZVC"));
  equal(flags(m.psl), "NV");
  m = exec("BISPSW #^XE0", {}, cc("C"));
  equal(m.psl, 0xe1); // DV FU IV set, C kept
  m = exec("BICPSW #^XFF", {}, 0, { psl: psl({ iv: true, dv: true, cc: 15 }) });
  equal(m.psl, 0);
});

Deno.test("1.2 BISPSW/BICPSW with mask<15:8> != 0: ROF, nothing changed", () => {
  for (const op of ["BISPSW", "BICPSW"]) {
    const start = psl({ cc: cc("NC") });
    const r = run(`${op} #^X100\n HALT`, { psl: start });
    equal(r.vector, 0x18, op);
    deepEqual(stack(r.m, 2), [0x1000, start], op);
  }
});

Deno.test("1.2 BISPSW cannot touch PSL<31:8> (mask<15:8> must be zero)", () => {
  const r = run("BISPSW #^X8000\n HALT", { psl: psl({ ipl: 3 }) });
  equal(r.vector, 0x18);
  deepEqual(stack(r.m, 2), [0x1000, psl({ ipl: 3 })]);
});

Deno.test("8.2 MOVPSL stores the complete PSL and leaves the CCs unchanged", () => {
  const start = psl({ ipl: 7, prv: 3, iv: true, cc: cc("NZ") });
  const m = exec("MOVPSL R0", {}, 0, { psl: start });
  equal(m.get("R0"), start);
  equal(m.psl, start);
  // From user mode too (not privileged); the HALT then faults (RIF).
  const u = psl({ cur: 3, prv: 3, cc: cc("VC") });
  const r = run("MOVPSL R0\n HALT", { psl: u });
  equal(r.m.get("R0"), u);
  equal(r.vector, 0x10);
});

Deno.test("4.1 NOP changes nothing", () => {
  const m = exec("NOP", { R0: 1 }, cc("NZVC"));
  equal(m.get("R0"), 1);
  equal(flags(m.psl), "NZVC");
  equal(m.get("SP"), STACKS.KSP);
});

Deno.test("8.2 MOVPSL with T set stores TP too (set at the instruction boundary)", () => {
  const r = run("MOVPSL R0\n HALT", { psl: psl({ t: true }) });
  equal(r.m.get("R0"), psl({ t: true, tp: true }));
  equal(r.vector, 0x28, "then the trace");
});

Deno.test("4.8 PUSHL: SP is decremented only when the push succeeds", () => {
  const page = STACKS.USP - 0x200;
  const r = run("PUSHL #5\n HALT", {
    mapping: true,
    psl: psl({ cur: 3, prv: 3 }),
    longs: { [pteAddress(page)]: pte(page >>> 9, PROT.UW, false) },
  });
  equal(r.vector, 0x24);
  deepEqual(stack(r.m, 3), [4, STACKS.USP - 4, 0x1000]);
  equal(r.m.get("USP"), STACKS.USP);
});
