/**
 * The two ways a monitor handler abandons its work part-way: a fault the
 * guest must see (the exit dispatcher reflects it through the guest's SCB
 * as a fault of the instruction), and a halt of the VM. Handlers throw
 * them; `exits.ts` and `scheduler.ts` catch them.
 *
 * @module
 */

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
  vm.ipr.conpc = vm.r[15]!;
  vm.ipr.conpsl = vm.vpsl;
  if (ledger.tracing) {
    ledger.trace(vm, "halt", `${vm.name} halted: ${reason}`);
  }
}
