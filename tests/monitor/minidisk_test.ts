// Minidisks (devices.md disk controller, virtualized): the real disk carved
// into extents; each VM sees its own from block 0; requests are checked
// and translated; errors move nothing; synchronous and asynchronous
// transfers behave as on a bare disk; asynchronous requests of several VMs
// queue on the one real disk.
import { deepEqual, equal, ok } from "node:assert/strict";
import { Machine } from "../../src/machine/machine.ts";
import { Monitor } from "../../src/monitor/monitor.ts";
import type { VirtualMachine } from "../../src/monitor/vm.ts";
import {
  asm,
  DISK_BLOCKS,
  equivalent,
  MEMORY,
  prepare,
  psl,
  readL,
  readLongs,
  stackTop,
  type Target,
  vectorTaken,
} from "./_helpers.ts";

const DONE = 0x80, ERR = 0x8000, IE = 0x40, GO = 0x100, ASYNC = 0x200;
const READ = 1, WRITE = 2;

/** A recognizable disk image: block b, byte i holds (b * 7 + i) & 0xFF, block number in the first longword. */
function diskImage(blocks: number): Uint8Array {
  const d = new Uint8Array(blocks * 512);
  for (let b = 0; b < blocks; b++) {
    for (let i = 0; i < 512; i++) d[b * 512 + i] = (b * 7 + i) & 0xff;
    d[b * 512] = b & 0xff;
    d[b * 512 + 1] = 0xd0;
  }
  return d;
}

/** Memory pattern: the longword at 0x8000 + 4k is 0xAB000000 + k. */
function memoryPattern(hw: Target): void {
  const b = new Uint8Array(0x4000);
  const dv = new DataView(b.buffer);
  for (let k = 0; k < 0x1000; k++) dv.setUint32(4 * k, 0xab000000 + k, true);
  hw.load(b, 0x8000);
}

const withDisk = (hw: Target) => {
  hw.disk.writeBlocks(0, diskImage(DISK_BLOCKS));
  memoryPattern(hw);
};

/** A program: one transfer, then DKCS is read into R0 and the PSL into R1. */
function transfer(
  block: number,
  memory: number,
  count: number,
  cs: number,
): string {
  return `MTPR #^X${block.toString(16)}, #PR$_DKBLK
     MTPR #^X${memory.toString(16)}, #PR$_DKMEM
     MTPR #^X${count.toString(16)}, #PR$_DKCNT
     MTPR #^X${cs.toString(16)}, #PR$_DKCS
     MFPR #PR$_DKCS, R0
     MOVPSL R1
     HALT`;
}

function newMonitor(disk = "256 KiB"): Monitor {
  return Monitor.on(new Machine({ memory: "4 MiB", disk }), {
    quantumNs: 200_000,
  });
}

// ---------------------------------------------------------------------------
// The map.

Deno.test("minidisks of different sizes are carved from one real disk; layout covers it", () => {
  const cp = newMonitor();
  const a = cp.vm("A").memory("64 KiB").minidisk("16 KiB").create();
  const b = cp.vm("B").memory("64 KiB").minidisk("40 KiB", "191").create();
  const c = cp.vm("C").memory("64 KiB").minidisk("8 KiB").minidisk("4 KiB")
    .create();
  const layout = cp.minidisks.layout();
  deepEqual(
    layout.map((e) => [e.start, e.blocks, e.owner]),
    [[0, 32, "A"], [32, 80, "B"], [112, 16, "C"], [128, 8, "C"], [
      136,
      376,
      "free",
    ]],
  );
  equal(layout.find((e) => e.owner === "B")!.label, "191");
  deepEqual(c.disk.extents.map((e) => e.label), ["191", "192"]);
  equal(a.get("DKSIZE"), 32);
  equal(b.get("DKSIZE"), 80);
  equal(c.get("DKSIZE"), 24, "two extents: their concatenation");
  equal(cp.minidisks.freeBlocks, 376);
  cp.destroy(b);
  deepEqual(
    cp.minidisks.layout().map((e) => [e.start, e.blocks, e.owner]),
    [[0, 32, "A"], [32, 80, "free"], [112, 16, "C"], [128, 8, "C"], [
      136,
      376,
      "free",
    ]],
  );
  const d = cp.vm("D").memory("64 KiB").minidisk("20 KiB").create();
  equal(d.disk.extents[0]!.start, 32, "first fit into the freed gap");
});

