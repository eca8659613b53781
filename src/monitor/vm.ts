/**
 * A virtual machine: what a `Monitor` gives each guest. It implements the
 * same `Hardware` interface as the real `Machine`, with guest-physical
 * memory starting at address 0 (backed by real frames that need not be
 * contiguous), its own console, interval timer and disk (a minidisk), a
 * VMPSL and virtual IPRs. The monitor owns the state below; users read it
 * through the methods.
 *
 * @module
 */

import { IPR_NAMES, iprNumber } from "../arch/ipr.ts";
import { PSL_IS } from "../arch/psl.ts";
import { registerNumber } from "../machine/machine.ts";
import { hex8 } from "../machine/units.ts";
import { renderRunResult, renderState } from "../machine/results.ts";
import {
  checkBytes,
  checkLongword,
  checkRegisterName,
} from "../machine/checks.ts";
import type {
  CpuState,
  Hardware,
  RunOptions,
  RunResult,
} from "../machine/hardware.ts";
import type { MonitorHost } from "./host.ts";
import type { ShadowSet } from "./shadow.ts";
import { ACCESS, type Pager, VmPages } from "./paging/pager.ts";
import {
  PagingReport,
  type ResidentPage,
  ResidentReport,
} from "./paging/reports.ts";
import type {
  InjectOptions,
  InjectResult,
  PageTableComparison,
  PslReport,
} from "./reports.ts";
import type { VirtualConsole } from "./devices/console.ts";
import type { VirtualDisk } from "./devices/disk.ts";
import type { VirtualTimer } from "./devices/timer.ts";
import { ExitCounts } from "../machine/exit_kinds.ts";

/** Exit and work counters of one VM (Popek and Goldberg's efficiency). */
export interface VmStats {
  /** Guest instructions executed directly by the processor. */
  instructions: number;
  /**
   * Exits to the monitor, by kind (`REI`, `CHMK`, `MTPR`, `ACV`,
   * `interrupt`...), in the order each kind's first exit came. A snapshot:
   * each read makes a new object from the VM's counters (changing it
   * changes nothing); read it again after a run.
   */
  readonly exits: Record<string, number>;
  /** Total exits. */
  totalExits: number;
  /** Instructions emulated by the monitor. */
  emulated: number;
  /** Exceptions and interrupts reflected into the guest. */
  reflected: number;
  /** Shadow PTEs filled. */
  shadowFills: number;
  /** Shadow table flushes. */
  shadowFlushes: number;
  /** Real TB flushes caused by the monitor (view switches, world switches). */
  tbFlushes: number;
  /** Virtual interrupts delivered. */
  interrupts: number;
  /** Minidisk requests. */
  ioRequests: number;
  /** Simulated ns spent running guest instructions. */
  guestNs: number;
  /** Simulated ns the monitor charged for this VM's exits. */
  monitorNs: number;
  /** Simulated ns the VM waited for an interrupt (idle or blocked). */
  waitNs: number;
}

/** A monitor running inside a VM, as the outer monitor's scheduler sees it. */
export interface VmDriver {
  /**
   * Runs the inner monitor's VMs for at most `limit` instructions until
   * simulated time `untilNs`; `idle` when they all wait.
   */
  drive(limit: number, untilNs: number): { stop: string };
  /** An interrupt of the VM's devices while the monitor inside waits. */
  interrupt(): void;
}

/** Lifecycle of a VM. */
export type VmStatus = "ready" | "waiting" | "halted";

/**
 * A VM's monitor as the VM's users see it (`vm.monitor`): the machine it
 * runs on and its pager. (The VM's own calls into the monitor go through
 * a private {@link VmHost}.)
 */
export interface VmMonitor {
  /** The real machine. */
  readonly machine: MonitorHost;
  /** The monitor's pager, when it pages (null: every page is resident). */
  readonly pager: Pager | null;
}

/**
 * The monitor as a VM sees it: what the VM's own methods (`get`, `set`,
 * `run`, `inject`...) ask of it. A `Monitor` gives each of its VMs a
 * private object that implements it (so these calls stay off the Monitor's
 * public API).
 */
