// Trap-and-emulate (vm-extensions.md "Sensitive instructions while
// PSL<VM>=1", "What the monitor emulates"): every sensitive instruction
// gives the guest the result a bare VAX gives (the same program is run on
// both and the final states compared), and the monitor took the exit the
// VM extensions define for it.
import { deepEqual, equal, ok } from "node:assert/strict";
import { IPR } from "../../src/arch/ipr.ts";
import { PSL_VM } from "../../src/arch/psl.ts";
import { Machine } from "../../src/machine/machine.ts";
import { Monitor } from "../../src/monitor/monitor.ts";
import {
  asm,
  bareMachine,
  DATA,
  equivalent,
  monitorWithVm,
  observe,
  prepare,
  PROT,
  psl,
  pte,
  pteAddress,
  readL,
  readLongs,
  STACKS,
  stackTop,
  stateDiff,
  STUB_BASE,
  vectorTaken,
} from "./_helpers.ts";

const MODES = ["kernel", "executive", "supervisor", "user"] as const;
const RIF = 0x10, ROF = 0x18;

/** Exits other than shadow fills (ACV and TNV exits the monitor resolves). */
function withoutFills(e: Record<string, number>): Record<string, number> {
  const { ACV: _a, TNV: _t, ...rest } = e;
  return rest;
}

function sensitiveExits(vm: { stats: { exits: Record<string, number> } }) {
  return withoutFills(vm.stats.exits);
}

Deno.test("a new VM is in the power-up state of a bare VAX", () => {
  const { vm } = monitorWithVm();
  deepEqual(stateDiff(observe(vm), observe(bareMachine())), []);
  equal(vm.get("PSL"), 0x041f0000);
});

// ---------------------------------------------------------------------------
// MOVPSL and ring compression.

for (let cur = 0; cur < 4; cur++) {
  Deno.test(`MOVPSL in virtual ${MODES[cur]} mode: no exit, the virtual PSL`, () => {
    const start = psl({ cur, prv: 3, cc: 0b1011 });
    const p = equivalent("MOVPSL R0\n HALT", { psl: start });
    equal(p.vm.get("R0"), start, "R0 holds the virtual PSL, VM bit clear");
    equal(p.vm.stats.exits.MOVPSL, undefined, "MOVPSL never exits");
    // HALT exits in virtual kernel; elsewhere it is a privileged fault.
    if (cur === 0) deepEqual(Object.keys(sensitiveExits(p.vm)), ["HALT"]);
    else equal(vectorTaken(p.vm), RIF);
  });

  Deno.test(`ring compression in virtual ${MODES[cur]} mode: real PSL, VMPSL`, () => {
    const { cp, vm } = monitorWithVm();
    prepare(vm, asm("NOP\n NOP\n HALT"), { psl: psl({ cur, prv: 3 }) });
    const cpu = cp.machine.cpu;
    const seen: [number, number][] = [];
    const run = cpu.run.bind(cpu);
    cpu.run = (n: number, t?: number) => {
      seen.push([cpu.psl >>> 0, cpu.vmpsl >>> 0]);
      return run(n, t);
    };
    vm.run({ limit: 1 });
    ok(seen.length > 0, "the processor ran the VM");
    const real = cur === 0 ? 1 : cur;
    for (const [p, vmpsl] of seen) {
      ok((p & PSL_VM) !== 0, "PSL<VM> is set while the guest runs");
      equal((p >>> 24) & 3, real, "real CUR_MOD is the compressed mode");
      equal((p >>> 22) & 3, 3, "real PRV_MOD: user stays user");
      equal((p >>> 16) & 31, 0, "real IPL 0");
      equal((vmpsl >>> 24) & 3, cur, "VMPSL<CUR_MOD> holds the virtual mode");
    }
    const report = vm.psl();
    equal(report.virtual, psl({ cur, prv: 3 }));
    equal((report.real >>> 24) & 3, real);
    ok((report.real & PSL_VM) !== 0);
    equal((report.vmpsl >>> 24) & 3, cur);
    equal(vm.get("PSL"), psl({ cur, prv: 3 }), "the guest sees its own mode");
  });
}

