/**
 * Paging experiments as sweeps: vary real memory, guest memory, the number
 * of VMs, the monitor's policy and mitigation, the guest's own paging and
 * its workload; get one plain row per configuration (an array of objects a
 * notebook plots and a script writes as JSON).
 *
 * Every configuration runs copies of the multiprogramming guest `o` (with
 * demand paging when `guestFrames` is set: three workload processes) under
 * a monitor on a machine with `realMemory`, for a bounded number of guest
 * instructions, and again with ample memory and no monitor paging for the
 * slowdown. Configurations are independent jobs: {@link sweep} runs them in
 * Web Workers, and every field of a row except `hostMs` and `mips` (host
 * time) is the same whichever worker, order or machine ran it.
 *
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { runConfig } from "./sweep.ts";
 * const row = runConfig({
 *   realMemory: "320 KiB",
 *   vms: 2,
 *   guestFrames: 40,
 *   workload: { pages: 40, touches: 200 },
 *   instructions: 200_000,
 * });
 * equal(row.policy, "clock");
 * equal(row.stop, "limit");
 * ```
 *
 * @module
 */

import { Machine } from "../machine/machine.ts";
import { parseSize } from "../machine/units.ts";
import { Monitor } from "../monitor/monitor.ts";
import * as o from "../guests/multiprogramming.ts";
import type { WorkloadSpec } from "../guests/multiprogramming.ts";

/** One configuration of a sweep. */
export interface SweepConfig {
  /** A name for the row (default: built from the fields). */
  label?: string;
  /** Real memory of the machine (bytes or "320 KiB"). */
  realMemory: number | string;
  /** Copies of `o` (default 2). */
  vms?: number;
  /** Memory of each VM (default "128 KiB"). */
  guestMemory?: number | string;
  /** The monitor's policy; `"none"`: the monitor does not page (default `"clock"`). */
  policy?: "fifo" | "clock" | "lru" | "none";
  /** Double-paging mitigation (default `"none"`). */
  mitigation?: "none" | "full-page";
  /**
   * Page frames of each guest's own pager (12-128); 0 or absent: the guest
   * does not page (it runs its three fixed processes).
   */
  guestFrames?: number;
  /** The workload of each process when the guest pages (default 60 random pages). */
  workload?: WorkloadSpec;
  /** Guest instructions to run, over all VMs (default 10 million). */
  instructions?: number;
  /** Also run with ample memory to report the slowdown (default true). */
  baseline?: boolean;
}

/** One row of results. */
export interface SweepRow {
  /** Position of the configuration in the sweep. */
  index: number;
  /** The configuration's label. */
  label: string;
  /** Real memory (bytes). */
  realMemory: number;
  /** VMs. */
  vms: number;
  /** Memory per VM (bytes). */
  guestMemory: number;
  /** The monitor's policy. */
  policy: string;
  /** Its double-paging mitigation. */
  mitigation: string;
  /** Frames of each guest's own pager (0: no guest paging). */
  guestFrames: number;
  /** Workload pattern (or `fixed` without guest paging). */
  pattern: string;
  /** Workload data pages per process. */
  pages: number;
  /** How the run ended (`limit`, `halt`, ...). */
  stop: string;
  /** Guest instructions executed. */
  instructions: number;
  /** Simulated ns. */
  simulatedNs: number;
  /** Page faults the guests took themselves. */
  guestFaults: number;
  /**
   * ... of which double misses: the guest's own page-table page was not
   * valid (counted by a paging monitor; 0 without monitor paging).
   */
  guestDoubleMisses: number;
  /** Pages the monitor brought in. */
  monitorFaults: number;
  /** Pages read from the monitor's paging area. */
  pageReads: number;
  /** Pages written to the monitor's paging area. */
  pageWrites: number;
  /** Guest writes of pages the monitor had paged out. */
  doublePagingWrites: number;
  /** Guest reads over pages the monitor had paged out. */
  doublePagingReads: number;
  /** Paging-area reads caused by double paging. */
  doublePagingIo: number;
  /** Simulated ns of those reads. */
  doublePagingNs: number;
  /** Simulated ns the VMs waited for the monitor's paging I/O. */
  pagingWaitNs: number;
  /** Guest disk transfers (page pieces moved by the minidisk channel). */
  guestDiskOps: number;
  /** Simulated ns of the same run with ample memory (0 without baseline). */
  baselineNs: number;
  /** Simulated time per instruction against the ample-memory run (0 without). */
  slowdown: number;
  /** Host ms of this configuration's run (not of the baseline). */
  hostMs: number;
  /** Guest instructions per host second, in millions. */
  mips: number;
}

