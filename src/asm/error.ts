/**
 * Assembly errors: where the source is wrong and why.
 *
 * @module
 */

/** One problem found in the source, with its position (both 1-based). */
export interface AsmDiagnostic {
  /** Line number, starting at 1. */
  readonly line: number;
  /** Column number, starting at 1 (a tab counts as one column). */
  readonly column: number;
  /** What is wrong, without the position, e.g. `unknown mnemonic "MOVX"`. */
  readonly reason: string;
  /** The file name given to the assembler, if any. */
  readonly fileName?: string;
}

/** How many further problems the message of an {@link AsmError} lists. */
const MAX_LISTED = 20;

/** Formats the position part of a message: `boot.mar, line 3, column 7`. */
function where(d: AsmDiagnostic): string {
  const pos = `line ${d.line}, column ${d.column}`;
  return d.fileName === undefined ? pos : `${d.fileName}, ${pos}`;
}

/**
 * The source could not be assembled. The message names the first problem
 * (`Cannot assemble line 12, column 5: unknown mnemonic "MOVX"`) and lists
 * the others; {@link AsmError.errors} holds all of them, in source order.
 *
 * @example Catching an error
 * ```ts
 * import assert from "node:assert/strict";
 * import { assemble, AsmError } from "./assembler.ts";
 * assert.throws(() => assemble("  MOVX R0,R1"), (e) => {
 *   assert.ok(e instanceof AsmError);
 *   assert.equal(e.line, 1);
 *   assert.equal(e.column, 3);
 *   assert.equal(e.reason, 'unknown mnemonic "MOVX"');
 *   return true;
 * });
 * ```
 */
export class AsmError extends SyntaxError {
  /** Line of the first problem (1-based). */
  readonly line: number;
  /** Column of the first problem (1-based). */
  readonly column: number;
  /** The file name given to the assembler, if any. */
  readonly fileName: string | undefined;
  /** The first problem, without its position. */
  readonly reason: string;
  /** Every problem found, in source order (at least one). */
  readonly errors: readonly AsmDiagnostic[];

  /**
   * Builds the error from a non-empty list of problems.
   *
   * @param errors the problems, in any order (they are sorted by position)
   */
  constructor(errors: readonly AsmDiagnostic[]) {
    if (errors.length === 0) {
      throw new RangeError("AsmError needs at least one diagnostic");
    }
    const sorted = [...errors].sort((a, b) =>
      a.line - b.line || a.column - b.column
    );
    const first = sorted[0]!;
    let message = `Cannot assemble ${where(first)}: ${first.reason}`;
    const rest = sorted.slice(1);
    for (const d of rest.slice(0, MAX_LISTED)) {
      message += `\n  ${where(d)}: ${d.reason}`;
    }
    if (rest.length > MAX_LISTED) {
      message += `\n  (and ${rest.length - MAX_LISTED} more)`;
    }
    super(message);
    this.name = "AsmError";
    this.line = first.line;
    this.column = first.column;
    this.fileName = first.fileName;
    this.reason = first.reason;
    this.errors = sorted;
  }
}
