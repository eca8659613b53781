/**
 * Popek and Goldberg's classification, measured on every instruction of the
 * opcode table (Popek and Goldberg 1974; vm-literature.md section 2).
 *
 * Each instruction runs once per state of a systematic matrix (each of the
 * four modes; previous mode, IPL, interrupt stack, memory management and the
 * physical location of the program varied one at a time), with eight
 * operand values (some of which fault), and with its operands in a page of
 * each protection code; then as a guest of the monitor in each virtual
 * mode. The classes follow from what the runs did, never from the opcode
 * table's `class` column (which documents the expected answer):
 *
 * - **privileged**: it traps in every run outside kernel mode and runs
 *   without trapping in some kernel-mode run;
 * - **control-sensitive**: some run that does not trap changes the
 *   privileged state (current or previous mode, IPL, interrupt stack, VM
 *   bit, the memory-management and SCB/PCB registers, another mode's stack
 *   pointer) or halts the processor;
 * - **behaviour-sensitive**: two runs that differ only in one privileged
 *   component and do not trap give different results; *mode-sensitive*
 *   when the component is the current or previous mode, the IPL or the
 *   interrupt stack, *location-sensitive* when it is memory management or
 *   where the program sits in physical memory (Popek and Goldberg's
 *   relocation);
 * - **user-sensitive**: control-sensitive in a user-mode run, or
 *   location-sensitive between user-mode runs (what a hybrid monitor, which
 *   runs only virtual user mode directly, must trap);
 * - **innocuous**: neither control- nor behaviour-sensitive.
 *
 * A *trap* is a transfer through the SCB other than a change-mode
 * dispatch (an exception, vax-architecture.md section 5, including the
 * KA655's instruction-emulation exceptions): it hands control to kernel
 * mode, where the monitor lives. A change-mode dispatch (vectors 40-4C) is
 * the instruction's own effect, not a trap.
 *
 * Theorem 1 (a trap-and-emulate monitor exists) needs sensitive ⊆
 * privileged; Theorem 3 (a hybrid monitor exists) needs user-sensitive ⊆
 * privileged; Theorem 2 (recursive virtualization) needs Theorem 1 and a
 * monitor without timing dependence. With the VM extensions an instruction
 * counts as privileged when, as a guest, it exits to the monitor or gives,
 * without an exit, what bare hardware gives in the same state (MOVPSL's
 * virtual PSL from VMPSL).
 *
 * @module
 */

import { type OpcodeInfo, OPCODES } from "../arch/opcodes.ts";
import { PROT_NAMES } from "../arch/pte.ts";
import { SCB, vectorName } from "../arch/scb.ts";
import { assemble } from "../asm/assembler.ts";
import { formatHex } from "../machine/units.ts";
import type { OpcodeVariant } from "../machine/cpu.ts";
import {
  baseState,
  CODE,
  type Component,
  DATA_STRUCTURES,
  type Instance,
  instance,
  MODES,
  type Observation,
  type PgState,
  PROTECTIONS,
  RESOURCE_IPRS,
  Runner,
  type ScbEvent,
  type Snapshot,
  stateMatrix,
  VALUES,
} from "./pg_runs.ts";

export { DATA_STRUCTURES, MODES, PROTECTIONS, VALUES };
export type { Component, Observation, PgState, ScbEvent, Snapshot };

/** The machine analysed. */
export type PgArch = "vax" | "vax-vm";

/** A class of Popek and Goldberg's, as measured. */
export type PgClass =
  | "privileged"
  | "control-sensitive"
  | "behaviour-sensitive"
  | "mode-sensitive"
  | "location-sensitive"
  | "user-sensitive"
  | "innocuous";

/** One run of the evidence, in plain data. */
export interface EvidenceRun {
  /** Bare machine or guest of the monitor. */
  on: "bare" | "guest";
  /** The instruction as assembled. */
  instruction: string;
  /** Its bytes, hex. */
  bytes: string;
  /** The state it ran in (a guest's is virtual). */
  state: PgState;
  /** Operand value in every register and data area. */
  value: number;
  /** Protection of the operand page (`""` for register operands). */
  protection: string;
  /** Before the step. */
  before: Snapshot;
  /** After the step. */
  after: Snapshot;
  /** The SCB vector taken, with the frame, or null. */
  event: {
    vector: number;
    name: string;
    pc: number;
    psl: number;
    params: number[];
    fault: boolean;
  } | null;
  /** Whether the processor (or VM) halted. */
  halted: boolean;
  /** Whether, as a guest, the monitor got control. */
  exited: boolean;
  /** Changed longwords of the program's world: [address, before, after]. */
  memory: [number, number, number][];
}

/** Why a verdict holds: a claim and the runs that show it. */
export class Evidence {
  /** What the runs show. */
  readonly claim: string;
  /** One run, or two to compare. */
  readonly runs: readonly EvidenceRun[];

  /** Makes a piece of evidence. */
  constructor(claim: string, runs: readonly EvidenceRun[]) {
    this.claim = claim;
    this.runs = runs;
  }
}

/** Counts of an instruction's guest runs. */
export interface GuestRuns {
  /** Guest runs. */
  runs: number;
  /** Runs in which the monitor got control. */
  exits: number;
  /** Runs without an exit whose result differs from bare hardware's. */
  directMismatches: number;
  /** Runs with an exit whose result differs from bare hardware's. */
  emulatedMismatches: number;
}

/** What the VM extensions make of an instruction run as a guest. */
export type UnderVm = "direct" | "exit" | "virtualized" | "wrong";

