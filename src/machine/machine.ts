/**
 * The emulated MicroVAX 3900-like machine: processor, memory, console,
 * interval timer, disk and simulated clock, behind the `Hardware`
 * interface.
 *
 * @module
 */

import { IPR, IPR_NAMES, iprNumber } from "../arch/ipr.ts";
import { generalRegister } from "../arch/registers.ts";
import { PSL_CM, PSL_VM, VMPSL_MASK } from "../arch/psl.ts";
import { traceVectorName } from "./trace.ts";
import {
  type CompileMode,
  Cpu,
  type OpcodeVariant,
  STOP_BREAKPOINT,
  STOP_BUDGET,
  STOP_EXIT,
  STOP_HALT,
  STOP_IDLE,
  STOP_INTERRUPT,
  STOP_LIMIT,
  STOP_REQUEST,
  STOP_TIME,
} from "./cpu.ts";
import {
  type CostModel,
  costModel,
  type CostModelOverrides,
  EventQueue,
} from "./clock.ts";
import {
  DEFAULT_MEMORY_SIZE,
  MAX_MEMORY_SIZE,
  PhysicalMemory,
} from "./memory.ts";
import { Console } from "./devices/console.ts";
import { IntervalTimer } from "./devices/timer.ts";
import { BLOCK_SIZE, Disk } from "./devices/disk.ts";
import { Trace } from "./trace.ts";
import { renderRunResult, renderState } from "./results.ts";
import {
  formatBytes,
  formatCount,
  formatHex,
  hex8,
  parseSize,
  type Size,
  sizeAsTyped,
} from "./units.ts";
import { clearInterrupt } from "./interrupt.ts";
import {
  checkAddress,
  checkAddresses,
  checkBytes,
  checkLength,
  checkLongword,
  checkMode,
  checkRegisterName,
} from "./checks.ts";
import {
  budgetReason,
  checkRunOptions,
  INTERRUPT_REASON,
} from "./run_options.ts";
import type {
  CpuState,
  Hardware,
  RunOptions,
  RunResult,
  StopKind,
} from "./hardware.ts";

/** Options of a new machine. */
export interface MachineOptions {
  /** Memory size (default 16 MiB). */
  memory?: Size;
  /** Disk size (default 8 MiB; 0 for none). */
  disk?: Size;
  /** A disk image to load at block 0 (bytes, or a file path). */
  diskImage?: Uint8Array | string;
  /** VM extensions (default on). */
  vmExtensions?: boolean;
  /** Cost model overrides. */
  cost?: CostModelOverrides;
  /** Record a trace from the start. */
  trace?: boolean;
  /** A name for displays. */
  name?: string;
  /**
   * Changed instructions, by opcode (a variant machine, not a VAX): see
   * {@link OpcodeVariant}. For experiments such as the Popek-Goldberg
   * classifier's mutation tests.
   */
  variants?: ReadonlyMap<number, OpcodeVariant>;
  /**
   * Instruction caching (see {@link CompileMode}): `"auto"` (default),
   * `"always"` or `"never"`. Results and simulated time are the same in
   * every mode; only host speed differs. Default: the environment variable
   * `VMMLAB_COMPILE` when set and readable, else `"auto"`.
   */
  compile?: CompileMode;
}

/** Register number of a general register name (R0-R15, AP, FP, SP, PC). */
export function registerNumber(name: string): number | undefined {
  return generalRegister(name);
}

const STOP_NAMES: Record<number, StopKind> = {
  [STOP_HALT]: "halt",
  [STOP_LIMIT]: "limit",
  [STOP_BREAKPOINT]: "breakpoint",
  [STOP_TIME]: "time",
  [STOP_EXIT]: "exit",
  [STOP_IDLE]: "idle",
  [STOP_REQUEST]: "stopped",
  [STOP_INTERRUPT]: "interrupted",
  [STOP_BUDGET]: "budget",
};

/**
 * An emulated VAX. Create one, load a program, run it, look at it.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { Machine } from "./machine.ts";
 * const m = new Machine({ memory: "1 MiB" });
 * // MOVL #5,R0 ; HALT
 * m.load(new Uint8Array([0xd0, 0x05, 0x50, 0x00]), 0x1000);
 * m.set("PC", 0x1000);
 * const r = m.run();
 * ok(r.stop === "halt" && m.get("R0") === 5);
 * ```
 */
