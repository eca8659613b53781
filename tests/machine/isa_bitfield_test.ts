// Bit fields (src/machine/isa/bitfield.ts; vax-architecture.md 4.10 and
// SimH's op_extv/op_insv/op_bb_x): register and memory bases, fields that
// cross a register or a longword, and the reserved-operand rules.
import { equal } from "node:assert/strict";
import { DATA, flags, readL, run } from "./_helpers.ts";

const h = (v: number) => (v >>> 0).toString(16);

Deno.test("EXTV, EXTZV: register base, field continuing into the next register", () => {
  const r = run(
    `MOVL #^XF0000000,R2
     MOVL #^X00000005,R3
     EXTZV #28,#8,R2,R0       ; bits 28..35 of R3:R2 = 0x5F
     EXTV #28,#4,R2,R1        ; 0xF sign-extended = -1
     HALT`,
  );
  equal(h(r.m.get("R0")), "5f");
  equal(r.m.get("R1") | 0, -1);
  equal(flags(r.m.psl), "N");
});

Deno.test("EXTZV, EXTV: memory base, negative position, field across longwords", () => {
  const r = run(
    `EXTZV #-4,#8,@#${DATA + 4},R0   ; bits 28..35 from DATA
     EXTV #30,#4,@#${DATA},R1        ; bits 30..33: 1,0 | 1,1 -> 0b1101 = -3
     EXTZV #0,#0,@#${DATA},R2        ; empty field: 0, Z
     HALT`,
    { longs: { [DATA]: 0x40000000, [DATA + 4]: 0x00000003 } },
  );
  equal(h(r.m.get("R0")), "34");
  equal(r.m.get("R1") | 0, -3);
  equal(r.m.get("R2"), 0);
  equal(flags(r.m.psl), "Z");
});

Deno.test("Bit fields: size > 32 and register pos > 31 are reserved operands; a field past R14 is a reserved addressing mode", () => {
  equal(run("EXTZV #0,#33,R0,R1\n HALT").vector, 0x18);
  equal(run("EXTZV #32,#1,R0,R1\n HALT").vector, 0x18);
  equal(run("INSV R0,#-1,#1,R2\n HALT").vector, 0x18);
  equal(run("EXTZV #30,#4,SP,R1\n HALT").vector, 0x1c);
  // Size 0: nothing is checked.
  equal(run("EXTZV #99,#0,R0,R1\n HALT").vector, -1);
});

Deno.test("CMPV, CMPZV compare the field with a longword", () => {
  const r = run(
    `MOVL #^XF0,R2
     CMPV #4,#4,R2,#-1       ; -1 = -1
     MOVPSL R6
     CMPZV #4,#4,R2,#16      ; 15 < 16
     HALT`,
  );
  equal(flags(r.m.get("R6")), "Z");
  equal(flags(r.m.psl), "NC");
});

Deno.test("FFS, FFC: first set and first clear bit; none found gives pos + size and Z", () => {
  const r = run(
    `MOVL #^X00F00000,R2
     FFS #0,#32,R2,R0       ; 20
     FFC #20,#8,R2,R1       ; 24
     FFS #0,#16,R2,R3       ; none: 16
     HALT`,
  );
  equal(r.m.get("R0"), 20);
  equal(r.m.get("R1"), 24);
  equal(r.m.get("R3"), 16);
  equal(flags(r.m.psl), "Z");
});

Deno.test("INSV: register pair and memory across longwords", () => {
  const r = run(
    `CLRQ R2
     INSV #^XAB,#28,#8,R2           ; R2<31:28> = B, R3<3:0> = A
     INSV #^X3C,#30,#6,@#${DATA}    ; bits 30..35 of DATA
     HALT`,
    { longs: { [DATA]: 0, [DATA + 4]: 0xffffffff } },
  );
  equal(h(r.m.get("R2")), "b0000000");
  equal(h(r.m.get("R3")), "a");
  // 0x3C = 111100: bits 30,31 <- 0,0; bits 32..35 <- 1,1,1,1
  equal(h(readL(r.m, DATA)), "0");
  equal(h(readL(r.m, DATA + 4)), "ffffffff");
});

Deno.test("BBSS, BBCC, BBSC, BBCS, BBSSI, BBCCI: test, change, branch on the old bit", () => {
  const r = run(
    `CLRL R0
     BBSS #3,R0,no          ; old 0: no branch, now set
     BBSS #3,R0,y1          ; old 1: branch
     HALT
y1:  BBCC #3,R0,no          ; old 1: no branch, now clear
     BBCS #3,R0,y2          ; old 0: branch, now set
     HALT
y2:  BBSC #3,R0,y3          ; old 1: branch, now clear
     HALT
y3:  BBSSI #9,@#${DATA},no  ; memory: byte DATA+1 bit 1, old 0
     MOVL @#${DATA},R6
     BBCCI #9,@#${DATA},no  ; old 1: no branch, now clear
     BBCCI #9,@#${DATA},y4  ; old 0: branch
     HALT
y4:  MOVL #1,R5
     HALT
no:  HALT`,
    { longs: { [DATA]: 0 } },
  );
  equal(r.m.get("R5"), 1);
  equal(h(r.m.get("R6")), "200");
  equal(r.m.get("R0"), 0);
  equal(readL(r.m, DATA), 0);
  equal(run("BBSS #32,R0,.+3\n HALT").vector, 0x18);
});
