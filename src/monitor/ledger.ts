/**
 * Where the monitor's work is written down: the simulated time each piece
 * of work costs, charged to the machine's clock and to the VM it was done
 * for, and the trace records of what the monitor did.
 *
 * @module
 */

import type { MonitorHost } from "./host.ts";
import type { TraceKind } from "../machine/trace.ts";

/** What a trace record names: a VM's name, PC and PSL. */
export interface TraceSource {
  /** The VM's name. */
  readonly name: string;
  /** Its registers (R15 is the PC). */
  readonly r: Int32Array;
  /** Its virtual PSL. */
  readonly vpsl: number;
}

/** A VM whose monitor time is counted. */
export interface Charged {
  /** Its counters. */
  readonly stats: { monitorNs: number };
}

/** Charges the monitor's work to the clock and records it in the trace. */
export class Ledger {
  readonly #cpu: MonitorHost["cpu"];
  readonly #trace: MonitorHost["trace"];

  /** The level of the monitor whose work this is (1: on the real machine). */
  readonly level: number;

  /** A ledger on a machine's clock and trace. */
  constructor(machine: Pick<MonitorHost, "cpu" | "trace">, level = 1) {
    this.#cpu = machine.cpu;
    this.#trace = machine.trace;
    this.level = level;
  }

  /** Adds `ns` of monitor work done for `vm` to the clock. */
  charge(vm: Charged, ns: number): void {
    this.#cpu.ns += ns;
    vm.stats.monitorNs += ns;
  }

  /** Simulated time (ns). */
  get now(): number {
    return this.#cpu.ns;
  }

  /** Whether the trace records (messages are only built when it does). */
  get tracing(): boolean {
    return this.#trace.enabled;
  }

  /** Records an event of a VM (or of the monitor, with `null`). */
  trace(
    vm: TraceSource | null,
    kind: TraceKind,
    text: string,
    data?: Record<string, number | string | boolean>,
  ): void {
    const t = this.#trace;
    if (!t.enabled) return;
    t.add({
      ns: this.#cpu.ns,
      kind,
      source: vm ? vm.name : "monitor",
      text,
      ...(vm ? { pc: vm.r[15]! >>> 0, psl: vm.vpsl >>> 0 } : {}),
      data: { ...data, level: this.level },
    });
  }
}
