// Shared set-up for the monitor tests: one program, prepared the same way
// on a bare standard VAX (a `Machine` with the VM extensions off: the
// architecture a guest believes it runs on) and in a `VirtualMachine` of a
// `Monitor`, both through the `Hardware` interface; then the final guest
// state of the two is compared (Popek and Goldberg's equivalence: only
// timing may differ).
//
// Expected values in the tests come from ../shared/spec/*.md, or from the
// bare machine; never from the monitor itself.

import { REGISTER_NAMES } from "../../src/arch/registers.ts";
import { deepEqual } from "node:assert/strict";
import { assemble, type Assembly } from "../../src/asm/assembler.ts";
import { IPR } from "../../src/arch/ipr.ts";
import { Machine } from "../../src/machine/machine.ts";
import { VmSyscalls } from "../../src/machine/vm_fastpath.ts";
import type { Hardware, RunResult } from "../../src/machine/hardware.ts";
import { Monitor, type MonitorOptions } from "../../src/monitor/monitor.ts";
import type { MonitorHost } from "../../src/monitor/nested.ts";
import type { VirtualMachine } from "../../src/monitor/vm.ts";

// ---------------------------------------------------------------------------
// Guest-physical layout used by every test (memory is 256 KiB).

/** Guest memory size (bytes). */
export const MEMORY = 0x40000;
/** Guest disk size (blocks). */
export const DISK_BLOCKS = 128;
// The layout (SCB, stubs, stacks, page tables) and PTE helpers are the
// processor tests' own: one definition serves both suites.
export {
  DATA,
  ORIGIN,
  P0LR,
  P0PT,
  P1_PHYS,
  P1LR,
  P1PT,
  PROT,
  pte,
  pteAddress,
  SCB_BASE,
  SLR,
  SPT,
  STACKS,
  STUB_BASE,
} from "../machine/_helpers.ts";
import {
  ORIGIN,
  P0LR,
  P0PT,
  P1_PHYS,
  P1LR,
  P1PT,
  PROT,
  pte,
  SCB_BASE,
  SLR,
  SPT,
  STACKS,
  STUB_BASE,
} from "../machine/_helpers.ts";
import type { Setup as MachineSetup } from "../machine/_helpers.ts";

/** A PSL from fields (1.1). */
export function psl(
  f: { cur?: number; prv?: number; ipl?: number; is?: boolean; cc?: number } =
    {},
): number {
  return ((f.is ? 0x04000000 : 0) | ((f.cur ?? 0) << 24) |
    ((f.prv ?? 0) << 22) | ((f.ipl ?? 0) << 16) | (f.cc ?? 0)) >>> 0;
}

/** IPR numbers as assembler symbols PR$_name. */
export const IPR_SYMBOLS: Record<string, number> = Object.fromEntries(
  Object.entries(IPR).map(([k, v]) => [`PR$_${k}`, v]),
);

/** Assembles at an origin with the PR$_ symbols. */
export function asm(source: string, origin = ORIGIN): Assembly {
  return assemble(source, { origin, symbols: IPR_SYMBOLS });
}

// ---------------------------------------------------------------------------
// Memory helpers over any Hardware.

/** Little-endian longword bytes. */
export function long(v: number): Uint8Array {
  return new Uint8Array([
    v & 0xff,
    (v >>> 8) & 0xff,
    (v >>> 16) & 0xff,
    v >>> 24,
  ]);
}

/** Physical longword write. */
export function writeL(hw: Hardware, pa: number, v: number): void {
  hw.load(long(v), pa);
}

/** Physical longword read. */
export function readL(hw: Hardware, pa: number): number {
  const b = hw.readPhysical(pa, 4);
  return (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0;
}

/** Longwords at physical addresses. */
export function readLongs(hw: Hardware, pa: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => readL(hw, pa + 4 * i));
}

// ---------------------------------------------------------------------------
// Preparing a program on any machine.

/** Anything a program can be prepared on: a Machine or a VirtualMachine. */
export type Target = Hardware & { setPsl(p: number): void };

