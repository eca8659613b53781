/**
 * MACRO-32 expressions: parsing and evaluation (modulo 2^32).
 *
 * Terms are numbers (decimal by default; `^X` hex, `^O` octal, `^B` binary,
 * `^D` decimal, and `0x` hex as a convenience), symbols, local labels (`10$`),
 * the location counter `.`, character constants `^A/xy/`, register masks
 * `^M<R2,R3>` and bracketed sub-expressions `<...>`. Unary operators: `+`,
 * `-`, `^C` (complement). Binary operators: `+ - * /`, `@` (arithmetic shift:
 * left when the right operand is positive, right when negative), `&` (and),
 * `!` (or), `\` (xor).
 *
 * As in VAX MACRO, all binary operators have the same priority and are
 * applied from left to right: `1+2*3` is 9, `1+<2*3>` is 7.
 *
 * @module
 */

import { REGISTER_NAMES } from "../arch/registers.ts";

/** A problem at a column (1-based) of the line being parsed. */
export class LineError extends Error {
  /** Column of the problem, 1-based. */
  readonly column: number;

  /**
   * Creates the error.
   *
   * @param message what is wrong
   * @param column 1-based column
   */
  constructor(message: string, column: number) {
    super(message);
    this.name = "LineError";
    this.column = column;
  }
}

/** Binary operators of MACRO-32. */
export type BinaryOperator = "+" | "-" | "*" | "/" | "@" | "&" | "!" | "\\";

/** Unary operators: plus, minus, and `^C` (one's complement). */
export type UnaryOperator = "+" | "-" | "^C";

/** A parsed expression. `column` is 1-based, where the node starts. */
export type Expr =
  | { readonly kind: "number"; readonly value: number; readonly column: number }
  | {
    readonly kind: "symbol";
    /** The name as written (for messages). */
    readonly name: string;
    /** The lookup key: upper case; local labels carry their block. */
    readonly key: string;
    readonly column: number;
  }
  | { readonly kind: "dot"; readonly column: number }
  | {
    readonly kind: "unary";
    readonly op: UnaryOperator;
    readonly operand: Expr;
    readonly column: number;
  }
  | {
    readonly kind: "binary";
    readonly op: BinaryOperator;
    readonly left: Expr;
    readonly right: Expr;
    readonly column: number;
  };

/** Register names in encoding order (R12..R15 are AP, FP, SP, PC). */
export { REGISTER_NAMES };

/**
 * The register number of a name (R0-R15, AP, FP, SP, PC; any case), or
 * undefined when the name is not a register.
 */
export function registerNumber(name: string): number | undefined {
  const n = name.toUpperCase();
  const i = REGISTER_NAMES.indexOf(n);
  if (i >= 0) return i;
  const m = /^R(\d{1,2})$/.exec(n);
  if (m && m[1]!.length === String(Number(m[1])).length) {
    const r = Number(m[1]);
    if (r <= 15) return r;
  }
  return undefined;
}

/** The lookup key of a symbol name: symbols are case-insensitive. */
export function symbolKey(name: string): string {
  return name.toUpperCase();
}

/** The lookup key of local label `digits$` in local-label block `scope`. */
export function localKey(label: string, scope: number): string {
  return `${label}@${scope}`;
}

const SYMBOL_START = /[A-Za-z_$.]/;
const SYMBOL_CHAR = /[A-Za-z0-9_$.]/;

/** Whether `c` can appear in a symbol name. */
export function isSymbolChar(c: string | undefined): boolean {
  return c !== undefined && SYMBOL_CHAR.test(c);
}

/** Whether `c` can begin a symbol name. */
export function isSymbolStart(c: string | undefined): boolean {
  return c !== undefined && SYMBOL_START.test(c);
}

const RADIX: Readonly<Record<string, number>> = { X: 16, O: 8, B: 2, D: 10 };
const BINARY_OPS = "+-*/@&!\\";

/**
 * Finds the end of a `^A` character constant or a delimited string whose
 * delimiter is at `start`; returns the index of the closing delimiter.
 * Throws a LineError when it is missing.
 */
