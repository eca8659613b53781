// Randomized equivalence (Popek and Goldberg; vm-extensions.md: "The
// equivalence property ... must hold without exception under split"): a
// seeded generator writes guest programs of integer and sensitive
// instructions, with exceptions and interrupts handled by SCB handlers that
// record the frame and continue, in every virtual mode, with and without
// guest page tables. Each program runs bare and under a monitor (split
// policy); registers, PSL, IPRs and all of memory must agree. A failure
// names its seed: EQUIVALENCE_SEED=<seed> deno test -A tests/monitor/equivalence_test.ts
// replays it alone and prints the program. EQUIVALENCE_FAST=0 runs every
// test with the monitor's slow system calls (fastSyscalls: false), and a
// test below runs programs with both and compares everything.
import type { ShadowPolicy } from "../../src/monitor/shadow.ts";
import type { MonitorOptions } from "../../src/monitor/monitor.ts";
import { deepEqual } from "node:assert/strict";
import { VmSyscalls } from "../../src/machine/vm_fastpath.ts";
import {
  asm,
  assertEquivalent,
  go,
  MEMORY,
  monitorWithVm,
  nestedMonitorWithVm,
  observe,
  type Pair,
  prepare,
  PROT,
  pte,
  pteAddress,
  Rng,
  runBoth,
  type Setup,
} from "./_helpers.ts";

const RESUME = 0x4000; // where the next block starts (written by each block)
const LOG = 0x4200; // R11 walks the log of handler frames
const LOG_END = 0x4f00;
const PLAY = 0x3000; // 8 pages with random protection (P0 and S0 alias)
const S0 = 0x80000000;

const hex = (v: number) => `^X${(v >>> 0).toString(16)}`;

/** Vectors with handlers: [vector, parameters, kind]. */
const HANDLED: [number, number, "fault" | "trap" | "interrupt"][] = [
  [0x10, 0, "fault"], // reserved/privileged instruction
  [0x18, 0, "fault"], // reserved operand
  [0x1c, 0, "fault"], // reserved addressing mode
  [0x20, 2, "fault"], // access-control violation
  [0x24, 2, "fault"], // translation not valid
  [0x28, 0, "interrupt"], // trace (saved PC: the next instruction)
  [0x2c, 0, "fault"], // breakpoint
  [0x34, 1, "trap"], // arithmetic (integer traps; floating faults 8-10)
  [0x40, 1, "trap"], // CHMK
  [0x44, 1, "trap"], // CHME
  [0x48, 1, "trap"], // CHMS
  [0x4c, 1, "trap"], // CHMU
  [0xc8, 10, "trap"], // emulation (packed decimal...): 10 longwords, then PC, PSL
  ...Array.from(
    { length: 15 },
    (_, k) => [0x84 + 4 * k, 0, "interrupt"] as [number, number, "interrupt"],
  ),
];

