/**
 * The experiments behind the Popek-Goldberg classifier: one instruction,
 * one machine state, one step, and a record of everything the step did.
 *
 * The program and its data sit in a small world built the way an operating
 * system would build it: an SCB whose every vector points at its own
 * handler, page tables, a PCB, and the SCB, page tables, PCB and handlers
 * in kernel-write pages; code, a scratch page and the stacks in user-write
 * pages; and one page of each protection code for memory operands. Every
 * stack pointer (KSP, ESP, SSP, USP, ISP) starts at the same address, so
 * that a program's result does not depend on which stack it happens to be
 * on unless the instruction makes it so.
 *
 * The world can be placed at two physical addresses (location A at 0,
 * location B 32 KiB higher, with page tables and base registers moved to
 * match): same virtual addresses, different physical ones, which is Popek
 * and Goldberg's relocation.
 *
 * Nothing here knows which instructions are sensitive: instances are built
 * from the opcode table's operand descriptions alone, and the outcome of a
 * run is recorded, not judged.
 *
 * @module
 */

import { vmState } from "../monitor/vm.ts";
import {
  dataTypeSize,
  type OpcodeInfo,
  type OperandInfo,
} from "../arch/opcodes.ts";
import { makePte } from "../arch/pte.ts";
import { SCB } from "../arch/scb.ts";
import { exceptionCode } from "../machine/exit_kinds.ts";
import { assemble } from "../asm/assembler.ts";
import type { Cpu, OpcodeVariant } from "../machine/cpu.ts";
import type { Hardware } from "../machine/hardware.ts";
import { Machine } from "../machine/machine.ts";
import { Monitor } from "../monitor/monitor.ts";
import type { VirtualHost } from "../monitor/nested.ts";
import type { VirtualMachine } from "../monitor/vm.ts";

// ---------------------------------------------------------------------------
// The world (addresses are P0 virtual; location A maps them to the same
// physical addresses, location B to 0x8000 higher).

/** Bytes of one placement of the world. */
export const WORLD_SIZE = 0x4800;
/** Physical offset of location B. */
export const LOCATION_B = 0x8000;
/** System control block (page 1, kernel-write). */
export const SCB_ADDRESS = 0x0200;
/** Handler of SCB vector v: HANDLERS + v (page 2, kernel-write). */
export const HANDLERS = 0x0400;
/** System page table (page 3, kernel-write). */
export const SPT_ADDRESS = 0x0600;
/** P0 page table (page 4, kernel-write; system virtual 0x80000800). */
export const P0PT_ADDRESS = 0x0800;
/** Process control block (page 5, kernel-write). */
export const PCB_ADDRESS = 0x0a00;
/** The instruction under test (pages 8-9, user-write). */
export const CODE = 0x1000;
/** Scratch data for address operands (pages 12-13, user-write). */
export const SCRATCH = 0x1800;
/** Page with protection code p: PROTECTION_PAGES + 0x200 * p. */
export const PROTECTION_PAGES = 0x2000;
/** Every stack pointer starts here (pages 32-35, user-write). */
export const STACK = 0x4600;
/** Pages mapped in P0 and S0 (up to location B). */
const PAGES = LOCATION_B >>> 9;

/** Protection of each page of the world: what an OS would choose. */
function protectionOf(vpn: number): number {
  if (vpn >= 1 && vpn <= 7) return 2; // KW: SCB, handlers, tables, PCB
  if (vpn >= 16 && vpn < 32) return vpn - 16 === 1 ? 0 : vpn - 16;
  return 4; // UW
}

/** The sensitive data structures of the world, with their addresses. */
export const DATA_STRUCTURES: readonly {
  name: string;
  address: number;
}[] = [
  { name: "SCB", address: SCB_ADDRESS },
  { name: "system page table", address: SPT_ADDRESS },
  { name: "P0 page table", address: P0PT_ADDRESS },
  { name: "PCB", address: PCB_ADDRESS },
];

