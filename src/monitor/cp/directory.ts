/**
 * CP's user directory: one entry per virtual machine, modelled on VM/370's
 * USER and MDISK statements. The text form, one statement a line (`*`
 * starts a comment; keywords in any case):
 *
 * ```text
 * USER userid password storage [maxstorage [classes]]
 *   IPL guest                         what IPL (and BEGIN) boots
 *   CONSOLE vaddr                     the virtual console's address
 *   MDISK vaddr FB-512 start blocks volid [mode] [LABEL level [cats]]
 *   LINK userid vaddr [vaddr2] [mode] a link made at logon
 *   LABEL level [cat,cat...]          the VM's mandatory access label
 *   JOB name PRIMES limit             a job for a batch guest's deck
 *   JOB name CRC start blocks         (see below)
 *   IPL CP [name]                     a second-level CP runs in the VM
 *   DIRECTORY                         its directory, inline, up to END
 *     USER ...                        (statements of the second level)
 *   END
 * ```
 *
 * JOB statements (at most 15 a user) are the job deck of a batch guest:
 * IPL hands them to the guest it boots (the DOSVS guest writes them on its
 * minidisk as its deck and runs them: PRIMES counts the primes below the
 * limit, CRC checksums blocks of the VM's disk).
 *
 * A user whose IPL is `CP` runs a CP of its own (CP under CP): its
 * directory is either the statements between `DIRECTORY` and `END`
 * (nested blocks give a third level, and so on) or the directory `name`
 * given to {@link parseDirectory} in {@link DirectoryContext.directories}.
 * A second-level directory is checked like the first, against the VM: its
 * MDISK extents lie on the VM's disk (the user's own minidisks end to end,
 * in address order) and its users' storage, with the 32 KiB the monitor
 * keeps for itself, must fit in the VM's storage. Its problems carry the
 * line of the whole text (a named directory's: the IPL line, and the line
 * within the named text in the reason).
 *
 * Storage is `512K`, `2M` or a size vmmlab understands (`64 KiB`). MDISK
 * extents are in 512-byte blocks of the real disk (FB-512, as VM/370's
 * fixed-block devices); the mode is the owner's access (R, RR, W, WR, M,
 * MR or MW; default W). Levels are UNCLASSIFIED, CONFIDENTIAL, SECRET,
 * TOPSECRET or a number 0-15; categories are names. Unlike VM/370 (whose
 * directory program did not check), overlapping extents are refused, as
 * are extents beyond the disk, unknown guests and links to unknown users:
 * a {@link DirectoryError} lists every bad line with its reason.
 *
 * @module
 */

import { BOUNCE_BLOCKS } from "../devices/disk.ts";
import {
  checkJob,
  type Directory,
  type DirectoryContext,
  DirectoryError,
  type DirectoryInput,
  type DirectoryProblem,
  LINK_MODES,
  type LinkMode,
  MAX_JOBS,
  type MdiskEntry,
  parseLabel,
  parseStorage,
  type UserEntry,
} from "./entries.ts";

export {
  checkJob,
  type Directory,
  type DirectoryContext,
  DirectoryError,
  type DirectoryInput,
  type DirectoryProblem,
  formatLabel,
  type JobEntry,
  LEVELS,
  LINK_MODES,
  type LinkEntry,
  type LinkMode,
  MAX_JOBS,
  type MdiskEntry,
  type NestedDirectory,
  parseLabel,
  parseStorage,
  type SecurityLabel,
  type UserEntry,
} from "./entries.ts";

function hexAddress(text: string, what: string): number {
  if (!/^[0-9A-F]{1,4}$/i.test(text)) {
    throw new RangeError(
      `bad ${what} "${text}": expected a hexadecimal device address`,
    );
  }
  return parseInt(text, 16);
}

function linkMode(text: string | undefined, fallback: LinkMode): LinkMode {
  if (text === undefined) return fallback;
  const up = text.toUpperCase() as LinkMode;
  if (!LINK_MODES.includes(up)) {
    throw new RangeError(
      `bad mode "${text}": expected one of ${LINK_MODES.join(", ")}`,
    );
  }
  return up;
}

function wholeNumber(text: string, what: string): number {
  if (!/^\d+$/.test(text)) {
    throw new RangeError(`bad ${what} "${text}": expected a whole number`);
  }
  return Number(text);
}

