/**
 * The `vmmlab` command line: `run`, `asm`, `disasm`, `trace`, `bench`,
 * `demo`.
 *
 * @module
 */

import {
  executeRun,
  formatReport,
  parseRunArgs,
  runUsage,
  vmTarget,
} from "./run.ts";
import {
  CliError,
  numberArg,
  parseCommandArgs,
  readSourceFile,
  readUserFile,
  UsageError,
  writeUserFile,
} from "./usage.ts";
import { assemble } from "../asm/assembler.ts";
import { disassembleEach } from "../asm/disassembler.ts";
import { listing } from "../asm/listing.ts";
import { formatCount } from "../machine/units.ts";
import { demo } from "./demo.ts";
import { cpCommand } from "./cp_console.ts";
import { sweepCommand } from "./sweep.ts";
import {
  checkVirtualizability,
  formatEvidence,
  formatVirtualizability,
} from "../analysis/popek_goldberg.ts";
import { opcodeByMnemonic } from "../arch/opcodes.ts";
import { Machine } from "../machine/machine.ts";
import { Monitor } from "../monitor/monitor.ts";
import { TRACE_KINDS, type TraceKind } from "../machine/trace.ts";
import { view } from "../display/install.ts";
import {
  type BenchResult,
  CPU_BENCHMARKS,
  formatBench,
  MONITOR_PAIRS,
  runIsolated,
} from "./bench.ts";
import {
  compareLoop,
  findSimh,
  formatSimhComparison,
  SIMH_LOOPS,
  type SimhComparison,
} from "./simh.ts";

const HELP = `vmmlab: a VAX and a virtual machine monitor to explore

Usage: vmmlab <command> [options]

Commands:
  run      assemble or load a program, run it, print the final state
  asm      assemble a .s file to raw bytes (or a listing)
  disasm   disassemble raw bytes
  trace    run a program and print its event trace (bare or --vm)
  check    Popek and Goldberg's conditions, checked on the instruction set
  cp       CP's console (VM/370 style) on a monitor built from a directory
  bench    measure guest instructions per second
  demo     the guided tour
  sweep    run a paging sweep (parallel, or one shard of it) or merge shards
Run "vmmlab help <command>" (or "vmmlab <command> --help") for a command's
options. Paths are relative to the directory you are in.`;

/** Assembles a source file the user named; refuses a program with no bytes. */
function assembleFile(file: string, origin = 0) {
  const asm = assemble(readSourceFile(file), { origin, fileName: file });
  if (asm.bytes.length === 0) {
    throw new CliError(
      `Cannot assemble "${file}": no instructions (the program is empty or only comments)`,
    );
  }
  return asm;
}

/** A progress line on stderr, only on a terminal (and never for --json). */
function progressLine(
  json: boolean,
): ((line: string | null) => void) | undefined {
  let tty = false;
  try {
    tty = Deno.stderr.isTerminal();
  } catch {
    tty = false;
  }
  if (json || !tty) return undefined;
  const enc = new TextEncoder();
  return (line) => {
    Deno.stderr.writeSync(
      enc.encode(line === null ? "\r\x1b[2K" : `\r\x1b[2K${line}`),
    );
  };
}

function out(text: string): void {
  console.log(text);
}

