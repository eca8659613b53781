/**
 * Physical memory (vax-architecture.md section 10.1: 30-bit physical
 * addresses; references beyond the installed size raise a machine check).
 *
 * @module
 */

/** Default memory size: 16 MiB, as a MicroVAX 3900 in SimH. */
export const DEFAULT_MEMORY_SIZE = 16 * 1024 * 1024;

/** Largest physical address space of the CVAX: 2^30 bytes. */
export const MAX_MEMORY_SIZE = 1 << 30;

/**
 * Which 512-byte pages of one buffer hold instructions a processor has
 * decoded, shared by every {@link PhysicalMemory} that views the buffer (a
 * nested monitor's memory is a view of its host's), and who to tell when
 * such a page is written.
 */
interface CodeWatch {
  /** Per page of the buffer: non-zero when some processor decoded code in it. */
  readonly flags: Uint8Array;
  /** Called with the buffer page number when a flagged page is written. */
  readonly listeners: ((page: number) => void)[];
}

const WATCHES = new WeakMap<ArrayBufferLike, CodeWatch>();

function watchOf(buffer: ArrayBufferLike): CodeWatch {
  let w = WATCHES.get(buffer);
  if (w === undefined) {
    w = {
      flags: new Uint8Array(Math.ceil(buffer.byteLength / 512)),
      listeners: [],
    };
    WATCHES.set(buffer, w);
  }
  return w;
}

/**
 * Byte-addressed little-endian physical memory. Methods that take a physical
 * address return `undefined`-free numbers; bounds are the caller's concern
 * (the CPU checks them and raises a machine check); the `*Checked` helpers
 * throw a `RangeError` for host-side callers.
 */
export class PhysicalMemory {
  /** Size in bytes (a multiple of 512). */
  readonly size: number;
  /** Byte view. */
  readonly u8: Uint8Array;
  /** Longword view (for aligned accesses). */
  readonly i32: Int32Array;
  /** Word view (for aligned accesses). */
  readonly u16: Uint16Array;
  /**
   * Per 512-byte page: non-zero when a processor holds decoded instructions
   * of that page. Every write through this object's methods to such a page
   * drops them (self-modifying and freshly loaded code). Code outside the
   * processor writes through `writeB/W/L`, `load` and `fill`; the processor
   * itself writes {@link PhysicalMemory.u8} directly only where it knows no
   * decoded code can be (tests/machine/memory_writes_test.ts checks this).
   */
  readonly codePages: Uint8Array;
  readonly #watch: CodeWatch;
  readonly #pageBase: number;