/**
 * Parses directory text and checks it.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { parseDirectory } from "./directory.ts";
 * const d = parseDirectory(
 *   `USER CMS1 PASS 512K 1M G
 *      IPL CMS
 *      MDISK 191 FB-512 100 128 VMLAB1 MR`,
 *   { diskBlocks: 4096, guests: ["CMS"] },
 * );
 * equal(d.users[0]!.mdisks[0]!.start, 100);
 * ```
 * @throws {DirectoryError} listing every bad line and why
 */
export function parseDirectory(
  text: string,
  context: DirectoryContext,
): Directory {
  const { users, problems } = parseStatements(numbered(text), context);
  if (problems.length) {
    throw new DirectoryError(problems.sort((a, b) => a.line - b.line));
  }
  return { users };
}

/** A line of directory text and its number. */
interface Line {
  n: number;
  text: string;
}

function numbered(text: string): Line[] {
  return text.split(/\r?\n/).map((t, i) => ({ n: i + 1, text: t }));
}

function strip(text: string): string {
  return text.replace(/\s+\*.*$/, "").trim();
}

/** Where a user's `IPL CP` came from: its line and the directory it names. */
interface CpIpl {
  line: number;
  ref?: string | DirectoryInput;
  block?: { line: number; lines: Line[] };
}

function parseStatements(
  lines: Line[],
  context: DirectoryContext,
): { users: UserEntry[]; problems: DirectoryProblem[] } {
  const problems: DirectoryProblem[] = [];
  const users: UserEntry[] = [];
  const cps = new Map<UserEntry, CpIpl>();
  const blocks = new Map<UserEntry, { line: number; lines: Line[] }>();
  let user: UserEntry | null = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.n;
    const raw = strip(lines[i]!.text);
    if (raw === "" || raw.startsWith("*")) continue;
    const w = raw.split(/\s+/);
    const verb = w[0]!.toUpperCase();
    try {
      if (verb === "DIRECTORY") {
        // The block up to the matching END belongs to the user's CP.
        let depth = 1;
        let j = i + 1;
        const block: Line[] = [];
        for (; j < lines.length; j++) {
          const v = strip(lines[j]!.text).split(/\s+/)[0]!.toUpperCase();
          if (v === "DIRECTORY") depth++;
          else if (v === "END" && --depth === 0) break;
          block.push(lines[j]!);
        }
        i = j;
        if (w.length !== 1) throw new RangeError("expected DIRECTORY alone");
        if (j >= lines.length) {
          throw new RangeError("DIRECTORY without its END");
        }
        if (!user) throw new RangeError("DIRECTORY before any USER statement");
        if (blocks.has(user)) {
          throw new RangeError(
            `a second DIRECTORY for USER ${user.userid} (first at line ${
              blocks.get(user)!.line
            })`,
          );
        }
        blocks.set(user, { line, lines: block });
        continue;
      }
      if (verb === "END") {
        throw new RangeError("END without DIRECTORY");
      }
      if (verb === "USER") {
        if (w.length < 4 || w.length > 6) {
          throw new RangeError(
            "expected USER userid password storage [maxstorage [classes]]",
          );
        }
        const userid = w[1]!.toUpperCase();
        if (!/^[A-Z0-9_-]{1,8}$/.test(userid)) {
          throw new RangeError(
            `bad userid "${w[1]}": expected 1 to 8 letters, digits, _ or -`,
          );
        }
        const storage = parseStorage(w[3]!);
        const maxStorage = w[4] ? parseStorage(w[4]) : storage;
        user = {
          userid,
          password: w[2]!,
          storage,
          maxStorage,
          classes: (w[5] ?? "G").toUpperCase(),
          console: 0x009,
          mdisks: [],
          links: [],
          line,
        };
        users.push(user);
        continue;
      }
      if (!user) {
        throw new RangeError(`${verb} before any USER statement`);
      }
      switch (verb) {
        case "IPL":
          if (w.length === 3 && w[1]!.toUpperCase() === "CP") {
            cps.set(user, { line, ref: w[2]!.toUpperCase() });
          } else if (w.length !== 2) {
            throw new RangeError(
              "expected IPL guest, or IPL CP [directory name]",
            );
          } else if (w[1]!.toUpperCase() === "CP") cps.set(user, { line });
          user.ipl = w[1]!.toUpperCase();
          break;
        case "CONSOLE":
          if (w.length < 2) throw new RangeError("expected CONSOLE vaddr");
          user.console = hexAddress(w[1]!, "console address");
          break;
        case "MDISK": {
          if (w.length < 6) {
            throw new RangeError(
              "expected MDISK vaddr FB-512 start blocks volid [mode] [LABEL level [cats]]",
            );
          }
          const li = w.findIndex((x, k) =>
            k > 5 && x.toUpperCase() === "LABEL"
          );
          const rest = li > 0 ? w.slice(6, li) : w.slice(6);
          if (rest.length > 1) {
            throw new RangeError(
              `unexpected "${rest.slice(1).join(" ")}" after the mode`,
            );
          }
          if (w[2]!.toUpperCase() !== "FB-512") {
            throw new RangeError(
              `bad device type "${
                w[2]
              }": expected FB-512 (blocks of 512 bytes)`,
            );
          }
          user.mdisks.push({
            vaddr: hexAddress(w[1]!, "virtual address"),
            devtype: "FB-512",
            start: wholeNumber(w[3]!, "start block"),
            blocks: wholeNumber(w[4]!, "block count"),
            volid: w[5]!.toUpperCase(),
            mode: linkMode(rest[0], "W"),
            ...(li > 0
              ? { label: parseLabel(w[li + 1] ?? "", w[li + 2]) }
              : {}),
            line,
          });
          break;
        }
        case "LINK":
          if (w.length < 3 || w.length > 5) {
            throw new RangeError("expected LINK userid vaddr [vaddr2] [mode]");
          }
          user.links.push({
            user: w[1]!.toUpperCase(),
            vaddr: hexAddress(w[2]!, "virtual address"),
            as: hexAddress(w[3] ?? w[2]!, "virtual address"),
            mode: linkMode(w[4], "R"),
            line,
          });
          break;
        case "JOB":
          if (w.length < 3) {
            throw new RangeError(
              "expected JOB name PRIMES limit or JOB name CRC start blocks",
            );
          }
          user.jobs ??= [];
          if (user.jobs.length >= MAX_JOBS) {
            throw new RangeError(
              `more than ${MAX_JOBS} JOB statements for USER ${user.userid}`,
            );
          }
          user.jobs.push(checkJob(w[1]!, w[2]!, w.slice(3), line));
          break;
        case "LABEL":
          if (w.length < 2 || w.length > 3) {
            throw new RangeError("expected LABEL level [cat,cat...]");
          }
          user.label = parseLabel(w[1]!, w[2]);
          break;
        default:
          throw new RangeError(
            `unknown statement "${
              w[0]
            }": expected USER, IPL, CONSOLE, MDISK, LINK, LABEL, JOB, DIRECTORY or END`,
          );
      }
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
      problems.push({ line, reason: e.message });
    }
  }
  for (const [u, b] of blocks) {
    const c = cps.get(u);
    if (!c) {
      problems.push({
        line: b.line,
        reason: `a DIRECTORY for USER ${u.userid}, which does not IPL CP`,
      });
    } else if (c.ref !== undefined) {
      problems.push({
        line: b.line,
        reason:
          `USER ${u.userid} names directory ${c.ref} on its IPL CP and has a DIRECTORY too`,
      });
    } else c.block = b;
  }
  problems.push(...checkDirectory({ users }, context));
  problems.push(...nestDirectories(cps, context));
  return { users, problems };
}

