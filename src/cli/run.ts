/**
 * `vmmlab run`: assemble or load a program, run it, print the final state,
 * so that scripts, tests and other VAX emulators can be compared with it.
 *
 * @module
 */

import { assemble } from "../asm/assembler.ts";
import { Machine } from "../machine/machine.ts";
import { MAX_MEMORY_SIZE } from "../machine/memory.ts";
import {
  formatBytes,
  formatCount,
  formatHex,
  formatNs,
  hex8,
  parseSize,
  sizeAsTyped,
} from "../machine/units.ts";
import { decodePsl, MODE_NAMES } from "../arch/psl.ts";
import { iprNumber } from "../arch/ipr.ts";
import { registerNumber } from "../machine/machine.ts";
import type { Hardware, RunResult } from "../machine/hardware.ts";
import {
  CliError,
  numberArg,
  parseCommandArgs,
  readSourceFile,
  readUserFile,
  UsageError,
} from "./usage.ts";
import { Monitor } from "../monitor/monitor.ts";

/** What to run: the parsed form of the `run` command line. */
export interface RunSpec {
  /** Assembly source text, if any. */
  source?: string;
  /** File name of the source, for error messages. */
  sourceName?: string;
  /** Raw images: bytes and physical address. */
  loads: { bytes: Uint8Array; address: number; name: string }[];
  /** Start PC (default: the assembly's entry, else 0). */
  start?: number;
  /** Initial PSL (default 0x041F0000, the power-up PSL). */
  psl?: number;
  /** Initial live stack pointer. */
  sp?: number;
  /** Registers and IPRs to set, in order. */
  set: [string, number][];
  /** Instruction limit (default 10,000,000). */
  limit: number;
  /** Physical ranges to dump. */
  dumps: [number, number][];
  /** Extra registers or IPRs to print. */
  show: string[];
  /** Memory size in bytes. */
  memory: number;
  /** `--memory` as the user wrote it (for error messages). */
  memoryText?: string;
  /** Run the program as the only guest of a monitor. */
  vm: boolean;
  /**
   * The disk (default none, so no disk controller and no disk IPRs, as a
   * KA655 without one): its size in bytes, and an image for block 0 on.
   */
  disk?: { size: number; image?: Uint8Array; text?: string };
}

/** The final state of a run, as `--json` prints it. */
export interface RunReport {
  /** `halt`, `limit`, `idle`, or the halt reason. */
  stop: string;
  /** Instructions executed. */
  instructions: number;
  /** Registers (8 upper-case hex digits). */
  regs: Record<string, string>;
  /** Memory dumps: start address in hex to lower-case hex bytes. */
  mem: Record<string, string>;
  /** Monitor statistics, for `--vm`. */
  monitor?: Record<string, unknown>;
}

const USAGE = `Usage: vmmlab run [options] [program.s]

Assemble and/or load a program, run it on a bare VAX, print the final state.

Options:
  --load FILE@ADDR     load raw bytes at a physical address (repeatable)
  --start ADDR         start PC (default: the program's entry, else 0)
  --psl VALUE          initial PSL (default 0x041F0000: kernel, IS, IPL 31)
  --sp VALUE           initial stack pointer (R14)
  --set NAME=VALUE     set a register or IPR before running (repeatable)
  --limit N            instruction limit (default 10000000)
  --dump ADDR:LENGTH   dump physical memory after the run (repeatable)
  --show NAME,...      also print these registers or IPRs
  --memory SIZE        memory size (default 16 MiB)
  --disk SIZE|FILE     attach a disk of SIZE, or one holding FILE (default:
                       no disk, so IPRs above 63 are reserved operands)
  --vm                 run as the only guest of a monitor (VM extensions)
  --json               print one JSON object
  -h, --help           show this help

Numbers may be written 0x1F, ^X1F or decimal.`;

/** The help text of `run`. */
export function runUsage(): string {
  return USAGE;
}

function num(text: string, what: string, min?: number): number {
  return numberArg(text, what, min === undefined ? {} : { min });
}

