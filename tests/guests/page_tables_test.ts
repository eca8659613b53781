// Pageable process page tables in o: the double miss (translation not
// valid on the process-PTE reference, vax-architecture.md 10.5) brings a
// page-table page in before the page itself; table pages are evicted under
// pressure and every checksummed page still survives; bare hardware, a
// monitor and a paging monitor end in the same state.
import assert from "node:assert/strict";
import { Machine } from "../../src/machine/machine.ts";
import { Monitor, type MonitorOptions } from "../../src/monitor/monitor.ts";
import { runConfig } from "../../src/analysis/sweep.ts";
import {
  bootMultiprogramming,
  multiprogramming,
  type MultiprogrammingBootOptions,
  pagingCounts,
  type ProcessPagingCounts,
  workloadLine,
  type WorkloadSpec,
} from "../../src/guests/mod.ts";

const TNV = 0x24;
const MM_PTE_REF = 2;

/** Runs o bare; counts the double misses the processor delivers. */
function bare(options: MultiprogrammingBootOptions, limit = 60_000_000) {
  const m = new Machine({ memory: "128 KiB", disk: "512 KiB" });
  bootMultiprogramming(m, options);
  let doubleMisses = 0;
  let kernelDoubleMisses = 0;
  let trace = 0x811c9dc5;
  const mix = (v: number) => {
    trace = Math.imul(trace ^ (v >>> 0), 0x01000193) >>> 0;
  };
  m.cpu.observer = {
    exception(vector, _kind, pc, old, _new, params) {
      if (vector === TNV && ((params[0] ?? 0) & MM_PTE_REF) !== 0) {
        doubleMisses++;
        if (((old >>> 24) & 3) === 0) kernelDoubleMisses++;
      }
      mix(vector);
      mix(pc);
      for (const p of params) mix(p);
    },
  };
  const result = m.run({ limit });
  return {
    m,
    result,
    out: m.console.output,
    doubleMisses,
    kernelDoubleMisses,
    trace,
  };
}

const lines = (s: string, prefix: string) =>
  s.split("\r\n").filter((l) => l.startsWith(prefix));

const pt = (c: ProcessPagingCounts) => [c.ptFaults, c.ptReads, c.ptWrites];

// Sequential processes: synchronous disk (a page-in never sleeps) and a
// 10 s time slice, so p1 runs to its exit, then p2, then p3, each alone
// with every frame. p1 has 240 data pages: P0 pages 0-255, both table
// pages (table page 1 maps P0 pages 128-255 = data pages 112-239). p3's
// 113 data pages reach P0 page 128 with its last one.
const CONSTRUCTED: WorkloadSpec[] = [
  { pages: 240, touches: 240, pattern: "sequential" },
  { pages: 1, touches: 1 },
  { pages: 113, touches: 113, pattern: "sequential" },
];
const SEQUENTIAL = { diskMode: "sync", quantumTicks: 1000 } as const;

Deno.test("o page tables: with ample frames each table page costs exactly one double miss, on its first touch", () => {
  const r = bare({
    ...SEQUENTIAL,
    paging: { frames: 128, processes: CONSTRUCTED },
  });
  assert.equal(r.result.stop, "halt");
  CONSTRUCTED.forEach((w, i) =>
    assert.deepEqual(lines(r.out, `P${i + 1}: `), [workloadLine(w, i + 1)])
  );
  // p1: table pages 0 and 1; p2: table page 0; p3: both (data page 112).
  assert.deepEqual(pagingCounts(r.out).map(pt), [[2, 0, 0], [1, 0, 0], [
    2,
    0,
    0,
  ]]);
  assert.equal(r.doubleMisses, 5);
});

Deno.test("o page tables: under pressure a table page is evicted and read back, an exact number of times", () => {
  const r = bare({
    ...SEQUENTIAL,
    paging: { frames: 16, processes: CONSTRUCTED },
  });
  assert.equal(r.result.stop, "halt");
  CONSTRUCTED.forEach((w, i) =>
    assert.deepEqual(lines(r.out, `P${i + 1}: `), [workloadLine(w, i + 1)])
  );
  // p1 sweeps its pages once, then the final check sweeps them again. Table
  // page 0 maps the text, variables, version table and stack: always some
  // page of it in a frame, never evicted. Table page 1 is built at data
  // page 112 of the sweep; during the final check's pages 0-111 its pages
  // all leave the 16 frames, the clock gives it its second chance and
  // evicts it (written: modified); data page 112 of the final check is a
  // double miss that reads it back. p3 (113 pages) the same; p2 touches
  // table page 0 only.
  assert.deepEqual(pagingCounts(r.out).map(pt), [[3, 1, 1], [1, 0, 0], [
    3,
    1,
    1,
  ]]);
  // Every hardware double miss was a table page brought in (no reclaims).
  assert.equal(r.doubleMisses, 7);
});

const HEAVY: WorkloadSpec[] = [
  { pages: 200, touches: 300, pattern: "random" },
  { pages: 150, touches: 300, pattern: "sequential", writeEvery: 3 },
  {
    pages: 230,
    touches: 300,
    pattern: "shifting",
    window: 20,
    shiftEvery: 30,
  },
];
/** Table pages a process touches: its final check touches every page. */
const tablePages = (w: WorkloadSpec) => Math.ceil((16 + w.pages) / 128);

