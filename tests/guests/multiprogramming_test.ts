import assert from "node:assert/strict";
import { Machine } from "../../src/machine/machine.ts";
import type { TraceEvent } from "../../src/machine/trace.ts";
import { IPR } from "../../src/arch/ipr.ts";
import { SCB } from "../../src/arch/scb.ts";
import {
  assembleMultiprogramming,
  bootMultiprogramming,
  crc32,
  guestHex,
  MULTIPROGRAMMING_ERRORS,
  MULTIPROGRAMMING_LAYOUT,
  MULTIPROGRAMMING_SOURCE,
  MULTIPROGRAMMING_SYSCALLS,
  type MultiprogrammingBootOptions,
  multiprogrammingDisk,
} from "../../src/guests/mod.ts";

const BANNER = "o: vmmlab multiprogramming OS, 3 processes, disk I/O ";
const FINAL = "o: all processes exited, halting";

function run(options: MultiprogrammingBootOptions = {}) {
  const m = new Machine({ memory: "128 KiB", disk: "64 KiB", trace: true });
  const image = bootMultiprogramming(m, options);
  const result = m.run({ limit: 20_000_000 });
  const lines = m.console.output.split("\r\n");
  assert.equal(lines.pop(), "", "the output ends with CR LF");
  return { m, image, result, lines, trace: m.trace.events };
}

function workerLines(pid: number): string[] {
  const disk = multiprogrammingDisk();
  const lines: string[] = [];
  const n = MULTIPROGRAMMING_LAYOUT.records;
  const first = 16 * pid;
  for (let b = first; b < first + n; b++) {
    const crc = crc32(disk.subarray(b * 512, b * 512 + 512));
    lines.push(`P${pid}: block ${b} crc ${guestHex(crc)}`);
  }
  const all = crc32(disk.subarray(first * 512, (first + n) * 512));
  lines.push(`P${pid}: blocks ${first}-${first + n - 1} crc ${guestHex(all)}`);
  lines.push(`P${pid}: wrote block ${first + 7}, read back ok`);
  return lines;
}

const P3_LINES = [
  "P3: disk label: VMMLAB DEMO DISK",
  "P3: read into kernel space: error -1",
  "P3: read past the end of P0: error -1",
  "P3: read into its own code: error -1",
  "P3: read beyond the disk: error -17",
  "P3: read of 0 blocks: error -3",
  "P3: console write from kernel space: error -1",
  "P3: system call 99: error -2",
  "P3: yield: 0",
  "P3: now touching kernel memory",
];

function processLines(lines: string[], pid: number): string[] {
  return lines.filter((l) => l.startsWith(`P${pid}: `));
}

function killLine(): string {
  const image = assembleMultiprogramming();
  const pc = image.userAddress(image.assembly.symbol("ERRDEMO_FAULT"));
  return `o: p3 killed by exception 0x00000020 at PC ${guestHex(pc)}`;
}

const mode = (psl: number | undefined) => ((psl ?? 0) >>> 24) & 3;

for (const diskMode of ["async", "sync"] as const) {
  Deno.test(`o (${diskMode}) boots, runs its processes and halts with the expected output`, () => {
    const { m, result, lines } = run({ diskMode });
    assert.equal(result.stop, "halt");
    assert.equal(result.reason, "HALT instruction");
    assert.equal(
      lines[0],
      BANNER + (diskMode === "async" ? "asynchronous" : "synchronous"),
    );
    assert.equal(lines.at(-1), FINAL);
    assert.deepEqual(processLines(lines, 1), workerLines(1));
    assert.deepEqual(processLines(lines, 2), workerLines(2));
    assert.deepEqual(processLines(lines, 3), P3_LINES);
    const kernel = lines.filter((l) => l.startsWith("o: "));
    assert.deepEqual(
      [...kernel].sort(),
      [
        lines[0]!,
        "o: p1 exited",
        "o: p2 exited",
        killLine(),
        FINAL,
      ].sort(),
    );
    assert.equal(lines.length, kernel.length + 6 + 6 + P3_LINES.length);
    // p3's line about touching kernel memory comes before it is killed
    assert.ok(
      lines.indexOf("P3: now touching kernel memory") <
        lines.indexOf(killLine()),
    );
    // the result blocks the workers wrote
    for (const pid of [1, 2]) {
      const block = m.disk.readBlocks(16 * pid + 7);
      const v = new DataView(block.buffer);
      assert.equal(
        new TextDecoder().decode(block.subarray(0, 4)),
        "RSLT",
      );
      assert.equal(v.getUint32(4, true), pid);
      const crcs = workerLines(pid).slice(0, 5).map((l) =>
        parseInt(l.slice(-8), 16)
      );
      for (let r = 0; r < 5; r++) {
        assert.equal(v.getUint32(8 + 4 * r, true), crcs[r]);
      }
    }
  });
}