/** The measured classification of one instruction. */
export class InstructionVerdict {
  /** Mnemonic. */
  readonly mnemonic: string;
  /** Opcode. */
  readonly opcode: number;
  /** The register-operand instance. */
  readonly instance: string;
  /** The classes, in a fixed order. */
  readonly classes: readonly PgClass[];
  /** Traps outside kernel mode, runs in it. */
  readonly privileged: boolean;
  /** Changes privileged state without trapping. */
  readonly controlSensitive: boolean;
  /** Its result depends on privileged state. */
  readonly behaviourSensitive: boolean;
  /** ...on the current or previous mode, IPL or interrupt stack. */
  readonly modeSensitive: boolean;
  /** ...on memory management or the physical location. */
  readonly locationSensitive: boolean;
  /** Sensitive in user mode. */
  readonly userSensitive: boolean;
  /** Control- or behaviour-sensitive. */
  readonly sensitive: boolean;
  /** The components its result depends on. */
  readonly dependsOn: readonly Component[];
  /** As a guest (vax-vm only). */
  readonly underVm: UnderVm | null;
  /**
   * Guest runs (vax-vm only): how many, how many exited, how many gave a
   * result other than bare hardware's without an exit (the hardware got it
   * wrong: no monitor can repair that) and after an exit (this monitor's
   * emulation differs: a defect of the monitor, not of the architecture).
   */
  readonly guestRuns: GuestRuns;
  /** Runs executed on the bare machine. */
  readonly bareRuns: number;
  /** The evidence, one entry per claim. */
  readonly evidence: readonly Evidence[];

  /** Built by the classifier. */
  constructor(
    init: Omit<
      InstructionVerdict,
      "classes" | "sensitive" | "offends" | "toJSON"
    >,
  ) {
    this.mnemonic = init.mnemonic;
    this.opcode = init.opcode;
    this.instance = init.instance;
    this.privileged = init.privileged;
    this.controlSensitive = init.controlSensitive;
    this.behaviourSensitive = init.behaviourSensitive;
    this.modeSensitive = init.modeSensitive;
    this.locationSensitive = init.locationSensitive;
    this.userSensitive = init.userSensitive;
    this.sensitive = init.controlSensitive || init.behaviourSensitive;
    this.dependsOn = init.dependsOn;
    this.underVm = init.underVm;
    this.guestRuns = init.guestRuns;
    this.bareRuns = init.bareRuns;
    this.evidence = init.evidence;
    const c: PgClass[] = [];
    if (this.privileged) c.push("privileged");
    if (this.controlSensitive) c.push("control-sensitive");
    if (this.behaviourSensitive) c.push("behaviour-sensitive");
    if (this.modeSensitive) c.push("mode-sensitive");
    if (this.locationSensitive) c.push("location-sensitive");
    if (this.userSensitive) c.push("user-sensitive");
    if (!this.sensitive) c.push("innocuous");
    this.classes = c;
  }

  /** Whether this instruction breaks Theorem 1 on the analysed machine. */
  get offends(): boolean {
    return this.underVm === null
      ? this.sensitive && !this.privileged
      : this.sensitive && this.underVm === "wrong";
  }

  /** Plain data for JSON. */
  toJSON(): Record<string, unknown> {
    return {
      mnemonic: this.mnemonic,
      opcode: this.opcode,
      instance: this.instance,
      classes: this.classes,
      dependsOn: this.dependsOn,
      ...(this.underVm !== null
        ? { underVm: this.underVm, guestRuns: this.guestRuns }
        : {}),
      bareRuns: this.bareRuns,
      evidence: this.evidence.map((e) => ({ claim: e.claim, runs: e.runs })),
    };
  }
}

/** One reference to a sensitive data structure from a less privileged mode. */
export interface DataStructureCheck {
  /** Structure. */
  structure: string;
  /** Its virtual (and location-A physical) address. */
  address: number;
  /** Mode of the reference. */
  mode: "kernel" | "executive" | "supervisor" | "user";
  /** Read or write. */
  access: "read" | "write";
  /** What the reference did on the bare machine (vector name, or "no fault"). */
  bare: string;
  /** As a guest with split shadow tables (vax-vm only). */
  guest?: string;
  /** As a guest with shared shadow tables (vax-vm only). */
  guestShared?: string;
  /** Whether it faulted where it must (bare, and split guest). */
  protected: boolean;
}

/** The three theorems' verdicts. */
export interface TheoremVerdicts {
  /** Theorem 1: a trap-and-emulate monitor can be built. */
  "1": boolean;
  /** Theorem 2: the machine is recursively virtualizable. */
  "2": boolean;
  /** Theorem 3: a hybrid monitor can be built. */
  "3": boolean;
}

/** The whole analysis. */
export class PopekGoldbergReport {
  /** The machine analysed. */
  readonly arch: PgArch;
  /** Every instruction classified. */
  readonly instructions: readonly InstructionVerdict[];
  /** Sensitive instructions that are not (effectively) privileged. */
  readonly sensitiveUnprivileged: readonly string[];
  /** User-sensitive instructions that are not (effectively) privileged. */
  readonly userSensitiveUnprivileged: readonly string[];
  /** The verdicts. */
  readonly theorems: TheoremVerdicts;
  /** What each verdict rests on. */
  readonly basis: Readonly<Record<"1" | "2" | "3", string>>;
  /** References to the page tables, SCB and PCB from less privileged modes. */
  readonly dataStructures: readonly DataStructureCheck[];
  /**
   * Instructions with a guest run whose result differs from bare
   * hardware's, with or without an exit (Popek and Goldberg's equivalence,
   * tested on this monitor).
   */
  readonly equivalenceFailures: readonly string[];
  /** Runs executed (bare, guest). */
  readonly runs: { bare: number; guest: number };

