// Exceptions and interrupts through the SCB (section 5): dispatch, frames,
// stack choice, new PSL, trace, software interrupts, halts, KSNV.
import { deepEqual, equal } from "node:assert/strict";
import {
  cc,
  hexBytes,
  PROT,
  psl,
  pte,
  pteAddress,
  run,
  stack,
  STACKS,
  STUB_BASE,
} from "./_helpers.ts";

const USER = psl({ cur: 3, prv: 3 });

Deno.test("3.1 RIF for reserved opcodes: 0x57, 0x59, 0x77, 0xFD 0x31, 0xFE, 0xFF", () => {
  for (const op of [0x57, 0x59, 0x77, 0xfd, 0xfe, 0xff]) {
    const start = psl({ ipl: 3, cc: cc("NC") });
    // (0xFD 0x50 is MOVG; 0xFD 0x31 is no instruction.)
    const second = op === 0xfd ? 0x31 : 0x50;
    const r = run(new Uint8Array([op, second, 0x50, 0x50, 0x50, 0x50]), {
      psl: start,
    });
    equal(r.vector, 0x10, `opcode ${op.toString(16)}`);
    deepEqual(stack(r.m, 2), [0x1000, start]);
    equal(r.m.get("SP"), STACKS.KSP - 8);
    // New PSL: kernel, PRV = old mode, IPL unchanged (vector<0> = 0), CCs 0.
    equal(r.m.psl, psl({ ipl: 3 }));
  }
});

Deno.test("3.1 RIF from user mode: kernel stack, PRV_MOD = user, USP saved", () => {
  const start = psl({ cur: 3, prv: 3, iv: true, dv: true, fu: true, cc: 15 });
  const r = run(new Uint8Array([0xff]), { psl: start });
  equal(r.vector, 0x10);
  deepEqual(stack(r.m, 2), [0x1000, start]);
  equal(r.m.psl, psl({ prv: 3 }), "T IV FU DV and CCs cleared");
  equal(r.m.get("SP"), STACKS.KSP - 8);
  equal(r.m.get("USP"), STACKS.USP);
});

Deno.test("3.1 RIF when PSL<FPD> = 1 at the start of any instruction", () => {
  const start = psl({ fpd: true, ipl: 1 });
  const r = run("NOP\n HALT", { psl: start });
  equal(r.vector, 0x10);
  deepEqual(stack(r.m, 2), [0x1000, start]);
  equal(r.m.psl, psl({ ipl: 1 }), "FPD cleared in the new PSL");
});

Deno.test("4.1 BPT: fault through 0x2C, saved PC = the BPT", () => {
  const r = run("NOP\nbpt: BPT\n HALT", { psl: psl({ cur: 2, prv: 3 }) });
  equal(r.vector, 0x2c);
  deepEqual(stack(r.m, 2), [r.sym("bpt"), psl({ cur: 2, prv: 3 })]);
  equal(r.m.psl, psl({ prv: 2 }));
  equal(r.m.get("SSP"), STACKS.SSP);
});

Deno.test("5.4 ACV frame: mask, VA, PC, PSL (user read of a kernel page)", () => {
  const page = 0x4000;
  const r = run(`MOVL @#${page + 0x10},R0\n HALT`, {
    mapping: true,
    psl: USER | cc("Z"),
    longs: { [pteAddress(page)]: pte(page >>> 9, PROT.KW) },
  });
  equal(r.vector, 0x20);
  deepEqual(stack(r.m, 4), [0, page + 0x10, 0x1000, USER | cc("Z")]);
  equal(r.m.get("SP"), STACKS.KSP - 16);
  equal(r.m.psl, psl({ prv: 3 }));
});

Deno.test("5.4 TNV frame: mask (write), VA, PC, PSL", () => {
  const page = 0x4000;
  const r = run(`CLRL @#${page + 0x20}\n HALT`, {
    mapping: true,
    longs: { [pteAddress(page)]: pte(page >>> 9, PROT.UW, false) },
  });
  equal(r.vector, 0x24);
  deepEqual(stack(r.m, 4), [4, page + 0x20, 0x1000, 0]);
});

Deno.test("5.5 vector<0> = 1: interrupt stack, IPL 31, KSP/USP saved, handler at vector & ~3", () => {
  const r = run(
    `       BPT
        HALT
        .ALIGN LONG
h:      HALT`,
    { psl: USER, vectors: { 0x2c: "h+1" } },
  );
  equal(r.m.get("PC"), r.sym("h") + 1, "PC <- vector<31:2>");
  equal(r.m.get("SP"), STACKS.ISP - 8);
  deepEqual(stack(r.m, 2), [0x1000, USER]);
  equal(r.m.psl, psl({ is: true, ipl: 31, prv: 3 }));
  equal(r.m.get("USP"), STACKS.USP);
  equal(r.m.get("KSP"), STACKS.KSP);
});

