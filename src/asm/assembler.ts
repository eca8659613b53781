/**
 * The VAX MACRO-32 assembler, driven by the opcode table of
 * `src/arch/opcodes.ts` (vax-architecture.md sections 3 and 4).
 *
 * ## Source syntax
 *
 * One statement a line: `label: label2:: MNEMONIC op1,op2 ; comment`.
 * Labels end in `:` (or `::`); local labels `10$:` live in blocks that each
 * non-local label (and `.PSECT`) starts. `name = expression` (or `==`) assigns
 * a symbol, and may be redone; `. = expression` moves the location counter.
 * Symbols, mnemonics, directives and register names are case-insensitive.
 *
 * Expressions: see `expression.ts`. Note that, as in VAX MACRO, binary
 * operators have no precedence: `1+2*3` is 9; use `<` `>` to group. Inside an
 * instruction `.` is the address of the instruction's first byte (so `BRB .`
 * loops forever); inside a data directive it is the address of the item
 * being stored.
 *
 * Operands: see `operand.ts` for every addressing mode. Choices the
 * assembler makes:
 * - `#e` is a short literal when the operand is read (`r` access) and the
 *   value is 0..63, otherwise an immediate sized by the operand's data type.
 *   For `a` and `v` operands `#e` is always immediate; for `w` and `m`
 *   operands `#` is an error.
 * - For a floating operand (F, D, G) a decimal literal is a floating value:
 *   `#1.5` assembles as the short literal `S^#1.5` when one of the 64
 *   floating literals (0.5 to 120) is exactly that value, otherwise as an
 *   immediate of 4 or 8 bytes rounded as the VAX rounds. Any other
 *   expression is the raw bit pattern (`I^#^X3ECCCCCCCCCCCCCD` gives all
 *   64 bits of a D or G value).
 * - Displacements and PC-relative offsets without `B^`/`W^`/`L^` take the
 *   smallest size that fits. Forward references are handled by repeating
 *   the layout pass until nothing moves; a chosen size only ever grows from
 *   one pass to the next, so the passes always settle.
 * - `G^e` assembles as absolute `@#e` (the program is absolute, so this is
 *   what a linker would make of a general reference); `@G^e` as `@L^e`.
 * - Branch operands (`.bb`, `.bw`) are target addresses; a target out of
 *   reach is an error, never silently extended.
 *
 * Directives: `.BYTE .WORD .LONG .QUAD .ADDRESS` (lists of expressions;
 * `.QUAD` sign-extends its 32-bit value), `.F_FLOATING .D_FLOATING
 * .G_FLOATING` (also `.FLOAT .DOUBLE`: lists of decimal numbers, rounded as
 * the VAX rounds), `.ASCII .ASCIZ .ASCIC` (strings
 * with any delimiter, `/text/`, `"text"`, and `<13><10>` byte values between
 * them), `.BLKB .BLKW .BLKL .BLKQ .BLKF .BLKD .BLKG [count]`, `.ALIGN BYTE|WORD|LONG|QUAD|
 * OCTA|PAGE|n [,fill]` (n is a power of two, 0..9, as in VAX MACRO), `.ORG
 * address`, `.ENTRY name,mask` (defines the label and stores the mask word),
 * `.END [entry]` (the rest of the source is ignored). `.TITLE .SBTTL .IDENT
 * .PSECT .ENABLE .DISABLE .SHOW .NOSHOW .LIST .NLIST .PAGE .GLOBL .EXTERNAL`
 * are accepted and ignored. Expressions of `.BLKx`, `.ALIGN`, `.ORG` and
 * `. =` may only use symbols defined on earlier lines.
 *
 * Not supported: macros, conditionals, line continuation with `-`,
 * repetition factors, floating point.
 *
 * @example Assembling a loop
 * ```ts
 * import assert from "node:assert/strict";
 * import { assemble } from "./assembler.ts";
 * const a = assemble(`
 *         MOVL    #10,R0
 * 10$:    SOBGTR  R0,10$
 *         HALT
 * `, { origin: 0x200 });
 * assert.deepEqual([...a.bytes], [0xd0, 0x0a, 0x50, 0xf5, 0x50, 0xfd, 0x00]);
 * assert.equal(a.lineAt(0x204)?.line, 3);
 * ```
 *
 * @module
 */

import {
  dataTypeSize,
  opcodeByMnemonic,
  opcodeBytes,
  type OpcodeInfo,
  type OperandInfo,
} from "../arch/opcodes.ts";
import { type AsmDiagnostic, AsmError } from "./error.ts";
import {
  closingAngle,
  closingDelimiter,
  type EvalContext,
  evaluate,
  type Expr,
  LineError,
  localKey,
  parseExpression,
  registerNumber,
  symbolKey,
} from "./expression.ts";
import { checkOperand, type Operand, parseOperand, PC } from "./operand.ts";
import {
  type FloatFormat,
  floatFromNumber,
  floatToLiteral,
  type Quad,
} from "../machine/isa/float.ts";
import { formatHex } from "../machine/units.ts";

export { type AsmDiagnostic, AsmError } from "./error.ts";

/** Options of {@link assemble}. */
export interface AssembleOptions {
  /**
   * Address of the first byte, and initial value of `.` (default 0). An
   * integer from 0 to 2^32 - 1.
   */
  origin?: number;
  /**
   * Symbols defined before the source is read, e.g. IPR numbers. Names are
   * case-insensitive; values are taken modulo 2^32.
   */
  symbols?: Readonly<Record<string, number>>;
  /** File name to show in error messages. */
  fileName?: string;
}

/** One row of the listing: a source line that occupies bytes. */
export interface ListingLine {
  /** Line number, 1-based. */
  readonly line: number;
  /** Address of the first byte. */
  readonly address: number;
  /** Number of bytes (emitted, or reserved by `.BLKx`). */
  readonly length: number;
  /** The source line, without its line terminator. */
  readonly text: string;
}

/** The fields an {@link Assembly} is built from. */
export interface AssemblyInit {
  /** Address of `bytes[0]`. */
  origin: number;
  /** The image. */
  bytes: Uint8Array;
  /** Symbols (name as written at its definition, value). */
  symbols: ReadonlyMap<string, number>;
  /** Start address. */
  entry: number;
  /** Listing rows, in source order. */
  lines: readonly ListingLine[];
}

/** Highest address plus one. */
const ADDRESS_LIMIT = 2 ** 32;

/** Largest image the assembler builds (16 MiB). */
const MAX_IMAGE = 16 * 1024 * 1024;

