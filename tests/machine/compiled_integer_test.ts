// The wider integer set of compiled blocks (src/machine/block_compiler.ts):
// byte and word forms, logical operations, multiply and divide, shifts,
// conversions, push, MOVPSL, subroutine branches, jumps and bit branches,
// and the specifiers the decode cache leaves to the general path
// (autodecrement, autoincrement deferred, index mode). Each test runs the
// same program with every block compiled at first sight ("always") and
// with nothing cached ("never"): registers, PSL, memory, simulated time
// and instruction counts must be the same at every stop, including the
// overflow and divide-by-zero traps (PSL<IV>) and faults in the middle of
// a block. The interpreter is the reference: its own tests check the
// architecture (vax-architecture.md sections 4.x).

import { deepEqual, equal, ok } from "node:assert/strict";
import { assemble } from "../../src/asm/assembler.ts";
import { Machine } from "../../src/machine/machine.ts";
import type { CompileMode } from "../../src/machine/cpu.ts";
import { compileBlock } from "../../src/machine/block_compiler.ts";
import {
  DC_STRIDE,
  decodeInstruction,
} from "../../src/machine/decode_cache.ts";
import {
  OPCODE_BY_BYTE,
  type OperandInfo,
  SPEC_COUNT,
} from "../../src/arch/opcodes.ts";
import { IPR } from "../../src/arch/ipr.ts";
import { buildPageTables, PROT, pte, pteAddress } from "./_helpers.ts";

const MODES: readonly CompileMode[] = ["always", "never"];

/** Physical layout of these tests. */
// Below 0x18000 (where _helpers.ts's page tables go) and 0x20000 (what
// they map).
const SCB = 0x0000; // vectors at HALT stubs 0x800 + v
const CODE = 0x1000;
const DATA = 0x8000; // random operands (8 KiB)
const RECORD = 0x10000; // PSLs, register results, trap codes (R5)
const OUT = 0x14000; // memory results
const SCRATCH = 0x16000; // modify operands in memory
const STACK = 0x1c000; // kernel stack; the interrupt stack is above

const SYMBOLS: Record<string, number> = Object.fromEntries(
  Object.entries(IPR).map(([k, v]) => [`PR$_${k}`, v]),
);

function setL(m: Machine, pa: number, v: number): void {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v >>> 0, true);
  m.writePhysical(pa, b);
}

/** Values that make flags interesting, and random ones between them. */
const EDGES = [
  0,
  1,
  2,
  -1,
  -2,
  0x7f,
  0x80,
  0x81,
  0xff,
  0x100,
  0x7fff,
  0x8000,
  0x8001,
  0xffff,
  0x10000,
  0x7fffffff,
  0x80000000,
  0x80000001,
  0xfffffffe,
  31,
  32,
  -31,
  -32,
  33,
  0x1f,
  0x20,
  0xe0,
  0xe1,
];

/** A small deterministic generator (xorshift32). */
function rng(seed: number): () => number {
  let x = seed | 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
}

function data(seed: number): Uint8Array {
  const next = rng(seed);
  const out = new Uint8Array(0x2000);
  const dv = new DataView(out.buffer);
  for (let k = 0; k < out.length; k += 4) {
    const r = next();
    const v = (r & 3) === 0 ? r : EDGES[r % EDGES.length]!;
    dv.setUint32(k, v >>> 0, true);
  }
  return out;
}

/** A machine with a program at CODE, operands at DATA, traps recorded. */
function machine(
  compile: CompileMode,
  source: string,
  psl: number,
  seed: number,
  mapping = false,
): { m: Machine; sym: (s: string) => number } {
  const m = new Machine({ memory: "128 KiB", disk: 0, compile });
  const p = assemble(source, { origin: CODE, symbols: SYMBOLS });
  m.load(p.bytes, CODE);
  m.writePhysical(DATA, data(seed));
  for (let v = 0; v < 0x200; v += 4) setL(m, SCB + v, 0x800 + v);
  // Arithmetic traps: the handler records the type code and returns.
  setL(m, SCB + 0x34, p.symbol("arith"));
  m.set("SCBB", SCB);
  m.set("ISP", STACK + 0x1000);
  if (mapping) buildPageTables(m);
  m.set("PSL", psl);
  m.set("SP", STACK);
  m.set("PC", CODE);
  if (mapping) m.set("MAPEN", 1);
  return { m, sym: (s) => p.symbol(s) };
}