export interface VmHost {
  /** The real machine. */
  readonly machine: MonitorHost;
  /** Copies the real CPU state back into the VM, if the VM is loaded. */
  syncFromCpu(vm: VirtualMachine): void;
  /** Loads the VM's state into the real CPU. */
  syncToCpu(vm: VirtualMachine): void;
  /** Called when the virtual PSL changed outside the run loop. */
  pslChanged(vm: VirtualMachine, old: number): void;
  /** Reads a virtual IPR as MFPR would. */
  readVirtualIpr(vm: VirtualMachine, n: number, fromGuest?: boolean): number;
  /** Writes a virtual IPR as MTPR would. */
  writeVirtualIpr(
    vm: VirtualMachine,
    n: number,
    v: number,
    fromGuest?: boolean,
  ): boolean;
  /** Runs one VM alone. */
  runVm(vm: VirtualMachine, options?: RunOptions): RunResult;
  /** Executes one instruction in a VM and reports what happened. */
  inject(
    vm: VirtualMachine,
    source: string,
    options?: InjectOptions,
  ): InjectResult;
  /** A guest page table beside the shadow tables. */
  pageTables(
    vm: VirtualMachine,
    region: "S0" | "P0" | "P1",
    options?: { from?: number; count?: number },
  ): PageTableComparison;
  /** The virtual PSL, the real PSL and VMPSL of a VM. */
  describePsl(vm: VirtualMachine): PslReport;
  /** The monitor's pager, when it pages (null: every page is resident). */
  readonly pager: Pager | null;
}

/**
 * The monitor's working state of a VM: what the guest's processor holds
 * while the VM is off the real processor (registers, PSL, stack pointers,
 * virtual IPRs, pending virtual interrupts), where its memory lives, its
 * shadow tables and a monitor running inside it. Private to the VM (so that
 * tab completion on a VM shows its public API); the monitor's parts reach
 * it with {@link vmState}.
 */
export class VmState {
  /** The VM's name (for traces and messages). */
  readonly name: string;
  /** The VM's statistics (the VM's own object). */
  readonly stats: VmStats;
  /** The VM's exits by code, which `stats.exits` names when read. */
  readonly exits: ExitCounts;
  /** The VM's memory size in bytes. */
  readonly memorySize: number;
  /** Guest-physical page i lives in real frame `frames[i]`. */
  readonly frames: Int32Array;
  /** Registers R0..R15 (saved copy while the VM is not on the processor). */
  readonly r: Int32Array = new Int32Array(16);
  /** The virtual PSL as the guest sees it (no VM bit). */
  vpsl = 0x041f0000;
  /** Virtual stack pointers: KSP, ESP, SSP, USP, ISP (the live one is R14). */
  readonly vstk: Int32Array = new Int32Array(5);
  /** Virtual memory-management and system registers. */
  readonly ipr = {
    p0br: 0,
    p0lr: 0,
    p1br: 0,
    // Power-up value of a bare VAX (Cpu.reset): 0. (Was 0x200000, which a
    // guest's MFPR P1LR could see; the shadow layout with MAPEN=0 does not
    // use it.)
    p1lr: 0,
    sbr: 0,
    slr: 0,
    mapen: 0,
    pcbb: 0,
    scbb: 0,
    astlvl: 4,
    sisr: 0,
    todrBase: 0,
    pme: 0,
    cadr: 0,
    mser: 0,
    conpc: 0,
    conpsl: 0,
  };
  /** Pending virtual device interrupts (bit per VIRQ source, interrupts.ts). */
  irq = 0;
  /** Shadow tables: the kernel view, and the executive view (split policy). */
  readonly shadow: { kernel: ShadowSet; exec: ShadowSet };
  /**
   * The VM's virtual VMPSL: meaningful while a monitor runs inside the VM
   * and has set the VM's virtual PSL<VM> (CP under CP).
   */
  vmpsl = 0;
  /**
   * The monitor running inside this VM, if any: the outer monitor gives
   * the VM's time slices to it.
   */
  driver: VmDriver | null = null;
  /** The monitor's side of the VM's calls (`get`, `set`, `run`...). */
  readonly host: VmHost;
  /** Made by the VM. */
  constructor(
    vm: VirtualMachine,
    host: VmHost,
    frames: Int32Array,
    shadow: { kernel: ShadowSet; exec: ShadowSet },
    exits: ExitCounts,
  ) {
    this.host = host;
    this.name = vm.name;
    this.stats = vm.stats;
    this.exits = exits;
    this.memorySize = vm.memorySize;
    this.frames = frames;
    this.shadow = shadow;
  }

