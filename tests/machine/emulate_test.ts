// The MicroVAX emulation exception (KA655; SimH op_cis): the packed
// decimal and string instructions the CVAX leaves to software go to SCB
// 0xC8 with a 12-longword frame in the current mode, or 0xCC with PC and
// PSL when PSL<FPD> is set; H floating and octaword are reserved
// instructions, at the opcode.
import { deepEqual, equal } from "node:assert/strict";
import { psl, run, STACKS } from "./_helpers.ts";

Deno.test("EDITPC: the emulation frame through 0xC8, current mode and stack, PSW cleared", () => {
  const start = psl({ cur: 3, prv: 3, iv: true, cc: 15 });
  const r = run(
    `e:  EDITPC #3,@#^X3000,@#^X3100,@#^X3200
     n:  HALT
     .ALIGN LONG
     h:  MOVPSL R6
         HALT`,
    { psl: start, vectors: { 0xc8: "h" } },
  );
  // The handler runs in user mode; its HALT then faults into kernel mode.
  const sp = r.m.get("USP");
  equal(sp, STACKS.USP - 48, "on the user stack, no mode change");
  const frame = Array.from({ length: 12 }, (_, k) => {
    const b = r.m.readVirtual(sp + 4 * k, 4, 3);
    return (b[0]! | b[1]! << 8 | b[2]! << 16 | b[3]! << 24) >>> 0;
  });
  deepEqual(frame.slice(0, 6), [0x38, r.sym("e"), 3, 0x3000, 0x3100, 0x3200]);
  deepEqual(frame.slice(10), [r.sym("n"), start]);
  equal(r.m.get("R6"), psl({ cur: 3, prv: 3 }), "IV and CCs cleared");
});

Deno.test("CVTPL: a register destination is pushed as its complemented number", () => {
  const r = run(
    `CVTPL #2,@#^X3000,R7
     HALT
     .ALIGN LONG
h:   HALT`,
    { vectors: { 0xc8: "h" } },
  );
  const sp = r.m.get("SP");
  const l = (k: number) => {
    const b = r.m.readVirtual(sp + 4 * k, 4, 0);
    return (b[0]! | b[1]! << 8 | b[2]! << 16 | b[3]! << 24) | 0;
  };
  deepEqual([l(0), l(2), l(3), l(4)], [0x36, 2, 0x3000, ~7]);
});

Deno.test("With PSL<FPD> set: PC and PSL through 0xCC", () => {
  const start = psl({ fpd: true, ipl: 2 });
  const r = run(
    `e:  MATCHC #1,@#^X3000,#1,@#^X3100
     HALT
     .ALIGN LONG
h:   HALT`,
    { psl: start, vectors: { 0xcc: "h" } },
  );
  equal(r.m.get("SP"), STACKS.KSP - 8);
  const b = r.m.readVirtual(STACKS.KSP - 8, 8, 0);
  const dv = new DataView(b.buffer, b.byteOffset);
  deepEqual([dv.getUint32(0, true), dv.getUint32(4, true)], [
    r.sym("e"),
    start,
  ]);
});

Deno.test("H floating and octaword: reserved instruction at the opcode, operands not decoded", () => {
  // The operand would fault (absolute address outside memory) if decoded.
  const r = run("MOVO @#^X7FFFFFF0,R0\n HALT", { regs: { R0: 1 } });
  equal(r.vector, 0x10);
  equal(r.m.get("R0"), 1);
  equal(run("ADDH2 R0,R4\n HALT").vector, 0x10);
});
