/**
 * The virtual machine monitor, as its users hold it: a `Monitor` attached
 * to a `Machine` owns real kernel mode the way KVM's user space owns a
 * vCPU. It creates and destroys VMs, runs them, and answers the VMs' own
 * methods. The work is done by one part per duty of a VMM, which this file
 * only wires together: `scheduler.ts` (the run loop), `exits.ts` (exit
 * dispatch), `emulate.ts` and `iprs.ts` (sensitive instructions and
 * virtual IPRs), `reflect.ts` (exceptions and interrupts through the
 * guest's SCB), `guest_memory.ts`, `shadow_sync.ts` and `shadow.ts`
 * (guest memory and shadow tables), `vcpu.ts` (loading a VM on the
 * processor), `devices/` (virtual console, timer, disk and minidisks),
 * `inspect.ts` and `ledger.ts` (costs and trace). VM extensions as
 * defined by vmmlab (vm-extensions.md).
 *
 * @module
 */

import { Machine } from "../machine/machine.ts";
import type { RunOptions, RunResult, StopKind } from "../machine/hardware.ts";
import { clearInterrupt } from "../machine/interrupt.ts";
import {
  budgetReason,
  type CheckedRunOptions,
  checkRunOptions,
  INTERRUPT_REASON,
} from "../machine/run_options.ts";
import { type Bootable, VmBuilder } from "./builder.ts";
import { type MonitorCosts, monitorCosts } from "./costs.ts";
import { VirtualConsole } from "./devices/console.ts";
import {
  BOUNCE_BLOCKS,
  DiskChannel,
  type DiskPort,
  VirtualDisk,
} from "./devices/disk.ts";
import { MinidiskMap } from "./devices/minidisk.ts";
import { VirtualTimer } from "./devices/timer.ts";
import { Emulator } from "./emulate.ts";
import { ExitDispatcher } from "./exits.ts";
import { FrameAllocator } from "./frames.ts";
import { describePsl, inject, pageTables } from "./inspect.ts";
import { VirtualIprs } from "./iprs.ts";
import { Ledger } from "./ledger.ts";
import { Reflector } from "./reflect.ts";
import type {
  InjectOptions,
  InjectResult,
  PageTableComparison,
  PslReport,
} from "./reports.ts";
import { Scheduler } from "./scheduler.ts";
import { type ShadowPolicy, ShadowSet } from "./shadow.ts";
import { ShadowSync } from "./shadow_sync.ts";
import { Vcpu } from "./vcpu.ts";
import { VirtualMachine, type VmHost } from "./vm.ts";
import type { MonitorHost } from "./host.ts";
import {
  type Hook,
  type HookEventName,
  type HookFilter,
  Hooks,
} from "./hooks.ts";
import { Nesting } from "./nesting.ts";
import type { VirtualHost } from "./nested.ts";
import {
  type MonitorPagingOptions,
  Pager,
  type PagingStats,
} from "./paging/pager.ts";
import type { PagingPolicy } from "./paging/policy.ts";
import { type FrameUse, PageMapReport } from "./paging/reports.ts";

/** Frames a paging monitor leaves free at VM creation (shadow tables). */
const PAGING_RESERVE = 24;

function pagingOptions(
  o: MonitorOptions["paging"],
): MonitorPagingOptions | null {
  if (o === undefined || o === false) return null;
  if (o === true) return {};
  if (typeof o === "string" || typeof o === "function") return { policy: o };
  if (typeof o === "object" && o !== null) return o;
  throw new RangeError(
    `Cannot use paging option ${
      JSON.stringify(o)
    }: expected true, false, a policy or paging options`,
  );
}

export type { Bootable };

