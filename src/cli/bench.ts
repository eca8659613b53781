/**
 * `vmmlab bench`: guest instructions per second on the emulated VAX, for
 * a register loop and a memory-copy loop, each with memory management off
 * and on (code in S0 through an identity page table), and what a VM costs:
 * the same guests bare and in a VM.
 *
 * How it measures: host CPU time of this process (`process.cpuUsage`, wall
 * time where that is missing), rounds of at least 100 ms that repeat a
 * workload, a warm-up until three rounds in a row agree, then the median
 * and the spread (min-max) of several rounds. Every ratio compares the same
 * work measured the same way: bare and monitored runs of a guest alternate
 * in one isolate, and each ratio is the median of the rounds' ratios.
 *
 * @module
 */

import process from "node:process";
import { assemble } from "../asm/assembler.ts";
import { Machine } from "../machine/machine.ts";
import { makePte } from "../arch/pte.ts";
import { Monitor } from "../monitor/monitor.ts";
import type { Hardware } from "../machine/hardware.ts";
import type { VirtualMachine } from "../monitor/vm.ts";

/** One benchmark result. */
export interface BenchResult {
  /** Benchmark name. */
  name: string;
  /** Guest instructions executed in the measured rounds. */
  instructions: number;
  /** Host time of the measured rounds, in seconds (CPU time, see `clock`). */
  seconds: number;
  /** Guest instructions per second: the median of the rounds. */
  ips: number;
  /** The slowest round's instructions per second. */
  ipsMin: number;
  /** The fastest round's instructions per second. */
  ipsMax: number;
  /** Measured rounds. */
  rounds: number;
  /** What was timed: host CPU time of the process, or wall time. */
  clock: "cpu" | "wall";
  /** Least host time of a round (ms). */
  roundMs: number;
  /** Monitor exits per second of host time (monitored benchmarks). */
  exitsPerSecond?: number;
  /**
   * Monitored benchmarks: host time in the VM over host time bare for the
   * same work, the median of the rounds (runs alternated in one isolate).
   */
  ratio?: number;
  /** The lowest of those ratios. */
  ratioMin?: number;
  /** The highest of those ratios. */
  ratioMax?: number;
  /** Bytes moved per second by string instructions (median of the rounds). */
  bytesPerSecond?: number;
}

/** A benchmark: sets up a machine and returns a function running one round. */
export interface Benchmark {
  /** Name printed in the table. */
  name: string;
  /** Group (results in a group are compared with the first). */
  group: string;
  /** Prepares and returns a workload runner that reports instructions executed. */
  setup(): () => number;
  /** Exits so far (monitored benchmarks). */
  exits?: () => number;
  /** Bytes a round moves with string instructions (string benchmarks). */
  bytes?: number;
}

/** The same guest bare and in a VM: measured together, for their ratio. */
export interface BenchmarkPair {
  /** Name of the guest. */
  name: string;
  /** On the bare machine. */
  bare: Benchmark;
  /** In a VM. */
  monitored: Benchmark;
}

/** How long and how often to measure. */
export interface BenchOptions {
  /** Measured rounds (default 7). */
  rounds?: number;
  /** Least host time of a round, in ms (default 100). */
  roundMs?: number;
  /** Most host time spent warming up, in ms (default 3000). */
  warmupMs?: number;
}

const SYS = 0x80000000;

/** Maps the first `pages` pages of S0 to physical pages 0.. (identity, KW). */
function identityS0(m: Machine, pages: number, sbr: number): void {
  for (let i = 0; i < pages; i++) {
    m.memory.writeL(sbr + 4 * i, makePte(i, 2) | 0);
  }
  m.set("SBR", sbr);
  m.set("SLR", pages);
  m.set("MAPEN", 1);
}

function loopMachine(source: string, mapped: boolean): Machine {
  const m = new Machine({ memory: "4 MiB", disk: 0 });
  const base = mapped ? SYS : 0;
  const asm = assemble(source, { origin: base + 0x1000 });
  m.load(asm.bytes, 0x1000);
  if (mapped) identityS0(m, 2048, 0x300000);
  return m;
}