/** Handler code: log the vector and the frame, then continue. */
function handlers(): string {
  const out: string[] = [];
  for (const [v, n, kind] of HANDLED) {
    const h = `h${v.toString(16)}`;
    out.push(`        .ALIGN LONG`, `${h}:`);
    if (v === 0x40) {
      // CHMK #^X7FFF ends the program.
      out.push(
        `        CMPL (SP), #^X7FFF`,
        `        BNEQ ${h}go`,
        `        HALT`,
        `${h}go:`,
      );
    }
    if (v >= 0x40 && v <= 0x4c) {
      // CHMx #^X7FFE: stay in the new mode, go on with the next block.
      out.push(
        `        CMPL (SP), #^X7FFE`,
        `        BNEQ ${h}ret`,
        `        ADDL2 #12, SP`,
        `        MOVL @#${hex(RESUME)}, R7`,
        `        JMP (R7)`,
        `${h}ret:`,
      );
    }
    out.push(`        MOVL #${hex(v)}, (R11)+`);
    for (let i = 0; i < n + 2; i++) {
      out.push(`        MOVL ${4 * i}(SP), (R11)+`);
    }
    out.push(
      `        CMPL R11, #${hex(LOG_END)}`,
      `        BLSSU ${h}ok`,
      `        MOVL #${hex(LOG)}, R11`,
      `${h}ok:`,
    );
    if (v === 0x34) {
      // Arithmetic codes 8-10 are the floating FAULTS (PC = the faulting
      // instruction): go on with the next block, as for the other faults.
      out.push(
        `        CMPL (SP)+, #8`,
        `        BLSSU ${h}trap`,
        `        MOVL @#${hex(RESUME)}, (SP)`,
        `        REI`,
        `${h}trap:`,
      );
    } else if (n > 0) out.push(`        ADDL2 #${4 * n}, SP`);
    if (kind === "fault") {
      // Go on with the next block: a string instruction interrupted by the
      // fault saved PSL<FPD> set, which the next block must not inherit.
      out.push(
        `        MOVL @#${hex(RESUME)}, (SP)`,
        `        BICL2 #^X08000000, 4(SP)`,
      );
    }
    // AST delivery (level 2): no more ASTs, or REI would request it again.
    if (v === 0x88) out.push(`        MTPR #4, #PR$_ASTLVL`);
    out.push(`        REI`);
  }
  return out.join("\n");
}

/** A random data address: the playground through P0 or S0, sometimes unaligned. */
function dataAddress(r: Rng): number {
  const off = r.chance(0.7) ? 4 * r.int(1024) : r.int(4096);
  const base = r.chance(0.7) ? PLAY : S0 + PLAY;
  return base + Math.min(off, 4092);
}

const REGS = ["R0", "R1", "R2", "R3", "R4", "R5"];

/** Size in bytes of the source operand of an opcode (the immediate must fit). */
function sourceSize(op: string): number {
  if (op === "CVTLB") return 4;
  if (op === "CVTWL" || op.startsWith("ADDW") || op === "CLRW") return 2;
  if (/B2?$|^MOVZBL$/.test(op)) return 1;
  return 4;
}

function source(r: Rng, size = 4): string {
  switch (r.int(6)) {
    case 0:
      return r.pick(REGS);
    case 1:
      return `#${r.int(64)}`;
    case 2:
      return `#${hex(size === 4 ? r.u32() : r.int(1 << (8 * size)))}`;
    case 3:
      return `@#${hex(dataAddress(r))}`;
    case 4:
      return `${hex(r.int(0x1000))}(R6)`;
    default:
      return r.pick(REGS);
  }
}

function destination(r: Rng): string {
  switch (r.int(4)) {
    case 0:
      return `@#${hex(dataAddress(r))}`;
    case 1:
      return `${hex(r.int(0x1000))}(R6)`;
    default:
      return r.pick(REGS);
  }
}

const ALU2 = [
  "ADDL2",
  "SUBL2",
  "MULL2",
  "DIVL2",
  "BISL2",
  "BICL2",
  "XORL2",
  "MOVL",
  "MNEGL",
  "MCOML",
  "ADDW2",
  "SUBB2",
  "MOVB",
  "MOVZBL",
  "CVTLB",
  "CVTWL",
];
const ALU3 = ["ADDL3", "SUBL3", "MULL3", "DIVL3", "XORL3", "BICL3"];
const ALU1 = ["INCL", "DECL", "CLRL", "TSTL", "INCB", "CLRW"];
const IPRS = ["SISR", "SIRR", "ASTLVL", "IPL"];

const STRINGS = [
  "MOVC3",
  "MOVC5",
  "CMPC3",
  "CMPC5",
  "LOCC",
  "SKPC",
  "SCANC",
  "SPANC",
];

/** A string length: mostly short, sometimes across pages. */
function stringLength(r: Rng): number {
  return r.chance(0.6) ? r.int(17) : r.range(0x100, 0x800);
}

/**
 * The address of a string of len bytes inside the playground (through P0
 * or S0), or sometimes (R6)+.
 */