  /** Built by {@link checkVirtualizability}. */
  constructor(init: {
    arch: PgArch;
    instructions: InstructionVerdict[];
    dataStructures: DataStructureCheck[];
    timingIndependent: boolean;
    nestedExperiment: string | null;
    nested: { runs: number; direct: string[]; emulated: string[] } | null;
  }) {
    this.arch = init.arch;
    this.instructions = init.instructions;
    this.dataStructures = init.dataStructures;
    const vm = init.arch === "vax-vm";
    const ok = (v: InstructionVerdict) =>
      vm ? v.underVm !== "wrong" : v.privileged;
    this.sensitiveUnprivileged = init.instructions.filter((v) =>
      v.sensitive && !ok(v)
    ).map((v) => v.mnemonic);
    this.userSensitiveUnprivileged = init.instructions.filter((v) =>
      v.userSensitive && !ok(v)
    ).map((v) => v.mnemonic);
    this.equivalenceFailures = init.instructions.filter((v) =>
      v.guestRuns.directMismatches + v.guestRuns.emulatedMismatches > 0
    ).map((v) => v.mnemonic);
    const dsOk = init.dataStructures.every((d) => d.protected);
    const t1 = this.sensitiveUnprivileged.length === 0 && dsOk;
    const t3 = this.userSensitiveUnprivileged.length === 0 && dsOk;
    const t2 = t1 && init.timingIndependent &&
      (init.nested === null || init.nested.direct.length === 0);
    this.theorems = { "1": t1, "2": t2, "3": t3 };
    const names = (l: readonly string[]) => l.join(", ") || "none";
    this.basis = {
      "1": `${
        vm
          ? "sensitive instructions that, as guests, neither exit nor give the bare result"
          : "sensitive instructions that do not trap outside kernel mode"
      }: ${
        names(this.sensitiveUnprivileged)
      }; data-structure references that do not fault: ${
        init.dataStructures.filter((d) => !d.protected).length
      }`,
      "3": `user-sensitive instructions not ${
        vm ? "exiting or virtualized" : "privileged"
      }: ${names(this.userSensitiveUnprivileged)}`,
      "2": !t1
        ? "Theorem 1 fails, so Theorem 2 does"
        : `Theorem 1 holds; every guest run gave the same result with the clock 1 s later (${
          init.timingIndependent ? "no" : "a"
        } timing dependence of the monitor's emulation)${
          init.nested
            ? `; recursion: ${init.nested.runs} runs of the sensitive and privileged instructions as guests of a monitor that itself runs in a VM of another monitor (CP under CP) gave ${
              init.nested.direct.length === 0
                ? "bare hardware's result wherever they ran without an exit"
                : `a different result without an exit for ${
                  init.nested.direct.join(", ")
                }`
            }${
              init.nested.emulated.length > 0
                ? ` (after an exit, the nested monitors' emulation differs for ${
                  init.nested.emulated.join(", ")
                })`
                : ""
            }`
            : ""
        }; experiment: ${
          init.nestedExperiment ??
            "the project's equivalence test of random programs under two and three levels of monitor (tests/monitor/equivalence_test.ts, tests/monitor/nested_test.ts)"
        }`,
    };
    this.runs = {
      bare: init.instructions.reduce((n, v) => n + v.bareRuns, 0),
      guest: init.instructions.reduce((n, v) => n + v.guestRuns.runs, 0),
    };
  }

  /** The verdict of one instruction, by mnemonic. */
  verdict(mnemonic: string): InstructionVerdict | undefined {
    const m = mnemonic.toUpperCase();
    return this.instructions.find((v) => v.mnemonic === m);
  }

  /** The JSON form `vmmlab check --json` prints. */
  toJSON(): Record<string, unknown> {
    return {
      arch: this.arch,
      theorems: this.theorems,
      sensitiveUnprivileged: this.sensitiveUnprivileged.map((m) => {
        const v = this.verdict(m)!;
        return {
          mnemonic: v.mnemonic,
          opcode: v.opcode,
          classes: v.classes,
          why: v.evidence.map((e) => e.claim),
        };
      }),
      equivalenceFailures: this.equivalenceFailures,
      userSensitiveUnprivileged: this.userSensitiveUnprivileged,
      basis: this.basis,
      runs: this.runs,
      dataStructures: this.dataStructures,
      classes: this.instructions.map((v) => v.toJSON()),
    };
  }
}

/** Options of {@link checkVirtualizability}. */
export interface CheckOptions {
  /** The standard VAX or the VAX with VM extensions (default `vax`). */
  arch?: PgArch;
  /** Opcode variants: analyse a variant machine instead of the VAX. */
  variants?: ReadonlyMap<number, OpcodeVariant>;
  /** Only these mnemonics (default: the whole opcode table). */
  only?: readonly string[];
  /** Skip the sensitive data structure references. */
  skipDataStructures?: boolean;
  /** The nested-monitor experiment to cite for Theorem 2, if one exists. */
  nestedExperiment?: string | null;
}

/** Theorem 2's checks, gathered while classifying. */
interface RecursionCheck {
  independent: boolean;
  nested: Runner | null;
  nestedRuns: number;
  nestedDirectMismatches: Set<string>;
  nestedEmulatedMismatches: Set<string>;
}

