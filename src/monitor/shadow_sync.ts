/**
 * Keeping a VM's shadow page tables in step with its own: a shadow miss
 * (ACV or TNV while the VM runs) is filled from the guest's tables or
 * reflected as the guest's own fault; a change of the guest's base or
 * length registers lays the shadow tables out again; TBIA and TBIS clear
 * shadow entries as they clear a real translation buffer.
 *
 * @module
 */

import { vmState } from "./vm.ts";
import { MM_PTE_REF, MM_WRITE, SCB } from "../arch/scb.ts";
import { PTE_M, PTE_PFN_MASK, PTE_V } from "../arch/pte.ts";
import { PSL_VM } from "../arch/psl.ts";
import type { CpuExit } from "../machine/cpu.ts";
import type { MonitorHost } from "./host.ts";
import { formatHex, hex8 } from "../machine/units.ts";
import type { MonitorCosts } from "./costs.ts";
import { guestPte, guestTranslate, walkGuest } from "./guest_memory.ts";
import { isWalkFault } from "../machine/mmu.ts";
import type { Ledger } from "./ledger.ts";
import { machineCheckFrame } from "./reflect.ts";
import type { ShadowPolicy, ShadowSet } from "./shadow.ts";
import { GuestFault, VmHalt } from "./signals.ts";
import type { Vcpu } from "./vcpu.ts";
import type { VirtualMachine } from "./vm.ts";
import { ACCESS } from "./paging/pager.ts";

/** What shadow maintenance needs of the monitor. */
export interface ShadowSyncDeps {
  /** Real memory and the real processor's translation buffer. */
  readonly machine: Pick<MonitorHost, "memory" | "cpu">;
  /** Shadow-table policy. */
  readonly policy: ShadowPolicy;
  /** The cost model. */
  readonly costs: MonitorCosts;
  /** Charging and trace. */
  readonly ledger: Ledger;
  /** The processor's view of the VMs' MMUs. */
  readonly vcpu: Vcpu;
  /**
   * True when the host is a real processor (a level-1 monitor): a page of
   * nonexistent guest memory is then shadowed by a frame beyond real
   * memory, so the processor itself raises the machine check at the very
   * access bare hardware would, after the instruction's earlier effects.
   */
  readonly realMachineChecks?: boolean;
}

/**
 * The frame a shadow PTE gets for nonexistent guest memory: the highest
 * PFN, beyond any real memory (1 GiB - 512), so an access raises the
 * processor's machine check with bare hardware's code and address.
 */
export const NONEXISTENT_FRAME = PTE_PFN_MASK;

/** Fills and flushes the shadow tables of the VMs of one monitor. */
export class ShadowSync {
  readonly #d: ShadowSyncDeps;
  /** The last shadow miss filled (a second identical one means no progress). */
  #lastFault = "";

  /** Shadow maintenance with its collaborators. */
  constructor(deps: ShadowSyncDeps) {
    this.#d = deps;
  }

  /** Forgets the last miss: the VM made progress (or stopped otherwise). */
  resetMissMemo(): void {
    this.#lastFault = "";
  }

  /** Rebuilds both shadow sets for the VM's current guest registers. */
  relayout(vm: VirtualMachine): void {
    const g = vmState(vm).ipr;
    const pages = vm.memorySize / 512;
    const sys = g.mapen ? Math.min(g.slr, 32768) : pages;
    // Mapping off: all of P0, so that an access beyond the guest's memory is
    // a shadow miss (filled by NONEXISTENT_FRAME: the processor's machine
    // check); table pages are allocated on demand.
    const p0 = g.mapen ? g.p0lr : 0x200000;
    const p1 = g.mapen ? g.p1lr : 0x200000;
    vmState(vm).shadow.kernel.layout(sys, p0, p1);
    vmState(vm).shadow.exec.layout(sys, p0, p1);
    vm.stats.shadowFlushes++;
    this.#d.ledger.charge(vm, this.#d.costs.shadowFlush);
    this.#d.vcpu.mmuChanged(vm);
  }

  /** The guest changed its process registers (P0/P1 base or length, LDPCTX). */
  flushProcess(vm: VirtualMachine): void {
    const g = vmState(vm).ipr;
    if (!g.mapen) return;
    vmState(vm).shadow.kernel.setProcessLengths(g.p0lr, g.p1lr);
    vmState(vm).shadow.exec.setProcessLengths(g.p0lr, g.p1lr);
    vm.stats.shadowFlushes++;
    this.#d.ledger.charge(vm, this.#d.costs.shadowFlush);
    this.#d.vcpu.mmuChanged(vm);
  }

