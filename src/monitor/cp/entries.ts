/**
 * What CP's user directory holds: its entries (users, minidisks, links,
 * jobs, nested directories), security labels, storage sizes and the checks
 * of single statements, shared by the text and object forms of
 * {@link ./directory.ts}.
 *
 * @module
 */

import { parseSize } from "../../machine/units.ts";

/** A LINK access mode of VM/370. */
export type LinkMode = "R" | "RR" | "W" | "WR" | "M" | "MR" | "MW";

/** The link modes. */
export const LINK_MODES: readonly LinkMode[] = [
  "R",
  "RR",
  "W",
  "WR",
  "M",
  "MR",
  "MW",
];

/** A mandatory access label: a level and a set of categories. */
export interface SecurityLabel {
  /** 0 (UNCLASSIFIED) to 15. */
  level: number;
  /** Category names, upper case. */
  categories: string[];
}

/** Named levels. */
export const LEVELS: Readonly<Record<string, number>> = {
  UNCLASSIFIED: 0,
  CONFIDENTIAL: 1,
  SECRET: 2,
  TOPSECRET: 3,
};

/** One MDISK statement. */
export interface MdiskEntry {
  /** Virtual device address (hex, e.g. 0x191). */
  vaddr: number;
  /** Device type (FB-512). */
  devtype: string;
  /** First real block. */
  start: number;
  /** Blocks. */
  blocks: number;
  /** Volume id (a name for displays). */
  volid: string;
  /** The owner's access mode. */
  mode: LinkMode;
  /** The minidisk's label (default: its owner's). */
  label?: SecurityLabel;
  /** Line in the directory text (0 for an object directory). */
  line: number;
}

/** One LINK statement (a link made when the user logs on). */
export interface LinkEntry {
  /** The owner of the minidisk. */
  user: string;
  /** Its address at the owner. */
  vaddr: number;
  /** Its address at the linking user. */
  as: number;
  /** Mode. */
  mode: LinkMode;
  /** Line. */
  line: number;
}

/** One JOB statement: a job of a batch guest's deck. */
export interface JobEntry {
  /** Job name, 1 to 8 letters, digits, `$ # @ _ -` (upper case). */
  name: string;
  /** The program: PRIMES or CRC. */
  program: "PRIMES" | "CRC";
  /** PRIMES: the limit; CRC: first block and number of blocks of the VM's disk. */
  args: number[];
  /** Line (0 for an object directory). */
  line: number;
}

/** The most JOB statements a user may have. */
export const MAX_JOBS = 15;

