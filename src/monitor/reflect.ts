/**
 * Reflection (vax-architecture.md 5.5): an exception or interrupt that
 * belongs to the guest is delivered the way the hardware would deliver it
 * on a bare VAX, through the guest's own SCB, onto the guest's kernel or
 * interrupt stack, at the IPL and mode the hardware would choose. Pending
 * virtual interrupts are delivered here too, before the VM resumes.
 *
 * @module
 */

import { vmState } from "./vm.ts";
import { PSL_IS } from "../arch/psl.ts";
import { SCB, vectorName } from "../arch/scb.ts";
import type { CpuExit } from "../machine/cpu.ts";
import type { PhysicalMemory } from "../machine/memory.ts";
import { formatHex } from "../machine/units.ts";
import type { MonitorCosts } from "./costs.ts";
import { guestPhysReadL, guestWrite } from "./guest_memory.ts";
import { VIRQ_INFO } from "./interrupts.ts";
import type { Ledger } from "./ledger.ts";
import { GuestFault, haltVm, VmHalt } from "./signals.ts";
import type { VirtualMachine } from "./vm.ts";
import type { Hooks } from "./hooks.ts";

/** What reflection needs of the monitor. */
export interface ReflectDeps {
  /** Real memory (the guest's SCB and stacks live there). */
  readonly memory: PhysicalMemory;
  /** The cost model. */
  readonly costs: MonitorCosts;
  /** Charging and trace. */
  readonly ledger: Ledger;
  /** The reflect hooks. */
  readonly hooks: Hooks;
}

/**
 * The KA655 machine-check parameters (5.4): byte count 0x10, code (0x80
 * read, 0x82 write), VA + 4, state 1 (opcode, highest pending software
 * IPL, CADR, MSER) and state 2 (0x00C07000 + PC advance).
 */
export function machineCheckFrame(
  vm: VirtualMachine,
  va: number,
  access?: CpuExit["access"],
): number[] {
  const sw = vmState(vm).ipr.sisr === 0
    ? 0
    : 31 - Math.clz32(vmState(vm).ipr.sisr);
  const opcode = access?.opcode ?? 0;
  const state1 = ((opcode & 0xff) << 24) | (sw << 16) |
    ((vmState(vm).ipr.cadr & 0xff) << 8) |
    (vmState(vm).ipr.mser & 0xff);
  return [
    0x10,
    access?.write ? 0x82 : 0x80,
    (va + 4) | 0,
    state1,
    0x00c07000 + ((access?.delta ?? 0) & 0xff),
  ];
}

/** Delivers exceptions and interrupts into VMs through their SCBs. */
export class Reflector {
  readonly #d: ReflectDeps;

  /** Reflection with its collaborators. */
  constructor(deps: ReflectDeps) {
    this.#d = deps;
  }

