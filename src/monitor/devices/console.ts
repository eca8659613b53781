/**
 * A VM's virtual console (vax-architecture.md 9.2): RXCS, RXDB, TXCS and
 * TXDB as the guest reads and writes them through MFPR and MTPR, typed
 * input delivered one character per character time, output captured for
 * the host, and the interrupts a bare console would raise.
 *
 * @module
 */

import type { ConsoleView } from "../../machine/hardware.ts";
import { VIRQ } from "../interrupts.ts";
import type { DevicePort } from "./port.ts";

/** The virtual console's state. */
export class VirtualConsole implements ConsoleView {
  /** RXCS (DONE<7>, IE<6>). */
  rxcs = 0;
  /** Last received character. */
  rxdb = 0;
  /** TXCS (RDY<7>, IE<6>). */
  txcs = 0x80;
  /** Characters typed but not yet delivered. */
  readonly input: number[] = [];
  /** Whether a receive event is scheduled. */
  rxScheduled = false;
  #text = "";
  readonly #port: DevicePort;

  /** Creates the console of one VM (the monitor does). */
  constructor(port: DevicePort) {
    this.#port = port;
  }

  /** Everything the guest printed. */
  get output(): string {
    return this.#text;
  }

  /** Appends a printed character (monitor use). */
  print(c: number): void {
    this.#text += String.fromCharCode(c);
  }

  /** Clears the captured output. */
  clearOutput(): void {
    this.#text = "";
  }

  /** Types input for the guest. */
  type(text: string): void {
    for (let i = 0; i < text.length; i++) {
      this.input.push(text.charCodeAt(i) & 0xff);
    }
    this.scheduleRx();
  }

  /**
   * MFPR RXDB: the last character. From the guest, the read also clears
   * DONE and the request, and lets the next character come.
   */
  readRxdb(fromGuest: boolean): number {
    const v = this.rxdb & 0xff;
    if (fromGuest) {
      this.rxcs &= ~0x80;
      this.#port.clear(VIRQ.CONSOLE_RX);
      this.scheduleRx();
    }
    return v;
  }

  // 9.2: setting IE while DONE/RDY=1 requests an interrupt; writing IE=1
  // when it is already 1 does not (as on bare hardware: a handler that
  // re-enables IE used to get an endless stream of interrupts).

  /** MTPR RXCS. */
  writeRxcs(v: number): void {
    const wasIe = (this.rxcs & 0x40) !== 0;
    this.rxcs = (this.rxcs & 0x80) | (v & 0x40);
    if ((v & 0x40) === 0) this.#port.clear(VIRQ.CONSOLE_RX);
    else if (!wasIe && this.rxcs & 0x80) this.#port.request(VIRQ.CONSOLE_RX);
  }

  /** MTPR TXCS. */
  writeTxcs(v: number): void {
    const wasIe = (this.txcs & 0x40) !== 0;
    this.txcs = (this.txcs & 0x80) | (v & 0x40);
    if ((v & 0x40) === 0) this.#port.clear(VIRQ.CONSOLE_TX);
    else if (!wasIe && this.txcs & 0x80) this.#port.request(VIRQ.CONSOLE_TX);
  }

  /** MTPR TXDB: prints a character; RDY returns one character time later. */
  transmit(c: number): void {
    const port = this.#port;
    this.print(c);
    this.txcs &= ~0x80;
    port.clear(VIRQ.CONSOLE_TX);
    if (port.tracing) {
      port.trace(
        "console-out",
        `${port.name} output ${JSON.stringify(String.fromCharCode(c))}`,
        { char: c },
      );
    }
    port.at(port.now() + port.timing.consoleCharNs, () => {
      this.txcs |= 0x80;
      if (this.txcs & 0x40) {
        port.request(VIRQ.CONSOLE_TX);
        port.wake();
      }
    });
  }

  /** Schedules delivery of the next typed character, if one can come. */
  scheduleRx(): void {
    const port = this.#port;
    if (
      this.rxScheduled || this.input.length === 0 || (this.rxcs & 0x80) !== 0
    ) {
      return;
    }
    this.rxScheduled = true;
    port.at(port.now() + port.timing.consoleCharNs, () => {
      this.rxScheduled = false;
      const c = this.input.shift();
      if (c === undefined) return;
      this.rxdb = c;
      this.rxcs |= 0x80;
      if (this.rxcs & 0x40) {
        port.request(VIRQ.CONSOLE_RX);
        port.wake();
      }
    });
  }

  /** IORESET: receiver idle, transmitter ready, no interrupts enabled. */
  reset(): void {
    this.rxcs = 0;
    this.txcs = 0x80;
  }
}