/**
 * Builds a directory from an object and checks it.
 *
 * @throws {DirectoryError} listing every bad entry and why
 */
export function directoryFromObject(
  input: DirectoryInput,
  context: DirectoryContext,
): Directory {
  const { users, problems } = objectStatements(input, context);
  if (problems.length) throw new DirectoryError(problems);
  return { users };
}

function objectStatements(
  input: DirectoryInput,
  context: DirectoryContext,
): { users: UserEntry[]; problems: DirectoryProblem[] } {
  const problems: DirectoryProblem[] = [];
  const users: UserEntry[] = [];
  const cps = new Map<UserEntry, CpIpl>();
  for (const u of input?.users ?? []) {
    try {
      const storage = parseStorage(u.storage);
      const entry: UserEntry = {
        userid: String(u.userid).toUpperCase(),
        password: u.password ?? "",
        storage,
        maxStorage: u.maxStorage !== undefined
          ? parseStorage(u.maxStorage)
          : storage,
        classes: (u.classes ?? "G").toUpperCase(),
        ...(u.ipl ? { ipl: u.ipl.toUpperCase() } : {}),
        console: u.console ?? 0x009,
        mdisks: (u.mdisks ?? []).map((m) => ({
          vaddr: m.vaddr,
          devtype: "FB-512",
          start: m.start,
          blocks: m.blocks,
          volid: (m.volid ?? "VMLAB1").toUpperCase(),
          mode: linkMode(m.mode, "W"),
          ...(m.label ? { label: m.label } : {}),
          line: 0,
        })),
        links: (u.links ?? []).map((l) => ({
          user: l.user.toUpperCase(),
          vaddr: l.vaddr,
          as: l.as ?? l.vaddr,
          mode: linkMode(l.mode, "R"),
          line: 0,
        })),
        ...(u.label ? { label: u.label } : {}),
        ...(u.jobs
          ? {
            jobs: u.jobs.map((j) => checkJob(j.name, j.program, j.args ?? [])),
          }
          : {}),
        line: 0,
      };
      if ((entry.jobs?.length ?? 0) > MAX_JOBS) {
        throw new RangeError(`more than ${MAX_JOBS} jobs`);
      }
      users.push(entry);
      if (entry.ipl === "CP") {
        cps.set(
          entry,
          u.directory === undefined ? { line: 0 } : {
            line: 0,
            ref: typeof u.directory === "string"
              ? u.directory.toUpperCase()
              : u.directory,
          },
        );
      } else if (u.directory !== undefined) {
        throw new RangeError("a directory is given but the IPL is not CP");
      }
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
      problems.push({ line: 0, reason: `USER ${u.userid}: ${e.message}` });
    }
  }
  problems.push(...checkDirectory({ users }, context));
  problems.push(...nestDirectories(cps, context));
  return { users, problems };
}