/** The register loop: R0 counts down (SOBGTR), R1 counts up (ADDL2). */
export const REGISTER_LOOP = `
        ; R0 counts down; R1 counts up
loop:   ADDL2   #1,R1
        SOBGTR  R0,loop
        HALT
`;

/** The copy loop: R4 times, 1024 longwords from (R5) to (R6). */
export const COPY_LOOP = `
        ; copy 4 KiB (1024 longwords) from SRC to DST, R4 times
outer:  MOVL    #1024,R0
        MOVL    R5,R2
        MOVL    R6,R3
loop:   MOVL    (R2)+,(R3)+
        SOBGTR  R0,loop
        SOBGTR  R4,outer
        HALT
`;

/**
 * The register loop; `second`: on a machine made after another machine
 * of the same isolate ran the same loop (as a notebook or a sweep does),
 * so that a processor's compiled code that only the first machine gets
 * shows here.
 */
function registerBench(mapped: boolean, second = false): Benchmark {
  return {
    name: `register loop (ADDL2/SOBGTR)${mapped ? ", mapping on" : ""}${
      second ? ", second machine" : ""
    }`,
    group: "register",
    setup() {
      const start = (mapped ? SYS : 0) + 0x1000;
      if (second) {
        const first = loopMachine(REGISTER_LOOP, mapped);
        first.set("R0", 1_000_000);
        first.set("PC", start);
        first.run();
      }
      const m = loopMachine(REGISTER_LOOP, mapped);
      return () => {
        m.cpu.continueFromHalt();
        m.set("R0", 2_000_000);
        m.set("PC", start);
        return m.run().instructions;
      };
    },
  };
}

function copyBench(mapped: boolean): Benchmark {
  return {
    name: `copy loop (MOVL (R2)+,(R3)+ over 4 KiB)${
      mapped ? ", mapping on" : ""
    }`,
    group: "copy",
    setup() {
      const m = loopMachine(COPY_LOOP, mapped);
      const base = mapped ? SYS : 0;
      const start = base + 0x1000;
      return () => {
        m.cpu.continueFromHalt();
        m.set("R4", 500);
        m.set("R5", base + 0x10000);
        m.set("R6", base + 0x20000);
        m.set("PC", start);
        return m.run().instructions;
      };
    },
  };
}

/** The string loop: R8 times, one MOVC3 of R11 bytes from (R9) to (R10). */
export const STRING_LOOP = `
        ; R8 times: move R11 bytes from (R9) to (R10) with one MOVC3
        ; (which leaves its results in R0-R5)
loop:   MOVC3   R11,(R9),(R10)
        SOBGTR  R8,loop
        HALT
`;

const STRING_ROUNDS = 500;
const STRING_BYTES = 0x4000;

function stringBench(mapped: boolean): Benchmark {
  return {
    name: `string loop (MOVC3 of 16 KiB)${mapped ? ", mapping on" : ""}`,
    group: "string",
    bytes: STRING_ROUNDS * STRING_BYTES,
    setup() {
      const m = loopMachine(STRING_LOOP, mapped);
      const base = mapped ? SYS : 0;
      const start = base + 0x1000;
      return () => {
        m.cpu.continueFromHalt();
        m.set("R8", STRING_ROUNDS);
        m.set("R9", base + 0x10000);
        m.set("R10", base + 0x20000);
        m.set("R11", STRING_BYTES);
        m.set("PC", start);
        return m.run().instructions;
      };
    },
  };
}

/** The floating loop: R0 times, ADDF2 #1.5,R1 and MULF2 R3,R2. */
export const FLOAT_LOOP = `
        ; R0 counts down; R1 accumulates 1.5 (ADDF), R2 is scaled by R3 (MULF)
loop:   ADDF2   #1.5,R1
        MULF2   R3,R2
        SOBGTR  R0,loop
        HALT
`;

