/**
 * What every guest of `src/guests/` shares: the shape of an assembled guest
 * image, the small interface a guest is booted on (a `Machine`, or a
 * `VirtualMachine` later), and helpers to boot and to check results.
 *
 * @module
 */

import type { Assembly } from "../asm/assembler.ts";
import { PSL_IPL_MASK, PSL_IS } from "../arch/psl.ts";

/**
 * The PSL of a VAX at power-up (vax-architecture.md section 1.3): kernel
 * mode, on the interrupt stack, IPL 31. Guests are started in this state.
 */
export const POWER_UP_PSL: number = (PSL_IS | PSL_IPL_MASK) >>> 0;

/**
 * What a guest needs from the machine it boots on. `Machine` implements it,
 * and so will a monitor's `VirtualMachine`; anything else with the same
 * methods works too.
 */
export interface BootTarget {
  /** Copies bytes into (guest-)physical memory. */
  load(bytes: Uint8Array, address: number): void;
  /** Writes a general register, `PSL`, or an IPR by name. */
  set(name: string, value: number): void;
  /**
   * Sets the PSL and switches R14 to the stack it selects; when absent,
   * `set("PSL", value)` is used.
   */
  setPsl?(value: number): void;
  /** Memory size in bytes, when the target tells it (checked if present). */
  readonly memorySize?: number;
  /** The disk, written with the guest's initial disk contents. */
  readonly disk: {
    /** Capacity in blocks, when known (checked if present). */
    readonly blocks?: number;
    /** Writes bytes starting at a block. */
    writeBlocks(block: number, bytes: Uint8Array): void;
  };
}

/** An assembled guest, ready to load. */
export interface GuestImage {
  /** Short name of the guest (`"o"`, `"cms"`). */
  readonly name: string;
  /** The assembly source the image was built from. */
  readonly source: string;
  /** The bytes to load at {@link GuestImage.loadAddress}. */
  readonly bytes: Uint8Array;
  /** Physical address where the image is loaded. */
  readonly loadAddress: number;
  /**
   * Address the image was assembled for (equals `loadAddress` for a guest
   * that runs unmapped; the S0 address of the load address for the OS).
   */
  readonly origin: number;
  /** Physical address of the first instruction (memory management off). */
  readonly entry: number;
  /** Initial stack pointer (physical) the host sets before starting. */
  readonly stack: number;
  /** Symbols of the source (addresses as assembled). */
  readonly symbols: ReadonlyMap<string, number>;
  /** Suggested (minimum) memory size in bytes. */
  readonly memorySize: number;
  /** Suggested (minimum) disk size in bytes. */
  readonly diskSize: number;
  /** The full assembler output (listing, `symbol()` lookup). */
  readonly assembly: Assembly;
}

/**
 * Looks up a symbol of an image by a case-insensitive name.
 *
 * @throws {RangeError} naming the symbol when the image does not define it
 */
export function imageSymbol(image: GuestImage, name: string): number {
  return image.assembly.symbol(name);
}

/**
 * Loads an image, checks the target is large enough, and puts the processor
 * in the power-up state (kernel, interrupt stack, IPL 31, memory management
 * off) with PC at the image's entry and SP at its boot stack.
 *
 * @throws {RangeError} if the target's memory or disk is smaller than the
 *   image needs
 */
export function loadImage(
  target: BootTarget,
  image: GuestImage,
  bytes: Uint8Array = image.bytes,
): void {
  if (target.memorySize !== undefined && target.memorySize < image.memorySize) {
    throw new RangeError(
      `Cannot boot ${image.name} on ${target.memorySize} bytes of memory: expected at least ${image.memorySize}`,
    );
  }
  const blocks = target.disk.blocks;
  if (blocks !== undefined && blocks * 512 < image.diskSize) {
    throw new RangeError(
      `Cannot boot ${image.name} on a disk of ${blocks} blocks: expected at least ${
        image.diskSize / 512
      }`,
    );
  }
  target.load(bytes, image.loadAddress);
  target.set("MAPEN", 0);
  if (target.setPsl) target.setPsl(POWER_UP_PSL);
  else target.set("PSL", POWER_UP_PSL);
  target.set("SP", image.stack);
  target.set("PC", image.entry);
}

/** Builds a {@link GuestImage} from an assembly. */
export function makeImage(
  name: string,
  source: string,
  assembly: Assembly,
  layout: {
    loadAddress: number;
    entry: number;
    stack: number;
    memorySize: number;
    diskSize: number;
  },
): GuestImage {
  return {
    name,
    source,
    bytes: assembly.bytes.slice(),
    loadAddress: layout.loadAddress,
    origin: assembly.origin,
    entry: layout.entry,
    stack: layout.stack,
    symbols: assembly.symbols,
    memorySize: layout.memorySize,
    diskSize: layout.diskSize,
    assembly,
  };
}

/**
 * Writes a longword (little-endian) into an image's bytes at an assembled
 * address: how the host patches a flag word before booting.
 *
 * @throws {RangeError} if the address is outside the image
 */
export function patchLong(
  image: GuestImage,
  bytes: Uint8Array,
  address: number,
  value: number,
): void {
  const at = address - image.origin;
  if (at < 0 || at + 4 > bytes.length) {
    throw new RangeError(
      `Cannot patch address 0x${
        (address >>> 0).toString(16)
      }: it is outside the image of ${image.name}`,
    );
  }
  new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).setUint32(
    at,
    value >>> 0,
    true,
  );
}

let crcTable: Uint32Array | undefined;

/**
 * CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320): the checksum the
 * guests compute in VAX code, for checking their output from the host.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { crc32 } from "./guest.ts";
 * ok(crc32(new TextEncoder().encode("123456789")) === 0xcbf43926);
 * ```
 */
export function crc32(bytes: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (const b of bytes) crc = crcTable[(crc ^ b) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** `0x` and eight upper-case hex digits, as the guests print numbers. */
export function guestHex(n: number): string {
  return `0x${(n >>> 0).toString(16).toUpperCase().padStart(8, "0")}`;
}