function stringAddress(r: Rng, len: number): string {
  if (r.chance(0.1)) return "(R6)+";
  const base = r.chance(0.7) ? PLAY : S0 + PLAY;
  return `@#${hex(base + r.int(0x1000 - len + 1))}`;
}

/** A character-string instruction over the playground. */
function stringInstruction(r: Rng): string {
  const op = r.pick(STRINGS);
  const len = stringLength(r);
  const byte = () => `#${r.chance(0.5) ? r.int(64) : hex(r.int(256))}`;
  switch (op) {
    case "MOVC3":
    case "CMPC3":
      return `${op} #${len}, ${stringAddress(r, len)}, ${
        stringAddress(r, len)
      }`;
    case "MOVC5":
    case "CMPC5": {
      const len2 = stringLength(r);
      return `${op} #${len}, ${stringAddress(r, len)}, ${byte()}, #${len2}, ${
        stringAddress(r, len2)
      }`;
    }
    case "LOCC":
    case "SKPC":
      return `${op} ${byte()}, #${len}, ${stringAddress(r, len)}`;
    default: // SCANC, SPANC: a 256-byte table in the playground
      return `${op} #${len}, ${stringAddress(r, len)}, ${
        stringAddress(r, 256)
      }, ${byte()}`;
  }
}

/** Floating instructions by format (F, D, G). */
const FLOATS: Readonly<Record<"F" | "D" | "G", readonly string[]>> = {
  F: [
    "ADDF2",
    "SUBF2",
    "MULF2",
    "DIVF2",
    "MOVF",
    "MNEGF",
    "ADDF3",
    "DIVF3",
    "CMPF",
    "TSTF",
    "CVTFL",
    "CVTRFL",
    "CVTFB",
    "CVTLF",
    "CVTFD",
    "CVTFG",
  ],
  D: ["ADDD2", "SUBD2", "MULD3", "DIVD2", "MOVD", "CMPD", "CVTDF", "CVTLD"],
  G: ["ADDG3", "SUBG2", "MULG2", "DIVG3", "MNEGG", "CMPG", "CVTGF", "CVTRGL"],
};

/**
 * A floating operand: a register (a pair for D and G), a floating literal,
 * or memory in the playground (random bits: reserved operands, dirty
 * zeros, huge and tiny values).
 */
function floatOperand(r: Rng, wide: boolean, write: boolean): string {
  const k = r.int(write ? 3 : 5);
  if (k === 0) return `@#${hex(dataAddress(r))}`;
  if (k === 1) return `${hex(r.int(0x1000))}(R6)`;
  if (k === 3) {
    return `#${r.pick(["0.5", "1.5", "-2.5", "0.1", "1E30", "-3E-30", "120"])}`;
  }
  return wide ? r.pick(["R0", "R2", "R4"]) : r.pick(REGS);
}

/** A floating-point instruction: F, D or G arithmetic, moves, conversions. */
function floatInstruction(r: Rng): string {
  const fmt = r.pick(["F", "F", "D", "G"] as const);
  const op = r.pick(FLOATS[fmt]);
  const wide = fmt !== "F";
  const src = () => floatOperand(r, wide, false);
  if (/^(CMP)/.test(op)) return `${op} ${src()}, ${src()}`;
  if (/^TST/.test(op)) return `${op} ${src()}`;
  if (/^CVTL/.test(op)) {
    return `${op} ${source(r)}, ${floatOperand(r, op !== "CVTLF", true)}`;
  }
  if (/^CVTR?[FDG][LB]$/.test(op)) return `${op} ${src()}, ${destination(r)}`;
  if (/^CVT[FDG][FDG]$/.test(op)) {
    return `${op} ${src()}, ${floatOperand(r, op[4] !== "F", true)}`;
  }
  if (op.endsWith("3")) {
    return `${op} ${src()}, ${src()}, ${floatOperand(r, wide, true)}`;
  }
  return `${op} ${src()}, ${floatOperand(r, wide, true)}`;
}

