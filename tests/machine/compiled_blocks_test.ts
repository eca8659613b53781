// Compiled blocks (src/machine/block_compiler.ts) and their fallbacks to
// the interpreter: each test runs a program with every block compiled
// ("always") and with nothing cached ("never"), and checks the
// architectural result (vax-architecture.md sections in the names) and
// that registers, PSL, memory written, simulated time and instruction
// counts are the same at every stop.

import { equal } from "node:assert/strict";
import { assemble } from "../../src/asm/assembler.ts";
import { same, snapshot, vector } from "./_blocks.ts";

const COPY = `
        MOVL    #^X3000,R2
        MOVL    #^X4000,R3
        MOVL    #^XF000,R4
loop:   MOVL    (R2)+,(R3)+
        ADDL2   #4,R5
        MOVL    (R3)+,(R4)+
        INCL    R6
        SOBGTR  R0,loop
        HALT
`;

Deno.test("compiled block: a fault in its middle backs out that instruction only (section 5.2)", () => {
  // R4 walks off the end of memory (64 KiB) after 1,024 iterations: the
  // third instruction of the block machine-checks; the first two are done,
  // its own (R3)+ and (R4)+ are undone, and PC is that instruction's.
  const m = same(COPY, (m) => {
    m.set("R0", 100_000);
    m.run({ limit: 20_000 });
    return [snapshot(m), m.haltReason];
  });
  const loop = assemble(COPY, { origin: 0x200 }).symbol("loop");
  const done = (0x10000 - 0xf000) / 4;
  equal(m.get("R4"), 0x10000);
  equal(m.get("R6"), done);
  equal(m.get("R5"), 4 * (done + 1));
  equal(m.get("R2"), 0x3000 + 4 * (done + 1));
  equal(m.get("R3"), 0x4000 + 8 * done + 4);
  // The machine-check frame (byte count, parameters, PC, PSL): its PC is
  // the faulting MOVL's, after MOVL (R2)+,(R3)+ and ADDL2 #4,R5 (3 bytes
  // each).
  const sp = m.get("SP");
  const frame = m.readPhysical(sp, 0x20);
  const dv = new DataView(frame.buffer);
  const count = dv.getUint32(0, true);
  equal(dv.getUint32(4 + count, true), loop + 3 + 3);
});

Deno.test("compiled block: interrupts arrive at the same instruction boundary (section 5.3)", () => {
  const src = `
        MTPR    #^X40,#24       ; ICCS: IE
        MTPR    #0,#18          ; IPL 0
loop:   INCL    R1
        ADDL2   #3,R2
        MOVL    R2,R3
        SOBGTR  R0,loop
        HALT
        .align  long
tick:   INCL    R5
        MOVL    (SP),R6         ; the interrupted PC
        ADDL2   R6,R7
        CMPL    R5,#4
        BEQL    stop
        REI
stop:   MTPR    #0,#24
        HALT
`;
  const m = same(src, (m) => {
    vector(m, 0xc0, src, "tick");
    m.set("R0", 0x7fffffff);
    m.run({ limit: 10_000_000 });
    return [snapshot(m)];
  });
  equal(m.get("R5"), 4);
});

Deno.test("compiled block: with PSL<T> set every instruction traces (section 5.4)", () => {
  const src = `
loop:   ADDL2   #1,R1
        SOBGTR  R0,loop
        BISPSW  #^X10           ; T
        MOVL    #5,R0
loop2:  ADDL2   #1,R1
        SOBGTR  R0,loop2
        HALT
        .align  long
trace:  INCL    R9
        REI
`;
  const m = same(src, (m) => {
    vector(m, 0x28, src, "trace");
    m.set("R0", 100);
    m.run({ limit: 10_000 });
    return [snapshot(m)];
  });
  equal(m.get("R1"), 105);
  // A trace after each of the 2 * 5 loop instructions and the MOVL.
  equal(m.get("R9"), 11);
});

Deno.test("compiled block: a breakpoint inside a compiled block stops there, exactly", () => {
  const src = `
loop:   ADDL2   #1,R1
        ADDL2   #2,R2
        SOBGTR  R0,loop
        HALT
`;
  const at = assemble(src, { origin: 0x200 }).symbol("loop") + 3;
  same(src, (m) => {
    m.set("R0", 1000);
    const seen: unknown[] = [];
    m.run({ limit: 500 }); // compiled and running
    m.setBreakpoints([at]);
    const r = m.run({ limit: 1000 });
    equal(r.stop, "breakpoint");
    equal(m.get("PC"), at);
    seen.push(snapshot(m));
    m.setBreakpoints([]);
    m.run({ limit: 100 });
    seen.push(snapshot(m));
    return seen;
  });
});

Deno.test("compiled block: an instruction limit stops at exactly that count", () => {
  const src = `
loop:   ADDL2   #1,R1
        MOVL    R1,(R2)+
        SOBGTR  R0,loop
        HALT
`;
  same(src, (m) => {
    m.set("R0", 10_000);
    m.set("R2", 0x4000);
    const seen: unknown[] = [];
    for (const n of [1, 2, 3, 15, 16, 17, 31, 100, 1001, 4]) {
      const r = m.run({ limit: n });
      equal(r.instructions, n);
      seen.push(snapshot(m));
    }
    return seen;
  });
});

Deno.test("compiled block: a store into its own page ends the block; the new code runs", () => {
  // The block from loop is compiled when first reached (its page is
  // cached by the CLRL); its MOVB rewrites the literal of the ADDL2 that
  // follows in the same block: that ADDL2 must add 2, not the compiled 1.
  const src = `
        CLRL    R1
loop:   MOVB    R3,patch+1
patch:  ADDL2   #1,R1
        SOBGTR  R0,loop
        HALT
`;
  const m = same(src, (m) => {
    m.set("R0", 10);
    m.set("R3", 2);
    m.run({ limit: 1000 });
    return [snapshot(m)];
  });
  equal(m.get("R1"), 10 * 2);
});
