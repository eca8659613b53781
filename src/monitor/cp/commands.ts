/**
 * CP's command line: one line of text parsed into a command of the table
 * (with VM/370's abbreviations) and its operands, and dispatched to CP.
 *
 * @module
 */

import type { RunOptions } from "../../machine/hardware.ts";
import { LINK_MODES, type LinkMode } from "./directory.ts";
import { COMMANDS, CpError, resolveWord, words } from "./messages.ts";

/** The commands a console line reaches (CP's methods). */
export interface CpCommands {
  /** QUERY. */
  query(what?: string, ...args: string[]): string;
  /** DISPLAY. */
  display(userid: string, what?: string, ...args: string[]): string;
  /** TRACE. */
  trace(userid: string, ...classes: string[]): string;
  /** DEFINE STORAGE. */
  defineStorage(userid: string, size: string | number): string;
  /** IPL. */
  ipl(userid: string, guest: string): string;
  /** LINK. */
  link(
    userid: string,
    owner: string,
    vaddr: number,
    as?: number,
    mode?: LinkMode,
  ): string;
  /** DETACH. */
  detach(userid: string, vaddr: number): string;
  /** BEGIN. */
  begin(userid?: string, options?: RunOptions): string;
  /** STOP. */
  stop(userid: string): string;
  /** SYSTEM. */
  system(userid: string, what?: string): string;
  /** SEND: a command line for the CP running in a user's VM. */
  send(userid: string, line: string): string;
}

/**
 * Executes one command line on `cp` and returns CP's answer.
 *
 * @throws {CpError} for a bad command or operands, or a refusal
 */
export function execute(cp: CpCommands, line: string): string {
  const w = words(line);
  if (w.length === 0) return "";
  const verb = resolveWord(w[0]!, COMMANDS);
  const a = w.slice(1);
  const need = (i: number, what: string, num = 26) => {
    const v = a[i];
    if (v === undefined) {
      throw new CpError("CFM", num, `${what} MISSING OR INVALID`);
    }
    return v;
  };
  const addr = (i: number) => {
    const v = need(i, "VADDR", 22);
    if (!/^[0-9A-F]{1,4}$/i.test(v)) {
      throw new CpError("CFM", 22, `VADDR MISSING OR INVALID - ${v}`);
    }
    return parseInt(v, 16);
  };
  switch (verb) {
    case "QUERY":
      return cp.query(a[0] ?? "NAMES", ...a.slice(1));
    case "DISPLAY":
      return cp.display(need(0, "USERID", 20), a[1] ?? "G", ...a.slice(2));
    case "TRACE":
      return cp.trace(need(0, "USERID", 20), ...a.slice(1));
    case "DEFINE": {
      const what = resolveWord(need(0, "OPERAND"), [["STORAGE", 3]]);
      if (what !== "STORAGE") {
        throw new CpError(
          "DEF",
          3,
          `INVALID OPTION - ${a[0]!.toUpperCase()}`,
        );
      }
      return cp.defineStorage(need(1, "USERID", 20), need(2, "SIZE"));
    }
    case "IPL":
      return cp.ipl(need(0, "USERID", 20), need(1, "SYSTEM NAME"));
    case "LINK": {
      // LINK user [TO] owner vaddr [AS] vaddr2 [mode]
      const rest = a.filter((x, i) =>
        !(i === 1 && /^TO$/i.test(x)) && !(i > 1 && /^AS$/i.test(x))
      );
      const user = rest[0];
      const owner = rest[1];
      if (!user || !owner) {
        throw new CpError("LNK", 20, "USERID MISSING OR INVALID");
      }
      const v1 = rest[2], v2 = rest[3] ?? rest[2];
      if (
        !v1 || !/^[0-9A-F]{1,4}$/i.test(v1) || !/^[0-9A-F]{1,4}$/i.test(v2!)
      ) {
        throw new CpError("LNK", 22, "VADDR MISSING OR INVALID");
      }
      const mode = (rest[4] ?? "R").toUpperCase() as LinkMode;
      if (!LINK_MODES.includes(mode)) {
        throw new CpError("LNK", 3, `INVALID OPTION - ${mode}`);
      }
      return cp.link(
        user,
        owner,
        parseInt(v1, 16),
        parseInt(v2!, 16),
        mode,
      );
    }
    case "DETACH":
      return cp.detach(need(0, "USERID", 20), addr(1));
    case "BEGIN":
      return cp.begin(a[0]);
    case "STOP":
      return cp.stop(need(0, "USERID", 20));
    case "SYSTEM":
      return cp.system(need(0, "USERID", 20), a[1] ?? "RESET");
    case "SEND":
      return cp.send(need(0, "USERID", 20), a.slice(1).join(" "));
    case "HELP":
      return COMMANDS.map(([n, k]) =>
        `${n.slice(0, k)}${n.slice(k).toLowerCase()}`
      ).join(" ");
    default:
      throw new CpError(
        "CFM",
        1,
        `INVALID CP COMMAND - ${w[0]!.toUpperCase()}`,
      );
  }
}