export function closingDelimiter(
  text: string,
  start: number,
  end: number,
): number {
  const d = text[start];
  const close = text.indexOf(d!, start + 1);
  if (d === undefined || start >= end || close < 0 || close >= end) {
    throw new LineError(
      `unterminated string: no closing ${JSON.stringify(d ?? "")}`,
      start + 1,
    );
  }
  return close;
}

/**
 * Finds the `>` matching the `<` at `start` (angle brackets nest). Returns its
 * index, or throws a LineError.
 */
export function closingAngle(text: string, start: number, end: number): number {
  let depth = 0;
  for (let i = start; i < end; i++) {
    const c = text[i];
    if (c === "^" && /[Aa]/.test(text[i + 1] ?? "") && i + 2 < end) {
      i = closingDelimiter(text, i + 2, end);
      continue;
    }
    if (c === "<") depth++;
    else if (c === ">" && --depth === 0) return i;
  }
  throw new LineError("missing '>'", start + 1);
}

/**
 * Deepest expression accepted (nested unary operators and angle brackets,
 * and chains of binary operators, which nest to the left): deeper ones are
 * an error at their position, never a host stack overflow.
 */
export const MAX_EXPRESSION_DEPTH = 1000;

const DEPTH = new WeakMap<Expr, number>();

/** The depth of a parsed expression (a number or symbol is 1). */
export function expressionDepth(e: Expr): number {
  return DEPTH.get(e) ?? 1;
}

function tooDeep(column: number): LineError {
  return new LineError(
    `expression nested too deeply (more than ${MAX_EXPRESSION_DEPTH} levels)`,
    column,
  );
}

function withDepth<T extends Expr>(e: T, depth: number): T {
  if (depth > MAX_EXPRESSION_DEPTH) throw tooDeep(e.column);
  DEPTH.set(e, depth);
  return e;
}

/** A cursor over part of a line. */
class Cursor {
  readonly text: string;
  pos: number;
  readonly end: number;
  readonly scope: number;
  /** Nesting of the parse (unary operators, angle brackets). */
  nest: number;

  constructor(
    text: string,
    start: number,
    end: number,
    scope: number,
    nest = 0,
  ) {
    this.text = text;
    this.pos = start;
    this.end = end;
    this.scope = scope;
    this.nest = nest;
  }

  skipSpace(): void {
    while (this.pos < this.end && /[ \t]/.test(this.text[this.pos]!)) {
      this.pos++;
    }
  }

  peek(offset = 0): string | undefined {
    const i = this.pos + offset;
    return i < this.end ? this.text[i] : undefined;
  }

  get column(): number {
    return this.pos + 1;
  }
}

function describe(c: string | undefined): string {
  return c === undefined ? "end of operand" : `'${c}'`;
}

function parseDigits(cur: Cursor, radix: number, column: number): number {
  const start = cur.pos;
  while (isSymbolChar(cur.peek())) cur.pos++;
  const digits = cur.text.slice(start, cur.pos);
  if (digits === "") {
    throw new LineError("missing digits after radix operator", column);
  }
  let value = 0;
  for (const ch of digits) {
    const d = parseInt(ch, 36);
    if (Number.isNaN(d) || d >= radix) {
      throw new LineError(
        `invalid digit '${ch}' in base-${radix} number "${digits}"`,
        column,
      );
    }
    value = value * radix + d;
    if (value > 0xffffffff) {
      throw new LineError(`number "${digits}" does not fit in 32 bits`, column);
    }
  }
  return value;
}

function parseMask(cur: Cursor, column: number): number {
  if (cur.peek() !== "<") {
    throw new LineError("^M must be followed by <register list>", column);
  }
  const close = closingAngle(cur.text, cur.pos, cur.end);
  let mask = 0;
  const body = cur.text.slice(cur.pos + 1, close);
  let offset = cur.pos + 1;
  for (const part of body.split(",")) {
    const name = part.trim();
    const col = offset + part.indexOf(name) + 1;
    offset += part.length + 1;
    if (name === "") continue;
    const u = name.toUpperCase();
    const r = registerNumber(u);
    if (u === "IV") mask |= 1 << 14;
    else if (u === "DV") mask |= 1 << 15;
    else if (r !== undefined && r <= 11) mask |= 1 << r;
    else {
      throw new LineError(
        `"${name}" cannot appear in a register mask (R0-R11, IV, DV)`,
        col,
      );
    }
  }
  cur.pos = close + 1;
  return mask;
}

