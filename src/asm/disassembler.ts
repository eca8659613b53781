/**
 * The VAX disassembler, driven by the opcode table of `src/arch/opcodes.ts`
 * (vax-architecture.md sections 3 and 4).
 *
 * The text it prints is accepted by the assembler and, assembled at the same
 * address, gives back the same bytes:
 * - short literals print as `S^#n`, immediates as `I^#n`;
 * - displacements carry their size: `B^4(R3)`, `W^-^X100(R3)`, `@L^8(AP)`;
 * - PC-relative operands print as the absolute target address with the
 *   displacement size: `B^^X1010` (mode AF, target 0x1010), `@W^^X2000`;
 * - absolute operands print as `@#^X1000`;
 * - branch displacements print as target addresses: `BRB ^X1004`;
 * - numbers below 10 print in decimal, others in hex as `^X1F`; addresses
 *   always as `^X...`.
 *
 * Bytes that are not a valid instruction (reserved opcodes, and encodings
 * the VAX rejects with a reserved addressing mode fault, such as a literal
 * as a write operand or `(PC)`) come out as a one-byte `.BYTE ^Xnn` with an
 * `error` that says why; disassembly then goes on at the next byte.
 *
 * @module
 */

import {
  dataTypeSize,
  OPCODE_BY_BYTE,
  OPCODE_BY_INDEX,
  type OpcodeInfo,
  type OperandInfo,
} from "../arch/opcodes.ts";
import { REGISTER_NAMES } from "./expression.ts";
import { accessPhrase, PC } from "./operand.ts";
import {
  type FloatFormat,
  floatFromNumber,
  floatLiteral,
  floatToNumber,
  type Quad,
} from "../machine/isa/float.ts";
import { formatHex } from "../machine/units.ts";

/** One decoded instruction (or a `.BYTE`/`.WORD` for data). */
export interface Instruction {
  /** Address of the first byte. */
  readonly address: number;
  /** Number of bytes. */
  readonly length: number;
  /** The bytes. */
  readonly bytes: Uint8Array;
  /** The first byte: the opcode of an instruction. */
  readonly opcode: number;
  /** Upper-case mnemonic, or `.BYTE` / `.WORD` for data. */
  readonly mnemonic: string;
  /** The opcode table row, for an instruction. */
  readonly info: OpcodeInfo | undefined;
  /** Operands in assembler syntax. */
  readonly operands: readonly string[];
  /** The whole statement, e.g. `MOVL S^#5,R0`. */
  readonly text: string;
  /**
   * Control-flow targets known from the bytes alone: branch displacement
   * targets; the address a JMP, JSB, CALLG or CALLS goes to when it is
   * PC-relative or absolute; for CASEL with a literal limit, the table's
   * targets and then the address after the table.
   */
  readonly targets: readonly number[];
  /**
   * For CASEL with a literal limit: the targets of the displacement table
   * that follows the instruction (one per entry).
   */
  readonly caseTable?: readonly number[];
  /** Why these bytes are shown as data rather than an instruction. */
  readonly error?: string;
}

// Thrown and caught within one instruction's decoding, and frequent in data
// (random bytes): plain objects, because an Error records a stack trace,
// which made disassembling a 1 MiB file take seconds.

/** An encoding the VAX rejects (reserved opcode or addressing mode). */
class Invalid {
  readonly message: string;
  constructor(message: string) {
    this.message = message;
  }
}

/** `read` failed past the opcode byte. */
class Unreadable {
  readonly message: string;
  constructor(message: string) {
    this.message = message;
  }
}

function num(n: number): string {
  return n < 10 ? String(n) : `^X${n.toString(16).toUpperCase()}`;
}

function signed(n: number): string {
  return n < 0 ? `-${num(-n)}` : num(n);
}

function addr(a: number): string {
  return `^X${(a >>> 0).toString(16).toUpperCase()}`;
}

const BYTE_TEXT: readonly string[] = Array.from(
  { length: 256 },
  (_, b) => `^X${b.toString(16).toUpperCase().padStart(2, "0")}`,
);
// Data bytes are frequent (every byte of random data that is no
// instruction): their operand lists and statements are made once.
const BYTE_OPERANDS: readonly (readonly string[])[] = BYTE_TEXT.map((t) =>
  Object.freeze([t])
);
const BYTE_STATEMENT: readonly string[] = BYTE_TEXT.map((t) => `.BYTE ${t}`);
const NO_TARGETS: readonly number[] = Object.freeze([]);

