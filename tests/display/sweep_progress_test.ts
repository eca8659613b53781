// A sweep's progress in a notebook: one display, shown once and then
// updated in place (same display_id) after every configuration; nothing
// outside a notebook.
import assert from "node:assert/strict";
import { expandSweep, sweep } from "../../src/analysis/sweep.ts";
import {
  sweepProgress,
  sweepProgressBundle,
} from "../../src/display/paging.ts";
import type { MimeBundle } from "../../src/display/style.ts";

Deno.test("sweep progress: a real sweep shows one display and updates it per configuration", async () => {
  const calls: { bundle: MimeBundle; id: string; update: boolean }[] = [];
  const configs = expandSweep({
    base: {
      vms: 1,
      guestFrames: 40,
      workload: { pages: 40, touches: 100_000 },
      instructions: 20_000,
      baseline: false,
    },
    vary: { realMemory: ["160 KiB", "320 KiB", "640 KiB"] },
  });
  const rows = await sweep(configs, {
    onProgress: sweepProgress({
      id: "sweep-1",
      display: (bundle, o) => {
        calls.push({ bundle, id: o.display_id, update: o.update === true });
      },
    }),
  });
  assert.equal(rows.length, 3);
  assert.deepEqual(calls.map((c) => [c.id, c.update]), [
    ["sweep-1", false],
    ["sweep-1", true],
    ["sweep-1", true],
  ]);
  assert.match(
    calls[2]!.bundle["text/plain"]!,
    /^sweep: 3\/3 configurations \(100%\)/,
  );
  assert.match(calls[2]!.bundle["text/plain"]!, /last: 1x128K on 640K clock/);
  assert.match(
    calls[0]!.bundle["text/html"]!,
    /<progress max="3" value="1"/,
  );
});

Deno.test("sweep progress: outside a notebook it does nothing; labels are escaped", () => {
  sweepProgress()(1, 2); // no kernel here: no display, no error
  const b = sweepProgressBundle(1, 4, 2500, {
    label: "<b>x</b>",
  } as never);
  assert.equal(
    b["text/plain"],
    "sweep: 1/4 configurations (25%), 2.5 s; last: <b>x</b>",
  );
  assert.ok(b["text/html"]!.includes("&lt;b&gt;x&lt;/b&gt;"));
  assert.ok(!b["text/html"]!.includes("<b>"));
  // Each call without an id gets its own display.
  const ids: string[] = [];
  const d = (_: MimeBundle, o: { display_id: string }) =>
    ids.push(o.display_id);
  sweepProgress({ display: d })(1, 1);
  sweepProgress({ display: d })(1, 1);
  assert.notEqual(ids[0], ids[1]);
});