function parseNested(cur: Cursor, column: number): Expr {
  if (cur.nest >= MAX_EXPRESSION_DEPTH) throw tooDeep(column);
  cur.nest++;
  try {
    return parseTerm(cur);
  } finally {
    cur.nest--;
  }
}

function parseTerm(cur: Cursor): Expr {
  cur.skipSpace();
  const column = cur.column;
  const c = cur.peek();
  if (c === "+" || c === "-") {
    cur.pos++;
    const operand = parseNested(cur, column);
    return withDepth(
      { kind: "unary", op: c, operand, column },
      expressionDepth(operand) + 1,
    );
  }
  if (c === "<") {
    if (cur.nest >= MAX_EXPRESSION_DEPTH) throw tooDeep(column);
    const close = closingAngle(cur.text, cur.pos, cur.end);
    const inner = parseExpression(
      cur.text,
      cur.pos + 1,
      close,
      cur.scope,
      cur.nest + 1,
    );
    cur.pos = close + 1;
    return inner;
  }
  if (c === "^") {
    const op = cur.peek(1)?.toUpperCase();
    cur.pos += 2;
    if (op === "C") {
      const operand = parseNested(cur, column);
      return withDepth(
        { kind: "unary", op: "^C", operand, column },
        expressionDepth(operand) + 1,
      );
    }
    if (op === "A") {
      const close = closingDelimiter(cur.text, cur.pos, cur.end);
      const chars = cur.text.slice(cur.pos + 1, close);
      if (chars.length === 0 || chars.length > 4) {
        throw new LineError(
          `^A constant must hold 1 to 4 characters, not ${chars.length}`,
          column,
        );
      }
      let value = 0;
      for (let i = chars.length - 1; i >= 0; i--) {
        const code = chars.charCodeAt(i);
        if (code > 0xff) {
          throw new LineError(`character '${chars[i]}' is not 8-bit`, column);
        }
        value = value * 256 + code;
      }
      cur.pos = close + 1;
      return { kind: "number", value, column };
    }
    if (op === "M") {
      return { kind: "number", value: parseMask(cur, column), column };
    }
    const radix = op === undefined ? undefined : RADIX[op];
    if (radix === undefined) {
      throw new LineError(
        `unknown operator '^${
          cur.text[cur.pos - 1] ?? ""
        }' (expected ^X, ^O, ^B, ^D, ^A, ^C or ^M)`,
        column,
      );
    }
    return { kind: "number", value: parseDigits(cur, radix, column), column };
  }
  if (c === "." && !isSymbolChar(cur.peek(1))) {
    cur.pos++;
    return { kind: "dot", column };
  }
  if (c !== undefined && /[0-9]/.test(c)) {
    const start = cur.pos;
    while (isSymbolChar(cur.peek())) cur.pos++;
    const word = cur.text.slice(start, cur.pos);
    if (/^\d+\$$/.test(word)) {
      return {
        kind: "symbol",
        name: word,
        key: localKey(String(Number(word.slice(0, -1))) + "$", cur.scope),
        column,
      };
    }
    if (/^0x/i.test(word)) {
      cur.pos = start + 2;
      return { kind: "number", value: parseDigits(cur, 16, column), column };
    }
    cur.pos = start;
    return { kind: "number", value: parseDigits(cur, 10, column), column };
  }
  if (isSymbolStart(c)) {
    const start = cur.pos;
    while (isSymbolChar(cur.peek())) cur.pos++;
    const name = cur.text.slice(start, cur.pos);
    if (registerNumber(name) !== undefined) {
      throw new LineError(
        `register ${name.toUpperCase()} cannot be used in an expression`,
        column,
      );
    }
    return { kind: "symbol", name, key: symbolKey(name), column };
  }
  throw new LineError(`expected an expression, found ${describe(c)}`, column);
}

