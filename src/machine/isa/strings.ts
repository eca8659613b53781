/**
 * The character-string instructions the CVAX executes in microcode: MOVC3,
 * MOVC5, CMPC3, CMPC5, LOCC, SKPC, SCANC and SPANC (VAX SRM, character
 * string instructions; vax-architecture.md sections 3.6 and 5.3 for
 * restart). The other string instructions (MOVTC, MOVTUC, MATCHC, CRC) are
 * left to software on the KA655 through the emulation exception.
 *
 * Every one of them is interruptible by an access fault in the middle of
 * the string. Before the first string access the instruction moves its
 * operands into R0-R5 and sets PSL<FPD>; from then on the registers hold
 * the whole state, updated after every element moved or compared. A fault
 * backs out nothing (the processor skips its register recovery when FPD is
 * set), and the exception saves PC = the opcode's address with FPD set. When
 * the handler returns with REI, the decoder sees FPD, skips the operand
 * specifiers and calls the executor, which continues from the registers
 * and sets PC past the instruction.
 *
 * The intermediate register layout follows SimH's VAX (vax_cpu1.c), the
 * reference for the KA655, so that a fault handler sees the same values:
 *
 * - R0<31:24> = instruction length (delta PC), R0<23:16> = fill, match
 *   character or mask, R0<15:0> = the (first) length;
 * - MOVCx: R1/R3 = current source/destination address, R2 = bytes left to
 *   move, R4 = dstlen - srclen (the fill count in the fill state),
 *   R5<1:0> = state (0 forward, 1 backward, 3 fill), R5<5:2> = the final
 *   condition codes;
 * - CMPCx: R1/R3 = current addresses, R2 = bytes left in the second string;
 * - LOCC/SKPC: R1 = current address; SCANC/SPANC: R1 and R3 = table.
 *
 * A move goes like SimH's: a few bytes until the destination is longword
 * aligned, then longwords, then the last bytes (forward, or from the end
 * backward when the destination is above the source, so that an overlap
 * moves as if the source were read entirely first). Long runs of longwords
 * inside one source page and one destination page are copied in one step,
 * after the same first accesses, so faults, the M bit and the simulated time
 * are those of the element-by-element loop. Strings are not interrupted at
 * byte boundaries: like SimH, an instruction runs to its end unless it
 * faults.
 *
 * @module
 */

import { PSL_FPD } from "../../arch/psl.ts";
import type { Family, IsaContext } from "./context.ts";

/** Opcodes of the family. */
export const STRING_OPCODES = {
  MOVC3: 0x28,
  CMPC3: 0x29,
  SCANC: 0x2a,
  SPANC: 0x2b,
  MOVC5: 0x2c,
  CMPC5: 0x2d,
  LOCC: 0x3a,
  SKPC: 0x3b,
} as const;

const CC_N = 8;
const CC_Z = 4;
const CC_C = 1;
const LEN = 0xffff;
const ST_FORWARD = 0;
const ST_BACKWARD = 1;
const ST_FILL = 3;

/** R0 with the restart data: delta PC, character, length. */
function pack(x: IsaContext, ch: number, len: number): number {
  const dpc = (x.r[15]! - x.faultPc) & 0xff;
  return (dpc << 24) | ((ch & 0xff) << 16) | (len & LEN);
}

/** On resume (FPD set): PC past the instruction, from R0<31:24>. */
function resumePc(x: IsaContext): void {
  const r = x.r;
  r[15] = x.faultPc + ((r[0]! >>> 24) & 0xff);
}

/** Condition codes of a signed/unsigned compare of two words. */
function cmpW(a: number, b: number): number {
  const sa = (a << 16) >> 16;
  const sb = (b << 16) >> 16;
  return (sa < sb ? CC_N : 0) | (a === b ? CC_Z : 0) |
    ((a & LEN) < (b & LEN) ? CC_C : 0);
}

/** Condition codes of a signed/unsigned compare of two bytes. */
function cmpB(a: number, b: number): number {
  const sa = (a << 24) >> 24;
  const sb = (b << 24) >> 24;
  return (sa < sb ? CC_N : 0) | (a === b ? CC_Z : 0) |
    ((a & 0xff) < (b & 0xff) ? CC_C : 0);
}