/** A quadword operand: a register pair, an immediate, or memory. */
function quad(r: Rng, write: boolean): string {
  const k = r.int(write ? 3 : 4);
  if (k === 0) return `@#${hex(dataAddress(r))}`;
  if (k === 1) return `${hex(r.int(0x1000))}(R6)`;
  if (k === 2) return r.pick(["R0", "R2", "R4"]);
  return `#${hex(r.u32())}`;
}

/** A bit-field base: a register or a byte of the playground. */
function fieldBase(r: Rng): string {
  return r.chance(0.4) ? r.pick(REGS) : `@#${hex(dataAddress(r))}`;
}

/**
 * The instruction families beyond the hot path: quadword and extended
 * integer, bit fields, interlocked queues over the playground, and the
 * instructions the KA655 emulates in software (emulation exception).
 */
function familyInstruction(r: Rng, next: string): string {
  const pos = () => `#${r.chance(0.8) ? r.int(40) : hex(r.u32())}`;
  const size = () => `#${r.chance(0.9) ? r.int(33) : r.range(33, 64)}`;
  const entry = () => {
    const a = (r.chance(0.5) ? 0 : S0) + PLAY + 8 * r.int(512);
    return `@#${hex(r.chance(0.9) ? a : a + r.int(8))}`;
  };
  switch (r.int(17)) {
    case 0:
      return `MOVQ ${quad(r, false)}, ${quad(r, true)}`;
    case 1:
      return `CLRQ ${quad(r, true)}`;
    case 2:
      return `EMUL ${source(r)}, ${source(r)}, ${source(r)}, ${quad(r, true)}`;
    case 3:
      return `EDIV ${source(r)}, ${quad(r, false)}, ${destination(r)}, ${
        destination(r)
      }`;
    case 4:
      return `ASHQ #${r.range(-70, 70)}, ${quad(r, false)}, ${quad(r, true)}`;
    case 5:
      return `${r.pick(["ADWC", "SBWC"])} ${source(r)}, ${destination(r)}`;
    case 6:
      return `ADAWI ${source(r, 2)}, ${destination(r)}`;
    case 7:
      return `INDEX ${source(r)}, #0, #${r.int(64)}, #${r.int(9)}, ${
        source(r)
      }, ${destination(r)}`;
    case 8:
      return `PUSHR #^M<R0,R1,R2>
        POPR #^M<R0,R1,R2>`;
    case 9:
      return `${r.pick(["EXTV", "EXTZV", "FFS", "FFC"])} ${pos()}, ${size()}, ${
        fieldBase(r)
      }, ${destination(r)}`;
    case 10:
      return `${r.pick(["CMPV", "CMPZV"])} ${pos()}, ${size()}, ${
        fieldBase(r)
      }, ${source(r)}`;
    case 11:
      return `INSV ${source(r)}, ${pos()}, ${size()}, ${fieldBase(r)}`;
    case 12:
      return `${
        r.pick(["BBSS", "BBCS", "BBSC", "BBCC", "BBSSI", "BBCCI"])
      } ${pos()}, ${fieldBase(r)}, ${next}`;
    case 13:
      return `${r.pick(["INSQHI", "INSQTI"])} ${entry()}, ${entry()}`;
    case 14:
      return `${r.pick(["REMQHI", "REMQTI"])} ${entry()}, ${destination(r)}`;
    case 15:
      return `${r.pick(["CVTBW", "CVTWB"])} ${source(r, 1)}, ${destination(r)}`;
    default:
      return r.pick([
        `MOVP #3, @#${hex(dataAddress(r))}, @#${hex(dataAddress(r))}`,
        `CVTPL #5, @#${hex(dataAddress(r))}, ${destination(r)}`,
        `CRC @#${hex(dataAddress(r))}, #0, #4, @#${hex(dataAddress(r))}`,
      ]);
  }
}

