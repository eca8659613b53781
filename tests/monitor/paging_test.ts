// The monitor's own paging: real memory smaller than the VMs' memories,
// transparent to the guests; double paging counted exactly in constructed
// cases; user policies called and obeyed; the same figures on every run.
import assert from "node:assert/strict";
import { Machine } from "../../src/machine/machine.ts";
import { formatHex } from "../../src/machine/units.ts";
import { Monitor, type MonitorOptions } from "../../src/monitor/monitor.ts";
import type { VirtualMachine } from "../../src/monitor/vm.ts";
import type { PageCandidate } from "../../src/monitor/paging/policy.ts";
import { multiprogramming } from "../../src/guests/mod.ts";
import { assemble } from "../../src/asm/assembler.ts";

const lines = (s: string, p: string) =>
  s.split("\r\n").filter((l) => l.startsWith(p));

function fourOs(memory: string, paging: MonitorOptions["paging"]) {
  const cp = Monitor.on(new Machine({ memory, disk: "2 MiB" }), { paging });
  const vms = [0, 1, 2, 3].map((i) =>
    cp.vm(`o${i}`).memory("128 KiB").minidisk("64 KiB").boot(multiprogramming)
  );
  const r = cp.run({ limit: 60_000_000 });
  return { cp, vms, r };
}

Deno.test("monitor paging: without paging, 320 KiB of real memory refuses the third 128 KiB VM", () => {
  const cp = Monitor.on(new Machine({ memory: "320 KiB", disk: "2 MiB" }));
  cp.vm("a").memory("128 KiB").create();
  assert.throws(
    () => {
      cp.vm("b").memory("128 KiB").create();
      cp.vm("c").memory("128 KiB").create();
    },
    /real page frames/,
  );
});

const ample = fourOs("4 MiB", false);

for (const policy of ["fifo", "clock", "lru"] as const) {
  Deno.test(`monitor paging (${policy}): four 128 KiB copies of o on 320 KiB finish exactly as with ample memory`, () => {
    const { cp, vms, r } = fourOs("320 KiB", policy);
    assert.equal(r.stop, "halt");
    let paged = 0;
    vms.forEach((vm, i) => {
      const ref = ample.vms[i]!;
      assert.ok(vm.halted);
      assert.equal(vm.haltReason, ref.haltReason);
      // Each process prints the same lines; only their interleaving (timing)
      // may differ.
      for (const p of ["P1: ", "P2: ", "P3: "]) {
        assert.deepEqual(
          lines(vm.console.output, p),
          lines(ref.console.output, p),
        );
      }
      assert.deepEqual(
        lines(vm.console.output, "o: ").sort(),
        lines(ref.console.output, "o: ").sort(),
      );
      assert.deepEqual(vm.disk.readBlocks(0, 128), ref.disk.readBlocks(0, 128));
      const st = vm.paging().stats;
      paged += st.monitorFaults + st.evictions;
    });
    assert.ok(paged > 0, "the monitor paged");
    // Real memory held less than the VMs' total all along.
    const map = cp.pageMap();
    const guestFrames = map.frames.filter((f) => f.use === "memory").length;
    assert.ok(guestFrames < 4 * 256);
    assert.equal(map.frames.length, 640);
  });
}

// A VM with a minidisk and a program that moves one page between memory and
// disk, for exact double-paging counts.
const DATA = 0x5000; // page 40
const OTHER = 0x5200; // page 41

function diskProgram(func: "read" | "write", address: number): Uint8Array {
  const cs = (func === "read" ? 1 : 2) | 0x100; // GO, synchronous
  return assemble(
    [
      `        MTPR #0, #64`,
      `        MTPR #^X${address.toString(16)}, #65`,
      `        MTPR #1, #66`,
      `        MTPR #^X${cs.toString(16)}, #67`,
      `        HALT`,
    ].join("\n"),
    { origin: 0x200 },
  ).bytes;
}