/** A value in an error message: hex marked `0x`, as every rendering. */
function hex(n: number): string {
  return formatHex(n, 1);
}

/**
 * The output of {@link assemble}: a contiguous image, its symbols, its
 * entry point, and a listing that maps addresses back to source lines.
 */
export class Assembly {
  /** Address of `bytes[0]`. */
  readonly origin: number;
  /**
   * The image from `origin` to the highest byte emitted or reserved
   * (`.BLKx`); gaps left by `.ORG` or `. =` are zero.
   */
  readonly bytes: Uint8Array;
  /**
   * Labels and `=` symbols of the source (not local labels, not the
   * predefined symbols), keyed by the name as written at its definition.
   * Use {@link Assembly.symbol} for a case-insensitive lookup.
   */
  readonly symbols: ReadonlyMap<string, number>;
  /** Start address: the value given to `.END`, else the origin. */
  readonly entry: number;
  /** One row per source line that occupies bytes, in source order. */
  readonly lines: readonly ListingLine[];
  readonly #byAddress: readonly ListingLine[];
  readonly #byKey: ReadonlyMap<string, number>;

  /** Builds an assembly from its parts (normally done by {@link assemble}). */
  constructor(init: AssemblyInit) {
    this.origin = init.origin;
    this.bytes = init.bytes;
    this.symbols = init.symbols;
    this.entry = init.entry;
    this.lines = init.lines;
    this.#byAddress = [...init.lines].sort((a, b) => a.address - b.address);
    const byKey = new Map<string, number>();
    for (const [name, value] of init.symbols) byKey.set(symbolKey(name), value);
    this.#byKey = byKey;
  }

  /** One past the last byte of the image. */
  get end(): number {
    return this.origin + this.bytes.length;
  }

  /**
   * The listing row of the source line whose bytes include `address`, or
   * undefined when no line occupies that address.
   */
  lineAt(address: number): ListingLine | undefined {
    const rows = this.#byAddress;
    let lo = 0;
    let hi = rows.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const row = rows[mid]!;
      if (address < row.address) hi = mid - 1;
      else if (address >= row.address + row.length) lo = mid + 1;
      else return row;
    }
    return undefined;
  }

  /**
   * The value of a symbol of the source, by a case-insensitive name.
   * Throws a RangeError naming the symbol when the source does not define it.
   */
  symbol(name: string): number {
    const v = this.#byKey.get(symbolKey(name));
    if (v === undefined) {
      throw new RangeError(`Unknown symbol "${name}" in this assembly`);
    }
    return v;
  }
}

// ---------------------------------------------------------------------------
// Parsed statements.

interface Label {
  readonly name: string;
  readonly key: string;
  readonly column: number;
}

type InstructionOperand =
  | { readonly kind: "general"; readonly op: Operand }
  | { readonly kind: "branch"; readonly expr: Expr; readonly column: number };

type StringItem =
  | { readonly kind: "bytes"; readonly bytes: readonly number[] }
  | { readonly kind: "expr"; readonly expr: Expr };

type Body =
  | { readonly kind: "none" }
  | {
    readonly kind: "instruction";
    readonly info: OpcodeInfo;
    readonly operands: readonly InstructionOperand[];
  }
  | {
    readonly kind: "assign";
    readonly name: string;
    readonly key: string;
    readonly expr: Expr;
  }
  | { readonly kind: "location"; readonly expr: Expr }
  | { readonly kind: "data"; readonly size: number; readonly items: Expr[] }
  | {
    readonly kind: "string";
    readonly items: readonly StringItem[];
    readonly counted: boolean;
    readonly zero: boolean;
  }
  | {
    readonly kind: "reserve";
    readonly size: number;
    readonly count: Expr | undefined;
  }
  | {
    readonly kind: "align";
    readonly exponent: number | Expr;
    readonly fill: Expr | undefined;
  }
  | { readonly kind: "end"; readonly expr: Expr | undefined };

interface Statement {
  readonly index: number;
  readonly line: number;
  readonly text: string;
  readonly labels: readonly Label[];
  readonly body: Body;
  /** Column of the mnemonic or directive (for whole-statement errors). */
  readonly column: number;
}

const IGNORED_DIRECTIVES = new Set([
  ".TITLE",
  ".SBTTL",
  ".SUBTITLE",
  ".IDENT",
  ".PSECT",
  ".ENABLE",
  ".ENABL",
  ".DISABLE",
  ".DSABL",
  ".SHOW",
  ".NOSHOW",
  ".LIST",
  ".NLIST",
  ".NOLIST",
  ".PAGE",
  ".GLOBL",
  ".GLOBAL",
  ".EXTERNAL",
  ".EXTRN",
  ".DEFAULT",
]);

const DATA_SIZES: Readonly<Record<string, number>> = {
  ".BYTE": 1,
  ".WORD": 2,
  ".LONG": 4,
  ".ADDRESS": 4,
  ".QUAD": 8,
};

/** Floating data directives (VAX MACRO names and their short forms). */
const FLOAT_DIRECTIVES: Readonly<Record<string, FloatFormat>> = {
  ".F_FLOATING": "f",
  ".FLOAT": "f",
  ".D_FLOATING": "d",
  ".DOUBLE": "d",
  ".G_FLOATING": "g",
};

const RESERVE_SIZES: Readonly<Record<string, number>> = {
  ".BLKB": 1,
  ".BLKW": 2,
  ".BLKL": 4,
  ".BLKQ": 8,
  ".BLKF": 4,
  ".BLKD": 8,
  ".BLKG": 8,
};

const ALIGN_KEYWORDS: Readonly<Record<string, number>> = {
  BYTE: 0,
  WORD: 1,
  LONG: 2,
  QUAD: 3,
  OCTA: 4,
  PAGE: 9,
};

/** Index of the `;` starting the comment, or the line length. */
function commentStart(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (c === ";") return i;
    if (c === "^" && /[Aa]/.test(text[i + 1] ?? "") && i + 2 < text.length) {
      i = closingDelimiter(text, i + 2, text.length);
    }
  }
  return text.length;
}

/** Splits `text[start, end)` at top-level commas. Empty field: no items. */
function splitFields(
  text: string,
  start: number,
  end: number,
): [number, number][] {
  if (text.slice(start, end).trim() === "") return [];
  const fields: [number, number][] = [];
  let depth = 0;
  let from = start;
  for (let i = start; i < end; i++) {
    const c = text[i];
    if (c === "^" && /[Aa]/.test(text[i + 1] ?? "") && i + 2 < end) {
      i = closingDelimiter(text, i + 2, end);
    } else if (c === "<") {
      i = closingAngle(text, i, end);
    } else if (c === "(" || c === "[") depth++;
    else if (c === ")" || c === "]") depth--;
    else if (c === "," && depth === 0) {
      fields.push([from, i]);
      from = i + 1;
    }
  }
  fields.push([from, end]);
  return fields;
}