/** Options of a monitor. */
export interface MonitorOptions {
  /** Shadow-table policy (default `split`: exact equivalence). */
  shadow?: ShadowPolicy;
  /** Monitor cost overrides. */
  costs?: Partial<MonitorCosts>;
  /** Time slice per VM in ns of simulated time (default 10 ms). */
  quantumNs?: number;
  /**
   * The monitor's own paging (default off: every VM's memory must fit in
   * real memory). `true`, a policy name, a function, or options: real
   * memory may then be smaller than the sum of the VMs' memories, and the
   * monitor pages the rest to its paging area on the real disk
   * (paging/pager.ts).
   */
  paging?: boolean | PagingPolicy | MonitorPagingOptions;
}

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
export class Monitor<H extends MonitorHost = Machine> implements VmHost {
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
  /** The monitor's pager (null: the monitor does not page). */
  readonly pager: Pager | null;
  readonly #vms: Map<string, VirtualMachine> = new Map();
  readonly #ledger: Ledger;
  readonly #vcpu: Vcpu;
  readonly #channel: DiskChannel;
  readonly #shadows: ShadowSync;
  readonly #iprs: VirtualIprs;
  readonly #scheduler: Scheduler;
  readonly #nesting: Nesting;

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
    let outer: Monitor<MonitorHost> | null = null;
    if (hardware instanceof VirtualMachine) {
      if (!(hardware.monitor instanceof Monitor)) {
        throw new TypeError(
          `Cannot attach a monitor to VM "${hardware.name}": its monitor is not a Monitor`,
        );
      }
      outer = hardware.monitor as Monitor<MonitorHost>;
      machine = outer.#nesting.hostFor(hardware);
    } else if (hardware instanceof Machine) {
      if (!hardware.cpu.vmExtensions) {
        throw new TypeError(
          "Cannot attach a monitor: the machine was created with vmExtensions: false",
        );
      }
      machine = hardware;
    } else {
      throw new TypeError(
        "Cannot attach a monitor: expected a Machine or a VirtualMachine",
      );
    }
    this.level = outer ? outer.level + 1 : 1;
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
    this.frames = new FrameAllocator(
      BOUNCE_BLOCKS,
      totalFrames - BOUNCE_BLOCKS,
    );
    machine.cpu.hostExits = true;
    const po = pagingOptions(options.paging);
    if (po) {
      const t = machine.costModel.disk;
      const ledgerFor = () => this.#ledger;
      const pager = new Pager({
        memory: machine.memory,
        frames: this.frames,
        minidisks: this.minidisks,
        disk: machine.disk,
        cpu: machine.cpu,
        diskLatencyNs: Math.round(
          t.controllerNs + t.seekSettleNs + t.revolutionNs / 2 +
            t.revolutionNs / t.blocksPerTrack,
        ),
        pageTransferNs: monitorCosts(options.costs).pageTransfer,
        charge: (vm, ns) => ledgerFor().charge(vm, ns),
        trace: (vm, text) => {
          if (ledgerFor().tracing) {
            ledgerFor().trace(this.#vms.get(vm.name) ?? null, "page", text);
          }
        },
      }, po);
      this.frames.reclaim = () => pager.reclaimOne();
      this.frames.reclaimFrame = (f) => pager.reclaimFrame(f);
      this.pager = pager;
    } else {
      this.pager = null;
    }

    // The parts, each given only what it uses.
    const costs = this.costs;
    const ledger = this.#ledger = new Ledger(machine, this.level);
    const hooks = this.hooks;
    const vcpu = this.#vcpu = new Vcpu(machine.cpu, policy);
    const channel = this.#channel = new DiskChannel(machine, 0);
    const shadows = this.#shadows = new ShadowSync({
      machine,
      policy,
      costs,
      ledger,
      vcpu,
    });
    const reflector = new Reflector({
      memory: machine.memory,
      costs,
      ledger,
      hooks,
    });
    const iprs = this.#iprs = new VirtualIprs({
      cpu: machine.cpu,
      shadows,
      channel,
    });
    const emulator = new Emulator({
      memory: machine.memory,
      costs,
      ledger,
      iprs,
      shadows,
    });
    const exits = new ExitDispatcher({
      costs,
      ledger,
      emulator,
      shadows,
      reflector,
      channel,
      hooks,
      level: this.level,
    });
    const nesting = this.#nesting = new Nesting({
      machine,
      vms: this.#vms,
      frames: this.frames,
      costs,
      ledger,
      vcpu,
      shadows,
      exits,
      iprs,
      channel,
    });
    this.#scheduler = new Scheduler({
      machine,
      vms: this.#vms,
      quantumNs: this.quantumNs,
      costs,
      ledger,
      vcpu,
      exits,
      reflector,
      shadows,
      channel,
      wakeHost: () => nesting.wakeHost(),
    });
    if (outer && hardware instanceof VirtualMachine) {
      const o = outer;
      const vm = hardware;
      nesting.wakeHost = () => o.#nesting.wakeNested(vm);
      const scheduler = this.#scheduler;
      vm.driver = {
        interrupt: () => channel.poll(),
        drive: (limit, untilNs) =>
          scheduler.loop([...this.#vms.values()], {
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
   * kinds. A hook returning `"handled"` takes the event over; a hook that
   * throws stops the run with a `HookError`. Returns a function that
   * removes the hook.
   *
   * @example
   * ```ts
   * import { equal } from "node:assert/strict";
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
   * // The first fetches fill shadow entries (TNV, ACV); then HALT.
   * equal(seen.at(-1), "HALT");
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
    // A paging monitor gives the VM what is free (keeping a few frames for
    // shadow tables); the other pages come on first touch.
    const resident = this.pager
      ? Math.min(
        pages,
        this.pager.room,
        Math.max(0, this.frames.available - PAGING_RESERVE),
      )
      : pages;
    const frames = new Int32Array(pages).fill(-1);
    frames.set(this.frames.allocateMany(resident, name, "memory"));
    for (const f of frames) {
      if (f >= 0) this.machine.memory.u8.fill(0, f * 512, f * 512 + 512);
    }
    const port = this.#devicePort(name, memory);
    const disk = new VirtualDisk(port, this.#channel);
    try {
      for (const md of minidisks) {
        disk.extents.push(this.minidisks.allocate(md.blocks, name, md.label));
      }
    } catch (e) {
      for (const f of frames) if (f >= 0) this.frames.release(f);
      this.minidisks.releaseOwner(name);
      throw e;
    }
    const mem = this.machine.memory;
    const vm = new VirtualMachine({
      name,
      monitor: this,
      frames,
      console: new VirtualConsole(port),
      timer: new VirtualTimer(port),
      disk,
      shadow: {
        kernel: new ShadowSet(mem, this.frames, name, "kernel"),
        exec: new ShadowSet(mem, this.frames, name, "exec"),
      },
    });
    port.bind(vm);
    if (this.pager) {
      try {
        vm.attachPager(this.pager, this.pager.register(vm));
      } catch (e) {
        for (const f of frames) if (f >= 0) this.frames.release(f);
        this.minidisks.releaseOwner(name);
        throw e;
      }
    }
    this.#vms.set(name, vm);
    this.#shadows.relayout(vm);
    if (this.#ledger.tracing) {
      this.#ledger.trace(
        vm,
        "schedule",
        `created: ${memory / 1024} KiB, disk ${disk.blocks} blocks`,
      );
    }
    return vm;
  }

  /** The port through which a VM's devices reach the monitor. */
  #devicePort(
    name: string,
    memory: number,
  ): DiskPort & { bind(vm: VirtualMachine): void } {
    const machine = this.machine;
    const ledger = this.#ledger;
    const scheduler = this.#scheduler;
    const costs = this.costs;
    let vm: VirtualMachine | null = null;
    const the = (): VirtualMachine => {
      if (!vm) throw new Error(`VM "${name}" is not created yet`);
      return vm;
    };
    return {
      name,
      timing: machine.costModel,
      memorySize: memory,
      get stats() {
        return the().stats;
      },
      get tracing() {
        return ledger.tracing;
      },
      bind(v) {
        vm = v;
      },
      now: () => machine.cpu.ns,
      at: (ns, fn) => machine.events.schedule(ns, fn),
      request(source) {
        the().irq |= 1 << source;
      },
      clear(source) {
        the().irq &= ~(1 << source);
      },
      wake: () => scheduler.notify(the()),
      halted: () => the().status === "halted",
      trace: (kind, text, data) => ledger.trace(the(), kind, text, data),
      realAddress: (gpa, access) => the().realAddress(gpa, access),
      chargeTranslation: (blocks) =>
        ledger.charge(the(), costs.ioPageTranslation * blocks),
      io: (req) =>
        this.hooks.has("io") &&
        this.hooks.dispatch("io", {
          vm: the(),
          ...req,
          ns: machine.cpu.ns,
          level: this.level,
        }, req.func),
    };
  }

  /** Removes a VM and returns its memory, shadow tables and minidisks. */
  destroy(vm: VirtualMachine): void {
    if (this.#vms.get(vm.name) !== vm) return;
    this.syncFromCpu(vm);
    vm.timer.stop();
    this.pager?.forget(vm);
    for (const f of vm.frames) if (f >= 0) this.frames.release(f);
    vm.shadow.kernel.release();
    vm.shadow.exec.release();
    this.minidisks.releaseOwner(vm.name);
    this.#vms.delete(vm.name);
    this.#vcpu.forget(vm);
    vm.status = "halted";
    vm.haltReason = "destroyed";
  }

  /**
   * Real memory by owner: every real frame, free, the monitor's (bounce
   * buffer, shadow tables, paging staging) or a VM's (a guest page).
   */
  pageMap(): PageMapReport {
    const total = this.machine.memory.size / 512;
    const pageOf = new Map<number, number>();
    for (const vm of this.#vms.values()) {
      vm.frames.forEach((f, g) => {
        if (f >= 0) pageOf.set(f, g);
      });
    }
    const out: FrameUse[] = [];
    for (let f = 0; f < total; f++) {
      if (f < this.frames.first) {
        out.push({ frame: f, owner: "monitor", use: "bounce", page: -1 });
        continue;
      }
      const o = this.frames.ownerOf(f);
      if (!o) out.push({ frame: f, owner: "free", use: "free", page: -1 });
      else if (o.use === "memory") {
        out.push({
          frame: f,
          owner: o.owner,
          use: o.use,
          page: pageOf.get(f) ?? -1,
        });
      } else {
        out.push({
          frame: f,
          owner: "monitor",
          use: `${o.use} (${o.owner})`,
          page: -1,
        });
      }
    }
    return new PageMapReport(out);
  }

  /**
   * Pages one page of a VM out now (experiments: construct a double-paging
   * case).
   *
   * @throws {RangeError} when the monitor does not page or the page does not exist
   */
  pageOut(vm: VirtualMachine, page: number): void {
    const st = this.pager?.of(vm);
    if (!this.pager || !st) {
      throw new RangeError(
        `Cannot page out page ${page} of VM "${vm.name}": the monitor does not page (Monitor.on(machine, { paging: true }))`,
      );
    }
    this.syncFromCpu(vm);
    this.pager.pageOut(st, page);
  }

  /** Paging counts of every VM, by name (empty when the monitor does not page). */
  pagingStats(): Record<string, PagingStats> {
    const out: Record<string, PagingStats> = {};
    for (const p of this.pager?.vms ?? []) {
      out[p.vm.name] = structuredClone(p.stats);
    }
    return out;
  }

  /** Copies the real CPU state back into the VM, if the VM is loaded. */
  syncFromCpu(vm: VirtualMachine): void {
    this.#vcpu.syncFromCpu(vm);
  }

  /** Loads the VM's state into the real CPU (compressed modes, VMPSL). */
  syncToCpu(vm: VirtualMachine): void {
    this.#vcpu.syncToCpu(vm);
  }

  /** Called when the virtual PSL changed outside the run loop. */
  pslChanged(vm: VirtualMachine, _old: number): void {
    this.#vcpu.pslChanged(vm);
  }

  /** Runs one VM alone (the others wait). */
  runVm(vm: VirtualMachine, options?: RunOptions): RunResult {
    const checked = checkRunOptions(options, this.machine.cpu.ns, "run");
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
    this.#shadows.resetMissMemo();
    const t0 = this.machine.cpu.ns;
    const i0 = vm.stats.instructions;
    const r = this.#loop([vm], checked);
    const ran = vm.stats.instructions - i0;
    return {
      stop: r.stop,
      reason: r.stop === "halt"
        ? vm.haltReason
        : r.stop === "budget"
        ? budgetReason(ran)
        : r.stop === "interrupted"
        ? INTERRUPT_REASON
        : r.stop,
      instructions: vm.stats.instructions - i0,
      ns: this.machine.cpu.ns - t0,
      pc: vm.r[15]! >>> 0,
      psl: vm.vpsl >>> 0,
    };
  }

  /** The scheduler's loop, with a fresh interrupt flag. */
  #loop(
    vms: VirtualMachine[],
    options: CheckedRunOptions,
  ): { stop: StopKind } {
    clearInterrupt();
    const r = this.#scheduler.loop(vms, options);
    if (r.stop === "interrupted") clearInterrupt();
    return r;
  }

  /**
   * Runs every VM (or only `options.vms`), round robin in time slices,
   * until all halt or a limit. Options as for `Machine.run` (without a
   * `limit`, the default budget of host time applies; Ctrl-C stops the run
   * where something listens).
   *
   * @throws {RangeError} for options out of range (see `Machine.run`)
   */
  run(
    options?: RunOptions & { vms?: Iterable<VirtualMachine> },
  ): MonitorRunResult {
    const checked = checkRunOptions(options, this.machine.cpu.ns, "run", [
      "vms",
    ]);
    const t0 = this.machine.cpu.ns;
    const i0 = [...this.#vms.values()].reduce(
      (s, v) => s + v.stats.instructions,
      0,
    );
    const which = options?.vms
      ? [...options.vms].filter((v) => this.#vms.get(v.name) === v)
      : [...this.#vms.values()];
    const r = this.#loop(which, checked);
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

  /**
   * Reads a virtual IPR as MFPR in the guest would.
   *
   * @throws {RangeError} for registers MFPR would refuse (host callers)
   */
  readVirtualIpr(vm: VirtualMachine, n: number, fromGuest = false): number {
    return this.#iprs.read(vm, n, fromGuest);
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
    return this.#iprs.write(vm, n, v, fromGuest);
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
    return inject(this, vm, source, options);
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
    return pageTables(this.machine, this.policy, vm, region, options);
  }

  /** Formats the real PSL and VMPSL of a VM side by side. */
  describePsl(vm: VirtualMachine): PslReport {
    return describePsl(vm);
  }
}
