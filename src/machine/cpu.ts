/**
 * The VAX processor: fetch, table-driven operand decode, execute, memory
 * management with a translation buffer, exceptions and interrupts through
 * the SCB, and the VM extensions of vm-extensions.md. Section numbers in
 * comments refer to ../shared/spec/vax-architecture.md.
 *
 * The CPU is the hot loop of the project: registers live in typed arrays,
 * no object is allocated per instruction, faults are thrown as one reused
 * object, and a translation buffer sits in front of the page tables.
 *
 * @module
 */

import * as opcodes from "../arch/opcodes.ts";
import * as pslBits from "../arch/psl.ts";
import * as iprs from "../arch/ipr.ts";
import * as scb from "../arch/scb.ts";
import * as pte from "../arch/pte.ts";
import type { PhysicalMemory } from "./memory.ts";
import { isWalkFault, walk } from "./mmu.ts";
import { type CostModel, DEFAULT_COST_MODEL } from "./clock.ts";
import type { Executor, IsaContext } from "./isa/context.ts";
import { FAMILIES } from "./isa/families.ts";
import { fOrder, fResult } from "./isa/floating.ts";
import { INTERRUPT_FLAG } from "./interrupt.ts";
import {
  D_ABS,
  D_AINC,
  D_BR,
  D_DEFER,
  D_DISP,
  D_IMM,
  D_LIT,
  D_QLIT,
  D_QREG,
  D_REG,
  D_REGDEF,
  D_SLOW,
  DC_PAGE,
  decodeInstruction,
} from "./decode_cache.ts";
import {
  BLOCK_MAX,
  type BlockFn,
  type BlockHost,
  compileBlock,
  instantiateBlock,
} from "./block_compiler.ts";
import type { VmSyscalls } from "./vm_fastpath.ts";

// Module-level copies of the architecture's constants. An imported binding
// costs a cell load and a check on every use in optimized code; a local
// const does not, and this file is the emulator's hot loop.
const {
  ACC_A,
  ACC_BB,
  ACC_BW,
  ACC_M,
  ACC_R,
  ACC_V,
  ACC_W,
  ACC_WIDE,
  KA655_TABLE,
  OPCODE_BY_INDEX,
  SPEC_COUNT,
  SPEC_TABLE,
  WIDE_D,
  WIDE_F,
  WIDE_G,
  WIDE_H,
  WIDE_SIZE,
  opcodeIndex,
} = opcodes;
const {
  PSL_C,
  PSL_CM,
  PSL_CUR_MASK,
  PSL_DV,
  PSL_FPD,
  PSL_FU,
  PSL_IPL_MASK,
  PSL_IS,
  PSL_IV,
  PSL_MBZ,
  PSL_MBZ_VM,
  PSL_N,
  PSL_T,
  PSL_TP,
  PSL_V,
  PSL_VM,
  PSL_Z,
  VMPSL_MASK,
} = pslBits;
const { IPR, IPR_MAX_KA655, KA655_SID } = iprs;
const { ARITH, MM_LENGTH, MM_PTE_REF, MM_WRITE, SCB } = scb;
const {
  PROT_READ_MODES,
  PROT_WRITE_MODES,
  PTE_M,
  PTE_PFN_MASK,
  PTE_PROT_SHIFT,
  PTE_V,
} = pte;

/**
 * The opcodes the switch of `Cpu.#execute` handles itself (the hot integer
 * path and the system instructions). Every other opcode
 * the KA655 executes needs an executor in a family (src/machine/isa/).
 */
// deno-fmt-ignore
const SWITCH_OPCODES: readonly number[] = [
  0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x0c, 0x0d, 0x0e, 0x0f,
  0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b,
  0x1c, 0x1d, 0x1e, 0x1f, 0x30, 0x31, 0x32, 0x3c, 0x3e, 0x3f, 0x78, 0x80,
  0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x8b, 0x8c,
  0x8d, 0x8e, 0x90, 0x91, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x9a,
  0x9b, 0x9c, 0x9e, 0x9f, 0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7,
  0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xb0, 0xb1, 0xb2, 0xb3, 0xb4,
  0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xbc, 0xbd, 0xbe, 0xbf, 0xc0, 0xc1, 0xc2,
  0xc3, 0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xcb, 0xcc, 0xcd, 0xce,
  0xcf, 0xd0, 0xd1, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xda, 0xdb, 0xdc,
  0xdd, 0xde, 0xdf, 0xe0, 0xe1, 0xe8, 0xe9, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5,
  0xf6, 0xf7, 0xfa, 0xfb,
];

/** Family executors by opcode index (src/machine/isa/families.ts). */
const FAMILY_EXECUTORS: readonly (Executor | undefined)[] = (() => {
  const t: (Executor | undefined)[] = new Array(512).fill(undefined);
  for (const family of FAMILIES) {
    for (const [op, f] of Object.entries(family)) {
      t[opcodeIndex(Number(op))] = f;
    }
  }
  return t;
})();

/**
 * The decoder's operand counts: the opcode table's, except that an
 * instruction the KA655 executes but this processor has no executor for is
 * absent (0xFF): it raises the reserved-instruction fault at its opcode,
 * before any operand is decoded, as on a CVAX without that option. So do
 * the H-floating and octaword instructions the KA655 lacks (SimH's KA655
 * decodes no specifiers for them: op_octa faults at once).
 */
const DECODE_COUNT: Uint8Array = (() => {
  const t = SPEC_COUNT.slice();
  const inSwitch = new Set(SWITCH_OPCODES);
  for (let op = 0; op < 512; op++) {
    const k = KA655_TABLE[op]! & 3;
    if (
      k === 3 ||
      (k === 1 && !inSwitch.has(op) && FAMILY_EXECUTORS[op] === undefined)
    ) t[op] = 0xff;
  }
  return t;
})();

/**
 * How this processor treats an opcode (0xFDxx for two-byte ones):
 * `executed`, `emulated` (the emulation exception for software) or
 * `absent` (the reserved-instruction fault at the opcode: the KA655 lacks
 * it, like H floating and octaword, or no executor is installed).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { instructionSupport } from "./cpu.ts";
 * assert.equal(instructionSupport(0xd0), "executed"); // MOVL
 * assert.equal(instructionSupport(0x38), "emulated"); // EDITPC
 * assert.equal(instructionSupport(0xfd7d), "absent"); // MOVO
 * assert.equal(instructionSupport(0xff), "absent");
 * ```
 */
export function instructionSupport(
  opcode: number,
): "executed" | "emulated" | "absent" {
  const op = opcodeIndex(opcode);
  if (op > 0x1ff || DECODE_COUNT[op] === 0xff) return "absent";
  return (KA655_TABLE[op]! & 3) === 1 ? "executed" : "emulated";
}

// ---------------------------------------------------------------------------
// Stop codes of Cpu.run.

/** The run loop is still going (internal). */
export const STOP_NONE = 0;
/** The processor halted (HALT in kernel mode or a halt case of Appendix A). */
export const STOP_HALT = 1;
/** The instruction budget ran out. */
export const STOP_LIMIT = 2;
/** A breakpoint was reached (before executing the instruction there). */
export const STOP_BREAKPOINT = 3;
/** The simulated-time limit was reached. */
export const STOP_TIME = 4;
/** A VM exit for the host monitor (see {@link CpuExit}). */
export const STOP_EXIT = 5;
/** The processor is idle (branch-to-self) and nothing is scheduled. */
export const STOP_IDLE = 6;
/** Stopped on request (Cpu.requestStop). */
export const STOP_REQUEST = 7;
/** Stopped by an interrupt from the keyboard (SIGINT; see interrupt.ts). */
export const STOP_INTERRUPT = 8;
/** The host-time budget of the run ran out. */
export const STOP_BUDGET = 9;

/**
 * Instructions between two looks at the interrupt flag and the host-time
 * budget: a fraction of a millisecond, and nothing on the per-instruction
 * path.
 */
const CHECK_EVERY = 0x10000;

// Exception kinds carried by the thrown VaxException.
const K_FAULT = 1; // back out, PC = instruction
const K_HALT = 2; // processor halt
const K_MCHK = 3; // machine check (abort)

/** Reasons the processor halts, with the console's wording. */
export const HALT_REASONS = {
  HALT_INSTRUCTION: "HALT instruction",
  CHM_ON_INTERRUPT_STACK: "CHMx executed while on interrupt stack",
  INVALID_SCB_VECTOR: "invalid SCB vector",
  INTERRUPT_STACK_NOT_VALID: "exception while pushing on the interrupt stack",
  PROCESS_PTE_NOT_IN_S0: "process PTE in P0 or P1 space",
  SCB_NONEXISTENT: "SCB vector read from nonexistent memory",
  MACHINE_CHECK_IN_EXCEPTION: "machine check while taking an exception",
} as const;

/**
 * The thrown object that carries an exception from deep inside an
 * instruction to the run loop. One instance per CPU, reused.
 */
class VaxException {
  kind = 0;
  vector = 0;
  nparams = 0;
  p1 = 0;
  p2 = 0;
  reason = "";
}

/** Machine-check codes of the KA655 (SimH vax_sysdev.c). */
const MCHK_READ = 0x80;
const MCHK_WRITE = 0x82;

/** One decoded operand of a VM-emulation exit. */
export interface ExitOperand {
  /** Access type letter (r, m, w, a, v, b). */
  access: string;
  /** Size in bytes. */
  size: number;
  /** Value read (r, m), effective address (a, v in memory) or displacement (b). */
  value: number;
  /** Register number for register-mode w, m and v operands, else -1. */
  register: number;
  /** Effective address of memory w and m operands, else 0. */
  address: number;
}

/** What the CPU hands the host monitor when a VM needs it (STOP_EXIT). */
export interface CpuExit {
  /** `vm-emulation`, `exception` or `interrupt`. */
  kind: "vm-emulation" | "exception" | "interrupt";
  /** SCB vector offset the event would use on bare hardware. */
  vector: number;
  /** PC to save: the instruction's address for faults, the next one otherwise. */
  pc: number;
  /** The real PSL at the event (VM bit set, compressed modes). */
  psl: number;
  /**
   * Exception parameters, top of stack first (ACV mask and VA, CHM code...).
   * For the MicroVAX emulation exception (vectors 0xC8, 0xCC) the processor
   * has already pushed the frame on the guest's stack and cleared the PSW
   * bits: the monitor only loads PC from the guest's SCB vector.
   */
  params: number[];
  /** Opcode of the instruction (vm-emulation). */
  opcode: number;
  /** PC of the next instruction (vm-emulation). */
  nextPc: number;
  /** Decoded operands (vm-emulation). */
  operands: ExitOperand[];
  /**
   * Register updates made by operand specifiers, already backed out; apply
   * them (register, delta) when completing the instruction.
   */
  rollback: [number, number][];
  /** Interrupt priority level (interrupt). */
  ipl: number;
  /**
   * For memory-management exits, what a machine check would report if the
   * page turned out not to exist: the access was a write (not a read), the
   * instruction's opcode, and how far decoding had advanced PC.
   */
  access?: { write: boolean; opcode: number; delta: number };
}

/** A device that owns IPRs (console, interval timer, disk). */
export interface IprDevice {
  /** Reads the IPR. */
  readIpr(n: number): number;
  /** Writes the IPR. */
  writeIpr(n: number, value: number): void;
}

/** Hooks the CPU calls at architectural events (for tracing). */
export interface CpuObserver {
  /** An exception or interrupt is dispatched through the SCB. */
  exception?(
    vector: number,
    kind: "exception" | "interrupt",
    pc: number,
    oldPsl: number,
    newPsl: number,
    params: readonly number[],
  ): void;
  /** REI completed. */
  rei?(fromPc: number, oldPsl: number, newPc: number, newPsl: number): void;
  /** CHMx completed. */
  chm?(
    mode: number,
    code: number,
    pc: number,
    oldPsl: number,
    newPsl: number,
    nextPc: number,
  ): void;
  /** LDPCTX or SVPCTX completed. */
  context?(op: "LDPCTX" | "SVPCTX", pcbb: number, pc: number): void;
  /** The processor halted. */
  halt?(reason: string, pc: number): void;
}

/**
 * Arrays of lengths 0 to n - 1 over one pool of n - 1 objects (the operand
 * and rollback arrays of the reusable exit record).
 */
function exitPool<T>(n: number, make: () => T): T[][] {
  const pool = Array.from({ length: n - 1 }, make);
  return Array.from({ length: n }, (_, k) => pool.slice(0, k));
}

/**
 * A copy of an exit record that later exits do not change (the processor
 * reuses its record and the arrays in it).
 */
export function copyExit(x: CpuExit): CpuExit {
  // Every field written out (no spread, no delete): the copy has the
  // record's shape.
  return {
    kind: x.kind,
    vector: x.vector,
    pc: x.pc,
    psl: x.psl,
    params: x.params.slice(),
    opcode: x.opcode,
    nextPc: x.nextPc,
    operands: x.operands.map((o) => ({
      access: o.access,
      size: o.size,
      value: o.value,
      register: o.register,
      address: o.address,
    })),
    rollback: x.rollback.map(([r, d]) => [r, d] as [number, number]),
    ipl: x.ipl,
    access: x.access === undefined ? undefined : {
      write: x.access.write,
      opcode: x.access.opcode,
      delta: x.access.delta,
    },
  };
}

/** Access letters by ACC_* code (for exit records). */
const ACCESS_LETTERS: readonly string[] = [
  "",
  "r",
  "m",
  "w",
  "a",
  "v",
  "b",
  "b",
];

/** Sign-extends a byte. */
function sxb(v: number): number {
  return (v << 24) >> 24;
}
/** Sign-extends a word. */
function sxw(v: number): number {
  return (v << 16) >> 16;
}
/** Sign-extends a value of the given size to 32 bits. */
function sx(v: number, size: number): number {
  return size === 4 ? v | 0 : size === 2 ? (v << 16) >> 16 : (v << 24) >> 24;
}
const MASK = [0, 0xff, 0xffff, 0, 0xffffffff];
const SIGN = [0, 0x80, 0x8000, 0, 0x80000000];

/** N and Z bits for a result of the given size. */
function nz(res: number, size: number): number {
  const s = sx(res, size);
  return s < 0 ? PSL_N : s === 0 ? PSL_Z : 0;
}

// Translation buffer geometry: 1024 process + 1024 system entries.
const TB_SIZE = 2048;
const TB_SYS = 1024;

/** Options for a new CPU. */
export interface CpuOptions {
  /** Enable the VM extensions (PSL<VM>, VMPSL, vector 0x3C). Default true. */
  vmExtensions?: boolean;
  /** Cost model for simulated time. */
  cost?: CostModel;
  /**
   * Changed instructions, by opcode: a variant processor for experiments
   * (the Popek-Goldberg classifier's mutation tests). Not a VAX.
   */
  variants?: ReadonlyMap<number, OpcodeVariant>;
  /**
   * Instruction caching: `"auto"` (default) and `"always"` keep decoded
   * instructions per physical page and use them again; `"never"` decodes
   * every instruction from its bytes every time (the reference the cache is
   * tested against). Simulated time and counts are the same in every mode.
   * When absent, the environment variable `VMMLAB_COMPILE` (`auto`,
   * `always` or `never`) decides, if it may be read.
   */
  compile?: CompileMode;
}

/** How much the processor caches of the instructions it executes. */
export type CompileMode = "auto" | "always" | "never";

/**
 * The compile mode a processor gets when its options name none: the value
 * of the environment variable `VMMLAB_COMPILE` when it is `auto`, `always`
 * or `never` and may be read (no permission: `auto`), else `auto`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { defaultCompileMode } from "./cpu.ts";
 * assert.ok(["auto", "always", "never"].includes(defaultCompileMode()));
 * ```
 */
export function defaultCompileMode(): CompileMode {
  let v: string | undefined;
  try {
    const g = globalThis as {
      Deno?: { env?: { get?(name: string): string | undefined } };
    };
    v = g.Deno?.env?.get?.("VMMLAB_COMPILE");
  } catch {
    v = undefined; // no --allow-env: the default
  }
  return v === "always" || v === "never" ? v : "auto";
}

/** Decode-cache pages allocated at first, and at most. */
const DC_FIRST_PAGES = 8;
const DC_MAX_PAGES = 256;
/** Writes that drop a page's decoded code before the page is left alone. */
const DC_MAX_DROPS = 32;
/**
 * Executions of a block start before it is compiled (mode "auto"; at most
 * 255, the heat counters are bytes). Generating a block and V8's first
 * tiers for it cost about as much as a few hundred interpreted runs of its
 * instructions: code run a few dozen times (a diagnostic, a kernel path
 * on a short run) is faster interpreted, and a loop loses nothing by 255
 * interpreted passes.
 */
const HOT_BLOCK = 255;
/** Marks a block start that cannot be compiled. */
const NO_BLOCK: BlockFn = () => {};

/**
 * A change to one instruction, for building variant machines. A processor
 * without variants never looks at them: the check runs only at instruction
 * boundaries that already need attention, and on privilege faults.
 */
export interface OpcodeVariant {
  /**
   * `true`: the instruction raises the reserved-instruction fault outside
   * real kernel mode, before it does anything (made privileged). `false`:
   * a privileged instruction skips its privilege check and executes in any
   * mode (made unprivileged).
   */
  privileged?: boolean;
  /** Runs before each execution of the instruction (PC at its opcode). */
  before?: (cpu: Cpu) => void;
}

/**
 * The processor. It is usually driven through `Machine`; its fields are
 * public for inspection and for the monitor, which owns real kernel mode.
 */
export class Cpu {
  /** General registers R0..R15 (R15 is PC), as signed 32-bit values. */
  readonly r: Int32Array = new Int32Array(16);
  /** The PSL, as a signed 32-bit value. */
  psl = 0x041f0000;
  /** Saved stack pointers: KSP, ESP, SSP, USP, ISP (the live one is R14). */
  readonly stk: Int32Array = new Int32Array(5);
  /** Physical memory. */
  readonly mem: PhysicalMemory;
  readonly #u8: Uint8Array;
  readonly #i32: Int32Array;
  readonly #memSize: number;