Deno.test("ring compression: virtual kernel on the interrupt stack at IPL 31 runs at real IPL 0, IS 0", () => {
  const { cp, vm } = monitorWithVm();
  prepare(vm, asm("NOP\n HALT"), { psl: psl({ is: true, ipl: 31 }) });
  vm.run({ limit: 1 });
  const p = cp.machine.cpu.psl >>> 0;
  equal(p & 0x04000000, 0, "real IS is 0");
  equal((p >>> 16) & 31, 0, "real IPL is the monitor's (0)");
  equal(cp.machine.cpu.vmpsl >>> 0, psl({ is: true, ipl: 31 }));
});

// ---------------------------------------------------------------------------
// REI.

for (let to = 0; to < 4; to++) {
  Deno.test(`REI from virtual kernel to ${MODES[to]}: one REI exit, same state as bare`, () => {
    const target = psl({ cur: to, prv: to, cc: 0b0101 });
    const p = equivalent(
      `PUSHL #^X${target.toString(16)}
       PUSHAB there
       REI
there: MOVPSL R0
       HALT`,
    );
    equal(p.vm.get("R0"), target);
    equal(p.vm.stats.exits.REI, 1);
  });
}

const BAD_REI: [string, number, number][] = [
  // [what, start PSL, popped PSL]
  [
    "to a more privileged mode",
    psl({ cur: 3, prv: 3 }),
    psl({ cur: 2, prv: 3 }),
  ],
  [
    "with PSL<VM> (bit 29) set: must be zero for a guest",
    0,
    (0x20000000 | psl({ cur: 3, prv: 3 })) >>> 0,
  ],
  ["with bit 28 set", 0, (0x10000000 | psl({ cur: 3, prv: 3 })) >>> 0],
  ["with CM set", 0, (0x80000000 | psl({ cur: 3, prv: 3 })) >>> 0],
  [
    "to the interrupt stack from the kernel stack",
    psl({ ipl: 5 }),
    psl({ is: true, ipl: 5 }),
  ],
  ["raising IPL", psl({ ipl: 3 }), psl({ ipl: 4 })],
  ["to user with IPL > 0", psl({ ipl: 3 }), psl({ cur: 3, prv: 3, ipl: 1 })],
  ["with PRV more privileged than CUR", 0, psl({ cur: 3, prv: 2 })],
  [
    "to the interrupt stack at IPL 0",
    psl({ is: true, ipl: 8 }),
    psl({ is: true }),
  ],
];
for (const [what, start, popped] of BAD_REI) {
  Deno.test(`REI ${what}: reserved operand fault, as on bare hardware`, () => {
    const p = equivalent(
      `PUSHL #^X${popped.toString(16)}
       PUSHAB there
       REI
there: HALT`,
      { psl: start },
    );
    equal(vectorTaken(p.bare.hw), ROF);
    equal(p.vm.stats.exits.REI, 1);
  });
}

Deno.test("REI to a mode >= ASTLVL requests the level-2 software interrupt", () => {
  const p = equivalent(
    `MTPR #3, #PR$_ASTLVL
     PUSHL #^X${psl({ cur: 3, prv: 3 }).toString(16)}
     PUSHAB there
     REI
there: NOP
     HALT`,
  );
  equal(vectorTaken(p.bare.hw), 0x88, "AST delivery at level 2");
});

// ---------------------------------------------------------------------------
// CHMx from each virtual mode.

const CHM = ["CHMK", "CHME", "CHMS", "CHMU"] as const;
for (let cur = 0; cur < 4; cur++) {
  for (let op = 0; op < 4; op++) {
    Deno.test(`${CHM[op]!} from virtual ${MODES[cur]}: one ${CHM[op]} exit; vector, frame, stack and PSL as bare`, () => {
      const start = psl({ cur, prv: 3, cc: 0b1111 });
      const p = equivalent(`${CHM[op]} #^X8123\n HALT`, { psl: start });
      equal(p.vm.stats.exits[CHM[op]!], 1);
      // The handler is the vector's stub (a HALT, which is privileged
      // outside kernel mode); on bare hardware the same frame was pushed.
      const target = Math.min(op, cur);
      const top = [STACKS.KSP, STACKS.ESP, STACKS.SSP, STACKS.USP][target]!;
      deepEqual(
        readLongs(p.vm, top - 12, 3),
        [0xffff8123, 0x1004, start],
        "code (sign-extended), next PC, old PSL on the target stack",
      );
    });
  }
}

