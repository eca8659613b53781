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
import { bootBatch, DEFAULT_BATCH_JOBS, hasJobDeck } from "./batch.ts";
import { bootCms } from "./cms.ts";
import { bootMultiprogramming } from "./multiprogramming.ts";

/** MVS, DOSVS and CMS, bootable by CP's IPL. */
export const VM370_GUESTS: Readonly<Record<string, Bootable>> = Object.freeze({
  MVS: (vm) => void bootMultiprogramming(vm),
  DOSVS: (vm) =>
    void bootBatch(
      vm,
      hasJobDeck(vm.disk) ? {} : { jobs: DEFAULT_BATCH_JOBS },
    ),
  CMS: (vm) => void bootCms(vm),
});
