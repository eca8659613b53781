import assert from "node:assert/strict";
import {
  AsmError,
  assemble,
  type AssembleOptions,
  Assembly,
} from "../../src/asm/assembler.ts";

/** The bytes of a program, as an array for readable assertions. */
function bytes(source: string, options: AssembleOptions = {}): number[] {
  return [...assemble(source, options).bytes];
}

/** Bytes written as hex pairs: "D0 01 50". */
function hex(text: string): number[] {
  return text.trim() === ""
    ? []
    : text.trim().split(/\s+/).map((h) => parseInt(h, 16));
}

function same(source: string, expected: string, options?: AssembleOptions) {
  assert.deepEqual(bytes(source, options), hex(expected), source);
}

/** Asserts that assembling fails with a first error at line:column. */
function fails(
  source: string,
  line: number,
  column: number,
  reason: RegExp,
  options: AssembleOptions = {},
): AsmError {
  try {
    assemble(source, options);
  } catch (e) {
    assert.ok(e instanceof AsmError, `not an AsmError: ${e}`);
    assert.ok(e instanceof SyntaxError);
    assert.equal(e.line, line, `line of ${e.message}`);
    assert.equal(e.column, column, `column of ${e.message}`);
    assert.match(e.reason, reason);
    assert.ok(
      e.message.startsWith(
        `Cannot assemble ${
          options.fileName ? options.fileName + ", " : ""
        }line ${line}, column ${column}: `,
      ),
      e.message,
    );
    return e;
  }
  assert.fail(`assembled without error: ${source}`);
}

// ---------------------------------------------------------------------------
// Addressing modes (vax-architecture.md 3.3, 3.4).

Deno.test("short literal and immediate", () => {
  same("MOVL #1,R0", "D0 01 50");
  same("MOVL #0,R0", "D0 00 50");
  same("MOVL #63,R0", "D0 3F 50");
  same("MOVL S^#63,R0", "D0 3F 50");
  same("MOVL S^#^X3F,R0", "D0 3F 50");
  same("MOVL #64,R0", "D0 8F 40 00 00 00 50");
  same("MOVL #100,R0", "D0 8F 64 00 00 00 50");
  same("MOVL I^#1,R0", "D0 8F 01 00 00 00 50");
  same("MOVL #-1,R0", "D0 8F FF FF FF FF 50");
  same("MOVB #-1,R0", "90 8F FF 50");
  same("MOVB #255,R0", "90 8F FF 50");
  same("MOVB #-128,R0", "90 8F 80 50");
  same("MOVW #^X1234,R0", "B0 8F 34 12 50");
  same("MOVW #-32768,R0", "B0 8F 00 80 50");
  same("MOVW I^#5,R0", "B0 8F 05 00 50");
  // Short literal for every read operand, whatever its data type.
  same("ADDB3 #1,#2,R3", "81 01 02 53");
  same("CMPW #1,#2", "B1 01 02");
  same("PUSHL #5", "DD 05");
});

Deno.test("immediate for address and bit-field operands", () => {
  // Immediate with a access: the operand is the address of the data; its
  // size comes from the operand's data type.
  same("MOVAB #5,R0", "9E 8F 05 50");
  same("MOVAW #5,R0", "3E 8F 05 00 50");
  same("PUSHAL #5", "DF 8F 05 00 00 00");
  same("PUSHAL I^#^X12345678", "DF 8F 78 56 34 12");
  // v access: `#` is immediate too (a short literal would fault).
  same("BBS #1,#5,.", "E0 01 8F 05 FB");
});

Deno.test("register modes", () => {
  same("MOVL R1,R2", "D0 51 52");
  same("movl r10,r11", "D0 5A 5B");
  same("MOVL AP,FP", "D0 5C 5D");
  same("MOVL SP,R12", "D0 5E 5C");
  same("MOVL R13,R14", "D0 5D 5E");
  same("MOVL (R1),(R2)", "D0 61 62");
  same("MOVL @R1,( r2 )", "D0 61 62");
  same("MOVL (SP),(AP)", "D0 6E 6C");
  same("MOVL (R1)+,-(R2)", "D0 81 72");
  same("MOVL (SP)+,-(SP)", "D0 8E 7E");
  same("MOVL @(R3)+,R0", "D0 93 50");
  same("MOVL @(SP)+,R0", "D0 9E 50");
  same("JMP (R5)", "17 65");
  same("BBS R0,R1,.", "E0 50 51 FC");
});