/** One random instruction (or a short sequence) of the body of a block. */
function instruction(r: Rng, next: string, noExec: boolean): string {
  const k = r.int(100);
  if (k < 4) return stringInstruction(r);
  if (k < 8) return floatInstruction(r);
  if (k < 12) return familyInstruction(r, next);
  if (k < 24) {
    const op = r.pick(ALU2);
    return `${op} ${source(r, sourceSize(op))}, ${destination(r)}`;
  }
  if (k < 30) {
    return `${r.pick(ALU3)} ${source(r)}, ${source(r)}, ${destination(r)}`;
  }
  if (k < 34) return `${r.pick(ALU1)} ${destination(r)}`;
  if (k < 36) return `CMPL ${source(r)}, ${source(r)}`;
  if (k < 38) {
    return `ASHL #${r.range(-40, 40)}, ${source(r)}, ${destination(r)}`;
  }
  if (k < 41) {
    return r.pick([
      "BISPSW #^X20",
      "BICPSW #^X20",
      `BISPSW #${r.int(16)}`,
      "BISPSW #^X100",
      "BISPSW #^X10", // trace
      "BICPSW #^X10",
      // Sensitive instructions with operand side effects on SP and R6.
      `MFPR #PR$_SISR, -(SP)`,
      `MTPR (SP)+, #PR$_ASTLVL`,
      `CHMU (SP)+`,
      `PROBER #3, #4, (R6)+`,
      `MFPR #PR$_IPL, (R6)+`,
    ]);
  }
  if (k < 45) return `MOVPSL ${destination(r)}`;
  if (k < 52) {
    const addr = r.pick([
      dataAddress(r),
      dataAddress(r),
      0x5ffc, // kernel stack page (KW)
      0x6400, // executive stack page (EW)
      0x7400, // user stack page (UW)
      0x1000, // code
      0x20000, // beyond P0LR
      0x7fff0100, // P1
      0xc0000000, // S1
    ]);
    return `${r.pick(["PROBER", "PROBEW"])} #${r.int(4)}, #${
      r.pick([1, 4, 0x200, 0])
    }, @#${hex(addr)}`;
  }
  if (k < 59) {
    const op = r.pick(["CHMK", "CHME", "CHMS", "CHMU"]);
    return `${noExec && op === "CHME" ? "CHMS" : op} #${r.int(0x7000)}`;
  }
  // Enter a more privileged mode and stay there (the handler goes on).
  if (k < 66) {
    const op = r.pick(["CHMK", "CHMK", "CHME", "CHMS"]);
    return `${noExec && op === "CHME" ? "CHMS" : op} #^X7FFE`;
  }
  if (k < 82) {
    const ipr = r.pick(IPRS);
    if (r.chance(0.4)) return `MFPR #PR$_${ipr}, ${destination(r)}`;
    const value = ipr === "SISR"
      ? r.int(0x10000)
      : ipr === "SIRR"
      ? r.int(16)
      : ipr === "ASTLVL"
      ? r.int(7)
      : r.int(32);
    return `MTPR #${value}, #PR$_${ipr}`;
  }
  if (k < 92) {
    // REI to another mode: usually a valid PSL, sometimes not.
    let cur = r.int(4);
    if (noExec && cur === 1) cur = 2;
    const prv = r.chance(0.9) ? r.range(cur, 3) : r.int(4);
    const ipl = cur === 0 ? r.pick([0, 0, 1, 3, 8, 31]) : r.chance(0.9) ? 0 : 4;
    const cc = r.int(16);
    const psl = ((cur << 24) | (prv << 22) | (ipl << 16) | cc |
      (r.chance(0.05) ? 0x20000000 : 0) | (r.chance(0.05) ? 0x04000000 : 0)) >>>
      0;
    return `PUSHL #${hex(psl)}\n        PUSHAB ${next}\n        REI`;
  }
  if (k < 93) {
    // The kernel remaps a playground page (another playground frame, a new
    // protection) and invalidates it; elsewhere the write faults.
    const va = (r.chance(0.5) ? 0 : S0) + PLAY + 512 * r.int(8);
    const entry = pte(
      0x18 + r.int(8),
      r.int(16),
      r.chance(0.85),
      r.chance(0.5),
    );
    return `MOVL #${hex(entry)}, @#${hex(S0 + pteAddress(va))}
        MTPR #${hex(va)}, #PR$_${r.pick(["TBIS", "TBIS", "TBIA"])}`;
  }
  if (k < 94) return "BPT";
  if (k < 96) return r.pick(["HALT", "LDPCTX", "SVPCTX"]);
  return "NOP";
}

