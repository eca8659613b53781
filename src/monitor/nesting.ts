/**
 * The outer monitor's side of CP under CP: for a VM in which another
 * monitor runs, it gives that VM's storage, disk and processor to the inner
 * monitor ({@link Nesting.hostFor}), and when the inner monitor enters one
 * of its own VMs (sets the VM's virtual PSL<VM> and runs), it runs the
 * inner guest directly on this monitor's processor ({@link Nesting.runNested}):
 * the inner VMPSL as the real one, this monitor's shadow tables over the
 * inner monitor's. Every exit comes here first; a miss in this monitor's
 * shadow tables and a real interrupt are handled here, everything else is
 * forwarded to the inner monitor as the exit record its processor delivers.
 * The inner monitor's own privileged operations (its MTPRs to its MMU
 * registers and TB, its REI into its VM) are exits of the VM here.
 *
 * @module
 */

import { vmState } from "./vm.ts";
import { IPR } from "../arch/ipr.ts";
import { SCB, vectorName } from "../arch/scb.ts";
import {
  copyExit,
  type CpuExit,
  STOP_EXIT,
  STOP_LIMIT,
  STOP_REQUEST,
  STOP_TIME,
} from "../machine/cpu.ts";
import { formatHex } from "../machine/units.ts";
import { emulationCode, exitKindName } from "../machine/exit_kinds.ts";
import { opcodeByMnemonic } from "../arch/opcodes.ts";
import type { MonitorCosts } from "./costs.ts";
import type { DiskChannel } from "./devices/disk.ts";
import type { ExitDispatcher } from "./exits.ts";
import type { FrameAllocator } from "./frames.ts";
import type { MonitorHost } from "./host.ts";
import { VIRQ_INFO } from "./interrupts.ts";
import type { VirtualIprs } from "./iprs.ts";
import type { Ledger } from "./ledger.ts";
import { type NestingPort, VirtualHost } from "./nested.ts";
import type { ShadowSync } from "./shadow_sync.ts";
import type { Vcpu } from "./vcpu.ts";
import type { VirtualMachine } from "./vm.ts";

// The inner monitor's operations that trap to this one, as exit codes.
const REI_EXIT = emulationCode(opcodeByMnemonic("REI")!.opcode);
const MTPR_EXIT = emulationCode(opcodeByMnemonic("MTPR")!.opcode);

/** What nesting needs of the monitor. */
export interface NestingDeps {
  /** This monitor's host. */
  readonly machine: MonitorHost;
  /** The monitor's VMs by name. */
  readonly vms: ReadonlyMap<string, VirtualMachine>;
  /** Real page frames (to make a VM's storage contiguous). */
  readonly frames: FrameAllocator;
  /** The cost model. */
  readonly costs: MonitorCosts;
  /** Charging and trace. */
  readonly ledger: Ledger;
  /** Loading VMs on the processor. */
  readonly vcpu: Vcpu;
  /** Shadow maintenance. */
  readonly shadows: ShadowSync;
  /** Exit counting and hooks. */
  readonly exits: ExitDispatcher;
  /** Virtual IPRs. */
  readonly iprs: VirtualIprs;
  /** The real disk's completions. */
  readonly channel: DiskChannel;
}

/** The outer monitor's work for VMs that host monitors. */
export class Nesting implements NestingPort {
  readonly #d: NestingDeps;
  /** Exit records forwarded to the monitors inside, by VM. */
  readonly #forwarded: Map<VirtualMachine, CpuExit> = new Map();
  /** VMs whose inner monitor asked for the processor back. */
  readonly #stopAsked: Set<VirtualMachine> = new Set();
  /** VMs whose virtual MMU registers changed since their shadow layout. */
  readonly #mmuDirty: Set<VirtualMachine> = new Set();
  /** Instructions retried after this monitor's own fills, by VM. */
  readonly #refunds: Map<VirtualMachine, number> = new Map();
  /** The VM running in its virtual VM mode now. */
  #nested: VirtualMachine | null = null;
  /** Tells this monitor's own host that it has work. */
  wakeHost: () => void = () => {};

  /** Nesting with its collaborators. */
  constructor(deps: NestingDeps) {
    this.#d = deps;
  }

  /** This monitor's host. */
  get machine(): MonitorHost {
    return this.#d.machine;
  }