Deno.test("displacement modes", () => {
  same("MOVAB B^4(R3),R1", "9E A3 04 51");
  same("MOVL 4(R3),R0", "D0 A3 04 50");
  same("MOVL 0(R3),R0", "D0 A3 00 50");
  same("MOVL -4(R3),R0", "D0 A3 FC 50");
  same("MOVL 127(R3),R0", "D0 A3 7F 50");
  same("MOVL -128(R3),R0", "D0 A3 80 50");
  same("MOVL 128(R3),R0", "D0 C3 80 00 50");
  same("MOVL 200(R3),R0", "D0 C3 C8 00 50");
  same("MOVL -129(R3),R0", "D0 C3 7F FF 50");
  same("MOVL 32767(R3),R0", "D0 C3 FF 7F 50");
  same("MOVL 32768(R3),R0", "D0 E3 00 80 00 00 50");
  same("MOVL 40000(R3),R0", "D0 E3 40 9C 00 00 50");
  same("MOVL -40000(R3),R0", "D0 E3 C0 63 FF FF 50");
  same("MOVL W^4(R3),R0", "D0 C3 04 00 50");
  same("MOVL L^4(R3),R0", "D0 E3 04 00 00 00 50");
  same("MOVL b^-4(FP),R0", "D0 AD FC 50");
  same("MOVL @4(R3),R0", "D0 B3 04 50");
  same("MOVL @B^4(R3),R0", "D0 B3 04 50");
  same("MOVL @W^4(R3),R0", "D0 D3 04 00 50");
  same("MOVL @L^4(R3),R0", "D0 F3 04 00 00 00 50");
  same("MOVL @300(R3),R0", "D0 D3 2C 01 50");
  same("MOVL @(R3),R0", "D0 B3 00 50");
  same("MOVL 4(AP),R0", "D0 AC 04 50");
  same("MOVL ^X10(SP),R0", "D0 AE 10 50");
  // Known symbols size the displacement.
  same("OFF = 8\nMOVL OFF(R1),R0", "D0 A1 08 50");
  same("OFF = 1000\nMOVL OFF(R1),R0", "D0 C1 E8 03 50");
  // A forward symbol is sized once it is known.
  same("MOVL OFF(R1),R0\nOFF = 1000", "D0 C1 E8 03 50");
  same("MOVL OFF(R1),R0\nOFF = 4", "D0 A1 04 50");
});

Deno.test("absolute and general modes", () => {
  same("MOVL @#^X1000,R0", "D0 9F 00 10 00 00 50");
  same("MOVL @#4096,R0", "D0 9F 00 10 00 00 50");
  same("JMP @#^X80000000", "17 9F 00 00 00 80");
  // G^ is absolute for a program with a known origin.
  same("MOVL G^X,R0\nX: .LONG 7", "D0 9F 07 10 00 00 50 07 00 00 00", {
    origin: 0x1000,
  });
  same("MOVL G^^X1234,R0", "D0 9F 34 12 00 00 50");
  // @G^ is PC-relative longword deferred.
  same("MOVL @G^X,R0\nX: .LONG 7", "D0 FF 01 00 00 00 50 07 00 00 00");
});

Deno.test("PC-relative modes", () => {
  const o = { origin: 0x1000 };
  // Spec byte at 1001, displacement at 1002, PC' = 1003, X = 1004.
  same("MOVL X,R0\nX: .LONG 5", "D0 AF 01 50 05 00 00 00", o);
  same("X: .LONG 5\nMOVL X,R0", "05 00 00 00 D0 AF F9 50", o);
  same("MOVL W^X,R0\nX: .LONG 5", "D0 CF 01 00 50 05 00 00 00", o);
  same("MOVL L^X,R0\nX: .LONG 5", "D0 EF 01 00 00 00 50 05 00 00 00", o);
  same("MOVL @X,R0\nX: .LONG 5", "D0 BF 01 50 05 00 00 00", o);
  same("MOVL @B^X,R0\nX: .LONG 5", "D0 BF 01 50 05 00 00 00", o);
  same("MOVL @W^X,R0\nX: .LONG 5", "D0 DF 01 00 50 05 00 00 00", o);
  same("MOVL @L^X,R0\nX: .LONG 5", "D0 FF 01 00 00 00 50 05 00 00 00", o);
  // The displacement is relative to the end of the displacement itself,
  // not of the instruction.
  same("MOVL R0,X\nX: .LONG 5", "D0 50 AF 00 05 00 00 00", o);
  same("MOVAL X,R1\nX: .BYTE 0", "DE AF 01 51 00", o);
  same("JMP X\nX: HALT", "17 AF 00 00", o);
  same("JSB X\nX: HALT", "16 AF 00 00", o);
  // An absolute address as target.
  same("MOVL ^X1010,R0", "D0 AF 0D 50", o);
  same("MOVL B^^X1010,R0", "D0 AF 0D 50", o);
  same("MOVL W^^X1010,R0", "D0 CF 0C 00 50", o);
});

Deno.test("PC-relative sizing: smallest that fits, forward references", () => {
  const o = { origin: 0x1000 };
  // Backward: known in the first pass.
  const back = bytes("X: .BLKB 200\nMOVL X,R0", o);
  assert.deepEqual(back.slice(200), hex("D0 CF 34 FF 50")); // 1000 - 10CC
  // Forward, near: byte.
  same("MOVL X,R0\n.BLKB 10\nX: .LONG 0", `D0 AF 0B 50 ${"00 ".repeat(14)}`, o);
  // Forward, far: word, and the label after it accounts for the growth.
  const fw = assemble("MOVL X,R0\n.BLKB 300\nX: .LONG 1", o);
  assert.deepEqual([...fw.bytes.slice(0, 5)], hex("D0 CF 2D 01 50"));
  assert.equal(fw.symbol("X"), 0x1000 + 5 + 300);
  // Forward, very far: longword.
  const far = assemble("MOVL X,R0\n.BLKB 40000\nX: .LONG 1", o);
  assert.deepEqual([...far.bytes.slice(0, 7)], hex("D0 EF 41 9C 00 00 50"));
  assert.equal(far.symbol("X"), 0x1000 + 7 + 40000);
  // A chain: growing one displacement pushes another target out of reach.
  const chain = assemble(
    "MOVL A,R0\nMOVL B,R0\n.BLKB 123\nA: .BYTE 0\n.BLKB 4\nB: .BYTE 0",
    o,
  );
  const a = chain.symbol("A");
  const b = chain.symbol("B");
  const img = chain.bytes;
  // Both still land on their targets.
  const disp = (at: number, size: number) => {
    const v = size === 1
      ? (img[at]! << 24) >> 24
      : ((img[at]! | (img[at + 1]! << 8)) << 16) >> 16;
    return v;
  };
  const aSize = img[1] === 0xaf ? 1 : 2;
  assert.equal(0x1002 + aSize + disp(2, aSize), a);
  const second = 3 + aSize;
  const bSize = img[second + 1] === 0xaf ? 1 : 2;
  assert.equal(
    0x1000 + second + 2 + bSize + disp(second + 2, bSize),
    b,
  );
});

