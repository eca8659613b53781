/**
 * System calls of a virtual machine kept inside the processor (VM
 * extensions as defined by vmmlab, vm-extensions.md). While PSL<VM> is set,
 * CHMx and REI raise the VM-emulation exception: the processor stops and
 * the host monitor emulates them against the VM's virtual stack pointers,
 * SCB and VMPSL. A monitor can instead hand the processor a
 * {@link VmSyscalls} armed with that virtual state; the processor then does
 * the common cases itself, with the guest's own page tables and the VM's
 * frame table, and leaves everything unusual to the monitor: the interrupt
 * stack, an interrupt the REI would unmask, a fault or nonexistent memory
 * during the push, the pop or the SCB read, a longword that crosses a page,
 * an illegal PSL, the T bit, FPD, and a change of shadow view. A call that
 * returns false has changed nothing guest-visible (at most a PTE<M> the
 * emulation sets as well), so the monitor's emulation starts from the same
 * state.
 *
 * The result is exactly the monitor's emulation (src/monitor/emulate.ts):
 * the same registers, virtual PSL, stack contents, PTE<M> bits and
 * software interrupt summary, and the same simulated cost (the exit's
 * world switch plus the emulation, charged in the same order to the clock
 * and to the VM's monitor time). The exits are counted as the monitor
 * counts them: by exit code (exit_kinds.ts) in the VM's exit counters, and
 * in its total and emulated counts.
 *
 * @module
 */

import {
  PSL_FPD,
  PSL_IPL_MASK,
  PSL_IS,
  PSL_MBZ,
  PSL_T,
  PSL_TP,
  PSL_VM,
  VMPSL_MASK,
} from "../arch/psl.ts";
import { PTE_M } from "../arch/pte.ts";
import { SCB } from "../arch/scb.ts";
import { opcodeByMnemonic } from "../arch/opcodes.ts";
import { emulationCode, type ExitCounts } from "./exit_kinds.ts";
import type { PhysicalMemory } from "./memory.ts";
import { type MmuRegisters, type PteReader, walkInto } from "./mmu.ts";

/** PSL bits a VM owns directly in the real PSL: TP, FPD, DV, FU, IV, T, N, Z, V, C. */
export const GUEST_PSL_BITS = 0x480000ff;

/** The real PSL that carries a virtual PSL while a VM runs (ring compression: kernel runs in executive). */
export function realPsl(vpsl: number): number {
  const cur = (vpsl >>> 24) & 3;
  const prv = (vpsl >>> 22) & 3;
  return (PSL_VM | ((cur === 0 ? 1 : cur) << 24) |
    ((prv === 0 ? 1 : prv) << 22) | (vpsl & GUEST_PSL_BITS)) | 0;
}

// Exit codes of the calls done here: CHMK, CHME, CHMS, CHMU are the
// opcodes 0xBC-0xBF, so CHM to mode m counts under CHMK_EXIT + m.
const CHMK_EXIT = emulationCode(opcodeByMnemonic("CHMK")!.opcode);
const REI_EXIT = emulationCode(opcodeByMnemonic("REI")!.opcode);

/** What the processor needs of a VM to do its CHMx and REI itself. */
export interface VmSyscallState {
  /** Virtual stack pointers: KSP, ESP, SSP, USP, ISP (the live one is R14). */
  readonly vstk: Int32Array;
  /** The VM's memory-management registers, SCBB, ASTLVL and SISR. */
  readonly ipr: MmuRegisters & {
    readonly scbb: number;
    readonly astlvl: number;
    sisr: number;
  };
  /** Guest-physical page i lives in real frame `frames[i]`. */
  readonly frames: Int32Array;
  /** Guest memory size in bytes. */
  readonly memorySize: number;
  /** The VM's counters: time (simulated ns), total and emulated exits. */
  readonly stats: {
    guestNs: number;
    monitorNs: number;
    totalExits: number;
    emulated: number;
  };
  /** The VM's exits by code (exit_kinds.ts). */
  readonly exits: ExitCounts;
}

/** The processor state a fast system call reads and changes. */
export interface FastCpu {
  /** General registers (R14 is SP, R15 PC). */
  readonly r: Int32Array;
  /** The real PSL (VM bit set, compressed modes). */
  psl: number;
  /** VMPSL: the VM's IS, modes and IPL. */
  vmpsl: number;
  /** Simulated time (ns). */
  ns: number;
  /** Real memory. */
  readonly mem: PhysicalMemory;
}

/** Reads guest page-table entries through the VM's frame table, never throwing. */
class FramePteReader implements PteReader {
  mem: PhysicalMemory | null = null;
  frames: Int32Array = new Int32Array(0);
  size = 0;
  /** Set when a PTE lies beyond the guest's memory (the monitor's machine check). */
  bad = false;

