/**
 * The Processor Status Longword as data (vax-architecture.md section 1,
 * vm-extensions.md "Registers").
 *
 * @module
 */

/** PSL<0>: carry or borrow. */
export const PSL_C = 0x00000001;
/** PSL<1>: overflow. */
export const PSL_V = 0x00000002;
/** PSL<2>: zero. */
export const PSL_Z = 0x00000004;
/** PSL<3>: negative. */
export const PSL_N = 0x00000008;
/** PSL<4>: trace enable. */
export const PSL_T = 0x00000010;
/** PSL<5>: integer overflow trap enable. */
export const PSL_IV = 0x00000020;
/** PSL<6>: floating underflow fault enable. */
export const PSL_FU = 0x00000040;
/** PSL<7>: decimal overflow trap enable. */
export const PSL_DV = 0x00000080;
/** Condition-code mask, PSL<3:0>. */
export const PSL_CC = 0x0000000f;
/** PSL<20:16>: interrupt priority level. */
export const PSL_IPL_MASK = 0x001f0000;
/** Bit position of the IPL field. */
export const PSL_IPL_SHIFT = 16;
/** PSL<23:22>: previous access mode. */
export const PSL_PRV_MASK = 0x00c00000;
/** Bit position of the previous-mode field. */
export const PSL_PRV_SHIFT = 22;
/** PSL<25:24>: current access mode. */
export const PSL_CUR_MASK = 0x03000000;
/** Bit position of the current-mode field. */
export const PSL_CUR_SHIFT = 24;
/** PSL<26>: executing on the interrupt stack. */
export const PSL_IS = 0x04000000;
/** PSL<27>: first part done. */
export const PSL_FPD = 0x08000000;
/** PSL<29>: VM bit (VM extensions as defined by vmmlab; must-be-zero on a standard VAX). */
export const PSL_VM = 0x20000000;
/** PSL<30>: trace pending. */
export const PSL_TP = 0x40000000;
/** PSL<31>: compatibility mode (not on the KA655). */
export const PSL_CM = 0x80000000;
/** Must-be-zero bits of the standard PSL: <29:28>, <21>, <15:8>. */
export const PSL_MBZ = 0x3020ff00;
/** Must-be-zero bits when the VM extensions are enabled (bit 29 is the VM bit). */
export const PSL_MBZ_VM = 0x1020ff00;
/** VMPSL fields that exist: IS<26>, CUR_MOD<25:24>, PRV_MOD<23:22>, IPL<20:16>. */
export const VMPSL_MASK = PSL_IS | PSL_CUR_MASK | PSL_PRV_MASK | PSL_IPL_MASK;

/** Access modes (section 1.1): 0 kernel, 1 executive, 2 supervisor, 3 user. */
export const MODE_KERNEL = 0;
/** Executive mode. */
export const MODE_EXEC = 1;
/** Supervisor mode. */
export const MODE_SUPER = 2;
/** User mode. */
export const MODE_USER = 3;

/** An access mode number, 0 (kernel) to 3 (user). */
export type AccessMode = 0 | 1 | 2 | 3;

/** Names of the access modes, indexed by mode number. */
export const MODE_NAMES: readonly string[] = [
  "kernel",
  "executive",
  "supervisor",
  "user",
];

/** One-letter names of the access modes, indexed by mode number. */
export const MODE_LETTERS: readonly string[] = ["K", "E", "S", "U"];

/** The fields of a PSL, decoded. */
export interface PslFields {
  /** Compatibility mode, PSL<31>. */
  cm: boolean;
  /** Trace pending, PSL<30>. */
  tp: boolean;
  /** VM bit, PSL<29> (vmmlab VM extensions). */
  vm: boolean;
  /** First part done, PSL<27>. */
  fpd: boolean;
  /** Interrupt stack, PSL<26>. */
  is: boolean;
  /** Current mode, PSL<25:24>. */
  cur: AccessMode;
  /** Previous mode, PSL<23:22>. */
  prv: AccessMode;
  /** Interrupt priority level, PSL<20:16>. */
  ipl: number;
  /** Decimal overflow enable. */
  dv: boolean;
  /** Floating underflow enable. */
  fu: boolean;
  /** Integer overflow enable. */
  iv: boolean;
  /** Trace enable. */
  t: boolean;
  /** Negative. */
  n: boolean;
  /** Zero. */
  z: boolean;
  /** Overflow. */
  v: boolean;
  /** Carry. */
  c: boolean;
}

/** Current mode of a PSL. */
export function pslCur(psl: number): AccessMode {
  return ((psl >>> PSL_CUR_SHIFT) & 3) as AccessMode;
}

/** Previous mode of a PSL. */
export function pslPrv(psl: number): AccessMode {
  return ((psl >>> PSL_PRV_SHIFT) & 3) as AccessMode;
}

/** IPL of a PSL. */
export function pslIpl(psl: number): number {
  return (psl >>> PSL_IPL_SHIFT) & 0x1f;
}

/**
 * Decodes a PSL into its fields.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { decodePsl } from "./psl.ts";
 * const f = decodePsl(0x041f0000);
 * ok(f.is && f.ipl === 31 && f.cur === 0);
 * ```
 */
