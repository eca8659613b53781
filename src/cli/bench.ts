/**
 * `vmmlab bench`: guest instructions per second on the emulated VAX, for
 * a register loop and a memory-copy loop, each with memory management off
 * and on (code in S0 through an identity page table).
 *
 * @module
 */

import { assemble } from "../asm/assembler.ts";
import { Machine } from "../machine/machine.ts";
import { makePte } from "../arch/pte.ts";

/** One benchmark result. */
export interface BenchResult {
  /** Benchmark name. */
  name: string;
  /** Guest instructions executed in the measured runs. */
  instructions: number;
  /** Wall time of the measured runs, in seconds. */
  seconds: number;
  /** Guest instructions per second (best of the repetitions). */
  ips: number;
}

/** A benchmark: sets up a machine and returns a function running one round. */
export interface Benchmark {
  /** Name printed in the table. */
  name: string;
  /** Group (results in a group are compared with the first). */
  group: string;
  /** Prepares and returns a round runner that reports instructions executed. */
  setup(): () => number;
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

const REGISTER_LOOP = `
        ; R0 counts down; R1 counts up
loop:   ADDL2   #1,R1
        SOBGTR  R0,loop
        HALT
`;

const COPY_LOOP = `
        ; copy 4 KiB (1024 longwords) from SRC to DST, R4 times
outer:  MOVL    #1024,R0
        MOVL    R5,R2
        MOVL    R6,R3
loop:   MOVL    (R2)+,(R3)+
        SOBGTR  R0,loop
        SOBGTR  R4,outer
        HALT
`;

function registerBench(mapped: boolean): Benchmark {
  return {
    name: `register loop (ADDL2/SOBGTR)${mapped ? ", mapping on" : ""}`,
    group: "register",
    setup() {
      const m = loopMachine(REGISTER_LOOP, mapped);
      const start = (mapped ? SYS : 0) + 0x1000;
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

/** The processor benchmarks. */
export const CPU_BENCHMARKS: readonly Benchmark[] = [
  registerBench(false),
  registerBench(true),
  copyBench(false),
  copyBench(true),
];

/** Benchmark sets by name (`cpu`; the monitor adds its own). */
const SETS: Record<string, readonly Benchmark[]> = { cpu: CPU_BENCHMARKS };

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

/**
 * Runs one benchmark of a set in a fresh worker (its own isolate and JIT
 * state) and returns its result.
 */
export function runIsolated(set: string, index: number): Promise<BenchResult> {
  const w = new Worker(new URL("./bench_worker.ts", import.meta.url), {
    type: "module",
  });
  return new Promise<BenchResult>((resolve, reject) => {
    w.onmessage = (e: MessageEvent<BenchResult>) => {
      w.terminate();
      resolve(e.data);
    };
    w.onerror = (e) => {
      w.terminate();
      e.preventDefault();
      reject(new Error(`Benchmark ${set}#${index} failed: ${e.message}`));
    };
    w.postMessage({ group: set, index });
  });
}

/** Runs one benchmark: warm-up, then the best of `rounds` timed rounds. */
export function runBenchmark(b: Benchmark, rounds = 7): BenchResult {
  const round = b.setup();
  for (let i = 0; i < 3; i++) round(); // warm up the JIT
  let best = 0;
  let total = 0;
  let seconds = 0;
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    const n = round();
    const dt = (performance.now() - t0) / 1000;
    total += n;
    seconds += dt;
    best = Math.max(best, n / dt);
  }
  return { name: b.name, instructions: total, seconds, ips: best };
}

/** Formats results as a table (millions of instructions per second). */
export function formatBench(results: readonly BenchResult[]): string {
  const w = Math.max(...results.map((r) => r.name.length));
  const lines = [`${"benchmark".padEnd(w)}  guest MIPS`];
  for (const r of results) {
    lines.push(`${r.name.padEnd(w)}  ${(r.ips / 1e6).toFixed(1).padStart(10)}`);
  }
  return lines.join("\n");
}
