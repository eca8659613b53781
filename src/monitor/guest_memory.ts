/**
 * Guest memory as the guest's own MMU sees it: guest-virtual addresses
 * translated through the guest's page tables (vax-architecture.md 10.5) to
 * guest-physical, and guest-physical through the VM's frame table to real
 * memory. The emulation of REI, CHMx, PROBE, LDPCTX and SVPCTX and the
 * reflection of exceptions read and write guest memory only through these.
 * A guest fault comes out as a `GuestFault`; what halts a bare processor
 * comes out as a `VmHalt`.
 *
 * @module
 */

import { MM_PTE_REF, SCB } from "../arch/scb.ts";
import { PTE_M } from "../arch/pte.ts";
import type { PhysicalMemory } from "../machine/memory.ts";
import {
  isWalkFault,
  type MmuRegisters,
  NonexistentMemory,
  type PteReader,
  walk,
  walkInto,
} from "../machine/mmu.ts";
import { GuestFault, nonexistentMemory, VmHalt } from "./signals.ts";
import { ACCESS } from "./paging/pager.ts";

const READ = ACCESS.READ;

/** A VM's memory as the translation needs it. */
export interface GuestSpace {
  /** The guest's memory-management registers. */
  readonly ipr: MmuRegisters;
  /**
   * Real address of a guest-physical address, or -1 beyond memory; the
   * access flags (`ACCESS` of paging/pager.ts, default write) tell a paging
   * monitor whether the page is modified.
   */
  realAddress(gpa: number, access?: number): number;
}

/**
 * The guest's own page-table walk. A page-table entry beyond the guest's
 * memory is a machine check, as on bare hardware; a process page table
 * outside S0 halts the VM as it halts the processor (vax-architecture.md
 * 10.5, SimH). (Both used to be a machine check, and through PROBE the
 * walk's RangeError escaped the monitor.)
 */
export function walkGuest(
  mem: PhysicalMemory,
  vm: GuestSpace,
  va: number,
  mode: number,
  write: boolean,
): ReturnType<typeof walk> {
  try {
    return walk(vm.ipr, va, mode, write, (gpa) => {
      const pa = vm.realAddress(gpa, READ);
      return pa < 0 || (gpa & 3) !== 0 && vm.realAddress(gpa + 3, READ) < 0
        ? undefined
        : mem.readL(vm.realAddress(gpa, READ));
    });
  } catch (e) {
    if (e instanceof NonexistentMemory) {
      throw nonexistentMemory(false, e.address);
    }
    if (e instanceof RangeError) {
      throw new VmHalt("process PTE in P0 or P1 space");
    }
    throw e;
  }
}

/**
 * Reads a guest's page-table entries for {@link walkGuestInto}: one object
 * for every walk, pointed at the VM before each, so that a walk allocates
 * nothing.
 */
class GuestPteReader implements PteReader {
  mem: PhysicalMemory | null = null;
  vm: GuestSpace | null = null;

  readPte(gpa: number): number {
    const vm = this.vm!;
    const pa = vm.realAddress(gpa, READ);
    if (pa < 0 || (gpa & 3) !== 0 && vm.realAddress(gpa + 3, READ) < 0) {
      throw new NonexistentMemory(gpa);
    }
    return this.mem!.readL(vm.realAddress(gpa, READ));
  }
}

const READER = new GuestPteReader();

/**
 * The result of the last {@link walkGuestInto}: on a hit the
 * guest-physical address, the PTE and its guest-physical address (-1 with
 * mapping off); on a fault the mask in [1] and the VA in [2].
 */
export const WALK = new Float64Array(3);

/**
 * {@link walkGuest} without allocating: returns 0 for a hit or the fault's
 * SCB vector, with the results in {@link WALK}.
 */
export function walkGuestInto(
  mem: PhysicalMemory,
  vm: GuestSpace,
  va: number,
  mode: number,
  write: boolean,
): number {
  READER.mem = mem;
  READER.vm = vm;
  try {
    return walkInto(vm.ipr, va, mode, write, READER, WALK);
  } catch (e) {
    if (e instanceof NonexistentMemory) {
      throw nonexistentMemory(false, e.address);
    }
    if (e instanceof RangeError) {
      throw new VmHalt("process PTE in P0 or P1 space");
    }
    throw e;
  }
}