function floatBench(): Benchmark {
  return {
    name: "floating loop (ADDF2/MULF2/SOBGTR)",
    group: "float",
    setup() {
      const m = loopMachine(FLOAT_LOOP, false);
      return () => {
        m.cpu.continueFromHalt();
        m.set("R0", 1_000_000);
        m.set("R1", 0);
        m.set("R2", 0x4080); // F 1.0
        m.set("R3", 0x4080); // F 1.0: the product stays 1.0
        m.set("PC", 0x1000);
        return m.run().instructions;
      };
    },
  };
}

/** The processor benchmarks. */
export const CPU_BENCHMARKS: readonly Benchmark[] = [
  registerBench(false),
  registerBench(true),
  registerBench(false, true),
  copyBench(false),
  copyBench(true),
  stringBench(false),
  stringBench(true),
  floatBench(),
];

const SYSCALL_LOOP = `
        ; R5 times: CHMK #1 from user mode, whose handler returns with REI
        .org    ^X200
start:  MTPR    #^X1000,#17       ; SCBB
        MTPR    #^X8000,#0        ; KSP
        MOVL    #^X9000,SP        ; ISP
        MTPR    #^X7000,#3        ; USP
        PUSHL   #^X03C00000       ; user mode
        PUSHAB  user
        REI
user:   CHMK    #1
        SOBGTR  R5,user
        CHMK    #0                ; done
        .align  long
chmk:   MOVL    (SP)+,R0
        BEQL    done
        REI
done:   HALT
        .org    ^X1040
        .long   chmk
`;

/** A guest program and how to start one round of it. */
interface GuestLoop {
  source: string;
  origin: number;
  start(hw: Hardware): void;
}

const GUEST_LOOPS: Record<string, GuestLoop> = {
  "register loop": {
    source: REGISTER_LOOP,
    origin: 0x1000,
    start(hw) {
      hw.set("R0", 500_000);
      hw.set("PC", 0x1000);
    },
  },
  "copy loop": {
    source: COPY_LOOP,
    origin: 0x1000,
    start(hw) {
      hw.set("R4", 100);
      hw.set("R5", 0x10000);
      hw.set("R6", 0x20000);
      hw.set("PC", 0x1000);
    },
  },
  "system-call loop": {
    source: SYSCALL_LOOP,
    origin: 0,
    start(hw) {
      hw.set("PSL", 0x041f0000);
      hw.set("R5", 50_000);
      hw.set("PC", 0x200);
    },
  },
};

function guestBench(kind: string, levels: 0 | 1 | 2): Benchmark {
  const loop = GUEST_LOOPS[kind]!;
  let vm: VirtualMachine | undefined;
  return {
    name: `${kind} guest, ${
      levels === 0 ? "bare" : levels === 1 ? "in a VM" : "in a VM of a VM"
    }`,
    group: kind,
    setup() {
      const asm = assemble(loop.source, { origin: loop.origin });
      let hw: Hardware;
      if (levels > 0) {
        const cp = Monitor.on(
          new Machine({ memory: "8 MiB", disk: "256 KiB" }),
        );
        if (levels === 2) {
          // CP under CP: the guest's VM is a VM of a monitor in a VM.
          const inner = Monitor.on(
            cp.vm("CP2").memory("4 MiB").minidisk("64 KiB").create(),
          );
          vm = inner.vm("BENCH").memory("1 MiB").create();
        } else {
          vm = cp.vm("BENCH").memory("1 MiB").create();
        }
        hw = vm;
      } else {
        hw = new Machine({ memory: "1 MiB", disk: 0 });
      }
      hw.load(asm.bytes, asm.origin);
      return () => {
        loop.start(hw);
        return hw.run().instructions;
      };
    },
    exits: levels > 0 ? () => vm?.stats.totalExits ?? 0 : undefined,
  };
}

const SINGLE_PAIRS: readonly BenchmarkPair[] = Object.keys(GUEST_LOOPS).map((
  k,
) => ({
  name: `${k} guest`,
  bare: guestBench(k, 0),
  monitored: guestBench(k, 1),
}));

