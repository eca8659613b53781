// Sequence diagrams: device completions point from the hardware to the
// monitor (when there is one), labels stay clear of the lifelines, and no
// text is smaller than 11 px.
import { equal, ok } from "node:assert/strict";
import { LANES, sequenceSvg } from "../../src/display/views.ts";
import type { TraceEvent } from "../../src/machine/trace.ts";

const events: TraceEvent[] = [
  { ns: 1000, kind: "exit", source: "VM", text: "exit: MTPR", psl: 0x01000000 },
  { ns: 2000, kind: "minidisk", source: "monitor", text: "minidisk read" },
  { ns: 3000, kind: "io-done", source: "disk", text: "read of 1 block done" },
];

Deno.test("sequence diagrams: completions to the monitor, labels off the lifelines, text of 11 px or more", () => {
  const svg = sequenceSvg(events);
  for (const m of svg.matchAll(/font-size="(\d+)"/g)) {
    ok(Number(m[1]) >= 11, `font-size ${m[1]}`);
  }
  const lifelines = [...svg.matchAll(/<line x1="(\d+)" y1="26" x2="\d+"/g)]
    .map((m) => Number(m[1]));
  equal(lifelines.length, LANES.length);
  const last = Math.max(...lifelines);
  // Every label starts right of the last lifeline.
  for (
    const m of svg.matchAll(
      /<text x="(\d+)" y="\d+" font-family="sans-serif" font-size="11">/g,
    )
  ) {
    ok(Number(m[1]) > last, `label at x=${m[1]} crosses a lifeline`);
  }
  // The completion (third row) is an arrow from hardware (lane 3) to the
  // monitor (lane 2): it ends left of where it starts.
  const arrows = [
    ...svg.matchAll(
      /<line x1="(\d+)" y1="(\d+)" x2="(\d+)" y2="\d+" stroke="#333" marker-end/g,
    ),
  ];
  const done = arrows.at(-1)!;
  equal(Number(done[1]), lifelines[3]);
  ok(Number(done[3]) < Number(done[1]));
  ok(Math.abs(Number(done[3]) - lifelines[2]!) <= 6);
});