Deno.test("index mode", () => {
  same("CLRL 4(R2)[R3]", "D4 43 A2 04");
  same("MOVL (R1)[R2],R0", "D0 42 61 50");
  same("MOVL (R1)+[R2],R0", "D0 42 81 50");
  same("MOVL -(R1)[R2],R0", "D0 42 71 50");
  same("MOVL @(R1)+[R2],R0", "D0 42 91 50");
  same("MOVL @4(R1)[SP],R0", "D0 4E B1 04 50");
  same("MOVL @#^X1000[R4],R0", "D0 44 9F 00 10 00 00 50");
  same("MOVL X[R1],R0\nX: .LONG 0", "D0 41 AF 01 50 00 00 00 00");
  same("MOVL @X[R1],R0\nX: .LONG 0", "D0 41 BF 01 50 00 00 00 00");
  same("MOVL G^^X2000[R1],R0", "D0 41 9F 00 20 00 00 50");
  same("MOVAL W^8(R2)[R11],R0", "DE 4B C2 08 00 50");
  same("MOVL 4(R2) [ R3 ],R0", "D0 43 A2 04 50");
});

// ---------------------------------------------------------------------------
// Branches and CASE (3.5, 4.9, 4.10).

Deno.test("branch displacements", () => {
  const o = { origin: 0x1000 };
  same("X: BRB X", "11 FE", o);
  same("BRB .", "11 FE", o);
  same("BRB X\nX: HALT", "11 00 00", o);
  same("BRW .", "31 FD FF", o);
  same("BSBB X\nBSBW X\nX: RSB", "10 03 30 00 00 05", o);
  // Extremes of a byte displacement.
  same("BRB .+129", "11 7F", o);
  same("BRB .-126", "11 80", o);
  same("BRW .+32770", "31 FF 7F", o);
  same("BRW .-32765", "31 00 80", o);
  // The displacement comes after all specifiers.
  same("X: SOBGTR R0,X", "F5 50 FD", o);
  same("X: SOBGEQ 4(R2),X", "F4 A2 04 FC", o);
  same("X: AOBLSS #10,R1,X", "F2 0A 51 FC", o);
  same("X: AOBLEQ #100,R1,X", "F3 8F 64 00 00 00 51 F8", o);
  same("X: ACBL #10,#1,R0,X", "F1 0A 01 50 FA FF", o);
  same("X: BLBS R0,X\nBLBC R0,X", "E8 50 FD E9 50 FA", o);
  same("X: BBS #3,R1,X\nBBC #3,(R1),X", "E0 03 51 FC E1 03 61 F8", o);
  same("BNEQ X\nBEQL X\nBGTR X\nBLEQ X\nX: HALT", "12 06 13 04 14 02 15 00 00");
  same("BGEQ .\nBLSS .\nBGTRU .\nBLEQU .", "18 FE 19 FE 1A FE 1B FE");
  same("BVC .\nBVS .\nBCC .\nBCS .", "1C FE 1D FE 1E FE 1F FE");
  // Aliases share opcodes.
  same("BNEQU .\nBEQLU .\nBGEQU .\nBLSSU .", "12 FE 13 FE 1E FE 1F FE");
  // Forward branch over a long stretch.
  const far = bytes("BRW X\n.BLKB 1000\nX: HALT", o);
  assert.deepEqual(far.slice(0, 3), hex("31 E8 03"));
  // A branch to an absolute address.
  same("BRB ^X1010", "11 0E", o);
});

Deno.test("CASEL with a .WORD table", () => {
  const src = `
        CASEL   R0,#0,#2
TABLE:  .WORD   A-TABLE
        .WORD   B-TABLE
        .WORD   C-TABLE
        HALT            ; out of range
A:      NOP
B:      NOP
C:      RSB`;
  same(src, "CF 50 00 02 07 00 08 00 09 00 00 01 01 05");
  // Backward entries are negative words.
  same(
    "X: NOP\n CASEL R1,#1,#1\nT: .WORD X-T, Y-T\nY: HALT",
    "01 CF 51 01 01 FB FF 04 00 00",
  );
});

// ---------------------------------------------------------------------------
// Directives.

