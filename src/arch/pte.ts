/**
 * Page-table entries and protection codes (vax-architecture.md sections
 * 10.3 and 10.4; the shadow remap of vm-extensions.md "Ring compression").
 *
 * @module
 */

/** PTE<31>: valid. */
export const PTE_V = 0x80000000;
/** PTE<30:27>: protection code. */
export const PTE_PROT_MASK = 0x78000000;
/** Bit position of the protection code. */
export const PTE_PROT_SHIFT = 27;
/** PTE<26>: modified. */
export const PTE_M = 0x04000000;
/** PTE<25:21>: bits left to software. */
export const PTE_SOFT_MASK = 0x03e00000;
/** PTE<20:0>: page frame number. */
export const PTE_PFN_MASK = 0x001fffff;
/** Page size in bytes. */
export const PAGE_SIZE = 512;
/** log2 of the page size. */
export const PAGE_SHIFT = 9;
/** Byte-within-page mask. */
export const PAGE_OFFSET_MASK = 0x1ff;

/** Mnemonics of the sixteen protection codes, indexed by code. */
export const PROT_NAMES: readonly string[] = [
  "NA",
  "RSVD",
  "KW",
  "KR",
  "UW",
  "EW",
  "ERKW",
  "ER",
  "SW",
  "SREW",
  "SRKW",
  "SR",
  "URSW",
  "UREW",
  "URKW",
  "UR",
];

/**
 * Least privileged mode that may read, per code (-1: none). Modes at least
 * as privileged also may.
 */
const READ_LIMIT = [-1, -1, 0, 0, 3, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3];
/** Least privileged mode that may write, per code (-1: none). */
const WRITE_LIMIT = [-1, -1, 0, -1, 3, 1, 0, -1, 2, 1, 0, -1, 2, 1, 0, -1];

/**
 * Bit masks of the modes allowed to read, per protection code: bit m set
 * means mode m may read (section 10.4 table).
 */
export const PROT_READ_MODES: Uint8Array = Uint8Array.from(
  READ_LIMIT,
  (lim) => (1 << (lim + 1)) - 1,
);

/** Bit masks of the modes allowed to write, per protection code. */
export const PROT_WRITE_MODES: Uint8Array = Uint8Array.from(
  WRITE_LIMIT,
  (lim) => (1 << (lim + 1)) - 1,
);

/** Whether mode may read a page with the given protection code. */
export function canRead(prot: number, mode: number): boolean {
  return (PROT_READ_MODES[prot & 15]! >> mode & 1) === 1;
}

/** Whether mode may write a page with the given protection code. */
export function canWrite(prot: number, mode: number): boolean {
  return (PROT_WRITE_MODES[prot & 15]! >> mode & 1) === 1;
}

/**
 * The ring-compression remap of vm-extensions.md: kernel rights given to
 * executive. KW→EW, KR→ER, ERKW→EW, SRKW→SREW, URKW→UREW, others unchanged.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { compressProt, PROT_NAMES } from "./pte.ts";
 * ok(PROT_NAMES[compressProt(2)] === "EW");
 * ```
 */
export function compressProt(prot: number): number {
  switch (prot & 15) {
    case 2:
      return 5; // KW -> EW
    case 3:
      return 7; // KR -> ER
    case 6:
      return 5; // ERKW -> EW
    case 10:
      return 9; // SRKW -> SREW
    case 14:
      return 13; // URKW -> UREW
    default:
      return prot & 15;
  }
}

/** The fields of a PTE, decoded. */
export interface PteFields {
  /** Valid bit. */
  valid: boolean;
  /** Protection code, 0 to 15. */
  prot: number;
  /** Protection mnemonic. */
  protName: string;
  /** Modified bit. */
  modified: boolean;
  /** Software bits <25:21>. */
  soft: number;
  /** Page frame number. */
  pfn: number;
}

/** Decodes a PTE. */
export function decodePte(pte: number): PteFields {
  const prot = (pte >>> PTE_PROT_SHIFT) & 15;
  return {
    valid: (pte & PTE_V) !== 0,
    prot,
    protName: PROT_NAMES[prot]!,
    modified: (pte & PTE_M) !== 0,
    soft: (pte >>> 21) & 31,
    pfn: pte & PTE_PFN_MASK,
  };
}

/** Builds a PTE. */
export function makePte(
  pfn: number,
  prot: number,
  opts: { valid?: boolean; modified?: boolean } = {},
): number {
  return ((opts.valid ?? true ? PTE_V : 0) |
    ((prot & 15) << PTE_PROT_SHIFT) |
    (opts.modified ? PTE_M : 0) |
    (pfn & PTE_PFN_MASK)) >>> 0;
}

/** Looks up a protection code by mnemonic (case-insensitive). */
export function protCode(name: string): number | undefined {
  const i = PROT_NAMES.indexOf(name.toUpperCase());
  return i < 0 ? undefined : i;
}
