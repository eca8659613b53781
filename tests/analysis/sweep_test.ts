// Paging sweeps: configurations expand as documented, parallel runs in Web
// Workers give the rows of a serial run, shards merged give the whole.
import assert from "node:assert/strict";
import {
  expandSweep,
  mergeRows,
  runConfig,
  shardOf,
  sweep,
  type SweepConfig,
  withoutHostTime,
} from "../../src/analysis/sweep.ts";
import { main } from "../../src/cli/main.ts";

const SMALL: SweepConfig[] = expandSweep({
  base: {
    vms: 2,
    guestFrames: 40,
    workload: { pages: 40, touches: 100_000 },
    instructions: 80_000,
  },
  vary: {
    realMemory: ["160 KiB", "320 KiB"],
    policy: ["fifo", "lru"],
  },
});

Deno.test("sweep: vary expands to every combination, in key order", () => {
  assert.equal(SMALL.length, 4);
  assert.deepEqual(
    SMALL.map((c) => [c.realMemory, c.policy]),
    [
      ["160 KiB", "fifo"],
      ["160 KiB", "lru"],
      ["320 KiB", "fifo"],
      ["320 KiB", "lru"],
    ],
  );
  assert.equal(expandSweep({ configs: [{ realMemory: 1 }] }).length, 1);
  assert.throws(
    () => expandSweep({ base: {}, vary: { policy: [] } }),
    /Cannot vary "policy": expected a non-empty list/,
  );
  assert.throws(
    () => expandSweep({ vary: { policy: ["fifo"] } }),
    /without realMemory/,
  );
  assert.throws(
    () => runConfig({ realMemory: "1 MiB", policy: "best" as "lru" }),
    /policy "best"/,
  );
});

Deno.test("sweep: rows in Web Workers equal the serial rows (host time aside)", async () => {
  const serial = await sweep(SMALL, { jobs: 1 });
  let seen = 0;
  const parallel = await sweep(SMALL, {
    jobs: 2,
    onProgress: (done, total) => {
      seen = done;
      assert.equal(total, 4);
    },
  });
  assert.equal(seen, 4);
  assert.deepEqual(withoutHostTime(parallel), withoutHostTime(serial));
  assert.deepEqual(serial.map((r) => r.index), [0, 1, 2, 3]);
  // The small memory paged, the large one less.
  assert.ok(serial[0]!.monitorFaults > serial[2]!.monitorFaults);
  assert.ok(serial[0]!.slowdown > 0);
});

Deno.test("sweep: shards merged equal the whole; merge refuses gaps and repeats", async () => {
  const whole = await sweep(SMALL);
  const parts = await Promise.all([0, 1, 2].map(async (i) => {
    const picked = shardOf(SMALL, i, 3);
    const rows = await sweep(picked.map((p) => p.item));
    rows.forEach((r, k) => r.index = picked[k]!.index);
    return rows;
  }));
  assert.deepEqual(
    withoutHostTime(mergeRows(parts)),
    withoutHostTime(whole),
  );
  assert.throws(() => mergeRows([parts[0]!, parts[1]!]), /missing/);
  assert.throws(
    () => mergeRows([parts[0]!, parts[0]!, parts[1]!, parts[2]!]),
    /appears twice/,
  );
  assert.throws(() => shardOf(SMALL, 3, 3), /expected 0 <= I < N/);
});

Deno.test("sweep command: --shard I/N writes JSON lines, merge joins them", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const spec = `${dir}/spec.json`;
    await Deno.writeTextFile(
      spec,
      JSON.stringify({
        base: {
          vms: 1,
          guestFrames: 24,
          workload: { pages: 30, touches: 100_000 },
          instructions: 100_000,
          baseline: false,
        },
        vary: { realMemory: ["96 KiB", "128 KiB", "192 KiB"] },
      }),
    );
    for (const i of [0, 1]) {
      assert.equal(
        await main([
          "sweep",
          spec,
          "--shard",
          `${i}/2`,
          "--out",
          `${dir}/${i}.jsonl`,
        ]),
        0,
      );
    }
    const lines0 = (await Deno.readTextFile(`${dir}/0.jsonl`)).trim().split(
      "\n",
    );
    assert.equal(lines0.length, 2); // configurations 0 and 2
    assert.equal(
      await main([
        "sweep",
        "merge",
        `${dir}/0.jsonl`,
        `${dir}/1.jsonl`,
        "--out",
        `${dir}/all.jsonl`,
      ]),
      0,
    );
    assert.equal(await main(["sweep", spec, "--out", `${dir}/whole.jsonl`]), 0);
    const read = async (f: string) =>
      withoutHostTime(
        (await Deno.readTextFile(f)).trim().split("\n").map((l) =>
          JSON.parse(l)
        ),
      );
    assert.deepEqual(
      await read(`${dir}/all.jsonl`),
      await read(`${dir}/whole.jsonl`),
    );
    assert.equal(await main(["sweep", spec, "--shard", "2/2"]), 2);
    assert.equal(await main(["sweep", "merge", `${dir}/0.jsonl`]), 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
