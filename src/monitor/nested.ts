/**
 * CP under CP: what a monitor needs from the machine it runs on (the
 * {@link MonitorHost} interface: memory, a processor that delivers exit
 * records, a disk, an event queue, a trace), and how a virtual machine
 * offers it. A `Machine` is a `MonitorHost` as it is. A `VirtualMachine`
 * becomes one through {@link VirtualHost}: its storage (made contiguous,
 * like VM/370's V=R area) is the inner monitor's physical memory, its
 * minidisk is the inner monitor's disk, and its processor is a
 * {@link VirtualProcessor} implemented by the outer monitor. When the inner
 * monitor sets PSL<VM> and runs, the outer monitor runs the inner guest
 * directly on the real processor, with the inner VMPSL as the real VMPSL and
 * its own shadow tables over the inner monitor's shadow tables; every exit
 * reaches the outer monitor first, which handles what is its own (a fill of
 * its shadow tables, a real interrupt) and forwards the rest to the inner
 * monitor as the exit record a real processor would have delivered. Nothing
 * in the monitor knows at which level it runs.
 *
 * @module
 */

import { vmState } from "./vm.ts";
import { IPR } from "../arch/ipr.ts";
import { PhysicalMemory } from "../machine/memory.ts";
import type { CpuExit } from "../machine/cpu.ts";
import type { CostModel } from "../machine/clock.ts";
import type { Trace } from "../machine/trace.ts";
import type {
  HostDisk,
  HostEvents,
  HostProcessor,
  MonitorHost,
} from "./host.ts";
import type { VirtualMachine } from "./vm.ts";

export type { HostDisk, HostEvents, HostProcessor, MonitorHost };

/**
 * What the outer monitor does for a VM that hosts a monitor (implemented by
 * `Monitor`).
 */
export interface NestingPort {
  /** The outer monitor's own host. */
  readonly machine: MonitorHost;
  /** Runs the VM in its virtual VM mode until an exit for the inner monitor. */
  runNested(vm: VirtualMachine, limit: number, until: number): number;
  /** Instructions started in the VM's virtual VM mode, as its monitor counts them. */
  nestedInstructions(vm: VirtualMachine): number;
  /** The exit record forwarded by the last {@link NestingPort.runNested}. */
  nestedExit(vm: VirtualMachine): CpuExit | null;
  /** The inner monitor has work: make the VM runnable, stop it if it runs. */
  wakeNested(vm: VirtualMachine): void;
  /** Emulates an MTPR of the inner monitor (counted as an exit). */
  hostMtpr(vm: VirtualMachine, ipr: number, value: number): void;
  /** Services the outer monitor's devices (after host events ran). */
  pollDevices(): void;
}

const MMU_IPRS = {
  mapen: IPR.MAPEN,
  sbr: IPR.SBR,
  slr: IPR.SLR,
  p0br: IPR.P0BR,
  p0lr: IPR.P0LR,
  p1br: IPR.P1BR,
  p1lr: IPR.P1LR,
} as const;

/**
 * The processor of a virtual machine as the monitor inside it sees it. Its
 * registers are the VM's own; its MMU registers are the VM's virtual ones
 * (writing them is an MTPR the outer monitor emulates); running it asks
 * the outer monitor to run the VM in its virtual VM mode.
 */
export class VirtualProcessor implements HostProcessor {
  readonly #vm: VirtualMachine;
  readonly #port: NestingPort;
  /** Exits go to the host monitor (always, for a virtual processor). */
  hostExits: boolean = true;
  /** A virtual processor offers the VM extensions to its monitor. */
  readonly vmExtensions: boolean = true;
  /** Ignored: the outer monitor runs events. */
  nextEventNs: number = Infinity;

  /** Created by the outer monitor for a VM that hosts a monitor. */
  constructor(vm: VirtualMachine, port: NestingPort) {
    this.#vm = vm;
    this.#port = port;
  }