/** The deepest CP under CP a directory may describe. */
const MAX_LEVEL = 8;

/**
 * Parses and checks the directory of every user that IPLs CP, against
 * the user's VM (its disk, its storage), and hangs it on the entry.
 */
function nestDirectories(
  cps: Map<UserEntry, CpIpl>,
  context: DirectoryContext,
): DirectoryProblem[] {
  const out: DirectoryProblem[] = [];
  const level = (context.level ?? 1) + 1;
  for (const [u, c] of cps) {
    const at = c.line || u.line;
    const who = at ? "" : `USER ${u.userid}: `;
    if (level > MAX_LEVEL) {
      out.push({
        line: at,
        reason: `${who}CP nested ${level} levels deep: at most ${MAX_LEVEL}`,
      });
      continue;
    }
    const inner: DirectoryContext = {
      diskBlocks: u.mdisks.reduce((n, m) => n + Math.max(0, m.blocks), 0),
      guests: context.guests,
      ...(context.directories ? { directories: context.directories } : {}),
      level,
      diskName: `${u.userid}'s disk`,
    };
    let r: { users: UserEntry[]; problems: DirectoryProblem[] };
    let name: string | undefined;
    let mapProblem: (p: DirectoryProblem) => DirectoryProblem;
    if (c.block) {
      r = parseStatements(c.block.lines, inner);
      mapProblem = (p) => ({
        line: p.line || c.block!.line,
        reason: `in ${u.userid}'s directory: ${p.reason}`,
      });
    } else if (c.ref !== undefined) {
      let src: string | DirectoryInput | undefined;
      let where: string;
      if (typeof c.ref === "string") {
        name = c.ref;
        where = `directory ${name}`;
        const dirs = context.directories ?? {};
        const key = Object.keys(dirs).find((k) => k.toUpperCase() === name);
        src = key === undefined ? undefined : dirs[key];
        if (src === undefined) {
          out.push({
            line: at,
            reason:
              `${who}unknown directory ${name} for IPL CP: expected one of ${
                Object.keys(dirs).join(", ") || "(none given)"
              }`,
          });
          continue;
        }
      } else {
        src = c.ref;
        where = `${u.userid}'s directory`;
      }
      r = typeof src === "string"
        ? parseStatements(numbered(src), inner)
        : objectStatements(src, inner);
      mapProblem = (p) => ({
        line: at,
        reason: `${who}in ${where}${
          p.line ? `, line ${p.line}` : ""
        }: ${p.reason}`,
      });
    } else {
      out.push({
        line: at,
        reason:
          `${who}IPL CP needs a DIRECTORY ... END block after it or the name of a directory`,
      });
      continue;
    }
    out.push(...r.problems.map(mapProblem));
    const need = r.users.reduce((n, v) => n + v.storage, 0) +
      BOUNCE_BLOCKS * 512;
    if (need > u.storage) {
      out.push({
        line: at,
        reason: `${who}the users of ${u.userid}'s directory need ${
          need / 1024
        }K (their storage and the monitor's ${
          BOUNCE_BLOCKS / 2
        }K), more than ${u.userid}'s storage of ${u.storage / 1024}K`,
      });
    }
    u.cp = {
      directory: { users: r.users },
      ...(name !== undefined ? { name } : {}),
      line: at,
    };
  }
  return out;
}