function trimmedStart(text: string, start: number, end: number): number {
  while (start < end && /[ \t]/.test(text[start]!)) start++;
  return start;
}

function expressionIn(
  text: string,
  [start, end]: [number, number],
  scope: number,
): Expr {
  const s = trimmedStart(text, start, end);
  let e = end;
  while (e > s && /[ \t]/.test(text[e - 1]!)) e--;
  if (s === e) throw new LineError("missing expression", s + 1);
  return parseExpression(text, s, e, scope);
}

function operandList(info: OpcodeInfo): string {
  return info.operands.map((o) => `${o.name}.${o.access}${o.type}`).join(", ");
}

function countMessage(info: OpcodeInfo, got: number): string {
  const n = info.operands.length;
  if (n === 0) return `${info.mnemonic} expects no operands, got ${got}`;
  return `${info.mnemonic} expects ${n} operand${n === 1 ? "" : "s"} (${
    operandList(info)
  }), got ${got}`;
}

function parseBranchOperand(
  text: string,
  [start, end]: [number, number],
  scope: number,
): InstructionOperand {
  const s = trimmedStart(text, start, end);
  const body = text.slice(s, end).trim();
  if (
    /^[#@]/.test(body) || /^[BWLSIG]\^/i.test(body) || /[()[\]]/.test(body)
  ) {
    throw new LineError(
      "a branch operand is a target address, not an addressing mode",
      s + 1,
    );
  }
  return {
    kind: "branch",
    expr: expressionIn(text, [start, end], scope),
    column: s + 1,
  };
}

/** Parser state carried from line to line. */
interface ParseState {
  scope: number;
  ended: boolean;
}

const RE_ASSIGN = /^[ \t]*(\.|[A-Za-z_$][A-Za-z0-9_$.]*)[ \t]*==?(?!=)/;
const RE_LABEL = /[ \t]*([A-Za-z_$.][A-Za-z0-9_$.]*|\d+\$)[ \t]*::?/y;
const RE_WORD = /[A-Za-z_$.][A-Za-z0-9_$.]*/y;

function makeLabel(
  name: string,
  column: number,
  state: ParseState,
): Label {
  if (/^\d+\$$/.test(name)) {
    const n = Number(name.slice(0, -1));
    if (n < 1 || n > 65535) {
      throw new LineError(
        `local label ${name} out of range (1$..65535$)`,
        column,
      );
    }
    return { name, key: localKey(`${n}$`, state.scope), column };
  }
  if (name === ".") throw new LineError("'.' cannot be a label", column);
  if (registerNumber(name) !== undefined) {
    throw new LineError(
      `register name ${name.toUpperCase()} cannot be a label`,
      column,
    );
  }
  state.scope++;
  return { name, key: symbolKey(name), column };
}

/** Parses one line. Throws LineError on the first problem. */
function parseLine(
  text: string,
  state: ParseState,
  errors: LineError[],
): { labels: Label[]; body: Body; column: number } {
  // Direct assignment: `name = expr`, `. = expr`.
  const am = RE_ASSIGN.exec(text);
  if (am) {
    const name = am[1]!;
    const column = text.indexOf(name) + 1;
    const end = commentStart(text, am[0].length);
    const expr = expressionIn(text, [am[0].length, end], state.scope);
    if (name === ".") {
      return { labels: [], body: { kind: "location", expr }, column };
    }
    if (registerNumber(name) !== undefined) {
      throw new LineError(
        `cannot assign to register ${name.toUpperCase()}`,
        column,
      );
    }
    return {
      labels: [],
      body: { kind: "assign", name, key: symbolKey(name), expr },
      column,
    };
  }

  const labels: Label[] = [];
  let pos = 0;
  for (;;) {
    RE_LABEL.lastIndex = pos;
    const m = RE_LABEL.exec(text);
    if (!m) break;
    const name = m[1]!;
    const column = text.indexOf(name, pos) + 1;
    labels.push(makeLabel(name, column, state));
    pos = RE_LABEL.lastIndex;
  }
  pos = trimmedStart(text, pos, text.length);
  if (pos >= text.length || text[pos] === ";") {
    return { labels, body: { kind: "none" }, column: pos + 1 };
  }
  RE_WORD.lastIndex = pos;
  const wm = RE_WORD.exec(text);
  const column = pos + 1;
  if (!wm) {
    throw new LineError(
      `expected a label, an instruction or a directive, found '${text[pos]}'`,
      column,
    );
  }
  const word = wm[0];
  const upper = word.toUpperCase();
  pos += word.length;
  if (pos < text.length && !/[ \t;]/.test(text[pos]!)) {
    throw new LineError(
      `unexpected '${text[pos]}' after "${word}"`,
      pos + 1,
    );
  }
  const result = (body: Body) => ({ labels, body, column });

  if (upper.startsWith(".")) {
    return result(
      parseDirective(text, upper, word, pos, column, state, labels),
    );
  }
  const info = opcodeByMnemonic(word);
  if (info === undefined) {
    throw new LineError(`unknown mnemonic "${word}"`, column);
  }
  const end = commentStart(text, pos);
  const fields = splitFields(text, pos, end);
  if (fields.length !== info.operands.length) {
    throw new LineError(countMessage(info, fields.length), column);
  }
  const operands: InstructionOperand[] = [];
  let failed = false;
  info.operands.forEach((oi: OperandInfo, i) => {
    const field = fields[i]!;
    try {
      if (oi.access === "b") {
        operands.push(parseBranchOperand(text, field, state.scope));
      } else {
        const op = parseOperand(text, field[0], field[1], state.scope);
        checkOperand(op, oi);
        operands.push({ kind: "general", op });
      }
    } catch (e) {
      if (!(e instanceof LineError)) throw e;
      errors.push(e);
      failed = true;
    }
  });
  if (failed) return result({ kind: "none" });
  return result({ kind: "instruction", info, operands });
}

function parseStrings(
  text: string,
  pos: number,
  column: number,
  state: ParseState,
): StringItem[] {
  const items: StringItem[] = [];
  for (;;) {
    pos = trimmedStart(text, pos, text.length);
    const c = text[pos];
    if (c === undefined || c === ";") break;
    if (c === "<") {
      const close = closingAngle(text, pos, text.length);
      items.push({
        kind: "expr",
        expr: expressionIn(text, [pos + 1, close], state.scope),
      });
      pos = close + 1;
      continue;
    }
    if (c === "=") {
      throw new LineError(`'${c}' cannot delimit a string`, pos + 1);
    }
    const close = closingDelimiter(text, pos, text.length);
    const bytes: number[] = [];
    for (let i = pos + 1; i < close; i++) {
      const code = text.charCodeAt(i);
      if (code > 0xff) {
        throw new LineError(`character '${text[i]}' is not 8-bit`, i + 1);
      }
      bytes.push(code);
    }
    items.push({ kind: "bytes", bytes });
    pos = close + 1;
  }
  if (items.length === 0) throw new LineError("missing string", column);
  return items;
}

function parseDirective(
  text: string,
  upper: string,
  word: string,
  pos: number,
  column: number,
  state: ParseState,
  labels: Label[],
): Body {
  if (IGNORED_DIRECTIVES.has(upper)) {
    if (upper === ".PSECT") state.scope++;
    return { kind: "none" };
  }
  if (upper === ".ASCII" || upper === ".ASCIZ" || upper === ".ASCIC") {
    return {
      kind: "string",
      items: parseStrings(text, pos, column, state),
      counted: upper === ".ASCIC",
      zero: upper === ".ASCIZ",
    };
  }
  const end = commentStart(text, pos);
  const fields = splitFields(text, pos, end);
  const expr = (i: number) => expressionIn(text, fields[i]!, state.scope);
  const atMost = (n: number) => {
    if (fields.length > n) {
      const extra = fields[n]!;
      throw new LineError(
        `${upper} takes at most ${n} argument${n === 1 ? "" : "s"}`,
        trimmedStart(text, extra[0], extra[1]) + 1,
      );
    }
  };
  const floatFormat = FLOAT_DIRECTIVES[upper];
  if (floatFormat !== undefined) {
    if (fields.length === 0) {
      throw new LineError(`${upper} needs at least one value`, column);
    }
    const bytes: number[] = [];
    for (const [s, e] of fields) {
      const from = trimmedStart(text, s, e);
      const body = text.slice(from, e).trim();
      const x = /^[+-]?(\d+\.?\d*|\.\d+)(E[+-]?\d+)?$/i.test(body)
        ? Number(body)
        : NaN;
      if (Number.isNaN(x)) {
        throw new LineError(
          `${upper} expects decimal numbers such as 1.5 or -2.5E3, not "${body}"`,
          from + 1,
        );
      }
      let q: Quad;
      try {
        q = floatFromNumber(floatFormat, x);
      } catch {
        throw new LineError(
          `${body} is out of the range of ${floatFormat.toUpperCase()}_floating`,
          from + 1,
        );
      }
      pushLE(bytes, q[0], 4);
      if (floatFormat !== "f") pushLE(bytes, q[1], 4);
    }
    return {
      kind: "string",
      items: [{ kind: "bytes", bytes }],
      counted: false,
      zero: false,
    };
  }
  const size = DATA_SIZES[upper];
  if (size !== undefined) {
    if (fields.length === 0) {
      throw new LineError(`${upper} needs at least one value`, column);
    }
    return { kind: "data", size, items: fields.map((_, i) => expr(i)) };
  }
  const unit = RESERVE_SIZES[upper];
  if (unit !== undefined) {
    atMost(1);
    return {
      kind: "reserve",
      size: unit,
      count: fields.length ? expr(0) : undefined,
    };
  }
  switch (upper) {
    case ".ALIGN": {
      if (fields.length === 0) {
        throw new LineError(".ALIGN needs a boundary", column);
      }
      atMost(2);
      const f = fields[0]!;
      const kw = text.slice(f[0], f[1]).trim().toUpperCase();
      const exponent = ALIGN_KEYWORDS[kw] ?? expr(0);
      return {
        kind: "align",
        exponent,
        fill: fields.length > 1 ? expr(1) : undefined,
      };
    }
    case ".ORG":
      if (fields.length === 0) {
        throw new LineError(".ORG needs an address", column);
      }
      atMost(1);
      return { kind: "location", expr: expr(0) };
    case ".END":
      atMost(1);
      state.ended = true;
      return { kind: "end", expr: fields.length ? expr(0) : undefined };
    case ".ENTRY": {
      if (fields.length === 0) {
        throw new LineError(".ENTRY needs a name and a register mask", column);
      }
      atMost(2);
      const f = fields[0]!;
      const s = trimmedStart(text, f[0], f[1]);
      const name = text.slice(f[0], f[1]).trim();
      if (!/^[A-Za-z_$.][A-Za-z0-9_$.]*$/.test(name) || name === ".") {
        throw new LineError(`.ENTRY needs a name, not "${name}"`, s + 1);
      }
      labels.push(makeLabel(name, s + 1, state));
      return {
        kind: "data",
        size: 2,
        items: [
          fields.length > 1 ? expr(1) : { kind: "number", value: 0, column },
        ],
      };
    }
  }
  throw new LineError(`unknown directive "${word}"`, column);
}

// ---------------------------------------------------------------------------
// Layout and encoding passes.

interface Definition {
  readonly name: string;
  readonly value: number;
  readonly line: number;
  readonly label: boolean;
}

interface Chunk {
  readonly stmt: Statement;
  readonly address: number;
  readonly bytes: Uint8Array;
}

interface PassResult {
  readonly defs: Map<string, Definition>;
  readonly chunks: Chunk[];
  readonly errors: AsmDiagnostic[];
  readonly grew: boolean;
  readonly entry: number | undefined;
}

function fitsSigned(v: number, n: number): boolean {
  const s = v | 0;
  return n === 1
    ? s >= -128 && s <= 127
    : n === 2
    ? s >= -32768 && s <= 32767
    : true;
}

function fitsData(v: number, n: number): boolean {
  return n === 1
    ? v <= 0xff || v >= ADDRESS_LIMIT - 0x80
    : n === 2
    ? v <= 0xffff || v >= ADDRESS_LIMIT - 0x8000
    : true;
}

function pushLE(out: number[], v: number, n: number): void {
  for (let i = 0; i < Math.min(n, 4); i++) out.push((v >>> (8 * i)) & 0xff);
  const high = (v | 0) < 0 ? 0xff : 0;
  for (let i = 4; i < n; i++) out.push(high);
}

const SIZE_NAME: Readonly<Record<number, string>> = {
  1: "a byte",
  2: "a word",
  4: "a longword",
  8: "a quadword",
  16: "an octaword",
};

const SIZE_PREFIX: Readonly<Record<number, string>> = {
  1: "B^",
  2: "W^",
  4: "L^",
};

function displacementMode(size: number, deferred: boolean): number {
  return (size === 1 ? 0xa : size === 2 ? 0xc : 0xe) + (deferred ? 1 : 0);
}

function smallestDisplacement(v: number): number {
  return fitsSigned(v, 1) ? 1 : fitsSigned(v, 2) ? 2 : 4;
}

/** One layout-and-encode pass over all statements. */
class Pass {
  readonly #stmts: readonly Statement[];
  readonly #prev: ReadonlyMap<string, number>;
  readonly #predefined: ReadonlyMap<string, number>;
  readonly #sizes: Map<string, number>;
  readonly #origin: number;
  readonly #fileName: string | undefined;
  readonly defs = new Map<string, Definition>();
  readonly chunks: Chunk[] = [];
  readonly errors: AsmDiagnostic[] = [];
  grew = false;
  entry: number | undefined;
  #line = 0;

  constructor(
    stmts: readonly Statement[],
    prev: ReadonlyMap<string, number>,
    predefined: ReadonlyMap<string, number>,
    sizes: Map<string, number>,
    origin: number,
    fileName: string | undefined,
  ) {
    this.#stmts = stmts;
    this.#prev = prev;
    this.#predefined = predefined;
    this.#sizes = sizes;
    this.#origin = origin;
    this.#fileName = fileName;
  }

  #error(reason: string, column: number): void {
    const d: AsmDiagnostic = this.#fileName === undefined
      ? { line: this.#line, column, reason }
      : { line: this.#line, column, reason, fileName: this.#fileName };
    this.errors.push(d);
  }

  /** An evaluation context; strict ones see only symbols defined above. */
  #context(
    dot: number,
    strict: string | undefined,
    self?: string,
  ): EvalContext {
    return {
      dot,
      lookup: (key, e) => {
        const v = this.defs.get(key)?.value ?? this.#predefined.get(key);
        if (v !== undefined) return v;
        // `X = X+1` before any X: undefined, not a forward reference.
        const later = key === self ? undefined : this.#prev.get(key);
        if (strict !== undefined) {
          this.#error(
            later === undefined
              ? `undefined symbol "${e.name}"`
              : `${strict} needs "${e.name}" to be defined on an earlier line`,
            e.column,
          );
          return undefined;
        }
        if (later === undefined) {
          this.#error(
            e.key.includes("@")
              ? `undefined local label "${e.name}" (local labels do not cross non-local labels)`
              : `undefined symbol "${e.name}"`,
            e.column,
          );
        }
        return later;
      },
      error: (message, column) => this.#error(message, column),
    };
  }

  #eval(
    expr: Expr,
    dot: number,
    self?: string,
  ): { value: number; known: boolean } {
    return evaluate(expr, this.#context(dot, undefined, self));
  }

  #strict(expr: Expr, dot: number, what: string): number | undefined {
    const before = this.errors.length;
    const r = evaluate(expr, this.#context(dot, what));
    return this.errors.length === before && r.known ? r.value : undefined;
  }

  /** The size of an automatic choice: never smaller than last pass's. */
  #choose(key: string, required: number): number {
    const prior = this.#sizes.get(key);
    if (prior === undefined || required > prior) {
      if (prior !== undefined) this.grew = true;
      this.#sizes.set(key, required);
      return required;
    }
    return prior;
  }

  #define(label: Label, value: number): void {
    const old = this.defs.get(label.key);
    if (old !== undefined) {
      this.#error(
        old.label
          ? `duplicate label "${label.name}" (first defined on line ${old.line})`
          : `"${label.name}" is already a symbol (assigned on line ${old.line})`,
        label.column,
      );
      return;
    }
    if (this.#predefined.has(label.key)) {
      this.#error(
        `label "${label.name}" has the name of a predefined symbol`,
        label.column,
      );
      return;
    }
    this.defs.set(label.key, {
      name: label.name,
      value,
      line: this.#line,
      label: true,
    });
  }

  run(): void {
    let loc = this.#origin;
    for (const stmt of this.#stmts) {
      this.#line = stmt.line;
      for (const label of stmt.labels) this.#define(label, loc);
      const out: number[] = [];
      let reserve = 0;
      const body = stmt.body;
      switch (body.kind) {
        case "none":
          break;
        case "end":
          if (body.expr) this.entry = this.#eval(body.expr, loc).value;
          break;
        case "assign":
          this.#assign(body, stmt, loc);
          break;
        case "location": {
          const v = this.#strict(body.expr, loc, "the location counter");
          if (v === undefined) break;
          if (v < this.#origin) {
            this.#error(
              `location ${hex(v)} is below the origin ${hex(this.#origin)}`,
              body.expr.column,
            );
            break;
          }
          loc = v;
          break;
        }
        case "instruction":
          this.#instruction(stmt, body.info, body.operands, loc, out);
          break;
        case "data":
          for (const item of body.items) {
            const v = this.#eval(item, loc + out.length).value;
            if (!fitsData(v, body.size)) {
              this.#error(
                `value ${hex(v)} does not fit in ${SIZE_NAME[body.size]}`,
                item.column,
              );
            }
            pushLE(out, v, body.size);
          }
          break;
        case "string":
          this.#string(body, stmt, loc, out);
          break;
        case "reserve":
          reserve = this.#reserve(body, loc);
          break;
        case "align":
          this.#align(body, loc, out);
          break;
      }
      const length = out.length + reserve;
      if (length > 0) {
        if (loc + length > ADDRESS_LIMIT) {
          this.#error(
            `the location counter passes ${hex(ADDRESS_LIMIT - 1)}`,
            stmt.column,
          );
          break;
        }
        const bytes = new Uint8Array(length);
        bytes.set(out);
        this.chunks.push({ stmt, address: loc, bytes });
        loc += length;
      }
    }
  }

  #assign(body: Body & { kind: "assign" }, stmt: Statement, loc: number): void {
    const old = this.defs.get(body.key);
    if (old?.label) {
      this.#error(
        `cannot assign to label "${body.name}" (defined on line ${old.line})`,
        stmt.column,
      );
      return;
    }
    this.defs.set(body.key, {
      name: old?.name ?? body.name,
      value: this.#eval(body.expr, loc, body.key).value,
      line: stmt.line,
      label: false,
    });
  }

  /** Bytes reserved by `.BLKx`. */
  #reserve(body: Body & { kind: "reserve" }, loc: number): number {
    if (!body.count) return body.size;
    const v = this.#strict(body.count, loc, "a reserved-space count");
    if (v === undefined) return 0;
    if ((v | 0) < 0 || v * body.size > MAX_IMAGE) {
      this.#error(
        `cannot reserve ${v | 0} item${v === 1 ? "" : "s"} (0 to ${
          MAX_IMAGE / body.size
        })`,
        body.count.column,
      );
      return 0;
    }
    return v * body.size;
  }

  #align(body: Body & { kind: "align" }, loc: number, out: number[]): void {
    let exp: number | undefined;
    if (typeof body.exponent === "number") exp = body.exponent;
    else {
      exp = this.#strict(body.exponent, loc, "an alignment");
      if (exp !== undefined && exp > 9) {
        this.#error(
          `alignment must be 0 to 9 (a power of two) or BYTE, WORD, LONG, QUAD, OCTA, PAGE; got ${exp}`,
          body.exponent.column,
        );
        return;
      }
    }
    if (exp === undefined) return;
    const boundary = 2 ** exp;
    const pad = (boundary - (loc % boundary)) % boundary;
    let fill = 0;
    if (body.fill) {
      fill = this.#eval(body.fill, loc).value;
      if (!fitsData(fill, 1)) {
        this.#error(
          `fill value ${hex(fill)} does not fit in a byte`,
          body.fill.column,
        );
      }
    }
    for (let i = 0; i < pad; i++) out.push(fill & 0xff);
  }

  #string(
    body: Body & { kind: "string" },
    stmt: Statement,
    loc: number,
    out: number[],
  ): void {
    const { items, counted, zero } = body;
    for (const item of items) {
      if (item.kind === "bytes") out.push(...item.bytes);
      else {
        const v = this.#eval(item.expr, loc + out.length).value;
        if (!fitsData(v, 1)) {
          this.#error(
            `value ${hex(v)} does not fit in a byte`,
            item.expr.column,
          );
        }
        out.push(v & 0xff);
      }
    }
    if (counted) {
      if (out.length > 255) {
        this.#error(
          `.ASCIC string is ${out.length} bytes long (at most 255)`,
          stmt.column,
        );
      }
      out.unshift(out.length & 0xff);
    }
    if (zero) out.push(0);
  }

  #instruction(
    stmt: Statement,
    info: OpcodeInfo,
    operands: readonly InstructionOperand[],
    addr: number,
    out: number[],
  ): void {
    out.push(...opcodeBytes(info.opcode));
    operands.forEach((operand, i) => {
      const oi = info.operands[i]!;
      if (operand.kind === "branch") {
        const n = dataTypeSize(oi.type);
        const { value: target, known } = this.#eval(operand.expr, addr);
        const disp = (target - (addr + out.length + n)) >>> 0;
        // An unknown target already has its error (no follow-on one).
        if (known && !fitsSigned(disp, n)) {
          this.#error(
            `branch target ${hex(target)} out of range: displacement ${
              disp | 0
            } does not fit in ${SIZE_NAME[n]} (${
              n === 1 ? "-128..127" : "-32768..32767"
            })`,
            operand.column,
          );
        }
        pushLE(out, disp, n);
      } else {
        this.#general(operand.op, oi, addr, out, `${stmt.index}:${i}`);
      }
    });
  }

  /**
   * A literal for a floating operand: a decimal number is its F, D or G
   * value (a short literal when one encodes it exactly, as `S^#0.5` to
   * `S^#120.`); any other expression is the raw bit pattern (`S^#n` the
   * 6-bit literal, `I^#e` the first longword, `I^#^X...` all 64 bits).
   */
  #floatLiteral(
    out: number[],
    m: Extract<Operand["mode"], { kind: "literal" }>,
    info: OperandInfo,
    column: number,
    addr: number,
  ): void {
    const fmt = info.type as FloatFormat;
    const size = fmt === "f" ? 4 : 8;
    let q: Quad;
    if (m.float !== undefined) {
      try {
        q = floatFromNumber(fmt, m.float);
      } catch {
        this.#error(
          `${m.float} is out of the range of ${fmt.toUpperCase()}_floating`,
          column,
        );
        return;
      }
    } else if (m.wide !== undefined) {
      q = [Number(m.wide & 0xffffffffn), Number(m.wide >> 32n)];
    } else {
      const value = this.#eval(m.expr, addr).value;
      if (m.force === "S") {
        if (value > 63) {
          this.#error(
            `short literal ${value | 0} out of range (0..63)`,
            column,
          );
        }
        out.push(value & 0x3f);
        return;
      }
      q = [value >>> 0, 0];
    }
    const lit = floatToLiteral(fmt, q);
    if (m.force === "S" && lit < 0) {
      this.#error(
        `${
          m.float ?? "value"
        } is not a floating short literal (S^# holds 0.5 to 120 with 3 fraction bits)`,
        column,
      );
      return;
    }
    if (lit >= 0 && m.force !== "I" && info.access === "r") {
      out.push(lit);
      return;
    }
    out.push(0x8f);
    pushLE(out, q[0], 4);
    if (size === 8) pushLE(out, q[1], 4);
  }

  #general(
    op: Operand,
    info: OperandInfo,
    addr: number,
    out: number[],
    key: string,
  ): void {
    if (op.index !== undefined) out.push(0x40 | op.index);
    const specAddr = addr + out.length;
    const m = op.mode;
    switch (m.kind) {
      case "register":
        out.push(0x50 | m.reg);
        return;
      case "registerDeferred":
        out.push(0x60 | m.reg);
        return;
      case "autodecrement":
        out.push(0x70 | m.reg);
        return;
      case "autoincrement":
        out.push(0x80 | m.reg);
        return;
      case "autoincrementDeferred":
        out.push(0x90 | m.reg);
        return;
      case "absolute":
        out.push(0x9f);
        pushLE(out, this.#eval(m.expr, addr).value, 4);
        return;
      case "literal": {
        if (info.type === "f" || info.type === "d" || info.type === "g") {
          this.#floatLiteral(out, m, info, op.column, addr);
          return;
        }
        if (m.floatOnly || m.wide !== undefined) {
          const wide = m.wide !== undefined &&
            dataTypeSize(info.type) === 8 && m.force !== "S";
          if (wide) {
            out.push(0x8f);
            const w = m.wide!;
            pushLE(out, Number(w & 0xffffffffn), 4);
            pushLE(out, Number(w >> 32n), 4);
            return;
          }
          this.#error(
            m.floatOnly
              ? `floating literal ${m.float} for an integer operand`
              : `literal wider than 32 bits for ${
                SIZE_NAME[
                  dataTypeSize(info.type)
                ]
              } operand`,
            op.column,
          );
          return;
        }
        const { value, known } = this.#eval(m.expr, addr);
        const short = m.force === "S" ||
          (m.force === undefined && info.access === "r" &&
            this.#choose(key, !known || value <= 63 ? 0 : 1) === 0);
        if (short) {
          if (value > 63) {
            this.#error(
              `short literal ${value | 0} out of range (0..63)`,
              op.column,
            );
          }
          out.push(value & 0x3f);
          return;
        }
        const n = dataTypeSize(info.type);
        if (!fitsData(value, n)) {
          this.#error(
            `value ${hex(value)} does not fit in ${SIZE_NAME[n]} immediate`,
            op.column,
          );
        }
        out.push(0x8f);
        pushLE(out, value, n);
        return;
      }
      case "displacement": {
        const { value, known } = this.#eval(m.expr, addr);
        const size = m.size ||
          this.#choose(key, known ? smallestDisplacement(value) : 1);
        if (!fitsSigned(value, size)) {
          this.#error(
            `displacement ${value | 0} does not fit in ${SIZE_NAME[size]} (${
              SIZE_PREFIX[size]
            })`,
            op.column,
          );
        }
        out.push((displacementMode(size, m.deferred) << 4) | m.reg);
        pushLE(out, value, size);
        return;
      }
      case "relative": {
        const { value: target, known } = this.#eval(m.expr, addr);
        const dispFor = (s: number) => (target - (specAddr + 1 + s)) >>> 0;
        let size: number = m.size;
        if (size === 0) {
          let required = 1;
          if (known) {
            required = [1, 2, 4].find((s) => fitsSigned(dispFor(s), s)) ?? 4;
          }
          size = this.#choose(key, required);
        }
        const disp = dispFor(size);
        if (known && !fitsSigned(disp, size)) {
          this.#error(
            `target ${hex(target)} out of range of ${
              SIZE_PREFIX[size]
            } (displacement ${disp | 0} does not fit in ${SIZE_NAME[size]})`,
            op.column,
          );
        }
        out.push((displacementMode(size, m.deferred) << 4) | PC);
        pushLE(out, disp, size);
        return;
      }
    }
  }
}