Deno.test("a minidisk larger than the free space is refused with a clear error, nothing allocated", () => {
  const cp = newMonitor("64 KiB");
  cp.vm("A").memory("64 KiB").minidisk("48 KiB").create();
  let message = "";
  try {
    cp.vm("B").memory("64 KiB").minidisk("32 KiB").create();
  } catch (e) {
    message = (e as Error).message;
  }
  ok(/minidisk of 64 blocks for B/.test(message), message);
  equal(cp.vms.has("B"), false);
  equal(cp.minidisks.freeBlocks, 32);
});

// ---------------------------------------------------------------------------
// Each VM sees its minidisk from block 0.

function twoVms(): { cp: Monitor; a: VirtualMachine; b: VirtualMachine } {
  const cp = newMonitor();
  const a = cp.vm("A").memory("64 KiB").minidisk("16 KiB").create();
  const b = cp.vm("B").memory("64 KiB").minidisk("16 KiB").create();
  return { cp, a, b };
}

Deno.test("data written by one VM lands in its extent at the right real block and is invisible to another", () => {
  const { cp, a, b } = twoVms();
  // A writes its blocks 2..4 from its memory at 0x8000; B reads its block 2.
  prepare(a, asm(transfer(2, 0x8000, 3, WRITE | GO)), {
    before: memoryPattern,
  });
  memoryPattern(a);
  prepare(b, asm(transfer(2, 0x8000, 1, READ | GO)), {});
  cp.run({ limit: 100_000 });
  equal(
    a.get("R0"),
    DONE | WRITE,
    "synchronous: DONE when MTPR returns, no error",
  );
  const ea = a.disk.extents[0]!, eb = b.disk.extents[0]!;
  const real = cp.machine.disk.readBlocks(ea.start + 2, 3);
  deepEqual(
    real,
    a.readPhysical(0x8000, 3 * 512),
    "A's blocks 2-4 are real blocks start+2..4",
  );
  equal(
    cp.machine.disk.readBlocks(ea.start + 1, 1).some((x) => x !== 0),
    false,
    "block 1 untouched",
  );
  equal(
    cp.machine.disk.readBlocks(ea.start + 5, 1).some((x) => x !== 0),
    false,
    "block 5 untouched",
  );
  ok(eb.start >= ea.start + ea.blocks, "B's extent is elsewhere");
  deepEqual(
    b.readPhysical(0x8000, 512),
    new Uint8Array(512),
    "B reads zeros, not A's data",
  );
  deepEqual(b.disk.readBlocks(0, 32), new Uint8Array(32 * 512));
  deepEqual(a.disk.readBlocks(2, 3), a.readPhysical(0x8000, 3 * 512));
});

Deno.test("a VM with two extents sees their concatenation (a transfer spanning both)", () => {
  const cp = newMonitor();
  const gap = cp.vm("GAP").memory("16 KiB").minidisk("4 KiB").create();
  const x = cp.vm("X").memory("64 KiB").minidisk("12 KiB").create();
  cp.destroy(gap); // a free gap of 8 blocks at 0
  const c = cp.vm("C").memory("64 KiB").minidisk("16 KiB").minidisk("4 KiB")
    .create();
  const [e1, e2] = c.disk.extents;
  ok(e1 && e2);
  equal(e2.start, 0, "the second extent went to the gap");
  ok(e1.start > e2.start, "the extents are not adjacent, and out of order");
  equal(c.get("DKSIZE"), 40);
  // Write blocks 30..33: the last two blocks of extent 1, the first two of extent 2.
  memoryPattern(c);
  prepare(c, asm(transfer(30, 0x8000, 4, WRITE | GO)), {});
  c.run({ limit: 1000 });
  equal(c.get("R0"), DONE | WRITE);
  const mem = c.readPhysical(0x8000, 4 * 512);
  deepEqual(
    cp.machine.disk.readBlocks(e1.start + 30, 2),
    mem.subarray(0, 1024),
  );
  deepEqual(cp.machine.disk.readBlocks(e2.start, 2), mem.subarray(1024));
  // And read back through the VM, into another buffer.
  prepare(c, asm(transfer(30, 0x4000, 4, READ | GO)), {});
  c.run({ limit: 1000 });
  deepEqual(c.readPhysical(0x4000, 4 * 512), mem);
  void x;
});

