// BATCH (issue 12, DOS/VS's place): the job deck on the disk, read with the
// disk controller and run job after job; different decks give different
// lines; errors of the deck and of jobs; the same job lines bare, under a
// monitor and under CP under CP.
import {
  deepEqual,
  equal,
  match,
  notDeepEqual,
  ok,
  throws,
} from "node:assert/strict";
import { Machine } from "../../src/machine/machine.ts";
import { Monitor } from "../../src/monitor/monitor.ts";
import { CP } from "../../src/monitor/cp/cp.ts";
import type { Hardware } from "../../src/machine/hardware.ts";
import {
  type BatchJob,
  batchReport,
  bootBatch,
  DEFAULT_BATCH_JOBS,
  eojLine,
  expectedJobResult,
  hasJobDeck,
  VM370_GUESTS,
  writeJobDeck,
} from "../../src/guests/mod.ts";

const withoutTime = (out: string) =>
  out.split("\r\n").map((l) => l.replace(/ {2}TIME \d+ MS$/, ""));

function bare(jobs?: readonly BatchJob[], disk = "64 KiB"): Machine {
  const m = new Machine({ memory: "64 KiB", disk });
  bootBatch(m, jobs ? { jobs } : {});
  const r = m.run({ limit: 50_000_000 });
  equal(r.stop, "halt", m.console.output);
  return m;
}

const DECK_A: BatchJob[] = [
  { name: "P1000", program: "primes", limit: 1000 },
  { name: "SUMS", program: "crc", data: new Uint8Array(1500).fill(0x5a) },
];
const DECK_B: BatchJob[] = [
  { name: "SUMS", program: "crc", data: new Uint8Array(700).fill(0x11) },
  { name: "P50", program: "primes", limit: 50 },
  { name: "P5000", program: "primes", limit: 5000 },
];

Deno.test("BATCH runs the default deck job after job, one line per job, and halts", () => {
  const m = bare(DEFAULT_BATCH_JOBS);
  const lines = withoutTime(m.console.output);
  deepEqual(lines, [
    "BATCH: vmmlab batch monitor, 4 jobs on the deck",
    eojLine("PAYROLL", expectedJobResult(DEFAULT_BATCH_JOBS[0]!)!),
    eojLine("PRIMES", 303),
    "REPORT: summing 1 to 100",
    eojLine("REPORT", 5050),
    "BATCH: JOB BADJOB    ABEND EXCEPTION 0x00000010 AT PC 0x00004000",
    "BATCH: end of job stream, 4 jobs, 1 abended or rejected",
    "",
  ]);
  const r = batchReport(m.console.output);
  deepEqual(r.map((j) => j.status), ["EOJ", "EOJ", "EOJ", "ABEND"]);
  // Time is TODR's (10 ms steps), and PRIMES is the longest job.
  ok(r.every((j) => j.ms !== undefined && j.ms % 10 === 0));
  ok(r[1]!.ms! > r[0]!.ms!);
});

Deno.test("different decks give different job lines, each with the host's result", () => {
  for (const deck of [DECK_A, DECK_B]) {
    const r = batchReport(bare(deck).console.output);
    deepEqual(
      r.map((j) => [j.name, j.status, j.result]),
      deck.map((j) => [j.name, "EOJ", expectedJobResult(j)! | 0]),
    );
  }
  notDeepEqual(
    batchReport(bare(DECK_A).console.output).map((j) => j.result),
    batchReport(bare(DECK_B).console.output).map((j) => j.result),
  );
});

