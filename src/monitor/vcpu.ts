/**
 * Putting a VM on the real processor and taking it off: its registers, its
 * PSL with the modes compressed (virtual kernel runs in real executive) and
 * the VM bit set, VMPSL, and the real MMU registers of the shadow view the
 * VM's current mode uses. The state stays on the processor while the VM
 * runs, and is copied back before the monitor handles an exit.
 *
 * @module
 */

import { vmState } from "./vm.ts";
import { PSL_VM, VMPSL_MASK } from "../arch/psl.ts";
import { GUEST_PSL_BITS, realPsl } from "../machine/vm_fastpath.ts";
import type { HostProcessor } from "./host.ts";
import type { ShadowPolicy, ShadowSet } from "./shadow.ts";
import type { VirtualMachine } from "./vm.ts";

export { GUEST_PSL_BITS, realPsl };

/** PSL<CUR_MOD> and PSL<PRV_MOD>. */
const MODE_BITS = 0x03c00000;

/** Real mode for a virtual mode (ring compression). */
export function compressMode(mode: number): number {
  return mode === 0 ? 1 : mode;
}

/** Which VM holds the real processor and which shadow view its MMU shows. */
export class Vcpu {
  readonly #cpu: HostProcessor;
  readonly #policy: ShadowPolicy;
  #onCpu: VirtualMachine | null = null;
  #mmuFor: VirtualMachine | null = null;
  #mmuView: "kernel" | "exec" = "kernel";

  /** The processor of a monitor with a shadow policy. */
  constructor(cpu: HostProcessor, policy: ShadowPolicy) {
    this.#cpu = cpu;
    this.#policy = policy;
  }

  /** Whether the VM's state is on the processor now. */
  isLoaded(vm: VirtualMachine): boolean {
    return this.#onCpu === vm;
  }

  /** Copies the real CPU state back into the VM, if the VM is loaded. */
  syncFromCpu(vm: VirtualMachine): void {
    if (this.#onCpu !== vm) return;
    const cpu = this.#cpu;
    vmState(vm).r.set(cpu.r);
    if ((vmState(vm).vpsl & PSL_VM) !== 0) {
      // The VM was in its virtual VM mode (a monitor runs in it): its PSL
      // is the real one, modes already compressed by the inner monitor.
      vmState(vm).vpsl = (PSL_VM | (cpu.psl & (GUEST_PSL_BITS | MODE_BITS))) |
        0;
      vmState(vm).vmpsl = cpu.vmpsl;
    } else {
      vmState(vm).vpsl =
        ((cpu.psl & GUEST_PSL_BITS) | (cpu.vmpsl & VMPSL_MASK)) | 0;
    }
    this.#onCpu = null;
  }

  /** Loads the VM's state into the real CPU (compressed modes, VMPSL). */
  syncToCpu(vm: VirtualMachine): void {
    if (this.#onCpu !== null && this.#onCpu !== vm) {
      this.syncFromCpu(this.#onCpu);
    }
    if (this.#onCpu === vm) return;
    const cpu = this.#cpu;
    const p = vmState(vm).vpsl;
    cpu.r.set(vmState(vm).r);
    const old = cpu.psl;
    cpu.psl = realPsl(p);
    // A new mode (an emulated REI or CHMx, a reflected exception): what the
    // processor cached with the old mode's access checks must go, or the
    // guest could fetch from a page its new mode may not read.
    if (((old ^ cpu.psl) & 0x03000000) !== 0) cpu.modeChanged?.();
    // In its virtual VM mode the VM's VMPSL is the inner monitor's, for the
    // inner guest: MOVPSL and PROBE there read it from the real VMPSL.
    cpu.vmpsl = (p & PSL_VM) !== 0 ? vmState(vm).vmpsl : p & VMPSL_MASK;
    this.#loadMmu(vm);
    cpu.evalInterrupts();
    this.#onCpu = vm;
  }

  /** The shadow set the VM's current virtual mode runs on. */
  activeSet(vm: VirtualMachine): ShadowSet {
    // In virtual VM mode the VM's tables are the inner monitor's shadow
    // tables: real tables for real modes, ring compression already applied.
    // They are copied unremapped (the executive view) for every mode, so
    // the inner guest's mode changes never switch this monitor's tables.
    if ((vmState(vm).vpsl & PSL_VM) !== 0) return vmState(vm).shadow.exec;
    const cur = (vmState(vm).vpsl >>> 24) & 3;
    return this.#policy === "split" && cur === 1
      ? vmState(vm).shadow.exec
      : vmState(vm).shadow.kernel;
  }

  /** The VM's shadow registers changed: reload the real MMU if it shows them. */
  mmuChanged(vm: VirtualMachine): void {
    if (this.#mmuFor === vm) this.#mmuFor = null;
    if (this.#onCpu === vm) this.#loadMmu(vm);
  }

  /** The virtual PSL changed: select the shadow view if the VM is loaded. */
  pslChanged(vm: VirtualMachine): void {
    if (this.#onCpu === vm) this.#loadMmu(vm);
  }

  /** The real MMU must be reloaded at the next resume (a view switch). */
  invalidateMmu(): void {
    this.#mmuFor = null;
  }

  /** The VM is gone: forget it. */
  forget(vm: VirtualMachine): void {
    if (this.#mmuFor === vm) this.#mmuFor = null;
  }

  #loadMmu(vm: VirtualMachine): void {
    const set = this.activeSet(vm);
    if (this.#mmuFor === vm && this.#mmuView === set.view) return;
    const cpu = this.#cpu;
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
}