Deno.test("CHMK (SP)+ from user mode: the operand's side effect reaches the saved USP", () => {
  // The operand is evaluated before the mode changes (7, steps 3-4): the
  // user stack pointer saved is the incremented one.
  const p = equivalent("CHMK (SP)+\n HALT", {
    psl: psl({ cur: 3, prv: 3 }),
    longs: { [STACKS.USP]: 0x42 },
  });
  equal(p.vm.get("USP"), STACKS.USP + 2, "code.rw: SP advanced by 2");
  equal(stackTop(p.vm, 1)[0], 0x42);
});

Deno.test("CHMx on the interrupt stack halts the VM, as it halts the processor", () => {
  const p = equivalent("CHMK #1\n NOP", { psl: psl({ is: true, ipl: 1 }) });
  equal(p.vm.halted, true);
  equal(p.vm.haltReason, "CHMx executed while on interrupt stack");
});

// ---------------------------------------------------------------------------
// MTPR and MFPR of every virtual IPR.

/** IPRs that read back what MTPR wrote (masked as the hardware masks it). */
const READ_WRITE: [string, number][] = [
  ["KSP", 0x12345678],
  ["ESP", 0x12345678],
  ["SSP", 0x12345678],
  ["USP", 0x12345678],
  ["ISP", 0x12345678],
  ["P0BR", 0x80012347],
  ["P0LR", 0x12345678],
  ["P1BR", 0x80012347],
  ["P1LR", 0x12345678],
  ["SBR", 0x12345677],
  ["SLR", 0x12345678],
  ["PCBB", 0x12345677],
  ["SCBB", 0x00000203],
  ["IPL", 0x1234567c],
  ["ASTLVL", 3],
  ["SISR", 0x1234ffff],
  ["ICCS", 0],
  ["RXCS", 0x40],
  ["TXCS", 0xff],
  ["CADR", 0x1234],
  ["MSER", 0x1234],
  ["PME", 3],
  ["TODR", 0],
  ["DKBLK", 0x12345678],
  ["DKMEM", 0x12345678],
  ["DKCNT", 0x12345678],
  ["DKCS", 0x41],
  // Reserved numbers up to 63 read as zero and ignore writes.
  ["5", 0x1234],
  ["7", 0x1234],
  ["14", 0x1234],
  ["22", 0x1234],
  ["25", 0x1234],
  ["26", 0x1234],
  ["30", 0x1234],
  ["36", 0x1234],
  ["44", 0x1234],
  ["54", 0x1234],
  ["60", 0x1234],
];
for (const [name, value] of READ_WRITE) {
  const n = IPR[name as keyof typeof IPR] ?? Number(name);
  Deno.test(`MTPR and MFPR of IPR ${name} (${n}) in virtual kernel: emulated, same result and CCs as bare`, () => {
    const p = equivalent(
      `MTPR #^X${value.toString(16)}, #${n}
       MOVPSL R2
       MFPR #${n}, R1
       MOVPSL R3
       MFPR #${n}, @#^X${DATA.toString(16)}
       HALT`,
      { psl: psl({ cur: 0, cc: 1 }) },
    );
    equal(p.vm.stats.exits.MTPR, 1);
    // MTPR to SISR, TXCS or DKCS may request an interrupt at once.
    if (vectorTaken(p.vm) === -1) equal(p.vm.stats.exits.MFPR, 2);
    if (name !== "TODR") equal(p.vm.get("R1"), p.bare.hw.get("R1"));
  });
}

Deno.test("MTPR/MFPR of the stack pointers: the live one is R14 (kernel stack)", () => {
  const p = equivalent(
    `MFPR #PR$_KSP, R0
     MTPR #^X5000, #PR$_KSP
     MOVL SP, R1
     MTPR #^X4000, #PR$_ISP
     MFPR #PR$_ISP, R2
     MTPR #^X3000, #PR$_ESP
     MFPR #PR$_ESP, R3
     HALT`,
  );
  equal(p.vm.get("R0"), STACKS.KSP);
  equal(p.vm.get("R1"), 0x5000, "MTPR KSP changed SP");
  equal(p.vm.get("R2"), 0x4000);
  equal(p.vm.get("SP"), 0x5000);
});

