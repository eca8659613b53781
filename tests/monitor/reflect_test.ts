// Reflection (vm-extensions.md: "Every exception and interrupt taken while
// PSL<VM>=1 goes to the real kernel (the monitor) ... to reflect the event
// into the VM through the VM's own SCB"): exceptions and virtual
// interrupts reach the guest's handlers through the guest's SCB with the
// frame a bare VAX pushes (vax-architecture.md 5.4, 5.5), and interrupts
// only when the virtual IPL allows.
import { deepEqual, equal, ok } from "node:assert/strict";
import {
  asm,
  assertEquivalent,
  equivalent,
  monitorWithVm,
  prepare,
  PROT,
  psl,
  pte,
  pteAddress,
  readL,
  readLongs,
  runBoth,
  SPT,
  STACKS,
  stackTop,
  vectorTaken,
} from "./_helpers.ts";

const RIF = 0x10, ROF = 0x18, ACV = 0x20, TNV = 0x24, ARITH = 0x34;

/** A handler that records its own PSL and SP, then halts. */
const RECORD = `
        .ALIGN LONG
handler: MOVPSL R10
        MOVL SP, R9
        HALT`;

// ---------------------------------------------------------------------------
// Exceptions.

Deno.test("RIF from MTPR in virtual user mode: frame PC, PSL on the kernel stack", () => {
  const start = psl({ cur: 3, prv: 3, cc: 0b1001 });
  const p = equivalent(`MTPR #1, #PR$_IPL\n HALT\n${RECORD}`, {
    psl: start,
    vectors: { [RIF]: "handler" },
  });
  equal(p.vm.get("R9"), STACKS.KSP - 8);
  deepEqual(stackTop(p.vm, 2), [0x1000, start], "fault: PC of the MTPR");
  equal(p.vm.get("R10"), psl({ cur: 0, prv: 3 }), "kernel, PRV user, IPL kept");
  equal(p.vm.stats.exits["reserved instruction"], 1);
  equal(p.vm.stats.reflected, 1);
});

Deno.test("RIF from each virtual mode's privileged instructions goes through the guest's SCB", () => {
  for (let cur = 1; cur < 4; cur++) {
    for (
      const src of [
        "MTPR #1, #PR$_SISR",
        "MFPR #PR$_SCBB, R0",
        "HALT",
        "LDPCTX",
        "SVPCTX",
      ]
    ) {
      const p = equivalent(
        `${src}\n HALT\n${RECORD}`,
        {
          psl: psl({ cur, prv: cur }),
          vectors: { [RIF]: "handler" },
        },
        {},
        `${src} in mode ${cur}`,
      );
      equal(p.vm.get("R10"), psl({ cur: 0, prv: cur }));
    }
  }
});

Deno.test("ROF raised by the processor (BISPSW with high bits) and by the monitor (MTPR ASTLVL 5)", () => {
  for (const src of ["BISPSW #^X100", "MTPR #5, #PR$_ASTLVL", "MTPR #0, #99"]) {
    const p = equivalent(
      `${src}\n HALT\n${RECORD}`,
      {
        vectors: { [ROF]: "handler" },
        psl: psl({ ipl: 7, cc: 0b0010 }),
      },
      {},
      src,
    );
    deepEqual(stackTop(p.vm, 2), [0x1000, psl({ ipl: 7, cc: 0b0010 })]);
    equal(p.vm.get("R10"), psl({ ipl: 7 }), "IPL unchanged for exceptions");
  }
});

Deno.test("arithmetic traps: code, PC of the next instruction, PSL", () => {
  const cases: [string, number][] = [
    ["DIVL2 #0, R0", 2],
    ["BISPSW #^X20\n ADDL2 #1, R0", 1],
  ];
  for (const [src, code] of cases) {
    const a = asm(`MOVL #^X7FFFFFFF, R0\n ${src}\nnext: HALT\n${RECORD}`);
    const p = equivalent(
      a,
      {
        vectors: { [ARITH]: "handler" },
        psl: psl({ cur: 2, prv: 2 }),
      },
      {},
      src,
    );
    const frame = stackTop(p.vm, 3);
    equal(frame[0], code);
    equal(frame[1], a.symbol("next"), "trap: PC after the instruction");
    equal(p.vm.stats.exits.arithmetic, 1);
  }
});

