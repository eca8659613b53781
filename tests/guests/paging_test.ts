// Demand paging in o: processes larger than their frames, a swap area on
// the guest's own disk, clock replacement, dirty pages written back, and
// a workload whose data is checked on every touch.
import assert from "node:assert/strict";
import { Machine } from "../../src/machine/machine.ts";
import { Monitor } from "../../src/monitor/monitor.ts";
import {
  bootMultiprogramming,
  multiprogramming,
  type MultiprogrammingBootOptions,
  type MultiprogrammingProgram,
  pagingCounts,
  workloadLine,
  type WorkloadSpec,
} from "../../src/guests/mod.ts";

function run(options: MultiprogrammingBootOptions, limit = 40_000_000) {
  const m = new Machine({ memory: "128 KiB", disk: "512 KiB" });
  bootMultiprogramming(m, options);
  const result = m.run({ limit });
  return { m, result, out: m.console.output };
}

const lines = (s: string, prefix: string) =>
  s.split("\r\n").filter((l) => l.startsWith(prefix));

const MIXED: WorkloadSpec[] = [
  { pages: 40, touches: 250, pattern: "random" },
  { pages: 40, touches: 250, pattern: "sequential", writeEvery: 3 },
  { pages: 60, touches: 250, pattern: "shifting", window: 10, shiftEvery: 20 },
];

for (const frames of [12, 16, 40]) {
  for (const diskMode of ["async", "sync"] as const) {
    Deno.test(`o paging (${frames} frames, ${diskMode}): every page survives eviction and reload`, () => {
      const { result, out } = run({
        diskMode,
        paging: { frames, processes: MIXED },
      });
      assert.equal(result.stop, "halt");
      assert.ok(out.endsWith("o: all processes exited, halting\r\n"));
      MIXED.forEach((w, i) => {
        assert.deepEqual(lines(out, `P${i + 1}: `), [workloadLine(w, i + 1)]);
      });
      const counts = pagingCounts(out);
      assert.deepEqual(counts.map((c) => c.pid), [1, 2, 3]);
      for (const c of counts) {
        assert.ok(c.faults >= c.reads, `p${c.pid}: faults >= reads`);
        assert.ok(c.reads > 0 && c.writes > 0, `p${c.pid} paged: ${c}`);
      }
    });
  }
}

Deno.test("o paging: fewer frames, more faults; ample frames, no swap traffic", () => {
  // 3 processes of 16 + 20 pages: 108 pages fit in 128 frames.
  const small: WorkloadSpec[] = MIXED.map((w) => ({ ...w, pages: 20 }));
  const total = (frames: number) =>
    pagingCounts(run({ paging: { frames, processes: small } }).out)
      .reduce((s, c) => s + c.reads + c.writes, 0);
  const ample = total(128);
  const mid = total(32);
  const tight = total(12);
  assert.equal(ample, 0);
  assert.ok(mid > 0 && tight > mid, `${tight} > ${mid} > 0`);
});

Deno.test("o paging: the disk worker and the error demo print what they print unpaged", () => {
  const plain = run({}).out;
  const programs: MultiprogrammingProgram[] = ["worker", "worker", "errdemo"];
  const paged = run({ paging: { frames: 12, processes: programs } }).out;
  for (const p of ["P1: ", "P2: ", "P3: "]) {
    assert.deepEqual(lines(paged, p), lines(plain, p));
  }
  assert.deepEqual(lines(paged, "o: p3 killed"), lines(plain, "o: p3 killed"));
  const counts = pagingCounts(paged);
  assert.deepEqual(counts.map((c) => c.pid), [1, 2]); // p3 was killed
  assert.ok(counts.every((c) => c.faults > 0));
});

Deno.test("o paging: a swap area overwritten behind the pager's back is detected", () => {
  const m = new Machine({ memory: "128 KiB", disk: "512 KiB" });
  bootMultiprogramming(m, { paging: { frames: 12, processes: MIXED } });
  m.run({ limit: 300_000 });
  // Every swapped-out data page becomes garbage: the next reload must
  // notice. (Blocks 0 and 1 of each process's slot hold its page-table
  // pages: garbage there is a page table gone wrong, not a stale page.)
  const junk = new Uint8Array(512 * 254).fill(0x5a);
  for (let pid = 1; pid <= 3; pid++) {
    m.disk.writeBlocks(128 + 256 * (pid - 1) + 2, junk);
  }
  assert.equal(m.run({ limit: 40_000_000 }).stop, "halt");
  const errs = lines(m.console.output, "P").map((l) =>
    Number(/, (\d+) errors/.exec(l)?.[1] ?? 0)
  );
  assert.ok(errs.some((e) => e > 0), `errors reported: ${errs}`);
});

Deno.test("o paging: same configuration, same output, counts and time", () => {
  const a = run({ paging: { frames: 12, processes: MIXED } });
  const b = run({ paging: { frames: 12, processes: MIXED } });
  assert.equal(a.out, b.out);
  assert.equal(a.result.ns, b.result.ns);
  assert.equal(a.result.instructions, b.result.instructions);
});

Deno.test("o paging: inside a virtual machine every process prints what it prints on bare hardware", () => {
  const opts = { paging: { frames: 16, processes: MIXED } };
  const bare = run(opts).out;
  const host = new Machine({ memory: "2 MiB", disk: "2 MiB" });
  const monitor = Monitor.on(host);
  const vm = monitor.vm("o").memory("128 KiB").minidisk("512 KiB").boot(
    multiprogramming,
    opts,
  );
  monitor.run({ limit: 80_000_000 });
  assert.ok(vm.halted);
  for (const p of ["P1: ", "P2: ", "P3: "]) {
    assert.deepEqual(lines(vm.console.output, p), lines(bare, p));
  }
});

Deno.test("o paging: bad options are refused with what was expected", () => {
  const m = new Machine({ memory: "128 KiB", disk: "512 KiB" });
  assert.throws(
    () => bootMultiprogramming(m, { paging: { frames: 8 } }),
    /paging frames 8: expected an integer from 12 to 128/,
  );
  assert.throws(
    () =>
      bootMultiprogramming(m, {
        paging: { processes: [{ pages: 500, touches: 1 }, "worker", "worker"] },
      }),
    /workload pages 500/,
  );
  assert.throws(
    () => bootMultiprogramming(m, { paging: { processes: ["worker"] } }),
    /expected exactly 3/,
  );
  const small = new Machine({ memory: "128 KiB", disk: "64 KiB" });
  assert.throws(
    () => bootMultiprogramming(small, { paging: {} }),
    /swap area needs/,
  );
});
