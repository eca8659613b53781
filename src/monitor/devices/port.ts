/**
 * What a virtual device of one VM needs of its monitor: the clock, the
 * event queue, the VM's interrupt request lines and the trace, bound to
 * that VM. The devices see nothing else of the VM or the monitor.
 *
 * @module
 */

import type { CostModel } from "../../machine/clock.ts";
import type { TraceKind } from "../../machine/trace.ts";

/** The monitor as one VM's virtual devices see it. */
export interface DevicePort {
  /** The VM's name (for trace messages). */
  readonly name: string;
  /** The machine's device timings. */
  readonly timing: Pick<CostModel, "consoleCharNs" | "timerPeriodNs">;
  /** Simulated time now (ns). */
  now(): number;
  /** Runs `fn` at simulated time `ns`; returns a function that cancels it. */
  at(ns: number, fn: () => void): () => void;
  /** Sets an interrupt request line (a VIRQ source). */
  request(source: number): void;
  /** Clears an interrupt request line. */
  clear(source: number): void;
  /** Wakes the VM if an interrupt became deliverable (stops it if it runs). */
  wake(): void;
  /** Whether the VM has halted. */
  halted(): boolean;
  /** Whether the trace records. */
  readonly tracing: boolean;
  /** Records an event of this VM. */
  trace(
    kind: TraceKind,
    text: string,
    data?: Record<string, number | string | boolean>,
  ): void;
}
