// The rest of the integer set (src/machine/isa/integer.ts), with values
// worked out by hand from the architecture (vax-architecture.md section 4,
// SimH's vax_cpu.c for the edge cases named in the tests).
import { deepEqual, equal } from "node:assert/strict";
import { DATA, flags, psl, readL, run, stack, STACKS } from "./_helpers.ts";

const h = (v: number) => (v >>> 0).toString(16);

Deno.test("MOVQ, CLRQ: register pairs and memory, N and Z from the quadword, C kept", () => {
  const r = run(
    `MOVQ data,R2
     MOVPSL R6
     MOVQ R2,@#${DATA + 0x10}
     CLRQ R4
     MOVPSL R7
     HALT
     .ALIGN LONG
data: .LONG ^X11223344, ^X80000000`,
    { psl: 1 },
  );
  equal(h(r.m.get("R2")), "11223344");
  equal(h(r.m.get("R3")), "80000000");
  equal(flags(r.m.get("R6")), "NC");
  deepEqual([readL(r.m, DATA + 0x10), readL(r.m, DATA + 0x14)], [
    0x11223344,
    0x80000000,
  ]);
  equal(r.m.get("R4"), 0);
  equal(r.m.get("R5"), 0);
  equal(flags(r.m.get("R7")), "ZC");
});

Deno.test("MOVQ to R14 (the pair would be SP, PC): reserved addressing mode", () => {
  const r = run("MOVQ R0,SP\n HALT");
  equal(r.vector, 0x1c);
});

Deno.test("EMUL: 64-bit product plus addend; EDIV: quotient and remainder", () => {
  const r = run(
    `EMUL #^X10000,#^X10000,#-1,R2     ; 2^32 - 1
     MOVPSL R9
     EMUL #-3,#7,#0,R4                 ; -21
     EDIV #7,R4,R6,R7                  ; -21 / 7 = -3 rem 0
     MOVQ big,R0
     EDIV #-10,R0,R8,R10               ; 2^33+5 / -10 overflows? no: -858993459 rem 5
     HALT
     .ALIGN LONG
big: .LONG 5, 2`,
  );
  equal(h(r.m.get("R2")), "ffffffff");
  equal(r.m.get("R3"), 0);
  equal(flags(r.m.get("R9")), "");
  equal(r.m.get("R4") | 0, -21);
  equal(r.m.get("R5") | 0, -1);
  equal(r.m.get("R6") | 0, -3);
  equal(r.m.get("R7"), 0);
  // 8589934597 / -10 = -858993459.7 -> -858993459, remainder 7 (sign of dividend)
  equal(r.m.get("R8") | 0, -858993459);
  equal(r.m.get("R10"), 7);
  equal(flags(r.m.psl), "N");
});

Deno.test("EDIV: quotient overflow keeps the low dividend, remainder 0, V; divide by zero traps", () => {
  const r = run(
    `MOVQ big,R0
     EDIV #2,R0,R2,R3         ; 2^32 / 2 = 2^31 does not fit
     MOVPSL R4
     EDIV #0,R0,R5,R6
     HALT
     .ALIGN LONG
big: .LONG 0, 1`,
    { regs: { R3: 0x55, R6: 0x55 } },
  );
  equal(r.m.get("R2"), 0);
  equal(r.m.get("R3"), 0);
  equal(flags(r.m.get("R4")), "ZV");
  // Divide by zero: same results, then the arithmetic trap, type 2.
  equal(r.vector, 0x34);
  equal(r.m.get("R5"), 0);
  equal(r.m.get("R6"), 0);
  equal(stack(r.m, 1)[0], 2);
});

Deno.test("ASHQ: left with overflow, right arithmetic, counts beyond 63", () => {
  const r = run(
    `MOVQ one,R0
     ASHQ #63,R0,R2        ; 1 << 63: sign changes -> V
     MOVPSL R8
     ASHQ #-4,R2,R4        ; arithmetic: F8000000 00000000
     ASHQ #-100,R2,R6      ; all sign bits
     HALT
     .ALIGN LONG
one: .LONG 1, 0`,
  );
  deepEqual([h(r.m.get("R2")), h(r.m.get("R3"))], ["0", "80000000"]);
  equal(flags(r.m.get("R8")), "NV");
  deepEqual([h(r.m.get("R4")), h(r.m.get("R5"))], ["0", "f8000000"]);
  deepEqual([h(r.m.get("R6")), h(r.m.get("R7"))], ["ffffffff", "ffffffff"]);
});