Deno.test("data directives", () => {
  same(".BYTE 1,2,-1,255,^XFF", "01 02 FF FF FF");
  same(".WORD 1,-1,65535", "01 00 FF FF FF FF");
  same(".LONG 1,^X12345678,-1", "01 00 00 00 78 56 34 12 FF FF FF FF");
  same(".QUAD 5,-1", "05 00 00 00 00 00 00 00 FF FF FF FF FF FF FF FF");
  same(".ADDRESS X\nX: .BYTE 9", "04 10 00 00 09", { origin: 0x1000 });
  same(".byte 1 , 2 ; comment, 3", "01 02");
  // `.` is the address of the item being stored.
  same(".LONG .,.", "00 10 00 00 04 10 00 00", { origin: 0x1000 });
  same(".WORD 0,.-X\nX:", "00 00 FE FF");
});

Deno.test("string directives", () => {
  same(".ASCII /abc/", "61 62 63");
  same('.ASCII "a;b"', "61 3B 62");
  same(".ASCII |x/y|", "78 2F 79");
  same(".ASCIZ /hi/", "68 69 00");
  same(".ASCIC /hi/", "02 68 69");
  same(".ASCII /ab/<13><10>/c/", "61 62 0D 0A 63");
  same(".ASCII <7>", "07");
  same(".ASCIZ <^X41> /B/ ; comment /C/", "41 42 00");
  same(".ASCII //", "");
  same(
    '.ascii "Hello, world!"<13><10>',
    "48 65 6C 6C 6F 2C 20 77 6F 72 6C 64 21 0D 0A",
  );
});

Deno.test("reserving space", () => {
  same(".BLKB 3\n.BYTE 1", "00 00 00 01");
  same(".BLKW 2\n.BYTE 1", "00 00 00 00 01");
  same(".BLKL\n.BYTE 1", "00 00 00 00 01");
  same(".BLKQ 1\n.BYTE 1", "00 00 00 00 00 00 00 00 01");
  same("N = 2\n.BLKL N\n.BYTE 1", "00 00 00 00 00 00 00 00 01");
  // Reserved space at the end is part of the image.
  assert.equal(assemble("HALT\nBUF: .BLKB 16").bytes.length, 17);
});

Deno.test(".ALIGN", () => {
  same(".BYTE 1\n.ALIGN LONG\n.BYTE 2", "01 00 00 00 02");
  same(".BYTE 1\n.ALIGN WORD\n.BYTE 2", "01 00 02");
  same(".BYTE 1\n.ALIGN BYTE\n.BYTE 2", "01 02");
  same(".BYTE 1\n.ALIGN QUAD\n.BYTE 2", `01 ${"00 ".repeat(7)} 02`);
  same(".BYTE 1\n.ALIGN 2\n.BYTE 2", "01 00 00 00 02");
  same(".BYTE 1\n.ALIGN 3,^XFF\n.BYTE 2", `01 ${"FF ".repeat(7)} 02`);
  same(".ALIGN LONG\n.BYTE 2", "02");
  const page = assemble(".BYTE 1\n.ALIGN PAGE\nP: .BYTE 2");
  assert.equal(page.symbol("P"), 512);
  assert.equal(assemble(".BYTE 1\n.ALIGN OCTA\nP:").symbol("P"), 16);
  // Alignment is of the address, not of the offset from the origin.
  same(".ALIGN LONG\n.BYTE 2", "00 00 00 02", { origin: 0x1001 });
});

Deno.test(".ORG and the location counter", () => {
  same(".BYTE 1\n.ORG ^X1004\n.BYTE 2", "01 00 00 00 02", { origin: 0x1000 });
  same(".BYTE 1\n. = . + 2\n.BYTE 2", "01 00 00 02");
  same(".  =  .+1\n.BYTE 2", "00 02");
  // Going back into a gap is fine.
  same(".ORG 4\n.BYTE 4\n.ORG 1\n.BYTE 1", "00 01 00 00 04");
  const a = assemble("X: .BYTE 1\n.ORG X+8\nY: .BYTE 2", { origin: 0x200 });
  assert.equal(a.symbol("Y"), 0x208);
  assert.equal(a.bytes.length, 9);
});

Deno.test(".END, .ENTRY and ignored directives", () => {
  const a = assemble(
    `.TITLE demo a demo
     .IDENT /V1.0/
     .PSECT CODE,EXE
     .ENABLE LSB
     .SBTTL more ; x
     .ENTRY MAIN,^M<R2,R3,R11>
     RET
START: HALT
     .END START
     this line is not assembled`,
    { origin: 0x400 },
  );
  assert.deepEqual([...a.bytes], hex("0C 08 04 00"));
  assert.equal(a.entry, 0x403);
  assert.equal(a.symbol("MAIN"), 0x400);
  // Without .END (or with a bare .END) the entry is the origin.
  assert.equal(assemble("HALT", { origin: 0x200 }).entry, 0x200);
  assert.equal(assemble("HALT\n.END", { origin: 0x200 }).entry, 0x200);
  same(".ENTRY X,0", "00 00");
  same(".ENTRY X", "00 00");
});

// ---------------------------------------------------------------------------
// Expressions.

