/**
 * Simulated time: the cost model that prices every instruction, memory
 * reference, translation-buffer miss and device operation, and the event
 * queue on which devices schedule their work. Time is in nanoseconds of
 * simulated time and depends only on what the machine executes, so the same
 * program with the same inputs gives the same times on every host.
 *
 * @module
 */

import type { CostClass } from "../arch/opcodes.ts";

/** Disk timing, modelled on a VAX-era drive (an RA81/RA82-class disk). */
export interface DiskTiming {
  /** Blocks per track (one revolution transfers this many blocks). */
  blocksPerTrack: number;
  /** Tracks per cylinder. */
  tracksPerCylinder: number;
  /** Time of one revolution in ns (3600 rpm: 16.67 ms). */
  revolutionNs: number;
  /** Fixed part of a seek to another cylinder (head settle), in ns. */
  seekSettleNs: number;
  /** Additional seek time per cylinder crossed, in ns. */
  seekPerCylinderNs: number;
  /** Controller overhead per command, in ns. */
  controllerNs: number;
}

/**
 * The cost model. Every figure is named and can be overridden with
 * {@link costModel}. Defaults approximate a MicroVAX 3900 (CVAX, 90 ns
 * microcycle).
 */
export interface CostModel {
  /** Base cost of one instruction, by cost class of the opcode table, in ns. */
  instruction: Readonly<Record<CostClass, number>>;
  /** Each data memory reference (operand read or write, stack push or pop), in ns. */
  memoryReference: number;
  /** A translation-buffer miss (the PTE fetch and fill), in ns. */
  tbMiss: number;
  /** Microcode entry of an exception or interrupt (vector fetch, frame), in ns. */
  exception: number;
  /** Disk latency model. */
  disk: Readonly<DiskTiming>;
  /** Console transmit time per character (9600 baud: about 1.04 ms), in ns. */
  consoleCharNs: number;
  /** Interval-timer period (100 Hz), in ns. */
  timerPeriodNs: number;
}

/** Default cost model (documented figures; see the README). */
export const DEFAULT_COST_MODEL: CostModel = Object.freeze({
  instruction: Object.freeze({
    simple: 180,
    branch: 270,
    multiply: 1_100,
    divide: 2_300,
    call: 2_700,
    system: 1_400,
    queue: 1_300,
  }),
  memoryReference: 90,
  tbMiss: 900,
  exception: 2_000,
  disk: Object.freeze({
    blocksPerTrack: 51,
    tracksPerCylinder: 14,
    revolutionNs: 16_666_667,
    seekSettleNs: 6_000_000,
    seekPerCylinderNs: 25_000,
    controllerNs: 500_000,
  }),
  consoleCharNs: 1_041_667,
  timerPeriodNs: 10_000_000,
});

/** Partial overrides of the cost model (nested objects merge). */
export interface CostModelOverrides {
  /** Per-class instruction costs. */
  instruction?: Partial<Record<CostClass, number>>;
  /** Memory reference cost. */
  memoryReference?: number;
  /** TB miss cost. */
  tbMiss?: number;
  /** Exception entry cost. */
  exception?: number;
  /** Disk timing. */
  disk?: Partial<DiskTiming>;
  /** Console character time. */
  consoleCharNs?: number;
  /** Timer period. */
  timerPeriodNs?: number;
}

/**
 * Builds a cost model from the defaults and overrides, checking every figure.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { costModel } from "./clock.ts";
 * const m = costModel({ tbMiss: 0 });
 * ok(m.tbMiss === 0 && m.memoryReference === 90);
 * ```
 */
export function costModel(overrides: CostModelOverrides = {}): CostModel {
  const m: CostModel = {
    ...DEFAULT_COST_MODEL,
    ...overrides,
    instruction: {
      ...DEFAULT_COST_MODEL.instruction,
      ...overrides.instruction,
    },
    disk: { ...DEFAULT_COST_MODEL.disk, ...overrides.disk },
  } as CostModel;
  const check = (path: string, v: unknown, positive = false) => {
    if (
      typeof v !== "number" || !Number.isFinite(v) || v < 0 ||
      (positive && v === 0)
    ) {
      throw new RangeError(
        `Cannot use cost model: ${path} is ${String(v)}, expected a ${
          positive ? "positive" : "non-negative"
        } number of nanoseconds`,
      );
    }
  };
  for (const [k, v] of Object.entries(m.instruction)) {
    check(`instruction.${k}`, v);
  }
  check("memoryReference", m.memoryReference);
  check("tbMiss", m.tbMiss);
  check("exception", m.exception);
  check("consoleCharNs", m.consoleCharNs);
  check("timerPeriodNs", m.timerPeriodNs, true);
  for (const [k, v] of Object.entries(m.disk)) {
    check(
      `disk.${k}`,
      v,
      k === "blocksPerTrack" || k === "tracksPerCylinder" ||
        k === "revolutionNs",
    );
  }
  return m;
}

/** A scheduled device event. */
interface ScheduledEvent {
  at: number;
  seq: number;
  run: () => void;
}

/**
 * A deterministic event queue on simulated time. Events at the same time
 * run in the order they were scheduled.
 */
export class EventQueue {
  #events: ScheduledEvent[] = [];
  #seq = 0;
  /** Called whenever the earliest event time changes (the CPU watches it). */
  onChange: ((nextAt: number) => void) | null = null;

  /** Time of the earliest event, or Infinity. */
  get nextAt(): number {
    return this.#events.length > 0 ? this.#events[0]!.at : Infinity;
  }

  /** Number of pending events. */
  get length(): number {
    return this.#events.length;
  }

  /** Schedules `run` at simulated time `at` (ns); returns a cancel function. */
  schedule(at: number, run: () => void): () => void {
    const ev: ScheduledEvent = { at, seq: this.#seq++, run };
    const list = this.#events;
    let i = list.length;
    while (i > 0 && (list[i - 1]!.at > at)) i--;
    list.splice(i, 0, ev);
    if (i === 0) this.onChange?.(at);
    return () => {
      const j = this.#events.indexOf(ev);
      if (j >= 0) {
        this.#events.splice(j, 1);
        if (j === 0) this.onChange?.(this.nextAt);
      }
    };
  }

  /** Runs every event due at or before `now`, in order. */
  runDue(now: number): void {
    const list = this.#events;
    while (list.length > 0 && list[0]!.at <= now) {
      const ev = list.shift()!;
      ev.run();
    }
    this.onChange?.(this.nextAt);
  }

  /** Removes every event. */
  clear(): void {
    this.#events.length = 0;
    this.onChange?.(Infinity);
  }
}
