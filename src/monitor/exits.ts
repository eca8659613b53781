/**
 * One dispatch from an exit record to its handler. Every exit is counted
 * by kind (an integer code, src/machine/exit_kinds.ts) and charged the world switch; then a VM-emulation exit goes to
 * the emulator, an ACV or TNV to shadow maintenance (a fill, or the
 * guest's own fault), a real interrupt to the device it belongs to, and
 * any other exception is reflected into the guest. A guest fault raised by
 * a handler becomes a fault of the instruction; a halt halts the VM.
 *
 * @module
 */

import { vmState } from "./vm.ts";
import { PSL_TP } from "../arch/psl.ts";
import { SCB } from "../arch/scb.ts";
import { copyExit, type CpuExit } from "../machine/cpu.ts";
import { exitCode, exitKindName } from "../machine/exit_kinds.ts";
import { formatHex } from "../machine/units.ts";
import type { MonitorCosts } from "./costs.ts";
import type { DiskChannel } from "./devices/disk.ts";
import type { Emulator } from "./emulate.ts";
import type { Hooks } from "./hooks.ts";
import type { Ledger } from "./ledger.ts";
import { machineCheckFrame, type Reflector } from "./reflect.ts";
import type { ShadowSync } from "./shadow_sync.ts";
import { GuestFault, haltVm, VmHalt } from "./signals.ts";
import type { VirtualMachine } from "./vm.ts";

/** What exit dispatch needs of the monitor: its handlers. */
export interface ExitDeps {
  /** The cost model. */
  readonly costs: MonitorCosts;
  /** Charging and trace. */
  readonly ledger: Ledger;
  /** Sensitive instructions. */
  readonly emulator: Emulator;
  /** Shadow misses. */
  readonly shadows: ShadowSync;
  /** Exceptions that belong to the guest. */
  readonly reflector: Reflector;
  /** The real disk's completions. */
  readonly channel: DiskChannel;
  /** The exit hooks. */
  readonly hooks: Hooks;
  /** The monitor's level (1: on the real machine). */
  readonly level: number;
}

/** Dispatches exits to their handlers. */
export class ExitDispatcher {
  readonly #d: ExitDeps;

  /** Exit dispatch with its handlers. */
  constructor(deps: ExitDeps) {
    this.#d = deps;
  }

  /**
   * Counts, charges and traces an exit and gives it to the exit hooks;
   * returns its exit code (exit_kinds.ts), or -1 when a hook took it over.
   * The kind's name is looked up only for a trace or a hook.
   */
  enter(vm: VirtualMachine, x: CpuExit): number {
    const d = this.#d;
    const code = exitCode(x);
    const s = vmState(vm);
    s.exits.add(code);
    s.stats.totalExits++;
    d.ledger.charge(vm, d.costs.exitEntry);
    if (d.ledger.tracing) {
      const kind = exitKindName(code);
      d.ledger.trace(
        s,
        "exit",
        `exit: ${kind} at ${formatHex(x.pc, 8)}`,
        {
          kind: x.kind,
          vector: x.vector,
          realPsl: x.psl,
          ...(x.kind === "vm-emulation"
            ? {
              mnemonic: kind,
              operand: x.operands[0]?.value ?? 0,
              next: x.nextPc,
            }
            : {}),
        },
      );
    }
    if (d.hooks.has("exit")) {
      const kind = exitKindName(code);
      if (
        d.hooks.dispatch("exit", {
          vm,
          kind,
          // A copy: the processor reuses its record at the next exit.
          exit: copyExit(x),
          ns: d.ledger.now,
          level: d.level,
        }, kind)
      ) {
        if (d.ledger.tracing) {
          d.ledger.trace(s, "exit", `exit: ${kind} handled by a hook`);
        }
        return -1;
      }
    }
    return code;
  }

  /** Handles an exit; returns true when the instruction must be retried (refund). */
  handle(vm: VirtualMachine, x: CpuExit): boolean {
    const d = this.#d;
    if (this.enter(vm, x) < 0) return false;
    try {
      if (x.kind === "interrupt") {
        if (x.vector === SCB.DISK) d.channel.poll();
        return false;
      }
      if (x.kind === "vm-emulation") {
        d.emulator.emulate(vm, x);
        return false;
      }
      if (
        x.vector === SCB.ACCESS_VIOLATION ||
        x.vector === SCB.TRANSLATION_NOT_VALID
      ) {
        return d.shadows.memoryFault(
          vm,
          x.vector,
          x.params[0]!,
          x.params[1]! >>> 0,
          x.access,
        );
      }
      if (x.vector === SCB.EMULATE || x.vector === SCB.EMULATE_FPD) {
        // MicroVAX emulation exception: the processor pushed the frame on
        // the guest's stack; the handler comes from the guest's SCB.
        d.reflector.enterEmulation(vm, x.vector);
        return false;
      }
      if (x.vector === SCB.MACHINE_CHECK && x.params.length === 5) {
        // The processor's machine check on a guest access (a page of
        // nonexistent guest memory, see ShadowSync): its code, address and
        // PC advance are bare hardware's; state 1 gets the VM's software
        // IPL, CADR and MSER. Severe, as the bare processor delivers it.
        const p = x.params;
        const f = machineCheckFrame(vm, (p[2]! - 4) | 0, {
          write: p[1] === 0x82,
          opcode: p[3]! >>> 24,
          delta: p[4]! & 0xff,
        });
        d.reflector.reflect(vm, x.vector, f, -1, true);
        return false;
      }
      d.reflector.reflect(vm, x.vector, x.params, -1);
      return false;
    } catch (e) {
      if (
        x.kind === "vm-emulation" && !(e instanceof VmHalt && x.opcode === 0)
      ) {
        // Back the instruction out: undo the operand side effects the
        // emulator redid before executing it.
        for (const [reg, delta] of x.rollback) {
          vmState(vm).r[reg] = vmState(vm).r[reg]! - delta;
        }
      }
      if (e instanceof GuestFault) {
        // The emulation itself faulted: reflect as a fault of the instruction.
        vmState(vm).r[15] = x.pc | 0;
        // A fault clears PSL<TP> before the PSL is pushed (5.3), so the
        // retried instruction is traced once. (The exit's PSL still has the
        // TP the processor set when it began the instruction.)
        vmState(vm).vpsl &= ~PSL_TP;
        let params = e.params;
        if (e.vector === SCB.MACHINE_CHECK && params.length === 2) {
          // The monitor's own access met nonexistent guest memory: the
          // KA655 frame, with this instruction's opcode and PC advance.
          const emulated = x.kind === "vm-emulation";
          params = machineCheckFrame(vm, params[1]!, {
            write: params[0] === 0x82,
            opcode: emulated ? x.opcode : (x.access?.opcode ?? 0),
            delta: emulated ? x.nextPc - x.pc : (x.access?.delta ?? 0),
          });
        }
        try {
          d.reflector.reflect(vm, e.vector, params, -1, e.severe);
        } catch (e2) {
          if (e2 instanceof VmHalt) haltVm(vm, e2.reason, d.ledger);
          else throw e2;
        }
        return false;
      }
      if (e instanceof VmHalt) {
        haltVm(vm, e.reason, d.ledger);
        return false;
      }
      throw e;
    }
  }
}
