/**
 * The two ways a monitor handler abandons its work part-way: a fault the
 * guest must see (the exit dispatcher reflects it through the guest's SCB
 * as a fault of the instruction), and a halt of the VM. Handlers throw
 * them; `exits.ts` and `scheduler.ts` catch them.
 *
 * @module
 */

import { vmState } from "./vm.ts";
import type { Ledger } from "./ledger.ts";
import type { VirtualMachine } from "./vm.ts";

/** A guest-visible fault raised while the monitor emulates (internal). */
export class GuestFault {
  /** Creates the fault: SCB vector, parameters pushed, severe (IS). */
  constructor(
    readonly vector: number,
    readonly params: number[],
    readonly severe = false,
  ) {}
}

/**
 * A machine check on nonexistent guest memory met by the monitor's own
 * access: SCB 0x04, severe, parameters [code (0x80 read, 0x82 write),
 * address]; the exit dispatcher completes them into the KA655 frame
 * (`machineCheckFrame`) with the instruction's opcode and PC advance.
 */
export function nonexistentMemory(write: boolean, address: number): GuestFault {
  return new GuestFault(0x04, [write ? 0x82 : 0x80, address | 0], true);
}

/** The VM halts (internal). */
export class VmHalt {
  /** Creates the halt with the reason the VM reports. */
  constructor(readonly reason: string) {}
}

/** Halts a VM as the console would see it: CONPC and CONPSL saved. */
export function haltVm(
  vm: VirtualMachine,
  reason: string,
  ledger: Ledger,
): void {
  vm.status = "halted";
  vm.haltReason = reason;
  vmState(vm).ipr.conpc = vmState(vm).r[15]!;
  vmState(vm).ipr.conpsl = vmState(vm).vpsl;
  if (ledger.tracing) {
    ledger.trace(vmState(vm), "halt", `${vm.name} halted: ${reason}`);
  }
}