Deno.test("numbers in every radix", () => {
  const v = (e: string, opts?: AssembleOptions) =>
    assemble(`X = ${e}`, opts).symbol("X");
  assert.equal(v("10"), 10);
  assert.equal(v("^X1F"), 31);
  assert.equal(v("^xff"), 255);
  assert.equal(v("^O17"), 15);
  assert.equal(v("^B101"), 5);
  assert.equal(v("^D10"), 10);
  assert.equal(v("0x1F"), 31);
  assert.equal(v("0XfF"), 255);
  assert.equal(v("4294967295"), 0xffffffff);
  assert.equal(v("^XFFFFFFFF"), 0xffffffff);
  assert.equal(v("^A/A/"), 0x41);
  assert.equal(v("^A/AB/"), 0x4241);
  assert.equal(v("^A'ABCD'"), 0x44434241);
  assert.equal(v("^A/;/"), 0x3b);
  assert.equal(v("^M<R0,R2>"), 5);
  assert.equal(v("^M<R11,IV,DV>"), 0xc800);
  assert.equal(v("^M<>"), 0);
});

Deno.test("operators", () => {
  const v = (e: string) => assemble(`X = ${e}`).symbol("X");
  assert.equal(v("2+3"), 5);
  assert.equal(v("2-3"), 0xffffffff);
  assert.equal(v("6*7"), 42);
  assert.equal(v("7/2"), 3);
  assert.equal(v("-7/2"), 0xfffffffd); // truncates toward zero
  assert.equal(v("1@4"), 16);
  assert.equal(v("^X100@-4"), 16);
  assert.equal(v("-16@-2"), 0xfffffffc); // arithmetic shift
  assert.equal(v("1@32"), 0);
  assert.equal(v("-1@-40"), 0xffffffff);
  assert.equal(v("12&10"), 8);
  assert.equal(v("12!3"), 15);
  assert.equal(v("12\\10"), 6);
  assert.equal(v("-1"), 0xffffffff);
  assert.equal(v("+5"), 5);
  assert.equal(v("--5"), 5);
  assert.equal(v("^C0"), 0xffffffff);
  assert.equal(v("^C^XFF"), 0xffffff00);
  assert.equal(v("-<2+3>"), 0xfffffffb);
  // All binary operators have the same priority, left to right.
  assert.equal(v("1+2*3"), 9);
  assert.equal(v("1+<2*3>"), 7);
  assert.equal(v("2*3+1"), 7);
  assert.equal(v("1+2&2"), 2);
  assert.equal(v("<<1+2>*<3+4>>"), 21);
  assert.equal(v(" 1 + 2 "), 3);
  // Modulo 2^32.
  assert.equal(v("^XFFFFFFFF+2"), 1);
  assert.equal(v("^X10000*^X10000"), 0);
  assert.equal(v("^X80000000*2"), 0);
});

Deno.test("symbols and assignments", () => {
  const a = assemble(
    `A = 5
B == A*2
Start:: MOVL #B,R0
A = A+1
C = A`,
    { origin: 0x100 },
  );
  assert.equal(a.symbols.get("A"), 6);
  assert.equal(a.symbols.get("B"), 10);
  assert.equal(a.symbols.get("C"), 6);
  assert.equal(a.symbols.get("Start"), 0x100);
  assert.equal(a.symbol("start"), 0x100);
  assert.equal(a.symbol("START"), 0x100);
  assert.deepEqual([...a.bytes], hex("D0 0A 50"));
  assert.throws(() => a.symbol("nope"), RangeError);
  // Symbols are case-insensitive; forward references to assignments work.
  same("MOVL #size,R0\nSIZE = 3", "D0 03 50");
  same("MOVL #Size,R0\nSIZE = 300", "D0 8F 2C 01 00 00 50");
  // Names may contain $ _ and .
  same("MY$SYM_1.X = 7\n.BYTE my$sym_1.x", "07");
});

Deno.test("predefined symbols", () => {
  const a = assemble("MTPR #31,#IPL\nMFPR #ipl,R0\n.LONG NEG", {
    symbols: { IPL: 18, NEG: -1 },
  });
  assert.deepEqual([...a.bytes], hex("DA 1F 12 DB 12 50 FF FF FF FF"));
  assert.equal(a.symbols.size, 0, "predefined symbols are not listed");
  // A source assignment may replace a predefined value.
  same("X = X+1\n.BYTE X", "06", { symbols: { X: 5 } });
  assert.throws(() => assemble("", { symbols: { R0: 1 } }), TypeError);
  assert.throws(() => assemble("", { symbols: { "a b": 1 } }), TypeError);
  assert.throws(() => assemble("", { symbols: { X: 2 ** 32 } }), RangeError);
  assert.throws(() => assemble("", { symbols: { X: 1.5 } }), RangeError);
  assert.throws(() => assemble("", { origin: -1 }), RangeError);
  assert.throws(() => assemble("", { origin: 2 ** 32 }), RangeError);
});

Deno.test("local labels are scoped between non-local labels", () => {
  const o = { origin: 0x1000 };
  same(
    `A:  BRB 10$
10$: BRB 10$
B:  BRB 10$
10$: BRB 20$
20$: HALT`,
    "11 00 11 FE 11 00 11 00 00",
    o,
  );
  // Local labels are not in the symbol table.
  const a = assemble("X: 1$: HALT\nY: 1$: HALT");
  assert.deepEqual([...a.symbols.keys()], ["X", "Y"]);
  // Assignments do not start a new block; .PSECT does.
  same("1$: NOP\nX = 1\nBRB 1$", "01 11 FD");
  fails("1$: .PSECT A\nBRB 1$", 2, 5, /undefined local label "1\$"/);
  fails("10$: HALT\nL: BRB 10$", 2, 8, /undefined local label "10\$"/);
  fails("10$: HALT\n10$: HALT", 2, 1, /duplicate label "10\$"/);
});

