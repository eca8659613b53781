// Host-time shortcuts of the monitor that must not change what a guest
// sees: a context switch clears only the shadow process-table pages that
// were filled (every process entry still reads invalid afterwards), and
// guest-physical longword accesses within a page take one look-up (the same
// bytes, and the same machine check at the end of memory, as byte by byte).
import { deepEqual, equal, throws } from "node:assert/strict";
import { ShadowSet } from "../../src/monitor/shadow.ts";
import { FrameAllocator } from "../../src/monitor/frames.ts";
import { PhysicalMemory } from "../../src/machine/memory.ts";
import {
  guestPhysReadL,
  guestPhysWriteL,
} from "../../src/monitor/guest_memory.ts";
import { GuestFault } from "../../src/monitor/signals.ts";

Deno.test("shadow tables: clearProcess invalidates every filled P0 and P1 entry, over several LDPCTX", () => {
  const mem = new PhysicalMemory(512 * 1024);
  const frames = new FrameAllocator(64, 900);
  const set = new ShadowSet(mem, frames, "t", "kernel");
  const p1lr = 0x200000 - 1024;
  set.layout(16, 1024, p1lr);
  const vas = [
    0x0000,
    0x200 * 5,
    0x200 * 130, // second P0 table page
    0x200 * 900, // eighth
    (0x40000000 + 0x200 * p1lr) >>> 0, // lowest P1 page
    (0x40000000 + 0x200 * (p1lr + 300)) >>> 0, // third P1 table page
    0x7ffffe00, // highest P1 page
  ];
  for (let round = 0; round < 3; round++) {
    for (const va of vas) {
      equal(set.ensureTablePage(va), true);
      equal(set.read(va), 0, `round ${round}: ${va.toString(16)} clear before`);
      set.fill(va, (0x84000000 | (round + 7)) >>> 0, 100 + round, "shared");
      equal(set.read(va) & 0x1fffff, 100 + round);
    }
    // The same lengths again (LDPCTX of another process with the same
    // shape) and then other lengths (P0LR/P1LR writes).
    set.setProcessLengths(1024, p1lr);
    for (const va of vas) {
      equal(set.read(va), 0, `round ${round}: ${va.toString(16)} cleared`);
    }
    for (const va of vas) set.fill(va, 0x84000001, 50, "shared");
    set.setProcessLengths(1024, p1lr);
    for (const va of vas) equal(set.read(va), 0);
  }
  // A page filled, then its table released and the set laid out again.
  set.fill(vas[2]!, 0x84000001, 50, "shared");
  set.release();
  set.layout(16, 1024, p1lr);
  for (const va of vas) {
    set.ensureTablePage(va);
    equal(set.read(va), 0);
  }
  set.fill(vas[2]!, 0x84000001, 51, "shared");
  set.clearProcess();
  equal(set.read(vas[2]!), 0);
});

Deno.test("guest-physical longwords: within a page, across pages, and at the end of memory", () => {
  const mem = new PhysicalMemory(64 * 1024);
  // Guest pages 0..3 in scattered real frames.
  const frames = [9, 3, 17, 5];
  const calls: number[] = [];
  const vm = {
    ipr: {} as never,
    realAddress(gpa: number) {
      calls.push(gpa);
      return gpa >= 4 * 512 ? -1 : frames[gpa >>> 9]! * 512 + (gpa & 511);
    },
  };
  for (const gpa of [0, 4, 508, 509, 510, 511, 512 + 100, 3 * 512 + 508]) {
    const v = (0x11223344 + gpa * 0x01010101) | 0;
    guestPhysWriteL(mem, vm, gpa, v);
    equal(guestPhysReadL(mem, vm, gpa), v, `gpa ${gpa}`);
    const bytes = [0, 1, 2, 3].map((k) =>
      mem.u8[frames[(gpa + k) >>> 9]! * 512 + ((gpa + k) & 511)]
    );
    deepEqual(bytes, [0, 1, 2, 3].map((k) => (v >>> (8 * k)) & 0xff));
  }
  calls.length = 0;
  guestPhysReadL(mem, vm, 100);
  deepEqual(calls, [100], "one look-up within a page");
  for (const gpa of [3 * 512 + 509, 4 * 512, 5000]) {
    throws(() => guestPhysReadL(mem, vm, gpa), GuestFault);
    throws(() => guestPhysWriteL(mem, vm, gpa, 1), GuestFault);
  }
});
