/**
 * The command line's one style of errors and its helpers for arguments,
 * numbers and files, shared by every subcommand.
 *
 * - A bad command line (unknown option, missing value, a number out of
 *   range) is a {@link UsageError}: `vmmlab CMD: message`, then how to get
 *   help; exit status 2.
 * - A file that cannot be read, or a program that cannot be used, is a
 *   {@link CliError}: `vmmlab CMD: message`; exit status 1.
 * - Paths are relative to the directory the user is in: `deno task`
 *   changes to the repository's directory and says where the user was in
 *   `INIT_CWD`.
 *
 * @module
 */

import { parseArgs, type ParseArgsConfig } from "node:util";

/** A bad command line: printed with the usage hint, exit status 2. */
export class UsageError extends Error {
  /** Creates a usage error. */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** A file or program that cannot be used: exit status 1. */
export class CliError extends Error {
  /** Creates an error of the command line. */
  constructor(message: string) {
    super(message);
    this.name = "CliError";
  }
}

/** The repository's directory, where `deno task` runs its commands. */
const TASK_DIR = new URL("../../", import.meta.url);

function sameDirectory(a: string, b: string): boolean {
  return a.replace(/\/+$/, "") === b.replace(/\/+$/, "");
}

/**
 * The directory the user ran the command from: `INIT_CWD` when `deno task`
 * moved to the repository's directory (a value inherited by a command run
 * from elsewhere is ignored), else the working directory.
 */
export function userDirectory(): string {
  const cwd = Deno.cwd();
  let init: string | undefined;
  try {
    init = Deno.env.get("INIT_CWD");
  } catch {
    init = undefined;
  }
  if (
    init && TASK_DIR.protocol === "file:" &&
    sameDirectory(cwd, TASK_DIR.pathname)
  ) {
    return init;
  }
  return cwd;
}

/** A path as the user meant it: relative to {@link userDirectory}. */
export function userPath(path: string): string {
  if (path.startsWith("/")) return path;
  const dir = userDirectory();
  return `${dir.endsWith("/") ? dir : dir + "/"}${path}`;
}

function ioReason(e: unknown): string {
  if (e instanceof Deno.errors.NotFound) return "no such file";
  if (e instanceof Deno.errors.PermissionDenied) return "permission denied";
  if (e instanceof Deno.errors.IsADirectory) return "it is a directory";
  const m = (e as Error).message ?? String(e);
  if (/Is a directory/i.test(m)) return "it is a directory";
  return m;
}

/** Reads a file the user named; `what` says what it is for. */
export function readUserFile(path: string, what?: string): Uint8Array {
  try {
    return Deno.readFileSync(userPath(path));
  } catch (e) {
    throw new CliError(
      `Cannot read ${what ? what + " " : ""}"${path}": ${ioReason(e)}`,
    );
  }
}

/** Writes a file the user named. */
export function writeUserFile(path: string, bytes: Uint8Array): void {
  try {
    Deno.writeFileSync(userPath(path), bytes);
  } catch (e) {
    throw new CliError(`Cannot write "${path}": ${ioReason(e)}`);
  }
}

/**
 * Reads an assembly source file: refuses a file that is not text (NUL
 * bytes or invalid UTF-8) with one line, never printing its bytes.
 */
export function readSourceFile(path: string): string {
  const bytes = readUserFile(path);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    text = "\0";
  }
  if (text.includes("\0")) {
    throw new CliError(
      `Cannot assemble "${path}": not a text file (expected VAX MACRO-32 source)`,
    );
  }
  return text;
}

/**
 * parseArgs with the command line's wording for its errors: `unknown
 * option "--x"`, `option --limit needs a value`.
 */
export function parseCommandArgs<T extends ParseArgsConfig>(
  config: T,
): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (e) {
    const err = e as Error & { code?: string };
    const m = err.message;
    const opt = /'(-{1,2}[^' ]+)/.exec(m)?.[1];
    if (err.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
      throw new UsageError(`unknown option "${opt ?? m}"`);
    }
    if (err.code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
      if (/argument missing/.test(m)) {
        throw new UsageError(`option ${opt ?? ""} needs a value`);
      }
      if (/ambiguous/.test(m)) {
        throw new UsageError(
          `option ${
            opt ?? ""
          } needs a value (write a value that starts with "-" as ${
            opt ?? "--option"
          }=-1)`,
        );
      }
      throw new UsageError(`option ${opt ?? ""} takes no value`);
    }
    if (err.code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL") {
      const arg = /'([^']+)'/.exec(m)?.[1];
      throw new UsageError(`unexpected argument "${arg ?? m}"`);
    }
    throw new UsageError(m);
  }
}

/**
 * Parses a number the user wrote (`0x1F`, `^X1F`, `^O17`, `^B101`, decimal,
 * optionally negative) for `what` (an option name), within [min, max].
 * Says when a value does not fit in 32 bits or is out of range, echoing
 * the text as written.
 */
export function numberArg(
  text: string,
  what: string,
  { min = -0x80000000, max = 0xffffffff }: { min?: number; max?: number } = {},
): number {
  const t = text.trim();
  const m =
    /^(-?)(?:0x([0-9a-f]+)|\^x([0-9a-f]+)|\^o([0-7]+)|\^b([01]+)|(?:\^d)?([0-9]+))$/i
      .exec(t);
  if (!m) {
    throw new UsageError(
      `Cannot use ${what} "${text}": expected a number such as 0x1F, ^X1F or 31`,
    );
  }
  const [, sign, hx1, hx2, oct, bin, dec] = m;
  const v = hx1 ?? hx2
    ? parseInt(hx1 ?? hx2!, 16)
    : oct
    ? parseInt(oct, 8)
    : bin
    ? parseInt(bin, 2)
    : parseInt(dec!, 10);
  if (v > 0xffffffff) {
    throw new UsageError(
      `Cannot use ${what} ${t}: it does not fit in 32 bits`,
    );
  }
  const value = sign === "-" ? -v : v;
  if (value < min) {
    throw new UsageError(
      `Cannot use ${what} ${t}: expected ${
        min === 0 ? "0 or more" : `at least ${min}`
      }`,
    );
  }
  if (value > max) {
    throw new UsageError(`Cannot use ${what} ${t}: expected at most ${max}`);
  }
  return value;
}
