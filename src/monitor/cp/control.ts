/**
 * Running users' VMs from CP: DEFINE STORAGE, IPL of a registered guest,
 * BEGIN (with the guests' new console output), STOP, and SYSTEM RESET or
 * CLEAR.
 *
 * @module
 */

import type { RunOptions } from "../../machine/hardware.ts";
import type { Bootable } from "../builder.ts";
import { parseStorage } from "./directory.ts";
import type { CpTracer } from "./trace.ts";
import { CpError, resolveWord } from "./messages.ts";
import { type CpUsers, X } from "./users.ts";

/** What running users' VMs needs of CP. */
export interface ControlDeps {
  /** The users and their devices. */
  readonly users: CpUsers;
  /** The tracer (a re-defined VM loses its traces). */
  readonly tracer: CpTracer;
  /** Guests IPL can boot, by upper-case name. */
  readonly guests: ReadonlyMap<string, Bootable>;
  /** Users left out of BEGIN of all VMs. */
  readonly stopped: Set<string>;
  /** How much of each VM's console output BEGIN has shown. */
  readonly printed: Map<string, number>;
  /** The bounds of a BEGIN. */
  beginDefaults(): RunOptions;
  /** QUERY NAMES (BEGIN's last line). */
  names(): string;
  /** New console lines of the CPs running in users' VMs, under `prefix`. */
  nestedLines(prefix: string): string[];
}

/**
 * The console output of every VM since the last call, one line each after
 * its user id (`prefix` + userid: a second-level CP's users appear as
 * `CP2/CMS1`), then that of the CPs running in the VMs.
 */
export function consoleLines(c: ControlDeps, prefix = ""): string[] {
  const out: string[] = [];
  for (const vm of c.users.monitor.vms.values()) {
    const text = vm.console.output;
    const from = c.printed.get(vm.name) ?? 0;
    if (text.length > from) {
      const who = `${prefix}${vm.name}`.padEnd(8);
      for (const l of text.slice(from).split(/\r?\n/)) {
        if (l.trim() !== "") out.push(`${who}: ${l}`);
      }
      c.printed.set(vm.name, text.length);
    }
  }
  out.push(...c.nestedLines(prefix));
  return out;
}

/**
 * DEFINE STORAGE: gives the user's VM a new storage size (up to the
 * directory's maximum); the VM is reset, as on VM/370. Its devices stay.
 *
 * @throws {CpError} for a bad size
 */
export function defineStorage(
  c: ControlDeps,
  userid: string,
  size: string | number,
): string {
  const e = c.users.entry(userid);
  c.users.vm(e.userid);
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
      `STORAGE EXCEEDS ALLOWED MAXIMUM OR IS INVALID - ${bytes / 1024}K (MAX ${
        e.maxStorage / 1024
      }K)`,
    );
  }
  const devs = c.users.devices.get(e.userid)!;
  c.tracer.stop(e.userid);
  // Re-creating the VM releases its own extents: take them again.
  c.users.monitor.vm(e.userid).memory(bytes).create();
  for (const d of devs.values()) {
    if (d.owner === e.userid) {
      d.extent = c.users.monitor.minidisks.allocateAt(
        d.mdisk.start,
        d.mdisk.blocks,
        e.userid,
        X(d.ownerVaddr),
      );
      for (const h of c.users.holders(e.userid, d.ownerVaddr)) {
        h.extent = d.extent;
      }
    }
  }
  for (const user of c.users.devices.keys()) c.users.rebuild(user);
  c.printed.delete(e.userid);
  return `STORAGE = ${bytes / 1024}K`;
}

/**
 * IPL: boots a registered guest into the user's VM; a user's JOB
 * statements go to the guest's `boot` as `{ jobs }`.
 *
 * @throws {CpError} for an unknown guest
 */
export function ipl(c: ControlDeps, userid: string, guest: string): string {
  const vm = c.users.vm(userid);
  const jobs = c.users.entry(userid).jobs ?? [];
  const g = c.guests.get(String(guest).toUpperCase());
  if (!g) {
    throw new CpError(
      "CFM",
      24,
      `DEVICE OR SYSTEM ${String(guest).toUpperCase()} INVALID; KNOWN: ${
        [...c.guests.keys()].join(", ") || "NONE"
      }`,
    );
  }
  if (jobs.length > 0 && typeof g === "function") {
    throw new CpError(
      "CFM",
      24,
      `${
        String(guest).toUpperCase()
      } READS NO JOB DECK; ${vm.name} HAS ${jobs.length} JOB STATEMENTS`,
    );
  }
  if (typeof g === "function") g(vm);
  else g.boot(vm, jobs.length > 0 ? { jobs } : undefined);
  vm.status = "ready";
  vm.haltReason = "";
  c.stopped.delete(vm.name);
  return `${vm.name} IPL ${String(guest).toUpperCase()}`;
}

/**
 * BEGIN: runs the user's VM, or every VM not stopped, until they halt or
 * a limit (default: 2 s of simulated time, 50 million instructions).
 * Returns the guests' new console output, each line after its user id.
 */
export function begin(
  c: ControlDeps,
  userid?: string,
  options: RunOptions = {},
): string {
  const opts: RunOptions = { ...c.beginDefaults(), ...options };
  let stop: string;
  if (userid !== undefined) {
    const vm = c.users.vm(userid);
    c.stopped.delete(vm.name);
    stop = vm.run(opts).stop;
  } else {
    const vms = [...c.users.monitor.vms.values()].filter((v) =>
      !c.stopped.has(v.name)
    );
    stop = c.users.monitor.run({ ...opts, vms }).stop;
  }
  const out = consoleLines(c);
  out.push(`CP: ${stop.toUpperCase()}; ${c.names()}`);
  return out.join("\n");
}

/** STOP: the user's VM is left out of BEGIN (of all VMs) until BEGIN user or IPL. */
export function stop(c: ControlDeps, userid: string): string {
  const vm = c.users.vm(userid);
  c.stopped.add(vm.name);
  return `${vm.name} STOPPED`;
}

/**
 * SYSTEM RESET: the user's processor and I/O are reset (registers
 * cleared, power-up PSL, memory management off); storage is kept.
 * SYSTEM CLEAR also clears storage.
 *
 * @throws {CpError} for another option
 */
export function system(
  c: ControlDeps,
  userid: string,
  what = "RESET",
): string {
  const vm = c.users.vm(userid);
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
