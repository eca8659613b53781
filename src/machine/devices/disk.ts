/**
 * The disk controller of devices.md: one block device reached through IPRs
 * 64 to 68, synchronous or asynchronous transfers, interrupts at IPL 0x15
 * through SCB 0xD0, and a latency model (seek, rotation, transfer) on
 * simulated time.
 *
 * @module
 */

import { IPR } from "../../arch/ipr.ts";
import { IPL_DEVICE, SCB } from "../../arch/scb.ts";
import type { Cpu, IprDevice } from "../cpu.ts";
import type { DiskTiming, EventQueue } from "../clock.ts";
import type { PhysicalMemory } from "../memory.ts";

/** Block size in bytes (the VAX page size). */
export const BLOCK_SIZE = 512;

/** DKCS bits. */
export const DKCS = {
  FUNC_MASK: 0x3,
  FUNC_READ: 1,
  FUNC_WRITE: 2,
  IE: 0x40,
  DONE: 0x80,
  GO: 0x100,
  ASYNC: 0x200,
  ERRCODE_SHIFT: 12,
  ERRCODE_MASK: 0x7000,
  ERR: 0x8000,
} as const;

/** DKCS error codes. */
export const DISK_ERROR = {
  NONE: 0,
  RANGE: 1,
  NONEXISTENT_MEMORY: 2,
  RESERVED_FUNCTION: 3,
} as const;

/**
 * Checks a host-side request for `count` blocks at `block` on a disk of
 * `blocks` blocks.
 *
 * @throws {RangeError} naming the range and the disk's size
 */
export function checkBlockRange(
  block: number,
  count: number,
  blocks: number,
  what = "disk",
): void {
  if (
    !Number.isInteger(block) || !Number.isInteger(count) || block < 0 ||
    count < 0 || block + count > blocks
  ) {
    throw new RangeError(
      `Cannot access blocks ${block} to ${
        block + count - 1
      }: the ${what} has ${blocks} blocks`,
    );
  }
}

/** One transfer, as the disk records it (for traces and statistics). */
export interface DiskTransfer {
  /** `read` (disk to memory) or `write`. */
  func: "read" | "write" | "reserved";
  /** First block. */
  block: number;
  /** Number of blocks. */
  count: number;
  /** Physical memory address. */
  memory: number;
  /** Asynchronous mode. */
  async: boolean;
  /** Error code (0: none). */
  error: number;
  /** Simulated time the command was issued (ns). */
  start: number;
  /** Simulated time the transfer completed (ns). */
  end: number;
  /** Seek part of the latency (ns). */
  seekNs: number;
  /** Rotational part of the latency (ns). */
  rotationNs: number;
  /** Transfer part of the latency (ns). */
  transferNs: number;
}

/** Listener for disk activity (the trace). */
export interface DiskListener {
  /** A transfer was started (or refused with an error). */
  start?(t: DiskTransfer): void;
  /** A transfer completed (data moved, DONE set). */
  complete?(t: DiskTransfer): void;
}

/** The disk controller and its medium. */
export class Disk implements IprDevice {
  readonly #cpu: Cpu;
  readonly #mem: PhysicalMemory;
  readonly #events: EventQueue;
  readonly #timing: DiskTiming;
  readonly #slot: number;
  /** The medium: blocks × 512 bytes. */
  readonly data: Uint8Array;
  /** Capacity in blocks. */
  readonly blocks: number;
  #blk = 0;
  #memAddr = 0;
  #cnt = 0;
  #cs: number = DKCS.DONE;
  #busy = false;
  #cylinder = 0;
  /** Every transfer so far, oldest first. */
  readonly history: DiskTransfer[] = [];
  /** Listener for tracing. */
  listener: DiskListener | null = null;

