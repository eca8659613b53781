import assert from "node:assert/strict";
import { OPCODE_BY_BYTE } from "../../src/arch/opcodes.ts";
import { assemble } from "../../src/asm/assembler.ts";
import {
  disassemble,
  disassembleOne,
  type Instruction,
} from "../../src/asm/disassembler.ts";

function hex(text: string): Uint8Array {
  return Uint8Array.from(text.trim().split(/\s+/).map((h) => parseInt(h, 16)));
}

function one(bytes: string, origin = 0): Instruction {
  const b = hex(bytes);
  return disassembleOne((a) => {
    const v = b[a - origin];
    if (v === undefined) throw new RangeError(`no byte at ${a}`);
    return v;
  }, origin);
}

function texts(bytes: string, origin = 0): string[] {
  return disassemble(hex(bytes), origin).map((i) => i.text);
}

Deno.test("the examples of the spec", () => {
  assert.equal(one("D0 01 50").text, "MOVL S^#1,R0");
  assert.equal(one("D0 8F 64 00 00 00 50").text, "MOVL I^#^X64,R0");
  assert.equal(one("D0 81 72").text, "MOVL (R1)+,-(R2)");
  assert.equal(one("9E A3 04 51").text, "MOVAB B^4(R3),R1");
  assert.equal(one("D0 9F 00 10 00 00 50").text, "MOVL @#^X1000,R0");
  assert.equal(one("D4 43 A2 04").text, "CLRL B^4(R2)[R3]");
});

Deno.test("every addressing mode prints in assembler syntax", () => {
  const cases: [string, string][] = [
    ["D0 3F 50", "MOVL S^#^X3F,R0"],
    ["90 8F FF 50", "MOVB I^#^XFF,R0"],
    ["B0 8F 34 12 50", "MOVW I^#^X1234,R0"],
    ["D0 5C 5D", "MOVL AP,FP"],
    ["D0 5E 5B", "MOVL SP,R11"],
    ["D0 61 62", "MOVL (R1),(R2)"],
    ["D0 93 50", "MOVL @(R3)+,R0"],
    ["D0 A3 FC 50", "MOVL B^-4(R3),R0"],
    ["D0 A3 F0 50", "MOVL B^-^X10(R3),R0"],
    ["D0 C3 00 01 50", "MOVL W^^X100(R3),R0"],
    ["D0 E3 00 00 00 80 50", "MOVL L^-^X80000000(R3),R0"],
    ["D0 B3 04 50", "MOVL @B^4(R3),R0"],
    ["D0 D3 04 00 50", "MOVL @W^4(R3),R0"],
    ["D0 F3 04 00 00 00 50", "MOVL @L^4(R3),R0"],
    ["D0 42 61 50", "MOVL (R1)[R2],R0"],
    ["D0 4E B1 04 50", "MOVL @B^4(R1)[SP],R0"],
    ["9E 8F 05 50", "MOVAB I^#5,R0"],
  ];
  for (const [bytes, text] of cases) {
    const ins = one(bytes);
    assert.equal(ins.text, text, bytes);
    assert.equal(ins.length, hex(bytes).length);
    assert.deepEqual(ins.bytes, hex(bytes));
    assert.deepEqual([...assemble(text).bytes], [...hex(bytes)], text);
  }
});

Deno.test("PC-relative operands print their target address", () => {
  // At 0x1000: spec at 1001, displacement at 1002, PC' = 1003.
  const ins = one("D0 AF 0D 50", 0x1000);
  assert.equal(ins.text, "MOVL B^^X1010,R0");
  assert.deepEqual(ins.operands, ["B^^X1010", "R0"]);
  assert.equal(one("D0 CF FD FF 50", 0x1000).text, "MOVL W^^X1001,R0");
  assert.equal(one("D0 EF 00 00 00 00 50", 0x1000).text, "MOVL L^^X1006,R0");
  assert.equal(one("D0 BF 00 50", 0x1000).text, "MOVL @B^^X1003,R0");
  assert.equal(one("D0 41 AF 00 50", 0x1000).text, "MOVL B^^X1004[R1],R0");
  // Wrap-around below address 0.
  assert.equal(one("D0 AF F0 50").text, "MOVL B^^XFFFFFFF3,R0");
  assert.deepEqual(
    [...assemble("MOVL B^^XFFFFFFF3,R0").bytes],
    [...hex("D0 AF F0 50")],
  );
});

