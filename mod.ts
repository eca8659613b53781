/**
 * vmmlab: an emulated VAX (a MicroVAX 3900-like machine, following SimH's
 * KA655) and a virtual machine monitor to explore, from `deno repl`, Jupyter
 * notebooks (`deno jupyter`) and Deno scripts that import this module by URL.
 *
 * Build a machine, load a program, run it, look at it:
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { assemble, Machine } from "./mod.ts";
 * const m = new Machine({ memory: "1 MiB" });
 * const prog = assemble("MOVL #7,R0\nHALT", { origin: 0x1000 });
 * m.load(prog.bytes, prog.origin);
 * m.set("PC", prog.entry);
 * ok(m.run().stop === "halt" && m.get("R0") === 7);
 * ```
 *
 * @module
 */

// The VAX as data.
export {
  decodePsl,
  encodePsl,
  formatPsl,
  MODE_NAMES,
  PSL_LAYOUT,
  PSL_VM,
} from "./src/arch/psl.ts";
export type { AccessMode, PslFieldLayout, PslFields } from "./src/arch/psl.ts";
export { IPR, IPR_INFO, iprNumber } from "./src/arch/ipr.ts";
export type { IprAccess, IprInfo, IprName } from "./src/arch/ipr.ts";
export { SCB, vectorName } from "./src/arch/scb.ts";
export {
  canRead,
  canWrite,
  compressProt,
  decodePte,
  makePte,
  PROT_NAMES,
  protCode,
} from "./src/arch/pte.ts";
export type { PteFields } from "./src/arch/pte.ts";
export { opcodeByMnemonic, OPCODES } from "./src/arch/opcodes.ts";
export type {
  CostClass,
  DataType,
  InstructionClass,
  Ka655Support,
  OpcodeInfo,
  OperandAccess,
  OperandInfo,
} from "./src/arch/opcodes.ts";

// The machine.
export { Machine, registerNumber } from "./src/machine/machine.ts";
export type { MachineOptions } from "./src/machine/machine.ts";
export type {
  ConsoleView,
  CpuState,
  DiskView,
  GeneralRegister,
  Hardware,
  RunOptions,
  RunResult,
  StopKind,
} from "./src/machine/hardware.ts";
export { Cpu, defaultCompileMode } from "./src/machine/cpu.ts";
export type {
  CompileMode,
  CpuExit,
  CpuObserver,
  CpuOptions,
  ExitOperand,
  IprDevice,
  OpcodeVariant,
} from "./src/machine/cpu.ts";
export { PhysicalMemory } from "./src/machine/memory.ts";
export { VmSyscalls } from "./src/machine/vm_fastpath.ts";
export type { FastCpu, VmSyscallState } from "./src/machine/vm_fastpath.ts";
export {
  emulationCode,
  exceptionCode,
  EXIT_CODES,
  EXIT_EXCEPTION,
  EXIT_INTERRUPT,
  exitCode,
  ExitCounts,
  exitKindName,
} from "./src/machine/exit_kinds.ts";
export type { ExitKey } from "./src/machine/exit_kinds.ts";
export type { MmuRegisters } from "./src/machine/mmu.ts";
export {
  FLOAT_FAULT_CODE,
  FloatFault,
  floatFromNumber,
  floatToNumber,
} from "./src/machine/isa/float.ts";
export type {
  FloatFaultKind,
  FloatFormat,
  Quad,
} from "./src/machine/isa/float.ts";
export { DEFAULT_RUN_BUDGET_MS } from "./src/machine/run_options.ts";
export {
  listenForInterrupts,
  requestInterrupt,
  stopListeningForInterrupts,
} from "./src/machine/interrupt.ts";
export {
  costModel,
  DEFAULT_COST_MODEL,
  EventQueue,
} from "./src/machine/clock.ts";
export type {
  CostModel,
  CostModelOverrides,
  DiskTiming,
} from "./src/machine/clock.ts";
export { Console } from "./src/machine/devices/console.ts";
export type { ConsoleListener } from "./src/machine/devices/console.ts";
export { IntervalTimer } from "./src/machine/devices/timer.ts";
export {
  BLOCK_SIZE,
  Disk,
  DISK_ERROR,
  DKCS,
} from "./src/machine/devices/disk.ts";
export type { DiskListener, DiskTransfer } from "./src/machine/devices/disk.ts";
export { Trace, TRACE_KINDS } from "./src/machine/trace.ts";
export type {
  TraceEvent,
  TraceFilter,
  TraceKind,
} from "./src/machine/trace.ts";
export {
  formatBytes,
  formatNs,
  hex8,
  parseNumber,
  parseSize,
} from "./src/machine/units.ts";
export type { Size } from "./src/machine/units.ts";