function sameSymbols(
  a: ReadonlyMap<string, Definition>,
  b: ReadonlyMap<string, number>,
): boolean {
  if (a.size !== b.size) return false;
  for (const [k, d] of a) if (b.get(k) !== d.value) return false;
  return true;
}

/** Most passes before giving up on a layout that does not settle. */
const MAX_PASSES = 100;

/** Symbols an expression refers to, and whether it uses `.` (no recursion). */
function references(expr: Expr): { keys: string[]; dot: boolean } {
  const keys: string[] = [];
  let dot = false;
  const todo: Expr[] = [expr];
  while (todo.length > 0) {
    const e = todo.pop()!;
    if (e.kind === "symbol") keys.push(e.key);
    else if (e.kind === "dot") dot = true;
    else if (e.kind === "unary") todo.push(e.operand);
    else if (e.kind === "binary") todo.push(e.left, e.right);
  }
  return { keys, dot };
}

/**
 * Carries the values of direct assignments along chains of forward
 * references (`S0 = S1+1`, ..., `Sn = 0`) within one step, so that such a
 * chain settles in a couple of passes whatever its length: every symbol
 * assigned exactly once, without `.`, is evaluated after the assignments
 * it depends on (in dependency order, without recursion), from `values`
 * for everything else. Symbols on a cycle keep their values (the passes
 * then report that they do not settle).
 */
