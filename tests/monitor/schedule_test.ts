// Time slicing and accounting: VMs share the processor round robin in
// quanta of simulated time; exits and monitor time are charged to the VM
// that caused them, from the documented cost model; the same scenario gives
// the same trace and the same nanoseconds on every run.
import { deepEqual, equal, ok } from "node:assert/strict";
import { Machine } from "../../src/machine/machine.ts";
import { DEFAULT_MONITOR_COSTS } from "../../src/monitor/costs.ts";
import { Monitor, type MonitorOptions } from "../../src/monitor/monitor.ts";
import type { VirtualMachine } from "../../src/monitor/vm.ts";
import { asm, prepare } from "./_helpers.ts";

const COMPUTE = `
       CLRL R0
loop:  INCL R0
       ADDL2 R0, R1
       BRB loop`;

/** N emulated MTPRs (IPL 0 each time), then HALT. */
const MTPRS = (n: number) => `
       CLRL R0
loop:  MTPR #0, #PR$_IPL
       AOBLSS #${n}, R0, loop
       HALT`;

function monitor(options: MonitorOptions = {}): Monitor {
  return Monitor.on(new Machine({ memory: "2 MiB", disk: "256 KiB" }), {
    quantumNs: 1_000_000,
    ...options,
  });
}

function guest(cp: Monitor, name: string, source: string): VirtualMachine {
  const vm = cp.vm(name).memory("64 KiB").minidisk("16 KiB").create();
  prepare(vm, asm(source), {});
  return vm;
}

Deno.test("two compute-bound VMs share the processor in slices; guest time about equal", () => {
  const cp = monitor();
  cp.machine.trace.enabled = true;
  const a = guest(cp, "A", COMPUTE);
  const b = guest(cp, "B", COMPUTE);
  const r = cp.run({ forNs: 40_000_000 });
  equal(r.stop, "time");
  ok(r.ns >= 40_000_000);
  ok(a.get("R0") > 10_000 && b.get("R0") > 10_000, "both made progress");
  const ratio = a.stats.guestNs / b.stats.guestNs;
  ok(ratio > 0.9 && ratio < 1.1, `guest ns A/B = ${ratio}`);
  // Round robin: the switches alternate, about one per quantum.
  const switches = cp.machine.trace.events.filter((e) =>
    e.kind === "schedule" && e.text.startsWith("switch to")
  ).map((e) => e.source);
  ok(
    switches.length >= 30 && switches.length <= 45,
    `${switches.length} switches in 40 ms`,
  );
  for (let k = 1; k < switches.length; k++) {
    ok(switches[k] !== switches[k - 1], "A and B alternate");
  }
  // Time is accounted: guest + monitor time of both VMs is the elapsed time.
  const total = a.stats.guestNs + b.stats.guestNs + a.stats.monitorNs +
    b.stats.monitorNs;
  ok(
    Math.abs(total - r.ns) <= DEFAULT_MONITOR_COSTS.vmSwitch,
    `${total} vs ${r.ns}`,
  );
});

Deno.test("three VMs, one of them twice as long: each gets its share, all finish", () => {
  const cp = monitor();
  const work = (n: number) => `
       CLRL R0
loop:  INCL R0
       CMPL R0, #${n}
       BLSS loop
       HALT`;
  const a = guest(cp, "A", work(20000));
  const b = guest(cp, "B", work(20000));
  const c = guest(cp, "C", work(40000));
  const r = cp.run({ limit: 10_000_000 });
  equal(r.stop, "halt");
  deepEqual([a.get("R0"), b.get("R0"), c.get("R0")], [20000, 20000, 40000]);
  const ratio = c.stats.guestNs / a.stats.guestNs;
  ok(ratio > 1.9 && ratio < 2.1, `C/A guest time ${ratio}`);
  equal(
    r.instructions,
    a.stats.instructions + b.stats.instructions + c.stats.instructions,
  );
});

Deno.test("exits are accounted per VM", () => {
  const cp = monitor();
  const a = guest(cp, "A", MTPRS(100));
  const b = guest(
    cp,
    "B",
    `CLRL R0
loop:  INCL R0
       CMPL R0, #5000
       BLSS loop
       HALT`,
  );
  cp.run({ limit: 1_000_000 });
  equal(a.stats.exits.MTPR, 100);
  equal(a.stats.emulated, 101, "100 MTPR and the HALT");
  equal(b.stats.exits.MTPR, undefined);
  equal(b.stats.emulated, 1, "only the HALT");
  const sum = (vm: VirtualMachine) =>
    Object.values(vm.stats.exits).reduce((s, n) => s + n, 0);
  equal(sum(a), a.stats.totalExits);
  equal(sum(b), b.stats.totalExits);
  ok(a.stats.monitorNs > b.stats.monitorNs);
});

Deno.test("a VM keeps the processor across its exits until its quantum ends", () => {
  const cp = monitor();
  const a = guest(cp, "A", MTPRS(1_000_000));
  const b = guest(cp, "B", COMPUTE);
  cp.run({ forNs: 20_000_000 });
  const aTime = a.stats.guestNs + a.stats.monitorNs;
  const bTime = b.stats.guestNs + b.stats.monitorNs;
  ok(a.get("R0") > 500, `A emulated ${a.get("R0")} MTPRs in its half`);
  ok(
    aTime / bTime > 0.8 && aTime / bTime < 1.25,
    `A ${aTime} ns, B ${bTime} ns`,
  );
});