Deno.test("MTPR/MFPR of the stack pointers on the interrupt stack: ISP is R14", () => {
  const p = equivalent(
    `MFPR #PR$_ISP, R0
     MTPR #^X4000, #PR$_ISP
     MOVL SP, R1
     MTPR #^X5000, #PR$_KSP
     MFPR #PR$_KSP, R2
     HALT`,
    { psl: psl({ is: true, ipl: 31 }) },
  );
  equal(p.vm.get("R0"), STACKS.ISP);
  equal(p.vm.get("R1"), 0x4000);
  equal(p.vm.get("KSP"), 0x5000);
});

Deno.test("MTPR (SP)+ to KSP and MFPR KSP to -(SP): operand side effects come first", () => {
  const p = equivalent(
    `MOVL #^X5555, -(SP)
     MTPR (SP)+, #PR$_KSP
     MOVL SP, R0
     MOVL #^X4800, SP
     MFPR #PR$_KSP, -(SP)
     MOVL (SP), R1
     HALT`,
  );
  equal(p.vm.get("R0"), 0x5555, "MTPR's value wins over the autoincrement");
  equal(p.vm.get("R1"), 0x47fc, "MFPR reads SP after the autodecrement");
});

const ROF_IPRS: [string, string][] = [
  ["MFPR #PR$_SIRR, R0", "MFPR of write-only SIRR"],
  ["MFPR #PR$_TBIA, R0", "MFPR of write-only TBIA"],
  ["MFPR #PR$_TBIS, R0", "MFPR of write-only TBIS"],
  ["MFPR #PR$_TBCHK, R0", "MFPR of write-only TBCHK"],
  ["MTPR #1, #PR$_SID", "MTPR of read-only SID"],
  ["MTPR #1, #PR$_CONPC", "MTPR of read-only CONPC"],
  ["MTPR #1, #PR$_CONPSL", "MTPR of read-only CONPSL"],
  ["MTPR #1, #PR$_DKSIZE", "MTPR of read-only DKSIZE"],
  ["MTPR #5, #PR$_ASTLVL", "MTPR ASTLVL 5"],
  ["MTPR #-1, #PR$_ASTLVL", "MTPR ASTLVL -1"],
  ["MTPR #0, #69", "MTPR IPR 69"],
  ["MFPR #69, R0", "MFPR IPR 69"],
  ["MTPR #0, #80", "MTPR IPR 80 (VMPSL does not exist for a guest)"],
  ["MFPR #80, R0", "MFPR IPR 80"],
  ["MFPR #100, R0", "MFPR IPR 100"],
  ["MFPR #-1, R0", "MFPR IPR 2^32-1"],
];
for (const [src, what] of ROF_IPRS) {
  Deno.test(`${what}: reserved operand fault, as bare; nothing changed`, () => {
    const p = equivalent(`MOVL #7, R0\n ${src}\n HALT`, {
      psl: psl({ cc: 0b1111 }),
    });
    equal(vectorTaken(p.bare.hw), ROF);
    equal(p.vm.get("R0"), 7);
    equal(stackTop(p.vm, 2)[0], 0x1003, "saved PC: the faulting instruction");
  });
}

for (
  const [n, name] of [
    [64, "DKBLK"],
    [65, "DKMEM"],
    [66, "DKCNT"],
    [67, "DKCS"],
    [68, "DKSIZE"],
  ] as const
) {
  Deno.test(`MFPR IPR ${n} (${name}) is the disk controller, not a reserved operand`, () => {
    const p = equivalent(`MFPR #${n}, R0\n HALT`);
    equal(vectorTaken(p.bare.hw), -1);
  });
}