/**
 * CP under CP: each guest in a VM (one level of monitor) against the same
 * guest in a VM of a monitor that itself runs in a VM (two levels).
 */
export const NESTED_PAIRS: readonly BenchmarkPair[] = Object.keys(
  GUEST_LOOPS,
).map((k) => ({
  name: `${k} guest, two levels`,
  bare: guestBench(k, 1),
  monitored: guestBench(k, 2),
}));

/**
 * The monitor benchmarks in pairs: each guest bare and in a VM, then each
 * guest in a VM and in a VM of a VM (CP under CP).
 */
export const MONITOR_PAIRS: readonly BenchmarkPair[] = [
  ...SINGLE_PAIRS,
  ...NESTED_PAIRS,
];

/** The monitor benchmarks, one by one: bare, in a VM, in a VM of a VM. */
export const MONITOR_BENCHMARKS: readonly Benchmark[] = [
  ...SINGLE_PAIRS.flatMap((p) => [p.bare, p.monitored]),
  ...NESTED_PAIRS.map((p) => p.monitored),
];

/** Benchmark sets by name (`cpu`; the monitor adds its own). */
const SETS: Record<string, readonly Benchmark[]> = {
  cpu: CPU_BENCHMARKS,
  monitor: MONITOR_BENCHMARKS,
};

/** Registers a set of benchmarks under a name (used by higher layers). */
export function registerBenchmarks(
  name: string,
  list: readonly Benchmark[],
): void {
  SETS[name] = list;
}

/** The benchmarks of a set. */
export function benchmarksOf(name: string): readonly Benchmark[] {
  return SETS[name] ?? [];
}

/** What a bench worker is asked to measure. */
export type BenchRequest =
  | { set: string; index: number; options?: BenchOptions }
  | { pair: number; options?: BenchOptions };

/** Measures what a request names (in the worker). */
export function runRequest(req: BenchRequest): BenchResult[] {
  if ("pair" in req) {
    const p = MONITOR_PAIRS[req.pair];
    if (!p) throw new RangeError(`No benchmark pair #${req.pair}`);
    return runPair(p, req.options);
  }
  const b = benchmarksOf(req.set)[req.index];
  if (!b) throw new RangeError(`No benchmark ${req.set}#${req.index}`);
  return [runBenchmark(b, req.options)];
}

/**
 * Measures in a fresh worker (its own isolate and JIT state): benchmark
 * `index` of a set, or with set `"pair"` the bare/monitored pair `index`
 * of {@link MONITOR_PAIRS}.
 */
export function runIsolated(
  set: string,
  index: number,
  options: BenchOptions = {},
): Promise<BenchResult[]> {
  const w = new Worker(new URL("./bench_worker.ts", import.meta.url), {
    type: "module",
  });
  const req: BenchRequest = set === "pair"
    ? { pair: index, options }
    : { set, index, options };
  return new Promise<BenchResult[]>((resolve, reject) => {
    w.onmessage = (e: MessageEvent<BenchResult[] | { error: string }>) => {
      w.terminate();
      if ("error" in e.data) {
        reject(new Error(`Benchmark ${set}#${index} failed: ${e.data.error}`));
      } else resolve(e.data);
    };
    w.onerror = (e) => {
      w.terminate();
      e.preventDefault();
      reject(new Error(`Benchmark ${set}#${index} failed: ${e.message}`));
    };
    w.postMessage(req);
  });
}

/** Host time in ms: the process's CPU time, or wall time without it. */
function clock(): { now: () => number; kind: "cpu" | "wall" } {
  try {
    const u = process.cpuUsage();
    if (typeof u.user === "number") {
      return {
        now: () => {
          const c = process.cpuUsage();
          return (c.user + c.system) / 1000;
        },
        kind: "cpu",
      };
    }
  } catch {
    // no CPU time here: wall time
  }
  return { now: () => performance.now(), kind: "wall" };
}