  /** The VM's registers. */
  get r(): Int32Array {
    return vmState(this.#vm).r;
  }

  /** The VM's PSL (with its virtual PSL<VM>). */
  get psl(): number {
    return vmState(this.#vm).vpsl;
  }

  set psl(v: number) {
    vmState(this.#vm).vpsl = v | 0;
  }

  /** The VM's virtual VMPSL. */
  get vmpsl(): number {
    return vmState(this.#vm).vmpsl;
  }

  set vmpsl(v: number) {
    vmState(this.#vm).vmpsl = v | 0;
  }

  /** Virtual MAPEN. */
  get mapen(): number {
    return vmState(this.#vm).ipr.mapen;
  }

  set mapen(v: number) {
    this.#port.hostMtpr(this.#vm, MMU_IPRS.mapen, v);
  }

  /** Virtual SBR. */
  get sbr(): number {
    return vmState(this.#vm).ipr.sbr;
  }

  set sbr(v: number) {
    this.#port.hostMtpr(this.#vm, MMU_IPRS.sbr, v);
  }

  /** Virtual SLR. */
  get slr(): number {
    return vmState(this.#vm).ipr.slr;
  }

  set slr(v: number) {
    this.#port.hostMtpr(this.#vm, MMU_IPRS.slr, v);
  }

  /** Virtual P0BR. */
  get p0br(): number {
    return vmState(this.#vm).ipr.p0br;
  }

  set p0br(v: number) {
    this.#port.hostMtpr(this.#vm, MMU_IPRS.p0br, v);
  }

  /** Virtual P0LR. */
  get p0lr(): number {
    return vmState(this.#vm).ipr.p0lr;
  }

  set p0lr(v: number) {
    this.#port.hostMtpr(this.#vm, MMU_IPRS.p0lr, v);
  }

  /** Virtual P1BR. */
  get p1br(): number {
    return vmState(this.#vm).ipr.p1br;
  }

  set p1br(v: number) {
    this.#port.hostMtpr(this.#vm, MMU_IPRS.p1br, v);
  }

  /** Virtual P1LR. */
  get p1lr(): number {
    return vmState(this.#vm).ipr.p1lr;
  }

  set p1lr(v: number) {
    this.#port.hostMtpr(this.#vm, MMU_IPRS.p1lr, v);
  }

  /** Simulated time: the one clock of the real machine. */
  get ns(): number {
    return this.#port.machine.cpu.ns;
  }

  set ns(v: number) {
    this.#port.machine.cpu.ns = v;
  }

  /** Instructions started (the real count, less the outer monitor's retries). */
  get instructions(): number {
    return this.#port.nestedInstructions(this.#vm);
  }

  /** The exit the outer monitor forwarded last. */
  get exit(): CpuExit | null {
    return this.#port.nestedExit(this.#vm);
  }

  /** Runs the VM in its virtual VM mode (see {@link NestingPort.runNested}). */
  run(limit: number, until: number): number {
    return this.#port.runNested(this.#vm, limit, until);
  }

  /** The inner monitor wants the processor back (an interrupt for it). */
  requestStop(): void {
    this.#port.wakeNested(this.#vm);
  }

  /** Nothing to do: the outer monitor delivers virtual interrupts as exits. */
  evalInterrupts(): void {}

  /** MTPR #0,#TBIA in the inner monitor. */
  tbFlushAll(): void {
    this.#port.hostMtpr(this.#vm, IPR.TBIA, 0);
  }

  /** MTPR va,#TBIS in the inner monitor. */
  tbFlushOne(va: number): void {
    this.#port.hostMtpr(this.#vm, IPR.TBIS, va);
  }

  /** Breakpoints on the real processor (virtual PCs of the innermost guest). */
  setBreakpoints(addresses: Iterable<number>): void {
    this.#port.machine.cpu.setBreakpoints(addresses);
  }

  /** MTPR to one of the VM's virtual IPRs (its disk controller, say). */
  writeIpr(n: number, value: number): void {
    this.#port.hostMtpr(this.#vm, n, value);
  }
}

/** The VM's disk controller as the inner monitor's disk. */
class VirtualHostDisk implements HostDisk {
  readonly #vm: VirtualMachine;
  /** The minidisk's bytes (one extent of the real medium). */
  readonly data: Uint8Array;

  constructor(vm: VirtualMachine, data: Uint8Array) {
    this.#vm = vm;
    this.data = data;
  }

  get blocks(): number {
    return this.#vm.disk.blocks;
  }

  get busy(): boolean {
    return this.#vm.disk.busy;
  }

  get status(): number {
    return this.#vm.disk.cs;
  }
}

/**
 * A virtual machine as the machine of a monitor running inside it (CP
 * under CP). Made by `Monitor.on(vm)`.
 */
export class VirtualHost implements MonitorHost {
  /** The VM. */
  readonly vm: VirtualMachine;
  /** Its storage. */
  readonly memory: PhysicalMemory;
  /** Its processor, implemented by the outer monitor. */
  readonly cpu: VirtualProcessor;
  /** Its minidisk. */
  readonly disk: HostDisk;
  /** The real clock's events, serviced with the outer monitor's devices. */
  readonly events: HostEvents;
  readonly #port: NestingPort;

  /**
   * Wraps a VM whose frames are contiguous in its host's memory and whose
   * disk is one extent.
   *
   * @throws {RangeError} when the VM's storage is not contiguous or its
   *   disk has more than one extent
   */
  constructor(vm: VirtualMachine, port: NestingPort, diskData: Uint8Array) {
    const f = vmState(vm).frames;
    for (let i = 1; i < f.length; i++) {
      if (f[i] !== f[0]! + i) {
        throw new RangeError(
          `Cannot run a monitor in VM "${vm.name}": its storage is not contiguous`,
        );
      }
    }
    const hostMem = port.machine.memory;
    this.vm = vm;
    this.#port = port;
    this.memory = new PhysicalMemory(vm.memorySize, {
      buffer: hostMem.u8.buffer as ArrayBuffer,
      byteOffset: hostMem.u8.byteOffset + f[0]! * 512,
    });
    this.cpu = new VirtualProcessor(vm, port);
    this.disk = new VirtualHostDisk(vm, diskData);
    const real = port.machine.events;
    this.events = {
      get nextAt() {
        return real.nextAt;
      },
      runDue(ns: number): void {
        real.runDue(ns);
        port.pollDevices();
      },
      schedule: (at: number, run: () => void) => real.schedule(at, run),
    };
  }

  /** `VM name` as the inner machine's name. */
  get name(): string {
    return this.vm.name;
  }

  /** The real machine's trace (one log for every level). */
  get trace(): Trace {
    return this.#port.machine.trace;
  }

  /** The real machine's device costs. */
  get costModel(): CostModel {
    return this.#port.machine.costModel;
  }

  /** Simulated time. */
  get now(): number {
    return this.#port.machine.cpu.ns;
  }

  /** Storage size. */
  get memorySize(): number {
    return this.vm.memorySize;
  }
}
