/**
 * What a monitor runs on: memory, a processor that delivers exit records,
 * a disk, an event queue on the simulated clock, a trace. A `Machine` is
 * such a host as it is; a virtual machine becomes one through
 * `VirtualHost` (nested.ts), so that a monitor can run inside a VM of
 * another monitor (CP under CP).
 *
 * @module
 */

import type { CpuExit } from "../machine/cpu.ts";
import type { CostModel } from "../machine/clock.ts";
import type { PhysicalMemory } from "../machine/memory.ts";
import type { Trace } from "../machine/trace.ts";
import type { VmSyscalls } from "../machine/vm_fastpath.ts";

/**
 * The processor surface a monitor drives: the registers it loads when it
 * enters a VM, the MMU registers that point at its shadow tables, the run
 * loop that returns with an exit record, and the clock. `Cpu` implements it;
 * so does {@link VirtualProcessor}.
 */
export interface HostProcessor {
  /** General registers R0-R15. */
  readonly r: Int32Array;
  /** The PSL (PSL<VM> set while a VM runs). */
  psl: number;
  /** VMPSL. */
  vmpsl: number;
  /** MAPEN. */
  mapen: number;
  /** SBR (physical). */
  sbr: number;
  /** SLR. */
  slr: number;
  /** P0BR (system virtual). */
  p0br: number;
  /** P0LR. */
  p0lr: number;
  /** P1BR (system virtual). */
  p1br: number;
  /** P1LR. */
  p1lr: number;
  /** Simulated time in ns (the monitor adds its costs to it). */
  ns: number;
  /** Instructions started since reset. */
  readonly instructions: number;
  /** The last exit record (after a run stopped with an exit). */
  readonly exit: CpuExit | null;
  /** Time of the next event the processor itself would run. */
  nextEventNs: number;
  /** Exits go to the host monitor as records. */
  hostExits: boolean;
  /**
   * The processor's own CHMx and REI for the VM on it (a real `Cpu` only;
   * null: every one exits).
   */
  vmSyscalls?: VmSyscalls | null;
  /** The mode in the PSL was changed from outside: drop mode-checked caches. */
  modeChanged?(): void;
  /** Whether the VM extensions exist. */
  readonly vmExtensions: boolean;
  /**
   * Runs at most `limit` instructions until simulated time `until` (and,
   * where the processor looks, until `performance.now()` reaches
   * `hostDeadline` or an interrupt is requested); returns a STOP_ code.
   */
  run(limit: number, until: number, hostDeadline?: number): number;
  /** Asks a running loop to stop at the next instruction boundary. */
  requestStop(): void;
  /** Re-evaluates pending interrupts after a PSL change. */
  evalInterrupts(): void;
  /** Invalidates the whole translation buffer (MTPR TBIA). */
  tbFlushAll(): void;
  /** Invalidates one translation (MTPR TBIS). */
  tbFlushOne(va: number): void;
  /** Stops before the instruction at any of these virtual PCs. */
  setBreakpoints(addresses: Iterable<number>): void;
  /** Writes an IPR (the monitor programs its disk this way). */
  writeIpr(n: number, value: number): void;
}

/** The disk as a monitor uses it. */
export interface HostDisk {
  /** The medium's bytes. */
  readonly data: Uint8Array;
  /** Capacity in blocks. */
  readonly blocks: number;
  /** A transfer is in progress. */
  readonly busy: boolean;
  /** DKCS as the processor reads it. */
  readonly status: number;
}

/** The event queue as a monitor uses it. */
export interface HostEvents {
  /** Time of the earliest event, or Infinity. */
  readonly nextAt: number;
  /** Runs the events due at `ns`. */
  runDue(ns: number): void;
  /** Schedules `run` at `at`; returns a cancel function. */
  schedule(at: number, run: () => void): () => void;
}

/** What a monitor runs on: a `Machine`, or a VM through {@link VirtualHost}. */
export interface MonitorHost {
  /** A name for displays. */
  readonly name: string;
  /** Physical memory. */
  readonly memory: PhysicalMemory;
  /** The processor. */
  readonly cpu: HostProcessor;
  /** The disk. */
  readonly disk: HostDisk;
  /** Device events on the simulated clock. */
  readonly events: HostEvents;
  /** The event log. */
  readonly trace: Trace;
  /** The cost model of the devices. */
  readonly costModel: CostModel;
  /** Simulated time in ns. */
  readonly now: number;
  /** Memory size in bytes. */
  readonly memorySize: number;
}