// ---------------------------------------------------------------------------
// Judging runs.

const PRIV_PSL = 0x27df0000 | 0x00200000; // VM, IS, CUR, PRV, IPL (and bit 21)

/**
 * A trap: a transfer through the SCB that is not a change-mode dispatch
 * (exceptions, including the KA655's instruction-emulation exceptions,
 * hand control to kernel mode, where the monitor lives; CHMx's transfer
 * through vectors 40-4C is the instruction's own effect).
 */
function trapped(o: Observation): boolean {
  return o.event !== null &&
    (o.event.vector < SCB.CHMK || o.event.vector > SCB.CHMU);
}

function liveStack(psl: number): number {
  return (psl & 0x04000000) !== 0 ? 4 : (psl >>> 24) & 3;
}

/** The privileged state it changed, in words; "" if none. */
function privilegedChange(o: Observation): string {
  if (o.halted) return "halted the processor";
  const b = o.before, a = o.after;
  const parts: string[] = [];
  const d = (b.psl ^ a.psl) & PRIV_PSL;
  if (d & 0x03000000) parts.push("current mode");
  if (d & 0x00c00000) parts.push("previous mode");
  if (d & 0x001f0000) parts.push("IPL");
  if (d & 0x04000000) parts.push("interrupt stack");
  if (d & 0x20000000) parts.push("VM bit");
  for (const n of RESOURCE_IPRS) {
    if (a.iprs[n] !== b.iprs[n]) parts.push(n);
  }
  const lb = liveStack(b.psl), la = liveStack(a.psl);
  ["KSP", "ESP", "SSP", "USP", "ISP"].forEach((n, i) => {
    if (i !== lb && i !== la && a.stacks[i] !== b.stacks[i]) parts.push(n);
  });
  return parts.join(", ");
}

/** What the instruction did, relative to where it started. */
function relativeResult(o: Observation): string {
  const b = o.before, a = o.after;
  return JSON.stringify([
    o.event && [o.event.vector, o.event.pc, o.event.psl, o.event.params],
    o.halted,
    a.r.slice(0, 14),
    (a.r[14]! - b.r[14]!) | 0,
    a.r[15],
    (a.psl ^ b.psl) >>> 0,
    RESOURCE_IPRS.map((n) => (a.iprs[n]! ^ b.iprs[n]!) >>> 0),
    o.memory.map(([off, , v]) => [off, v]),
  ]);
}

/**
 * Everything observable, absolute (bare against guest in the same state).
 * PSL<TP> is left out: a bare single step sets it at the next instruction's
 * boundary before it stops, a guest step does not (an artefact of stepping,
 * not of the instruction).
 */
function absoluteResult(o: Observation): string {
  const a = o.after;
  return JSON.stringify([
    o.event && [o.event.vector, o.event.pc, o.event.psl, o.event.params],
    o.halted,
    a.r,
    (a.psl & ~0x40000000) >>> 0,
    a.stacks,
    a.iprs,
    o.memory.map(([off, , v]) => [off, v]),
  ]);
}

function hex(v: number): string {
  return formatHex(v, 8);
}

function evidenceRun(inst: Instance, o: Observation): EvidenceRun {
  return {
    on: o.on,
    instruction: inst.text,
    bytes: Array.from(
      inst.bytes.subarray(0, inst.length),
      (b) => b.toString(16).toUpperCase().padStart(2, "0"),
    ).join(" "),
    state: o.state,
    value: VALUES[o.value]! >>> 0,
    protection: o.protection < 0 ? "" : PROT_NAMES[o.protection]!,
    before: o.before,
    after: o.after,
    event: o.event && {
      ...o.event,
      name: vectorName(o.event.vector),
    },
    halted: o.halted,
    exited: o.exited,
    memory: o.memory.map(([off, b, a]) => [off, b, a]),
  };
}

/** A run's state in words: "user, previous user, IPL 0x00, mapped, location A". */
export function describeState(s: PgState): string {
  return `${MODES[s.mode]}, previous ${MODES[s.prev]}, IPL ${formatHex(s.ipl)}${
    s.is ? ", interrupt stack" : ""
  }, ${s.mapen ? "mapped" : "unmapped"}, location ${s.location ? "B" : "A"}`;
}

interface Spec {
  inst: Instance;
  state: PgState;
  value: number;
  varies: Component;
  guest: boolean;
}

/** The runs of one instruction: value, state and protection sweeps. */
function specs(info: OpcodeInfo): Spec[] {
  const out: Spec[] = [];
  const plain = instance(info);
  for (let m = 0; m < 4; m++) {
    for (let v = 0; v < VALUES.length; v++) {
      out.push({
        inst: plain,
        state: baseState(m),
        value: v,
        varies: "base",
        guest: true,
      });
    }
  }
  for (const ms of stateMatrix()) {
    if (ms.varies === "base") continue;
    for (const v of [3, 6]) {
      out.push({
        inst: plain,
        state: ms.state,
        value: v,
        varies: ms.varies,
        guest: true,
      });
    }
  }
  if (info.operands.some((o) => o.access !== "b")) {
    for (const p of PROTECTIONS) {
      const inst = instance(info, p);
      for (let m = 0; m < 4; m++) {
        out.push({
          inst,
          state: baseState(m),
          value: 1,
          varies: "base",
          guest: m < 2, // as a guest: the compressed modes, kernel and executive
        });
      }
      // The previous mode against the protection (kernel, previous kernel).
      out.push({
        inst,
        state: { ...baseState(0), prev: 0 },
        value: 1,
        varies: "previous mode",
        guest: false,
      });
    }
  }
  return out;
}

