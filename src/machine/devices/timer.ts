/**
 * The interval timer: ICCS on the KA655, where only IE<6> exists
 * (vax-architecture.md section 9.1). While IE is set it interrupts at IPL
 * 0x16 through SCB 0xC0 every period (100 Hz) of simulated time.
 *
 * @module
 */

import { IPR } from "../../arch/ipr.ts";
import { IPL_DEVICE, SCB } from "../../arch/scb.ts";
import type { Cpu, IprDevice } from "../cpu.ts";
import type { EventQueue } from "../clock.ts";

const IE = 0x40;

/** The interval timer. Ticks fall on multiples of the period from time 0. */
export class IntervalTimer implements IprDevice {
  readonly #cpu: Cpu;
  readonly #events: EventQueue;
  readonly #period: number;
  readonly #slot: number;
  #iccs = 0;
  #cancel: (() => void) | null = null;
  /** Ticks delivered (interrupt requests raised) since reset. */
  ticks = 0;
  /** Called on each tick (for tracing). */
  onTick: ((ns: number) => void) | null = null;

  /** Creates the timer and attaches ICCS to the CPU. */
  constructor(cpu: Cpu, events: EventQueue, periodNs: number) {
    this.#cpu = cpu;
    this.#events = events;
    this.#period = periodNs;
    this.#slot = cpu.addInterruptSource(IPL_DEVICE.TIMER, SCB.INTERVAL_TIMER);
    cpu.attachIpr(IPR.ICCS, this);
  }

  /** Whether the timer is enabled. */
  get enabled(): boolean {
    return (this.#iccs & IE) !== 0;
  }

  #schedule(): void {
    const now = this.#cpu.ns;
    const next = (Math.floor(now / this.#period) + 1) * this.#period;
    this.#cancel = this.#events.schedule(next, () => {
      this.#cancel = null;
      if ((this.#iccs & IE) === 0) return;
      this.ticks++;
      this.onTick?.(this.#cpu.ns);
      this.#cpu.setInterrupt(this.#slot, true);
      this.#schedule();
    });
  }

  /** Resets the timer (IORESET, power-up). */
  reset(): void {
    this.#iccs = 0;
    this.#cancel?.();
    this.#cancel = null;
    this.#cpu.setInterrupt(this.#slot, false);
  }

  /** MFPR ICCS: only IE reads back. */
  readIpr(_n: number): number {
    return this.#iccs & IE;
  }

  /** MTPR ICCS. */
  writeIpr(_n: number, v: number): void {
    if ((v & IE) !== 0) {
      if ((this.#iccs & IE) === 0) {
        this.#iccs |= IE;
        this.#schedule();
      }
    } else {
      this.#iccs &= ~IE;
      this.#cancel?.();
      this.#cancel = null;
      this.#cpu.setInterrupt(this.#slot, false);
    }
    // Bit 7 written as 1 acknowledges (SimH calibration); nothing to do.
  }
}
