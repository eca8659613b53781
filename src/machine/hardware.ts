/**
 * The one interface shared by the emulated `Machine` and by every
 * `VirtualMachine` a monitor creates (design.md, "a virtual machine is a
 * machine"). Guest software cannot tell which it runs on except by timing.
 *
 * @module
 */

/** Names of the general registers. */
export type GeneralRegister =
  | "R0"
  | "R1"
  | "R2"
  | "R3"
  | "R4"
  | "R5"
  | "R6"
  | "R7"
  | "R8"
  | "R9"
  | "R10"
  | "R11"
  | "AP"
  | "FP"
  | "SP"
  | "PC";

/** Why a run stopped. */
export type StopKind =
  | "halt"
  | "limit"
  | "breakpoint"
  | "time"
  | "idle"
  | "exit"
  | "stopped"
  | "interrupted"
  | "budget";

/** Options of a run. */
export interface RunOptions {
  /**
   * Maximum instructions to execute: a whole number, 0 or more, or Infinity
   * for no bound. Without it, a run stops after a default budget of a few
   * seconds of host time (`stop: "budget"`), so that a REPL never locks.
   */
  limit?: number;
  /** Maximum simulated time to run, in ns, from now (default: unlimited). */
  forNs?: number;
  /** Stop when simulated time reaches this absolute ns value. */
  untilNs?: number;
  /** Stop before executing the instruction at any of these virtual PCs. */
  breakpoints?: Iterable<number>;
}

/** The result of a run. */
export interface RunResult {
  /** Why it stopped. */
  stop: StopKind;
  /** Human-readable reason (the halt reason, for halts). */
  reason: string;
  /** Instructions executed during this run. */
  instructions: number;
  /** Simulated time that passed during this run, in ns. */
  ns: number;
  /** PC after the run. */
  pc: number;
  /** PSL after the run, as the software sees it. */
  psl: number;
}

/** Registers, PSL and named IPRs: the state a program can observe. */
export interface CpuState {
  /** R0..R15 as unsigned 32-bit values. */
  r: number[];
  /** PSL as the software sees it (MOVPSL). */
  psl: number;
  /** IPRs by name. */
  iprs: Record<string, number>;
}

/** A console seen from the host. */
export interface ConsoleView {
  /** Everything printed so far. */
  readonly output: string;
  /** Types input. */
  type(text: string): void;
}

/** A disk seen from the host. */
export interface DiskView {
  /** Capacity in blocks. */
  readonly blocks: number;
  /** Reads blocks. */
  readBlocks(block: number, count?: number): Uint8Array;
  /** Writes bytes starting at a block. */
  writeBlocks(block: number, bytes: Uint8Array): void;
}

/**
 * What every machine, real or virtual, offers. Addresses are the machine's
 * own physical addresses (guest-physical for a virtual machine).
 */
export interface Hardware {
  /** A name for displays. */
  readonly name: string;
  /** Memory size in bytes. */
  readonly memorySize: number;
  /** Simulated time in ns. */
  readonly now: number;
  /** Whether the processor is halted. */
  readonly halted: boolean;
  /** Console. */
  readonly console: ConsoleView;
  /** Disk. */
  readonly disk: DiskView;
  /** Reads a general register, `PSL`, or an IPR by name. */
  get(name: string): number;
  /** Writes a general register, `PSL`, or an IPR by name. */
  set(name: string, value: number): void;
  /** Copies bytes into physical memory. */
  load(bytes: Uint8Array, address: number): void;
  /** Reads physical memory. */
  readPhysical(address: number, length: number): Uint8Array;
  /** Runs. */
  run(options?: RunOptions): RunResult;
  /** Executes one instruction. */
  step(): RunResult;
  /** The observable processor state. */
  state(): CpuState;
}