  readPte(gpa: number): number {
    const g = gpa >>> 0;
    if (g >= this.size || ((g & 3) !== 0 && g + 3 >= this.size)) {
      this.bad = true;
      return 0;
    }
    // As the monitor: one longword at the frame of its first byte.
    return this.mem!.readL(this.frames[g >>> 9]! * 512 + (g & 511));
  }
}

/**
 * CHMx and REI of one VM done by the processor (see the module
 * documentation). The monitor arms it with {@link VmSyscalls.arm} before a
 * run, puts it on the processor (`Cpu.vmSyscalls`), and disarms it after
 * the run (each call has counted and charged itself in the VM's
 * statistics already).
 */
export class VmSyscalls {
  /** The VM's virtual state (null: not armed). */
  vm: VmSyscallState | null = null;
  /** Highest level of the VM's pending virtual device interrupts (0: none). */
  hwLevel = 0;
  /** Virtual kernel and executive run on different shadow views (split policy). */
  splitViews = false;
  /** World-switch cost of an exit (ns). */
  exitNs = 0;
  /** Emulation cost of one instruction (ns). */
  emulationNs = 0;
  /**
   * Simulated time at which the current stretch of guest time began: the
   * monitor's time is not guest time, so each fast call adds the stretch
   * before it to the VM's guest time, as an exit would.
   */
  segmentStart = 0;
  /**
   * Fast calls since arming (each already counted in the VM's statistics
   * as the exit it stands for).
   */
  total = 0;
  readonly #reader = new FramePteReader();
  readonly #walk = new Float64Array(3);

  /** Arms the fast path for a VM whose state is on the processor. */
  arm(
    vm: VmSyscallState,
    mem: PhysicalMemory,
    hwLevel: number,
    now: number,
  ): void {
    this.vm = vm;
    this.hwLevel = hwLevel;
    this.segmentStart = now;
    this.total = 0;
    const rd = this.#reader;
    rd.mem = mem;
    rd.frames = vm.frames;
    rd.size = vm.memorySize;
  }

  /** Disarms (the VM leaves the processor). */
  disarm(): void {
    this.vm = null;
    this.#reader.mem = null;
  }

