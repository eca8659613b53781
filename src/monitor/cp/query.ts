/**
 * QUERY: what CP tells about its users (names and states, VMs and their
 * devices, minidisks, who links to what, labels, the audit log).
 *
 * @module
 */

import type { VirtualMachine } from "../vm.ts";
import { formatLabel } from "./directory.ts";
import { type AuditEntry, formatAudit } from "./link.ts";
import { CpError, resolveWord } from "./messages.ts";
import { type CpUsers, X } from "./users.ts";

/** What QUERY needs of CP. */
export interface QueryDeps {
  /** The users and their devices. */
  readonly users: CpUsers;
  /** The audit log. */
  readonly audit: readonly AuditEntry[];
  /** A VM's state as CP names it (READY, WAITING, HALTED, STOPPED). */
  state(vm: VirtualMachine): string;
}

/**
 * QUERY (see `CP.query`): `NAMES`, `USERS`, `VIRTUAL user`, `DASD` or
 * `MDISK`, `LINKS user vaddr`, `LABEL user`, `AUDIT`.
 *
 * @throws {CpError} for an unknown option or user
 */
export function query(
  q: QueryDeps,
  what = "NAMES",
  ...args: string[]
): string {
  const opt = resolveWord(what, [
    ["NAMES", 1],
    ["USERS", 1],
    ["VIRTUAL", 1],
    ["DASD", 2],
    ["MDISK", 2],
    ["LINKS", 1],
    ["LABEL", 3],
    ["AUDIT", 1],
  ]);
  switch (opt) {
    case "NAMES": {
      const items = [...q.users.monitor.vms.values()].map((vm) =>
        `${vm.name.padEnd(8)} - ${q.state(vm)}`
      );
      const lines: string[] = [];
      for (let i = 0; i < items.length; i += 4) {
        lines.push(items.slice(i, i + 4).join(" , "));
      }
      return lines.join("\n");
    }
    case "USERS": {
      const n = q.users.monitor.vms.size;
      return `${String(n).padStart(5)} USER${n === 1 ? "" : "S"}`;
    }
    case "VIRTUAL": {
      const user = args[0];
      if (!user) throw new CpError("QRY", 20, "USERID MISSING OR INVALID");
      const vm = q.users.vm(user);
      const e = q.users.entry(user);
      const lines = [
        `STORAGE = ${vm.memorySize / 1024}K  (MAX ${e.maxStorage / 1024}K)`,
        `CONS ${X(e.console)} ON VMLAB  CLASS ${e.classes}  LABEL ${
          formatLabel(e.label)
        }`,
      ];
      let base = 0;
      for (const d of q.users.devicesOf(user)) {
        lines.push(
          `DASD ${X(d.vaddr)} FB-512 ${d.write ? "R/W" : "R/O"} ${
            String(d.mdisk.blocks).padStart(6)
          } BLK ON ${d.mdisk.volid}${
            d.owner !== e.userid
              ? ` LINKED TO ${d.owner} ${X(d.ownerVaddr)}`
              : ""
          } (BLOCKS ${base}-${base + d.mdisk.blocks - 1} OF THE VM'S DISK)`,
        );
        base += d.mdisk.blocks;
      }
      return lines.join("\n");
    }
    case "DASD":
    case "MDISK": {
      const lines: string[] = [];
      for (const u of q.users.directory.users) {
        for (const m of u.mdisks) {
          lines.push(
            `${u.userid.padEnd(8)} ${X(m.vaddr)} FB-512 ${m.volid} START ${
              String(m.start).padStart(6)
            } BLOCKS ${String(m.blocks).padStart(6)} MODE ${
              m.mode.padEnd(2)
            } LABEL ${formatLabel(q.users.diskLabel(u.userid, m))}`,
          );
        }
      }
      return lines.join("\n") || "NO MINIDISKS";
    }
    case "LINKS": {
      const [user, addr] = args;
      if (!user) throw new CpError("QRY", 20, "USERID MISSING OR INVALID");
      const e = q.users.entry(user);
      const list = e.mdisks.filter((m) =>
        addr === undefined || m.vaddr === parseInt(addr, 16)
      );
      if (addr !== undefined && list.length === 0) {
        throw new CpError(
          "QRY",
          40,
          `DEV ${addr.toUpperCase()} DOES NOT EXIST`,
        );
      }
      return list.map((m) => {
        const hs = q.users.holders(e.userid, m.vaddr).map((d) =>
          `${q.users.userOf(d)} ${X(d.vaddr)} ${d.write ? "R/W" : "R/O"}`
        );
        return `${e.userid} ${X(m.vaddr)}: ${hs.join(", ") || "NONE"}`;
      }).join("\n");
    }
    case "LABEL": {
      const user = args[0];
      if (!user) throw new CpError("QRY", 20, "USERID MISSING OR INVALID");
      return `${q.users.entry(user).userid} ${
        formatLabel(q.users.labelOf(user))
      }`;
    }
    case "AUDIT":
      return formatAudit(q.audit);
    default:
      throw new CpError("QRY", 3, `INVALID OPTION - ${what.toUpperCase()}`);
  }
}
