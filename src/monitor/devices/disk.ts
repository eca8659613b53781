/**
 * A VM's virtual disk (devices.md): the DKBLK, DKMEM, DKCNT and DKCS
 * registers of the VM's controller over its minidisk, and the monitor's
 * one channel to the real disk that carries every VM's transfers. A
 * virtual GO is checked against the VM's extents, translated to real
 * blocks and queued; guest pages are not contiguous in real memory, so
 * every transfer goes through the monitor's bounce buffer, a segment at a
 * time. Synchronous requests complete inside the guest's MTPR.
 *
 * @module
 */

import { IPR } from "../../arch/ipr.ts";
import { formatCount } from "../../machine/units.ts";
import { checkBlockRange, DKCS } from "../../machine/devices/disk.ts";
import type { MonitorHost } from "../host.ts";
import type { DiskView } from "../../machine/hardware.ts";
import { VIRQ } from "../interrupts.ts";
import {
  type BlockRun,
  type Extent,
  translateBlocks,
  writeProtected,
} from "./minidisk.ts";
import type { DevicePort } from "./port.ts";
import { ACCESS } from "../paging/pager.ts";

/**
 * DKCS<ERRCODE> of a write through a read-only link: the virtual
 * controller's write-protect error (code 4, beside devices.md's 1 to 3).
 */
export const WRITE_PROTECTED = 4;

/** Blocks in the monitor's bounce buffer (one segment at most). */
export const BOUNCE_BLOCKS = 64;

/** What a VM's disk needs of its VM and monitor, besides the port. */
export interface DiskPort extends DevicePort {
  /** Guest memory size in bytes. */
  readonly memorySize: number;
  /**
   * Real address of a guest-physical address (-1 beyond memory) for the
   * channel's copy (`access`: `ACCESS` flags of paging/pager.ts: DMA, with
   * WRITE when the guest reads from its disk, WHOLE for a whole page).
   */
  realAddress(gpa: number, access?: number): number;
  /** The VM's counters of requests and waiting. */
  readonly stats: { ioRequests: number; waitNs: number };
  /** Charges the translation of a request of `blocks` blocks. */
  chargeTranslation(blocks: number): void;
  /**
   * Gives a request to the io hooks first; true when a hook took it over
   * (did the transfer itself, or refused it).
   */
  io(request: {
    func: "read" | "write" | "reserved";
    block: number;
    count: number;
    memory: number;
    async: boolean;
  }): boolean;
}

/** One segment of a request: real blocks and the guest buffer. */
export interface Segment {
  /** First real block. */
  realBlock: number;
  /** Blocks. */
  count: number;
  /** Guest-physical buffer address. */
  gpa: number;
}

/** One request in the real disk's queue. */
export interface DiskRequest {
  /** The VM's controller that asked. */
  disk: VirtualDisk;
  /** Its port (guest memory, trace). */
  port: DiskPort;
  /** Direction. */
  func: "read" | "write";
  /** The pieces, each at most the bounce buffer. */
  segments: Segment[];
  /** The next segment to complete. */
  next: number;
  /** When the request was issued (ns). */
  issuedNs: number;
  /** IORESET abandoned it while its segment was on the real disk. */
  cancelled?: boolean;
}

/** The virtual disk controller's registers and its minidisk. */
export class VirtualDisk implements DiskView {
  /** DKBLK. */
  blk = 0;
  /** DKMEM (guest-physical). */
  mem = 0;
  /** DKCNT. */
  cnt = 0;
  /** DKCS. */
  cs = 0x80;
  /** A transfer is in progress. */
  busy = false;
  /** The extents of the real disk that make up this disk, in order. */
  readonly extents: Extent[] = [];
  readonly #port: DiskPort;
  readonly #channel: DiskChannel;

  /** Creates the controller of one VM on the monitor's channel. */
  constructor(port: DiskPort, channel: DiskChannel) {
    this.#port = port;
    this.#channel = channel;
  }

