import assert from "node:assert/strict";
import {
  type Benchmark,
  formatBench,
  MONITOR_PAIRS,
  runBenchmark,
  runPair,
} from "../../src/cli/bench.ts";

const quick = { rounds: 3, roundMs: 5, warmupMs: 20 };

Deno.test("a benchmark reports the median and the spread of its rounds", () => {
  let k = 0;
  const b: Benchmark = {
    name: "busy",
    group: "test",
    setup: () => () => {
      // Some host work per run, as a guest run would do.
      let x = 0;
      for (let i = 0; i < 20_000; i++) x += i % 7;
      k += x > 0 ? 1 : 0;
      return 1000;
    },
  };
  const r = runBenchmark(b, quick);
  assert.equal(r.rounds, 3);
  assert.ok(r.ipsMin <= r.ips && r.ips <= r.ipsMax);
  assert.ok(r.seconds >= 3 * 0.005);
  assert.ok(r.instructions >= 3000 && r.instructions % 1000 === 0);
  assert.ok(k > 0);
});

Deno.test("a pair measures the same guest bare and in a VM, with the ratio", () => {
  const p = MONITOR_PAIRS.find((x) => x.name.startsWith("system-call"))!;
  const [bare, vm] = runPair(p, quick);
  assert.equal(bare!.name, "system-call loop guest, bare");
  assert.equal(vm!.name, "system-call loop guest, in a VM");
  // The processor does the guest's CHMK and REI itself (the monitor's
  // fastSyscalls): the VM can be as fast as bare in a short run, so only
  // the ratio's presence and its spread are checked here.
  assert.ok(
    Number.isFinite(vm!.ratio) && vm!.ratio! > 0,
    `ratio ${vm!.ratio}`,
  );
  assert.ok(vm!.ratioMin! <= vm!.ratio! && vm!.ratio! <= vm!.ratioMax!);
  assert.ok(vm!.exitsPerSecond! > 0);
  assert.equal(bare!.ratio, undefined);
  const text = formatBench([bare!, vm!]);
  assert.match(text, /system-call loop guest: in a VM = \d+\.\d\d × bare/);
  assert.match(text, /Median of 3 rounds/);
});
