// CALLS, CALLG and RET: frames word by word (section 12, 4.13).
import { deepEqual, equal } from "node:assert/strict";
import {
  DATA,
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

const CALLS_SRC = (body: string) => `
start:  PUSHL #^X22
        PUSHL #^X11
        CALLS #2,proc
ret:    HALT
proc:   .WORD ^M<R2,R5,IV>
        ${body}`;

const CALLER = {
  R2: 0x222,
  R5: 0x555,
  AP: 0xaaaa,
  FP: 0xffff,
};

Deno.test("12.2 CALLS frame: numarg, saved registers, PC, FP, AP, mask/PSW, handler", () => {
  const start = psl({ dv: true, fu: true, cc: 0x9 });
  const r = run(CALLS_SRC("HALT"), { regs: CALLER, psl: start });
  const top = STACKS.KSP - 8 - 4 - 8 - 20; // args, numarg, R2 R5, 5 longwords
  equal(r.m.get("SP"), top);
  equal(r.m.get("FP"), top, "FP <- SP (the handler longword)");
  equal(r.m.get("AP"), STACKS.KSP - 12, "AP <- the numarg longword");
  deepEqual(stack(r.m, 10), [
    0, // condition handler
    // SPA 0 <31:30>, S=1 <29>, mask<11:0> <27:16>, PSW<15:5>, 0 <4:0>
    (1 << 29 | 0x024 << 16 | 0xc0) >>> 0,
    0xaaaa, // saved AP
    0xffff, // saved FP
    r.sym("ret"), // saved PC
    0x222, // R2
    0x555, // R5
    2, // numarg
    0x11,
    0x22,
  ]);
  // PSW: DV <- mask<15> = 0, IV <- mask<14> = 1, FU <- 0, NZVC <- 0.
  equal(r.m.psl, psl({ iv: true }));
  equal(r.m.get("PC"), r.sym("proc") + 3, "PC <- dst + 2");
});

Deno.test("12.3 RET after CALLS restores registers, pops the arguments, PSW from the frame", () => {
  const start = psl({ dv: true, fu: true, cc: 0x9 });
  const r = run(
    CALLS_SRC(`CLRL R2
        CLRL R5
        MOVL #7,R0
        MOVL #-1,AP
        RET`),
    { regs: CALLER, psl: start },
  );
  equal(r.m.get("PC"), r.sym("ret") + 1);
  deepEqual(
    [r.m.get("R2"), r.m.get("R5"), r.m.get("AP"), r.m.get("FP")],
    [0x222, 0x555, 0xaaaa, 0xffff],
  );
  equal(r.m.get("R0"), 7, "R0 was not in the mask");
  equal(r.m.get("SP"), STACKS.KSP, "numarg and both arguments popped");
  // PSW <- saved PSW<15:5>: DV and FU back, IV (set by the call) cleared, CCs 0.
  equal(r.m.psl, psl({ dv: true, fu: true }));
});

Deno.test("12.2 CALLG with an unaligned SP: SPA in <31:30>, S=0, AP = arglist", () => {
  const r = run(
    `start:  CALLG @#${DATA},proc
ret:    HALT
proc:   .WORD ^M<R11,DV>
        HALT`,
    { regs: { SP: STACKS.KSP - 2, R11: 0xb0b, AP: 1, FP: 2 } },
  );
  // SP 0x5FFE: SPA = 2, aligned to 0x5FFC; R11, PC, FP, AP, word, 0.
  const top = STACKS.KSP - 4 - 4 - 20;
  equal(r.m.get("SP"), top);
  equal(r.m.get("FP"), top);
  equal(r.m.get("AP"), DATA);
  deepEqual(stack(r.m, 6), [
    0,
    (2 << 30 | 0x800 << 16) >>> 0,
    1,
    2,
    r.sym("ret"),
    0xb0b,
  ]);
  equal(r.m.psl, psl({ dv: true }));
});

Deno.test("12.3 RET after CALLG restores the unaligned SP and pops no arguments", () => {
  const r = run(
    `start:  CALLG @#${DATA},proc
ret:    HALT
proc:   .WORD ^M<R11,DV>
        CLRL R11
        RET`,
    { regs: { SP: STACKS.KSP - 2, R11: 0xb0b, AP: 1, FP: 2 } },
  );
  equal(r.m.get("PC"), r.sym("ret") + 1);
  equal(r.m.get("SP"), STACKS.KSP - 2);
  deepEqual([r.m.get("R11"), r.m.get("AP"), r.m.get("FP")], [0xb0b, 1, 2]);
  equal(r.m.psl, 0);
});

Deno.test("12.2/12.3 CALLS with SP<1:0> = 1: numarg pushed before the alignment", () => {
  const r = run(
    `start:  PUSHL #5
        CALLS #1,proc
ret:    HALT
proc:   .WORD 0
        MOVL AP,R0
        MOVL 4(FP),R1
        MOVL 4(AP),R2
        RET`,
    { regs: { SP: STACKS.KSP + 1 } },
  );
  // SP 0x6001 -> push 5 at 0x5FFD, numarg at 0x5FF9 (AP), align to 0x5FF8.
  equal(r.m.get("R0"), STACKS.KSP - 7);
  equal(r.m.get("R1"), (1 << 30 | 1 << 29) >>> 0);
  equal(r.m.get("R2"), 5, "the argument follows numarg");
  equal(r.m.get("SP"), STACKS.KSP + 1, "RET undoes the alignment and pops");
  equal(r.m.get("PC"), r.sym("ret") + 1);
});

Deno.test("12.2 CALLG saving all of R0-R11: R0 at the lowest address", () => {
  const regs: Record<string, number> = {};
  for (let n = 0; n < 12; n++) regs[`R${n}`] = 0x100 + n;
  const r = run(
    `start:  CALLG @#${DATA},proc
ret:    HALT
proc:   .WORD ^X0FFF
        HALT`,
    { regs },
  );
  const frame = stack(r.m, 5 + 12);
  equal(frame[1], 0x0fff << 16);
  deepEqual(frame.slice(5), Array.from({ length: 12 }, (_, n) => 0x100 + n));
  equal(r.m.get("SP"), STACKS.KSP - 4 * 17);
});

Deno.test("12.3 RET restores every saved register and only those", () => {
  const regs: Record<string, number> = {};
  for (let n = 0; n < 12; n++) regs[`R${n}`] = 0x100 + n;
  const body = Array.from({ length: 12 }, (_, n) => `CLRL R${n}`).join("\n");
  const r = run(
    `start:  CALLS #0,proc
ret:    HALT
proc:   .WORD ^M<R1,R3,R5,R7,R9,R11>
        ${body}
        RET`,
    { regs },
  );
  for (let n = 0; n < 12; n++) {
    equal(r.m.get(`R${n}`), n % 2 === 1 ? 0x100 + n : 0, `R${n}`);
  }
  equal(r.m.get("SP"), STACKS.KSP);
});

Deno.test("12.3 RET takes PSW<7:0> from the frame (software may change it)", () => {
  const r = run(
    `start:  CALLS #0,proc
ret:    HALT
proc:   .WORD 0
        BISL2 #^X25,4(FP)
        RET`,
  );
  equal(r.m.get("PC"), r.sym("ret") + 1);
  equal(r.m.psl, psl({ iv: true, cc: 0x5 }));
});

Deno.test("12.1 entry mask bits 13:12 non-zero: ROF, nothing changed", () => {
  for (const mask of [0x1000, 0x2000, 0x3004]) {
    for (const op of ["CALLS #0", `CALLG @#${DATA}`]) {
      const r = run(
        `start:  ${op},proc
        HALT
proc:   .WORD ${mask}
        HALT`,
        { regs: { AP: 0xa, FP: 0xf } },
      );
      equal(r.vector, 0x18, `${op} mask ${mask.toString(16)}`);
      equal(r.m.get("SP"), STACKS.KSP - 8);
      deepEqual(stack(r.m, 2), [0x1000, 0]);
      deepEqual([r.m.get("AP"), r.m.get("FP")], [0xa, 0xf]);
      equal(readL(r.m, STACKS.KSP - 12), 0, "nothing pushed below");
    }
  }
});

Deno.test("12.3 RET with frame word <15:8> non-zero: ROF, nothing changed", () => {
  const r = run(
    `start:  CALLS #0,proc
        HALT
proc:   .WORD ^M<R2>
        BISL2 #^X100,4(FP)
        MOVL FP,R6
rt:     RET`,
    { regs: { R2: 0x22 } },
  );
  equal(r.vector, 0x18);
  deepEqual(stack(r.m, 2), [r.sym("rt"), psl({})]);
  equal(
    r.m.get("SP"),
    r.m.get("R6") - 8,
    "SP still at the frame (then the fault frame)",
  );
  equal(r.m.get("FP"), r.m.get("R6"));
});

Deno.test("12.2 CALLS probes the whole frame before writing (fault, nothing pushed)", () => {
  // User mode; the page below the user stack page is kernel read-only.
  const sp = 0x7608;
  const user = psl({ cur: 3, prv: 3 });
  const r = run(
    `start:  CALLS #3,proc
        HALT
proc:   .WORD ^M<R0,R1>
        HALT`,
    {
      mapping: true,
      psl: user,
      regs: { SP: sp },
      longs: { [pteAddress(0x7400)]: pte(0x7400 >>> 9, PROT.KR) },
    },
  );
  equal(r.vector, 0x20);
  const [mask, va, pc, saved] = stack(r.m, 4);
  equal(mask, 4, "write intent");
  equal(
    va! >= 0x7400 && va! < 0x7600,
    true,
    "the failing VA is in the read-only page",
  );
  equal(pc, 0x1000);
  equal(saved, user);
  equal(r.m.get("USP"), sp, "SP unchanged");
  equal(readL(r.m, sp - 4), 0, "numarg not written");
  equal(flags(r.m.psl), "");
});

Deno.test("12.3 RET ignores bit 28 of the frame's mask/PSW longword", () => {
  const r = run(
    `start:  CALLS #0,proc
ret:    HALT
proc:   .WORD 0
        BISL2 #^X10000000,4(FP)
        RET`,
  );
  equal(r.vector, -1);
  equal(r.m.get("PC"), r.sym("ret") + 1);
  equal(r.m.get("SP"), STACKS.KSP);
});