/**
 * The family's executors (see `context.ts`). With PSL<FPD> clear, the
 * operands arrive decoded (lengths and characters as read, addresses as
 * effective addresses) and PC is past the instruction; with FPD set the
 * processor decodes nothing and the state is in the registers.
 */
export const STRINGS: Family = {
  [STRING_OPCODES.MOVC3]: (x) => movc(x, false, x.opv),
  [STRING_OPCODES.MOVC5]: (x) => movc(x, true, x.opv),
  [STRING_OPCODES.CMPC3]: (x) => cmpc(x, false, x.opv),
  [STRING_OPCODES.CMPC5]: (x) => cmpc(x, true, x.opv),
  [STRING_OPCODES.LOCC]: (x) => locSkip(x, false, x.opv),
  [STRING_OPCODES.SKPC]: (x) => locSkip(x, true, x.opv),
  [STRING_OPCODES.SCANC]: (x) => scanSpan(x, false, x.opv),
  [STRING_OPCODES.SPANC]: (x) => scanSpan(x, true, x.opv),
};

// ---------------------------------------------------------------------------
// MOVC3 len.rw, srcaddr.ab, dstaddr.ab
// MOVC5 srclen.rw, srcaddr.ab, fill.rb, dstlen.rw, dstaddr.ab

function movc(x: IsaContext, five: boolean, opv: Int32Array): void {
  const r = x.r;
  let fill: number;
  if ((x.psl & PSL_FPD) !== 0) {
    resumePc(x);
    fill = (r[0]! >>> 16) & 0xff;
    r[2] = r[2]! & LEN;
    if (r[4]! > 0) r[4] = r[4]! & LEN;
  } else {
    let cc: number;
    r[1] = opv[1]!;
    if (five) {
      const srclen = opv[0]! & LEN;
      const dstlen = opv[3]! & LEN;
      r[2] = srclen < dstlen ? srclen : dstlen;
      r[3] = opv[4]!;
      r[4] = dstlen - srclen;
      fill = opv[2]! & 0xff;
      cc = cmpW(srclen, dstlen);
    } else {
      r[2] = opv[0]! & LEN;
      r[3] = opv[2]!;
      r[4] = 0;
      fill = 0;
      cc = CC_Z;
    }
    r[0] = pack(x, fill, r[2]!);
    let state: number;
    if (r[2] !== 0) {
      if ((r[1]! >>> 0) < (r[3]! >>> 0)) {
        r[1] = r[1]! + r[2]!;
        r[3] = r[3]! + r[2]!;
        state = ST_BACKWARD;
      } else state = ST_FORWARD;
    } else state = ST_FILL;
    r[5] = state | (cc << 2);
    x.psl |= PSL_FPD;
  }
  switch (r[5]! & 3) {
    case ST_FORWARD:
      moveForward(x);
      break;
    case ST_BACKWARD:
      moveBackward(x);
      r[1] = r[1]! + (r[0]! & LEN);
      r[3] = r[3]! + (r[0]! & LEN);
      break;
    case ST_FILL:
      break;
    default:
      x.reservedOperand();
  }
  if (r[4]! > 0) {
    r[5] = r[5]! | ST_FILL;
    fillForward(x, fill);
  }
  const cc = (r[5]! >>> 2) & 15;
  x.psl = (x.psl & ~(PSL_FPD | 15)) | cc;
  r[0] = -r[4]!;
  r[2] = r[4] = r[5] = 0;
}