  /** The monitor's pager and this VM's paging state, when it pages. */
  pages: { pager: Pager; state: VmPages } | null = null;

  /**
   * Real physical address of a guest-physical address, or -1 beyond memory.
   * When the monitor pages, a page that is not resident is brought in
   * first, and the access is recorded (`access`: `ACCESS` flags of
   * paging/pager.ts; the default, a write, is the safe assumption).
   */
  realAddress(gpa: number, access: number = ACCESS.WRITE): number {
    const g = gpa >>> 0;
    if (g >= this.memorySize) return -1;
    const pages = this.pages;
    if (pages !== null) {
      return pages.pager.access(pages.state, g >>> 9, access) * 512 +
        (g & 511);
    }
    return this.frames[g >>> 9]! * 512 + (g & 511);
  }

  /** Pages this VM with the monitor's pager (called by the monitor). */
  attachPager(pager: Pager, state: VmPages): void {
    this.pages = { pager, state };
  }
}

let stateOf: (vm: VirtualMachine) => VmState;

const INSPECT = Symbol.for("Deno.customInspect");

/** Each VM's exit counters, by its statistics object. */
const EXIT_COUNTS = new WeakMap<VmStats, ExitCounts>();

/** `stats.exits`: the counters of the VM the statistics belong to, named. */
const EXITS_PROPERTY: PropertyDescriptor = {
  get(this: VmStats): Record<string, number> {
    return EXIT_COUNTS.get(this)?.toRecord() ?? {};
  },
  enumerable: true,
  configurable: true,
};

/**
 * A VM's statistics object: plain numbers, and `exits` named from the
 * VM's exit counters at each read (an enumerable getter, so spreading,
 * JSON and structuredClone copy the names and counts). In the REPL it
 * shows as the plain object it reads as.
 */
function newStats(exits: ExitCounts): VmStats {
  // Built property by property, in the order of VmStats: an object literal
  // with a getter would have slow (dictionary) properties, and the
  // counters are written on every exit.
  // One getter for every VM (so that all stats objects share one shape).
  const stats = { instructions: 0 } as VmStats;
  EXIT_COUNTS.set(stats, exits);
  Object.defineProperty(stats, "exits", EXITS_PROPERTY);
  stats.totalExits = 0;
  stats.emulated = 0;
  stats.reflected = 0;
  stats.shadowFills = 0;
  stats.shadowFlushes = 0;
  stats.tbFlushes = 0;
  stats.interrupts = 0;
  stats.ioRequests = 0;
  stats.guestNs = 0;
  stats.monitorNs = 0;
  stats.waitNs = 0;
  Object.defineProperty(stats, INSPECT, {
    value: (
      inspect: (v: unknown, o: unknown) => string,
      options: unknown,
    ) => inspect({ ...stats }, options),
    configurable: true,
  });
  return stats;
}

/**
 * The monitor's working state of a VM (registers, virtual PSL and IPRs,
 * frames, shadow tables): for the monitor's own parts, not for users.
 *
 * @param vm a VM
 * @returns its state (the live object, not a copy)
 */
export function vmState(vm: VirtualMachine): VmState {
  return stateOf(vm);
}

/**
 * A virtual machine. Create one with `monitor.vm(name)...create()`; it then
 * behaves like a `Machine`: `load`, `set`, `get`, `run`, `step`, `console`,
 * `disk`, `state`.
 */
