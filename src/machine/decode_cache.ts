/**
 * The processor's decode cache: instructions decoded once, kept per
 * physical page in one flat `Int32Array`, and used again every time the
 * processor executes the same bytes. This file holds the entry layout and
 * the decoder that fills an entry from the bytes of memory; the processor
 * (cpu.ts) owns the pool of pages, looks entries up by the physical address
 * of PC after the normal instruction-fetch translation, and drops a page's
 * entries when the page is written (PhysicalMemory.codePages).
 *
 * An entry is {@link DC_STRIDE} integers: the instruction's length (0: not
 * decoded yet, -1: not cacheable, decode it every time), its opcode, its
 * operand count, then two integers per operand: a packed word (kind, base
 * register, the SPEC_TABLE descriptor, where the specifier starts and ends
 * relative to the opcode) and an argument (literal, displacement, immediate
 * value, absolute address or branch displacement). Only one-byte opcodes
 * whose whole instruction lies inside one page are cached, and only
 * specifiers whose evaluation cannot depend on anything but registers and
 * memory at execution time; anything the architecture makes a fault (a
 * literal written, PC as a register) is left to the ordinary decoder.
 *
 * @module
 */

import {
  ACC_A,
  ACC_BB,
  ACC_BW,
  ACC_R,
  ACC_WIDE,
  SPEC_TABLE,
  WIDE_D,
  WIDE_F,
  WIDE_SIZE,
} from "../arch/opcodes.ts";

/** The descriptor of an F-floating read operand, and of a longword read. */
const F_READ = ((ACC_R | ACC_WIDE) << 4) | WIDE_F;
const LONG_READ = (ACC_R << 4) | 4;

/** Integers per decoded instruction. */
export const DC_STRIDE = 16;
/** Integers per decoded page (512 entries, one per byte offset). */
export const DC_PAGE = 512 * DC_STRIDE;

/**
 * Operand kind: short literal (argument: its value; for an F-floating
 * operand the expanded value, `0x4000 | literal << 4`).
 */
export const D_LIT = 0;
/** Operand kind: register mode, Rn not PC. */
export const D_REG = 1;
/** Operand kind: branch displacement (argument: sign-extended). */
export const D_BR = 2;
/** Operand kind: autoincrement (Rn)+, Rn not PC, access not address. */
export const D_AINC = 3;
/** Operand kind: displacement d(Rn), Rn may be PC (argument: d). */
export const D_DISP = 4;
/** Operand kind: displacement deferred @d(Rn), Rn may be PC. */
export const D_DEFER = 5;
/** Operand kind: register deferred (Rn), Rn not PC. */
export const D_REGDEF = 6;
/** Operand kind: immediate #x of read access and size 1, 2 or 4. */
export const D_IMM = 7;
/** Operand kind: absolute @#a (argument: a). */
export const D_ABS = 8;
/** Operand kind: any other longword-or-smaller specifier (general path). */
export const D_SLOW = 9;
/**
 * Operand kind: an octaword, H or other wide operand the decoder leaves to
 * the general path. An F-floating operand is decoded as a longword (see
 * D_LIT); a quadword or D operand in a register or a literal is D_QREG or
 * D_QLIT, in memory one of the memory kinds with the access's wide bit
 * (`ACC_WIDE`) set and size 8.
 */
export const D_WIDE = 10;
/** Operand kind: a quadword or D operand in Rn and Rn+1 (Rn < 14). */
export const D_QREG = 11;
/**
 * Operand kind: a quadword or D short literal (argument: its first
 * longword, expanded; the second is zero).
 */
export const D_QLIT = 12;

function sxb(v: number): number {
  return (v << 24) >> 24;
}

function sxw(v: number): number {
  return (v << 16) >> 16;
}

/** Bytes of a base specifier of index mode at u8[p], or -1 (faults). */
function baseLength(u8: Uint8Array, p: number): number {
  const s = u8[p]!;
  const rn = s & 15;
  switch (s >> 4) {
    case 6:
    case 7:
      return rn === 15 ? -1 : 1;
    case 8:
      return rn === 15 ? -1 : 1;
    case 9:
      return rn === 15 ? 5 : 1;
    case 0xa:
    case 0xb:
      return 2;
    case 0xc:
    case 0xd:
      return 3;
    case 0xe:
    case 0xf:
      return 5;
    default:
      return -1;
  }
}

/**
 * Decodes the instruction whose opcode byte is at `u8[pa]` into
 * `dc[e .. e + DC_STRIDE)`, and returns its length in bytes, or -1 when it
 * is not cacheable (a two-byte or absent opcode, one that crosses the end
 * of its page, a specifier the architecture makes a fault). `counts` is the
 * processor's operand count per opcode (0xFF: not decoded by the fast
 * path). Reads only; never faults.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { D_LIT, D_REG, DC_STRIDE, decodeInstruction } from "./decode_cache.ts";
 * import { SPEC_COUNT } from "../arch/opcodes.ts";
 * const u8 = new Uint8Array(512);
 * u8.set([0xc0, 0x01, 0x51]); // ADDL2 #1,R1
 * const dc = new Int32Array(DC_STRIDE);
 * assert.equal(decodeInstruction(u8, 0, SPEC_COUNT, dc, 0), 3);
 * assert.equal(dc[3]! & 15, D_LIT);
 * assert.equal(dc[4], 1);
 * assert.equal(dc[5]! & 15, D_REG);
 * ```
 */