  /**
   * Reflects an exception (`level` -1) or an interrupt at `level` into the
   * VM: reads the guest's SCB vector, switches stacks, pushes PSL, PC and
   * the parameters, and enters the handler. Throws `VmHalt` where a bare
   * processor would halt.
   */
  reflect(
    vm: VirtualMachine,
    vector: number,
    params: number[],
    level: number,
    severe = false,
  ): void {
    const { memory, ledger, hooks } = this.#d;
    if (
      hooks.has("reflect") &&
      hooks.dispatch("reflect", {
        vm,
        vector,
        params: [...params],
        level,
        ns: ledger.now,
      }, vectorName(vector))
    ) return;
    const scbPa = (vmState(vm).ipr.scbb + vector) >>> 0;
    let vec: number;
    try {
      vec = guestPhysReadL(memory, vmState(vm), scbPa);
    } catch {
      throw new VmHalt("SCB vector read from nonexistent memory");
    }
    if (severe) vec |= 1;
    if ((vec & 2) !== 0) throw new VmHalt("invalid SCB vector");
    const oldPsl = vmState(vm).vpsl;
    const oldPc = vmState(vm).r[15]!;
    const oldIs = (oldPsl & PSL_IS) !== 0;
    const oldCur = (oldPsl >>> 24) & 3;
    const oldR14 = vmState(vm).r[14]!;
    let newIs = true;
    if (!oldIs) {
      vmState(vm).vstk[oldCur] = vmState(vm).r[14]!;
      newIs = (vec & 1) !== 0;
      vmState(vm).r[14] = newIs ? vmState(vm).vstk[4]! : vmState(vm).vstk[0]!;
    }
    const ipl = level >= 0
      ? level
      : (vec & 1) !== 0
      ? 31
      : (oldPsl >>> 16) & 31;
    const prv = level >= 0 ? 0 : oldCur;
    vmState(vm).vpsl = (newIs ? PSL_IS : 0) | (prv << 22) | (ipl << 16);
    try {
      let sp = vmState(vm).r[14]!;
      // PSL, then PC, then the parameters, last parameter first.
      for (let k = -2; k < params.length; k++) {
        const v = k === -2
          ? oldPsl
          : k === -1
          ? oldPc
          : params[params.length - 1 - k]!;
        guestWrite(memory, vmState(vm), (sp - 4) >>> 0, v, 0);
        sp -= 4;
      }
      vmState(vm).r[14] = sp;
    } catch (e) {
      if (!(e instanceof GuestFault)) throw e;
      if (newIs || severe) {
        throw new VmHalt("exception while pushing on the interrupt stack");
      }
      // Kernel stack not valid.
      vmState(vm).vpsl = oldPsl;
      vmState(vm).r[14] = oldR14;
      vmState(vm).r[15] = oldPc;
      this.reflect(vm, SCB.KERNEL_STACK_NOT_VALID, [], -1, true);
      return;
    }
    vmState(vm).r[15] = vec & ~3;
    vm.stats.reflected++;
    ledger.charge(vm, this.#d.costs.reflection);
    if (ledger.tracing) {
      ledger.trace(
        vmState(vm),
        "reflect",
        `reflect ${level >= 0 ? "interrupt" : "exception"} ${
          vectorName(vector)
        } into ${vm.name}: PC ${formatHex(oldPc, 8)} -> ${
          formatHex(vmState(vm).r[15]!, 8)
        }`,
        { vector, level, oldPsl: oldPsl >>> 0, newPsl: vmState(vm).vpsl >>> 0 },
      );
    }
  }

  /**
   * Completes the MicroVAX emulation exception (SCB 0xC8/0xCC) of a VM:
   * the processor has pushed the frame on the guest's current stack and
   * cleared the PSW bits, in the guest's current mode; the handler's
   * address comes from the guest's SCB. Throws `VmHalt` where a bare
   * processor would halt.
   */
  enterEmulation(vm: VirtualMachine, vector: number): void {
    const { memory, ledger } = this.#d;
    let vec: number;
    try {
      vec = guestPhysReadL(
        memory,
        vmState(vm),
        (vmState(vm).ipr.scbb + vector) >>> 0,
      );
    } catch {
      throw new VmHalt("SCB vector read from nonexistent memory");
    }
    const from = vmState(vm).r[15]!;
    vmState(vm).r[15] = vec & ~3;
    vm.stats.reflected++;
    ledger.charge(vm, this.#d.costs.reflection);
    if (ledger.tracing) {
      ledger.trace(
        vmState(vm),
        "reflect",
        `reflect exception ${vectorName(vector)} into ${vm.name}: PC ${
          formatHex(from, 8)
        } -> ${formatHex(vmState(vm).r[15]!, 8)}`,
        {
          vector,
          level: -1,
          oldPsl: vmState(vm).vpsl >>> 0,
          newPsl: vmState(vm).vpsl >>> 0,
        },
      );
    }
  }

  /** Delivers pending virtual interrupts the virtual IPL allows; false if the VM halted. */
  deliverInterrupts(vm: VirtualMachine): boolean {
    for (;;) {
      const ipl = (vmState(vm).vpsl >>> 16) & 31;
      const sw = vmState(vm).ipr.sisr === 0
        ? 0
        : 31 - Math.clz32(vmState(vm).ipr.sisr);
      let hw = 0;
      let src = -1;
      for (let s = 0; s < VIRQ_INFO.length; s++) {
        if ((vmState(vm).irq >> s) & 1 && VIRQ_INFO[s]![0] > hw) {
          hw = VIRQ_INFO[s]![0];
          src = s;
        }
      }
      if (Math.max(hw, sw) <= ipl) return vm.status !== "halted";
      try {
        if (hw >= sw) {
          vmState(vm).irq &= ~(1 << src);
          this.reflect(vm, VIRQ_INFO[src]![1], [], hw);
        } else {
          vmState(vm).ipr.sisr &= ~(1 << sw);
          this.reflect(vm, SCB.SOFTWARE_BASE + 4 * sw, [], sw);
        }
        vm.stats.interrupts++;
      } catch (e) {
        if (e instanceof VmHalt) {
          haltVm(vm, e.reason, this.#d.ledger);
          return false;
        }
        throw e;
      }
    }
  }
}