function resolveAssignments(
  stmts: readonly Statement[],
  values: Map<string, number>,
): void {
  const count = new Map<string, number>();
  const labels = new Set<string>();
  for (const st of stmts) {
    for (const l of st.labels) {
      labels.add(l.key);
      count.set(l.key, 2); // never resolved here: its value is the layout's
    }
    if (st.body.kind === "assign") {
      count.set(st.body.key, (count.get(st.body.key) ?? 0) + 1);
    }
  }
  const exprs = new Map<string, { expr: Expr; deps: string[] }>();
  for (const st of stmts) {
    const b = st.body;
    if (b.kind !== "assign" || count.get(b.key) !== 1) continue;
    const r = references(b.expr);
    // Reassigned symbols have a value per place: leave those to the passes.
    const reassigned = r.keys.some((k) =>
      (count.get(k) ?? 0) > 1 && !labels.has(k)
    );
    if (!r.dot && !reassigned) exprs.set(b.key, { expr: b.expr, deps: r.keys });
  }
  // Kahn's algorithm over the assignments' own dependencies.
  const waiting = new Map<string, number>();
  const users = new Map<string, string[]>();
  for (const [key, { deps }] of exprs) {
    const inner = [...new Set(deps)].filter((d) => exprs.has(d));
    waiting.set(key, inner.length);
    for (const d of inner) {
      const u = users.get(d);
      if (u) u.push(key);
      else users.set(d, [key]);
    }
  }
  const ready = [...waiting].filter(([, n]) => n === 0).map(([k]) => k);
  const ctx: EvalContext = {
    dot: 0,
    lookup: (key) => values.get(key),
    error: () => {},
  };
  while (ready.length > 0) {
    const key = ready.pop()!;
    const r = evaluate(exprs.get(key)!.expr, ctx);
    if (r.known) values.set(key, r.value);
    for (const u of users.get(key) ?? []) {
      const n = waiting.get(u)! - 1;
      waiting.set(u, n);
      if (n === 0) ready.push(u);
    }
  }
}