Deno.test("o: synchronous and asynchronous disk I/O give the same data and checksums", () => {
  const a = run({ diskMode: "async" });
  const s = run({ diskMode: "sync" });
  for (const pid of [1, 2, 3]) {
    assert.deepEqual(processLines(a.lines, pid), processLines(s.lines, pid));
  }
  assert.deepEqual(a.m.disk.readBlocks(0, 128), s.m.disk.readBlocks(0, 128));
  const modes = (t: readonly TraceEvent[]) =>
    new Set(
      t.filter((e) => e.kind === "io-start" && !e.data?.error).map((e) =>
        e.text.endsWith("async") ? "async" : "sync"
      ),
    );
  assert.deepEqual(modes(a.trace), new Set(["async"]));
  assert.deepEqual(modes(s.trace), new Set(["sync"]));
  // asynchronous transfers complete through the disk interrupt
  const diskInterrupts = (t: readonly TraceEvent[]) =>
    t.filter((e) => e.kind === "interrupt" && e.vector === SCB.DISK).length;
  assert.ok(diskInterrupts(a.trace) > 0);
  assert.equal(diskInterrupts(s.trace), 0);
});

Deno.test("o: a disk error and bad buffers reach the user process as error codes", () => {
  const { trace, lines, result } = run();
  assert.equal(result.stop, "halt");
  for (
    const [what, code] of [
      ["read into kernel space", MULTIPROGRAMMING_ERRORS.FAULT],
      ["read past the end of P0", MULTIPROGRAMMING_ERRORS.FAULT],
      ["read into its own code", MULTIPROGRAMMING_ERRORS.FAULT],
      ["read beyond the disk", MULTIPROGRAMMING_ERRORS.DISK_RANGE],
      ["read of 0 blocks", MULTIPROGRAMMING_ERRORS.INVAL],
      ["console write from kernel space", MULTIPROGRAMMING_ERRORS.FAULT],
      ["system call 99", MULTIPROGRAMMING_ERRORS.NOSYS],
    ] as const
  ) {
    assert.ok(lines.includes(`P3: ${what}: error ${code}`), what);
  }
  // The disk itself refused the read beyond its end (DKCS ERR, ERRCODE 1).
  const refused = trace.filter((e) => e.kind === "io-start" && e.data?.error);
  assert.equal(refused.length, 1);
  assert.equal(refused[0]!.data!.block, 0x10000);
  assert.equal(refused[0]!.data!.error, 1);
  // The bad buffers never reached the disk: p3 read block 0 only once.
  const block0 = trace.filter((e) =>
    e.kind === "io-start" && e.data?.block === 0
  );
  assert.equal(block0.length, 1);
  // The kernel never took an exception in kernel mode (no panic).
  for (const e of trace.filter((e) => e.kind === "exception")) {
    assert.equal(mode(e.psl), 3, `exception ${e.text} from user mode`);
  }
  assert.ok(!lines.some((l) => l.includes("panic")));
});

Deno.test("o: simulated time and the trace are deterministic", () => {
  for (const diskMode of ["async", "sync"] as const) {
    const a = run({ diskMode });
    const b = run({ diskMode });
    assert.equal(a.m.now, b.m.now);
    assert.equal(a.m.instructions, b.m.instructions);
    assert.equal(a.trace.length, b.trace.length);
    assert.deepEqual(a.trace, b.trace);
    assert.equal(a.m.console.output, b.m.console.output);
  }
});

