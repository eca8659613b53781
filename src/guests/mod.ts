/**
 * Guest software for the vmmlab VAX, written in VAX MACRO-32 and assembled
 * by the project's assembler: **o**, a small multiprogramming operating
 * system with user processes ({@link bootMultiprogramming}), **CMS**, a
 * single-user monitor in the style of VM/370's CMS ({@link bootCms}), and
 * **BATCH**, a batch monitor in DOS/VS's place that runs the job deck on
 * its disk ({@link bootBatch}, {@link writeJobDeck}). Each
 * boots on a `Machine` or on anything with the same `load`, `set`,
 * `setPsl` and `disk.writeBlocks` methods. Each is also available as a
 * module namespace with the shape every guest module has (`source`,
 * `assemble`, `boot`), which a monitor can boot directly:
 * `monitor.vm("o").boot(multiprogramming)`.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { Machine } from "../machine/machine.ts";
 * import { bootCms } from "./mod.ts";
 * const m = new Machine({ memory: "64 KiB", disk: "64 KiB" });
 * bootCms(m);
 * m.console.type("hi\r");
 * ok(m.run().stop === "halt");
 * ```
 *
 * @module
 */

export {
  crc32,
  guestHex,
  imageSymbol,
  loadImage,
  POWER_UP_PSL,
} from "./guest.ts";
export type { BootTarget, GuestImage } from "./guest.ts";
export type { Assembly, AssemblyInit, ListingLine } from "../asm/assembler.ts";
export {
  assembleMultiprogramming,
  bootMultiprogramming,
  DEFAULT_PAGING_PROCESSES,
  MULTIPROGRAMMING_ERRORS,
  MULTIPROGRAMMING_LAYOUT,
  MULTIPROGRAMMING_SOURCE,
  MULTIPROGRAMMING_SYSCALLS,
  multiprogrammingDisk,
  pagingCounts,
  workloadDefaults,
  workloadLine,
} from "./multiprogramming.ts";
export type {
  MultiprogrammingBootOptions,
  MultiprogrammingImage,
  MultiprogrammingPagingOptions,
  MultiprogrammingProgram,
  ProcessPagingCounts,
  WorkloadPattern,
  WorkloadSpec,
} from "./multiprogramming.ts";
export {
  assembleCms,
  bootCms,
  CMS_LAYOUT,
  CMS_SOURCE,
  cmsData,
} from "./cms.ts";
export {
  assembleBatch,
  assembleJob,
  BATCH_KINDS,
  BATCH_LAYOUT,
  BATCH_SOURCE,
  batchReport,
  bootBatch,
  DEFAULT_BATCH_JOBS,
  eojLine,
  expectedJobResult,
  hasJobDeck,
  writeJobDeck,
} from "./batch.ts";
export type {
  BatchBootOptions,
  BatchJob,
  BatchJobReport,
  CodeJob,
  CrcJob,
  DeckEntry,
  JobDeck,
  PrimesJob,
} from "./batch.ts";
export { CRC32_ROUTINE, POLLED_OUTPUT_ROUTINES } from "./routines.ts";
export { jobsFromDirectory, VM370_GUESTS } from "./vm370.ts";
export * as multiprogramming from "./multiprogramming.ts";
export * as cms from "./cms.ts";
export * as batch from "./batch.ts";
