import assert from "node:assert/strict";
import { Machine } from "../../src/machine/machine.ts";
import { SCB } from "../../src/arch/scb.ts";
import { IPR } from "../../src/arch/ipr.ts";
import {
  assembleCms,
  bootCms,
  CMS_LAYOUT,
  CMS_SOURCE,
  cmsData,
  crc32,
  guestHex,
} from "../../src/guests/mod.ts";

function machine() {
  const m = new Machine({ memory: "64 KiB", disk: "64 KiB", trace: true });
  const image = bootCms(m);
  return { m, image };
}

function expected(line: string): string[] {
  return [
    "CMS: vmmlab single-user monitor, memory management off",
    "CMS: wrote 4 blocks at block 8",
    `CMS: read them back: data ok, crc ${guestHex(crc32(cmsData()))}`,
    "CMS: type a line",
    `CMS: you typed: ${line}`,
    "CMS: halting",
    "",
  ];
}

Deno.test("CMS writes, reads back, echoes the typed line and halts", () => {
  const { m } = machine();
  m.console.type("hello, vax\r");
  const r = m.run({ limit: 5_000_000 });
  assert.equal(r.stop, "halt");
  assert.equal(r.reason, "HALT instruction");
  assert.deepEqual(m.console.output.split("\r\n"), expected("hello, vax"));
  // what it wrote is on the disk
  assert.deepEqual(
    m.disk.readBlocks(CMS_LAYOUT.firstBlock, CMS_LAYOUT.blocks),
    cmsData(),
  );
  // it ran with memory management off, in kernel mode, never in user mode
  assert.equal(m.get("MAPEN"), 0);
  const t = m.trace.events;
  assert.ok(t.every((e) => e.psl === undefined || (e.psl >>> 24 & 3) === 0));
  // the line came in through console receive interrupts, one per character
  const rx = t.filter((e) =>
    e.kind === "interrupt" && e.vector === SCB.CONSOLE_RECEIVE
  );
  assert.equal(rx.length, "hello, vax\r".length);
  // disk transfers were synchronous
  const io = t.filter((e) => e.kind === "io-start");
  assert.deepEqual(io.map((e) => e.text), [
    "write 4 blocks at 8 sync",
    "read 4 blocks at 8 sync",
  ]);
});

Deno.test("CMS waits idle for input, then goes on when a line is typed", () => {
  const { m, image } = machine();
  const r1 = m.run({ limit: 5_000_000 });
  assert.equal(r1.stop, "idle");
  assert.equal(r1.pc, image.assembly.symbol("WAIT"));
  assert.ok(m.console.output.endsWith("CMS: type a line\r\n"));
  m.console.type("typed later\n");
  const r2 = m.run({ limit: 5_000_000 });
  assert.equal(r2.stop, "halt");
  assert.deepEqual(m.console.output.split("\r\n"), expected("typed later"));
});

Deno.test("CMS keeps at most 72 characters of a line", () => {
  const { m } = machine();
  const long = "x".repeat(100);
  m.console.type(long + "\r");
  assert.equal(m.run({ limit: 5_000_000 }).stop, "halt");
  assert.ok(m.console.output.includes(`you typed: ${"x".repeat(72)}\r\n`));
});

Deno.test("CMS: simulated time is deterministic", () => {
  const runs = [0, 1].map(() => {
    const { m } = machine();
    m.console.type("same\r");
    m.run({ limit: 5_000_000 });
    return { ns: m.now, trace: m.trace.events, out: m.console.output };
  });
  assert.equal(runs[0]!.ns, runs[1]!.ns);
  assert.deepEqual(runs[0]!.trace, runs[1]!.trace);
  assert.equal(runs[0]!.out, runs[1]!.out);
});

Deno.test("CMS: image and source", () => {
  const image = assembleCms();
  assert.equal(image.entry, CMS_LAYOUT.loadAddress);
  assert.equal(image.origin, CMS_LAYOUT.loadAddress);
  assert.equal(image.assembly.symbol("SCB") % 512, 0);
  assert.equal(image.assembly.symbol("C_RXINT") % 4, 0);
  assert.ok(image.assembly.symbol("END") <= CMS_LAYOUT.memorySize);
  assert.equal(image.source, CMS_SOURCE);
  for (
    const [, name, value] of CMS_SOURCE.matchAll(/^PR\$_(\w+)\s*=\s*(\d+)/gm)
  ) {
    assert.equal(IPR[name as keyof typeof IPR], Number(value), name);
  }
  const m = new Machine({ memory: "32 KiB", disk: "64 KiB" });
  assert.throws(() => bootCms(m), /at least 65536/);
});