  /** Capacity in blocks (sum of the extents). */
  get blocks(): number {
    return this.extents.reduce((s, e) => s + e.blocks, 0);
  }

  #real(block: number): number {
    let base = 0;
    for (const e of this.extents) {
      if (block < base + e.blocks) return e.start + block - base;
      base += e.blocks;
    }
    return -1;
  }

  #check(block: number, count: number): void {
    checkBlockRange(block, count, this.blocks, "minidisk");
  }

  /** Reads blocks of the minidisk (host side). */
  readBlocks(block: number, count = 1): Uint8Array {
    this.#check(block, count);
    const out = new Uint8Array(count * 512);
    const data = this.#channel.data;
    for (let k = 0; k < count; k++) {
      const rb = this.#real(block + k);
      out.set(data.subarray(rb * 512, rb * 512 + 512), k * 512);
    }
    return out;
  }

  /** Writes bytes to the minidisk starting at a block (host side). */
  writeBlocks(block: number, bytes: Uint8Array): void {
    const count = Math.ceil(bytes.length / 512);
    this.#check(block, count);
    const data = this.#channel.data;
    for (let k = 0; k < count; k++) {
      const rb = this.#real(block + k);
      data.set(bytes.subarray(k * 512, k * 512 + 512), rb * 512);
    }
  }

  /** MTPR DKCS: function, IE, ASYNC; GO starts a transfer. */
  writeDkcs(v: number): void {
    const wasIe = (this.cs & DKCS.IE) !== 0;
    this.cs = (this.cs & (DKCS.DONE | DKCS.ERR | DKCS.ERRCODE_MASK)) |
      (v & (DKCS.FUNC_MASK | DKCS.IE | DKCS.ASYNC));
    const ie = (this.cs & DKCS.IE) !== 0;
    if (!ie) this.#port.clear(VIRQ.DISK);
    else if (!wasIe && (this.cs & DKCS.DONE) !== 0 && (v & DKCS.GO) === 0) {
      this.#port.request(VIRQ.DISK);
    }
    if ((v & DKCS.GO) !== 0 && !this.busy) this.#go();
  }

  /** A transfer ends: DONE, the error code, and the interrupt if enabled. */
  finish(error: number): void {
    this.busy = false;
    this.cs |= DKCS.DONE;
    if (error) this.cs |= DKCS.ERR | (error << DKCS.ERRCODE_SHIFT);
    if (this.cs & DKCS.IE) {
      this.#port.request(VIRQ.DISK);
      this.#port.wake();
    }
  }

  /** IORESET: the controller and its registers clear; a transfer is abandoned. */
  reset(): void {
    this.cs = DKCS.DONE;
    this.busy = false;
    // As the bare controller's reset: the registers clear too.
    this.blk = this.mem = this.cnt = 0;
  }

  /** A virtual GO: check, translate and start the transfer on the real disk. */
  #go(): void {
    const port = this.#port;
    const func = this.cs & DKCS.FUNC_MASK;
    const async = (this.cs & DKCS.ASYNC) !== 0;
    port.stats.ioRequests++;
    this.cs &= ~(DKCS.DONE | DKCS.ERR | DKCS.ERRCODE_MASK);
    port.clear(VIRQ.DISK);
    let error = 0;
    let runs: BlockRun[] | undefined;
    const fname = func === 1 ? "read" : func === 2 ? "write" : "reserved";
    if (
      port.io({
        func: fname,
        block: this.blk,
        count: this.cnt,
        memory: this.mem,
        async,
      })
    ) {
      // An io hook did the transfer (or refused it) itself.
      this.finish(0);
      return;
    }
    if (func !== 1 && func !== 2) error = 3;
    else if (!(runs = translateBlocks(this.extents, this.blk, this.cnt))) {
      error = 1;
    } else if (this.mem + this.cnt * 512 > port.memorySize) error = 2;
    else if (func === 2 && writeProtected(this.extents, this.blk, this.cnt)) {
      // A read-only link: the controller refuses the write, nothing moves.
      error = WRITE_PROTECTED;
    }
    if (error || !runs) {
      if (port.tracing) {
        port.trace(
          "minidisk",
          `${port.name} ${fname} ${
            formatCount(this.cnt, "block")
          } at ${this.blk}: refused (error ${error}), nothing moves`,
          { block: this.blk, count: this.cnt, error },
        );
      }
      this.finish(error);
      return;
    }
    port.chargeTranslation(this.cnt);
    const segments: Segment[] = [];
    for (const run of runs) {
      for (let k = 0; k < run.blocks;) {
        const n = Math.min(run.blocks - k, BOUNCE_BLOCKS);
        segments.push({
          realBlock: run.realBlock + k,
          count: n,
          gpa: this.mem + (run.virtualBlock - this.blk + k) * 512,
        });
        k += n;
      }
    }
    if (segments.length === 0) {
      // DKCNT = 0: nothing moves, but the transfer still takes the device's
      // time and ends with DONE (and an interrupt), as on a bare disk. One
      // empty segment on the real disk does that. (A zero count used to
      // crash the monitor with a TypeError.)
      segments.push({
        realBlock: this.extents[0]?.start ?? 0,
        count: 0,
        gpa: 0,
      });
    }
    if (port.tracing) {
      port.trace(
        "minidisk",
        `${port.name} ${fname} ${
          formatCount(this.cnt, "block")
        } at virtual ${this.blk} -> real ${
          runs.map((r) => `${r.realBlock}+${r.blocks}`).join(", ")
        } ${async ? "async" : "sync"}`,
        {
          block: this.blk,
          count: this.cnt,
          real: segments[0]!.realBlock,
          async,
        },
      );
    }
    const req: DiskRequest = {
      disk: this,
      port,
      func: func === 1 ? "read" : "write",
      segments,
      next: 0,
      issuedNs: port.now(),
    };
    if (!async) {
      // The guest's MTPR returns when the transfer is complete.
      const t0 = port.now();
      this.#channel.transferSync(req);
      port.stats.waitNs += port.now() - t0;
      this.finish(0);
      return;
    }
    this.busy = true;
    this.#channel.enqueue(req);
  }
}

