/**
 * Interrupting a long run from the keyboard: Ctrl-C in the REPL, the
 * interrupt button of a notebook (Jupyter sends the kernel SIGINT).
 *
 * A run is synchronous, so no listener on the running thread could fire
 * before it returns. {@link listenForInterrupts} starts a small worker whose
 * SIGINT listener sets a shared flag; every running loop looks at the flag
 * once per 65,536 instructions (and the monitor between exits), so a run
 * stops at an instruction boundary with `stop: "interrupted"` and the
 * machine intact, and the instruction loop keeps its speed. The REPL
 * (`deno task repl`) and notebooks (importing `mod.ts` in Deno's kernel)
 * listen by themselves; a script keeps Ctrl-C's usual meaning (exit) unless
 * it calls {@link listenForInterrupts}.
 *
 * @module
 */

const FLAG = new Int32Array(new SharedArrayBuffer(4));

/**
 * The shared flag (non-zero: stop the running loop). Read by the processor's
 * run loop; use {@link requestInterrupt} and {@link clearInterrupt} to set
 * and clear it.
 */
export const INTERRUPT_FLAG: Int32Array = FLAG;

/**
 * Asks the run in progress (or the next one, if none is running) to stop at
 * the next check, as Ctrl-C does.
 */
export function requestInterrupt(): void {
  Atomics.store(FLAG, 0, 1);
}

/** Withdraws a pending interrupt request. */
export function clearInterrupt(): void {
  Atomics.store(FLAG, 0, 0);
}

/** Whether an interrupt was requested and not yet consumed by a run. */
export function interruptRequested(): boolean {
  return Atomics.load(FLAG, 0) !== 0;
}

const WORKER_SOURCE = `self.onmessage = (e) => {
  const flag = e.data;
  Deno.addSignalListener("SIGINT", () => Atomics.store(flag, 0, 1));
  self.postMessage("listening");
};`;

let worker: Worker | undefined;
let ready: Promise<void> | undefined;

/**
 * Makes SIGINT (Ctrl-C, a notebook's interrupt) stop runs instead of ending
 * the process. Resolves once the listener is in place; calling it again does
 * nothing more.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { listenForInterrupts, stopListeningForInterrupts } from "./interrupt.ts";
 * await listenForInterrupts();
 * stopListeningForInterrupts();
 * equal(typeof listenForInterrupts, "function");
 * ```
 */
export function listenForInterrupts(): Promise<void> {
  if (ready) return ready;
  const url = URL.createObjectURL(
    new Blob([WORKER_SOURCE], { type: "application/javascript" }),
  );
  const w = new Worker(url, { type: "module" });
  worker = w;
  ready = new Promise<void>((resolve, reject) => {
    w.onmessage = () => {
      URL.revokeObjectURL(url);
      resolve();
    };
    w.onerror = (e) => {
      e.preventDefault();
      worker = undefined;
      ready = undefined;
      reject(new Error(`Cannot listen for interrupts: ${e.message}`));
    };
  });
  w.postMessage(FLAG);
  return ready;
}

/** Gives Ctrl-C back its usual meaning (ends the process). */
export function stopListeningForInterrupts(): void {
  worker?.terminate();
  worker = undefined;
  ready = undefined;
}
