/**
 * Checks of what the public API is given, with errors that say what was
 * expected (a REPL user's typos get an answer, never an internal error).
 *
 * @module
 */

import { checkAddress } from "./run_options.ts";

export { checkAddress };

/** A value as an error message shows it. */
export function describeValue(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "bigint") return `${v}n`;
  if (Array.isArray(v)) return "an array";
  if (v === null) return "null";
  if (typeof v === "object") return v.constructor?.name ?? "an object";
  if (typeof v === "function") return "a function";
  return String(v);
}

/** A register or IPR name: a string. */
export function checkRegisterName(name: unknown, what: string): string {
  if (typeof name !== "string") {
    throw new TypeError(
      `Cannot ${what} ${
        describeValue(name)
      }: expected a register name such as "R0", "PC", "PSL" or an IPR name such as "SCBB"`,
    );
  }
  return name;
}

/** A 32-bit value: an integer from -2^31 to 2^32 - 1. */
export function checkLongword(value: unknown, what: string): number {
  if (
    typeof value !== "number" || !Number.isInteger(value) ||
    value < -0x80000000 || value > 0xffffffff
  ) {
    throw new RangeError(
      `Cannot ${what} ${
        describeValue(value)
      }: expected a 32-bit integer (0 to 0xFFFFFFFF, or negative down to -2^31)`,
    );
  }
  return value;
}

/** A byte count from 0 to `max`. */
export function checkLength(
  length: unknown,
  max: number,
  what: string,
): number {
  if (
    typeof length !== "number" || !Number.isSafeInteger(length) || length < 0 ||
    length > max
  ) {
    throw new RangeError(
      `Cannot ${what} ${describeValue(length)} bytes: expected 0 to ${max}`,
    );
  }
  return length;
}

/** Bytes: a Uint8Array. */
export function checkBytes(bytes: unknown, what: string): Uint8Array {
  if (!(bytes instanceof Uint8Array)) {
    throw new TypeError(
      `Cannot ${what} ${
        describeValue(bytes)
      }: expected the bytes as a Uint8Array`,
    );
  }
  return bytes;
}

const MODES: Record<string, number> = {
  kernel: 0,
  executive: 1,
  supervisor: 2,
  user: 3,
};

/** An access mode: 0 to 3, or its name. */
export function checkMode(mode: unknown, what: string): number {
  if (typeof mode === "string" && mode.toLowerCase() in MODES) {
    return MODES[mode.toLowerCase()]!;
  }
  if (
    typeof mode === "number" && Number.isInteger(mode) && mode >= 0 && mode <= 3
  ) {
    return mode;
  }
  throw new RangeError(
    `Cannot ${what} in mode ${
      describeValue(mode)
    }: expected 0-3 or kernel, executive, supervisor, user`,
  );
}

/** Addresses for breakpoints: an iterable of 32-bit addresses. */
export function checkAddresses(addresses: unknown, what: string): number[] {
  if (
    addresses === null || typeof addresses !== "object" ||
    typeof (addresses as Iterable<unknown>)[Symbol.iterator] !== "function"
  ) {
    throw new TypeError(
      `Cannot ${what} ${
        describeValue(addresses)
      }: expected an array of addresses`,
    );
  }
  return [...(addresses as Iterable<unknown>)].map((a) =>
    checkAddress(a, what)
  );
}