  /**
   * The host surface a monitor inside `vm` runs on. The VM's storage is
   * made contiguous (moved if it is not, like VM/370's V=R area) so that it
   * can be the inner monitor's physical memory; its disk must be at most
   * one minidisk extent.
   *
   * @throws {RangeError} when the VM is not this monitor's, already hosts a
   *   monitor, has more than one disk extent, or no contiguous frames are free
   */
  hostFor(vm: VirtualMachine): VirtualHost {
    const d = this.#d;
    if (d.vms.get(vm.name) !== vm) {
      throw new RangeError(
        `Cannot run a monitor in VM "${vm.name}": it is not a VM of this monitor`,
      );
    }
    if (vmState(vm).driver) {
      throw new RangeError(
        `Cannot run a monitor in VM "${vm.name}": a monitor already runs in it`,
      );
    }
    if (vm.monitor.pager) {
      // Its storage is the inner monitor's real memory: it must stay
      // resident and contiguous (as VM/370's V=R area), never paged.
      throw new RangeError(
        `Cannot run a monitor in VM "${vm.name}": this monitor pages its VMs' memory (Monitor.on with paging); a VM that runs a monitor needs its storage resident`,
      );
    }
    if (vm.disk.extents.length > 1) {
      throw new RangeError(
        `Cannot run a monitor in VM "${vm.name}": its disk is ${vm.disk.extents.length} minidisk extents, expected at most one`,
      );
    }
    d.vcpu.syncFromCpu(vm);
    this.#makeContiguous(vm);
    const e = vm.disk.extents[0];
    const data = e
      ? d.machine.disk.data.subarray(e.start * 512, (e.start + e.blocks) * 512)
      : new Uint8Array(0);
    vmState(vm).vmpsl = 0;
    return new VirtualHost(vm, this, data);
  }

