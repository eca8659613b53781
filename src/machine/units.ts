/**
 * Parsing of sizes ("2 MiB", "512 KiB", 4096) and numbers in the notations
 * users type (`0x1F`, `^X1F`, decimal).
 *
 * @module
 */

const UNITS: Record<string, number> = {
  "": 1,
  b: 1,
  kib: 1024,
  k: 1024,
  kb: 1000,
  mib: 1024 * 1024,
  m: 1024 * 1024,
  mb: 1000 * 1000,
  gib: 1024 * 1024 * 1024,
  g: 1024 * 1024 * 1024,
  gb: 1000 * 1000 * 1000,
  blocks: 512,
  block: 512,
  pages: 512,
  page: 512,
};

/** A size in bytes: a number, or a string such as `"2 MiB"` or `"64 blocks"`. */
export type Size = number | string;

/**
 * Parses a size into bytes.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { parseSize } from "./units.ts";
 * ok(parseSize("2 MiB") === 2097152);
 * ok(parseSize("8 blocks") === 4096);
 * ```
 * @throws {RangeError} when the text is not a size
 */
export function parseSize(size: Size, what = "size"): number {
  if (typeof size === "number") {
    if (!Number.isInteger(size) || size < 0) {
      throw new RangeError(
        `Cannot use ${what} ${size}: expected a non-negative whole number of bytes`,
      );
    }
    return size;
  }
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(size);
  const unit = m ? UNITS[m[2]!.toLowerCase()] : undefined;
  if (!m || unit === undefined) {
    throw new RangeError(
      `Cannot parse ${what} "${size}": expected a number with an optional unit (B, KiB, MiB, GiB, blocks)`,
    );
  }
  const bytes = Number(m[1]) * unit;
  if (!Number.isInteger(bytes)) {
    throw new RangeError(
      `Cannot parse ${what} "${size}": not a whole number of bytes`,
    );
  }
  return bytes;
}

/**
 * A size as the user wrote it, for error messages: a string in quotes as
 * typed (`"256MiB"`), a number as a count of bytes.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { sizeAsTyped } from "./units.ts";
 * equal(sizeAsTyped(" 256MiB "), '"256MiB"');
 * equal(sizeAsTyped(1000), "1,000 bytes");
 * ```
 */
export function sizeAsTyped(size: Size): string {
  return typeof size === "string"
    ? `"${size.trim()}"`
    : formatCount(size, "byte");
}

/**
 * Parses a number written as `0x1F`, `^X1F`, `^O17`, `^B101`, `^D31` or
 * decimal (optionally negative). Returns undefined if the text is not one.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { parseNumber } from "./units.ts";
 * ok(parseNumber("^X1F") === 31 && parseNumber("0x1f") === 31);
 * ```
 */
export function parseNumber(text: string): number | undefined {
  const t = text.trim();
  let m: RegExpExecArray | null;
  let v: number;
  if ((m = /^(-?)0x([0-9a-f]+)$/i.exec(t))) v = parseInt(m[2]!, 16);
  else if ((m = /^(-?)\^x([0-9a-f]+)$/i.exec(t))) v = parseInt(m[2]!, 16);
  else if ((m = /^(-?)\^o([0-7]+)$/i.exec(t))) v = parseInt(m[2]!, 8);
  else if ((m = /^(-?)\^b([01]+)$/i.exec(t))) v = parseInt(m[2]!, 2);
  else if ((m = /^(-?)(?:\^d)?([0-9]+)$/i.exec(t))) v = parseInt(m[2]!, 10);
  else return undefined;
  if (v > 0xffffffff) return undefined;
  return m[1] === "-" ? -v : v;
}

/**
 * The numbers convention of every rendering (terminal, HTML, CLI, errors):
 * addresses, register and PSL values, PSL fields such as IPL, IPR numbers
 * and PTE fields are hexadecimal, upper case, marked `0x` (never `^X`, never
 * bare where a reader could take them for decimal); counts and times are
 * decimal with their unit ({@link formatCount}, {@link formatNs},
 * {@link formatBytes}). Values returned to scripts stay numbers.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { formatHex } from "./units.ts";
 * equal(formatHex(0x1000, 8), "0x00001000");
 * equal(formatHex(20), "0x14");
 * ```
 */
export function formatHex(v: number, width = 2): string {
  return "0x" + (v >>> 0).toString(16).toUpperCase().padStart(width, "0");
}

/**
 * A count with its unit, singular or plural, in decimal with thousands
 * separators: `1 instruction`, `12,345 instructions`.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { formatCount } from "./units.ts";
 * equal(formatCount(1, "event"), "1 event");
 * equal(formatCount(44375, "instruction"), "44,375 instructions");
 * equal(formatCount(2, "entry", "entries"), "2 entries");
 * ```
 */
export function formatCount(n: number, unit: string, plural?: string): string {
  const word = n === 1 ? unit : plural ?? `${unit}s`;
  return `${n.toLocaleString("en-US")} ${word}`;
}

/** Formats a number as 8 upper-case hex digits (no mark: for fixed-width columns whose header says hex). */
export function hex8(v: number): string {
  return (v >>> 0).toString(16).toUpperCase().padStart(8, "0");
}

/** Formats a number as upper-case hex with a minimum width. */
export function hex(v: number, width = 1): string {
  return (v >>> 0).toString(16).toUpperCase().padStart(width, "0");
}

/** Formats a byte count with binary units (`2 MiB`). */
export function formatBytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB"];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1 && v % 1024 === 0) {
    v /= 1024;
    u++;
  }
  return `${v} ${units[u]}`;
}

/** Formats simulated nanoseconds readably (`1.25 ms`, `3.4 µs`). */
export function formatNs(ns: number): string {
  if (ns < 1_000) return `${ns.toFixed(0)} ns`;
  if (ns < 1_000_000) return `${(ns / 1_000).toFixed(2)} µs`;
  if (ns < 1_000_000_000) return `${(ns / 1_000_000).toFixed(3)} ms`;
  return `${(ns / 1_000_000_000).toFixed(3)} s`;
}
