/**
 * Operand specifier syntax (vax-architecture.md sections 3.3 and 3.4): parsing
 * one operand of an instruction and checking it against the operand's access
 * type.
 *
 * | syntax | mode |
 * |---|---|
 * | `#e`, `S^#e`, `I^#e` | short literal or immediate |
 * | `Rn` | register |
 * | `(Rn)`, `@Rn` | register deferred |
 * | `-(Rn)` | autodecrement |
 * | `(Rn)+` | autoincrement |
 * | `@(Rn)+` | autoincrement deferred |
 * | `e(Rn)`, `B^e(Rn)`, `W^e(Rn)`, `L^e(Rn)` | displacement |
 * | `@e(Rn)`, `@B^e(Rn)`, ..., `@(Rn)` | displacement deferred |
 * | `e`, `B^e`, `W^e`, `L^e` | PC-relative (e is the target address) |
 * | `@e`, `@B^e`, ... | PC-relative deferred |
 * | `@#e` | absolute |
 * | `G^e` | general: assembled as absolute `@#e` |
 * | `@G^e` | general deferred: assembled as `@L^e` |
 * | any of the above except literal and register, then `[Rx]` | index |
 *
 * @module
 */

import type { OperandInfo } from "../arch/opcodes.ts";
import {
  closingDelimiter,
  type Expr,
  LineError,
  parseExpression,
  registerNumber,
} from "./expression.ts";

/** Register number of the PC. */
export const PC = 15;

/** Displacement size in bytes; 0 lets the assembler choose. */
export type DisplacementSize = 0 | 1 | 2 | 4;

/** The addressing part of an operand (without any index). */
export type OperandMode =
  | {
    readonly kind: "literal";
    /** `S` or `I` when written `S^#` or `I^#`; undefined for plain `#`. */
    readonly force: "S" | "I" | undefined;
    readonly expr: Expr;
    /**
     * The value when the literal is a decimal number (`#1.5`, `#-2`,
     * `#6.02E23`): a floating operand encodes it as a floating value.
     */
    readonly float?: number;
    /** The literal is only a floating value (`#1.5`), not an integer. */
    readonly floatOnly?: boolean;
    /**
     * The 64-bit pattern of a hexadecimal literal wider than a longword
     * (`#^X3ECCCCCCCCCCCCCD`), as a quadword in memory order.
     */
    readonly wide?: bigint;
  }
  | { readonly kind: "register"; readonly reg: number }
  | { readonly kind: "registerDeferred"; readonly reg: number }
  | { readonly kind: "autodecrement"; readonly reg: number }
  | { readonly kind: "autoincrement"; readonly reg: number }
  | { readonly kind: "autoincrementDeferred"; readonly reg: number }
  | {
    readonly kind: "displacement";
    readonly reg: number;
    readonly size: DisplacementSize;
    readonly deferred: boolean;
    readonly expr: Expr;
  }
  | {
    readonly kind: "relative";
    readonly size: DisplacementSize;
    readonly deferred: boolean;
    /** The target address. */
    readonly expr: Expr;
  }
  | { readonly kind: "absolute"; readonly expr: Expr };

/** A parsed general operand. */
export interface Operand {
  /** The addressing mode of the base. */
  readonly mode: OperandMode;
  /** Index register, when the operand ends in `[Rx]`. */
  readonly index: number | undefined;
  /** Where the operand starts (1-based column). */
  readonly column: number;
}

const REG = "(R1[0-5]|R[0-9]|AP|FP|SP|PC)";
const RE_REG = new RegExp(`^${REG}$`, "i");
const RE_REG_DEFERRED = new RegExp(`^\\(\\s*${REG}\\s*\\)$`, "i");
const RE_AUTOINC = new RegExp(`^\\(\\s*${REG}\\s*\\)\\s*\\+$`, "i");
const RE_AUTODEC = new RegExp(`^-\\s*\\(\\s*${REG}\\s*\\)$`, "i");
const RE_DISP_TAIL = new RegExp(`\\(\\s*([^()]*?)\\s*\\)$`);

function reg(name: string): number {
  return registerNumber(name)!;
}

/** Index of the first non-blank character of `text[start, end)`. */
function trimStart(text: string, start: number, end: number): number {
  while (start < end && /[ \t]/.test(text[start]!)) start++;
  return start;
}

/** One past the last non-blank character of `text[start, end)`. */
function trimEnd(text: string, start: number, end: number): number {
  while (end > start && /[ \t]/.test(text[end - 1]!)) end--;
  return end;
}