// ---------------------------------------------------------------------------
// The assembly object.

Deno.test("listing and address-to-line map", () => {
  const src = `; a comment
start:  MOVL #1,R0     ; 3 bytes
        X = 5
loop:   INCL R0
        BRB loop
msg:    .ASCIZ /ok/
buf:    .BLKB 4
        .END start`;
  const a = assemble(src, { origin: 0x2000 });
  assert.deepEqual(
    a.lines.map((l) => [l.line, l.address, l.length]),
    [[2, 0x2000, 3], [4, 0x2003, 2], [5, 0x2005, 2], [6, 0x2007, 3], [
      7,
      0x200a,
      4,
    ]],
  );
  assert.equal(a.lines[0]!.text, "start:  MOVL #1,R0     ; 3 bytes");
  assert.equal(a.lineAt(0x2000)?.line, 2);
  assert.equal(a.lineAt(0x2002)?.line, 2);
  assert.equal(a.lineAt(0x2003)?.line, 4);
  assert.equal(a.lineAt(0x200d)?.line, 7);
  assert.equal(a.lineAt(0x200e), undefined);
  assert.equal(a.lineAt(0x1fff), undefined);
  assert.equal(a.origin, 0x2000);
  assert.equal(a.end, 0x200e);
  assert.equal(a.entry, 0x2000);
  assert.ok(a instanceof Assembly);
  assert.deepEqual([...a.symbols.keys()], ["start", "X", "loop", "msg", "buf"]);
});

Deno.test("empty and comment-only sources", () => {
  assert.equal(assemble("").bytes.length, 0);
  assert.equal(assemble("; nothing\n\n   \t\n").bytes.length, 0);
  assert.equal(assemble("X = 1").bytes.length, 0);
  same("L1: L2::\tL3:NOP", "01");
  same("\tNOP\t;x\r\n\tHALT\r\n", "01 00");
});

// ---------------------------------------------------------------------------
// Errors.

Deno.test("error: unknown mnemonic and directive", () => {
  const e = fails("  NOP\n    MOVX R0,R1", 2, 5, /^unknown mnemonic "MOVX"$/);
  assert.equal(
    e.message,
    'Cannot assemble line 2, column 5: unknown mnemonic "MOVX"',
  );
  fails(" .FOO 1", 1, 2, /unknown directive "\.FOO"/);
  fails(" MOVL#1,R0", 1, 6, /unexpected '#' after "MOVL"/);
  fails(" ?", 1, 2, /expected a label, an instruction or a directive/);
});

Deno.test("error: operand count names the mnemonic and operands", () => {
  fails(
    "MOVL R0",
    1,
    1,
    /^MOVL expects 2 operands \(src\.rl, dst\.wl\), got 1$/,
  );
  fails(" CLRL", 1, 2, /^CLRL expects 1 operand \(dst\.wl\), got 0$/);
  fails("NOP R0", 1, 1, /^NOP expects no operands, got 1$/);
  fails(
    "ACBL R0,R1,R2",
    1,
    1,
    /ACBL expects 4 operands \(limit\.rl, add\.rl, index\.ml, displ\.bw\), got 3/,
  );
  fails("MOVL R0,", 1, 9, /missing operand/);
});