/** An address or value in a message (not in assembler syntax): `0x1F`. */
function where(a: number): string {
  return formatHex(a, 1);
}

function checkAddress(address: number): number {
  if (!Number.isInteger(address) || address < 0 || address >= 2 ** 32) {
    throw new RangeError(
      `Cannot disassemble: address must be an integer from 0 to 0xFFFFFFFF, got ${address}`,
    );
  }
  return address;
}

/** A decoded operand specifier. */
interface Spec {
  text: string;
  /** The value of a literal or immediate. */
  value?: number;
  /** The effective address, when the bytes alone determine it. */
  ea?: number;
}

const NO_BYTES: number[] = [];

/**
 * Reads the instruction stream of one instruction: through `read`, or
 * (disassembling a block) straight from the block's bytes.
 */
class Stream {
  readonly #read: ((address: number) => number) | null;
  readonly #block: Uint8Array | null;
  readonly #origin: number;
  readonly start: number;
  /** Bytes read so far (through `read` only; a block keeps its own). */
  readonly #got: number[];
  /** How many bytes have been read. */
  length = 0;

  constructor(
    read: ((address: number) => number) | null,
    start: number,
    block: Uint8Array | null = null,
    origin = 0,
  ) {
    this.#read = read;
    this.start = start;
    this.#block = block;
    this.#origin = origin;
    this.#got = block === null ? [] : NO_BYTES;
  }

  /** Address of the next byte. */
  get pc(): number {
    return (this.start + this.length) >>> 0;
  }

  /** The first byte read. */
  first(): number {
    const block = this.#block;
    return block === null ? this.#got[0]! : block[this.start - this.#origin]!;
  }

  /** The bytes read, as plain numbers (for `read` streams). */
  get got(): readonly number[] {
    return this.#got;
  }

  byte(): number {
    const block = this.#block;
    if (block !== null) {
      const i = this.start + this.length - this.#origin;
      if (i < block.length) {
        this.length++;
        return block[i]!;
      }
      const a = this.pc;
      const message = `address ${where(a)} is past the end of the bytes`;
      if (this.length === 0) throw new RangeError(message);
      throw new Unreadable(
        `the instruction continues at ${
          where(a)
        }, which cannot be read (${message})`,
      );
    }
    const a = this.pc;
    let b: number;
    try {
      b = this.#read!(a);
    } catch (e) {
      if (this.length === 0) throw e;
      throw new Unreadable(
        `the instruction continues at ${where(a)}, which cannot be read (${
          e instanceof Error ? e.message : String(e)
        })`,
      );
    }
    if (!Number.isInteger(b) || b < 0 || b > 255) {
      throw new RangeError(
        `Cannot disassemble: read(${where(a)}) returned ${b}, not a byte`,
      );
    }
    this.#got.push(b);
    this.length++;
    return b;
  }

  /** Little-endian unsigned value of n bytes (n <= 4). */
  unsigned(n: number): number {
    let v = this.byte();
    if (n > 1) v |= this.byte() << 8;
    if (n > 2) v |= (this.byte() << 16) | (this.byte() << 24);
    return v >>> 0;
  }

  /** Sign-extended value of n bytes (1, 2 or 4). */
  signed(n: number): number {
    const v = this.unsigned(n);
    return n === 1 ? (v << 24) >> 24 : n === 2 ? (v << 16) >> 16 : v | 0;
  }
}

function isFloat(info: OperandInfo): boolean {
  return info.type === "f" || info.type === "d" || info.type === "g";
}

/** A floating value as decimal text the assembler reads back exactly. */
function floatText(x: number): string {
  const t = String(x).toUpperCase();
  return /[.E]/.test(t) ? t : `${t}.0`;
}

/**
 * A floating immediate: its decimal value when that assembles back to the
 * same bits, else the raw pattern (`I^#^X...`, 64 bits in memory order
 * for D and G).
 */
function floatImmediate(s: Stream, fmt: FloatFormat): Spec {
  const lo = s.unsigned(4);
  const hi = fmt === "f" ? 0 : s.unsigned(4);
  const q: Quad = [lo, hi];
  const x = floatToNumber(fmt, q);
  let exact = false;
  if (!Number.isNaN(x)) {
    try {
      const back = floatFromNumber(fmt, x);
      exact = back[0] === lo && back[1] === hi;
    } catch {
      exact = false;
    }
  }
  if (exact) return spec(`I^#${floatText(x)}`, lo);
  const hex = (v: number, n: number) =>
    v.toString(16).toUpperCase().padStart(n, "0");
  return spec(
    fmt === "f" ? `I^#^X${hex(lo, 8)}` : `I^#^X${hex(hi, 8)}${hex(lo, 8)}`,
    lo,
  );
}

