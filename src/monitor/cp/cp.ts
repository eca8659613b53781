/**
 * CP, VM/370's control program, on vmmlab's monitor: a user directory
 * becomes virtual machines with their minidisks on the real disk, and a
 * console takes CP's commands as text (`cp.command("QUERY NAMES")`) or as
 * methods (`cp.query("NAMES")`, `cp.link(...)`). LINK follows VM/370's
 * access-mode rules and, beyond VM/370, the mandatory access labels of the
 * VAX VMM security kernel (no read up, no write down), with an audit log of
 * every link granted or refused. TRACE is built on the monitor's hooks.
 * Guests are found by name in a registry passed in by the caller (this
 * layer knows no guest).
 *
 * @module
 */

import { formatPsl } from "../../arch/psl.ts";
import { IPR } from "../../arch/ipr.ts";
import type { RunOptions } from "../../machine/hardware.ts";
import { formatNs, hex8 } from "../../machine/units.ts";
import type { Bootable } from "../builder.ts";
import type { Extent } from "../devices/minidisk.ts";
import type { MonitorHost } from "../host.ts";
import type { Monitor } from "../monitor.ts";
import type { VirtualMachine } from "../vm.ts";
import {
  type Directory,
  directoryFromObject,
  type DirectoryInput,
  formatLabel,
  LINK_MODES,
  type LinkMode,
  type MdiskEntry,
  parseDirectory,
  parseLabel,
  parseStorage,
  type SecurityLabel,
  type UserEntry,
} from "./directory.ts";
import { COMMANDS, CpError, resolveWord, words } from "./messages.ts";

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

/** Options of {@link CP}. */
export interface CpOptions {
  /** Guests IPL can boot, by name (case-insensitive). */
  guests?: Record<string, Bootable>;
  /** Where TRACE lines go (besides {@link CP.traceLog}). */
  onTrace?: (line: string) => void;
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

const X = (n: number) => n.toString(16).toUpperCase().padStart(3, "0");

const TRACE_CLASSES: Record<string, string[] | null> = {
  PRIV: ["MTPR", "MFPR", "LDPCTX", "SVPCTX", "HALT", "PROBER", "PROBEW", "REI"],
  SVC: ["CHMK", "CHME", "CHMS", "CHMU"],
  IO: null,
  PROG: null,
  EXIT: null,
  ALL: null,
};

/**
 * CP: a monitor, its directory and its console.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { Machine } from "../../machine/machine.ts";
 * import { Monitor } from "../monitor.ts";
 * import { CP } from "./cp.ts";
 * const cp = CP.fromDirectory(
 *   Monitor.on(new Machine({ memory: "4 MiB", disk: "1 MiB" })),
 *   `USER MAINT PASS 256K
 *      MDISK 191 FB-512 16 64 VMLAB1 MR
 *    USER GUEST PASS 128K`,
 * );
 * ok(cp.command("Q NAMES").includes("MAINT"));
 * ok(cp.command("LINK GUEST TO MAINT 191 AS 192 RR").includes("LINKED R/O"));
 * ```
 */
export class CP {
  /** The monitor. */
  readonly monitor: Monitor<MonitorHost>;
  /** The directory. */
  readonly directory: Directory;
  /** Every LINK granted or refused. */
  readonly audit: AuditEntry[] = [];
  /** TRACE output. */
  readonly traceLog: string[] = [];
  readonly #guests: Map<string, Bootable>;
  readonly #devices: Map<string, Map<number, CpDevice>> = new Map();
  readonly #traces: Map<string, (() => void)[]> = new Map();
  readonly #stopped: Set<string> = new Set();
  readonly #printed: Map<string, number> = new Map();
  readonly #onTrace?: (line: string) => void;
  #seq = 0;
  /** The bounds of a BEGIN typed on the console (default 2 s simulated, 50M instructions). */
  beginDefaults: RunOptions = { forNs: 2_000_000_000, limit: 50_000_000 };