// ---------------------------------------------------------------------------
// Errors move nothing: the same as a bare disk of the same size.

const ERRORS: [string, number, number, number, number, number][] = [
  // [what, block, memory, count, DKCS written, expected ERRCODE]
  ["range beyond the minidisk", DISK_BLOCKS - 1, 0x8000, 2, READ | GO, 1],
  [
    "range beyond the minidisk (write)",
    DISK_BLOCKS - 1,
    0x8000,
    2,
    WRITE | GO,
    1,
  ],
  ["block 2^32-1", 0xffffffff, 0x8000, 1, READ | GO, 1],
  ["count 2^32-1", 0, 0x8000, 0xffffffff, WRITE | GO, 1],
  ["buffer beyond memory", 0, MEMORY - 512, 2, READ | GO, 2],
  ["buffer beyond memory (write)", 0, MEMORY - 256, 1, WRITE | GO, 2],
  ["buffer at 2^32-512", 0, 0xfffffe00, 1, READ | GO, 2],
  ["reserved function 0", 0, 0x8000, 1, GO, 3],
  ["reserved function 3", 0, 0x8000, 1, 3 | GO, 3],
  ["reserved function 3, asynchronous", 0, 0x8000, 1, 3 | GO | ASYNC, 3],
  ["range error, asynchronous", DISK_BLOCKS, 0x8000, 1, READ | GO | ASYNC, 1],
];
for (const [what, block, memory, count, cs, code] of ERRORS) {
  Deno.test(`${what}: DKCS ERR with ERRCODE ${code}, nothing moves (as a bare disk)`, () => {
    const p = equivalent(transfer(block, memory, count, cs), {
      before: withDisk,
    });
    const kept = cs & (3 | IE | ASYNC); // FUNC, IE and ASYNC read back
    equal(p.vm.get("R0"), DONE | ERR | (code << 12) | kept);
    // Nothing moved: the disk image and the memory pattern are intact.
    const d = diskImage(DISK_BLOCKS);
    deepEqual(p.vm.disk.readBlocks(0, DISK_BLOCKS), d);
    equal(readL(p.vm, 0x8000), 0xab000000);
    equal(readL(p.vm, MEMORY - 4), 0);
  });
}

Deno.test("an error with IE set interrupts at once through 0xD0", () => {
  const p = equivalent(transfer(DISK_BLOCKS, 0x8000, 1, READ | GO | IE), {
    before: withDisk,
  });
  equal(vectorTaken(p.vm), 0xd0);
  equal(p.vm.get("DKCS"), DONE | ERR | (1 << 12) | IE | READ);
});

Deno.test("errors on the real disk: a VM's range error never reaches real blocks outside its extent", () => {
  const { cp, a, b } = twoVms();
  cp.machine.disk.writeBlocks(0, diskImage(cp.machine.disk.blocks));
  const before = cp.machine.disk.readBlocks(0, cp.machine.disk.blocks);
  // A reads past its end (its next extent is B's): refused.
  prepare(a, asm(transfer(31, 0x8000, 2, READ | GO)), {});
  a.run({ limit: 100 });
  equal(a.get("R0"), DONE | ERR | 0x1000 | READ);
  deepEqual(a.readPhysical(0x8000, 1024), new Uint8Array(1024));
  deepEqual(cp.machine.disk.readBlocks(0, cp.machine.disk.blocks), before);
  void b;
});

// ---------------------------------------------------------------------------
// Successful transfers, as on a bare disk.

const TRANSFERS: [string, string][] = [
  ["synchronous read of 3 blocks", transfer(5, 0x8000, 3, READ | GO)],
  ["synchronous write of 3 blocks", transfer(5, 0x8000, 3, WRITE | GO)],
  ["read into an unaligned buffer", transfer(9, 0x8123, 2, READ | GO)],
  ["write from an unaligned buffer", transfer(9, 0x8123, 2, WRITE | GO)],
  [
    "a read of 100 blocks (more than the monitor's bounce buffer)",
    transfer(0, 0x4000, 100, READ | GO),
  ],
  ["the whole disk", transfer(0, 0x8000, DISK_BLOCKS, WRITE | GO)],
  ["zero blocks", transfer(3, 0x8000, 0, READ | GO)],
];
for (const [what, src] of TRANSFERS) {
  Deno.test(`${what}: complete before the MTPR returns, same memory and disk as bare`, () => {
    const p = equivalent(src, { before: withDisk });
    equal(p.vm.get("R0") & (DONE | ERR), DONE);
    ok(p.vm.stats.ioRequests >= 1);
  });
}