Deno.test("5.5 exceptions taken on the interrupt stack stay on it; IPL unchanged for vector<0> = 0", () => {
  const start = psl({ is: true, ipl: 5 });
  const r = run("BPT\n HALT", { psl: start });
  equal(r.vector, 0x2c);
  equal(r.m.get("SP"), STACKS.ISP - 8);
  deepEqual(stack(r.m, 2), [0x1000, start]);
  equal(r.m.psl, psl({ is: true, ipl: 5 }));
  equal(r.m.get("KSP"), STACKS.KSP);
});

Deno.test("5.5 exception from the kernel stack with vector<0> = 0 stays on the kernel stack", () => {
  const start = psl({ ipl: 7, prv: 1 });
  const r = run("BPT\n HALT", { psl: start });
  equal(r.m.get("SP"), STACKS.KSP - 8);
  equal(r.m.psl, psl({ ipl: 7 }));
  equal(r.m.get("ISP"), STACKS.ISP);
});

Deno.test("5.1 SCB vector with bit 1 set: the processor halts", () => {
  for (const bits of [2, 3]) {
    const r = run("BPT\n HALT", { vectors: { 0x2c: STUB_BASE + 0x2c + bits } });
    equal(r.result.stop, "halt");
    equal(r.vector, -1, "no handler ran");
    equal(r.m.halted, true);
    equal(r.m.haltReason, "invalid SCB vector");
  }
});

Deno.test("5.3 trace: T set by BISPSW traces the following instruction, PC = next, TP clear in the frame", () => {
  const r = run(
    `       BISPSW #^X10
n1:     NOP
n2:     HALT`,
  );
  equal(r.vector, 0x28);
  deepEqual(stack(r.m, 2), [r.sym("n2"), psl({ t: true })]);
  equal(r.m.psl, 0, "new PSL has T and TP clear");
});

Deno.test("5.3 trace: TP set at a boundary is taken before any instruction", () => {
  const r = run("MOVL #1,R0\n HALT", { psl: psl({ tp: true, cc: cc("V") }) });
  equal(r.vector, 0x28);
  equal(r.m.get("R0"), 0);
  deepEqual(stack(r.m, 2), [0x1000, psl({ cc: cc("V") })]);
});

Deno.test("5.3 trace: each instruction executed with T traps once", () => {
  // Handler counts traces and returns; the program runs 3 instructions.
  const r = run(
    `       MOVL #1,R1
        MOVL #2,R2
        MOVL #3,R3
fin:    HALT
        .ALIGN LONG
h:      INCL R10
        REI`,
    {
      psl: psl({ t: true }),
      regs: { R10: 0 },
      vectors: { 0x28: "h" },
    },
  );
  // The final kernel HALT stops the processor while it executes.
  equal(r.m.get("R10"), 3);
  deepEqual([r.m.get("R1"), r.m.get("R2"), r.m.get("R3")], [1, 2, 3]);
  equal(r.m.get("PC"), r.sym("fin") + 1);
});

Deno.test("5.3 trace: a fault clears TP (frame PSL has T=1, TP=0)", () => {
  const r = run("BISPSW #^X100\n HALT", { psl: psl({ t: true }) });
  equal(r.vector, 0x18);
  deepEqual(stack(r.m, 2), [0x1000, psl({ t: true })]);
});

Deno.test("5.3 trace: BPT clears TP before its exception", () => {
  const r = run("BPT\n HALT", { psl: psl({ t: true }) });
  equal(r.vector, 0x2c);
  deepEqual(stack(r.m, 2), [0x1000, psl({ t: true })]);
});

Deno.test("5.3 order: the arithmetic trap comes before the trace (frame PSL keeps TP)", () => {
  const r = run(
    `       ADDL2 #1,R0
next:   HALT
        .ALIGN LONG
h:      ADDL2 #4,SP
        REI`,
    {
      psl: psl({ t: true, iv: true }),
      regs: { R0: 0x7fffffff },
      vectors: { 0x34: "h" },
    },
  );
  // After the handler's REI restores TP, the trace is taken at 'next'.
  equal(r.vector, 0x28);
  deepEqual(stack(r.m, 2), [
    r.sym("next"),
    psl({ t: true, iv: true, cc: cc("NV") }),
  ]);
});