Deno.test("error: illegal modes for the access type", () => {
  fails(
    "MOVL R0,#5",
    1,
    9,
    /immediate operand not allowed for a write operand/,
  );
  fails("INCL #5", 1, 6, /immediate operand not allowed for a modify operand/);
  fails("ADDL2 R0,I^#5", 1, 10, /immediate operand not allowed for a modify/);
  fails("MOVL R0,S^#5", 1, 9, /short literal not allowed for a write operand/);
  fails("INCL S^#1", 1, 6, /short literal not allowed for a modify operand/);
  fails("MOVAB S^#1,R0", 1, 7, /short literal not allowed for an address/);
  fails("BBS #1,S^#1,.", 1, 8, /short literal not allowed for a bit-field/);
  fails(
    "MOVAB R1,R0",
    1,
    7,
    /register mode not allowed for an address operand/,
  );
  fails("JMP R1", 1, 5, /register mode not allowed for an address operand/);
  fails("MOVL PC,R0", 1, 6, /PC cannot be used in register mode/);
  fails("MOVL R0,(PC)", 1, 9, /\(PC\) is not a legal operand/);
  fails("MOVL -(PC),R0", 1, 6, /-\(PC\) is not a legal operand/);
  fails("MOVL (PC)+,R0", 1, 6, /immediate mode: write I\^#value/);
  fails("MOVL @(PC)+,R0", 1, 6, /absolute mode: write @#address/);
  fails("MOVL @-(R1),R0", 1, 6, /autodecrement mode cannot be deferred/);
  fails("MOVL @S^#1,R0", 1, 6, /'@' cannot be combined with S\^#/);
  fails("MOVL S^5,R0", 1, 8, /S\^ must be followed by '#'/);
  fails("MOVL G^4(R1),R0", 1, 6, /G\^ cannot be used with a base register/);
  fails("MOVL B^(R1),R0", 1, 8, /missing displacement/);
  fails("MOVL 4(X),R0", 1, 8, /expected a register in parentheses, found "X"/);
  fails(
    "MOVL (1+2)*3,R0",
    1,
    6,
    /parentheses may only enclose a base register/,
  );
});

Deno.test("error: index mode", () => {
  fails("MOVL #1[R2],R0", 1, 6, /index mode not allowed with a literal or/);
  fails(
    "MOVL S^#1[R2],R0",
    1,
    6,
    /index mode not allowed with a short literal/,
  );
  fails("MOVL I^#1[R2],R0", 1, 6, /index mode not allowed with an immediate/);
  fails("MOVL R1[R2],R0", 1, 6, /index mode not allowed with a register base/);
  fails("MOVL (R1)[R2][R3],R0", 1, 6, /index mode not allowed with an index/);
  fails("MOVL (R1)[PC],R0", 1, 11, /PC cannot be used as an index register/);
  fails("MOVL (R1)[4],R0", 1, 11, /index must be a register, not "4"/);
  fails("MOVL [R1],R0", 1, 6, /missing base before index/);
});

Deno.test("error: branches", () => {
  fails(
    "BRB .+130",
    1,
    5,
    /out of range: displacement 128 does not fit in a byte \(-128\.\.127\)/,
  );
  fails("BRB .-127", 1, 5, /displacement -129 does not fit in a byte/);
  fails("BRW .+32771", 1, 5, /displacement 32768 does not fit in a word/);
  fails("BRB X\n.BLKB 200\nX: HALT", 1, 5, /branch target 0xCA out of range/);
  fails("BRB #5", 1, 5, /a branch operand is a target address/);
  fails("BRB (R1)", 1, 5, /a branch operand is a target address/);
  fails("BRB B^X\nX:", 1, 5, /a branch operand is a target address/);
  fails("SOBGTR R0,@X\nX:", 1, 11, /a branch operand is a target address/);
});

Deno.test("error: values out of range", () => {
  fails("MOVL S^#64,R0", 1, 6, /short literal 64 out of range \(0\.\.63\)/);
  fails("MOVB #256,R0", 1, 6, /value 0x100 does not fit in a byte immediate/);
  fails("MOVB I^#-129,R0", 1, 6, /does not fit in a byte immediate/);
  fails("MOVW #65536,R0", 1, 6, /does not fit in a word immediate/);
  fails(
    "MOVL B^128(R1),R0",
    1,
    6,
    /displacement 128 does not fit in a byte \(B\^\)/,
  );
  fails("MOVL W^-32769(R1),R0", 1, 6, /does not fit in a word \(W\^\)/);
  fails(
    "MOVL B^X,R0\n.BLKB 200\nX:",
    1,
    6,
    /target 0xCC out of range of B\^ \(displacement 201/,
  );
  fails(".BYTE 1,256", 1, 9, /value 0x100 does not fit in a byte/);
  fails(".BYTE -129", 1, 7, /does not fit in a byte/);
  fails(".WORD 65536", 1, 7, /does not fit in a word/);
  fails(".ASCII <256>", 1, 9, /does not fit in a byte/);
  fails(".ALIGN 10", 1, 8, /alignment must be 0 to 9/);
  fails(".ALIGN 2,300", 1, 10, /fill value 0x12C does not fit in a byte/);
  fails(".BLKB -1", 1, 7, /cannot reserve -1 items/);
  fails(".ASCIC /" + "x".repeat(256) + "/", 1, 1, /at most 255/);
});

Deno.test("error: symbols", () => {
  fails("MOVL #1,R0\n  MOVL FOO,R0", 2, 8, /^undefined symbol "FOO"$/);
  fails(".LONG 1+ZZ", 1, 9, /undefined symbol "ZZ"/);
  fails(
    "X: NOP\nY: NOP\nX: NOP",
    3,
    1,
    /duplicate label "X" \(first defined on line 1\)/,
  );
  fails("x: NOP\n X: NOP", 2, 2, /duplicate label "X"/);
  fails(
    "X = 1\nX: NOP",
    2,
    1,
    /"X" is already a symbol \(assigned on line 1\)/,
  );
  fails(
    "X: NOP\nX = 1",
    2,
    1,
    /cannot assign to label "X" \(defined on line 1\)/,
  );
  fails("R5: NOP", 1, 1, /register name R5 cannot be a label/);
  fails("SP = 4", 1, 1, /cannot assign to register SP/);
  fails("IPL: NOP", 1, 1, /predefined symbol/, { symbols: { IPL: 18 } });
  fails(".LONG R0", 1, 7, /register R0 cannot be used in an expression/);
  fails("X = X+1", 1, 5, /undefined symbol "X"/);
  fails("A = B\nB = A+1", 1, 1, /the value of "A" does not settle/);
  fails("MOVL #1/0,R0", 1, 8, /division by zero/);
});

Deno.test("error: expressions", () => {
  fails(".LONG ^X1G", 1, 7, /invalid digit 'G' in base-16 number "1G"/);
  fails(".LONG ^B102", 1, 7, /invalid digit '2' in base-2/);
  fails(".LONG 12AB", 1, 7, /invalid digit 'A' in base-10/);
  fails(".LONG 4294967296", 1, 7, /does not fit in 32 bits/);
  fails(".LONG ^X", 1, 7, /missing digits/);
  fails(".LONG ^Q1", 1, 7, /unknown operator '\^Q'/);
  fails(".LONG <1+2", 1, 7, /missing '>'/);
  fails(".LONG 1 2", 1, 9, /unexpected '2' in expression/);
  fails(".LONG 1+", 1, 9, /expected an expression, found end of operand/);
  fails(".LONG ,", 1, 7, /missing expression/);
  fails(".LONG ^A/abcde/", 1, 7, /1 to 4 characters/);
  fails(".LONG ^M<R12>", 1, 10, /cannot appear in a register mask/);
  fails(".ASCII /abc", 1, 8, /unterminated string/);
  fails(".ASCII", 1, 1, /missing string/);
  fails(".BYTE", 1, 1, /\.BYTE needs at least one value/);
  fails(".BLKB 1,2", 1, 9, /takes at most 1 argument/);
  fails("X = ", 1, 5, /missing expression/);
});

Deno.test("error: location counter", () => {
  fails(".BLKB N\nN = 4", 1, 7, /needs "N" to be defined on an earlier line/);
  fails(".ORG Q", 1, 6, /undefined symbol "Q"/);
  fails(".ORG 4", 1, 6, /location 0x4 is below the origin 0x100/, {
    origin: 0x100,
  });
  fails(
    ".LONG 1,2\n.ORG 4\n.BYTE 9",
    3,
    1,
    /bytes at 0x4 were already assembled by line 1/,
  );
  fails(".ORG ^X7FFFFFFF\n.BYTE 1", 2, 1, /image would be/);
  fails(".ORG ^XFFFFFFFF\n.WORD 1", 2, 1, /passes 0xFFFFFFFF/);
});

Deno.test("several errors are reported at once, in order", () => {
  const e = fails(
    "MOVX R0\nNOP\n MOVL R0\nBRB ZZ\nX: X:",
    1,
    1,
    /unknown mnemonic/,
  );
  // Syntax errors stop before layout; all of them are listed.
  assert.deepEqual(
    e.errors.map((d) => [d.line, d.column]),
    [[1, 1], [3, 2]],
  );
  assert.match(e.message, /\n {2}line 3, column 2: MOVL expects 2 operands/);
  const v = fails(
    "BRB ZZ\nMOVL QQ,R0\n.BYTE 300",
    1,
    5,
    /undefined symbol "ZZ"/,
  );
  assert.deepEqual(
    v.errors.map((d) => [d.line, d.column]),
    [[1, 5], [2, 6], [3, 7]],
  );
});

Deno.test("error messages carry the file name", () => {
  const e = fails("NOP\nFOO", 2, 1, /unknown mnemonic/, {
    fileName: "boot.mar",
  });
  assert.equal(e.fileName, "boot.mar");
  assert.equal(
    e.message,
    'Cannot assemble boot.mar, line 2, column 1: unknown mnemonic "FOO"',
  );
  assert.equal(e.errors[0]!.fileName, "boot.mar");
  assert.equal(e.name, "AsmError");
});

Deno.test("assemble: expressions nested too deeply are an error with a position", () => {
  for (
    const [src, column] of [
      [".LONG " + "-".repeat(5000) + "1", 1007],
      [".LONG " + "1+".repeat(20000) + "1", 2006],
      [".LONG " + "<".repeat(5000) + "1" + ">".repeat(5000), 1007],
      ["MOVL #" + "^C".repeat(3000) + "1,R0", 2007],
    ] as const
  ) {
    assert.throws(
      () => assemble(src),
      (e: unknown) =>
        e instanceof AsmError && e.line === 1 &&
        e.column === column &&
        /nested too deeply/.test(e.reason),
    );
  }
  // Deep but within the limit is fine.
  assert.deepEqual(bytes(".LONG " + "1+".repeat(500) + "1"), [
    0xf5,
    0x01,
    0,
    0,
  ]);
});

Deno.test("assemble: acyclic chains of forward assignments of any length settle", () => {
  const n = 2000;
  let src = "";
  for (let i = 0; i < n; i++) src += `S${i} = S${i + 1}+1\n`;
  src += `S${n} = 0\n.LONG S0\n`;
  const a = assemble(src);
  assert.equal(a.symbol("S0"), n);
  assert.deepEqual([...a.bytes], [0xd0, 0x07, 0, 0]);
  // A chain that ends at a label.
  let src2 = "";
  for (let i = 0; i < 300; i++) src2 += `T${i} = T${i + 1}+1\n`;
  src2 += "T300 = lab\n.LONG T0\nlab: HALT\n";
  assert.equal(assemble(src2, { origin: 0x100 }).symbol("T0"), 0x104 + 300);
});

Deno.test("assemble: a UTF-8 byte-order mark at the start is ignored", () => {
  assert.deepEqual(bytes("\uFEFFMOVL #1,R0\nHALT"), [0xd0, 0x01, 0x50, 0x00]);
});

Deno.test("assemble: arguments that are not text and options are refused clearly", () => {
  assert.throws(
    () => assemble("", null as never),
    /Cannot assemble with options null: expected an object/,
  );
  assert.throws(
    () => assemble(5 as never),
    /Cannot assemble number: expected the program text as a string/,
  );
});