Deno.test("exception vector with bit 0: serviced on the interrupt stack at IPL 31", () => {
  const p = equivalent(`MTPR #1, #PR$_IPL\n HALT\n${RECORD}`, {
    psl: psl({ cur: 3, prv: 3 }),
    vectors: { [RIF]: "handler+1" },
  });
  equal(p.vm.get("R9"), STACKS.ISP - 8);
  equal(p.vm.get("R10"), psl({ is: true, ipl: 31, prv: 3 }));
});

Deno.test("the guest's own SCBB is used (an SCB elsewhere in memory)", () => {
  const a = asm(`MTPR #^X3000, #PR$_SCBB
       MOVL #^X7777, R0
       BPT
       HALT
${RECORD}`);
  const p = equivalent(a, {
    longs: { [0x3000 + 0x2c]: a.symbol("handler") },
  });
  equal(p.vm.get("R10"), psl({}));
  equal(p.vm.stats.exits.breakpoint, 1);
});

Deno.test("an SCB vector with bit 1 set halts the VM as it halts the processor", () => {
  const p = equivalent(`BPT\n HALT`, { vectors: { 0x2c: 0x2002 } });
  equal(p.vm.halted, true);
  equal(p.vm.haltReason, "invalid SCB vector");
});

// ---------------------------------------------------------------------------
// Memory-management faults of the guest's own page tables.

const MM_CASES: [
  string,
  string,
  Record<number, number>,
  number,
  number,
  number,
][] = [
  // [what, instruction, PTE changes, mode, expected vector, mask]
  [
    "read of a KW page from user",
    "MOVL @#^X3000, R0",
    { [pteAddress(0x3000)]: pte(0x18, PROT.KW) },
    3,
    ACV,
    0,
  ],
  [
    "write of a UR page from user",
    "MOVL #1, @#^X3000",
    { [pteAddress(0x3000)]: pte(0x18, PROT.UR) },
    3,
    ACV,
    4,
  ],
  [
    "write of an ERKW page from executive",
    "CLRL @#^X3000",
    { [pteAddress(0x3000)]: pte(0x18, PROT.ERKW) },
    1,
    ACV,
    4,
  ],
  [
    "read of an NA page from kernel",
    "TSTL @#^X3000",
    { [pteAddress(0x3000)]: pte(0x18, PROT.NA) },
    0,
    ACV,
    0,
  ],
  ["P0 length violation", "MOVL @#^X20000, R0", {}, 3, ACV, 1],
  ["P0 length violation on write", "MOVL R0, @#^X20000", {}, 0, ACV, 5],
  ["P1 length violation", "MOVL @#^X7FFE0000, R0", {}, 2, ACV, 1],
  ["S0 length violation", "MOVL @#^X80020000, R0", {}, 0, ACV, 1],
  ["S1 reference", "MOVL @#^XC0000000, R0", {}, 0, ACV, 1],
  ["S0 page from user", "MOVL @#^X80003000, R0", {}, 3, ACV, 0],
  [
    "invalid PTE (TNV)",
    "MOVL @#^X3000, R0",
    { [pteAddress(0x3000)]: pte(0x18, PROT.UW, false) },
    3,
    TNV,
    0,
  ],
  [
    "invalid PTE on write (TNV)",
    "INCL @#^X3000",
    { [pteAddress(0x3000)]: pte(0x18, PROT.UW, false) },
    0,
    TNV,
    4,
  ],
  [
    "protection checked before valid",
    "MOVL @#^X3000, R0",
    { [pteAddress(0x3000)]: pte(0x18, PROT.KR, false) },
    3,
    ACV,
    0,
  ],
  [
    "double miss: the page-table page is invalid (TNV, PTE reference)",
    "MOVL @#^X10000, R0",
    { [SPT + 4 * 0xc2]: pte(0xc2, PROT.KW, false) },
    3,
    TNV,
    2,
  ],
  [
    "double miss on write",
    "MOVL R0, @#^X10004",
    { [SPT + 4 * 0xc2]: pte(0xc2, PROT.KW, false) },
    0,
    TNV,
    6,
  ],
];
for (const [what, src, changes, mode, vector, mask] of MM_CASES) {
  Deno.test(`guest page fault: ${what}: reflected with mask ${mask} and the VA, as bare`, () => {
    const a = asm(`${src}\n HALT\n${RECORD}`);
    const p = equivalent(a, {
      mapping: true,
      psl: psl({ cur: mode, prv: mode }),
      longs: changes,
      vectors: { [vector]: "handler" },
    });
    const frame = stackTop(p.vm, 4);
    equal(frame[0], mask, "mask");
    equal(frame[2], 0x1000, "fault: PC of the instruction");
    equal(p.vm.get("R10") >>> 24 & 3, 0);
    ok(p.vm.stats.reflected >= 1);
  });
}

