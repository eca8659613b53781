/**
 * The `vmmlab` command line: `run`, `asm`, `disasm`, `trace`, `bench`,
 * `demo`.
 *
 * @module
 */

import { parseArgs } from "node:util";
import {
  executeRun,
  formatReport,
  parseRunArgs,
  runUsage,
  vmTarget,
} from "./run.ts";
import { UsageError } from "./usage.ts";
import { assemble } from "../asm/assembler.ts";
import { disassemble } from "../asm/disassembler.ts";
import { listing } from "../asm/listing.ts";
import { parseNumber } from "../machine/units.ts";
import { demo } from "./demo.ts";
import {
  checkVirtualizability,
  formatEvidence,
  formatVirtualizability,
} from "../analysis/popek_goldberg.ts";
import { opcodeByMnemonic } from "../arch/opcodes.ts";
import { Machine } from "../machine/machine.ts";
import { Monitor } from "../monitor/monitor.ts";
import type { TraceKind } from "../machine/trace.ts";
import { view } from "../display/install.ts";
import {
  type BenchResult,
  CPU_BENCHMARKS,
  formatBench,
  MONITOR_BENCHMARKS,
  runIsolated,
} from "./bench.ts";

const HELP = `vmmlab: a VAX and a virtual machine monitor to explore

Usage: vmmlab <command> [options]

Commands:
  run      assemble or load a program, run it, print the final state
  asm      assemble a .s file to raw bytes (or a listing)
  disasm   disassemble raw bytes
  trace    run a program and print its event trace (bare or --vm)
  check    Popek and Goldberg's conditions, checked on the instruction set
  bench    measure guest instructions per second
  demo     the guided tour
Run "vmmlab <command> --help" for a command's options.`;

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
  const { values, positionals } = parseArgs({
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
  const origin = values.origin === undefined ? 0 : parseNumber(values.origin);
  if (origin === undefined) {
    throw new UsageError(
      `Cannot parse --origin "${values.origin}": expected a number`,
    );
  }
  const src = Deno.readTextFileSync(file);
  const asm = assemble(src, { origin, fileName: file });
  if (values.output) Deno.writeFileSync(values.output, asm.bytes);
  if (values.listing || !values.output) {
    for (const line of listing(asm)) out(line);
  }
  return 0;
}

function disasmCommand(args: string[]): number {
  const { values, positionals } = parseArgs({
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
  const origin = values.origin === undefined ? 0 : parseNumber(values.origin);
  if (origin === undefined) {
    throw new UsageError(
      `Cannot parse --origin "${values.origin}": expected a number`,
    );
  }
  const bytes = Deno.readFileSync(positionals[0]!);
  for (const ins of disassemble(bytes, origin)) {
    const raw = Array.from(ins.bytes, (b) => b.toString(16).padStart(2, "0"))
      .join(" ");
    out(
      `${ins.address.toString(16).toUpperCase().padStart(8, "0")}  ${
        raw.padEnd(24)
      } ${ins.text}`,
    );
  }
  return 0;
}

async function benchCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      json: { type: "boolean" },
      filter: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    out(`Usage: vmmlab bench [--json] [--filter TEXT]

Measures guest instructions per second (best of 7 rounds after warm-up,
each benchmark in its own worker): the processor's register and copy loops
and a MOVC3 string loop (also in MB/s moved) with memory management off and
on, and three guests (compute-bound register
and copy loops, a system-call loop) bare and in a VM, with the monitor's
exits per second and the monitored/bare wall-time ratio.`);
    return 0;
  }
  const results: BenchResult[] = [];
  for (
    const [set, list] of [["cpu", CPU_BENCHMARKS], [
      "monitor",
      MONITOR_BENCHMARKS,
    ]] as const
  ) {
    for (const [i, b] of list.entries()) {
      if (values.filter && !b.name.includes(values.filter)) continue;
      results.push(await runIsolated(set, i));
    }
  }
  out(values.json ? JSON.stringify(results, null, 2) : formatBench(results));
  return 0;
}

function demoCommand(args: string[]): number {
  const { values } = parseArgs({
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
  const { values, positionals } = parseArgs({
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
      `Usage: vmmlab trace [--vm] [--kinds K1,K2] [--limit N] [--origin ADDR] [--json] program.s

Runs a program (bare, or as the only guest of a monitor with --vm) with the
event log on, and prints the events: exceptions, interrupts, REI, CHMx,
context switches, I/O, console output, and with --vm the monitor's exits,
emulations, reflections, shadow fills and minidisk I/O.`,
    );
    return 0;
  }
  if (positionals.length !== 1) {
    throw new UsageError("Expected one .s file to trace");
  }
  const origin = values.origin === undefined ? 0 : parseNumber(values.origin);
  if (origin === undefined) {
    throw new UsageError(`Cannot parse --origin "${values.origin}"`);
  }
  const limit = values.limit === undefined
    ? 1_000_000
    : parseNumber(values.limit);
  if (limit === undefined) {
    throw new UsageError(`Cannot parse --limit "${values.limit}"`);
  }
  const asm = assemble(Deno.readTextFileSync(positionals[0]!), {
    origin,
    fileName: positionals[0]!,
  });
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
  hw.run({ limit });
  const kinds = values.kinds?.split(",").map((k) => k.trim()) as
    | TraceKind[]
    | undefined;
  const events = machine.trace.filter(kinds ? { kinds } : {});
  if (values.json) out(JSON.stringify(events));
  else out(view.trace(events, `trace of ${positionals[0]}`).toString());
  return 0;
}

function checkCommand(args: string[]): number {
  const { values } = parseArgs({
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

/** Runs the command line; returns the exit status. */
export async function main(args: string[]): Promise<number> {
  const [cmd, ...rest] = args;
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
      default:
        throw new UsageError(
          `Unknown command "${cmd}": expected run, asm, disasm, trace, check, bench or demo`,
        );
    }
  } catch (e) {
    if (e instanceof UsageError || (e instanceof TypeError && "code" in e)) {
      console.error(
        `vmmlab ${cmd ?? ""}: ${e.message}\nRun "vmmlab ${
          cmd ?? ""
        } --help" for usage.`,
      );
      return 2;
    }
    const ioError = Object.values(Deno.errors).some((c) => e instanceof c);
    if (e instanceof SyntaxError || e instanceof RangeError || ioError) {
      console.error(`vmmlab ${cmd}: ${(e as Error).message}`);
      return 1;
    }
    throw e;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