/** An asynchronous transfer: the guest reads DKCS at once, then idles until the interrupt. */
function asyncProgram(
  block: number,
  memory: number,
  count: number,
  func: number,
): string {
  return `MTPR #${block}, #PR$_DKBLK
     MTPR #^X${memory.toString(16)}, #PR$_DKMEM
     MTPR #${count}, #PR$_DKCNT
     MTPR #^X${(func | GO | ASYNC | IE).toString(16)}, #PR$_DKCS
     MFPR #PR$_DKCS, R0
idle: BRB idle
     .ALIGN LONG
handler: MFPR #PR$_DKCS, R1
     MOVPSL R2
     HALT`;
}

for (
  const [what, func, count] of [["read", READ, 4], ["write", WRITE, 4], [
    "read of zero blocks",
    READ,
    0,
  ]] as const
) {
  Deno.test(`asynchronous ${what}: returns at once (DONE=0), completes later with an interrupt at 0xD0, IPL 0x15`, () => {
    const a = asm(asyncProgram(7, 0x8100, count, func));
    const p = equivalent(a, {
      before: withDisk,
      vectors: { 0xd0: "handler" },
      limit: 10_000,
    });
    equal(p.vm.get("R0") & DONE, 0, "not done when the MTPR returned");
    equal(p.vm.get("R1") & (DONE | ERR), DONE);
    equal(p.vm.get("R2"), psl({ ipl: 0x15 }));
    deepEqual(stackTop(p.vm, 2), [
      a.symbol("idle"),
      psl({ cc: p.vm.get("R0") & 0x80000000 ? 8 : 0 }),
    ]);
    ok(p.virt.result.ns > 1_000_000, "the transfer took simulated disk time");
  });
}

Deno.test("asynchronous transfer with IE clear: DONE appears later, no interrupt", () => {
  const p = equivalent(
    `MTPR #7, #PR$_DKBLK
     MTPR #^X8000, #PR$_DKMEM
     MTPR #2, #PR$_DKCNT
     MTPR #^X${(READ | GO | ASYNC).toString(16)}, #PR$_DKCS
     MFPR #PR$_DKCS, R0
wait: MFPR #PR$_DKCS, R1
     BBC #7, R1, wait
     HALT`,
    { before: withDisk, limit: 1_000_000, timing: true },
  );
  equal(p.vm.get("R0") & DONE, 0);
  equal(p.vm.get("R1"), DONE | READ | ASYNC);
});

/** Starts an asynchronous transfer, resets the bus at once, waits, reads DKCS. */
function ioresetProgram(func: number, count: number): string {
  return `MTPR #7, #PR$_DKBLK
     MTPR #^X8000, #PR$_DKMEM
     MTPR #${count}, #PR$_DKCNT
     MTPR #^X${(func | GO | ASYNC | IE).toString(16)}, #PR$_DKCS
     MTPR #0, #PR$_IORESET
     CLRL R0
loop: INCL R0
     CMPL R0, #150000
     BLSS loop
     MFPR #PR$_DKCS, R1
     HALT`;
}

Deno.test("IORESET abandons an asynchronous transfer: no data, no interrupt (as bare)", () => {
  const p = equivalent(ioresetProgram(READ, 2), {
    before: withDisk,
    limit: 1_000_000,
  });
  equal(vectorTaken(p.vm), -1, "no disk interrupt");
  equal(p.vm.get("R1"), DONE, "DKCS after reset");
  equal(p.vm.get("DKBLK"), 0, "the registers were reset");
  equal(readL(p.vm, 0x8000), 0xab000000, "the buffer was not written");
});

Deno.test("IORESET abandons an asynchronous write: the disk is unchanged (as bare)", () => {
  const p = equivalent(ioresetProgram(WRITE, 20), {
    before: withDisk,
    limit: 1_000_000,
  });
  equal(vectorTaken(p.vm), -1, "no disk interrupt");
  deepEqual(p.vm.disk.readBlocks(0, DISK_BLOCKS), diskImage(DISK_BLOCKS));
});

