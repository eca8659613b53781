/**
 * The machine's event log: exceptions and interrupts, REI, CHMx, context
 * switches, I/O starts and completions, console traffic and halts, each
 * stamped with simulated time. Off by default (no cost); turn it on with
 * `Machine` option `trace: true` or `machine.trace.enabled = true`.
 *
 * @module
 */

import { vectorName } from "../arch/scb.ts";

/** Every kind of trace event, in the order of the documentation. */
export const TRACE_KINDS = [
  "exception",
  "interrupt",
  "rei",
  "chm",
  "ldpctx",
  "svpctx",
  "io-start",
  "io-done",
  "console-out",
  "console-in",
  "timer",
  "halt",
  "exit",
  "emulate",
  "reflect",
  "shadow-fill",
  "minidisk",
  "schedule",
  "page",
] as const;

/** Kinds of trace events. */
export type TraceKind = typeof TRACE_KINDS[number];

/** One event of the log. */
export interface TraceEvent {
  /** Simulated time in ns. */
  ns: number;
  /** What happened. */
  kind: TraceKind;
  /** Who acted: `cpu`, `disk`, `console`, `timer`, `monitor` or a VM name. */
  source: string;
  /** One-line description. */
  text: string;
  /** PC at the event, when there is one. */
  pc?: number;
  /** PSL before the event, when there is one. */
  psl?: number;
  /** PSL after the event, when there is one. */
  newPsl?: number;
  /** SCB vector, for exceptions and interrupts. */
  vector?: number;
  /** Extra numbers (parameters, block numbers...). */
  data?: Readonly<Record<string, number | string | boolean>>;
}

/** Options to filter a trace. */
export interface TraceFilter {
  /** Keep only these kinds. */
  kinds?: readonly TraceKind[];
  /** Keep only events from this source. */
  source?: string;
  /** Keep only events at or after this time (ns). */
  from?: number;
  /** Keep only events before this time (ns). */
  to?: number;
}

/** A bounded event log. */
export class Trace {
  /** Whether events are recorded. */
  enabled: boolean;
  /** Maximum number of events kept (oldest dropped first). */
  limit: number;
  #events: TraceEvent[] = [];
  #dropped = 0;

  /** Creates a log. */
  constructor(enabled = false, limit = 100_000) {
    this.enabled = enabled;
    this.limit = limit;
  }

  /** Records an event (if enabled). */
  add(event: TraceEvent): void {
    if (!this.enabled) return;
    this.#events.push(event);
    if (this.#events.length > this.limit) {
      this.#events.shift();
      this.#dropped++;
    }
  }

  /** Events dropped because of the limit. */
  get dropped(): number {
    return this.#dropped;
  }

  /** All recorded events, oldest first. */
  get events(): readonly TraceEvent[] {
    return this.#events;
  }

  /** Number of recorded events. */
  get length(): number {
    return this.#events.length;
  }

  /** Events matching a filter. */
  filter(f: TraceFilter): TraceEvent[] {
    return this.#events.filter((e) =>
      (!f.kinds || f.kinds.includes(e.kind)) &&
      (f.source === undefined || e.source === f.source) &&
      (f.from === undefined || e.ns >= f.from) &&
      (f.to === undefined || e.ns < f.to)
    );
  }

  /** Forgets every event. */
  clear(): void {
    this.#events = [];
    this.#dropped = 0;
  }
}

/** A short name for a vector, as traces print it. */
export function traceVectorName(vector: number): string {
  return vectorName(vector);
}
