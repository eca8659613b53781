/**
 * The opcode table: one source of truth for the CPU's decoder, the
 * assembler, the disassembler and the analyses (vax-architecture.md
 * section 4; classes after Popek and Goldberg, vm-extensions.md).
 *
 * To add an instruction, add a row here and an executor case in
 * `src/machine/cpu.ts`; the decoder, assembler and disassembler pick the row
 * up without change.
 *
 * @module
 */

/** Operand access types (section 3.2). `b` is a branch displacement. */
export type OperandAccess = "r" | "m" | "w" | "a" | "v" | "b";

/** Operand data types: byte, word, longword, quadword. */
export type DataType = "b" | "w" | "l" | "q";

/** One operand of an instruction. */
export interface OperandInfo {
  /** Name as the SRM writes it, e.g. `src`. */
  name: string;
  /** Access type. */
  access: OperandAccess;
  /** Data type. */
  type: DataType;
}

/**
 * Popek and Goldberg's classes on the standard VAX:
 * - `innocuous`: neither control- nor behaviour-sensitive;
 * - `privileged`: traps when executed outside kernel mode (and is sensitive);
 * - `sensitive`: sensitive but does not trap outside kernel mode, so a
 *   standard VAX cannot be virtualized by trap-and-emulate.
 */
export type InstructionClass = "innocuous" | "privileged" | "sensitive";

/** Cost classes used by the clock's cost model. */
export type CostClass =
  | "simple"
  | "multiply"
  | "divide"
  | "branch"
  | "call"
  | "system"
  | "queue";

/** One row of the opcode table. */
export interface OpcodeInfo {
  /** Opcode byte (0x00 to 0xFF; two-byte opcodes would be 0xFDxx). */
  opcode: number;
  /** Mnemonic. */
  mnemonic: string;
  /** Operands, in instruction-stream order. */
  operands: readonly OperandInfo[];
  /** Popek-Goldberg class on a standard VAX. */
  class: InstructionClass;
  /** Why the instruction is sensitive, when it is. */
  sensitivity?: string;
  /** Cost class for the simulated clock. */
  cost: CostClass;
  /** CASEL-style: a table of word displacements follows the operands. */
  caseTable?: boolean;
  /**
   * Interruptible in the middle: an access fault leaves PSL<FPD> set and the
   * state in the registers, and the instruction resumes from them (the
   * character-string instructions; vax-architecture.md section 3.6).
   */
  firstPartDone?: boolean;
}

type Row = [
  number,
  string,
  string,
  InstructionClass?,
  CostClass?,
  string?,
];