Deno.test("kernel stack not valid while reflecting from user mode: severe, on the interrupt stack", () => {
  // KSP points into an invalid page: the push of the RIF frame fails.
  const a = asm(`MTPR #1, #PR$_IPL\n HALT\n${RECORD}`);
  const p = runBoth(a, {
    mapping: true,
    psl: psl({ cur: 3, prv: 3 }),
    regs: { KSP: 0x5000 },
    longs: { [pteAddress(0x4e00)]: pte(0x27, PROT.KW, false) },
    vectors: { 0x08: "handler" },
  });
  // Both keep the user's stack pointer: the failed push leaves the
  // interrupted mode's R14 as it was.
  equal(p.vm.get("USP"), 0x7800, "the user's stack pointer is kept");
  equal(p.bare.hw.get("USP"), 0x7800, "bare machine too");
  assertEquivalent(p);
  deepEqual(stackTop(p.vm, 2), [0x1000, psl({ cur: 3, prv: 3 })]);
  equal(p.vm.get("R10"), psl({ is: true, ipl: 31, prv: 3 }));
  equal(p.vm.stats.exits["reserved instruction"], 1);
});

Deno.test("kernel stack not valid from kernel mode", () => {
  const a = asm(`MOVL #^X5000, SP\n MTPR #0, #99\n HALT\n${RECORD}`);
  equivalent(a, {
    mapping: true,
    longs: { [pteAddress(0x4e00)]: pte(0x27, PROT.KW, false) },
    vectors: { 0x08: "handler" },
  });
});

Deno.test("interrupt stack not valid: the VM halts as the processor does", () => {
  const p = equivalent(`MTPR #1, #PR$_IPL\n HALT`, {
    mapping: true,
    psl: psl({ cur: 3, prv: 3 }),
    regs: { ISP: 0x5000 },
    longs: { [pteAddress(0x4e00)]: pte(0x27, PROT.KW, false) },
    vectors: { [RIF]: 0x401 },
  });
  equal(p.vm.haltReason, "exception while pushing on the interrupt stack");
});

// ---------------------------------------------------------------------------
// Virtual interrupts.

/**
 * A program that raises IPL to `block`, starts a device, counts in a loop
 * (long enough for the device to finish), reads the count of interrupts
 * taken so far, lowers IPL to `open` and halts. The handler counts, records
 * its PSL and the frame, and returns.
 */
function interruptProgram(start: string, block: number, open: number): string {
  return `
        MTPR #${block}, #PR$_IPL
        ${start}
        CLRL R0
loop:   INCL R0
        CMPL R0, #40000
        BLSS loop
        MOVL @#^X3100, R1           ; interrupts taken while blocked
        MTPR #${open}, #PR$_IPL
after:  MOVL @#^X3100, R2
        HALT
        .ALIGN LONG
handler: INCL @#^X3100
        MOVPSL @#^X3104
        MOVL (SP), @#^X3108
        MOVL 4(SP), @#^X310C
        REI`;
}

const INTERRUPTS: [string, string, number, number][] = [
  // [what, start, vector, level]
  ["virtual interval timer", "MTPR #^X40, #PR$_ICCS", 0xc0, 0x16],
  ["virtual console transmitter", "MTPR #^X40, #PR$_TXCS", 0xfc, 0x14],
  ["software interrupt (SIRR)", "MTPR #7, #PR$_SIRR", 0x9c, 7],
  [
    "virtual disk (asynchronous read)",
    `MTPR #3, #PR$_DKBLK
        MTPR #^X3400, #PR$_DKMEM
        MTPR #1, #PR$_DKCNT
        MTPR #^X341, #PR$_DKCS`,
    0xd0,
    0x15,
  ],
];

