/**
 * Shadow page tables: the tables the real MMU uses while a VM runs, built
 * on demand from the guest's own tables (vm-extensions.md, "Ring
 * compression"). They live in real frames the monitor owns:
 *
 * - a shadow system table (real SBR) with one entry per guest S0 page,
 *   followed by entries that map the shadow process tables themselves into
 *   real S0 space (the hardware finds P0/P1 tables through S0). Those extra
 *   entries are kernel-only, so the guest (never in real kernel mode) cannot
 *   touch them; a guest reference there is beyond the guest's SLR and is
 *   reflected as the length violation the guest expects;
 * - shadow P0 and P1 tables, whose pages are allocated on first use.
 *
 * Entries start invalid with protection NA, so the first reference of a
 * page faults to the monitor, which walks the guest's tables and fills the
 * entry (a "shadow fill"), or reflects the guest's own fault.
 *
 * @module
 */

import {
  compressProt,
  makePte,
  PTE_M,
  PTE_PFN_MASK,
  PTE_V,
} from "../arch/pte.ts";
import type { FrameAllocator } from "./frames.ts";
import type { PhysicalMemory } from "../machine/memory.ts";

/** Maximum entries of a shadow process table per region (8 MiB of address space). */
export const MAX_PROCESS_PTES = 16384;
const TABLE_PAGES = MAX_PROCESS_PTES / 128;

/**
 * Real frames of one shadow system table for a guest with `sysPages` S0
 * pages (its own entries and those that map the shadow process tables).
 */
export function systemTableFrames(sysPages: number): number {
  return Math.ceil((sysPages + 2 * TABLE_PAGES) / 128);
}
const SYSTEM_BASE = 0x80000000;

/** Shadow-table policy of vm-extensions.md. */
export type ShadowPolicy = "shared" | "split";

/** Which set of tables: the kernel view (remapped) or executive view (split only). */
export type ShadowView = "kernel" | "exec";

/** Read-only version of a protection code (same read rights, no write). */
export function readOnlyProt(prot: number): number {
  switch (prot) {
    case 2: // KW
      return 3; // KR
    case 4: // UW
    case 12: // URSW
    case 13: // UREW
    case 14: // URKW
      return 15; // UR
    case 5: // EW
    case 6: // ERKW
      return 7; // ER
    case 8: // SW
    case 9: // SREW
    case 10: // SRKW
      return 11; // SR
    default:
      return prot;
  }
}

/** The real register values that make the MMU use a shadow set. */
export interface ShadowRegisters {
  /** Real SBR (physical). */
  sbr: number;
  /** Real SLR. */
  slr: number;
  /** Real P0BR (system virtual). */
  p0br: number;
  /** Real P0LR. */
  p0lr: number;
  /** Real P1BR (system virtual). */
  p1br: number;
  /** Real P1LR. */
  p1lr: number;
}

/** One set of shadow tables (one view of one VM). */
export class ShadowSet {
  readonly #mem: PhysicalMemory;
  readonly #frames: FrameAllocator;
  readonly #owner: string;
  /** The view these tables give. */
  readonly view: ShadowView;
  /** Guest S0 pages covered. */
  sysPages = 0;
  /** First real frame of the (contiguous) shadow system table. */
  #sysFrame = -1;
  #sysFrameCount = 0;
  /** Frames of the shadow P0 table pages (-1: not allocated). */
  readonly p0Pages: Int32Array = new Int32Array(TABLE_PAGES).fill(-1);
  /** Frames of the shadow P1 table pages (-1: not allocated). */
  readonly p1Pages: Int32Array = new Int32Array(TABLE_PAGES).fill(-1);
  /** Real P0LR (guest P0LR capped). */
  p0lr = 0;
  /** Real P1LR (guest P1LR, raised to the cap). */
  p1lr = 0x200000;

  /** Creates an empty set. */
  constructor(
    mem: PhysicalMemory,
    frames: FrameAllocator,
    owner: string,
    view: ShadowView,
  ) {
    this.#mem = mem;
    this.#frames = frames;
    this.#owner = owner;
    this.view = view;
  }