// Operand strings: space-separated `name.at` (access + type).
const ROWS: Row[] = [
  [0x00, "HALT", "", "privileged", "system", "halts the processor"],
  [0x01, "NOP", ""],
  [
    0x02,
    "REI",
    "",
    "sensitive",
    "system",
    "loads PSL from the stack: changes mode, IPL and stack",
  ],
  [0x03, "BPT", "", "innocuous", "system"],
  [0x04, "RET", "", "innocuous", "call"],
  [0x05, "RSB", "", "innocuous", "branch"],
  [0x06, "LDPCTX", "", "privileged", "system", "loads process context"],
  [0x07, "SVPCTX", "", "privileged", "system", "saves process context"],
  [
    0x0c,
    "PROBER",
    "mode.rb len.rw base.ab",
    "sensitive",
    "system",
    "result depends on the previous mode and the protection of pages",
  ],
  [
    0x0d,
    "PROBEW",
    "mode.rb len.rw base.ab",
    "sensitive",
    "system",
    "result depends on the previous mode and the protection of pages",
  ],
  [0x0e, "INSQUE", "entry.ab pred.ab", "innocuous", "queue"],
  [0x0f, "REMQUE", "entry.ab addr.wl", "innocuous", "queue"],
  [0x10, "BSBB", "displ.bb", "innocuous", "branch"],
  [0x11, "BRB", "displ.bb", "innocuous", "branch"],
  [0x12, "BNEQ", "displ.bb", "innocuous", "branch"],
  [0x13, "BEQL", "displ.bb", "innocuous", "branch"],
  [0x14, "BGTR", "displ.bb", "innocuous", "branch"],
  [0x15, "BLEQ", "displ.bb", "innocuous", "branch"],
  [0x16, "JSB", "dst.ab", "innocuous", "branch"],
  [0x17, "JMP", "dst.ab", "innocuous", "branch"],
  [0x18, "BGEQ", "displ.bb", "innocuous", "branch"],
  [0x19, "BLSS", "displ.bb", "innocuous", "branch"],
  [0x1a, "BGTRU", "displ.bb", "innocuous", "branch"],
  [0x1b, "BLEQU", "displ.bb", "innocuous", "branch"],
  [0x1c, "BVC", "displ.bb", "innocuous", "branch"],
  [0x1d, "BVS", "displ.bb", "innocuous", "branch"],
  [0x1e, "BCC", "displ.bb", "innocuous", "branch"],
  [0x1f, "BCS", "displ.bb", "innocuous", "branch"],
  [0x28, "MOVC3", "len.rw srcaddr.ab dstaddr.ab"],
  [0x29, "CMPC3", "len.rw src1addr.ab src2addr.ab"],
  [0x2a, "SCANC", "len.rw addr.ab tbladdr.ab mask.rb"],
  [0x2b, "SPANC", "len.rw addr.ab tbladdr.ab mask.rb"],
  [0x2c, "MOVC5", "srclen.rw srcaddr.ab fill.rb dstlen.rw dstaddr.ab"],
  [0x2d, "CMPC5", "src1len.rw src1addr.ab fill.rb src2len.rw src2addr.ab"],
  [0x30, "BSBW", "displ.bw", "innocuous", "branch"],
  [0x31, "BRW", "displ.bw", "innocuous", "branch"],
  [0x32, "CVTWL", "src.rw dst.wl"],
  [0x3a, "LOCC", "char.rb len.rw addr.ab"],
  [0x3b, "SKPC", "char.rb len.rw addr.ab"],
  [0x3c, "MOVZWL", "src.rw dst.wl"],
  [0x3e, "MOVAW", "src.aw dst.wl"],
  [0x3f, "PUSHAW", "src.aw"],
  [0x78, "ASHL", "cnt.rb src.rl dst.wl"],
  [0x80, "ADDB2", "add.rb sum.mb"],
  [0x81, "ADDB3", "add1.rb add2.rb sum.wb"],
  [0x82, "SUBB2", "sub.rb dif.mb"],
  [0x83, "SUBB3", "sub.rb min.rb dif.wb"],
  [0x84, "MULB2", "mulr.rb prod.mb", "innocuous", "multiply"],
  [0x85, "MULB3", "mulr.rb muld.rb prod.wb", "innocuous", "multiply"],
  [0x86, "DIVB2", "divr.rb quo.mb", "innocuous", "divide"],
  [0x87, "DIVB3", "divr.rb divd.rb quo.wb", "innocuous", "divide"],
  [0x88, "BISB2", "mask.rb dst.mb"],
  [0x89, "BISB3", "mask.rb src.rb dst.wb"],
  [0x8a, "BICB2", "mask.rb dst.mb"],
  [0x8b, "BICB3", "mask.rb src.rb dst.wb"],
  [0x8c, "XORB2", "mask.rb dst.mb"],
  [0x8d, "XORB3", "mask.rb src.rb dst.wb"],
  [0x8e, "MNEGB", "src.rb dst.wb"],
  [0x90, "MOVB", "src.rb dst.wb"],
  [0x91, "CMPB", "src1.rb src2.rb"],
  [0x92, "MCOMB", "src.rb dst.wb"],
  [0x93, "BITB", "mask.rb src.rb"],
  [0x94, "CLRB", "dst.wb"],
  [0x95, "TSTB", "src.rb"],
  [0x96, "INCB", "sum.mb"],
  [0x97, "DECB", "dif.mb"],
  [0x98, "CVTBL", "src.rb dst.wl"],
  [0x9a, "MOVZBL", "src.rb dst.wl"],
  [0x9b, "MOVZBW", "src.rb dst.ww"],
  [0x9c, "ROTL", "cnt.rb src.rl dst.wl"],
  [0x9e, "MOVAB", "src.ab dst.wl"],
  [0x9f, "PUSHAB", "src.ab"],
  [0xa0, "ADDW2", "add.rw sum.mw"],
  [0xa1, "ADDW3", "add1.rw add2.rw sum.ww"],
  [0xa2, "SUBW2", "sub.rw dif.mw"],
  [0xa3, "SUBW3", "sub.rw min.rw dif.ww"],
  [0xa4, "MULW2", "mulr.rw prod.mw", "innocuous", "multiply"],
  [0xa5, "MULW3", "mulr.rw muld.rw prod.ww", "innocuous", "multiply"],
  [0xa6, "DIVW2", "divr.rw quo.mw", "innocuous", "divide"],
  [0xa7, "DIVW3", "divr.rw divd.rw quo.ww", "innocuous", "divide"],
  [0xa8, "BISW2", "mask.rw dst.mw"],
  [0xa9, "BISW3", "mask.rw src.rw dst.ww"],
  [0xaa, "BICW2", "mask.rw dst.mw"],
  [0xab, "BICW3", "mask.rw src.rw dst.ww"],
  [0xac, "XORW2", "mask.rw dst.mw"],
  [0xad, "XORW3", "mask.rw src.rw dst.ww"],
  [0xae, "MNEGW", "src.rw dst.ww"],
  [0xb0, "MOVW", "src.rw dst.ww"],
  [0xb1, "CMPW", "src1.rw src2.rw"],
  [0xb2, "MCOMW", "src.rw dst.ww"],
  [0xb3, "BITW", "mask.rw src.rw"],
  [0xb4, "CLRW", "dst.ww"],
  [0xb5, "TSTW", "src.rw"],
  [0xb6, "INCW", "sum.mw"],
  [0xb7, "DECW", "dif.mw"],
  [0xb8, "BISPSW", "mask.rw"],
  [0xb9, "BICPSW", "mask.rw"],
  [
    0xbc,
    "CHMK",
    "code.rw",
    "sensitive",
    "system",
    "changes mode through the SCB and records the previous mode",
  ],
  [
    0xbd,
    "CHME",
    "code.rw",
    "sensitive",
    "system",
    "changes mode through the SCB and records the previous mode",
  ],
  [
    0xbe,
    "CHMS",
    "code.rw",
    "sensitive",
    "system",
    "changes mode through the SCB and records the previous mode",
  ],
  [
    0xbf,
    "CHMU",
    "code.rw",
    "sensitive",
    "system",
    "changes mode through the SCB and records the previous mode",
  ],
  [0xc0, "ADDL2", "add.rl sum.ml"],
  [0xc1, "ADDL3", "add1.rl add2.rl sum.wl"],
  [0xc2, "SUBL2", "sub.rl dif.ml"],
  [0xc3, "SUBL3", "sub.rl min.rl dif.wl"],
  [0xc4, "MULL2", "mulr.rl prod.ml", "innocuous", "multiply"],
  [0xc5, "MULL3", "mulr.rl muld.rl prod.wl", "innocuous", "multiply"],
  [0xc6, "DIVL2", "divr.rl quo.ml", "innocuous", "divide"],
  [0xc7, "DIVL3", "divr.rl divd.rl quo.wl", "innocuous", "divide"],
  [0xc8, "BISL2", "mask.rl dst.ml"],
  [0xc9, "BISL3", "mask.rl src.rl dst.wl"],
  [0xca, "BICL2", "mask.rl dst.ml"],
  [0xcb, "BICL3", "mask.rl src.rl dst.wl"],
  [0xcc, "XORL2", "mask.rl dst.ml"],
  [0xcd, "XORL3", "mask.rl src.rl dst.wl"],
  [0xce, "MNEGL", "src.rl dst.wl"],
  [0xcf, "CASEL", "selector.rl base.rl limit.rl", "innocuous", "branch"],
  [0xd0, "MOVL", "src.rl dst.wl"],
  [0xd1, "CMPL", "src1.rl src2.rl"],
  [0xd2, "MCOML", "src.rl dst.wl"],
  [0xd3, "BITL", "mask.rl src.rl"],
  [0xd4, "CLRL", "dst.wl"],
  [0xd5, "TSTL", "src.rl"],
  [0xd6, "INCL", "sum.ml"],
  [0xd7, "DECL", "dif.ml"],
  [
    0xda,
    "MTPR",
    "src.rl procreg.rl",
    "privileged",
    "system",
    "writes a processor register",
  ],
  [
    0xdb,
    "MFPR",
    "procreg.rl dst.wl",
    "privileged",
    "system",
    "reads a processor register",
  ],
  [
    0xdc,
    "MOVPSL",
    "dst.wl",
    "sensitive",
    "simple",
    "reveals the current mode, previous mode and IPL",
  ],
  [0xdd, "PUSHL", "src.rl"],
  [0xde, "MOVAL", "src.al dst.wl"],
  [0xdf, "PUSHAL", "src.al"],
  [0xe0, "BBS", "pos.rl base.vb displ.bb", "innocuous", "branch"],
  [0xe1, "BBC", "pos.rl base.vb displ.bb", "innocuous", "branch"],
  [0xe8, "BLBS", "src.rl displ.bb", "innocuous", "branch"],
  [0xe9, "BLBC", "src.rl displ.bb", "innocuous", "branch"],
  [0xf1, "ACBL", "limit.rl add.rl index.ml displ.bw", "innocuous", "branch"],
  [0xf2, "AOBLSS", "limit.rl index.ml displ.bb", "innocuous", "branch"],
  [0xf3, "AOBLEQ", "limit.rl index.ml displ.bb", "innocuous", "branch"],
  [0xf4, "SOBGEQ", "index.ml displ.bb", "innocuous", "branch"],
  [0xf5, "SOBGTR", "index.ml displ.bb", "innocuous", "branch"],
  [0xf6, "CVTLB", "src.rl dst.wb"],
  [0xf7, "CVTLW", "src.rl dst.ww"],
  [0xfa, "CALLG", "arglist.ab dst.ab", "innocuous", "call"],
  [0xfb, "CALLS", "numarg.rl dst.ab", "innocuous", "call"],
];

