/**
 * The virtual machine monitor. It attaches to a `Machine` and owns real
 * kernel mode the way KVM's user space owns a vCPU: the processor runs guest
 * code with PSL<VM> set until something needs the kernel, then hands the
 * monitor an exit record; the monitor emulates the instruction, reflects the
 * event into the guest through the guest's own SCB, or handles it itself
 * (a shadow-table fill, a minidisk transfer), charges the cost to the
 * simulated clock, and resumes. VM extensions as defined by vmmlab
 * (vm-extensions.md).
 *
 * @module
 */

import { IPR, IPR_MAX_KA655, KA655_SID } from "../arch/ipr.ts";
import { REGISTER_NAMES } from "../arch/registers.ts";
import { OPCODE_BY_BYTE } from "../arch/opcodes.ts";
import { PSL_IS, PSL_MBZ, PSL_TP, PSL_VM, VMPSL_MASK } from "../arch/psl.ts";
import { MM_PTE_REF, MM_WRITE, SCB, vectorName } from "../arch/scb.ts";
import { PTE_M, PTE_V } from "../arch/pte.ts";
import { Machine } from "../machine/machine.ts";
import {
  type CpuExit,
  STOP_BREAKPOINT,
  STOP_EXIT,
  STOP_HALT,
  STOP_IDLE,
  STOP_LIMIT,
  STOP_REQUEST,
  STOP_TIME,
} from "../machine/cpu.ts";
import {
  isWalkFault,
  NonexistentMemory,
  walk,
  type WalkFault,
} from "../machine/mmu.ts";
import { DKCS } from "../machine/devices/disk.ts";
import { hex8, parseSize, type Size } from "../machine/units.ts";
import type { RunOptions, RunResult, StopKind } from "../machine/hardware.ts";
import type { TraceEvent, TraceKind } from "../machine/trace.ts";
import { assemble } from "../asm/assembler.ts";
import { disassembleOne } from "../asm/disassembler.ts";
import { decodePte } from "../arch/pte.ts";
import {
  InjectReport,
  PageTableComparison,
  type PageTableRow,
  PslReport,
} from "./reports.ts";
import { type MonitorCosts, monitorCosts } from "./costs.ts";
import { FrameAllocator } from "./frames.ts";
import { type BlockRun, MinidiskMap, translateBlocks } from "./minidisk.ts";
import { type ShadowPolicy, ShadowSet } from "./shadow.ts";
import {
  VIRQ,
  VIRQ_INFO,
  VirtualConsole,
  VirtualDisk,
  VirtualMachine,
} from "./vm.ts";
import {
  type Hook,
  type HookEventName,
  type HookFilter,
  Hooks,
} from "./hooks.ts";
import { type MonitorHost, type NestingPort, VirtualHost } from "./nested.ts";

/** Options of a monitor. */
export interface MonitorOptions {
  /** Shadow-table policy (default `split`: exact equivalence). */
  shadow?: ShadowPolicy;
  /** Monitor cost overrides. */
  costs?: Partial<MonitorCosts>;
  /** Time slice per VM in ns of simulated time (default 10 ms). */
  quantumNs?: number;
}

/** Something that can be booted into a VM: a guest module or a function. */
export type Bootable =
  | ((vm: VirtualMachine) => void)
  | { boot(vm: VirtualMachine, options?: Record<string, unknown>): unknown };

/** A guest-visible fault raised while the monitor emulates (internal). */
class GuestFault {
  constructor(
    readonly vector: number,
    readonly params: number[],
    readonly severe = false,
  ) {}
}

/** The VM halts (internal). */
class VmHalt {
  constructor(readonly reason: string) {}
}

const GUEST_PSL_BITS = 0x480000ff; // TP, FPD, DV, FU, IV, T, N, Z, V, C
const MODE_BITS = 0x03c00000; // CUR_MOD, PRV_MOD

/** Real mode for a virtual mode (ring compression). */
export function compressMode(mode: number): number {
  return mode === 0 ? 1 : mode;
}

/** One request in the real disk's queue. */
interface IoRequest {
  vm: VirtualMachine;
  func: "read" | "write";
  segments: { realBlock: number; count: number; gpa: number }[];
  next: number;
  issuedNs: number;
  /** IORESET abandoned it while its segment was on the real disk. */
  cancelled?: boolean;
}

const BOUNCE_BLOCKS = 64;

/**
 * An immutable builder of VMs: each call returns a new builder, so a
 * notebook cell can be re-run safely. `create()` (or `boot()`) makes the VM;
 * creating a VM with the name of an existing one replaces it.
 */
export class VmBuilder {
  readonly #monitor: Monitor<MonitorHost>;
  readonly #name: string;
  readonly #memory: number;
  readonly #minidisks: readonly { blocks: number; label: string }[];

  /** Use `monitor.vm(name)`. */
  constructor(
    monitor: Monitor<MonitorHost>,
    name: string,
    memory = 1024 * 1024,
    minidisks: readonly { blocks: number; label: string }[] = [],
  ) {
    this.#monitor = monitor;
    this.#name = name;
    this.#memory = memory;
    this.#minidisks = minidisks;
  }

  /** What the VM will be: name, memory and minidisk sizes. */
  get config(): { name: string; memory: number; minidisks: number[] } {
    return {
      name: this.#name,
      memory: this.#memory,
      minidisks: this.#minidisks.map((m) => m.blocks * 512),
    };
  }

  /** Sets the VM's memory size (a multiple of 512 bytes). */
  memory(size: Size): VmBuilder {
    const bytes = parseSize(size, "VM memory size");
    if (bytes < 512 || bytes % 512 !== 0) {
      throw new RangeError(
        `Cannot give VM "${this.#name}" ${bytes} bytes of memory: expected a positive multiple of 512`,
      );
    }
    return new VmBuilder(this.#monitor, this.#name, bytes, this.#minidisks);
  }

  /** Adds a minidisk extent (the VM's disk is its extents, concatenated). */
  minidisk(size: Size, label = ""): VmBuilder {
    const bytes = parseSize(size, "minidisk size");
    if (bytes < 512 || bytes % 512 !== 0) {
      throw new RangeError(
        `Cannot give VM "${this.#name}" a minidisk of ${bytes} bytes: expected a positive multiple of 512`,
      );
    }
    return new VmBuilder(this.#monitor, this.#name, this.#memory, [
      ...this.#minidisks,
      {
        blocks: bytes / 512,
        label: label || (0x191 + this.#minidisks.length).toString(16),
      },
    ]);
  }

  /** Creates the VM (memory at guest-physical 0, power-up state). */
  create(): VirtualMachine {
    return this.#monitor.createVm(this.#name, this.#memory, this.#minidisks);
  }

  /** Creates the VM and boots a guest into it. */
  boot(guest: Bootable, options?: Record<string, unknown>): VirtualMachine {
    const vm = this.create();
    if (typeof guest === "function") guest(vm);
    else guest.boot(vm, options);
    return vm;
  }
}

/** Options of {@link Monitor.inject}. */
export interface InjectOptions {
  /** Virtual mode to execute in: 0-3 or kernel, executive, supervisor, user (default: the VM's current mode). */
  mode?: number | "kernel" | "executive" | "supervisor" | "user";
  /** Virtual address to place the instruction at (default: the VM's PC). */
  at?: number;
}

/** What happened when one instruction was injected into a VM. */
export type InjectResult = InjectReport;

const MODE_BY_NAME: Record<string, number> = {
  kernel: 0,
  executive: 1,
  supervisor: 2,
  user: 3,
};

/** Result of {@link Monitor.run}. */
export interface MonitorRunResult {
  /** Why the run stopped. */
  stop: StopKind;
  /** Simulated ns that passed. */
  ns: number;
  /** Guest instructions executed (all VMs). */
  instructions: number;
  /** Status of each VM afterwards. */
  vms: Record<string, string>;
}

/**
 * A virtual machine monitor on a `Machine`.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { Machine } from "../machine/machine.ts";
 * import { Monitor } from "./monitor.ts";
 * const cp = Monitor.on(new Machine({ memory: "4 MiB", disk: "1 MiB" }));
 * const vm = cp.vm("TEST").memory("64 KiB").minidisk("16 KiB").create();
 * // MOVPSL R0 ; HALT, in virtual kernel mode
 * vm.load(new Uint8Array([0xdc, 0x50, 0x00]), 0x200);
 * vm.set("PC", 0x200);
 * ok(vm.run().stop === "halt" && vm.get("R0") === 0x041f0000);
 * ```
 */
export class Monitor<H extends MonitorHost = Machine> implements NestingPort {
  /** The machine the monitor owns: a `Machine`, or a VM (CP under CP). */
  readonly machine: H;
  /** 1 for a monitor on the real machine, 2 for one inside a VM of it... */
  readonly level: number;
  /** The exit, I/O and reflection hooks ({@link Monitor.on}). */
  readonly hooks: Hooks = new Hooks();
  /** The cost model of the monitor's work. */
  readonly costs: MonitorCosts;
  /** Shadow-table policy. */
  readonly policy: ShadowPolicy;
  /** Time slice per VM (ns). */
  readonly quantumNs: number;
  /** The real disk's minidisk map. */
  readonly minidisks: MinidiskMap;
  /** Real page frames. */
  readonly frames: FrameAllocator;
  readonly #vms: Map<string, VirtualMachine> = new Map();
  #onCpu: VirtualMachine | null = null;
  #mmuFor: VirtualMachine | null = null;
  #mmuView: "kernel" | "exec" = "kernel";
  #lastRun: VirtualMachine | null = null;
  readonly #ioQueue: IoRequest[] = [];
  readonly #bounce: number;
  #lastFault = "";
  /** Exit records forwarded to monitors running in VMs, by VM. */
  readonly #forwarded: Map<VirtualMachine, CpuExit> = new Map();
  /** VMs whose inner monitor asked for the processor back. */
  readonly #stopAsked: Set<VirtualMachine> = new Set();
  /** Instructions retried after this monitor's own fills, by nested VM. */
  readonly #refunds: Map<VirtualMachine, number> = new Map();
  /** VMs whose virtual MMU registers changed since their shadow layout. */
  readonly #mmuDirty: Set<VirtualMachine> = new Set();
  /** Tells the outer monitor this one has work (CP under CP). */
  readonly #wakeHost: () => void;

  /**
   * Attaches a monitor to a machine, or to a virtual machine of another
   * monitor (CP under CP: a VM is a machine).
   */
  static on(machine: Machine, options?: MonitorOptions): Monitor<Machine>;
  /** Attaches a monitor to a virtual machine of another monitor. */
  static on(
    machine: VirtualMachine,
    options?: MonitorOptions,
  ): Monitor<VirtualHost>;
  /** Attaches a monitor to a machine or a virtual machine. */
  static on(
    machine: Machine | VirtualMachine,
    options?: MonitorOptions,
  ): Monitor<Machine> | Monitor<VirtualHost>;
  static on(
    machine: Machine | VirtualMachine,
    options: MonitorOptions = {},
  ): Monitor<Machine> | Monitor<VirtualHost> {
    return new Monitor(machine, options) as
      | Monitor<Machine>
      | Monitor<VirtualHost>;
  }