/** What must be the same compiled and interpreted. */
function snapshot(m: Machine) {
  const hex = (a: number, n: number) =>
    Array.from(m.readPhysical(a, n), (b) => b.toString(16).padStart(2, "0"))
      .join("");
  return {
    regs: Array.from({ length: 16 }, (_, i) => m.get(`R${i}`)),
    psl: m.psl,
    ns: m.now,
    instructions: m.instructions,
    halted: m.halted,
    record: hex(RECORD, 0x2000),
    out: hex(OUT, 0x1000),
    scratch: hex(SCRATCH, 0x400),
    stack: hex(STACK - 0x400, 0x800),
  };
}

/** Runs a program in both modes; their snapshots must be equal. */
function same(
  source: string,
  options: { psl?: number; seed?: number; limit?: number; mapping?: boolean } =
    {},
  before?: (m: Machine, sym: (s: string) => number) => void,
): Machine {
  const runs = MODES.map((mode) => {
    const { m, sym } = machine(
      mode,
      source,
      options.psl ?? 0x001f0000,
      options.seed ?? 1,
      options.mapping ?? false,
    );
    before?.(m, sym);
    const seen: unknown[] = [];
    // Several stops: blocks must stop exactly at the limit too.
    for (const limit of [37, 1000, options.limit ?? 100_000]) {
      m.run({ limit });
      seen.push(snapshot(m));
      if (m.halted) break;
    }
    return { m, seen };
  });
  deepEqual(runs[0]!.seen, runs[1]!.seen, "compiled vs interpreted");
  ok(runs[0]!.m.cpu.compiledBlocks > 0, "blocks were compiled");
  return runs[0]!.m;
}

/** The common end of the programs: the arithmetic-trap handler. */
const TRAP_HANDLER = `
        HALT
        .align  long
arith:  MOVL    (SP)+,(R5)+     ; the trap's type code
        REI
`;

/**
 * Operand text for operand k of an instruction under test, in form f:
 * 0 registers, 1 autoincrement and plain memory, 2 index mode, autodecrement
 * and deferred forms, 3 literals, immediates and absolute addresses.
 * `setup` gets the moves that prepare it, `after` the ones that record it.
 */
function operandText(
  o: OperandInfo,
  k: number,
  f: number,
  next: () => number,
  setup: string[],
  after: string[],
): string {
  const size = o.type === "b" ? 1 : o.type === "w" ? 2 : 4;
  const sfx = o.type === "b" ? "B" : o.type === "w" ? "W" : "L";
  const rk = `R${k + 1}`;
  switch (o.access) {
    case "r":
      if (f === 0) {
        setup.push(`MOVL (R10)+,${rk}`);
        return rk;
      }
      if (f === 1) return "(R10)+";
      if (f === 2) return k % 2 === 0 ? `${4 * k}(R10)[R0]` : `@(R7)+`;
      {
        const v = next();
        if ((v & 1) === 0) return `S^#${v % 64}`;
        const imm = size === 1 ? v & 0xff : size === 2 ? v & 0xffff : v;
        return `I^#^X${(imm >>> 0).toString(16)}`;
      }
    case "m":
      if (f === 0 || f === 3) {
        setup.push(`MOVL (R10)+,${rk}`);
        after.push(`MOVL ${rk},(R5)+`);
        return rk;
      }
      if (f === 1) {
        setup.push(`MOV${sfx} (R10)+,(R9)`);
        after.push(`MOV${sfx} (R9),(R5)+`);
        return "(R9)";
      }
      setup.push(`MOV${sfx} (R10)+,(R9)[R0]`);
      return "(R9)[R0]";
    case "w":
      if (f === 0) {
        after.push(`MOVL ${rk},(R5)+`);
        return rk;
      }
      if (f === 1) return "(R11)+";
      if (f === 2) return k % 2 === 0 ? `-(R6)` : `(R11)[R0]`;
      return `@#^X${(OUT + 0x800 + 4 * k).toString(16)}`;
    case "a":
      if (f === 0) return `B^8(R10)`;
      if (f === 1) return "(R10)+";
      if (f === 2) return `4(R10)[R0]`;
      return `@#^X${(DATA + 0x40).toString(16)}`;
    default:
      throw new Error(`operand ${o.name}.${o.access}${o.type} not generated`);
  }
}

