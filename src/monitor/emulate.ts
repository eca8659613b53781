/**
 * Emulation of the sensitive instructions a VM executes in its virtual
 * kernel mode and that the processor hands to the monitor (vm-extensions.md):
 * HALT, REI, CHMx, MTPR and MFPR (through the virtual IPRs), LDPCTX,
 * SVPCTX and PROBER/PROBEW, each done on the VM's virtual state exactly as
 * the hardware would do it on a bare VAX.
 *
 * @module
 */

import { vmState } from "./vm.ts";
import { OPCODE_BY_BYTE } from "../arch/opcodes.ts";
import { PSL_IS, PSL_MBZ } from "../arch/psl.ts";
import { MM_PTE_REF, SCB } from "../arch/scb.ts";
import type { CpuExit } from "../machine/cpu.ts";
import type { PhysicalMemory } from "../machine/memory.ts";
import { formatHex } from "../machine/units.ts";
import type { MonitorCosts } from "./costs.ts";
import {
  guestPhysReadL,
  guestPhysWriteL,
  guestRead,
  guestTranslate,
  guestWrite,
  probeTranslate,
} from "./guest_memory.ts";
import type { VirtualIprs } from "./iprs.ts";
import type { Ledger } from "./ledger.ts";
import type { ShadowSync } from "./shadow_sync.ts";
import { GuestFault, nonexistentMemory, VmHalt } from "./signals.ts";
import type { VirtualMachine } from "./vm.ts";

/** Scratch for LDPCTX: the 24 longwords of a PCB. */
const PCB_WORDS = new Int32Array(24);

/** What emulation needs of the monitor. */
export interface EmulateDeps {
  /** Real memory (guest memory lives there). */
  readonly memory: PhysicalMemory;
  /** The cost model. */
  readonly costs: MonitorCosts;
  /** Charging and trace. */
  readonly ledger: Ledger;
  /** The virtual IPRs (MTPR, MFPR). */
  readonly iprs: VirtualIprs;
  /** Shadow maintenance (LDPCTX, mode changes). */
  readonly shadows: ShadowSync;
}

/** A reserved operand fault (REI's checks). */
function rof(): GuestFault {
  return new GuestFault(SCB.RESERVED_OPERAND, []);
}

/** The instruction completes: PC to the next one, and the condition codes (-1: unchanged). */
function complete(vm: VirtualMachine, x: CpuExit, cc: number): void {
  vmState(vm).r[15] = x.nextPc | 0;
  if (cc >= 0) vmState(vm).vpsl = (vmState(vm).vpsl & ~0xf) | cc;
}

/** Emulates sensitive instructions on a VM's virtual state. */
export class Emulator {
  readonly #d: EmulateDeps;

  /** Emulation with its collaborators. */
  constructor(deps: EmulateDeps) {
    this.#d = deps;
  }