/**
 * Translates a guest-virtual address as the guest's MMU would, setting the
 * PTE's M bit on a write; returns the guest-physical address or throws
 * `GuestFault`.
 */
export function guestTranslate(
  mem: PhysicalMemory,
  vm: GuestSpace,
  va: number,
  mode: number,
  write: boolean,
): number {
  const vector = walkGuestInto(mem, vm, va, mode, write);
  if (vector !== 0) {
    throw new GuestFault(vector, [WALK[1]!, WALK[2]! | 0]);
  }
  const pte = WALK[1]!;
  const ptePa = WALK[2]!;
  if (write && ptePa >= 0 && (pte & PTE_M) === 0) {
    mem.writeL(vm.realAddress(ptePa), (pte | PTE_M) | 0);
  }
  return WALK[0]!;
}

/**
 * Guest-physical addresses of the longword at va, translated as the
 * processor does (10.5): the first byte, and for an access that crosses a
 * page va + 4, so a fault on the second page reports va + 4 as on bare
 * hardware (SimH). (Translating byte by byte reported the second page's
 * first byte.)
 */
function guestTranslateL(
  mem: PhysicalMemory,
  vm: GuestSpace,
  va: number,
  mode: number,
  write: boolean,
): number[] {
  const g1 = guestTranslate(mem, vm, va >>> 0, mode, write);
  if ((va & 511) + 4 <= 512) return [g1, g1 + 1, g1 + 2, g1 + 3];
  const g2 = guestTranslate(mem, vm, (va + 4) >>> 0, mode, write);
  return [0, 1, 2, 3].map((k) =>
    ((va + k) >>> 9) === (va >>> 9) ? g1 + k : (g2 & ~511) | ((va + k) & 511)
  );
}

/** Reads a guest-virtual longword in a mode. */
export function guestRead(
  mem: PhysicalMemory,
  vm: GuestSpace,
  va: number,
  mode: number,
): number {
  if ((va & 511) <= 508) {
    // Within one page, so within one real frame: one translation.
    const pa = vm.realAddress(
      guestTranslate(mem, vm, va >>> 0, mode, false),
      READ,
    );
    if (pa < 0) throw nonexistentMemory(false, va);
    return mem.readL(pa);
  }
  let v = 0;
  const gpas = guestTranslateL(mem, vm, va, mode, false);
  for (let k = 0; k < 4; k++) {
    const pa = vm.realAddress(gpas[k]!, READ);
    if (pa < 0) throw nonexistentMemory(false, va + k);
    v |= mem.u8[pa]! << (8 * k);
  }
  return v | 0;
}

/** Writes a guest-virtual longword in a mode (all or nothing). */
export function guestWrite(
  mem: PhysicalMemory,
  vm: GuestSpace,
  va: number,
  value: number,
  mode: number,
): void {
  if ((va & 511) <= 508) {
    const pa = vm.realAddress(guestTranslate(mem, vm, va >>> 0, mode, true));
    if (pa < 0) throw nonexistentMemory(true, va);
    mem.writeL(pa, value);
    return;
  }
  const pas: number[] = [];
  const gpas = guestTranslateL(mem, vm, va, mode, true);
  for (let k = 0; k < 4; k++) {
    const pa = vm.realAddress(gpas[k]!);
    if (pa < 0) throw nonexistentMemory(true, va + k);
    pas.push(pa);
  }
  pas.forEach((pa, k) => mem.writeB(pa, value >>> (8 * k)));
}