/** How to prepare a program: the processor tests' setup, plus these. */
export interface Setup extends MachineSetup {
  /** Run for this much simulated time instead of an instruction limit. */
  forNs?: number;
  /**
   * The program polls a device, so how many instructions it runs depends
   * on timing (which the monitor changes): do not compare the count.
   */
  timing?: boolean;
  /** Called on each machine just before the run (e.g. to type input). */
  before?: (hw: Target) => void;
}

/** Builds the standard page tables (not MAPEN). */
export function buildPageTables(hw: Target): void {
  for (let vpn = 0; vpn < SLR; vpn++) {
    writeL(hw, SPT + 4 * vpn, pte(vpn, PROT.KW));
  }
  for (let vpn = 0; vpn < P0LR; vpn++) {
    writeL(hw, P0PT + 4 * vpn, pte(vpn, PROT.UW));
  }
  for (let k = 0; k < 0x80; k++) {
    writeL(hw, P1PT + 4 * k, pte((P1_PHYS >>> 9) + k, PROT.UW));
  }
  hw.set("SBR", SPT);
  hw.set("SLR", SLR);
  hw.set("P0BR", 0x80000000 + P0PT);
  hw.set("P0LR", P0LR);
  hw.set("P1BR", (0x80000000 + P1PT - 4 * P1LR) >>> 0);
  hw.set("P1LR", P1LR);
}

/** Loads a program and sets the machine up; does not run it. */
export function prepare(hw: Target, a: Assembly, s: Setup = {}): void {
  const origin = s.origin ?? ORIGIN;
  hw.load(a.bytes, origin);
  for (let v = 0; v < 0x200; v += 4) writeL(hw, SCB_BASE + v, STUB_BASE + v);
  for (const [v, h] of Object.entries(s.vectors ?? {})) {
    let value: number;
    if (typeof h === "number") value = h;
    else {
      const [name, bits] = h.split("+");
      value = a.symbol(name!) + Number(bits ?? 0);
    }
    writeL(hw, SCB_BASE + Number(v), value);
  }
  hw.set("SCBB", SCB_BASE);
  for (const [k, v] of Object.entries(STACKS)) hw.set(k, v);
  if (s.mapping) buildPageTables(hw);
  for (const [addr, v] of Object.entries(s.longs ?? {})) {
    writeL(hw, Number(addr), v);
  }
  const isReg = (k: string) => /^(R\d+|AP|FP|SP|PC)$/i.test(k);
  for (const [k, v] of Object.entries(s.regs ?? {})) {
    if (!isReg(k)) hw.set(k, v);
  }
  hw.setPsl(s.psl ?? 0);
  for (const [k, v] of Object.entries(s.regs ?? {})) {
    if (isReg(k)) hw.set(k, v);
  }
  if (!("PC" in (s.regs ?? {}))) hw.set("PC", a.entry);
  if (s.mapping) hw.set("MAPEN", 1);
}

/** A bare standard VAX of the guest's size. */
export function bareMachine(): Machine {
  return new Machine({
    memory: MEMORY,
    disk: DISK_BLOCKS * 512,
    vmExtensions: false,
  });
}

/** A monitor on a 2 MiB machine with a 1 MiB disk, and one VM of the guest's size. */
export function monitorWithVm(
  options: MonitorOptions = {},
  name = "G",
): { cp: Monitor; vm: VirtualMachine } {
  const cp = Monitor.on(new Machine({ memory: "2 MiB", disk: "1 MiB" }), {
    quantumNs: 1_000_000,
    ...options,
  });
  const vm = cp.vm(name).memory(MEMORY).minidisk(DISK_BLOCKS * 512).create();
  return { cp, vm };
}

/**
 * A monitor `levels` deep (1: on the machine; 2: CP under CP; 3...), each
 * inner monitor in a VM "CPn" of the one outside it, and the guest's VM
 * "G" under the innermost. Returns every monitor, outermost first.
 */
