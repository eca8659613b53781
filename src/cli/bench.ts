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
import { Monitor } from "../monitor/monitor.ts";
import type { Hardware } from "../machine/hardware.ts";
import type { VirtualMachine } from "../monitor/vm.ts";

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
  /** Monitor exits per second of wall time (monitored benchmarks). */
  exitsPerSecond?: number;
  /** Bytes moved per second by string instructions (best round). */
  bytesPerSecond?: number;
}

/** A benchmark: sets up a machine and returns a function running one round. */
export interface Benchmark {
  /** Name printed in the table. */
  name: string;
  /** Group (results in a group are compared with the first). */
  group: string;
  /** Prepares and returns a round runner that reports instructions executed. */
  setup(): () => number;
  /** Exits so far (monitored benchmarks). */
  exits?: () => number;
  /** Bytes a round moves with string instructions (string benchmarks). */
  bytes?: number;
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

const STRING_LOOP = `
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

const FLOAT_LOOP = `
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
      hw.set("R0", 2_000_000);
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

/**
 * The monitor benchmarks: the same guests bare, in a VM, and in a VM of a
 * monitor that itself runs in a VM (CP under CP).
 */
export const MONITOR_BENCHMARKS: readonly Benchmark[] = Object.keys(GUEST_LOOPS)
  .flatMap((k) => [
    guestBench(k, 0),
    guestBench(k, 1),
    guestBench(k, 2),
  ]);

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

/**
 * Runs one benchmark: warm-up (at least 3 rounds and 2 s, so that the JIT
 * reaches its steady state), then the best of `rounds` timed rounds.
 */
export function runBenchmark(b: Benchmark, rounds = 7): BenchResult {
  const round = b.setup();
  // Warm up the JIT to its steady state: at least 3 rounds and 2 seconds.
  const warm = performance.now();
  for (let i = 0; i < 3 || performance.now() - warm < 2000; i++) round();
  let best = 0;
  let bestBytes = 0;
  let total = 0;
  let seconds = 0;
  const exits0 = b.exits?.() ?? 0;
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    const n = round();
    const dt = (performance.now() - t0) / 1000;
    total += n;
    seconds += dt;
    best = Math.max(best, n / dt);
    if (b.bytes !== undefined) bestBytes = Math.max(bestBytes, b.bytes / dt);
  }
  const result: BenchResult = {
    name: b.name,
    instructions: total,
    seconds,
    ips: best,
  };
  if (b.exits) result.exitsPerSecond = (b.exits() - exits0) / seconds;
  if (b.bytes !== undefined) result.bytesPerSecond = bestBytes;
  return result;
}

/**
 * Formats results as a table: millions of instructions per second, monitor
 * exits per second, and for string benchmarks millions of bytes moved per
 * second.
 */
export function formatBench(results: readonly BenchResult[]): string {
  const w = Math.max(...results.map((r) => r.name.length));
  const strings = results.some((r) => r.bytesPerSecond !== undefined);
  const lines = [
    `${"benchmark".padEnd(w)}  guest MIPS   exits/s${
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
    const line = `${r.name.padEnd(w)}  ${
      (r.ips / 1e6).toFixed(1).padStart(10)
    }  ${exits.padStart(8)}${strings ? `  ${bytes.padStart(7)}` : ""}`;
    lines.push(line.trimEnd());
  }
  // Bare versus monitored pairs: the wall-time ratio (same instruction count).
  for (let i = 0; i + 1 < results.length; i++) {
    const a = results[i]!;
    const b = results[i + 1]!;
    if (a.name.endsWith(", bare") && b.name.endsWith(", in a VM")) {
      lines.push(
        `${a.name.slice(0, -6)}: monitored wall time = ${
          (a.ips / b.ips).toFixed(2)
        } × bare`,
      );
    }
  }
  return lines.join("\n");
}