/** A random program: handlers, then blocks that each set RESUME to the next. */
function program(r: Rng, blocks: number, noExec: boolean): string {
  const lines = [
    `        MOVL #${hex(LOG)}, R11`,
    `        MOVL #${hex(PLAY)}, R6`,
    ...REGS.map((reg) => `        MOVL #${hex(r.u32())}, ${reg}`),
    `        JMP @#b0`,
  ];
  lines.push(handlers());
  for (let b = 0; b < blocks; b++) {
    lines.push(
      `b${b}:    MOVAL b${b + 1}, @#${hex(RESUME)}`,
      `        ${instruction(r, `b${b + 1}`, noExec)}`,
    );
  }
  lines.push(`b${blocks}: CHMK #^X7FFF`);
  return lines.join("\n");
}

/** Guest page tables with random protections on the playground. */
function pageTableChanges(r: Rng): Record<number, number> {
  const longs: Record<number, number> = {};
  const set = (va: number, prot: number, valid = true, m = r.chance(0.5)) =>
    longs[pteAddress(va)] = pte((va & 0x3fffffff) >>> 9, prot, valid, m);
  for (let va = 0; va < 0x3000; va += 512) set(va, PROT.URKW); // SCB, handlers, code
  for (let va = PLAY; va < PLAY + 0x1000; va += 512) {
    set(va, r.int(16), r.chance(0.85));
    set(S0 + va, r.int(16), r.chance(0.85));
  }
  for (let va = 0x4000; va < 0x5000; va += 512) set(va, PROT.UW); // RESUME, log
  for (let va = 0x5000; va < 0x6000; va += 512) set(va, PROT.KW); // kernel stack
  for (let va = 0x6000; va < 0x6800; va += 512) set(va, PROT.EW);
  for (let va = 0x6800; va < 0x7000; va += 512) set(va, PROT.SW);
  for (let va = 0x7000; va < 0x7800; va += 512) set(va, PROT.UW);
  for (let va = 0x7800; va < 0x8000; va += 512) set(va, PROT.KW); // interrupt stack
  return longs;
}

/** A sane PCB at PCBB (0x4100) for LDPCTX and SVPCTX. */
const PCB = 0x4100;
function pcb(r: Rng): Record<number, number> {
  const words = [
    0x6000,
    0x6800,
    0x7000,
    0x7800, // KSP ESP SSP USP
    ...REGS.map(() => r.u32()),
    PLAY,
    0,
    0,
    0,
    0,
    LOG,
    0,
    0, // R0-R13
    0x1000,
    0, // PC, PSL (SVPCTX overwrites them)
    (S0 + 0x18200) >>> 0,
    0x04000100, // P0BR, ASTLVL 4 | P0LR (the standard tables)
    (S0 + 0x18000 - 4 * 0x1fff80) >>> 0,
    0x1fff80, // P1BR, P1LR
  ];
  return Object.fromEntries(words.map((w, k) => [PCB + 4 * k, w]));
}

interface Generated {
  seed: number;
  source: string;
  setup: Setup;
}

/**
 * The program of a seed. With `noExec` it never enters executive mode (for
 * the shared policy, whose documented difference is executive code reaching
 * kernel-only pages).
 */
function generate(seed: number, noExec = false): Generated {
  const r = new Rng(seed);
  let mode = seed % 4;
  if (noExec && mode === 1) mode = 2;
  const mapping = r.chance(0.5);
  const src = program(r, r.range(20, 45), noExec);
  const vectors: Record<number, string> = {};
  for (const [v] of HANDLED) vectors[v] = `h${v.toString(16)}`;
  const prv = r.range(mode, 3);
  const setup: Setup = {
    psl: ((mode << 24) | (prv << 22) |
      (mode === 0 ? r.pick([0, 0, 2]) << 16 : 0)) >>> 0,
    mapping,
    vectors,
    longs: { ...(mapping ? pageTableChanges(r) : {}), ...pcb(r) },
    regs: { PCBB: PCB },
    limit: 4000,
  };
  return { seed, source: src, setup };
}

