/**
 * The monitor's allocator of real page frames. Frames are handed out from
 * the top of real memory down, interleaved between requests, so a VM's
 * guest-physical memory is generally not contiguous in real memory (as in
 * CP, where a virtual machine's pages lie wherever real frames were free).
 *
 * @module
 */

import { formatHex } from "../machine/units.ts";

/** Who owns a real frame. */
export interface FrameOwner {
  /** VM name, or `monitor`. */
  owner: string;
  /** What the frame holds: `memory`, `shadow`, `buffer`. */
  use: string;
}

/** A pool of real 512-byte frames. */
export class FrameAllocator {
  readonly #free: number[] = [];
  readonly #owners: Map<number, FrameOwner> = new Map();
  /** Total frames managed. */
  readonly total: number;
  /** First frame managed. */
  readonly first: number;
  /**
   * When set (a paging monitor), called when no frame is free: frees one
   * (evicts a guest page) and returns true, or returns false.
   */
  reclaim: (() => boolean) | null = null;
  /** When set, frees one given frame if a guest page holds it. */
  reclaimFrame: ((frame: number) => boolean) | null = null;

  /**
   * Manages frames [first, first + count). Frames are handed out in an
   * order that interleaves two halves of the pool, so consecutive guest
   * pages land in non-adjacent real frames.
   */
  constructor(first: number, count: number) {
    this.total = count;
    this.first = first;
    const half = Math.ceil(count / 2);
    for (let i = 0; i < half; i++) {
      this.#free.push(first + i);
      if (i + half < count) this.#free.push(first + i + half);
    }
    this.#free.reverse();
  }

  /** Frames still free. */
  get available(): number {
    return this.#free.length;
  }

  /**
   * Allocates one frame.
   *
   * @throws {RangeError} when real memory is exhausted
   */
  allocate(owner: string, use: string): number {
    if (this.#free.length === 0) this.reclaim?.();
    const f = this.#free.pop();
    if (f === undefined) {
      throw new RangeError(
        `Cannot allocate a real page frame for ${owner} (${use}): real memory is exhausted`,
      );
    }
    this.#owners.set(f, { owner, use });
    return f;
  }

  /** Allocates n frames (any order). */
  allocateMany(n: number, owner: string, use: string): number[] {
    if (n > this.#free.length) {
      throw new RangeError(
        `Cannot allocate ${n} real page frames for ${owner} (${use}): only ${this.#free.length} are free`,
      );
    }
    return Array.from({ length: n }, () => this.allocate(owner, use));
  }

  /** Allocates n physically contiguous frames (for DMA bounce buffers). */
  allocateContiguous(n: number, owner: string, use: string): number {
    const sorted = [...this.#free].sort((a, b) => a - b);
    for (let i = 0; i + n <= sorted.length; i++) {
      if (sorted[i + n - 1]! - sorted[i]! === n - 1) {
        const first = sorted[i]!;
        for (let k = 0; k < n; k++) {
          const j = this.#free.indexOf(first + k);
          this.#free.splice(j, 1);
          this.#owners.set(first + k, { owner, use });
        }
        return first;
      }
    }
    if (this.reclaimFrame) {
      // Free a run by taking guest pages out of their frames.
      const ok = (f: number) => {
        const o = this.#owners.get(f);
        return o === undefined || o.use === "memory";
      };
      for (let s = this.first; s + n <= this.first + this.total; s++) {
        let k = 0;
        while (k < n && ok(s + k)) k++;
        if (k < n) {
          s += k;
          continue;
        }
        for (let j = 0; j < n; j++) {
          if (this.#owners.has(s + j)) this.reclaimFrame(s + j);
        }
        let freed = true;
        for (let j = 0; j < n; j++) freed &&= !this.#owners.has(s + j);
        if (freed) {
          const saved = this.reclaimFrame;
          this.reclaimFrame = null; // the run is free now: no second search
          try {
            return this.allocateContiguous(n, owner, use);
          } finally {
            this.reclaimFrame = saved;
          }
        }
      }
    }
    throw new RangeError(
      `Cannot allocate ${n} contiguous real page frames for ${owner} (${use})`,
    );
  }

  /** Returns a frame to the pool. */
  /**
   * Takes back a frame that was just released (undoing a failed move).
   *
   * @throws {RangeError} when the frame is not free
   */
  claim(frame: number, owner: string, use: string): void {
    const i = this.#free.indexOf(frame);
    if (i < 0) {
      throw new RangeError(
        `Cannot claim frame ${formatHex(frame)}: it is not free`,
      );
    }
    this.#free.splice(i, 1);
    this.#owners.set(frame, { owner, use });
  }

  /** Returns a frame to the free list. */
  release(frame: number): void {
    if (this.#owners.delete(frame)) this.#free.push(frame);
  }

  /** Owner of a frame, if allocated. */
  ownerOf(frame: number): FrameOwner | undefined {
    return this.#owners.get(frame);
  }
}