/** Moves R2 bytes from R1 up to R3 up: head bytes, longwords, tail. */
function moveForward(x: IsaContext): void {
  const r = x.r;
  let head = (4 - r[3]!) & 3;
  if (head > r[2]!) head = r[2]!;
  for (; head > 0; head--) {
    x.write(r[3]!, 1, x.read(r[1]!, 1));
    r[1] = r[1]! + 1;
    r[3] = r[3]! + 1;
    r[2] = r[2]! - 1;
  }
  while (r[2]! >= 4) {
    // One longword the ordinary way: it translates (and may fault on) the
    // source and destination pages exactly as the element loop does.
    x.write(r[3]!, 4, x.read(r[1]!, 4));
    r[1] = r[1]! + 4;
    r[3] = r[3]! + 4;
    r[2] = r[2]! - 4;
    // Then the longwords that stay inside the same two pages in one step.
    const s = r[1]! >>> 0;
    const d = r[3]! >>> 0;
    const so = (s - 4) & 511;
    if (so > 508 || r[2]! < 8) continue; // that read crossed a page
    let k = (512 - ((s & 511) || 512)) >>> 2;
    const kd = (512 - ((d & 511) || 512)) >>> 2;
    if (kd < k) k = kd;
    const kl = r[2]! >>> 2;
    if (kl < k) k = kl;
    if (k < 2) continue;
    const ps = x.pagePa(s - 4, false);
    const pd = x.pagePa(d - 4, true);
    if (ps < 0 || pd < 0) continue;
    const pas = ps + 4;
    const pad = pd + 4;
    const n = 4 * k;
    // The element loop copies forward; memmove is the same when the
    // physical destination is below the source or the ranges are apart.
    if (pad > pas && pad < pas + n) continue;
    // pagePa(…, true) is the write cache's page, which never holds decoded
    // code (cpu.ts): no decode-cache check is needed for these block moves.
    x.u8.copyWithin(pad, pas, pas + n);
    x.charge(2 * k);
    r[1] = r[1]! + n;
    r[3] = r[3]! + n;
    r[2] = r[2]! - n;
  }
  while (r[2]! > 0) {
    x.write(r[3]!, 1, x.read(r[1]!, 1));
    r[1] = r[1]! + 1;
    r[3] = r[3]! + 1;
    r[2] = r[2]! - 1;
  }
}

/** Moves R2 bytes down from R1 to R3 (both point past the strings). */
function moveBackward(x: IsaContext): void {
  const r = x.r;
  let head = r[3]! & 3;
  if (head > r[2]!) head = r[2]!;
  for (; head > 0; head--) {
    x.write(r[3]! - 1, 1, x.read(r[1]! - 1, 1));
    r[1] = r[1]! - 1;
    r[3] = r[3]! - 1;
    r[2] = r[2]! - 1;
  }
  while (r[2]! >= 4) {
    x.write(r[3]! - 4, 4, x.read(r[1]! - 4, 4));
    r[1] = r[1]! - 4;
    r[3] = r[3]! - 4;
    r[2] = r[2]! - 4;
    // The last longword read was [s, s+4) and written [d, d+4); the next
    // ones go below, inside the same pages while (x & 511) >= 4.
    const s = r[1]! >>> 0;
    const d = r[3]! >>> 0;
    if ((s & 511) > 508 || r[2]! < 8) continue;
    let k = (s & 511) >>> 2;
    const kd = (d & 511) >>> 2;
    if (kd < k) k = kd;
    const kl = r[2]! >>> 2;
    if (kl < k) k = kl;
    if (k < 2) continue;
    const ps = x.pagePa(s, false);
    const pd = x.pagePa(d, true);
    if (ps < 0 || pd < 0) continue;
    const n = 4 * k;
    const pas = ps - n;
    const pad = pd - n;
    // The element loop copies backward; memmove is the same when the
    // physical destination is above the source or the ranges are apart.
    if (pad < pas && pad + n > pas) continue;
    x.u8.copyWithin(pad, pas, pas + n);
    x.charge(2 * k);
    r[1] = r[1]! - n;
    r[3] = r[3]! - n;
    r[2] = r[2]! - n;
  }
  while (r[2]! > 0) {
    x.write(r[3]! - 1, 1, x.read(r[1]! - 1, 1));
    r[1] = r[1]! - 1;
    r[3] = r[3]! - 1;
    r[2] = r[2]! - 1;
  }
}

/** Writes R4 fill bytes at R3 up: head bytes, longwords, tail. */
function fillForward(x: IsaContext, fill: number): void {
  const r = x.r;
  let head = (4 - r[3]!) & 3;
  if (head > r[4]!) head = r[4]!;
  for (; head > 0; head--) {
    x.write(r[3]!, 1, fill);
    r[3] = r[3]! + 1;
    r[4] = r[4]! - 1;
  }
  const fillL = (fill * 0x01010101) | 0;
  while (r[4]! >= 4) {
    x.write(r[3]!, 4, fillL);
    r[3] = r[3]! + 4;
    r[4] = r[4]! - 4;
    const d = r[3]! >>> 0;
    if ((d & 511) === 0 || r[4]! < 8) continue;
    let k = (512 - (d & 511)) >>> 2;
    const kl = r[4]! >>> 2;
    if (kl < k) k = kl;
    if (k < 2) continue;
    const pd = x.pagePa(d - 4, true);
    if (pd < 0) continue;
    const n = 4 * k;
    x.u8.fill(fill, pd + 4, pd + 4 + n);
    x.charge(k);
    r[3] = r[3]! + n;
    r[4] = r[4]! - n;
  }
  while (r[4]! > 0) {
    x.write(r[3]!, 1, fill);
    r[3] = r[3]! + 1;
    r[4] = r[4]! - 1;
  }
}

