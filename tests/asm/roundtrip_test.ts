/**
 * Assembler and disassembler against each other, for every opcode of the
 * table and every addressing mode each operand's access type allows
 * (vax-architecture.md 3.3, 3.4): source → bytes → text → the same bytes.
 */

import assert from "node:assert/strict";
import {
  MNEMONIC_ALIASES,
  opcodeByMnemonic,
  opcodeBytes,
  type OpcodeInfo,
  OPCODES,
  type OperandAccess,
  type OperandInfo,
} from "../../src/arch/opcodes.ts";
import { AsmError, assemble } from "../../src/asm/assembler.ts";
import { disassemble, disassembleOne } from "../../src/asm/disassembler.ts";

const ORIGIN = 0x1000;
/** Predefined targets: near (byte reach), mid (word) and far (longword). */
const SYMBOLS = { NEAR: 0x1040, MID: 0x3000, FAR: 0x12345678 };

/** Bases that index mode accepts (3.4), written every way the syntax allows. */
const INDEXABLE = [
  "(R6)",
  "( sp )",
  "-(R6)",
  "(R6)+",
  "@(R6)+",
  "@R6",
  "4(R6)",
  "-4(R6)",
  "B^4(R6)",
  "W^4(R6)",
  "L^4(R6)",
  "300(AP)",
  "-300(FP)",
  "70000(R6)",
  "@4(R6)",
  "@B^-4(R6)",
  "@W^4(R6)",
  "@L^4(R6)",
  "@(R6)",
  "@300(R6)",
  "@#^X2000",
  "T",
  "B^T",
  "W^T",
  "L^T",
  "@T",
  "@B^T",
  "@W^T",
  "@L^T",
  "G^T",
  "@G^T",
  "NEAR",
  "MID",
  "FAR",
  "@FAR",
  "^X1008",
];

const GENERAL = [...INDEXABLE, ...INDEXABLE.map((b) => `${b}[R7]`), "R8"];

/** Operand texts legal for each access type (3.3). */
const MODES: Readonly<Record<OperandAccess, readonly string[]>> = {
  r: [
    "#5",
    "#0",
    "#63",
    "S^#63",
    "S^#^X2A",
    "#64",
    "I^#5",
    "#-1",
    "#<1+2*3>",
    "#NEAR",
    ...GENERAL,
    "SP",
    "AP",
  ],
  m: GENERAL,
  w: GENERAL,
  a: ["#5", "I^#^X7F", ...INDEXABLE, ...INDEXABLE.map((b) => `${b}[R7]`)],
  v: ["I^#5", ...GENERAL],
  b: ["T", ".", "NEAR", "U"],
};

/** A word-displacement branch reaches further. */
const WORD_BRANCHES = ["T", ".", "NEAR", "U", "MID"];

/** The operand that stays fixed while another position varies. */
function simple(info: OperandInfo): string {
  switch (info.access) {
    case "r":
      return "R1";
    case "m":
    case "w":
      return "R2";
    case "v":
      return "R3";
    case "a":
      return "(R4)";
    case "b":
      return "T";
  }
}

/**
 * Literals of a floating operand: decimal values (a short literal when one
 * of the 64 encodes it), raw patterns (`S^#^X2A`, `#<1+2*3>`, wide hex).
 */
const FLOAT_LITERALS = [
  "#1.5",
  "#0.1",
  "#-2.5E3",
  "#0",
  "#63",
  "S^#64",
  "S^#^X2A",
  "I^#5",
  "#<1+2*3>",
  "#NEAR",
];

function modesFor(info: OperandInfo): readonly string[] {
  if (info.access === "b" && info.type === "w") return WORD_BRANCHES;
  if (
    info.access === "r" &&
    (info.type === "f" || info.type === "d" || info.type === "g")
  ) {
    return [
      ...FLOAT_LITERALS,
      ...(info.type === "f" ? [] : ["I^#^X3ECCCCCCCCCCCCCD"]),
      ...GENERAL,
      "SP",
    ];
  }
  if (info.access === "r" && info.type === "b") {
    // A byte immediate cannot hold an address.
    return MODES.r.filter((m) => m !== "#NEAR");
  }
  return MODES[info.access];
}

/** Every (instruction text) to try for one opcode. */
function variants(op: OpcodeInfo): string[] {
  if (op.operands.length === 0) return [op.mnemonic];
  const out: string[] = [];
  op.operands.forEach((oi, i) => {
    for (const mode of modesFor(oi)) {
      const ops = op.operands.map((o, j) => (j === i ? mode : simple(o)));
      out.push(`${op.mnemonic} ${ops.join(",")}`);
    }
  });
  // All operands in their most complex form at once.
  const heavy = op.operands.map((o) =>
    o.access === "b" ? "T" : o.access === "a" ? "@L^4(R6)[R7]" : "-(R6)[R7]"
  );
  out.push(`${op.mnemonic} ${heavy.join(",")}`);
  return out;
}

function hexOf(b: Uint8Array): string {
  return [...b].map((x) => x.toString(16).padStart(2, "0")).join(" ");
}