/** The world's image at a location, before the value pattern is applied. */
function worldImage(location: 0 | 1): Uint8Array {
  const img = new Uint8Array(WORLD_SIZE);
  const dv = new DataView(img.buffer);
  const base = location === 0 ? 0 : LOCATION_B;
  for (let v = 0; v < 0x200; v += 4) {
    dv.setUint32(SCB_ADDRESS + v, HANDLERS + v, true);
  }
  for (let vpn = 0; vpn < PAGES; vpn++) {
    const pfn = (base >>> 9) + vpn;
    const pte = makePte(pfn, protectionOf(vpn), {
      valid: vpn !== 0,
      modified: true,
    });
    dv.setUint32(SPT_ADDRESS + 4 * vpn, pte, true);
    dv.setUint32(P0PT_ADDRESS + 4 * vpn, pte, true);
  }
  return img;
}

const IMAGES = [worldImage(0), worldImage(1)] as const;

// ---------------------------------------------------------------------------
// States.

/** Names of the access modes, most privileged first. */
export const MODES = ["kernel", "executive", "supervisor", "user"] as const;

/** The privileged part of a machine state that the classifier varies. */
export interface PgState {
  /** Current mode, 0 (kernel) to 3 (user). */
  mode: number;
  /** Previous mode. */
  prev: number;
  /** Interrupt priority level. */
  ipl: number;
  /** On the interrupt stack. */
  is: boolean;
  /** Memory management on. */
  mapen: boolean;
  /** The world at location A (0) or B (1). */
  location: 0 | 1;
}

/** Which component a state varies, relative to its mode's base state. */
export type Component =
  | "base"
  | "previous mode"
  | "IPL"
  | "interrupt stack"
  | "memory management"
  | "location";

/** A state of the matrix with the component it varies. */
export interface MatrixState {
  /** The state. */
  state: PgState;
  /** What it changes relative to `base(mode)`. */
  varies: Component;
}

/** The base state of a mode: previous mode user, IPL 0, mapped, location A. */
export function baseState(mode: number): PgState {
  return { mode, prev: 3, ipl: 0, is: false, mapen: true, location: 0 };
}

/**
 * The state matrix: for each mode its base state and one state per
 * component varied alone (only consistent PSLs: IPL and the interrupt stack
 * vary in kernel mode only; the previous mode is never more privileged than
 * the current in a non-kernel mode... except as REI allows, PRV >= CUR).
 */
export function stateMatrix(): MatrixState[] {
  const out: MatrixState[] = [];
  for (let mode = 0; mode < 4; mode++) {
    const b = baseState(mode);
    out.push({ state: b, varies: "base" });
    if (mode !== 3) {
      out.push({ state: { ...b, prev: mode }, varies: "previous mode" });
    }
    if (mode === 0) {
      out.push({ state: { ...b, ipl: 0x14 }, varies: "IPL" });
      out.push({ state: { ...b, ipl: 0x1f }, varies: "IPL" });
      out.push({
        state: { ...b, ipl: 0x1f, is: true },
        varies: "interrupt stack",
      });
    }
    out.push({ state: { ...b, mapen: false }, varies: "memory management" });
    out.push({ state: { ...b, location: 1 }, varies: "location" });
  }
  return out;
}

/**
 * Operand values: every register, the scratch page, the pages of each
 * protection and the stack above SP hold one of these (small integers,
 * sign boundaries, a user-mode PSL, an address in the scratch page).
 */
export const VALUES: readonly number[] = [
  0,
  1,
  3,
  0x12,
  0xffffffff,
  0x80000000,
  0x03c00000,
  SCRATCH,
];

/** Protection codes of the memory-operand sweep (1 is reserved). */
export const PROTECTIONS: readonly number[] = [
  0,
  2,
  3,
  4,
  5,
  6,
  7,
  8,
  9,
  10,
  11,
  12,
  13,
  14,
  15,
];

// ---------------------------------------------------------------------------
// Instances.

/** An instruction ready to run. */
export interface Instance {
  /** Opcode row. */
  info: OpcodeInfo;
  /** Assembler text. */
  text: string;
  /** Encoded bytes (the instruction, then the rest of the program). */
  bytes: Uint8Array;
  /** Length of the instruction itself. */
  length: number;
  /** Address of `next` (branch target and return address). */
  next: number;
  /** Protection code of the page its operands are in, -1 for registers. */
  protection: number;
}

