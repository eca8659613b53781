/**
 * The monitor's paging, as the `Monitor` facade uses it: building the pager
 * on the real machine, how many of a new VM's pages start resident, the map
 * of real memory by owner, and the paging counts of every VM.
 *
 * @module
 */

import { vmState } from "./vm.ts";
import type { MonitorCosts } from "./costs.ts";
import type { MinidiskMap } from "./devices/minidisk.ts";
import type { FrameAllocator } from "./frames.ts";
import type { MonitorHost } from "./host.ts";
import type { Ledger } from "./ledger.ts";
import {
  type MonitorPagingOptions,
  Pager,
  type PagingStats,
} from "./paging/pager.ts";
import { type FrameUse, PageMapReport } from "./paging/reports.ts";
import type { VirtualMachine } from "./vm.ts";

/** Frames a paging monitor leaves free at VM creation (shadow tables). */
const PAGING_RESERVE = 24;

/** What building a monitor's pager needs. */
export interface MonitorPagingDeps {
  /** The machine the monitor runs on. */
  readonly machine: MonitorHost;
  /** Real page frames. */
  readonly frames: FrameAllocator;
  /** The real disk's minidisk map. */
  readonly minidisks: MinidiskMap;
  /** The monitor's cost model. */
  readonly costs: MonitorCosts;
  /** Charges and traces the monitor's work. */
  readonly ledger: Ledger;
  /** The monitor's VMs, by name. */
  readonly vms: ReadonlyMap<string, VirtualMachine>;
}

/**
 * Builds the monitor's pager and lets the frame allocator reclaim frames
 * through it.
 */
export function createPager(
  d: MonitorPagingDeps,
  options: MonitorPagingOptions,
): Pager {
  const machine = d.machine;
  const t = machine.costModel.disk;
  const ledger = d.ledger;
  const pager = new Pager({
    memory: machine.memory,
    frames: d.frames,
    minidisks: d.minidisks,
    disk: machine.disk,
    cpu: machine.cpu,
    diskLatencyNs: Math.round(
      t.controllerNs + t.seekSettleNs + t.revolutionNs / 2 +
        t.revolutionNs / t.blocksPerTrack,
    ),
    pageTransferNs: d.costs.pageTransfer,
    charge: (vm, ns) => ledger.charge(vm, ns),
    trace: (vm, text) => {
      if (ledger.tracing) {
        const v = d.vms.get(vm.name);
        ledger.trace(v ? vmState(v) : null, "page", text);
      }
    },
  }, options);
  d.frames.reclaim = () => pager.reclaimOne();
  d.frames.reclaimFrame = (f) => pager.reclaimFrame(f);
  return pager;
}

/**
 * How many of a new VM's `pages` get a frame at once: all of them without
 * a pager; with one, what is free (keeping a few frames for shadow
 * tables), the other pages coming on first touch.
 */
export function residentPages(
  pages: number,
  pager: Pager | null,
  frames: FrameAllocator,
): number {
  return pager
    ? Math.min(
      pages,
      pager.room,
      Math.max(0, frames.available - PAGING_RESERVE),
    )
    : pages;
}

/**
 * Real memory by owner: every real frame, free, the monitor's (bounce
 * buffer, shadow tables, paging staging) or a VM's (a guest page).
 */
export function pageMap(
  memorySize: number,
  frames: FrameAllocator,
  vms: Iterable<VirtualMachine>,
): PageMapReport {
  const total = memorySize / 512;
  const pageOf = new Map<number, number>();
  for (const vm of vms) {
    vmState(vm).frames.forEach((f, g) => {
      if (f >= 0) pageOf.set(f, g);
    });
  }
  const out: FrameUse[] = [];
  for (let f = 0; f < total; f++) {
    if (f < frames.first) {
      out.push({ frame: f, owner: "monitor", use: "bounce", page: -1 });
      continue;
    }
    const o = frames.ownerOf(f);
    if (!o) out.push({ frame: f, owner: "free", use: "free", page: -1 });
    else if (o.use === "memory") {
      out.push({
        frame: f,
        owner: o.owner,
        use: o.use,
        page: pageOf.get(f) ?? -1,
      });
    } else {
      out.push({
        frame: f,
        owner: "monitor",
        use: `${o.use} (${o.owner})`,
        page: -1,
      });
    }
  }
  return new PageMapReport(out);
}

/** Paging counts of every VM the pager holds, by name. */
export function pagingStats(pager: Pager | null): Record<string, PagingStats> {
  const out: Record<string, PagingStats> = {};
  for (const p of pager?.vms ?? []) {
    out[p.vm.name] = structuredClone(p.stats);
  }
  return out;
}
