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

import { IPR } from "../../arch/ipr.ts";
import type { RunOptions } from "../../machine/hardware.ts";
import type { Bootable } from "../builder.ts";
import type { MonitorHost } from "../host.ts";
import { Monitor } from "../monitor.ts";
import { type VirtualMachine, vmState } from "../vm.ts";
import { execute } from "./commands.ts";
import * as control from "./control.ts";
import {
  type Directory,
  DirectoryError,
  directoryFromObject,
  type DirectoryInput,
  formatLabel,
  type LinkMode,
  parseDirectory,
  parseLabel,
  type SecurityLabel,
  type UserEntry,
} from "./directory.ts";
import { display } from "./display.ts";
import {
  type AuditEntry,
  auditJsonLines,
  detach,
  dominates,
  link,
} from "./link.ts";
import { CpError } from "./messages.ts";
import { query } from "./query.ts";
import { CpTracer } from "./trace.ts";
import { type CpDevice, CpUsers } from "./users.ts";

export { dominates };
export type { AuditEntry, CpDevice };

/** Options of {@link CP}. */
export interface CpOptions {
  /** Guests IPL can boot, by name (case-insensitive). */
  guests?: Record<string, Bootable>;
  /** Where TRACE lines go (besides {@link CP.traceLog}). */
  onTrace?: (line: string) => void;
  /** Directories `IPL CP name` can name (text or object), by name. */
  directories?: Record<string, string | DirectoryInput>;
}

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
  readonly traceLog: string[];
  /** The CPs running in users' VMs (`IPL CP`), by user id. */
  readonly nested: Map<string, CP> = new Map();
  readonly #users: CpUsers;
  readonly #tracer: CpTracer;
  readonly #guests: Map<string, Bootable>;
  readonly #stopped: Set<string> = new Set();
  readonly #printed: Map<string, number> = new Map();
  readonly #control: control.ControlDeps;
  readonly #options: CpOptions;
  #seq = 0;
  /** The bounds of a BEGIN typed on the console (default 2 s simulated, 50M instructions). */
  beginDefaults: RunOptions = { forNs: 2_000_000_000, limit: 50_000_000 };

  /**
   * Builds CP from a directory (text or object): creates and logs on every
   * user, allocates its minidisks at their extents, makes the directory's
   * links and IPLs the guests named. A user whose IPL is CP gets a CP of
   * its own on its VM, built from its nested directory ({@link CP.nested}).
   *
   * @example
   * ```ts
   * import { deepEqual } from "node:assert/strict";
   * import { Machine } from "../../machine/machine.ts";
   * import { Monitor } from "../monitor.ts";
   * import { CP } from "./cp.ts";
   * const cp = CP.fromDirectory(
   *   Monitor.on(new Machine({ memory: "4 MiB", disk: "1 MiB" })),
   *   `USER CP2 PW 1M
   *      MDISK 191 FB-512 100 512 VMLAB2
   *      IPL CP
   *      DIRECTORY
   *        USER CMS1 PW 64K
   *          MDISK 191 FB-512 0 128 VMLAB3
   *      END`,
   * );
   * deepEqual([...cp.nested.get("CP2")!.monitor.vms.keys()], ["CMS1"]);
   * ```
   * @throws {DirectoryError} for a bad directory (every line, with reasons,
   *   at every level)
   */
  static fromDirectory(
    monitor: Monitor<MonitorHost>,
    directory: string | DirectoryInput,
    options: CpOptions = {},
  ): CP {
    const context = {
      diskBlocks: monitor.machine.disk.blocks,
      guests: Object.keys(options.guests ?? {}),
      ...(options.directories ? { directories: options.directories } : {}),
      level: monitor.level,
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
    this.#options = options;
    const users = this.#users = new CpUsers(monitor, directory);
    this.#tracer = new CpTracer(monitor, options.onTrace);
    this.traceLog = this.#tracer.log;
    this.#guests = new Map(
      Object.entries(options.guests ?? {}).map(([k, v]) => [
        k.toUpperCase(),
        v,
      ]),
    );
    this.#control = {
      users,
      tracer: this.#tracer,
      guests: this.#guests,
      stopped: this.#stopped,
      printed: this.#printed,
      beginDefaults: () => this.beginDefaults,
      names: () => this.query("NAMES"),
      nestedLines: (prefix) =>
        [...this.nested].flatMap(([id, inner]) =>
          control.consoleLines(inner.#control, `${prefix}${id}/`)
        ),
    };
    for (const u of directory.users) users.logon(u);
    for (const u of directory.users) {
      for (const m of u.mdisks) users.attachOwn(u, m);
    }
    for (const u of directory.users) {
      for (const l of u.links) {
        try {
          this.link(u.userid, l.user, l.vaddr, l.as, l.mode);
        } catch (e) {
          if (!(e instanceof CpError)) throw e;
        }
      }
      if (u.ipl === "CP") this.#startCp(u, true);
      else if (u.ipl) this.ipl(u.userid, u.ipl);
    }
  }

  /** IPL CP: a CP on the user's VM, from the user's nested directory. */
  #startCp(u: UserEntry, building = false): string {
    const vm = this.#users.vm(u.userid);
    if (!u.cp) {
      throw new CpError(
        "CFM",
        24,
        `NO DIRECTORY FOR CP IN THE DIRECTORY ENTRY OF ${u.userid}`,
      );
    }
    if (this.nested.has(u.userid) || vmState(vm).driver) {
      throw new CpError("CFM", 24, `${u.userid} ALREADY RUNS CP`);
    }
    let inner: CP;
    try {
      inner = new CP(Monitor.on(vm), u.cp.directory, this.#options);
    } catch (e) {
      if (!building || !(e instanceof RangeError)) throw e;
      throw new DirectoryError([{
        line: u.cp.line,
        reason: `${
          u.cp.line ? "" : `USER ${u.userid}: `
        }cannot start CP in ${u.userid}: ${e.message}`,
      }]);
    }
    this.nested.set(u.userid, inner);
    this.#stopped.delete(vm.name);
    return `${u.userid} IPL CP: ${inner.monitor.vms.size} USERS LOGGED ON`;
  }

  /**
   * The CP running in a user's VM (`IPL CP`).
   *
   * @throws {CpError} when the user's VM runs no CP
   */
  inner(userid: string): CP {
    const e = this.#users.entry(userid);
    const cp = this.nested.get(e.userid);
    if (!cp) throw new CpError("CFM", 45, `${e.userid} IS NOT RUNNING CP`);
    return cp;
  }

  /**
   * SEND: one command line for the CP running in a user's VM; returns that
   * CP's answer (`SEND CP2 Q NAMES`).
   *
   * @throws {CpError} when the user's VM runs no CP
   */
  send(userid: string, line: string): string {
    return this.inner(userid).command(line);
  }

  /** The VM of a user. */
  vm(userid: string): VirtualMachine {
    return this.#users.vm(userid);
  }

  /** The user's devices, in address order. */
  devices(userid: string): CpDevice[] {
    return this.#users.devicesOf(userid);
  }

  /** The label of a user (UNCLASSIFIED when none). */
  labelOf(userid: string): SecurityLabel {
    return this.#users.labelOf(userid);
  }

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
    return link(
      {
        users: this.#users,
        audit: this.audit,
        nextSeq: () => ++this.#seq,
      },
      userid,
      owner,
      vaddr,
      as,
      mode,
    );
  }

  /**
   * DETACH: removes a device (an own minidisk or a link) from a user's VM.
   *
   * @throws {CpError} when the user has no such device
   */
  detach(userid: string, vaddr: number): string {
    return detach(this.#users, userid, vaddr);
  }

  /**
   * QUERY: `NAMES` (every VM and its state), `USERS`, `VIRTUAL user`,
   * `DASD` or `MDISK` (every minidisk), `LINKS user vaddr`, `LABEL user`,
   * `AUDIT`.
   *
   * @throws {CpError} for an unknown option or user
   */
  query(what = "NAMES", ...args: string[]): string {
    return query(
      {
        users: this.#users,
        audit: this.audit,
        state: (vm) => this.#state(vm),
      },
      what,
      ...args,
    );
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
    return display(this.vm(userid), what, ...args);
  }

  /**
   * TRACE: records a user's events through the monitor's hooks. Classes:
   * PRIV (privileged and sensitive instructions), SVC (CHMx), IO (minidisk
   * requests), PROG (exceptions and interrupts reflected into the guest),
   * EXIT (every exit), ALL; END stops tracing the user.
   *
   * @throws {CpError} for an unknown class
   */
  trace(userid: string, ...classes: string[]): string {
    return this.#tracer.trace(this.vm(userid), ...classes);
  }

  /**
   * DEFINE STORAGE: gives the user's VM a new storage size (up to the
   * directory's maximum); the VM is reset, as on VM/370. Its devices stay.
   *
   * @throws {CpError} for a bad size
   */
  defineStorage(userid: string, size: string | number): string {
    return control.defineStorage(this.#control, userid, size);
  }

  /**
   * IPL: boots a registered guest into the user's VM.
   *
   * @throws {CpError} for an unknown guest
   */
  ipl(userid: string, guest: string): string {
    if (String(guest).toUpperCase() === "CP") {
      return this.#startCp(this.#users.entry(userid));
    }
    return control.ipl(this.#control, userid, guest);
  }

  /**
   * BEGIN: runs the user's VM, or every VM not stopped, until they halt or
   * a limit (default: 2 s of simulated time, 50 million instructions).
   * Returns the guests' new console output, each line after its user id.
   */
  begin(userid?: string, options: RunOptions = {}): string {
    return control.begin(this.#control, userid, options);
  }

  /** STOP: the user's VM is left out of BEGIN (of all VMs) until BEGIN user or IPL. */
  stop(userid: string): string {
    return control.stop(this.#control, userid);
  }

  /**
   * SYSTEM RESET: the user's processor and I/O are reset (registers
   * cleared, power-up PSL, memory management off); storage is kept.
   * SYSTEM CLEAR also clears storage.
   *
   * @throws {CpError} for another option
   */
  system(userid: string, what = "RESET"): string {
    return control.system(this.#control, userid, what);
  }

  /**
   * Executes one CP command line and returns CP's answer as text; errors
   * come back as VM/370-style numbered messages, never as exceptions.
   * Commands: QUERY, DISPLAY, TRACE, DEFINE STORAGE, IPL, LINK, DETACH,
   * BEGIN, STOP, SYSTEM, SEND, HELP (with VM/370's abbreviations: Q, D, TR,
   * DEF, I, LINK, DET, B, STOP, SYS, SEND, H).
   */
  command(line: string): string {
    try {
      return execute(this, line);
    } catch (e) {
      if (e instanceof CpError) return e.message;
      if (e instanceof RangeError) return `DMKCFM026E ${e.message}`;
      throw e;
    }
  }

  /** The audit log as JSON lines (one object a line). */
  auditJsonLines(): string {
    return auditJsonLines(this.audit);
  }

  /** Sets a user's label (an operator's action; audited). */
  setLabel(userid: string, level: string, categories = ""): string {
    const e = this.#users.entry(userid);
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