// Assembler and disassembler.
export { AsmError, assemble, Assembly } from "./src/asm/assembler.ts";
export type {
  AsmDiagnostic,
  AssembleOptions,
  AssemblyInit,
  ListingLine,
} from "./src/asm/assembler.ts";
export { disassemble, disassembleOne } from "./src/asm/disassembler.ts";
export type { Instruction } from "./src/asm/disassembler.ts";

// The monitor.
export { Monitor } from "./src/monitor/monitor.ts";
export type {
  MonitorOptions,
  MonitorRunResult,
} from "./src/monitor/monitor.ts";
export { VmBuilder } from "./src/monitor/builder.ts";
export type { Bootable, VmFactory } from "./src/monitor/builder.ts";
export { compressMode } from "./src/monitor/vcpu.ts";
export { VirtualMachine } from "./src/monitor/vm.ts";
export type {
  VmDriver,
  VmHost,
  VmMonitor,
  VmStats,
  VmStatus,
} from "./src/monitor/vm.ts";
export { HookError, Hooks } from "./src/monitor/hooks.ts";
export type {
  ExitHookEvent,
  Hook,
  HookEventMap,
  HookEventName,
  HookFilter,
  HookResult,
  IoHookEvent,
  ReflectHookEvent,
} from "./src/monitor/hooks.ts";
export type {
  HostDisk,
  HostEvents,
  HostProcessor,
  MonitorHost,
} from "./src/monitor/host.ts";
export { VirtualHost, VirtualProcessor } from "./src/monitor/nested.ts";
export { CP, dominates } from "./src/monitor/cp/cp.ts";
export type { AuditEntry, CpDevice, CpOptions } from "./src/monitor/cp/cp.ts";
export {
  checkJob,
  DirectoryError,
  directoryFromObject,
  formatLabel,
  LEVELS,
  LINK_MODES,
  MAX_JOBS,
  parseDirectory,
  parseLabel,
  parseStorage,
} from "./src/monitor/cp/directory.ts";
export type {
  Directory,
  DirectoryContext,
  DirectoryInput,
  DirectoryProblem,
  JobEntry,
  LinkEntry,
  LinkMode,
  MdiskEntry,
  NestedDirectory,
  SecurityLabel,
  UserEntry,
} from "./src/monitor/cp/directory.ts";
export {
  COMMANDS,
  CpError,
  resolveWord,
  words,
} from "./src/monitor/cp/messages.ts";
export { WRITE_PROTECTED } from "./src/monitor/devices/disk.ts";
export type { NestingPort } from "./src/monitor/nested.ts";
export { VirtualConsole } from "./src/monitor/devices/console.ts";
export { VirtualTimer } from "./src/monitor/devices/timer.ts";
export { DiskChannel, VirtualDisk } from "./src/monitor/devices/disk.ts";
export type {
  ChannelMachine,
  DiskPort,
  DiskRequest,
  Segment,
} from "./src/monitor/devices/disk.ts";
export type { DevicePort } from "./src/monitor/devices/port.ts";
export { VIRQ, VIRQ_INFO } from "./src/monitor/interrupts.ts";
export {
  InjectReport,
  PageTableComparison,
  PslReport,
} from "./src/monitor/reports.ts";
export type {
  InjectOptions,
  InjectResult,
  PageTableRow,
} from "./src/monitor/reports.ts";
export {
  MinidiskMap,
  translateBlocks,
} from "./src/monitor/devices/minidisk.ts";
export type { BlockRun, Extent } from "./src/monitor/devices/minidisk.ts";
export { DEFAULT_MONITOR_COSTS, monitorCosts } from "./src/monitor/costs.ts";
// The monitor's own paging.
export { ACCESS, Pager, VmPages } from "./src/monitor/paging/pager.ts";
export type {
  MonitorPagingOptions,
  PagedVm,
  PagerDeps,
  PagingStats,
} from "./src/monitor/paging/pager.ts";
export type {
  PageCandidate,
  PagingPolicy,
  PolicyFunction,
} from "./src/monitor/paging/policy.ts";
export {
  PageMapReport,
  PagingReport,
  ResidentReport,
} from "./src/monitor/paging/reports.ts";
export type { FrameUse, ResidentPage } from "./src/monitor/paging/reports.ts";
export type { MonitorCosts } from "./src/monitor/costs.ts";
export { readOnlyProt, ShadowSet } from "./src/monitor/shadow.ts";
export type {
  ShadowPolicy,
  ShadowRegisters,
  ShadowView,
} from "./src/monitor/shadow.ts";
export { FrameAllocator } from "./src/monitor/frames.ts";
export type { FrameOwner } from "./src/monitor/frames.ts";

