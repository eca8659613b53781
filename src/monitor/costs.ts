/**
 * What the monitor's work costs in simulated time. Every exit pays the
 * world switch (`exitEntry`) plus the work of its kind; the figures are
 * charged to the machine's clock, so the efficiency of a monitor design can
 * be measured. Defaults are modelled on the VAX VMM security kernel's
 * microcoded entry and a few hundred instructions of handler code.
 *
 * @module
 */

/** Monitor cost model, in ns of simulated time. */
export interface MonitorCosts {
  /** Leaving the VM and entering the monitor, and the return (world switch). */
  exitEntry: number;
  /** Emulating one sensitive instruction (REI, CHMx, MTPR, MFPR, PROBE...). */
  emulation: number;
  /** Extra for LDPCTX and SVPCTX (a PCB moves). */
  contextEmulation: number;
  /** Reflecting an exception or interrupt into the VM through its SCB. */
  reflection: number;
  /** Filling one shadow PTE from the guest's tables. */
  shadowFill: number;
  /** Invalidating shadow tables (TBIA, base register writes, LDPCTX). */
  shadowFlush: number;
  /** Translating one page of a minidisk transfer (block and buffer). */
  ioPageTranslation: number;
  /** Switching the processor from one VM to another. */
  vmSwitch: number;
  /** Paging one page of a VM's memory out or in (monitor paging). */
  pageTransfer: number;
}

/** The default monitor costs. */
export const DEFAULT_MONITOR_COSTS: MonitorCosts = Object.freeze({
  exitEntry: 2_500,
  emulation: 4_000,
  contextEmulation: 12_000,
  reflection: 6_000,
  shadowFill: 8_000,
  shadowFlush: 3_000,
  ioPageTranslation: 2_000,
  vmSwitch: 20_000,
  pageTransfer: 5_000,
});

/**
 * Builds monitor costs from the defaults and overrides.
 *
 * @throws {RangeError} for a negative or non-numeric figure
 */
export function monitorCosts(
  overrides: Partial<MonitorCosts> = {},
): MonitorCosts {
  const c = { ...DEFAULT_MONITOR_COSTS, ...overrides };
  for (const [k, v] of Object.entries(c)) {
    if (typeof v !== "number" || !Number.isFinite(v) || v < 0) {
      throw new RangeError(
        `Cannot use monitor cost ${k} = ${
          String(v)
        }: expected a non-negative number of ns`,
      );
    }
  }
  return c;
}