/** One round: the workload repeated until `minMs` of host time. */
interface Round {
  /** Workload runs. */
  runs: number;
  /** Guest instructions. */
  instructions: number;
  /** Host ms. */
  ms: number;
  /** Monitor exits. */
  exits: number;
}

function timeRound(
  run: () => number,
  minMs: number,
  now: () => number,
  exits?: () => number,
): Round {
  const e0 = exits?.() ?? 0;
  const t0 = now();
  let n = 0;
  let runs = 0;
  let ms = 0;
  do {
    n += run();
    runs++;
    ms = now() - t0;
  } while (ms < minMs);
  return { runs, instructions: n, ms, exits: (exits?.() ?? 0) - e0 };
}

/** ms per workload run: the same work in every round of a benchmark. */
const perRun = (r: Round) => r.ms / r.runs;

/** Whether the last three values agree within 3%. */
function settled(values: number[]): boolean {
  if (values.length < 3) return false;
  const last = values.slice(-3);
  return Math.max(...last) <= 1.03 * Math.min(...last);
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function resultOf(
  b: Benchmark,
  rounds: Round[],
  kind: "cpu" | "wall",
  roundMs: number,
): BenchResult {
  const rates = rounds.map((r) => r.instructions / (r.ms / 1000));
  const instructions = rounds.reduce((s, r) => s + r.instructions, 0);
  const seconds = rounds.reduce((s, r) => s + r.ms, 0) / 1000;
  const result: BenchResult = {
    name: b.name,
    instructions,
    seconds,
    ips: median(rates),
    ipsMin: Math.min(...rates),
    ipsMax: Math.max(...rates),
    rounds: rounds.length,
    clock: kind,
    roundMs,
  };
  if (b.exits) {
    result.exitsPerSecond = median(rounds.map((r) => r.exits / (r.ms / 1000)));
  }
  if (b.bytes !== undefined) {
    const bytes = b.bytes;
    result.bytesPerSecond = median(
      rounds.map((r) => r.runs * bytes / (r.ms / 1000)),
    );
  }
  return result;
}

/**
 * Runs one benchmark: a warm-up until three rounds in a row agree within
 * 3% (or `warmupMs` passes), then `rounds` rounds of at least `roundMs` of
 * host time each; reports the median and the spread.
 */
export function runBenchmark(
  b: Benchmark,
  options: BenchOptions = {},
): BenchResult {
  const { rounds = 7, roundMs = 100, warmupMs = 3000 } = options;
  const { now, kind } = clock();
  const run = b.setup();
  const warm: number[] = [];
  const w0 = now();
  while (!settled(warm) && now() - w0 < warmupMs) {
    warm.push(perRun(timeRound(run, roundMs, now)));
  }
  const measured: Round[] = [];
  for (let i = 0; i < rounds; i++) {
    measured.push(timeRound(run, roundMs, now, b.exits));
  }
  return resultOf(b, measured, kind, roundMs);
}

/**
 * One round of a pair: bare and monitored workload runs interleaved one by
 * one (bare first, then monitored first, and so on), each run timed, until
 * both sides have `minMs` of host time. Both sides see the same machine
 * conditions, so their ratio is steady even when the host is busy.
 */
function timePairRound(
  bare: () => number,
  vm: () => number,
  minMs: number,
  now: () => number,
  exits?: () => number,
): [Round, Round, number] {
  const b: Round = { runs: 0, instructions: 0, ms: 0, exits: 0 };
  const v: Round = { runs: 0, instructions: 0, ms: 0, exits: 0 };
  const ratios: number[] = [];
  const e0 = exits?.() ?? 0;
  const one = (r: Round, run: () => number): number => {
    const t0 = now();
    r.instructions += run();
    const dt = now() - t0;
    r.ms += dt;
    r.runs++;
    return dt;
  };
  for (let k = 0; b.ms < minMs || v.ms < minMs; k++) {
    let tb: number;
    let tv: number;
    if (k % 2 === 0) {
      tb = one(b, bare);
      tv = one(v, vm);
    } else {
      tv = one(v, vm);
      tb = one(b, bare);
    }
    if (tb > 0) ratios.push(tv / tb);
  }
  v.exits = (exits?.() ?? 0) - e0;
  // The round's ratio: the median over neighbouring pairs of runs, so that
  // one run slowed by the host does not move it.
  return [b, v, ratios.length ? median(ratios) : perRun(v) / perRun(b)];
}

/**
 * Runs a guest bare and in a VM in this isolate: warmed up together until
 * both settle, then `rounds` rounds in which bare and monitored runs of the
 * workload alternate. The ratio of a round is the median, over neighbouring
 * bare and monitored runs, of monitored host time over bare host time: the
 * same guest work.
 */
export function runPair(
  p: BenchmarkPair,
  options: BenchOptions = {},
): BenchResult[] {
  const { rounds = 7, roundMs = 100, warmupMs = 3000 } = options;
  const { now, kind } = clock();
  const bare = p.bare.setup();
  const vm = p.monitored.setup();
  const wb: number[] = [];
  const wv: number[] = [];
  const w0 = now();
  while (!(settled(wb) && settled(wv)) && now() - w0 < warmupMs) {
    const [b, v] = timePairRound(bare, vm, roundMs, now);
    wb.push(perRun(b));
    wv.push(perRun(v));
  }
  const rb: Round[] = [];
  const rv: Round[] = [];
  const ratios: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const [b, v, ratio] = timePairRound(
      bare,
      vm,
      roundMs,
      now,
      p.monitored.exits,
    );
    rb.push(b);
    rv.push(v);
    ratios.push(ratio);
  }
  const monitored = resultOf(p.monitored, rv, kind, roundMs);
  monitored.ratio = median(ratios);
  monitored.ratioMin = Math.min(...ratios);
  monitored.ratioMax = Math.max(...ratios);
  return [resultOf(p.bare, rb, kind, roundMs), monitored];
}