function check(
  seed: number,
  shadow: ShadowPolicy,
  verbose = false,
  levels = 1,
  paging?: MonitorOptions["paging"],
): Pair {
  const g = generate(seed, shadow === "shared");
  if (verbose) console.log(g.source);
  const a = asm(g.source);
  const p = runBoth(a, g.setup, { shadow, paging, fastSyscalls: FAST }, levels);
  const replay =
    (shadow === "split"
      ? `EQUIVALENCE_SEED=${seed}`
      : `EQUIVALENCE_SEED=${seed} EQUIVALENCE_SHADOW=shared`) +
    (levels > 1 ? ` EQUIVALENCE_LEVELS=${levels}` : "");
  assertEquivalent(
    p,
    `seed ${seed} (${shadow}, ${levels} level(s), start mode ${
      (g.setup.psl! >>> 24) & 3
    }, mapping ${g.setup.mapping}${
      paging ? `, paging ${JSON.stringify(paging)}` : ""
    }); replay with ${replay}`,
  );
  return p;
}

/** EQUIVALENCE_FAST=0: the monitor's slow system calls everywhere. */
const FAST = Deno.env.get("EQUIVALENCE_FAST") !== "0";

/**
 * A generated program in a VM alone, with the processor's own CHMx/REI on
 * or off: everything a run can show (guest state, memory, statistics, exit
 * kinds in order, simulated time, the trace when `trace`).
 */
function runVm(seed: number, fast: boolean, levels = 1, trace = false) {
  const g = generate(seed);
  const options = { shadow: "split" as const, fastSyscalls: fast };
  const { cp, vm } = levels === 1 ? monitorWithVm(options) : (() => {
    const n = nestedMonitorWithVm(levels, options);
    return { cp: n.outer, vm: n.vm };
  })();
  if (trace) cp.machine.trace.enabled = true;
  prepare(vm, asm(g.source), g.setup);
  const run = go(vm, g.setup);
  return {
    result: run.result,
    state: observe(vm),
    memory: vm.readPhysical(0, MEMORY),
    stats: structuredClone(vm.stats),
    kinds: Object.keys(vm.stats.exits),
    ns: cp.machine.now,
    instructions: cp.machine.cpu.instructions,
    trace: trace ? JSON.stringify(cp.machine.trace.events) : "",
  };
}

/** Counts the system calls the processor does itself (host-side spy). */
function countFast(body: () => void): number {
  const proto = VmSyscalls.prototype;
  const { chm, rei } = proto;
  let n = 0;
  proto.chm = function (...a) {
    const ok = chm.apply(this, a);
    if (ok) n++;
    return ok;
  };
  proto.rei = function (...a) {
    const ok = rei.apply(this, a);
    if (ok) n++;
    return ok;
  };
  try {
    body();
  } finally {
    proto.chm = chm;
    proto.rei = rei;
  }
  return n;
}