  /**
   * Builds CP from a directory (text or object): creates and logs on every
   * user, allocates its minidisks at their extents, makes the directory's
   * links and IPLs the guests named.
   *
   * @throws {DirectoryError} for a bad directory (every line, with reasons)
   */
  static fromDirectory(
    monitor: Monitor<MonitorHost>,
    directory: string | DirectoryInput,
    options: CpOptions = {},
  ): CP {
    const context = {
      diskBlocks: monitor.machine.disk.blocks,
      guests: Object.keys(options.guests ?? {}),
    };
    const d = typeof directory === "string"
      ? parseDirectory(directory, context)
      : directoryFromObject(directory, context);
    return new CP(monitor, d, options);
  }

  /** Use {@link CP.fromDirectory}. */
  constructor(
    monitor: Monitor<MonitorHost>,
    directory: Directory,
    options: CpOptions = {},
  ) {
    this.monitor = monitor;
    this.directory = directory;
    this.#guests = new Map(
      Object.entries(options.guests ?? {}).map(([k, v]) => [
        k.toUpperCase(),
        v,
      ]),
    );
    if (options.onTrace) this.#onTrace = options.onTrace;
    for (const u of directory.users) this.#logon(u);
    for (const u of directory.users) {
      for (const m of u.mdisks) this.#attachOwn(u, m);
    }
    for (const u of directory.users) {
      for (const l of u.links) {
        try {
          this.link(u.userid, l.user, l.vaddr, l.as, l.mode);
        } catch (e) {
          if (!(e instanceof CpError)) throw e;
        }
      }
      if (u.ipl) this.ipl(u.userid, u.ipl);
    }
  }

  // -------------------------------------------------------------------------
  // Users and their devices.