/**
 * A loop running the instruction 64 times on fresh operands in form f;
 * `at` is its index in the loop.
 */
function program(
  opcode: number,
  f: number,
  seed: number,
): { src: string; at: number } {
  const row = OPCODE_BY_BYTE[opcode]!;
  const next = rng(seed * 977 + opcode);
  const setup: string[] = [];
  const after: string[] = [];
  const ops = row.operands.map((o, k) =>
    operandText(o, k, f, next, setup, after)
  );
  const src = `
        MOVL    #64,R0
        MOVL    #^X${DATA.toString(16)},R10
        MOVL    #^X${OUT.toString(16)},R11
        MOVL    #^X${(OUT + 0xc00).toString(16)},R6
        MOVL    #^X${(DATA + 0x1000).toString(16)},R7   ; pointers (below)
        MOVL    #^X${SCRATCH.toString(16)},R9
        MOVL    #^X${RECORD.toString(16)},R5
loop:   ${setup.join("\n        ")}
        ${row.mnemonic} ${ops.join(",")}
        MOVPSL  (R5)+
        ${after.join("\n        ")}
        SOBGTR  R0,loop
` + TRAP_HANDLER;
  return { src, at: setup.length };
}

/** The pointer table at DATA + 0x1000 for @(R7)+: pointers into DATA. */
function pointers(m: Machine): void {
  const next = rng(99);
  for (let k = 0; k < 0x400; k += 4) {
    setL(m, DATA + 0x1000 + k, DATA + (next() & 0xffc));
  }
}

/** The opcodes the generic generator covers (no branch operands). */
const GENERIC = [
  // moves and conversions
  0x90,
  0xb0,
  0xd0,
  0x9b,
  0x9a,
  0x3c,
  0x98,
  0x32,
  0xf6,
  0xf7,
  0x9e,
  0x3e,
  0xde,
  0x94,
  0xb4,
  0xd4,
  0x92,
  0xb2,
  0xd2,
  0x8e,
  0xae,
  0xce,
  0xdc,
  // increment, decrement, test, compare, bit test
  0x96,
  0xb6,
  0xd6,
  0x97,
  0xb7,
  0xd7,
  0x95,
  0xb5,
  0xd5,
  0x91,
  0xb1,
  0xd1,
  0x93,
  0xb3,
  0xd3,
  // arithmetic
  0x80,
  0x81,
  0xa0,
  0xa1,
  0xc0,
  0xc1,
  0x82,
  0x83,
  0xa2,
  0xa3,
  0xc2,
  0xc3,
  0x84,
  0x85,
  0xa4,
  0xa5,
  0xc4,
  0xc5,
  0x86,
  0x87,
  0xa6,
  0xa7,
  0xc6,
  0xc7,
  // logical, shifts, push
  0x88,
  0x89,
  0xa8,
  0xa9,
  0xc8,
  0xc9,
  0x8a,
  0x8b,
  0xaa,
  0xab,
  0xca,
  0xcb,
  0x8c,
  0x8d,
  0xac,
  0xad,
  0xcc,
  0xcd,
  0x78,
  0x9c,
  0xdd,
  0x9f,
  0x3f,
  0xdf,
];