  /**
   * Real address of a guest-virtual longword translated as the monitor
   * does (the guest's tables, its virtual mode, PTE<M> set on a write), or
   * -1 when the monitor must do it (a fault, a halt, nonexistent memory).
   */
  #translate(
    vm: VmSyscallState,
    mem: PhysicalMemory,
    va: number,
    mode: number,
    write: boolean,
  ): number {
    const rd = this.#reader;
    const w = this.#walk;
    rd.bad = false;
    let v: number;
    try {
      v = walkInto(vm.ipr, va >>> 0, mode, write, rd, w);
    } catch {
      return -1; // a process page table outside S0: the VM halts
    }
    if (v !== 0 || rd.bad) return -1;
    const gpa = w[0]!;
    if (gpa >= vm.memorySize) return -1;
    if (write) {
      const ptePa = w[2]!;
      const pte = w[1]!;
      if (ptePa >= 0 && (pte & PTE_M) === 0) {
        mem.writeL(
          vm.frames[ptePa >>> 9]! * 512 + (ptePa & 511),
          (pte | PTE_M) | 0,
        );
      }
    }
    return vm.frames[gpa >>> 9]! * 512 + (gpa & 511);
  }

  /**
   * Charges and counts one emulated instruction as an exit and its
   * emulation would be (`code`: the exit code).
   */
  #charge(cpu: FastCpu, vm: VmSyscallState, code: number): void {
    const s = vm.stats;
    const now = cpu.ns;
    s.guestNs += now - this.segmentStart;
    cpu.ns = now + this.exitNs;
    s.monitorNs += this.exitNs;
    cpu.ns += this.emulationNs;
    s.monitorNs += this.emulationNs;
    this.segmentStart = cpu.ns;
    vm.exits.add(code);
    s.totalExits++;
    s.emulated++;
    this.total++;
  }

  /**
   * CHMK, CHME, CHMS or CHMU (vax-architecture.md 7) of the VM on the
   * processor, after its operand is decoded (R15 is the next PC). Returns
   * false, having changed nothing, when the monitor must emulate it.
   */
  chm(cpu: FastCpu, opMode: number, code: number): boolean {
    const vm = this.vm;
    if (vm === null) return false;
    const rpsl = cpu.psl;
    const vmpsl = cpu.vmpsl;
    if (
      (rpsl & (PSL_T | PSL_TP | PSL_FPD)) !== 0 || (vmpsl & PSL_IS) !== 0
    ) return false;
    const vpsl = ((rpsl & GUEST_PSL_BITS) | (vmpsl & VMPSL_MASK)) | 0;
    const cur = (vpsl >>> 24) & 3;
    const target = opMode < cur ? opMode : cur;
    if (this.splitViews && (cur === 1) !== (target === 1)) return false;
    const mem = cpu.mem;
    const vpa = (vm.ipr.scbb + SCB.CHMK + 4 * opMode) >>> 0;
    if (vpa >= vm.memorySize || (vpa & 511) > 508) return false;
    const vec = mem.readL(vm.frames[vpa >>> 9]! * 512 + (vpa & 511));
    const r = cpu.r;
    const sp = r[14]!;
    const nsp = target === cur ? sp : vm.vstk[target]!;
    const top = (nsp - 12) | 0;
    const last = (nsp - 1) | 0;
    // Each longword within one page (else the monitor does it byte-wise).
    if (
      (top & 511) > 508 || ((top + 4) & 511) > 508 || ((top + 8) & 511) > 508
    ) return false;
    // Both ends, in the emulation's order (it sets PTE<M> as it goes).
    const paLast = this.#translate(vm, mem, last, target, true);
    if (paLast < 0) return false;
    const paTop = this.#translate(vm, mem, top, target, true);
    if (paTop < 0) return false;
    // The 12 bytes span one or two pages; each longword lies in one.
    const lastBase = paLast - (last & 511);
    const topPage = top >>> 9;
    const va8 = (nsp - 8) | 0;
    const va4 = (nsp - 4) | 0;
    mem.writeL(
      (va4 >>> 9) === topPage ? paTop + 8 : lastBase + (va4 & 511),
      vpsl,
    );
    mem.writeL(
      (va8 >>> 9) === topPage ? paTop + 4 : lastBase + (va8 & 511),
      r[15]!,
    );
    mem.writeL(paTop, (code << 16) >> 16);
    vm.vstk[cur] = sp;
    r[14] = top;
    const npsl = (target << 24) | (cur << 22) | (vpsl & PSL_IPL_MASK);
    cpu.psl = realPsl(npsl);
    cpu.vmpsl = npsl & VMPSL_MASK;
    r[15] = vec & ~3;
    this.#charge(cpu, vm, CHMK_EXIT + opMode);
    return true;
  }

  /**
   * REI (vax-architecture.md 6) of the VM on the processor. Returns false,
   * having changed nothing, when the monitor must emulate it (a fault, a
   * reserved operand, an interrupt it would unmask, T or TP...).
   */
  rei(cpu: FastCpu): boolean {
    const vm = this.vm;
    if (vm === null) return false;
    const rpsl = cpu.psl;
    if ((rpsl & (PSL_T | PSL_TP | PSL_FPD)) !== 0) return false;
    const vpsl = ((rpsl & GUEST_PSL_BITS) | (cpu.vmpsl & VMPSL_MASK)) | 0;
    const cur = (vpsl >>> 24) & 3;
    const r = cpu.r;
    const sp = r[14]!;
    if ((sp & 511) > 504) return false; // PC and PSL in one page
    const mem = cpu.mem;
    const pa = this.#translate(vm, mem, sp, cur, false);
    if (pa < 0) return false;
    const newPc = mem.readL(pa);
    const np = mem.readL(pa + 4);
    const nCur = (np >>> 24) & 3;
    const nPrv = (np >>> 22) & 3;
    const nIpl = (np >>> 16) & 31;
    const nIs = (np & PSL_IS) !== 0;
    const ipl = (vpsl >>> 16) & 31;
    const is = (vpsl & PSL_IS) !== 0;
    if ((np & (PSL_MBZ | PSL_T | PSL_TP | PSL_FPD)) !== 0 || nCur < cur) {
      return false;
    }
    if (np < 0) return false; // compatibility mode
    if (nCur !== 0) {
      if (nIs || nIpl !== 0 || nPrv < nCur) return false;
    } else if ((nIs && (!is || nIpl === 0)) || nIpl > ipl) return false;
    if (this.splitViews && (cur === 1) !== (nCur === 1)) return false;
    const ipr = vm.ipr;
    const sisr = !nIs && nCur >= ipr.astlvl ? ipr.sisr | 4 : ipr.sisr;
    const sw = sisr === 0 ? 0 : 31 - Math.clz32(sisr);
    // An interrupt the new IPL lets through: the monitor delivers it.
    if (this.hwLevel > nIpl || sw > nIpl) return false;
    const vstk = vm.vstk;
    vstk[is ? 4 : cur] = sp + 8;
    r[14] = vstk[nIs ? 4 : nCur]!;
    ipr.sisr = sisr;
    r[15] = newPc;
    cpu.psl = realPsl(np);
    cpu.vmpsl = np & VMPSL_MASK;
    this.#charge(cpu, vm, REI_EXIT);
    return true;
  }
}