export function nestedMonitorWithVm(
  levels: number,
  options: MonitorOptions = {},
): {
  outer: Monitor;
  cps: Monitor<MonitorHost>[];
  cp: Monitor<MonitorHost>;
  vm: VirtualMachine;
} {
  const mib = 1024 * 1024;
  // Each level needs the inner level's memory, its shadow tables and its
  // bounce buffer.
  const memFor = (l: number) => 2 * mib * 2 ** (levels - l);
  const outer = Monitor.on(
    new Machine({ memory: memFor(0), disk: `${levels} MiB` }),
    { quantumNs: 1_000_000, ...options },
  );
  const cps: Monitor<MonitorHost>[] = [outer];
  for (let l = 1; l < levels; l++) {
    const host = cps[l - 1]!.vm(`CP${l + 1}`).memory(memFor(l)).minidisk(
      (levels - l) * mib,
    ).create();
    cps.push(Monitor.on(host, { quantumNs: 1_000_000, ...options }));
  }
  const cp = cps[cps.length - 1]!;
  const vm = cp.vm("G").memory(MEMORY).minidisk(DISK_BLOCKS * 512).create();
  return { outer, cps, cp, vm };
}

/** One run of a program on one machine. */
export interface Run<H extends Target> {
  hw: H;
  result: RunResult;
}

/** Both runs of a program. */
export interface Pair {
  asm: Assembly;
  setup: Setup;
  sym(name: string): number;
  bare: Run<Machine>;
  virt: Run<VirtualMachine>;
  cp: Monitor;
  vm: VirtualMachine;
}

/** Runs a prepared target. */
export function go<H extends Target>(hw: H, s: Setup): Run<H> {
  s.before?.(hw);
  const result = s.forNs !== undefined
    ? hw.run({ forNs: s.forNs, limit: s.limit })
    : hw.run({ limit: s.limit ?? 10000 });
  return { hw, result };
}

/** Prepares and runs the same program bare and under a monitor. */
export function runBoth(
  source: string | Assembly,
  s: Setup = {},
  options: MonitorOptions = {},
  levels = 1,
): Pair {
  const a = typeof source === "string" ? asm(source, s.origin) : source;
  const m = bareMachine();
  prepare(m, a, s);
  const bare = go(m, s);
  const { cp, vm } = levels === 1 ? monitorWithVm(options) : (() => {
    const n = nestedMonitorWithVm(levels, options);
    return { cp: n.outer, vm: n.vm };
  })();
  prepare(vm, a, s);
  const virt = go(vm, s);
  return { asm: a, setup: s, sym: (n) => a.symbol(n), bare, virt, cp, vm };
}

// ---------------------------------------------------------------------------
// Comparing guest state.

/** IPRs compared (TODR is time and RXDB has a side effect on bare reads). */
export const COMPARED_IPRS = [
  "KSP",
  "ESP",
  "SSP",
  "USP",
  "ISP",
  "P0BR",
  "P0LR",
  "P1BR",
  "P1LR",
  "SBR",
  "SLR",
  "PCBB",
  "SCBB",
  "IPL",
  "ASTLVL",
  "SISR",
  "ICCS",
  "RXCS",
  "TXCS",
  "CADR",
  "MSER",
  "CONPC",
  "CONPSL",
  "MAPEN",
  "PME",
  "SID",
  "DKBLK",
  "DKMEM",
  "DKCNT",
  "DKCS",
  "DKSIZE",
] as const;

const h8 = (v: number) => (v >>> 0).toString(16).padStart(8, "0");

/** What a program can observe of a machine, as hex text (for readable diffs). */
export function observe(hw: Hardware): Record<string, string> {
  const out: Record<string, string> = {};
  const names = [...REGISTER_NAMES, "PSL"];
  for (const n of names) out[n] = h8(hw.get(n));
  for (const n of COMPARED_IPRS) out[n] = h8(hw.get(n));
  return out;
}

/** The entries that differ between two observations ("name: a / b"). */
export function stateDiff(
  a: Record<string, string>,
  b: Record<string, string>,
): string[] {
  return Object.keys(b).filter((k) => a[k] !== b[k]).map((k) =>
    `${k}: ${a[k]} / ${b[k]}`
  );
}

/** The first differences between two memories (address: a/b), at most `max`. */
export function memoryDiff(
  a: Uint8Array,
  b: Uint8Array,
  max = 8,
): string[] {
  const out: string[] = [];
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n && out.length < max; i += 4) {
    let same = true;
    for (let k = 0; k < 4; k++) if (a[i + k] !== b[i + k]) same = false;
    if (!same) {
      const la = (a[i]! | (a[i + 1]! << 8) | (a[i + 2]! << 16) |
        (a[i + 3]! << 24)) >>> 0;
      const lb = (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) |
        (b[i + 3]! << 24)) >>> 0;
      out.push(`${h8(i)}: ${h8(la)} / ${h8(lb)}`);
    }
  }
  return out;
}