/** Compiles the block at `label` of an assembled program; its count. */
function blockCount(source: string, label: string): number {
  const p = assemble(source, { origin: CODE, symbols: SYMBOLS });
  const u8 = new Uint8Array(512);
  const start = p.symbol(label) - CODE;
  u8.set(p.bytes.subarray(0, 512));
  const dc = new Int32Array(512 * DC_STRIDE);
  const at = (off: number) =>
    decodeInstruction(u8, off, SPEC_COUNT, dc, off * DC_STRIDE) > 0
      ? off * DC_STRIDE
      : -1;
  return compileBlock(at, dc, start, (o) => u8[o]!)?.count ?? 0;
}

for (const opcode of GENERIC) {
  const name = OPCODE_BY_BYTE[opcode]!.mnemonic;
  Deno.test(`compiled ${name}: random operands in every form, IV clear and set, same as the interpreter`, () => {
    for (let f = 0; f < 4; f++) {
      const { src, at } = program(opcode, f, f + 1);
      // The instruction under test is inside the loop's compiled block.
      ok(blockCount(src, "loop") > at + 1, `${name} form ${f}:\n${src}`);
      for (const psl of [0x001f0000, 0x001f0020, 0x001f000f]) {
        const m = same(src, { psl, seed: 17 * f + opcode }, (m) => pointers(m));
        equal(m.get("R0"), 0, "the loop ran to its end");
        ok(m.instructions > 64 * (at + 3), "every pass ran");
      }
    }
  });
}

Deno.test("compiled DIVL3 and MULL3: overflow and divide-by-zero traps are requested and taken at the same boundary", () => {
  const src = `
        MOVL    #^X${RECORD.toString(16)},R5
        DIVL3   #0,#7,R1                ; divide by zero: V, trap 2
        MOVPSL  (R5)+
        DIVL3   #-1,#^X80000000,R2      ; overflow: V, trap 1 with IV
        MOVPSL  (R5)+
        MULL3   #^X10000,#^X10000,R3    ; overflow
        MOVPSL  (R5)+
        ADDB3   #^X7F,#1,R4             ; byte overflow
        MOVPSL  (R5)+
        CVTLB   #^X180,R6               ; truncation: V
        MOVPSL  (R5)+
        ASHL    #1,#^X40000000,R7       ; shifted out: V
        MOVPSL  (R5)+
        HALT
` + TRAP_HANDLER;
  for (const psl of [0x001f0000, 0x001f0020]) {
    const m = same(src, { psl });
    const rec = new DataView(m.readPhysical(RECORD, 64).buffer);
    // Divide by zero traps with or without IV (code 2) before its MOVPSL.
    equal(rec.getUint32(0, true), 2);
    equal(m.get("R1"), 7);
    equal(m.get("R2") >>> 0, 0x80000000);
    equal(m.get("R4") & 0xff, 0x80);
  }
});

Deno.test("compiled subroutine branches, jumps and bit branches: same path, stack and counts", () => {
  const src = `
        MOVL    #^X${RECORD.toString(16)},R5
        MOVL    #^X${DATA.toString(16)},R10
        MOVL    #200,R0
loop:   MOVL    (R10)+,R1
        BSBW    sub
        BLBS    R1,odd
        INCL    R2
odd:    BBS     R0,(R10),bit        ; a bit of the next datum
        BBC     #3,R1,clear
        INCL    R3
clear:  JSB     @#sub2
        PUSHL   R1
        MOVL    (SP)+,(R5)+
        JMP     next
bit:    INCL    R4
next:   ACBL    #600,#3,R8,back
        SOBGTR  R0,loop
        HALT
back:   BRW     next2
next2:  SOBGTR  R0,loop
        HALT
sub:    BICL3   #^XFFFFFF00,R1,R6
        MOVL    R6,(R5)+
        RSB
sub2:   BSBB    sub3
        RSB
sub3:   XORL2   R1,R7
        RSB
` + TRAP_HANDLER;
  const m = same(src);
  ok(m.halted);
  ok(blockCount(src, "loop") >= 2);
});

