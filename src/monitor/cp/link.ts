/**
 * LINK and DETACH: VM/370's access-mode rules for sharing a minidisk, the
 * mandatory access labels of the VAX VMM security kernel (no read up, no
 * write down), and the audit log of every link granted or refused.
 *
 * @module
 */

import {
  formatLabel,
  LINK_MODES,
  type LinkMode,
  type SecurityLabel,
} from "./directory.ts";
import { CpError } from "./messages.ts";
import { type CpUsers, X } from "./users.ts";

/** One entry of the audit log: a LINK granted or refused. */
export interface AuditEntry {
  /** Sequence number. */
  seq: number;
  /** Simulated time (ns). */
  ns: number;
  /** The user asking. */
  user: string;
  /** The minidisk's owner. */
  owner: string;
  /** Its address at the owner. */
  vaddr: number;
  /** Address asked for. */
  as: number;
  /** Mode asked for. */
  mode: LinkMode;
  /** Result. */
  result: "granted R/O" | "granted R/W" | "refused";
  /** Why (the message, or the label check). */
  reason: string;
  /** The user's label and the minidisk's. */
  userLabel: string;
  /** The minidisk's label. */
  diskLabel: string;
}

/** Does `a` dominate `b` (level at least, categories a superset)? */
export function dominates(
  a: SecurityLabel | undefined,
  b: SecurityLabel | undefined,
): boolean {
  const la = a?.level ?? 0, lb = b?.level ?? 0;
  if (la < lb) return false;
  const ca = new Set(a?.categories ?? []);
  return (b?.categories ?? []).every((c) => ca.has(c));
}

/** What LINK needs of CP. */
export interface LinkDeps {
  /** The users and their devices. */
  readonly users: CpUsers;
  /** The audit log (appended to). */
  readonly audit: AuditEntry[];
  /** The next audit sequence number. */
  nextSeq(): number;
}

/**
 * LINK (see `CP.link`): gives `userid` access to `owner`'s minidisk
 * `vaddr` at `as` in a VM/370 mode, checks the labels, and audits the
 * attempt. Returns CP's answer.
 *
 * @throws {CpError} when the link is refused
 */