function symbolValues(
  defs: ReadonlyMap<string, Definition>,
): Map<string, number> {
  return new Map([...defs].map(([k, d]) => [k, d.value]));
}

function checkOptions(options: AssembleOptions): Map<string, number> {
  const origin = options.origin ?? 0;
  if (!Number.isInteger(origin) || origin < 0 || origin >= ADDRESS_LIMIT) {
    throw new RangeError(
      `Cannot assemble: origin must be an integer from 0 to 0xFFFFFFFF, got ${origin}`,
    );
  }
  const predefined = new Map<string, number>();
  for (const [name, value] of Object.entries(options.symbols ?? {})) {
    if (
      !/^[A-Za-z_$.][A-Za-z0-9_$.]*$/.test(name) || name === "." ||
      registerNumber(name) !== undefined
    ) {
      throw new TypeError(
        `Cannot assemble: predefined symbol name "${name}" is not a valid symbol`,
      );
    }
    if (
      typeof value !== "number" || !Number.isInteger(value) ||
      value < -(2 ** 31) || value >= ADDRESS_LIMIT
    ) {
      throw new RangeError(
        `Cannot assemble: predefined symbol "${name}" must be a 32-bit integer, got ${value}`,
      );
    }
    predefined.set(symbolKey(name), value >>> 0);
  }
  return predefined;
}