  // Memory management registers (section 10.2).
  /** P0 base register. */
  p0br = 0;
  /** P0 length register. */
  p0lr = 0;
  /** P1 base register. */
  p1br = 0;
  /** P1 length register. */
  p1lr = 0;
  /** System base register. */
  sbr = 0;
  /** System length register. */
  slr = 0;
  /** Memory management enable. */
  mapen = 0;
  /** Process control block base. */
  pcbb = 0;
  /** System control block base. */
  scbb = 0;
  /** AST level. */
  astlvl = 4;
  /** Software interrupt summary. */
  sisr = 0;
  /** Performance monitor enable. */
  pme = 0;
  /** Cache disable register (KA655). */
  cadr = 0;
  /** Memory system error register (KA655). */
  mser = 0;
  /** PC saved at the last console halt. */
  conpc = 0;
  /** PSL saved at the last console halt. */
  conpsl = 0;
  /** TODR base (value at time 0). */
  todrBase = 0;
  /** VMPSL (VM extensions). */
  vmpsl = 0;
  /** Whether the VM extensions are enabled. */
  readonly vmExtensions: boolean;
  /**
   * When true, every exception and interrupt taken with PSL<VM>=1 stops the
   * run loop with STOP_EXIT instead of going through the SCB: the host
   * monitor owns real kernel mode.
   */
  hostExits = false;
  /**
   * CHMx and REI of the VM on the processor done here instead of exiting
   * (armed by the host monitor for a run; null: every one exits). See
   * vm_fastpath.ts.
   */
  vmSyscalls: VmSyscalls | null = null;
  /**
   * The exit record every exit fills in, and the arrays it points at: by
   * length, so that an exit allocates nothing. A record is valid until the
   * next run; copy it (`copyExit`) to keep it.
   */
  readonly #exitRec: CpuExit = {
    kind: "interrupt",
    vector: 0,
    pc: 0,
    psl: 0,
    params: [],
    opcode: 0,
    nextPc: 0,
    operands: [],
    rollback: [],
    ipl: 0,
    access: undefined,
  };
  readonly #exitParams: number[][] = [[], [0], [0, 0]];
  readonly #exitAccess = { write: false, opcode: 0, delta: 0 };
  readonly #exitOps: ExitOperand[][] = exitPool(
    9,
    () => ({ access: "", size: 0, value: 0, register: -1, address: 0 }),
  );
  readonly #exitRb: [number, number][][] = exitPool(
    9,
    () => [0, 0] as [number, number],
  );

  /**
   * Simulated time in ns, and the per-reference costs, in a typed array so
   * that the hot loop adds unboxed doubles: [now, memory reference].
   */
  readonly #t: Float64Array = new Float64Array(2);

  /** Simulated time in ns. */
  get ns(): number {
    return this.#t[0]!;
  }

  set ns(v: number) {
    this.#t[0] = v;
  }
  /** Instructions executed (started) since reset. */
  instructions = 0;
  /** Translation-buffer misses since reset. */
  tbMisses = 0;
  /** Exceptions and interrupts dispatched since reset. */
  exceptions = 0;
  #nextEventNs = Infinity;
  /** min(next event, the run's time limit): one comparison per instruction. */
  #deadline = Infinity;

  /** Time of the next scheduled event (set by the machine). */
  get nextEventNs(): number {
    return this.#nextEventNs;
  }

  set nextEventNs(ns: number) {
    this.#nextEventNs = ns;
    this.#deadline = Math.min(ns, this.#limitNs);
  }
  /** Called when simulated time reaches nextEventNs. */
  onEvent: (() => void) | null = null;
  /** Observer for tracing (null: no tracing cost). */
  observer: CpuObserver | null = null;
  /**
   * The last exit (valid after STOP_EXIT, until the next run: the record
   * is reused; `copyExit` keeps one).
   */
  exit: CpuExit | null = null;
  /** Why the processor halted (valid after STOP_HALT). */
  haltReason = "";
  /** Whether the processor is halted. */
  halted = false;

  readonly #cost: CostModel;
  readonly #opCost: Float64Array = new Float64Array(512);
  #tbMissNs = 0;
  #excNs = 0;

  // Decode state, reused.
  readonly #opv: Int32Array = new Int32Array(8);
  /** High longwords of quadword, D and G operands. */
  readonly #oph: Int32Array = new Int32Array(8);
  /** Octaword and H operands, four longwords per operand. */
  readonly #opo: Int32Array = new Int32Array(32);
  readonly #opa: Int32Array = new Int32Array(8);
  readonly #opr: Int32Array = new Int32Array(8);
  /** Executors of the instruction families, by opcode index. */
  readonly #ext: (Executor | undefined)[] = new Array(512).fill(undefined);
  /** The interface the families see (src/machine/isa/context.ts). */
  readonly #ctx: IsaContext;
  readonly #rq: Int32Array = new Int32Array(16);
  #rqn = 0;
  #faultPc = 0;
  #opcode = 0;
  /** Whether the last translated data access was a write (not a read). */
  #accessWrite = false;
  /** PC advance within the faulting instruction (machine-check state2). */
  #faultDelta = 0;
  readonly #exc = new VaxException();
  #inIe = false;
  /** Opcode variants (null on every real VAX: no cost). */
  readonly #variants: ReadonlyMap<number, OpcodeVariant> | null;
  /** A variant's fault at the boundary counts as the instruction. */
  #variantFault = false;

  // Translation buffer.
  readonly #tbTag: Int32Array = new Int32Array(TB_SIZE).fill(-1);
  readonly #tbPa: Int32Array = new Int32Array(TB_SIZE);
  /** Per entry: bit (4 * write + mode) set when that access is allowed. */
  readonly #tbAcc: Uint8Array = new Uint8Array(TB_SIZE);
  // Instruction-fetch page cache.
  #ibPage = -1;
  #ibPa = 0;
  // One-entry data translation caches (read and write), same invalidation
  // as the fetch cache: any TB flush and any change of mode.
  #rdPage = -1;
  #rdAcc = -1;
  #rdPa = 0;
  #wrPage = -1;
  #wrAcc = -1;
  #wrPa = 0;

  // Interrupts and traps.
  #trapReq = 0;
  /** Non-zero when something must be looked at between instructions. */
  #attn = 0;
  #stop = 0;
  #stopRequested = false;
  #limitNs = Infinity;
  readonly #devLevel: Int8Array = new Int8Array(32);
  readonly #devVector: Int32Array = new Int32Array(32);
  #devPending = 0;
  #devCount = 0;
  #hwLevel = 0;
  readonly #iprDevices: Map<number, IprDevice> = new Map();
  /** Called for MTPR IORESET. */
  onIoReset: (() => void) | null = null;

  // Breakpoints.
  readonly #breakpoints: Set<number> = new Set();
  #skipBreakpointAt = -1;

  // Decode cache (decode_cache.ts). Per physical page: the slot of its
  // decoded instructions in #dc, -1 none yet, -2 never (caching off, or a
  // page whose code is written too often). A page with a slot has its
  // mem.codePages flag set, and is never the page of the write cache
  // (#wrPage), so that the write fast path needs no check.
  readonly #pageSlot: Int32Array;
  readonly #pageDrops: Uint8Array;
  readonly #codePages: Uint8Array;
  #dc: Int32Array = new Int32Array(0);
  #dcSlots = 0;
  #dcUsed = 0;
  #dcFree: number[] = [];
  // Compiled blocks (block_compiler.ts), by decode-cache entry index
  // (slot * 512 + offset): the function, NO_BLOCK, or undefined (not yet);
  // #heat counts executions of a block start before it is compiled.
  #blocks: (BlockFn | undefined)[] = [];
  #heat: Uint8Array = new Uint8Array(0);
  readonly #blockSt: Int32Array = new Int32Array(2);
  readonly #host: BlockHost;
  readonly #hot: number;
  /** Blocks compiled to JavaScript since the processor was created. */
  compiledBlocks = 0;
  /** The compile mode (CpuOptions.compile). */
  readonly compile: CompileMode;

  /** Creates a CPU on the given memory. */
  constructor(mem: PhysicalMemory, options: CpuOptions = {}) {
    this.mem = mem;
    this.#u8 = mem.u8;
    this.#i32 = mem.i32;
    this.#memSize = mem.size;
    this.vmExtensions = options.vmExtensions ?? true;
    this.#variants = options.variants && options.variants.size > 0
      ? options.variants
      : null;
    this.#cost = options.cost ?? DEFAULT_COST_MODEL;
    this.setCostModel(this.#cost);
    for (let op = 0; op < 512; op++) this.#ext[op] = FAMILY_EXECUTORS[op];
    this.#ctx = this.#makeContext();
    this.compile = options.compile ?? defaultCompileMode();
    const pages = mem.size >>> 9;
    this.#pageSlot = new Int32Array(pages).fill(
      this.compile === "never" ? -2 : -1,
    );
    this.#pageDrops = new Uint8Array(pages);
    this.#codePages = mem.codePages;
    mem.watchCode((p) => this.#dropPage(p));
    this.#hot = this.compile === "always" ? 1 : HOT_BLOCK;
    this.#host = {
      r: this.r,
      t: this.#t,
      st: this.#blockSt,
      opCost: this.#opCost,
      cpu: this,
      begin: (pc, op) => {
        this.#faultPc = pc;
        this.#opcode = op;
        this.#rqn = 0;
      },
      q: (rn, delta) => {
        this.#rq[this.#rqn++] = rn;
        this.#rq[this.#rqn++] = delta;
      },
      rd: (va, size) => this.#read(va, size, (this.psl >>> 24) & 3),
      rdm: (va, size) => this.#read(va, size, ((this.psl >>> 24) & 3) | 4),
      wr: (va, size, v) =>
        this.#write(va, size, v, ((this.psl >>> 24) & 3) | 4),
      fr: (op, a, b) => fResult(this.#ctx, op, a, b, this.psl),
      fo: (op, a, b) => fOrder(this.#ctx, op, a, b),
      trap: () => this.#setTrap(ARITH.INTEGER_OVERFLOW),
      divz: () => this.#setTrap(ARITH.INTEGER_DIVIDE_BY_ZERO),
      rsvd: () => this.#fault(SCB.RESERVED_OPERAND),
      movpsl: () =>
        (this.psl & PSL_VM) !== 0
          ? (this.psl & ~(VMPSL_MASK | PSL_VM)) | this.vmpsl
          : this.psl,
      deadline: () => this.#deadline,
      quiet: () =>
        (this.#attn | (this.psl & (PSL_T | PSL_TP | PSL_FPD))) === 0 &&
        this.#stop === STOP_NONE,
    };
    this.reset();
  }

  /** Forgets the compiled blocks of a decode-cache slot. */
  #clearBlocks(slot: number): void {
    const b = slot << 9;
    const blocks = this.#blocks;
    for (let k = b; k < b + 512; k++) blocks[k] = undefined;
    this.#heat.fill(0, b, b + 512);
  }

  /** Compiles the block at physical address pa (entry index bi). */
  #compileAt(slot: number, pa: number, bi: number): void {
    const base = slot * DC_PAGE;
    const page = pa & ~511;
    const entryAt = (off: number): number => {
      const e = base + off * 16;
      if (this.#dc[e] === 0) this.#learn(page + off);
      return this.#dc[e]! > 0 ? e : -1;
    };
    const u8 = this.#u8;
    const c = compileBlock(entryAt, this.#dc, pa & 511, (o) => u8[page + o]!);
    if (c === null) {
      this.#blocks[bi] = NO_BLOCK;
      return;
    }
    this.#blocks[bi] = instantiateBlock(c.source, this.#host);
    this.compiledBlocks++;
  }

  /** Drops the decoded instructions of physical page p (it was written). */
  #dropPage(p: number): void {
    const slot = this.#pageSlot[p]!;
    if (slot < 0) return;
    this.#dcFree.push(slot);
    this.#codePages[p] = 0;
    this.#blockSt[1] = this.#blockSt[1]! + 1; // a running block stops at its next boundary
    this.#clearBlocks(slot);
    const n = this.#pageDrops[p]! + 1;
    this.#pageDrops[p] = n;
    this.#pageSlot[p] = n >= DC_MAX_DROPS ? -2 : -1;
  }

  /** Gives physical page p a slot of cleared entries; returns it. */
  #newPage(p: number): number {
    let slot = this.#dcFree.pop();
    if (slot === undefined) {
      if (this.#dcUsed === this.#dcSlots) {
        if (this.#dcSlots < DC_MAX_PAGES) {
          const n = this.#dcSlots === 0 ? DC_FIRST_PAGES : this.#dcSlots * 2;
          const dc = new Int32Array(n * DC_PAGE);
          dc.set(this.#dc);
          this.#dc = dc;
          this.#dcSlots = n;
          const heat = new Uint8Array(n * 512);
          heat.set(this.#heat);
          this.#heat = heat;
          this.#blocks.length = n * 512;
        } else {
          // Full: forget every page and start again.
          const ps = this.#pageSlot;
          for (let q = 0; q < ps.length; q++) {
            if (ps[q]! >= 0) {
              ps[q] = -1;
              this.#codePages[q] = 0;
            }
          }
          this.#dcUsed = 0;
          this.#dcFree.length = 0;
          this.#blockSt[1] = this.#blockSt[1]! + 1;
        }
      }
      slot = this.#dcUsed++;
    }
    const e = slot * DC_PAGE;
    this.#dc.fill(0, e, e + DC_PAGE);
    this.#clearBlocks(slot);
    this.#pageSlot[p] = slot;
    this.#codePages[p] = 1;
    this.#wrPage = -1; // the write cache never holds a page with code
    return slot;
  }

  /** Decodes the instruction at physical address pa into the cache. */
  #learn(pa: number): void {
    const p = pa >>> 9;
    let slot = this.#pageSlot[p]!;
    if (slot === -2) return;
    if (slot === -1) slot = this.#newPage(p);
    const e = ((slot << 9) | (pa & 511)) << 4;
    if (decodeInstruction(this.#u8, pa, DECODE_COUNT, this.#dc, e) < 0) {
      this.#dc[e] = -1;
    }
  }

  /** The family interface, closing over the private machinery. */
  #makeContext(): IsaContext {
    // deno-lint-ignore no-this-alias
    const cpu = this;
    const mode = () => (cpu.psl >>> 24) & 3;
    // The accessors live on a class: accessors written in an object
    // literal are not inlined by the JIT (measured: about 100 times the
    // cost of a class accessor per PSL update).
    const Accessors = class {
      get psl(): number {
        return cpu.psl;
      }
      set psl(v: number) {
        cpu.psl = v;
      }
      get faultPc(): number {
        return cpu.#faultPc;
      }
      get mode(): number {
        return mode();
      }
    };
    const members: Omit<IsaContext, "psl" | "faultPc" | "mode"> = {
      r: this.r,
      opv: this.#opv,
      oph: this.#oph,
      opr: this.#opr,
      opa: this.#opa,
      read: (va, size) => this.#read(va | 0, size, mode()),
      readModify: (va, size) => this.#read(va | 0, size, mode() | 4),
      write: (va, size, v) => this.#write(va | 0, size, v, mode() | 4),
      probeRead: (va) => void this.#tr(va | 0, mode()),
      probeWrite: (va) => this.#probeWrite(va | 0, mode()),
      accessible: (va, wr) => this.#writable(va | 0, mode() | (wr ? 4 : 0)),
      store: (k, size, v) => this.#wr(k, size, v),
      storeQ: (k, lo, hi) => this.#wrq(k, lo, hi),
      setCc: (cc) => this.#setCc(cc & 15),
      fault: (vector) => this.#fault(vector),
      reservedOperand: () => this.#fault(SCB.RESERVED_OPERAND),
      reservedAddressingMode: () => this.#raf(),
      arithmeticFault: (code) => this.#arithFault(code),
      trap: (code) => this.#setTrap(code),
      overflow: () => {
        this.psl |= PSL_V;
        if ((this.psl & PSL_IV) !== 0) this.#setTrap(ARITH.INTEGER_OVERFLOW);
      },
      pagePa: (va, write) => {
        // The one-entry read and write caches hold the page of the last
        // access that translated through the TB; nothing else is trusted.
        if (write) {
          return (va >>> 9) === this.#wrPage && this.#wrAcc === (mode() | 4)
            ? this.#wrPa | (va & 511)
            : -1;
        }
        return (va >>> 9) === this.#rdPage && this.#rdAcc === mode()
          ? this.#rdPa | (va & 511)
          : -1;
      },
      charge: (n: number) => {
        this.#t[0] = this.#t[0]! + n * this.#t[1]!;
      },
      u8: this.#u8,
    };
    return Object.assign(new Accessors(), members);
  }

  /** Replaces the cost model (takes effect at once). */
  setCostModel(cost: CostModel): void {
    for (let op = 0; op < 512; op++) {
      const info = OPCODE_BY_INDEX[op];
      this.#opCost[op] = info
        ? cost.instruction[info.cost]
        : cost.instruction.system;
    }
    this.#t[1] = cost.memoryReference;
    this.#tbMissNs = cost.tbMiss;
    this.#excNs = cost.exception;
  }

  /** Power-up state of the KA655 (section 1.3), with PC at 0. */
  reset(): void {
    this.r.fill(0);
    this.stk.fill(0);
    this.psl = 0x041f0000;
    this.p0br =
      this.p0lr =
      this.p1br =
      this.p1lr =
      this.sbr =
      this.slr =
        0;
    this.mapen = 0;
    this.pcbb = this.scbb = 0;
    this.astlvl = 4;
    this.sisr = 0;
    this.pme = 0;
    this.vmpsl = 0;
    this.#trapReq = 0;
    this.halted = false;
    this.haltReason = "";
    this.exit = null;
    this.tbFlushAll();
    this.evalInterrupts();
  }

  // -------------------------------------------------------------------------
  // Public helpers.

  /** Current mode (PSL<25:24>). */
  get mode(): number {
    return (this.psl >>> 24) & 3;
  }

  /** The PSL must-be-zero mask in force (bit 29 is the VM bit when enabled). */
  get pslMbz(): number {
    return this.vmExtensions ? PSL_MBZ_VM : PSL_MBZ;
  }

  /** Sets the breakpoints (virtual PC addresses). */
  setBreakpoints(addresses: Iterable<number>): void {
    this.#breakpoints.clear();
    for (const a of addresses) this.#breakpoints.add(a >>> 0);
    this.#updateAttn();
  }

  /** Asks a running loop to stop at the next instruction boundary. */
  requestStop(): void {
    this.#stopRequested = true;
    this.#updateAttn();
  }

  /**
   * Registers an interrupt source at a level with an SCB vector; returns
   * its slot for {@link Cpu.setInterrupt}.
   */
  addInterruptSource(level: number, vector: number): number {
    if (this.#devCount >= 32) {
      throw new RangeError("Cannot add an interrupt source: at most 32");
    }
    const slot = this.#devCount++;
    this.#devLevel[slot] = level;
    this.#devVector[slot] = vector;
    return slot;
  }

  /** Raises or withdraws a device interrupt request. */
  setInterrupt(slot: number, on: boolean): void {
    const bit = 1 << slot;
    const was = this.#devPending;
    this.#devPending = on ? was | bit : was & ~bit;
    if (this.#devPending !== was) this.evalInterrupts();
  }

  /** Whether a device interrupt request is pending. */
  interruptPending(slot: number): boolean {
    return (this.#devPending & (1 << slot)) !== 0;
  }

  /** Attaches a device to an IPR number. */
  attachIpr(n: number, dev: IprDevice): void {
    this.#iprDevices.set(n, dev);
  }

  /** Requests an arithmetic trap (taken at the next boundary). */
  #setTrap(code: number): void {
    this.#trapReq = code;
    this.#attn |= 1;
  }

  /** Recomputes the highest pending interrupt level. */
  evalInterrupts(): void {
    let lvl = 0;
    let p = this.#devPending;
    while (p !== 0) {
      const slot = 31 - Math.clz32(p);
      p &= ~(1 << slot);
      const l = this.#devLevel[slot]!;
      if (l > lvl) lvl = l;
    }
    this.#hwLevel = lvl;
    this.#updateAttn();
  }

  #updateAttn(): void {
    const ipl = (this.psl >>> 16) & 31;
    const sw = this.sisr === 0 ? 0 : 31 - Math.clz32(this.sisr);
    let a = 0;
    if (this.#trapReq !== 0) a |= 1;
    if (this.#hwLevel > ipl || sw > ipl) a |= 2;
    if (this.#breakpoints.size > 0) a |= 4;
    if (this.#stopRequested) a |= 8;
    if (this.#variants !== null) a |= 16;
    this.#attn = a;
  }

  /** The highest pending interrupt level (hardware or software), or 0. */
  get pendingLevel(): number {
    const sw = this.sisr === 0 ? 0 : 31 - Math.clz32(this.sisr);
    return Math.max(sw, this.#hwLevel);
  }

  // -------------------------------------------------------------------------
  // Translation buffer and memory management (section 10).

  /**
   * The current mode changed from outside the instruction loop (a host
   * monitor loading a VM's PSL): forgets the instruction-fetch page and the
   * data pages cached with the old mode's access checks, as REI and CHMx
   * do. The TB keeps its entries (they record which modes they allow).
   */
  modeChanged(): void {
    this.#ibPage = this.#rdPage = this.#wrPage = -1;
  }

  /** Invalidates the whole TB. */
  tbFlushAll(): void {
    this.#tbTag.fill(-1);
    this.#ibPage = this.#rdPage = this.#wrPage = -1;
  }

  /** Invalidates the process-space (P0/P1) TB entries. */
  tbFlushProcess(): void {
    this.#tbTag.fill(-1, 0, TB_SYS);
    this.#ibPage = this.#rdPage = this.#wrPage = -1;
  }

  /** Invalidates the TB entry of one virtual address. */
  tbFlushOne(va: number): void {
    const tag = va >>> 9;
    const i = ((va >>> 21) & 0x400) | (tag & 0x3ff);
    if (this.#tbTag[i] === tag) this.#tbTag[i] = -1;
    this.#ibPage = this.#rdPage = this.#wrPage = -1;
  }

  /** Whether the TB holds an entry for a virtual address (TBCHK). */
  tbHas(va: number): boolean {
    const tag = va >>> 9;
    const i = ((va >>> 21) & 0x400) | (tag & 0x3ff);
    return this.#tbTag[i] === tag;
  }

  /** Snapshot of the valid TB entries, for inspection. */
  tbEntries(): { va: number; pa: number; read: number; write: number }[] {
    const out = [];
    for (let i = 0; i < TB_SIZE; i++) {
      const tag = this.#tbTag[i]!;
      if (tag === -1) continue;
      out.push({
        va: (tag << 9) >>> 0,
        pa: this.#tbPa[i]!,
        read: this.#tbAcc[i]! & 15,
        write: this.#tbAcc[i]! >> 4,
      });
    }
    return out;
  }

  /** Translates va for access acc (mode | 4 for write); throws on fault. */
  #tr(va: number, acc: number): number {
    if (this.mapen === 0) return va & 0x3fffffff;
    const tag = va >>> 9;
    const i = ((va >>> 21) & 0x400) | (tag & 0x3ff);
    if (this.#tbTag[i] === tag && ((this.#tbAcc[i]! >> acc) & 1) !== 0) {
      return this.#tbPa[i]! | (va & 511);
    }
    return this.#fill(va, acc);
  }

  /**
   * Walks the page tables for va (section 10.5), checks length, protection
   * and validity, sets M on write, fills the TB and returns the physical
   * address. Throws ACV/TNV faults.
   */
  #fill(va: number, acc: number): number {
    this.tbMisses++;
    this.ns += this.#tbMissNs;
    const wr = (acc & 4) !== 0;
    const mode = acc & 3;
    const wmask = wr ? MM_WRITE : 0;
    const vpn = (va >>> 9) & 0x1fffff;
    const region = va >>> 30;
    let ptePa: number;
    if (region === 2) {
      // S0: length check, PTE at physical SBR + 4 * VPN.
      if (vpn >= this.slr) {
        this.#mmFault(SCB.ACCESS_VIOLATION, MM_LENGTH | wmask, va);
      }
      ptePa = (this.sbr + (vpn << 2)) >>> 0;
    } else if (region === 3) {
      // S1 is reserved: always a length violation.
      this.#mmFault(SCB.ACCESS_VIOLATION, MM_LENGTH | wmask, va);
      ptePa = 0;
    } else {
      let pteVa: number;
      if (region === 0) {
        if (vpn >= this.p0lr) {
          this.#mmFault(SCB.ACCESS_VIOLATION, MM_LENGTH | wmask, va);
        }
        pteVa = (this.p0br + (vpn << 2)) >>> 0;
      } else {
        if (vpn < this.p1lr) {
          this.#mmFault(SCB.ACCESS_VIOLATION, MM_LENGTH | wmask, va);
        }
        pteVa = (this.p1br + (vpn << 2)) >>> 0;
      }
      ptePa = this.#processPtePa(pteVa, va, wmask, false);
    }
    const pte = this.#physReadL(ptePa);
    const prot = (pte >>> PTE_PROT_SHIFT) & 15;
    const rmodes = PROT_READ_MODES[prot]!;
    const wmodes = PROT_WRITE_MODES[prot]!;
    if (((wr ? wmodes : rmodes) >> mode & 1) === 0) {
      this.#mmFault(SCB.ACCESS_VIOLATION, wmask, va);
    }
    if ((pte & PTE_V) === 0) {
      this.#mmFault(SCB.TRANSLATION_NOT_VALID, wmask, va);
    }
    let m = pte & PTE_M;
    if (wr && m === 0) {
      this.#physWriteL(ptePa, pte | PTE_M);
      m = PTE_M;
    }
    const pa = (pte & PTE_PFN_MASK) << 9;
    const tag = va >>> 9;
    const i = ((va >>> 21) & 0x400) | (tag & 0x3ff);
    this.#tbTag[i] = tag;
    this.#tbPa[i] = pa;
    this.#tbAcc[i] = rmodes | (m !== 0 ? wmodes << 4 : 0);
    return pa | (va & 511);
  }

  /**
   * Physical address of a process PTE whose system-virtual address is
   * pteVa (the "double miss" path). Faults report the original va with the
   * PTE-reference bit. With probe set, a length violation returns -1.
   */
  #processPtePa(
    pteVa: number,
    va: number,
    wmask: number,
    probe: boolean,
  ): number {
    if ((pteVa >>> 30) !== 2) {
      // SimH stops the simulator here; hardware behaviour UNCONFIRMED.
      this.#halt(HALT_REASONS.PROCESS_PTE_NOT_IN_S0);
    }
    const svpn = (pteVa >>> 9) & 0x1fffff;
    if (svpn >= this.slr) {
      if (probe) return -1;
      this.#mmFault(SCB.ACCESS_VIOLATION, MM_LENGTH | MM_PTE_REF | wmask, va);
    }
    const spte = this.#physReadL((this.sbr + (svpn << 2)) >>> 0);
    // No protection check on the system PTE (KA655, follows SimH).
    if ((spte & PTE_V) === 0) {
      this.#mmFault(SCB.TRANSLATION_NOT_VALID, MM_PTE_REF | wmask, va);
    }
    return (((spte & PTE_PFN_MASK) << 9) | (pteVa & 511)) >>> 0;
  }

  #mmFault(vector: number, mask: number, va: number): never {
    const e = this.#exc;
    e.kind = K_FAULT;
    e.vector = vector;
    e.nparams = 2;
    e.p1 = mask;
    e.p2 = va;
    throw e;
  }

  /**
   * PROBE's accessibility test for one byte (section 8.1): true when mode
   * may access it; length and protection failures return false; an invalid
   * system PTE for a process page table raises TNV.
   */
  #probeByte(va: number, mode: number, wr: boolean): boolean {
    if (this.mapen === 0) return true;
    const vpn = (va >>> 9) & 0x1fffff;
    const region = va >>> 30;
    let ptePa: number;
    if (region === 2) {
      if (vpn >= this.slr) return false;
      ptePa = (this.sbr + (vpn << 2)) >>> 0;
    } else if (region === 3) {
      return false;
    } else {
      let pteVa: number;
      if (region === 0) {
        if (vpn >= this.p0lr) return false;
        pteVa = (this.p0br + (vpn << 2)) >>> 0;
      } else {
        if (vpn < this.p1lr) return false;
        pteVa = (this.p1br + (vpn << 2)) >>> 0;
      }
      ptePa = this.#processPtePa(pteVa, va, wr ? MM_WRITE : 0, true);
      if (ptePa < 0) return false;
    }
    const pte = this.#physReadL(ptePa);
    const prot = (pte >>> PTE_PROT_SHIFT) & 15;
    const ok =
      ((wr ? PROT_WRITE_MODES[prot]! : PROT_READ_MODES[prot]!) >> mode & 1) !==
        0;
    // SimH quirk (section 8.1): a successful PROBEW of a valid page sets M.
    if (ok && wr && (pte & PTE_V) !== 0 && (pte & PTE_M) === 0) {
      this.#physWriteL(ptePa, pte | PTE_M);
    }
    return ok;
  }

  // -------------------------------------------------------------------------
  // Physical access with machine checks.

  #physReadL(pa: number): number {
    if (pa + 4 > this.#memSize) this.#machineCheck(MCHK_READ, pa);
    return this.mem.readL(pa);
  }

  #physWriteL(pa: number, v: number): void {
    if (pa + 4 > this.#memSize) this.#machineCheck(MCHK_WRITE, pa);
    this.mem.writeL(pa, v);
  }

  #machineCheck(code: number, addr: number): never {
    const e = this.#exc;
    e.kind = K_MCHK;
    e.vector = SCB.MACHINE_CHECK;
    e.p1 = code;
    e.p2 = addr;
    throw e;
  }

  // -------------------------------------------------------------------------
  // Virtual memory access (current mode unless acc says otherwise).

  /** Reads size bytes at va with access acc; zero-extended for b and w. */
  #read(va: number, size: number, acc: number): number {
    this.#t[0] = this.#t[0]! + this.#t[1]!;
    const off = va & 511;
    // Fast path: the page of the last read, in memory, same access.
    if (
      off + size <= 512 && (va >>> 9) === this.#rdPage && acc === this.#rdAcc
    ) {
      const pa = this.#rdPa | off;
      if (size === 4) {
        return (pa & 3) === 0 ? this.#i32[pa >>> 2]! : this.mem.readL(pa);
      }
      return size === 1 ? this.#u8[pa]! : this.mem.readW(pa);
    }
    return this.#readSlow(va, size, acc);
  }

  #readSlow(va: number, size: number, acc: number): number {
    this.#accessWrite = false;
    if (((va & 511) + size) > 512) return this.#readCross(va, size, acc);
    const pa = this.mapen === 0 ? va & 0x3fffffff : this.#tr(va, acc);
    if (pa + size > this.#memSize) this.#machineCheck(MCHK_READ, va);
    if ((pa | 511) < this.#memSize) {
      this.#rdPage = va >>> 9;
      this.#rdAcc = acc;
      this.#rdPa = pa & ~511;
    }
    if (size === 4) return this.mem.readL(pa);
    return size === 1 ? this.#u8[pa]! : this.mem.readW(pa);
  }

  #readCross(va: number, size: number, acc: number): number {
    const pa1 = this.#tr(va, acc);
    // The second page is translated at va + size, which is the VA a fault
    // there reports (section 10.5, as SimH).
    const va2 = (va + size) | 0;
    const pa2 = this.#tr(va2, acc);
    let v = 0;
    for (let k = 0; k < size; k++) {
      const a = (va + k) >>> 0;
      const pa = (a >>> 9) === (va >>> 9) ? pa1 + k : (pa2 & ~511) | (a & 511);
      if (pa >= this.#memSize) this.#machineCheck(MCHK_READ, a);
      v |= this.#u8[pa]! << (8 * k);
    }
    return size === 4 ? v | 0 : v;
  }

  /** Writes size bytes at va with access acc (acc includes the write bit). */
  #write(va: number, size: number, v: number, acc: number): void {
    this.#t[0] = this.#t[0]! + this.#t[1]!;
    const off = va & 511;
    // Fast path: the page of the last write, in memory, same access.
    if (
      off + size <= 512 && (va >>> 9) === this.#wrPage && acc === this.#wrAcc
    ) {
      const pa = this.#wrPa | off;
      if (size === 4 && (pa & 3) === 0) this.#i32[pa >>> 2] = v;
      else this.#store(pa, size, v);
      return;
    }
    this.#writeSlow(va, size, v, acc);
  }

  #store(pa: number, size: number, v: number): void {
    if (size === 4) this.mem.writeL(pa, v);
    else if (size === 1) this.#u8[pa] = v;
    else this.mem.writeW(pa, v);
  }

  #writeSlow(va: number, size: number, v: number, acc: number): void {
    this.#accessWrite = true;
    if (((va & 511) + size) > 512) {
      this.#writeCross(va, size, v, acc);
      return;
    }
    const pa = this.mapen === 0 ? va & 0x3fffffff : this.#tr(va, acc);
    if (pa + size > this.#memSize) this.#machineCheck(MCHK_WRITE, va);
    // Code written: its decoded instructions go (and the page may then be
    // the write cache's, which never holds a page with code).
    if (this.#codePages[pa >>> 9] !== 0) this.mem.written(pa, size);
    if ((pa | 511) < this.#memSize) {
      this.#wrPage = va >>> 9;
      this.#wrAcc = acc;
      this.#wrPa = pa & ~511;
    }
    this.#store(pa, size, v);
  }

  #writeCross(va: number, size: number, v: number, acc: number): void {
    // Translate both pages before writing anything.
    const pa1 = this.#tr(va, acc);
    const va2 = (va + size) | 0;
    const pa2 = this.#tr(va2, acc);
    for (let k = 0; k < size; k++) {
      const a = (va + k) >>> 0;
      const pa = (a >>> 9) === (va >>> 9) ? pa1 + k : (pa2 & ~511) | (a & 511);
      if (pa >= this.#memSize) this.#machineCheck(MCHK_WRITE, a);
    }
    if (this.#codePages[pa1 >>> 9] !== 0) this.mem.written(pa1, 1);
    if (this.#codePages[pa2 >>> 9] !== 0) this.mem.written(pa2, 1);
    for (let k = 0; k < size; k++) {
      const a = (va + k) >>> 0;
      const pa = (a >>> 9) === (va >>> 9) ? pa1 + k : (pa2 & ~511) | (a & 511);
      this.#u8[pa] = v >>> (8 * k);
    }
  }

  /** Checks that va may be written in mode (faults if not). */
  #probeWrite(va: number, mode: number): void {
    this.#tr(va | 0, mode | 4);
  }

  // -------------------------------------------------------------------------
  // Instruction stream.

  #ifetchPa(pc: number): number {
    const page = pc >>> 9;
    if (page === this.#ibPage) return this.#ibPa | (pc & 511);
    this.#accessWrite = false;
    const pa = this.#tr(pc, (this.psl >>> 24) & 3);
    if (pa >= this.#memSize) this.#machineCheck(MCHK_READ, pc);
    this.#ibPage = page;
    this.#ibPa = pa & ~511;
    return pa;
  }

  #fetchB(): number {
    const r = this.r;
    const pc = r[15]!;
    const pa = (pc >>> 9) === this.#ibPage
      ? this.#ibPa | (pc & 511)
      : this.#ifetchPa(pc);
    r[15] = pc + 1;
    return this.#u8[pa]!;
  }

  #fetchW(): number {
    const r = this.r;
    const pc = r[15]!;
    if ((pc & 511) <= 510) {
      const pa = this.#ifetchPa(pc | 0);
      r[15] = pc + 2;
      return this.mem.readW(pa);
    }
    const lo = this.#fetchB();
    return lo | (this.#fetchB() << 8);
  }

  #fetchL(): number {
    const r = this.r;
    const pc = r[15]!;
    if ((pc & 511) <= 508) {
      const pa = this.#ifetchPa(pc | 0);
      r[15] = pc + 4;
      return this.mem.readL(pa);
    }
    const b0 = this.#fetchB();
    const b1 = this.#fetchB();
    const b2 = this.#fetchB();
    return b0 | (b1 << 8) | (b2 << 16) | (this.#fetchB() << 24);
  }

  // -------------------------------------------------------------------------
  // Operand decode (section 3).

  #raf(): never {
    return this.#fault(SCB.RESERVED_ADDRESSING_MODE);
  }

  #fault(vector: number): never {
    const e = this.#exc;
    e.kind = K_FAULT;
    e.vector = vector;
    e.nparams = 0;
    throw e;
  }

  /** Arithmetic fault (floating): SCB 0x34 with its type code. */
  #arithFault(code: number): never {
    const e = this.#exc;
    e.kind = K_FAULT;
    e.vector = SCB.ARITHMETIC;
    e.nparams = 1;
    e.p1 = code;
    throw e;
  }

  /** Decodes operand i with access acc and size; fills opv/opa/opr. */
  #spec(i: number, acc: number, size: number, s: number): void {
    const r = this.r;
    const rn = s & 15;
    const mode = s >> 4;
    let ea: number;
    switch (mode) {
      case 0:
      case 1:
      case 2:
      case 3:
        // Short literal, read access only.
        if (acc !== ACC_R) this.#raf();
        this.#opv[i] = s & 63;
        return;
      case 4: {
        // Index: base_EA + Rx * size (section 3.4).
        if (rn === 15) this.#raf();
        const idx = r[rn]! * size;
        ea = (this.#indexBase(size) + idx) | 0;
        break;
      }
      case 5:
        if (rn === 15 || acc === ACC_A) this.#raf();
        if (acc === ACC_R || acc === ACC_M) {
          const v = r[rn]!;
          this.#opv[i] = size === 4 ? v : size === 1 ? v & 0xff : v & 0xffff;
        }
        this.#opr[i] = rn;
        return;
      case 6:
        if (rn === 15) this.#raf();
        ea = r[rn]! | 0;
        break;
      case 7:
        if (rn === 15) this.#raf();
        r[rn] = r[rn]! - size;
        this.#rq[this.#rqn++] = rn;
        this.#rq[this.#rqn++] = -size;
        ea = r[rn]! | 0;
        break;
      case 8:
        if (rn === 15) {
          // Immediate.
          if (acc === ACC_R) {
            this.#opv[i] = size === 4
              ? this.#fetchL()
              : size === 1
              ? this.#fetchB()
              : this.#fetchW();
            return;
          }
          // Address or (SimH) write into the instruction stream.
          ea = r[15]! | 0;
          r[15] = r[15]! + size;
          break;
        }
        ea = r[rn]! | 0;
        r[rn] = r[rn]! + size;
        this.#rq[this.#rqn++] = rn;
        this.#rq[this.#rqn++] = size;
        break;
      case 9:
        if (rn === 15) {
          ea = this.#fetchL() | 0; // absolute
        } else {
          ea = this.#read(r[rn]! | 0, 4, (this.psl >>> 24) & 3) | 0;
          r[rn] = r[rn]! + 4;
          this.#rq[this.#rqn++] = rn;
          this.#rq[this.#rqn++] = 4;
        }
        break;
      case 0xa: {
        const d = sxb(this.#fetchB());
        ea = (r[rn]! + d) | 0;
        break;
      }
      case 0xb: {
        const d = sxb(this.#fetchB());
        ea = this.#read((r[rn]! + d) | 0, 4, (this.psl >>> 24) & 3) | 0;
        break;
      }
      case 0xc: {
        const d = sxw(this.#fetchW());
        ea = (r[rn]! + d) | 0;
        break;
      }
      case 0xd: {
        const d = sxw(this.#fetchW());
        ea = this.#read((r[rn]! + d) | 0, 4, (this.psl >>> 24) & 3) | 0;
        break;
      }
      case 0xe: {
        const d = this.#fetchL();
        ea = (r[rn]! + d) | 0;
        break;
      }
      default: {
        const d = this.#fetchL();
        ea = this.#read((r[rn]! + d) | 0, 4, (this.psl >>> 24) & 3) | 0;
        break;
      }
    }
    this.#memOperand(i, acc, size, ea);
  }

  #memOperand(i: number, acc: number, size: number, ea: number): void {
    if (acc >= ACC_WIDE) return this.#memWide(i, acc & 7, 8, ea);
    switch (acc) {
      case ACC_R:
        this.#opv[i] = this.#read(ea, size, (this.psl >>> 24) & 3);
        return;
      case ACC_M:
        // Modify operands are read with write-access checking (section 3.6).
        this.#opv[i] = this.#read(ea, size, ((this.psl >>> 24) & 3) | 4);
        this.#opa[i] = ea;
        this.#opr[i] = -1;
        return;
      case ACC_W:
        this.#opa[i] = ea;
        this.#opr[i] = -1;
        return;
      default: // ACC_A, ACC_V
        this.#opv[i] = ea;
        this.#opr[i] = -1;
        return;
    }
  }

  /**
   * A wide operand (quadword, D, G, octaword, H; or F) of `size` bytes in
   * memory at ea: its longwords read for r and m access, its address kept
   * for m and w, or the address as the value for a. Used by #specWide and
   * by decoded quadword and D memory operands.
   */
  #memWide(i: number, acc: number, size: number, ea: number): void {
    this.#opr[i] = -1;
    if (acc === ACC_R || acc === ACC_M) {
      const a = ((this.psl >>> 24) & 3) | (acc === ACC_M ? 4 : 0);
      if (size === 4) {
        this.#opv[i] = this.#read(ea, 4, a);
      } else {
        const opo = this.#opo;
        for (let k = 0; k < size; k += 4) {
          opo[i * 4 + (k >> 2)] = this.#read((ea + k) | 0, 4, a);
        }
        this.#opv[i] = opo[i * 4]!;
        this.#oph[i] = opo[i * 4 + 1]!;
      }
      this.#opa[i] = ea;
    } else if (acc === ACC_W) {
      this.#opa[i] = ea;
    } else {
      this.#opv[i] = ea; // ACC_A
    }
  }

  /**
   * A decoded quadword or D operand in Rn, Rn+1 (D_QREG) or a short
   * literal (D_QLIT, its first longword in arg): what #specWide leaves.
   */
  #quadOperand(
    i: number,
    kind: number,
    rn: number,
    acc: number,
    arg: number,
  ): void {
    if (kind === D_QLIT) {
      const opo = this.#opo;
      this.#opv[i] = arg;
      this.#oph[i] = 0;
      opo[i * 4] = arg;
      opo[i * 4 + 1] = opo[i * 4 + 2] = opo[i * 4 + 3] = 0;
      return;
    }
    if (acc === ACC_R || acc === ACC_M) {
      this.#opv[i] = this.r[rn]!;
      this.#oph[i] = this.r[rn + 1]!;
    }
    this.#opr[i] = rn;
  }

  /** Evaluates the base specifier of index mode and returns its address. */
  #indexBase(size: number): number {
    const r = this.r;
    const s = this.#fetchB();
    const rn = s & 15;
    const mode = s >> 4;
    switch (mode) {
      case 6:
        if (rn === 15) this.#raf();
        return r[rn]! | 0;
      case 7:
        if (rn === 15) this.#raf();
        r[rn] = r[rn]! - size;
        this.#rq[this.#rqn++] = rn;
        this.#rq[this.#rqn++] = -size;
        return r[rn]! | 0;
      case 8: {
        if (rn === 15) this.#raf(); // immediate base: RAF on the KA655
        const ea = r[rn]! | 0;
        r[rn] = r[rn]! + size;
        this.#rq[this.#rqn++] = rn;
        this.#rq[this.#rqn++] = size;
        return ea;
      }
      case 9: {
        if (rn === 15) return this.#fetchL() | 0;
        const ea = this.#read(r[rn]! | 0, 4, (this.psl >>> 24) & 3) | 0;
        r[rn] = r[rn]! + 4;
        this.#rq[this.#rqn++] = rn;
        this.#rq[this.#rqn++] = 4;
        return ea;
      }
      case 0xa: {
        const d = sxb(this.#fetchB());
        return (r[rn]! + d) | 0;
      }
      case 0xb: {
        const d = sxb(this.#fetchB());
        return this.#read((r[rn]! + d) | 0, 4, (this.psl >>> 24) & 3) | 0;
      }
      case 0xc: {
        const d = sxw(this.#fetchW());
        return (r[rn]! + d) | 0;
      }
      case 0xd: {
        const d = sxw(this.#fetchW());
        return this.#read((r[rn]! + d) | 0, 4, (this.psl >>> 24) & 3) | 0;
      }
      case 0xe: {
        const d = this.#fetchL();
        return (r[rn]! + d) | 0;
      }
      case 0xf: {
        const d = this.#fetchL();
        return this.#read((r[rn]! + d) | 0, 4, (this.psl >>> 24) & 3) | 0;
      }
      default:
        // Literal, index, register bases are illegal.
        return this.#raf();
    }
  }

  /**
   * Decodes a wide or floating operand (quadword, octaword, F, D, G, H):
   * the slow path of the decoder, with the short literal expanded by type
   * (section 3.3; SimH's float literal forms) and the register-pair rules
   * (a quadword in R14 or an octaword in R12 and up is a reserved
   * addressing mode).
   */
  #specWide(i: number, acc: number, code: number): void {
    const r = this.r;
    const size = WIDE_SIZE[code]!;
    const s = this.#fetchB();
    const rn = s & 15;
    const mode = s >> 4;
    const opo = this.#opo;
    let ea: number;
    switch (mode) {
      case 0:
      case 1:
      case 2:
      case 3: {
        if (acc !== ACC_R) this.#raf();
        const lit = s & 63;
        let lo = lit;
        if (code === WIDE_F || code === WIDE_D) lo = 0x4000 | (lit << 4);
        else if (code === WIDE_G) lo = 0x4000 | (lit << 1);
        else if (code === WIDE_H) {
          lo = ((lit & 7) << 29) | 0x4000 | ((lit >> 3) & 7);
        }
        this.#opv[i] = lo;
        this.#oph[i] = 0;
        opo[i * 4] = lo;
        opo[i * 4 + 1] = opo[i * 4 + 2] = opo[i * 4 + 3] = 0;
        return;
      }
      case 4: {
        if (rn === 15) this.#raf();
        const idx = r[rn]! * size;
        ea = (this.#indexBase(size) + idx) | 0;
        break;
      }
      case 5:
        if (rn === 15 || acc === ACC_A) this.#raf();
        if (acc === ACC_R || acc === ACC_M) {
          if (size === 8 && rn >= 14) this.#raf();
          if (size === 16 && rn >= 12) this.#raf();
          this.#opv[i] = r[rn]!;
          if (size >= 8) this.#oph[i] = r[rn + 1]!;
          if (size === 16) {
            for (let k = 0; k < 4; k++) opo[i * 4 + k] = r[rn + k]!;
          }
        }
        this.#opr[i] = rn;
        return;
      case 6:
        if (rn === 15) this.#raf();
        ea = r[rn]! | 0;
        break;
      case 7:
        if (rn === 15) this.#raf();
        r[rn] = r[rn]! - size;
        this.#rq[this.#rqn++] = rn;
        this.#rq[this.#rqn++] = -size;
        ea = r[rn]! | 0;
        break;
      case 8:
        ea = r[rn]! | 0;
        r[rn] = r[rn]! + size;
        if (rn !== 15) {
          this.#rq[this.#rqn++] = rn;
          this.#rq[this.#rqn++] = size;
        } else if (acc === ACC_R) {
          // Immediate: the data follows in the instruction stream.
          for (let k = 0; k < size; k += 4) {
            opo[i * 4 + (k >> 2)] = this.#fetchIstreamL(ea + k);
          }
          this.#opv[i] = opo[i * 4]!;
          this.#oph[i] = opo[i * 4 + 1]!;
          return;
        }
        break;
      case 9:
        if (rn === 15) {
          ea = this.#fetchL() | 0; // absolute
        } else {
          ea = this.#read(r[rn]! | 0, 4, (this.psl >>> 24) & 3) | 0;
          r[rn] = r[rn]! + 4;
          this.#rq[this.#rqn++] = rn;
          this.#rq[this.#rqn++] = 4;
        }
        break;
      case 0xa: {
        // The displacement is fetched first: PC-relative modes add the PC
        // that follows it.
        const d = sxb(this.#fetchB());
        ea = (r[rn]! + d) | 0;
        break;
      }
      case 0xb: {
        const d = sxb(this.#fetchB());
        ea = this.#read((r[rn]! + d) | 0, 4, (this.psl >>> 24) & 3) | 0;
        break;
      }
      case 0xc: {
        const d = sxw(this.#fetchW());
        ea = (r[rn]! + d) | 0;
        break;
      }
      case 0xd: {
        const d = sxw(this.#fetchW());
        ea = this.#read((r[rn]! + d) | 0, 4, (this.psl >>> 24) & 3) | 0;
        break;
      }
      case 0xe: {
        const d = this.#fetchL();
        ea = (r[rn]! + d) | 0;
        break;
      }
      default: {
        const d = this.#fetchL();
        ea = this.#read((r[rn]! + d) | 0, 4, (this.psl >>> 24) & 3) | 0;
      }
    }
    this.#memWide(i, acc, size, ea);
  }

  /**
   * Reads a longword of immediate data whose first byte is at pc (PC has
   * already been moved past it by the caller).
   */
  #fetchIstreamL(pc: number): number {
    const r = this.r;
    const after = r[15]!;
    r[15] = pc;
    const v = this.#fetchL();
    r[15] = after;
    return v;
  }

  /**
   * Stores a quadword result into operand i. A register destination uses
   * Rn and Rn+1 (R14 or PC: reserved addressing mode); a memory one is
   * checked for write access at both ends first, as SimH does, so that a
   * fault leaves no half-written quadword.
   */
  #wrq(i: number, lo: number, hi: number): void {
    const rn = this.#opr[i]!;
    if (rn >= 0) {
      if (rn >= 14) this.#raf();
      this.r[rn] = lo;
      this.r[rn + 1] = hi;
      return;
    }
    const va = this.#opa[i]! | 0;
    const acc = ((this.psl >>> 24) & 3) | 4;
    if (this.#writable((va + 7) | 0, acc) || !this.#writable(va, acc)) {
      this.#write(va, 4, lo, acc);
    }
    this.#write((va + 4) | 0, 4, hi, acc);
  }

  /** Whether va may be accessed with acc (no fault is taken). */
  #writable(va: number, acc: number): boolean {
    try {
      this.#tr(va, acc);
      return true;
    } catch (e) {
      if (e !== this.#exc) throw e;
      return false;
    }
  }

  /** Writes the result of operand i. */
  #wr(i: number, size: number, v: number): void {
    // Small, so that the JIT inlines it: longword to a register here, the
    // rest out of line.
    const rn = this.#opr[i]!;
    if (rn >= 0 && size === 4) this.r[rn] = v;
    else this.#wrSlow(rn, i, size, v);
  }

  #wrSlow(rn: number, i: number, size: number, v: number): void {
    if (rn >= 0) {
      const r = this.r;
      if (size === 1) r[rn] = (r[rn]! & ~0xff) | (v & 0xff);
      else r[rn] = (r[rn]! & ~0xffff) | (v & 0xffff);
      return;
    }
    this.#write(this.#opa[i]!, size, v, ((this.psl >>> 24) & 3) | 4);
  }

  #setCc(cc: number): void {
    this.psl = (this.psl & ~0xf) | cc;
  }

  // -------------------------------------------------------------------------
  // The run loop.

  /**
   * Runs until a stop condition: the instruction budget, a simulated time
   * (ns, absolute), a halt, a breakpoint, an exit, idle, a stop request, an
   * interrupt (the shared flag of interrupt.ts) or the host-time deadline (a
   * `performance.now()` value). The last two are looked at once per 65,536
   * instructions. Returns one of the STOP_* codes.
   */
  run(
    maxInstructions: number,
    untilNs: number = Infinity,
    hostDeadline: number = Infinity,
  ): number {
    this.#stop = STOP_NONE;
    this.#stopRequested = false;
    this.#skipBreakpointAt = this.r[15]! >>> 0;
    this.#updateAttn();
    if (this.halted) return STOP_HALT;
    this.#limitNs = untilNs;
    this.#deadline = Math.min(this.#nextEventNs, untilNs);
    // The budget is counted in small-integer chunks (`left`), so that the
    // hot loop does integer arithmetic; `rest` holds what is beyond (it may
    // be Infinity). Between chunks the loop looks at the interrupt flag and
    // the host-time deadline.
    const CHUNK = CHECK_EVERY;
    const flag = INTERRUPT_FLAG;
    let rest = maxInstructions;
    let left = rest > CHUNK ? CHUNK : rest | 0;
    rest -= left;
    let executed = 0;
    for (;;) {
      try {
        while (this.#stop === STOP_NONE) {
          if (this.#t[0]! >= this.#deadline) {
            if (this.#t[0]! >= this.#limitNs) {
              this.#stop = STOP_TIME;
              break;
            }
            this.onEvent?.();
            if (this.#stop !== STOP_NONE) break;
          }
          if ((this.#attn | (this.psl & (PSL_T | PSL_TP))) !== 0) {
            // T becomes TP only for an instruction that will run (a run
            // that stops here leaves it to the next one: exact stepping).
            if (this.#boundary(left > 0 || rest > 0)) continue;
          }
          if (left <= 0) {
            if (rest <= 0) {
              this.#stop = STOP_LIMIT;
              break;
            }
            if (Atomics.load(flag, 0) !== 0) {
              this.#stop = STOP_INTERRUPT;
              break;
            }
            if (
              hostDeadline !== Infinity && performance.now() >= hostDeadline
            ) {
              this.#stop = STOP_BUDGET;
              break;
            }
            left = rest > CHUNK ? CHUNK : rest | 0;
            rest -= left;
          }
          if (left >= BLOCK_MAX) {
            // A compiled block at PC, if nothing needs the boundary (no T,
            // TP or FPD, no attention).
            const pc = this.r[15]!;
            if (
              (this.#attn | (this.psl & (PSL_T | PSL_TP | PSL_FPD))) === 0
            ) {
              if ((pc >>> 9) !== this.#ibPage) {
                // A new page (a branch, call or return into it): its fetch
                // translation first, as #execute would do it, so that a
                // block there can start. A fault is this instruction's.
                this.#faultPc = pc;
                this.#rqn = 0;
                left--;
                executed++;
                this.#ifetchPa(pc);
                left++;
                executed--;
              }
              const pa = this.#ibPa | (pc & 511);
              const slot = this.#pageSlot[pa >>> 9]!;
              if (slot >= 0) {
                const bi = (slot << 9) | (pa & 511);
                const b = this.#blocks[bi];
                if (b !== undefined && b !== NO_BLOCK) {
                  b(pc, left);
                  const st = this.#blockSt;
                  const k = st[0]!;
                  st[0] = 0;
                  left -= k;
                  executed += k;
                  continue;
                }
                if (b === undefined) {
                  const h = this.#heat[bi]! + 1;
                  this.#heat[bi] = h;
                  if (h >= this.#hot) {
                    this.#compileAt(slot, pa, bi);
                    // Nothing has run: back to the boundary, into the block.
                    if (this.#blocks[bi] !== NO_BLOCK) continue;
                  }
                }
              }
            }
          }
          left--;
          executed++;
          this.#execute();
        }
        this.instructions += executed;
        return this.#stop;
      } catch (e) {
        const st = this.#blockSt;
        if (st[0] !== 0) {
          // A fault in a compiled block: the instructions it started count,
          // the faulting one included, as in the interpreter.
          left -= st[0]!;
          executed += st[0]!;
          st[0] = 0;
        }
        if (e !== this.#exc) throw e;
        if (this.#variantFault) {
          // A variant's fault at the boundary: it was this instruction.
          this.#variantFault = false;
          left--;
          executed++;
        }
        this.#takeException();
      }
    }
  }

  /** Executes exactly one instruction (or takes one pending event). */
  step(): number {
    return this.run(1);
  }

  /**
   * Handles the instruction boundary (section 5.3 order): breakpoints,
   * arithmetic trap, interrupts, trace. Returns true if an event was taken
   * instead of an instruction.
   */
  #boundary(willExecute: boolean): boolean {
    const a = this.#attn;
    if ((a & 8) !== 0) {
      this.#stopRequested = false;
      this.#updateAttn();
      this.#stop = STOP_REQUEST;
      return true;
    }
    if ((a & 4) !== 0) {
      const pc = this.r[15]! >>> 0;
      if (this.#skipBreakpointAt === pc) {
        this.#skipBreakpointAt = -1;
      } else if (this.#breakpoints.has(pc)) {
        this.#stop = STOP_BREAKPOINT;
        return true;
      }
    }
    if (this.#trapReq !== 0) {
      const code = this.#trapReq;
      this.#trapReq = 0;
      this.#updateAttn();
      this.#exception(SCB.ARITHMETIC, 1, code, 0, false);
      return true;
    }
    if ((a & 2) !== 0 && this.#takeInterrupt()) return true;
    if ((this.psl & PSL_TP) !== 0) {
      this.psl &= ~PSL_TP;
      this.#exception(SCB.TRACE, 0, 0, 0, false);
      return true;
    }
    if (!willExecute) return false;
    if ((this.psl & PSL_T) !== 0) this.psl |= PSL_TP;
    if ((a & 16) !== 0) this.#variantBoundary();
    return false;
  }

  /** Applies the variant of the instruction at PC, if it has one. */
  #variantBoundary(): void {
    const pc = this.r[15]!;
    this.#faultPc = pc;
    this.#rqn = 0;
    this.#variantFault = true; // a fetch fault here is the instruction's
    const op = this.#fetchB();
    this.r[15] = pc;
    const v = this.#variants!.get(op);
    if (v !== undefined) {
      v.before?.(this);
      if (v.privileged === true && (this.psl & PSL_CUR_MASK) !== 0) {
        this.#opcode = op;
        this.#fault(SCB.RESERVED_INSTRUCTION);
      }
    }
    this.#variantFault = false;
  }

  /** Whether a variant lets the current privileged instruction run. */
  #variantUnprivileged(): boolean {
    return this.#variants?.get(this.#opcode)?.privileged === false;
  }

  #takeInterrupt(): boolean {
    const ipl = (this.psl >>> 16) & 31;
    const sw = this.sisr === 0 ? 0 : 31 - Math.clz32(this.sisr);
    const hw = this.#hwLevel;
    if (hw > ipl && hw >= sw) {
      // Lowest slot among the requests at the highest level.
      let p = this.#devPending;
      let slot = -1;
      for (let s = 0; p !== 0; s++, p >>>= 1) {
        if ((p & 1) !== 0 && this.#devLevel[s] === hw) {
          slot = s;
          break;
        }
      }
      if (slot < 0) return false;
      // Taking the interrupt clears the device's request.
      this.#devPending &= ~(1 << slot);
      this.evalInterrupts();
      this.#interrupt(this.#devVector[slot]!, hw);
      return true;
    }
    if (sw > ipl) {
      this.sisr &= ~(1 << sw);
      this.#updateAttn();
      this.#interrupt(SCB.SOFTWARE_BASE + 4 * sw, sw);
      return true;
    }
    return false;
  }

  #interrupt(vector: number, level: number): void {
    if ((this.psl & PSL_VM) !== 0 && this.hostExits) {
      this.#makeExit("interrupt", vector, this.r[15]!, 0, 0, 0, level);
      return;
    }
    this.#dispatch(vector, 0, 0, 0, false, level);
  }

  /** Handles a thrown VaxException from the run loop. */
  #takeException(): void {
    const e = this.#exc;
    switch (e.kind) {
      case K_HALT:
        this.#backout();
        this.#enterHalt(e.reason);
        return;
      case K_MCHK: {
        const opc = this.#opcode;
        const delta = (this.r[15]! - this.#faultPc) & 0xff;
        this.#backout();
        if (this.#inIe) {
          this.#inIe = false;
          this.#enterHalt(HALT_REASONS.MACHINE_CHECK_IN_EXCEPTION);
          return;
        }
        const sw = this.sisr === 0 ? 0 : 31 - Math.clz32(this.sisr);
        const state1 = ((opc & 0xff) << 24) | (sw << 16) |
          ((this.cadr & 0xff) << 8) |
          (this.mser & 0xff);
        this.#exceptionN(SCB.MACHINE_CHECK, [
          0x10,
          e.p1,
          (e.p2 + 4) | 0,
          state1,
          0x00c07000 + delta,
        ], true);
        return;
      }
      default:
        // What a machine check would report about this access, kept for a
        // host monitor that finds the guest-physical page does not exist.
        this.#faultDelta = (this.r[15]! - this.#faultPc) & 0xff;
        this.#backout();
        this.psl &= ~PSL_TP;
        this.#exception(e.vector, e.nparams, e.p1, e.p2, false);
    }
  }

  /**
   * Undoes specifier side effects and resets PC (section 3.6). An
   * instruction that set PSL<FPD> keeps its registers: it resumes from
   * them.
   */
  #backout(): void {
    const r = this.r;
    const rq = this.#rq;
    if ((this.psl & PSL_FPD) === 0) {
      for (let k = this.#rqn - 2; k >= 0; k -= 2) {
        r[rq[k]!] = r[rq[k]!]! - rq[k + 1]!;
      }
    }
    this.#rqn = 0;
    r[15] = this.#faultPc;
  }

  #enterHalt(reason: string): void {
    this.halted = true;
    this.haltReason = reason;
    this.conpc = this.r[15]!;
    this.conpsl = this.psl;
    this.#stop = STOP_HALT;
    this.observer?.halt?.(reason, this.r[15]! >>> 0);
  }

  #halt(reason: string): never {
    const e = this.#exc;
    e.kind = K_HALT;
    e.reason = reason;
    throw e;
  }

  /** An exception with 0-2 parameters (p1 on top of the stack). */
  #exception(
    vector: number,
    nparams: number,
    p1: number,
    p2: number,
    severe: boolean,
  ): void {
    if ((this.psl & PSL_VM) !== 0 && this.hostExits) {
      this.#makeExit("exception", vector, this.r[15]!, nparams, p1, p2, 0);
      return;
    }
    const params = nparams === 0 ? [] : nparams === 1 ? [p1] : [p1, p2];
    this.#dispatch(vector, nparams, p1, p2, severe, -1, params);
  }

  #exceptionN(vector: number, params: number[], severe: boolean): void {
    if ((this.psl & PSL_VM) !== 0 && this.hostExits) {
      this.#makeExit("exception", vector, this.r[15]!, 0, 0, 0, 0);
      // (Machine checks: five parameters, rare; a fresh array.)
      this.exit!.params = params;
      return;
    }
    this.#dispatch(
      vector,
      params.length,
      params[0] ?? 0,
      params[1] ?? 0,
      severe,
      -1,
      params,
    );
  }

  /**
   * Exception and interrupt entry through the SCB (section 5.5). level is
   * -1 for exceptions, else the interrupt's IPL.
   */
  #dispatch(
    vector: number,
    nparams: number,
    p1: number,
    p2: number,
    severe: boolean,
    level: number,
    allParams?: number[],
  ): void {
    this.exceptions++;
    this.ns += this.#excNs;
    this.#trapReq = 0;
    const oldPsl = this.psl;
    const oldPc = this.r[15]!;
    const vaPa = (this.scbb + vector) >>> 0;
    if (vaPa + 4 > this.#memSize) {
      this.#enterHalt(HALT_REASONS.SCB_NONEXISTENT);
      return;
    }
    let vec = this.mem.readL(vaPa);
    if (severe) vec |= 1;
    if ((vec & 2) !== 0) {
      this.#enterHalt(HALT_REASONS.INVALID_SCB_VECTOR);
      return;
    }
    const oldR14 = this.r[14]!;
    const oldIs = (oldPsl & PSL_IS) !== 0;
    const oldCur = (oldPsl >>> 24) & 3;
    let newIs: boolean;
    if (oldIs) {
      newIs = true;
    } else {
      this.stk[oldCur] = this.r[14]!;
      newIs = (vec & 1) !== 0;
      this.r[14] = newIs ? this.stk[4]! : this.stk[0]!;
    }
    let ipl: number;
    if (level >= 0) ipl = level;
    else ipl = (vec & 1) !== 0 ? 31 : (oldPsl >>> 16) & 31;
    const prv = level >= 0 ? 0 : oldCur;
    this.psl = (newIs ? PSL_IS : 0) | (prv << 22) | (ipl << 16);
    this.#ibPage = this.#rdPage = this.#wrPage = -1;
    // Push PSL, PC and parameters with kernel write access.
    const params = allParams ??
      (nparams === 0 ? [] : nparams === 1 ? [p1] : [p1, p2]);
    this.#inIe = true;
    try {
      let sp = this.r[14]!;
      this.#write((sp - 4) | 0, 4, oldPsl, 4);
      this.#write((sp - 8) | 0, 4, oldPc, 4);
      sp -= 8;
      for (let k = params.length - 1; k >= 0; k--) {
        this.#write((sp - 4) | 0, 4, params[k]!, 4);
        sp -= 4;
      }
      this.r[14] = sp;
    } catch (e) {
      if (e !== this.#exc) throw e;
      this.#inIe = false;
      if (newIs || this.#exc.kind !== K_FAULT) {
        this.#enterHalt(HALT_REASONS.INTERRUPT_STACK_NOT_VALID);
        return;
      }
      // Kernel stack not valid: severe, on the interrupt stack at IPL 31,
      // with the interrupted PC and PSL (SimH behaviour).
      this.psl = oldPsl;
      this.r[14] = oldR14; // the interrupted mode's stack pointer, unchanged
      this.r[15] = oldPc;
      this.#dispatch(SCB.KERNEL_STACK_NOT_VALID, 0, 0, 0, true, -1);
      return;
    }
    this.#inIe = false;
    this.r[15] = vec & ~3;
    this.evalInterrupts();
    this.observer?.exception?.(
      vector,
      level >= 0 ? "interrupt" : "exception",
      oldPc >>> 0,
      oldPsl >>> 0,
      this.psl >>> 0,
      params,
    );
  }

  /**
   * Fills in the exit record (one per processor, reused: no allocation on
   * the exit path) and stops the run loop. `nparams` (0-2) parameters,
   * `p1` on top of the stack.
   */
  #makeExit(
    kind: CpuExit["kind"],
    vector: number,
    pc: number,
    nparams: number,
    p1: number,
    p2: number,
    ipl: number,
  ): void {
    const x = this.#exitRec;
    const px = this.#exitParams;
    let params: number[];
    if (nparams === 0) params = px[0]!;
    else if (nparams === 1) {
      params = px[1]!;
      params[0] = p1;
    } else {
      params = px[2]!;
      params[0] = p1;
      params[1] = p2;
    }
    x.kind = kind;
    x.vector = vector;
    x.pc = pc >>> 0;
    x.psl = this.psl >>> 0;
    x.params = params;
    x.opcode = 0;
    x.nextPc = 0;
    x.operands = this.#exitOps[0]!;
    x.rollback = this.#exitRb[0]!;
    x.ipl = ipl;
    if (
      kind === "exception" &&
      (vector === SCB.ACCESS_VIOLATION || vector === SCB.TRANSLATION_NOT_VALID)
    ) {
      const a = this.#exitAccess;
      a.write = this.#accessWrite;
      a.opcode = this.#opcode;
      a.delta = this.#faultDelta;
      x.access = a;
    } else x.access = undefined;
    this.exit = x;
    this.#trapReq = 0;
    this.#updateAttn();
    this.#stop = STOP_EXIT;
  }

  /** VM-emulation exception (vm-extensions.md): exit or vector 0x3C. */
  #vmEmulation(): void {
    const op = this.#opcode;
    const nextPc = this.r[15]!;
    if (this.hostExits) {
      // Into the preallocated record: no allocation per exit.
      const nrb = this.#rqn >> 1;
      const rollback = this.#exitRb[nrb]!;
      for (let k = 0; k < nrb; k++) {
        const pair = rollback[k]!;
        pair[0] = this.#rq[2 * k]!;
        pair[1] = this.#rq[2 * k + 1]!;
      }
      const n = SPEC_COUNT[op]!;
      const operands = this.#exitOps[n]!;
      for (let i = 0; i < n; i++) {
        const d = SPEC_TABLE[op * 8 + i]!;
        const acc = (d >> 4) & 7;
        const isReg = (acc === ACC_W || acc === ACC_M || acc === ACC_V) &&
          this.#opr[i]! >= 0;
        const o = operands[i]!;
        o.access = ACCESS_LETTERS[acc]!;
        o.size = d >= ACC_WIDE << 4 ? WIDE_SIZE[d & 15]! : d & 15;
        o.value = acc === ACC_W ? 0 : this.#opv[i]!;
        o.register = isReg ? this.#opr[i]! : -1;
        o.address = (acc === ACC_W || acc === ACC_M) && !isReg
          ? this.#opa[i]! >>> 0
          : 0;
      }
      this.#backout();
      this.#makeExit(
        "vm-emulation",
        SCB.VM_EMULATION,
        this.#faultPc,
        2,
        op,
        nextPc >>> 0,
        0,
      );
      const x = this.#exitRec;
      x.opcode = op;
      x.nextPc = nextPc >>> 0;
      x.operands = operands;
      x.rollback = rollback;
      return;
    }
    this.#backout();
    this.psl &= ~PSL_TP;
    this.#exceptionN(SCB.VM_EMULATION, [op, nextPc], false);
  }

  /**
   * Privileged-instruction check: true in real kernel mode. In a VM in
   * virtual kernel mode it takes the VM-emulation exception (no JS throw:
   * exits are the monitor's hot path) and returns false; anywhere else it
   * raises the reserved-instruction fault.
   */
  #privileged(): boolean {
    const psl = this.psl;
    if ((psl & PSL_VM) !== 0) {
      if ((this.vmpsl & PSL_CUR_MASK) === 0) {
        this.#vmEmulation();
        return false;
      }
      if (this.#variantUnprivileged()) return true;
      this.#fault(SCB.RESERVED_INSTRUCTION);
    }
    if ((psl & PSL_CUR_MASK) !== 0) {
      if (this.#variantUnprivileged()) return true;
      this.#fault(SCB.RESERVED_INSTRUCTION);
    }
    return true;
  }

  // -------------------------------------------------------------------------
  // Execute.

  #execute(): void {
    const r = this.r;
    const pc = r[15]!;
    this.#faultPc = pc;
    this.#rqn = 0;
    // The instruction fetch translation as #fetchB does it, then the
    // decode cache by physical address.
    const pa = (pc >>> 9) === this.#ibPage
      ? this.#ibPa | (pc & 511)
      : this.#ifetchPa(pc);
    const slot = this.#pageSlot[pa >>> 9]!;
    const e = ((slot << 9) | (pa & 511)) << 4;
    const dc = this.#dc;
    let op: number;
    if (slot >= 0 && dc[e]! > 0 && (this.psl & PSL_FPD) === 0) {
      op = dc[e + 1]!;
      this.#opcode = op;
      this.#t[0] = this.#t[0]! + this.#opCost[op]!;
      const n = dc[e + 2]!;
      for (let i = 0; i < n; i++) {
        const w = dc[e + 3 + 2 * i]!;
        const arg = dc[e + 4 + 2 * i]!;
        const kind = w & 15;
        if (kind === D_LIT || kind === D_BR || kind === D_IMM) {
          this.#opv[i] = arg;
          continue;
        }
        const rn = (w >> 4) & 15;
        const d = (w >> 8) & 0xff;
        const size = d & 15;
        if (kind === D_REG) {
          const v = r[rn]!;
          this.#opv[i] = size === 4 ? v : size === 1 ? v & 0xff : v & 0xffff;
          this.#opr[i] = rn;
          continue;
        }
        // PC as the interpreter has it after this specifier's bytes.
        r[15] = pc + (w >>> 24);
        const acc = d >> 4;
        switch (kind) {
          case D_AINC: {
            const ea = r[rn]! | 0;
            r[rn] = r[rn]! + size;
            this.#rq[this.#rqn++] = rn;
            this.#rq[this.#rqn++] = size;
            this.#memOperand(i, acc, size, ea);
            break;
          }
          case D_DISP:
            this.#memOperand(i, acc, size, (r[rn]! + arg) | 0);
            break;
          case D_DEFER: {
            const ea = this.#read((r[rn]! + arg) | 0, 4, (this.psl >>> 24) & 3);
            this.#memOperand(i, acc, size, ea | 0);
            break;
          }
          case D_REGDEF:
            this.#memOperand(i, acc, size, r[rn]! | 0);
            break;
          case D_ABS:
            this.#memOperand(i, acc, size, arg);
            break;
          case D_SLOW:
            r[15] = pc + ((w >>> 16) & 0xff) + 1;
            this.#spec(i, acc, size, arg);
            break;
          case D_QREG:
          case D_QLIT:
            this.#quadOperand(i, kind, rn, acc & 7, arg);
            break;
          default: // D_WIDE
            r[15] = pc + ((w >>> 16) & 0xff);
            this.#specWide(i, acc & 7, size);
        }
      }
      r[15] = pc + dc[e]!;
    } else {
      if (slot === -1 || (slot >= 0 && dc[e] === 0)) this.#learn(pa);
      r[15] = pc + 1;
      op = this.#u8[pa]!;
      this.#opcode = op;
      const n = DECODE_COUNT[op]!;
      if (n === 0xff || (this.psl & PSL_FPD) !== 0) {
        // Two-byte opcodes, PSL<FPD> set, reserved opcodes: out of line, so
        // that this function stays the hot path's shape.
        return this.#executeSlow(op);
      }
      this.#t[0] = this.#t[0]! + this.#opCost[op]!;
      const base = op << 3;
      for (let i = 0; i < n; i++) {
        const d = SPEC_TABLE[base + i]!;
        const acc = d >> 4;
        if (acc >= ACC_BB) {
          if (acc === ACC_BB) this.#opv[i] = sxb(this.#fetchB());
          else if (acc === ACC_BW) this.#opv[i] = sxw(this.#fetchW());
          else this.#specWide(i, acc & 7, d & 15);
          continue;
        }
        const s = this.#fetchB();
        if (s < 0x40 && acc === ACC_R) {
          // Short literal (fast path).
          this.#opv[i] = s & 63;
        } else if ((s & 0xf0) === 0x50 && s !== 0x5f && acc !== ACC_A) {
          // Register mode (fast path).
          const v = r[s & 15]!;
          const size = d & 15;
          this.#opv[i] = size === 4 ? v : size === 1 ? v & 0xff : v & 0xffff;
          this.#opr[i] = s & 15;
        } else if ((s & 0xf0) === 0x80 && s !== 0x8f && acc !== ACC_A) {
          // Autoincrement (fast path).
          const rn = s & 15;
          const size = d & 15;
          const ea = r[rn]! | 0;
          r[rn] = r[rn]! + size;
          this.#rq[this.#rqn++] = rn;
          this.#rq[this.#rqn++] = size;
          this.#memOperand(i, acc, size, ea);
        } else {
          this.#spec(i, acc, d & 15, s);
        }
      }
    }
    const opv = this.#opv;
    switch (op) {
      // --- 4.1 system ------------------------------------------------------
      case 0x00: // HALT
        if (!this.#privileged()) return;
        this.#enterHalt(HALT_REASONS.HALT_INSTRUCTION);
        return;
      case 0x01: // NOP
        return;
      case 0x02: // REI
        return this.#rei();
      case 0x03: // BPT
        this.r[15] = this.#faultPc;
        this.psl &= ~PSL_TP;
        this.#exception(SCB.BREAKPOINT, 0, 0, 0, false);
        return;
      case 0x04:
        return this.#ret();
      case 0x05: { // RSB
        const sp = r[14]!;
        const pc = this.#read(sp | 0, 4, this.mode);
        r[14] = sp + 4;
        r[15] = pc;
        return;
      }
      case 0x06:
        if (!this.#privileged()) return;
        return this.#ldpctx();
      case 0x07:
        if (!this.#privileged()) return;
        return this.#svpctx();
      case 0x0c:
      case 0x0d:
        return this.#probe(op === 0x0d);
      case 0x0e:
        return this.#insque();
      case 0x0f:
        return this.#remque();
      case 0xb8: // BISPSW
      case 0xb9: { // BICPSW
        const mask = opv[0]!;
        if ((mask & 0xff00) !== 0) this.#fault(SCB.RESERVED_OPERAND);
        if (op === 0xb8) this.psl |= mask & 0xff;
        else this.psl &= ~(mask & 0xff);
        return;
      }
      case 0xbc:
      case 0xbd:
      case 0xbe:
      case 0xbf:
        return this.#chm(op - 0xbc, opv[0]!);
      case 0xda:
        if (!this.#privileged()) return;
        return this.#mtpr(opv[0]!, opv[1]!);

      case 0xdb:
        if (!this.#privileged()) return;
        return this.#mfpr(opv[0]!);
      case 0xdc: { // MOVPSL
        let p = this.psl;
        if ((p & PSL_VM) !== 0) {
          p = (p & ~(VMPSL_MASK | PSL_VM)) | this.vmpsl;
        }
        this.#wr(0, 4, p);
        return;
      }

      // --- 4.2 moves and conversions -----------------------------------------
      case 0x90: // MOVB
        this.#wr(1, 1, opv[0]!);
        this.#setCc((this.psl & PSL_C) | nz(opv[0]!, 1));
        return;
      case 0xb0: // MOVW
        this.#wr(1, 2, opv[0]!);
        this.#setCc((this.psl & PSL_C) | nz(opv[0]!, 2));
        return;
      case 0xd0: { // MOVL
        const v = opv[0]!;
        this.#wr(1, 4, v);
        this.psl = (this.psl & ~0xe) | (v < 0 ? PSL_N : v === 0 ? PSL_Z : 0);
        return;
      }
      case 0x9b: // MOVZBW
        this.#wr(1, 2, opv[0]! & 0xff);
        this.#setCc((this.psl & PSL_C) | ((opv[0]! & 0xff) === 0 ? PSL_Z : 0));
        return;
      case 0x9a: // MOVZBL
        this.#wr(1, 4, opv[0]! & 0xff);
        this.#setCc((this.psl & PSL_C) | ((opv[0]! & 0xff) === 0 ? PSL_Z : 0));
        return;
      case 0x3c: // MOVZWL
        this.#wr(1, 4, opv[0]! & 0xffff);
        this.#setCc(
          (this.psl & PSL_C) | ((opv[0]! & 0xffff) === 0 ? PSL_Z : 0),
        );
        return;
      case 0x98: { // CVTBL
        const v = sxb(opv[0]!);
        this.#wr(1, 4, v);
        this.#setCc(nz(v, 4));
        return;
      }
      case 0x32: { // CVTWL
        const v = sxw(opv[0]!);
        this.#wr(1, 4, v);
        this.#setCc(nz(v, 4));
        return;
      }
      case 0xf6:
      case 0xf7: { // CVTLB, CVTLW
        const size = op === 0xf6 ? 1 : 2;
        const v = opv[0]!;
        const t = v & MASK[size]!;
        this.#wr(1, size, t);
        const ov = sx(t, size) !== v;
        this.#setCc(nz(t, size) | (ov ? PSL_V : 0));
        if (ov && (this.psl & PSL_IV) !== 0) {
          this.#setTrap(ARITH.INTEGER_OVERFLOW);
        }
        return;
      }
      case 0x94:
      case 0xb4:
      case 0xd4: { // CLRx
        this.#wr(0, op === 0x94 ? 1 : op === 0xb4 ? 2 : 4, 0);
        this.#setCc((this.psl & PSL_C) | PSL_Z);
        return;
      }
      case 0x92:
      case 0xb2:
      case 0xd2: { // MCOMx
        const size = op === 0x92 ? 1 : op === 0xb2 ? 2 : 4;
        const v = ~opv[0]! & MASK[size]!;
        this.#wr(1, size, v);
        this.#setCc((this.psl & PSL_C) | nz(v, size));
        return;
      }
      case 0x8e:
      case 0xae:
      case 0xce: { // MNEGx
        const size = op === 0x8e ? 1 : op === 0xae ? 2 : 4;
        this.#sub(0, opv[0]!, size, 1);
        return;
      }

      // --- 4.3 increment, decrement, test ------------------------------------
      case 0x96:
      case 0xb6:
      case 0xd6: { // INCx
        const size = op === 0x96 ? 1 : op === 0xb6 ? 2 : 4;
        this.#add(1, opv[0]!, size, 0);
        return;
      }
      case 0x97:
      case 0xb7:
      case 0xd7: { // DECx
        const size = op === 0x97 ? 1 : op === 0xb7 ? 2 : 4;
        this.#sub(opv[0]!, 1, size, 0);
        return;
      }
      case 0x95:
        this.#setCc(nz(opv[0]!, 1));
        return;
      case 0xb5:
        this.#setCc(nz(opv[0]!, 2));
        return;
      case 0xd5:
        this.#setCc(nz(opv[0]!, 4));
        return;

      // --- 4.4 compare and bit test -------------------------------------------
      case 0x91:
        this.#cmp(opv[0]!, opv[1]!, 1);
        return;
      case 0xb1:
        this.#cmp(opv[0]!, opv[1]!, 2);
        return;
      case 0xd1:
        this.#cmp(opv[0]!, opv[1]!, 4);
        return;
      case 0x93:
        this.#setCc((this.psl & PSL_C) | nz(opv[0]! & opv[1]!, 1));
        return;
      case 0xb3:
        this.#setCc((this.psl & PSL_C) | nz(opv[0]! & opv[1]!, 2));
        return;
      case 0xd3:
        this.#setCc((this.psl & PSL_C) | nz(opv[0]! & opv[1]!, 4));
        return;

      // --- 4.5 arithmetic -------------------------------------------------------
      case 0x80:
        return this.#add(opv[0]!, opv[1]!, 1, 1);
      case 0x81:
        return this.#add(opv[0]!, opv[1]!, 1, 2);
      case 0xa0:
        return this.#add(opv[0]!, opv[1]!, 2, 1);
      case 0xa1:
        return this.#add(opv[0]!, opv[1]!, 2, 2);
      case 0xc0: {
        // ADDL2 fast path for register destinations.
        const a = opv[0]!;
        const b = opv[1]!;
        const sum = (a >>> 0) + (b >>> 0);
        const res = sum | 0;
        this.#wr(1, 4, res);
        let cc = res < 0 ? PSL_N : res === 0 ? PSL_Z : 0;
        if (sum > 0xffffffff) cc |= PSL_C;
        if ((~(a ^ b) & (a ^ res)) < 0) {
          cc |= PSL_V;
          if ((this.psl & PSL_IV) !== 0) this.#setTrap(ARITH.INTEGER_OVERFLOW);
        }
        this.psl = (this.psl & ~0xf) | cc;
        return;
      }
      case 0xc1:
        return this.#add(opv[0]!, opv[1]!, 4, 2);
      case 0x82:
        return this.#sub(opv[1]!, opv[0]!, 1, 1);
      case 0x83:
        return this.#sub(opv[1]!, opv[0]!, 1, 2);
      case 0xa2:
        return this.#sub(opv[1]!, opv[0]!, 2, 1);
      case 0xa3:
        return this.#sub(opv[1]!, opv[0]!, 2, 2);
      case 0xc2:
        return this.#sub(opv[1]!, opv[0]!, 4, 1);
      case 0xc3:
        return this.#sub(opv[1]!, opv[0]!, 4, 2);
      case 0x84:
        return this.#mul(opv[0]!, opv[1]!, 1, 1);
      case 0x85:
        return this.#mul(opv[0]!, opv[1]!, 1, 2);
      case 0xa4:
        return this.#mul(opv[0]!, opv[1]!, 2, 1);
      case 0xa5:
        return this.#mul(opv[0]!, opv[1]!, 2, 2);
      case 0xc4:
        return this.#mul(opv[0]!, opv[1]!, 4, 1);
      case 0xc5:
        return this.#mul(opv[0]!, opv[1]!, 4, 2);
      case 0x86:
        return this.#div(opv[0]!, opv[1]!, 1, 1);
      case 0x87:
        return this.#div(opv[0]!, opv[1]!, 1, 2);
      case 0xa6:
        return this.#div(opv[0]!, opv[1]!, 2, 1);
      case 0xa7:
        return this.#div(opv[0]!, opv[1]!, 2, 2);
      case 0xc6:
        return this.#div(opv[0]!, opv[1]!, 4, 1);
      case 0xc7:
        return this.#div(opv[0]!, opv[1]!, 4, 2);

      // --- 4.6 logical -------------------------------------------------------------
      case 0x88:
        return this.#logic(opv[0]! | opv[1]!, 1, 1);
      case 0x89:
        return this.#logic(opv[0]! | opv[1]!, 1, 2);
      case 0xa8:
        return this.#logic(opv[0]! | opv[1]!, 2, 1);
      case 0xa9:
        return this.#logic(opv[0]! | opv[1]!, 2, 2);
      case 0xc8:
        return this.#logic(opv[0]! | opv[1]!, 4, 1);
      case 0xc9:
        return this.#logic(opv[0]! | opv[1]!, 4, 2);
      case 0x8a:
        return this.#logic(opv[1]! & ~opv[0]!, 1, 1);
      case 0x8b:
        return this.#logic(opv[1]! & ~opv[0]!, 1, 2);
      case 0xaa:
        return this.#logic(opv[1]! & ~opv[0]!, 2, 1);
      case 0xab:
        return this.#logic(opv[1]! & ~opv[0]!, 2, 2);
      case 0xca:
        return this.#logic(opv[1]! & ~opv[0]!, 4, 1);
      case 0xcb:
        return this.#logic(opv[1]! & ~opv[0]!, 4, 2);
      case 0x8c:
        return this.#logic(opv[0]! ^ opv[1]!, 1, 1);
      case 0x8d:
        return this.#logic(opv[0]! ^ opv[1]!, 1, 2);
      case 0xac:
        return this.#logic(opv[0]! ^ opv[1]!, 2, 1);
      case 0xad:
        return this.#logic(opv[0]! ^ opv[1]!, 2, 2);
      case 0xcc:
        return this.#logic(opv[0]! ^ opv[1]!, 4, 1);
      case 0xcd:
        return this.#logic(opv[0]! ^ opv[1]!, 4, 2);

      // --- 4.7 shift and rotate ------------------------------------------------------
      case 0x78: { // ASHL
        const cnt = sxb(opv[0]!);
        const src = opv[1]!;
        let res: number;
        let ov = false;
        if (cnt >= 0) {
          if (cnt > 31) {
            res = 0;
            ov = src !== 0;
          } else {
            res = src << cnt;
            ov = (res >> cnt) !== src;
          }
        } else {
          const k = -cnt;
          res = k > 31 ? (src < 0 ? -1 : 0) : src >> k;
        }
        this.#wr(2, 4, res);
        this.#setCc(nz(res, 4) | (ov ? PSL_V : 0));
        if (ov && (this.psl & PSL_IV) !== 0) {
          this.#setTrap(ARITH.INTEGER_OVERFLOW);
        }
        return;
      }
      case 0x9c: { // ROTL
        const k = opv[0]! & 31;
        const src = opv[1]!;
        const res = k === 0 ? src : (src << k) | (src >>> (32 - k));
        this.#wr(2, 4, res);
        this.#setCc((this.psl & PSL_C) | nz(res, 4));
        return;
      }

      // --- 4.8 push and address ---------------------------------------------------------
      case 0xdd:
      case 0x9f:
      case 0x3f:
      case 0xdf: { // PUSHL, PUSHAx
        const v = opv[0]!;
        const sp = r[14]! - 4;
        this.#write(sp | 0, 4, v, this.mode | 4);
        r[14] = sp;
        this.#setCc((this.psl & PSL_C) | nz(v, 4));
        return;
      }
      case 0x9e:
      case 0x3e:
      case 0xde: { // MOVAx
        const v = opv[0]!;
        this.#wr(1, 4, v);
        this.#setCc((this.psl & PSL_C) | nz(v, 4));
        return;
      }

      // --- 4.9 branches --------------------------------------------------------------------
      case 0x11: // BRB
        if (opv[0] === -2) return this.#idle();
        r[15] = r[15]! + opv[0]!;
        return;
      case 0x31: // BRW
        if (opv[0] === -3) return this.#idle();
        r[15] = r[15]! + opv[0]!;
        return;
      case 0x12:
        if ((this.psl & PSL_Z) === 0) r[15] = r[15]! + opv[0]!;
        return;
      case 0x13:
        if ((this.psl & PSL_Z) !== 0) r[15] = r[15]! + opv[0]!;
        return;
      case 0x14:
        if ((this.psl & (PSL_N | PSL_Z)) === 0) r[15] = r[15]! + opv[0]!;
        return;
      case 0x15:
        if ((this.psl & (PSL_N | PSL_Z)) !== 0) r[15] = r[15]! + opv[0]!;
        return;
      case 0x18:
        if ((this.psl & PSL_N) === 0) r[15] = r[15]! + opv[0]!;
        return;
      case 0x19:
        if ((this.psl & PSL_N) !== 0) r[15] = r[15]! + opv[0]!;
        return;
      case 0x1a:
        if ((this.psl & (PSL_C | PSL_Z)) === 0) r[15] = r[15]! + opv[0]!;
        return;
      case 0x1b:
        if ((this.psl & (PSL_C | PSL_Z)) !== 0) r[15] = r[15]! + opv[0]!;
        return;
      case 0x1c:
        if ((this.psl & PSL_V) === 0) r[15] = r[15]! + opv[0]!;
        return;
      case 0x1d:
        if ((this.psl & PSL_V) !== 0) r[15] = r[15]! + opv[0]!;
        return;
      case 0x1e:
        if ((this.psl & PSL_C) === 0) r[15] = r[15]! + opv[0]!;
        return;
      case 0x1f:
        if ((this.psl & PSL_C) !== 0) r[15] = r[15]! + opv[0]!;
        return;
      case 0x17: // JMP
        r[15] = opv[0]!;
        return;
      case 0x16: { // JSB
        const sp = r[14]! - 4;
        this.#write(sp | 0, 4, r[15]!, this.mode | 4);
        r[14] = sp;
        r[15] = opv[0]!;
        return;
      }
      case 0x10:
      case 0x30: { // BSBB, BSBW
        const sp = r[14]! - 4;
        this.#write(sp | 0, 4, r[15]!, this.mode | 4);
        r[14] = sp;
        r[15] = r[15]! + opv[0]!;
        return;
      }

      // --- 4.10 loops, bit tests, CASE -----------------------------------------------------
      case 0xf4:
      case 0xf5: { // SOBGEQ, SOBGTR
        const idx = opv[0]!;
        const res = (idx - 1) | 0;
        this.#wr(0, 4, res);
        const ov = idx === -0x80000000;
        this.psl = (this.psl & ~0xe) |
          (res < 0 ? PSL_N : res === 0 ? PSL_Z : 0) |
          (ov ? PSL_V : 0);
        if (ov && (this.psl & PSL_IV) !== 0) {
          this.#setTrap(ARITH.INTEGER_OVERFLOW);
        }
        if (op === 0xf5 ? res > 0 : res >= 0) r[15] = r[15]! + opv[1]!;
        return;
      }
      case 0xf2:
      case 0xf3: { // AOBLSS, AOBLEQ
        const limit = opv[0]!;
        const idx = opv[1]!;
        const res = (idx + 1) | 0;
        this.#wr(1, 4, res);
        const ov = idx === 0x7fffffff;
        this.psl = (this.psl & ~0xe) |
          (res < 0 ? PSL_N : res === 0 ? PSL_Z : 0) |
          (ov ? PSL_V : 0);
        if (ov && (this.psl & PSL_IV) !== 0) {
          this.#setTrap(ARITH.INTEGER_OVERFLOW);
        }
        if (op === 0xf2 ? res < limit : res <= limit) r[15] = r[15]! + opv[2]!;
        return;
      }
      case 0xf1: { // ACBL
        const limit = opv[0]!;
        const add = opv[1]!;
        const idx = opv[2]!;
        const res = (idx + add) | 0;
        this.#wr(2, 4, res);
        const ov = (~(idx ^ add) & (idx ^ res)) < 0;
        this.psl = (this.psl & ~0xe) |
          (res < 0 ? PSL_N : res === 0 ? PSL_Z : 0) |
          (ov ? PSL_V : 0);
        if (ov && (this.psl & PSL_IV) !== 0) {
          this.#setTrap(ARITH.INTEGER_OVERFLOW);
        }
        if (add >= 0 ? res <= limit : res >= limit) r[15] = r[15]! + opv[3]!;
        return;
      }
      case 0xe8: // BLBS
        if ((opv[0]! & 1) !== 0) r[15] = r[15]! + opv[1]!;
        return;
      case 0xe9: // BLBC
        if ((opv[0]! & 1) === 0) r[15] = r[15]! + opv[1]!;
        return;
      case 0xe0:
      case 0xe1: { // BBS, BBC
        const pos = opv[0]!;
        let bit: number;
        const rn = this.#opr[1]!;
        if (rn >= 0) {
          if ((pos >>> 0) > 31) this.#fault(SCB.RESERVED_OPERAND);
          bit = (r[rn]! >>> pos) & 1;
        } else {
          const byte = this.#read((opv[1]! + (pos >> 3)) | 0, 1, this.mode);
          bit = (byte >> (pos & 7)) & 1;
        }
        if (bit === (op === 0xe0 ? 1 : 0)) r[15] = r[15]! + opv[2]!;
        return;
      }
      case 0xcf: { // CASEL
        const tmp = (opv[0]! - opv[1]!) | 0;
        const limit = opv[2]!;
        this.#cmp(tmp, limit, 4);
        const table = r[15]!;
        if ((tmp >>> 0) <= (limit >>> 0)) {
          const d = sxw(this.#read((table + 2 * tmp) | 0, 2, this.mode));
          r[15] = table + d;
        } else {
          r[15] = table + 2 * (limit + 1);
        }
        return;
      }

      // --- 4.13 calls ----------------------------------------------------------------------------
      case 0xfa:
        return this.#call(false, opv[0]!, opv[1]!);
      case 0xfb:
        return this.#call(true, opv[0]!, opv[1]!);
      default:
        return this.#other(op);
    }
  }

  /**
   * The start of an instruction that is not on the fast path (its opcode
   * byte has no row, or PSL<FPD> is set): fetches the second byte of an
   * 0xFDxx opcode, and resumes an instruction with FPD set. Returns the
   * opcode index to decode (always a two-byte opcode: a one-byte opcode
   * without a row faults here), or -1 when the instruction was handled.
   */
  #slowStart(op: number): number {
    if (op === 0xfd) {
      op = 0x100 | this.#fetchB();
      this.#opcode = op;
    }
    const k = KA655_TABLE[op]!;
    if (DECODE_COUNT[op] === 0xff) this.#fault(SCB.RESERVED_INSTRUCTION);
    if ((this.psl & PSL_FPD) === 0) return op;
    // PSL<FPD>: only the interruptible instructions may start with it, and
    // they decode no operands (their state is in the registers).
    if ((k & 16) === 0) this.#fault(SCB.RESERVED_INSTRUCTION);
    this.#t[0] = this.#t[0]! + this.#opCost[op]!;
    if ((k & 3) === 2) {
      this.#emulate(op);
      return -1;
    }
    const f = this.#ext[op];
    if (f === undefined) this.#fault(SCB.RESERVED_INSTRUCTION);
    f(this.#ctx, op);
    return -1;
  }

  /**
   * The slow start of an instruction (see {@link Cpu.#slowStart}), then,
   * for a two-byte opcode, its operands (the general decoder) and its
   * family executor: no two-byte opcode is in the switch.
   */
  #executeSlow(op0: number): void {
    const op = this.#slowStart(op0);
    if (op < 0) return;
    this.#t[0] = this.#t[0]! + this.#opCost[op]!;
    const n = DECODE_COUNT[op]!;
    const base = op << 3;
    for (let i = 0; i < n; i++) {
      const d = SPEC_TABLE[base + i]!;
      const acc = d >> 4;
      if (acc === ACC_BB) this.#opv[i] = sxb(this.#fetchB());
      else if (acc === ACC_BW) this.#opv[i] = sxw(this.#fetchW());
      else if (acc >= ACC_WIDE) this.#specWide(i, acc & 7, d & 15);
      else this.#spec(i, acc, d & 15, this.#fetchB());
    }
    this.#other(op);
  }

  /** Instructions outside cpu.ts's switch: families, emulated, reserved. */
  #other(op: number): void {
    const k = KA655_TABLE[op]! & 3;
    if (k === 1) {
      const f = this.#ext[op];
      if (f !== undefined) return f(this.#ctx, op);
    } else if (k === 2) {
      return this.#emulate(op);
    }
    this.#fault(SCB.RESERVED_INSTRUCTION);
  }

  /**
   * The MicroVAX emulation exception (KA655; SimH op_cis/vax_cpu.c): in the
   * current mode, on the current stack, with no change of mode or IPL.
   * Without PSL<FPD>: 12 longwords through SCB 0xC8: (SP) opcode, the
   * instruction's PC, the first six longwords of the decoded operands
   * (values of r operands, addresses of a operands; a w operand as SimH
   * queues it), two unused longwords, the next PC and the PSL. With FPD:
   * PC and PSL through SCB 0xCC. Then PSL<TP, FPD, DV, FU, IV, T> and the
   * condition codes are cleared and PC is loaded from the vector.
   */
  #emulate(op: number): void {
    const r = this.r;
    const mode = (this.psl >>> 24) & 3;
    const acc = mode | 4;
    const sp = r[14]!;
    const psl = this.psl;
    // In a VM the frame holds the PSL the guest sees (as MOVPSL).
    const pushed = (psl & PSL_VM) !== 0
      ? (psl & ~(VMPSL_MASK | PSL_VM)) | this.vmpsl
      : psl;
    let vector: number;
    // Write check of the top of the stack first (SimH).
    this.#read((sp - 1) | 0, 1, acc);
    if ((psl & PSL_FPD) !== 0) {
      this.#write((sp - 8) | 0, 4, this.#faultPc, acc);
      this.#write((sp - 4) | 0, 4, pushed, acc);
      r[14] = sp - 8;
      vector = SCB.EMULATE_FPD;
    } else {
      const q: number[] = [];
      const n = SPEC_COUNT[op]!;
      for (let i = 0; i < n; i++) {
        const d = SPEC_TABLE[op * 8 + i]!;
        const a = (d >> 4) & 7;
        if (a === ACC_W) {
          const rn = this.#opr[i]!;
          q.push(rn >= 0 ? rn : -1, rn >= 0 ? r[rn]! : this.#opa[i]!);
        } else {
          q.push(this.#opv[i]!);
        }
      }
      // CVTPL's destination: ~Rn for a register, else its address (SimH).
      if (op === 0x36) q[2] = q[2]! >= 0 ? ~q[2]! : q[3]!;
      const next = r[15]!;
      this.#write((sp - 48) | 0, 4, op, acc);
      this.#write((sp - 44) | 0, 4, this.#faultPc, acc);
      for (let k = 0; k < 6; k++) {
        this.#write((sp - 40 + 4 * k) | 0, 4, q[k] ?? 0, acc);
      }
      this.#write((sp - 8) | 0, 4, next, acc);
      this.#write((sp - 4) | 0, 4, pushed, acc);
      r[14] = sp - 48;
      vector = SCB.EMULATE;
    }
    this.psl = psl &
      ~(PSL_TP | PSL_FPD | PSL_DV | PSL_FU | PSL_IV | PSL_T | 0xf);
    this.exceptions++;
    if ((psl & PSL_VM) !== 0 && this.hostExits) {
      // The frame is on the guest's stack; the vector is in the guest's
      // SCB, which the host monitor reads (exit: exception, vector 0xC8 or
      // 0xCC, no parameters, PC = the frame's PC).
      this.#makeExit("exception", vector, this.#faultPc, 0, 0, 0, 0);
      return;
    }
    const vpa = (this.scbb + vector) >>> 0;
    if (vpa + 4 > this.#memSize) this.#machineCheck(MCHK_READ, vpa);
    r[15] = this.mem.readL(vpa) & ~3;
  }

  // --- arithmetic helpers (write operand index w) ------------------------------

  #add(a: number, b: number, size: number, w: number): void {
    const ua = a >>> 0;
    const ub = b >>> 0;
    const sum = ua + ub;
    const mask = MASK[size]!;
    const res = sum & mask;
    this.#wr(w, size, res);
    const sign = SIGN[size]!;
    let cc = nz(res, size);
    if (sum > mask) cc |= PSL_C;
    if ((~(ua ^ ub) & (ua ^ res) & sign) !== 0) {
      cc |= PSL_V;
      if ((this.psl & PSL_IV) !== 0) this.#setTrap(ARITH.INTEGER_OVERFLOW);
    }
    this.psl = (this.psl & ~0xf) | cc;
  }

  /** dif = min - sub, written to operand w. */
  #sub(min: number, sub: number, size: number, w: number): void {
    const mask = MASK[size]!;
    const um = (min & mask) >>> 0;
    const us = (sub & mask) >>> 0;
    const res = (um - us) & mask;
    this.#wr(w, size, res);
    const sign = SIGN[size]!;
    let cc = nz(res, size);
    if (um < us) cc |= PSL_C;
    if (((um ^ us) & (um ^ res) & sign) !== 0) {
      cc |= PSL_V;
      if ((this.psl & PSL_IV) !== 0) this.#setTrap(ARITH.INTEGER_OVERFLOW);
    }
    this.psl = (this.psl & ~0xf) | cc;
  }

  #cmp(a: number, b: number, size: number): void {
    const sa = sx(a, size);
    const sb = sx(b, size);
    const mask = MASK[size]!;
    let cc = sa < sb ? PSL_N : sa === sb ? PSL_Z : 0;
    if (((a & mask) >>> 0) < ((b & mask) >>> 0)) cc |= PSL_C;
    this.psl = (this.psl & ~0xf) | cc;
  }

  #logic(res: number, size: number, w: number): void {
    const v = res & MASK[size]!;
    this.#wr(w, size, v);
    this.psl = (this.psl & ~0xe) | nz(v, size);
  }

  #mul(a: number, b: number, size: number, w: number): void {
    const sa = sx(a, size);
    const sb = sx(b, size);
    let res: number;
    let ov: boolean;
    if (size === 4) {
      res = Math.imul(sa, sb);
      ov = sa * sb !== res;
    } else {
      const p = sa * sb;
      res = p & MASK[size]!;
      ov = sx(res, size) !== p;
    }
    this.#wr(w, size, res);
    this.psl = (this.psl & ~0xf) | nz(res, size) | (ov ? PSL_V : 0);
    if (ov && (this.psl & PSL_IV) !== 0) this.#setTrap(ARITH.INTEGER_OVERFLOW);
  }

  /** quo = divd / divr. */
  #div(divr: number, divd: number, size: number, w: number): void {
    const sr = sx(divr, size);
    const sd = sx(divd, size);
    let res: number;
    let ov = false;
    if (sr === 0) {
      res = divd & MASK[size]!;
      ov = true;
      this.#wr(w, size, res);
      this.psl = (this.psl & ~0xf) | nz(res, size) | PSL_V;
      this.#setTrap(ARITH.INTEGER_DIVIDE_BY_ZERO);
      return;
    }
    if (sr === -1 && sd === -SIGN[size]!) {
      res = divd & MASK[size]!;
      ov = true;
    } else {
      res = Math.trunc(sd / sr) & MASK[size]!;
    }
    this.#wr(w, size, res);
    this.psl = (this.psl & ~0xf) | nz(res, size) | (ov ? PSL_V : 0);
    if (ov && (this.psl & PSL_IV) !== 0) this.#setTrap(ARITH.INTEGER_OVERFLOW);
  }

  /** Branch to self: an idle loop. Skip simulated time to the next event. */
  #idle(): void {
    this.r[15] = this.#faultPc;
    if ((this.#attn & ~4) !== 0 || (this.psl & (PSL_T | PSL_TP)) !== 0) return;
    // Simulated time passes until the next device event (on a bare machine,
    // or the run's time limit if that comes first; a host monitor decides
    // for itself what an idle VM's time is worth).
    const vmHost = (this.psl & PSL_VM) !== 0 && this.hostExits;
    const until = vmHost
      ? this.nextEventNs
      : Math.min(this.nextEventNs, this.#limitNs);
    if (until !== Infinity) {
      if (until > this.ns) this.ns = until;
      return;
    }
    // Nothing can ever wake this loop up (an interrupt needs an event).
    this.#stop = STOP_IDLE;
  }

  // --- 6 REI ----------------------------------------------------------------------

  #rei(): void {
    const r = this.r;
    const psl = this.psl;
    if ((psl & PSL_VM) !== 0) {
      const f = this.vmSyscalls;
      if (f !== null && this.hostExits && f.rei(this)) {
        // As REI below: translations cached for the old mode go.
        if (((this.psl ^ psl) & PSL_CUR_MASK) !== 0) this.modeChanged();
        return;
      }
      return this.#vmEmulation();
    }
    const cur = (psl >>> 24) & 3;
    const sp = r[14]!;
    const newPc = this.#read(sp | 0, 4, cur);
    const np = this.#read((sp + 4) | 0, 4, cur);
    const nCur = (np >>> 24) & 3;
    const nPrv = (np >>> 22) & 3;
    const nIpl = (np >>> 16) & 31;
    const nIs = (np & PSL_IS) !== 0;
    const ipl = (psl >>> 16) & 31;
    const ROF = SCB.RESERVED_OPERAND;
    if ((np & this.pslMbz) !== 0 || nCur < cur) this.#fault(ROF);
    if ((np & PSL_CM) !== 0) this.#fault(ROF); // no compatibility mode on the KA655
    if (nCur !== 0) {
      if (nIs || nIpl !== 0 || nPrv < nCur) this.#fault(ROF);
    } else {
      if (nIs && (psl & PSL_IS) === 0) this.#fault(ROF);
      if (nIs && nIpl === 0) this.#fault(ROF);
      if (nIpl > ipl) this.#fault(ROF);
    }
    if ((np & PSL_VM) !== 0) {
      // Entering a VM (vm-extensions.md): only from the monitor (real kernel,
      // VM=0), and never into real kernel mode.
      if (nCur === 0 || cur !== 0) this.#fault(ROF);
    }
    // Save the current stack pointer and switch.
    const nsp = sp + 8;
    if ((psl & PSL_IS) !== 0) this.stk[4] = nsp;
    else this.stk[cur] = nsp;
    this.psl = (np & ~PSL_TP) | ((np | psl) & PSL_TP);
    r[14] = nIs ? this.stk[4]! : this.stk[nCur]!;
    if (!nIs && nCur >= this.astlvl) this.sisr |= 1 << 2;
    r[15] = newPc;
    this.#ibPage = this.#rdPage = this.#wrPage = -1;
    this.evalInterrupts();
    this.observer?.rei?.(
      this.#faultPc >>> 0,
      psl >>> 0,
      newPc >>> 0,
      this.psl >>> 0,
    );
  }

  // --- 7 CHMx ------------------------------------------------------------------------

  #chm(opMode: number, code: number): void {
    const r = this.r;
    const psl = this.psl;
    if ((psl & PSL_VM) !== 0) {
      const f = this.vmSyscalls;
      if (f !== null && this.hostExits && f.chm(this, opMode, code)) {
        if (((this.psl ^ psl) & PSL_CUR_MASK) !== 0) this.modeChanged();
        return;
      }
      return this.#vmEmulation();
    }
    if ((psl & PSL_IS) !== 0) this.#halt(HALT_REASONS.CHM_ON_INTERRUPT_STACK);
    const vpa = (this.scbb + SCB.CHMK + 4 * opMode) >>> 0;
    if (vpa + 4 > this.#memSize) this.#machineCheck(MCHK_READ, vpa);
    const vec = this.mem.readL(vpa);
    const cur = (psl >>> 24) & 3;
    const target = Math.min(opMode, cur);
    this.stk[cur] = r[14]!;
    const nsp = this.stk[target]!;
    this.#probeWrite((nsp - 1) | 0, target);
    this.#probeWrite((nsp - 12) | 0, target);
    this.#write((nsp - 4) | 0, 4, psl, target | 4);
    this.#write((nsp - 8) | 0, 4, r[15]!, target | 4);
    this.#write((nsp - 12) | 0, 4, sxw(code), target | 4);
    r[14] = nsp - 12;
    this.psl = (target << 24) | (cur << 22) | (psl & PSL_IPL_MASK);
    const nextPc = r[15]! >>> 0;
    r[15] = vec & ~3;
    this.#ibPage = this.#rdPage = this.#wrPage = -1;
    this.#updateAttn();
    this.observer?.chm?.(
      opMode,
      sxw(code),
      this.#faultPc >>> 0,
      psl >>> 0,
      this.psl >>> 0,
      nextPc,
    );
  }

  // --- 8.1 PROBE ------------------------------------------------------------------------

  #probe(wr: boolean): void {
    const opv = this.#opv;
    const psl = this.psl;
    let mode: number;
    if ((psl & PSL_VM) !== 0) {
      mode = Math.max(opv[0]! & 3, (this.vmpsl >>> 22) & 3);
      if (mode < 2) return this.#vmEmulation();
    } else {
      mode = Math.max(opv[0]! & 3, (psl >>> 22) & 3);
    }
    const len = opv[1]! & 0xffff;
    const base = opv[2]! >>> 0;
    const ok = this.#probeByte(base, mode, wr) &&
      this.#probeByte((base + len - 1) >>> 0, mode, wr);
    // vmmlab refinement of vm-extensions.md: the shadow tables a VM runs on
    // are filled lazily (and pages whose guest M bit is clear are shadowed
    // read-only), so a PROBE they deny is not yet an answer: the processor
    // raises the VM-emulation exception and the monitor answers from the
    // guest's own tables. A PROBE they allow needs no trap.
    if (!ok && (psl & PSL_VM) !== 0) return this.#vmEmulation();
    // N and V cleared, Z = inaccessible, C unchanged (SimH).
    this.psl = (this.psl & ~(PSL_N | PSL_Z | PSL_V)) | (ok ? 0 : PSL_Z);
  }

  // --- 8.3 MTPR / MFPR ---------------------------------------------------------------------

  #mtpr(v: number, n: number): void {
    const ROF = SCB.RESERVED_OPERAND;
    const reg = n >>> 0;
    const r = this.r;
    let cc = (this.psl & PSL_C) | (v < 0 ? PSL_N : v === 0 ? PSL_Z : 0);
    switch (reg) {
      case IPR.KSP:
        if ((this.psl & PSL_IS) === 0) r[14] = v;
        else this.stk[0] = v;
        break;
      case IPR.ESP:
      case IPR.SSP:
      case IPR.USP:
        this.stk[reg] = v;
        break;
      case IPR.ISP:
        if ((this.psl & PSL_IS) !== 0) r[14] = v;
        else this.stk[4] = v;
        break;
      case IPR.P0BR:
        this.p0br = v & ~3;
        this.tbFlushProcess();
        break;
      case IPR.P0LR:
        this.p0lr = v & 0x3fffff;
        this.tbFlushProcess();
        break;
      case IPR.P1BR:
        this.p1br = v & ~3;
        this.tbFlushProcess();
        break;
      case IPR.P1LR:
        this.p1lr = v & 0x3fffff;
        this.tbFlushProcess();
        break;
      case IPR.SBR:
        this.sbr = (v & ~3) >>> 0;
        this.tbFlushAll();
        break;
      case IPR.SLR:
        this.slr = v & 0x3fffff;
        this.tbFlushAll();
        break;
      case IPR.PCBB:
        this.pcbb = (v & ~3) >>> 0;
        break;
      case IPR.SCBB:
        this.scbb = (v & ~3) >>> 0;
        break;
      case IPR.IPL:
        this.psl = (this.psl & ~PSL_IPL_MASK) | ((v & 31) << 16);
        this.evalInterrupts();
        break;
      case IPR.ASTLVL:
        if ((v >>> 0) > 4) this.#fault(ROF);
        this.astlvl = v & 7;
        break;
      case IPR.SIRR:
        if ((v & 15) !== 0) {
          this.sisr |= 1 << (v & 15);
          this.#updateAttn();
        }
        break;
      case IPR.SISR:
        this.sisr = v & 0xfffe;
        this.#updateAttn();
        break;
      case IPR.TODR:
        this.todrBase = (v - Math.floor(this.ns / 10_000_000)) | 0;
        break;
      case IPR.MAPEN:
        this.mapen = v & 1;
        this.tbFlushAll();
        break;
      case IPR.TBIA:
        this.tbFlushAll();
        break;
      case IPR.TBIS:
        this.tbFlushOne(v >>> 0);
        break;
      case IPR.TBCHK:
        if (this.tbHas(v >>> 0)) cc |= PSL_V;
        break;
      case IPR.PME:
        this.pme = v & 1;
        break;
      case IPR.CADR:
        this.cadr = v & 0xff;
        break;
      case IPR.MSER:
        this.mser = 0; // write-1-to-clear error bits; none are ever set here
        break;
      case IPR.SID:
      case IPR.CONPC:
      case IPR.CONPSL:
      case IPR.DKSIZE:
        this.#fault(ROF);
        break;
      case IPR.IORESET:
        this.onIoReset?.();
        break;
      case IPR.VMPSL:
        if (!this.vmExtensions || (v & ~VMPSL_MASK) !== 0) this.#fault(ROF);
        this.vmpsl = v;
        break;
      default: {
        const dev = this.#iprDevices.get(reg);
        if (dev) {
          dev.writeIpr(reg, v);
          break;
        }
        // Reserved numbers up to 63 read as zero and ignore writes (KA655).
        if (reg > IPR_MAX_KA655) this.#fault(ROF);
      }
    }
    this.psl = (this.psl & ~0xf) | cc;
  }

  /** Reads an IPR as MFPR would (throws a reserved-operand fault if invalid). */
  #readIpr(reg: number): number {
    const ROF = SCB.RESERVED_OPERAND;
    switch (reg) {
      case IPR.KSP:
        return (this.psl & PSL_IS) === 0 ? this.r[14]! : this.stk[0]!;
      case IPR.ESP:
      case IPR.SSP:
      case IPR.USP:
        return this.stk[reg]!;
      case IPR.ISP:
        return (this.psl & PSL_IS) !== 0 ? this.r[14]! : this.stk[4]!;
      case IPR.P0BR:
        return this.p0br;
      case IPR.P0LR:
        return this.p0lr;
      case IPR.P1BR:
        return this.p1br;
      case IPR.P1LR:
        return this.p1lr;
      case IPR.SBR:
        return this.sbr | 0;
      case IPR.SLR:
        return this.slr;
      case IPR.PCBB:
        return this.pcbb | 0;
      case IPR.SCBB:
        return this.scbb | 0;
      case IPR.IPL:
        return (this.psl >>> 16) & 31;
      case IPR.ASTLVL:
        return this.astlvl;
      case IPR.SISR:
        return this.sisr;
      case IPR.TODR:
        return (this.todrBase + Math.floor(this.ns / 10_000_000)) | 0;
      case IPR.MAPEN:
        return this.mapen;
      case IPR.PME:
        return this.pme;
      case IPR.SID:
        return KA655_SID;
      case IPR.CADR:
        return this.cadr;
      case IPR.MSER:
        return this.mser;
      case IPR.CONPC:
        return this.conpc;
      case IPR.CONPSL:
        return this.conpsl;
      case IPR.SIRR:
      case IPR.TBIA:
      case IPR.TBIS:
      case IPR.TBCHK:
        return this.#fault(ROF);
      case IPR.VMPSL:
        if (!this.vmExtensions) return this.#fault(ROF);
        return this.vmpsl;
      default: {
        const dev = this.#iprDevices.get(reg);
        if (dev) return dev.readIpr(reg);
        if (reg > IPR_MAX_KA655) return this.#fault(ROF);
        return 0;
      }
    }
  }

  #mfpr(n: number): void {
    const v = this.#readIpr(n >>> 0);
    this.#wr(1, 4, v);
    this.psl = (this.psl & ~0xe) | (v < 0 ? PSL_N : v === 0 ? PSL_Z : 0);
  }

  /**
   * For the host accessors: 0 when n is not a stack-pointer IPR (KSP, ESP,
   * SSP, USP, ISP), 1 when it is the stack in use (R14 holds it: the
   * interrupt stack with PSL<IS>, else the current mode's), 2 when it is
   * saved in stk[n]. MTPR/MFPR run in kernel mode, where this is what they
   * do; the host may look from any mode.
   */
  #liveStack(n: number): number {
    if (n < 0 || n > 4) return 0;
    const inUse = (this.psl & PSL_IS) !== 0 ? 4 : (this.psl >>> 24) & 3;
    return n === inUse ? 1 : 2;
  }

  /**
   * Host access to an IPR with MFPR's semantics (no privilege check).
   *
   * @throws {RangeError} when MFPR would raise a reserved operand fault
   */
  readIpr(n: number): number {
    const live = this.#liveStack(n);
    if (live !== 0) return live === 1 ? this.r[14]! : this.stk[n]!;
    try {
      return this.#readIpr(n >>> 0);
    } catch (e) {
      if (e !== this.#exc) throw e;
      throw new RangeError(
        `Cannot read IPR ${n}: MFPR would raise a reserved operand fault`,
      );
    }
  }

  /**
   * Host access to an IPR with MTPR's semantics (no privilege check; CCs
   * unchanged).
   *
   * @throws {RangeError} when MTPR would raise a reserved operand fault
   */
  writeIpr(n: number, v: number): void {
    const live = this.#liveStack(n);
    if (live !== 0) {
      if (live === 1) this.r[14] = v | 0;
      else this.stk[n] = v | 0;
      return;
    }
    const cc = this.psl & 0xf;
    try {
      this.#mtpr(v | 0, n >>> 0);
    } catch (e) {
      if (e !== this.#exc) throw e;
      throw new RangeError(
        `Cannot write IPR ${n}: MTPR of 0x${
          (v >>> 0).toString(16).toUpperCase()
        } would raise a reserved operand fault`,
      );
    } finally {
      this.psl = (this.psl & ~0xf) | cc;
    }
  }

  // --- 11 LDPCTX / SVPCTX ----------------------------------------------------------------------

  #ldpctx(): void {
    const r = this.r;
    const pcb = this.pcbb;
    if (pcb + 0x60 > this.#memSize) this.#machineCheck(MCHK_READ, pcb);
    const m = this.mem;
    for (let k = 0; k < 4; k++) this.stk[k] = m.readL(pcb + 4 * k);
    const regs = new Int32Array(14);
    for (let k = 0; k < 14; k++) regs[k] = m.readL(pcb + 0x10 + 4 * k);
    const pc = m.readL(pcb + 0x48);
    const psl = m.readL(pcb + 0x4c);
    const w54 = m.readL(pcb + 0x54);
    const w5c = m.readL(pcb + 0x5c);
    this.p0br = m.readL(pcb + 0x50) & ~3;
    this.p0lr = w54 & 0x3fffff;
    this.astlvl = (w54 >>> 24) & 7;
    this.p1br = m.readL(pcb + 0x58) & ~3;
    this.p1lr = w5c & 0x3fffff;
    this.pme = (w5c >>> 31) & 1;
    this.tbFlushProcess();
    if ((this.psl & PSL_IS) !== 0) {
      this.stk[4] = r[14]!;
      this.psl &= ~PSL_IS;
    }
    const sp = this.stk[0]! - 8;
    r.set(regs, 0);
    r[14] = sp;
    this.#write(sp | 0, 4, pc, 4);
    this.#write((sp + 4) | 0, 4, psl, 4);
    this.#updateAttn();
    this.observer?.context?.("LDPCTX", pcb, this.#faultPc >>> 0);
  }

  #svpctx(): void {
    const r = this.r;
    const sp = r[14]!;
    const pc = this.#read(sp | 0, 4, 0);
    const psl = this.#read((sp + 4) | 0, 4, 0);
    const pcb = this.pcbb;
    if (pcb + 0x50 > this.#memSize) this.#machineCheck(MCHK_WRITE, pcb);
    if ((this.psl & PSL_IS) !== 0) {
      r[14] = sp + 8;
    } else {
      this.stk[0] = sp + 8;
      r[14] = this.stk[4]!;
      this.psl |= PSL_IS;
      if ((this.psl & PSL_IPL_MASK) === 0) this.psl |= 1 << 16;
    }
    const m = this.mem;
    for (let k = 0; k < 4; k++) m.writeL(pcb + 4 * k, this.stk[k]!);
    for (let k = 0; k < 14; k++) m.writeL(pcb + 0x10 + 4 * k, r[k]!);
    m.writeL(pcb + 0x48, pc);
    m.writeL(pcb + 0x4c, psl);
    this.evalInterrupts();
    this.observer?.context?.("SVPCTX", pcb, this.#faultPc >>> 0);
  }

  // --- 12 CALLS / CALLG / RET ----------------------------------------------------------------------

  #call(calls: boolean, arg: number, dst: number): void {
    const r = this.r;
    const mode = this.mode;
    const mask = this.#read(dst | 0, 2, mode);
    if ((mask & 0x3000) !== 0) this.#fault(SCB.RESERVED_OPERAND);
    let nsaved = 0;
    for (let k = 0; k < 12; k++) if ((mask >> k) & 1) nsaved++;
    let sp = r[14]!;
    this.#probeWrite((sp - (4 * nsaved + 20) - (calls ? 4 : 0)) | 0, mode);
    let ap = arg;
    if (calls) {
      sp -= 4;
      this.#write(sp | 0, 4, arg, mode | 4);
      ap = sp;
    }
    const spa = sp & 3;
    sp &= ~3;
    for (let k = 11; k >= 0; k--) {
      if ((mask >> k) & 1) {
        sp -= 4;
        this.#write(sp | 0, 4, r[k]!, mode | 4);
      }
    }
    const word = (spa << 30) | (calls ? 1 << 29 : 0) | ((mask & 0xfff) << 16) |
      (this.psl & 0xffe0);
    sp -= 4;
    this.#write(sp | 0, 4, r[15]!, mode | 4);
    sp -= 4;
    this.#write(sp | 0, 4, r[13]!, mode | 4);
    sp -= 4;
    this.#write(sp | 0, 4, r[12]!, mode | 4);
    sp -= 4;
    this.#write(sp | 0, 4, word, mode | 4);
    sp -= 4;
    this.#write(sp | 0, 4, 0, mode | 4);
    r[14] = sp;
    r[13] = sp;
    r[12] = ap;
    let psl = this.psl & ~(PSL_DV | 0x40 | PSL_IV | 0xf);
    if (mask & 0x8000) psl |= PSL_DV;
    if (mask & 0x4000) psl |= PSL_IV;
    this.psl = psl;
    r[15] = dst + 2;
  }

  #ret(): void {
    const r = this.r;
    const mode = this.mode;
    const fp = r[13]!;
    const tmp = this.#read((fp + 4) | 0, 4, mode);
    if ((tmp & 0xff00) !== 0) this.#fault(SCB.RESERVED_OPERAND);
    const ap = this.#read((fp + 8) | 0, 4, mode);
    const nfp = this.#read((fp + 12) | 0, 4, mode);
    const pc = this.#read((fp + 16) | 0, 4, mode);
    let sp = fp + 20;
    const saved: number[] = [];
    const mask = (tmp >>> 16) & 0xfff;
    for (let k = 0; k < 12; k++) {
      if ((mask >> k) & 1) {
        saved.push(k, this.#read(sp | 0, 4, mode));
        sp += 4;
      }
    }
    sp += tmp >>> 30;
    if ((tmp & (1 << 29)) !== 0) {
      const n = this.#read(sp | 0, 1, mode);
      sp += 4 + 4 * n;
    }
    for (let k = 0; k < saved.length; k += 2) r[saved[k]!] = saved[k + 1]!;
    r[12] = ap;
    r[13] = nfp;
    r[14] = sp;
    r[15] = pc;
    this.psl = (this.psl & ~0xff) | (tmp & 0xff);
  }

  // --- 4.11 queues -------------------------------------------------------------------------------------

  #insque(): void {
    const mode = this.mode;
    const entry = this.#opv[0]! >>> 0;
    const pred = this.#opv[1]! >>> 0;
    const s = this.#read(pred, 4, mode);
    this.#probeWrite(pred, mode);
    this.#probeWrite((s + 4) | 0, mode);
    this.#probeWrite((entry + 4) | 0, mode);
    this.#write(entry, 4, s, mode | 4);
    this.#write((entry + 4) | 0, 4, pred, mode | 4);
    this.#write((s + 4) | 0, 4, entry, mode | 4);
    this.#write(pred, 4, entry, mode | 4);
    this.#cmp(s, pred | 0, 4);
  }

  #remque(): void {
    const mode = this.mode;
    const entry = this.#opv[0]! >>> 0;
    const s = this.#read(entry, 4, mode);
    const p = this.#read((entry + 4) | 0, 4, mode);
    this.#cmp(s, p, 4);
    const empty = entry === (p >>> 0);
    if (empty) {
      this.psl |= PSL_V;
    } else {
      this.#probeWrite((s + 4) | 0, mode);
      if (this.#opr[1]! < 0) this.#probeWrite(this.#opa[1]! | 0, mode);
      this.#write(p | 0, 4, s, mode | 4);
      this.#write((s + 4) | 0, 4, p, mode | 4);
    }
    const cc = this.psl & 0xf;
    this.#wr(1, 4, entry | 0);
    this.psl = (this.psl & ~0xf) | cc;
  }

  // -------------------------------------------------------------------------
  // Host-side virtual access (debuggers, the monitor, tests).

  /**
   * Translates a virtual address as an access in `mode` would, without
   * side effects on the TB or M bits. Returns the physical address, or a
   * description of the fault the access would raise.
   *
   * @throws {RangeError} when a page-table entry is outside memory
   */
  translate(
    va: number,
    mode: number,
    write: boolean,
  ): { pa: number } | { fault: "ACV" | "TNV"; mask: number; va: number } {
    const size = this.#memSize;
    const r = walk(
      this,
      va,
      mode,
      write,
      (pa) => pa + 4 <= size ? this.mem.readL(pa) : undefined,
    );
    if (isWalkFault(r)) {
      return {
        fault: r.vector === SCB.ACCESS_VIOLATION ? "ACV" : "TNV",
        mask: r.mask,
        va: r.va,
      };
    }
    return { pa: r.pa };
  }

  /** Clears the halted state so that the processor can run again. */
  continueFromHalt(): void {
    this.halted = false;
    this.haltReason = "";
  }

  /** Whether an arithmetic trap is pending at the next boundary. */
  get trapPending(): number {
    return this.#trapReq;
  }
}
