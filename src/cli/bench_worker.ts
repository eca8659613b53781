/// <reference lib="deno.worker" />
// Runs one benchmark in its own isolate, so that the JIT's type feedback
// from one workload does not slow another (each guest runs alone, as a
// user's would). Receives { group, index }, posts back a BenchResult.
import { benchmarksOf, runBenchmark } from "./bench.ts";

self.onmessage = (e: MessageEvent<{ group: string; index: number }>) => {
  const b = benchmarksOf(e.data.group)[e.data.index];
  if (!b) throw new RangeError(`No benchmark ${e.data.group}#${e.data.index}`);
  self.postMessage(runBenchmark(b));
};