Deno.test("ADWC, SBWC: carry chains of a 64-bit add and subtract", () => {
  const r = run(
    `MOVL #-1,R0
     CLRL R1
     ADDL2 #1,R0           ; C = 1
     ADWC #0,R1            ; R1 = 1
     MOVPSL R6
     CLRL R2
     CLRL R3
     SUBL2 #1,R2           ; borrow
     SBWC #0,R3            ; R3 = -1, borrow again
     MOVPSL R7
     MOVL #^X7FFFFFFF,R4
     BISPSW #1
     ADWC #0,R4            ; overflow
     HALT`,
  );
  equal(r.m.get("R0"), 0);
  equal(r.m.get("R1"), 1);
  equal(flags(r.m.get("R6")), "");
  equal(h(r.m.get("R3")), "ffffffff");
  equal(flags(r.m.get("R7")), "NC");
  equal(h(r.m.get("R4")), "80000000");
  equal(flags(r.m.psl), "NV");
});

Deno.test("ADAWI: word add with carry; an odd address is a reserved operand", () => {
  const ok = run(
    `ADAWI #1,@#${DATA}\n HALT`,
    { longs: { [DATA]: 0x1234ffff } },
  );
  equal(h(readL(ok.m, DATA)), "12340000");
  equal(flags(ok.m.psl), "ZC");
  const odd = run(`ADAWI #1,@#${DATA + 1}\n HALT`);
  equal(odd.vector, 0x18);
});

Deno.test("INDEX: (indexin + subscript) * size; out of range requests trap 7", () => {
  const r = run(
    `INDEX #3,#0,#9,#4,#2,R0    ; (2 + 3) * 4 = 20
     INDEX #10,#0,#9,#4,#0,R1   ; subscript 10 > 9: trap after storing 40
     HALT`,
  );
  equal(r.m.get("R0"), 20);
  equal(r.m.get("R1"), 40);
  equal(r.vector, 0x34);
  equal(stack(r.m, 1)[0], 7);
});

Deno.test("CASEB, CASEW: in range through the table, out of range past it", () => {
  const r = run(
    `CASEB #5,#4,#1
t1:  .WORD b-t1, a-t1
     HALT
a:   MOVL #1,R0
     CASEW #7,#4,#1
t2:  .WORD c-t2, c-t2
     MOVL #2,R1
     HALT
b:   HALT
c:   HALT`,
  );
  equal(r.m.get("R0"), 1);
  equal(r.m.get("R1"), 2, "CASEW #7 is 3 above base: past the table");
});

Deno.test("ACBB, ACBW: signed compare by the sign of the addend", () => {
  const r = run(
    `CLRL R0
     CLRL R1
l1:  INCL R1
     ACBB #10,#2,R0,l1          ; 0,2,...,10 -> 6 passes
     MOVW #5,R2
     CLRL R3
l2:  INCL R3
     ACBW #-5,#-5,R2,l2         ; 5,0,-5 -> 3 passes
     HALT`,
  );
  equal(r.m.get("R1"), 6);
  equal(r.m.get("R3"), 3);
});

Deno.test("PUSHR, POPR: R0 at the lowest address; a popped SP is loaded", () => {
  const r = run(
    `MOVL #1,R0
     MOVL #2,R1
     MOVL #3,R5
     PUSHR #^M<R0,R1,R5>
     MOVL SP,R6
     CLRL R0
     CLRL R1
     CLRL R5
     POPR #^M<R0,R1,R5>
     HALT`,
  );
  equal(r.m.get("R6"), STACKS.KSP - 12);
  deepEqual(
    [readL(r.m, STACKS.KSP - 12), readL(r.m, STACKS.KSP - 8)],
    [1, 2],
  );
  deepEqual([r.m.get("R0"), r.m.get("R1"), r.m.get("R5")], [1, 2, 3]);
  equal(r.m.get("SP"), STACKS.KSP);
});

Deno.test("CVTBW, CVTWB; XFC faults through 0x14 with PC = XFC", () => {
  const r = run(
    `CVTBW #^X80,R0
     CVTWB #^X100,R1
     MOVPSL R2
     x: XFC
     HALT`,
    { regs: { R0: 0x12340000 } },
  );
  equal(h(r.m.get("R0")), "1234ff80");
  equal(flags(r.m.get("R2")), "ZV");
  equal(r.vector, 0x14);
  equal(stack(r.m, 1)[0], r.sym("x"));
  equal(r.m.psl, psl({}));
});