export function decodePsl(psl: number): PslFields {
  return {
    cm: (psl & PSL_CM) !== 0,
    tp: (psl & PSL_TP) !== 0,
    vm: (psl & PSL_VM) !== 0,
    fpd: (psl & PSL_FPD) !== 0,
    is: (psl & PSL_IS) !== 0,
    cur: pslCur(psl),
    prv: pslPrv(psl),
    ipl: pslIpl(psl),
    dv: (psl & PSL_DV) !== 0,
    fu: (psl & PSL_FU) !== 0,
    iv: (psl & PSL_IV) !== 0,
    t: (psl & PSL_T) !== 0,
    n: (psl & PSL_N) !== 0,
    z: (psl & PSL_Z) !== 0,
    v: (psl & PSL_V) !== 0,
    c: (psl & PSL_C) !== 0,
  };
}

/** Builds a PSL from fields; missing fields are zero. */
export function encodePsl(f: Partial<PslFields>): number {
  let p = 0;
  if (f.cm) p |= PSL_CM;
  if (f.tp) p |= PSL_TP;
  if (f.vm) p |= PSL_VM;
  if (f.fpd) p |= PSL_FPD;
  if (f.is) p |= PSL_IS;
  p |= ((f.cur ?? 0) & 3) << PSL_CUR_SHIFT;
  p |= ((f.prv ?? 0) & 3) << PSL_PRV_SHIFT;
  p |= ((f.ipl ?? 0) & 0x1f) << PSL_IPL_SHIFT;
  if (f.dv) p |= PSL_DV;
  if (f.fu) p |= PSL_FU;
  if (f.iv) p |= PSL_IV;
  if (f.t) p |= PSL_T;
  if (f.n) p |= PSL_N;
  if (f.z) p |= PSL_Z;
  if (f.v) p |= PSL_V;
  if (f.c) p |= PSL_C;
  return p >>> 0;
}

/** One labelled bit field of the PSL, for displays. */
export interface PslFieldLayout {
  /** Field name as the spec writes it. */
  name: string;
  /** Most significant bit. */
  hi: number;
  /** Least significant bit. */
  lo: number;
}

/** The PSL layout, most significant field first (section 1.1). */
export const PSL_LAYOUT: readonly PslFieldLayout[] = [
  { name: "CM", hi: 31, lo: 31 },
  { name: "TP", hi: 30, lo: 30 },
  { name: "VM", hi: 29, lo: 29 },
  { name: "MBZ", hi: 28, lo: 28 },
  { name: "FPD", hi: 27, lo: 27 },
  { name: "IS", hi: 26, lo: 26 },
  { name: "CUR", hi: 25, lo: 24 },
  { name: "PRV", hi: 23, lo: 22 },
  { name: "MBZ", hi: 21, lo: 21 },
  { name: "IPL", hi: 20, lo: 16 },
  { name: "MBZ", hi: 15, lo: 8 },
  { name: "DV", hi: 7, lo: 7 },
  { name: "FU", hi: 6, lo: 6 },
  { name: "IV", hi: 5, lo: 5 },
  { name: "T", hi: 4, lo: 4 },
  { name: "N", hi: 3, lo: 3 },
  { name: "Z", hi: 2, lo: 2 },
  { name: "V", hi: 1, lo: 1 },
  { name: "C", hi: 0, lo: 0 },
];

/**
 * Formats a PSL the way a console would: its value, mode letters, IPL and
 * flags; the value and the IPL in hex marked `0x`, as every rendering, or
 * (`style` "console") unmarked, as CP's console shows everything in hex.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { formatPsl } from "./psl.ts";
 * ok(formatPsl(0x041f0000) === "0x041F0000 CUR=K PRV=K IPL=0x1F IS");
 * ok(formatPsl(0x041f0000, "console") === "041F0000 CUR=K PRV=K IPL=1F IS");
 * ```
 */
export function formatPsl(
  psl: number,
  style: "marked" | "console" = "marked",
): string {
  const f = decodePsl(psl);
  const flags: string[] = [];
  for (
    const [on, name] of [
      [f.cm, "CM"],
      [f.tp, "TP"],
      [f.vm, "VM"],
      [f.fpd, "FPD"],
      [f.is, "IS"],
      [f.dv, "DV"],
      [f.fu, "FU"],
      [f.iv, "IV"],
      [f.t, "T"],
      [f.n, "N"],
      [f.z, "Z"],
      [f.v, "V"],
      [f.c, "C"],
    ] as const
  ) if (on) flags.push(name);
  // Marked hex, as every rendering (src/machine/units.ts formatHex).
  const mark = style === "console" ? "" : "0x";
  const hex = mark + (psl >>> 0).toString(16).toUpperCase().padStart(8, "0");
  const ipl = mark + f.ipl.toString(16).toUpperCase().padStart(2, "0");
  return `${hex} CUR=${MODE_LETTERS[f.cur]} PRV=${
    MODE_LETTERS[f.prv]
  } IPL=${ipl}${flags.length ? " " + flags.join(" ") : ""}`;
}