const COMPONENT_KIND: Record<Component, "mode" | "location" | null> = {
  base: null,
  "previous mode": "mode",
  IPL: "mode",
  "interrupt stack": "mode",
  "memory management": "location",
  location: "location",
};

/** Which single component two states differ in, or null. */
function difference(a: PgState, b: PgState): Component | "current mode" | null {
  const diffs: (Component | "current mode")[] = [];
  if (a.mode !== b.mode) diffs.push("current mode");
  if (a.prev !== b.prev) diffs.push("previous mode");
  if (a.ipl !== b.ipl) diffs.push("IPL");
  if (a.is !== b.is) diffs.push("interrupt stack");
  if (a.mapen !== b.mapen) diffs.push("memory management");
  if (a.location !== b.location) diffs.push("location");
  return diffs.length === 1 ? diffs[0]! : null;
}

function classify(
  info: OpcodeInfo,
  runner: Runner,
  vm: boolean,
  timing: RecursionCheck,
): InstructionVerdict {
  const all = specs(info);
  const runs = all.map((s) => ({
    spec: s,
    o: runner.bare(s.inst, s.state, s.value),
  }));
  const ev: Evidence[] = [];
  const er = (r: { spec: Spec; o: Observation }) =>
    evidenceRun(r.spec.inst, r.o);

  // Privileged: traps in every run outside kernel mode, not in some kernel run.
  const outside = runs.filter((r) => r.spec.state.mode !== 0);
  const untrappedOutside = outside.find((r) => !trapped(r.o));
  const kernelFree = runs.find((r) => r.spec.state.mode === 0 && !trapped(r.o));
  const privileged = untrappedOutside === undefined && kernelFree !== undefined;
  if (privileged) {
    const u = outside.find((r) => r.spec.state.mode === 3)!;
    ev.push(
      new Evidence(
        `privileged: traps (${
          vectorName(u.o.event!.vector)
        }) in all ${outside.length} runs outside kernel mode; runs in kernel mode`,
        [er(u), er(kernelFree!)],
      ),
    );
  } else if (untrappedOutside) {
    ev.push(
      new Evidence(
        `not privileged: runs without a trap in ${
          MODES[untrappedOutside.spec.state.mode]
        } mode`,
        [er(untrappedOutside)],
      ),
    );
  }

  // Control sensitivity.
  let controlSensitive = false;
  let userControl: (typeof runs)[number] | undefined;
  for (const r of runs) {
    if (trapped(r.o)) continue;
    const what = privilegedChange(r.o);
    if (what === "") continue;
    if (!controlSensitive) {
      controlSensitive = true;
      ev.push(
        new Evidence(
          `control-sensitive: without a trap, in ${
            MODES[r.spec.state.mode]
          } mode, changes ${what}`,
          [er(r)],
        ),
      );
    }
    if (r.spec.state.mode === 3 && userControl === undefined) userControl = r;
  }

  // Behaviour sensitivity: pairs that differ in one component.
  const depends = new Set<Component | "current mode">();
  let userLocation: [typeof runs[number], typeof runs[number]] | undefined;
  const groups = new Map<string, typeof runs>();
  for (const r of runs) {
    const key = `${r.spec.inst.protection}/${r.spec.value}`;
    const g = groups.get(key);
    if (g) g.push(r);
    else groups.set(key, [r]);
  }
  const pairEvidence = new Map<string, Evidence>();
  for (const g of groups.values()) {
    const results = g.map((r) => trapped(r.o) ? null : relativeResult(r.o));
    for (let i = 0; i < g.length; i++) {
      for (let j = i + 1; j < g.length; j++) {
        if (results[i] === null || results[j] === null) continue;
        const c = difference(g[i]!.spec.state, g[j]!.spec.state);
        if (c === null || results[i] === results[j]) continue;
        depends.add(c);
        if (!pairEvidence.has(c)) {
          pairEvidence.set(
            c,
            new Evidence(
              `behaviour-sensitive: the result depends on the ${c}`,
              [er(g[i]!), er(g[j]!)],
            ),
          );
        }
        if (
          (c === "location" || c === "memory management") &&
          g[i]!.spec.state.mode === 3 && userLocation === undefined
        ) {
          userLocation = [g[i]!, g[j]!];
        }
      }
    }
  }
  ev.push(...pairEvidence.values());
  const dependsOn = [...depends].sort() as Component[];
  const modeSensitive = dependsOn.some((c) =>
    (c as string) === "current mode" || COMPONENT_KIND[c] === "mode"
  );
  const locationSensitive = dependsOn.some((c) =>
    COMPONENT_KIND[c] === "location"
  );
  const userSensitive = userControl !== undefined ||
    userLocation !== undefined;
  if (userControl) {
    ev.push(
      new Evidence(
        `user-sensitive: changes ${
          privilegedChange(userControl.o)
        } from user mode without a trap`,
        [er(userControl)],
      ),
    );
  } else if (userLocation) {
    ev.push(
      new Evidence(
        "user-sensitive: its result in user mode depends on the location",
        userLocation.map(er),
      ),
    );
  }
  if (!controlSensitive && depends.size === 0) {
    ev.push(
      new Evidence(
        `innocuous: ${runs.length} runs; no run changed privileged state without a trap, and no two runs that differ in one privileged component gave different results`,
        [er(runs[runs.length > 0 ? 0 : 0]!)],
      ),
    );
  }

  // As a guest.
  let underVm: UnderVm | null = null;
  const guestRuns: GuestRuns = {
    runs: 0,
    exits: 0,
    directMismatches: 0,
    emulatedMismatches: 0,
  };
  if (vm) {
    let firstExit: (typeof runs)[number] | undefined;
    let firstExitGuest: Observation | undefined;
    let firstGuestKernel: [typeof runs[number], Observation] | undefined;
    for (const r of runs) {
      if (!r.spec.guest) continue;
      const g = runner.guest(r.spec.inst, r.spec.state, r.spec.value);
      guestRuns.runs++;
      // An exit counts when bare hardware did not trap: a fault the bare
      // machine takes too reaches the monitor as well, to be reflected.
      if (g.exited && !trapped(r.o)) {
        guestRuns.exits++;
        if (!firstExit) {
          firstExit = r;
          firstExitGuest = g;
        }
      }
      if (!firstGuestKernel && r.spec.state.mode === 0) {
        firstGuestKernel = [r, g];
      }
      if (absoluteResult(g) !== absoluteResult(r.o)) {
        const first = guestRuns.directMismatches +
            guestRuns.emulatedMismatches === 0;
        if (g.exited) guestRuns.emulatedMismatches++;
        else guestRuns.directMismatches++;
        if (first || (!g.exited && guestRuns.directMismatches === 1)) {
          ev.push(
            new Evidence(
              `as a guest in virtual ${MODES[r.spec.state.mode]} mode: ${
                g.exited
                  ? "the monitor's emulation gives"
                  : "executed directly, gives"
              } a different result than bare hardware`,
              [er(r), evidenceRun(r.spec.inst, g)],
            ),
          );
        }
      }
      if (g.exited && r.spec.state.mode === 0 && r.spec.value === 6) {
        // Timing: the same guest run with the clock a simulated second on.
        const later = runner.guest(
          r.spec.inst,
          r.spec.state,
          r.spec.value,
          1e9,
        );
        guestRuns.runs++;
        if (absoluteResult(later) !== absoluteResult(g)) {
          timing.independent = false;
        }
      }
    }
    const sensitive = controlSensitive || depends.size > 0;
    if ((sensitive || privileged) && timing.nested) {
      // Theorem 2's experiment: the same runs under a monitor that runs in
      // a virtual machine of another monitor.
      for (const r of runs) {
        if (
          !r.spec.guest || r.spec.varies !== "base" ||
          r.spec.inst.protection >= 0 || ![0, 3, 6].includes(r.spec.value)
        ) continue;
        const g = timing.nested.guest(r.spec.inst, r.spec.state, r.spec.value);
        timing.nestedRuns++;
        if (absoluteResult(g) !== absoluteResult(r.o)) {
          if (g.exited) timing.nestedEmulatedMismatches.add(info.mnemonic);
          else timing.nestedDirectMismatches.add(info.mnemonic);
        }
      }
    }
    underVm = guestRuns.directMismatches > 0
      ? "wrong"
      : guestRuns.exits > 0
      ? "exit"
      : sensitive
      ? "virtualized"
      : "direct";
    if (underVm === "exit" && firstExit && firstExitGuest) {
      ev.push(
        new Evidence(
          `as a guest: exits to the monitor (${guestRuns.exits} of ${guestRuns.runs} runs), which gives the bare result`,
          [er(firstExit), evidenceRun(firstExit.spec.inst, firstExitGuest)],
        ),
      );
    } else if (underVm === "virtualized" && firstGuestKernel) {
      ev.push(
        new Evidence(
          "as a guest: gives the bare result in every virtual mode without an exit",
          [
            er(firstGuestKernel[0]),
            evidenceRun(firstGuestKernel[0].spec.inst, firstGuestKernel[1]),
          ],
        ),
      );
    }
  }

  return new InstructionVerdict({
    mnemonic: info.mnemonic,
    opcode: info.opcode,
    instance: runs[0]!.spec.inst.text,
    privileged,
    controlSensitive,
    behaviourSensitive: depends.size > 0,
    modeSensitive,
    locationSensitive,
    userSensitive,
    dependsOn,
    underVm,
    guestRuns,
    bareRuns: runs.length,
    evidence: ev,
  });
}