function pagedVm(mitigation: "none" | "full-page") {
  const cp = Monitor.on(new Machine({ memory: "1 MiB", disk: "1 MiB" }), {
    paging: { policy: "clock", mitigation },
  });
  const vm = cp.vm("G").memory("64 KiB").minidisk("16 KiB").create();
  return { cp, vm };
}

function run(vm: VirtualMachine, program: Uint8Array) {
  vm.load(program, 0x200);
  vm.set("PC", 0x200);
  const r = vm.run({ limit: 100 });
  assert.equal(r.stop, "halt");
}

for (const mitigation of ["none", "full-page"] as const) {
  Deno.test(`double paging (${mitigation}): the guest writes to its disk a page the monitor paged out`, () => {
    const { cp, vm } = pagedVm(mitigation);
    const pattern = Uint8Array.from({ length: 512 }, (_, i) => (i * 7) & 255);
    vm.load(pattern, DATA);
    cp.pageOut(vm, DATA >> 9);
    assert.equal(vm.resident().pages[DATA >> 9]!.frame, -1);
    const before = vm.paging().stats;
    run(vm, diskProgram("write", DATA));
    const st = vm.paging().stats;
    assert.equal(st.doublePagingWrites, 1);
    assert.equal(st.doublePagingReads, 0);
    assert.equal(st.doublePagingIo, 1); // one paging-area read, either way
    assert.equal(st.doublePagingNs, cp.pager!.pageIoNs);
    assert.deepEqual(vm.disk.readBlocks(0, 1), pattern);
    if (mitigation === "none") {
      // Read back into a frame just to be written out.
      assert.equal(st.pageReads - before.pageReads, 1);
      assert.ok(vm.resident().pages[DATA >> 9]!.frame >= 0);
    } else {
      // Served from the paging area: no frame taken from anyone.
      assert.equal(vm.resident().pages[DATA >> 9]!.frame, -1);
      assert.equal(st.monitorFaults, before.monitorFaults);
    }
  });

  Deno.test(`double paging (${mitigation}): the guest reads from its disk over a page the monitor paged out`, () => {
    const { cp, vm } = pagedVm(mitigation);
    const block = Uint8Array.from({ length: 512 }, (_, i) => (i * 3 + 1) & 255);
    vm.disk.writeBlocks(0, block);
    vm.load(new Uint8Array(512).fill(0xee), OTHER);
    cp.pageOut(vm, OTHER >> 9);
    const before = vm.paging().stats;
    run(vm, diskProgram("read", OTHER));
    const st = vm.paging().stats;
    assert.equal(st.doublePagingReads, 1);
    assert.equal(st.doublePagingWrites, 0);
    assert.deepEqual(vm.readPhysical(OTHER, 512), block);
    // Without the mitigation the old contents are read only to be
    // overwritten; with it, not at all.
    assert.equal(st.doublePagingIo, mitigation === "none" ? 1 : 0);
    assert.equal(
      st.pageReads - before.pageReads,
      mitigation === "none" ? 1 : 0,
    );
  });
}

Deno.test("monitor paging: a user policy is called with the resident pages and its choice is evicted", () => {
  const calls: PageCandidate[][] = [];
  const chosen: string[] = [];
  // Evict the highest-numbered page of the VM with the most resident pages.
  function highest(c: readonly PageCandidate[]): PageCandidate {
    calls.push([...c]);
    const count = new Map<string, number>();
    for (const x of c) count.set(x.vm, (count.get(x.vm) ?? 0) + 1);
    const vm =
      [...count].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]![0];
    const pick = c.filter((x) => x.vm === vm).reduce((a, b) =>
      b.page > a.page ? b : a
    );
    chosen.push(`${pick.vm} page ${formatHex(pick.page)}`);
    return pick;
  }
  const m = new Machine({ memory: "320 KiB", disk: "2 MiB", trace: true });
  const cp = Monitor.on(m, { paging: { policy: highest } });
  const vms = [0, 1, 2].map((i) =>
    cp.vm(`o${i}`).memory("128 KiB").minidisk("64 KiB").boot(multiprogramming)
  );
  cp.run({ limit: 30_000_000 });
  assert.ok(vms.every((v) => v.halted));
  assert.ok(calls.length > 0);
  assert.equal(cp.pager!.policyCalls, calls.length);
  for (const c of calls) {
    assert.ok(c.length > 0);
    for (const x of c) {
      assert.equal(typeof x.referenced, "boolean");
      assert.equal(typeof x.modified, "boolean");
      assert.ok(x.history >= 0 && x.history <= 255);
    }
  }
  const outs = m.trace.events.filter((e) =>
    e.kind === "page" && e.text.startsWith("page out")
  ).map((e) => /page out (\S+ page 0x[0-9A-F]+)/.exec(e.text)![1]);
  assert.deepEqual(outs, chosen);
});