function parseSource(
  source: string,
  fileName: string | undefined,
): { stmts: Statement[]; errors: AsmDiagnostic[] } {
  const diag = (line: number, column: number, reason: string) =>
    fileName === undefined
      ? { line, column, reason }
      : { line, column, reason, fileName };
  const stmts: Statement[] = [];
  const errors: AsmDiagnostic[] = [];
  const state: ParseState = { scope: 0, ended: false };
  const lines = source.split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length && !state.ended; i++) {
    const text = lines[i]!;
    const lineErrors: LineError[] = [];
    try {
      const { labels, body, column } = parseLine(text, state, lineErrors);
      stmts.push({
        index: stmts.length,
        line: i + 1,
        text,
        labels,
        body,
        column,
      });
    } catch (e) {
      if (!(e instanceof LineError)) throw e;
      lineErrors.push(e);
    }
    for (const e of lineErrors) errors.push(diag(i + 1, e.column, e.message));
  }
  return { stmts, errors };
}

/**
 * Assembles VAX MACRO-32 source (see the module documentation for the
 * syntax and the choices the assembler makes).
 *
 * Throws an {@link AsmError} listing every problem found (with line and
 * column) when the source cannot be assembled: there is never a partial
 * result. Throws a RangeError or TypeError for bad options.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { assemble } from "./assembler.ts";
 * const a = assemble("start: MOVL #1,R0\n HALT\n .END start", {
 *   origin: 0x1000,
 * });
 * assert.deepEqual([...a.bytes], [0xd0, 0x01, 0x50, 0x00]);
 * assert.equal(a.entry, 0x1000);
 * assert.equal(a.symbol("START"), 0x1000);
 * ```
 *
 * @param source the program text
 * @param options origin, predefined symbols, file name for messages
 * @returns the image, symbols, entry point and listing
 */
