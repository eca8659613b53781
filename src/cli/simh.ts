/**
 * `vmmlab bench --simh`: the processor's loops run on SimH's MicroVAX 3900
 * (`vax`, a native C interpreter) and on vmmlab with the same machine code
 * (bytes from vmmlab's assembler) and the same initial registers. Both must
 * end in the same registers (R0-R11, PC, PSL); then the host CPU time of
 * each gives guest MIPS and the ratio vmmlab/SimH.
 *
 * How SimH is driven: a script of console commands (`set cpu 16m`, `dep -b`
 * for every program byte, `dep -l` for the page table of the mapped loops,
 * `dep` of the registers, `go`, `ex` of the registers, `quit`), run as
 * `vax SCRIPT` with standard input from `/dev/null`. Its host CPU time is
 * the child's user + system time as bash's `times` reports it, so it covers
 * the whole SimH process (start-up and reading the script included: a few
 * ms). vmmlab's time is `process.cpuUsage()` around one
 * `run({ limit: Infinity })` of a new machine in a new worker (its own
 * isolate): the JIT's warm-up is included, as SimH has none. A second run of
 * the same machine from the same start in that worker (JIT and decoded
 * instructions warm) gives the warm figure too.
 *
 * @module
 */

import process from "node:process";
import { assemble } from "../asm/assembler.ts";
import { makePte } from "../arch/pte.ts";
import { Machine } from "../machine/machine.ts";
import { formatHex } from "../machine/units.ts";
import { COPY_LOOP, FLOAT_LOOP, REGISTER_LOOP, STRING_LOOP } from "./bench.ts";
import { CliError } from "./usage.ts";
import { REGISTER_NAMES } from "../arch/registers.ts";

/** The registers both runs must agree on. */
export const COMPARED_REGISTERS: readonly string[] = [
  ...REGISTER_NAMES.slice(0, 12),
  "PC",
  "PSL",
];

/** The PSL both runs start with: kernel mode, IPL 31 (no clock interrupts). */
export const START_PSL = 0x041f0000;

/** Physical address of the first program byte (also its address unmapped). */
export const LOAD_ADDRESS = 0x1000;

/** S0 base: the mapped programs run at `0x80001000`. */
const SYS = 0x80000000;

/** The identity page table of the mapped programs: physical address. */
export const SBR = 0x300000;

/** Pages of S0 the mapped programs' table maps (to physical pages 0..). */
export const S0_PAGES = 2048;

/** Memory of both machines (SimH's `set cpu 16m`). */
const MEMORY = "16 MiB";

/** A program both SimH and vmmlab run from the same start. */
export interface SimhProgram {
  /** Name printed in the table. */
  name: string;
  /** The machine code (vmmlab's assembler), loaded at physical 0x1000. */
  bytes: Uint8Array;
  /**
   * Memory management on: S0's first 2048 pages identity-mapped (SBR
   * 0x300000, kernel write), the program at 0x80001000.
   */
  mapped: boolean;
  /** Initial registers by name (R0-R13), the others 0. */
  registers: Readonly<Record<string, number>>;
}

/**
 * Assembles a program for both machines: at 0x1000, or at 0x80001000 with
 * memory management on.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { simhProgram } from "./simh.ts";
 * const p = simhProgram("count", "INCL R0\nHALT", { R0: 1 });
 * equal(p.bytes.length, 3);
 * ```
 */
export function simhProgram(
  name: string,
  source: string,
  registers: Readonly<Record<string, number>> = {},
  mapped = false,
): SimhProgram {
  const origin = (mapped ? SYS : 0) + LOAD_ADDRESS;
  return { name, bytes: assemble(source, { origin }).bytes, mapped, registers };
}

/** Where a program starts (its PC). */
export function startPc(p: SimhProgram): number {
  return (p.mapped ? SYS : 0) + LOAD_ADDRESS;
}

/** What the mapped programs' page table holds: PTE `i` maps S0 page `i`. */
function identityPte(i: number): number {
  return makePte(i, 2) >>> 0;
}

const hex = (v: number) => (v >>> 0).toString(16).toUpperCase();

