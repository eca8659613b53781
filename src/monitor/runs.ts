/**
 * Running from the facade: checks the run options, runs one VM alone or
 * several round robin through the scheduler's loop with a fresh interrupt
 * flag, and shapes what the caller gets back (a `RunResult` for one VM, a
 * {@link MonitorRunResult} for the monitor).
 *
 * @module
 */

import { vmState } from "./vm.ts";
import type { RunOptions, RunResult, StopKind } from "../machine/hardware.ts";
import { clearInterrupt } from "../machine/interrupt.ts";
import { formatCount, formatNs } from "../machine/units.ts";
import {
  budgetReason,
  type CheckedRunOptions,
  checkRunOptions,
  INTERRUPT_REASON,
} from "../machine/run_options.ts";
import type { MonitorHost } from "./host.ts";
import type { Scheduler } from "./scheduler.ts";
import type { ShadowSync } from "./shadow_sync.ts";
import type { VirtualMachine } from "./vm.ts";

/** Result of `Monitor.run`. */
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
 * The rendering of a monitor's run result: why it stopped, how much ran,
 * and each VM's status.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { formatMonitorRunResult } from "./runs.ts";
 * equal(
 *   formatMonitorRunResult({
 *     stop: "limit",
 *     ns: 2_500_000,
 *     instructions: 1,
 *     vms: { A: "halted: HALT instruction", B: "ready" },
 *   }),
 *   "limit: 1 instruction, 2.500 ms\n  A  halted: HALT instruction\n  B  ready",
 * );
 * ```
 *
 * @param r a result of `Monitor.run`
 * @returns a line, then one line per VM
 */
export function formatMonitorRunResult(r: MonitorRunResult): string {
  const names = Object.keys(r.vms);
  const w = Math.max(0, ...names.map((n) => n.length));
  return [
    `${r.stop}: ${formatCount(r.instructions, "instruction")}, ${
      formatNs(r.ns)
    }`,
    ...names.map((n) => `  ${n.padEnd(w)}  ${r.vms[n]}`),
  ].join("\n");
}

/** What running needs of the monitor. */
export interface RunDeps {
  /** The machine the monitor runs on. */
  readonly machine: MonitorHost;
  /** The monitor's VMs, by name. */
  readonly vms: ReadonlyMap<string, VirtualMachine>;
  /** The run loop. */
  readonly scheduler: Pick<Scheduler, "loop">;
  /** Shadow fills (the miss memo starts afresh for one VM's run). */
  readonly shadows: Pick<ShadowSync, "resetMissMemo">;
}

/** The scheduler's loop, with a fresh interrupt flag. */
function loop(
  d: RunDeps,
  vms: VirtualMachine[],
  options: CheckedRunOptions,
): { stop: StopKind } {
  clearInterrupt();
  const r = d.scheduler.loop(vms, options);
  if (r.stop === "interrupted") clearInterrupt();
  return r;
}

/**
 * Runs one VM alone (the others wait); a halted VM continues from its PC.
 *
 * @throws {RangeError} for options out of range or a VM of another monitor
 */
export function runVm(
  d: RunDeps,
  vm: VirtualMachine,
  options?: RunOptions,
): RunResult {
  const checked = checkRunOptions(options, d.machine.cpu.ns, "run");
  if (d.vms.get(vm.name) !== vm) {
    throw new RangeError(
      `Cannot run VM "${vm.name}": it is not a VM of this monitor`,
    );
  }
  // Running a halted VM continues from its PC (the console's CONTINUE).
  if (vm.status === "halted") {
    vm.status = "ready";
    vm.haltReason = "";
  }
  d.shadows.resetMissMemo();
  const t0 = d.machine.cpu.ns;
  const i0 = vm.stats.instructions;
  const r = loop(d, [vm], checked);
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
    ns: d.machine.cpu.ns - t0,
    pc: vmState(vm).r[15]! >>> 0,
    psl: vmState(vm).vpsl >>> 0,
  };
}

/**
 * Runs every VM (or only `options.vms`), round robin in time slices,
 * until all halt or a limit.
 *
 * @throws {RangeError} for options out of range (see `Machine.run`)
 */
export function runAll(
  d: RunDeps,
  options?: RunOptions & { vms?: Iterable<VirtualMachine> },
): MonitorRunResult {
  const checked = checkRunOptions(options, d.machine.cpu.ns, "run", [
    "vms",
  ]);
  const t0 = d.machine.cpu.ns;
  const total = () =>
    [...d.vms.values()].reduce((s, v) => s + v.stats.instructions, 0);
  const i0 = total();
  const which = options?.vms
    ? [...options.vms].filter((v) => d.vms.get(v.name) === v)
    : [...d.vms.values()];
  const r = loop(d, which, checked);
  const vms: Record<string, string> = {};
  for (const v of d.vms.values()) {
    vms[v.name] = v.status === "halted" ? `halted: ${v.haltReason}` : v.status;
  }
  return {
    stop: r.stop,
    ns: d.machine.cpu.ns - t0,
    instructions: total() - i0,
    vms,
  };
}
