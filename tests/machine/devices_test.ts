// The devices of a bare machine (vax-architecture.md 9.1, 9.2; devices.md):
// console, interval timer and disk, driven by programs through their IPRs.
import { deepEqual, equal, ok } from "node:assert/strict";
import { Machine } from "../../src/machine/machine.ts";
import { assemble } from "../../src/asm/assembler.ts";
import { DISK_ERROR, DKCS } from "../../src/machine/devices/disk.ts";

/** A machine with `source` at 0x200, an SCB at 0x1000, on the kernel stack. */
function machine(source: string, opts: { disk?: string } = {}): Machine {
  const m = new Machine({ memory: "64 KiB", disk: opts.disk ?? "16 KiB" });
  const p = assemble(source, { origin: 0x200 });
  m.load(p.bytes, p.origin);
  m.set("SCBB", 0x1000);
  m.set("ISP", 0x9000);
  m.set("PSL", 0x001f0000); // kernel stack, IPL 31: the program lowers it
  m.set("SP", 0x8000);
  m.set("PC", 0x200);
  return m;
}

/** Points SCB vector v at label `handler` of a program assembled at 0x200. */
function vector(m: Machine, v: number, source: string, label: string): void {
  const addr = assemble(source, { origin: 0x200 }).symbol(label);
  m.writePhysical(0x1000 + v, new Uint8Array(new Uint32Array([addr]).buffer));
}

Deno.test("console output: TXDB characters appear on the host side, RDY returns after a character time", () => {
  const src = `
        MOVAB   msg,R2
10$:    MOVZBL  (R2)+,R3
        BEQL    30$
20$:    MFPR    #34,R4          ; TXCS
        BBC     #7,R4,20$       ; wait for RDY
        MTPR    R3,#35          ; TXDB
        BRB     10$
30$:    HALT
msg:    .asciz  "hello"
`;
  const m = machine(src);
  const r = m.run({ limit: 100_000 });
  equal(r.stop, "halt");
  equal(m.console.output, "hello");
  // Five characters at 9600 baud: at least four full character times.
  ok(m.now >= 4 * m.costModel.consoleCharNs);
});

Deno.test("console input: typed characters arrive through RXDB with a receive interrupt at IPL 0x14", () => {
  const src = `
        MTPR    #^X40,#32       ; RXCS: IE
        MTPR    #0,#18          ; IPL 0
        CLRL    R5
idle:   BRB     idle
        .align  long
rx:     MFPR    #33,R0          ; RXDB
        MOVB    R0,buf[R5]
        INCL    R5
        MFPR    #18,R6          ; the IPL the handler runs at
        CMPL    R5,#3
        BEQL    done
        REI
done:   HALT
buf:    .blkb   4
`;
  const m = machine(src);
  vector(m, 0xf8, src, "rx");
  m.console.type("abc");
  const r = m.run({ limit: 10_000 });
  equal(r.stop, "halt");
  const buf = assemble(src, { origin: 0x200 }).symbol("buf");
  deepEqual(m.readPhysical(buf, 3), new TextEncoder().encode("abc"));
  equal(m.get("R6"), 0x14);
  equal(m.console.pendingInput, 0);
});

Deno.test("interval timer: 100 Hz interrupts at IPL 0x16 through 0xC0, only while IE is set", () => {
  const src = `
        MTPR    #^X40,#24       ; ICCS: IE
        MTPR    #0,#18
        CLRL    R5
idle:   BRB     idle
        .align  long
tick:   INCL    R5
        MFPR    #18,R6
        CMPL    R5,#5
        BEQL    stop
        REI
stop:   MTPR    #0,#24          ; IE off: no more ticks
        MFPR    #24,R7
        HALT
`;
  const m = machine(src);
  vector(m, 0xc0, src, "tick");
  const r = m.run({ limit: 10_000 });
  equal(r.stop, "halt");
  equal(m.get("R5"), 5);
  equal(m.get("R6"), 0x16);
  equal(m.get("R7"), 0);
  // The fifth tick falls at 50 ms of simulated time.
  ok(m.now >= 50_000_000 && m.now < 51_000_000, `now ${m.now}`);
  equal(m.timer.ticks, 5);
  // After IE is cleared, time passes without ticks.
  m.run({ forNs: 100_000_000 });
  equal(m.timer.ticks, 5);
});

const DISK_PROGRAM = `
        MTPR    R6,#64          ; DKBLK
        MTPR    R8,#65          ; DKMEM
        MTPR    R7,#66          ; DKCNT
        MTPR    R9,#67          ; DKCS
        BBS     #9,R9,wait
        MFPR    #67,R10
        HALT
wait:   MTPR    #0,#18
idle:   BRB     idle
        .align  long
dk:     MFPR    #67,R10
        MFPR    #18,R11
        HALT
`;

