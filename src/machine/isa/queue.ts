/**
 * Interlocked (self-relative) queues: INSQHI, INSQTI, REMQHI, REMQTI
 * (semantics as SimH's vax_cpu1.c). The absolute-queue INSQUE and REMQUE
 * stay in cpu.ts.
 *
 * A queue header is a quadword: (H) = offset of the first entry from H,
 * (H+4) = offset of the last. Bit 0 of (H) is the secondary interlock,
 * held while an instruction updates the queue: an instruction that finds
 * it set does nothing and returns C = 1 (V = 1 too for the removes). The
 * header, the entry and every entry touched must be quadword aligned, and
 * the header must differ from the entry (or the remove's destination):
 * reserved operand otherwise. A fault in the middle releases the interlock
 * first, so the queue is never left locked.
 *
 * @module
 */

import { PSL_C, PSL_V, PSL_Z } from "../../arch/psl.ts";
import type { Family, IsaContext } from "./context.ts";

/** Write with the current mode (shorthand). */
function w(x: IsaContext, va: number, v: number): void {
  x.write(va | 0, 4, v | 0);
}

/** INSQHI entry.ab, header.aq: insert at the head. */
function insqhi(x: IsaContext): void {
  const d = x.opv[0]!;
  const h = x.opv[1]!;
  if (h === d || ((h | d) & 7) !== 0) x.reservedOperand();
  x.readModify(d, 1);
  let a = x.readModify(h, 4);
  if ((a & 6) !== 0) x.reservedOperand();
  if ((a & 1) !== 0) return x.setCc(PSL_C); // interlock busy
  w(x, h, a | 1);
  a = (a + h) | 0;
  if (!x.accessible(a, true)) w(x, h, a - h);
  w(x, a + 4, d - a);
  w(x, d, a - d);
  w(x, d + 4, h - d);
  w(x, h, d - h); // releases the interlock
  x.setCc(a === h ? PSL_Z : 0);
}

/** INSQTI entry.ab, header.aq: insert at the tail. */
function insqti(x: IsaContext): void {
  const d = x.opv[0]!;
  const h = x.opv[1]!;
  if (h === d || ((h | d) & 7) !== 0) x.reservedOperand();
  x.readModify(d, 1);
  const a = x.readModify(h, 4);
  if (a === 0) return insqhi(x);
  if ((a & 6) !== 0) x.reservedOperand();
  if ((a & 1) !== 0) return x.setCc(PSL_C);
  w(x, h, a | 1);
  const c = (x.read((h + 4) | 0, 4) + h) | 0;
  if ((c & 7) !== 0) {
    w(x, h, a);
    x.reservedOperand();
  }
  if (!x.accessible(c, true)) w(x, h, a);
  w(x, c, d - c);
  w(x, d, h - d);
  w(x, d + 4, c - d);
  w(x, h + 4, d - h);
  w(x, h, a);
  x.setCc(0);
}

/**
 * The checks both removes begin with; returns (H), or -1 when the
 * interlock is busy (condition codes already set).
 */
function removeStart(x: IsaContext): number {
  const h = x.opv[0]!;
  if ((h & 7) !== 0) x.reservedOperand();
  if (x.opr[1]! < 0) {
    if (h === x.opa[1]!) x.reservedOperand();
    x.readModify(x.opa[1]!, 4);
  }
  const ar = x.readModify(h, 4);
  if ((ar & 6) !== 0) x.reservedOperand();
  if ((ar & 1) !== 0) {
    x.setCc(PSL_V | PSL_C);
    return -1;
  }
  return ar;
}

/** REMQHI header.aq, addr.wl: remove from the head. */
function remqhi(x: IsaContext): void {
  const ar = removeStart(x);
  if (ar === -1) return;
  remqhiFrom(x, ar);
}

function remqhiFrom(x: IsaContext, ar: number): void {
  const h = x.opv[0]!;
  const a = (ar + h) | 0;
  let b = 0;
  if (ar !== 0) {
    w(x, h, ar | 1);
    if (!x.accessible(a, false)) w(x, h, ar);
    b = (x.read(a, 4) + a) | 0;
    if ((b & 7) !== 0) {
      w(x, h, ar);
      x.reservedOperand();
    }
    if (!x.accessible(b, true)) w(x, h, ar);
    w(x, b + 4, h - b);
    w(x, h, b - h);
  }
  x.store(1, 4, a);
  x.setCc(ar === 0 ? PSL_Z | PSL_V : b === h ? PSL_Z : 0);
}

/** REMQTI header.aq, addr.wl: remove from the tail. */
function remqti(x: IsaContext): void {
  const ar = removeStart(x);
  if (ar === -1) return;
  const h = x.opv[0]!;
  let c = h;
  if (ar !== 0) {
    w(x, h, ar | 1);
    c = x.read((h + 4) | 0, 4);
    if (ar === c) {
      w(x, h, ar);
      return remqhiFrom(x, ar); // one entry: as REMQHI
    }
    if ((c & 7) !== 0) {
      w(x, h, ar);
      x.reservedOperand();
    }
    c = (c + h) | 0;
    if (!x.accessible((c + 4) | 0, false)) w(x, h, ar);
    const b = (x.read((c + 4) | 0, 4) + c) | 0;
    if ((b & 7) !== 0) {
      w(x, h, ar);
      x.reservedOperand();
    }
    if (!x.accessible(b, true)) w(x, h, ar);
    w(x, b, h - b);
    w(x, h + 4, b - h);
    w(x, h, ar);
  }
  x.store(1, 4, c);
  x.setCc(ar === 0 ? PSL_Z | PSL_V : 0);
}

/** The family: executors by opcode. */
export const QUEUE: Family = {
  0x5c: insqhi,
  0x5d: insqti,
  0x5e: remqhi,
  0x5f: remqti,
};