/** A sweep file: a base configuration and the fields to vary, or a list. */
export type SweepSpec =
  | {
    /** Fields every configuration has. */
    base?: Partial<SweepConfig>;
    /** Fields to vary: every combination, in key order. */
    vary?: Record<string, readonly unknown[]>;
  }
  | {
    /** The configurations, as they are. */
    configs: SweepConfig[];
  };

const DEFAULT_WORKLOAD: WorkloadSpec = {
  pages: 60,
  touches: 1_000_000,
  pattern: "random",
};

/**
 * The configurations of a spec: `configs` as given, or every combination
 * of the `vary` lists over `base`.
 *
 * @throws {RangeError} when the spec has neither, or a list is empty
 */
export function expandSweep(spec: SweepSpec): SweepConfig[] {
  if ("configs" in spec) {
    if (!Array.isArray(spec.configs)) {
      throw new RangeError(`Cannot read the sweep: "configs" is not a list`);
    }
    return spec.configs.map((c) => ({ ...c }));
  }
  const base = spec.base ?? {};
  let out: Record<string, unknown>[] = [{ ...base }];
  for (const [key, values] of Object.entries(spec.vary ?? {})) {
    if (!Array.isArray(values) || values.length === 0) {
      throw new RangeError(
        `Cannot vary "${key}": expected a non-empty list of values`,
      );
    }
    out = out.flatMap((c) => values.map((v) => ({ ...c, [key]: v })));
  }
  for (const c of out) {
    if (c.realMemory === undefined) {
      throw new RangeError(
        `Cannot run a sweep configuration without realMemory: ${
          JSON.stringify(c)
        }`,
      );
    }
  }
  return out as unknown as SweepConfig[];
}

interface Normal {
  realMemory: number;
  vms: number;
  guestMemory: number;
  policy: "fifo" | "clock" | "lru" | "none";
  mitigation: "none" | "full-page";
  guestFrames: number;
  workload: WorkloadSpec;
  instructions: number;
  baseline: boolean;
  label: string;
}

function normalize(c: SweepConfig): Normal {
  const vms = c.vms ?? 2;
  if (!Number.isInteger(vms) || vms < 1 || vms > 16) {
    throw new RangeError(
      `Cannot sweep with ${vms} VMs: expected an integer from 1 to 16`,
    );
  }
  const policy = c.policy ?? "clock";
  if (!["fifo", "clock", "lru", "none"].includes(policy)) {
    throw new RangeError(
      `Cannot sweep with policy ${
        JSON.stringify(policy)
      }: expected "fifo", "clock", "lru" or "none"`,
    );
  }
  const guestFrames = c.guestFrames ?? 0;
  const instructions = c.instructions ?? 10_000_000;
  if (!(instructions > 0)) {
    throw new RangeError(
      `Cannot sweep ${instructions} instructions: expected a positive number`,
    );
  }
  const n: Normal = {
    realMemory: parseSize(c.realMemory, "real memory"),
    vms,
    guestMemory: parseSize(c.guestMemory ?? "128 KiB", "guest memory"),
    policy,
    mitigation: c.mitigation ?? "none",
    guestFrames,
    workload: c.workload ?? DEFAULT_WORKLOAD,
    instructions,
    baseline: c.baseline ?? true,
    label: "",
  };
  n.label = c.label ??
    `${n.vms}x${n.guestMemory / 1024}K on ${n.realMemory / 1024}K ${n.policy}${
      n.mitigation === "none" ? "" : "+" + n.mitigation
    } guest ${guestFrames ? guestFrames + " frames" : "unpaged"}`;
  return n;
}

interface Measured {
  stop: string;
  instructions: number;
  ns: number;
  hostMs: number;
  stats: PagingStats;
}