/** The checks that need the whole directory. */
function checkDirectory(
  d: Directory,
  context: DirectoryContext,
): DirectoryProblem[] {
  const out: DirectoryProblem[] = [];
  const names = new Map<string, UserEntry>();
  const guests = new Set(context.guests.map((g) => g.toUpperCase()));
  const extents: { user: string; m: MdiskEntry }[] = [];
  for (const u of d.users) {
    const who = u.line ? "" : `USER ${u.userid}: `;
    if (names.has(u.userid)) {
      out.push({
        line: u.line,
        reason: `${who}USER ${u.userid} is defined twice (first at line ${
          names.get(u.userid)!.line
        })`,
      });
    } else names.set(u.userid, u);
    if (u.storage < 512 || u.storage % 512 !== 0) {
      out.push({
        line: u.line,
        reason:
          `${who}storage ${u.storage} bytes: expected a positive multiple of 512`,
      });
    }
    if (u.maxStorage < u.storage) {
      out.push({
        line: u.line,
        reason: `${who}maximum storage is smaller than the storage`,
      });
    }
    if (u.ipl && u.ipl !== "CP" && !guests.has(u.ipl)) {
      out.push({
        line: u.line,
        reason: `${who}unknown guest "${u.ipl}" to IPL: expected one of ${
          [...guests, "CP"].join(", ")
        }`,
      });
    }
    const diskBlocks = u.mdisks.reduce((n, m) => n + Math.max(0, m.blocks), 0);
    for (const j of u.jobs ?? []) {
      if (!u.ipl || u.ipl === "CP") {
        out.push({
          line: j.line || u.line,
          reason:
            `${who}JOB ${j.name}: USER ${u.userid} IPLs no guest to run it`,
        });
      } else if (
        j.program === "CRC" && j.args[0]! + j.args[1]! > diskBlocks
      ) {
        out.push({
          line: j.line || u.line,
          reason: `${who}JOB ${j.name}: blocks ${j.args[0]}-${
            j.args[0]! + j.args[1]! - 1
          } lie beyond ${u.userid}'s disk (${diskBlocks} blocks)`,
        });
      }
    }
    const seen = new Set<number>();
    for (const m of u.mdisks) {
      const at = m.line || u.line;
      const dev = `MDISK ${m.vaddr.toString(16).toUpperCase()}`;
      if (seen.has(m.vaddr)) {
        out.push({
          line: at,
          reason: `${who}${dev} is defined twice for ${u.userid}`,
        });
      }
      seen.add(m.vaddr);
      if (m.blocks <= 0) {
        out.push({ line: at, reason: `${who}${dev} has no blocks` });
        continue;
      }
      if (m.start + m.blocks > context.diskBlocks) {
        out.push({
          line: at,
          reason: `${who}${dev} blocks ${m.start}-${
            m.start + m.blocks - 1
          } lie beyond ${
            context.diskName ?? "the real disk"
          } (${context.diskBlocks} blocks)`,
        });
        continue;
      }
      const clash = extents.find((e) =>
        m.start < e.m.start + e.m.blocks && m.start + m.blocks > e.m.start
      );
      if (clash) {
        out.push({
          line: at,
          reason: `${who}${dev} blocks ${m.start}-${
            m.start + m.blocks - 1
          } overlap USER ${clash.user} MDISK ${
            clash.m.vaddr.toString(16).toUpperCase()
          } (blocks ${clash.m.start}-${clash.m.start + clash.m.blocks - 1})`,
        });
        continue;
      }
      extents.push({ user: u.userid, m });
    }
  }
  for (const u of d.users) {
    for (const l of u.links) {
      const owner = names.get(l.user);
      const at = l.line || u.line;
      if (!owner) {
        out.push({
          line: at,
          reason: `LINK to unknown user ${l.user}`,
        });
      } else if (!owner.mdisks.some((m) => m.vaddr === l.vaddr)) {
        out.push({
          line: at,
          reason: `LINK to ${l.user} ${
            l.vaddr.toString(16).toUpperCase()
          }: ${l.user} has no such minidisk`,
        });
      }
    }
  }
  return out;
}
