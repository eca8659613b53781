/**
 * CP's console messages in VM/370's style: a module code, a number and a
 * severity letter (`DMKCFM001E INVALID CP COMMAND - QUERX`), and the
 * abbreviation rules of CP's commands (Q for QUERY, D for DISPLAY...). The
 * numbers follow VM/370's where the meaning is the same (001 invalid
 * command, 003 invalid option, 020 userid missing or invalid, 040 device
 * does not exist, 045 not logged on, 104/106 not linked, 101 forced R/O);
 * the others are vmmlab's.
 *
 * @module
 */

/** A CP command error (or warning) with its VM/370-style message. */
export class CpError extends Error {
  /** The message number. */
  readonly number: number;
  /** `E` error, `W` warning, `I` information. */
  readonly severity: "E" | "W" | "I";
  /** Creates the error: `module` is a three-letter CP module code. */
  constructor(
    module: string,
    number: number,
    text: string,
    severity: "E" | "W" | "I" = "E",
  ) {
    super(`DMK${module}${String(number).padStart(3, "0")}${severity} ${text}`);
    this.name = "CpError";
    this.number = number;
    this.severity = severity;
  }
}

/** CP's commands with the shortest abbreviation each accepts. */
export const COMMANDS: readonly (readonly [string, number])[] = [
  ["QUERY", 1],
  ["DISPLAY", 1],
  ["TRACE", 2],
  ["DEFINE", 3],
  ["IPL", 1],
  ["LINK", 4],
  ["DETACH", 3],
  ["BEGIN", 1],
  ["STOP", 4],
  ["SYSTEM", 3],
  ["SEND", 4],
  ["HELP", 1],
];

/**
 * The full name of a command word, or undefined: a word matches a command
 * when it is a prefix of it at least as long as its abbreviation.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { resolveWord } from "./messages.ts";
 * equal(resolveWord("q", [["QUERY", 1]]), "QUERY");
 * equal(resolveWord("QUERX", [["QUERY", 1]]), undefined);
 * ```
 */
export function resolveWord(
  word: string,
  table: readonly (readonly [string, number])[],
): string | undefined {
  const up = word.toUpperCase();
  for (const [name, min] of table) {
    if (up.length >= min && up.length <= name.length && name.startsWith(up)) {
      return name;
    }
  }
  return undefined;
}

/** Splits a command line into words (blanks separate; case kept). */
export function words(line: string): string[] {
  return line.trim().split(/\s+/).filter((w) => w !== "");
}
