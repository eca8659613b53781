/**
 * The virtual internal processor registers of a VM (vax-architecture.md 9,
 * 8.3): what MFPR reads and MTPR writes in the guest, and what the host reads
 * and writes with `vm.get` and `vm.set`. Stack pointers and memory
 * management registers are the VM's own; a change to the guest's page-table
 * registers reaches the shadow tables; the console, timer and disk
 * registers go to the VM's virtual devices.
 *
 * @module
 */

import { vmState } from "./vm.ts";
import { IPR, IPR_MAX_KA655, KA655_SID } from "../arch/ipr.ts";
import { PSL_IS } from "../arch/psl.ts";
import { SCB } from "../arch/scb.ts";
import type { HostProcessor } from "./host.ts";
import { hex8 } from "../machine/units.ts";
import type { DiskChannel } from "./devices/disk.ts";
import type { ShadowSync } from "./shadow_sync.ts";
import { GuestFault } from "./signals.ts";
import type { VirtualMachine } from "./vm.ts";

/** What the virtual IPRs need of the monitor. */
export interface IprDeps {
  /** The real processor: its clock (TODR) and translation buffer. */
  readonly cpu: HostProcessor;
  /** Shadow-table maintenance (base and length registers, TBIA, TBIS). */
  readonly shadows: ShadowSync;
  /** The real disk's channel (IORESET abandons a VM's transfers). */
  readonly channel: DiskChannel;
}

/** Reads and writes the virtual IPRs of VMs. */
export class VirtualIprs {
  readonly #d: IprDeps;

  /** The virtual IPRs with their collaborators. */
  constructor(deps: IprDeps) {
    this.#d = deps;
  }

