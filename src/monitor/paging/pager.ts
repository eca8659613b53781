/**
 * The monitor's own paging: real memory may be smaller than the sum of the
 * VMs' memories. Each VM's guest-physical pages live in real frames only
 * while they are used; the rest are kept in the monitor's paging area on
 * the real disk (one extent per VM, carved from the real disk like a
 * minidisk, owner `monitor`, never attached to a VM's disk).
 *
 * What the monitor knows of a page it learns as a real VMM must, from the
 * shadow tables:
 *
 * - **referenced**: a shadow fill maps the page. To sample references the
 *   pager invalidates the page's shadow entries (it keeps a reverse map
 *   from each page to the shadow entries that map it); the guest's next
 *   touch faults to the monitor and is filled again, which sets the bit;
 * - **modified**: a shadow entry gives write rights only to a page the
 *   monitor already knows is modified; the first write faults, and the
 *   fill that follows marks the page modified (`allowWrite`).
 *
 * The monitor's own accesses to guest memory (emulation, reflection, the
 * minidisk channel's copies) go through `VirtualMachine.realAddress`,
 * which brings a page in when it is not resident and records the access.
 *
 * Paging I/O is synchronous: the VM that needs the page waits (simulated
 * time advances by `pageIoNs` per page moved, counted as that VM's paging
 * wait) while the monitor copies between the frame and its paging area.
 *
 * Double paging (Goldberg and Hassinger): the guest's own disk I/O (DMA
 * through the minidisk channel) touching a page the monitor has paged out
 * is counted: a guest *write* of such a page (the guest paging it out to
 * its swap area: the monitor must first read it back only so it can be
 * written) and a guest *read* over such a page (the guest discards it: the
 * monitor's page-out was wasted, and so is reading it back). The
 * `"full-page"` mitigation recognises whole-page transfers: a guest write
 * of a paged-out page is served from the paging area through a staging
 * frame (no frame is taken from anyone), and a whole-page guest read into
 * a paged-out page does not read the old contents first.
 *
 * @module
 */

import { PTE_PFN_MASK, PTE_V } from "../../arch/pte.ts";
import type { PhysicalMemory } from "../../machine/memory.ts";
import { formatHex } from "../../machine/units.ts";
import type { FrameAllocator } from "../frames.ts";
import type { Extent, MinidiskMap } from "../devices/minidisk.ts";
import type { ShadowSet } from "../shadow.ts";
import {
  checkPolicy,
  chosenIndex,
  type PageCandidate,
  type PagingPolicy,
  policyName,
} from "./policy.ts";

/** Access flags of `realAddress`. */
export const ACCESS = {
  /** A read by the monitor. */
  READ: 0,
  /** The access writes. */
  WRITE: 1,
  /** Guest disk I/O (DMA through the minidisk channel). */
  DMA: 2,
  /** ... covering a whole page. */
  WHOLE: 4,
} as const;

/** Options of the monitor's paging (`Monitor.on(m, { paging })`). */
export interface MonitorPagingOptions {
  /** Replacement policy (default `"clock"`). */
  policy?: PagingPolicy;
  /** Double-paging mitigation (default `"none"`). */
  mitigation?: "none" | "full-page";
  /**
   * Simulated ns per page moved between a frame and the paging area
   * (default: the real disk's average one-block latency: controller,
   * settle, half a revolution and one sector).
   */
  pageIoNs?: number;
  /** Reference sampling period for `"lru"` and user policies (default 10 ms). */
  sampleNs?: number;
  /**
   * At most this many guest pages in real frames, over all VMs (default:
   * as many as real memory holds). Lets an experiment shrink "real memory"
   * without changing the machine.
   */
  residentLimit?: number;
}