function registersFor(o: OperandInfo): number {
  return Math.max(1, Math.ceil(dataTypeSize(o.type) / 4));
}

/**
 * An instance of an instruction, built from its operand descriptions:
 * operands in registers R1, R2... (address operands at the scratch page),
 * or, with `protection` >= 0, every operand in memory in the page of that
 * protection. Branch displacements go to the instruction that follows.
 */
export function instance(info: OpcodeInfo, protection = -1): Instance {
  let reg = 1;
  let slot = 0;
  const page = PROTECTION_PAGES + 0x200 * Math.max(protection, 0);
  const ops = info.operands.map((o) => {
    if (o.access === "b") return "next";
    if (protection >= 0) {
      const at = page + 0x20 * slot++;
      return `@#^X${at.toString(16)}`;
    }
    if (o.access === "a") {
      return `@#^X${(SCRATCH + 0x20 * slot++).toString(16)}`;
    }
    const n = reg;
    reg += registersFor(o);
    if (reg > 12) return `@#^X${(SCRATCH + 0x20 * slot++).toString(16)}`;
    return `R${n}`;
  });
  const text = ops.length ? `${info.mnemonic} ${ops.join(",")}` : info.mnemonic;
  const table = info.caseTable ? "\n        .word next-table" : "";
  const src = `start:  ${text}\ntable:${table}\nnext:   NOP\n        HALT\n`;
  const asm = assemble(src, { origin: CODE });
  return {
    info,
    text,
    bytes: asm.bytes,
    length: asm.symbol("table") - CODE,
    next: asm.symbol("next"),
    protection,
  };
}

// ---------------------------------------------------------------------------
// Observations.

/** Privileged registers observed (the memory map, the SCB and PCB bases, AST and software interrupt state). */
export const RESOURCE_IPRS: readonly string[] = [
  "P0BR",
  "P0LR",
  "P1BR",
  "P1LR",
  "SBR",
  "SLR",
  "PCBB",
  "SCBB",
  "ASTLVL",
  "SISR",
  "MAPEN",
];

const STACK_NAMES = ["KSP", "ESP", "SSP", "USP", "ISP"] as const;

// Shadow fills and guest memory faults: the exits a step does not count.
const ACV_EXIT = exceptionCode(SCB.ACCESS_VIOLATION);
const TNV_EXIT = exceptionCode(SCB.TRANSLATION_NOT_VALID);

/** Registers, PSL, stack pointers and resource IPRs at one moment. */
export interface Snapshot {
  /** R0..R15. */
  r: number[];
  /** PSL as software sees it (a guest's virtual PSL). */
  psl: number;
  /** KSP, ESP, SSP, USP, ISP. */
  stacks: number[];
  /** The resource IPRs, by name. */
  iprs: Record<string, number>;
}

/** A control transfer through the SCB during the step. */
export interface ScbEvent {
  /** SCB vector. */
  vector: number;
  /** Saved PC in the frame. */
  pc: number;
  /** Saved PSL in the frame. */
  psl: number;
  /** Parameters pushed below PC and PSL, top of stack first. */
  params: number[];
  /** A fault: the saved PC is the instruction's own (it did not execute). */
  fault: boolean;
}

/** What one step did. */
export interface Observation {
  /** Bare machine or guest of the monitor. */
  on: "bare" | "guest";
  /** The state. */
  state: PgState;
  /** Index into {@link VALUES}. */
  value: number;
  /** Protection code of the operand page, -1 for register operands. */
  protection: number;
  /** Before the step. */
  before: Snapshot;
  /** After the step. */
  after: Snapshot;
  /** A transfer through the SCB, if one happened. */
  event: ScbEvent | null;
  /** The processor (or the VM) halted. */
  halted: boolean;
  /** Longwords of the world that changed: [offset, before, after]. */
  memory: [number, number, number][];
  /** For a guest: the monitor got control (an exit other than a shadow-table fill). */
  exited: boolean;
}

/**
 * The registers now. `saved` gives the five saved stack pointers (the live
 * one is R14): read from the processor's (or the VM's) own array, because
 * reading KSP through the IPR interface outside kernel mode returns R14.
 */
