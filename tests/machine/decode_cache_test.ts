// The decode cache (src/machine/decode_cache.ts): instructions decoded once
// per physical page must behave exactly as decoding them every time. Each
// test runs a program with caching on ("always") and off ("never") and
// checks the architectural result (section numbers of
// vax-architecture.md), and that registers, PSL, simulated time and
// instruction counts are the same in both modes.

import { deepEqual, equal } from "node:assert/strict";
import { Machine } from "../../src/machine/machine.ts";
import type { CompileMode } from "../../src/machine/cpu.ts";
import { DKCS } from "../../src/machine/devices/disk.ts";
import { asm, PROT, pte } from "./_helpers.ts";

const MODES: readonly CompileMode[] = ["always", "never"];

function machine(compile: CompileMode, disk = 0): Machine {
  const m = new Machine({ memory: "1 MiB", disk, compile });
  m.set("SP", 0x8000);
  return m;
}

/** Everything an instruction boundary shows. */
function snapshot(m: Machine) {
  return {
    regs: Array.from({ length: 16 }, (_, i) => m.get(`R${i}`)),
    psl: m.psl,
    ns: m.now,
    instructions: m.instructions,
  };
}

/** Runs `body` in every mode; its snapshots must agree; returns "always"'s. */
function sameInEveryMode(
  body: (m: Machine) => void,
  disk = 0,
): Machine {
  const ms = MODES.map((mode) => {
    const m = machine(mode, disk);
    body(m);
    return m;
  });
  deepEqual(snapshot(ms[0]!), snapshot(ms[1]!), "cached vs uncached");
  return ms[0]!;
}

Deno.test("decode cache: code written by the guest is executed as written (MOVB, MOVL, across a page, MOVC3)", () => {
  const src = `
start:  MOVL    #2,R3           ; two passes over the loop
pass:   MOVL    #5,R0
loop:   ADDL2   #1,R1           ; pass 2 executes ADDL2 #2,R1
        SOBGTR  R0,loop
        MOVB    #2,loop+1       ; byte store into the code
        SOBGTR  R3,pass
        ; a longword store: INCL R4 becomes INCL R5 (D6 54 -> D6 55)
        MOVL    #3,R0
l2:     INCL    R4
        SOBGTR  R0,l2
        TSTL    R5
        BNEQ    done2
        MOVL    l3,l2           ; INCL R5 and the same SOBGTR R0 over l2
        MOVL    #3,R0
        BRB     l2
l3:     INCL    R5
        .byte   ^XF5,^X50
done2:  MOVL    R1,R8           ; MOVC3 uses R0-R5
        MOVL    R4,R9
        MOVL    R5,R10
        ; MOVC3 copies new code over the routine, then runs it
        JSB     sub
        MOVL    R6,R7
        MOVC3   #4,new,sub
        JSB     sub
        HALT
sub:    MOVL    #1,R6
        RSB
new:    MOVL    #2,R6
        RSB
`;
  const a = asm(src, 0x1000);
  const m = sameInEveryMode((m) => {
    m.load(a.bytes, 0x1000);
    m.set("PC", 0x1000);
    m.run({ limit: 10_000 });
  });
  equal(m.haltReason !== "", true);
  equal(m.get("R8"), 5 * 1 + 5 * 2);
  equal(m.get("R9"), 3);
  equal(m.get("R10"), 3);
  equal(m.get("R7"), 1);
  equal(m.get("R6"), 2);
});

Deno.test("decode cache: a store that crosses into a page of code drops that page's instructions", () => {
  // The code of page 0x1200 starts with MOVL #1,R1 (D0 01 51); the guest
  // writes a longword at 0x11FE whose upper bytes become its first two
  // bytes: D0 02 -> MOVL #2,R1.
  const src = `
        .org    ^X1000
start:  JSB     ^X1200
        MOVL    R1,R2
        MOVL    #^X02D00000,@#^X11FE
        JSB     ^X1200
        HALT
        .org    ^X1200
        MOVL    #1,R1
        RSB
`;
  const a = asm(src, 0x1000);
  const m = sameInEveryMode((m) => {
    m.load(a.bytes, 0x1000);
    m.set("PC", 0x1000);
    m.run({ limit: 1000 });
  });
  equal(m.get("R2"), 1);
  equal(m.get("R1"), 2);
});