/**
 * Parses the operand in `text[start, end)` (blanks around it allowed).
 * Throws a LineError on bad syntax. `scope` is the local-label block.
 */
export function parseOperand(
  text: string,
  start: number,
  end: number,
  scope: number,
): Operand {
  start = trimStart(text, start, end);
  end = trimEnd(text, start, end);
  const column = start + 1;
  if (start === end) throw new LineError("missing operand", column);

  let index: number | undefined;
  if (text[end - 1] === "]") {
    const open = text.lastIndexOf("[", end - 1);
    if (open < start) throw new LineError("missing '[' before ']'", end);
    const name = text.slice(open + 1, end - 1).trim();
    index = registerNumber(name);
    if (index === undefined || !RE_REG.test(name)) {
      throw new LineError(
        `index must be a register, not "${name}"`,
        open + 2,
      );
    }
    if (index === PC) {
      throw new LineError("PC cannot be used as an index register", open + 2);
    }
    end = trimEnd(text, start, open);
    if (start === end) throw new LineError("missing base before index", column);
    if (text[end - 1] === "]") {
      throw new LineError("index mode not allowed with an index base", column);
    }
  }
  const mode = parseMode(text, start, end, scope);
  return { mode, index, column };
}

const RE_DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(E[+-]?\d+)?$/i;
const RE_WIDE_HEX = /^\^X([0-9A-F]{9,16})$/i;

/**
 * A literal after its `#`: a decimal number also records its floating
 * value (written with a point or an exponent it is only that), a hex
 * number wider than 32 bits its 64-bit pattern.
 */
function literal(
  text: string,
  s: number,
  e: number,
  force: "S" | "I" | undefined,
  column: number,
  expr: (s: number, e: number) => Expr,
): OperandMode {
  const body = text.slice(trimStart(text, s, e), trimEnd(text, s, e));
  const wide = RE_WIDE_HEX.exec(body);
  if (wide) {
    return {
      kind: "literal",
      force,
      expr: { kind: "number", value: 0, column },
      wide: BigInt("0x" + wide[1]!),
    };
  }
  if (RE_DECIMAL.test(body)) {
    const float = Number(body);
    try {
      return { kind: "literal", force, expr: expr(s, e), float };
    } catch {
      return {
        kind: "literal",
        force,
        expr: { kind: "number", value: 0, column },
        float,
        floatOnly: true,
      };
    }
  }
  return { kind: "literal", force, expr: expr(s, e) };
}

function parseMode(
  text: string,
  start: number,
  end: number,
  scope: number,
): OperandMode {
  const column = start + 1;
  let deferred = false;
  if (text[start] === "@") {
    deferred = true;
    start = trimStart(text, start + 1, end);
    if (start === end) throw new LineError("missing operand after '@'", column);
  }
  const body = text.slice(start, end);
  const expr = (s: number, e: number): Expr => {
    s = trimStart(text, s, e);
    e = trimEnd(text, s, e);
    if (s === e) throw new LineError("missing expression", s + 1);
    return parseExpression(text, s, e, scope);
  };

  // Literal, immediate, absolute.
  const force = /^([SI])\^/i.exec(body)?.[1]?.toUpperCase() as
    | "S"
    | "I"
    | undefined;
  if (body[0] === "#" || force !== undefined) {
    const hash = force === undefined ? start : trimStart(text, start + 2, end);
    if (text[hash] !== "#") {
      throw new LineError(`${force}^ must be followed by '#'`, hash + 1);
    }
    if (deferred) {
      if (force !== undefined) {
        throw new LineError(
          `'@' cannot be combined with ${force}^# (absolute mode is @#address)`,
          column,
        );
      }
      return { kind: "absolute", expr: expr(hash + 1, end) };
    }
    return literal(text, hash + 1, end, force, column, expr);
  }

  let m: RegExpExecArray | null;
  if (RE_REG.test(body)) {
    const r = reg(body);
    return deferred
      ? { kind: "registerDeferred", reg: r }
      : { kind: "register", reg: r };
  }
  if ((m = RE_REG_DEFERRED.exec(body))) {
    const r = reg(m[1]!);
    return deferred
      ? {
        kind: "displacement",
        reg: r,
        size: 0,
        deferred: true,
        expr: zero(column),
      }
      : { kind: "registerDeferred", reg: r };
  }
  if ((m = RE_AUTOINC.exec(body))) {
    const r = reg(m[1]!);
    if (r === PC) {
      throw new LineError(
        deferred
          ? "@(PC)+ is absolute mode: write @#address"
          : "(PC)+ is immediate mode: write I^#value",
        column,
      );
    }
    return deferred
      ? { kind: "autoincrementDeferred", reg: r }
      : { kind: "autoincrement", reg: r };
  }
  if ((m = RE_AUTODEC.exec(body))) {
    if (deferred) {
      throw new LineError("autodecrement mode cannot be deferred", column);
    }
    return { kind: "autodecrement", reg: reg(m[1]!) };
  }

  // Displacement and relative forms, with an optional size prefix.
  let size: DisplacementSize = 0;
  let general = false;
  const prefix = /^([BWLG])\^/i.exec(body)?.[1]?.toUpperCase();
  let s = start;
  if (prefix !== undefined) {
    s = start + 2;
    if (prefix === "G") general = true;
    else size = prefix === "B" ? 1 : prefix === "W" ? 2 : 4;
  }
  const tail = RE_DISP_TAIL.exec(text.slice(s, end));
  if (tail && !insideCharConstant(text, s, end - tail[0].length)) {
    const open = end - tail[0].length;
    const name = tail[1]!;
    const r = registerNumber(name);
    if (r === undefined || !RE_REG.test(name)) {
      throw new LineError(
        `expected a register in parentheses, found "${name}"`,
        open + 2,
      );
    }
    if (general) {
      throw new LineError(
        "G^ cannot be used with a base register",
        column + (deferred ? 1 : 0),
      );
    }
    if (trimStart(text, s, open) === open) {
      throw new LineError("missing displacement before '('", s + 1);
    }
    return {
      kind: "displacement",
      reg: r,
      size,
      deferred,
      expr: expr(s, open),
    };
  }
  if (text.indexOf("(", s) >= 0 && text.indexOf("(", s) < end) {
    const at = text.indexOf("(", s);
    if (!insideCharConstant(text, s, at)) {
      throw new LineError(
        "parentheses may only enclose a base register (group expressions with < >)",
        at + 1,
      );
    }
  }
  if (general) {
    return deferred
      ? { kind: "relative", size: 4, deferred: true, expr: expr(s, end) }
      : { kind: "absolute", expr: expr(s, end) };
  }
  return { kind: "relative", size, deferred, expr: expr(s, end) };
}