function snapshot(hw: Hardware, saved: () => ArrayLike<number>): Snapshot {
  const iprs: Record<string, number> = {};
  for (const n of RESOURCE_IPRS) iprs[n] = hw.get(n);
  const r = Array.from({ length: 16 }, (_, i) => hw.get(`R${i}`));
  const psl = hw.get("PSL");
  const stacks = Array.from(saved(), (v) => v >>> 0).slice(0, 5);
  stacks[(psl & 0x04000000) !== 0 ? 4 : (psl >>> 24) & 3] = r[14]!;
  return { r, psl, stacks, iprs };
}

const PATTERNED = new Map<number, Uint8Array>();

/** The world at a location with every data area holding one value. */
function patterned(location: 0 | 1, value: number): Uint8Array {
  const key = location * 64 + value;
  let img = PATTERNED.get(key);
  if (img === undefined) {
    const v = VALUES[value]! >>> 0;
    img = IMAGES[location].slice();
    const words = new Uint32Array(img.buffer);
    words.fill(v, SCRATCH >>> 2, (SCRATCH + 0x400) >>> 2);
    words.fill(v, PROTECTION_PAGES >>> 2, (PROTECTION_PAGES + 0x2000) >>> 2);
    words.fill(v, PCB_ADDRESS >>> 2, (PCB_ADDRESS + 0x200) >>> 2);
    words.fill(v, STACK >>> 2, (STACK + 0x100) >>> 2);
    PATTERNED.set(key, img);
  }
  return img;
}

/** Fast access to the memory behind a machine or a guest. */
interface MemoryAccess {
  write(bytes: Uint8Array, address: number): void;
  read(address: number, length: number): Uint8Array;
}

/** The registers a run starts with (addresses as the world's location). */
interface StartRegisters {
  value: number;
  base: number;
  psl: number;
  mapen: number;
}

/** A bare processor's registers, read from its fields (fast path). */
function cpuSnapshot(cpu: Cpu): Snapshot {
  const r = Array.from(cpu.r, (v) => v >>> 0);
  const psl = cpu.psl >>> 0;
  const stacks = Array.from(cpu.stk, (v) => v >>> 0);
  stacks[(psl & 0x04000000) !== 0 ? 4 : (psl >>> 24) & 3] = r[14]!;
  return {
    r,
    psl,
    stacks,
    iprs: {
      P0BR: cpu.p0br >>> 0,
      P0LR: cpu.p0lr >>> 0,
      P1BR: cpu.p1br >>> 0,
      P1LR: cpu.p1lr >>> 0,
      SBR: cpu.sbr >>> 0,
      SLR: cpu.slr >>> 0,
      PCBB: cpu.pcbb >>> 0,
      SCBB: cpu.scbb >>> 0,
      ASTLVL: cpu.astlvl >>> 0,
      SISR: cpu.sisr >>> 0,
      MAPEN: cpu.mapen >>> 0,
    },
  };
}

/** Builds the world in memory; returns the image loaded. */
function prepare(
  mem: MemoryAccess,
  inst: Instance,
  s: PgState,
  value: number,
): { image: Uint8Array; start: StartRegisters } {
  const img = patterned(s.location, value).slice();
  new DataView(img.buffer).setUint32(STACK, inst.next, true); // return address
  img.set(inst.bytes, CODE);
  const base = s.location === 0 ? 0 : LOCATION_B;
  mem.write(img, base);
  return {
    image: img,
    start: {
      value: VALUES[value]! | 0,
      base,
      psl: ((s.is ? 0x04000000 : 0) | (s.mode << 24) | (s.prev << 22) |
        (s.ipl << 16)) | 0,
      mapen: s.mapen ? 1 : 0,
    },
  };
}

/** The memory-management and system registers of a run. */
function startIprs(st: StartRegisters) {
  return {
    scbb: st.base + SCB_ADDRESS,
    pcbb: st.base + PCB_ADDRESS,
    sbr: st.base + SPT_ADDRESS,
    slr: PAGES,
    p0br: (0x80000000 + P0PT_ADDRESS) | 0,
    p0lr: PAGES,
    p1br: 0x80000000 | 0,
    p1lr: 0x200000,
  };
}

