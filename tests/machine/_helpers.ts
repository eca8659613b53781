// Shared set-up for the processor unit tests: assemble a program, load it
// into a fresh 1 MiB machine with an SCB whose vectors point at distinct
// HALT stubs (or at handlers in the program), set PSL and stacks, run.
//
// Expected values in the tests come from ../shared/spec/vax-architecture.md
// and ../shared/spec/vm-extensions.md (section numbers in the test names),
// never from the emulator's own output.

import { assemble, type Assembly } from "../../src/asm/assembler.ts";
import { IPR } from "../../src/arch/ipr.ts";
import { Machine } from "../../src/machine/machine.ts";
import type { RunResult } from "../../src/machine/hardware.ts";

// ---------------------------------------------------------------------------
// Physical memory layout used by every test.

/** SCB base (physical). */
export const SCB_BASE = 0x200;
/** Handler stub for SCB vector v is a HALT at STUB_BASE + v. */
export const STUB_BASE = 0x400;
/** Default program origin. */
export const ORIGIN = 0x1000;
/** A scratch data area (0x3000-0x4FFF). */
export const DATA = 0x3000;
/** Initial stack pointers (tops; each stack has its own pages below). */
export const STACKS = {
  KSP: 0x6000,
  ESP: 0x6800,
  SSP: 0x7000,
  USP: 0x7800,
  ISP: 0x8000,
} as const;

// Page tables built by `mapping: true` (section 10):
/** Physical address of the system page table (SBR). */
export const SPT = 0x19000;
/** Number of S0 PTEs (SLR): S0 0x80000000-0x8001FFFF maps physical 0-0x1FFFF. */
export const SLR = 0x100;
/** Physical address of the P0 page table (system virtual 0x80018200). */
export const P0PT = 0x18200;
/** P0LR: P0 0-0x1FFFF maps physical 0-0x1FFFF (identity). */
export const P0LR = 0x100;
/** Physical address of the P1 page table (system virtual 0x80018000). */
export const P1PT = 0x18000;
/** P1LR: P1 VPNs 0x1FFF80-0x1FFFFF (VA 0x7FFF0000-0x7FFFFFFF) are valid. */
export const P1LR = 0x1fff80;
/** P1 VA 0x7FFF0000 + k*512 maps physical P1_PHYS + k*512. */
export const P1_PHYS = 0x20000;

/** Protection codes by mnemonic (section 10.4). */
export const PROT = {
  NA: 0,
  KW: 2,
  KR: 3,
  UW: 4,
  EW: 5,
  ERKW: 6,
  ER: 7,
  SW: 8,
  SREW: 9,
  SRKW: 10,
  SR: 11,
  URSW: 12,
  UREW: 13,
  URKW: 14,
  UR: 15,
} as const;

/** A PTE (section 10.3): V<31>, PROT<30:27>, M<26>, PFN<20:0>. */
export function pte(
  pfn: number,
  prot: number,
  valid = true,
  modified = false,
): number {
  return ((valid ? 0x80000000 : 0) | (prot << 27) |
    (modified ? 0x04000000 : 0) | (pfn & 0x1fffff)) >>> 0;
}

/** Physical address of the PTE that maps a P0, P1 or S0 address. */
export function pteAddress(va: number): number {
  const vpn = (va >>> 9) & 0x1fffff;
  switch (va >>> 30) {
    case 0:
      return P0PT + 4 * vpn;
    case 1:
      return P1PT + 4 * (vpn - P1LR);
    case 2:
      return SPT + 4 * vpn;
    default:
      throw new RangeError(`no PTE for S1 address ${va.toString(16)}`);
  }
}

// ---------------------------------------------------------------------------
// PSL construction and display.

/** Fields of a PSL (section 1.1); missing fields are 0. */
export interface PslSpec {
  cur?: number;
  prv?: number;
  ipl?: number;
  is?: boolean;
  cc?: number;
  t?: boolean;
  tp?: boolean;
  iv?: boolean;
  fu?: boolean;
  dv?: boolean;
  fpd?: boolean;
  vm?: boolean;
}

/** Builds a PSL from fields (section 1.1 layout, written out by hand). */
export function psl(f: PslSpec = {}): number {
  return ((f.tp ? 0x40000000 : 0) | (f.vm ? 0x20000000 : 0) |
    (f.fpd ? 0x08000000 : 0) | (f.is ? 0x04000000 : 0) |
    ((f.cur ?? 0) << 24) | ((f.prv ?? 0) << 22) | ((f.ipl ?? 0) << 16) |
    (f.dv ? 0x80 : 0) | (f.fu ? 0x40 : 0) | (f.iv ? 0x20 : 0) |
    (f.t ? 0x10 : 0) | (f.cc ?? 0)) >>> 0;
}

