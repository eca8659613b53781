/**
 * The console terminal: RXCS, RXDB, TXCS, TXDB (vax-architecture.md
 * section 9.2, KA655 behaviour as in SimH).
 *
 * @module
 */

import { IPR } from "../../arch/ipr.ts";
import { IPL_DEVICE, SCB } from "../../arch/scb.ts";
import type { Cpu, IprDevice } from "../cpu.ts";
import type { EventQueue } from "../clock.ts";

const DONE = 0x80;
const IE = 0x40;

/** Something that wants to see console traffic (the trace). */
export interface ConsoleListener {
  /** A character was transmitted by the program. */
  output?(char: number, ns: number): void;
  /** A character was received by the program. */
  input?(char: number, ns: number): void;
}

/**
 * The console terminal. The host side reads what the program printed with
 * {@link Console.output} and types input with {@link Console.type}; each
 * character takes `consoleCharNs` of simulated time in each direction.
 */
export class Console implements IprDevice {
  readonly #cpu: Cpu;
  readonly #events: EventQueue;
  readonly #charNs: number;
  readonly #rxSlot: number;
  readonly #txSlot: number;
  #rxcs = 0;
  #rxdb = 0;
  #txcs = DONE;
  readonly #input: number[] = [];
  #rxScheduled = false;
  #out: number[] = [];
  #outText = "";
  /** Listener for tracing. */
  listener: ConsoleListener | null = null;

  /** Creates the console and attaches its IPRs and interrupts to the CPU. */
  constructor(cpu: Cpu, events: EventQueue, charNs: number) {
    this.#cpu = cpu;
    this.#events = events;
    this.#charNs = charNs;
    this.#rxSlot = cpu.addInterruptSource(
      IPL_DEVICE.CONSOLE,
      SCB.CONSOLE_RECEIVE,
    );
    this.#txSlot = cpu.addInterruptSource(
      IPL_DEVICE.CONSOLE,
      SCB.CONSOLE_TRANSMIT,
    );
    for (const n of [IPR.RXCS, IPR.RXDB, IPR.TXCS, IPR.TXDB]) {
      cpu.attachIpr(n, this);
    }
  }

  /** Everything the program has printed, as text (Latin-1). */
  get output(): string {
    if (this.#out.length > 0) {
      this.#outText += String.fromCharCode(...this.#out);
      this.#out = [];
    }
    return this.#outText;
  }

  /** Clears the captured output. */
  clearOutput(): void {
    this.#out = [];
    this.#outText = "";
  }

  /** Characters typed but not yet read by the program. */
  get pendingInput(): number {
    return this.#input.length + ((this.#rxcs & DONE) !== 0 ? 1 : 0);
  }

  /** Types text on the console keyboard; characters arrive one by one. */
  type(text: string): void {
    for (let i = 0; i < text.length; i++) {
      this.#input.push(text.charCodeAt(i) & 0xff);
    }
    this.#scheduleRx();
  }

  #scheduleRx(): void {
    if (
      this.#rxScheduled || this.#input.length === 0 || (this.#rxcs & DONE) !== 0
    ) return;
    this.#rxScheduled = true;
    this.#events.schedule(this.#cpu.ns + this.#charNs, () => {
      this.#rxScheduled = false;
      const c = this.#input.shift();
      if (c === undefined) return;
      this.#rxdb = c;
      this.#rxcs |= DONE;
      this.listener?.input?.(c, this.#cpu.ns);
      if ((this.#rxcs & IE) !== 0) this.#cpu.setInterrupt(this.#rxSlot, true);
    });
  }

  /** Resets the console registers (IORESET, power-up). */
  reset(): void {
    this.#rxcs = 0;
    this.#txcs = DONE;
    this.#cpu.setInterrupt(this.#rxSlot, false);
    this.#cpu.setInterrupt(this.#txSlot, false);
  }

  /** MFPR on a console register. */
  readIpr(n: number): number {
    switch (n) {
      case IPR.RXCS:
        return this.#rxcs & (DONE | IE);
      case IPR.RXDB: {
        const v = this.#rxdb & 0xff;
        this.#rxcs &= ~DONE;
        this.#cpu.setInterrupt(this.#rxSlot, false);
        this.#scheduleRx();
        return v;
      }
      case IPR.TXCS:
        return this.#txcs & (DONE | IE);
      default: // TXDB reads 0 (SimH)
        return 0;
    }
  }

  /** MTPR on a console register. */
  writeIpr(n: number, v: number): void {
    switch (n) {
      case IPR.RXCS:
        if ((v & IE) === 0) {
          this.#rxcs &= ~IE;
          this.#cpu.setInterrupt(this.#rxSlot, false);
        } else {
          const was = this.#rxcs & IE;
          this.#rxcs |= IE;
          if (!was && (this.#rxcs & DONE) !== 0) {
            this.#cpu.setInterrupt(this.#rxSlot, true);
          }
        }
        return;
      case IPR.TXCS:
        if ((v & IE) === 0) {
          this.#txcs &= ~IE;
          this.#cpu.setInterrupt(this.#txSlot, false);
        } else {
          const was = this.#txcs & IE;
          this.#txcs |= IE;
          if (!was && (this.#txcs & DONE) !== 0) {
            this.#cpu.setInterrupt(this.#txSlot, true);
          }
        }
        return;
      case IPR.TXDB: {
        const c = v & 0xff;
        this.#out.push(c);
        if (this.#out.length > 4096) void this.output;
        this.listener?.output?.(c, this.#cpu.ns);
        this.#txcs &= ~DONE;
        this.#cpu.setInterrupt(this.#txSlot, false);
        this.#events.schedule(this.#cpu.ns + this.#charNs, () => {
          this.#txcs |= DONE;
          if ((this.#txcs & IE) !== 0) {
            this.#cpu.setInterrupt(this.#txSlot, true);
          }
        });
        return;
      }
      default: // RXDB writes are ignored (SimH)
        return;
    }
  }
}