/** Longwords that differ: [byte offset, before, after]. */
function diffWords(a: Int32Array, b: Int32Array): [number, number, number][] {
  const out: [number, number, number][] = [];
  const n = a.length;
  for (let i = 0; i < n; i++) {
    if (a[i] !== b[i]) out.push([i * 4, a[i]! >>> 0, b[i]! >>> 0]);
  }
  return out;
}

function observe(
  take: () => Snapshot,
  mem: MemoryAccess,
  on: "bare" | "guest",
  inst: Instance,
  s: PgState,
  value: number,
  image: Uint8Array,
  step: () => { halted: boolean; exited: boolean },
): Observation {
  const before = take();
  const r = step();
  const after = take();
  const base = s.location === 0 ? 0 : LOCATION_B;
  const now = mem.read(base, WORLD_SIZE);
  const memory = diffWords(
    new Int32Array(image.buffer, image.byteOffset, WORLD_SIZE >>> 2),
    new Int32Array(now.buffer, now.byteOffset, WORLD_SIZE >>> 2),
  );
  let event: ScbEvent | null = null;
  const pc = after.r[15]!;
  if (!r.halted && pc >= HANDLERS && pc < HANDLERS + 0x200 && pc % 4 === 0) {
    const dv = new DataView(now.buffer, now.byteOffset);
    const sp = after.r[14]!;
    const n = sp <= STACK - 8 ? (STACK - 8 - sp) >>> 2 : 0;
    const params: number[] = [];
    for (let k = 0; k < n && k < 8; k++) {
      params.push(dv.getUint32(sp + 4 * k, true));
    }
    const savedPc = dv.getUint32(STACK - 8, true);
    event = {
      vector: pc - HANDLERS,
      pc: savedPc,
      psl: dv.getUint32(STACK - 4, true),
      params,
      fault: savedPc === CODE,
    };
  }
  return {
    on,
    state: s,
    value,
    protection: inst.protection,
    before,
    after,
    event,
    halted: r.halted,
    memory,
    exited: r.exited,
  };
}

/** Options of a {@link Runner}. */
export interface RunnerOptions {
  /** VM extensions on the machines (default true). */
  vmExtensions?: boolean;
  /** Opcode variants (a variant machine). */
  variants?: ReadonlyMap<number, OpcodeVariant>;
  /** Shadow-table policy of the monitor for guest runs (default split). */
  shadow?: "split" | "shared";
  /**
   * Guests run under a monitor that itself runs in a virtual machine of
   * another monitor (CP under CP: recursive virtualization).
   */
  nested?: boolean;
}

/** Runs instances bare and as guests of a monitor, reusing machines. */
export class Runner {
  readonly #bare: Machine;
  readonly #options: RunnerOptions;
  #monitor: Monitor<Machine> | Monitor<VirtualHost> | null = null;
  #vm: VirtualMachine | null = null;