for (let cur = 1; cur < 4; cur++) {
  for (
    const src of [
      "MTPR #1, #PR$_IPL",
      "MFPR #PR$_IPL, R0",
      "LDPCTX",
      "SVPCTX",
      "HALT",
    ]
  ) {
    Deno.test(`${src} in virtual ${MODES[cur]}: privileged-instruction fault, no emulation`, () => {
      const p = equivalent(`${src}\n HALT`, { psl: psl({ cur, prv: 3 }) });
      equal(vectorTaken(p.bare.hw), RIF);
      equal(p.vm.stats.emulated, 1, "only the stub's HALT was emulated");
      equal(p.vm.stats.exits["reserved instruction"], 1);
    });
  }
}

Deno.test("MTPR IPL and SIRR/SISR: the software interrupt waits for the IPL", () => {
  const p = equivalent(
    `MTPR #31, #PR$_IPL
     MTPR #5, #PR$_SIRR
     MTPR #9, #PR$_SIRR
     MTPR #0, #PR$_SIRR
     MFPR #PR$_SISR, R0
     MTPR #9, #PR$_IPL
     MFPR #PR$_SISR, R1
     MTPR #4, #PR$_IPL
     HALT`,
  );
  equal(p.vm.get("R0"), 0x220);
  equal(p.vm.get("R1"), 0x220, "level 9 is not above IPL 9");
  equal(vectorTaken(p.vm), 0x80 + 4 * 9, "level 9 first when IPL drops to 4");
  equal(p.vm.get("SISR"), 0x20);
});

// ---------------------------------------------------------------------------
// Memory management registers with page tables.

Deno.test("MAPEN on, TBIS, TBIA and TBCHK: same results as bare", () => {
  const p = equivalent(
    `MTPR #1, #PR$_MAPEN
     MOVL @#^X3000, R0
     MTPR #^X3000, #PR$_TBCHK
     MOVPSL R1                  ; V: the TB (shadow) holds the page
     MTPR #^X3000, #PR$_TBIS
     MTPR #^X3000, #PR$_TBCHK
     MOVPSL R2                  ; V clear after TBIS
     MOVL @#^X3000, R0
     MTPR #0, #PR$_TBIA
     MTPR #^X3000, #PR$_TBCHK
     MOVPSL R3                  ; V clear after TBIA
     MFPR #PR$_MAPEN, R4
     MTPR #0, #PR$_MAPEN
     MOVL @#^X3004, R5
     HALT`,
    {
      mapping: true,
      longs: { 0x3000: 0x11111111, 0x3004: 0x22222222 },
      regs: {},
    },
  );
  equal(p.vm.get("R1") & 2, 2);
  equal(p.vm.get("R2") & 2, 0);
  equal(p.vm.get("R3") & 2, 0);
  equal(p.vm.get("R4"), 1);
  equal(p.vm.get("R5"), 0x22222222);
  for (const k of ["MTPR", "MFPR"]) ok((p.vm.stats.exits[k] ?? 0) > 0);
});

// ---------------------------------------------------------------------------
// LDPCTX and SVPCTX.

Deno.test("LDPCTX and SVPCTX with a PCB: registers, stacks, process registers, PCB as bare", () => {
  const PCB = 0x3800;
  const longs: Record<number, number> = {};
  const words = [
    0x5800, // KSP
    0x6400, // ESP
    0x6c00, // SSP
    0x7400, // USP
    ...Array.from({ length: 14 }, (_, k) => 0x1000 * k + k), // R0..R13
    0, // PC, set below
    psl({ cur: 3, prv: 3, cc: 0b0110 }), // PSL
    0x80010000, // P0BR
    0x04000123, // ASTLVL 4 (none), P0LR 0x123
    0x80011000, // P1BR
    0x801fff00, // PME, P1LR
  ];
  words.forEach((w, k) => longs[PCB + 4 * k] = w);
  const source = `
start:  MTPR #^X${PCB.toString(16)}, #PR$_PCBB
        LDPCTX
        MFPR #PR$_P0BR, @#^X3c00
        MFPR #PR$_P0LR, @#^X3c04
        MFPR #PR$_ASTLVL, @#^X3c08
        MFPR #PR$_P1LR, @#^X3c0c
        MFPR #PR$_PME, @#^X3c10
        MFPR #PR$_USP, @#^X3c14
        MOVL SP, @#^X3c18
        REI
proc:   ADDL3 R1, R2, R0
        MOVL #^X77, R5
        CHMK #3
        .ALIGN LONG
chmk:   ADDL2 #4, SP
        SVPCTX
        MOVPSL R7
        MOVL SP, R8
        HALT`;
  const a = asm(source);
  longs[PCB + 0x48] = a.symbol("proc");
  const p = equivalent(a, { longs, vectors: { 0x40: "chmk" } });
  equal(p.vm.stats.exits.LDPCTX, 1);
  equal(p.vm.stats.exits.SVPCTX, 1);
  equal(readL(p.vm, PCB + 0x10 + 4 * 5), 0x77, "R5 saved in the PCB");
  equal(readL(p.vm, 0x3c00), 0x80010000);
  ok((p.vm.get("PSL") & 0x04000000) !== 0, "SVPCTX left the VM on the IS");
});