Deno.test("5.3 the arithmetic trap frame PSL includes TP when T was set", () => {
  const r = run("ADDL2 #1,R0\nnext: HALT", {
    psl: psl({ t: true, iv: true }),
    regs: { R0: 0x7fffffff },
  });
  equal(r.vector, 0x34);
  deepEqual(stack(r.m, 3), [
    1,
    r.sym("next"),
    psl({ t: true, tp: true, iv: true, cc: cc("NV") }),
  ]);
});

Deno.test("5.2/9.3 software interrupt: SIRR sets SISR<n>; taken when IPL drops below n", () => {
  const start = psl({ ipl: 31 });
  const r = run(
    `       MTPR #5,#PR$_SIRR
        MFPR #PR$_SISR,R0
        MTPR #4,#PR$_IPL
after:  HALT`,
    { psl: start },
  );
  equal(r.m.get("R0"), 0x20);
  equal(r.vector, 0x80 + 4 * 5);
  deepEqual(stack(r.m, 2), [r.sym("after"), psl({ ipl: 4 })]);
  equal(r.m.get("SISR"), 0, "the taken level's SISR bit is cleared");
  equal(r.m.psl, psl({ ipl: 5 }), "IPL = level, PRV_MOD = kernel");
  equal(r.m.get("SP"), STACKS.KSP - 8);
});

Deno.test("5.5 software interrupt at IPL 0 is taken right after the requesting MTPR", () => {
  const r = run(
    `       MTPR #3,#PR$_SIRR
next:   MOVL #1,R0
        HALT`,
    { regs: { R0: 0 } },
  );
  equal(r.vector, 0x8c);
  equal(r.m.get("R0"), 0);
  deepEqual(stack(r.m, 2), [r.sym("next"), 0]);
});

Deno.test("5.5 the highest pending level is taken first; a level equal to IPL waits", () => {
  let r = run(
    `       MTPR #3,#PR$_SIRR
        MTPR #7,#PR$_SIRR
        MTPR #0,#PR$_IPL
        HALT`,
    { psl: psl({ ipl: 31 }) },
  );
  equal(r.vector, 0x9c);
  equal(r.m.get("SISR"), 1 << 3);
  equal(r.m.psl, psl({ ipl: 7 }));
  r = run(
    `       MTPR #5,#PR$_SIRR
        HALT`,
    { psl: psl({ ipl: 5 }) },
  );
  equal(r.vector, -1);
  equal(r.m.get("SISR"), 1 << 5);
});

Deno.test("5.5 interrupt taken in user mode: kernel stack, saved user PSL, PRV_MOD = kernel", () => {
  const r = run(
    `       MTPR #2,#PR$_SIRR
        PUSHL #${USER}
        PUSHAB user
        REI
user:   MOVL #1,R0
        HALT`,
    { psl: psl({ ipl: 31 }), regs: { R0: 0 } },
  );
  equal(r.vector, 0x88);
  equal(r.m.get("R0"), 0);
  equal(r.m.get("SP"), STACKS.KSP - 8);
  deepEqual(stack(r.m, 2), [r.sym("user"), USER]);
  equal(r.m.psl, psl({ ipl: 2 }));
  equal(r.m.get("USP"), STACKS.USP);
});

Deno.test("5.5 interrupt through a vector with bit 0: interrupt stack, IPL = level (not 31)", () => {
  const r = run(
    `       MTPR #6,#PR$_SIRR
        HALT
h:      HALT`,
    { vectors: { 0x98: "h+1" } },
  );
  equal(r.m.get("PC"), r.sym("h") + 1);
  equal(r.m.psl, psl({ is: true, ipl: 6 }));
  equal(r.m.get("SP"), STACKS.ISP - 8);
  equal(r.m.get("KSP"), STACKS.KSP);
});

Deno.test("5.5 kernel stack not valid: exception push fails -> SCB 0x08 on the interrupt stack at IPL 31", () => {
  const page = STACKS.KSP - 0x200;
  const r = run("BPT\n HALT", {
    mapping: true,
    psl: USER,
    longs: { [pteAddress(page)]: pte(page >>> 9, PROT.KW, false) },
  });
  equal(r.vector, 0x08);
  // IS, CUR_MOD, IPL (the rest of the frame and PRV_MOD are UNCONFIRMED).
  equal(r.m.psl & 0x071f0000, psl({ is: true, ipl: 31 }));
  equal(r.m.get("SP"), STACKS.ISP - 8, "two longwords (PC, PSL) on the ISP");
});