/** Paging counts of one VM. */
export interface PagingStats {
  /** Page faults the guest took itself (TNV reflected into it). */
  guestFaults: number;
  /**
   * ... of which double misses: the fault was on the reference to the
   * process page-table entry (TNV with mask bit 1, vax-architecture.md
   * 10.5), the guest's page-table page itself was not valid.
   */
  guestDoubleMisses: number;
  /** Pages the monitor had to bring in for this VM. */
  monitorFaults: number;
  /** ... of which first touches (zero filled, no I/O). */
  zeroFills: number;
  /** Pages of this VM read from the paging area. */
  pageReads: number;
  /** Pages of this VM written to the paging area. */
  pageWrites: number;
  /** Pages of this VM taken from their frames. */
  evictions: number;
  /** Guest disk writes of pages the monitor had paged out. */
  doublePagingWrites: number;
  /** Guest disk reads over pages the monitor had paged out. */
  doublePagingReads: number;
  /** Paging-area reads made only because of double paging. */
  doublePagingIo: number;
  /** Simulated ns those reads took. */
  doublePagingNs: number;
  /** Simulated ns this VM waited for the monitor's paging I/O. */
  pagingWaitNs: number;
  /** Disk operations (pages) by whom and why. */
  diskOps: {
    /** Monitor: page-ins for faults of this VM. */
    monitorPageIn: number;
    /** Monitor: page-outs of this VM's pages. */
    monitorPageOut: number;
    /** Monitor: paging-area reads for this VM's double paging. */
    monitorDoublePaging: number;
    /** The guest: blocks it read from its minidisk. */
    guestRead: number;
    /** The guest: blocks it wrote to its minidisk. */
    guestWrite: number;
  };
}

/** What the pager needs of a VM. */
export interface PagedVm {
  /** VM name. */
  readonly name: string;
  /** Guest page -> real frame (-1: not resident). */
  readonly frames: Int32Array;
  /** The VM's shadow sets. */
  readonly shadow: { kernel: ShadowSet; exec: ShadowSet };
  /** Its counters (the monitor's processing of pages is charged there). */
  readonly stats: { monitorNs: number };
}

/** The pager's state of one VM's pages. */
export class VmPages {
  /** The VM. */
  readonly vm: PagedVm;
  /** Its pages. */
  readonly pages: number;
  /** Modified since brought in. */
  readonly dirty: Uint8Array;
  /** Referenced since the reference bit was last cleared. */
  readonly ref: Uint8Array;
  /** A copy is in the paging area. */
  readonly copy: Uint8Array;
  /** Aging register of reference samples. */
  readonly history: Uint8Array;
  /** Simulated ns of the page-in. */
  readonly loadedAt: Float64Array;
  /** FIFO order of page-ins. */
  readonly loadSeq: Float64Array;
  /** Simulated ns of the last observed reference. */
  readonly lastRef: Float64Array;
  /** Shadow entries mapping each page: va * 2 + (1 for the exec set). */
  readonly rmap: (number[] | undefined)[];
  /** The VM's extent of the paging area (allocated on the first page-out). */
  extent: Extent | null = null;
  /** Counts. */
  readonly stats: PagingStats = {
    guestFaults: 0,
    guestDoubleMisses: 0,
    monitorFaults: 0,
    zeroFills: 0,
    pageReads: 0,
    pageWrites: 0,
    evictions: 0,
    doublePagingWrites: 0,
    doublePagingReads: 0,
    doublePagingIo: 0,
    doublePagingNs: 0,
    pagingWaitNs: 0,
    diskOps: {
      monitorPageIn: 0,
      monitorPageOut: 0,
      monitorDoublePaging: 0,
      guestRead: 0,
      guestWrite: 0,
    },
  };

  /** State for a VM (every page not resident, zero). */
  constructor(vm: PagedVm) {
    this.vm = vm;
    const n = this.pages = vm.frames.length;
    this.dirty = new Uint8Array(n);
    this.ref = new Uint8Array(n);
    this.copy = new Uint8Array(n);
    this.history = new Uint8Array(n);
    this.loadedAt = new Float64Array(n);
    this.loadSeq = new Float64Array(n);
    this.lastRef = new Float64Array(n);
    this.rmap = new Array(n);
  }
}

