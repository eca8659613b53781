/**
 * The run loop: which VM holds the processor, for how long (a time slice
 * of simulated time), what happens between its runs (device events, the
 * real disk's completions, delivery of virtual interrupts), and waiting and
 * waking (a VM that idles waits for an interrupt while the others run).
 *
 * @module
 */

import { vmState } from "./vm.ts";
import {
  STOP_BREAKPOINT,
  STOP_BUDGET,
  STOP_EXIT,
  STOP_HALT,
  STOP_IDLE,
  STOP_INTERRUPT,
  STOP_LIMIT,
  STOP_REQUEST,
  STOP_TIME,
} from "../machine/cpu.ts";
import type { StopKind } from "../machine/hardware.ts";
import { INTERRUPT_FLAG } from "../machine/interrupt.ts";
import type { MonitorHost } from "./host.ts";
import type { MonitorCosts } from "./costs.ts";
import type { DiskChannel } from "./devices/disk.ts";
import type { ExitDispatcher } from "./exits.ts";
import { deliverable, deviceLevel } from "./interrupts.ts";
import type { Ledger } from "./ledger.ts";
import type { Reflector } from "./reflect.ts";
import type { ShadowSync } from "./shadow_sync.ts";
import type { Vcpu } from "./vcpu.ts";
import { haltVm } from "./signals.ts";
import type { VirtualMachine } from "./vm.ts";
import type { Hooks } from "./hooks.ts";
import { PSL_VM } from "../arch/psl.ts";
import type { VmSyscalls } from "../machine/vm_fastpath.ts";

/** What the scheduler needs of the monitor. */
export interface SchedulerDeps {
  /** The real processor and the device event queue. */
  readonly machine: Pick<MonitorHost, "cpu" | "events" | "memory">;
  /** The monitor's VMs by name (a VM no longer there is not run). */
  readonly vms: ReadonlyMap<string, VirtualMachine>;
  /** Time slice per VM (ns). */
  readonly quantumNs: number;
  /** The cost model (VM switches). */
  readonly costs: MonitorCosts;
  /** Charging and trace. */
  readonly ledger: Ledger;
  /** Loading VMs on the processor. */
  readonly vcpu: Vcpu;
  /** Exit dispatch. */
  readonly exits: ExitDispatcher;
  /** Delivery of virtual interrupts. */
  readonly reflector: Reflector;
  /** Shadow maintenance (its memory of the last miss). */
  readonly shadows: ShadowSync;
  /** The real disk's completions. */
  readonly channel: DiskChannel;
  /** Tells the host this monitor has work (a monitor inside a VM: CP under CP). */
  readonly wakeHost: () => void;
  /** The exit hooks (a hooked exit is never taken inside the processor). */
  readonly hooks: Hooks;
  /**
   * The processor's own CHMx and REI (null: every one exits). Armed for a
   * run when nothing watches the exits one by one.
   */
  readonly fast: VmSyscalls | null;
}

/** Options of {@link Scheduler.loop} (run options already checked). */
export interface LoopOptions {
  /** Instruction limit (default: none). */
  limit?: number | undefined;
  /** Absolute simulated time to stop at (default: none). */
  untilNs?: number;
  /** Breakpoints (unsigned addresses). */
  breakpoints?: number[] | undefined;
  /** `performance.now()` value at which the budget ends (default: none). */
  hostDeadline?: number;
  /**
   * Return `idle` when every VM waits, instead of letting time pass: a
   * monitor inside a VM gives the processor back to the outer monitor.
   */
  yieldWhenIdle?: boolean;
}

/** Shares the processor among VMs. */
export class Scheduler {
  readonly #d: SchedulerDeps;
  #lastRun: VirtualMachine | null = null;

  /** A scheduler with its collaborators. */
  constructor(deps: SchedulerDeps) {
    this.#d = deps;
  }