Deno.test("CODE jobs: arguments in R0-R2, CHMK #2 reads blocks, a CRC of blocks already on the disk", () => {
  const m = new Machine({ memory: "64 KiB", disk: "64 KiB" });
  const data = new Uint8Array(1024).map((_, i) => (i * 7) & 0xff);
  m.disk.writeBlocks(100, data);
  const jobs: BatchJob[] = [
    {
      name: "ARGS",
      program: "code",
      args: [3, 40, 0x100],
      code: "ADDL2 R1, R0\n ADDL2 R2, R0\n CHMK #0",
    },
    {
      name: "READER",
      program: "code",
      code: `MOVL #101, R0
        MOVL #1, R1
        MOVAB BUF, R2
        CHMK #2             ; read block 101
        MOVL BUF+4, R0      ; its second longword
        CHMK #0
BUF:    .BLKB 512`,
    },
    {
      name: "BADREAD",
      program: "code",
      code:
        "MOVL #5000, R0\n MOVL #1, R1\n MOVL #^X8000, R2\n CHMK #2\n CHMK #0",
    },
    { name: "OLDDATA", program: "crc", start: 100, blocks: 2 },
    {
      name: "DIVZERO",
      program: "code",
      code: "CLRL R1\n DIVL3 R1, #5, R0\n CHMK #0",
    },
    { name: "CHMU", program: "code", code: "CHMU #3" },
  ];
  writeJobDeck(m.disk, jobs);
  bootBatch(m);
  equal(m.run({ limit: 20_000_000 }).stop, "halt");
  const r = batchReport(m.console.output);
  const dv = new DataView(data.buffer);
  deepEqual(r.map((j) => [j.name, j.status, j.result]), [
    ["ARGS", "EOJ", 3 + 40 + 0x100],
    ["READER", "EOJ", dv.getInt32(512 + 4, true)],
    ["BADREAD", "EOJ", -17], // block range outside the disk
    ["OLDDATA", "EOJ", expectedJobResult(jobs[3]!, m.disk)! | 0],
    ["DIVZERO", "ABEND", 0x34], // integer divide by zero: arithmetic trap
    ["CHMU", "ABEND", 0x4c],
  ]);
  match(m.console.output, /end of job stream, 6 jobs, 2 abended/);
});

Deno.test("a disk without a deck, a bad job count and rejected jobs are reported, not crashes", () => {
  const none = bare(undefined);
  equal(hasJobDeck(none.disk), false);
  match(
    none.console.output,
    /BATCH: vmmlab batch monitor, no job deck on the disk \(block 0 does not start with JOBS\)/,
  );
  // A header written by hand: 16 jobs.
  const m = new Machine({ memory: "64 KiB", disk: "64 KiB" });
  const h = new Uint8Array(512);
  h.set(new TextEncoder().encode("JOBS"));
  new DataView(h.buffer).setUint32(4, 16, true);
  m.disk.writeBlocks(0, h);
  bootBatch(m);
  m.run({ limit: 1_000_000 });
  match(m.console.output, /bad job deck: 16 jobs \(expected 1 to 15\)/);
  // Entries a host helper would refuse: unknown kind, too many blocks, none.
  const deck = writeJobDeck(m.disk, [
    { name: "A", program: "primes", limit: 10 },
    { name: "B", program: "primes", limit: 10 },
    { name: "C", program: "crc", start: 1, blocks: 1 },
    { name: "D", program: "primes", limit: 10 },
  ]);
  equal(deck.blocks, 1);
  const hdr = m.disk.readBlocks(0, 1);
  const hv = new DataView(hdr.buffer, hdr.byteOffset);
  hv.setUint32(8 + 8, 7, true); // A: kind 7
  hv.setUint32(8 + 32 + 16, 81, true); // B: 81 blocks
  hv.setUint32(8 + 64 + 16, 0, true); // C: CRC of no blocks
  m.disk.writeBlocks(0, hdr);
  bootBatch(m);
  m.run({ limit: 5_000_000 });
  const r = batchReport(m.console.output);
  deepEqual(r.map((j) => [j.name, j.status]), [
    ["A", "REJECTED"],
    ["B", "REJECTED"],
    ["C", "REJECTED"],
    ["D", "EOJ"],
  ]);
  match(m.console.output, /JOB A {9}REJECTED: unknown kind/);
  match(
    m.console.output,
    /JOB B {9}REJECTED: more blocks than the job area holds \(80\)/,
  );
});

Deno.test("writeJobDeck refuses bad jobs, naming the job and the reason", () => {
  const disk = new Machine({ memory: "64 KiB", disk: "8 KiB" }).disk;
  throws(() => writeJobDeck(disk, []), /expected 1 to 15/);
  throws(
    () =>
      writeJobDeck(disk, [{
        name: "TOO-LONG-NAME",
        program: "primes",
        limit: 1,
      }]),
    /job 1 \("TOO-LONG-NAME"\): expected a name of 1 to 8/,
  );
  throws(
    () => writeJobDeck(disk, [{ name: "X", program: "primes", limit: -1 }]),
    /job 1 \("X"\): limit -1/,
  );
  throws(
    () =>
      writeJobDeck(disk, [
        { name: "OK", program: "primes", limit: 1 },
        { name: "BIG", program: "crc", data: new Uint8Array(81 * 512) },
      ]),
    /job 2 \("BIG"\): 81 blocks: the job area holds 80/,
  );
  throws(
    () =>
      writeJobDeck(disk, [{
        name: "FAT",
        program: "crc",
        data: new Uint8Array(20 * 512),
      }]),
    /needs 21 blocks, the disk has 16/,
  );
  throws(
    () =>
      writeJobDeck(disk, [{ name: "S", program: "code", code: "MOVX R0, R1" }]),
    /MOVX/,
  );
  throws(
    () =>
      writeJobDeck(disk, [
        { name: "Q", program: "sort" } as unknown as BatchJob,
      ]),
    /unknown program "sort": expected "primes", "crc" or "code"/,
  );
});