/** Condition-code bits. */
export const N = 8, Z = 4, V = 2, C = 1;

/** The condition codes of a PSL as letters, e.g. "NC"; "" when all clear. */
export function flags(p: number): string {
  return (p & 8 ? "N" : "") + (p & 4 ? "Z" : "") + (p & 2 ? "V" : "") +
    (p & 1 ? "C" : "");
}

/** Condition codes from letters ("NZVC" subset). */
export function cc(letters: string): number {
  let v = 0;
  for (const ch of letters) v |= { N: 8, Z: 4, V: 2, C: 1 }[ch] ?? 0;
  return v;
}

// ---------------------------------------------------------------------------
// Building and running a machine.

/** Options of {@link boot} and {@link run}. */
export interface Setup {
  /** Program origin (default 0x1000). */
  origin?: number;
  /** Initial PSL (default 0: kernel, IPL 0, kernel stack). */
  psl?: number;
  /** Registers and IPRs to set before the PSL (names as Machine.set). */
  regs?: Record<string, number>;
  /**
   * SCB vectors: offset → handler symbol of the program (`"name"`, or
   * `"name+1"` for the interrupt-stack bit) or a raw longword. Vectors not
   * named point at HALT stubs.
   */
  vectors?: Record<number, string | number>;
  /** Longwords to store in physical memory before the run. */
  longs?: Record<number, number>;
  /** Build the page tables of the layout above and set MAPEN. */
  mapping?: boolean;
  /** VM extensions (default on). */
  vmExtensions?: boolean;
  /** Instruction limit of the run (default 10000). */
  limit?: number;
  /** Disk size (default none: no disk controller). */
  disk?: string | number;
}

/** A booted machine with its program. */
export interface Booted {
  m: Machine;
  asm: Assembly;
  /** Address of a program symbol. */
  sym(name: string): number;
}

/** Predefined assembler symbols: the IPR numbers as PR$_name. */
const IPR_SYMBOLS: Record<string, number> = Object.fromEntries(
  Object.entries(IPR).map(([k, v]) => [`PR$_${k}`, v]),
);

/** Assembles source at an origin (IPR numbers predefined as PR$_name). */
export function asm(source: string, origin = ORIGIN): Assembly {
  return assemble(source, { origin, symbols: IPR_SYMBOLS });
}

/** Builds the page tables of the standard layout (not MAPEN). */
export function buildPageTables(m: Machine): void {
  for (let vpn = 0; vpn < SLR; vpn++) {
    writeL(m, SPT + 4 * vpn, pte(vpn, PROT.KW));
  }
  for (let vpn = 0; vpn < P0LR; vpn++) {
    writeL(m, P0PT + 4 * vpn, pte(vpn, PROT.UW));
  }
  for (let k = 0; k < 0x80; k++) {
    writeL(m, P1PT + 4 * k, pte((P1_PHYS >>> 9) + k, PROT.UW));
  }
  m.set("SBR", SPT);
  m.set("SLR", SLR);
  m.set("P0BR", 0x80000000 + P0PT);
  m.set("P0LR", P0LR);
  m.set("P1BR", (0x80000000 + P1PT - 4 * P1LR) >>> 0);
  m.set("P1LR", P1LR);
}

/** Loads and prepares a machine; does not run it. */
export function boot(source: string | Uint8Array, s: Setup = {}): Booted {
  const origin = s.origin ?? ORIGIN;
  const m = new Machine({
    memory: "1 MiB",
    disk: s.disk ?? 0,
    vmExtensions: s.vmExtensions ?? true,
  });
  const a = typeof source === "string"
    ? asm(source, origin)
    : assemble("", { origin });
  if (typeof source === "string") m.load(a.bytes, origin);
  else m.load(source, origin);
  const sym = (name: string) => a.symbol(name);
  // SCB: every vector at its own HALT stub (memory is zero, and 00 is HALT).
  for (let v = 0; v < 0x200; v += 4) {
    writeL(m, SCB_BASE + v, STUB_BASE + v);
  }
  for (const [v, h] of Object.entries(s.vectors ?? {})) {
    let value: number;
    if (typeof h === "number") value = h;
    else {
      const [name, bits] = h.split("+");
      const addr = sym(name!);
      if ((addr & 3) !== 0) {
        throw new Error(
          `handler ${name} at ${addr.toString(16)} is not longword aligned`,
        );
      }
      value = addr + Number(bits ?? 0);
    }
    writeL(m, SCB_BASE + Number(v), value);
  }
  m.set("SCBB", SCB_BASE);
  // Reset state is IS=1: R14 is the ISP, the other stacks are saved copies.
  for (const [k, v] of Object.entries(STACKS)) m.set(k, v);
  if (s.mapping) buildPageTables(m);
  // After the page tables, so that tests can change PTEs with `longs`.
  for (const [addr, v] of Object.entries(s.longs ?? {})) {
    writeL(m, Number(addr), v);
  }
  for (const [k, v] of Object.entries(s.regs ?? {})) {
    if (!/^(R\d+|AP|FP|SP|PC)$/i.test(k)) m.set(k, v);
  }
  m.setPsl(s.psl ?? 0);
  for (const [k, v] of Object.entries(s.regs ?? {})) {
    if (/^(R\d+|AP|FP|SP|PC)$/i.test(k)) m.set(k, v);
  }
  if (!("PC" in (s.regs ?? {}))) m.set("PC", a.entry);
  if (s.mapping) m.set("MAPEN", 1);
  return { m, asm: a, sym };
}