Deno.test("decode cache: code loaded by the host over cached code runs as loaded", () => {
  const one = asm("MOVL #1,R1\nADDL2 R1,R2\nHALT", 0x1000);
  const two = asm("MOVL #7,R1\nADDL2 R1,R2\nHALT", 0x1000);
  const m = sameInEveryMode((m) => {
    for (const [code, write] of [[one, false], [two, false], [one, true]]) {
      const c = code as typeof one;
      if (write) m.writePhysical(0x1000, c.bytes);
      else m.load(c.bytes, 0x1000);
      m.set("PC", 0x1000);
      m.run({ limit: 100 });
    }
  });
  equal(m.get("R2"), 1 + 7 + 1);
});

Deno.test("decode cache: a page remapped under cached code (section 10): the TB decides what PC means", () => {
  // Physical 0x4000: MOVL #1,R1 and MOVAB here,R2 (PC-relative); physical
  // 0x4200: MOVL #2,R1. S0 maps VA 0x80000000 + n*512 to PFN n (KW).
  const code1 = asm("here: MOVL #1,R1\nMOVAB here,R2\nHALT", 0x80004000);
  const code2 = asm("MOVL #2,R1\nHALT", 0x80004000);
  const spt = 0x10000;
  const results: number[][] = [];
  sameInEveryMode((m) => {
    results.length = 0;
    m.load(code1.bytes, 0x4000);
    m.load(code2.bytes, 0x4200);
    for (let i = 0; i < 128; i++) {
      m.writePhysical(spt + 4 * i, le(pte(i, PROT.KW)));
    }
    m.set("SBR", spt);
    m.set("SLR", 128);
    m.set("MAPEN", 1);
    const go = (va: number) => {
      m.set("PC", va);
      m.run({ limit: 100 });
      results.push([m.get("R1"), m.get("R2")]);
    };
    go(0x80004000); // VA page 0x20 -> PA 0x4000
    // A new physical page at the same VA.
    m.writePhysical(spt + 4 * 0x20, le(pte(0x21, PROT.KW)));
    m.cpu.tbFlushAll();
    go(0x80004000);
    // The same physical page at a new VA (page 0x30), code1 again.
    m.writePhysical(spt + 4 * 0x30, le(pte(0x20, PROT.KW)));
    m.set("R2", 0);
    go(0x80006000);
  });
  deepEqual(results, [
    [1, 0x80004000],
    [2, 0x80004000],
    [1, 0x80006000],
  ]);
});

Deno.test("decode cache: a disk read (DMA) over cached code runs the new code", () => {
  const src = `
        .org    ^X1000
start:  JSB     sub
        MOVL    R1,R5
        MTPR    #0,#64          ; DKBLK
        MTPR    #^X1200,#65     ; DKMEM: the page of sub
        MTPR    #1,#66          ; DKCNT
        MTPR    R9,#67          ; DKCS: read, go (synchronous)
        JSB     sub
        HALT
        .org    ^X1200
sub:    MOVL    #1,R1
        RSB
`;
  const a = asm(src, 0x1000);
  const block = new Uint8Array(512);
  block.set(asm("MOVL #2,R1\nRSB", 0x1200).bytes);
  const m = sameInEveryMode((m) => {
    m.load(a.bytes, 0x1000);
    m.disk.writeBlocks(0, block);
    m.set("R9", DKCS.FUNC_READ | DKCS.GO);
    m.set("PC", 0x1000);
    m.run({ limit: 1000 });
  }, 16 * 1024);
  equal(m.get("R5"), 1);
  equal(m.get("R1"), 2);
});

Deno.test("decode cache: a fault in the middle of a cached instruction backs out its autoincrements (section 5.2)", () => {
  // The copy loop runs until R3 reaches nonexistent memory (a machine
  // check at 1 MiB, mapping off); the faulting MOVL (R2)+,(R3)+ has
  // incremented R2 and R3 in its specifiers, and those are restored.
  const src = `
        .org    ^X1000
loop:   MOVL    (R2)+,(R3)+
        SOBGTR  R0,loop
        HALT
`;
  const a = asm(src, 0x1000);
  const m = sameInEveryMode((m) => {
    m.load(a.bytes, 0x1000);
    // Machine check through SCB vector 4 to a HALT at 0x400.
    m.writePhysical(0x204, le(0x400));
    m.set("SCBB", 0x200);
    m.set("R0", 100);
    m.set("R2", 0x8000);
    m.set("R3", 0x100000 - 16);
    m.set("SP", 0x6000);
    m.set("PC", 0x1000);
    m.run({ limit: 1000 });
  });
  equal(m.get("R2"), 0x8000 + 16);
  equal(m.get("R3"), 0x100000);
  equal(m.get("R0"), 100 - 4);
});

function le(v: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v >>> 0, true);
  return b;
}