/** References to the SCB, page tables and PCB from each less privileged mode. */
function dataStructureChecks(
  vm: boolean,
  variants: ReadonlyMap<number, OpcodeVariant> | undefined,
): DataStructureCheck[] {
  const bare = new Runner(variants ? { variants } : {});
  const split = new Runner({ ...(variants ? { variants } : {}) });
  const shared = new Runner({
    ...(variants ? { variants } : {}),
    shadow: "shared",
  });
  const out: DataStructureCheck[] = [];
  const name = (o: Observation) =>
    trapped(o) ? vectorName(o.event!.vector) : "no fault";
  const mov = OPCODES.find((o) => o.opcode === 0xd0)!;
  for (const ds of DATA_STRUCTURES) {
    for (const access of ["read", "write"] as const) {
      const text = access === "read"
        ? `MOVL @#^X${ds.address.toString(16)},R1`
        : `MOVL R1,@#^X${ds.address.toString(16)}`;
      const asm = assemble(`${text}\ntable:\nnext: NOP\n HALT\n`, {
        origin: CODE,
      });
      const inst: Instance = {
        info: mov,
        text,
        bytes: asm.bytes,
        length: asm.symbol("table") - CODE,
        next: asm.symbol("next"),
        protection: -1,
      };
      for (let mode = 1; mode < 4; mode++) {
        const s = baseState(mode);
        const b = bare.bare(inst, s, 0);
        const check: DataStructureCheck = {
          structure: ds.name,
          address: ds.address,
          mode: MODES[mode]!,
          access,
          bare: name(b),
          protected: b.event?.vector === SCB.ACCESS_VIOLATION,
        };
        if (vm) {
          const g = split.guest(inst, s, 0);
          const gs = shared.guest(inst, s, 0);
          check.guest = name(g);
          check.guestShared = name(gs);
          check.protected = check.protected &&
            g.event?.vector === SCB.ACCESS_VIOLATION;
        }
        out.push(check);
      }
    }
  }
  return out;
}

