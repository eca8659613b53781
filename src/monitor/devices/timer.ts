/**
 * A VM's virtual interval timer (vax-architecture.md 9.3): ICCS's IE bit
 * starts a tick every timer period of simulated time, aligned to the
 * period as on a bare machine, each tick requesting the timer interrupt.
 *
 * @module
 */

import { VIRQ } from "../interrupts.ts";
import type { DevicePort } from "./port.ts";

/** The virtual interval timer of one VM. */
export class VirtualTimer {
  /** ICCS (only IE<6> is kept). */
  iccs = 0;
  #cancel: (() => void) | null = null;
  readonly #port: DevicePort;

  /** Creates the timer of one VM (the monitor does). */
  constructor(port: DevicePort) {
    this.#port = port;
  }

  /** MTPR ICCS: IE starts the ticks, clearing it stops them. */
  writeIccs(v: number): void {
    if ((v & 0x40) !== 0) {
      if ((this.iccs & 0x40) === 0) {
        this.iccs = 0x40;
        this.#schedule();
      }
    } else {
      this.iccs = 0;
      this.#cancel?.();
      this.#cancel = null;
      this.#port.clear(VIRQ.TIMER);
    }
  }

  /** Cancels the next tick (the VM is destroyed). */
  stop(): void {
    this.#cancel?.();
  }

  #schedule(): void {
    const port = this.#port;
    const period = port.timing.timerPeriodNs;
    const now = port.now();
    this.#cancel = port.at(
      (Math.floor(now / period) + 1) * period,
      this.#tick,
    );
  }

  readonly #tick = (): void => {
    this.#cancel = null;
    if ((this.iccs & 0x40) === 0 || this.#port.halted()) return;
    this.#port.request(VIRQ.TIMER);
    this.#port.wake();
    this.#schedule();
  };
}