  #makeContiguous(vm: VirtualMachine): void {
    const d = this.#d;
    const f = vmState(vm).frames;
    let contiguous = true;
    for (let i = 1; i < f.length; i++) {
      if (f[i] !== f[0]! + i) contiguous = false;
    }
    if (contiguous) return;
    // Keep the contents aside, give the frames back, take a contiguous run.
    const u8 = d.machine.memory.u8;
    const saved = new Uint8Array(f.length * 512);
    for (let i = 0; i < f.length; i++) {
      saved.set(u8.subarray(f[i]! * 512, f[i]! * 512 + 512), i * 512);
      d.frames.release(f[i]!);
    }
    let first: number;
    try {
      first = d.frames.allocateContiguous(
        f.length,
        vm.name,
        "memory (contiguous: a monitor runs in it)",
      );
    } catch (e) {
      for (const frame of f) d.frames.claim(frame, vm.name, "memory");
      throw e;
    }
    d.machine.memory.load(first * 512, saved);
    for (let i = 0; i < f.length; i++) f[i] = first + i;
    d.shadows.invalidateAll(vm);
    d.vcpu.mmuChanged(vm);
  }

  /**
   * Runs a VM whose inner monitor has set its virtual PSL<VM>: the inner
   * guest runs directly on this monitor's processor. Returns a STOP_ code
   * as a processor's run loop does: STOP_EXIT when an exit or a virtual
   * interrupt is for the inner monitor ({@link Nesting.nestedExit} then
   * holds the record), or a limit.
   */
  runNested(vm: VirtualMachine, limit: number, until: number): number {
    const d = this.#d;
    const cpu = d.machine.cpu;
    const events = d.machine.events;
    let budget = limit;
    this.#forwarded.delete(vm);
    // Entering the VM's guest is the inner monitor's REI: an exit here.
    this.#hostOp(vm, REI_EXIT);
    if (this.#mmuDirty.has(vm)) this.#applyMmu(vm);
    const outer = this.#nested;
    this.#nested = vm;
    try {
      for (;;) {
        if (events.nextAt <= cpu.ns) {
          events.runDue(cpu.ns);
          d.channel.poll();
        }
        if (vmState(vm).irq !== 0) {
          this.#forwardInterrupt(vm);
          return STOP_EXIT;
        }
        if (this.#stopAsked.delete(vm)) return STOP_REQUEST;
        if (budget <= 0) return STOP_LIMIT;
        if (cpu.ns >= until) return STOP_TIME;
        d.vcpu.syncToCpu(vm);
        cpu.nextEventNs = Infinity;
        const t0 = cpu.ns;
        const i0 = cpu.instructions;
        const code = cpu.run(budget, Math.min(until, events.nextAt));
        const ran = cpu.instructions - i0;
        budget -= ran;
        if (
          ran > 1 || code !== STOP_EXIT || cpu.exit?.kind !== "exception"
        ) {
          d.shadows.resetMissMemo();
        }
        vm.stats.instructions += ran;
        vm.stats.guestNs += cpu.ns - t0;
        d.vcpu.syncFromCpu(vm);
        if (code === STOP_EXIT) {
          const x = cpu.exit!;
          const f = this.#exitFor(vm, x);
          if (f) {
            // A copy: the processor reuses its record at its next exit.
            this.#forwarded.set(vm, copyExit(f));
            // The inner monitor may change its tables (and flush): a miss
            // seen again after it ran is not a fill that failed.
            d.shadows.resetMissMemo();
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
      this.#nested = outer;
      d.vcpu.syncFromCpu(vm);
    }
  }

  /** Instructions the VM's virtual processor started, as its monitor counts them. */
  nestedInstructions(vm: VirtualMachine): number {
    return this.#d.machine.cpu.instructions - (this.#refunds.get(vm) ?? 0);
  }

  /** The exit record {@link Nesting.runNested} forwarded last for a VM. */
  nestedExit(vm: VirtualMachine): CpuExit | null {
    return this.#forwarded.get(vm) ?? null;
  }

  /** The monitor inside `vm` has work: make the VM runnable, stop it if it runs. */
  wakeNested(vm: VirtualMachine): void {
    if (vm.status === "waiting") vm.status = "ready";
    // This monitor may itself run in a VM that waits: wake it too.
    this.wakeHost();
    if (this.#nested === vm) {
      this.#stopAsked.add(vm);
      this.#d.machine.cpu.requestStop();
    }
  }

  /** Runs this monitor's device work after host events ran. */
  pollDevices(): void {
    this.#d.channel.poll();
  }

  /**
   * An MTPR of the monitor inside `vm`, emulated here (an exit of the VM).
   * Writes of the MMU registers are gathered and applied once, at the next
   * TBIA or entry to the VM.
   */
  hostMtpr(vm: VirtualMachine, n: number, v: number): void {
    const d = this.#d;
    this.#hostOp(vm, MTPR_EXIT);
    const g = vmState(vm).ipr;
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
        else d.iprs.write(vm, n, v);
        return;
      case IPR.TBIS:
        if (!this.#mmuDirty.has(vm)) d.iprs.write(vm, n, v);
        return;
      default:
        d.iprs.write(vm, n, v);
        return;
    }
    this.#mmuDirty.add(vm);
  }

  #applyMmu(vm: VirtualMachine): void {
    this.#mmuDirty.delete(vm);
    this.#d.shadows.relayout(vm);
    this.#d.machine.cpu.tbFlushAll();
  }

  /** An operation of an inner monitor that traps to this one (an exit code). */
  #hostOp(vm: VirtualMachine, code: number): void {
    const d = this.#d;
    vmState(vm).exits.add(code);
    vm.stats.totalExits++;
    vm.stats.emulated++;
    d.ledger.charge(vm, d.costs.exitEntry + d.costs.emulation);
  }

  /** A virtual interrupt for the monitor inside `vm`: an interrupt exit for it. */
  #forwardInterrupt(vm: VirtualMachine): void {
    const d = this.#d;
    let src = -1;
    for (let s = 0; s < VIRQ_INFO.length; s++) {
      if (
        (vmState(vm).irq >> s) & 1 &&
        (src < 0 || VIRQ_INFO[s]![0] > VIRQ_INFO[src]![0])
      ) {
        src = s;
      }
    }
    vmState(vm).irq &= ~(1 << src);
    const [ipl, vector] = VIRQ_INFO[src]!;
    vm.stats.interrupts++;
    d.ledger.charge(vm, d.costs.reflection);
    if (d.ledger.tracing) {
      d.ledger.trace(
        vmState(vm),
        "reflect",
        `forward interrupt ${vectorName(vector)} to the monitor in ${vm.name}`,
        { vector, ipl, forward: true },
      );
    }
    this.#forwarded.set(vm, {
      kind: "interrupt",
      vector,
      pc: vmState(vm).r[15]!,
      psl: vmState(vm).vpsl,
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
  #exitFor(vm: VirtualMachine, x: CpuExit): CpuExit | null {
    const d = this.#d;
    const code = d.exits.enter(vm, x);
    if (code < 0) return null;
    if (x.kind === "interrupt") {
      if (x.vector === SCB.DISK) d.channel.poll();
      return null;
    }
    let out: CpuExit = x;
    if (
      x.kind === "exception" && (x.vector === SCB.ACCESS_VIOLATION ||
        x.vector === SCB.TRANSLATION_NOT_VALID)
    ) {
      const r = d.shadows.nestedFault(vm, x);
      if (r === null) return null;
      out = r;
    }
    d.ledger.charge(vm, d.costs.reflection);
    if (d.ledger.tracing) {
      d.ledger.trace(
        vmState(vm),
        "exit",
        `forward ${exitKindName(code)} at ${
          formatHex(x.pc, 8)
        } to the monitor in ${vm.name}`,
        { forward: true, vector: out.vector },
      );
    }
    return out;
  }
}