function parseOperands(text: string): OperandInfo[] {
  if (text === "") return [];
  return text.split(" ").map((spec) => {
    const [name, at] = spec.split(".") as [string, string];
    return {
      name,
      access: at[0] as OperandAccess,
      type: at[1] as DataType,
    };
  });
}

/** The instructions that can resume with PSL<FPD> set. */
const FPD_MNEMONICS = [
  "MOVC3",
  "MOVC5",
  "CMPC3",
  "CMPC5",
  "LOCC",
  "SKPC",
  "SCANC",
  "SPANC",
];

/** Every implemented instruction, in opcode order. */
export const OPCODES: readonly OpcodeInfo[] = ROWS.map(
  ([opcode, mnemonic, ops, cls, cost, why]) => ({
    opcode,
    mnemonic,
    operands: parseOperands(ops),
    class: cls ?? "innocuous",
    cost: cost ?? "simple",
    ...(why ? { sensitivity: why } : {}),
    ...(mnemonic === "CASEL" ? { caseTable: true } : {}),
    ...(FPD_MNEMONICS.includes(mnemonic) ? { firstPartDone: true } : {}),
  }),
);

/**
 * For opcode op: 1 when the instruction can resume with PSL<FPD> set (the
 * decoder then skips its operand specifiers), else 0.
 */