/** What the pager needs of the monitor and the machine. */
export interface PagerDeps {
  /** Real memory. */
  readonly memory: PhysicalMemory;
  /** Real frames. */
  readonly frames: FrameAllocator;
  /** The real disk's extents. */
  readonly minidisks: MinidiskMap;
  /** The real disk's contents. */
  readonly disk: { readonly data: Uint8Array };
  /** The real processor: its clock and translation buffer. */
  readonly cpu: { ns: number; tbFlushAll(): void };
  /** Average one-block latency of the real disk (default page I/O). */
  readonly diskLatencyNs: number;
  /** Charges the monitor's processing of one page to a VM. */
  charge(vm: PagedVm, ns: number): void;
  /** Monitor cost of handling one page (CPU, not I/O). */
  readonly pageTransferNs: number;
  /** Records a trace event. */
  trace?(vm: PagedVm, text: string): void;
}

/** The monitor's pager. */
export class Pager {
  readonly #d: PagerDeps;
  /** The replacement policy. */
  readonly policy: PagingPolicy;
  /** The double-paging mitigation. */
  readonly mitigation: "none" | "full-page";
  /** Simulated ns per page moved. */
  readonly pageIoNs: number;
  /** Reference sampling period (lru and user policies). */
  readonly sampleNs: number;
  /** Most guest pages resident at once. */
  readonly residentLimit: number;
  #resident = 0;
  readonly #vms: VmPages[] = [];
  readonly #byVm: Map<PagedVm, VmPages> = new Map();
  #handVm = 0;
  #handPage = 0;
  #seq = 0;
  #lastSample = 0;
  #staging = -1;
  /** Policy calls (user policies). */
  policyCalls = 0;
  /** Evictions of every VM. */
  evictions = 0;

  /** A pager for a monitor. */
  constructor(deps: PagerDeps, options: MonitorPagingOptions = {}) {
    this.#d = deps;
    this.policy = checkPolicy(options.policy ?? "clock");
    const mit = options.mitigation ?? "none";
    if (mit !== "none" && mit !== "full-page") {
      throw new RangeError(
        `Cannot use double-paging mitigation ${
          JSON.stringify(mit)
        }: expected "none" or "full-page"`,
      );
    }
    this.mitigation = mit;
    this.pageIoNs = options.pageIoNs ?? deps.diskLatencyNs;
    this.sampleNs = options.sampleNs ?? 10_000_000;
    this.residentLimit = options.residentLimit ?? Infinity;
    if (
      !(this.residentLimit === Infinity ||
        (Number.isInteger(this.residentLimit) && this.residentLimit >= 4))
    ) {
      throw new RangeError(
        `Cannot use a paging residentLimit of ${this.residentLimit}: expected an integer >= 4`,
      );
    }
    for (
      const [k, v] of [["pageIoNs", this.pageIoNs], [
        "sampleNs",
        this.sampleNs,
      ]] as const
    ) {
      if (!(Number.isFinite(v) && v >= 0)) {
        throw new RangeError(
          `Cannot use paging ${k} ${v}: expected a non-negative number of ns`,
        );
      }
    }
  }

  /** The policy's name. */
  get policyName(): string {
    return policyName(this.policy);
  }

  /** Guest pages in real frames now (all VMs). */
  get resident(): number {
    return this.#resident;
  }

  /** How many more guest pages may be resident under the limit. */
  get room(): number {
    return this.residentLimit - this.#resident;
  }

  /** The VMs paged, in creation order. */
  get vms(): readonly VmPages[] {
    return this.#vms;
  }