/** Reads a guest-physical longword (a machine check beyond memory). */
export function guestPhysReadL(
  mem: PhysicalMemory,
  vm: GuestSpace,
  gpa: number,
): number {
  const pa = vm.realAddress(gpa, READ);
  if (pa >= 0 && (gpa & 511) <= 508) {
    // Within one page (memory is whole pages): one look-up, not six.
    const u8 = mem.u8;
    return (u8[pa]! | (u8[pa + 1]! << 8) | (u8[pa + 2]! << 16) |
      (u8[pa + 3]! << 24)) | 0;
  }
  if (pa < 0 || vm.realAddress(gpa + 3, READ) < 0) {
    throw nonexistentMemory(false, gpa);
  }
  let v = 0;
  for (let k = 0; k < 4; k++) {
    v |= mem.u8[vm.realAddress(gpa + k, READ)]! << (8 * k);
  }
  return v | 0;
}

/** Writes a guest-physical longword (a machine check beyond memory). */
export function guestPhysWriteL(
  mem: PhysicalMemory,
  vm: GuestSpace,
  gpa: number,
  value: number,
): void {
  const pa = vm.realAddress(gpa);
  if (pa >= 0 && (gpa & 511) <= 508) {
    // Within one page (memory is whole pages): one look-up, not six.
    mem.writeL(pa, value);
    return;
  }
  if (pa < 0 || vm.realAddress(gpa + 3) < 0) {
    throw nonexistentMemory(true, gpa);
  }
  for (let k = 0; k < 4; k++) {
    mem.writeB(vm.realAddress(gpa + k), value >>> (8 * k));
  }
}

/** The guest's final PTE for va (after a successful walk). */
export function guestPte(
  mem: PhysicalMemory,
  vm: GuestSpace,
  va: number,
): number {
  const r = walk(vm.ipr, va, 0, false, (gpa) => {
    const pa = vm.realAddress(gpa, READ);
    return pa < 0 ? undefined : mem.readL(pa);
  });
  if (isWalkFault(r)) {
    // Protection may deny kernel reads but the access succeeded in another
    // mode (e.g. a write-only view); read the PTE directly.
    return rawGuestPte(mem, vm, va) ?? 0;
  }
  return r.pte;
}

/** The guest's PTE for va read straight from its tables (no checks). */
export function rawGuestPte(
  mem: PhysicalMemory,
  vm: GuestSpace,
  va: number,
): number | undefined {
  const g = vm.ipr;
  const vpn = (va >>> 9) & 0x1fffff;
  const region = va >>> 30;
  let gpa: number;
  if (region === 2) gpa = g.sbr + 4 * vpn;
  else {
    const pteVa = region === 0 ? g.p0br + 4 * vpn : g.p1br + 4 * vpn;
    const svpn = (pteVa >>> 9) & 0x1fffff;
    if (svpn >= g.slr) return undefined;
    const spa = vm.realAddress(g.sbr + 4 * svpn, READ);
    if (spa < 0) return undefined;
    const spte = mem.readL(spa);
    gpa = ((spte & 0x1fffff) << 9) | (pteVa & 511);
  }
  const pa = vm.realAddress(gpa, READ);
  return pa < 0 ? undefined : mem.readL(pa) >>> 0;
}

/**
 * PROBE's translation: like the MMU's, but a length violation on the
 * process-PTE reference means "not accessible" (an ACV without the PTE
 * bit), and a successful PROBEW sets M as on SimH (8.1).
 */
export function probeTranslate(
  mem: PhysicalMemory,
  vm: GuestSpace,
  va: number,
  mode: number,
  write: boolean,
): void {
  const vector = walkGuestInto(mem, vm, va, mode, write);
  if (vector === 0) {
    const pte = WALK[1]!;
    const ptePa = WALK[2]!;
    if (write && ptePa >= 0 && (pte & PTE_M) === 0) {
      const pa = vm.realAddress(ptePa);
      if (pa >= 0) mem.writeL(pa, (pte | PTE_M) | 0);
    }
    return;
  }
  const mask = WALK[1]!;
  const fva = WALK[2]!;
  // Length violations on the process-PTE reference mean "not accessible".
  if (vector === SCB.ACCESS_VIOLATION) {
    throw new GuestFault(vector, [mask & ~MM_PTE_REF, fva]);
  }
  throw new GuestFault(vector, [mask, fva]);
}