/** Formats results as a table (millions of instructions per second). */
export function formatBench(results: readonly BenchResult[]): string {
  const w = Math.max(9, ...results.map((r) => r.name.length));
  const mips = (v: number) => (v / 1e6).toFixed(1);
  const strings = results.some((r) => r.bytesPerSecond !== undefined);
  const lines = [
    `${"benchmark".padEnd(w)}  guest MIPS  (min-max)      exits/s${
      strings ? "     MB/s" : ""
    }`,
  ];
  for (const r of results) {
    const exits = r.exitsPerSecond === undefined
      ? ""
      : Math.round(r.exitsPerSecond).toLocaleString("en");
    const bytes = r.bytesPerSecond === undefined
      ? ""
      : Math.round(r.bytesPerSecond / 1e6).toLocaleString("en");
    const spread = `(${mips(r.ipsMin)}-${mips(r.ipsMax)})`;
    const line = `${r.name.padEnd(w)}  ${mips(r.ips).padStart(10)}  ${
      spread.padEnd(13)
    }${exits.padStart(10)}${strings ? `  ${bytes.padStart(7)}` : ""}`;
    lines.push(line.trimEnd());
  }
  const ratios = results.filter((r) => r.ratio !== undefined);
  if (ratios.length) lines.push("");
  for (const r of ratios) {
    const nested = / of a VM$/.test(r.name);
    lines.push(
      `${r.name.replace(/, in a VM( of a VM)?$/, "")}: ${
        nested ? "two levels" : "in a VM"
      } = ${r.ratio!.toFixed(2)} × ${
        nested ? "one level's" : "bare"
      } host time (${r.ratioMin!.toFixed(2)}-${
        r.ratioMax!.toFixed(2)
      }; same work, runs alternated)`,
    );
  }
  const first = results[0];
  if (first) {
    lines.push(
      "",
      `Median of ${first.rounds} rounds of at least ${first.roundMs} ms of host ${
        first.clock === "cpu" ? "CPU" : "wall"
      } time each, after warm-up; (min-max) is the spread.`,
    );
  }
  return lines.join("\n");
}