  /**
   * Reads a virtual IPR as MFPR in the guest would.
   *
   * @throws {RangeError} for registers MFPR would refuse (host callers)
   */
  read(vm: VirtualMachine, n: number, fromGuest = false): number {
    const g = vmState(vm).ipr;
    const p = vmState(vm).vpsl;
    const is = (p & PSL_IS) !== 0;
    const cur = (p >>> 24) & 3;
    const rof = (): never => {
      if (fromGuest) throw new GuestFault(SCB.RESERVED_OPERAND, []);
      throw new RangeError(
        `Cannot read IPR ${n} of VM "${vm.name}": MFPR would raise a reserved operand fault`,
      );
    };
    switch (n) {
      case IPR.KSP:
      case IPR.ESP:
      case IPR.SSP:
      case IPR.USP:
        return !is && cur === n ? vmState(vm).r[14]! : vmState(vm).vstk[n]!;
      case IPR.ISP:
        return is ? vmState(vm).r[14]! : vmState(vm).vstk[4]!;
      case IPR.P0BR:
        return g.p0br;
      case IPR.P0LR:
        return g.p0lr;
      case IPR.P1BR:
        return g.p1br;
      case IPR.P1LR:
        return g.p1lr;
      case IPR.SBR:
        return g.sbr;
      case IPR.SLR:
        return g.slr;
      case IPR.PCBB:
        return g.pcbb;
      case IPR.SCBB:
        return g.scbb;
      case IPR.IPL:
        return (p >>> 16) & 31;
      case IPR.ASTLVL:
        return g.astlvl;
      case IPR.SISR:
        return g.sisr;
      case IPR.ICCS:
        return vm.timer.iccs & 0x40;
      case IPR.TODR:
        return (g.todrBase + Math.floor(this.#d.cpu.ns / 10_000_000)) | 0;
      case IPR.RXCS:
        return vm.console.rxcs & 0xc0;
      case IPR.RXDB:
        return vm.console.readRxdb(fromGuest);
      case IPR.TXCS:
        return vm.console.txcs & 0xc0;
      case IPR.TXDB:
        return 0;
      case IPR.MAPEN:
        return g.mapen;
      case IPR.PME:
        return g.pme;
      case IPR.SID:
        return KA655_SID;
      case IPR.CADR:
        return g.cadr;
      case IPR.MSER:
        return g.mser;
      case IPR.CONPC:
        return g.conpc;
      case IPR.CONPSL:
        return g.conpsl;
      case IPR.DKBLK:
        return vm.disk.blk;
      case IPR.DKMEM:
        return vm.disk.mem;
      case IPR.DKCNT:
        return vm.disk.cnt;
      case IPR.DKCS:
        return vm.disk.cs;
      case IPR.DKSIZE:
        return vm.disk.blocks;
      case IPR.SIRR:
      case IPR.TBIA:
      case IPR.TBIS:
      case IPR.TBCHK:
        return rof();
      default:
        if (n > IPR_MAX_KA655) return rof();
        return 0;
    }
  }

  /**
   * Writes a virtual IPR as MTPR in the guest would. Returns true when
   * MTPR's V bit is set (TBCHK hit).
   *
   * @throws {RangeError} for writes MTPR would refuse (host callers)
   */
  write(
    vm: VirtualMachine,
    n: number,
    v: number,
    fromGuest = false,
  ): boolean {
    const g = vmState(vm).ipr;
    const shadows = this.#d.shadows;
    const is = (vmState(vm).vpsl & PSL_IS) !== 0;
    const cur = (vmState(vm).vpsl >>> 24) & 3;
    const rof = (): never => {
      if (fromGuest) throw new GuestFault(SCB.RESERVED_OPERAND, []);
      throw new RangeError(
        `Cannot write IPR ${n} of VM "${vm.name}": MTPR of 0x${
          hex8(v)
        } would raise a reserved operand fault`,
      );
    };
    switch (n) {
      case IPR.KSP:
      case IPR.ESP:
      case IPR.SSP:
      case IPR.USP:
        if (!is && cur === n) vmState(vm).r[14] = v;
        else vmState(vm).vstk[n] = v;
        return false;
      case IPR.ISP:
        if (is) vmState(vm).r[14] = v;
        else vmState(vm).vstk[4] = v;
        return false;
      case IPR.P0BR:
        g.p0br = v & ~3;
        shadows.flushProcess(vm);
        return false;
      case IPR.P0LR:
        g.p0lr = v & 0x3fffff;
        shadows.flushProcess(vm);
        return false;
      case IPR.P1BR:
        g.p1br = v & ~3;
        shadows.flushProcess(vm);
        return false;
      case IPR.P1LR:
        g.p1lr = v & 0x3fffff;
        shadows.flushProcess(vm);
        return false;
      case IPR.SBR:
        g.sbr = v & ~3;
        shadows.relayout(vm);
        return false;
      case IPR.SLR:
        g.slr = v & 0x3fffff;
        shadows.relayout(vm);
        return false;
      case IPR.PCBB:
        g.pcbb = v & ~3;
        return false;
      case IPR.SCBB:
        g.scbb = v & ~3;
        return false;
      case IPR.IPL:
        vmState(vm).vpsl = (vmState(vm).vpsl & ~0x001f0000) | ((v & 31) << 16);
        return false;
      case IPR.ASTLVL:
        if ((v >>> 0) > 4) return rof();
        g.astlvl = v & 7;
        return false;
      case IPR.SIRR:
        if ((v & 15) !== 0) g.sisr |= 1 << (v & 15);
        return false;
      case IPR.SISR:
        g.sisr = v & 0xfffe;
        return false;
      case IPR.ICCS:
        vm.timer.writeIccs(v);
        return false;
      case IPR.TODR:
        g.todrBase = (v - Math.floor(this.#d.cpu.ns / 10_000_000)) | 0;
        return false;
      case IPR.RXCS:
        vm.console.writeRxcs(v);
        return false;
      case IPR.TXCS:
        vm.console.writeTxcs(v);
        return false;
      case IPR.TXDB:
        vm.console.transmit(v & 0xff);
        return false;
      case IPR.RXDB:
        return false;
      case IPR.MAPEN:
        g.mapen = v & 1;
        shadows.relayout(vm);
        return false;
      case IPR.TBIA:
        shadows.invalidateAll(vm);
        return false;
      case IPR.TBIS:
        shadows.invalidateOne(vm, v);
        return false;
      case IPR.TBCHK:
        return shadows.check(vm, v);
      case IPR.PME:
        g.pme = v & 1;
        return false;
      case IPR.CADR:
        g.cadr = v & 0xff;
        return false;
      case IPR.MSER:
        g.mser = 0;
        return false;
      case IPR.SID:
      case IPR.CONPC:
      case IPR.CONPSL:
      case IPR.DKSIZE:
        return rof();
      case IPR.IORESET:
        this.#ioReset(vm);
        return false;
      case IPR.DKBLK:
        vm.disk.blk = v >>> 0;
        return false;
      case IPR.DKMEM:
        vm.disk.mem = v >>> 0;
        return false;
      case IPR.DKCNT:
        vm.disk.cnt = v >>> 0;
        return false;
      case IPR.DKCS:
        vm.disk.writeDkcs(v);
        return false;
      default:
        if (n > IPR_MAX_KA655) return rof();
        return false;
    }
  }

  /** IORESET: every virtual device of the VM back to its power-up state. */
  #ioReset(vm: VirtualMachine): void {
    vm.console.reset();
    vm.timer.writeIccs(0);
    vm.disk.reset();
    vmState(vm).irq = 0;
    this.#d.channel.cancel(vm.disk);
  }
}