/** Whether position `at` lies inside a `^A` constant that starts after s. */
function insideCharConstant(text: string, s: number, at: number): boolean {
  for (let i = s; i < at; i++) {
    if (text[i] === "^" && /[Aa]/.test(text[i + 1] ?? "")) {
      const close = closingDelimiter(text, i + 2, text.length);
      if (close >= at) return true;
      i = close;
    }
  }
  return false;
}

function zero(column: number): Expr {
  return { kind: "number", value: 0, column };
}

/** Words for an access type in messages: "a write operand". */
export function accessPhrase(access: OperandInfo["access"]): string {
  switch (access) {
    case "r":
      return "a read operand";
    case "m":
      return "a modify operand";
    case "w":
      return "a write operand";
    case "a":
      return "an address operand";
    case "v":
      return "a bit-field base operand";
    case "b":
      return "a branch operand";
  }
}

/**
 * Checks the rules of section 3.3/3.4 that do not depend on values: which
 * modes an access type allows, which bases an index allows, where PC may be
 * used. Throws a LineError naming the rule broken.
 */
export function checkOperand(op: Operand, info: OperandInfo): void {
  const m = op.mode;
  const col = op.column;
  const what = accessPhrase(info.access);
  if (m.kind === "literal") {
    if (op.index !== undefined) {
      throw new LineError(
        `index mode not allowed with ${
          m.force === "S"
            ? "a short literal"
            : m.force === "I"
            ? "an immediate"
            : "a literal or immediate"
        } base`,
        col,
      );
    }
    if (m.force === "S" && info.access !== "r") {
      throw new LineError(`short literal not allowed for ${what}`, col);
    }
    if (info.access === "w" || info.access === "m") {
      throw new LineError(`immediate operand not allowed for ${what}`, col);
    }
  }
  if (m.kind === "register") {
    if (op.index !== undefined) {
      throw new LineError("index mode not allowed with a register base", col);
    }
    if (info.access === "a") {
      throw new LineError(`register mode not allowed for ${what}`, col);
    }
    if (m.reg === PC) {
      throw new LineError("PC cannot be used in register mode", col);
    }
  }
  if (
    (m.kind === "registerDeferred" || m.kind === "autodecrement") &&
    m.reg === PC
  ) {
    throw new LineError(
      `${
        m.kind === "registerDeferred" ? "(PC)" : "-(PC)"
      } is not a legal operand`,
      col,
    );
  }
}