  /** Use {@link Monitor.on}. */
  constructor(
    hardware: Machine | VirtualMachine,
    options: MonitorOptions = {},
  ) {
    let machine: MonitorHost;
    if (hardware instanceof VirtualMachine) {
      const outer = hardware.monitor;
      machine = outer.hostFor(hardware);
      this.level = outer.level + 1;
      this.#wakeHost = () => outer.wakeNested(hardware);
    } else if (hardware instanceof Machine) {
      if (!hardware.cpu.vmExtensions) {
        throw new TypeError(
          "Cannot attach a monitor: the machine was created with vmExtensions: false",
        );
      }
      machine = hardware;
      this.level = 1;
      this.#wakeHost = () => {};
    } else {
      throw new TypeError(
        "Cannot attach a monitor: expected a Machine or a VirtualMachine",
      );
    }
    const policy = options.shadow ?? "split";
    if (policy !== "shared" && policy !== "split") {
      throw new RangeError(
        `Cannot use shadow policy "${
          String(policy)
        }": expected "shared" or "split"`,
      );
    }
    this.machine = machine as H;
    this.costs = monitorCosts(options.costs);
    this.policy = policy;
    this.quantumNs = options.quantumNs ?? 10_000_000;
    if (!(this.quantumNs > 0)) {
      throw new RangeError(
        `Cannot use a quantum of ${this.quantumNs} ns: expected > 0`,
      );
    }
    this.minidisks = new MinidiskMap(machine.disk.blocks);
    const totalFrames = machine.memory.size / 512;
    // Frame 0..BOUNCE_BLOCKS-1: the monitor's bounce buffer for unaligned I/O.
    this.#bounce = 0;
    this.frames = new FrameAllocator(
      BOUNCE_BLOCKS,
      totalFrames - BOUNCE_BLOCKS,
    );
    machine.cpu.hostExits = true;
    if (hardware instanceof VirtualMachine) {
      hardware.driver = {
        interrupt: () => this.#pollDisk(),
        drive: (limit, untilNs) =>
          this.#loop([...this.#vms.values()], {
            limit,
            untilNs,
            yieldWhenIdle: true,
          }),
      };
    }
  }

  /**
   * Adds a hook: `"exit"` (every exit record, before the monitor handles
   * it), `"io"` (every minidisk request) or `"reflect"` (every exception or
   * interrupt reflected into a guest), optionally only for some VMs and
   * kinds. A hook returning `"handled"` takes the event over. Returns a
   * function that removes the hook.
   *
   * @example
   * ```ts
   * import { Machine } from "../machine/machine.ts";
   * import { Monitor } from "./monitor.ts";
   * const cp = Monitor.on(new Machine({ memory: "2 MiB", disk: "64 KiB" }));
   * const vm = cp.vm("T").memory("64 KiB").create();
   * const seen: string[] = [];
   * cp.on("exit", (e) => void seen.push(e.kind), { vm: "T" });
   * // MOVPSL R0 ; HALT
   * vm.load(new Uint8Array([0xdc, 0x50, 0x00]), 0x200);
   * vm.set("PC", 0x200);
   * vm.run();
   * console.assert(seen.join() === "HALT");
   * ```
   */
  on<E extends HookEventName>(
    event: E,
    fn: Hook<E>,
    filter?: HookFilter,
  ): () => void {
    return this.hooks.on(event, fn, filter);
  }

  /** The VMs, by name. */
  get vms(): ReadonlyMap<string, VirtualMachine> {
    return this.#vms;
  }

  /** Starts building a VM. */
  vm(name: string): VmBuilder {
    if (typeof name !== "string" || !/^[A-Za-z0-9_-]{1,16}$/.test(name)) {
      throw new RangeError(
        `Cannot name a VM "${
          String(name)
        }": expected 1 to 16 letters, digits, _ or -`,
      );
    }
    return new VmBuilder(this, name);
  }

  /** Creates a VM (used by {@link VmBuilder}); replaces one of the same name. */
  createVm(
    name: string,
    memory: number,
    minidisks: readonly { blocks: number; label: string }[],
  ): VirtualMachine {
    const old = this.#vms.get(name);
    if (old) this.destroy(old);
    const pages = memory / 512;
    const frames = Int32Array.from(
      this.frames.allocateMany(pages, name, "memory"),
    );
    for (const f of frames) {
      this.machine.memory.u8.fill(0, f * 512, f * 512 + 512);
    }
    const holder: { vm?: VirtualMachine } = {};
    const console = new VirtualConsole(() =>
      holder.vm && this.#scheduleRx(holder.vm)
    );
    const disk = new VirtualDisk(() => this.machine.disk.data);
    try {
      for (const md of minidisks) {
        disk.extents.push(this.minidisks.allocate(md.blocks, name, md.label));
      }
    } catch (e) {
      for (const f of frames) this.frames.release(f);
      this.minidisks.releaseOwner(name);
      throw e;
    }
    const mem = this.machine.memory;
    const vm = new VirtualMachine({
      name,
      monitor: this,
      frames,
      console,
      disk,
      shadow: {
        kernel: new ShadowSet(mem, this.frames, name, "kernel"),
        exec: new ShadowSet(mem, this.frames, name, "exec"),
      },
    });
    holder.vm = vm;
    this.#vms.set(name, vm);
    this.#relayout(vm);
    if (this.#tracing) {
      this.#trace(
        vm,
        "schedule",
        `created: ${memory / 1024} KiB, disk ${disk.blocks} blocks`,
      );
    }
    return vm;
  }

  /** Removes a VM and returns its memory, shadow tables and minidisks. */
  destroy(vm: VirtualMachine): void {
    if (this.#vms.get(vm.name) !== vm) return;
    this.syncFromCpu(vm);
    vm.timerCancel?.();
    for (const f of vm.frames) this.frames.release(f);
    vm.shadow.kernel.release();
    vm.shadow.exec.release();
    this.minidisks.releaseOwner(vm.name);
    this.#vms.delete(vm.name);
    if (this.#mmuFor === vm) this.#mmuFor = null;
    vm.status = "halted";
    vm.haltReason = "destroyed";
  }

  // -------------------------------------------------------------------------
  // CP under CP: this monitor as the machine of a monitor inside a VM.

  /**
   * The host surface a monitor inside `vm` runs on (what `Monitor.on(vm)`
   * uses). The VM's storage is made contiguous (moved if it is not, like
   * VM/370's V=R area) so that it can be the inner monitor's physical
   * memory; its disk must be at most one minidisk extent.
   *
   * @throws {RangeError} when the VM is not this monitor's, already hosts a
   *   monitor, has more than one disk extent, or no contiguous frames are free
   */
  hostFor(vm: VirtualMachine): VirtualHost {
    if (this.#vms.get(vm.name) !== vm) {
      throw new RangeError(
        `Cannot run a monitor in VM "${vm.name}": it is not a VM of this monitor`,
      );
    }
    if (vm.driver) {
      throw new RangeError(
        `Cannot run a monitor in VM "${vm.name}": a monitor already runs in it`,
      );
    }
    if (vm.disk.extents.length > 1) {
      throw new RangeError(
        `Cannot run a monitor in VM "${vm.name}": its disk is ${vm.disk.extents.length} minidisk extents, expected at most one`,
      );
    }
    this.syncFromCpu(vm);
    this.#makeContiguous(vm);
    const e = vm.disk.extents[0];
    const data = e
      ? this.machine.disk.data.subarray(
        e.start * 512,
        (e.start + e.blocks) * 512,
      )
      : new Uint8Array(0);
    vm.vmpsl = 0;
    return new VirtualHost(vm, this, data);
  }

  #makeContiguous(vm: VirtualMachine): void {
    const f = vm.frames;
    let contiguous = true;
    for (let i = 1; i < f.length; i++) {
      if (f[i] !== f[0]! + i) contiguous = false;
    }
    if (contiguous) return;
    // Keep the contents aside, give the frames back, take a contiguous run.
    const u8 = this.machine.memory.u8;
    const saved = new Uint8Array(f.length * 512);
    for (let i = 0; i < f.length; i++) {
      saved.set(u8.subarray(f[i]! * 512, f[i]! * 512 + 512), i * 512);
      this.frames.release(f[i]!);
    }
    let first: number;
    try {
      first = this.frames.allocateContiguous(
        f.length,
        vm.name,
        "memory (contiguous: a monitor runs in it)",
      );
    } catch (e) {
      for (const frame of f) this.frames.claim(frame, vm.name, "memory");
      throw e;
    }
    u8.set(saved, first * 512);
    for (let i = 0; i < f.length; i++) f[i] = first + i;
    vm.shadow.kernel.clearAll();
    vm.shadow.exec.clearAll();
    this.machine.cpu.tbFlushAll();
    if (this.#mmuFor === vm) this.#mmuFor = null;
  }

  /** The VM running in its virtual VM mode under {@link Monitor.runNested}. */
  #nested: VirtualMachine | null = null;

  /**
   * Runs a VM whose inner monitor has set its virtual PSL<VM>: the inner
   * guest runs directly on this monitor's processor, with the inner VMPSL
   * and this monitor's shadow tables over the inner monitor's. Returns
   * (with a STOP_ code, as a processor's run loop does) when an exit is
   * for the inner monitor ({@link Monitor.nestedExit} then holds its
   * record), when a virtual interrupt is pending for it, or at a limit.
   * Exits that are this monitor's own (a miss in its shadow tables, a real
   * interrupt) are handled here and never seen inside.
   */
  runNested(vm: VirtualMachine, limit: number, until: number): number {
    const cpu = this.machine.cpu;
    const events = this.machine.events;
    let budget = limit;
    this.#forwarded.delete(vm);
    // Entering the VM's guest is the inner monitor's REI: one exit here.
    this.#hostOp(vm, "REI");
    if (this.#mmuDirty.has(vm)) this.#applyMmu(vm);
    const outerNested = this.#nested;
    this.#nested = vm;
    try {
      for (;;) {
        if (events.nextAt <= cpu.ns) {
          events.runDue(cpu.ns);
          this.#pollDisk();
        }
        if (vm.irq !== 0) {
          this.#forwardInterrupt(vm);
          return STOP_EXIT;
        }
        if (this.#stopAsked.delete(vm)) return STOP_REQUEST;
        if (budget <= 0) return STOP_LIMIT;
        if (cpu.ns >= until) return STOP_TIME;
        this.syncToCpu(vm);
        cpu.nextEventNs = Infinity;
        const t0 = cpu.ns;
        const i0 = cpu.instructions;
        const code = cpu.run(budget, Math.min(until, events.nextAt));
        const ran = cpu.instructions - i0;
        budget -= ran;
        if (
          ran > 1 || code !== STOP_EXIT || cpu.exit?.kind !== "exception"
        ) {
          this.#lastFault = "";
        }
        vm.stats.instructions += ran;
        vm.stats.guestNs += cpu.ns - t0;
        this.syncFromCpu(vm);
        if (code === STOP_EXIT) {
          const x = cpu.exit!;
          const f = this.#nestedExitFor(vm, x);
          if (f) {
            this.#forwarded.set(vm, f);
            return STOP_EXIT;
          }
          if (x.kind === "exception") {
            // This monitor's fill: the instruction starts again, and the
            // inner monitor must not count it twice.
            budget += 1;
            vm.stats.instructions -= 1;
            this.#refunds.set(vm, (this.#refunds.get(vm) ?? 0) + 1);
          }
        } else if (code !== STOP_TIME && code !== STOP_REQUEST) {
          return code;
        }
      }
    } finally {
      this.#nested = outerNested;
      this.syncFromCpu(vm);
    }
  }

  /**
   * Instructions the VM's virtual processor has started, as the monitor
   * inside it counts them (without the ones this monitor retried).
   */
  nestedInstructions(vm: VirtualMachine): number {
    return this.machine.cpu.instructions - (this.#refunds.get(vm) ?? 0);
  }

  /** The exit record {@link Monitor.runNested} forwarded last for a VM. */
  nestedExit(vm: VirtualMachine): CpuExit | null {
    return this.#forwarded.get(vm) ?? null;
  }

  /** The monitor inside `vm` has work: make the VM runnable, stop it if it runs. */
  wakeNested(vm: VirtualMachine): void {
    if (vm.status === "waiting") vm.status = "ready";
    // This monitor may itself run in a VM that waits: wake it too.
    this.#wakeHost();
    if (this.#nested === vm) {
      this.#stopAsked.add(vm);
      this.machine.cpu.requestStop();
    }
  }

  /** Runs this monitor's device work after host events ran. */
  pollDevices(): void {
    this.#pollDisk();
  }

  /**
   * An MTPR of the monitor inside `vm`, emulated here (counted as an exit
   * of the VM). Writes of the MMU registers are gathered and applied once,
   * at the next TBIA or entry to the VM.
   */
  hostMtpr(vm: VirtualMachine, n: number, v: number): void {
    this.#hostOp(vm, "MTPR");
    const g = vm.ipr;
    switch (n) {
      case IPR.MAPEN:
        g.mapen = v & 1;
        break;
      case IPR.SBR:
        g.sbr = v & ~3;
        break;
      case IPR.SLR:
        g.slr = v & 0x3fffff;
        break;
      case IPR.P0BR:
        g.p0br = v & ~3;
        break;
      case IPR.P0LR:
        g.p0lr = v & 0x3fffff;
        break;
      case IPR.P1BR:
        g.p1br = v & ~3;
        break;
      case IPR.P1LR:
        g.p1lr = v & 0x3fffff;
        break;
      case IPR.TBIA:
        if (this.#mmuDirty.has(vm)) this.#applyMmu(vm);
        else this.writeVirtualIpr(vm, n, v);
        return;
      case IPR.TBIS:
        if (!this.#mmuDirty.has(vm)) this.writeVirtualIpr(vm, n, v);
        return;
      default:
        this.writeVirtualIpr(vm, n, v);
        return;
    }
    this.#mmuDirty.add(vm);
  }

  #applyMmu(vm: VirtualMachine): void {
    this.#mmuDirty.delete(vm);
    this.#relayout(vm);
    this.machine.cpu.tbFlushAll();
  }

  /** An operation of an inner monitor that traps to this one. */
  #hostOp(vm: VirtualMachine, kind: string): void {
    vm.stats.exits[kind] = (vm.stats.exits[kind] ?? 0) + 1;
    vm.stats.totalExits++;
    vm.stats.emulated++;
    this.#chargeVm(vm, this.costs.exitEntry + this.costs.emulation);
  }

  /** A virtual interrupt for the monitor inside `vm`: an interrupt exit for it. */
  #forwardInterrupt(vm: VirtualMachine): void {
    let src = -1;
    for (let s = 0; s < VIRQ_INFO.length; s++) {
      if (
        (vm.irq >> s) & 1 && (src < 0 || VIRQ_INFO[s]![0] > VIRQ_INFO[src]![0])
      ) {
        src = s;
      }
    }
    vm.irq &= ~(1 << src);
    const [ipl, vector] = VIRQ_INFO[src]!;
    vm.stats.interrupts++;
    this.#chargeVm(vm, this.costs.reflection);
    if (this.#tracing) {
      this.#trace(
        vm,
        "reflect",
        `forward interrupt ${vectorName(vector)} to the monitor in ${vm.name}`,
        { vector, level: ipl, forward: true },
      );
    }
    this.#forwarded.set(vm, {
      kind: "interrupt",
      vector,
      pc: vm.r[15]!,
      psl: vm.vpsl,
      params: [],
      opcode: 0,
      nextPc: 0,
      operands: [],
      rollback: [],
      ipl,
    });
  }

  /**
   * An exit while `vm` was in its virtual VM mode: null when it is this
   * monitor's own business (handled), else the record for the inner monitor.
   */
  #nestedExitFor(vm: VirtualMachine, x: CpuExit): CpuExit | null {
    const kind = this.#enterExit(vm, x);
    if (kind === null) return null;
    if (x.kind === "interrupt") {
      if (x.vector === SCB.DISK) this.#pollDisk();
      return null;
    }
    let out: CpuExit = x;
    if (
      x.kind === "exception" && (x.vector === SCB.ACCESS_VIOLATION ||
        x.vector === SCB.TRANSLATION_NOT_VALID)
    ) {
      const mask = x.params[0]!;
      const va = x.params[1]! >>> 0;
      const set = this.#activeSet(vm);
      if (
        x.vector === SCB.TRANSLATION_NOT_VALID && (mask & MM_PTE_REF) !== 0 &&
        set.ensureTablePage(va)
      ) {
        this.machine.cpu.tbFlushAll();
        return null;
      }
      const write = (mask & MM_WRITE) !== 0;
      let r: ReturnType<typeof walk> | null = null;
      try {
        r = this.#walkGuest(vm, va, (vm.vpsl >>> 24) & 3, write);
      } catch (e) {
        if (!(e instanceof GuestFault) && !(e instanceof VmHalt)) throw e;
      }
      if (r === null || (!isWalkFault(r) && vm.realAddress(r.pa) < 0)) {
        out = { ...x, kind: "exception", vector: SCB.MACHINE_CHECK };
      } else if (isWalkFault(r)) {
        // The inner monitor's own tables fault: its exit, as its processor
        // would report it.
        out = { ...x, vector: r.vector, params: [r.mask, r.va | 0] };
      } else {
        const key = `${vm.name}:nested:${vm.r[15]}:${va}:${mask}`;
        if (this.#lastFault !== key) {
          // A miss in this monitor's shadow of the inner monitor's tables.
          this.#lastFault = key;
          if (write && r.ptePa >= 0 && (r.pte & PTE_M) === 0) {
            const pa = vm.realAddress(r.ptePa);
            if (pa >= 0) this.machine.memory.writeL(pa, (r.pte | PTE_M) | 0);
          }
          this.#fillShadow(vm, set, va, r.pa);
          return null;
        }
      }
    }
    this.#chargeVm(vm, this.costs.reflection);
    if (this.#tracing) {
      this.#trace(
        vm,
        "exit",
        `forward ${kind} at ${hex8(x.pc)} to the monitor in ${vm.name}`,
        { forward: true, vector: out.vector },
      );
    }
    return out;
  }

  // -------------------------------------------------------------------------
  // Moving a VM on and off the processor.

  /** Copies the real CPU state back into the VM, if the VM is loaded. */
  syncFromCpu(vm: VirtualMachine): void {
    if (this.#onCpu !== vm) return;
    const cpu = this.machine.cpu;
    vm.r.set(cpu.r);
    if ((vm.vpsl & PSL_VM) !== 0) {
      // The VM was in its virtual VM mode (a monitor runs in it): its PSL
      // is the real one, modes already compressed by the inner monitor.
      vm.vpsl = (PSL_VM | (cpu.psl & (GUEST_PSL_BITS | MODE_BITS))) | 0;
      vm.vmpsl = cpu.vmpsl;
    } else {
      vm.vpsl = ((cpu.psl & GUEST_PSL_BITS) | (cpu.vmpsl & VMPSL_MASK)) | 0;
    }
    this.#onCpu = null;
  }

  /** Loads the VM's state into the real CPU (compressed modes, VMPSL). */
  syncToCpu(vm: VirtualMachine): void {
    if (this.#onCpu !== null && this.#onCpu !== vm) {
      this.syncFromCpu(this.#onCpu);
    }
    if (this.#onCpu === vm) return;
    const cpu = this.machine.cpu;
    const p = vm.vpsl;
    const cur = (p >>> 24) & 3;
    const prv = (p >>> 22) & 3;
    cpu.r.set(vm.r);
    cpu.psl = (PSL_VM | (compressMode(cur) << 24) | (compressMode(prv) << 22) |
      (p & GUEST_PSL_BITS)) | 0;
    // In its virtual VM mode the VM's VMPSL is the inner monitor's, for the
    // inner guest: MOVPSL and PROBE there read it from the real VMPSL.
    cpu.vmpsl = (p & PSL_VM) !== 0 ? vm.vmpsl : p & VMPSL_MASK;
    this.#loadMmu(vm);
    cpu.evalInterrupts();
    this.#onCpu = vm;
  }

  #activeSet(vm: VirtualMachine): ShadowSet {
    const cur = (vm.vpsl >>> 24) & 3;
    // In virtual VM mode the modes are real ones and the inner monitor's
    // tables already carry its ring compression: executive gets the
    // unremapped view whatever this monitor's policy.
    return (this.policy === "split" || (vm.vpsl & PSL_VM) !== 0) && cur === 1
      ? vm.shadow.exec
      : vm.shadow.kernel;
  }

  #loadMmu(vm: VirtualMachine): void {
    const set = this.#activeSet(vm);
    if (this.#mmuFor === vm && this.#mmuView === set.view) return;
    const cpu = this.machine.cpu;
    const r = set.registers();
    cpu.mapen = 1;
    cpu.sbr = r.sbr;
    cpu.slr = r.slr;
    cpu.p0br = r.p0br;
    cpu.p0lr = r.p0lr;
    cpu.p1br = r.p1br;
    cpu.p1lr = r.p1lr;
    cpu.tbFlushAll();
    vm.stats.tbFlushes++;
    this.#mmuFor = vm;
    this.#mmuView = set.view;
  }

  /** Rebuilds both shadow sets for the VM's current guest registers. */
  #relayout(vm: VirtualMachine): void {
    const g = vm.ipr;
    const pages = vm.memorySize / 512;
    const sys = g.mapen ? Math.min(g.slr, 32768) : pages;
    const p0 = g.mapen ? g.p0lr : pages;
    const p1 = g.mapen ? g.p1lr : 0x200000;
    vm.shadow.kernel.layout(sys, p0, p1);
    vm.shadow.exec.layout(sys, p0, p1);
    vm.stats.shadowFlushes++;
    this.#chargeVm(vm, this.costs.shadowFlush);
    if (this.#mmuFor === vm) this.#mmuFor = null;
    if (this.#onCpu === vm) this.#loadMmu(vm);
  }

  #flushProcess(vm: VirtualMachine): void {
    const g = vm.ipr;
    if (!g.mapen) return;
    vm.shadow.kernel.setProcessLengths(g.p0lr, g.p1lr);
    vm.shadow.exec.setProcessLengths(g.p0lr, g.p1lr);
    vm.stats.shadowFlushes++;
    this.#chargeVm(vm, this.costs.shadowFlush);
    if (this.#mmuFor === vm) this.#mmuFor = null;
    if (this.#onCpu === vm) this.#loadMmu(vm);
  }

  /** Called when the virtual PSL changed outside the run loop. */
  pslChanged(vm: VirtualMachine, _old: number): void {
    if (this.#onCpu === vm) this.#loadMmu(vm);
  }

  #chargeVm(vm: VirtualMachine, ns: number): void {
    this.machine.cpu.ns += ns;
    vm.stats.monitorNs += ns;
  }

  /** Whether the trace records (messages are only built when it does). */
  get #tracing(): boolean {
    return this.machine.trace.enabled;
  }

  #trace(
    vm: VirtualMachine | null,
    kind: TraceKind,
    text: string,
    data?: Record<string, number | string | boolean>,
  ): void {
    const t = this.machine.trace;
    if (!t.enabled) return;
    t.add({
      ns: this.machine.cpu.ns,
      kind,
      source: vm ? vm.name : "monitor",
      text,
      ...(vm ? { pc: vm.r[15]! >>> 0, psl: vm.vpsl >>> 0 } : {}),
      data: { ...data, level: this.level },
    });
  }

  // -------------------------------------------------------------------------
  // Guest memory as the guest's own MMU sees it.

  /** Walks the guest's tables; returns the guest-physical address or throws GuestFault. */
  #guestTranslate(
    vm: VirtualMachine,
    va: number,
    mode: number,
    write: boolean,
  ): number {
    const mem = this.machine.memory;
    const r = this.#walkGuest(vm, va, mode, write);
    if (isWalkFault(r)) throw new GuestFault(r.vector, [r.mask, r.va | 0]);
    if (write && r.ptePa >= 0 && (r.pte & PTE_M) === 0) {
      mem.writeL(vm.realAddress(r.ptePa), (r.pte | PTE_M) | 0);
    }
    return r.pa;
  }

  /**
   * The guest's own page-table walk. A page-table entry beyond the guest's
   * memory is a machine check, as on bare hardware; a process page table
   * outside S0 halts the VM as it halts the processor (vax-architecture.md
   * 10.5, SimH). (Both used to be a machine check, and through PROBE the
   * walk's RangeError escaped the monitor.)
   */
  #walkGuest(
    vm: VirtualMachine,
    va: number,
    mode: number,
    write: boolean,
  ): ReturnType<typeof walk> {
    const mem = this.machine.memory;
    try {
      return walk(vm.ipr, va, mode, write, (gpa) => {
        const pa = vm.realAddress(gpa);
        return pa < 0 || (gpa & 3) !== 0 && vm.realAddress(gpa + 3) < 0
          ? undefined
          : mem.readL(pa);
      });
    } catch (e) {
      if (e instanceof NonexistentMemory) {
        throw new GuestFault(SCB.MACHINE_CHECK, [], true);
      }
      if (e instanceof RangeError) {
        throw new VmHalt("process PTE in P0 or P1 space");
      }
      throw e;
    }
  }

  /**
   * Guest-physical addresses of the longword at va, translated as the
   * processor does (10.5): the first byte, and for an access that crosses a
   * page the last byte, so a fault on the second page reports va + 3 as on
   * bare hardware. (Translating byte by byte reported the second page's
   * first byte.)
   */
  #guestTranslateL(
    vm: VirtualMachine,
    va: number,
    mode: number,
    write: boolean,
  ): number[] {
    const g1 = this.#guestTranslate(vm, va >>> 0, mode, write);
    if ((va & 511) + 4 <= 512) return [g1, g1 + 1, g1 + 2, g1 + 3];
    const g2 = this.#guestTranslate(vm, (va + 3) >>> 0, mode, write);
    return [0, 1, 2, 3].map((k) =>
      ((va + k) >>> 9) === (va >>> 9) ? g1 + k : (g2 & ~511) | ((va + k) & 511)
    );
  }

  #guestRead(vm: VirtualMachine, va: number, mode: number): number {
    if ((va & 511) <= 508) {
      // Within one page, so within one real frame: one translation.
      const pa = vm.realAddress(
        this.#guestTranslate(vm, va >>> 0, mode, false),
      );
      if (pa < 0) throw new GuestFault(SCB.MACHINE_CHECK, [], true);
      return this.machine.memory.readL(pa);
    }
    let v = 0;
    const gpas = this.#guestTranslateL(vm, va, mode, false);
    for (let k = 0; k < 4; k++) {
      const pa = vm.realAddress(gpas[k]!);
      if (pa < 0) throw new GuestFault(SCB.MACHINE_CHECK, [], true);
      v |= this.machine.memory.u8[pa]! << (8 * k);
    }
    return v | 0;
  }

  #guestWrite(
    vm: VirtualMachine,
    va: number,
    value: number,
    mode: number,
  ): void {
    if ((va & 511) <= 508) {
      const pa = vm.realAddress(this.#guestTranslate(vm, va >>> 0, mode, true));
      if (pa < 0) throw new GuestFault(SCB.MACHINE_CHECK, [], true);
      this.machine.memory.writeL(pa, value);
      return;
    }
    const pas: number[] = [];
    const gpas = this.#guestTranslateL(vm, va, mode, true);
    for (let k = 0; k < 4; k++) {
      const pa = vm.realAddress(gpas[k]!);
      if (pa < 0) throw new GuestFault(SCB.MACHINE_CHECK, [], true);
      pas.push(pa);
    }
    pas.forEach((pa, k) => this.machine.memory.u8[pa] = value >>> (8 * k));
  }

  #guestPhysReadL(vm: VirtualMachine, gpa: number): number {
    const pa = vm.realAddress(gpa);
    if (pa < 0 || vm.realAddress(gpa + 3) < 0) {
      throw new GuestFault(SCB.MACHINE_CHECK, [], true);
    }
    let v = 0;
    for (let k = 0; k < 4; k++) {
      v |= this.machine.memory.u8[vm.realAddress(gpa + k)]! << (8 * k);
    }
    return v | 0;
  }

  #guestPhysWriteL(vm: VirtualMachine, gpa: number, value: number): void {
    if (vm.realAddress(gpa) < 0 || vm.realAddress(gpa + 3) < 0) {
      throw new GuestFault(SCB.MACHINE_CHECK, [], true);
    }
    for (let k = 0; k < 4; k++) {
      this.machine.memory.u8[vm.realAddress(gpa + k)] = value >>> (8 * k);
    }
  }

  // -------------------------------------------------------------------------
  // Running.

  /** Runs one VM alone (the others wait). */
  runVm(vm: VirtualMachine, options: RunOptions = {}): RunResult {
    if (this.#vms.get(vm.name) !== vm) {
      throw new RangeError(
        `Cannot run VM "${vm.name}": it is not a VM of this monitor`,
      );
    }
    // Running a halted VM continues from its PC (the console's CONTINUE).
    if (vm.status === "halted") {
      vm.status = "ready";
      vm.haltReason = "";
    }
    this.#lastFault = "";
    const t0 = this.machine.cpu.ns;
    const i0 = vm.stats.instructions;
    const r = this.#loop([vm], options);
    return {
      stop: r.stop,
      reason: r.stop === "halt" ? vm.haltReason : r.stop,
      instructions: vm.stats.instructions - i0,
      ns: this.machine.cpu.ns - t0,
      pc: vm.r[15]! >>> 0,
      psl: vm.vpsl >>> 0,
    };
  }

  /** Runs every VM, round robin in time slices, until all halt or a limit. */
  run(options: RunOptions = {}): MonitorRunResult {
    const t0 = this.machine.cpu.ns;
    const i0 = [...this.#vms.values()].reduce(
      (s, v) => s + v.stats.instructions,
      0,
    );
    const r = this.#loop([...this.#vms.values()], options);
    const vms: Record<string, string> = {};
    for (const v of this.#vms.values()) {
      vms[v.name] = v.status === "halted"
        ? `halted: ${v.haltReason}`
        : v.status;
    }
    return {
      stop: r.stop,
      ns: this.machine.cpu.ns - t0,
      instructions:
        [...this.#vms.values()].reduce((s, v) => s + v.stats.instructions, 0) -
        i0,
      vms,
    };
  }

  #deliverable(vm: VirtualMachine): boolean {
    const ipl = (vm.vpsl >>> 16) & 31;
    return this.#pendingLevel(vm) > ipl;
  }

  #pendingLevel(vm: VirtualMachine): number {
    let lvl = vm.ipr.sisr === 0 ? 0 : 31 - Math.clz32(vm.ipr.sisr);
    for (let s = 0; s < VIRQ_INFO.length; s++) {
      if ((vm.irq >> s) & 1) lvl = Math.max(lvl, VIRQ_INFO[s]![0]);
    }
    return lvl;
  }

  /** A VM of this monitor that has not halted. */
  #isLive(v: VirtualMachine): boolean {
    return v.status !== "halted" && this.#vms.get(v.name) === v;
  }

  #loop(
    candidates: VirtualMachine[],
    options: RunOptions & { yieldWhenIdle?: boolean },
  ): { stop: StopKind } {
    const cpu = this.machine.cpu;
    const events = this.machine.events;
    const limit = options.limit ?? Infinity;
    let budget = limit;
    let end = options.untilNs ?? Infinity;
    if (options.forNs !== undefined) {
      end = Math.min(end, cpu.ns + options.forNs);
    }
    if (options.breakpoints) cpu.setBreakpoints(options.breakpoints);
    let rr = this.#lastRun
      ? Math.max(0, candidates.indexOf(this.#lastRun) + 1)
      : 0;
    // The VM holding the processor and the end of its time slice. A VM
    // keeps the processor across exits and device events until its
    // quantum ends, it halts, or it waits. (Every exit used to hand the
    // processor to the next VM with a fresh quantum, so a VM that exits
    // often got one instruction per round.)
    let slice: { vm: VirtualMachine; end: number } | null = null;
    try {
      for (;;) {
        if (events.nextAt <= cpu.ns) {
          // Device events are the monitor's to run (the processor does not
          // skip time while a VM runs: see below).
          events.runDue(cpu.ns);
          this.#pollDisk();
        }
        // (No array per iteration: this loop runs once per exit.)
        let anyLive = false;
        for (const v of candidates) {
          if (!this.#isLive(v)) continue;
          anyLive = true;
          if (v.status === "waiting" && this.#deliverable(v)) {
            v.status = "ready";
          }
        }
        if (!anyLive) return { stop: "halt" };
        if (budget <= 0) return { stop: "limit" };
        if (cpu.ns >= end) return { stop: "time" };
        let vm: VirtualMachine | undefined;
        if (
          slice && slice.vm.status === "ready" && cpu.ns < slice.end &&
          this.#vms.get(slice.vm.name) === slice.vm
        ) {
          vm = slice.vm;
        } else {
          slice = null;
          for (let k = 0; k < candidates.length; k++) {
            const v = candidates[(rr + k) % candidates.length]!;
            if (v.status === "ready" && this.#vms.get(v.name) === v) {
              vm = v;
              rr = (rr + k + 1) % candidates.length;
              break;
            }
          }
        }
        if (!vm) {
          // A monitor inside a VM gives the processor back to the outer
          // monitor when all its VMs wait (its wait state).
          if (options.yieldWhenIdle) return { stop: "idle" };
          // Everyone waits: let simulated time pass to the next event.
          const next = events.nextAt;
          if (next === Infinity || next >= end) {
            if (next >= end && end !== Infinity) {
              for (const v of candidates) {
                if (this.#isLive(v) && v.status === "waiting") {
                  v.stats.waitNs += end - cpu.ns;
                }
              }
              cpu.ns = end;
              return { stop: "time" };
            }
            return { stop: "idle" };
          }
          for (const v of candidates) {
            if (this.#isLive(v) && v.status === "waiting") {
              v.stats.waitNs += next - cpu.ns;
            }
          }
          if (next > cpu.ns) cpu.ns = next;
          events.runDue(cpu.ns);
          this.#pollDisk();
          // A bare processor's idle loop executes its branch once per
          // event: count one against the instruction limit, so a run with a
          // limit ends even when every VM waits forever on a periodic timer.
          budget -= 1;
          continue;
        }
        if (this.#lastRun !== vm) {
          if (this.#lastRun !== null) {
            this.#chargeVm(vm, this.costs.vmSwitch);
            if (this.#tracing) {
              this.#trace(vm, "schedule", `switch to ${vm.name}`);
            }
          }
          this.#lastRun = vm;
        }
        if (vm.driver) {
          // A monitor runs in this VM: its slice goes to that monitor,
          // which runs its own VMs in the VM's virtual VM mode.
          slice ??= { vm, end: Math.min(end, cpu.ns + this.quantumNs) };
          if (vm.irq !== 0) {
            // Interrupts for the monitor inside, taken in its wait state.
            vm.irq = 0;
            vm.driver.interrupt();
          }
          const i0 = cpu.instructions;
          const r = vm.driver.drive(budget, slice.end);
          budget -= cpu.instructions - i0;
          if (r.stop === "halt") {
            slice = null;
            this.#haltVm(vm, "every VM of the monitor in it halted");
          } else if (r.stop === "idle") {
            slice = null;
            vm.status = "waiting";
          } else if (r.stop === "limit") return { stop: "limit" };
          else if (r.stop === "breakpoint") return { stop: "breakpoint" };
          continue;
        }
        if (!this.#deliverInterrupts(vm)) continue;
        this.syncToCpu(vm);
        slice ??= { vm, end: Math.min(end, cpu.ns + this.quantumNs) };
        const t0 = cpu.ns;
        const i0 = cpu.instructions;
        // The processor stops at the next device event (the loop above runs
        // it) instead of skipping simulated time to it when the guest idles
        // (a branch to itself): an idling VM then stops with STOP_IDLE and
        // waits, and the processor goes to the other VMs. (With
        // nextEventNs = the next event, an idle guest's branch jumped the
        // clock to the next event, however far, and charged all that time
        // to itself as guest time, taking the processor from every other VM.)
        cpu.nextEventNs = Infinity;
        const code = cpu.run(budget, Math.min(slice.end, events.nextAt));
        const ran = cpu.instructions - i0;
        budget -= ran;
        // Progress (or any other kind of stop) ends a run of shadow fills.
        if (ran > 1 || code !== STOP_EXIT || cpu.exit?.kind !== "exception") {
          this.#lastFault = "";
        }
        vm.stats.instructions += ran;
        vm.stats.guestNs += cpu.ns - t0;
        this.syncFromCpu(vm);
        switch (code) {
          case STOP_EXIT: {
            const refund = this.#handleExit(vm, cpu.exit!);
            if (refund) {
              budget += 1;
              vm.stats.instructions -= 1;
            }
            break;
          }
          case STOP_TIME:
            break;
          case STOP_LIMIT:
            return { stop: "limit" };
          case STOP_IDLE:
            slice = null;
            vm.status = "waiting";
            if (this.#tracing) {
              this.#trace(vm, "schedule", `${vm.name} waits for an interrupt`);
            }
            break;
          case STOP_BREAKPOINT:
            return { stop: "breakpoint" };
          case STOP_REQUEST:
            break;
          case STOP_HALT:
            return { stop: "halt" };
        }
      }
    } finally {
      if (options.breakpoints) cpu.setBreakpoints([]);
      for (const v of candidates) this.syncFromCpu(v);
    }
  }

  /** Delivers pending virtual interrupts the virtual IPL allows; false if the VM halted. */
  #deliverInterrupts(vm: VirtualMachine): boolean {
    for (;;) {
      const ipl = (vm.vpsl >>> 16) & 31;
      const sw = vm.ipr.sisr === 0 ? 0 : 31 - Math.clz32(vm.ipr.sisr);
      let hw = 0;
      let src = -1;
      for (let s = 0; s < VIRQ_INFO.length; s++) {
        if ((vm.irq >> s) & 1 && VIRQ_INFO[s]![0] > hw) {
          hw = VIRQ_INFO[s]![0];
          src = s;
        }
      }
      if (Math.max(hw, sw) <= ipl) return vm.status !== "halted";
      try {
        if (hw >= sw) {
          vm.irq &= ~(1 << src);
          this.#reflect(vm, VIRQ_INFO[src]![1], [], hw);
        } else {
          vm.ipr.sisr &= ~(1 << sw);
          this.#reflect(vm, SCB.SOFTWARE_BASE + 4 * sw, [], sw);
        }
        vm.stats.interrupts++;
      } catch (e) {
        if (e instanceof VmHalt) {
          this.#haltVm(vm, e.reason);
          return false;
        }
        throw e;
      }
    }
  }

  #notify(vm: VirtualMachine): void {
    if (!this.#deliverable(vm)) return;
    if (vm.status === "waiting") vm.status = "ready";
    if (this.#onCpu === vm) this.machine.cpu.requestStop();
    this.#wakeHost();
  }

  #haltVm(vm: VirtualMachine, reason: string): void {
    vm.status = "halted";
    vm.haltReason = reason;
    vm.ipr.conpc = vm.r[15]!;
    vm.ipr.conpsl = vm.vpsl;
    if (this.#tracing) this.#trace(vm, "halt", `${vm.name} halted: ${reason}`);
  }

  // -------------------------------------------------------------------------
  // Exits.

  /**
   * Counts, charges and traces an exit and gives it to the exit hooks;
   * returns its kind, or null when a hook took it over.
   */
  #enterExit(vm: VirtualMachine, x: CpuExit): string | null {
    const kind = x.kind === "vm-emulation"
      ? (OPCODE_BY_BYTE[x.opcode]?.mnemonic ?? "?")
      : x.kind === "interrupt"
      ? "interrupt"
      : x.vector === SCB.ACCESS_VIOLATION
      ? "ACV"
      : x.vector === SCB.TRANSLATION_NOT_VALID
      ? "TNV"
      : vectorName(x.vector);
    vm.stats.exits[kind] = (vm.stats.exits[kind] ?? 0) + 1;
    vm.stats.totalExits++;
    this.#chargeVm(vm, this.costs.exitEntry);
    if (this.#tracing) {
      this.#trace(vm, "exit", `exit: ${kind} at ${hex8(x.pc)}`, {
        kind: x.kind,
        vector: x.vector,
        realPsl: x.psl,
        ...(x.kind === "vm-emulation"
          ? {
            mnemonic: kind,
            operand: x.operands[0]?.value ?? 0,
            next: x.nextPc,
          }
          : {}),
      });
    }
    if (
      this.hooks.has("exit") &&
      this.hooks.dispatch("exit", {
        vm,
        kind,
        exit: x,
        ns: this.machine.cpu.ns,
        level: this.level,
      }, kind)
    ) {
      if (this.#tracing) {
        this.#trace(vm, "exit", `exit: ${kind} handled by a hook`);
      }
      return null;
    }
    return kind;
  }

  /** Handles an exit; returns true when the instruction must be retried (refund). */
  #handleExit(vm: VirtualMachine, x: CpuExit): boolean {
    if (this.#enterExit(vm, x) === null) return false;
    try {
      if (x.kind === "interrupt") {
        if (x.vector === SCB.DISK) this.#pollDisk();
        return false;
      }
      if (x.kind === "vm-emulation") {
        this.#emulate(vm, x);
        return false;
      }
      if (
        x.vector === SCB.ACCESS_VIOLATION ||
        x.vector === SCB.TRANSLATION_NOT_VALID
      ) {
        return this.#memoryFault(
          vm,
          x.vector,
          x.params[0]!,
          x.params[1]! >>> 0,
          x.access,
        );
      }
      this.#reflect(vm, x.vector, x.params, -1);
      return false;
    } catch (e) {
      if (
        x.kind === "vm-emulation" && !(e instanceof VmHalt && x.opcode === 0)
      ) {
        // Back the instruction out: undo the operand side effects #emulate
        // redid before executing it.
        for (const [reg, delta] of x.rollback) vm.r[reg] = vm.r[reg]! - delta;
      }
      if (e instanceof GuestFault) {
        // The emulation itself faulted: reflect as a fault of the instruction.
        vm.r[15] = x.pc | 0;
        // A fault clears PSL<TP> before the PSL is pushed (5.3), so the
        // retried instruction is traced once. (The exit's PSL still has the
        // TP the processor set when it began the instruction.)
        vm.vpsl &= ~PSL_TP;
        try {
          this.#reflect(vm, e.vector, e.params, -1, e.severe);
        } catch (e2) {
          if (e2 instanceof VmHalt) this.#haltVm(vm, e2.reason);
          else throw e2;
        }
        return false;
      }
      if (e instanceof VmHalt) {
        this.#haltVm(vm, e.reason);
        return false;
      }
      throw e;
    }
  }

  /**
   * The KA655 machine-check parameters (5.4): byte count 0x10, code (0x80
   * read, 0x82 write), VA + 4, state 1 (opcode, highest pending software
   * IPL, CADR, MSER) and state 2 (0x00C07000 + PC advance).
   */
  #machineCheckFrame(
    vm: VirtualMachine,
    va: number,
    access?: CpuExit["access"],
  ): number[] {
    const sw = vm.ipr.sisr === 0 ? 0 : 31 - Math.clz32(vm.ipr.sisr);
    const opcode = access?.opcode ?? 0;
    const state1 = ((opcode & 0xff) << 24) | (sw << 16) |
      ((vm.ipr.cadr & 0xff) << 8) |
      (vm.ipr.mser & 0xff);
    return [
      0x10,
      access?.write ? 0x82 : 0x80,
      (va + 4) | 0,
      state1,
      0x00c07000 + ((access?.delta ?? 0) & 0xff),
    ];
  }

  /** ACV or TNV while the VM ran: a shadow miss to fill, or the guest's own fault. */
  #memoryFault(
    vm: VirtualMachine,
    vector: number,
    mask: number,
    va: number,
    access?: CpuExit["access"],
  ): boolean {
    const set = this.#activeSet(vm);
    const write = (mask & MM_WRITE) !== 0;
    const key = `${vm.name}:${set.view}:${vm.r[15]}:${va}:${mask}:${vector}`;
    if (vector === SCB.TRANSLATION_NOT_VALID && (mask & MM_PTE_REF) !== 0) {
      // The real system PTE of a shadow process-table page is not there yet.
      if (set.ensureTablePage(va)) {
        this.machine.cpu.tbFlushAll();
        return true;
      }
    }
    const vmode = (vm.vpsl >>> 24) & 3;
    // Shared tables give virtual executive the kernel's rights (the weakness
    // vm-extensions.md describes), so walk with kernel rights for it.
    const mode = this.policy === "shared" && vmode === 1 ? 0 : vmode;
    const gpa = this.#guestTranslate(vm, va, mode, write);
    if (vm.realAddress(gpa) < 0) {
      // Nonexistent guest memory: the machine check the KA655 reports
      // (vax-architecture.md 5.4), with the frame bare hardware pushes.
      throw new GuestFault(
        SCB.MACHINE_CHECK,
        this.#machineCheckFrame(vm, va, access),
        true,
      );
    }
    if (this.#lastFault === key) {
      // The fill did not help: never loop; the VM stops with a clear reason.
      throw new VmHalt(
        `monitor cannot shadow VA 0x${hex8(va)} (mask ${mask}) at PC 0x${
          hex8(vm.r[15]!)
        }`,
      );
    }
    this.#lastFault = key;
    this.#fillShadow(vm, set, va, gpa);
    return true;
  }

  #fillShadow(
    vm: VirtualMachine,
    set: ShadowSet,
    va: number,
    gpa: number,
  ): void {
    set.ensureTablePage(va);
    if (set.ptePa(va) < 0) {
      throw new VmHalt(
        `monitor shadow tables do not cover VA 0x${
          hex8(va)
        } (guest tables too large)`,
      );
    }
    let guestPte: number;
    if (vm.ipr.mapen) {
      const pte = this.#guestPte(vm, va);
      guestPte = pte;
    } else {
      guestPte = (PTE_V | (4 << 27) | PTE_M) >>> 0; // no protection when mapping is off
    }
    const frame = vm.frames[gpa >>> 9]!;
    const shadow = set.fill(
      va,
      guestPte,
      frame,
      (vm.vpsl & PSL_VM) !== 0 ? "split" : this.policy,
    );
    this.machine.cpu.tbFlushOne(va | 0);
    vm.stats.shadowFills++;
    this.#chargeVm(vm, this.costs.shadowFill);
    if (this.#tracing) {
      this.#trace(
        vm,
        "shadow-fill",
        `shadow fill VA ${hex8(va)} -> frame ${hex8(frame)}`,
        {
          va,
          guestPte,
          shadowPte: shadow,
          view: set.view,
        },
      );
    }
  }

  /** The guest's final PTE for va (after a successful walk). */
  #guestPte(vm: VirtualMachine, va: number): number {
    const mem = this.machine.memory;
    const r = walk(vm.ipr, va, 0, false, (gpa) => {
      const pa = vm.realAddress(gpa);
      return pa < 0 ? undefined : mem.readL(pa);
    });
    if (isWalkFault(r)) {
      // Protection may deny kernel reads but the access succeeded in another
      // mode (e.g. a write-only view); read the PTE directly.
      return this.#rawGuestPte(vm, va) ?? 0;
    }
    return r.pte;
  }

  #rawGuestPte(vm: VirtualMachine, va: number): number | undefined {
    const g = vm.ipr;
    const vpn = (va >>> 9) & 0x1fffff;
    const region = va >>> 30;
    let gpa: number;
    if (region === 2) gpa = g.sbr + 4 * vpn;
    else {
      const pteVa = region === 0 ? g.p0br + 4 * vpn : g.p1br + 4 * vpn;
      const svpn = (pteVa >>> 9) & 0x1fffff;
      if (svpn >= g.slr) return undefined;
      const spa = vm.realAddress(g.sbr + 4 * svpn);
      if (spa < 0) return undefined;
      const spte = this.machine.memory.readL(spa);
      gpa = ((spte & 0x1fffff) << 9) | (pteVa & 511);
    }
    const pa = vm.realAddress(gpa);
    return pa < 0 ? undefined : this.machine.memory.readL(pa) >>> 0;
  }

  // -------------------------------------------------------------------------
  // Reflection: exceptions and interrupts through the guest's SCB (5.5).

  #reflect(
    vm: VirtualMachine,
    vector: number,
    params: number[],
    level: number,
    severe = false,
  ): void {
    if (
      this.hooks.has("reflect") &&
      this.hooks.dispatch("reflect", {
        vm,
        vector,
        params,
        level,
        ns: this.machine.cpu.ns,
      }, vectorName(vector))
    ) return;
    const scbPa = (vm.ipr.scbb + vector) >>> 0;
    let vec: number;
    try {
      vec = this.#guestPhysReadL(vm, scbPa);
    } catch {
      throw new VmHalt("SCB vector read from nonexistent memory");
    }
    if (severe) vec |= 1;
    if ((vec & 2) !== 0) throw new VmHalt("invalid SCB vector");
    const oldPsl = vm.vpsl;
    const oldPc = vm.r[15]!;
    const oldIs = (oldPsl & PSL_IS) !== 0;
    const oldCur = (oldPsl >>> 24) & 3;
    const oldR14 = vm.r[14]!;
    let newIs = true;
    if (!oldIs) {
      vm.vstk[oldCur] = vm.r[14]!;
      newIs = (vec & 1) !== 0;
      vm.r[14] = newIs ? vm.vstk[4]! : vm.vstk[0]!;
    }
    const ipl = level >= 0
      ? level
      : (vec & 1) !== 0
      ? 31
      : (oldPsl >>> 16) & 31;
    const prv = level >= 0 ? 0 : oldCur;
    vm.vpsl = (newIs ? PSL_IS : 0) | (prv << 22) | (ipl << 16);
    try {
      let sp = vm.r[14]!;
      // PSL, then PC, then the parameters, last parameter first.
      for (let k = -2; k < params.length; k++) {
        const v = k === -2
          ? oldPsl
          : k === -1
          ? oldPc
          : params[params.length - 1 - k]!;
        this.#guestWrite(vm, (sp - 4) >>> 0, v, 0);
        sp -= 4;
      }
      vm.r[14] = sp;
    } catch (e) {
      if (!(e instanceof GuestFault)) throw e;
      if (newIs || severe) {
        throw new VmHalt("exception while pushing on the interrupt stack");
      }
      // Kernel stack not valid.
      vm.vpsl = oldPsl;
      vm.r[14] = oldR14;
      vm.r[15] = oldPc;
      this.#reflect(vm, SCB.KERNEL_STACK_NOT_VALID, [], -1, true);
      return;
    }
    vm.r[15] = vec & ~3;
    vm.stats.reflected++;
    this.#chargeVm(vm, this.costs.reflection);
    if (this.#tracing) {
      this.#trace(
        vm,
        "reflect",
        `reflect ${level >= 0 ? "interrupt" : "exception"} ${
          vectorName(vector)
        } into ${vm.name}: PC ${hex8(oldPc)} -> ${hex8(vm.r[15]!)}`,
        { vector, level, oldPsl: oldPsl >>> 0, newPsl: vm.vpsl >>> 0 },
      );
    }
  }

  // -------------------------------------------------------------------------
  // Emulation of sensitive instructions.

  #emulate(vm: VirtualMachine, x: CpuExit): void {
    const mnemonic = OPCODE_BY_BYTE[x.opcode]?.mnemonic ?? "?";
    const ops = x.operands;
    const vcur = (vm.vpsl >>> 24) & 3;
    vm.stats.emulated++;
    const extra = x.opcode === 0x06 || x.opcode === 0x07
      ? this.costs.contextEmulation
      : 0;
    this.#chargeVm(vm, this.costs.emulation + extra);
    // Operand specifiers are evaluated before the instruction executes
    // (vax-architecture.md 3.6, 7 steps 3-4): redo their register side
    // effects first, so that MTPR (SP)+,#KSP, MFPR #KSP,-(SP) and CHMK (SP)+
    // see SP as the hardware does. (They used to be redone at completion,
    // after the IPR access.) #handleExit undoes them if the emulation
    // faults or halts, as the hardware backs the instruction out.
    for (const [reg, delta] of x.rollback) vm.r[reg] = vm.r[reg]! + delta;
    const complete = (cc?: number) => {
      vm.r[15] = x.nextPc | 0;
      if (cc !== undefined) vm.vpsl = (vm.vpsl & ~0xf) | cc;
    };
    const before = vm.vpsl;
    switch (x.opcode) {
      case 0x00: // HALT
        vm.r[15] = x.nextPc | 0;
        if (this.#tracing) {
          this.#trace(vm, "emulate", `emulate HALT: ${vm.name} halts`);
        }
        throw new VmHalt("HALT instruction");
      case 0x02:
        this.#emulateRei(vm);
        break;
      case 0xbc:
      case 0xbd:
      case 0xbe:
      case 0xbf:
        this.#emulateChm(vm, x, x.opcode - 0xbc, ops[0]!.value);
        break;
      case 0xda: { // MTPR
        const v = ops[0]!.value | 0;
        const cc = (vm.vpsl & 1) | (v < 0 ? 8 : v === 0 ? 4 : 0);
        const n = ops[1]!.value >>> 0;
        const extraV = this.writeVirtualIpr(vm, n, v, true);
        complete(cc | (extraV ? 2 : 0));
        break;
      }
      case 0xdb: { // MFPR
        const v = this.readVirtualIpr(vm, ops[0]!.value >>> 0, true) | 0;
        const dst = ops[1]!;
        if (dst.register >= 0) vm.r[dst.register] = v;
        else this.#guestWrite(vm, dst.address, v, vcur);
        complete((vm.vpsl & 1) | (v < 0 ? 8 : v === 0 ? 4 : 0));
        break;
      }
      case 0x06:
        this.#emulateLdpctx(vm);
        complete();
        break;
      case 0x07:
        this.#emulateSvpctx(vm);
        complete();
        break;
      case 0x0c:
      case 0x0d: {
        const ok = this.#emulateProbe(
          vm,
          ops[0]!.value,
          ops[1]!.value,
          ops[2]!.value,
          x.opcode === 0x0d,
        );
        complete((vm.vpsl & 1) | (ok ? 0 : 4));
        break;
      }
      default:
        throw new GuestFault(SCB.RESERVED_INSTRUCTION, []);
    }
    if (this.#tracing) {
      this.#trace(
        vm,
        "emulate",
        `emulate ${mnemonic}: PC ${hex8(x.pc)} -> ${hex8(vm.r[15]!)}`,
        {
          mnemonic,
          oldPsl: before >>> 0,
          newPsl: vm.vpsl >>> 0,
        },
      );
    }
    this.#afterPslChange(vm, before);
  }

  /** After the virtual mode may have changed: select the shadow view. */
  #afterPslChange(vm: VirtualMachine, before: number): void {
    const a = (before >>> 24) & 3;
    const b = (vm.vpsl >>> 24) & 3;
    if (this.policy === "split" && (a === 1) !== (b === 1)) {
      // The executive view differs: the real MMU registers change (loaded at resume).
      this.#mmuFor = null;
    }
  }

  #emulateRei(vm: VirtualMachine): void {
    const psl = vm.vpsl;
    const cur = (psl >>> 24) & 3;
    const sp = vm.r[14]!;
    const newPc = this.#guestRead(vm, sp >>> 0, cur);
    const np = this.#guestRead(vm, (sp + 4) >>> 0, cur);
    const nCur = (np >>> 24) & 3;
    const nPrv = (np >>> 22) & 3;
    const nIpl = (np >>> 16) & 31;
    const nIs = (np & PSL_IS) !== 0;
    const ipl = (psl >>> 16) & 31;
    const rof = () => new GuestFault(SCB.RESERVED_OPERAND, []);
    // The virtual machine is a standard VAX: bit 29 is must-be-zero for it.
    if ((np & PSL_MBZ) !== 0 || nCur < cur || (np & 0x80000000) !== 0) {
      throw rof();
    }
    if (nCur !== 0) {
      if (nIs || nIpl !== 0 || nPrv < nCur) throw rof();
    } else {
      if (nIs && (psl & PSL_IS) === 0) throw rof();
      if (nIs && nIpl === 0) throw rof();
      if (nIpl > ipl) throw rof();
    }
    const nsp = sp + 8;
    if ((psl & PSL_IS) !== 0) vm.vstk[4] = nsp;
    else vm.vstk[cur] = nsp;
    vm.vpsl = (np & ~0x40000000) | ((np | psl) & 0x40000000);
    vm.r[14] = nIs ? vm.vstk[4]! : vm.vstk[nCur]!;
    if (!nIs && nCur >= vm.ipr.astlvl) vm.ipr.sisr |= 1 << 2;
    vm.r[15] = newPc;
  }

  #emulateChm(
    vm: VirtualMachine,
    x: CpuExit,
    opMode: number,
    code: number,
  ): void {
    const psl = vm.vpsl;
    if ((psl & PSL_IS) !== 0) {
      throw new VmHalt("CHMx executed while on interrupt stack");
    }
    const vec = this.#guestPhysReadL(
      vm,
      (vm.ipr.scbb + SCB.CHMK + 4 * opMode) >>> 0,
    );
    const cur = (psl >>> 24) & 3;
    const target = Math.min(opMode, cur);
    const savedR14 = vm.r[14]!;
    vm.vstk[cur] = vm.r[14]!;
    const nsp = vm.vstk[target]!;
    const sxCode = (code << 16) >> 16;
    try {
      // Check both ends first, as the hardware does (section 7 step 5).
      this.#guestTranslate(vm, (nsp - 1) >>> 0, target, true);
      this.#guestTranslate(vm, (nsp - 12) >>> 0, target, true);
      this.#guestWrite(vm, (nsp - 4) >>> 0, psl, target);
      this.#guestWrite(vm, (nsp - 8) >>> 0, x.nextPc, target);
      this.#guestWrite(vm, (nsp - 12) >>> 0, sxCode, target);
    } catch (e) {
      vm.r[14] = savedR14;
      throw e;
    }
    vm.r[14] = nsp - 12;
    vm.vpsl = (target << 24) | (cur << 22) | (psl & 0x001f0000);
    vm.r[15] = vec & ~3;
  }

  #emulateProbe(
    vm: VirtualMachine,
    modeOp: number,
    len: number,
    base: number,
    write: boolean,
  ): boolean {
    const mode = Math.max(modeOp & 3, (vm.vpsl >>> 22) & 3);
    const check = (va: number): boolean => {
      try {
        this.#guestTranslateProbe(vm, va >>> 0, mode, write);
        return true;
      } catch (e) {
        if (!(e instanceof GuestFault)) throw e;
        // A page-table entry beyond the guest's memory is a machine check,
        // as on bare hardware, not "inaccessible".
        if (e.vector === SCB.MACHINE_CHECK) throw e;
        const mask = e.params[0] ?? 0;
        if (
          e.vector === SCB.TRANSLATION_NOT_VALID && (mask & MM_PTE_REF) !== 0
        ) throw e;
        // A not-valid page whose protection allows access counts as accessible.
        if (e.vector === SCB.TRANSLATION_NOT_VALID) return true;
        return false;
      }
    };
    const l = len & 0xffff;
    return check(base) && check((base + l - 1) >>> 0);
  }

  #guestTranslateProbe(
    vm: VirtualMachine,
    va: number,
    mode: number,
    write: boolean,
  ): void {
    const mem = this.machine.memory;
    const r = this.#walkGuest(vm, va, mode, write);
    if (!isWalkFault(r) && write && r.ptePa >= 0 && (r.pte & PTE_M) === 0) {
      // As on SimH (vax-architecture.md 8.1): a successful PROBEW sets M.
      const pa = vm.realAddress(r.ptePa);
      if (pa >= 0) mem.writeL(pa, (r.pte | PTE_M) | 0);
    }
    if (isWalkFault(r)) {
      const f = r as WalkFault;
      // Length violations on the process-PTE reference mean "not accessible".
      if (f.vector === SCB.ACCESS_VIOLATION) {
        throw new GuestFault(f.vector, [f.mask & ~MM_PTE_REF, f.va]);
      }
      throw new GuestFault(f.vector, [f.mask, f.va]);
    }
  }

  #emulateLdpctx(vm: VirtualMachine): void {
    const pcb = vm.ipr.pcbb >>> 0;
    const rd = (off: number) => this.#guestPhysReadL(vm, pcb + off);
    const stk = [rd(0), rd(4), rd(8), rd(12)];
    const regs = Array.from({ length: 14 }, (_, k) => rd(0x10 + 4 * k));
    const pc = rd(0x48);
    const psl = rd(0x4c);
    const w54 = rd(0x54);
    const w5c = rd(0x5c);
    vm.ipr.p0br = rd(0x50) & ~3;
    vm.ipr.p0lr = w54 & 0x3fffff;
    vm.ipr.astlvl = (w54 >>> 24) & 7;
    vm.ipr.p1br = rd(0x58) & ~3;
    vm.ipr.p1lr = w5c & 0x3fffff;
    vm.ipr.pme = (w5c >>> 31) & 1;
    for (let k = 0; k < 4; k++) vm.vstk[k] = stk[k]!;
    if ((vm.vpsl & PSL_IS) !== 0) {
      vm.vstk[4] = vm.r[14]!;
      vm.vpsl &= ~PSL_IS;
    }
    for (let k = 0; k < 14; k++) vm.r[k] = regs[k]!;
    const sp = vm.vstk[0]! - 8;
    vm.r[14] = sp;
    this.#flushProcess(vm);
    this.#guestWrite(vm, sp >>> 0, pc, 0);
    this.#guestWrite(vm, (sp + 4) >>> 0, psl, 0);
  }

  #emulateSvpctx(vm: VirtualMachine): void {
    const sp = vm.r[14]!;
    const pc = this.#guestRead(vm, sp >>> 0, 0);
    const psl = this.#guestRead(vm, (sp + 4) >>> 0, 0);
    const pcb = vm.ipr.pcbb >>> 0;
    // Check the PCB exists before changing anything.
    this.#guestPhysReadL(vm, pcb + 0x4c);
    if ((vm.vpsl & PSL_IS) !== 0) {
      vm.r[14] = sp + 8;
    } else {
      vm.vstk[0] = sp + 8;
      vm.r[14] = vm.vstk[4]!;
      vm.vpsl |= PSL_IS;
      if ((vm.vpsl & 0x001f0000) === 0) vm.vpsl |= 1 << 16;
    }
    const wr = (off: number, v: number) =>
      this.#guestPhysWriteL(vm, pcb + off, v);
    for (let k = 0; k < 4; k++) wr(4 * k, vm.vstk[k]!);
    for (let k = 0; k < 14; k++) wr(0x10 + 4 * k, vm.r[k]!);
    wr(0x48, pc);
    wr(0x4c, psl);
  }

  // -------------------------------------------------------------------------
  // Virtual IPRs.

  /**
   * Reads a virtual IPR as MFPR in the guest would.
   *
   * @throws {RangeError} for registers MFPR would refuse (host callers)
   */
  readVirtualIpr(vm: VirtualMachine, n: number, fromGuest = false): number {
    const g = vm.ipr;
    const p = vm.vpsl;
    const is = (p & PSL_IS) !== 0;
    const cur = (p >>> 24) & 3;
    const rof = (): never => {
      if (fromGuest) throw new GuestFault(SCB.RESERVED_OPERAND, []);
      throw new RangeError(
        `Cannot read IPR ${n} of VM "${vm.name}": MFPR would raise a reserved operand fault`,
      );
    };
    switch (n) {
      case IPR.KSP:
      case IPR.ESP:
      case IPR.SSP:
      case IPR.USP:
        return !is && cur === n ? vm.r[14]! : vm.vstk[n]!;
      case IPR.ISP:
        return is ? vm.r[14]! : vm.vstk[4]!;
      case IPR.P0BR:
        return g.p0br;
      case IPR.P0LR:
        return g.p0lr;
      case IPR.P1BR:
        return g.p1br;
      case IPR.P1LR:
        return g.p1lr;
      case IPR.SBR:
        return g.sbr;
      case IPR.SLR:
        return g.slr;
      case IPR.PCBB:
        return g.pcbb;
      case IPR.SCBB:
        return g.scbb;
      case IPR.IPL:
        return (p >>> 16) & 31;
      case IPR.ASTLVL:
        return g.astlvl;
      case IPR.SISR:
        return g.sisr;
      case IPR.ICCS:
        return g.iccs & 0x40;
      case IPR.TODR:
        return (g.todrBase + Math.floor(this.machine.cpu.ns / 10_000_000)) | 0;
      case IPR.RXCS:
        return vm.console.rxcs & 0xc0;
      case IPR.RXDB: {
        const v = vm.console.rxdb & 0xff;
        if (fromGuest) {
          vm.console.rxcs &= ~0x80;
          vm.irq &= ~(1 << VIRQ.CONSOLE_RX);
          this.#scheduleRx(vm);
        }
        return v;
      }
      case IPR.TXCS:
        return vm.console.txcs & 0xc0;
      case IPR.TXDB:
        return 0;
      case IPR.MAPEN:
        return g.mapen;
      case IPR.PME:
        return g.pme;
      case IPR.SID:
        return KA655_SID;
      case IPR.CADR:
        return g.cadr;
      case IPR.MSER:
        return g.mser;
      case IPR.CONPC:
        return g.conpc;
      case IPR.CONPSL:
        return g.conpsl;
      case IPR.DKBLK:
        return vm.disk.blk;
      case IPR.DKMEM:
        return vm.disk.mem;
      case IPR.DKCNT:
        return vm.disk.cnt;
      case IPR.DKCS:
        return vm.disk.cs;
      case IPR.DKSIZE:
        return vm.disk.blocks;
      case IPR.SIRR:
      case IPR.TBIA:
      case IPR.TBIS:
      case IPR.TBCHK:
        return rof();
      default:
        if (n > IPR_MAX_KA655) return rof();
        return 0;
    }
  }

  /**
   * Writes a virtual IPR as MTPR in the guest would. Returns true when
   * MTPR's V bit is set (TBCHK hit).
   *
   * @throws {RangeError} for writes MTPR would refuse (host callers)
   */
  writeVirtualIpr(
    vm: VirtualMachine,
    n: number,
    v: number,
    fromGuest = false,
  ): boolean {
    const g = vm.ipr;
    const is = (vm.vpsl & PSL_IS) !== 0;
    const cur = (vm.vpsl >>> 24) & 3;
    const rof = (): never => {
      if (fromGuest) throw new GuestFault(SCB.RESERVED_OPERAND, []);
      throw new RangeError(
        `Cannot write IPR ${n} of VM "${vm.name}": MTPR of 0x${
          hex8(v)
        } would raise a reserved operand fault`,
      );
    };
    switch (n) {
      case IPR.KSP:
      case IPR.ESP:
      case IPR.SSP:
      case IPR.USP:
        if (!is && cur === n) vm.r[14] = v;
        else vm.vstk[n] = v;
        return false;
      case IPR.ISP:
        if (is) vm.r[14] = v;
        else vm.vstk[4] = v;
        return false;
      case IPR.P0BR:
        g.p0br = v & ~3;
        this.#flushProcess(vm);
        return false;
      case IPR.P0LR:
        g.p0lr = v & 0x3fffff;
        this.#flushProcess(vm);
        return false;
      case IPR.P1BR:
        g.p1br = v & ~3;
        this.#flushProcess(vm);
        return false;
      case IPR.P1LR:
        g.p1lr = v & 0x3fffff;
        this.#flushProcess(vm);
        return false;
      case IPR.SBR:
        g.sbr = v & ~3;
        this.#relayout(vm);
        return false;
      case IPR.SLR:
        g.slr = v & 0x3fffff;
        this.#relayout(vm);
        return false;
      case IPR.PCBB:
        g.pcbb = v & ~3;
        return false;
      case IPR.SCBB:
        g.scbb = v & ~3;
        return false;
      case IPR.IPL:
        vm.vpsl = (vm.vpsl & ~0x001f0000) | ((v & 31) << 16);
        return false;
      case IPR.ASTLVL:
        if ((v >>> 0) > 4) return rof();
        g.astlvl = v & 7;
        return false;
      case IPR.SIRR:
        if ((v & 15) !== 0) g.sisr |= 1 << (v & 15);
        return false;
      case IPR.SISR:
        g.sisr = v & 0xfffe;
        return false;
      case IPR.ICCS:
        this.#writeIccs(vm, v);
        return false;
      case IPR.TODR:
        g.todrBase = (v - Math.floor(this.machine.cpu.ns / 10_000_000)) | 0;
        return false;
      // 9.2: setting IE while DONE/RDY=1 requests an interrupt; writing IE=1
      // when it is already 1 does not (as on bare hardware: a handler that
      // re-enables IE used to get an endless stream of interrupts).
      case IPR.RXCS: {
        const wasIe = (vm.console.rxcs & 0x40) !== 0;
        vm.console.rxcs = (vm.console.rxcs & 0x80) | (v & 0x40);
        if ((v & 0x40) === 0) vm.irq &= ~(1 << VIRQ.CONSOLE_RX);
        else if (!wasIe && vm.console.rxcs & 0x80) {
          vm.irq |= 1 << VIRQ.CONSOLE_RX;
        }
        return false;
      }
      case IPR.TXCS: {
        const wasIe = (vm.console.txcs & 0x40) !== 0;
        vm.console.txcs = (vm.console.txcs & 0x80) | (v & 0x40);
        if ((v & 0x40) === 0) vm.irq &= ~(1 << VIRQ.CONSOLE_TX);
        else if (!wasIe && vm.console.txcs & 0x80) {
          vm.irq |= 1 << VIRQ.CONSOLE_TX;
        }
        return false;
      }
      case IPR.TXDB:
        this.#transmit(vm, v & 0xff);
        return false;
      case IPR.RXDB:
        return false;
      case IPR.MAPEN:
        g.mapen = v & 1;
        this.#relayout(vm);
        return false;
      case IPR.TBIA:
        vm.shadow.kernel.clearAll();
        vm.shadow.exec.clearAll();
        vm.stats.shadowFlushes++;
        this.#chargeVm(vm, this.costs.shadowFlush);
        this.machine.cpu.tbFlushAll();
        return false;
      case IPR.TBIS:
        vm.shadow.kernel.invalidate(v >>> 0);
        vm.shadow.exec.invalidate(v >>> 0);
        this.machine.cpu.tbFlushOne(v);
        return false;
      case IPR.TBCHK:
        return (this.#activeSet(vm).read(v >>> 0) & PTE_V) !== 0;
      case IPR.PME:
        g.pme = v & 1;
        return false;
      case IPR.CADR:
        g.cadr = v & 0xff;
        return false;
      case IPR.MSER:
        g.mser = 0;
        return false;
      case IPR.SID:
      case IPR.CONPC:
      case IPR.CONPSL:
      case IPR.DKSIZE:
        return rof();
      case IPR.IORESET:
        this.#ioReset(vm);
        return false;
      case IPR.DKBLK:
        vm.disk.blk = v >>> 0;
        return false;
      case IPR.DKMEM:
        vm.disk.mem = v >>> 0;
        return false;
      case IPR.DKCNT:
        vm.disk.cnt = v >>> 0;
        return false;
      case IPR.DKCS:
        this.#writeDkcs(vm, v);
        return false;
      default:
        if (n > IPR_MAX_KA655) return rof();
        return false;
    }
  }

  // -------------------------------------------------------------------------
  // Virtual devices.

  #writeIccs(vm: VirtualMachine, v: number): void {
    const period = this.machine.costModel.timerPeriodNs;
    if ((v & 0x40) !== 0) {
      if ((vm.ipr.iccs & 0x40) === 0) {
        vm.ipr.iccs = 0x40;
        const tick = () => {
          vm.timerCancel = null;
          if ((vm.ipr.iccs & 0x40) === 0 || vm.status === "halted") return;
          vm.irq |= 1 << VIRQ.TIMER;
          this.#notify(vm);
          schedule();
        };
        const schedule = () => {
          const now = this.machine.cpu.ns;
          vm.timerCancel = this.machine.events.schedule(
            (Math.floor(now / period) + 1) * period,
            tick,
          );
        };
        schedule();
      }
    } else {
      vm.ipr.iccs = 0;
      vm.timerCancel?.();
      vm.timerCancel = null;
      vm.irq &= ~(1 << VIRQ.TIMER);
    }
  }

  #transmit(vm: VirtualMachine, c: number): void {
    vm.console.print(c);
    vm.console.txcs &= ~0x80;
    vm.irq &= ~(1 << VIRQ.CONSOLE_TX);
    if (this.#tracing) {
      this.#trace(
        vm,
        "console-out",
        `${vm.name} output ${JSON.stringify(String.fromCharCode(c))}`,
        {
          char: c,
        },
      );
    }
    this.machine.events.schedule(
      this.machine.cpu.ns + this.machine.costModel.consoleCharNs,
      () => {
        vm.console.txcs |= 0x80;
        if (vm.console.txcs & 0x40) {
          vm.irq |= 1 << VIRQ.CONSOLE_TX;
          this.#notify(vm);
        }
      },
    );
  }

  #scheduleRx(vm: VirtualMachine): void {
    const con = vm.console;
    if (con.rxScheduled || con.input.length === 0 || (con.rxcs & 0x80) !== 0) {
      return;
    }
    con.rxScheduled = true;
    this.machine.events.schedule(
      this.machine.cpu.ns + this.machine.costModel.consoleCharNs,
      () => {
        con.rxScheduled = false;
        const c = con.input.shift();
        if (c === undefined) return;
        con.rxdb = c;
        con.rxcs |= 0x80;
        if (con.rxcs & 0x40) {
          vm.irq |= 1 << VIRQ.CONSOLE_RX;
          this.#notify(vm);
        }
      },
    );
  }

  #ioReset(vm: VirtualMachine): void {
    vm.console.rxcs = 0;
    vm.console.txcs = 0x80;
    this.#writeIccs(vm, 0);
    vm.disk.cs = DKCS.DONE;
    vm.disk.busy = false;
    // As the bare controller's reset: the registers clear too.
    vm.disk.blk = vm.disk.mem = vm.disk.cnt = 0;
    vm.irq = 0;
    for (let i = this.#ioQueue.length - 1; i >= 1; i--) {
      if (this.#ioQueue[i]!.vm === vm) this.#ioQueue.splice(i, 1);
    }
    const head = this.#ioQueue[0];
    if (head && head.vm === vm && !head.cancelled) {
      // The transfer in progress is abandoned, as on a bare disk: nothing
      // more moves and no DONE or interrupt follows. Its segment is already
      // on the real disk (which may not be reset: the request is the
      // monitor's); a read's data is not copied to the guest, and a write
      // is neutralized by refilling the bounce buffer with the blocks'
      // current contents (the real disk copies memory at completion). It
      // used to complete and copy into the guest after the reset.
      head.cancelled = true;
      const s = head.segments[head.next]!;
      if (head.func === "write") {
        const disk = this.machine.disk.data;
        this.machine.memory.u8.set(
          disk.subarray(s.realBlock * 512, (s.realBlock + s.count) * 512),
          this.#bounce * 512,
        );
      }
    }
  }

  #writeDkcs(vm: VirtualMachine, v: number): void {
    const d = vm.disk;
    const wasIe = (d.cs & DKCS.IE) !== 0;
    d.cs = (d.cs & (DKCS.DONE | DKCS.ERR | DKCS.ERRCODE_MASK)) |
      (v & (DKCS.FUNC_MASK | DKCS.IE | DKCS.ASYNC));
    const ie = (d.cs & DKCS.IE) !== 0;
    if (!ie) vm.irq &= ~(1 << VIRQ.DISK);
    else if (!wasIe && (d.cs & DKCS.DONE) !== 0 && (v & DKCS.GO) === 0) {
      vm.irq |= 1 << VIRQ.DISK;
    }
    if ((v & DKCS.GO) !== 0 && !d.busy) this.#diskGo(vm);
  }

  #diskFinish(vm: VirtualMachine, error: number): void {
    const d = vm.disk;
    d.busy = false;
    d.cs |= DKCS.DONE;
    if (error) d.cs |= DKCS.ERR | (error << DKCS.ERRCODE_SHIFT);
    if (d.cs & DKCS.IE) {
      vm.irq |= 1 << VIRQ.DISK;
      this.#notify(vm);
    }
  }

  /** A virtual GO: check, translate and start the transfer on the real disk. */
  #diskGo(vm: VirtualMachine): void {
    const d = vm.disk;
    const func = d.cs & DKCS.FUNC_MASK;
    const async = (d.cs & DKCS.ASYNC) !== 0;
    vm.stats.ioRequests++;
    d.cs &= ~(DKCS.DONE | DKCS.ERR | DKCS.ERRCODE_MASK);
    vm.irq &= ~(1 << VIRQ.DISK);
    let error = 0;
    let runs: BlockRun[] | undefined;
    if (func !== 1 && func !== 2) error = 3;
    else if (!(runs = translateBlocks(d.extents, d.blk, d.cnt))) error = 1;
    else if (d.mem + d.cnt * 512 > vm.memorySize) error = 2;
    const fname = func === 1 ? "read" : func === 2 ? "write" : "reserved";
    if (
      this.hooks.has("io") &&
      this.hooks.dispatch("io", {
        vm,
        func: fname,
        block: d.blk,
        count: d.cnt,
        memory: d.mem,
        async,
        ns: this.machine.cpu.ns,
        level: this.level,
      }, fname)
    ) {
      // The hook did the transfer (or refused it) itself.
      this.#diskFinish(vm, 0);
      return;
    }
    if (error || !runs) {
      if (this.#tracing) {
        this.#trace(
          vm,
          "minidisk",
          `${vm.name} ${fname} ${d.cnt} block(s) at ${d.blk}: refused (error ${error}), nothing moves`,
          {
            block: d.blk,
            count: d.cnt,
            error,
          },
        );
      }
      this.#diskFinish(vm, error);
      return;
    }
    this.#chargeVm(vm, this.costs.ioPageTranslation * d.cnt);
    const segments: IoRequest["segments"] = [];
    for (const run of runs) {
      for (let k = 0; k < run.blocks;) {
        const n = Math.min(run.blocks - k, BOUNCE_BLOCKS);
        segments.push({
          realBlock: run.realBlock + k,
          count: n,
          gpa: d.mem + (run.virtualBlock - d.blk + k) * 512,
        });
        k += n;
      }
    }
    if (segments.length === 0) {
      // DKCNT = 0: nothing moves, but the transfer still takes the device's
      // time and ends with DONE (and an interrupt), as on a bare disk. One
      // empty segment on the real disk does that. (A zero count used to
      // crash the monitor with a TypeError.)
      segments.push({ realBlock: d.extents[0]?.start ?? 0, count: 0, gpa: 0 });
    }
    if (this.#tracing) {
      this.#trace(
        vm,
        "minidisk",
        `${vm.name} ${fname} ${d.cnt} block(s) at virtual ${d.blk} -> real ${
          runs.map((r) => `${r.realBlock}+${r.blocks}`).join(", ")
        } ${async ? "async" : "sync"}`,
        { block: d.blk, count: d.cnt, real: segments[0]!.realBlock, async },
      );
    }
    const req: IoRequest = {
      vm,
      func: func === 1 ? "read" : "write",
      segments,
      next: 0,
      issuedNs: this.machine.cpu.ns,
    };
    if (!async) {
      // The guest's MTPR returns when the transfer is complete.
      const t0 = this.machine.cpu.ns;
      this.#waitForDisk();
      for (const s of segments) this.#transferSync(vm, req.func, s);
      vm.stats.waitNs += this.machine.cpu.ns - t0;
      this.#diskFinish(vm, 0);
      return;
    }
    d.busy = true;
    this.#ioQueue.push(req);
    if (this.#ioQueue.length === 1) this.#startSegment();
  }

  /** Lets time pass until the real disk is free (a sync request behind an async one). */
  #waitForDisk(): void {
    const disk = this.machine.disk;
    const cpu = this.machine.cpu;
    while (disk.busy) {
      const next = this.machine.events.nextAt;
      if (next === Infinity) break;
      if (next > cpu.ns) cpu.ns = next;
      this.machine.events.runDue(cpu.ns);
      this.#pollDisk();
    }
  }

  #program(
    func: "read" | "write",
    realBlock: number,
    count: number,
    pa: number,
    async: boolean,
  ): void {
    const cpu = this.machine.cpu;
    cpu.writeIpr(IPR.DKBLK, realBlock);
    cpu.writeIpr(IPR.DKMEM, pa);
    cpu.writeIpr(IPR.DKCNT, count);
    cpu.writeIpr(
      IPR.DKCS,
      (func === "read" ? 1 : 2) | (async ? DKCS.ASYNC | DKCS.IE : 0) | DKCS.GO,
    );
  }

  /** Copies between a guest buffer and the bounce buffer. */
  #bounceCopy(
    vm: VirtualMachine,
    gpa: number,
    count: number,
    toGuest: boolean,
  ): void {
    const u8 = this.machine.memory.u8;
    const base = this.#bounce * 512;
    let done = 0;
    const total = count * 512;
    while (done < total) {
      const g = gpa + done;
      const n = Math.min(512 - (g & 511), total - done);
      const pa = vm.realAddress(g);
      if (toGuest) u8.copyWithin(pa, base + done, base + done + n);
      else u8.copyWithin(base + done, pa, pa + n);
      done += n;
    }
  }

  #transferSync(
    vm: VirtualMachine,
    func: "read" | "write",
    s: IoRequest["segments"][number],
  ): void {
    // Guest pages are not contiguous in real memory: every segment goes
    // through the monitor's contiguous bounce buffer, page by page.
    if (func === "write") this.#bounceCopy(vm, s.gpa, s.count, false);
    this.#program(func, s.realBlock, s.count, this.#bounce * 512, false);
    if (func === "read") this.#bounceCopy(vm, s.gpa, s.count, true);
  }

  #startSegment(): void {
    const req = this.#ioQueue[0];
    if (!req) return;
    const s = req.segments[req.next]!;
    if (req.func === "write") this.#bounceCopy(req.vm, s.gpa, s.count, false);
    this.#program(req.func, s.realBlock, s.count, this.#bounce * 512, true);
  }

  /** Checks the real disk: completes segments and requests. */
  #pollDisk(): void {
    const disk = this.machine.disk;
    const req = this.#ioQueue[0];
    if (!req || disk.busy) return;
    if ((disk.status & DKCS.DONE) === 0) return;
    if (req.cancelled) {
      this.#ioQueue.shift();
      if (this.#ioQueue.length > 0) this.#startSegment();
      return;
    }
    const s = req.segments[req.next]!;
    if (req.func === "read") this.#bounceCopy(req.vm, s.gpa, s.count, true);
    req.next++;
    if (req.next < req.segments.length) {
      this.#startSegment();
      return;
    }
    this.#ioQueue.shift();
    if (this.#tracing) {
      this.#trace(req.vm, "minidisk", `${req.vm.name} ${req.func} complete`, {
        waitedNs: this.machine.cpu.ns - req.issuedNs,
      });
    }
    this.#diskFinish(req.vm, 0);
    if (this.#ioQueue.length > 0) this.#startSegment();
  }

  /**
   * Executes one instruction (assembly text) inside a VM in a chosen virtual
   * mode and reports what happened: the exits, what the monitor did, and
   * the state that changed. The bytes it borrows are put back; if the
   * instruction completed, PC returns to where it was, so the guest can go
   * on; if the monitor reflected an exception, the VM is left in the
   * guest's handler, as hardware would leave it.
   */
  inject(
    vm: VirtualMachine,
    source: string,
    options: InjectOptions = {},
  ): InjectResult {
    const mode = typeof options.mode === "string"
      ? MODE_BY_NAME[options.mode]
      : options.mode ?? ((vm.vpsl >>> 24) & 3);
    if (mode === undefined || !Number.isInteger(mode) || mode < 0 || mode > 3) {
      throw new RangeError(
        `Cannot inject in mode ${
          String(options.mode)
        }: expected 0-3 or kernel, executive, supervisor, user`,
      );
    }
    const at = (options.at ?? vm.r[15]!) >>> 0;
    const asm = assemble(source, { origin: at, fileName: "inject" });
    if (asm.bytes.length === 0) {
      throw new SyntaxError("Cannot inject nothing: expected one instruction");
    }
    // Where the bytes go: through the guest's own tables when mapping is on.
    const gpas: number[] = [];
    for (let i = 0; i < asm.bytes.length; i++) {
      let gpa: number;
      try {
        gpa = vm.ipr.mapen
          ? this.#guestTranslate(vm, (at + i) >>> 0, 0, false)
          : (at + i) & 0x3fffffff;
      } catch {
        throw new RangeError(
          `Cannot inject at 0x${hex8(at)}: the guest does not map it`,
        );
      }
      if (vm.realAddress(gpa) < 0) {
        throw new RangeError(
          `Cannot inject at 0x${hex8(at)}: outside the VM's memory`,
        );
      }
      gpas.push(gpa);
    }
    const u8 = this.machine.memory.u8;
    const saved = gpas.map((g) => u8[vm.realAddress(g)]!);
    gpas.forEach((g, i) => u8[vm.realAddress(g)] = asm.bytes[i]!);
    const text = disassembleOne((a) => asm.bytes[a - at] ?? 0, at).text;
    // Enter the mode, as the console would (IPL 0 and no IS outside kernel).
    const cur = (vm.vpsl >>> 24) & 3;
    if (mode !== cur) {
      const p = mode === 0
        ? (vm.vpsl & ~0x03000000)
        : (vm.vpsl & ~0x071f0000) | (mode << 24) |
          (Math.max(mode, (vm.vpsl >>> 22) & 3) << 22);
      vm.setPsl(p);
    }
    vm.r[15] = at | 0;
    const before = vm.state();
    const trace = this.machine.trace;
    const wasEnabled = trace.enabled;
    trace.enabled = true;
    const mark = trace.length;
    const exitsBefore = { ...vm.stats.exits };
    const reflectedBefore = vm.stats.reflected;
    const t0 = this.machine.cpu.ns;
    let r: RunResult;
    try {
      r = this.runVm(vm, { limit: 1 });
    } finally {
      trace.enabled = wasEnabled;
      gpas.forEach((g, i) => u8[vm.realAddress(g)] = saved[i]!);
    }
    const after = vm.state();
    const reflected = vm.stats.reflected > reflectedBefore;
    const completed = !reflected &&
      (vm.r[15]! >>> 0) === ((at + asm.bytes.length) >>> 0);
    if (completed) vm.r[15] = before.r[15]! | 0;
    const exits: Record<string, number> = {};
    for (const [k, n] of Object.entries(vm.stats.exits)) {
      const d = n - (exitsBefore[k] ?? 0);
      if (d > 0) exits[k] = d;
    }
    const changed: Record<string, [number, number]> = {};
    const names = REGISTER_NAMES;
    names.forEach((n, i) => {
      if (before.r[i] !== after.r[i]) changed[n] = [before.r[i]!, after.r[i]!];
    });
    if (before.psl !== after.psl) changed.PSL = [before.psl, after.psl];
    for (const [k, v] of Object.entries(after.iprs)) {
      const b = before.iprs[k];
      if (b !== undefined && b !== v && k !== "TODR" && k !== "RXDB") {
        changed[k] = [b, v];
      }
    }
    return new InjectReport({
      instruction: text,
      bytes: asm.bytes,
      mode,
      stop: r.stop,
      exits,
      events: trace.events.slice(mark) as TraceEvent[],
      before,
      after,
      changed,
      reflected,
      ns: this.machine.cpu.ns - t0,
    });
  }

  /**
   * Compares a VM's page table for a region with the monitor's shadow
   * tables, entry by entry (guest protection, and shadow protection after
   * remapping). With mapping off, the guest "table" is the identity map.
   */
  pageTables(
    vm: VirtualMachine,
    region: "S0" | "P0" | "P1",
    options: { from?: number; count?: number } = {},
  ): PageTableComparison {
    const g = vm.ipr;
    const rows: PageTableRow[] = [];
    const count = options.count ?? 64;
    let first: number;
    let end: number;
    if (region === "S0") {
      first = options.from ?? 0;
      end = g.mapen ? g.slr : vm.memorySize / 512;
    } else if (region === "P0") {
      first = options.from ?? 0;
      end = g.mapen ? g.p0lr : vm.memorySize / 512;
    } else {
      first = options.from ?? (g.mapen ? g.p1lr : 0x200000);
      end = 0x200000;
    }
    const base = region === "S0"
      ? 0x80000000
      : region === "P0"
      ? 0
      : 0x40000000;
    for (let vpn = first; vpn < end && rows.length < count; vpn++) {
      const va = (base + vpn * 512) >>> 0;
      const raw = g.mapen
        ? this.#rawGuestPte(vm, va)
        : (va & 0x3fffffff) < vm.memorySize
        ? (PTE_V | (4 << 27) | ((va & 0x3fffffff) >>> 9)) >>> 0
        : undefined;
      if (raw === undefined) continue;
      const k = vm.shadow.kernel.read(va);
      const e = vm.shadow.exec.read(va);
      const guest = decodePte(raw);
      const shadow = k !== 0 ? decodePte(k) : null;
      const shadowExec = this.policy === "split" && e !== 0
        ? decodePte(e)
        : null;
      rows.push({
        va,
        guest,
        shadow,
        shadowExec,
        remapped: shadow !== null && shadow.prot !== guest.prot,
      });
    }
    return new PageTableComparison(vm.name, region, this.policy, rows);
  }

  /** Formats the real PSL and VMPSL of a VM side by side. */
  describePsl(vm: VirtualMachine): PslReport {
    const p = vm.vpsl;
    const cur = (p >>> 24) & 3;
    const prv = (p >>> 22) & 3;
    const real = PSL_VM | (compressMode(cur) << 24) |
      (compressMode(prv) << 22) |
      (p & GUEST_PSL_BITS);
    return new PslReport(p, real, p & VMPSL_MASK);
  }
}