Deno.test("monitor time comes from the cost model: overriding a cost changes the time by exactly that much", () => {
  const run = (costs: MonitorOptions["costs"]) => {
    const cp = monitor({ costs });
    const vm = guest(cp, "A", MTPRS(200));
    const r = vm.run();
    return {
      ns: r.ns,
      monitorNs: vm.stats.monitorNs,
      guestNs: vm.stats.guestNs,
      exits: vm.stats.totalExits,
    };
  };
  const base = run({});
  const dearer = run({ emulation: DEFAULT_MONITOR_COSTS.emulation + 10_000 });
  const entry = run({ exitEntry: 0 });
  equal(dearer.guestNs, base.guestNs, "guest instructions cost the same");
  equal(
    dearer.monitorNs - base.monitorNs,
    201 * 10_000,
    "201 emulations (200 MTPR and HALT)",
  );
  equal(dearer.ns - base.ns, 201 * 10_000);
  equal(
    base.monitorNs - entry.monitorNs,
    base.exits * DEFAULT_MONITOR_COSTS.exitEntry,
  );
});

Deno.test("a bad cost is refused with a clear error", () => {
  let message = "";
  try {
    monitor({ costs: { reflection: -1 } });
  } catch (e) {
    message = (e as Error).message;
  }
  ok(/reflection = -1/.test(message), message);
});

Deno.test("the VM switch is charged to the VM switched to", () => {
  const cp = monitor({ costs: { vmSwitch: 1_000_000 } });
  const a = guest(cp, "A", COMPUTE);
  const b = guest(cp, "B", COMPUTE);
  cp.run({ forNs: 20_000_000 });
  ok(a.stats.monitorNs >= 3 * 1_000_000 && b.stats.monitorNs >= 3 * 1_000_000);
});

Deno.test("a waiting VM does not take the processor from a computing one", () => {
  const cp = monitor();
  const idle = guest(
    cp,
    "IDLE",
    `MTPR #^X40, #PR$_ICCS
       MTPR #31, #PR$_IPL
self:  BRB self`,
  );
  const busy = guest(cp, "BUSY", COMPUTE);
  cp.run({ forNs: 30_000_000 });
  ok(busy.stats.guestNs > 25_000_000, `busy ran ${busy.stats.guestNs} ns`);
  ok(idle.stats.guestNs < 1_000_000, `idle ran ${idle.stats.guestNs} ns`);
  equal(idle.status, "waiting");
});

Deno.test("a VM idling at a high IPL with its timer on: a run with a limit still ends, as on a bare machine", () => {
  const source = `MTPR #^X40, #PR$_ICCS
       MTPR #31, #PR$_IPL
self:  BRB self`;
  const cp = monitor();
  const vm = guest(cp, "A", source);
  const r = vm.run({ limit: 200 });
  equal(r.stop, "limit");
  ok(vm.now >= 100 * 10_000_000, "time passed, tick by tick");
  equal(vm.status, "waiting");
  const m = new Machine({
    memory: "64 KiB",
    disk: "16 KiB",
    vmExtensions: false,
  });
  prepare(m, asm(source), {});
  equal(m.run({ limit: 200 }).stop, "limit");
});

/** A scenario with every kind of monitor work, recorded. */
function scenario() {
  const cp = monitor({ quantumNs: 300_000 });
  cp.machine.trace.enabled = true;
  const a = guest(
    cp,
    "A",
    `MTPR #^X40, #PR$_ICCS
       CLRL R0
loop:  INCL R0
       MTPR #0, #PR$_IPL
       CMPL R0, #3000
       BLSS loop
       HALT`,
  );
  const b = guest(
    cp,
    "B",
    `MTPR #2, #PR$_DKBLK
       MTPR #^X4000, #PR$_DKMEM
       MTPR #4, #PR$_DKCNT
       MTPR #^X341, #PR$_DKCS
       CLRL R0
loop:  INCL R0
       CMPL R0, #30000
       BLSS loop
       HALT`,
  );
  const c = guest(cp, "C", MTPRS(500));
  const r = cp.run({ limit: 5_000_000 });
  return {
    r,
    ns: cp.machine.now,
    trace: cp.machine.trace.events.map((e) => JSON.stringify(e)),
    stats: [a, b, c].map((vm) => JSON.stringify(vm.stats)),
    states: [a, b, c].map((vm) => JSON.stringify(vm.state())),
  };
}

Deno.test("determinism: the same scenario twice gives the identical trace, statistics and ns", () => {
  const one = scenario();
  const two = scenario();
  equal(one.r.stop, "halt");
  ok(one.trace.length > 100);
  deepEqual(two.r, one.r);
  equal(two.ns, one.ns);
  deepEqual(two.stats, one.stats);
  deepEqual(two.states, one.states);
  deepEqual(two.trace, one.trace);
});
