/// <reference lib="deno.worker" />
// Runs one benchmark, or one bare/monitored pair, in its own isolate, so
// that the JIT's type feedback from one workload does not slow another.
// Receives a BenchRequest, posts back BenchResult[] (or { error }).
import { type BenchRequest, runRequest } from "./bench.ts";

self.onmessage = (e: MessageEvent<BenchRequest>) => {
  try {
    self.postMessage(runRequest(e.data));
  } catch (err) {
    self.postMessage({
      error: err instanceof Error ? err.message : String(err),
    });
  }
};