  #entry(userid: string): UserEntry {
    const up = String(userid).toUpperCase();
    const e = this.directory.users.find((u) => u.userid === up);
    if (!e) throw new CpError("CFM", 53, `${up} NOT IN CP DIRECTORY`);
    return e;
  }

  /** The VM of a user. */
  vm(userid: string): VirtualMachine {
    const e = this.#entry(userid);
    const vm = this.monitor.vms.get(e.userid);
    if (!vm) throw new CpError("CFM", 45, `${e.userid} NOT LOGGED ON`);
    return vm;
  }

  #logon(u: UserEntry, storage = u.storage): void {
    this.monitor.vm(u.userid).memory(storage).create();
    this.#devices.set(u.userid, new Map());
  }

  #attachOwn(u: UserEntry, m: MdiskEntry): void {
    const extent = this.monitor.minidisks.allocateAt(
      m.start,
      m.blocks,
      u.userid,
      X(m.vaddr),
    );
    const others = this.#holders(u.userid, m.vaddr);
    const anyWriter = others.some((d) => d.write);
    const write = m.mode === "MW" ||
      (m.mode === "W" || m.mode === "WR") && others.length === 0 ||
      (m.mode === "M" || m.mode === "MR") && !anyWriter;
    this.#devices.get(u.userid)!.set(m.vaddr, {
      vaddr: m.vaddr,
      owner: u.userid,
      ownerVaddr: m.vaddr,
      write,
      mdisk: m,
      extent,
    });
    this.#rebuild(u.userid);
  }

  /** Every device (of any user) on the owner's minidisk. */
  #holders(owner: string, vaddr: number, except?: string): CpDevice[] {
    const out: CpDevice[] = [];
    for (const [user, devs] of this.#devices) {
      if (user === except) continue;
      for (const d of devs.values()) {
        if (d.owner === owner && d.ownerVaddr === vaddr) out.push(d);
      }
    }
    return out;
  }

  /** The VM's disk: its devices end to end in address order. */
  #rebuild(userid: string): void {
    const vm = this.monitor.vms.get(userid);
    if (!vm) return;
    const devs = [...(this.#devices.get(userid)?.values() ?? [])].sort((
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
  devices(userid: string): CpDevice[] {
    this.vm(userid);
    return [...this.#devices.get(this.#entry(userid).userid)!.values()].sort(
      (a, b) => a.vaddr - b.vaddr,
    );
  }

  /** The label of a user (UNCLASSIFIED when none). */
  labelOf(userid: string): SecurityLabel {
    return this.#entry(userid).label ?? { level: 0, categories: [] };
  }

  /** The label of a minidisk: its own, else its owner's. */
  #diskLabel(owner: string, m: MdiskEntry): SecurityLabel {
    return m.label ?? this.labelOf(owner);
  }

  // -------------------------------------------------------------------------
  // LINK and DETACH.

  /**
   * LINK: gives `userid` access to `owner`'s minidisk `vaddr` at address
   * `as` in a VM/370 mode: R (refused if anyone writes), RR, W (refused if
   * anyone else has any link), WR (else read), M (refused if anyone
   * writes), MR (else read), MW (always write). Labels: reading needs the
   * user's label to dominate the disk's (no read up), writing needs the
   * disk's to dominate the user's (no write down). Every attempt goes to
   * the audit log. Returns CP's answer.
   *
   * @throws {CpError} when the link is refused
   */
  link(
    userid: string,
    owner: string,
    vaddr: number,
    as = vaddr,
    mode: LinkMode = "R",
  ): string {
    const u = this.#entry(userid);
    const o = this.#entry(owner);
    this.vm(u.userid);
    this.vm(o.userid);
    if (!LINK_MODES.includes(mode)) {
      throw new CpError("LNK", 3, `INVALID OPTION - ${mode}`);
    }
    const m = o.mdisks.find((d) => d.vaddr === vaddr);
    if (!m) {
      throw new CpError(
        "LNK",
        107,
        `${o.userid} ${X(vaddr)} NOT LINKED; NOT IN CP DIRECTORY`,
      );
    }
    const mine = this.#devices.get(u.userid)!;
    if (mine.has(as)) {
      throw new CpError(
        "LNK",
        109,
        `${u.userid} ${X(as)} NOT LINKED; VIRTUAL ADDRESS IN USE`,
      );
    }
    const userLabel = this.labelOf(u.userid);
    const diskLabel = this.#diskLabel(o.userid, m);
    const audit = (
      result: AuditEntry["result"],
      reason: string,
    ) =>
      this.audit.push({
        seq: ++this.#seq,
        ns: this.monitor.machine.cpu.ns,
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
    const others = this.#holders(o.userid, vaddr, u.userid);
    const writers = others.filter((d) => d.write);
    const byWriter = writers[0]
      ? `R/W BY ${this.#userOf(writers[0])}`
      : `R/O BY ${others.length} USERS`;
    let write: boolean;
    let note = "";
    switch (mode) {
      case "R":
        if (writers.length) {
          refuse(
            new CpError(
              "LNK",
              104,
              `${o.userid} ${X(vaddr)} NOT LINKED; ${byWriter}`,
            ),
          );
        }
        write = false;
        break;
      case "RR":
        write = false;
        break;
      case "W":
        if (others.length) {
          refuse(
            new CpError(
              "LNK",
              106,
              `${o.userid} ${X(vaddr)} NOT LINKED; ${byWriter}`,
            ),
          );
        }
        write = true;
        break;
      case "M":
        if (writers.length) {
          refuse(
            new CpError(
              "LNK",
              106,
              `${o.userid} ${X(vaddr)} NOT LINKED; ${byWriter}`,
            ),
          );
        }
        write = true;
        break;
      case "WR":
        write = others.length === 0;
        if (!write) note = `DASD ${X(as)} FORCED R/O; ${byWriter}`;
        break;
      case "MR":
        write = writers.length === 0;
        if (!write) note = `DASD ${X(as)} FORCED R/O; ${byWriter}`;
        break;
      default: // MW
        write = true;
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
          } NOT DOMINATED BY ${u.userid} ${
            formatLabel(userLabel)
          } (NO READ UP)`,
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
    const own = this.#devices.get(o.userid)!.get(vaddr);
    const extent = own?.extent ??
      this.monitor.minidisks.extents.find((e) =>
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
    this.#rebuild(u.userid);
    const answer = (note ? `DMKLNK101W ${note}\n` : "") +
      `${u.userid} ${X(as)} LINKED ${write ? "R/W" : "R/O"} TO ${o.userid} ${
        X(vaddr)
      }`;
    audit(write ? "granted R/W" : "granted R/O", note || "ok");
    return answer;
  }

  #userOf(d: CpDevice): string {
    for (const [user, devs] of this.#devices) {
      for (const x of devs.values()) if (x === d) return user;
    }
    return "?";
  }

  /**
   * DETACH: removes a device (an own minidisk or a link) from a user's VM.
   *
   * @throws {CpError} when the user has no such device
   */
  detach(userid: string, vaddr: number): string {
    const u = this.#entry(userid);
    this.vm(u.userid);
    const devs = this.#devices.get(u.userid)!;
    if (!devs.delete(vaddr)) {
      throw new CpError("DET", 40, `DEV ${X(vaddr)} DOES NOT EXIST`);
    }
    this.#rebuild(u.userid);
    return `DASD ${X(vaddr)} DETACHED`;
  }

  // -------------------------------------------------------------------------
  // QUERY and DISPLAY.

  /**
   * QUERY: `NAMES` (every VM and its state), `USERS`, `VIRTUAL user`,
   * `DASD` or `MDISK` (every minidisk), `LINKS user vaddr`, `LABEL user`,
   * `AUDIT`.
   *
   * @throws {CpError} for an unknown option or user
   */
  query(what = "NAMES", ...args: string[]): string {
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
        const items = [...this.monitor.vms.values()].map((vm) =>
          `${vm.name.padEnd(8)} - ${this.#state(vm)}`
        );
        const lines: string[] = [];
        for (let i = 0; i < items.length; i += 4) {
          lines.push(items.slice(i, i + 4).join(" , "));
        }
        return lines.join("\n");
      }
      case "USERS": {
        const n = this.monitor.vms.size;
        return `${String(n).padStart(5)} USER${n === 1 ? "" : "S"}`;
      }
      case "VIRTUAL": {
        const user = args[0];
        if (!user) throw new CpError("QRY", 20, "USERID MISSING OR INVALID");
        const vm = this.vm(user);
        const e = this.#entry(user);
        const lines = [
          `STORAGE = ${vm.memorySize / 1024}K  (MAX ${e.maxStorage / 1024}K)`,
          `CONS ${X(e.console)} ON VMLAB  CLASS ${e.classes}  LABEL ${
            formatLabel(e.label)
          }`,
        ];
        let base = 0;
        for (const d of this.devices(user)) {
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
        for (const u of this.directory.users) {
          for (const m of u.mdisks) {
            lines.push(
              `${u.userid.padEnd(8)} ${X(m.vaddr)} FB-512 ${m.volid} START ${
                String(m.start).padStart(6)
              } BLOCKS ${String(m.blocks).padStart(6)} MODE ${
                m.mode.padEnd(2)
              } LABEL ${formatLabel(this.#diskLabel(u.userid, m))}`,
            );
          }
        }
        return lines.join("\n") || "NO MINIDISKS";
      }
      case "LINKS": {
        const [user, addr] = args;
        if (!user) throw new CpError("QRY", 20, "USERID MISSING OR INVALID");
        const e = this.#entry(user);
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
          const hs = this.#holders(e.userid, m.vaddr).map((d) =>
            `${this.#userOf(d)} ${X(d.vaddr)} ${d.write ? "R/W" : "R/O"}`
          );
          return `${e.userid} ${X(m.vaddr)}: ${hs.join(", ") || "NONE"}`;
        }).join("\n");
      }
      case "LABEL": {
        const user = args[0];
        if (!user) throw new CpError("QRY", 20, "USERID MISSING OR INVALID");
        return `${this.#entry(user).userid} ${formatLabel(this.labelOf(user))}`;
      }
      case "AUDIT":
        return this.audit.map((a) =>
          `${String(a.seq).padStart(4)} ${a.user} LINK ${a.owner} ${
            X(a.vaddr)
          } AS ${X(a.as)} ${a.mode}: ${a.result.toUpperCase()} (${a.reason})`
        ).join("\n") || "NO LINKS";
      default:
        throw new CpError("QRY", 3, `INVALID OPTION - ${what.toUpperCase()}`);
    }
  }

  #state(vm: VirtualMachine): string {
    if (this.#stopped.has(vm.name)) return "STOPPED";
    if (vm.status === "halted") return "HALTED";
    return vm.status === "waiting" ? "WAITING" : "READY";
  }

  /**
   * DISPLAY: `G` (general registers), `PSW` (virtual PSL, real PSL and
   * VMPSL), `addr[-end]` (guest storage, hex), `PT S0|P0|P1` (guest page
   * table beside the shadow tables).
   *
   * @throws {CpError} for bad operands
   */
  display(userid: string, what = "G", ...args: string[]): string {
    const vm = this.vm(userid);
    const up = what.toUpperCase();
    if (up === "G") {
      const lines: string[] = [];
      for (let i = 0; i < 16; i += 4) {
        lines.push(
          `GPR ${String(i).padStart(2)} = ${
            [0, 1, 2, 3].map((k) => hex8(vm.get(`R${i + k}`)).toUpperCase())
              .join(" ")
          }`,
        );
      }
      return lines.join("\n");
    }
    if (up === "PSW" || up === "PSL") {
      const r = vm.psl();
      return `PSL   = ${hex8(r.virtual).toUpperCase()}  ${
        formatPsl(r.virtual)
      }\nREAL  = ${hex8(r.real).toUpperCase()}  ${formatPsl(r.real)}\nVMPSL = ${
        hex8(r.vmpsl).toUpperCase()
      }\nPC    = ${hex8(vm.get("PC")).toUpperCase()}`;
    }
    if (up === "PT") {
      const region = (args[0] ?? "S0").toUpperCase();
      if (region !== "S0" && region !== "P0" && region !== "P1") {
        throw new CpError("DSP", 3, `INVALID OPTION - ${region}`);
      }
      const t = vm.pageTables(region, { count: 16 });
      return t.rows.map((r) =>
        `${hex8(r.va).toUpperCase()} GUEST ${r.guest.valid ? "V" : "-"} ${
          r.guest.protName.padEnd(4)
        } PFN ${r.guest.pfn.toString(16).toUpperCase().padStart(5)}  SHADOW ${
          r.shadow
            ? `${r.shadow.valid ? "V" : "-"} ${
              r.shadow.protName.padEnd(4)
            } PFN ${r.shadow.pfn.toString(16).toUpperCase().padStart(5)}`
            : "(not filled)"
        }${r.remapped ? "  REMAPPED" : ""}`
      ).join("\n") || "NO ENTRIES";
    }
    const m = /^([0-9A-F]+)(?:-([0-9A-F]+))?$/i.exec(what);
    if (!m) throw new CpError("DSP", 3, `INVALID OPTION - ${up}`);
    const from = parseInt(m[1]!, 16) & ~15;
    const to = m[2] !== undefined ? parseInt(m[2], 16) : from + 63;
    if (to < from || to >= vm.memorySize) {
      throw new CpError(
        "DSP",
        160,
        `STORAGE ADDRESS ${up} EXCEEDS STORAGE SIZE ${vm.memorySize / 1024}K`,
      );
    }
    const bytes = vm.readPhysical(from, to - from + 1);
    const lines: string[] = [];
    for (let i = 0; i < bytes.length; i += 16) {
      const row = bytes.subarray(i, i + 16);
      lines.push(
        `${(from + i).toString(16).toUpperCase().padStart(6, "0")}  ${
          Array.from(row, (b) => b.toString(16).toUpperCase().padStart(2, "0"))
            .join(" ")
        }`,
      );
    }
    return lines.join("\n");
  }

  // -------------------------------------------------------------------------
  // TRACE, DEFINE, IPL, BEGIN, STOP, SYSTEM.

  /**
   * TRACE: records a user's events through the monitor's hooks. Classes:
   * PRIV (privileged and sensitive instructions), SVC (CHMx), IO (minidisk
   * requests), PROG (exceptions and interrupts reflected into the guest),
   * EXIT (every exit), ALL; END stops tracing the user.
   *
   * @throws {CpError} for an unknown class
   */
  trace(userid: string, ...classes: string[]): string {
    const vm = this.vm(userid);
    const name = vm.name;
    const list = classes.length ? classes : ["ALL"];
    const stop = () => {
      for (const off of this.#traces.get(name) ?? []) off();
      this.#traces.delete(name);
    };
    if (list.length === 1 && /^END$/i.test(list[0]!)) {
      stop();
      return `TRACE ENDED FOR ${name}`;
    }
    const resolved = list.map((c) => {
      const r = resolveWord(c, [
        ["PRIV", 1],
        ["SVC", 1],
        ["IO", 1],
        ["PROG", 2],
        ["EXIT", 1],
        ["ALL", 1],
      ]);
      if (!r) {
        throw new CpError("TRA", 3, `INVALID OPTION - ${c.toUpperCase()}`);
      }
      return r;
    });
    stop();
    const offs: (() => void)[] = [];
    const emit = (line: string) => {
      this.traceLog.push(line);
      this.#onTrace?.(line);
    };
    const has = (c: string) => resolved.includes(c) || resolved.includes("ALL");
    const exitKinds = new Set<string>();
    if (has("PRIV")) TRACE_CLASSES.PRIV!.forEach((k) => exitKinds.add(k));
    if (has("SVC")) TRACE_CLASSES.SVC!.forEach((k) => exitKinds.add(k));
    const every = has("EXIT");
    if (every || exitKinds.size) {
      offs.push(this.monitor.on("exit", (e) => {
        if (!every && !exitKinds.has(e.kind)) return;
        emit(
          `${name.padEnd(8)} ${e.kind.padEnd(8)} AT ${
            hex8(e.exit.pc).toUpperCase()
          }  ${formatNs(e.ns)}`,
        );
      }, { vm: name }));
    }
    if (has("IO")) {
      offs.push(this.monitor.on("io", (e) => {
        emit(
          `${
            name.padEnd(8)
          } I/O ${e.func.toUpperCase()} ${e.count} BLK AT ${e.block} -> ${
            e.memory.toString(16).toUpperCase()
          }`,
        );
      }, { vm: name }));
    }
    if (has("PROG")) {
      offs.push(this.monitor.on("reflect", (e) => {
        emit(
          `${name.padEnd(8)} ${e.level >= 0 ? "INTERRUPT" : "PROGRAM"} VECTOR ${
            e.vector.toString(16).toUpperCase().padStart(2, "0")
          } AT ${hex8(e.vm.get("PC")).toUpperCase()}`,
        );
      }, { vm: name }));
    }
    this.#traces.set(name, offs);
    return `TRACE ${resolved.join(" ")} SET FOR ${name}`;
  }

  /**
   * DEFINE STORAGE: gives the user's VM a new storage size (up to the
   * directory's maximum); the VM is reset, as on VM/370. Its devices stay.
   *
   * @throws {CpError} for a bad size
   */
  defineStorage(userid: string, size: string | number): string {
    const e = this.#entry(userid);
    this.vm(e.userid);
    let bytes: number;
    try {
      bytes = parseStorage(size);
    } catch {
      throw new CpError("DEF", 26, `OPERAND MISSING OR INVALID - ${size}`);
    }
    if (bytes < 512 || bytes % 512 !== 0 || bytes > e.maxStorage) {
      throw new CpError(
        "DEF",
        94,
        `STORAGE EXCEEDS ALLOWED MAXIMUM OR IS INVALID - ${
          bytes / 1024
        }K (MAX ${e.maxStorage / 1024}K)`,
      );
    }
    const devs = this.#devices.get(e.userid)!;
    this.#traces.get(e.userid)?.forEach((off) => off());
    this.#traces.delete(e.userid);
    // Re-creating the VM releases its own extents: take them again.
    this.monitor.vm(e.userid).memory(bytes).create();
    for (const d of devs.values()) {
      if (d.owner === e.userid) {
        d.extent = this.monitor.minidisks.allocateAt(
          d.mdisk.start,
          d.mdisk.blocks,
          e.userid,
          X(d.ownerVaddr),
        );
        for (const h of this.#holders(e.userid, d.ownerVaddr)) {
          h.extent = d.extent;
        }
      }
    }
    for (const user of this.#devices.keys()) this.#rebuild(user);
    this.#printed.delete(e.userid);
    return `STORAGE = ${bytes / 1024}K`;
  }

  /**
   * IPL: boots a registered guest into the user's VM.
   *
   * @throws {CpError} for an unknown guest
   */
  ipl(userid: string, guest: string): string {
    const vm = this.vm(userid);
    const g = this.#guests.get(String(guest).toUpperCase());
    if (!g) {
      throw new CpError(
        "CFM",
        24,
        `DEVICE OR SYSTEM ${String(guest).toUpperCase()} INVALID; KNOWN: ${
          [...this.#guests.keys()].join(", ") || "NONE"
        }`,
      );
    }
    if (typeof g === "function") g(vm);
    else g.boot(vm);
    vm.status = "ready";
    vm.haltReason = "";
    this.#stopped.delete(vm.name);
    return `${vm.name} IPL ${String(guest).toUpperCase()}`;
  }

  /**
   * BEGIN: runs the user's VM, or every VM not stopped, until they halt or
   * a limit (default: 2 s of simulated time, 50 million instructions).
   * Returns the guests' new console output, each line after its user id.
   */
  begin(userid?: string, options: RunOptions = {}): string {
    const opts: RunOptions = { ...this.beginDefaults, ...options };
    let stop: string;
    if (userid !== undefined) {
      const vm = this.vm(userid);
      this.#stopped.delete(vm.name);
      stop = vm.run(opts).stop;
    } else {
      const vms = [...this.monitor.vms.values()].filter((v) =>
        !this.#stopped.has(v.name)
      );
      stop = this.monitor.run({ ...opts, vms }).stop;
    }
    const out: string[] = [];
    for (const vm of this.monitor.vms.values()) {
      const text = vm.console.output;
      const from = this.#printed.get(vm.name) ?? 0;
      if (text.length > from) {
        for (const l of text.slice(from).split(/\r?\n/)) {
          if (l.trim() !== "") out.push(`${vm.name.padEnd(8)}: ${l}`);
        }
        this.#printed.set(vm.name, text.length);
      }
    }
    out.push(`CP: ${stop.toUpperCase()}; ${this.query("NAMES")}`);
    return out.join("\n");
  }

  /** STOP: the user's VM is left out of BEGIN (of all VMs) until BEGIN user or IPL. */
  stop(userid: string): string {
    const vm = this.vm(userid);
    this.#stopped.add(vm.name);
    return `${vm.name} STOPPED`;
  }

  /**
   * SYSTEM RESET: the user's processor and I/O are reset (registers
   * cleared, power-up PSL, memory management off); storage is kept.
   * SYSTEM CLEAR also clears storage.
   *
   * @throws {CpError} for another option
   */
  system(userid: string, what = "RESET"): string {
    const vm = this.vm(userid);
    const opt = resolveWord(what, [["RESET", 1], ["CLEAR", 1]]);
    if (!opt) {
      throw new CpError("SYS", 3, `INVALID OPTION - ${what.toUpperCase()}`);
    }
    vm.set("MAPEN", 0);
    vm.setPsl(0x041f0000);
    for (let i = 0; i < 16; i++) vm.set(`R${i}`, 0);
    vm.set("IORESET", 0);
    vm.set("SCBB", 0);
    if (opt === "CLEAR") vm.load(new Uint8Array(vm.memorySize), 0);
    vm.status = "ready";
    vm.haltReason = "";
    return `${vm.name} SYSTEM ${opt}`;
  }

  // -------------------------------------------------------------------------
  // The console.

  /**
   * Executes one CP command line and returns CP's answer as text; errors
   * come back as VM/370-style numbered messages, never as exceptions.
   * Commands: QUERY, DISPLAY, TRACE, DEFINE STORAGE, IPL, LINK, DETACH,
   * BEGIN, STOP, SYSTEM, HELP (with VM/370's abbreviations: Q, D, TR, DEF,
   * I, LINK, DET, B, STOP, SYS, H).
   */
  command(line: string): string {
    try {
      return this.#execute(line);
    } catch (e) {
      if (e instanceof CpError) return e.message;
      if (e instanceof RangeError) return `DMKCFM026E ${e.message}`;
      throw e;
    }
  }

  #execute(line: string): string {
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
        return this.query(a[0] ?? "NAMES", ...a.slice(1));
      case "DISPLAY":
        return this.display(need(0, "USERID", 20), a[1] ?? "G", ...a.slice(2));
      case "TRACE":
        return this.trace(need(0, "USERID", 20), ...a.slice(1));
      case "DEFINE": {
        const what = resolveWord(need(0, "OPERAND"), [["STORAGE", 3]]);
        if (what !== "STORAGE") {
          throw new CpError(
            "DEF",
            3,
            `INVALID OPTION - ${a[0]!.toUpperCase()}`,
          );
        }
        return this.defineStorage(need(1, "USERID", 20), need(2, "SIZE"));
      }
      case "IPL":
        return this.ipl(need(0, "USERID", 20), need(1, "SYSTEM NAME"));
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
        return this.link(
          user,
          owner,
          parseInt(v1, 16),
          parseInt(v2!, 16),
          mode,
        );
      }
      case "DETACH":
        return this.detach(need(0, "USERID", 20), addr(1));
      case "BEGIN":
        return this.begin(a[0]);
      case "STOP":
        return this.stop(need(0, "USERID", 20));
      case "SYSTEM":
        return this.system(need(0, "USERID", 20), a[1] ?? "RESET");
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

  /** The audit log as JSON lines (one object a line). */
  auditJsonLines(): string {
    return this.audit.map((a) => JSON.stringify(a)).join("\n") +
      (this.audit.length ? "\n" : "");
  }

  /** Sets a user's label (an operator's action; audited). */
  setLabel(userid: string, level: string, categories = ""): string {
    const e = this.#entry(userid);
    try {
      e.label = parseLabel(level, categories);
    } catch (err) {
      throw new CpError("CFM", 3, `INVALID OPTION - ${(err as Error).message}`);
    }
    return `${e.userid} LABEL ${formatLabel(e.label)}`;
  }

  /** Registers the IPL register of guest names (from a higher layer). */
  get guests(): readonly string[] {
    return [...this.#guests.keys()];
  }

  /** IPR numbers for DISPLAY (exposed for tools). */
  static readonly IPR: typeof IPR = IPR;
}