Deno.test("LDPCTX on the interrupt stack switches to the kernel stack and saves ISP", () => {
  const PCB = 0x3800;
  const longs: Record<number, number> = {};
  for (let k = 0; k < 24; k++) longs[PCB + 4 * k] = 0;
  longs[PCB] = 0x5800;
  longs[PCB + 0x48] = 0x1234;
  longs[PCB + 0x4c] = psl({ cur: 3, prv: 3 });
  const p = equivalent(
    `MTPR #^X${PCB.toString(16)}, #PR$_PCBB\n LDPCTX\n HALT`,
    { psl: psl({ is: true, ipl: 31 }), longs },
  );
  equal(p.vm.get("SP"), 0x5800 - 8);
  equal(p.vm.get("ISP"), STACKS.ISP);
});

// ---------------------------------------------------------------------------
// HALT stops one VM only.

Deno.test("HALT in one VM halts that VM; another VM goes on to its end", () => {
  const cp = Monitor.on(new Machine({ memory: "2 MiB", disk: "1 MiB" }), {
    quantumNs: 100_000,
  });
  const a = cp.vm("A").memory("64 KiB").create();
  const b = cp.vm("B").memory("64 KiB").create();
  prepare(a, asm("MOVL #1, R0\n HALT\n MOVL #2, R0\n HALT"));
  prepare(
    b,
    asm(`       CLRL R0
loop:   INCL R0
        CMPL R0, #20000
        BLSS loop
        HALT`),
  );
  const r = cp.run({ limit: 1_000_000 });
  equal(r.stop, "halt");
  equal(a.halted, true);
  equal(a.haltReason, "HALT instruction");
  equal(a.get("R0"), 1);
  equal(a.get("PC"), 0x1004, "PC after the HALT, as bare");
  equal(a.get("CONPC"), 0x1004);
  equal(b.get("R0"), 20000, "B ran to its own end after A halted");
  equal(a.stats.exits.HALT, 1);
  ok(b.stats.instructions > 60000);
  deepEqual(r.vms, {
    A: "halted: HALT instruction",
    B: "halted: HALT instruction",
  });
});

// ---------------------------------------------------------------------------
// PROBER and PROBEW.

/** A P0 page per protection code, at 0x8000 + 512 * code (data page 0x40+code). */
function probeLongs(modified: boolean): Record<number, number> {
  const longs: Record<number, number> = {};
  for (let code = 0; code < 16; code++) {
    const va = 0x8000 + 512 * code;
    longs[pteAddress(va)] = pte(va >>> 9, code, true, modified);
  }
  // An invalid page whose protection allows everyone (PROBE ignores V).
  longs[pteAddress(0xa000)] = pte(0x50, PROT.UW, false);
  return longs;
}

function probeProgram(ops: string[]): string {
  // R6 walks the result table; every probe's PSL is recorded.
  const lines = ["MOVL #^X3400, R6"];
  for (const op of ops) lines.push(op, "MOVPSL (R6)+");
  lines.push("CHMK #0");
  return lines.join("\n");
}

