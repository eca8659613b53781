/**
 * Listings: each source line that occupies bytes, with its address and
 * (up to eight of) its bytes.
 *
 * @module
 */

import type { Assembly } from "./assembler.ts";

/**
 * The listing of an assembly as lines of text.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { assemble } from "./assembler.ts";
 * import { listing } from "./listing.ts";
 * const [line] = listing(assemble("MOVL #1,R0", { origin: 0x200 }));
 * equal(line, "00000200  d0 01 50                 MOVL #1,R0");
 * ```
 */
export function listing(a: Assembly, maxLines = Infinity): string[] {
  return a.lines.slice(0, maxLines).map((l) => {
    const start = l.address - a.origin;
    const bytes = Array.from(
      a.bytes.subarray(start, start + Math.min(l.length, 8)),
      (b) => b.toString(16).padStart(2, "0"),
    ).join(" ");
    const addr = l.address.toString(16).toUpperCase().padStart(8, "0");
    return `${addr}  ${bytes.padEnd(24)} ${l.text}`;
  });
}