const only = Deno.env.get("EQUIVALENCE_SEED");
if (only !== undefined) {
  const shadow = Deno.env.get("EQUIVALENCE_SHADOW") === "shared"
    ? "shared"
    : "split";
  const levels = Number(Deno.env.get("EQUIVALENCE_LEVELS") ?? 1);
  Deno.test(
    `equivalence: seed ${only} (${shadow}, ${levels} level(s))`,
    () => void check(Number(only), shadow, true, levels),
  );
} else {
  const FIRST = 1000, COUNT = 500;
  Deno.test(`equivalence: ${COUNT} random programs (seeds ${FIRST}-${FIRST + COUNT - 1}), bare and under the monitor (split)`, () => {
    for (let seed = FIRST; seed < FIRST + COUNT; seed++) check(seed, "split");
  });

  Deno.test("equivalence: 100 random programs bare and under two levels of monitor (CP under CP, split)", () => {
    for (let seed = 1000; seed < 1100; seed++) check(seed, "split", false, 2);
  });

  Deno.test("equivalence: 30 random programs bare and under three levels of monitor", () => {
    for (let seed = 1100; seed < 1130; seed++) check(seed, "split", false, 3);
  });

  Deno.test("equivalence: 200 random programs under a monitor that pages (16 resident pages of 512, FIFO, clock, LRU)", () => {
    // Real memory for guest pages far below a quarter of the guest's: the
    // monitor pages its own memory, and only timing may differ.
    let evicted = 0, runs = 0;
    const policies = ["fifo", "clock", "lru"] as const;
    for (let seed = 2000; seed < 2200; seed++) {
      const policy = policies[seed % 3]!;
      const p = check(seed, "split", false, 1, { policy, residentLimit: 16 });
      const st = p.vm.paging().stats;
      if (st.evictions > 0) evicted++;
      runs++;
    }
    if (evicted < runs / 2) {
      throw new Error(`only ${evicted} of ${runs} runs evicted a page`);
    }
  });

  Deno.test("equivalence: 150 random programs that never enter executive mode, under the shared policy", () => {
    for (let seed = 5000; seed < 5150; seed++) check(seed, "shared");
  });

  Deno.test("equivalence: the processor's own CHMx/REI and the monitor's give identical runs (state, memory, statistics, simulated time, trace)", () => {
    let fast = 0;
    let emulated = 0;
    const n = countFast(() => {
      for (let seed = 1000; seed < 1150; seed++) {
        const levels = seed < 1140 ? 1 : 2;
        const a = runVm(seed, true, levels);
        const b = runVm(seed, false, levels);
        deepEqual(a, b, `seed ${seed}, ${levels} level(s): fast / slow`);
        emulated += (a.stats.exits["CHMK"] ?? 0) + (a.stats.exits["REI"] ?? 0);
      }
      for (let seed = 1150; seed < 1155; seed++) {
        const a = runVm(seed, true, 1, true);
        const b = runVm(seed, false, 1, true);
        deepEqual(a, b, `seed ${seed}, traced: fast / slow`);
      }
    });
    fast += n;
    // The processor did a good share of them itself.
    if (fast < emulated / 4) {
      throw new Error(`only ${fast} of ${emulated} CHMK/REI in the processor`);
    }
  });

  Deno.test("equivalence: the generator is deterministic and its programs do things", () => {
    const a = generate(4242), b = generate(4242);
    if (a.source !== b.source) throw new Error("same seed, different program");
    // Over the programs: the runs take exits of many kinds.
    const kinds = new Set<string>();
    let reflected = 0, fills = 0, strings = 0, floats = 0;
    for (let seed = 1000; seed < 1040; seed++) {
      const g = generate(seed);
      const p = runBoth(asm(g.source), g.setup, { shadow: "split" });
      for (const k of Object.keys(p.vm.stats.exits)) kinds.add(k);
      if (/MOVC|CMPC|LOCC|SKPC|SCANC|SPANC/.test(g.source)) strings++;
      if (/\b[A-Z]+[FDG][23]? /.test(g.source)) floats++;
      reflected += p.vm.stats.reflected;
      fills += p.vm.stats.shadowFills;
    }
    for (
      const k of [
        "REI",
        "CHMK",
        "MTPR",
        "MFPR",
        "ACV",
        "TNV",
        "reserved instruction",
        "reserved operand",
        "arithmetic",
      ]
    ) {
      if (!kinds.has(k)) {
        throw new Error(
          `no ${k} exit in 40 programs: ${[...kinds].join(", ")}`,
        );
      }
    }
    if (strings < 20) {
      throw new Error(`string instructions in only ${strings} of 40 programs`);
    }
    if (floats < 20) {
      throw new Error(`floating instructions in only ${floats} of 40 programs`);
    }
    if (reflected < 100 || fills < 100) {
      throw new Error(`${reflected} reflections, ${fills} fills`);
    }
  });
}
