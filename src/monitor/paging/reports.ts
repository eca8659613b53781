/**
 * What the monitor's paging shows a user: a VM's pages (`vm.resident()`),
 * real memory by owner (`cp.pageMap()`) and a VM's paging counts
 * (`vm.paging()`). Plain data classes; `src/display/` gives them their
 * looks (a text table in the REPL, a picture in a notebook).
 *
 * @module
 */

import type { PagingStats } from "./pager.ts";

/** One guest-physical page of a VM. */
export interface ResidentPage {
  /** Guest-physical page number. */
  readonly page: number;
  /** Real frame, or -1 when not resident. */
  readonly frame: number;
  /** Modified since it was brought in (resident pages). */
  readonly modified: boolean;
  /** Referenced since the monitor last cleared its reference bit. */
  readonly referenced: boolean;
  /** A copy is in the monitor's paging area. */
  readonly pagedOut: boolean;
}

/** A VM's pages: which are in real frames, modified, referenced. */
export class ResidentReport {
  /** The VM. */
  readonly vm: string;
  /** Every page of the VM, in order. */
  readonly pages: readonly ResidentPage[];
  /** Whether the monitor pages (false: every page is always resident). */
  readonly paging: boolean;

  /** A report (built by the VM). */
  constructor(vm: string, pages: readonly ResidentPage[], paging: boolean) {
    this.vm = vm;
    this.pages = pages;
    this.paging = paging;
  }

  /** Pages in real frames. */
  get resident(): number {
    return this.pages.filter((p) => p.frame >= 0).length;
  }

  /** Resident pages modified since brought in. */
  get modified(): number {
    return this.pages.filter((p) => p.frame >= 0 && p.modified).length;
  }

  /** Resident pages referenced since the last sample. */
  get referenced(): number {
    return this.pages.filter((p) => p.frame >= 0 && p.referenced).length;
  }
}

/** One real frame and who holds it. */
export interface FrameUse {
  /** Real frame number. */
  readonly frame: number;
  /** `free`, `monitor`, or a VM name. */
  readonly owner: string;
  /** `memory` (a guest page), `shadow ...`, `bounce`, `paging staging`, `free`. */
  readonly use: string;
  /** The guest page it holds (use `memory`), else -1. */
  readonly page: number;
}

/** Real memory by owner. */
export class PageMapReport {
  /** Every real frame, in order. */
  readonly frames: readonly FrameUse[];

  /** A map (built by the monitor). */
  constructor(frames: readonly FrameUse[]) {
    this.frames = frames;
  }

  /** Frames per owner (and `free`). */
  get byOwner(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const f of this.frames) out[f.owner] = (out[f.owner] ?? 0) + 1;
    return out;
  }
}

/** A VM's paging counts. */
export class PagingReport {
  /** The VM. */
  readonly vm: string;
  /** The monitor's policy (`none` when the monitor does not page). */
  readonly policy: string;
  /** The double-paging mitigation. */
  readonly mitigation: string;
  /** Pages of the VM. */
  readonly pages: number;
  /** Pages in real frames now. */
  readonly resident: number;
  /** Guest instructions executed. */
  readonly instructions: number;
  /** Simulated ns the VM ran, was charged by the monitor, and waited. */
  readonly guestNs: number;
  /** Simulated ns charged by the monitor for the VM's exits. */
  readonly monitorNs: number;
  /** The counts. */
  readonly stats: PagingStats;

  /** A report (built by the VM). */
  constructor(init: {
    vm: string;
    policy: string;
    mitigation: string;
    pages: number;
    resident: number;
    instructions: number;
    guestNs: number;
    monitorNs: number;
    stats: PagingStats;
  }) {
    this.vm = init.vm;
    this.policy = init.policy;
    this.mitigation = init.mitigation;
    this.pages = init.pages;
    this.resident = init.resident;
    this.instructions = init.instructions;
    this.guestNs = init.guestNs;
    this.monitorNs = init.monitorNs;
    this.stats = init.stats;
  }

  /** Double-paging events of both kinds. */
  get doublePaging(): number {
    return this.stats.doublePagingWrites + this.stats.doublePagingReads;
  }

  /** The counts as one flat row (for tables and JSON). */
  toJSON(): Record<string, number | string> {
    const s = this.stats;
    return {
      vm: this.vm,
      policy: this.policy,
      mitigation: this.mitigation,
      pages: this.pages,
      resident: this.resident,
      instructions: this.instructions,
      guestFaults: s.guestFaults,
      guestDoubleMisses: s.guestDoubleMisses,
      monitorFaults: s.monitorFaults,
      zeroFills: s.zeroFills,
      pageReads: s.pageReads,
      pageWrites: s.pageWrites,
      evictions: s.evictions,
      doublePagingWrites: s.doublePagingWrites,
      doublePagingReads: s.doublePagingReads,
      doublePagingIo: s.doublePagingIo,
      doublePagingNs: s.doublePagingNs,
      pagingWaitNs: s.pagingWaitNs,
      monitorPageIn: s.diskOps.monitorPageIn,
      monitorPageOut: s.diskOps.monitorPageOut,
      monitorDoublePaging: s.diskOps.monitorDoublePaging,
      guestDiskRead: s.diskOps.guestRead,
      guestDiskWrite: s.diskOps.guestWrite,
    };
  }
}