Deno.test("branches print and report their targets", () => {
  const brb = one("11 FE", 0x200);
  assert.equal(brb.text, "BRB ^X200");
  assert.deepEqual(brb.targets, [0x200]);
  assert.equal(one("31 00 80", 0x8000).text, "BRW ^X3");
  assert.equal(one("F5 50 FD", 0x10).text, "SOBGTR R0,^X10");
  assert.equal(one("E0 03 51 04", 0x10).text, "BBS S^#3,R1,^X18");
  assert.equal(one("F1 0A 01 50 FA FF", 0).text, "ACBL S^#^XA,S^#1,R0,^X0");
  assert.deepEqual(one("F1 0A 01 50 FA FF", 0).targets, [0]);
  // Jumps and calls: known targets when PC-relative or absolute.
  assert.deepEqual(one("17 AF 10", 0x100).targets, [0x113]);
  assert.deepEqual(one("16 9F 00 20 00 00").targets, [0x2000]);
  assert.deepEqual(one("FB 00 EF 00 01 00 00", 0x100).targets, [0x207]);
  assert.deepEqual(one("FA 61 9F 00 30 00 00").targets, [0x3000]);
  assert.deepEqual(one("17 65").targets, []);
  assert.deepEqual(one("17 BF 10").targets, [], "deferred: unknown");
  assert.deepEqual(one("17 41 AF 10").targets, [], "indexed: unknown");
  assert.deepEqual(one("9E AF 10 50").targets, [], "MOVAB is not a jump");
  assert.deepEqual(one("D0 01 50").targets, []);
});

Deno.test("CASEL reads its table when the limit is a literal", () => {
  const a = assemble(
    `       CASEL R0,#0,#2
T:      .WORD A-T,B-T,C-T
        HALT
A:      NOP
B:      NOP
C:      RSB`,
    { origin: 0x400 },
  );
  const t = 0x404;
  const ins = disassembleOne((x) => a.bytes[x - 0x400]!, 0x400);
  assert.equal(ins.text, "CASEL R0,S^#0,S^#2");
  assert.equal(ins.length, 4);
  assert.deepEqual(ins.caseTable, [t + 7, t + 8, t + 9]);
  assert.deepEqual(ins.targets, [t + 7, t + 8, t + 9, t + 6]);
  const listing = disassemble(a.bytes, 0x400);
  assert.deepEqual(listing.map((i) => i.text), [
    "CASEL R0,S^#0,S^#2",
    ".WORD ^X40B-^X404",
    ".WORD ^X40C-^X404",
    ".WORD ^X40D-^X404",
    "HALT",
    "NOP",
    "NOP",
    "RSB",
  ]);
  assert.equal(listing[1]!.mnemonic, ".WORD");
  assert.deepEqual(listing[1]!.targets, [0x40b]);
  // A register limit: no table known.
  const reg = one("CF 50 00 51");
  assert.equal(reg.caseTable, undefined);
  assert.deepEqual(reg.targets, []);
  // A table cut short by the end of the bytes.
  assert.deepEqual(texts("CF 50 00 03 02 00"), [
    "CASEL R0,S^#0,S^#3",
    ".WORD ^X6-^X4",
  ]);
});

Deno.test("reserved opcodes come out as .BYTE", () => {
  for (let op = 0; op < 256; op++) {
    if (OPCODE_BY_BYTE[op] !== undefined) continue;
    const ins = one(`${op.toString(16)} 00 00`);
    assert.equal(ins.mnemonic, ".BYTE");
    assert.equal(ins.length, 1);
    assert.equal(ins.info, undefined);
    assert.equal(ins.opcode, op);
    assert.match(ins.error!, /reserved/);
    assert.equal(
      ins.text,
      `.BYTE ^X${op.toString(16).toUpperCase().padStart(2, "0")}`,
    );
    assert.deepEqual([...assemble(ins.text).bytes], [op]);
  }
});