export class Machine implements Hardware {
  /** Name for displays. */
  readonly name: string;
  /** Physical memory. */
  readonly memory: PhysicalMemory;
  /** The processor. */
  readonly cpu: Cpu;
  /** The cost model in force. */
  readonly costModel: CostModel;
  /** The device event queue. */
  readonly events: EventQueue = new EventQueue();
  /** The console terminal. */
  readonly console: Console;
  /** The interval timer. */
  readonly timer: IntervalTimer;
  /** The disk. */
  readonly disk: Disk;
  /** The event log. */
  readonly trace: Trace;

  /** Creates a machine in its power-up state (PC = 0, kernel, IPL 31, IS). */
  constructor(options: MachineOptions = {}) {
    this.name = options.name ?? "vax";
    const memory = options.memory ?? DEFAULT_MEMORY_SIZE;
    const memSize = parseSize(memory, "memory size");
    if (
      memSize < 512 || memSize > MAX_MEMORY_SIZE || memSize % 512 !== 0
    ) {
      throw new RangeError(
        `Cannot create a machine with memory ${
          sizeAsTyped(memory)
        }: expected a multiple of 512 bytes from 512 bytes to ${
          formatBytes(MAX_MEMORY_SIZE)
        }`,
      );
    }
    const disk = options.disk ?? 8 * 1024 * 1024;
    const diskSize = parseSize(disk, "disk size");
    if (diskSize % BLOCK_SIZE !== 0) {
      throw new RangeError(
        `Cannot create a machine with a disk of ${
          sizeAsTyped(disk)
        }: expected a multiple of ${BLOCK_SIZE} bytes`,
      );
    }
    this.costModel = costModel(options.cost);
    this.memory = new PhysicalMemory(memSize);
    this.cpu = new Cpu(this.memory, {
      vmExtensions: options.vmExtensions ?? true,
      cost: this.costModel,
      ...(options.variants ? { variants: options.variants } : {}),
      ...(options.compile ? { compile: options.compile } : {}),
    });
    this.console = new Console(
      this.cpu,
      this.events,
      this.costModel.consoleCharNs,
    );
    this.timer = new IntervalTimer(
      this.cpu,
      this.events,
      this.costModel.timerPeriodNs,
    );
    this.disk = new Disk(
      this.cpu,
      this.memory,
      this.events,
      this.costModel.disk,
      diskSize / BLOCK_SIZE,
    );
    this.trace = new Trace(options.trace ?? false);
    if (options.diskImage !== undefined) {
      if (typeof options.diskImage === "string") {
        this.disk.loadFile(options.diskImage);
      } else this.disk.loadImage(options.diskImage);
    }
    this.cpu.onEvent = () => this.events.runDue(this.cpu.ns);
    this.events.onChange = (at) => this.cpu.nextEventNs = at;
    this.cpu.onIoReset = () => {
      this.console.reset();
      this.timer.reset();
      this.disk.reset();
    };
    this.#wireTrace();
  }