Deno.test("compiled BBS with a register base: a position beyond 31 is a reserved-operand fault (section 4.10)", () => {
  const src = `
        MOVL    #5,R1
        MOVL    #7,R2
        BBS     #1,R2,ok        ; bit 1 of 7: set
        HALT
ok:     INCL    R3
        BBS     #32,R2,ok       ; reserved operand: vector 0x18's stub
        HALT
` + TRAP_HANDLER;
  const m = same(src);
  equal(m.get("R3"), 1);
  equal(m.get("PC"), 0x800 + 0x18 + 1, "stopped at the stub of SCB 0x18");
});

Deno.test("compiled BISPSW and BICPSW: T set in a block traces the next instruction; a mask beyond 8 bits faults", () => {
  const src = `
        MOVL    #3,R1
        BISPSW  #^X20           ; IV
        ADDL2   #1,R1
        BICPSW  #^X20
        ADDL2   #1,R1
        BISPSW  #^X10           ; T: a trace after the next instruction
        INCL    R2
        INCL    R2
        BICPSW  #^X10
        INCL    R2
        BISPSW  #^X100          ; reserved operand
        HALT
        .align  long
trace:  INCL    R9
        REI
` + TRAP_HANDLER;
  const m = same(src, {}, (m, sym) => setL(m, SCB + 0x28, sym("trace")));
  equal(m.get("R2"), 3);
  ok(m.get("R9") >= 2);
  equal(m.get("PC"), 0x800 + 0x18 + 1, "stopped at the stub of SCB 0x18");
});

Deno.test("compiled index, autodecrement and deferred specifiers: same addresses and register side effects", () => {
  const src = `
        MOVL    #^X${DATA.toString(16)},R10
        MOVL    #^X${OUT.toString(16)},R11
        MOVL    #^X${(DATA + 0x1000).toString(16)},R7
        MOVL    #^X${(OUT + 0x800).toString(16)},R6
        MOVL    #^X${RECORD.toString(16)},R5
        MOVL    #40,R0
loop:   MOVL    B^4(R10)[R0],R1
        MOVW    @(R7)+,-(R6)
        MOVAL   (R10)[R1],R2
        MOVAB   -(R10),R3
        ADDL3   @B^0(R7)[R0],W^8(R10)[R0],(R11)[R0]
        MOVB    @#^X${DATA.toString(16)}[R0],(R5)+
        PUSHAL  @(R7)+[R0]
        MOVL    (SP)+,(R5)+
        MOVL    (R10)+[R0],R4      ; index with autoincrement base
        MOVZWL  data[R0],(R5)+     ; PC-relative base
        SOBGTR  R0,loop
        HALT
        .align  long
data:   .long   1,2,3,4,5,6,7,8
` + TRAP_HANDLER;
  same(src, {}, (m) => pointers(m));
  ok(blockCount(src, "loop") >= 11, "the whole loop is one block");
});

