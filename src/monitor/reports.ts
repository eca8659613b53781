/**
 * Result objects of the monitor's inspection methods. They are classes so
 * that `src/display/` can give them a terminal and a notebook rendering.
 *
 * @module
 */

import { formatPsl } from "../arch/psl.ts";
import type { PteFields } from "../arch/pte.ts";
import type { CpuState, StopKind } from "../machine/hardware.ts";
import type { TraceEvent } from "../machine/trace.ts";
import { formatHex } from "../machine/units.ts";

/** The virtual PSL of a VM, the real PSL that carries it, and VMPSL. */
export class PslReport {
  /** The PSL as the guest sees it (MOVPSL). */
  readonly virtual: number;
  /** The real PSL while the VM runs: VM bit set, compressed modes, IPL chosen by the monitor. */
  readonly real: number;
  /** VMPSL: the VM's IS, CUR_MOD, PRV_MOD and IPL. */
  readonly vmpsl: number;

  /** Creates a report. */
  constructor(virtual: number, real: number, vmpsl: number) {
    this.virtual = virtual >>> 0;
    this.real = real >>> 0;
    this.vmpsl = vmpsl >>> 0;
  }

  /** The three, formatted as a console would. */
  toString(): string {
    return `virtual ${formatPsl(this.virtual)}\nreal    ${
      formatPsl(this.real)
    }\nVMPSL   ${formatHex(this.vmpsl, 8)}`;
  }
}

/** One row of a page-table comparison. */
export interface PageTableRow {
  /** Virtual address of the page. */
  va: number;
  /** The guest's PTE. */
  guest: PteFields;
  /** The shadow PTE of the kernel view (null: not filled). */
  shadow: PteFields | null;
  /** The shadow PTE of the executive view (split policy; null otherwise or not filled). */
  shadowExec: PteFields | null;
  /** Whether the shadow protection differs from the guest's (ring compression). */
  remapped: boolean;
}

/** A guest page table beside the monitor's shadow table, entry by entry. */
export class PageTableComparison {
  /** VM name. */
  readonly vm: string;
  /** Region compared. */
  readonly region: "S0" | "P0" | "P1";
  /** Shadow policy of the monitor. */
  readonly policy: "shared" | "split";
  /** The rows, by virtual address. */
  readonly rows: readonly PageTableRow[];
  /** Entries in the region's table (the rows are at most this many). */
  readonly total: number;
  /** Whether the guest's memory management was on (MAPEN). */
  readonly mapping: boolean;

  /** Creates a comparison. */
  constructor(
    vm: string,
    region: "S0" | "P0" | "P1",
    policy: "shared" | "split",
    rows: readonly PageTableRow[],
    total: number = rows.length,
    mapping = true,
  ) {
    this.vm = vm;
    this.region = region;
    this.policy = policy;
    this.rows = rows;
    this.total = total;
    this.mapping = mapping;
  }

  /** Number of rows. */
  get length(): number {
    return this.rows.length;
  }

  /** Rows whose protection the monitor remapped. */
  get remapped(): readonly PageTableRow[] {
    return this.rows.filter((r) => r.remapped);
  }

  /** Iterates over the rows. */
  [Symbol.iterator](): Iterator<PageTableRow> {
    return this.rows[Symbol.iterator]();
  }
}

/** What happened when one instruction was injected into a VM. */
export class InjectReport {
  /** The instruction, disassembled back from its bytes. */
  readonly instruction: string;
  /** Its bytes. */
  readonly bytes: Uint8Array;
  /** Virtual mode it ran in. */
  readonly mode: number;
  /** How the run ended (`limit` after one instruction, or `halt`). */
  readonly stop: StopKind;
  /** Exits the instruction caused, by kind. */
  readonly exits: Record<string, number>;
  /** What the monitor did: the trace events during the instruction. */
  readonly events: TraceEvent[];
  /** Guest state before. */
  readonly before: CpuState;
  /** Guest state after. */
  readonly after: CpuState;
  /** Registers, PSL and IPRs that changed: name to [before, after]. */
  readonly changed: Record<string, [number, number]>;
  /** Whether an exception or interrupt was reflected into the guest. */
  readonly reflected: boolean;
  /** Simulated ns the instruction took, monitor work included. */
  readonly ns: number;
  /** Why the VM halted, and what to do about it ("" when it did not). */
  readonly explanation: string;

  /** Creates a report. */
  constructor(init: {
    instruction: InjectReport["instruction"];
    bytes: InjectReport["bytes"];
    mode: InjectReport["mode"];
    stop: InjectReport["stop"];
    exits: InjectReport["exits"];
    events: InjectReport["events"];
    before: InjectReport["before"];
    after: InjectReport["after"];
    changed: InjectReport["changed"];
    reflected: InjectReport["reflected"];
    ns: InjectReport["ns"];
    explanation?: string;
  }) {
    this.explanation = init.explanation ?? "";
    this.instruction = init.instruction;
    this.bytes = init.bytes;
    this.mode = init.mode;
    this.stop = init.stop;
    this.exits = init.exits;
    this.events = init.events;
    this.before = init.before;
    this.after = init.after;
    this.changed = init.changed;
    this.reflected = init.reflected;
    this.ns = init.ns;
  }
}

/** Options of `Monitor.inject`. */
export interface InjectOptions {
  /**
   * Virtual mode to execute in: 0-3 or kernel, executive, supervisor, user
   * (default: the VM's current mode and PSL, unchanged). With a mode, the
   * instruction starts from that mode, `previousMode` and `ipl`, whatever
   * an earlier inject left.
   */
  mode?: number | "kernel" | "executive" | "supervisor" | "user";
  /** Previous mode (PSL<PRV_MOD>) with `mode` (default: the same mode). */
  previousMode?: number | "kernel" | "executive" | "supervisor" | "user";
  /** IPL with `mode` (default 0x1F in kernel mode, else 0). */
  ipl?: number;
  /** Virtual address to place the instruction at (default: the VM's PC). */
  at?: number;
}

/** What happened when one instruction was injected into a VM. */
export type InjectResult = InjectReport;
