/**
 * CP's users and their devices: logging a directory user on (a VM of the
 * directory's storage), attaching the user's own minidisks at their
 * extents, who holds which minidisk, each user's label, and the VM's disk
 * rebuilt from its devices end to end in address order.
 *
 * @module
 */

import type { Extent } from "../devices/minidisk.ts";
import type { MonitorHost } from "../host.ts";
import type { Monitor } from "../monitor.ts";
import type { VirtualMachine } from "../vm.ts";
import type {
  Directory,
  MdiskEntry,
  SecurityLabel,
  UserEntry,
} from "./directory.ts";
import { CpError } from "./messages.ts";

/** One virtual device a user holds: an own minidisk or a link. */
export interface CpDevice {
  /** Address at the user. */
  vaddr: number;
  /** Owner of the minidisk. */
  owner: string;
  /** Its address at the owner. */
  ownerVaddr: number;
  /** Write access (else read-only). */
  write: boolean;
  /** The minidisk. */
  mdisk: MdiskEntry;
  /** Its extent on the real disk. */
  extent: Extent;
}

/** A device address as CP writes it: three hex digits, upper case. */
export const X = (n: number): string =>
  n.toString(16).toUpperCase().padStart(3, "0");

/** CP's users: their directory entries, VMs, devices and labels. */
export class CpUsers {
  /** The monitor. */
  readonly monitor: Monitor<MonitorHost>;
  /** The directory. */
  readonly directory: Directory;
  /** Each logged-on user's devices, by address. */
  readonly devices: Map<string, Map<number, CpDevice>> = new Map();

  /** Users of `directory` on `monitor` (none logged on yet). */
  constructor(monitor: Monitor<MonitorHost>, directory: Directory) {
    this.monitor = monitor;
    this.directory = directory;
  }

  /**
   * A user's directory entry.
   *
   * @throws {CpError} when the user is not in the directory
   */
  entry(userid: string): UserEntry {
    const up = String(userid).toUpperCase();
    const e = this.directory.users.find((u) => u.userid === up);
    if (!e) throw new CpError("CFM", 53, `${up} NOT IN CP DIRECTORY`);
    return e;
  }

  /**
   * The VM of a user.
   *
   * @throws {CpError} when the user is unknown or not logged on
   */
  vm(userid: string): VirtualMachine {
    const e = this.entry(userid);
    const vm = this.monitor.vms.get(e.userid);
    if (!vm) throw new CpError("CFM", 45, `${e.userid} NOT LOGGED ON`);
    return vm;
  }

  /** Logs a user on: a VM of the user's storage, no devices yet. */
  logon(u: UserEntry, storage: number = u.storage): void {
    this.monitor.vm(u.userid).memory(storage).create();
    this.devices.set(u.userid, new Map());
  }

  /** Attaches one of the user's own minidisks at its extent. */
  attachOwn(u: UserEntry, m: MdiskEntry): void {
    const extent = this.monitor.minidisks.allocateAt(
      m.start,
      m.blocks,
      u.userid,
      X(m.vaddr),
    );
    const others = this.holders(u.userid, m.vaddr);
    const anyWriter = others.some((d) => d.write);
    const write = m.mode === "MW" ||
      (m.mode === "W" || m.mode === "WR") && others.length === 0 ||
      (m.mode === "M" || m.mode === "MR") && !anyWriter;
    this.devices.get(u.userid)!.set(m.vaddr, {
      vaddr: m.vaddr,
      owner: u.userid,
      ownerVaddr: m.vaddr,
      write,
      mdisk: m,
      extent,
    });
    this.rebuild(u.userid);
  }

  /** Every device (of any user but `except`) on the owner's minidisk. */
  holders(owner: string, vaddr: number, except?: string): CpDevice[] {
    const out: CpDevice[] = [];
    for (const [user, devs] of this.devices) {
      if (user === except) continue;
      for (const d of devs.values()) {
        if (d.owner === owner && d.ownerVaddr === vaddr) out.push(d);
      }
    }
    return out;
  }

  /** The user holding a device ("?" when none). */
  userOf(d: CpDevice): string {
    for (const [user, devs] of this.devices) {
      for (const x of devs.values()) if (x === d) return user;
    }
    return "?";
  }

  /** The VM's disk: its devices end to end in address order. */
  rebuild(userid: string): void {
    const vm = this.monitor.vms.get(userid);
    if (!vm) return;
    const devs = [...(this.devices.get(userid)?.values() ?? [])].sort((
      a,
      b,
    ) => a.vaddr - b.vaddr);
    vm.disk.extents.length = 0;
    for (const d of devs) {
      vm.disk.extents.push({
        ...d.extent,
        label: X(d.vaddr),
        readOnly: !d.write,
      });
    }
  }

  /** The user's devices, in address order. */
  devicesOf(userid: string): CpDevice[] {
    this.vm(userid);
    return [...this.devices.get(this.entry(userid).userid)!.values()].sort(
      (a, b) => a.vaddr - b.vaddr,
    );
  }

  /** The label of a user (UNCLASSIFIED when none). */
  labelOf(userid: string): SecurityLabel {
    return this.entry(userid).label ?? { level: 0, categories: [] };
  }

  /** The label of a minidisk: its own, else its owner's. */
  diskLabel(owner: string, m: MdiskEntry): SecurityLabel {
    return m.label ?? this.labelOf(owner);
  }
}
