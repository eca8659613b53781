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
  va = va >>> 0;
  if (regs.mapen === 0) return { pa: va & 0x3fffffff, pte: 0, ptePa: -1 };
  const wmask = write ? MM_WRITE : 0;
  const vpn = (va >>> 9) & 0x1fffff;
  const region = va >>> 30;
  const acv = (mask: number): WalkFault => ({
    vector: SCB.ACCESS_VIOLATION,
    mask,
    va,
  });
  const read = (pa: number): number => {
    const v = readL(pa >>> 0);
    if (v === undefined) throw new NonexistentMemory(pa);
    return v;
  };
  let ptePa: number;
  if (region === 2) {
    if (vpn >= regs.slr) return acv(MM_LENGTH | wmask);
    ptePa = (regs.sbr + 4 * vpn) >>> 0;
  } else if (region === 3) {
    return acv(MM_LENGTH | wmask);
  } else {
    let pteVa: number;
    if (region === 0) {
      if (vpn >= regs.p0lr) return acv(MM_LENGTH | wmask);
      pteVa = (regs.p0br + 4 * vpn) >>> 0;
    } else {
      if (vpn < regs.p1lr) return acv(MM_LENGTH | wmask);
      pteVa = (regs.p1br + 4 * vpn) >>> 0;
    }
    if (pteVa >>> 30 !== 2) {
      throw new RangeError(
        `Cannot walk 0x${va.toString(16)}: the process page table is not in S0`,
      );
    }
    const svpn = (pteVa >>> 9) & 0x1fffff;
    if (svpn >= regs.slr) return acv(MM_LENGTH | MM_PTE_REF | wmask);
    const spte = read((regs.sbr + 4 * svpn) >>> 0);
    if ((spte & PTE_V) === 0) {
      return {
        vector: SCB.TRANSLATION_NOT_VALID,
        mask: MM_PTE_REF | wmask,
        va,
      };
    }
    ptePa = (((spte & PTE_PFN_MASK) << 9) | (pteVa & 511)) >>> 0;
  }
  const pte = read(ptePa);
  const prot = (pte >>> PTE_PROT_SHIFT) & 15;
  const allowed = write ? PROT_WRITE_MODES[prot]! : PROT_READ_MODES[prot]!;
  if (((allowed >> mode) & 1) === 0) return acv(wmask);
  if ((pte & PTE_V) === 0) {
    return { vector: SCB.TRANSLATION_NOT_VALID, mask: wmask, va };
  }
  return {
    pa: (((pte & PTE_PFN_MASK) << 9) | (va & 511)) >>> 0,
    pte: pte >>> 0,
    ptePa,
  };
}

/** Whether a walk result is a fault. */
export function isWalkFault(r: WalkHit | WalkFault): r is WalkFault {
  return "vector" in r;
}

/** The M bit, for callers that set it after a write walk. */
export const PTE_MODIFIED = PTE_M;