  /** Starts paging a VM; `frames` entries >= 0 are resident (loaded now). */
  register(vm: PagedVm): VmPages {
    const p = new VmPages(vm);
    const now = this.#d.cpu.ns;
    for (let g = 0; g < p.pages; g++) {
      if (vm.frames[g]! >= 0) {
        this.#resident++;
        p.loadedAt[g] = now;
        p.loadSeq[g] = ++this.#seq;
        p.lastRef[g] = now;
      }
    }
    // The VM's paging area, carved from the real disk like a minidisk.
    p.extent = this.#d.minidisks.allocate(
      p.pages,
      "monitor",
      `PAGE ${vm.name}`,
    );
    this.#vms.push(p);
    this.#byVm.set(vm, p);
    return p;
  }

  /** The state of a VM, if paged. */
  of(vm: PagedVm): VmPages | undefined {
    return this.#byVm.get(vm);
  }

  /** Stops paging a VM (destroyed): its frames are released by the caller. */
  forget(vm: PagedVm): void {
    const p = this.#byVm.get(vm);
    if (!p) return;
    for (const f of vm.frames) if (f >= 0) this.#resident--;
    this.#byVm.delete(vm);
    this.#vms.splice(this.#vms.indexOf(p), 1);
    if (p.extent) this.#d.minidisks.release(p.extent);
    this.#handVm = 0;
    this.#handPage = 0;
  }

  /**
   * The real frame of a page for an access (`ACCESS` flags), bringing the
   * page in when it is not resident. Returns a staging frame instead when
   * the full-page mitigation serves a guest write of a paged-out page.
   */
  access(p: VmPages, gpn: number, flags: number): number {
    let f = p.vm.frames[gpn]!;
    const now = this.#d.cpu.ns;
    if ((flags & ACCESS.DMA) !== 0) {
      if ((flags & ACCESS.WRITE) !== 0) p.stats.diskOps.guestRead++;
      else p.stats.diskOps.guestWrite++;
    }
    if (f < 0) {
      const whole = (flags & (ACCESS.DMA | ACCESS.WHOLE)) ===
        (ACCESS.DMA | ACCESS.WHOLE);
      const had = p.copy[gpn] === 1;
      let skipRead = false;
      let doubled = false;
      if ((flags & ACCESS.DMA) !== 0 && had) {
        if ((flags & ACCESS.WRITE) === 0) {
          // The guest writes out a page the monitor paged out.
          p.stats.doublePagingWrites++;
          if (this.mitigation === "full-page" && whole) {
            return this.#stage(p, gpn);
          }
          p.stats.doublePagingIo++;
          p.stats.diskOps.monitorDoublePaging++;
          doubled = true;
        } else {
          // The guest reads over (discards) a page the monitor paged out.
          p.stats.doublePagingReads++;
          if (this.mitigation === "full-page" && whole) skipRead = true;
          else {
            p.stats.doublePagingIo++;
            p.stats.diskOps.monitorDoublePaging++;
            doubled = true;
          }
        }
      }
      f = this.#pageIn(p, gpn, skipRead);
      if (doubled) p.stats.doublePagingNs += this.pageIoNs;
    }
    if ((flags & ACCESS.WRITE) !== 0) p.dirty[gpn] = 1;
    p.ref[gpn] = 1;
    p.lastRef[gpn] = now;
    return f;
  }

  /** A shadow fill mapped the page at va in a set (0 kernel, 1 exec). */
  mapped(p: VmPages, gpn: number, exec: boolean, va: number, write: boolean) {
    const e = (va >>> 0) * 2 + (exec ? 1 : 0);
    let list = p.rmap[gpn];
    if (!list) p.rmap[gpn] = list = [];
    if (!list.includes(e)) list.push(e);
    p.ref[gpn] = 1;
    p.lastRef[gpn] = this.#d.cpu.ns;
    if (write) p.dirty[gpn] = 1;
  }

  /** Frees one frame for the allocator (evicts the policy's victim). */
  reclaimOne(): boolean {
    const v = this.#selectVictim();
    if (!v) return false;
    this.#evict(v.p, v.gpn);
    return true;
  }

  /** Evicts whatever guest page holds a given frame (contiguous allocations). */
  reclaimFrame(frame: number): boolean {
    for (const p of this.#vms) {
      const g = p.vm.frames.indexOf(frame);
      if (g >= 0) {
        this.#evict(p, g);
        return true;
      }
    }
    return false;
  }

  /**
   * Pages out one page now (for experiments: set up a double-paging case).
   *
   * @throws {RangeError} when the page does not exist
   */
  pageOut(p: VmPages, gpn: number): void {
    if (!Number.isInteger(gpn) || gpn < 0 || gpn >= p.pages) {
      throw new RangeError(
        `Cannot page out page ${
          typeof gpn === "number" && Number.isInteger(gpn) && gpn >= 0
            ? formatHex(gpn)
            : String(gpn)
        } of VM "${p.vm.name}": expected a page number from 0x00 to ${
          formatHex(p.pages - 1)
        }`,
      );
    }
    if (p.vm.frames[gpn]! >= 0) this.#evict(p, gpn);
  }

  /** Every resident page as a policy sees it. */
  candidates(): PageCandidate[] {
    const out: PageCandidate[] = [];
    for (const p of this.#vms) {
      for (let g = 0; g < p.pages; g++) {
        const f = p.vm.frames[g]!;
        if (f < 0) continue;
        out.push({
          vm: p.vm.name,
          page: g,
          frame: f,
          loadedAt: p.loadedAt[g]!,
          lastReference: p.lastRef[g]!,
          referenced: p.ref[g] === 1,
          modified: p.dirty[g] === 1,
          history: p.history[g]!,
        });
      }
    }
    return out;
  }

  // -------------------------------------------------------------------------

  #wait(p: VmPages, pages: number): void {
    const ns = this.pageIoNs * pages;
    this.#d.cpu.ns += ns;
    p.stats.pagingWaitNs += ns;
  }

  #blockOf(p: VmPages, gpn: number): number {
    return p.extent!.start + gpn;
  }

  #pageIn(p: VmPages, gpn: number, skipRead: boolean): number {
    const d = this.#d;
    const was = this.#current;
    this.#current = p;
    let f: number;
    try {
      while (this.#resident >= this.residentLimit && this.reclaimOne()) {
        // evicted one
      }
      f = d.frames.allocate(p.vm.name, "memory");
    } finally {
      this.#current = was;
    }
    p.stats.monitorFaults++;
    if (p.copy[gpn] === 1 && !skipRead) {
      const at = this.#blockOf(p, gpn) * 512;
      d.memory.load(f * 512, d.disk.data.subarray(at, at + 512));
      p.stats.pageReads++;
      p.stats.diskOps.monitorPageIn++;
      this.#wait(p, 1);
      p.dirty[gpn] = 0;
    } else {
      if (!skipRead) p.stats.zeroFills++;
      d.memory.fill(f * 512, 512);
      // A zero page is clean: if it is never written, evicting it keeps no
      // copy and it comes back as zeros. A page whose old copy was skipped
      // is about to be overwritten whole.
      p.dirty[gpn] = skipRead ? 1 : 0;
      p.copy[gpn] = 0;
    }
    d.charge(p.vm, d.pageTransferNs);
    p.vm.frames[gpn] = f;
    this.#resident++;
    const now = d.cpu.ns;
    p.loadedAt[gpn] = now;
    p.loadSeq[gpn] = ++this.#seq;
    p.lastRef[gpn] = now;
    p.ref[gpn] = 1;
    p.rmap[gpn] = undefined;
    d.trace?.(
      p.vm,
      `page in ${p.vm.name} page ${formatHex(gpn)} -> frame ${formatHex(f)}`,
    );
    return f;
  }

  /** Reads a paged-out page into the staging frame (mitigation). */
  #stage(p: VmPages, gpn: number): number {
    const d = this.#d;
    if (this.#staging < 0) {
      this.#staging = d.frames.allocate("monitor", "paging staging");
    }
    const at = this.#blockOf(p, gpn) * 512;
    d.memory.load(this.#staging * 512, d.disk.data.subarray(at, at + 512));
    p.stats.pageReads++;
    p.stats.doublePagingIo++;
    p.stats.diskOps.monitorDoublePaging++;
    p.stats.doublePagingNs += this.pageIoNs;
    this.#wait(p, 1);
    return this.#staging;
  }

  #evict(p: VmPages, gpn: number): void {
    const d = this.#d;
    const f = p.vm.frames[gpn]!;
    this.#unmap(p, gpn, f);
    if (p.dirty[gpn] === 1) {
      const at = this.#blockOf(p, gpn) * 512;
      d.disk.data.set(d.memory.u8.subarray(f * 512, f * 512 + 512), at);
      p.copy[gpn] = 1;
      p.stats.pageWrites++;
      p.stats.diskOps.monitorPageOut++;
      // The VM that needed the frame waits for the write.
      const waiter = this.#current ?? p;
      this.#wait(waiter, 1);
    }
    p.dirty[gpn] = 0;
    p.ref[gpn] = 0;
    p.vm.frames[gpn] = -1;
    this.#resident--;
    p.stats.evictions++;
    this.evictions++;
    d.frames.release(f);
    d.cpu.tbFlushAll();
    d.trace?.(
      p.vm,
      `page out ${p.vm.name} page ${formatHex(gpn)} from frame ${formatHex(f)}`,
    );
  }

  /** The VM on whose behalf the pager works now (its wait is charged). */
  #current: VmPages | null = null;

  /** Invalidates the shadow entries that map a page (its frame f). */
  #unmap(p: VmPages, gpn: number, f: number): void {
    const list = p.rmap[gpn];
    if (!list) return;
    for (const e of list) {
      const set = e % 2 === 1 ? p.vm.shadow.exec : p.vm.shadow.kernel;
      const va = Math.floor(e / 2);
      const pte = set.read(va);
      if ((pte & PTE_V) !== 0 && (pte & PTE_PFN_MASK) === f) {
        set.invalidate(va);
      }
    }
    p.rmap[gpn] = undefined;
  }

  #clearRef(p: VmPages, gpn: number): void {
    p.ref[gpn] = 0;
    this.#unmap(p, gpn, p.vm.frames[gpn]!);
  }

  #sample(): void {
    const now = this.#d.cpu.ns;
    if (now - this.#lastSample < this.sampleNs && this.#lastSample > 0) return;
    this.#lastSample = now;
    for (const p of this.#vms) {
      for (let g = 0; g < p.pages; g++) {
        if (p.vm.frames[g]! < 0) continue;
        p.history[g] = (p.history[g]! >>> 1) | (p.ref[g]! << 7);
        if (p.ref[g] === 1) this.#clearRef(p, g);
      }
    }
    this.#d.cpu.tbFlushAll();
  }

  #selectVictim(): { p: VmPages; gpn: number } | null {
    const vms = this.#vms;
    if (vms.length === 0) return null;
    const policy = this.policy;
    if (policy === "clock") return this.#clock();
    if (policy !== "fifo") this.#sample();
    if (typeof policy === "function") {
      const c = this.candidates();
      if (c.length === 0) return null;
      this.policyCalls++;
      const i = chosenIndex(c, policy(c, this.#d.cpu.ns));
      const chosen = c[i]!;
      const p = vms.find((v) => v.vm.name === chosen.vm)!;
      return { p, gpn: chosen.page };
    }
    let best: { p: VmPages; gpn: number } | null = null;
    let key = Infinity;
    let key2 = Infinity;
    for (const p of vms) {
      const a = policy === "fifo" ? p.loadSeq : p.lastRef;
      for (let g = 0; g < p.pages; g++) {
        if (p.vm.frames[g]! < 0) continue;
        const k = a[g]!;
        const k2 = p.loadSeq[g]!;
        if (k < key || (k === key && k2 < key2)) {
          key = k;
          key2 = k2;
          best = { p, gpn: g };
        }
      }
    }
    return best;
  }

  #clock(): { p: VmPages; gpn: number } | null {
    const vms = this.#vms;
    let total = 0;
    for (const p of vms) total += p.pages;
    let cleared = false;
    for (let step = 0; step <= 2 * total; step++) {
      if (this.#handVm >= vms.length) {
        this.#handVm = 0;
        this.#handPage = 0;
      }
      const p = vms[this.#handVm]!;
      const g = this.#handPage;
      if (++this.#handPage >= p.pages) {
        this.#handPage = 0;
        this.#handVm = (this.#handVm + 1) % vms.length;
      }
      if (p.vm.frames[g]! < 0) continue;
      if (p.ref[g] === 1) {
        this.#clearRef(p, g);
        cleared = true;
        continue;
      }
      if (cleared) this.#d.cpu.tbFlushAll();
      return { p, gpn: g };
    }
    if (cleared) this.#d.cpu.tbFlushAll();
    return null;
  }
}
