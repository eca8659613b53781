/**
 * Paging delays: two copies of the multiprogramming guest, each paging its
 * own processes (demand paging in the guest), under a monitor that pages
 * too, as real memory shrinks. Prints one row per configuration: the
 * guests' faults, the monitor's faults, double paging, the time waited for
 * the monitor's paging I/O and the slowdown against ample memory.
 *
 *   deno run -A examples/paging_delays.ts
 *
 * @module
 */
import { expandSweep, sweep, sweepTable } from "../mod.ts";

const configs = expandSweep({
  base: {
    vms: 2,
    guestMemory: "128 KiB",
    guestFrames: 96,
    workload: { pages: 80, touches: 1_000_000, pattern: "random" },
    instructions: 300_000,
  },
  vary: {
    realMemory: ["160 KiB", "224 KiB", "512 KiB"],
    policy: ["clock", "lru"],
  },
});
const rows = await sweep(configs, { jobs: 2 });
console.log(sweepTable(rows));
const worst = rows.reduce((a, b) => (b.slowdown > a.slowdown ? b : a));
console.log(
  `Largest slowdown: ${worst.slowdown.toFixed(2)} x at ${
    worst.realMemory / 1024
  } KiB (${worst.policy}), ${
    worst.doublePagingWrites + worst.doublePagingReads
  } double-paging events.`,
);
