/// <reference lib="deno.worker" />
// Runs one loop of SIMH_LOOPS on vmmlab in its own isolate (as SimH runs in
// its own process): the first run, then a warm one
// of the same machine from the same start.
// Receives the loop's index, posts back VmmlabRuns (or { error }).
import { SIMH_LOOPS, vmmlabRunner, type VmmlabRuns } from "./simh.ts";

self.onmessage = (e: MessageEvent<number>) => {
  try {
    const p = SIMH_LOOPS[e.data];
    if (!p) throw new RangeError(`No SimH loop #${e.data}`);
    const run = vmmlabRunner(p);
    const cold = run();
    const warm = run();
    self.postMessage({ cold, warm } satisfies VmmlabRuns);
  } catch (err) {
    self.postMessage({
      error: err instanceof Error ? err.message : String(err),
    });
  }
};