function noIndexedBase(indexed: boolean, kind: string): void {
  if (indexed) throw new Invalid(`index mode with ${kind} base`);
}

function spec(text: string, value?: number, ea?: number): Spec {
  return { text, value, ea };
}

function specifier(s: Stream, info: OperandInfo, indexed: boolean): Spec {
  const byte = s.byte();
  const mode = byte >> 4;
  const r = byte & 15;
  const reg = REGISTER_NAMES[r]!;
  switch (mode) {
    case 0:
    case 1:
    case 2:
    case 3:
      noIndexedBase(indexed, "a short literal");
      if (info.access !== "r") {
        throw new Invalid(`short literal as ${accessPhrase(info.access)}`);
      }
      if (isFloat(info)) {
        const q = floatLiteral(info.type as FloatFormat, byte & 63);
        return spec(
          `S^#${floatText(floatToNumber(info.type as FloatFormat, q))}`,
          q[0],
        );
      }
      return spec(`S^#${num(byte & 63)}`, byte & 63);
    case 4: {
      noIndexedBase(indexed, "an index");
      if (r === PC) throw new Invalid("PC as an index register");
      const base = specifier(s, info, true);
      return spec(`${base.text}[${reg}]`);
    }
    case 5:
      noIndexedBase(indexed, "a register");
      if (info.access === "a") {
        throw new Invalid(`register mode as ${accessPhrase(info.access)}`);
      }
      if (r === PC) throw new Invalid("PC in register mode");
      return spec(reg);
    case 6:
      if (r === PC) throw new Invalid("(PC) mode");
      return spec(`(${reg})`);
    case 7:
      if (r === PC) throw new Invalid("-(PC) mode");
      return spec(`-(${reg})`);
    case 8: {
      if (r !== PC) return spec(`(${reg})+`);
      noIndexedBase(indexed, "an immediate");
      if (info.access === "w" || info.access === "m") {
        throw new Invalid(`immediate as ${accessPhrase(info.access)}`);
      }
      if (isFloat(info)) return floatImmediate(s, info.type as FloatFormat);
      const n = dataTypeSize(info.type);
      const low = s.unsigned(n < 4 ? n : 4);
      for (let k = 4; k < n; k += 4) {
        const high = s.unsigned(4);
        if (high !== (low >= 2 ** 31 ? 0xffffffff : 0)) {
          throw new Invalid(
            `${n === 8 ? "quadword" : "octaword"} immediate wider than 32 bits`,
          );
        }
      }
      return spec(`I^#${num(low)}`, low);
    }
    case 9: {
      if (r !== PC) return spec(`@(${reg})+`);
      const a = s.unsigned(4);
      return spec(`@#${addr(a)}`, undefined, a);
    }
    default: {
      const size = mode < 0xc ? 1 : mode < 0xe ? 2 : 4;
      const deferred = (mode & 1) === 1;
      const prefix = size === 1 ? "B^" : size === 2 ? "W^" : "L^";
      const d = s.signed(size);
      if (r === PC) {
        const target = (s.pc + d) >>> 0;
        return deferred
          ? spec(`@${prefix}${addr(target)}`)
          : spec(`${prefix}${addr(target)}`, undefined, target);
      }
      return spec(`${deferred ? "@" : ""}${prefix}${signed(d)}(${reg})`);
    }
  }
}

/** Makes an instruction's `bytes` (a copy, or a view of a block's copy). */
type BytesOf = (s: Stream, length: number) => Uint8Array;

const copyBytes: BytesOf = (s, length) =>
  Uint8Array.from(s.got.slice(0, length));

type Writable<T> = { -readonly [K in keyof T]: T[K] };

function data(
  s: Stream,
  error: string | undefined,
  bytesOf: BytesOf,
): Instruction {
  const b = s.first();
  const ins: Writable<Instruction> = {
    address: s.start,
    length: 1,
    bytes: bytesOf(s, 1),
    opcode: b,
    mnemonic: ".BYTE",
    info: undefined,
    operands: BYTE_OPERANDS[b]!,
    text: BYTE_STATEMENT[b]!,
    targets: NO_TARGETS,
  };
  if (error !== undefined) ins.error = error;
  return ins;
}

