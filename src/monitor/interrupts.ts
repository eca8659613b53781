/**
 * Virtual interrupts: the sources a VM's virtual devices raise (each with
 * its level and SCB vector), and which pending interrupt, hardware or
 * software, the VM's virtual IPL lets through.
 *
 * @module
 */

/** Virtual interrupt sources (bit numbers in a VM's `irq`). */
export const VIRQ = {
  CONSOLE_RX: 0,
  CONSOLE_TX: 1,
  DISK: 2,
  TIMER: 3,
} as const;

/** Level and SCB vector of each virtual interrupt source. */
export const VIRQ_INFO: readonly (readonly [number, number])[] = [
  [0x14, 0xf8],
  [0x14, 0xfc],
  [0x15, 0xd0],
  [0x16, 0xc0],
];

/** What decides whether a VM can take an interrupt. */
export interface InterruptState {
  /** Pending virtual device interrupts (bit per {@link VIRQ} source). */
  irq: number;
  /** The virtual PSL (its IPL). */
  vpsl: number;
  /** The virtual software interrupt summary register. */
  readonly ipr: { sisr: number };
}

/** The highest pending interrupt level, hardware or software (0: none). */
export function pendingLevel(vm: InterruptState): number {
  let lvl = vm.ipr.sisr === 0 ? 0 : 31 - Math.clz32(vm.ipr.sisr);
  for (let s = 0; s < VIRQ_INFO.length; s++) {
    if ((vm.irq >> s) & 1) lvl = Math.max(lvl, VIRQ_INFO[s]![0]);
  }
  return lvl;
}

/** The highest level among pending virtual device interrupts (0: none). */
export function deviceLevel(irq: number): number {
  let lvl = 0;
  for (let s = 0; s < VIRQ_INFO.length; s++) {
    if ((irq >> s) & 1) lvl = Math.max(lvl, VIRQ_INFO[s]![0]);
  }
  return lvl;
}

/** Whether a pending interrupt is above the VM's IPL. */
export function deliverable(vm: InterruptState): boolean {
  const ipl = (vm.vpsl >>> 16) & 31;
  return pendingLevel(vm) > ipl;
}