/** A finished run. */
export interface Ran extends Booted {
  result: RunResult;
  /** SCB vector whose HALT stub stopped the run, or -1. */
  vector: number;
}

/** Boots and runs until a halt (or the limit). */
export function run(source: string | Uint8Array, s: Setup = {}): Ran {
  const b = boot(source, s);
  const result = b.m.run({ limit: s.limit ?? 10000 });
  return { ...b, result, vector: vectorTaken(b.m) };
}

/**
 * The SCB vector whose stub halted the machine (the stub of vector v is a
 * HALT at STUB_BASE + v, so PC = STUB_BASE + v + 1), or -1.
 */
export function vectorTaken(m: Machine): number {
  const pc = m.get("PC");
  if (!m.halted || pc <= STUB_BASE || pc > STUB_BASE + 0x200) return -1;
  const v = pc - 1 - STUB_BASE;
  return v % 4 === 0 ? v : -1;
}

/** Physical longword read. */
export function readL(m: Machine, pa: number): number {
  const b = m.readPhysical(pa, 4);
  return (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0;
}

/** Physical longword write. */
export function writeL(m: Machine, pa: number, v: number): void {
  m.writePhysical(
    pa,
    new Uint8Array([v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24]),
  );
}

/** Physical byte read. */
export function readB(m: Machine, pa: number): number {
  return m.readPhysical(pa, 1)[0]!;
}

/** Virtual longword read as kernel (identity when MAPEN=0). */
export function readVL(m: Machine, va: number): number {
  const b = m.readVirtual(va >>> 0, 4, 0);
  return (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0;
}

/** The n longwords on top of the live stack, (SP) first. */
export function stack(m: Machine, n: number): number[] {
  const sp = m.get("SP");
  return Array.from({ length: n }, (_, i) => readVL(m, sp + 4 * i));
}

/** Registers as unsigned numbers, by name. */
export function regs(m: Machine, ...names: string[]): Record<string, number> {
  return Object.fromEntries(names.map((n) => [n, m.get(n)]));
}

/** Bytes from hex text ("D0 50 01"). */
export function hexBytes(text: string): Uint8Array {
  const parts = text.trim().split(/\s+/);
  return Uint8Array.from(parts, (p) => parseInt(p, 16));
}

/**
 * Runs `source` followed by a HALT in kernel mode (PSL = s.psl | ccIn) and
 * checks that the run ended at that HALT; returns the machine.
 */
export function exec(
  source: string,
  init: Record<string, number> = {},
  ccIn = 0,
  s: Setup = {},
): Machine {
  const r = run(`${source}\n HALT`, {
    ...s,
    regs: { ...s.regs, ...init },
    psl: (s.psl ?? 0) | ccIn,
  });
  if (!r.m.halted || r.m.get("PC") !== r.asm.end) {
    throw new Error(
      `expected the final HALT of "${source}", got ${r.result.stop} at PC ${
        r.m.get("PC").toString(16)
      } (vector ${r.vector})`,
    );
  }
  return r.m;
}

/** One ALU case: source, initial registers, initial CCs, expected registers and CCs. */
export type AluCase = [
  source: string,
  init: Record<string, number>,
  ccIn: string,
  expect: Record<string, number>,
  ccOut: string,
];

/** Runs ALU cases, comparing registers (unsigned) and condition codes. */
export function checkAlu(
  cases: AluCase[],
  equal: (a: unknown, b: unknown, msg?: string) => void,
): void {
  for (const [src, init, ccIn, expect, ccOut] of cases) {
    const m = exec(src, init, cc(ccIn));
    const got: Record<string, number> = {};
    for (const k of Object.keys(expect)) got[k] = m.get(k);
    const want: Record<string, number> = {};
    for (const [k, v] of Object.entries(expect)) want[k] = v >>> 0;
    equal(got, want, `${src} registers`);
    equal(flags(m.psl), ccOut, `${src} condition codes`);
  }
}

/** A reproducible stream of 32-bit numbers (xorshift32; seed 0 acts as 1). */
export function rng(seed: number): () => number {
  let s = seed | 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return s >>> 0;
  };
}