export class VirtualMachine implements Hardware {
  // The monitor's working state of the VM (registers, virtual IPRs, frames,
  // shadow tables): private, so that a REPL user's tab completion shows the
  // public API only; the monitor reaches it through vmState(vm).
  readonly #s: VmState;
  static {
    stateOf = (vm) => vm.#s;
  }
  /** The VM's name. */
  readonly name: string;
  /** The monitor running it. */
  readonly monitor: VmMonitor;
  /** Memory size in bytes. */
  readonly memorySize: number;
  /** The VM's console. */
  readonly console: VirtualConsole;
  /** The VM's interval timer. */
  readonly timer: VirtualTimer;
  /** The VM's disk (its minidisk). */
  readonly disk: VirtualDisk;
  /** Lifecycle state. */
  status: VmStatus = "ready";
  /** Why the VM halted. */
  haltReason = "";
  /** Statistics (the counters themselves: they change as the VM runs). */
  readonly stats: VmStats;
  /** Created by the monitor; use `monitor.vm(name)...create()`. */
  constructor(init: {
    name: string;
    monitor: VmMonitor;
    host: VmHost;
    frames: Int32Array;
    console: VirtualConsole;
    timer: VirtualTimer;
    disk: VirtualDisk;
    shadow: { kernel: ShadowSet; exec: ShadowSet };
  }) {
    this.name = init.name;
    this.monitor = init.monitor;
    this.memorySize = init.frames.length * 512;
    this.console = init.console;
    this.timer = init.timer;
    this.disk = init.disk;
    const exits = new ExitCounts();
    this.stats = newStats(exits);
    this.#s = new VmState(this, init.host, init.frames, init.shadow, exits);
  }

  /** Simulated time (the machine's clock). */
  get now(): number {
    return this.monitor.machine.now;
  }

  /** Whether the VM has halted. */
  get halted(): boolean {
    return this.status === "halted";
  }

  /**
   * The VM's pages: which are in real frames, modified and referenced (as
   * the monitor last observed them through the shadow tables).
   */
  resident(): ResidentReport {
    const st = this.#s.pages?.state;
    const pages: ResidentPage[] = [];
    for (let g = 0; g < this.#s.frames.length; g++) {
      const f = this.#s.frames[g]!;
      pages.push({
        page: g,
        frame: f,
        modified: st ? st.dirty[g] === 1 : f >= 0,
        referenced: st ? st.ref[g] === 1 : f >= 0,
        pagedOut: st ? f < 0 && st.copy[g] === 1 : false,
      });
    }
    return new ResidentReport(this.name, pages, st !== undefined);
  }

