/**
 * The VAX page-table walk as a pure function (vax-architecture.md section
 * 10.5), over any set of memory-management registers and any physical
 * memory. The monitor walks a guest's own tables with it (guest-physical
 * memory), and displays use it to show page tables. The CPU has its own
 * inlined copy of the same steps on its hot path.
 *
 * @module
 */

import { MM_LENGTH, MM_PTE_REF, MM_WRITE, SCB } from "../arch/scb.ts";
import {
  PROT_READ_MODES,
  PROT_WRITE_MODES,
  PTE_M,
  PTE_PFN_MASK,
  PTE_PROT_SHIFT,
  PTE_V,
} from "../arch/pte.ts";

/** The memory-management registers a walk needs. */
export interface MmuRegisters {
  /** Memory management enabled. */
  mapen: number;
  /** System base register (physical). */
  sbr: number;
  /** System length register. */
  slr: number;
  /** P0 base register (system virtual). */
  p0br: number;
  /** P0 length register. */
  p0lr: number;
  /** P1 base register (system virtual). */
  p1br: number;
  /** P1 length register. */
  p1lr: number;
}

/** A successful walk. */
export interface WalkHit {
  /** Physical address. */
  pa: number;
  /** The final PTE (as read, before any M update). */
  pte: number;
  /** Physical address of the final PTE (-1 when mapping is off). */
  ptePa: number;
}

/** A walk that faults: the exception the hardware would raise. */
export interface WalkFault {
  /** SCB vector: access violation (0x20) or translation not valid (0x24). */
  vector: number;
  /** Reason mask (length, PTE reference, write). */
  mask: number;
  /** Faulting virtual address (the one referenced). */
  va: number;
}

/** Physical reads fail with this when a PTE lies outside memory. */
export class NonexistentMemory extends RangeError {
  /** The physical address that does not exist. */
  readonly address: number;
  /** Creates the error. */
  constructor(address: number) {
    super(
      `Cannot read a page-table entry at physical 0x${
        (address >>> 0).toString(16).toUpperCase()
      }: nonexistent memory`,
    );
    this.address = address;
  }
}

/** Physical memory as a walk reads it (page-table entries). */
export interface PteReader {
  /**
   * Reads the longword at a physical address.
   *
   * @throws {NonexistentMemory} beyond memory
   */
  readPte(pa: number): number;
}

/**
 * The walk of {@link walk} without allocating: returns 0 for a hit, with
 * the physical address, the final PTE and its physical address (-1 when
 * mapping is off) in `out[0..2]`; or the fault's SCB vector (access
 * violation or translation not valid), with the reason mask in `out[1]`
 * and the faulting virtual address in `out[2]`. For hot paths that walk
 * often (the monitor walks a guest's tables on every emulated REI, CHMx
 * and reflection).
 *
 * @throws {NonexistentMemory} when a page-table entry lies outside memory
 * @throws {RangeError} when a process page table is not in S0
 */
export function walkInto(
  regs: MmuRegisters,
  va: number,
  mode: number,
  write: boolean,
  mem: PteReader,
  out: Float64Array,
): number {
  va = va >>> 0;
  if (regs.mapen === 0) {
    out[0] = va & 0x3fffffff;
    out[1] = 0;
    out[2] = -1;
    return 0;
  }
  const wmask = write ? MM_WRITE : 0;
  const vpn = (va >>> 9) & 0x1fffff;
  const region = va >>> 30;
  let ptePa: number;
  if (region === 2) {
    if (vpn >= regs.slr) {
      return fault(out, SCB.ACCESS_VIOLATION, MM_LENGTH | wmask, va);
    }
    ptePa = (regs.sbr + 4 * vpn) >>> 0;
  } else if (region === 3) {
    return fault(out, SCB.ACCESS_VIOLATION, MM_LENGTH | wmask, va);
  } else {
    let pteVa: number;
    if (region === 0) {
      if (vpn >= regs.p0lr) {
        return fault(out, SCB.ACCESS_VIOLATION, MM_LENGTH | wmask, va);
      }
      pteVa = (regs.p0br + 4 * vpn) >>> 0;
    } else {
      if (vpn < regs.p1lr) {
        return fault(out, SCB.ACCESS_VIOLATION, MM_LENGTH | wmask, va);
      }
      pteVa = (regs.p1br + 4 * vpn) >>> 0;
    }
    if (pteVa >>> 30 !== 2) {
      throw new RangeError(
        `Cannot walk 0x${va.toString(16)}: the process page table is not in S0`,
      );
    }
    const svpn = (pteVa >>> 9) & 0x1fffff;
    if (svpn >= regs.slr) {
      return fault(
        out,
        SCB.ACCESS_VIOLATION,
        MM_LENGTH | MM_PTE_REF | wmask,
        va,
      );
    }
    const spte = mem.readPte((regs.sbr + 4 * svpn) >>> 0);
    if ((spte & PTE_V) === 0) {
      return fault(out, SCB.TRANSLATION_NOT_VALID, MM_PTE_REF | wmask, va);
    }
    ptePa = (((spte & PTE_PFN_MASK) << 9) | (pteVa & 511)) >>> 0;
  }
  const pte = mem.readPte(ptePa);
  const prot = (pte >>> PTE_PROT_SHIFT) & 15;
  const allowed = write ? PROT_WRITE_MODES[prot]! : PROT_READ_MODES[prot]!;
  if (((allowed >> mode) & 1) === 0) {
    return fault(out, SCB.ACCESS_VIOLATION, wmask, va);
  }
  if ((pte & PTE_V) === 0) {
    return fault(out, SCB.TRANSLATION_NOT_VALID, wmask, va);
  }
  out[0] = (((pte & PTE_PFN_MASK) << 9) | (va & 511)) >>> 0;
  out[1] = pte >>> 0;
  out[2] = ptePa;
  return 0;
}

function fault(
  out: Float64Array,
  vector: number,
  mask: number,
  va: number,
): number {
  out[1] = mask;
  out[2] = va;
  return vector;
}

/**
 * Walks the page tables for an access to `va` in `mode` (0 kernel..3
 * user), returning the physical address or the fault. `readL` reads a
 * physical longword and returns undefined beyond memory.
 *
 * @throws {NonexistentMemory} when a page-table entry lies outside memory
 * @throws {RangeError} when a process page table is not in S0
 */
export function walk(
  regs: MmuRegisters,
  va: number,
  mode: number,
  write: boolean,
  readL: (pa: number) => number | undefined,
): WalkHit | WalkFault {
  const out = new Float64Array(3);
  const vector = walkInto(regs, va, mode, write, {
    readPte(pa: number): number {
      const v = readL(pa >>> 0);
      if (v === undefined) throw new NonexistentMemory(pa);
      return v;
    },
  }, out);
  if (vector !== 0) return { vector, mask: out[1]!, va: out[2]! };
  return { pa: out[0]!, pte: out[1]!, ptePa: out[2]! };
}

/** Whether a walk result is a fault. */
export function isWalkFault(r: WalkHit | WalkFault): r is WalkFault {
  return "vector" in r;
}

/** The M bit, for callers that set it after a write walk. */
export const PTE_MODIFIED = PTE_M;