/** The paging counters of a row, summed over the run's VMs. */
type PagingStats = Pick<
  SweepRow,
  | "guestFaults"
  | "guestDoubleMisses"
  | "monitorFaults"
  | "pageReads"
  | "pageWrites"
  | "doublePagingWrites"
  | "doublePagingReads"
  | "doublePagingIo"
  | "doublePagingNs"
  | "pagingWaitNs"
  | "guestDiskOps"
>;

function measure(n: Normal, ample: boolean): Measured {
  const realMemory = ample ? n.vms * n.guestMemory + 1024 * 1024 : n.realMemory;
  const swap = n.guestFrames > 0 ? 512 * 1024 : 64 * 1024;
  const disk = n.vms * (swap + n.guestMemory) + 256 * 1024;
  const m = new Machine({ memory: realMemory, disk });
  const paging = ample || n.policy === "none"
    ? false
    : { policy: n.policy, mitigation: n.mitigation };
  const cp = Monitor.on(m, { paging });
  const vms = [];
  for (let i = 0; i < n.vms; i++) {
    const b = cp.vm(`o${i}`).memory(n.guestMemory).minidisk(swap);
    vms.push(
      n.guestFrames > 0
        ? b.boot(o, {
          paging: {
            frames: n.guestFrames,
            processes: [n.workload, n.workload, n.workload].map((w, k) => ({
              ...w,
              seed: (w.seed ?? 0x9e3779b1) + 7919 * (k + 1) + 104729 * i,
            })),
          },
        })
        : b.boot(o),
    );
  }
  const t0 = performance.now();
  const r = cp.run({ limit: n.instructions });
  const hostMs = performance.now() - t0;
  const s: PagingStats = {
    guestFaults: 0,
    guestDoubleMisses: 0,
    monitorFaults: 0,
    pageReads: 0,
    pageWrites: 0,
    doublePagingWrites: 0,
    doublePagingReads: 0,
    doublePagingIo: 0,
    doublePagingNs: 0,
    pagingWaitNs: 0,
    guestDiskOps: 0,
  };
  for (const vm of vms) {
    const st = vm.paging().stats;
    s.guestFaults += st.guestFaults;
    s.guestDoubleMisses += st.guestDoubleMisses;
    s.monitorFaults += st.monitorFaults;
    s.pageReads += st.pageReads;
    s.pageWrites += st.pageWrites;
    s.doublePagingWrites += st.doublePagingWrites;
    s.doublePagingReads += st.doublePagingReads;
    s.doublePagingIo += st.doublePagingIo;
    s.doublePagingNs += st.doublePagingNs;
    s.pagingWaitNs += st.pagingWaitNs;
    s.guestDiskOps += st.diskOps.guestRead + st.diskOps.guestWrite;
  }
  return {
    stop: r.stop,
    instructions: r.instructions,
    ns: r.ns,
    hostMs,
    stats: s,
  };
}

const baselines = new Map<string, Measured>();

/**
 * Runs one configuration (and, unless `baseline: false`, the same with
 * ample memory, cached per process) and returns its row.
 *
 * @throws {RangeError} when the configuration is invalid
 */
export function runConfig(config: SweepConfig, index = 0): SweepRow {
  const n = normalize(config);
  const run = measure(n, false);
  let base: Measured | undefined;
  if (n.baseline) {
    const key = JSON.stringify([
      n.vms,
      n.guestMemory,
      n.guestFrames,
      n.workload,
      n.instructions,
    ]);
    base = baselines.get(key);
    if (!base) baselines.set(key, base = measure(n, true));
  }
  const perInstr = (m: Measured) => m.ns / Math.max(1, m.instructions);
  return {
    index,
    label: n.label,
    realMemory: n.realMemory,
    vms: n.vms,
    guestMemory: n.guestMemory,
    policy: n.policy,
    mitigation: n.mitigation,
    guestFrames: n.guestFrames,
    pattern: n.guestFrames > 0 ? n.workload.pattern ?? "random" : "fixed",
    pages: n.guestFrames > 0 ? n.workload.pages : 0,
    stop: run.stop,
    instructions: run.instructions,
    simulatedNs: run.ns,
    ...run.stats,
    baselineNs: base ? base.ns : 0,
    slowdown: base ? Math.round(1e4 * perInstr(run) / perInstr(base)) / 1e4 : 0,
    hostMs: Math.round(run.hostMs),
    mips: Math.round(run.instructions / run.hostMs / 10) / 100,
  };
}

