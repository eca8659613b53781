/**
 * The port through which one VM's virtual devices (console, timer, disk)
 * reach the monitor: the clock and its events, the VM's interrupt
 * requests, waking the VM, tracing, guest-physical to real addresses for
 * the channel, and the `io` hooks.
 *
 * @module
 */

import { vmState } from "./vm.ts";
import type { MonitorCosts } from "./costs.ts";
import type { DiskPort } from "./devices/disk.ts";
import type { Hooks } from "./hooks.ts";
import type { MonitorHost } from "./host.ts";
import type { Ledger } from "./ledger.ts";
import type { Scheduler } from "./scheduler.ts";
import type { VirtualMachine } from "./vm.ts";

/** What a VM's device port needs of the monitor. */
export interface DevicePortDeps {
  /** The machine the monitor runs on. */
  readonly machine: MonitorHost;
  /** Charges and traces the monitor's work. */
  readonly ledger: Ledger;
  /** Wakes a waiting VM. */
  readonly scheduler: Pick<Scheduler, "notify">;
  /** The monitor's cost model. */
  readonly costs: MonitorCosts;
  /** The monitor's hooks (`io`). */
  readonly hooks: Hooks;
  /** The monitor's level (1 on the real machine). */
  readonly level: number;
}

/** A device port not yet bound to its VM (the VM is built with its devices). */
export type UnboundDevicePort = DiskPort & { bind(vm: VirtualMachine): void };

/** The port through which a VM's devices reach the monitor. */
export function devicePort(
  d: DevicePortDeps,
  name: string,
  memory: number,
): UnboundDevicePort {
  const { machine, ledger, scheduler, costs, hooks, level } = d;
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
      vmState(the()).irq |= 1 << source;
    },
    clear(source) {
      vmState(the()).irq &= ~(1 << source);
    },
    wake: () => scheduler.notify(the()),
    halted: () => the().status === "halted",
    trace: (kind, text, data) => ledger.trace(vmState(the()), kind, text, data),
    realAddress: (gpa, access) => vmState(the()).realAddress(gpa, access),
    chargeTranslation: (blocks) =>
      ledger.charge(the(), costs.ioPageTranslation * blocks),
    io: (req) =>
      hooks.has("io") &&
      hooks.dispatch("io", {
        vm: the(),
        ...req,
        ns: machine.cpu.ns,
        level,
      }, req.func),
  };
}