  /**
   * Creates a disk of `blocks` blocks attached to the CPU; with 0 blocks
   * there is no controller (no disk IPRs).
   */
  constructor(
    cpu: Cpu,
    mem: PhysicalMemory,
    events: EventQueue,
    timing: DiskTiming,
    blocks: number,
  ) {
    if (!Number.isInteger(blocks) || blocks < 0 || blocks > 0x7fffff) {
      throw new RangeError(
        `Cannot create a disk of ${blocks} blocks: expected 0 to ${0x7fffff}`,
      );
    }
    this.#cpu = cpu;
    this.#mem = mem;
    this.#events = events;
    this.#timing = timing;
    this.blocks = blocks;
    this.data = new Uint8Array(blocks * BLOCK_SIZE);
    this.#slot = cpu.addInterruptSource(IPL_DEVICE.DISK, SCB.DISK);
    // No disk (0 blocks), no controller: its IPR numbers are then above
    // the KA655's 63 and raise the reserved-operand fault (as on SimH).
    if (blocks > 0) {
      for (const n of [IPR.DKBLK, IPR.DKMEM, IPR.DKCNT, IPR.DKCS, IPR.DKSIZE]) {
        cpu.attachIpr(n, this);
      }
    }
  }

  /** Whether a transfer is in progress. */
  get busy(): boolean {
    return this.#busy;
  }

  /** Current DKCS value. */
  get status(): number {
    return this.#cs;
  }

  /** Reads blocks from the medium (host side). */
  readBlocks(block: number, count = 1): Uint8Array {
    this.#checkRange(block, count);
    return this.data.slice(block * BLOCK_SIZE, (block + count) * BLOCK_SIZE);
  }

  /** Writes bytes to the medium starting at a block (host side). */
  writeBlocks(block: number, bytes: Uint8Array): void {
    const count = Math.ceil(bytes.length / BLOCK_SIZE);
    this.#checkRange(block, count);
    this.data.set(bytes, block * BLOCK_SIZE);
  }

