/**
 * The monitor's parts, assembled: the virtual processor, the channel to
 * the real disk, shadow fills, reflection, virtual IPRs, emulation, exit
 * dispatch, nesting and the scheduler, each given only the parts it uses.
 *
 * @module
 */

import type { MonitorCosts } from "./costs.ts";
import { DiskChannel } from "./devices/disk.ts";
import { Emulator } from "./emulate.ts";
import { ExitDispatcher } from "./exits.ts";
import type { FrameAllocator } from "./frames.ts";
import type { Hooks } from "./hooks.ts";
import type { MonitorHost } from "./host.ts";
import { VirtualIprs } from "./iprs.ts";
import type { Ledger } from "./ledger.ts";
import { Nesting } from "./nesting.ts";
import { Reflector } from "./reflect.ts";
import { Scheduler } from "./scheduler.ts";
import type { ShadowPolicy } from "./shadow.ts";
import { ShadowSync } from "./shadow_sync.ts";
import { Vcpu } from "./vcpu.ts";
import type { VirtualMachine } from "./vm.ts";
import { VmSyscalls } from "../machine/vm_fastpath.ts";

/** What assembling the parts needs: the monitor's settings and state. */
export interface PartsDeps {
  /** The machine the monitor runs on. */
  readonly machine: MonitorHost;
  /** The monitor's level (1 on the real machine). */
  readonly level: number;
  /** Shadow-table policy. */
  readonly policy: ShadowPolicy;
  /** The cost model. */
  readonly costs: MonitorCosts;
  /** Time slice per VM (ns). */
  readonly quantumNs: number;
  /** Charges and traces the monitor's work. */
  readonly ledger: Ledger;
  /** The monitor's hooks. */
  readonly hooks: Hooks;
  /** Real page frames. */
  readonly frames: FrameAllocator;
  /** The monitor's VMs, by name. */
  readonly vms: Map<string, VirtualMachine>;
  /** Let the real processor do CHMx and REI (used at level 1 only). */
  readonly fastSyscalls?: boolean;
}

/** The parts the `Monitor` facade holds on to. */
export interface MonitorParts {
  /** Loading VMs on the processor. */
  readonly vcpu: Vcpu;
  /** The channel to the real disk. */
  readonly channel: DiskChannel;
  /** Shadow fills and flushes. */
  readonly shadows: ShadowSync;
  /** The virtual IPRs. */
  readonly iprs: VirtualIprs;
  /** The outer side of CP under CP. */
  readonly nesting: Nesting;
  /** The run loop. */
  readonly scheduler: Scheduler;
}

/** The processor's CHMx/REI path with this monitor's costs and policy. */
function fastPath(costs: MonitorCosts, policy: ShadowPolicy): VmSyscalls {
  const f = new VmSyscalls();
  f.exitNs = costs.exitEntry;
  f.emulationNs = costs.emulation;
  f.splitViews = policy === "split";
  return f;
}

/** Builds the monitor's parts and wires them to each other. */
export function assembleParts(d: PartsDeps): MonitorParts {
  const { machine, policy, costs, ledger, hooks, level, vms } = d;
  const vcpu = new Vcpu(machine.cpu, policy);
  const channel = new DiskChannel(machine, 0);
  const shadows = new ShadowSync({
    machine,
    policy,
    costs,
    ledger,
    vcpu,
    realMachineChecks: level === 1,
  });
  const reflector = new Reflector({
    memory: machine.memory,
    costs,
    ledger,
    hooks,
  });
  const iprs = new VirtualIprs({ cpu: machine.cpu, shadows, channel });
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
    level,
  });
  const nesting = new Nesting({
    machine,
    vms,
    frames: d.frames,
    costs,
    ledger,
    vcpu,
    shadows,
    exits,
    iprs,
    channel,
  });
  const scheduler = new Scheduler({
    machine,
    vms,
    quantumNs: d.quantumNs,
    costs,
    ledger,
    vcpu,
    exits,
    reflector,
    shadows,
    channel,
    hooks,
    // The real processor does them; a monitor in a VM keeps the slow path.
    fast: d.fastSyscalls && level === 1 && "vmSyscalls" in machine.cpu
      ? fastPath(costs, policy)
      : null,
    wakeHost: () => nesting.wakeHost(),
  });
  return { vcpu, channel, shadows, iprs, nesting, scheduler };
}