Deno.test("o: the interval timer switches between the processes round robin", () => {
  for (const diskMode of ["async", "sync"] as const) {
    const { trace, image, lines } = run({ diskMode });
    const [idle, p1, p2, p3] = image.pcbs;
    const loads = trace.filter((e) => e.kind === "ldpctx").map((e) =>
      e.data!.pcbb as number
    );
    assert.deepEqual(new Set(loads), new Set([idle, p1, p2, p3]));
    // LDPCTX alternates between user processes, p1 -> p2 and p2 -> p1 often
    const users = loads.filter((p) => p !== idle);
    let p1p2 = 0;
    let p2p1 = 0;
    for (let i = 1; i < users.length; i++) {
      if (users[i - 1] === p1 && users[i] === p2) p1p2++;
      if (users[i - 1] === p2 && users[i] === p1) p2p1++;
    }
    assert.ok(p1p2 >= 2 && p2p1 >= 2, `${diskMode}: ${users.join(",")}`);
    // Preemption: a timer tick interrupts user code, the level-3 software
    // interrupt follows at the same PC, and another process is loaded.
    let preempted = 0;
    for (let i = 0; i < trace.length; i++) {
      const e = trace[i]!;
      if (
        e.kind !== "interrupt" || e.vector !== SCB.INTERVAL_TIMER ||
        mode(e.psl) !== 3
      ) continue;
      const next = trace.slice(i + 1).find((x) =>
        x.kind === "interrupt" || x.kind === "chm" || x.kind === "exception"
      );
      if (
        next?.vector === SCB.SOFTWARE_BASE + 4 * 3 && next.pc === e.pc &&
        mode(next.psl) === 3
      ) preempted++;
    }
    assert.ok(preempted >= 4, `${diskMode}: ${preempted} preemptions`);
    // Both workers print before either finishes.
    const first = (pid: number) =>
      lines.findIndex((l) => l.startsWith(`P${pid}: block`));
    const done = (pid: number) =>
      lines.findIndex((l) => l.startsWith(`P${pid}: wrote`));
    assert.ok(first(2) < done(1) && first(1) < done(2));
  }
});

Deno.test("o: a read goes p -> CHMK -> o -> disk -> interrupt -> o -> p", () => {
  for (const diskMode of ["async", "sync"] as const) {
    const { m, trace, image } = run({ diskMode });
    // o's CHMK vector is its system-call entry
    const scbb = m.get("SCBB");
    const vec = new DataView(m.readPhysical(scbb + SCB.CHMK, 4).buffer)
      .getUint32(0, true);
    assert.equal(vec, image.assembly.symbol("K_CHMK"));
    // p1 issues its first read
    const i0 = trace.findIndex((e) =>
      e.kind === "chm" && e.data?.code === MULTIPROGRAMMING_SYSCALLS.DISK_READ
    );
    const chm = trace[i0]!;
    assert.equal(mode(chm.psl), 3, "from user mode");
    assert.equal(mode(chm.newPsl), 0, "into kernel mode");
    // o starts the transfer, it completes
    const i1 = trace.findIndex((e, i) => i > i0 && e.kind === "io-start");
    assert.ok(i1 > i0);
    assert.equal(trace[i1]!.data!.block, 16);
    const i2 = trace.findIndex((e, i) => i > i1 && e.kind === "io-done");
    assert.ok(i2 > i1);
    assert.equal(trace[i2]!.data!.block, 16);
    // o returns to p1 right after its CHMK (CHMK #2 is two bytes long)
    const i3 = trace.findIndex((e, i) =>
      i > i2 && e.kind === "rei" && mode(e.newPsl) === 3 &&
      e.data?.to === chm.pc! + 2
    );
    assert.ok(i3 > i2);
    if (diskMode === "async") {
      // p1 slept: the disk interrupt woke it and o loaded its context again
      const irq = trace.findIndex((e, i) =>
        i > i1 && e.kind === "interrupt" && e.vector === SCB.DISK
      );
      assert.ok(irq > i2 && irq < i3);
      const others = trace.slice(i1, i2).filter((e) => e.kind === "ldpctx");
      assert.ok(others.some((e) => e.data!.pcbb !== image.pcbs[1]));
      const back = trace.slice(irq, i3).filter((e) => e.kind === "ldpctx");
      assert.equal(back.at(-1)?.data?.pcbb, image.pcbs[1]);
    } else {
      // the MTPR that set GO returned with the transfer done
      assert.ok(trace[i2]!.ns > trace[i1]!.ns);
      assert.ok(
        !trace.slice(i0, i2).some((e) => e.kind === "ldpctx"),
        "no switch during a synchronous transfer",
      );
    }
    // p1 continues: its next system call comes from user mode after that
    const i4 = trace.findIndex((e, i) =>
      i > i3 && e.kind === "chm" && e.pc! > chm.pc!
    );
    assert.ok(i4 > i3);
    assert.equal(mode(trace[i4]!.psl), 3);
  }
});