export const FPD_RESUMABLE: Uint8Array = (() => {
  const t = new Uint8Array(256);
  for (const o of OPCODES) if (o.firstPartDone) t[o.opcode] = 1;
  return t;
})();

/** Opcode rows indexed by opcode byte (undefined: reserved instruction). */
export const OPCODE_BY_BYTE: readonly (OpcodeInfo | undefined)[] = (() => {
  const t: (OpcodeInfo | undefined)[] = new Array(256).fill(undefined);
  for (const o of OPCODES) t[o.opcode] = o;
  return t;
})();

/** Alternative mnemonics that share an opcode (section 4). */
export const MNEMONIC_ALIASES: Readonly<Record<string, string>> = {
  BNEQU: "BNEQ",
  BEQLU: "BEQL",
  BGEQU: "BCC",
  BLSSU: "BCS",
};

/** Looks up a row by mnemonic (aliases accepted, case-insensitive). */
export function opcodeByMnemonic(mnemonic: string): OpcodeInfo | undefined {
  const m = mnemonic.toUpperCase();
  const name = MNEMONIC_ALIASES[m] ?? m;
  return OPCODES.find((o) => o.mnemonic === name);
}

/** Size in bytes of a data type. */
export function dataTypeSize(t: DataType): number {
  return t === "b" ? 1 : t === "w" ? 2 : t === "l" ? 4 : 8;
}

// ---------------------------------------------------------------------------
// Compact decode tables for the CPU's hot loop.

/** Access codes packed into {@link SPEC_TABLE}. */
export const ACC_R = 1;
/** Modify access. */
export const ACC_M = 2;
/** Write access. */
export const ACC_W = 3;
/** Address access. */
export const ACC_A = 4;
/** Bit-field base access. */
export const ACC_V = 5;
/** Byte branch displacement. */
export const ACC_BB = 6;
/** Word branch displacement. */
export const ACC_BW = 7;

/** Maximum operand count of any instruction. */
export const MAX_OPERANDS = 6;

/**
 * For opcode op: `SPEC_COUNT[op]` is the number of operands (0xFF: not
 * implemented).
 */
export const SPEC_COUNT: Uint8Array = new Uint8Array(256).fill(0xff);

/**
 * For opcode op and operand i: `SPEC_TABLE[op * 8 + i]` is
 * `(access << 4) | size` with access one of the ACC_* codes.
 */
export const SPEC_TABLE: Uint8Array = new Uint8Array(256 * 8);

for (const o of OPCODES) {
  SPEC_COUNT[o.opcode] = o.operands.length;
  o.operands.forEach((opnd, i) => {
    let acc: number;
    switch (opnd.access) {
      case "r":
        acc = ACC_R;
        break;
      case "m":
        acc = ACC_M;
        break;
      case "w":
        acc = ACC_W;
        break;
      case "a":
        acc = ACC_A;
        break;
      case "v":
        acc = ACC_V;
        break;
      default:
        acc = opnd.type === "b" ? ACC_BB : ACC_BW;
    }
    SPEC_TABLE[o.opcode * 8 + i] = (acc << 4) | dataTypeSize(opnd.type);
  });
}