  /**
   * Creates memory of the given size in bytes, or (with `shared`) a view of
   * `size` bytes of an existing buffer at a 512-byte aligned offset: the
   * storage of a virtual machine whose frames are contiguous, seen as the
   * physical memory of a monitor that runs in it.
   *
   * @example
   * ```ts
   * import { ok } from "node:assert/strict";
   * import { PhysicalMemory } from "./memory.ts";
   * const m = new PhysicalMemory(4096);
   * m.writeL(0, 0x12345678);
   * ok(m.readB(0) === 0x78);
   * ```
   */
  constructor(
    size: number = DEFAULT_MEMORY_SIZE,
    shared?: { buffer: ArrayBuffer; byteOffset: number },
  ) {
    if (
      !Number.isInteger(size) || size < 512 || size > MAX_MEMORY_SIZE ||
      size % 512 !== 0
    ) {
      throw new RangeError(
        `Cannot create memory of ${size} bytes: expected a multiple of 512 between 512 and ${MAX_MEMORY_SIZE}`,
      );
    }
    this.size = size;
    const buf = shared?.buffer ?? new ArrayBuffer(size);
    const off = shared?.byteOffset ?? 0;
    if (off % 512 !== 0 || off + size > buf.byteLength) {
      throw new RangeError(
        `Cannot view ${size} bytes at offset ${off} of a buffer of ${buf.byteLength} bytes: expected a 512-byte aligned range inside it`,
      );
    }
    this.u8 = new Uint8Array(buf, off, size);
    this.i32 = new Int32Array(buf, off, size / 4);
    this.u16 = new Uint16Array(buf, off, size / 2);
    this.#watch = watchOf(buf);
    this.#pageBase = off / 512;
    this.codePages = this.#watch.flags.subarray(
      this.#pageBase,
      this.#pageBase + size / 512,
    );
  }

  /**
   * Registers a processor's decode cache: `drop(page)` is called with the
   * physical page number (of this memory) when a page whose
   * {@link PhysicalMemory.codePages} flag is set is written, through this
   * object or another view of the same storage. The caller clears the flag.
   */
  watchCode(drop: (page: number) => void): void {
    const base = this.#pageBase;
    const pages = this.size / 512;
    this.#watch.listeners.push((p) => {
      const q = p - base;
      if (q >= 0 && q < pages) drop(q);
    });
  }

  /**
   * Reports that bytes [pa, pa + length) changed without going through the
   * write methods (a device's DMA into {@link PhysicalMemory.u8}, a block
   * copy): decoded instructions there are dropped. Cheap when none are.
   */
  written(pa: number, length: number): void {
    if (length <= 0) return;
    const flags = this.codePages;
    const last = Math.min((pa + length - 1) >>> 9, flags.length - 1);
    for (let p = pa >>> 9; p <= last; p++) {
      if (flags[p] !== 0) this.#codeWritten(p);
    }
  }

  #codeWritten(page: number): void {
    const b = this.#pageBase + page;
    for (const f of this.#watch.listeners) f(b);
    this.#watch.flags[b] = 0;
  }

  /** Whether [pa, pa + length) lies inside memory. */
  contains(pa: number, length = 1): boolean {
    return pa >= 0 && length >= 0 && pa + length <= this.size;
  }

  /** Reads a byte (no bounds check). */
  readB(pa: number): number {
    return this.u8[pa]!;
  }

  /** Reads a word, zero-extended (no bounds check). */
  readW(pa: number): number {
    if ((pa & 1) === 0) return this.u16[pa >>> 1]!;
    const u8 = this.u8;
    return u8[pa]! | (u8[pa + 1]! << 8);
  }

  /** Reads a longword as a signed 32-bit integer (no bounds check). */
  readL(pa: number): number {
    if ((pa & 3) === 0) return this.i32[pa >>> 2]!;
    const u8 = this.u8;
    return u8[pa]! | (u8[pa + 1]! << 8) | (u8[pa + 2]! << 16) |
      (u8[pa + 3]! << 24);
  }

  /** Writes a byte (no bounds check). */
  writeB(pa: number, v: number): void {
    if (this.codePages[pa >>> 9] !== 0) this.#codeWritten(pa >>> 9);
    this.u8[pa] = v;
  }

  /** Writes a word (no bounds check). */
  writeW(pa: number, v: number): void {
    const flags = this.codePages;
    if ((flags[pa >>> 9]! | flags[(pa + 1) >>> 9]!) !== 0) this.written(pa, 2);
    if ((pa & 1) === 0) {
      this.u16[pa >>> 1] = v;
      return;
    }
    this.u8[pa] = v;
    this.u8[pa + 1] = v >>> 8;
  }

  /** Writes a longword (no bounds check). */
  writeL(pa: number, v: number): void {
    const flags = this.codePages;
    if ((flags[pa >>> 9]! | flags[(pa + 3) >>> 9]!) !== 0) this.written(pa, 4);
    if ((pa & 3) === 0) {
      this.i32[pa >>> 2] = v;
      return;
    }
    const u8 = this.u8;
    u8[pa] = v;
    u8[pa + 1] = v >>> 8;
    u8[pa + 2] = v >>> 16;
    u8[pa + 3] = v >>> 24;
  }

  /**
   * Copies bytes into memory at a physical address.
   *
   * @throws {RangeError} when the range does not fit in memory
   */
  load(pa: number, bytes: Uint8Array): void {
    this.#check(pa, bytes.length, "load");
    this.written(pa, bytes.length);
    this.u8.set(bytes, pa);
  }

  /**
   * Sets `length` bytes at a physical address to `value` (0 by default),
   * dropping decoded instructions there.
   *
   * @throws {RangeError} when the range does not fit in memory
   */
  fill(pa: number, length: number, value = 0): void {
    this.#check(pa, length, "fill");
    this.written(pa, length);
    this.u8.fill(value, pa, pa + length);
  }

  /**
   * Copies `length` bytes inside memory from `from` to `to` (the ranges may
   * overlap), dropping decoded instructions at the destination.
   *
   * @throws {RangeError} when a range does not fit in memory
   */
  copy(to: number, from: number, length: number): void {
    this.#check(from, length, "copy", "from");
    this.#check(to, length, "copy", "to");
    this.written(to, length);
    this.u8.copyWithin(to, from, from + length);
  }

  /**
   * Returns a copy of a range of memory.
   *
   * @throws {RangeError} when the range does not fit in memory
   */
  slice(pa: number, length: number): Uint8Array {
    this.#check(pa, length, "read");
    return this.u8.slice(pa, pa + length);
  }

  #check(pa: number, length: number, what: string, at = "at"): void {
    if (
      !Number.isInteger(pa) || !Number.isInteger(length) ||
      !this.contains(pa, length)
    ) {
      throw new RangeError(
        `Cannot ${what} ${length} bytes ${at} physical address 0x${
          (pa >>> 0).toString(16).toUpperCase()
        }: memory is 0x${this.size.toString(16).toUpperCase()} bytes`,
      );
    }
  }
}