// ---------------------------------------------------------------------------
// CMPC3 len.rw, src1addr.ab, src2addr.ab
// CMPC5 src1len.rw, src1addr.ab, fill.rb, src2len.rw, src2addr.ab

function cmpc(x: IsaContext, five: boolean, opv: Int32Array): void {
  const r = x.r;
  let fill: number;
  if ((x.psl & PSL_FPD) !== 0) {
    resumePc(x);
    fill = (r[0]! >>> 16) & 0xff;
  } else {
    r[1] = opv[1]!;
    if (five) {
      r[2] = opv[3]!;
      r[3] = opv[4]!;
      fill = opv[2]! & 0xff;
    } else {
      r[2] = opv[0]!;
      r[3] = opv[2]!;
      fill = 0;
    }
    r[0] = pack(x, fill, opv[0]!);
    x.psl |= PSL_FPD;
  }
  r[2] = r[2]! & LEN;
  let s1 = 0;
  let s2 = 0;
  while (((r[0]! | r[2]!) & LEN) !== 0) {
    s1 = (r[0]! & LEN) !== 0 ? x.read(r[1]!, 1) : fill;
    s2 = r[2] !== 0 ? x.read(r[3]!, 1) : fill;
    if (s1 !== s2) break;
    if ((r[0]! & LEN) !== 0) {
      r[0] = (r[0]! & ~LEN) | ((r[0]! - 1) & LEN);
      r[1] = r[1]! + 1;
    }
    if (r[2] !== 0) {
      r[2] = (r[2]! - 1) & LEN;
      r[3] = r[3]! + 1;
    }
  }
  x.psl = (x.psl & ~(PSL_FPD | 15)) | cmpB(s1, s2);
  r[0] = r[0]! & LEN;
}

// ---------------------------------------------------------------------------
// LOCC char.rb, len.rw, addr.ab; SKPC char.rb, len.rw, addr.ab

function locSkip(x: IsaContext, skip: boolean, opv: Int32Array): void {
  const r = x.r;
  let ch: number;
  if ((x.psl & PSL_FPD) !== 0) {
    resumePc(x);
    ch = (r[0]! >>> 16) & 0xff;
  } else {
    ch = opv[0]! & 0xff;
    r[0] = pack(x, ch, opv[1]!);
    r[1] = opv[2]!;
    x.psl |= PSL_FPD;
  }
  while ((r[0]! & LEN) !== 0) {
    const c = x.read(r[1]!, 1);
    if ((c === ch) !== skip) break;
    r[0] = (r[0]! & ~LEN) | ((r[0]! - 1) & LEN);
    r[1] = r[1]! + 1;
  }
  r[0] = r[0]! & LEN;
  x.psl = (x.psl & ~(PSL_FPD | 15)) | (r[0] === 0 ? CC_Z : 0);
}

// ---------------------------------------------------------------------------
// SCANC len.rw, addr.ab, tbladdr.ab, mask.rb (and SPANC)

function scanSpan(x: IsaContext, span: boolean, opv: Int32Array): void {
  const r = x.r;
  let mask: number;
  if ((x.psl & PSL_FPD) !== 0) {
    resumePc(x);
    mask = (r[0]! >>> 16) & 0xff;
  } else {
    r[1] = opv[1]!;
    r[3] = opv[2]!;
    mask = opv[3]! & 0xff;
    r[0] = pack(x, mask, opv[0]!);
    x.psl |= PSL_FPD;
  }
  while ((r[0]! & LEN) !== 0) {
    const c = x.read(r[1]!, 1);
    const t = x.read((r[3]! + c) | 0, 1);
    if (((t & mask) !== 0) !== span) break;
    r[0] = (r[0]! & ~LEN) | ((r[0]! - 1) & LEN);
    r[1] = r[1]! + 1;
  }
  r[0] = r[0]! & LEN;
  r[2] = 0;
  x.psl = (x.psl & ~(PSL_FPD | 15)) | (r[0] === 0 ? CC_Z : 0);
}