  /**
   * The VM's paging counts: guest faults, monitor faults, double paging,
   * disk operations by whom and why, time waiting for paging I/O.
   */
  paging(): PagingReport {
    const p = this.#s.pages;
    let resident = 0;
    for (const f of this.#s.frames) if (f >= 0) resident++;
    return new PagingReport({
      vm: this.name,
      policy: p ? p.pager.policyName : "none",
      mitigation: p ? p.pager.mitigation : "none",
      pages: this.#s.frames.length,
      resident,
      instructions: this.stats.instructions,
      guestNs: this.stats.guestNs,
      monitorNs: this.stats.monitorNs,
      stats: structuredClone(p ? p.state.stats : new VmPages(this.#s).stats),
    });
  }

  /**
   * Copies bytes into guest-physical memory.
   *
   * @throws {RangeError} when the range does not fit in the VM's memory
   */
  load(bytes: Uint8Array, address: number): void {
    checkBytes(bytes, "load");
    this.#checkRange(address, bytes.length, "load");
    const mem = this.monitor.machine.memory;
    for (let i = 0; i < bytes.length; i++) {
      mem.writeB(this.#s.realAddress(address + i), bytes[i]!);
    }
  }

  /**
   * Reads guest-physical memory.
   *
   * @throws {RangeError} when the range does not fit in the VM's memory
   */
  readPhysical(address: number, length: number): Uint8Array {
    this.#checkRange(address, length, "read");
    this.#s.host.syncFromCpu(this);
    const u8 = this.monitor.machine.memory.u8;
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) {
      out[i] = u8[this.#s.realAddress(address + i, ACCESS.READ)]!;
    }
    return out;
  }

  #checkRange(address: number, length: number, what: string): void {
    if (
      !Number.isInteger(address) || !Number.isInteger(length) || address < 0 ||
      length < 0 ||
      address + length > this.memorySize
    ) {
      throw new RangeError(
        `Cannot ${what} ${length} bytes at guest-physical 0x${
          hex8(address)
        } in VM "${this.name}": its memory is 0x${hex8(this.memorySize)} bytes`,
      );
    }
  }

  /**
   * Reads a register, `PSL` (as MOVPSL shows it in the guest) or a virtual
   * IPR by name.
   *
   * @throws {RangeError} for an unknown name
   */
  get(name: string): number {
    const up = checkRegisterName(name, "read register").toUpperCase();
    this.#s.host.syncFromCpu(this);
    const rn = registerNumber(up);
    if (rn !== undefined) return this.#s.r[rn]! >>> 0;
    if (up === "PSL") return this.#s.vpsl >>> 0;
    const n = iprNumber(up);
    if (n !== undefined) return this.#s.host.readVirtualIpr(this, n) >>> 0;
    throw new RangeError(
      `Cannot read register "${name}" of VM "${this.name}": expected R0-R15, AP, FP, SP, PC, PSL or an IPR name`,
    );
  }

  /**
   * Writes a register, the PSL (switching R14 like the console would) or a
   * virtual IPR by name.
   *
   * @throws {RangeError} for an unknown name or a value MTPR would refuse
   */
  set(name: string, value: number): void {
    const up = checkRegisterName(name, "set register").toUpperCase();
    checkLongword(value, `set ${up} to`);
    this.#s.host.syncFromCpu(this);
    const v = value | 0;
    const rn = registerNumber(up);
    if (rn !== undefined) {
      this.#s.r[rn] = v;
    } else if (up === "PSL") {
      this.setPsl(v);
    } else {
      const n = iprNumber(up);
      if (n === undefined) {
        throw new RangeError(
          `Cannot set register "${name}" of VM "${this.name}": expected R0-R15, AP, FP, SP, PC, PSL or an IPR name`,
        );
      }
      this.#s.host.writeVirtualIpr(this, n, v);
    }
    this.#s.host.syncToCpu(this);
  }

  /**
   * Sets the virtual PSL from the console, switching R14 to the selected
   * stack.
   *
   * @throws {RangeError} if the PSL breaks the consistency rules
   */
  setPsl(value: number): void {
    const p = checkLongword(value, "set the PSL to") | 0;
    const cur = (p >>> 24) & 3;
    const is = (p & PSL_IS) !== 0;
    const ipl = (p >>> 16) & 31;
    if (
      (p & 0xb020ff00) !== 0 || (is && (cur !== 0 || ipl === 0)) ||
      (cur !== 0 && ipl !== 0)
    ) {
      throw new RangeError(
        `Cannot set the PSL of VM "${this.name}" to 0x${
          hex8(p)
        }: it breaks the PSL consistency rules`,
      );
    }
    this.#s.host.syncFromCpu(this);
    const old = this.#s.vpsl;
    const oldSlot = (old & PSL_IS) !== 0 ? 4 : (old >>> 24) & 3;
    this.#s.vstk[oldSlot] = this.#s.r[14]!;
    this.#s.vpsl = p;
    this.#s.r[14] = this.#s.vstk[is ? 4 : cur]!;
    this.#s.host.pslChanged(this, old);
    this.#s.host.syncToCpu(this);
  }

  /** Runs this VM (alone) under its monitor. */
  run(options: RunOptions = {}): RunResult {
    return renderRunResult(this.#s.host.runVm(this, options));
  }

  /** Executes one guest instruction (plus whatever the monitor does for it). */
  step(): RunResult {
    return this.run({ limit: 1 });
  }

  /** Executes one instruction in this VM; see {@link VmHost.inject}. */
  inject(source: string, options?: InjectOptions): InjectResult {
    return this.#s.host.inject(this, source, options);
  }

  /** Guest page table against the shadow tables; see {@link VmHost.pageTables}. */
  pageTables(
    region: "S0" | "P0" | "P1",
    options?: { from?: number; count?: number },
  ): PageTableComparison {
    return this.#s.host.pageTables(this, region, options);
  }

  /** The virtual PSL, the real PSL that carries it, and VMPSL, decoded. */
  psl(): PslReport {
    return this.#s.host.describePsl(this);
  }

  /** The state the guest observes. */
  state(): CpuState {
    this.#s.host.syncFromCpu(this);
    const iprs: Record<string, number> = {};
    for (let n = 0; n < IPR_NAMES.length; n++) {
      const name = IPR_NAMES[n];
      if (!name || name === "VMPSL") continue;
      try {
        iprs[name] = this.#s.host.readVirtualIpr(this, n) >>> 0;
      } catch {
        // write-only
      }
    }
    return renderState({
      r: Array.from(this.#s.r, (v) => v >>> 0),
      psl: this.#s.vpsl >>> 0,
      iprs,
    });
  }
}