Deno.test("compiled block: faults in the middle of the new instructions (no-access pages) back out and restart the same way (section 5.2)", () => {
  // Mapping on (P0 identity, _helpers.ts); P0 pages at 0xE000-0xEC00 are
  // no-access. Each instruction below touches its own such page after
  // earlier instructions of the same block have run; the ACV handler (on
  // the interrupt stack) records the frame, makes the page user-writable,
  // invalidates its TB entry and returns: the instruction runs again.
  const pages = [0xe000, 0xe200, 0xe400, 0xe600, 0xe800, 0xea00, 0xec00];
  const src = `
        MOVL    #^X${RECORD.toString(16)},R5
        MOVL    #^X${DATA.toString(16)},R10
        MOVL    #^XE010,R1
        MOVL    #2,R3
        CLRL    R4
        INCL    R4
        ADDW2   (R10)+,(R1)             ; modify operand (page E000)
        INCL    R4
        MOVL    (R10)+,W^^X1F0(R1)[R3]  ; index-mode destination (E200)
        INCL    R4
        MOVL    #^XE420,R8
        MOVB    #5,-(R8)                ; autodecrement (E400)
        INCL    R4
        MOVL    SP,R9
        MOVL    #^XE640,SP
        PUSHL   R4                      ; push (E600)
        MOVL    R9,SP
        INCL    R4
        BBS     #9,@#^XE800,set         ; field base (E800)
set:    INCL    R4
        MOVL    #^XEA00,R7
        MOVL    (R7)+,R2
        MOVL    SP,R9
        MOVL    #^XEC00,SP
        RSB                             ; return address read (EC00)
        HALT
back:   MOVL    R9,SP
        INCL    R4
        HALT
        .align  long
acv:    MOVL    (SP)+,(R5)+             ; mask
        MOVL    (SP),R12                ; VA
        MOVL    (SP)+,(R5)+
        MOVL    (SP),(R5)+              ; PC of the faulting instruction
        MOVL    4(SP),(R5)+             ; PSL
        MOVQ    R7,(R5)+
        MOVQ    R9,(R5)+
        MOVL    R4,(R5)+
        MOVL    SP,(R5)+
        ASHL    #-9,R12,R13
        BISL3   #^XA0000000,R13,@#^X${
    (0x80000000 + pteAddress(0)).toString(16)
  }[R13]
        MTPR    R12,#PR$_TBIS
        REI
` + TRAP_HANDLER;
  const m = same(src, { mapping: true }, (m, sym) => {
    setL(m, SCB + 0x20, sym("acv") + 1); // on the interrupt stack
    for (const va of pages) setL(m, pteAddress(va), pte(va >>> 9, PROT.NA));
    setL(m, 0xec00, sym("back"));
  });
  equal(m.get("R4"), 7);
  equal(
    m.get("PC"),
    assemble(src, { origin: CODE, symbols: SYMBOLS }).symbol("back") + 6,
  );
  const rec = new DataView(m.readPhysical(RECORD, 0x200).buffer);
  const frames = 10; // longwords per recorded fault
  const vas = pages.map((_, k) => rec.getUint32((k * frames + 1) * 4, true));
  deepEqual(vas, [0xe010, 0xe208, 0xe41f, 0xe63c, 0xe801, 0xea00, 0xec00]);
});

Deno.test("compiled block: an access fault on the first fetch from a new page is the interpreter's (section 5.2)", () => {
  // JSB into a no-access page (mapping on): the fetch there faults before
  // a block can start; the handler records the frame, maps the page and
  // returns; the code there then runs, compiled or not.
  const src = `
        MOVL    #^X${RECORD.toString(16)},R5
        MOVL    #3,R4
loop:   INCL    R2
        JSB     @#^XE000
        SOBGTR  R4,loop
        HALT
        .align  long
acv:    MOVL    (SP)+,(R5)+             ; mask
        MOVL    (SP),R12                ; VA
        MOVL    (SP)+,(R5)+
        MOVL    (SP),(R5)+              ; PC
        MOVL    4(SP),(R5)+             ; PSL
        MOVL    R2,(R5)+
        ASHL    #-9,R12,R13
        BISL3   #^XA0000000,R13,@#^X${
    (0x80000000 + pteAddress(0)).toString(16)
  }[R13]
        MTPR    R12,#PR$_TBIS
        REI
` + TRAP_HANDLER;
  const m = same(src, { mapping: true }, (m, sym) => {
    setL(m, SCB + 0x20, sym("acv") + 1);
    setL(m, pteAddress(0xe000), pte(0xe000 >>> 9, PROT.NA));
    m.writePhysical(0xe000, new Uint8Array([0xd6, 0x53, 0x05])); // INCL R3; RSB
  });
  equal(m.get("R3"), 3);
  const rec = new DataView(m.readPhysical(RECORD, 20).buffer);
  equal(rec.getUint32(4, true), 0xe000, "the fault's VA");
  equal(rec.getUint32(8, true), 0xe000, "the fault's PC");
  equal(rec.getUint32(16, true), 1, "after the first INCL R2");
});