/**
 * Classifies every instruction of the opcode table by experiment and gives
 * Popek and Goldberg's verdicts for the standard VAX (`arch: "vax"`) or the
 * VAX with the VM extensions (`"vax-vm"`).
 *
 * @example
 * ```ts
 * import { checkVirtualizability } from "./popek_goldberg.ts";
 * import { equal } from "node:assert/strict";
 * const r = checkVirtualizability({ only: ["MOVL", "MOVPSL"] });
 * equal(r.verdict("MOVL")!.classes.join(), "innocuous");
 * equal(r.verdict("MOVPSL")!.modeSensitive, true);
 * equal(r.theorems["1"], false);
 * ```
 */
export function checkVirtualizability(
  options: CheckOptions = {},
): PopekGoldbergReport {
  const arch = options.arch ?? "vax";
  if (arch !== "vax" && arch !== "vax-vm") {
    throw new RangeError(
      `Cannot analyse arch "${String(arch)}": expected "vax" or "vax-vm"`,
    );
  }
  const vm = arch === "vax-vm";
  let rows: readonly OpcodeInfo[] = OPCODES;
  if (options.only) {
    const want = options.only.map((m) => m.toUpperCase());
    for (const m of want) {
      if (!OPCODES.some((o) => o.mnemonic === m)) {
        throw new RangeError(
          `Cannot classify "${m}": it is not in the opcode table`,
        );
      }
    }
    rows = OPCODES.filter((o) => want.includes(o.mnemonic));
  }
  const runner = new Runner({
    vmExtensions: true,
    ...(options.variants ? { variants: options.variants } : {}),
  });
  const timing: RecursionCheck = {
    independent: true,
    nested: vm
      ? new Runner({
        nested: true,
        ...(options.variants ? { variants: options.variants } : {}),
      })
      : null,
    nestedRuns: 0,
    nestedDirectMismatches: new Set(),
    nestedEmulatedMismatches: new Set(),
  };
  const instructions = rows.map((o) => classify(o, runner, vm, timing));
  return new PopekGoldbergReport({
    arch,
    instructions,
    dataStructures: options.skipDataStructures
      ? []
      : dataStructureChecks(vm, options.variants),
    timingIndependent: timing.independent,
    nested: timing.nested
      ? {
        runs: timing.nestedRuns,
        direct: [...timing.nestedDirectMismatches],
        emulated: [...timing.nestedEmulatedMismatches],
      }
      : null,
    nestedExperiment: options.nestedExperiment ?? null,
  });
}

/** A state in a few letters: "U/U ipl0 map A". */
function shortState(s: PgState): string {
  const l = "KESU";
  return `${l[s.mode]}/${l[s.prev]} IPL ${formatHex(s.ipl)}${
    s.is ? " IS" : ""
  } ${s.mapen ? "map" : "nomap"} ${s.location ? "B" : "A"}`;
}

/** One evidence run as text lines (80 columns). */
export function formatEvidenceRun(r: EvidenceRun): string[] {
  const b = r.before, a = r.after;
  const lines = [
    `  ${r.on} ${r.instruction}`,
    ...wrap(`bytes ${r.bytes}`, "    "),
    `    state ${shortState(r.state)}  value ${hex(r.value)}${
      r.protection ? `  page ${r.protection}` : ""
    }`,
    `    PSL ${hex(b.psl)} -> ${hex(a.psl)}   PC ${hex(b.r[15]!)} -> ${
      hex(a.r[15]!)
    }`,
  ];
  const regs: string[] = [];
  for (let i = 0; i < 15; i++) {
    if (a.r[i] !== b.r[i]) regs.push(`R${i} ${hex(b.r[i]!)}->${hex(a.r[i]!)}`);
  }
  for (const n of RESOURCE_IPRS) {
    if (a.iprs[n] !== b.iprs[n]) {
      regs.push(`${n} ${hex(b.iprs[n]!)}->${hex(a.iprs[n]!)}`);
    }
  }
  for (let k = 0; k < regs.length; k += 2) {
    lines.push(`    ${regs.slice(k, k + 2).join("  ")}`);
  }
  if (r.event) {
    lines.push(
      `    ${r.event.fault ? "fault" : "dispatch"} ${r.event.name} (vector ${
        formatHex(r.event.vector)
      })`,
      `      saved PC ${hex(r.event.pc)} PSL ${hex(r.event.psl)}`,
    );
  }
  if (r.halted) lines.push("    halted");
  if (r.on === "guest") {
    lines.push(`    exit to the monitor: ${r.exited ? "yes" : "no"}`);
  }
  for (const [addr, before, after] of r.memory.slice(0, 4)) {
    lines.push(`    memory ${hex(addr)}: ${hex(before)} -> ${hex(after)}`);
  }
  if (r.memory.length > 4) {
    lines.push(`    ... ${r.memory.length - 4} more longwords`);
  }
  return lines;
}