/** The real machine as the disk channel uses it. */
export type ChannelMachine = Pick<
  MonitorHost,
  "cpu" | "disk" | "events" | "memory"
>;

/**
 * The monitor's channel to the real disk: a queue of requests from every
 * VM, served one segment at a time through the bounce buffer.
 */
export class DiskChannel {
  readonly #machine: ChannelMachine;
  readonly #bounce: number;
  readonly #queue: DiskRequest[] = [];

  /** A channel whose bounce buffer starts at real frame `bounceFrame`. */
  constructor(machine: ChannelMachine, bounceFrame: number) {
    this.#machine = machine;
    this.#bounce = bounceFrame;
  }

  /** The real disk's medium. */
  get data(): Uint8Array {
    return this.#machine.disk.data;
  }

  /** Queues an asynchronous request; starts it if the disk is free. */
  enqueue(req: DiskRequest): void {
    this.#queue.push(req);
    if (this.#queue.length === 1) this.#startSegment();
  }

  /** Runs a synchronous request to completion (time passes). */
  transferSync(req: DiskRequest): void {
    this.#waitForDisk();
    for (const s of req.segments) this.#transferSync(req, s);
  }

  /**
   * IORESET of a VM: its queued requests go; the one on the real disk is
   * abandoned, as on a bare disk: nothing more moves and no DONE or
   * interrupt follows.
   */
  cancel(disk: VirtualDisk): void {
    const q = this.#queue;
    for (let i = q.length - 1; i >= 1; i--) {
      if (q[i]!.disk === disk) q.splice(i, 1);
    }
    const head = q[0];
    if (head && head.disk === disk && !head.cancelled) {
      // Its segment is already on the real disk (which may not be reset:
      // the request is the monitor's); a read's data is not copied to the
      // guest, and a write is neutralized by refilling the bounce buffer
      // with the blocks' current contents (the real disk copies memory at
      // completion). It used to complete and copy into the guest after the
      // reset.
      head.cancelled = true;
      const s = head.segments[head.next]!;
      if (head.func === "write") {
        const data = this.#machine.disk.data;
        this.#machine.memory.load(
          this.#bounce * 512,
          data.subarray(s.realBlock * 512, (s.realBlock + s.count) * 512),
        );
      }
    }
  }