/**
 * Asserts that the bare run and the run under the monitor end in the same
 * guest state: stop kind, halt reason, instruction count, registers, PSL,
 * IPRs, all of memory, the disk and the console output.
 */
export function assertEquivalent(p: Pair, label = ""): void {
  const { bare, virt } = p;
  const what = label ? `${label}: ` : "";
  const problems: string[] = [];
  const rv = virt.result, rb = bare.result;
  for (const k of ["stop", "reason", "instructions"] as const) {
    if (k === "instructions" && p.setup.timing) continue;
    if (rv[k] !== rb[k]) problems.push(`run ${k}: ${rv[k]} / ${rb[k]}`);
  }
  problems.push(...stateDiff(observe(virt.hw), observe(bare.hw)));
  const mem = memoryDiff(
    virt.hw.readPhysical(0, MEMORY),
    bare.hw.readPhysical(0, MEMORY),
  );
  problems.push(...mem.map((d) => `memory ${d}`));
  const disk = memoryDiff(
    virt.hw.disk.readBlocks(0, DISK_BLOCKS),
    bare.hw.disk.readBlocks(0, DISK_BLOCKS),
  );
  problems.push(...disk.map((d) => `disk ${d}`));
  if (virt.hw.console.output !== bare.hw.console.output) {
    problems.push(
      `console: ${JSON.stringify(virt.hw.console.output)} / ${
        JSON.stringify(bare.hw.console.output)
      }`,
    );
  }
  deepEqual(
    problems,
    [],
    `${what}guest state differs (monitor / bare):\n  ${problems.join("\n  ")}`,
  );
}

/** Runs bare and under the monitor and asserts equivalence; returns both runs. */
export function equivalent(
  source: string | Assembly,
  s: Setup = {},
  options: MonitorOptions = {},
  label = "",
): Pair {
  const p = runBoth(source, s, options);
  assertEquivalent(p, label);
  return p;
}

/**
 * The SCB vector whose HALT stub stopped a machine (the stub of vector v
 * is a HALT at STUB_BASE + v, so PC = STUB_BASE + v + 1), or -1.
 */
export function vectorTaken(hw: Hardware): number {
  const pc = hw.get("PC");
  if (!hw.halted || pc <= STUB_BASE || pc > STUB_BASE + 0x200) return -1;
  const v = pc - 1 - STUB_BASE;
  return v % 4 === 0 ? v : -1;
}

/** The n longwords on top of the guest's live stack (identity-mapped stacks). */
export function stackTop(hw: Hardware, n: number): number[] {
  return readLongs(hw, hw.get("SP") & 0x3fffffff, n);
}

/** Exits of a VM by kind, without zero entries. */
export function exits(vm: VirtualMachine): Record<string, number> {
  return { ...vm.stats.exits };
}

// ---------------------------------------------------------------------------
// A small seeded PRNG (mulberry32): the same seed gives the same numbers on
// every run, so a failing seed can be replayed.

/** A seeded pseudo-random generator. */
export class Rng {
  #s: number;
  /** The seed it started from. */
  readonly seed: number;

  /** Creates a generator from a 32-bit seed. */
  constructor(seed: number) {
    this.seed = seed >>> 0;
    this.#s = seed >>> 0;
  }

  /** A 32-bit unsigned integer. */
  u32(): number {
    let t = (this.#s = (this.#s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor((this.u32() / 0x100000000) * n);
  }

  /** An integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.u32() / 0x100000000 < p;
  }

  /** One element of an array. */
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
}

/** Runs `body` counting the CHMx/REI the processor did itself. */
export function fastCount<T>(body: () => T): [T, number] {
  const proto = VmSyscalls.prototype;
  const { chm, rei } = proto;
  let n = 0;
  proto.chm = function (...a) {
    const r = chm.apply(this, a);
    if (r) n++;
    return r;
  };
  proto.rei = function (...a) {
    const r = rei.apply(this, a);
    if (r) n++;
    return r;
  };
  try {
    return [body(), n];
  } finally {
    proto.chm = chm;
    proto.rei = rei;
  }
}