Deno.test("IORESET in one VM does not disturb another VM's queued request", () => {
  const cp = newMonitor();
  const a = cp.vm("A").memory("64 KiB").minidisk("32 KiB").create();
  const b = cp.vm("B").memory("64 KiB").minidisk("32 KiB").create();
  a.disk.writeBlocks(0, diskImage(64));
  b.disk.writeBlocks(0, diskImage(64).reverse());
  prepare(
    a,
    asm(`MTPR #0, #PR$_DKBLK
     MTPR #^X8000, #PR$_DKMEM
     MTPR #30, #PR$_DKCNT
     MTPR #^X${(READ | GO | ASYNC).toString(16)}, #PR$_DKCS
     MTPR #0, #PR$_IORESET
     HALT`),
    {},
  );
  prepare(b, asm(asyncProgram(0, 0x8000, 30, READ)), {
    vectors: { 0xd0: "handler" },
  });
  cp.run({ limit: 1_000_000 });
  deepEqual(
    a.readPhysical(0x8000, 512),
    new Uint8Array(512),
    "A's abandoned read moved nothing",
  );
  equal(b.get("R1") & (DONE | ERR), DONE);
  deepEqual(b.readPhysical(0x8000, 30 * 512), b.disk.readBlocks(0, 30));
});

// ---------------------------------------------------------------------------
// Several VMs, one real disk.

Deno.test("two VMs issuing asynchronous I/O: the requests queue on the one real disk", () => {
  const cp = newMonitor();
  cp.machine.trace.enabled = true;
  const vms = ["A", "B", "C"].map((n) =>
    cp.vm(n).memory("64 KiB").minidisk("32 KiB").create()
  );
  for (const [i, vm] of vms.entries()) {
    vm.disk.writeBlocks(
      0,
      diskImage(64).subarray(i * 512 * 8, i * 512 * 8 + 64 * 512 - i * 512 * 8),
    );
    prepare(vm, asm(asyncProgram(1, 0x8000, 16, READ)), {
      vectors: { 0xd0: "handler" },
    });
  }
  const r = cp.run({ limit: 1_000_000 });
  equal(r.stop, "halt");
  for (const [i, vm] of vms.entries()) {
    equal(vm.get("R0") & DONE, 0, `${vm.name}: asynchronous`);
    equal(
      vm.get("R1") & (DONE | ERR),
      DONE,
      `${vm.name}: completed without error`,
    );
    deepEqual(
      vm.readPhysical(0x8000, 16 * 512),
      vm.disk.readBlocks(1, 16),
      `${vm.name}: its own data`,
    );
    equal(readLongs(vm, 0x8000, 1)[0]! & 0xff, (1 + i * 8) & 0xff);
  }
  // The real disk did one transfer at a time: no two overlap in time.
  const hist = cp.machine.disk.history.filter((t) => t.error === 0);
  ok(hist.length >= 3);
  for (let k = 1; k < hist.length; k++) {
    ok(
      hist[k]!.start >= hist[k - 1]!.end,
      `transfer ${k} starts after ${k - 1} ends`,
    );
  }
  // Every VM issued at about the same time, so the later ones waited.
  const done = cp.machine.trace.events.filter((e) =>
    e.kind === "minidisk" && /complete/.test(e.text)
  );
  equal(done.length, 3);
  const waited = done.map((e) => Number(e.data?.waitedNs));
  ok(
    waited[2]! > waited[0]!,
    `queued requests wait longer: ${waited.join(", ")}`,
  );
});

Deno.test("a synchronous request behind another VM's asynchronous one waits for the real disk", () => {
  const cp = newMonitor();
  const a = cp.vm("A").memory("64 KiB").minidisk("32 KiB").create();
  const b = cp.vm("B").memory("64 KiB").minidisk("32 KiB").create();
  a.disk.writeBlocks(0, diskImage(64));
  b.disk.writeBlocks(0, diskImage(64).reverse());
  prepare(a, asm(asyncProgram(0, 0x8000, 32, READ)), {
    vectors: { 0xd0: "handler" },
  });
  prepare(b, asm(transfer(0, 0x8000, 32, READ | GO)), {});
  cp.run({ limit: 1_000_000 });
  equal(b.get("R0"), DONE | READ);
  deepEqual(a.readPhysical(0x8000, 32 * 512), a.disk.readBlocks(0, 32));
  deepEqual(b.readPhysical(0x8000, 32 * 512), b.disk.readBlocks(0, 32));
  ok(b.stats.waitNs > 0);
});