export function link(
  d: LinkDeps,
  userid: string,
  owner: string,
  vaddr: number,
  as: number,
  mode: LinkMode,
): string {
  const users = d.users;
  const u = users.entry(userid);
  const o = users.entry(owner);
  users.vm(u.userid);
  users.vm(o.userid);
  if (!LINK_MODES.includes(mode)) {
    throw new CpError("LNK", 3, `INVALID OPTION - ${mode}`);
  }
  const m = o.mdisks.find((x) => x.vaddr === vaddr);
  if (!m) {
    throw new CpError(
      "LNK",
      107,
      `${o.userid} ${X(vaddr)} NOT LINKED; NOT IN CP DIRECTORY`,
    );
  }
  const mine = users.devices.get(u.userid)!;
  if (mine.has(as)) {
    throw new CpError(
      "LNK",
      109,
      `${u.userid} ${X(as)} NOT LINKED; VIRTUAL ADDRESS IN USE`,
    );
  }
  const userLabel = users.labelOf(u.userid);
  const diskLabel = users.diskLabel(o.userid, m);
  const audit = (result: AuditEntry["result"], reason: string) =>
    d.audit.push({
      seq: d.nextSeq(),
      ns: users.monitor.machine.cpu.ns,
      user: u.userid,
      owner: o.userid,
      vaddr,
      as,
      mode,
      result,
      reason,
      userLabel: formatLabel(userLabel),
      diskLabel: formatLabel(diskLabel),
    });
  const refuse = (e: CpError): never => {
    audit("refused", e.message);
    throw e;
  };
  const others = users.holders(o.userid, vaddr, u.userid);
  const writers = others.filter((x) => x.write);
  const byWriter = writers[0]
    ? `R/W BY ${users.userOf(writers[0])}`
    : `R/O BY ${others.length} USERS`;
  // VM/370's modes: W and WR yield to any other link, R, M and MR to a
  // writer; RR and MW yield to nobody. WR and MR then link read-only, the
  // others are refused. R and RR read; the rest write.
  const blockers = mode === "W" || mode === "WR" ? others : writers;
  let write = mode !== "R" && mode !== "RR";
  let note = "";
  if (mode !== "RR" && mode !== "MW" && blockers.length > 0) {
    if (mode === "WR" || mode === "MR") {
      write = false;
      note = `DASD ${X(as)} FORCED R/O; ${byWriter}`;
    } else {
      refuse(
        new CpError(
          "LNK",
          mode === "R" ? 104 : 106,
          `${o.userid} ${X(vaddr)} NOT LINKED; ${byWriter}`,
        ),
      );
    }
  }
  // Mandatory access control: no read up, no write down.
  const canRead = dominates(userLabel, diskLabel);
  const canWrite = dominates(diskLabel, userLabel);
  if (!canRead) {
    refuse(
      new CpError(
        "LNK",
        120,
        `${o.userid} ${X(vaddr)} NOT LINKED; LABEL ${
          formatLabel(diskLabel)
        } NOT DOMINATED BY ${u.userid} ${formatLabel(userLabel)} (NO READ UP)`,
      ),
    );
  }
  if (write && !canWrite) {
    if (mode === "WR" || mode === "MR") {
      write = false;
      note = `DASD ${X(as)} FORCED R/O; LABEL (NO WRITE DOWN)`;
    } else {
      refuse(
        new CpError(
          "LNK",
          121,
          `${o.userid} ${X(vaddr)} NOT LINKED R/W; ${u.userid} ${
            formatLabel(userLabel)
          } DOMINATES LABEL ${formatLabel(diskLabel)} (NO WRITE DOWN)`,
        ),
      );
    }
  }
  const own = users.devices.get(o.userid)!.get(vaddr);
  const extent = own?.extent ??
    users.monitor.minidisks.extents.find((e) =>
      e.owner === o.userid && e.start === m.start
    )!;
  mine.set(as, {
    vaddr: as,
    owner: o.userid,
    ownerVaddr: vaddr,
    write,
    mdisk: m,
    extent,
  });
  users.rebuild(u.userid);
  const answer = (note ? `DMKLNK101W ${note}\n` : "") +
    `${u.userid} ${X(as)} LINKED ${write ? "R/W" : "R/O"} TO ${o.userid} ${
      X(vaddr)
    }`;
  audit(write ? "granted R/W" : "granted R/O", note || "ok");
  return answer;
}

/**
 * DETACH: removes a device (an own minidisk or a link) from a user's VM.
 *
 * @throws {CpError} when the user has no such device
 */
export function detach(users: CpUsers, userid: string, vaddr: number): string {
  const u = users.entry(userid);
  users.vm(u.userid);
  const devs = users.devices.get(u.userid)!;
  if (!devs.delete(vaddr)) {
    throw new CpError("DET", 40, `DEV ${X(vaddr)} DOES NOT EXIST`);
  }
  users.rebuild(u.userid);
  return `DASD ${X(vaddr)} DETACHED`;
}

/** The audit log as CP's QUERY AUDIT shows it. */
export function formatAudit(audit: readonly AuditEntry[]): string {
  return audit.map((a) =>
    `${String(a.seq).padStart(4)} ${a.user} LINK ${a.owner} ${X(a.vaddr)} AS ${
      X(a.as)
    } ${a.mode}: ${a.result.toUpperCase()} (${a.reason})`
  ).join("\n") || "NO LINKS";
}

/** The audit log as JSON lines (one object a line). */
export function auditJsonLines(audit: readonly AuditEntry[]): string {
  return audit.map((a) => JSON.stringify(a)).join("\n") +
    (audit.length ? "\n" : "");
}