Deno.test("every opcode, every legal mode: source → bytes → text → bytes", () => {
  let count = 0;
  for (const op of OPCODES) {
    for (const line of variants(op)) {
      // T is the instruction itself; U is just after it.
      const source = `T: ${line}\nU: NOP`;
      const first = assemble(source, { origin: ORIGIN, symbols: SYMBOLS });
      const code = first.bytes.subarray(0, first.symbol("U") - ORIGIN);
      const listing = disassemble(code, ORIGIN);
      const ins = listing[0]!;
      assert.equal(ins.error, undefined, `${line}: ${ins.error}`);
      assert.equal(ins.mnemonic, op.mnemonic, line);
      assert.equal(ins.opcode, op.opcode, line);
      assert.equal(ins.info, op, line);
      assert.equal(ins.length, code.length, `${line}: ${ins.text}`);
      assert.equal(listing.length, 1, line);
      const again = assemble(ins.text, { origin: ORIGIN });
      assert.equal(
        hexOf(again.bytes),
        hexOf(code),
        `${line} → ${ins.text}`,
      );
      // Printing is a fixed point: the reassembled bytes print the same.
      assert.equal(disassemble(again.bytes, ORIGIN)[0]!.text, ins.text);
      count++;
    }
  }
  assert.ok(count > 5000, `only ${count} cases`);
});

Deno.test("aliases assemble to their opcode and disassemble to the table name", () => {
  for (const [alias, name] of Object.entries(MNEMONIC_ALIASES)) {
    const info = opcodeByMnemonic(name)!;
    const ops = info.operands.map((o) => o.access === "b" ? "." : "(R1)");
    const a = assemble(`${alias} ${ops.join(",")}`);
    const ins = disassemble(a.bytes)[0]!;
    assert.equal(ins.mnemonic, name);
    assert.equal(hexOf(assemble(ins.text).bytes), hexOf(a.bytes));
  }
});

/** The forms each access type rejects, with the reason expected. */
const ILLEGAL: Readonly<Record<OperandAccess, [string, RegExp][]>> = {
  r: [
    ["PC", /PC cannot be used in register mode/],
    ["(PC)", /\(PC\) is not a legal operand/],
    ["-(PC)", /-\(PC\) is not a legal operand/],
    ["#1[R2]", /index mode not allowed with a literal/],
    ["S^#1[R2]", /index mode not allowed with a short literal/],
    ["I^#1[R2]", /index mode not allowed with an immediate/],
    ["R1[R2]", /index mode not allowed with a register base/],
    ["(R1)[PC]", /PC cannot be used as an index register/],
    ["(R1)[R2][R3]", /index mode not allowed with an index base/],
    ["S^#64", /short literal 64 out of range/],
  ],
  m: [
    ["#1", /immediate operand not allowed for a modify operand/],
    ["I^#1", /immediate operand not allowed for a modify operand/],
    ["S^#1", /short literal not allowed for a modify operand/],
    ["PC", /PC cannot be used in register mode/],
    ["R1[R2]", /index mode not allowed with a register base/],
  ],
  w: [
    ["#1", /immediate operand not allowed for a write operand/],
    ["I^#1", /immediate operand not allowed for a write operand/],
    ["S^#1", /short literal not allowed for a write operand/],
    ["(PC)", /\(PC\) is not a legal operand/],
    ["(R1)[PC]", /PC cannot be used as an index register/],
  ],
  a: [
    ["R1", /register mode not allowed for an address operand/],
    ["S^#1", /short literal not allowed for an address operand/],
    ["I^#1[R2]", /index mode not allowed with an immediate base/],
    ["-(PC)", /-\(PC\) is not a legal operand/],
  ],
  v: [
    ["S^#1", /short literal not allowed for a bit-field base operand/],
    ["PC", /PC cannot be used in register mode/],
    ["R1[R2]", /index mode not allowed with a register base/],
  ],
  b: [
    ["#1", /a branch operand is a target address/],
    ["R1", /register R1 cannot be used in an expression/],
    ["(R1)", /a branch operand is a target address/],
    ["B^T", /a branch operand is a target address/],
  ],
};

Deno.test("every opcode rejects the modes its access types forbid", () => {
  let count = 0;
  for (const op of OPCODES) {
    op.operands.forEach((oi, i) => {
      const float = oi.type === "f" || oi.type === "d" || oi.type === "g";
      const illegal = oi.access === "r" && float
        ? [
          ...ILLEGAL.r.filter(([m]) => m !== "S^#64"),
          ["S^#0.1", /0.1 is not a floating short literal/],
          ["#1E400", /out of the range of [FDG]_floating/],
        ] as [string, RegExp][]
        : ILLEGAL[oi.access];
      for (const [mode, reason] of illegal) {
        const ops = op.operands.map((o, j) => (j === i ? mode : simple(o)));
        const source = `T: ${op.mnemonic} ${ops.join(",")}`;
        assert.throws(
          () => assemble(source),
          (e: unknown) => {
            assert.ok(e instanceof AsmError, String(e));
            assert.equal(e.line, 1);
            assert.match(e.reason, reason, source);
            count++;
            return true;
          },
          source,
        );
      }
    });
  }
  assert.ok(count > 500, `only ${count} cases`);
});