/**
 * The SimH console script that loads a program, sets the registers (and
 * the page table), runs it to its HALT and prints the compared registers.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { simhProgram, simhScript } from "./simh.ts";
 * const s = simhScript(simhProgram("x", "HALT", { R0: 10 }));
 * ok(s.includes("dep -b 1000 0\n"));
 * ok(s.includes("dep R0 A\n"));
 * ok(s.includes("\ngo\n"));
 * ```
 */
export function simhScript(p: SimhProgram): string {
  const lines = ["set cpu 16m"];
  p.bytes.forEach((b, i) => {
    lines.push(`dep -b ${hex(LOAD_ADDRESS + i)} ${hex(b)}`);
  });
  if (p.mapped) {
    for (let i = 0; i < S0_PAGES; i++) {
      lines.push(`dep -l ${hex(SBR + 4 * i)} ${hex(identityPte(i))}`);
    }
    lines.push(`dep SBR ${hex(SBR)}`, `dep SLR ${hex(S0_PAGES)}`);
    lines.push("dep MAPEN 1");
  }
  lines.push(`dep PSL ${hex(START_PSL)}`);
  for (const [name, v] of Object.entries(p.registers)) {
    lines.push(`dep ${name.toUpperCase()} ${hex(v)}`);
  }
  lines.push(`dep PC ${hex(startPc(p))}`);
  lines.push("go", `ex ${COMPARED_REGISTERS.join(",")}`, "quit", "");
  return lines.join("\n");
}

/**
 * Reads the registers SimH's `ex` printed (`R0:\t00000000` lines).
 *
 * @example
 * ```ts
 * import { deepEqual } from "node:assert/strict";
 * import { parseSimhRegisters } from "./simh.ts";
 * deepEqual(parseSimhRegisters("R0:\t0000000A\nPSL:\t041F0004\n"), {
 *   R0: 10,
 *   PSL: 0x041f0004,
 * });
 * ```
 */
export function parseSimhRegisters(text: string): Record<string, number> {
  const regs: Record<string, number> = {};
  for (const m of text.matchAll(/^([A-Z][A-Z0-9]*):\s+([0-9A-F]+)\s*$/gm)) {
    regs[m[1]!] = parseInt(m[2]!, 16) >>> 0;
  }
  return regs;
}

/**
 * The children's CPU seconds (user + system) from bash's `times` output:
 * its second line.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { parseTimes } from "./simh.ts";
 * equal(parseTimes("0m0.002s 0m0.001s\n1m2.500s 0m0.250s\n"), 62.75);
 * ```
 * @throws {Error} when the text has no two `times` lines
 */
export function parseTimes(text: string): number {
  const lines = [
    ...text.matchAll(/^(\d+)m([\d.]+)s\s+(\d+)m([\d.]+)s\s*$/gm),
  ];
  const c = lines[1];
  if (!c) {
    throw new Error(
      `Cannot read the child's CPU time: expected two lines from bash's "times" ("0m1.234s 0m0.010s"), got ${
        JSON.stringify(text.slice(-200))
      }`,
    );
  }
  return 60 * Number(c[1]) + Number(c[2]) + 60 * Number(c[3]) + Number(c[4]);
}