function disk(
  block: number,
  count: number,
  buffer: number,
  dkcs: number,
  image?: Uint8Array,
) {
  const m = machine(DISK_PROGRAM);
  vector(m, 0xd0, DISK_PROGRAM, "dk");
  if (image) m.disk.writeBlocks(0, image);
  for (
    const [k, v] of Object.entries({
      R6: block,
      R7: count,
      R8: buffer,
      R9: dkcs,
    })
  ) m.set(k, v);
  const before = m.disk.saveImage();
  const memBefore = m.readPhysical(0, 0x10000);
  const r = m.run({ limit: 10_000 });
  return { m, r, cs: m.get("R10"), before, memBefore };
}

const READ = DKCS.FUNC_READ, WRITE = DKCS.FUNC_WRITE, GO = DKCS.GO;

Deno.test("disk: a synchronous read completes before the MTPR returns; the latency is seek, rotation and transfer", () => {
  const image = new Uint8Array(16 * 512).map((_, i) => (i * 13) & 0xff);
  const { m, r, cs } = disk(3, 2, 0x4000, READ | GO, image);
  equal(r.stop, "halt");
  equal(cs & (DKCS.DONE | DKCS.ERR), DKCS.DONE);
  deepEqual(m.readPhysical(0x4000, 1024), image.subarray(3 * 512, 5 * 512));
  const t = m.disk.history[0]!;
  equal(t.func, "read");
  equal(t.end - t.start, t.seekNs + t.rotationNs + t.transferNs);
  ok(t.transferNs > 0 && t.seekNs >= m.costModel.disk.controllerNs);
  ok(m.now >= t.end);
});

Deno.test("disk: an asynchronous write returns at once and interrupts at IPL 0x15 through 0xD0 when done", () => {
  const src = DISK_PROGRAM;
  const m = machine(src);
  vector(m, 0xd0, src, "dk");
  const data = new Uint8Array(512).fill(0x5a);
  m.writePhysical(0x6000, data);
  for (
    const [k, v] of Object.entries({
      R6: 7,
      R7: 1,
      R8: 0x6000,
      R9: WRITE | GO | DKCS.ASYNC | DKCS.IE,
    })
  ) {
    m.set(k, v);
  }
  const r = m.run({ limit: 10_000 });
  equal(r.stop, "halt");
  equal(m.get("R11"), 0x15); // ran in the disk's interrupt handler
  equal(m.get("R10") & DKCS.DONE, DKCS.DONE);
  deepEqual(m.disk.readBlocks(7, 1), data);
  equal(m.disk.history[0]!.async, true);
});

Deno.test("disk: every error moves no data and reports its code in DKCS", () => {
  const cases: [string, number, number, number, number, number][] = [
    ["range outside the disk", 31, 2, 0x4000, READ | GO, DISK_ERROR.RANGE],
    [
      "nonexistent memory",
      0,
      4,
      0xfe00,
      READ | GO,
      DISK_ERROR.NONEXISTENT_MEMORY,
    ],
    ["reserved function", 0, 1, 0x4000, 3 | GO, DISK_ERROR.RESERVED_FUNCTION],
    ["reserved function 0", 0, 1, 0x4000, 0 | GO, DISK_ERROR.RESERVED_FUNCTION],
    ["write beyond the disk", 32, 1, 0x4000, WRITE | GO, DISK_ERROR.RANGE],
  ];
  for (const [what, block, count, buffer, dkcs, code] of cases) {
    const { m, cs, before, memBefore } = disk(block, count, buffer, dkcs);
    equal(cs & DKCS.ERR, DKCS.ERR, what);
    equal((cs & DKCS.ERRCODE_MASK) >> DKCS.ERRCODE_SHIFT, code, what);
    equal(cs & DKCS.DONE, DKCS.DONE, what);
    deepEqual(m.disk.saveImage(), before, `${what}: disk unchanged`);
    const after = m.readPhysical(0, 0x10000);
    deepEqual(
      after.subarray(0x4000),
      memBefore.subarray(0x4000),
      `${what}: memory unchanged`,
    );
  }
});

Deno.test("disk: DKSIZE is the capacity and read-only", () => {
  const m = machine("MFPR #68,R0\nHALT", { disk: "16 KiB" });
  m.run();
  equal(m.get("R0"), 32);
  equal(m.get("DKSIZE"), 32);
});

Deno.test("devices: two runs of the same program give the same times and the same order of events", () => {
  const runOnce = () => {
    const m = new Machine({ memory: "64 KiB", disk: "16 KiB", trace: true });
    const p = assemble(DISK_PROGRAM, { origin: 0x200 });
    m.load(p.bytes, 0x200);
    m.set("SCBB", 0x1000);
    m.set("SP", 0x9000);
    vector(m, 0xd0, DISK_PROGRAM, "dk");
    for (
      const [k, v] of Object.entries({
        R6: 9,
        R7: 3,
        R8: 0x4000,
        R9: READ | GO | DKCS.ASYNC | DKCS.IE,
      })
    ) {
      m.set(k, v);
    }
    m.set("PC", 0x200);
    m.run({ limit: 10_000 });
    return {
      now: m.now,
      events: m.trace.events.map((e) => `${e.ns} ${e.kind} ${e.text}`),
    };
  };
  deepEqual(runOnce(), runOnce());
});