  /** Checks the real disk: completes segments and requests. */
  poll(): void {
    const disk = this.#machine.disk;
    const req = this.#queue[0];
    if (!req || disk.busy) return;
    if ((disk.status & DKCS.DONE) === 0) return;
    if (req.cancelled) {
      this.#queue.shift();
      if (this.#queue.length > 0) this.#startSegment();
      return;
    }
    const s = req.segments[req.next]!;
    if (req.func === "read") this.#bounceCopy(req.port, s.gpa, s.count, true);
    req.next++;
    if (req.next < req.segments.length) {
      this.#startSegment();
      return;
    }
    this.#queue.shift();
    if (req.port.tracing) {
      req.port.trace("minidisk", `${req.port.name} ${req.func} complete`, {
        waitedNs: this.#machine.cpu.ns - req.issuedNs,
      });
    }
    req.disk.finish(0);
    if (this.#queue.length > 0) this.#startSegment();
  }

  /** Lets time pass until the real disk is free (a sync request behind an async one). */
  #waitForDisk(): void {
    const { disk, cpu, events } = this.#machine;
    while (disk.busy) {
      const next = events.nextAt;
      if (next === Infinity) break;
      if (next > cpu.ns) cpu.ns = next;
      events.runDue(cpu.ns);
      this.poll();
    }
  }

  #program(
    func: "read" | "write",
    realBlock: number,
    count: number,
    pa: number,
    async: boolean,
  ): void {
    const cpu = this.#machine.cpu;
    cpu.writeIpr(IPR.DKBLK, realBlock);
    cpu.writeIpr(IPR.DKMEM, pa);
    cpu.writeIpr(IPR.DKCNT, count);
    cpu.writeIpr(
      IPR.DKCS,
      (func === "read" ? 1 : 2) | (async ? DKCS.ASYNC | DKCS.IE : 0) | DKCS.GO,
    );
  }

  /** Copies between a guest buffer and the bounce buffer. */
  #bounceCopy(
    port: DiskPort,
    gpa: number,
    count: number,
    toGuest: boolean,
  ): void {
    const mem = this.#machine.memory;
    const base = this.#bounce * 512;
    let done = 0;
    const total = count * 512;
    while (done < total) {
      const g = gpa + done;
      const n = Math.min(512 - (g & 511), total - done);
      const pa = port.realAddress(
        g,
        ACCESS.DMA | (toGuest ? ACCESS.WRITE : 0) |
          (n === 512 ? ACCESS.WHOLE : 0),
      );
      if (toGuest) mem.copy(pa, base + done, n);
      else mem.copy(base + done, pa, n);
      done += n;
    }
  }

  #transferSync(req: DiskRequest, s: Segment): void {
    // Guest pages are not contiguous in real memory: every segment goes
    // through the monitor's contiguous bounce buffer, page by page.
    if (req.func === "write") this.#bounceCopy(req.port, s.gpa, s.count, false);
    this.#program(req.func, s.realBlock, s.count, this.#bounce * 512, false);
    if (req.func === "read") this.#bounceCopy(req.port, s.gpa, s.count, true);
  }

  #startSegment(): void {
    const req = this.#queue[0];
    if (!req) return;
    const s = req.segments[req.next]!;
    if (req.func === "write") this.#bounceCopy(req.port, s.gpa, s.count, false);
    this.#program(req.func, s.realBlock, s.count, this.#bounce * 512, true);
  }
}