const PROBE_OPS: string[] = [];
for (const w of ["PROBER", "PROBEW"]) {
  for (let code = 0; code < 16; code++) {
    for (const mode of [0, 1, 2, 3]) {
      PROBE_OPS.push(
        `${w} #${mode}, #4, @#^X${(0x8000 + 512 * code).toString(16)}`,
      );
    }
  }
  PROBE_OPS.push(`${w} #3, #^X200, @#^X9ffe`); // crosses into the invalid page
  PROBE_OPS.push(`${w} #3, #0, @#^X8800`);
  PROBE_OPS.push(`${w} #3, #4, @#^X7fff0000`); // P1
  PROBE_OPS.push(`${w} #3, #4, @#^X40000000`); // P1 length violation
  PROBE_OPS.push(`${w} #1, #4, @#^X80003000`); // S0 KW
  PROBE_OPS.push(`${w} #3, #4, @#^XC0000000`); // S1
}

for (let cur = 0; cur < 4; cur++) {
  for (const modified of [true, false]) {
    Deno.test(`PROBER/PROBEW of every protection code from virtual ${MODES[cur]} (M ${modified ? "set" : "clear"}): results and PTEs as bare`, () => {
      const p = equivalent(probeProgram(PROBE_OPS), {
        mapping: true,
        psl: psl({ cur, prv: cur }),
        longs: probeLongs(modified),
      });
      // Effective mode max(mode, PRV_MOD): kernel or executive exits.
      const exitsExpected = cur <= 1;
      const probeExits = (p.vm.stats.exits.PROBER ?? 0) +
        (p.vm.stats.exits.PROBEW ?? 0);
      // (Supervisor and user probes run directly against the shadow
      // tables; one they deny still exits so the monitor can answer from
      // the guest's tables: see the test below for one that does not.)
      if (exitsExpected) ok(probeExits >= 64, "kernel/executive probes exit");
    });
  }
}

Deno.test("PROBER with mode user of a page the guest has touched takes no exit", () => {
  const p = equivalent(
    `MOVL @#^X3000, R0
     PROBER #3, #4, @#^X3000
     MOVPSL R1
     PROBER #0, #4, @#^X3000
     MOVPSL R2
     HALT`,
    { mapping: true, psl: psl({ prv: 3 }) },
  );
  equal(
    p.vm.stats.exits.PROBER,
    undefined,
    "PRV_MOD user: both are user probes",
  );
  equal(p.vm.get("R1") & 4, 0);
  equal(p.vm.get("R2") & 4, 0);
});

Deno.test("PROBER with mode kernel (previous mode kernel) takes a PROBER exit", () => {
  const p = equivalent(
    `MOVL @#^X3000, R0
     PROBER #0, #4, @#^X3000
     MOVPSL R1
     PROBEW #1, #4, @#^X3000
     MOVPSL R2
     HALT`,
    { mapping: true },
  );
  equal(p.vm.stats.exits.PROBER, 1);
  equal(p.vm.stats.exits.PROBEW, 1);
});

Deno.test("PROBE of a process page whose page-table page is invalid: TNV fault as bare", () => {
  const p = equivalent(
    `PROBER #3, #4, @#^X7fff0000\n HALT`,
    {
      mapping: true,
      // The S0 page holding the P1 page table is invalid.
      longs: { [pteAddress(0x80000000 + 0x18000)]: pte(0xc0, PROT.KW, false) },
    },
  );
  equal(vectorTaken(p.bare.hw), 0x24);
});

// ---------------------------------------------------------------------------
// Injection.

Deno.test("inject MTPR in virtual kernel: one MTPR exit, IPL changes", () => {
  const { cp, vm } = monitorWithVm();
  prepare(vm, asm("HALT"), {});
  const r = cp.inject(vm, "MTPR #5,#18", { mode: "kernel" });
  deepEqual(withoutFills(r.exits), { MTPR: 1 });
  equal(vm.get("IPL"), 5);
  equal(r.reflected, false);
  equal(vm.get("PC"), 0x1000, "PC put back");
});

Deno.test("inject MTPR in virtual user: reflected privileged-instruction fault", () => {
  const { cp, vm } = monitorWithVm();
  prepare(vm, asm("HALT"), {});
  const r = cp.inject(vm, "MTPR #5,#18", { mode: "user" });
  deepEqual(withoutFills(r.exits), { "reserved instruction": 1 });
  equal(r.reflected, true);
  equal(vm.get("PC"), STUB_BASE + RIF, "in the guest's handler");
});
