/// <reference lib="deno.worker" />
// Runs sweep configurations in its own isolate: receives { config, index },
// posts back the row (or { error }).
import { runConfig, type SweepConfig } from "./sweep.ts";

self.onmessage = (e: MessageEvent<{ config: SweepConfig; index: number }>) => {
  try {
    self.postMessage(runConfig(e.data.config, e.data.index));
  } catch (err) {
    self.postMessage({
      error: err instanceof Error ? err.message : String(err),
    });
  }
};
