/**
 * The guest's page tables page too: three processes of `o` with 200, 150
 * and 230 data pages (two page-table pages each) as the guest's frames
 * shrink, bare. Prints data faults against page-table faults (double
 * misses that needed a frame), page-table pages read back and written,
 * and whether every checksum survived.
 *
 *   deno run -A examples/page_tables.ts
 *
 * @module
 */
import {
  bootMultiprogramming,
  Machine,
  pagingCounts,
  workloadLine,
  type WorkloadSpec,
} from "../mod.ts";

const heavy: WorkloadSpec[] = [
  { pages: 200, touches: 300, pattern: "random" },
  { pages: 150, touches: 300, pattern: "sequential", writeEvery: 3 },
  { pages: 230, touches: 300, pattern: "shifting", window: 20, shiftEvery: 30 },
];
const rows = [12, 16, 24, 32, 48, 64, 96, 128].map((frames) => {
  const m = new Machine({ memory: "128 KiB", disk: "512 KiB" });
  bootMultiprogramming(m, { paging: { frames, processes: heavy } });
  const r = m.run({ limit: 60_000_000 });
  const c = pagingCounts(m.console.output);
  const sum = (f: (x: (typeof c)[number]) => number) =>
    c.reduce((s, x) => s + f(x), 0);
  return {
    frames,
    stop: r.stop,
    dataFaults: sum((x) => x.faults),
    tableFaults: sum((x) => x.ptFaults),
    tableReads: sum((x) => x.ptReads),
    tableWrites: sum((x) => x.ptWrites),
    checksumsOk: heavy.every((w, i) =>
      m.console.output.includes(workloadLine(w, i + 1))
    ),
  };
});
console.table(rows);