/**
 * Bytes → text → bytes for every specifier byte in every operand position of
 * every opcode: whatever decodes as a valid instruction reassembles to the
 * same bytes, and whatever does not is a `.BYTE` with a reason.
 */
Deno.test("every specifier byte: bytes → text → bytes", () => {
  // After the varied byte, the stream continues with extension bytes and
  // (R2)..(R11) specifiers, which every access type accepts.
  // (Eight extension bytes for a D or G immediate, then up to four more
  // specifiers: EMODD's five operands.)
  const tail = [
    0x10,
    0x20,
    0x30,
    0x40,
    0x11,
    0x21,
    0x31,
    0x41,
    0x62,
    0x63,
    0x64,
    0x65,
    0x66,
    0x67,
  ];
  let valid = 0;
  let invalid = 0;
  for (const op of OPCODES) {
    op.operands.forEach((oi, i) => {
      if (oi.access === "b") return;
      for (let spec = 0; spec < 256; spec++) {
        // Preceding operands as (R1), then the varied specifier.
        const stream = [
          ...opcodeBytes(op.opcode),
          ...Array(i).fill(0x61),
          spec,
          ...tail,
        ];
        const read = (a: number) => {
          const b = stream[a - ORIGIN];
          if (b === undefined) throw new RangeError("end");
          return b;
        };
        const ins = disassembleOne(read, ORIGIN);
        if (ins.error !== undefined) {
          assert.equal(ins.mnemonic, ".BYTE");
          assert.equal(ins.length, 1);
          assert.match(ins.error, /reserved addressing mode/);
          invalid++;
          continue;
        }
        const again = assemble(ins.text, { origin: ORIGIN });
        assert.equal(
          hexOf(again.bytes),
          hexOf(Uint8Array.from(stream.slice(0, ins.length))),
          `${ins.text}`,
        );
        valid++;
      }
    });
  }
  assert.ok(valid > 20000 && invalid > 1000, `${valid} valid, ${invalid} not`);
});

Deno.test("every index base byte: bytes → text → bytes", () => {
  const cases: [number, OperandInfo][] = [];
  for (const access of ["r", "m", "w", "a", "v"] as const) {
    for (const type of ["b", "w", "l"] as const) {
      const op = OPCODES.find((o) =>
        o.operands[0]?.access === access && o.operands[0].type === type
      );
      if (op) cases.push([op.opcode, op.operands[0]!]);
    }
  }
  assert.ok(cases.length >= 10);
  let valid = 0;
  for (const [opcode] of cases) {
    for (let x = 0; x < 16; x++) {
      for (let base = 0; base < 256; base++) {
        const stream = [opcode, 0x40 | x, base, 1, 2, 3, 4, 0x62, 0x63, 0x64];
        const ins = disassembleOne((a) => stream[a] ?? 0, 0);
        const baseMode = base >> 4;
        const legal = x !== 15 && baseMode >= 6 &&
          !(baseMode <= 7 && (base & 15) === 15) && base !== 0x8f;
        if (!legal) {
          assert.equal(ins.mnemonic, ".BYTE", ins.text);
          continue;
        }
        if (ins.error) continue; // e.g. a register-mode second operand
        const again = assemble(ins.text);
        assert.equal(
          hexOf(again.bytes),
          hexOf(Uint8Array.from(stream.slice(0, ins.length))),
          ins.text,
        );
        valid++;
      }
    }
  }
  assert.ok(valid > 5000, `${valid}`);
});

Deno.test("a whole program survives disassembly and reassembly", () => {
  const src = `
        .TITLE  roundtrip
START:  MOVAL   STACK,SP
        MOVL    #10,R0
        CLRL    R1
10$:    ADDL2   R0,R1
        SOBGTR  R0,10$
        MOVL    R1,@#^X2000
        CASEL   R1,#0,#2
TAB:    .WORD   A-TAB,B-TAB,C-TAB
        BRW     DONE
A:      INCL    COUNT
B:      DECL    COUNT[R2]
C:      JSB     SUB
DONE:   CALLS   #0,G^PROC
        BBS     #3,COUNT,START
        ACBL    #100,#2,R3,START
        HALT
SUB:    MOVZBL  @8(AP),R0
        RSB
PROC:   .WORD   ^M<R2,R3>
        RET
COUNT:  .LONG   0
STACK:`;
  const a = assemble(src, { origin: ORIGIN });
  const listing = disassemble(
    a.bytes.subarray(0, a.symbol("PROC") - ORIGIN),
    ORIGIN,
  );
  const text = listing.map((i) => `\t${i.text}`).join("\n");
  const b = assemble(text, { origin: ORIGIN });
  assert.equal(hexOf(b.bytes), hexOf(a.bytes.subarray(0, b.bytes.length)));
  assert.equal(b.bytes.length, a.symbol("PROC") - ORIGIN);
  // The CASEL table came back as .WORD lines.
  assert.deepEqual(
    listing.filter((i) => i.mnemonic === ".WORD").map((i) => i.targets[0]),
    [a.symbol("A"), a.symbol("B"), a.symbol("C")],
  );
});