function asmCommand(args: string[]): number {
  const { values, positionals } = parseCommandArgs({
    args,
    allowPositionals: true,
    options: {
      origin: { type: "string" },
      output: { type: "string", short: "o" },
      listing: { type: "boolean", short: "l" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    out(`Usage: vmmlab asm [--origin ADDR] [-o out.bin] [--listing] program.s

Assembles VAX MACRO-32. Writes raw bytes to -o, or prints a listing.`);
    return 0;
  }
  if (positionals.length !== 1) {
    throw new UsageError("Expected one .s file to assemble");
  }
  const file = positionals[0]!;
  const origin = values.origin === undefined
    ? 0
    : numberArg(values.origin, "--origin", { min: 0 });
  const asm = assembleFile(file, origin);
  if (values.output) writeUserFile(values.output, asm.bytes);
  if (values.listing || !values.output) {
    for (const line of listing(asm)) out(line);
  }
  return 0;
}

function disasmCommand(args: string[]): number {
  const { values, positionals } = parseCommandArgs({
    args,
    allowPositionals: true,
    options: {
      origin: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    out(`Usage: vmmlab disasm [--origin ADDR] file.bin

Disassembles raw VAX bytes loaded at --origin (default 0).`);
    return 0;
  }
  if (positionals.length !== 1) {
    throw new UsageError("Expected one file to disassemble");
  }
  const origin = values.origin === undefined
    ? 0
    : numberArg(values.origin, "--origin", { min: 0 });
  const bytes = readUserFile(positionals[0]!);
  writeListing(bytes, origin);
  return 0;
}

const HEX_DIGITS = "0123456789abcdef";
const HEX_UPPER = "0123456789ABCDEF";

/**
 * Writes the listing of `bytes` to stdout: address, up to 8 bytes in hex
 * (padded to 24 columns), statement. A listing of a large file is megabytes
 * of text: it is written as bytes into one buffer, flushed when nearly full.
 */
function writeListing(bytes: Uint8Array, origin: number): void {
  const buf = new Uint8Array(1 << 16);
  let n = 0;
  disassembleEach(bytes, origin, (ins) => {
    const text = ins.text;
    const raw = ins.bytes;
    // 8 + 2 + max(24, 3 * bytes) + 1 + text + 1; the text is ASCII but
    // allow 3 bytes per character for anything else.
    const need = 36 + 3 * raw.length + 3 * text.length;
    if (n + need > buf.length) {
      writeAll(buf.subarray(0, n));
      n = 0;
    }
    const big = need > buf.length ? new Uint8Array(need) : buf;
    let at = big === buf ? n : 0;
    const a = ins.address >>> 0;
    for (let shift = 28; shift >= 0; shift -= 4) {
      big[at++] = HEX_UPPER.charCodeAt((a >>> shift) & 15);
    }
    big[at++] = 32;
    big[at++] = 32;
    const rawStart = at;
    for (let i = 0; i < raw.length; i++) {
      if (i) big[at++] = 32;
      big[at++] = HEX_DIGITS.charCodeAt(raw[i]! >> 4);
      big[at++] = HEX_DIGITS.charCodeAt(raw[i]! & 15);
    }
    while (at - rawStart < 24) big[at++] = 32;
    big[at++] = 32;
    let ascii = true;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c > 127) {
        ascii = false;
        break;
      }
      big[at + i] = c;
    }
    at += ascii
      ? text.length
      : new TextEncoder().encodeInto(text, big.subarray(at)).written;
    big[at++] = 10;
    if (big === buf) n = at;
    else writeAll(big.subarray(0, at));
  });
  writeAll(buf.subarray(0, n));
}

function writeAll(bytes: Uint8Array): void {
  let done = 0;
  while (done < bytes.length) {
    done += Deno.stdout.writeSync(bytes.subarray(done));
  }
}

const BENCH_SETS = ["cpu", "monitor"] as const;

async function benchCommand(args: string[]): Promise<number> {
  const { values } = parseCommandArgs({
    args,
    options: {
      json: { type: "boolean" },
      filter: { type: "string" },
      only: { type: "string" },
      rounds: { type: "string" },
      simh: { type: "boolean" },
      "simh-path": { type: "string" },
      runs: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    out(`Usage: vmmlab bench [--json] [--only cpu|monitor] [--filter TEXT]
                    [--rounds N]
       vmmlab bench --simh [--simh-path PATH] [--runs N] [--filter TEXT]
                    [--json]

Measures guest instructions per second in host CPU time: the processor's
register and copy loops and a MOVC3 string loop (also in MB/s moved) with
memory management off and on (set "cpu"), and
three guests (compute-bound register and copy loops, a system-call loop)
bare and in a VM (set "monitor"), with the monitor's exits per second and
the monitored/bare host-time ratio for the same work.

Each benchmark (each bare/monitored pair) runs in its own worker: warm-up
until three rounds agree, then N rounds (default 7) of at least 100 ms;
the median is printed with the spread (min-max). Within a pair's round,
bare and monitored runs of the guest alternate in one isolate; the pair's
ratio is the median of the rounds' ratios.

  --only SET     only this set (cpu or monitor; a comma list)
  --filter TEXT  only benchmarks whose name contains TEXT
  --rounds N     measured rounds per benchmark (default 7)
  --json         the results as JSON (an array, one object per benchmark)

With --simh, each processor loop (register, copy, both with memory
management on, floating, string) runs once on SimH's MicroVAX 3900 ("vax"
on PATH, or --simh-path) and once on vmmlab, with the same machine code and
registers. Both must end in the same R0-R11, PC and PSL (a difference is
an error, exit status 1). Prints instructions, host CPU seconds and MIPS
of each and the ratio vmmlab/SimH (first run in a new worker, JIT warm-up
included; "warm": a second run of the same machine). --runs N runs each
loop N times on each machine, alternated, and prints medians and the
ratio's spread (default 1).`);
    return 0;
  }
  for (const o of ["simh-path", "runs"] as const) {
    if (values[o] !== undefined && !values.simh) {
      throw new UsageError(`--${o} needs --simh`);
    }
  }
  if (values.simh) {
    if (values.only !== undefined || values.rounds !== undefined) {
      throw new UsageError(
        "--simh runs each processor loop once: --only and --rounds do not apply",
      );
    }
    const runs = values.runs === undefined ? 1 : Number(values.runs);
    if (!Number.isInteger(runs) || runs < 1 || runs > 100) {
      throw new UsageError(
        `Cannot bench with --runs ${values.runs}: expected 1 to 100`,
      );
    }
    return await simhCommand(
      values["simh-path"],
      runs,
      values.filter,
      values.json ?? false,
    );
  }
  const only = values.only
    ? values.only.split(",").map((x) => x.trim())
    : [...BENCH_SETS];
  for (const s of only) {
    if (!(BENCH_SETS as readonly string[]).includes(s)) {
      throw new UsageError(
        `Cannot bench set "${s}": expected ${BENCH_SETS.join(" or ")}`,
      );
    }
  }
  const rounds = values.rounds === undefined ? 7 : Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1 || rounds > 100) {
    throw new UsageError(
      `Cannot bench with --rounds ${values.rounds}: expected 1 to 100`,
    );
  }
  const filter = values.filter;
  const progress = progressLine(values.json ?? false);
  const results: BenchResult[] = [];
  if (only.includes("cpu")) {
    for (const [i, b] of CPU_BENCHMARKS.entries()) {
      if (filter && !b.name.includes(filter)) continue;
      progress?.(`bench: ${b.name}`);
      results.push(...await runIsolated("cpu", i, { rounds }));
    }
  }
  if (only.includes("monitor")) {
    for (const [i, p] of MONITOR_PAIRS.entries()) {
      if (
        filter && !p.bare.name.includes(filter) &&
        !p.monitored.name.includes(filter)
      ) continue;
      progress?.(`bench: ${p.name}`);
      results.push(...await runIsolated("pair", i, { rounds }));
    }
  }
  progress?.(null);
  out(values.json ? JSON.stringify(results, null, 2) : formatBench(results));
  return 0;
}

async function simhCommand(
  path: string | undefined,
  runs: number,
  filter: string | undefined,
  json: boolean,
): Promise<number> {
  findSimh(path); // a clear error before any work
  const progress = progressLine(json);
  const results: SimhComparison[] = [];
  for (const [i, p] of SIMH_LOOPS.entries()) {
    if (filter && !p.name.includes(filter)) continue;
    progress?.(`bench --simh: ${p.name}`);
    results.push(await compareLoop(i, { path, runs }));
  }
  progress?.(null);
  out(json ? JSON.stringify(results, null, 2) : formatSimhComparison(results));
  const bad = results.filter((r) => r.differences.length);
  if (bad.length) {
    console.error(
      `vmmlab bench: SimH and vmmlab disagree on ${
        bad.map((r) => `"${r.name}"`).join(", ")
      }: the final registers differ (see above)`,
    );
    return 1;
  }
  return 0;
}

function demoCommand(args: string[]): number {
  const { values } = parseCommandArgs({
    args,
    options: { help: { type: "boolean", short: "h" } },
  });
  if (values.help) {
    out(`Usage: vmmlab demo

A guided tour: a bare VAX boots an OS, a monitor runs it in a VM beside a
CMS-style guest, a privileged instruction is injected, minidisks and the
cost of virtualization are shown.`);
    return 0;
  }
  demo(out);
  return 0;
}

function traceCommand(args: string[]): number {
  const { values, positionals } = parseCommandArgs({
    args,
    allowPositionals: true,
    options: {
      vm: { type: "boolean" },
      kinds: { type: "string" },
      limit: { type: "string" },
      origin: { type: "string" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    out(
      `Usage: vmmlab trace [--vm] [--kinds K1,K2] [--limit N] [--origin ADDR] [--json]
                    program.s

Runs a program (bare, or as the only guest of a monitor with --vm) with the
event log on, and prints the events: exceptions, interrupts, REI, CHMx,
context switches, I/O, console output, and with --vm the monitor's exits,
emulations, reflections, shadow fills and minidisk I/O. --limit is the
instruction limit (default 1000000); the output says why the run stopped.

Kinds (--kinds, comma-separated):
${wrap(TRACE_KINDS.join(", "), 78, "  ")}`,
    );
    return 0;
  }
  if (positionals.length !== 1) {
    throw new UsageError("Expected one .s file to trace");
  }
  const origin = values.origin === undefined
    ? 0
    : numberArg(values.origin, "--origin", { min: 0 });
  const limit = values.limit === undefined
    ? 1_000_000
    : numberArg(values.limit, "--limit", { min: 0 });
  let kinds: TraceKind[] | undefined;
  if (values.kinds !== undefined) {
    kinds = values.kinds.split(",").map((k) => k.trim()).filter(
      Boolean,
    ) as TraceKind[];
    const bad = kinds.filter((k) => !TRACE_KINDS.includes(k));
    if (bad.length > 0 || kinds.length === 0) {
      throw new UsageError(
        `unknown ${bad.length === 1 ? "kind" : "kinds"} ${
          bad.map((k) => `"${k}"`).join(", ") || "(none given)"
        } for --kinds: expected ${TRACE_KINDS.join(", ")}`,
      );
    }
  }
  const asm = assembleFile(positionals[0]!, origin);
  const machine = new Machine({
    memory: values.vm ? "8 MiB" : "1 MiB",
    disk: "1 MiB",
    trace: true,
  });
  const hw = values.vm
    ? Monitor.on(machine).vm("GUEST").memory("1 MiB").minidisk("512 KiB")
      .create()
    : machine;
  hw.load(asm.bytes, asm.origin);
  hw.set("PC", asm.entry);
  const r = hw.run({ limit });
  const events = machine.trace.filter(kinds ? { kinds } : {});
  if (values.json) {
    out(JSON.stringify(events));
    return 0;
  }
  const why = r.stop === "limit"
    ? `stopped at the instruction limit after ${
      formatCount(r.instructions, "instruction")
    } (--limit to run longer)`
    : `stop: ${r.stop === "halt" ? r.reason : r.stop} after ${
      formatCount(r.instructions, "instruction")
    }`;
  out(
    `${why}; ${formatCount(events.length, "event")}${
      kinds ? ` of kinds ${kinds.join(", ")}` : ""
    }`,
  );
  if (events.length > 0) {
    out(view.trace(events, `trace of ${positionals[0]}`).toString());
  }
  return 0;
}

/** Wraps words to a width, each line indented. */
function wrap(text: string, width: number, indent: string): string {
  const lines: string[] = [];
  let line = indent;
  for (const w of text.split(" ")) {
    if (line.length + w.length + 1 > width && line.trim()) {
      lines.push(line.trimEnd());
      line = indent;
    }
    line += w + " ";
  }
  lines.push(line.trimEnd());
  return lines.join("\n");
}

function checkCommand(args: string[]): number {
  const { values } = parseCommandArgs({
    args,
    options: {
      arch: { type: "string" },
      json: { type: "boolean" },
      evidence: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    out(`Usage: vmmlab check [--arch vax|vax-vm] [--json] [--evidence MNEMONIC]

Runs every instruction of the opcode table in each of the four modes, from
varied states (previous mode, IPL, interrupt stack, memory management, the
program at two physical addresses), with varied operand values and with
operands in pages of each protection; with --arch vax-vm also as a guest of
the monitor in each virtual mode. Classifies each instruction from what the
runs did (privileged, control-, mode-, location-, user-sensitive,
innocuous), checks references to the SCB, page tables and PCB from less
privileged modes, and gives Popek and Goldberg's Theorems 1, 2 and 3.

  --arch       vax (default: the standard VAX) or vax-vm (VM extensions)
  --json       one JSON object: arch, theorems, sensitiveUnprivileged, classes
  --evidence   the verdict of one instruction with the runs that show it`);
    return 0;
  }
  const arch = values.arch ?? "vax";
  if (arch !== "vax" && arch !== "vax-vm") {
    throw new UsageError(
      `Unknown --arch "${arch}": expected vax or vax-vm`,
    );
  }
  const mnemonic = values.evidence?.toUpperCase();
  if (mnemonic !== undefined && !opcodeByMnemonic(mnemonic)) {
    throw new UsageError(
      `Unknown instruction "${values.evidence}" for --evidence: expected a mnemonic of the opcode table`,
    );
  }
  const r = checkVirtualizability({ arch });
  if (mnemonic !== undefined) {
    const v = r.verdict(opcodeByMnemonic(mnemonic)!.mnemonic)!;
    out(values.json ? JSON.stringify(v, null, 2) : formatEvidence(v));
    return 0;
  }
  out(values.json ? JSON.stringify(r, null, 2) : formatVirtualizability(r));
  return 0;
}

const COMMANDS = [
  "run",
  "asm",
  "disasm",
  "trace",
  "check",
  "bench",
  "demo",
  "cp",
  "sweep",
];

/** Runs the command line; returns the exit status. */
export async function main(args: string[]): Promise<number> {
  const [cmd, ...rest] = args;
  // `vmmlab help CMD` is `vmmlab CMD --help`.
  if (cmd === "help" && rest.length > 0) {
    if (rest.length === 1 && COMMANDS.includes(rest[0]!)) {
      return await main([rest[0]!, "--help"]);
    }
    console.error(
      `vmmlab help: unknown command "${rest.join(" ")}": expected ${
        COMMANDS.join(", ")
      }`,
    );
    return 2;
  }
  try {
    switch (cmd) {
      case undefined:
      case "-h":
      case "--help":
      case "help":
        out(HELP);
        return cmd === undefined ? 2 : 0;
      case "run": {
        const spec = parseRunArgs(rest);
        if (spec === "help") {
          out(runUsage());
          return 0;
        }
        const json = rest.includes("--json");
        const rep = executeRun(
          spec,
          spec.vm ? vmTarget : undefined,
          progressLine(json),
        );
        out(rest.includes("--json") ? JSON.stringify(rep) : formatReport(rep));
        return 0;
      }
      case "asm":
        return asmCommand(rest);
      case "disasm":
        return disasmCommand(rest);
      case "bench":
        return await benchCommand(rest);
      case "demo":
        return demoCommand(rest);
      case "trace":
        return traceCommand(rest);
      case "check":
        return checkCommand(rest);
      case "cp":
        return await cpCommand(rest);
      case "sweep":
        return await sweepCommand(rest);
      default:
        console.error(
          `vmmlab: unknown command "${cmd}": expected ${
            COMMANDS.join(", ")
          }\nRun "vmmlab help" for what each does.`,
        );
        return 2;
    }
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(
        `vmmlab ${cmd}: ${e.message}\nRun "vmmlab help ${cmd}" for usage.`,
      );
      return 2;
    }
    const ioError = Object.values(Deno.errors).some((c) => e instanceof c);
    if (
      e instanceof CliError || e instanceof SyntaxError ||
      e instanceof RangeError || e instanceof TypeError || ioError
    ) {
      console.error(`vmmlab ${cmd}: ${(e as Error).message}`);
      return 1;
    }
    throw e;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