/**
 * Parses `text[start, end)` as one expression (the whole range must be
 * consumed). `scope` is the local-label block that `10$` refers to.
 * Throws a LineError on bad syntax.
 */
export function parseExpression(
  text: string,
  start: number,
  end: number,
  scope: number,
  nest = 0,
): Expr {
  const cur = new Cursor(text, start, end, scope, nest);
  let left = parseTerm(cur);
  for (;;) {
    cur.skipSpace();
    const c = cur.peek();
    if (c === undefined) return left;
    if (!BINARY_OPS.includes(c)) {
      throw new LineError(
        `unexpected ${describe(c)} in expression (operators: + - * / @ & ! \\)`,
        cur.column,
      );
    }
    const column = cur.column;
    cur.pos++;
    const right = parseTerm(cur);
    left = withDepth(
      { kind: "binary", op: c as BinaryOperator, left, right, column },
      Math.max(expressionDepth(left), expressionDepth(right)) + 1,
    );
  }
}

/** What an expression is evaluated against. */
export interface EvalContext {
  /** Value of `.` (the location counter). */
  readonly dot: number;
  /** The value of a symbol by key, or undefined when it is not known. */
  lookup(key: string, expr: Expr & { kind: "symbol" }): number | undefined;
  /** Reports a problem (evaluation then goes on with 0). */
  error(message: string, column: number): void;
}

/** The result of an evaluation. */
export interface EvalResult {
  /** The value, 0 to 2^32 - 1. */
  readonly value: number;
  /** False when some symbol was unknown (its value was taken as 0). */
  readonly known: boolean;
}

/** Evaluates an expression modulo 2^32. */
export function evaluate(expr: Expr, ctx: EvalContext): EvalResult {
  let known = true;
  const ev = (e: Expr): number => {
    switch (e.kind) {
      case "number":
        return e.value;
      case "dot":
        return ctx.dot >>> 0;
      case "symbol": {
        const v = ctx.lookup(e.key, e);
        if (v === undefined) {
          known = false;
          return 0;
        }
        return v >>> 0;
      }
      case "unary": {
        const v = ev(e.operand);
        return e.op === "-" ? -v >>> 0 : e.op === "^C" ? ~v >>> 0 : v;
      }
      case "binary": {
        const a = ev(e.left);
        const b = ev(e.right);
        return applyBinary(e.op, a, b, e.column, ctx, known);
      }
    }
  };
  const value = ev(expr);
  return { value, known };
}

function applyBinary(
  op: BinaryOperator,
  a: number,
  b: number,
  column: number,
  ctx: EvalContext,
  known: boolean,
): number {
  switch (op) {
    case "+":
      return (a + b) >>> 0;
    case "-":
      return (a - b) >>> 0;
    case "*":
      return Math.imul(a, b) >>> 0;
    case "/":
      if (b === 0) {
        if (known) ctx.error("division by zero", column);
        return 0;
      }
      return Math.trunc((a | 0) / (b | 0)) >>> 0;
    case "@": {
      const n = b | 0;
      if (n >= 0) return n >= 32 ? 0 : (a << n) >>> 0;
      return -n >= 32 ? (a | 0) >> 31 >>> 0 : ((a | 0) >> -n) >>> 0;
    }
    case "&":
      return (a & b) >>> 0;
    case "!":
      return (a | b) >>> 0;
    case "\\":
      return (a ^ b) >>> 0;
  }
}

/** Whether an expression mentions a symbol (is not a pure constant). */
export function mentionsSymbol(expr: Expr): boolean {
  switch (expr.kind) {
    case "symbol":
      return true;
    case "unary":
      return mentionsSymbol(expr.operand);
    case "binary":
      return mentionsSymbol(expr.left) || mentionsSymbol(expr.right);
    default:
      return false;
  }
}