export function decodeInstruction(
  u8: Uint8Array,
  pa: number,
  counts: Uint8Array,
  dc: Int32Array,
  e: number,
): number {
  const op = u8[pa]!;
  const n = counts[op]!;
  if (n === 0xff) return -1;
  const end = (pa | 511) + 1; // first byte beyond the page
  let p = pa + 1;
  const base = op << 3;
  for (let i = 0; i < n; i++) {
    let d = SPEC_TABLE[base + i]!;
    const acc = d >> 4;
    const start = p - pa;
    let kind: number;
    let rn = 0;
    let arg = 0;
    if (acc === ACC_BB) {
      if (p + 1 > end) return -1;
      kind = D_BR;
      arg = sxb(u8[p]!);
      p += 1;
    } else if (acc === ACC_BW) {
      if (p + 2 > end) return -1;
      kind = D_BR;
      arg = sxw(u8[p]! | (u8[p + 1]! << 8));
      p += 2;
    } else {
      if (p + 1 > end) return -1;
      // An F-floating read operand is a longword but for its short
      // literal (exponent and fraction bits): decoded as a longword read
      // with the literal expanded, so that it takes the longword paths.
      const f = d === F_READ;
      const wide = acc >= ACC_WIDE && !f;
      const a = acc & 7;
      const size = wide ? WIDE_SIZE[d & 15]! : f ? 4 : d & 15;
      if (f) d = LONG_READ;
      // Quadword-sized operands (Q, D) in registers, literals and the
      // memory modes of longwords are decoded too (immediates and index
      // mode are left to the general path).
      const q = wide && size === 8;
      const s = u8[p]!;
      rn = s & 15;
      const mode = s >> 4;
      let len = 1;
      kind = wide ? D_WIDE : D_SLOW;
      switch (mode) {
        case 0:
        case 1:
        case 2:
        case 3:
          if (a !== ACC_R) return -1;
          if (!wide) {
            kind = D_LIT;
            arg = f ? 0x4000 | ((s & 63) << 4) : s & 63;
          } else if (q) {
            kind = D_QLIT;
            // (G operands belong to two-byte opcodes, never cached.)
            arg = (d & 15) === WIDE_D ? 0x4000 | ((s & 63) << 4) : s & 63;
          }
          break;
        case 4: {
          if (rn === 15 || p + 2 > end) return -1;
          const b = baseLength(u8, p + 1);
          if (b < 0) return -1;
          len = 1 + b;
          break;
        }
        case 5:
          if (rn === 15 || a === ACC_A) return -1;
          if (!wide) kind = D_REG;
          else if (q && rn <= 13) kind = D_QREG;
          break;
        case 6:
          if (rn === 15) return -1;
          if (!wide || q) kind = D_REGDEF;
          break;
        case 7:
          if (rn === 15) return -1;
          break;
        case 8:
          if (rn === 15) {
            if (a !== ACC_R) return -1; // address of, or a write into, the I-stream
            len = 1 + size;
            if (!wide && p + len <= end) {
              kind = D_IMM;
              arg = size === 4
                ? u8[p + 1]! | (u8[p + 2]! << 8) | (u8[p + 3]! << 16) |
                  (u8[p + 4]! << 24)
                : size === 1
                ? u8[p + 1]!
                : u8[p + 1]! | (u8[p + 2]! << 8);
            }
          } else if ((!wide || q) && a !== ACC_A) {
            kind = D_AINC;
          }
          break;
        case 9:
          if (rn === 15) {
            len = 5;
            if ((!wide || q) && p + len <= end) {
              kind = D_ABS;
              arg = u8[p + 1]! | (u8[p + 2]! << 8) | (u8[p + 3]! << 16) |
                (u8[p + 4]! << 24);
            }
          }
          break;
        default: {
          // Displacement (deferred) modes: 1, 2 or 4 bytes after the byte.
          const dl = mode <= 0xb ? 1 : mode <= 0xd ? 2 : 4;
          len = 1 + dl;
          if ((!wide || q) && p + len <= end) {
            kind = (mode & 1) === 0 ? D_DISP : D_DEFER;
            arg = dl === 1
              ? sxb(u8[p + 1]!)
              : dl === 2
              ? sxw(u8[p + 1]! | (u8[p + 2]! << 8))
              : u8[p + 1]! | (u8[p + 2]! << 8) | (u8[p + 3]! << 16) |
                (u8[p + 4]! << 24);
          }
        }
      }
      if (p + len > end) return -1;
      p += len;
      if (kind === D_SLOW && !wide) arg = s;
      // A decoded quadword operand: the access with the wide bit, size 8.
      if (q && kind !== D_WIDE) d = (acc << 4) | 8;
    }
    if (p - pa > 255) return -1;
    dc[e + 3 + 2 * i] = kind | (rn << 4) | (d << 8) | (start << 16) |
      ((p - pa) << 24);
    dc[e + 4 + 2 * i] = arg;
  }
  dc[e + 1] = op;
  dc[e + 2] = n;
  dc[e] = p - pa;
  return p - pa;
}