/** Checks one job: its name, program and arguments. */
export function checkJob(
  name: string,
  program: string,
  args: readonly (string | number)[],
  line = 0,
): JobEntry {
  const n = String(name).toUpperCase();
  if (!/^[A-Z0-9$#@_-]{1,8}$/.test(n)) {
    throw new RangeError(
      `bad job name "${name}": expected 1 to 8 letters, digits, $ # @ _ -`,
    );
  }
  const p = String(program).toUpperCase();
  const count = p === "PRIMES" ? 1 : p === "CRC" ? 2 : -1;
  if (count < 0) {
    throw new RangeError(
      `unknown job program "${program}": expected PRIMES limit or CRC start blocks`,
    );
  }
  if (args.length !== count) {
    throw new RangeError(
      p === "PRIMES"
        ? "expected JOB name PRIMES limit"
        : "expected JOB name CRC start blocks",
    );
  }
  const nums = args.map((a) => {
    const v = typeof a === "number" ? a : /^\d+$/.test(a) ? Number(a) : NaN;
    if (!Number.isInteger(v) || v < 0 || v > 0x7fffffff) {
      throw new RangeError(
        `bad job argument "${a}": expected a whole number below 2^31`,
      );
    }
    return v;
  });
  if (p === "CRC" && (nums[1]! < 1 || nums[1]! > 80)) {
    throw new RangeError(
      `a CRC job of ${nums[1]} blocks: expected 1 to 80 (the job area)`,
    );
  }
  return { name: n, program: p as JobEntry["program"], args: nums, line };
}

/** One USER entry. */
export interface UserEntry {
  /** User id (the VM's name). */
  userid: string;
  /** Password (kept, never checked by vmmlab). */
  password: string;
  /** Storage in bytes. */
  storage: number;
  /** Maximum storage (DEFINE STORAGE limit) in bytes. */
  maxStorage: number;
  /** Privilege classes (letters A-G). */
  classes: string;
  /** Guest to IPL, if any. */
  ipl?: string;
  /** Console address. */
  console: number;
  /** Minidisks. */
  mdisks: MdiskEntry[];
  /** Links made at logon. */
  links: LinkEntry[];
  /** Mandatory access label. */
  label?: SecurityLabel;
  /** Line of the USER statement. */
  line: number;
  /** The second-level CP's directory (`IPL CP`). */
  cp?: NestedDirectory;
  /** JOB statements: the job deck IPL gives a batch guest. */
  jobs?: JobEntry[];
}

/** The directory of a CP that runs in a user's VM. */
export interface NestedDirectory {
  /** Its users. */
  directory: Directory;
  /** The name it was given by (absent: inline or an object). */
  name?: string;
  /** Line of the IPL CP (or DIRECTORY) statement. */
  line: number;
}

/** A parsed, checked directory. */
export interface Directory {
  /** Entries in directory order. */
  users: UserEntry[];
}

/** One problem of a directory. */
export interface DirectoryProblem {
  /** Line (1-based), or 0 for an object directory. */
  line: number;
  /** What is wrong. */
  reason: string;
}

/** A directory that cannot be used, with every problem found. */
export class DirectoryError extends Error {
  /** The problems, in line order. */
  readonly problems: readonly DirectoryProblem[];
  /** Creates the error. */
  constructor(problems: DirectoryProblem[]) {
    super(
      `Cannot use the directory: ${problems.length} error(s)\n` +
        problems.map((p) =>
          `  ${p.line ? `line ${p.line}` : "entry"}: ${p.reason}`
        ).join("\n"),
    );
    this.name = "DirectoryError";
    this.problems = problems;
  }
}

/** What the checks need to know. */
export interface DirectoryContext {
  /** Size of the real disk in blocks. */
  diskBlocks: number;
  /** Names of the guests IPL can boot (case-insensitive); CP is always known. */
  guests: readonly string[];
  /** Directories `IPL CP name` can name (text or object), by name. */
  directories?: Readonly<Record<string, string | DirectoryInput>>;
  /** How deep this directory is (1 for the first level; at most 8). */
  level?: number;
  /** What the disk is called in errors (default "the real disk"). */
  diskName?: string;
}

/** A directory as an object (the text form's fields; sizes as text or bytes). */
export interface DirectoryInput {
  /** The users. */
  users: {
    userid: string;
    password?: string;
    storage: string | number;
    maxStorage?: string | number;
    classes?: string;
    ipl?: string;
    console?: number;
    mdisks?: {
      vaddr: number;
      start: number;
      blocks: number;
      volid?: string;
      mode?: LinkMode;
      label?: SecurityLabel;
    }[];
    links?: { user: string; vaddr: number; as?: number; mode?: LinkMode }[];
    label?: SecurityLabel;
    /** With `ipl: "CP"`: the second-level directory, or a name of one. */
    directory?: string | DirectoryInput;
    /** JOB statements: `{ name: "P", program: "PRIMES", args: [1000] }`. */
    jobs?: { name: string; program: string; args: number[] }[];
  }[];
}

/** Parses a storage size: 512K, 2M, or a vmmlab size. */
export function parseStorage(text: string | number): number {
  if (typeof text === "number") return parseSize(text, "storage");
  const m = /^(\d+)([KM])$/i.exec(text.trim());
  if (m) return Number(m[1]) * (m[2]!.toUpperCase() === "K" ? 1024 : 1 << 20);
  return parseSize(text, "storage");
}

/** Parses a label from a level word and an optional category list. */
export function parseLabel(level: string, cats = ""): SecurityLabel {
  const up = level.toUpperCase();
  const n = LEVELS[up] ?? (/^\d+$/.test(up) ? Number(up) : NaN);
  if (!(n >= 0 && n <= 15)) {
    throw new RangeError(
      `unknown level "${level}": expected UNCLASSIFIED, CONFIDENTIAL, SECRET, TOPSECRET or 0-15`,
    );
  }
  const categories = cats.split(/[,+]/).map((c) => c.trim().toUpperCase())
    .filter((c) => c !== "");
  for (const c of categories) {
    if (!/^[A-Z][A-Z0-9_-]*$/.test(c)) {
      throw new RangeError(
        `bad category "${c}": expected a name of letters and digits`,
      );
    }
  }
  return { level: n, categories: [...new Set(categories)].sort() };
}

/** Formats a label: `SECRET (CRYPTO,NUCLEAR)`. */
export function formatLabel(l: SecurityLabel | undefined): string {
  if (!l) return "UNCLASSIFIED";
  const name = Object.entries(LEVELS).find(([, v]) => v === l.level)?.[0] ??
    String(l.level);
  return l.categories.length ? `${name} (${l.categories.join(",")})` : name;
}