/** The text of a listing: address, bytes, statement, one per line. */
export function formatListing(
  list: readonly Instruction[],
  maxLines = 200,
): string {
  const lines = list.slice(0, maxLines).map((ins) => {
    let raw = "";
    for (let i = 0; i < ins.bytes.length; i++) {
      raw += (i ? " " : "") + ins.bytes[i]!.toString(16).padStart(2, "0");
    }
    return `${ins.address.toString(16).toUpperCase().padStart(8, "0")}  ${
      raw.padEnd(24)
    } ${ins.text}`;
  });
  if (list.length > maxLines) {
    lines.push(`(${list.length - maxLines} more of ${list.length} lines)`);
  }
  return lines.join("\n");
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/**
 * Gives a disassembly its looks: in the REPL and in notebooks it shows as
 * a listing, not as an array of objects (the symbols are not enumerable,
 * so the array still compares equal to a plain one).
 */
function renderable(list: Instruction[]): Instruction[] {
  Object.defineProperty(list, Symbol.for("Deno.customInspect"), {
    value: () => formatListing(list),
    configurable: true,
  });
  Object.defineProperty(list, Symbol.for("Jupyter.display"), {
    value: () => {
      const text = formatListing(list);
      return {
        "text/plain": text,
        "text/html": `<pre>${escapeHtml(text)}</pre>`,
      };
    },
    configurable: true,
  });
  return list;
}

/** Largest CASEL table the disassembler reads. */
const MAX_CASE_ENTRIES = 1024;

function readCaseTable(
  read: (address: number) => number,
  tableStart: number,
  limit: number,
): number[] {
  const targets: number[] = [];
  try {
    for (let i = 0; i <= limit && i < MAX_CASE_ENTRIES; i++) {
      const a = tableStart + 2 * i;
      const lo = read(a >>> 0);
      const hi = read((a + 1) >>> 0);
      if (!Number.isInteger(lo) || !Number.isInteger(hi)) break;
      const w = ((hi & 0xff) << 8) | (lo & 0xff);
      targets.push((tableStart + (w >= 0x8000 ? w - 0x10000 : w)) >>> 0);
    }
  } catch {
    // The table runs into memory that cannot be read: keep what was read.
  }
  return targets;
}

/**
 * Decodes the instruction at `address`, reading its bytes through `read`
 * (which returns a byte, 0 to 255, and may throw: an exception on the opcode
 * byte propagates; one on a later byte gives a `.BYTE` with an `error`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { disassembleOne } from "./disassembler.ts";
 * const mem = [0xd0, 0x05, 0x50];
 * const ins = disassembleOne((a) => mem[a] ?? 0, 0);
 * assert.equal(ins.text, "MOVL S^#5,R0");
 * assert.equal(ins.length, 3);
 * ```
 *
 * @param read returns the byte at an address
 * @param address where the instruction starts
 * @returns the decoded instruction
 */
export function disassembleOne(
  read: (address: number) => number,
  address: number,
): Instruction {
  return decode(read, address, copyBytes);
}

function decode(
  read: (address: number) => number,
  address: number,
  bytesOf: BytesOf,
  block: Uint8Array | null = null,
  origin = 0,
): Instruction {
  const start = checkAddress(address);
  const s = new Stream(block === null ? read : null, start, block, origin);
  let opcode = s.byte();
  let info = OPCODE_BY_BYTE[opcode];
  if (info === undefined && opcode === 0xfd) {
    let second: number;
    try {
      second = s.byte();
    } catch (e) {
      if (e instanceof Unreadable) return data(s, e.message, bytesOf);
      throw e;
    }
    info = OPCODE_BY_INDEX[0x100 | second];
    if (info === undefined) {
      return data(
        s,
        `reserved opcode ${formatHex(0xfd)} ${formatHex(second)}`,
        bytesOf,
      );
    }
    opcode = info.opcode;
  }
  if (info === undefined) {
    return data(
      s,
      `reserved or unimplemented opcode ${formatHex(opcode)}`,
      bytesOf,
    );
  }
  const operands: string[] = [];
  const targets: number[] = [];
  let caseTable: number[] | undefined;
  try {
    // The value of the third specifier: CASEL's limit.
    let specCount = 0;
    let limit: number | undefined;
    const infos = info.operands;
    const jumps = info.cost === "branch" || info.cost === "call";
    for (let k = 0; k < infos.length; k++) {
      const oi = infos[k]!;
      if (oi.access === "b") {
        const d = s.signed(dataTypeSize(oi.type));
        const target = (s.pc + d) >>> 0;
        operands.push(addr(target));
        targets.push(target);
        continue;
      }
      const sp = specifier(s, oi, false);
      if (++specCount === 3) limit = sp.value;
      operands.push(sp.text);
      if (
        jumps && oi.access === "a" && oi.name === "dst" && sp.ea !== undefined
      ) {
        targets.push(sp.ea);
      }
    }
    if (info.caseTable && limit !== undefined) {
      caseTable = readCaseTable(read, s.pc, limit);
      targets.push(...caseTable, (s.pc + 2 * (limit + 1)) >>> 0);
    }
  } catch (e) {
    if (e instanceof Invalid) {
      return data(
        s,
        `${info.mnemonic} with a reserved addressing mode: ${e.message}`,
        bytesOf,
      );
    }
    if (e instanceof Unreadable) return data(s, e.message, bytesOf);
    throw e;
  }
  const text = operands.length === 0
    ? info.mnemonic
    : operands.length === 1
    ? `${info.mnemonic} ${operands[0]}`
    : `${info.mnemonic} ${operands.join(",")}`;
  const ins: Writable<Instruction> = {
    address: start,
    length: s.length,
    bytes: bytesOf(s, s.length),
    opcode,
    mnemonic: info.mnemonic,
    info,
    operands,
    text,
    targets,
  };
  if (caseTable !== undefined) ins.caseTable = caseTable;
  return ins;
}

/**
 * Disassembles a block of bytes placed at `origin`, from its first byte to
 * its last. A CASEL whose limit is a literal is followed by its displacement
 * table, shown as `.WORD target-table` lines. An instruction cut short by
 * the end of the bytes comes out as `.BYTE` lines.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { disassemble } from "./disassembler.ts";
 * const lines = disassemble(Uint8Array.of(0x11, 0xfe, 0x00), 0x200);
 * assert.deepEqual(lines.map((i) => i.text), ["BRB ^X200", "HALT"]);
 * assert.deepEqual(lines[0]!.targets, [0x200]);
 * ```
 *
 * @param bytes the code
 * @param origin address of `bytes[0]`
 * @returns one entry per instruction or data item, in address order
 */
export function disassemble(bytes: Uint8Array, origin = 0): Instruction[] {
  const out: Instruction[] = [];
  disassembleEach(bytes, origin, (ins) => out.push(ins));
  return renderable(out);
}

/**
 * Disassembles like {@link disassemble}, handing each instruction (or data
 * item) to `visit` in address order instead of keeping them: a listing of
 * a large file is made without holding every instruction at once.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { disassembleEach } from "./disassembler.ts";
 * const texts: string[] = [];
 * disassembleEach(Uint8Array.of(0x01, 0x00), 0, (i) => texts.push(i.text));
 * equal(texts.join(";"), "NOP;HALT");
 * ```
 *
 * @param bytes the code
 * @param origin address of `bytes[0]`
 * @param visit called with each instruction or data item
 */
export function disassembleEach(
  bytes: Uint8Array,
  origin: number,
  visit: (ins: Instruction) => void,
): void {
  checkAddress(origin);
  const end = origin + bytes.length;
  if (end > 2 ** 32) {
    throw new RangeError(
      `Cannot disassemble: ${bytes.length} bytes at ${
        where(origin)
      } pass the end of the address space`,
    );
  }
  const read = (a: number): number => {
    const i = a - origin;
    if (i < 0 || i >= bytes.length) {
      throw new RangeError(`address ${where(a)} is past the end of the bytes`);
    }
    return bytes[i]!;
  };
  // One copy of the block; each instruction's bytes are a view of it (a
  // typed array of its own per instruction is slow to make and collect).
  const own = bytes.slice();
  const bytesOf: BytesOf = (s, length) =>
    own.subarray(s.start - origin, s.start - origin + length);
  let pc = origin;
  while (pc < end) {
    const ins = decode(read, pc, bytesOf, own, origin);
    visit(ins);
    pc += ins.length;
    if (ins.caseTable === undefined) continue;
    const tableStart = pc;
    for (const target of ins.caseTable) {
      if (pc + 2 > end) break;
      visit({
        address: pc,
        length: 2,
        bytes: own.subarray(pc - origin, pc - origin + 2),
        opcode: bytes[pc - origin]!,
        mnemonic: ".WORD",
        info: undefined,
        operands: [`${addr(target)}-${addr(tableStart)}`],
        text: `.WORD ${addr(target)}-${addr(tableStart)}`,
        targets: [target],
      });
      pc += 2;
    }
  }
}