  #wireTrace(): void {
    const t = this.trace;
    const cpu = this.cpu;
    cpu.observer = {
      exception: (vector, kind, pc, oldPsl, newPsl, params) => {
        if (!t.enabled) return;
        t.add({
          ns: cpu.ns,
          kind,
          source: "cpu",
          text: `${kind} ${traceVectorName(vector)} at PC ${formatHex(pc, 8)}`,
          pc,
          psl: oldPsl,
          newPsl,
          vector,
          data: Object.fromEntries(
            params.map((p, i) => [`p${i + 1}`, p >>> 0]),
          ),
        });
      },
      rei: (pc, oldPsl, newPc, newPsl) => {
        if (!t.enabled) return;
        t.add({
          ns: cpu.ns,
          kind: "rei",
          source: "cpu",
          text: `REI at ${formatHex(pc, 8)} to ${formatHex(newPc, 8)}`,
          pc,
          psl: oldPsl,
          newPsl,
          data: { to: newPc },
        });
      },
      chm: (mode, code, pc, oldPsl, newPsl, nextPc) => {
        if (!t.enabled) return;
        t.add({
          ns: cpu.ns,
          kind: "chm",
          source: "cpu",
          text: `CHM${"KESU"[mode]} #${code} at ${formatHex(pc, 8)}`,
          pc,
          psl: oldPsl,
          newPsl,
          data: { mode, code, next: nextPc },
        });
      },
      context: (op, pcbb, pc) => {
        if (!t.enabled) return;
        t.add({
          ns: cpu.ns,
          kind: op === "LDPCTX" ? "ldpctx" : "svpctx",
          source: "cpu",
          text: `${op} PCBB=${formatHex(pcbb, 8)}`,
          pc,
          data: { pcbb },
        });
      },
      halt: (reason, pc) => {
        if (!t.enabled) return;
        t.add({ ns: cpu.ns, kind: "halt", source: "cpu", text: reason, pc });
      },
    };
    this.console.listener = {
      output: (c, ns) =>
        t.enabled &&
        t.add({
          ns,
          kind: "console-out",
          source: "console",
          text: `output ${JSON.stringify(String.fromCharCode(c))}`,
          data: { char: c },
        }),
      input: (c, ns) =>
        t.enabled &&
        t.add({
          ns,
          kind: "console-in",
          source: "console",
          text: `input ${JSON.stringify(String.fromCharCode(c))}`,
          data: { char: c },
        }),
    };
    this.disk.listener = {
      start: (x) =>
        t.enabled &&
        t.add({
          ns: x.start,
          kind: "io-start",
          source: "disk",
          text: `${x.func} ${formatCount(x.count, "block")} at ${x.block} ${
            x.async ? "async" : "sync"
          }${x.error ? ` refused (error ${x.error})` : ""}`,
          data: {
            block: x.block,
            count: x.count,
            memory: x.memory,
            error: x.error,
          },
        }),
      complete: (x) =>
        t.enabled &&
        t.add({
          ns: this.cpu.ns,
          kind: "io-done",
          source: "disk",
          text: `${x.func} of ${
            formatCount(x.count, "block")
          } at ${x.block} done${x.error ? ` with error ${x.error}` : ""}`,
          data: { block: x.block, count: x.count, error: x.error },
        }),
    };
    this.timer.onTick = (ns) =>
      t.enabled && t.add({ ns, kind: "timer", source: "timer", text: "tick" });
  }

  /** Memory size in bytes. */
  get memorySize(): number {
    return this.memory.size;
  }

  /** Simulated time in ns. */
  get now(): number {
    return this.cpu.ns;
  }

  /** Whether the processor is halted. */
  get halted(): boolean {
    return this.cpu.halted;
  }

  /** Why the processor halted ("" when it has not). */
  get haltReason(): string {
    return this.cpu.haltReason;
  }

  /** Instructions executed since reset. */
  get instructions(): number {
    return this.cpu.instructions;
  }

  /** The PSL as MOVPSL would show it. */
  get psl(): number {
    const p = this.cpu.psl;
    if ((p & PSL_VM) !== 0) {
      return ((p & ~(VMPSL_MASK | PSL_VM)) | this.cpu.vmpsl) >>> 0;
    }
    return p >>> 0;
  }

  /** Copies bytes into physical memory. */
  load(bytes: Uint8Array, address: number): void {
    checkBytes(bytes, "load");
    this.memory.load(checkAddress(address, "load at address"), bytes);
  }

  /** Reads physical memory. */
  readPhysical(address: number, length: number): Uint8Array {
    return this.memory.slice(
      checkAddress(address, "read at address"),
      checkLength(length, this.memory.size, "read"),
    );
  }

  /** Writes physical memory. */
  writePhysical(address: number, bytes: Uint8Array): void {
    checkBytes(bytes, "write");
    this.memory.load(checkAddress(address, "write at address"), bytes);
  }

  /**
   * Reads a virtual longword as an access in `mode` would (through the MMU,
   * with its access check).
   *
   * @throws {RangeError} naming the fault the access would raise
   */
  readVirtual(
    va: number,
    length: number,
    mode: number | "kernel" | "executive" | "supervisor" | "user" = 0,
  ): Uint8Array {
    va = checkAddress(va, "read virtual address");
    checkLength(length, 0x40000000, "read");
    mode = checkMode(mode, "read virtual memory");
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) {
      const t = this.cpu.translate((va + i) >>> 0, mode, false);
      if ("fault" in t) {
        throw new RangeError(
          `Cannot read virtual address 0x${
            hex8(t.va)
          } in mode ${mode}: ${t.fault} (mask ${t.mask})`,
        );
      }
      if (t.pa >= this.memory.size) {
        throw new RangeError(
          `Cannot read virtual address 0x${hex8(va + i)}: physical 0x${
            hex8(t.pa)
          } is outside memory`,
        );
      }
      out[i] = this.memory.u8[t.pa]!;
    }
    return out;
  }

  /**
   * Writes virtual memory as an access in `mode` would (protection checked;
   * M bits are not set, this is the host's write).
   *
   * @throws {RangeError} naming the fault the access would raise
   */
  writeVirtual(
    va: number,
    bytes: Uint8Array,
    mode: number | "kernel" | "executive" | "supervisor" | "user" = 0,
  ): void {
    va = checkAddress(va, "write virtual address");
    checkBytes(bytes, "write");
    mode = checkMode(mode, "write virtual memory");
    const pas: number[] = [];
    for (let i = 0; i < bytes.length; i++) {
      const t = this.cpu.translate((va + i) >>> 0, mode, true);
      if ("fault" in t) {
        throw new RangeError(
          `Cannot write virtual address 0x${
            hex8(t.va)
          } in mode ${mode}: ${t.fault} (mask ${t.mask})`,
        );
      }
      if (t.pa >= this.memory.size) {
        throw new RangeError(
          `Cannot write virtual address 0x${hex8(va + i)}: physical 0x${
            hex8(t.pa)
          } is outside memory`,
        );
      }
      pas.push(t.pa);
    }
    pas.forEach((pa, i) => this.memory.writeB(pa, bytes[i]!));
  }

  /**
   * Reads a general register (R0-R15, AP, FP, SP, PC), `PSL`, or an IPR by
   * name (KSP ... VMPSL), as unsigned 32 bits.
   *
   * @throws {RangeError} for an unknown name
   */
  get(name: string): number {
    const up = checkRegisterName(name, "read register").toUpperCase();
    const rn = generalRegister(up);
    if (rn !== undefined) return this.cpu.r[rn]! >>> 0;
    if (up === "PSL") return this.psl;
    const ipr = iprNumber(up);
    if (ipr !== undefined) return this.cpu.readIpr(ipr) >>> 0;
    throw new RangeError(
      `Cannot read register "${name}": expected R0-R15, AP, FP, SP, PC, PSL or an IPR name`,
    );
  }

  /**
   * Writes a general register, the PSL (whole, no checks: the host is the
   * console), or an IPR by name.
   *
   * @throws {RangeError} for an unknown name or a value MTPR would refuse
   */
  set(name: string, value: number): void {
    const up = checkRegisterName(name, "set register").toUpperCase();
    checkLongword(value, `set ${up} to`);
    const v = value | 0;
    const rn = generalRegister(up);
    if (rn !== undefined) {
      this.cpu.r[rn] = v;
      return;
    }
    if (up === "PSL") {
      this.setPsl(v);
      return;
    }
    const ipr = iprNumber(up);
    if (ipr !== undefined) {
      this.cpu.writeIpr(ipr, v);
      return;
    }
    throw new RangeError(
      `Cannot set register "${name}": expected R0-R15, AP, FP, SP, PC, PSL or an IPR name`,
    );
  }

  /**
   * Sets the PSL from the console, switching R14 to the stack the new PSL
   * selects (section 2.2 swap rule).
   *
   * @throws {RangeError} if the PSL breaks the consistency rules of section 1.3
   */
  setPsl(value: number): void {
    const cpu = this.cpu;
    const p = checkLongword(value, "set the PSL to") | 0;
    const cur = (p >>> 24) & 3;
    const is = (p & 0x04000000) !== 0;
    const ipl = (p >>> 16) & 31;
    // Section 1.3, as REI enforces it; no compatibility mode on the KA655,
    // and a VM (PSL<VM>) never runs in real kernel mode.
    if (
      (p & cpu.pslMbz) !== 0 || (p & PSL_CM) !== 0 ||
      (is && (cur !== 0 || ipl === 0)) || (cur !== 0 && ipl !== 0) ||
      ((p & PSL_VM) !== 0 && cur === 0)
    ) {
      throw new RangeError(
        `Cannot set PSL to 0x${
          hex8(p)
        }: it breaks the PSL consistency rules (IS requires kernel mode and IPL > 0, non-kernel modes require IPL 0, must-be-zero bits and CM clear, VM only outside kernel mode)`,
      );
    }
    const old = cpu.psl;
    const oldSlot = (old & 0x04000000) !== 0 ? 4 : (old >>> 24) & 3;
    const newSlot = is ? 4 : cur;
    cpu.stk[oldSlot] = cpu.r[14]!;
    cpu.psl = p;
    cpu.r[14] = cpu.stk[newSlot]!;
    cpu.tbFlushAll();
    cpu.evalInterrupts();
  }

  /** Sets the live stack pointer (R14). */
  setStackPointer(sp: number): void {
    this.cpu.r[14] = checkAddress(sp, "set the stack pointer to") | 0;
  }

  /** Executes one instruction. */
  step(): RunResult {
    return this.run({ limit: 1 });
  }

  /**
   * Runs until a halt, the instruction limit, the time limit, a breakpoint,
   * idle (a branch-to-self loop with nothing scheduled), or an exit. A
   * halted machine continues from its PC (the console's CONTINUE).
   *
   * Without a `limit`, the run stops after `DEFAULT_RUN_BUDGET_MS` (3 s) of
   * host time with `stop: "budget"` (run again to continue; `limit:
   * Infinity` runs with no bound). Ctrl-C, where something listens for it
   * (the REPL, notebooks: see `listenForInterrupts`), stops a run at an
   * instruction boundary with `stop: "interrupted"`.
   *
   * @throws {RangeError} for a limit that is not a whole number of
   * instructions, 0 or more, or a time that is not a finite number of ns
   */
  run(options?: RunOptions): RunResult {
    const cpu = this.cpu;
    const o = checkRunOptions(options, cpu.ns, "run");
    if (o.breakpoints) cpu.setBreakpoints(o.breakpoints);
    // Running a halted machine continues from PC, as the console's CONTINUE.
    if (cpu.halted) cpu.continueFromHalt();
    const startI = cpu.instructions;
    const startNs = cpu.ns;
    cpu.nextEventNs = this.events.nextAt;
    clearInterrupt();
    let code: number;
    try {
      code = cpu.run(o.limit ?? Infinity, o.untilNs, o.hostDeadline);
    } finally {
      if (o.breakpoints) cpu.setBreakpoints([]);
    }
    if (code === STOP_INTERRUPT) clearInterrupt();
    const stop = STOP_NAMES[code] ?? "stopped";
    const instructions = cpu.instructions - startI;
    return renderRunResult({
      stop,
      reason: stop === "halt"
        ? cpu.haltReason
        : stop === "budget"
        ? budgetReason(instructions)
        : stop === "interrupted"
        ? INTERRUPT_REASON
        : stop,
      instructions,
      ns: cpu.ns - startNs,
      pc: cpu.r[15]! >>> 0,
      psl: this.psl,
    });
  }

  /** Sets persistent breakpoints (used by every later run). */
  setBreakpoints(addresses: Iterable<number>): void {
    this.cpu.setBreakpoints(checkAddresses(addresses, "set breakpoints at"));
  }

  /** The observable processor state. */
  state(): CpuState {
    const iprs: Record<string, number> = {};
    for (let n = 0; n < IPR_NAMES.length; n++) {
      const name = IPR_NAMES[n];
      if (!name) continue;
      if (name === "VMPSL" && !this.cpu.vmExtensions) continue;
      try {
        iprs[name] = this.cpu.readIpr(n) >>> 0;
      } catch {
        // write-only registers have no value to show
      }
    }
    return renderState({
      r: Array.from(this.cpu.r, (v) => v >>> 0),
      psl: this.psl,
      iprs,
    });
  }

  /** Resets the processor and devices (memory and disk contents are kept). */
  reset(): void {
    this.cpu.reset();
    this.console.reset();
    this.timer.reset();
    this.disk.reset();
    this.events.clear();
    this.cpu.nextEventNs = Infinity;
  }

  /** The IPR number of SCBB, KSP... exposed for tools. */
  static readonly IPR: typeof IPR = IPR;
}
