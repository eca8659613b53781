/**
 * Minidisks: the real disk carved into extents, as CP carves DASD into
 * minidisks. Each VM sees the concatenation of its extents as its own disk
 * starting at block 0; the monitor translates every block number and checks
 * every request against the extents.
 *
 * @module
 */

/** One extent of the real disk. */
export interface Extent {
  /** First real block. */
  start: number;
  /** Number of blocks. */
  blocks: number;
  /** Owner (VM name, `monitor` or `free`). */
  owner: string;
  /** Label (e.g. `191` in CP's style, or a description). */
  label: string;
  /** Reached through a read-only link: writes fail (write-protect error). */
  readOnly?: boolean;
}

/** A contiguous piece of a translated request. */
export interface BlockRun {
  /** First virtual block of the run. */
  virtualBlock: number;
  /** First real block. */
  realBlock: number;
  /** Number of blocks. */
  blocks: number;
}

/** The allocation of the real disk into extents. */
export class MinidiskMap {
  /** Capacity of the real disk, in blocks. */
  readonly blocks: number;
  readonly #extents: Extent[] = [];

  /** Creates an empty map of a real disk of `blocks` blocks. */
  constructor(blocks: number) {
    this.blocks = blocks;
  }

  /** Allocated extents, in disk order. */
  get extents(): readonly Extent[] {
    return [...this.#extents].sort((a, b) => a.start - b.start);
  }

  /** Extents with the free gaps between them, covering the whole disk. */
  layout(): Extent[] {
    const out: Extent[] = [];
    let at = 0;
    for (const e of this.extents) {
      if (e.start > at) {
        out.push({ start: at, blocks: e.start - at, owner: "free", label: "" });
      }
      out.push({ ...e });
      at = e.start + e.blocks;
    }
    if (at < this.blocks) {
      out.push({
        start: at,
        blocks: this.blocks - at,
        owner: "free",
        label: "",
      });
    }
    return out;
  }

  /**
   * Allocates the extent [start, start + blocks) (a directory's MDISK).
   *
   * @throws {RangeError} when it lies beyond the disk or overlaps another
   */
  allocateAt(
    start: number,
    blocks: number,
    owner: string,
    label: string,
  ): Extent {
    if (
      !Number.isInteger(start) || !Number.isInteger(blocks) || start < 0 ||
      blocks <= 0 || start + blocks > this.blocks
    ) {
      throw new RangeError(
        `Cannot allocate blocks ${start}-${
          start + blocks - 1
        } for ${owner}: expected a positive extent inside the real disk's ${this.blocks} blocks`,
      );
    }
    const clash = this.#extents.find((e) =>
      start < e.start + e.blocks && start + blocks > e.start
    );
    if (clash) {
      throw new RangeError(
        `Cannot allocate blocks ${start}-${
          start + blocks - 1
        } for ${owner}: they overlap ${clash.owner}'s ${clash.label} (blocks ${clash.start}-${
          clash.start + clash.blocks - 1
        })`,
      );
    }
    const e: Extent = { start, blocks, owner, label };
    this.#extents.push(e);
    return e;
  }

  /** Free blocks left. */
  get freeBlocks(): number {
    return this.blocks - this.#extents.reduce((s, e) => s + e.blocks, 0);
  }

  /**
   * Allocates an extent of `blocks` blocks (first fit).
   *
   * @throws {RangeError} when no free gap is large enough
   */
  allocate(blocks: number, owner: string, label: string): Extent {
    if (!Number.isInteger(blocks) || blocks <= 0) {
      throw new RangeError(
        `Cannot allocate a minidisk of ${blocks} blocks for ${owner}: expected a positive whole number`,
      );
    }
    for (const gap of this.layout()) {
      if (gap.owner === "free" && gap.blocks >= blocks) {
        const e: Extent = { start: gap.start, blocks, owner, label };
        this.#extents.push(e);
        return e;
      }
    }
    throw new RangeError(
      `Cannot allocate a minidisk of ${blocks} blocks for ${owner}: the real disk has ${this.freeBlocks} free blocks (no gap large enough)`,
    );
  }

  /** Releases one extent. */
  release(extent: Extent): void {
    const i = this.#extents.indexOf(extent);
    if (i >= 0) this.#extents.splice(i, 1);
  }

  /** Releases every extent of an owner. */
  releaseOwner(owner: string): void {
    for (let i = this.#extents.length - 1; i >= 0; i--) {
      if (this.#extents[i]!.owner === owner) this.#extents.splice(i, 1);
    }
  }
}

/**
 * Whether any block of [block, block + count) lies on a read-only extent
 * (a read-only LINK): a write there fails with the controller's
 * write-protect error.
 */
export function writeProtected(
  extents: readonly Extent[],
  block: number,
  count: number,
): boolean {
  let base = 0;
  for (const e of extents) {
    if (e.readOnly && block < base + e.blocks && block + count > base) {
      return true;
    }
    base += e.blocks;
  }
  return false;
}

/**
 * Translates a request for `count` virtual blocks starting at `block` on a
 * disk made of `extents` (concatenated in order) into runs of contiguous
 * real blocks. Returns undefined when any block lies outside the minidisk.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { translateBlocks } from "./minidisk.ts";
 * const runs = translateBlocks(
 *   [{ start: 100, blocks: 4, owner: "A", label: "" }, { start: 50, blocks: 4, owner: "A", label: "" }],
 *   2,
 *   4,
 * );
 * ok(runs!.length === 2 && runs![1]!.realBlock === 50);
 * ```
 */
export function translateBlocks(
  extents: readonly Extent[],
  block: number,
  count: number,
): BlockRun[] | undefined {
  const size = extents.reduce((s, e) => s + e.blocks, 0);
  if (block < 0 || count < 0 || block + count > size) return undefined;
  const runs: BlockRun[] = [];
  let v = block;
  let left = count;
  let base = 0;
  for (const e of extents) {
    if (left === 0) break;
    if (v < base + e.blocks) {
      const off = v - base;
      const n = Math.min(left, e.blocks - off);
      runs.push({ virtualBlock: v, realBlock: e.start + off, blocks: n });
      v += n;
      left -= n;
    }
    base += e.blocks;
  }
  return runs;
}