Deno.test("o: the time slice can be patched at boot", () => {
  const short = run({ quantumTicks: 1 });
  const long = run({ quantumTicks: 100 });
  assert.equal(long.result.stop, "halt");
  for (const pid of [1, 2, 3]) {
    assert.deepEqual(
      processLines(long.lines, pid),
      processLines(short.lines, pid),
    );
  }
  const swi = (t: readonly TraceEvent[]) =>
    t.filter((e) =>
      e.kind === "interrupt" && e.vector === SCB.SOFTWARE_BASE + 12 &&
      mode(e.psl) === 3
    ).length;
  assert.ok(swi(long.trace) < swi(short.trace));
});

Deno.test("o: boot checks its options and the machine", () => {
  const m = new Machine({ memory: "64 KiB", disk: "64 KiB" });
  assert.throws(() => bootMultiprogramming(m), /at least 131072/);
  const small = new Machine({ memory: "128 KiB", disk: "16 KiB" });
  assert.throws(() => bootMultiprogramming(small), /disk of 32 blocks/);
  const ok = new Machine({ memory: "128 KiB", disk: "64 KiB" });
  assert.throws(
    () =>
      bootMultiprogramming(ok, {
        diskMode: "fast" as unknown as "sync",
      }),
    /disk mode "fast"/,
  );
  assert.throws(
    () => bootMultiprogramming(ok, { quantumTicks: 0 }),
    /time slice of 0/,
  );
});

Deno.test("o: boot loads the image and sets the power-up state on any target", () => {
  const calls: string[] = [];
  const loads: [number, number][] = [];
  const writes: number[] = [];
  const image = bootMultiprogramming({
    load: (bytes, address) => void loads.push([address, bytes.length]),
    set: (name, value) => void calls.push(`${name}=${value.toString(16)}`),
    disk: { writeBlocks: (block) => void writes.push(block) },
  });
  assert.deepEqual(loads, [[0x1000, image.bytes.length]]);
  assert.deepEqual(calls, [
    "MAPEN=0",
    "PSL=41f0000",
    `SP=${image.stack.toString(16)}`,
    "PC=1000",
  ]);
  assert.deepEqual(writes, [0]);
  assert.equal(image.entry, MULTIPROGRAMMING_LAYOUT.loadAddress);
});

Deno.test("o: the image fits its memory map", () => {
  const image = assembleMultiprogramming();
  const s0 = 0x80000000;
  assert.equal(image.origin, s0 + image.loadAddress);
  assert.equal((image.assembly.symbol("SCB") - s0) % 512, 0);
  assert.equal((image.assembly.symbol("SPT") - s0) % 512, 0);
  assert.ok(image.loadAddress + image.bytes.length <= image.regions[1]!);
  assert.deepEqual(image.regions, [0, 0x10000, 0x12000, 0x14000]);
  assert.equal(image.pcbs[0], image.assembly.symbol("PROCTAB") - s0);
  // Handlers the SCB points at are longword aligned.
  for (
    const name of ["K_CHMK", "K_SWITCH", "K_CLOCK", "K_DISK", "K_TXINT"]
  ) {
    assert.equal(image.assembly.symbol(name) % 4, 0, name);
  }
});

Deno.test("o: the source's IPR numbers agree with src/arch", () => {
  const defs = [
    ...MULTIPROGRAMMING_SOURCE.matchAll(/^PR\$_(\w+)\s*=\s*(\d+)/gm),
  ];
  assert.ok(defs.length >= 15);
  for (const [, name, value] of defs) {
    assert.equal(
      IPR[name as keyof typeof IPR],
      Number(value),
      `PR$_${name}`,
    );
  }
});