// How things look (installs REPL and notebook renderings on import).
export { installDisplays, View, view } from "./src/display/install.ts";
export type { ViewFactory } from "./src/display/install.ts";
export type { MimeBundle, Rendering } from "./src/display/style.ts";

// Analyses.
export {
  isSystemCall,
  returnsToUser,
  systemCallSpan,
} from "./src/analysis/trace_query.ts";

// Guest software (VAX assembly, assembled by the project's assembler).
export {
  assembleBatch,
  assembleCms,
  assembleJob,
  assembleMultiprogramming,
  batch,
  batchReport,
  bootBatch,
  bootCms,
  bootMultiprogramming,
  cms,
  DEFAULT_BATCH_JOBS,
  expectedJobResult,
  hasJobDeck,
  multiprogramming,
  MULTIPROGRAMMING_SYSCALLS,
  pagingCounts,
  VM370_GUESTS,
  workloadLine,
  writeJobDeck,
} from "./src/guests/mod.ts";
export type {
  BatchBootOptions,
  BatchJob,
  BatchJobReport,
  BootTarget,
  CodeJob,
  CrcJob,
  DeckEntry,
  GuestImage,
  JobDeck,
  MultiprogrammingBootOptions,
  MultiprogrammingImage,
  MultiprogrammingPagingOptions,
  MultiprogrammingProgram,
  PrimesJob,
  ProcessPagingCounts,
  WorkloadPattern,
  WorkloadSpec,
} from "./src/guests/mod.ts";
export {
  expandSweep,
  mergeRows,
  runConfig,
  shardOf,
  sweep,
  withoutHostTime,
} from "./src/analysis/sweep.ts";
export type {
  SweepConfig,
  SweepOptions,
  SweepRow,
  SweepSpec,
} from "./src/analysis/sweep.ts";
export {
  sweepProgress,
  sweepProgressBundle,
  sweepTable,
} from "./src/display/paging.ts";
export type { DisplayFn, SweepProgressOptions } from "./src/display/paging.ts";
export {
  checkVirtualizability,
  describeState,
  Evidence,
  formatEvidence,
  formatEvidenceRun,
  formatVirtualizability,
  InstructionVerdict,
  PopekGoldbergReport,
} from "./src/analysis/popek_goldberg.ts";
export type {
  CheckOptions,
  Component,
  DataStructureCheck,
  EvidenceRun,
  GuestRuns,
  Observation,
  PgArch,
  PgClass,
  PgState,
  ScbEvent,
  Snapshot,
  TheoremVerdicts,
  UnderVm,
} from "./src/analysis/popek_goldberg.ts";
