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

import { vmState } from "./vm.ts";
import { Machine } from "../machine/machine.ts";
import type { RunOptions } from "../machine/hardware.ts";
import { type Bootable, VmBuilder, type VmFactory } from "./builder.ts";
import type { MonitorCosts } from "./costs.ts";
import { createVm } from "./create_vm.ts";
import { BOUNCE_BLOCKS, type DiskChannel } from "./devices/disk.ts";
import { MinidiskMap } from "./devices/minidisk.ts";
import { FrameAllocator } from "./frames.ts";
import {
  type Hook,
  type HookEventName,
  type HookFilter,
  Hooks,
} from "./hooks.ts";
import type { MonitorHost } from "./host.ts";
import { describePsl, inject, pageTables } from "./inspect.ts";
import type { VirtualIprs } from "./iprs.ts";
import { Ledger } from "./ledger.ts";
import { assembleParts } from "./parts.ts";
import { createPager, pageMap, pagingStats } from "./monitor_paging.ts";
import type { VirtualHost } from "./nested.ts";
import type { Nesting } from "./nesting.ts";
import { checkMonitorOptions, type MonitorOptions } from "./options.ts";
import type { Pager, PagingStats } from "./paging/pager.ts";
import type { PageMapReport } from "./paging/reports.ts";
import type {
  InjectOptions,
  InjectResult,
  PageTableComparison,
} from "./reports.ts";
import {
  formatMonitorRunResult,
  type MonitorRunResult,
  runAll,
  type RunDeps,
  runVm,
} from "./runs.ts";
import { withRendering } from "../machine/results.ts";
import type { Scheduler } from "./scheduler.ts";
import type { ShadowPolicy } from "./shadow.ts";
import type { ShadowSync } from "./shadow_sync.ts";
import type { Vcpu } from "./vcpu.ts";
import { VirtualMachine, type VmHost, type VmMonitor } from "./vm.ts";

export type { Bootable, MonitorOptions, MonitorRunResult };

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
export class Monitor<H extends MonitorHost = Machine> implements VmMonitor {
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
  readonly #runs: RunDeps;
  /** What the VMs call on (private, so completion shows the public API). */
  readonly #host: VmHost;
  readonly #factory: VmFactory;

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
    const checked = checkMonitorOptions(options);
    const policy = this.policy = checked.policy;
    const costs = this.costs = checked.costs;
    this.machine = machine as H;
    this.quantumNs = checked.quantumNs;
    this.minidisks = new MinidiskMap(machine.disk.blocks);
    const totalFrames = machine.memory.size / 512;
    // Frame 0..BOUNCE_BLOCKS-1: the monitor's bounce buffer for unaligned I/O.
    this.frames = new FrameAllocator(
      BOUNCE_BLOCKS,
      totalFrames - BOUNCE_BLOCKS,
    );
    machine.cpu.hostExits = true;
    const ledger = this.#ledger = new Ledger(machine, this.level);
    this.pager = checked.paging
      ? createPager({
        machine,
        frames: this.frames,
        minidisks: this.minidisks,
        costs,
        ledger,
        vms: this.#vms,
      }, checked.paging)
      : null;

    // The parts, each given only what it uses.
    const parts = assembleParts({
      machine,
      level: this.level,
      policy,
      costs,
      quantumNs: this.quantumNs,
      ledger,
      hooks: this.hooks,
      frames: this.frames,
      vms: this.#vms,
      fastSyscalls: checked.fastSyscalls && this.pager === null,
    });
    this.#vcpu = parts.vcpu;
    const channel = this.#channel = parts.channel;
    const shadows = this.#shadows = parts.shadows;
    this.#iprs = parts.iprs;
    const nesting = this.#nesting = parts.nesting;
    const scheduler = this.#scheduler = parts.scheduler;
    this.#runs = { machine, vms: this.#vms, scheduler, shadows };
    const vcpu = parts.vcpu;
    const iprs = parts.iprs;
    const runs = this.#runs;
    this.#host = {
      machine,
      pager: this.pager,
      syncFromCpu: (vm) => vcpu.syncFromCpu(vm),
      syncToCpu: (vm) => vcpu.syncToCpu(vm),
      pslChanged: (vm) => vcpu.pslChanged(vm),
      readVirtualIpr: (vm, n, fromGuest = false) => iprs.read(vm, n, fromGuest),
      writeVirtualIpr: (vm, n, v, fromGuest = false) =>
        iprs.write(vm, n, v, fromGuest),
      runVm: (vm, options) => runVm(runs, vm, options),
      inject: (vm, source, options) => this.inject(vm, source, options),
      pageTables: (vm, region, options) => this.pageTables(vm, region, options),
      describePsl: (vm) => describePsl(vm),
    };
    this.#factory = {
      createVm: (name, memory, minidisks) =>
        this.#createVm(name, memory, minidisks),
    };
    if (outer && hardware instanceof VirtualMachine) {
      const o = outer;
      const vm = hardware;
      nesting.wakeHost = () => o.#nesting.wakeNested(vm);
      vmState(vm).driver = {
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
    return new VmBuilder(this.#factory, name);
  }

  /** Creates a VM (used by {@link VmBuilder}); replaces one of the same name. */
  #createVm(
    name: string,
    memory: number,
    minidisks: readonly { blocks: number; label: string }[],
  ): VirtualMachine {
    const old = this.#vms.get(name);
    if (old) this.destroy(old);
    return createVm(
      {
        machine: this.machine,
        ledger: this.#ledger,
        scheduler: this.#scheduler,
        costs: this.costs,
        hooks: this.hooks,
        level: this.level,
        monitor: this,
        host: this.#host,
        frames: this.frames,
        minidisks: this.minidisks,
        pager: this.pager,
        channel: this.#channel,
        shadows: this.#shadows,
        vms: this.#vms,
      },
      name,
      memory,
      minidisks,
    );
  }

  /** Removes a VM and returns its memory, shadow tables and minidisks. */
  destroy(vm: VirtualMachine): void {
    if (this.#vms.get(vm.name) !== vm) return;
    this.#vcpu.syncFromCpu(vm);
    vm.timer.stop();
    this.pager?.forget(vmState(vm));
    for (const f of vmState(vm).frames) if (f >= 0) this.frames.release(f);
    vmState(vm).shadow.kernel.release();
    vmState(vm).shadow.exec.release();
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
    return pageMap(this.machine.memory.size, this.frames, this.#vms.values());
  }

  /**
   * Pages one page of a VM out now (experiments: construct a double-paging
   * case).
   *
   * @throws {RangeError} when the monitor does not page or the page does not exist
   */
  pageOut(vm: VirtualMachine, page: number): void {
    const st = this.pager?.of(vmState(vm));
    if (!this.pager || !st) {
      throw new RangeError(
        `Cannot page out page ${page} of VM "${vm.name}": the monitor does not page (Monitor.on(machine, { paging: true }))`,
      );
    }
    this.#vcpu.syncFromCpu(vm);
    this.pager.pageOut(st, page);
  }

  /** Paging counts of every VM, by name (empty when the monitor does not page). */
  pagingStats(): Record<string, PagingStats> {
    return pagingStats(this.pager);
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
    return withRendering(runAll(this.#runs, options), formatMonitorRunResult);
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
    return inject(this.#host, vm, source, options);
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
}