/** An instruction's verdict with all its evidence, as text. */
export function formatEvidence(v: InstructionVerdict): string {
  const lines = wrap(
    `${v.mnemonic} (opcode ${formatHex(v.opcode)}): ${v.classes.join(", ")}${
      v.underVm ? `; as a guest: ${v.underVm}` : ""
    }`,
    "",
  );
  for (const e of v.evidence) {
    lines.push("", ...wrap(e.claim, ""));
    for (const r of e.runs) lines.push(...formatEvidenceRun(r));
  }
  return lines.join("\n");
}

/** The report as text, readable at 80 columns. */
export function formatVirtualizability(r: PopekGoldbergReport): string {
  const arch = r.arch === "vax" ? "standard VAX" : "VAX with VM extensions";
  const sens = r.instructions.filter((v) => v.sensitive || v.privileged);
  const w = Math.max(8, ...sens.map((v) => v.mnemonic.length));
  const flag = (b: boolean) => (b ? "yes" : "-").padEnd(4);
  const lines = [
    ...wrap(
      `Popek and Goldberg on the ${arch}: ${r.instructions.length} instructions, ${r.runs.bare} bare runs${
        r.arch === "vax-vm" ? ` and ${r.runs.guest} guest runs` : ""
      } (four modes, varied states, values and page protections)`,
      "",
    ),
    "",
    `${"instr".padEnd(w)} priv ctrl mode loc  user${
      r.arch === "vax-vm" ? "  as guest" : ""
    }`,
    ...sens.map((v) =>
      `${v.mnemonic.padEnd(w)} ${flag(v.privileged)} ${
        flag(v.controlSensitive)
      } ${flag(v.modeSensitive)} ${flag(v.locationSensitive)} ${
        flag(v.userSensitive)
      }${v.underVm ? ` ${v.underVm}` : ""}${v.offends ? "  <- offends" : ""}`
    ),
    "",
    `innocuous: ${
      r.instructions.filter((v) => !v.sensitive && !v.privileged).length
    } instructions`,
    "",
    "Sensitive data structures from less privileged modes:",
  ];
  const ds = r.dataStructures;
  if (ds.length === 0) lines.push("  (not checked)");
  else {
    const bad = ds.filter((d) => !d.protected);
    lines.push(
      `  ${ds.length} references (SCB, page tables, PCB; read and write;`,
      `  executive, supervisor, user): ${
        bad.length === 0 ? "every one faults" : `${bad.length} do NOT fault`
      }`,
    );
    const short = (x: string | undefined) =>
      x === undefined
        ? ""
        : x === "access violation"
        ? "ACV"
        : x === "no fault"
        ? "none"
        : x;
    for (let k = 0; k < ds.length; k += 3) {
      const group = ds.slice(k, k + 3);
      const d0 = group[0]!;
      lines.push(
        `  ${`${d0.structure} ${d0.access}`.padEnd(24)}${
          group.map((d) =>
            `${d.mode[0]!.toUpperCase()}:${short(d.bare)}${
              d.guest !== undefined
                ? `/${short(d.guest)}/${short(d.guestShared)}`
                : ""
            }`.padEnd(r.arch === "vax-vm" ? 18 : 7)
          ).join(" ")
        }`.trimEnd(),
      );
    }
    if (r.arch === "vax-vm") {
      lines.push("  (bare / guest, split shadow tables / guest, shared)");
    }
    for (const d of bad) {
      lines.push(`  ! ${d.access} ${d.structure} from ${d.mode}: ${d.bare}`);
    }
    const sharedOpen = ds.filter((d) =>
      d.guestShared !== undefined && d.guestShared === "no fault"
    );
    if (sharedOpen.length > 0) {
      lines.push(
        `  with shared shadow tables ${sharedOpen.length} references from`,
        `  virtual executive do not fault (the known weakness of ring compression)`,
      );
    }
  }
  if (r.arch === "vax-vm") {
    lines.push(
      "",
      ...wrap(
        `Guest results that differ from bare hardware after an exit (this monitor's emulation, not the architecture): ${
          r.equivalenceFailures.join(", ") || "none"
        }`,
        "",
      ),
    );
  }
  lines.push(
    "",
    ...wrap(
      `Sensitive but not privileged: ${
        r.sensitiveUnprivileged.join(", ") || "none"
      }`,
      "",
    ),
    "",
    `Theorem 1 (trap-and-emulate monitor): ${
      r.theorems["1"] ? "holds" : "fails"
    }`,
    ...wrap(r.basis["1"], "  "),
    `Theorem 3 (hybrid monitor): ${r.theorems["3"] ? "holds" : "fails"}`,
    ...wrap(r.basis["3"], "  "),
    `Theorem 2 (recursive virtualization): ${
      r.theorems["2"] ? "holds" : "fails"
    }`,
    ...wrap(r.basis["2"], "  "),
  );
  return lines.join("\n");
}

/** Wraps text at 80 columns with an indent. */
function wrap(text: string, indent: string): string[] {
  const out: string[] = [];
  let line = indent;
  for (const word of text.split(" ")) {
    if (line.length + word.length + 1 > 80 && line.trim() !== "") {
      out.push(line.trimEnd());
      line = indent;
    }
    line += `${word} `;
  }
  if (line.trim() !== "") out.push(line.trimEnd());
  return out;
}