  /** The guest's TBIA: every shadow entry goes. */
  invalidateAll(vm: VirtualMachine): void {
    vmState(vm).shadow.kernel.clearAll();
    vmState(vm).shadow.exec.clearAll();
    vm.stats.shadowFlushes++;
    this.#d.ledger.charge(vm, this.#d.costs.shadowFlush);
    this.#d.machine.cpu.tbFlushAll();
  }

  /** The guest's TBIS: the shadow entries of one page go. */
  invalidateOne(vm: VirtualMachine, va: number): void {
    vmState(vm).shadow.kernel.invalidate(va >>> 0);
    vmState(vm).shadow.exec.invalidate(va >>> 0);
    this.#d.machine.cpu.tbFlushOne(va);
  }

  /** The guest's TBCHK: whether the active view holds a valid entry. */
  check(vm: VirtualMachine, va: number): boolean {
    return (this.#d.vcpu.activeSet(vm).read(va >>> 0) & PTE_V) !== 0;
  }

  /** After the virtual mode may have changed: select the shadow view. */
  afterPslChange(vm: VirtualMachine, before: number): void {
    const a = (before >>> 24) & 3;
    const b = (vmState(vm).vpsl >>> 24) & 3;
    if (this.#d.policy === "split" && (a === 1) !== (b === 1)) {
      // The executive view differs: the real MMU registers change (loaded at resume).
      this.#d.vcpu.invalidateMmu();
    }
  }

  /**
   * ACV or TNV while the VM ran: a shadow miss to fill, or the guest's own
   * fault (thrown as `GuestFault`). Returns true: the instruction is
   * retried.
   */
  memoryFault(
    vm: VirtualMachine,
    vector: number,
    mask: number,
    va: number,
    access?: CpuExit["access"],
  ): boolean {
    const d = this.#d;
    const set = d.vcpu.activeSet(vm);
    const write = (mask & MM_WRITE) !== 0;
    const key = `${vm.name}:${set.view}:${
      vmState(vm).r[15]
    }:${va}:${mask}:${vector}`;
    if (vector === SCB.TRANSLATION_NOT_VALID && (mask & MM_PTE_REF) !== 0) {
      // The real system PTE of a shadow process-table page is not there yet.
      if (set.ensureTablePage(va)) {
        d.machine.cpu.tbFlushAll();
        return true;
      }
    }
    const vmode = (vmState(vm).vpsl >>> 24) & 3;
    // Shared tables give virtual executive the kernel's rights (the weakness
    // vm-extensions.md describes), so walk with kernel rights for it.
    const mode = d.policy === "shared" && vmode === 1 ? 0 : vmode;
    let gpa: number;
    try {
      gpa = guestTranslate(d.machine.memory, vmState(vm), va, mode, write);
    } catch (e) {
      // The guest's own page fault: counted for the paging reports.
      if (e instanceof GuestFault && e.vector === SCB.TRANSLATION_NOT_VALID) {
        const st = vm.monitor.pager?.of(vmState(vm));
        if (st) {
          st.stats.guestFaults++;
          if (((e.params[0] ?? 0) & MM_PTE_REF) !== 0) {
            st.stats.guestDoubleMisses++;
          }
        }
      }
      throw e;
    }
    if (gpa >>> 0 >= vm.memorySize) {
      if (
        d.realMachineChecks === true && (vmState(vm).vpsl & PSL_VM) === 0 &&
        this.#lastFault !== key &&
        d.machine.memory.size <= NONEXISTENT_FRAME * 512
      ) {
        // Let the processor raise it: the instruction runs again and its
        // partial effects (a queue's interlock bit, a link written before
        // the faulting one) and the machine check's code and address are
        // bare hardware's; exits.ts reflects the machine check.
        set.ensureTablePage(va);
        if (set.ptePa(va) >= 0) {
          this.#lastFault = key;
          this.#fillNonexistent(vm, set, va);
          return true;
        }
        // Not covered by the shadow tables (e.g. mapping off, beyond the
        // guest's memory): the monitor reports it itself (below).
      }
      // Nonexistent guest memory: the machine check the KA655 reports
      // (vax-architecture.md 5.4), with the frame bare hardware pushes.
      throw new GuestFault(
        SCB.MACHINE_CHECK,
        machineCheckFrame(vm, va, access),
        true,
      );
    }
    if (this.#lastFault === key) {
      // The fill did not help: never loop; the VM stops with a clear reason.
      throw new VmHalt(
        `monitor cannot shadow VA 0x${hex8(va)} (mask ${mask}) at PC 0x${
          hex8(vmState(vm).r[15]!)
        }`,
      );
    }
    this.#lastFault = key;
    this.#fill(vm, set, va, gpa, write);
    return true;
  }

  /**
   * ACV or TNV while the VM was in its virtual VM mode (a monitor runs in
   * it): when the inner monitor's tables (the VM's tables) allow the
   * access, this is a miss in this monitor's shadow of them, filled here
   * (returns null: retry); otherwise the fault is the inner monitor's, and
   * the exit record it would get from its processor is returned.
   */
  nestedFault(vm: VirtualMachine, x: CpuExit): CpuExit | null {
    const d = this.#d;
    const mask = x.params[0]!;
    const va = x.params[1]! >>> 0;
    const set = d.vcpu.activeSet(vm);
    if (
      x.vector === SCB.TRANSLATION_NOT_VALID && (mask & MM_PTE_REF) !== 0 &&
      set.ensureTablePage(va)
    ) {
      d.machine.cpu.tbFlushAll();
      return null;
    }
    const write = (mask & MM_WRITE) !== 0;
    let r: ReturnType<typeof walkGuest> | null = null;
    try {
      r = walkGuest(
        d.machine.memory,
        vmState(vm),
        va,
        (vmState(vm).vpsl >>> 24) & 3,
        write,
      );
    } catch (e) {
      if (!(e instanceof GuestFault) && !(e instanceof VmHalt)) throw e;
    }
    if (r === null || (!isWalkFault(r) && r.pa >>> 0 >= vm.memorySize)) {
      return { ...x, vector: SCB.MACHINE_CHECK };
    }
    if (isWalkFault(r)) {
      return { ...x, vector: r.vector, params: [r.mask, r.va | 0] };
    }
    const key = `${vm.name}:nested:${vmState(vm).r[15]}:${va}:${mask}`;
    if (this.#lastFault === key) return x;
    this.#lastFault = key;
    if (write && r.ptePa >= 0 && (r.pte & PTE_M) === 0) {
      const pa = vmState(vm).realAddress(r.ptePa);
      if (pa >= 0) d.machine.memory.writeL(pa, (r.pte | PTE_M) | 0);
    }
    this.#fill(vm, set, va, r.pa, write);
    return null;
  }

  /** Shadows va by {@link NONEXISTENT_FRAME} with the guest's protection. */
  #fillNonexistent(vm: VirtualMachine, set: ShadowSet, va: number): void {
    const d = this.#d;
    const guest = vmState(vm).ipr.mapen
      ? guestPte(d.machine.memory, vmState(vm), va)
      : (PTE_V | (4 << 27) | PTE_M) >>> 0;
    set.fill(va, guest, NONEXISTENT_FRAME, d.policy, true);
    d.machine.cpu.tbFlushOne(va | 0);
    vm.stats.shadowFills++;
    d.ledger.charge(vm, d.costs.shadowFill);
  }

  #fill(
    vm: VirtualMachine,
    set: ShadowSet,
    va: number,
    gpa: number,
    write: boolean,
  ): void {
    const d = this.#d;
    set.ensureTablePage(va);
    if (set.ptePa(va) < 0) {
      throw new VmHalt(
        `monitor shadow tables do not cover VA 0x${
          hex8(va)
        } (guest tables too large)`,
      );
    }
    const guest = vmState(vm).ipr.mapen
      ? guestPte(d.machine.memory, vmState(vm), va)
      : (PTE_V | (4 << 27) | PTE_M) >>> 0; // no protection when mapping is off
    // The frame last: bringing the page in may take a frame from another
    // page, which the walk above might have needed.
    const pager = vm.monitor.pager;
    const st = pager?.of(vmState(vm));
    let frame: number;
    let allowWrite = true;
    if (pager && st) {
      const gpn = gpa >>> 9;
      frame = pager.access(st, gpn, write ? ACCESS.WRITE : ACCESS.READ);
      pager.mapped(st, gpn, set.view === "exec", va, write);
      allowWrite = st.dirty[gpn] === 1;
    } else {
      frame = vmState(vm).frames[gpa >>> 9]!;
    }
    // In virtual VM mode the VM's tables are an inner monitor's shadow
    // tables, already compressed: the executive view copies them as they are.
    const shadow = set.fill(
      va,
      guest,
      frame,
      (vmState(vm).vpsl & PSL_VM) !== 0 ? "split" : d.policy,
      allowWrite,
    );
    d.machine.cpu.tbFlushOne(va | 0);
    vm.stats.shadowFills++;
    d.ledger.charge(vm, d.costs.shadowFill);
    if (d.ledger.tracing) {
      d.ledger.trace(
        vmState(vm),
        "shadow-fill",
        `shadow fill VA ${formatHex(va, 8)} -> frame ${formatHex(frame, 8)}`,
        { va, guestPte: guest, shadowPte: shadow, view: set.view },
      );
    }
  }
}