Deno.test("two-byte opcodes decode; reserved second bytes are .BYTE", () => {
  assert.equal(one("FD 7D 50 52").text, "MOVO R0,R2");
  assert.equal(one("FD 7D 50 52").opcode, 0xfd7d);
  assert.equal(one("FD 40 51 52").text, "ADDG2 R1,R2");
  assert.deepEqual([...assemble("ADDG2 R1,R2").bytes], [
    0xfd,
    0x40,
    0x51,
    0x52,
  ]);
  const bad = one("FD 00 00");
  assert.equal(bad.mnemonic, ".BYTE");
  assert.equal(bad.length, 1);
  assert.match(bad.error!, /reserved opcode 0xFD 0x00/);
});

Deno.test("reserved addressing modes come out as .BYTE with the reason", () => {
  const cases: [string, RegExp][] = [
    ["D0 50 01", /short literal as a write operand/],
    ["D6 01", /short literal as a modify operand/],
    ["9E 01 50", /short literal as an address operand/],
    ["E0 01 01 00", /short literal as a bit-field base operand/],
    ["D0 50 8F 01 00 00 00", /immediate as a write operand/],
    ["9E 51 50", /register mode as an address operand/],
    ["D0 5F 50", /PC in register mode/],
    ["D0 6F 50", /\(PC\) mode/],
    ["D0 7F 50", /-\(PC\) mode/],
    ["D0 4F 61 50", /PC as an index register/],
    ["D0 41 01 50", /index mode with a short literal base/],
    ["D0 41 51 50", /index mode with a register base/],
    ["D0 41 42 61 50", /index mode with an index base/],
    ["D0 41 8F 01 00 00 00 50", /index mode with an immediate base/],
  ];
  for (const [bytes, reason] of cases) {
    const ins = one(bytes);
    assert.equal(ins.mnemonic, ".BYTE", bytes);
    assert.equal(ins.length, 1);
    assert.match(ins.error!, /reserved addressing mode/);
    assert.match(ins.error!, reason, bytes);
  }
  // Bulk disassembly goes on at the next byte.
  assert.deepEqual(texts("D0 5F CA 2F 50"), [
    ".BYTE ^XD0",
    ".BYTE ^X5F",
    "BICL2 S^#^X2F,R0",
  ]);
});

Deno.test("reading past the available bytes", () => {
  // Truncated at the end of a block: .BYTE lines.
  assert.deepEqual(texts("01 D0 8F 01"), [
    "NOP",
    ".BYTE ^XD0",
    ".BYTE ^X8F",
    "NOP",
  ]);
  const cut = one("D0 8F 01");
  assert.equal(cut.mnemonic, ".BYTE");
  assert.match(cut.error!, /continues at 0x3, which cannot be read/);
  // A failure to read the opcode itself propagates.
  assert.throws(
    () =>
      disassembleOne(() => {
        throw new Error("page fault");
      }, 0),
    /page fault/,
  );
  // A read function that returns something other than a byte is a bug.
  assert.throws(() => disassembleOne(() => 256, 0), RangeError);
  assert.throws(() => disassembleOne(() => 0, -1), RangeError);
  assert.throws(() => disassemble(new Uint8Array(1), 2 ** 32), RangeError);
  assert.throws(() => disassemble(new Uint8Array(2), 2 ** 32 - 1), RangeError);
});

Deno.test("immediates print unsigned, in hex from 10 up", () => {
  assert.equal(one("D0 8F FF FF FF FF 50").text, "MOVL I^#^XFFFFFFFF,R0");
  assert.equal(one("D0 8F 00 00 00 80 50").text, "MOVL I^#^X80000000,R0");
  assert.equal(one("D0 8F 09 00 00 00 50").text, "MOVL I^#9,R0");
  assert.equal(one("D0 8F 0A 00 00 00 50").text, "MOVL I^#^XA,R0");
});

Deno.test("disassemble covers the block and keeps addresses", () => {
  const a = assemble(
    `START:  MOVL    #1,R0
        BRB     START
        .BYTE   ^XFF
        HALT`,
    { origin: 0x1000 },
  );
  const listing = disassemble(a.bytes, 0x1000);
  assert.deepEqual(
    listing.map((i) => [i.address, i.length, i.text]),
    [
      [0x1000, 3, "MOVL S^#1,R0"],
      [0x1003, 2, "BRB ^X1000"],
      [0x1005, 1, ".BYTE ^XFF"],
      [0x1006, 1, "HALT"],
    ],
  );
  assert.deepEqual(disassemble(new Uint8Array(0)), []);
});