  #checkRange(block: number, count: number): void {
    checkBlockRange(block, count, this.blocks, "disk");
  }

  /**
   * Loads a disk image (from block 0). A shorter image leaves the rest of
   * the disk as it was.
   *
   * @throws {RangeError} when the image is larger than the disk
   */
  loadImage(image: Uint8Array): void {
    if (image.length > this.data.length) {
      throw new RangeError(
        `Cannot load a disk image of ${image.length} bytes: the disk holds ${this.data.length} bytes (${this.blocks} blocks)`,
      );
    }
    this.data.set(image, 0);
  }

  /** A copy of the whole medium. */
  saveImage(): Uint8Array {
    return this.data.slice();
  }

  /**
   * Loads a disk image from a file.
   *
   * @throws {RangeError} when the file is larger than the disk
   */
  loadFile(path: string | URL): void {
    this.loadImage(Deno.readFileSync(path));
  }

  /** Saves the whole medium to a file. */
  saveFile(path: string | URL): void {
    Deno.writeFileSync(path, this.data);
  }

  /** Resets the controller (IORESET). A transfer in progress is abandoned. */
  reset(): void {
    this.#blk = this.#memAddr = this.#cnt = 0;
    this.#cs = DKCS.DONE;
    this.#busy = false;
    this.#cpu.setInterrupt(this.#slot, false);
  }

  /** MFPR on a disk register. */
  readIpr(n: number): number {
    switch (n) {
      case IPR.DKBLK:
        return this.#blk;
      case IPR.DKMEM:
        return this.#memAddr;
      case IPR.DKCNT:
        return this.#cnt;
      case IPR.DKCS:
        return this.#cs;
      default:
        return this.blocks;
    }
  }

  /** MTPR on a disk register. */
  writeIpr(n: number, v: number): void {
    switch (n) {
      case IPR.DKBLK:
        this.#blk = v >>> 0;
        return;
      case IPR.DKMEM:
        this.#memAddr = v >>> 0;
        return;
      case IPR.DKCNT:
        this.#cnt = v >>> 0;
        return;
      case IPR.DKCS: {
        const wasIe = (this.#cs & DKCS.IE) !== 0;
        const keep = this.#cs & (DKCS.DONE | DKCS.ERR | DKCS.ERRCODE_MASK);
        this.#cs = keep | (v & (DKCS.FUNC_MASK | DKCS.IE | DKCS.ASYNC));
        const ie = (this.#cs & DKCS.IE) !== 0;
        if (!ie) this.#cpu.setInterrupt(this.#slot, false);
        else if (
          !wasIe && (this.#cs & DKCS.DONE) !== 0 && (v & DKCS.GO) === 0
        ) {
          this.#cpu.setInterrupt(this.#slot, true);
        }
        if ((v & DKCS.GO) !== 0 && !this.#busy) this.#go();
        return;
      }
      default:
        return; // DKSIZE is read-only; the CPU faults MTPR to it
    }
  }

  /** Latency of a transfer starting now (seek, rotation, transfer). */
  #latency(
    block: number,
    count: number,
    now: number,
  ): [number, number, number] {
    const t = this.#timing;
    const perCyl = t.blocksPerTrack * t.tracksPerCylinder;
    const cyl = Math.floor(block / perCyl);
    const seek = cyl === this.#cylinder
      ? 0
      : t.seekSettleNs + t.seekPerCylinderNs * Math.abs(cyl - this.#cylinder);
    this.#cylinder = cyl;
    // Whole nanoseconds, so simulated times stay integers.
    const sectorNs = Math.round(t.revolutionNs / t.blocksPerTrack);
    const at = now + t.controllerNs + seek;
    const under = Math.floor((at % t.revolutionNs) / sectorNs);
    const sector = block % t.blocksPerTrack;
    const wait = ((sector - under + t.blocksPerTrack) % t.blocksPerTrack) *
      sectorNs;
    return [t.controllerNs + seek, wait, count * sectorNs];
  }

  #go(): void {
    const cpu = this.#cpu;
    const func = this.#cs & DKCS.FUNC_MASK;
    const async = (this.#cs & DKCS.ASYNC) !== 0;
    const block = this.#blk;
    const count = this.#cnt;
    const memory = this.#memAddr;
    let error: number = DISK_ERROR.NONE;
    if (func !== DKCS.FUNC_READ && func !== DKCS.FUNC_WRITE) {
      error = DISK_ERROR.RESERVED_FUNCTION;
    } else if (block + count > this.blocks) {
      error = DISK_ERROR.RANGE;
    } else if (memory + count * BLOCK_SIZE > this.#mem.size) {
      error = DISK_ERROR.NONEXISTENT_MEMORY;
    }
    const now = cpu.ns;
    const rec: DiskTransfer = {
      func: func === DKCS.FUNC_READ
        ? "read"
        : func === DKCS.FUNC_WRITE
        ? "write"
        : "reserved",
      block,
      count,
      memory,
      async,
      error,
      start: now,
      end: now,
      seekNs: 0,
      rotationNs: 0,
      transferNs: 0,
    };
    this.history.push(rec);
    this.#cs &= ~(DKCS.DONE | DKCS.ERR | DKCS.ERRCODE_MASK);
    cpu.setInterrupt(this.#slot, false);
    if (error !== DISK_ERROR.NONE) {
      // Refused before anything moves: DONE with ERR at once.
      this.listener?.start?.(rec);
      this.#finish(rec);
      return;
    }
    const [seek, rot, xfer] = this.#latency(block, count, now);
    rec.seekNs = seek;
    rec.rotationNs = rot;
    rec.transferNs = xfer;
    rec.end = now + seek + rot + xfer;
    this.listener?.start?.(rec);
    if (!async) {
      // The MTPR that set GO returns when the transfer is complete.
      cpu.ns = rec.end;
      this.#finish(rec);
      return;
    }
    this.#busy = true;
    this.#events.schedule(rec.end, () => {
      if (!this.#busy) return; // reset meanwhile
      this.#busy = false;
      this.#finish(rec);
    });
  }

  #finish(rec: DiskTransfer): void {
    if (rec.error === DISK_ERROR.NONE) {
      const bytes = rec.count * BLOCK_SIZE;
      const d = rec.block * BLOCK_SIZE;
      if (rec.func === "read") {
        // DMA: decoded code in the destination is dropped.
        this.#mem.load(rec.memory, this.data.subarray(d, d + bytes));
      } else {
        this.data.set(this.#mem.u8.subarray(rec.memory, rec.memory + bytes), d);
      }
      this.#cs |= DKCS.DONE;
    } else {
      this.#cs |= DKCS.DONE | DKCS.ERR | (rec.error << DKCS.ERRCODE_SHIFT);
    }
    this.listener?.complete?.(rec);
    if ((this.#cs & DKCS.IE) !== 0) this.#cpu.setInterrupt(this.#slot, true);
  }
}