Deno.test("monitor paging: a policy that returns a stranger is refused clearly", () => {
  const cp = Monitor.on(new Machine({ memory: "320 KiB", disk: "2 MiB" }), {
    paging: { policy: () => 99999 },
  });
  assert.throws(
    () => {
      [0, 1, 2].map((i) =>
        cp.vm(`o${i}`).memory("128 KiB").minidisk("64 KiB").boot(
          multiprogramming,
        )
      );
      cp.run({ limit: 30_000_000 });
    },
    /paging policy returned 99999: expected one of the \d+ candidates/,
  );
  assert.throws(
    () =>
      Monitor.on(new Machine({ memory: "1 MiB" }), {
        paging: "random" as "lru",
      }),
    /Cannot use paging policy "random"/,
  );
});

Deno.test("monitor paging: the same configuration gives the same figures and trace", () => {
  const once = () => {
    const m = new Machine({ memory: "320 KiB", disk: "2 MiB", trace: true });
    const cp = Monitor.on(m, { paging: "lru" });
    const vms = [0, 1, 2].map((i) =>
      cp.vm(`o${i}`).memory("128 KiB").minidisk("64 KiB").boot(multiprogramming)
    );
    const r = cp.run({ limit: 30_000_000 });
    let h = 0;
    for (const e of m.trace.events) {
      for (const ch of `${e.ns} ${e.kind} ${e.source} ${e.text}`) {
        h = (Math.imul(h, 31) + ch.charCodeAt(0)) | 0;
      }
    }
    return {
      r,
      stats: vms.map((v) => v.paging().toJSON()),
      hash: h,
      events: m.trace.events.length,
    };
  };
  assert.deepEqual(once(), once());
});

Deno.test("monitor paging: renderings of resident pages, the page map and the counts", async () => {
  await import("../../src/display/install.ts");
  const cp = Monitor.on(new Machine({ memory: "320 KiB", disk: "2 MiB" }), {
    paging: "clock",
  });
  const vm = cp.vm("a").memory("128 KiB").minidisk("64 KiB").boot(
    multiprogramming,
  );
  cp.vm("b").memory("128 KiB").minidisk("64 KiB").boot(multiprogramming);
  cp.run({ limit: 2_000_000 });
  const inspect = (x: unknown) => Deno.inspect(x);
  const jupyter = (x: object) =>
    (x as Record<symbol, () => Record<string, string>>)[
      Symbol.for("Jupyter.display")
    ]!();
  const res = vm.resident();
  assert.match(inspect(res), /a: \d+ of 256 pages resident/);
  assert.match(jupyter(res)["text/html"]!, /<svg/);
  const map = cp.pageMap();
  assert.match(inspect(map), /real memory: 640 frames/);
  assert.match(jupyter(map)["text/html"]!, /<svg[^]*<table/);
  const pg = vm.paging();
  assert.match(inspect(pg), /monitor page faults/);
  assert.match(jupyter(pg)["text/html"]!, /double paging/);
});

Deno.test("monitor paging: a VM of a paging monitor cannot host a monitor (its storage must stay resident)", () => {
  const cp = Monitor.on(new Machine({ memory: "1 MiB", disk: "1 MiB" }), {
    paging: true,
  });
  const vm = cp.vm("CP2").memory("256 KiB").minidisk("64 KiB").create();
  assert.throws(() => Monitor.on(vm), /this monitor pages its VMs' memory/);
});