Deno.test("5.5 kernel stack not valid also for a kernel-stack length violation", () => {
  // KSP in P0 beyond P0LR.
  const r = run("BPT\n HALT", {
    mapping: true,
    psl: USER,
    regs: { KSP: 0x20100 },
  });
  equal(r.vector, 0x08);
  equal(r.m.get("SP"), STACKS.ISP - 8);
});

Deno.test("Appendix A: an exception while pushing onto the interrupt stack halts", () => {
  const page = STACKS.ISP - 0x200;
  const r = run("BPT\n HALT", {
    mapping: true,
    vectors: { 0x2c: STUB_BASE + 0x2c + 1 },
    longs: { [pteAddress(page)]: pte(page >>> 9, PROT.KW, false) },
  });
  equal(r.m.halted, true);
  equal(r.vector, -1);
  equal(r.result.stop, "halt");
});

Deno.test("5.4 every exception with a hand-encoded program saves the complete PSL", () => {
  const start = psl({ cur: 1, prv: 2, iv: true, cc: cc("NZVC") });
  const r = run(hexBytes("01 03"), { psl: start }); // NOP ; BPT
  equal(r.vector, 0x2c);
  deepEqual(stack(r.m, 2), [0x1001, start]);
  equal(r.m.psl, psl({ prv: 1 }));
  equal(r.m.get("ESP"), STACKS.ESP);
});

Deno.test("5.2 software interrupt levels 1 and 15 use vectors 0x84 and 0xBC", () => {
  for (const [level, vector] of [[1, 0x84], [15, 0xbc]]) {
    const r = run(`MTPR #${level},#PR$_SIRR\n HALT`);
    equal(r.vector, vector);
    equal(r.m.psl, psl({ ipl: level }));
  }
});

Deno.test("5.1 SCB vectors are read physically at SCBB + offset, whatever the mapping", () => {
  // P0 page 1 (VA 0x200, where the SCB sits physically) remapped elsewhere:
  // the BPT still finds its vector in physical memory.
  const r = run("BPT\n HALT", {
    mapping: true,
    longs: { [pteAddress(0x200)]: pte(0xa000 >>> 9, PROT.UW) },
  });
  equal(r.vector, 0x2c);
});

Deno.test("5.2/9.1 interval timer: IE requests IPL 0x16 interrupts through 0xC0", () => {
  const r = run(
    `       MTPR #^X40,#PR$_ICCS
        MFPR #PR$_ICCS,R0
loop:   BRB loop`,
  );
  equal(r.m.get("R0"), 0x40, "only IE reads back");
  equal(r.vector, 0xc0);
  deepEqual(stack(r.m, 2), [r.sym("loop"), 0]);
  equal(r.m.psl, psl({ ipl: 0x16 }));
});

Deno.test("5.2/9.2 console transmit: setting IE while RDY=1 interrupts at IPL 0x14 through 0xFC", () => {
  const r = run(
    `       MFPR #PR$_TXCS,R0
        MTPR #^X40,#PR$_TXCS
next:   HALT`,
  );
  equal(r.m.get("R0"), 0x80, "RDY after reset");
  equal(r.vector, 0xfc);
  deepEqual(stack(r.m, 2), [r.sym("next"), 0]);
  equal(r.m.psl, psl({ ipl: 0x14 }));
});

Deno.test("5.3 a device interrupt below the IPL waits", () => {
  const r = run(
    `       MTPR #^X40,#PR$_TXCS
        MTPR #^X14,#PR$_IPL
        MOVL #1,R0
        MTPR #^X13,#PR$_IPL
next:   HALT`,
    { psl: psl({ ipl: 0x1f }), regs: { R0: 0 } },
  );
  equal(r.m.get("R0"), 1);
  equal(r.vector, 0xfc);
  equal(stack(r.m, 1)[0], r.sym("next"));
});

Deno.test("5.3 order: a pending interrupt is taken before the trace; its frame PSL keeps TP", () => {
  const r = run("MTPR #3,#PR$_SIRR\nnext: HALT", { psl: psl({ t: true }) });
  equal(r.vector, 0x8c);
  deepEqual(stack(r.m, 2), [r.sym("next"), psl({ t: true, tp: true })]);
});

Deno.test("5.4 machine check on an instruction fetch beyond memory", () => {
  const r = run("JMP @#^X200000\n HALT");
  equal(r.vector, 0x04);
  const [count, code, va] = stack(r.m, 3);
  deepEqual([count, code, va], [0x10, 0x80, 0x200004]);
});