function isFile(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

/**
 * Where SimH's VAX simulator is: `path` if given (it must be a file),
 * else `vax` on PATH; `undefined` when there is none.
 */
export function locateSimh(path?: string): string | undefined {
  if (path !== undefined) return isFile(path) ? path : undefined;
  let dirs: string[];
  try {
    dirs = (Deno.env.get("PATH") ?? "").split(":");
  } catch {
    return undefined;
  }
  for (const d of dirs) {
    if (d && isFile(`${d}/vax`)) return `${d}/vax`;
  }
  return undefined;
}

/**
 * SimH's VAX simulator, as {@link locateSimh} finds it.
 *
 * @throws {CliError} saying what was looked for and how to get it
 */
export function findSimh(path?: string): string {
  const found = locateSimh(path);
  if (found) return found;
  throw new CliError(
    path === undefined
      ? `Cannot compare with SimH: no "vax" program on PATH (expected SimH's MicroVAX 3900 simulator, e.g. Debian's "simh" package: apt-get install simh; or give its path with --simh-path)`
      : `Cannot compare with SimH: --simh-path "${path}" is not a file (expected SimH's VAX simulator, the "vax" program)`,
  );
}

/** The end of one run, on either machine. */
export interface LoopRun {
  /** The compared registers (R0-R11, PC, PSL), unsigned. */
  registers: Record<string, number>;
  /** Host CPU seconds of the run. */
  seconds: number;
}

/** A SimH run: its registers, CPU time and console output. */
export interface SimhRun extends LoopRun {
  /** What SimH printed (banner, stop message, registers). */
  output: string;
}

/** A vmmlab run: its registers, CPU time and instructions. */
export interface VmmlabRun extends LoopRun {
  /** Guest instructions executed (HALT included). */
  instructions: number;
  /** Why the run stopped (`halt` for the loops). */
  stop: string;
  /** The stop's reason (`HALT instruction`). */
  reason: string;
}

/** Options of a SimH run. */
export interface SimhRunOptions {
  /** The simulator (default: `vax` on PATH). */
  path?: string;
  /** Kill SimH after this many seconds of wall time (default 300). */
  timeoutSeconds?: number;
}

/**
 * Runs a program on SimH to its HALT and reads the registers and the host
 * CPU time of the SimH process.
 *
 * @throws {CliError} when SimH is missing, fails, does not stop at a HALT
 * instruction in time, or prints no registers
 */
export async function runSimh(
  p: SimhProgram,
  options: SimhRunOptions = {},
): Promise<SimhRun> {
  const vax = findSimh(options.path);
  const timeout = options.timeoutSeconds ?? 300;
  const dir = await Deno.makeTempDir({ prefix: "vmmlab-simh-" });
  try {
    const script = `${dir}/run.sim`;
    const outFile = `${dir}/out.txt`;
    await Deno.writeTextFile(script, simhScript(p));
    // `times` prints the shell's, then its children's CPU time: the
    // children's line is SimH (timeout waits for it, bash for timeout).
    let result: Deno.CommandOutput;
    try {
      result = await new Deno.Command("bash", {
        args: [
          "-c",
          'timeout -s KILL "$3" "$0" "$1" </dev/null >"$2" 2>&1; s=$?; times; exit $s',
          vax,
          script,
          outFile,
          String(timeout),
        ],
        stdout: "piped",
        stderr: "piped",
      }).output();
    } catch (e) {
      throw new CliError(
        `Cannot run SimH for "${p.name}": bash could not be started (${
          e instanceof Error ? e.message : String(e)
        }); expected bash and coreutils' timeout on PATH`,
      );
    }
    let output = "";
    try {
      output = await Deno.readTextFile(outFile);
    } catch {
      output = "";
    }
    const tail = () =>
      output.trim().split("\n").slice(-24).join("\n") ||
      new TextDecoder().decode(result.stderr).trim() || "(nothing)";
    if (result.code === 137) {
      throw new CliError(
        `SimH (${vax}) did not halt within ${timeout} s on "${p.name}"; expected the program's HALT instruction. Its last output:\n${tail()}`,
      );
    }
    if (result.code !== 0) {
      throw new CliError(
        `SimH (${vax}) failed on "${p.name}" with exit status ${result.code}; expected status 0 after "quit". Its last output:\n${tail()}`,
      );
    }
    const seconds = parseTimes(new TextDecoder().decode(result.stdout));
    const halt = /^HALT instruction, PC: /m.test(output);
    const registers = parseSimhRegisters(output);
    const missing = COMPARED_REGISTERS.filter((r) => !(r in registers));
    if (!halt || missing.length) {
      throw new CliError(
        `SimH (${vax}) did not end "${p.name}" as expected: ${
          halt
            ? `no value for ${missing.join(", ")}`
            : 'no "HALT instruction, PC: ..." stop'
        } (expected the program's HALT, then the registers from "ex"). Its output:\n${tail()}`,
      );
    }
    return { registers, seconds, output };
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/**
 * Sets up a new vmmlab machine for a program and returns a function that
 * runs it from its start (registers, PSL and PC set again each time),
 * timing `run({ limit: Infinity })` in host CPU time of this process.
 */
export function vmmlabRunner(p: SimhProgram): () => VmmlabRun {
  const m = new Machine({ memory: MEMORY, disk: 0 });
  m.load(p.bytes, LOAD_ADDRESS);
  if (p.mapped) {
    for (let i = 0; i < S0_PAGES; i++) {
      m.memory.writeL(SBR + 4 * i, identityPte(i) | 0);
    }
    m.set("SBR", SBR);
    m.set("SLR", S0_PAGES);
    m.set("MAPEN", 1);
  }
  return () => {
    m.set("PSL", START_PSL);
    for (const name of COMPARED_REGISTERS.slice(0, 12)) m.set(name, 0);
    for (const [name, v] of Object.entries(p.registers)) m.set(name, v);
    m.set("PC", startPc(p));
    const t0 = cpuSeconds();
    const r = m.run({ limit: Infinity });
    const seconds = cpuSeconds() - t0;
    const registers: Record<string, number> = {};
    for (const name of COMPARED_REGISTERS) registers[name] = m.get(name);
    return {
      registers,
      seconds,
      instructions: r.instructions,
      stop: r.stop,
      reason: r.reason,
    };
  };
}

/** Runs a program once on a new vmmlab machine (see {@link vmmlabRunner}). */
export function runVmmlab(p: SimhProgram): VmmlabRun {
  return vmmlabRunner(p)();
}

/** A register the two runs disagree on. */
export interface RegisterDifference {
  /** Register name. */
  register: string;
  /** SimH's value. */
  simh: number;
  /** vmmlab's value. */
  vmmlab: number;
}

/**
 * The compared registers whose values differ (empty when both agree).
 *
 * @example
 * ```ts
 * import { deepEqual } from "node:assert/strict";
 * import { differences } from "./simh.ts";
 * deepEqual(differences({ R0: 1, PC: 8 }, { R0: 2, PC: 8 }), [
 *   { register: "R0", simh: 1, vmmlab: 2 },
 * ]);
 * ```
 */
export function differences(
  simh: Readonly<Record<string, number>>,
  vmmlab: Readonly<Record<string, number>>,
): RegisterDifference[] {
  const out: RegisterDifference[] = [];
  for (const register of COMPARED_REGISTERS) {
    if (!(register in simh) && !(register in vmmlab)) continue;
    const s = simh[register];
    const v = vmmlab[register];
    if (s !== v) out.push({ register, simh: s ?? NaN, vmmlab: v ?? NaN });
  }
  return out;
}

/** Describes differences: `R0 SimH 0x00000001, vmmlab 0x00000002; ...`. */
export function formatDifferences(d: readonly RegisterDifference[]): string {
  return d.map((x) =>
    `${x.register} SimH ${
      Number.isNaN(x.simh) ? "(none)" : formatHex(x.simh, 8)
    }, vmmlab ${Number.isNaN(x.vmmlab) ? "(none)" : formatHex(x.vmmlab, 8)}`
  ).join("; ");
}

// --- the benchmark loops ------------------------------------------------------

/**
 * The processor's loops with counts that make each SimH run last 1 to 3 s
 * of host CPU time (SimH runs about 30 MIPS on a 2020s x86 core).
 */
export const SIMH_LOOPS: readonly SimhProgram[] = [
  simhProgram("register loop", REGISTER_LOOP, { R0: 25_000_000 }),
  simhProgram("register loop, mapping on", REGISTER_LOOP, {
    R0: 25_000_000,
  }, true),
  simhProgram("copy loop", COPY_LOOP, {
    R4: 20_000,
    R5: 0x10000,
    R6: 0x20000,
  }),
  simhProgram("copy loop, mapping on", COPY_LOOP, {
    R4: 20_000,
    R5: SYS + 0x10000,
    R6: SYS + 0x20000,
  }, true),
  simhProgram("floating loop", FLOAT_LOOP, {
    R0: 12_000_000,
    R1: 0,
    R2: 0x4080,
    R3: 0x4080,
  }),
  simhProgram("string loop", STRING_LOOP, {
    R8: 30_000,
    R9: 0x10000,
    R10: 0x20000,
    R11: 0x4000,
  }),
  simhProgram("string loop, mapping on", STRING_LOOP, {
    R8: 30_000,
    R9: SYS + 0x10000,
    R10: SYS + 0x20000,
    R11: 0x4000,
  }, true),
];

/** vmmlab's runs of a loop in one worker: the first, then a warm one. */
export interface VmmlabRuns {
  /** The first run in a new isolate (JIT warm-up included). */
  cold: VmmlabRun;
  /** A second run of the same machine from the same start (JIT warm). */
  warm: VmmlabRun;
}

/**
 * Runs loop `index` of {@link SIMH_LOOPS} twice in a new worker (its own
 * isolate and JIT state): the cold run, then a warm one.
 */
export function runVmmlabIsolated(index: number): Promise<VmmlabRuns> {
  const w = new Worker(new URL("./simh_worker.ts", import.meta.url), {
    type: "module",
  });
  return new Promise<VmmlabRuns>((resolve, reject) => {
    w.onmessage = (e: MessageEvent<VmmlabRuns | { error: string }>) => {
      w.terminate();
      if ("error" in e.data) {
        reject(new Error(`vmmlab's run of loop #${index}: ${e.data.error}`));
      } else resolve(e.data);
    };
    w.onerror = (e) => {
      w.terminate();
      e.preventDefault();
      reject(new Error(`vmmlab's run of loop #${index}: ${e.message}`));
    };
    w.postMessage(index);
  });
}

/** One loop on both machines (medians when it ran several times). */
export interface SimhComparison {
  /** Loop name. */
  name: string;
  /** Guest instructions (vmmlab's count; same code, same end state). */
  instructions: number;
  /** Times the loop ran on each machine (SimH and vmmlab alternated). */
  runs: number;
  /** SimH's host CPU seconds (the whole process; median of the runs). */
  simhSeconds: number;
  /** Guest MIPS on SimH (from the median seconds). */
  simhMips: number;
  /** vmmlab's host CPU seconds, first run in a new isolate (median). */
  vmmlabSeconds: number;
  /** Guest MIPS on vmmlab, first run (from the median seconds). */
  vmmlabMips: number;
  /** vmmlab MIPS over SimH MIPS, first run: the median over the runs. */
  ratio: number;
  /** The lowest of those ratios. */
  ratioMin: number;
  /** The highest of those ratios. */
  ratioMax: number;
  /** vmmlab's host CPU seconds of the warm run (median). */
  warmSeconds: number;
  /** vmmlab MIPS over SimH MIPS, warm run (median over the runs). */
  warmRatio: number;
  /** Registers that differ in any run (empty: both always ended alike). */
  differences: RegisterDifference[];
  /** The final registers on SimH (last run). */
  simhRegisters: Record<string, number>;
  /** The final registers on vmmlab (last run). */
  vmmlabRegisters: Record<string, number>;
}

/** Options of {@link compareLoop}. */
export interface SimhCompareOptions extends SimhRunOptions {
  /**
   * Times to run the loop on each machine (default 1), SimH and vmmlab
   * alternated (vmmlab first in odd rounds, SimH first in even ones).
   */
  runs?: number;
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * Runs loop `index` of {@link SIMH_LOOPS} on vmmlab (in a new worker each
 * time: cold and warm runs) and on SimH, `runs` times each, and compares
 * their registers after every run.
 *
 * @throws {CliError} when SimH is missing or fails, or vmmlab does not stop
 * at the loop's HALT
 * @throws {RangeError} for a loop index or run count out of range
 */
export async function compareLoop(
  index: number,
  options: SimhCompareOptions = {},
): Promise<SimhComparison> {
  const p = SIMH_LOOPS[index];
  if (!p) throw new RangeError(`No SimH loop #${index}`);
  const runs = options.runs ?? 1;
  if (!Number.isInteger(runs) || runs < 1 || runs > 100) {
    throw new RangeError(
      `Cannot compare with ${runs} runs: expected a whole number 1 to 100`,
    );
  }
  const vmmlab = async () => {
    const r = await runVmmlabIsolated(index);
    if (r.cold.stop !== "halt" || r.cold.reason !== "HALT instruction") {
      throw new CliError(
        `vmmlab did not end "${p.name}" at its HALT: stopped with ${r.cold.stop} (${r.cold.reason})`,
      );
    }
    return r;
  };
  const all: { v: VmmlabRuns; s: SimhRun }[] = [];
  for (let k = 0; k < runs; k++) {
    if (k % 2 === 0) {
      const v = await vmmlab();
      all.push({ v, s: await runSimh(p, options) });
    } else {
      const s = await runSimh(p, options);
      all.push({ v: await vmmlab(), s });
    }
  }
  const d: RegisterDifference[] = [];
  const seen = new Set<string>();
  const add = (x: RegisterDifference) => {
    const key = `${x.register} ${x.simh} ${x.vmmlab}`;
    if (!seen.has(key)) {
      seen.add(key);
      d.push(x);
    }
  };
  for (const { v, s } of all) {
    differences(s.registers, v.cold.registers).forEach(add);
    for (const x of differences(s.registers, v.warm.registers)) {
      add({ ...x, register: `${x.register} (warm run)` });
    }
    if (v.cold.instructions !== all[0]!.v.cold.instructions) {
      throw new CliError(
        `vmmlab ran "${p.name}" in ${
          all[0]!.v.cold.instructions
        } instructions, then in ${v.cold.instructions}: expected the same count every run`,
      );
    }
  }
  const n = all[0]!.v.cold.instructions;
  const ratios = all.map(({ v, s }) => s.seconds / v.cold.seconds);
  const simhSeconds = median(all.map((x) => x.s.seconds));
  const vmmlabSeconds = median(all.map((x) => x.v.cold.seconds));
  const last = all[all.length - 1]!;
  return {
    name: p.name,
    instructions: n,
    runs,
    simhSeconds,
    simhMips: n / simhSeconds / 1e6,
    vmmlabSeconds,
    vmmlabMips: n / vmmlabSeconds / 1e6,
    ratio: median(ratios),
    ratioMin: Math.min(...ratios),
    ratioMax: Math.max(...ratios),
    warmSeconds: median(all.map((x) => x.v.warm.seconds)),
    warmRatio: median(all.map(({ v, s }) => s.seconds / v.warm.seconds)),
    differences: d,
    simhRegisters: last.s.registers,
    vmmlabRegisters: last.v.cold.registers,
  };
}

/**
 * Formats comparisons as a table; loops whose registers differ are listed
 * after it as errors.
 */
export function formatSimhComparison(
  results: readonly SimhComparison[],
): string {
  const w = Math.max(4, ...results.map((r) => r.name.length));
  const spread = results.some((r) => r.runs > 1);
  const head = `${"loop".padEnd(w)}  ${"instructions".padStart(13)}  ${
    "SimH s".padStart(7)
  }  ${"MIPS".padStart(6)}  ${"vmmlab s".padStart(8)}  ${"MIPS".padStart(6)}  ${
    "ratio".padStart(6)
  }${spread ? "  (min-max)  " : "  "}${"warm".padStart(6)}  registers`;
  const lines = [head];
  const mips = (v: number) => v.toFixed(v < 1 ? 3 : 1).padStart(6);
  for (const r of results) {
    const range = `(${r.ratioMin.toFixed(2)}-${r.ratioMax.toFixed(2)})`;
    lines.push(
      `${r.name.padEnd(w)}  ${
        r.instructions.toLocaleString("en").padStart(13)
      }  ${r.simhSeconds.toFixed(2).padStart(7)}  ${mips(r.simhMips)}  ${
        r.vmmlabSeconds.toFixed(2).padStart(8)
      }  ${mips(r.vmmlabMips)}  ${r.ratio.toFixed(2).padStart(6)}${
        spread ? `  ${range.padEnd(11)}  ` : "  "
      }${r.warmRatio.toFixed(2).padStart(6)}  ${
        r.differences.length ? "DIFFER" : "same"
      }`,
    );
  }
  const runs = results[0]?.runs ?? 1;
  lines.push(
    "",
    "Host CPU seconds: SimH's whole process (bash's times), vmmlab's run() in a new worker",
    '(JIT warm-up included); ratio = vmmlab MIPS / SimH MIPS; "warm" = the same for',
    "a second run of that machine from the same start. Registers compared: R0-R11, PC, PSL.",
  );
  if (runs > 1) {
    lines.push(
      `Medians of ${runs} runs of each loop on each machine (alternated); (min-max) of the ratio.`,
    );
  }
  for (const r of results) {
    if (r.differences.length) {
      lines.push(
        `ERROR: ${r.name}: SimH and vmmlab end in different registers: ${
          formatDifferences(r.differences)
        }`,
      );
    }
  }
  return lines.join("\n");
}
