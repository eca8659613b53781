/**
 * A monitor's options, checked: the shadow policy, the time slice, the cost
 * overrides and the monitor's own paging, each validated with a clear
 * error before the monitor is built.
 *
 * @module
 */

import { type MonitorCosts, monitorCosts } from "./costs.ts";
import type { MonitorPagingOptions } from "./paging/pager.ts";
import type { PagingPolicy } from "./paging/policy.ts";
import type { ShadowPolicy } from "./shadow.ts";

/** Options of a monitor. */
export interface MonitorOptions {
  /** Shadow-table policy (default `split`: exact equivalence). */
  shadow?: ShadowPolicy;
  /** Monitor cost overrides. */
  costs?: Partial<MonitorCosts>;
  /** Time slice per VM in ns of simulated time (default 10 ms). */
  quantumNs?: number;
  /**
   * The monitor's own paging (default off: every VM's memory must fit in
   * real memory). `true`, a policy name, a function, or options: real
   * memory may then be smaller than the sum of the VMs' memories, and the
   * monitor pages the rest to its paging area on the real disk
   * (paging/pager.ts).
   */
  paging?: boolean | PagingPolicy | MonitorPagingOptions;
  /**
   * Let the processor do a VM's CHMx and REI itself when nothing needs the
   * monitor (default true; src/machine/vm_fastpath.ts). They are still
   * counted, charged and reported as emulated exits, with the same
   * simulated time: `false` shows the slow path (every one leaves the
   * processor) with identical results. Only a monitor on the real machine
   * that does not page uses it; a trace or an exit hook turns it off for
   * the runs they watch.
   */
  fastSyscalls?: boolean;
}

/** {@link MonitorOptions} checked, with their defaults filled in. */
export interface CheckedMonitorOptions {
  /** Shadow-table policy. */
  policy: ShadowPolicy;
  /** The cost model. */
  costs: MonitorCosts;
  /** Time slice per VM (ns). */
  quantumNs: number;
  /** Paging options (null: the monitor does not page). */
  paging: MonitorPagingOptions | null;
  /** Whether the processor may do CHMx and REI itself. */
  fastSyscalls: boolean;
}

/**
 * Checks a monitor's options and fills in the defaults.
 *
 * @throws {RangeError} for a shadow policy, quantum or paging option out of range
 */
export function checkMonitorOptions(
  options: MonitorOptions,
): CheckedMonitorOptions {
  const policy = options.shadow ?? "split";
  if (policy !== "shared" && policy !== "split") {
    throw new RangeError(
      `Cannot use shadow policy "${
        String(policy)
      }": expected "shared" or "split"`,
    );
  }
  const costs = monitorCosts(options.costs);
  const quantumNs = options.quantumNs ?? 10_000_000;
  if (!(quantumNs > 0)) {
    throw new RangeError(
      `Cannot use a quantum of ${quantumNs} ns: expected > 0`,
    );
  }
  const fastSyscalls = options.fastSyscalls ?? true;
  if (typeof fastSyscalls !== "boolean") {
    throw new RangeError(
      `Cannot use fastSyscalls ${
        JSON.stringify(fastSyscalls)
      }: expected true or false`,
    );
  }
  return {
    policy,
    costs,
    quantumNs,
    paging: pagingOptions(options.paging),
    fastSyscalls,
  };
}

function pagingOptions(
  o: MonitorOptions["paging"],
): MonitorPagingOptions | null {
  if (o === undefined || o === false) return null;
  if (o === true) return {};
  if (typeof o === "string" || typeof o === "function") return { policy: o };
  if (typeof o === "object" && o !== null) return o;
  throw new RangeError(
    `Cannot use paging option ${
      JSON.stringify(o)
    }: expected true, false, a policy or paging options`,
  );
}