for (const frames of [12, 24]) {
  for (const diskMode of ["async", "sync"] as const) {
    Deno.test(`o page tables (${frames} frames, ${diskMode}): table pages evicted and read back, every page survives`, () => {
      const r = bare({ diskMode, paging: { frames, processes: HEAVY } });
      assert.equal(r.result.stop, "halt");
      HEAVY.forEach((w, i) =>
        assert.deepEqual(lines(r.out, `P${i + 1}: `), [workloadLine(w, i + 1)])
      );
      const counts = pagingCounts(r.out);
      assert.deepEqual(counts.map((c) => c.pid), [1, 2, 3]);
      let ptReads = 0;
      for (const c of counts) {
        const w = HEAVY[c.pid - 1]!;
        // Each table page is built once; every other table fault reads
        // back a copy written before.
        assert.equal(c.ptFaults, c.ptReads + tablePages(w), `p${c.pid}`);
        assert.ok(c.ptWrites >= c.ptReads, `p${c.pid} writes >= reads`);
        ptReads += c.ptReads;
      }
      assert.ok(ptReads > 0, "table pages were evicted and read back");
      assert.ok(r.doubleMisses > 0);
    });
  }
}

Deno.test("o page tables: same configuration, same output, time and exception trace", () => {
  const opts = { paging: { frames: 12, processes: HEAVY } };
  const a = bare(opts);
  const b = bare(opts);
  assert.equal(a.out, b.out);
  assert.equal(a.result.ns, b.result.ns);
  assert.equal(a.result.instructions, b.result.instructions);
  assert.equal(a.doubleMisses, b.doubleMisses);
  assert.equal(a.trace, b.trace);
});

function underMonitor(
  options: MultiprogrammingBootOptions,
  paging: MonitorOptions["paging"],
) {
  const host = new Machine({ memory: "2 MiB", disk: "4 MiB" });
  const cp = Monitor.on(host, { paging });
  const vm = cp.vm("o").memory("128 KiB").minidisk("512 KiB").boot(
    multiprogramming,
    options,
  );
  cp.run({ limit: 200_000_000 });
  return vm;
}

Deno.test("o page tables: bare, under a monitor and under a paging monitor: the same output, counts and swap area", () => {
  const opts: MultiprogrammingBootOptions = {
    ...SEQUENTIAL,
    paging: { frames: 16, processes: CONSTRUCTED },
  };
  const ref = bare(opts);
  assert.equal(ref.result.stop, "halt");
  const swap = ref.m.disk.readBlocks(0, 1024);
  const plain = underMonitor(opts, false);
  // The monitor keeps only 32 of the VM's 256 pages in real frames.
  const paged = underMonitor(opts, { policy: "clock", residentLimit: 32 });
  for (const vm of [plain, paged]) {
    assert.ok(vm.halted, vm.haltReason ?? "not halted");
    assert.equal(vm.console.output, ref.out);
    assert.deepEqual(vm.disk.readBlocks(0, 1024), swap);
  }
  const st = paged.paging().stats;
  assert.ok(st.monitorFaults > 0 && st.evictions > 0, "the monitor paged");
  // The monitor saw the guest's own double misses: the same 7.
  assert.equal(st.guestDoubleMisses, ref.doubleMisses);
  assert.equal(st.guestDoubleMisses, 7);
});

Deno.test("o page tables: time-sliced, under a paging monitor, every process prints what it prints bare", () => {
  const opts: MultiprogrammingBootOptions = {
    paging: { frames: 12, processes: HEAVY },
  };
  const ref = bare(opts);
  const vm = underMonitor(opts, { policy: "lru", residentLimit: 40 });
  assert.ok(vm.halted, vm.haltReason ?? "not halted");
  for (const p of ["P1: ", "P2: ", "P3: "]) {
    assert.deepEqual(lines(vm.console.output, p), lines(ref.out, p));
  }
  const counts = pagingCounts(vm.console.output);
  assert.ok(counts.some((c) => c.ptReads > 0), "table pages were paged");
  assert.ok(vm.paging().stats.guestDoubleMisses > 0);
});

Deno.test("o page tables: a sweep row counts the guests' double misses", () => {
  const row = runConfig({
    realMemory: "160 KiB",
    vms: 1,
    guestFrames: 12,
    workload: { pages: 200, touches: 1_000_000, pattern: "random" },
    instructions: 400_000,
    baseline: false,
  });
  assert.ok(row.guestDoubleMisses > 0, `${row.guestDoubleMisses}`);
  assert.ok(row.guestDoubleMisses < row.guestFaults);
});

Deno.test("o page tables: the kernel takes the double miss too (a system call copying into a user buffer whose table page went out)", () => {
  // Two disk workers behind a process that pages hard: while a worker
  // waits for the disk, its pages and then its table page are evicted; the
  // copy from the bounce page into its buffer, in kernel mode at IPL 3, is
  // the double miss.
  const heavy: WorkloadSpec = { pages: 200, touches: 400 };
  const processes = [heavy, "worker", "worker"] as const;
  const ample = bare({ paging: { frames: 128, processes: [...processes] } });
  const opts = { paging: { frames: 14, processes: [...processes] } };
  const tight = bare(opts);
  assert.equal(tight.result.stop, "halt");
  assert.ok(tight.kernelDoubleMisses > 0, `${tight.kernelDoubleMisses}`);
  for (const p of ["P1: ", "P2: ", "P3: "]) {
    assert.deepEqual(lines(tight.out, p), lines(ample.out, p));
  }
  assert.match(tight.out, /P2: wrote block 39, read back ok/);
  assert.match(tight.out, /P3: wrote block 55, read back ok/);
  const vm = underMonitor(opts, { policy: "clock", residentLimit: 40 });
  assert.ok(vm.halted, vm.haltReason ?? "not halted");
  for (const p of ["P1: ", "P2: ", "P3: "]) {
    assert.deepEqual(lines(vm.console.output, p), lines(ample.out, p));
  }
});
