/**
 * Building one VM on the monitor: its guest memory in real frames (all
 * resident, or as many as the pager allows), its minidisks on the real
 * disk, its virtual console, timer and disk on a device port, its two
 * shadow-table sets, and its place in the pager and the shadow layout.
 *
 * @module
 */

import { vmState } from "./vm.ts";
import { VirtualConsole } from "./devices/console.ts";
import { type DiskChannel, VirtualDisk } from "./devices/disk.ts";
import type { MinidiskMap } from "./devices/minidisk.ts";
import { VirtualTimer } from "./devices/timer.ts";
import { devicePort, type DevicePortDeps } from "./device_port.ts";
import type { FrameAllocator } from "./frames.ts";
import { residentPages } from "./monitor_paging.ts";
import type { Pager } from "./paging/pager.ts";
import { ShadowSet } from "./shadow.ts";
import type { ShadowSync } from "./shadow_sync.ts";
import { VirtualMachine, type VmHost, type VmMonitor } from "./vm.ts";

/** What building a VM needs of the monitor. */
export interface CreateVmDeps extends DevicePortDeps {
  /** The monitor the VM belongs to (`vm.monitor`). */
  readonly monitor: VmMonitor;
  /** The monitor's side of the VM's calls. */
  readonly host: VmHost;
  /** Real page frames. */
  readonly frames: FrameAllocator;
  /** The real disk's minidisk map. */
  readonly minidisks: MinidiskMap;
  /** The monitor's pager (null: the monitor does not page). */
  readonly pager: Pager | null;
  /** The channel to the real disk. */
  readonly channel: DiskChannel;
  /** Shadow-table fills and layout. */
  readonly shadows: ShadowSync;
  /** The monitor's VMs, by name (the new VM is added). */
  readonly vms: Map<string, VirtualMachine>;
}

/**
 * Creates a VM of `memory` bytes with its minidisks and adds it to the
 * monitor's VMs. On failure, what it took is given back.
 */
export function createVm(
  d: CreateVmDeps,
  name: string,
  memory: number,
  minidisks: readonly { blocks: number; label: string }[],
): VirtualMachine {
  const pages = memory / 512;
  const resident = residentPages(pages, d.pager, d.frames);
  const frames = new Int32Array(pages).fill(-1);
  frames.set(d.frames.allocateMany(resident, name, "memory"));
  const mem = d.machine.memory;
  for (const f of frames) {
    if (f >= 0) {
      mem.fill(f * 512, 512);
    }
  }
  const giveBack = () => {
    for (const f of frames) if (f >= 0) d.frames.release(f);
    d.minidisks.releaseOwner(name);
  };
  const port = devicePort(d, name, memory);
  const disk = new VirtualDisk(port, d.channel);
  try {
    for (const md of minidisks) {
      disk.extents.push(d.minidisks.allocate(md.blocks, name, md.label));
    }
  } catch (e) {
    giveBack();
    throw e;
  }
  const vm = new VirtualMachine({
    name,
    monitor: d.monitor,
    host: d.host,
    frames,
    console: new VirtualConsole(port),
    timer: new VirtualTimer(port),
    disk,
    shadow: {
      kernel: new ShadowSet(mem, d.frames, name, "kernel"),
      exec: new ShadowSet(mem, d.frames, name, "exec"),
    },
  });
  port.bind(vm);
  if (d.pager) {
    try {
      vmState(vm).attachPager(d.pager, d.pager.register(vmState(vm)));
    } catch (e) {
      giveBack();
      throw e;
    }
  }
  d.vms.set(name, vm);
  d.shadows.relayout(vm);
  if (d.ledger.tracing) {
    d.ledger.trace(
      vmState(vm),
      "schedule",
      `created: ${memory / 1024} KiB, disk ${disk.blocks} blocks`,
    );
  }
  return vm;
}