  /** Creates the machines. */
  constructor(options: RunnerOptions = {}) {
    this.#options = options;
    this.#bare = new Machine({
      memory: "64 KiB",
      disk: 0,
      vmExtensions: options.vmExtensions ?? true,
      ...(options.variants ? { variants: options.variants } : {}),
    });
  }

  /** Executes `inst` once on the bare machine in state `s`. */
  bare(inst: Instance, s: PgState, value: number): Observation {
    const m = this.#bare;
    m.cpu.reset();
    const u8 = m.memory.u8;
    const mem: MemoryAccess = {
      write: (b, a) => m.memory.load(a, b),
      read: (a, n) => u8.subarray(a, a + n),
    };
    const { image, start } = prepare(mem, inst, s, value);
    const cpu = m.cpu;
    cpu.r.fill(start.value, 0, 12);
    cpu.r[12] = cpu.r[13] = cpu.r[14] = STACK;
    cpu.r[15] = CODE;
    cpu.stk.fill(STACK);
    Object.assign(cpu, startIprs(start));
    cpu.mapen = start.mapen;
    cpu.psl = start.psl;
    cpu.tbFlushAll();
    cpu.evalInterrupts();
    return observe(
      () => cpuSnapshot(cpu),
      mem,
      "bare",
      inst,
      s,
      value,
      image,
      () => {
        const r = m.step();
        return { halted: r.stop === "halt", exited: false };
      },
    );
  }

  /**
   * Executes `inst` once as a guest in virtual state `s`, optionally with
   * the simulated clock moved `laterNs` on first.
   */
  guest(inst: Instance, s: PgState, value: number, laterNs = 0): Observation {
    if (this.#options.nested) {
      // Under a nested monitor every run gets a fresh stack of machine,
      // monitors and VMs: re-preparing a level-2 guest after a step that
      // ended in a halt or a reflected exception left the next step making
      // no progress.
      this.#monitor = null;
      this.#vm = null;
    }
    if (this.#monitor === null) {
      const shadow = this.#options.shadow ?? "split";
      const real = new Machine({
        memory: this.#options.nested ? "4 MiB" : "1 MiB",
        disk: 0,
        ...(this.#options.variants ? { variants: this.#options.variants } : {}),
      });
      this.#monitor = this.#options.nested
        ? Monitor.on(
          Monitor.on(real, { shadow }).vm("CP").memory("1 MiB").create(),
          { shadow },
        )
        : Monitor.on(real, { shadow });
    }
    let vm = this.#vm;
    if (vm === null || vm.halted) {
      vm = this.#monitor.vm("PG").memory("64 KiB").create();
      this.#vm = vm;
    }
    const g = vm;
    const host = this.#monitor.machine;
    const u8 = host instanceof Machine ? host.memory.u8 : null;
    const mem: MemoryAccess = u8 === null
      ? {
        write: (b, a) => g.load(b, a),
        read: (a, n) => g.readPhysical(a, n),
      }
      : {
        write: (b, a) => {
          for (let o = 0; o < b.length; o += 512) {
            const pa = vmState(g).realAddress(a + o);
            host.memory.load(pa, b.subarray(o, o + 512));
          }
        },
        read: (a, n) => {
          vmState(g).host.syncFromCpu(g);
          const out = new Uint8Array(n);
          for (let o = 0; o < n; o += 512) {
            const r = vmState(g).realAddress(a + o);
            out.set(u8.subarray(r, r + Math.min(512, n - o)), o);
          }
          return out;
        },
      };
    const { image, start } = prepare(mem, inst, s, value);
    const iprs = startIprs(start);
    for (let i = 0; i < 12; i++) vm.set(`R${i}`, start.value);
    vm.set("AP", STACK);
    vm.set("FP", STACK);
    vm.set("SCBB", iprs.scbb);
    vm.set("PCBB", iprs.pcbb);
    vm.set("SBR", iprs.sbr);
    vm.set("SLR", iprs.slr);
    vm.set("P0BR", iprs.p0br);
    vm.set("P0LR", iprs.p0lr);
    vm.set("P1BR", iprs.p1br);
    vm.set("P1LR", iprs.p1lr);
    for (const sp of STACK_NAMES) vm.set(sp, STACK);
    vm.set("ASTLVL", 4);
    vm.set("SISR", 0);
    vm.set("MAPEN", start.mapen);
    vm.set("PSL", start.psl);
    vm.set("SP", STACK);
    vm.set("PC", CODE);
    if (host instanceof Machine) host.cpu.ns += laterNs;
    return observe(
      () =>
        snapshot(vm, () => {
          vmState(g).host.syncFromCpu(g);
          return vmState(g).vstk;
        }),
      mem,
      "guest",
      inst,
      s,
      value,
      image,
      () => {
        const st = vm.stats;
        const exits = vmState(vm).exits;
        const fills = () => exits.count(ACV_EXIT) + exits.count(TNV_EXIT);
        const e0 = st.totalExits - fills() + st.reflected;
        const r = vm.step();
        const e1 = st.totalExits - fills() + st.reflected;
        return { halted: r.stop === "halt" || vm.halted, exited: e1 > e0 };
      },
    );
  }

  /** The last guest VM (for inspection). */
  get lastGuest(): VirtualMachine | null {
    return this.#vm;
  }
}
