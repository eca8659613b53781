// CP under CP (issue 12): a monitor runs in a virtual machine of another
// monitor and hosts its own guests, which run unmodified: the outer monitor
// virtualizes PSL<VM>, VMPSL, the exit records and shadow tables for the
// inner one. An inner guest's exit reaches the outer monitor first and is
// forwarded. The randomized equivalence test at two and three levels is in
// equivalence_test.ts; here, real guests and the mechanism.
import { deepEqual, equal, ok, throws } from "node:assert/strict";
import { Machine } from "../../src/machine/machine.ts";
import { Monitor } from "../../src/monitor/monitor.ts";
import type { Hardware } from "../../src/machine/hardware.ts";
import { bootCms, bootMultiprogramming } from "../../src/guests/mod.ts";

const lines = (hw: Hardware, p: string) =>
  hw.console.output.split("\r\n").filter((l) => l.startsWith(p)).sort();

function bareO(): Machine {
  const m = new Machine({ memory: "128 KiB", disk: "64 KiB" });
  bootMultiprogramming(m);
  m.run({ limit: 20_000_000 });
  return m;
}

Deno.test("Monitor.on(outer.vm(...).create()): the multiprogramming OS under two levels gives its bare output and disk", () => {
  const outer = Monitor.on(new Machine({ memory: "8 MiB", disk: "2 MiB" }));
  const inner = Monitor.on(
    outer.vm("CP2").memory("2 MiB").minidisk("1 MiB").create(),
  );
  equal(inner.level, 2);
  const o = inner.vm("O").memory("128 KiB").minidisk("64 KiB").create();
  bootMultiprogramming(o);
  const r = inner.run({ limit: 20_000_000 });
  equal(r.stop, "halt");
  const bare = bareO();
  equal(o.haltReason, "HALT instruction");
  for (const p of ["P1:", "P2:", "P3:", "o:"]) {
    deepEqual(lines(o, p), lines(bare, p), `${p} lines`);
  }
  deepEqual(o.disk.readBlocks(0, 128), bare.disk.readBlocks(0, 128));
  // Every exit of the inner guest went through the outer monitor first.
  const cp2 = outer.vms.get("CP2")!;
  ok(cp2.stats.totalExits > o.stats.totalExits);
  ok(cp2.stats.exits.CHMK! >= o.stats.exits.CHMK!);
  ok(cp2.stats.instructions >= o.stats.instructions);
});

Deno.test("the trace shows an inner guest's exit reaching the outer monitor first, then the inner one", () => {
  const m = new Machine({ memory: "8 MiB", disk: "2 MiB" });
  const outer = Monitor.on(m);
  const inner = Monitor.on(
    outer.vm("CP2").memory("2 MiB").minidisk("1 MiB").create(),
  );
  const o = inner.vm("O").memory("128 KiB").minidisk("64 KiB").create();
  bootMultiprogramming(o);
  m.trace.enabled = true;
  inner.run({ limit: 200_000 });
  const ev = m.trace.events;
  const i = ev.findIndex((e) =>
    e.source === "CP2" && e.data?.forward === true && /CHMK/.test(e.text)
  );
  ok(i >= 0, "a forwarded CHMK");
  equal(ev[i]!.data?.level, 1);
  const next = ev.slice(i + 1).find((e) => e.kind === "exit");
  ok(next);
  equal(next.source, "O");
  equal(next.data?.level, 2);
  ok(/CHMK/.test(next.text));
});

Deno.test("outer.run() runs the VMs of both levels: a first-level CMS beside a second CP with two CMS guests", () => {
  const outer = Monitor.on(new Machine({ memory: "8 MiB", disk: "2 MiB" }));
  const cms = outer.vm("CMS").memory("64 KiB").minidisk("64 KiB").create();
  bootCms(cms);
  cms.console.type("first level\r");
  const inner = Monitor.on(
    outer.vm("CP2").memory("2 MiB").minidisk("1 MiB").create(),
  );
  const guests = ["CMS1", "CMS2"].map((n) => {
    const vm = inner.vm(n).memory("64 KiB").minidisk("64 KiB").create();
    bootCms(vm);
    vm.console.type(`hello from ${n}\r`);
    return vm;
  });
  const r = outer.run({ limit: 20_000_000 });
  equal(r.stop, "halt");
  ok(/you typed: first level/.test(cms.console.output));
  for (const g of guests) {
    ok(
      new RegExp(`you typed: hello from ${g.name}`).test(g.console.output),
      g.console.output,
    );
    equal(g.haltReason, "HALT instruction");
  }
  ok(/every VM of the monitor in it halted/.test(r.vms.CP2!));
});

Deno.test("three levels: the multiprogramming OS under a monitor under a monitor under a monitor", () => {
  const outer = Monitor.on(new Machine({ memory: "16 MiB", disk: "4 MiB" }));
  const cp2 = Monitor.on(
    outer.vm("CP2").memory("8 MiB").minidisk("2 MiB").create(),
  );
  const cp3 = Monitor.on(
    cp2.vm("CP3").memory("2 MiB").minidisk("1 MiB").create(),
  );
  equal(cp3.level, 3);
  const o = cp3.vm("O").memory("128 KiB").minidisk("64 KiB").create();
  bootMultiprogramming(o);
  equal(outer.run({ limit: 20_000_000 }).stop, "halt");
  const bare = bareO();
  for (const p of ["P1:", "P2:", "P3:", "o:"]) {
    deepEqual(lines(o, p), lines(bare, p), `${p} lines`);
  }
  deepEqual(o.disk.readBlocks(0, 128), bare.disk.readBlocks(0, 128));
});

Deno.test("a monitor cannot run in a VM that has one already, or whose disk is several extents", () => {
  const outer = Monitor.on(new Machine({ memory: "8 MiB", disk: "2 MiB" }));
  const vm = outer.vm("CP2").memory("1 MiB").minidisk("64 KiB").create();
  Monitor.on(vm);
  throws(() => Monitor.on(vm), /a monitor already runs in it/);
  const two = outer.vm("TWO").memory("1 MiB").minidisk("64 KiB").minidisk(
    "64 KiB",
  ).create();
  throws(() => Monitor.on(two), /2 minidisk extents, expected at most one/);
});