  /** A VM can take an interrupt now: wake it, stop it if it is running. */
  notify(vm: VirtualMachine): void {
    if (!deliverable(vmState(vm))) return;
    if (vm.status === "waiting") vm.status = "ready";
    if (this.#d.vcpu.isLoaded(vm)) this.#d.machine.cpu.requestStop();
    this.#d.wakeHost();
  }

  /**
   * Puts the processor's own CHMx/REI on for a run of `vm`, unless
   * something must see each exit (a trace, an exit hook, breakpoints) or
   * the VM runs a monitor of its own; returns it, or null.
   */
  #arm(vm: VirtualMachine, options: LoopOptions): VmSyscalls | null {
    const d = this.#d;
    const f = d.fast;
    if (
      f === null || d.ledger.tracing || d.hooks.has("exit") ||
      (options.breakpoints !== undefined && options.breakpoints.length > 0) ||
      (vmState(vm).vpsl & PSL_VM) !== 0
    ) return null;
    const cpu = d.machine.cpu;
    f.arm(vmState(vm), d.machine.memory, deviceLevel(vmState(vm).irq), cpu.ns);
    cpu.vmSyscalls = f;
    return f;
  }

  /**
   * Takes the fast path off the processor (its calls have counted
   * themselves in the VM's statistics).
   */
  #disarm(f: VmSyscalls): void {
    this.#d.machine.cpu.vmSyscalls = null;
    f.disarm();
  }

  /** A VM of this monitor that has not halted. */
  #isLive(v: VirtualMachine): boolean {
    return v.status !== "halted" && this.#d.vms.get(v.name) === v;
  }

  /**
   * Runs the candidates, round robin in time slices, until a stop (options
   * checked by `checkRunOptions`). Between exits it looks at the interrupt
   * flag and the host-time budget every 64 turns (the processor looks
   * every 65,536 instructions within a turn).
   */
  loop(candidates: VirtualMachine[], options: LoopOptions): { stop: StopKind } {
    const d = this.#d;
    const cpu = d.machine.cpu;
    const events = d.machine.events;
    const vms = d.vms;
    let budget = options.limit ?? Infinity;
    const end = options.untilNs ?? Infinity;
    const hostDeadline = options.hostDeadline ?? Infinity;
    let turns = 0;
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
    // After an exit, the VM that holds the processor goes on without a
    // scheduler pass when nothing can change the choice: no device event
    // due, its slice not over, no limit reached (issue 14: no scheduler
    // pass while the same VM continues). Pending interrupts are still
    // delivered below.
    let resume = false;
    let vm: VirtualMachine | undefined;
    try {
      for (;;) {
        if (
          resume && slice !== null && events.nextAt > cpu.ns && budget > 0 &&
          cpu.ns < end && cpu.ns < slice.end && slice.vm.status === "ready"
        ) {
          vm = slice.vm;
          if ((++turns & 63) === 0) {
            if (Atomics.load(INTERRUPT_FLAG, 0) !== 0) {
              return { stop: "interrupted" };
            }
            if (
              hostDeadline !== Infinity && performance.now() >= hostDeadline
            ) {
              return { stop: "budget" };
            }
          }
        } else {
          vm = undefined;
          if (events.nextAt <= cpu.ns) {
            // Device events are the monitor's to run (the processor does not
            // skip time while a VM runs: see below).
            events.runDue(cpu.ns);
            d.channel.poll();
          }
          // (No array per iteration: this loop runs once per exit.)
          let anyLive = false;
          for (const v of candidates) {
            if (!this.#isLive(v)) continue;
            anyLive = true;
            if (v.status === "waiting" && deliverable(vmState(v))) {
              v.status = "ready";
            }
          }
          if (!anyLive) return { stop: "halt" };
          if (budget <= 0) return { stop: "limit" };
          if (cpu.ns >= end) return { stop: "time" };
          if ((++turns & 63) === 0) {
            if (Atomics.load(INTERRUPT_FLAG, 0) !== 0) {
              return { stop: "interrupted" };
            }
            if (
              hostDeadline !== Infinity && performance.now() >= hostDeadline
            ) {
              return { stop: "budget" };
            }
          }
          if (
            slice && slice.vm.status === "ready" && cpu.ns < slice.end &&
            vms.get(slice.vm.name) === slice.vm
          ) {
            vm = slice.vm;
          } else {
            slice = null;
            for (let k = 0; k < candidates.length; k++) {
              const v = candidates[(rr + k) % candidates.length]!;
              if (v.status === "ready" && vms.get(v.name) === v) {
                vm = v;
                rr = (rr + k + 1) % candidates.length;
                break;
              }
            }
          }
          if (!vm) {
            // A monitor inside a VM gives the processor back when all its VMs
            // wait (its wait state).
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
            d.channel.poll();
            // A bare processor's idle loop executes its branch once per
            // event: count one against the instruction limit, so a run with a
            // limit ends even when every VM waits forever on a periodic timer.
            budget -= 1;
            continue;
          }
          if (this.#lastRun !== vm) {
            if (this.#lastRun !== null) {
              d.ledger.charge(vm, d.costs.vmSwitch);
              if (d.ledger.tracing) {
                d.ledger.trace(vmState(vm), "schedule", `switch to ${vm.name}`);
              }
            }
            this.#lastRun = vm;
          }
          if (vmState(vm).driver) {
            // A monitor runs in this VM: its slice goes to that monitor, which
            // runs its own VMs in this VM's virtual VM mode.
            slice ??= { vm, end: Math.min(end, cpu.ns + d.quantumNs) };
            if (vmState(vm).irq !== 0) {
              // Interrupts for the monitor inside, taken in its wait state.
              vmState(vm).irq = 0;
              vmState(vm).driver!.interrupt();
            }
            const i0 = cpu.instructions;
            const r = vmState(vm).driver!.drive(budget, slice.end);
            budget -= cpu.instructions - i0;
            if (r.stop === "halt") {
              slice = null;
              haltVm(vm, "every VM of the monitor in it halted", d.ledger);
            } else if (r.stop === "idle") {
              slice = null;
              vm.status = "waiting";
            } else if (r.stop === "limit") return { stop: "limit" };
            else if (r.stop === "breakpoint") return { stop: "breakpoint" };
            else if (r.stop === "interrupted" || r.stop === "budget") {
              return { stop: r.stop };
            }
            continue;
          }
        }
        resume = false;
        if (!d.reflector.deliverInterrupts(vm)) continue;
        d.vcpu.syncToCpu(vm);
        slice ??= { vm, end: Math.min(end, cpu.ns + d.quantumNs) };
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
        const fast = this.#arm(vm, options);
        const code = cpu.run(
          budget,
          Math.min(slice.end, events.nextAt),
          hostDeadline,
        );
        const ran = cpu.instructions - i0;
        budget -= ran;
        // Progress (or any other kind of stop) ends a run of shadow fills.
        if (ran > 1 || code !== STOP_EXIT || cpu.exit?.kind !== "exception") {
          d.shadows.resetMissMemo();
        }
        vm.stats.instructions += ran;
        if (fast !== null) {
          // Guest time since the last system call the processor did.
          vm.stats.guestNs += cpu.ns - fast.segmentStart;
          this.#disarm(fast);
        } else vm.stats.guestNs += cpu.ns - t0;
        d.vcpu.syncFromCpu(vm);
        switch (code) {
          case STOP_EXIT: {
            const refund = d.exits.handle(vm, cpu.exit!);
            if (refund) {
              budget += 1;
              vm.stats.instructions -= 1;
            }
            resume = true;
            break;
          }
          case STOP_TIME:
            break;
          case STOP_LIMIT:
            return { stop: "limit" };
          case STOP_IDLE:
            slice = null;
            vm.status = "waiting";
            if (d.ledger.tracing) {
              d.ledger.trace(
                vmState(vm),
                "schedule",
                `${vm.name} waits for an interrupt`,
              );
            }
            break;
          case STOP_BREAKPOINT:
            return { stop: "breakpoint" };
          case STOP_REQUEST:
            break;
          case STOP_HALT:
            return { stop: "halt" };
          case STOP_INTERRUPT:
            return { stop: "interrupted" };
          case STOP_BUDGET:
            return { stop: "budget" };
        }
      }
    } finally {
      if (options.breakpoints) cpu.setBreakpoints([]);
      if (d.fast !== null) cpu.vmSyscalls = null;
      for (const v of candidates) d.vcpu.syncFromCpu(v);
    }
  }
}