  /**
   * Emulates the instruction of a VM-emulation exit. Throws `GuestFault`
   * when the instruction faults and `VmHalt` when the VM halts; the
   * caller backs the instruction out.
   */
  emulate(vm: VirtualMachine, x: CpuExit): void {
    const d = this.#d;
    const mnemonic = OPCODE_BY_BYTE[x.opcode]?.mnemonic ?? "?";
    const ops = x.operands;
    const vcur = (vmState(vm).vpsl >>> 24) & 3;
    vm.stats.emulated++;
    const extra = x.opcode === 0x06 || x.opcode === 0x07
      ? d.costs.contextEmulation
      : 0;
    d.ledger.charge(vm, d.costs.emulation + extra);
    // Operand specifiers are evaluated before the instruction executes
    // (vax-architecture.md 3.6, 7 steps 3-4): redo their register side
    // effects first, so that MTPR (SP)+,#KSP, MFPR #KSP,-(SP) and CHMK (SP)+
    // see SP as the hardware does. (They used to be redone at completion,
    // after the IPR access.) The exit dispatcher undoes them if the
    // emulation faults or halts, as the hardware backs the instruction out.
    const rollback = x.rollback;
    for (let k = 0; k < rollback.length; k++) {
      const [reg, delta] = rollback[k]!;
      vmState(vm).r[reg] = vmState(vm).r[reg]! + delta;
    }
    const before = vmState(vm).vpsl;
    switch (x.opcode) {
      case 0x00: // HALT
        vmState(vm).r[15] = x.nextPc | 0;
        if (d.ledger.tracing) {
          d.ledger.trace(
            vmState(vm),
            "emulate",
            `emulate HALT: ${vm.name} halts`,
          );
        }
        throw new VmHalt("HALT instruction");
      case 0x02:
        this.#rei(vm);
        break;
      case 0xbc:
      case 0xbd:
      case 0xbe:
      case 0xbf:
        this.#chm(vm, x, x.opcode - 0xbc, ops[0]!.value);
        break;
      case 0xda: { // MTPR
        const v = ops[0]!.value | 0;
        const cc = (vmState(vm).vpsl & 1) | (v < 0 ? 8 : v === 0 ? 4 : 0);
        const n = ops[1]!.value >>> 0;
        const extraV = d.iprs.write(vm, n, v, true);
        complete(vm, x, cc | (extraV ? 2 : 0));
        break;
      }
      case 0xdb: { // MFPR
        const v = d.iprs.read(vm, ops[0]!.value >>> 0, true) | 0;
        const dst = ops[1]!;
        if (dst.register >= 0) vmState(vm).r[dst.register] = v;
        else guestWrite(d.memory, vmState(vm), dst.address, v, vcur);
        complete(vm, x, (vmState(vm).vpsl & 1) | (v < 0 ? 8 : v === 0 ? 4 : 0));
        break;
      }
      case 0x06:
        this.#ldpctx(vm);
        complete(vm, x, -1);
        break;
      case 0x07:
        this.#svpctx(vm);
        complete(vm, x, -1);
        break;
      case 0x0c:
      case 0x0d: {
        const ok = this.#probe(
          vm,
          ops[0]!.value,
          ops[1]!.value,
          ops[2]!.value,
          x.opcode === 0x0d,
        );
        complete(vm, x, (vmState(vm).vpsl & 1) | (ok ? 0 : 4));
        break;
      }
      default:
        throw new GuestFault(SCB.RESERVED_INSTRUCTION, []);
    }
    if (d.ledger.tracing) {
      d.ledger.trace(
        vmState(vm),
        "emulate",
        `emulate ${mnemonic}: PC ${formatHex(x.pc, 8)} -> ${
          formatHex(vmState(vm).r[15]!, 8)
        }`,
        {
          mnemonic,
          oldPsl: before >>> 0,
          newPsl: vmState(vm).vpsl >>> 0,
        },
      );
    }
    d.shadows.afterPslChange(vm, before);
  }

  /** REI (vax-architecture.md 6): the checks, then PC and PSL from the stack. */
  #rei(vm: VirtualMachine): void {
    const mem = this.#d.memory;
    const psl = vmState(vm).vpsl;
    const cur = (psl >>> 24) & 3;
    const sp = vmState(vm).r[14]!;
    const newPc = guestRead(mem, vmState(vm), sp >>> 0, cur);
    const np = guestRead(mem, vmState(vm), (sp + 4) >>> 0, cur);
    const nCur = (np >>> 24) & 3;
    const nPrv = (np >>> 22) & 3;
    const nIpl = (np >>> 16) & 31;
    const nIs = (np & PSL_IS) !== 0;
    const ipl = (psl >>> 16) & 31;
    // The virtual machine is a standard VAX: bit 29 is must-be-zero for it.
    if ((np & PSL_MBZ) !== 0 || nCur < cur || (np & 0x80000000) !== 0) {
      throw rof();
    }
    if (nCur !== 0) {
      if (nIs || nIpl !== 0 || nPrv < nCur) throw rof();
    } else {
      if (nIs && (psl & PSL_IS) === 0) throw rof();
      if (nIs && nIpl === 0) throw rof();
      if (nIpl > ipl) throw rof();
    }
    const nsp = sp + 8;
    if ((psl & PSL_IS) !== 0) vmState(vm).vstk[4] = nsp;
    else vmState(vm).vstk[cur] = nsp;
    vmState(vm).vpsl = (np & ~0x40000000) | ((np | psl) & 0x40000000);
    vmState(vm).r[14] = nIs ? vmState(vm).vstk[4]! : vmState(vm).vstk[nCur]!;
    if (!nIs && nCur >= vmState(vm).ipr.astlvl) vmState(vm).ipr.sisr |= 1 << 2;
    vmState(vm).r[15] = newPc;
  }

  /** CHMK, CHME, CHMS, CHMU (7): to the new mode's stack and SCB vector. */
  #chm(
    vm: VirtualMachine,
    x: CpuExit,
    opMode: number,
    code: number,
  ): void {
    const mem = this.#d.memory;
    const psl = vmState(vm).vpsl;
    if ((psl & PSL_IS) !== 0) {
      throw new VmHalt("CHMx executed while on interrupt stack");
    }
    const vec = guestPhysReadL(
      mem,
      vmState(vm),
      (vmState(vm).ipr.scbb + SCB.CHMK + 4 * opMode) >>> 0,
    );
    const cur = (psl >>> 24) & 3;
    const target = Math.min(opMode, cur);
    const savedR14 = vmState(vm).r[14]!;
    vmState(vm).vstk[cur] = vmState(vm).r[14]!;
    const nsp = vmState(vm).vstk[target]!;
    const sxCode = (code << 16) >> 16;
    try {
      // Check both ends first, as the hardware does (section 7 step 5).
      guestTranslate(mem, vmState(vm), (nsp - 1) >>> 0, target, true);
      guestTranslate(mem, vmState(vm), (nsp - 12) >>> 0, target, true);
      guestWrite(mem, vmState(vm), (nsp - 4) >>> 0, psl, target);
      guestWrite(mem, vmState(vm), (nsp - 8) >>> 0, x.nextPc, target);
      guestWrite(mem, vmState(vm), (nsp - 12) >>> 0, sxCode, target);
    } catch (e) {
      vmState(vm).r[14] = savedR14;
      throw e;
    }
    vmState(vm).r[14] = nsp - 12;
    vmState(vm).vpsl = (target << 24) | (cur << 22) | (psl & 0x001f0000);
    vmState(vm).r[15] = vec & ~3;
  }

  /** PROBER and PROBEW (8.1): whether both ends of the range are accessible. */
  #probe(
    vm: VirtualMachine,
    modeOp: number,
    len: number,
    base: number,
    write: boolean,
  ): boolean {
    const mem = this.#d.memory;
    const mode = Math.max(modeOp & 3, (vmState(vm).vpsl >>> 22) & 3);
    const check = (va: number): boolean => {
      try {
        probeTranslate(mem, vmState(vm), va >>> 0, mode, write);
        return true;
      } catch (e) {
        if (!(e instanceof GuestFault)) throw e;
        // A page-table entry beyond the guest's memory is a machine check,
        // as on bare hardware, not "inaccessible".
        if (e.vector === SCB.MACHINE_CHECK) throw e;
        const mask = e.params[0] ?? 0;
        if (
          e.vector === SCB.TRANSLATION_NOT_VALID && (mask & MM_PTE_REF) !== 0
        ) {
          // The guest's page-table page is not valid: its own double miss.
          const st = vm.monitor.pager?.of(vmState(vm));
          if (st) {
            st.stats.guestFaults++;
            st.stats.guestDoubleMisses++;
          }
          throw e;
        }
        // A not-valid page whose protection allows access counts as accessible.
        if (e.vector === SCB.TRANSLATION_NOT_VALID) return true;
        return false;
      }
    };
    const l = len & 0xffff;
    return check(base) && check((base + l - 1) >>> 0);
  }

  /** LDPCTX (11.2): the process context from the PCB. */
  #ldpctx(vm: VirtualMachine): void {
    const mem = this.#d.memory;
    const pcb = vmState(vm).ipr.pcbb >>> 0;
    // As the processor: the whole PCB must exist before anything changes.
    if (pcb + 0x60 > vm.memorySize) throw nonexistentMemory(false, pcb);
    // The whole PCB is read (in order) before anything changes, so a
    // machine check leaves the VM as it was. (No arrays: one per switch.)
    const w = PCB_WORDS;
    for (let k = 0; k < 24; k++) {
      w[k] = guestPhysReadL(mem, vmState(vm), pcb + 4 * k);
    }
    const pc = w[0x48 >> 2]!;
    const psl = w[0x4c >> 2]!;
    const w54 = w[0x54 >> 2]!;
    const w5c = w[0x5c >> 2]!;
    vmState(vm).ipr.p0br = w[0x50 >> 2]! & ~3;
    vmState(vm).ipr.p0lr = w54 & 0x3fffff;
    vmState(vm).ipr.astlvl = (w54 >>> 24) & 7;
    vmState(vm).ipr.p1br = w[0x58 >> 2]! & ~3;
    vmState(vm).ipr.p1lr = w5c & 0x3fffff;
    vmState(vm).ipr.pme = (w5c >>> 31) & 1;
    for (let k = 0; k < 4; k++) vmState(vm).vstk[k] = w[k]!;
    if ((vmState(vm).vpsl & PSL_IS) !== 0) {
      vmState(vm).vstk[4] = vmState(vm).r[14]!;
      vmState(vm).vpsl &= ~PSL_IS;
    }
    for (let k = 0; k < 14; k++) vmState(vm).r[k] = w[4 + k]!;
    const sp = vmState(vm).vstk[0]! - 8;
    vmState(vm).r[14] = sp;
    this.#d.shadows.flushProcess(vm);
    guestWrite(mem, vmState(vm), sp >>> 0, pc, 0);
    guestWrite(mem, vmState(vm), (sp + 4) >>> 0, psl, 0);
  }

  /** SVPCTX (11.3): the process context into the PCB. */
  #svpctx(vm: VirtualMachine): void {
    const mem = this.#d.memory;
    const sp = vmState(vm).r[14]!;
    const pc = guestRead(mem, vmState(vm), sp >>> 0, 0);
    const psl = guestRead(mem, vmState(vm), (sp + 4) >>> 0, 0);
    const pcb = vmState(vm).ipr.pcbb >>> 0;
    // Check the PCB exists before changing anything (as the processor).
    if (pcb + 0x50 > vm.memorySize) throw nonexistentMemory(true, pcb);
    if ((vmState(vm).vpsl & PSL_IS) !== 0) {
      vmState(vm).r[14] = sp + 8;
    } else {
      vmState(vm).vstk[0] = sp + 8;
      vmState(vm).r[14] = vmState(vm).vstk[4]!;
      vmState(vm).vpsl |= PSL_IS;
      if ((vmState(vm).vpsl & 0x001f0000) === 0) vmState(vm).vpsl |= 1 << 16;
    }
    const wr = (off: number, v: number) =>
      guestPhysWriteL(mem, vmState(vm), pcb + off, v);
    for (let k = 0; k < 4; k++) wr(4 * k, vmState(vm).vstk[k]!);
    for (let k = 0; k < 14; k++) wr(0x10 + 4 * k, vmState(vm).r[k]!);
    wr(0x48, pc);
    wr(0x4c, psl);
  }
}
