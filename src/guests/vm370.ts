/**
 * The guests of the lecture's VM/370 figure, by the names a CP directory's
 * IPL statements use: **MVS** (the multiprogramming OS `o`), **DOSVS**
 * (the batch monitor, running the job deck on its minidisk, or the
 * default deck when the minidisk holds none) and **CMS**. Pass it as
 * `CP.fromDirectory(monitor, text, { guests: VM370_GUESTS })`.
 *
 * @example
 * ```ts
 * import { deepEqual } from "node:assert/strict";
 * import { VM370_GUESTS } from "./vm370.ts";
 * deepEqual(Object.keys(VM370_GUESTS), ["MVS", "DOSVS", "CMS"]);
 * ```
 *
 * @module
 */

import type { Bootable } from "../monitor/builder.ts";
import type { JobEntry } from "../monitor/cp/directory.ts";
import type { VirtualMachine } from "../monitor/vm.ts";
import {
  type BatchJob,
  bootBatch,
  DEFAULT_BATCH_JOBS,
  hasJobDeck,
} from "./batch.ts";
import { bootCms } from "./cms.ts";
import { bootMultiprogramming } from "./multiprogramming.ts";

/** A directory's JOB statements as BATCH's jobs. */
export function jobsFromDirectory(jobs: readonly JobEntry[]): BatchJob[] {
  return jobs.map((j) =>
    j.program === "PRIMES"
      ? { name: j.name, program: "primes", limit: j.args[0]! }
      : { name: j.name, program: "crc", start: j.args[0]!, blocks: j.args[1]! }
  );
}

/**
 * MVS, DOSVS and CMS, bootable by CP's IPL. DOSVS runs the user's JOB
 * statements when the directory has some (written on its minidisk as the
 * deck at every IPL), else the deck it finds, else the default deck.
 */
export const VM370_GUESTS: Readonly<Record<string, Bootable>> = Object.freeze({
  MVS: (vm: VirtualMachine) => void bootMultiprogramming(vm),
  DOSVS: {
    boot(vm: VirtualMachine, options?: { jobs?: readonly JobEntry[] }) {
      const jobs = options?.jobs;
      return bootBatch(
        vm,
        jobs?.length
          ? { jobs: jobsFromDirectory(jobs) }
          : hasJobDeck(vm.disk)
          ? {}
          : { jobs: DEFAULT_BATCH_JOBS },
      );
    },
  },
  CMS: (vm: VirtualMachine) => void bootCms(vm),
});