Deno.test("the same job lines bare, under a monitor, and under CP under CP (DOSVS from a directory)", () => {
  const expected = withoutTime(bare(DECK_B).console.output);
  const monitor = Monitor.on(new Machine({ memory: "4 MiB", disk: "1 MiB" }));
  const vm = monitor.vm("DOS").memory("64 KiB").minidisk("64 KiB").create();
  bootBatch(vm, { jobs: DECK_B });
  equal(monitor.run({ limit: 50_000_000 }).stop, "halt");
  deepEqual(withoutTime(vm.console.output), expected);
  // Every job ended with a system call that the monitor saw.
  ok(
    (vm.stats.exits.CHMK ?? 0) >= DECK_B.length,
    JSON.stringify(vm.stats.exits),
  );
  // Two levels: the job deck written on the inner VM's minidisk by the host.
  const real = new Machine({ memory: "8 MiB", disk: "2 MiB" });
  const outer = CP.fromDirectory(
    Monitor.on(real),
    "USER CP2 PW 1M\n  MDISK 191 FB-512 100 1024 VMLAB2",
  );
  const inner = CP.fromDirectory(
    Monitor.on(outer.vm("CP2")),
    "USER DOSVS PW 128K\n  MDISK 191 FB-512 200 128 VMLAB3",
    { guests: VM370_GUESTS },
  );
  const dos: Hardware = inner.vm("DOSVS");
  writeJobDeck(dos.disk, DECK_B);
  inner.ipl("DOSVS", "DOSVS"); // keeps the deck it finds
  outer.begin(undefined, { forNs: 30_000_000_000 });
  deepEqual(withoutTime(dos.console.output), expected);
  // ... and it was read through the real disk at the extents' offsets.
  deepEqual(
    real.disk.readBlocks(100 + 200, 1),
    dos.disk.readBlocks(0, 1),
  );
});

Deno.test("JOB statements in the directory are DOSVS's deck; bad ones name the line", () => {
  const cp = CP.fromDirectory(
    Monitor.on(new Machine({ memory: "4 MiB", disk: "1 MiB" })),
    `USER DOSVS PW 128K
  IPL DOSVS
  MDISK 191 FB-512 100 128 V1
  JOB P100 PRIMES 100
  JOB CHECK CRC 0 2
USER CMS PW 64K
  IPL CMS
  MDISK 191 FB-512 300 128 V1`,
    { guests: VM370_GUESTS },
  );
  const dos = cp.vm("DOSVS");
  cp.begin("DOSVS", { forNs: 10_000_000_000 });
  const r = batchReport(dos.console.output);
  // CHECK sums blocks 0-1 of the minidisk: the deck's header and what follows.
  deepEqual(r.map((j) => [j.name, j.status, j.result]), [
    ["P100", "EOJ", 25],
    [
      "CHECK",
      "EOJ",
      expectedJobResult(
        { name: "CHECK", program: "crc", start: 0, blocks: 2 },
        dos.disk,
      )! | 0,
    ],
  ]);
  // A function guest reads no deck.
  match(cp.command("IPL DOSVS CMS"), /CMS READS NO JOB DECK; DOSVS HAS 2 JOB/);
  throws(
    () =>
      CP.fromDirectory(
        Monitor.on(new Machine({ memory: "4 MiB", disk: "1 MiB" })),
        `USER DOSVS PW 128K
  MDISK 191 FB-512 100 128 V1
  JOB A PRIMES
  JOB TOOLONGNAME PRIMES 5
  JOB B SORT 1
  JOB C CRC 100 50
  IPL DOSVS`,
        { guests: VM370_GUESTS },
      ),
    (e: unknown) => {
      const text = String(e);
      match(text, /line 3: expected JOB name PRIMES limit/);
      match(text, /line 4: bad job name "TOOLONGNAME"/);
      match(text, /line 5: unknown job program "SORT"/);
      match(
        text,
        /line 6: JOB C: blocks 100-149 lie beyond DOSVS's disk \(128 blocks\)/,
      );
      return true;
    },
  );
});