function checkName(name: string): string {
  const up = name.toUpperCase();
  if (
    up === "PSL" || registerNumber(up) !== undefined ||
    iprNumber(up) !== undefined
  ) {
    return up;
  }
  throw new UsageError(
    `Unknown register "${name}": expected R0-R15, AP, FP, SP, PC, PSL or an IPR name such as SCBB`,
  );
}

/** Parses `run`'s arguments (files are read here). */
export function parseRunArgs(args: string[]): RunSpec | "help" {
  const parsed = parseCommandArgs({
    args,
    allowPositionals: true,
    options: {
      load: { type: "string", multiple: true },
      start: { type: "string" },
      psl: { type: "string" },
      sp: { type: "string" },
      set: { type: "string", multiple: true },
      limit: { type: "string" },
      dump: { type: "string", multiple: true },
      show: { type: "string", multiple: true },
      memory: { type: "string" },
      disk: { type: "string" },
      vm: { type: "boolean" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  const v = parsed.values;
  if (v.help) return "help";
  if (parsed.positionals.length > 1) {
    throw new UsageError(
      `Cannot run ${parsed.positionals.length} programs: expected at most one .s file`,
    );
  }
  const spec: RunSpec = {
    loads: [],
    set: [],
    limit: 10_000_000,
    dumps: [],
    show: [],
    memory: 16 * 1024 * 1024,
    vm: v.vm ?? false,
  };
  const file = parsed.positionals[0];
  if (file !== undefined) {
    spec.source = readSourceFile(file);
    spec.sourceName = file;
  }
  for (const l of v.load ?? []) {
    const at = l.lastIndexOf("@");
    if (at <= 0) {
      throw new UsageError(`Cannot parse --load "${l}": expected FILE@ADDRESS`);
    }
    const name = l.slice(0, at);
    const address = num(l.slice(at + 1), "--load address", 0);
    const bytes = readUserFile(name, "--load file");
    spec.loads.push({ bytes, address, name });
  }
  if (v.start !== undefined) spec.start = num(v.start, "--start", 0);
  if (v.psl !== undefined) spec.psl = num(v.psl, "--psl", 0);
  if (v.sp !== undefined) spec.sp = num(v.sp, "--sp", 0);
  for (const s of v.set ?? []) {
    const eq = s.indexOf("=");
    if (eq <= 0) {
      throw new UsageError(`Cannot parse --set "${s}": expected NAME=VALUE`);
    }
    spec.set.push([
      checkName(s.slice(0, eq)),
      num(s.slice(eq + 1), `--set ${s.slice(0, eq)}`),
    ]);
  }
  if (v.limit !== undefined) spec.limit = num(v.limit, "--limit", 0);
  for (const d of v.dump ?? []) {
    const colon = d.indexOf(":");
    if (colon <= 0) {
      throw new UsageError(
        `Cannot parse --dump "${d}": expected ADDRESS:LENGTH`,
      );
    }
    const len = num(d.slice(colon + 1), "--dump length", 0);
    spec.dumps.push([num(d.slice(0, colon), "--dump address", 0), len]);
  }
  for (const s of v.show ?? []) {
    for (const name of s.split(",").map((x) => x.trim()).filter(Boolean)) {
      spec.show.push(checkName(name));
    }
  }
  if (v.memory !== undefined) {
    try {
      spec.memory = parseSize(v.memory, "--memory");
      spec.memoryText = v.memory;
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  }
  if (v.disk !== undefined) spec.disk = diskArg(v.disk, spec.vm);
  if (spec.source === undefined && spec.loads.length === 0) {
    throw new UsageError("Nothing to run: give a .s file or --load FILE@ADDR");
  }
  return spec;
}

/** `--disk SIZE|FILE`: a size ("1 MiB", 65536) or an image file. */
function diskArg(
  text: string,
  vm: boolean,
): { size: number; image?: Uint8Array; text?: string } {
  let size: number | undefined;
  try {
    size = parseSize(text, "--disk");
  } catch {
    // Not a size: a file.
  }
  if (size !== undefined) {
    if (size <= 0 || size % 512 !== 0) {
      throw new UsageError(
        `Cannot attach a disk of ${
          sizeAsTyped(text)
        }: expected a positive multiple of 512 bytes`,
      );
    }
    return { size, text };
  }
  if (vm) {
    throw new UsageError(
      `Cannot attach "${text}" under --vm: give the minidisk a size (--disk SIZE)`,
    );
  }
  const image = readUserFile(text, "--disk file");
  return { size: Math.max(512, Math.ceil(image.length / 512) * 512), image };
}

/** Builds the target (a bare machine, or a VM under a monitor). */
export type TargetFactory = (spec: RunSpec) => {
  hw: Hardware;
  finish?: () => Record<string, unknown>;
};

function bareTarget(spec: RunSpec): { hw: Hardware } {
  return {
    hw: new Machine({
      memory: spec.memoryText ?? spec.memory,
      disk: spec.disk?.size ?? 0,
      ...(spec.disk?.image ? { diskImage: spec.disk.image } : {}),
    }),
  };
}

/**
 * The `--vm` target: the program is the only guest of a monitor; the real
 * machine has the guest's memory plus room for the monitor's tables.
 */
export function vmTarget(
  spec: RunSpec,
): { hw: Hardware; finish: () => Record<string, unknown> } {
  // Real memory: the guest's, its two shadow system tables (a 64th of it
  // each, contiguous) and room for the monitor's other tables.
  const real = Math.ceil((spec.memory + spec.memory / 32) / 512) * 512 +
    4 * 1024 * 1024;
  if (real > MAX_MEMORY_SIZE) {
    const most = Math.floor((MAX_MEMORY_SIZE - 4 * 1024 * 1024) * 32 / 33);
    throw new CliError(
      `Cannot run a VM of ${
        spec.memoryText
          ? sizeAsTyped(spec.memoryText)
          : formatBytes(spec.memory)
      }: with the monitor's tables it needs ${
        formatBytes(real)
      } of real memory, more than the machine's ${
        formatBytes(MAX_MEMORY_SIZE)
      } (a VM can have up to ${Math.floor(most / 1024 / 1024)} MiB)`,
    );
  }
  const machine = new Machine({ memory: real, disk: "1 MiB" });
  const cp = Monitor.on(machine);
  const vm = cp.vm("GUEST").memory(spec.memoryText ?? spec.memory).minidisk(
    spec.disk?.text ?? spec.disk?.size ?? "512 KiB",
  ).create();
  return {
    hw: vm,
    finish: () => ({
      instructions: vm.stats.instructions,
      exits: vm.stats.totalExits,
      exitsByKind: vm.stats.exits, // a new object (a snapshot)
      emulated: vm.stats.emulated,
      reflected: vm.stats.reflected,
      shadowFills: vm.stats.shadowFills,
      guestNs: vm.stats.guestNs,
      monitorNs: vm.stats.monitorNs,
    }),
  };
}

/**
 * Runs a spec and returns the report. Errors in the program (assembly
 * errors, loads outside memory) throw with a clear message.
 */
export function executeRun(
  spec: RunSpec,
  target: TargetFactory = bareTarget,
  progress?: (line: string | null) => void,
): RunReport {
  const { hw, finish } = target(spec);
  let entry = 0;
  if (spec.source !== undefined) {
    const name = spec.sourceName ?? "program.s";
    const asm = assemble(spec.source, { fileName: name });
    if (asm.bytes.length === 0 && spec.loads.length === 0) {
      throw new CliError(
        `Cannot run "${name}": no instructions (the program is empty or only comments)`,
      );
    }
    hw.load(asm.bytes, asm.origin);
    entry = asm.entry;
  }
  for (const l of spec.loads) {
    if (l.address + l.bytes.length > hw.memorySize) {
      throw new RangeError(
        `Cannot load "${l.name}" (${l.bytes.length} bytes) at 0x${
          hex8(l.address)
        }: memory ends at 0x${hex8(hw.memorySize)}`,
      );
    }
    hw.load(l.bytes, l.address);
  }
  for (const [name, value] of spec.set) hw.set(name, value);
  if (spec.psl !== undefined) hw.set("PSL", spec.psl);
  if (spec.sp !== undefined) hw.set("SP", spec.sp);
  hw.set("PC", spec.start ?? entry);
  const r: RunResult = runWithProgress(hw, spec.limit, progress);
  const regs: Record<string, string> = {};
  for (let i = 0; i <= 14; i++) regs[`R${i}`] = hex8(hw.get(`R${i}`));
  regs.PC = hex8(hw.get("PC"));
  regs.PSL = hex8(hw.get("PSL"));
  for (const name of spec.show) regs[name] = hex8(hw.get(name));
  const mem: Record<string, string> = {};
  for (const [addr, len] of spec.dumps) {
    const bytes = hw.readPhysical(addr, len);
    mem[`0x${addr.toString(16).toUpperCase()}`] = Array.from(
      bytes,
      (b) => b.toString(16).padStart(2, "0"),
    ).join("");
  }
  const stop = r.stop === "halt" && r.reason === "HALT instruction"
    ? "halt"
    : r.stop === "halt"
    ? r.reason
    : r.stop;
  const report: RunReport = { stop, instructions: r.instructions, regs, mem };
  if (finish) report.monitor = finish();
  return report;
}

/**
 * Runs with an instruction limit in slices, calling `progress` with a
 * one-line status once the run has lasted a second (and with null at the
 * end, to clear it).
 */
export function runWithProgress(
  hw: Hardware,
  limit: number,
  progress?: (line: string | null) => void,
  afterMs = 1000,
): RunResult {
  if (!progress) return hw.run({ limit });
  const slice = 2_000_000;
  const t0 = performance.now();
  const first = hw.now;
  let done = 0;
  let shown = false;
  let r: RunResult;
  for (;;) {
    r = hw.run({ limit: Math.min(slice, limit - done) });
    done += r.instructions;
    if (r.stop !== "limit" || done >= limit) break;
    const wall = performance.now() - t0;
    if (wall >= afterMs) {
      shown = true;
      const pct = Number.isFinite(limit)
        ? ` ${(100 * done / limit).toFixed(0)}%`
        : "";
      progress(
        `running:${pct} ${formatCount(done, "instruction")}, ${
          formatNs(hw.now - first)
        } simulated, ${(wall / 1000).toFixed(1)} s`,
      );
    }
  }
  if (shown) progress(null);
  return { ...r, instructions: done, ns: hw.now - first };
}

/** Formats a report for people: registers, PSL field by field, dumps. */
export function formatReport(rep: RunReport): string {
  const lines: string[] = [];
  lines.push(
    `stop: ${rep.stop} after ${formatCount(rep.instructions, "instruction")}`,
  );
  const names = Object.keys(rep.regs);
  for (let i = 0; i < names.length; i += 4) {
    lines.push(
      names.slice(i, i + 4).map((n) => `${n.padStart(5)}=0x${rep.regs[n]}`)
        .join("  "),
    );
  }
  const psl = parseInt(rep.regs.PSL ?? "0", 16);
  const f = decodePsl(psl);
  lines.push(
    `PSL 0x${rep.regs.PSL}: CUR=${MODE_NAMES[f.cur]} PRV=${
      MODE_NAMES[f.prv]
    } IPL=${formatHex(f.ipl)} IS=${+f.is} VM=${+f.vm} CM=${+f.cm}`,
    `    TP=${+f.tp} FPD=${+f.fpd} DV=${+f.dv} FU=${+f.fu} IV=${+f.iv} T=${+f
      .t} N=${+f.n} Z=${+f.z} V=${+f.v} C=${+f.c}`,
  );
  for (const [addr, bytes] of Object.entries(rep.mem)) {
    const base = parseInt(addr, 16);
    for (let off = 0; off < bytes.length / 2; off += 16) {
      const chunk = bytes.slice(off * 2, off * 2 + 32).match(/../g) ?? [];
      lines.push(`0x${hex8(base + off)}: ${chunk.join(" ")}`);
    }
    if (bytes.length === 0) lines.push(`0x${hex8(base)}: (empty)`);
  }
  if (rep.monitor) {
    lines.push("monitor:");
    for (const [k, v] of Object.entries(rep.monitor)) {
      lines.push(
        `  ${k}: ${typeof v === "object" ? JSON.stringify(v) : String(v)}`,
      );
    }
  }
  return lines.join("\n");
}