export function assemble(
  source: string,
  options: AssembleOptions = {},
): Assembly {
  if (typeof source !== "string") {
    throw new TypeError(
      `Cannot assemble ${
        source === null ? "null" : typeof source
      }: expected the program text as a string`,
    );
  }
  if (
    options === null || typeof options !== "object" || Array.isArray(options)
  ) {
    throw new TypeError(
      `Cannot assemble with options ${
        options === null
          ? "null"
          : Array.isArray(options)
          ? "an array"
          : String(options)
      }: expected an object such as { origin: 0x1000 }`,
    );
  }
  const predefined = checkOptions(options);
  const origin = options.origin ?? 0;
  const fileName = options.fileName;
  // A UTF-8 byte-order mark, as some editors write, is not part of the text.
  if (source.startsWith("\uFEFF")) source = source.slice(1);
  const parsed = parseSource(source, fileName);
  if (parsed.errors.length > 0) throw new AsmError(parsed.errors);

  const sizes = new Map<string, number>();
  let prev: ReadonlyMap<string, number> = new Map();
  let pass: Pass | undefined;
  let last: Pass | undefined;
  for (let n = 1; n <= MAX_PASSES && pass === undefined; n++) {
    const p = new Pass(parsed.stmts, prev, predefined, sizes, origin, fileName);
    p.run();
    if (!p.grew && sameSymbols(p.defs, prev)) pass = p;
    else if (n < MAX_PASSES) {
      const next = symbolValues(p.defs);
      resolveAssignments(parsed.stmts, next);
      prev = next;
    }
    last = p;
  }
  if (pass === undefined) {
    const moving = [...last!.defs].find(([k, d]) => prev.get(k) !== d.value)
      ?.[1];
    throw new AsmError([{
      line: moving?.line ?? 1,
      column: 1,
      reason: moving
        ? `the value of "${moving.name}" does not settle (is it defined in terms of itself?)`
        : `the layout did not settle after ${MAX_PASSES} passes`,
      ...(fileName === undefined ? {} : { fileName }),
    }]);
  }
  const result: PassResult = pass;
  const errors = [...result.errors];
  const image = buildImage(result.chunks, origin, errors, fileName);
  if (errors.length > 0) throw new AsmError(errors);

  const symbols = new Map<string, number>();
  for (const [key, d] of result.defs) {
    if (!key.includes("@")) symbols.set(d.name, d.value);
  }
  const lines: ListingLine[] = result.chunks.map((c) => ({
    line: c.stmt.line,
    address: c.address,
    length: c.bytes.length,
    text: c.stmt.text,
  }));
  return new Assembly({
    origin,
    bytes: image,
    symbols,
    entry: result.entry ?? origin,
    lines,
  });
}

function buildImage(
  chunks: readonly Chunk[],
  origin: number,
  errors: AsmDiagnostic[],
  fileName: string | undefined,
): Uint8Array {
  let end = origin;
  for (const c of chunks) end = Math.max(end, c.address + c.bytes.length);
  if (end - origin > MAX_IMAGE) {
    const c = chunks.find((c) =>
      c.address + c.bytes.length - origin > MAX_IMAGE
    )!;
    errors.push({
      line: c.stmt.line,
      column: c.stmt.column,
      reason: `the image would be ${
        end - origin
      } bytes long (at most ${MAX_IMAGE}); use a higher origin`,
      ...(fileName === undefined ? {} : { fileName }),
    });
    return new Uint8Array(0);
  }
  const image = new Uint8Array(end - origin);
  const used = new Uint8Array(end - origin);
  for (const c of chunks) {
    const at = c.address - origin;
    const clash = used.subarray(at, at + c.bytes.length).indexOf(1);
    if (clash >= 0) {
      const other = chunks.find((o) =>
        o !== c && o.address <= c.address + clash &&
        c.address + clash < o.address + o.bytes.length
      );
      errors.push({
        line: c.stmt.line,
        column: c.stmt.column,
        reason: `bytes at ${hex(c.address + clash)} were already assembled${
          other ? ` by line ${other.stmt.line}` : ""
        }`,
        ...(fileName === undefined ? {} : { fileName }),
      });
      continue;
    }
    image.set(c.bytes, at);
    used.fill(1, at, at + c.bytes.length);
  }
  return image;
}
