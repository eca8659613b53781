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
    this.u8[pa] = v;
  }

  /** Writes a word (no bounds check). */
  writeW(pa: number, v: number): void {
    if ((pa & 1) === 0) {
      this.u16[pa >>> 1] = v;
      return;
    }
    this.u8[pa] = v;
    this.u8[pa + 1] = v >>> 8;
  }

  /** Writes a longword (no bounds check). */
  writeL(pa: number, v: number): void {
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
    this.u8.set(bytes, pa);
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

  #check(pa: number, length: number, what: string): void {
    if (
      !Number.isInteger(pa) || !Number.isInteger(length) ||
      !this.contains(pa, length)
    ) {
      throw new RangeError(
        `Cannot ${what} ${length} bytes at physical address 0x${
          (pa >>> 0).toString(16).toUpperCase()
        }: memory is 0x${this.size.toString(16).toUpperCase()} bytes`,
      );
    }
  }
}