for (const [what, start, vector, level] of INTERRUPTS) {
  Deno.test(`${what}: vector 0x${vector.toString(16)}, IPL 0x${level.toString(16)}, only when the virtual IPL allows`, () => {
    const a = asm(interruptProgram(start, level, level - 1));
    const p = equivalent(a, {
      vectors: { [vector]: "handler" },
      limit: 1_000_000,
    });
    equal(p.vm.get("R1"), 0, "nothing delivered at IPL = the level");
    ok(p.vm.get("R2") >= 1, "delivered once the IPL dropped below it");
    equal(
      readL(p.vm, 0x3104),
      psl({ ipl: level }),
      "handler PSL: kernel, IPL = level, PRV kernel",
    );
    deepEqual(readLongs(p.vm, 0x3108, 2), [
      a.symbol("after"),
      psl({ ipl: level - 1 }),
    ], "frame: PC after the MTPR, PSL");
    ok(p.vm.stats.interrupts >= 1);
  });
}

Deno.test("a virtual timer interrupt while the guest idles (branch to self)", () => {
  const a = asm(`MTPR #^X40, #PR$_ICCS
idle:   BRB idle
${RECORD}`);
  const p = equivalent(a, { vectors: { 0xc0: "handler" }, limit: 100_000 });
  deepEqual(stackTop(p.vm, 2), [a.symbol("idle"), psl({})]);
  equal(p.vm.get("R10"), psl({ ipl: 0x16 }));
});

Deno.test("console transmitter: re-enabling IE in the handler does not request another interrupt", () => {
  // 9.2: TXCS requests an interrupt when RDY becomes 1 with IE=1, or when
  // IE is set while RDY=1. Writing IE=1 while IE is already 1 does neither.
  const a = asm(`
        MTPR #^X40, #PR$_TXCS
        CLRL R0
loop:   INCL R0
        CMPL R0, #100
        BLSS loop
        MOVL @#^X3100, R1
        HALT
        .ALIGN LONG
handler: INCL @#^X3100
        MTPR #^X40, #PR$_TXCS
        REI`);
  const p = equivalent(a, { vectors: { 0xfc: "handler" } });
  equal(p.vm.get("R1"), 1);
});

Deno.test("console receiver: re-enabling IE in the handler does not request another interrupt", () => {
  const a = asm(`
        MTPR #^X40, #PR$_RXCS
        CLRL R0
loop:   INCL R0
        CMPL R0, #20000
        BLSS loop
        MOVL @#^X3100, R1
        MOVL @#^X3104, R2
        HALT
        .ALIGN LONG
handler: INCL @#^X3100
        MTPR #^X40, #PR$_RXCS
        MFPR #PR$_RXDB, @#^X3104
        REI`);
  const p = equivalent(a, {
    vectors: { 0xf8: "handler" },
    limit: 1_000_000,
    before: (hw) => hw.console.type("x"),
  });
  equal(p.vm.get("R1"), 1);
  equal(p.vm.get("R2"), 0x78);
});

Deno.test("console output goes to the VM's console", () => {
  const p = equivalent(
    `
        MOVAB text, R1
next:   MOVZBL (R1)+, R0
        BEQL done
wait:   MFPR #PR$_TXCS, R2
        BBC #7, R2, wait
        MTPR R0, #PR$_TXDB
        BRB next
done:   HALT
text:   .ASCIZ "hello"`,
    { limit: 1_000_000, timing: true },
  );
  equal(p.vm.console.output, "hello");
});

Deno.test("a virtual interrupt pending at a high virtual IPL is delivered by REI lowering it", () => {
  const a = asm(`
        MTPR #31, #PR$_IPL
        MTPR #4, #PR$_SIRR
        PUSHL #^X${psl({ cur: 3, prv: 3 }).toString(16)}
        PUSHAB user
        REI
user:   NOP
        HALT
${RECORD}`);
  const p = equivalent(a, { vectors: { 0x90: "handler" } });
  deepEqual(stackTop(p.vm, 2), [a.symbol("user"), psl({ cur: 3, prv: 3 })]);
  equal(p.vm.get("R10"), psl({ ipl: 4 }));
});

Deno.test("two VMs: interrupts of one are never delivered to the other", () => {
  const { cp, vm } = monitorWithVm({}, "A");
  const b = cp.vm("B").memory("256 KiB").create();
  const a = asm(interruptProgram("MTPR #^X40, #PR$_ICCS", 0x16, 0x15));
  prepare(vm, a, { vectors: { 0xc0: "handler" } });
  prepare(
    b,
    asm(`CLRL R0
loop:   INCL R0
        CMPL R0, #100000
        BLSS loop
        HALT`),
    {},
  );
  cp.run({ limit: 10_000_000 });
  equal(b.get("R0"), 100000);
  equal(b.stats.interrupts, 0);
  ok(vm.stats.interrupts >= 1);
  equal(vectorTaken(b), -1);
});