  /** Real S0 VPN where the shadow P0 table is mapped. */
  get p0TableVpn(): number {
    return this.sysPages;
  }

  /** Real S0 VPN where the shadow P1 table is mapped. */
  get p1TableVpn(): number {
    return this.sysPages + TABLE_PAGES;
  }

  /** Physical address of the shadow system table. */
  get sbr(): number {
    return this.#sysFrame * 512;
  }

  /** Real register values for this set. */
  registers(): ShadowRegisters {
    return {
      sbr: this.sbr,
      slr: this.sysPages + 2 * TABLE_PAGES,
      p0br: (SYSTEM_BASE + this.p0TableVpn * 512) | 0,
      p0lr: this.p0lr,
      p1br: (SYSTEM_BASE + this.p1TableVpn * 512 - 4 * this.p1lr) | 0,
      p1lr: this.p1lr,
    };
  }

  /**
   * Lays the set out for a guest with `sysPages` S0 pages and the given
   * process lengths; every entry starts invalid.
   */
  layout(sysPages: number, guestP0lr: number, guestP1lr: number): void {
    const frames = systemTableFrames(sysPages);
    if (frames !== this.#sysFrameCount) {
      this.#releaseSystem();
      this.#sysFrame = this.#frames.allocateContiguous(
        frames,
        this.#owner,
        "shadow S0 table",
      );
      this.#sysFrameCount = frames;
    }
    this.sysPages = sysPages;
    this.#mem.fill(this.sbr, frames * 512);
    // Map whatever process-table pages are already allocated.
    this.setProcessLengths(guestP0lr, guestP1lr);
    this.#mapTablePages();
  }

  /** Sets the process lengths (after LDPCTX or MTPR) and clears process entries. */
  setProcessLengths(guestP0lr: number, guestP1lr: number): void {
    this.p0lr = Math.min(guestP0lr, MAX_PROCESS_PTES);
    this.p1lr = Math.max(guestP1lr, 0x200000 - MAX_PROCESS_PTES);
    this.clearProcess();
  }

  #mapTablePages(): void {
    for (let k = 0; k < TABLE_PAGES; k++) {
      this.#mapTablePage(this.p0TableVpn + k, this.p0Pages[k]!);
      this.#mapTablePage(this.p1TableVpn + k, this.p1Pages[k]!);
    }
  }

  #mapTablePage(vpn: number, frame: number): void {
    // Kernel-only (KW): the guest never runs in real kernel mode.
    const pte = frame < 0 ? 0 : makePte(frame, 2, { modified: true });
    this.#mem.writeL(this.sbr + 4 * vpn, pte | 0);
  }

  /** Invalidates every entry (TBIA, new SBR/SLR). */
  clearAll(): void {
    if (this.#sysFrame >= 0) {
      this.#mem.fill(this.sbr, 4 * this.sysPages);
    }
    this.clearProcess();
  }

  /**
   * Invalidates every process entry (LDPCTX, P0/P1 register writes). Only
   * the table pages written since the last clear hold anything: those are
   * zeroed (a context switch costs what it filled, not the whole table).
   */
  clearProcess(): void {
    for (let k = 0; k < this.#writtenCount; k++) {
      const i = this.#written[k]!;
      const f = i < TABLE_PAGES
        ? this.p0Pages[i]!
        : this.p1Pages[i - TABLE_PAGES]!;
      if (f >= 0) {
        this.#mem.fill(f * 512, 512);
      }
      this.#isWritten[i] = 0;
    }
    this.#writtenCount = 0;
  }

  /** Process table pages (P0 index, or TABLE_PAGES + P1 index) written. */
  readonly #written = new Int32Array(2 * TABLE_PAGES);
  readonly #isWritten = new Uint8Array(2 * TABLE_PAGES);
  #writtenCount = 0;

  #markWritten(i: number): void {
    if (this.#isWritten[i] === 0) {
      this.#isWritten[i] = 1;
      this.#written[this.#writtenCount++] = i;
    }
  }

  /**
   * Ensures the shadow process-table page holding the entry for `va`
   * exists; returns false when va is beyond what shadow tables cover.
   */
  ensureTablePage(va: number): boolean {
    const region = va >>> 30;
    const vpn = (va >>> 9) & 0x1fffff;
    let index: number;
    let pages: Int32Array;
    let tableVpn: number;
    if (region === 0) {
      if (vpn >= this.p0lr) return false;
      index = vpn >> 7;
      pages = this.p0Pages;
      tableVpn = this.p0TableVpn;
    } else if (region === 1) {
      if (vpn < this.p1lr) return false;
      index = (vpn - this.p1lr) >> 7;
      pages = this.p1Pages;
      tableVpn = this.p1TableVpn;
    } else {
      return false;
    }
    if (pages[index]! >= 0) return true;
    const f = this.#frames.allocate(this.#owner, "shadow process table");
    this.#mem.fill(f * 512, 512);
    pages[index] = f;
    this.#mapTablePage(tableVpn + index, f);
    return true;
  }

  /** Real physical address of the shadow PTE for va, or -1 if not present. */
  ptePa(va: number): number {
    const region = va >>> 30;
    const vpn = (va >>> 9) & 0x1fffff;
    if (region === 2) return vpn < this.sysPages ? this.sbr + 4 * vpn : -1;
    let f: number;
    let entry: number;
    if (region === 0) {
      if (vpn >= this.p0lr) return -1;
      f = this.p0Pages[vpn >> 7]!;
      entry = vpn & 127;
    } else if (region === 1) {
      if (vpn < this.p1lr) return -1;
      f = this.p1Pages[(vpn - this.p1lr) >> 7]!;
      entry = (vpn - this.p1lr) & 127;
    } else {
      return -1;
    }
    return f < 0 ? -1 : f * 512 + 4 * entry;
  }

  /** Reads the shadow PTE for va (0 when absent). */
  read(va: number): number {
    const pa = this.ptePa(va);
    return pa < 0 ? 0 : this.#mem.readL(pa) >>> 0;
  }

  /**
   * Writes the shadow PTE for va from a guest PTE: the real frame, the
   * protection remapped for this view, and write rights only when the
   * guest's M bit is set (so the first write faults and the monitor can set
   * the guest's M bit, keeping it true), and only when `allowWrite`.
   */
  fill(
    va: number,
    guestPte: number,
    realFrame: number,
    policy: ShadowPolicy,
    allowWrite = true,
  ): number {
    const pa = this.ptePa(va);
    if (pa < 0) return 0;
    const region = va >>> 30;
    if (region === 0) this.#markWritten(((va >>> 9) & 0x1fffff) >> 7);
    else if (region === 1) {
      this.#markWritten(
        TABLE_PAGES + ((((va >>> 9) & 0x1fffff) - this.p1lr) >> 7),
      );
    }
    const gprot = (guestPte >>> 27) & 15;
    let prot = this.view === "exec" && policy === "split"
      ? gprot
      : compressProt(gprot);
    const m = (guestPte & PTE_M) !== 0;
    // A paging monitor also withholds write rights until it knows the page
    // is modified (the first write faults: how it learns of modification).
    if (!m || !allowWrite) prot = readOnlyProt(prot);
    const pte =
      (PTE_V | (prot << 27) | (m ? PTE_M : 0) | (realFrame & PTE_PFN_MASK)) >>>
      0;
    this.#mem.writeL(pa, pte | 0);
    return pte;
  }

  /** Invalidates the shadow PTE for va. */
  invalidate(va: number): void {
    const pa = this.ptePa(va);
    if (pa >= 0) this.#mem.writeL(pa, 0);
  }

  #releaseSystem(): void {
    for (let k = 0; k < this.#sysFrameCount; k++) {
      this.#frames.release(this.#sysFrame + k);
    }
    this.#sysFrame = -1;
    this.#sysFrameCount = 0;
  }

  /** Returns every frame to the allocator. */
  release(): void {
    this.#releaseSystem();
    for (const pages of [this.p0Pages, this.p1Pages]) {
      for (let k = 0; k < pages.length; k++) {
        if (pages[k]! >= 0) this.#frames.release(pages[k]!);
        pages[k] = -1;
      }
    }
  }
}