/** Options of {@link sweep}. */
export interface SweepOptions {
  /** Workers running configurations at once (default 1: in this thread). */
  jobs?: number;
  /** Called after each configuration. */
  onProgress?: (done: number, total: number, row: SweepRow) => void;
  /** Index of the first configuration (shards keep global indices). */
  firstIndex?: number;
}

/**
 * Runs configurations, in Web Workers when `jobs` > 1, and returns their
 * rows in configuration order (the same rows, host time aside, as a
 * serial run).
 */
export async function sweep(
  configs: readonly SweepConfig[],
  options: SweepOptions = {},
): Promise<SweepRow[]> {
  const jobs = options.jobs ?? 1;
  if (!Number.isInteger(jobs) || jobs < 1) {
    throw new RangeError(`Cannot run a sweep with ${jobs} jobs: expected >= 1`);
  }
  const first = options.firstIndex ?? 0;
  configs.forEach(normalize); // bad input fails before anything runs
  const rows: SweepRow[] = new Array(configs.length);
  let done = 0;
  if (jobs === 1) {
    for (let i = 0; i < configs.length; i++) {
      rows[i] = runConfig(configs[i]!, first + i);
      options.onProgress?.(++done, configs.length, rows[i]!);
    }
    return rows;
  }
  let next = 0;
  const worker = async () => {
    const w = new Worker(new URL("./sweep_worker.ts", import.meta.url), {
      type: "module",
    });
    try {
      while (next < configs.length) {
        const i = next++;
        rows[i] = await new Promise<SweepRow>((resolve, reject) => {
          w.onmessage = (e: MessageEvent<SweepRow | { error: string }>) => {
            if ("error" in e.data) reject(new Error(e.data.error));
            else resolve(e.data);
          };
          w.onerror = (e) => {
            e.preventDefault();
            reject(new Error(`Sweep configuration ${first + i}: ${e.message}`));
          };
          w.postMessage({ config: configs[i], index: first + i });
        });
        options.onProgress?.(++done, configs.length, rows[i]!);
      }
    } finally {
      w.terminate();
    }
  };
  await Promise.all(
    Array.from({ length: Math.min(jobs, configs.length) }, worker),
  );
  return rows;
}

/**
 * The configurations of shard `i` of `n` (0-based): every n-th one,
 * starting at i, with their global indices.
 *
 * @throws {RangeError} when i or n is out of range
 */
export function shardOf<T>(
  items: readonly T[],
  i: number,
  n: number,
): { index: number; item: T }[] {
  if (
    !Number.isInteger(n) || n < 1 || !Number.isInteger(i) || i < 0 || i >= n
  ) {
    throw new RangeError(
      `Cannot take shard ${i}/${n}: expected 0 <= I < N (I counts from 0)`,
    );
  }
  return items.map((item, index) => ({ index, item })).filter((x) =>
    x.index % n === i
  );
}

/**
 * Joins rows from shards (JSON lines) into one sweep in configuration
 * order.
 *
 * @throws {RangeError} when an index is missing or appears twice
 */
export function mergeRows(parts: readonly SweepRow[][]): SweepRow[] {
  const all = parts.flat().sort((a, b) => a.index - b.index);
  for (let k = 0; k < all.length; k++) {
    if (all[k]!.index !== k) {
      throw new RangeError(
        `Cannot merge the sweep: ${
          k > 0 && all[k]!.index === all[k - 1]!.index
            ? `configuration ${all[k]!.index} appears twice`
            : `configuration ${k} is missing`
        } (${all.length} rows)`,
      );
    }
  }
  return all;
}

/** Rows without their host-time fields (what must agree between runs). */
export function withoutHostTime(
  rows: readonly SweepRow[],
): Omit<SweepRow, "hostMs" | "mips">[] {
  return rows.map(({ hostMs: _h, mips: _m, ...rest }) => rest);
}
