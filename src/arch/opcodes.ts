/**
 * The opcode table: one source of truth for the CPU's decoder, the
 * assembler, the disassembler and the analyses (vax-architecture.md
 * section 4; classes after Popek and Goldberg, vm-extensions.md).
 *
 * It lists the whole VAX instruction set as the MicroVAX 3900 (KA655,
 * CVAX) sees it: what the chip executes, what it hands to software through
 * the emulation exception (SCB 0xC8/0xCC: packed decimal, EDITPC, MATCHC,
 * MOVTC, MOVTUC, CRC) and what it does not have at all (H floating and
 * octaword: reserved-instruction fault, as on SimH's KA655, which lacks the
 * extended-accuracy option). Two-byte opcodes are written `0xFDxx`.
 *
 * To add an instruction, add a row here and an executor: a case in
 * `src/machine/cpu.ts` for the hot integer path, or an entry in a family
 * file under `src/machine/isa/` (see `src/machine/isa/context.ts`). The
 * decoder, assembler and disassembler pick the row up without change.
 *
 * @module
 */

/** Operand access types (section 3.2). `b` is a branch displacement. */
export type OperandAccess = "r" | "m" | "w" | "a" | "v" | "b";

/**
 * Operand data types: byte, word, longword, quadword, octaword, and the
 * F, D, G and H floating formats.
 */
export type DataType = "b" | "w" | "l" | "q" | "o" | "f" | "d" | "g" | "h";

/**
 * How the KA655 (CVAX) treats an instruction: `hardware` executes it,
 * `emulated` raises the emulation exception (SCB 0xC8, or 0xCC with
 * PSL<FPD> set) for software to finish, `reserved` raises the
 * reserved-instruction fault after decoding its operands.
 */
export type Ka655Support = "hardware" | "emulated" | "reserved";

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
  /** Opcode: a byte 0x00 to 0xFF, or 0xFDxx for a two-byte opcode. */
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
  /** CASEx: a table of word displacements follows the operands. */
  caseTable?: boolean;
  /** How the KA655 executes it (default `hardware`). */
  ka655: Ka655Support;
  /**
   * The instruction may start with PSL<FPD> set (it is interruptible and
   * resumes from its registers): the character-string instructions and
   * the emulated ones. Any other instruction with FPD set is a
   * reserved-instruction fault.
   */
  fpd?: boolean;
}

type Row = [
  number,
  string,
  string,
  InstructionClass?,
  CostClass?,
  string?,
];

/** Instructions the KA655 hands to software (emulation exception). */
const EMULATED: ReadonlySet<string> = new Set([
  "CVTPS",
  "CVTSP",
  "CRC",
  "ADDP4",
  "ADDP6",
  "SUBP4",
  "SUBP6",
  "CVTPT",
  "MULP",
  "CVTTP",
  "DIVP",
  "MOVTC",
  "MOVTUC",
  "MOVP",
  "CMPP3",
  "CVTPL",
  "CMPP4",
  "EDITPC",
  "MATCHC",
  "ASHP",
  "CVTLP",
]);

/** Character-string instructions the KA655 executes, restartable by FPD. */
const STRING_FPD: ReadonlySet<string> = new Set([
  "MOVC3",
  "CMPC3",
  "SCANC",
  "SPANC",
  "MOVC5",
  "CMPC5",
  "LOCC",
  "SKPC",
]);

/** The case instructions (a displacement table follows). */
const CASES: ReadonlySet<string> = new Set(["CASEB", "CASEW", "CASEL"]);

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
  [0x08, "CVTPS", "srclen.rw srcaddr.ab dstlen.rw dstaddr.ab"],
  [0x09, "CVTSP", "srclen.rw srcaddr.ab dstlen.rw dstaddr.ab"],
  [
    0x0a,
    "INDEX",
    "subscript.rl low.rl high.rl size.rl indexin.rl indexout.wl",
    "innocuous",
    "multiply",
  ],
  [0x0b, "CRC", "tbladdr.ab inicrc.rl strlen.rw stream.ab"],
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
  [0x20, "ADDP4", "addlen.rw addaddr.ab sumlen.rw sumaddr.ab"],
  [
    0x21,
    "ADDP6",
    "add1len.rw add1addr.ab add2len.rw add2addr.ab sumlen.rw sumaddr.ab",
  ],
  [0x22, "SUBP4", "sublen.rw subaddr.ab diflen.rw difaddr.ab"],
  [
    0x23,
    "SUBP6",
    "sublen.rw subaddr.ab minlen.rw minaddr.ab diflen.rw difaddr.ab",
  ],
  [0x24, "CVTPT", "srclen.rw srcaddr.ab tbladdr.ab dstlen.rw dstaddr.ab"],
  [
    0x25,
    "MULP",
    "mulrlen.rw mulraddr.ab muldlen.rw muldaddr.ab prodlen.rw prodaddr.ab",
  ],
  [0x26, "CVTTP", "srclen.rw srcaddr.ab tbladdr.ab dstlen.rw dstaddr.ab"],
  [
    0x27,
    "DIVP",
    "divrlen.rw divraddr.ab divdlen.rw divdaddr.ab quolen.rw quoaddr.ab",
  ],
  [0x28, "MOVC3", "len.rw srcaddr.ab dstaddr.ab", "innocuous", "queue"],
  [0x29, "CMPC3", "len.rw src1addr.ab src2addr.ab", "innocuous", "queue"],
  [0x2a, "SCANC", "len.rw addr.ab tbladdr.ab mask.rb", "innocuous", "queue"],
  [0x2b, "SPANC", "len.rw addr.ab tbladdr.ab mask.rb", "innocuous", "queue"],
  [
    0x2c,
    "MOVC5",
    "srclen.rw srcaddr.ab fill.rb dstlen.rw dstaddr.ab",
    "innocuous",
    "queue",
  ],
  [
    0x2d,
    "CMPC5",
    "src1len.rw src1addr.ab fill.rb src2len.rw src2addr.ab",
    "innocuous",
    "queue",
  ],
  [
    0x2e,
    "MOVTC",
    "srclen.rw srcaddr.ab fill.rb tbladdr.ab dstlen.rw dstaddr.ab",
  ],
  [
    0x2f,
    "MOVTUC",
    "srclen.rw srcaddr.ab esc.rb tbladdr.ab dstlen.rw dstaddr.ab",
  ],
  [0x30, "BSBW", "displ.bw", "innocuous", "branch"],
  [0x31, "BRW", "displ.bw", "innocuous", "branch"],
  [0x32, "CVTWL", "src.rw dst.wl"],
  [0x33, "CVTWB", "src.rw dst.wb"],
  [0x34, "MOVP", "len.rw srcaddr.ab dstaddr.ab"],
  [0x35, "CMPP3", "len.rw src1addr.ab src2addr.ab"],
  [0x36, "CVTPL", "srclen.rw srcaddr.ab dst.wl"],
  [0x37, "CMPP4", "src1len.rw src1addr.ab src2len.rw src2addr.ab"],
  [0x38, "EDITPC", "srclen.rw srcaddr.ab pattern.ab dstaddr.ab"],
  [0x39, "MATCHC", "objlen.rw objaddr.ab srclen.rw srcaddr.ab"],
  [0x3a, "LOCC", "char.rb len.rw addr.ab", "innocuous", "queue"],
  [0x3b, "SKPC", "char.rb len.rw addr.ab", "innocuous", "queue"],
  [0x3c, "MOVZWL", "src.rw dst.wl"],
  [0x3d, "ACBW", "limit.rw add.rw index.mw displ.bw", "innocuous", "branch"],
  [0x3e, "MOVAW", "src.aw dst.wl"],
  [0x3f, "PUSHAW", "src.aw"],
  [0x40, "ADDF2", "add.rf sum.mf"],
  [0x41, "ADDF3", "add1.rf add2.rf sum.wf"],
  [0x42, "SUBF2", "sub.rf dif.mf"],
  [0x43, "SUBF3", "sub.rf min.rf dif.wf"],
  [0x44, "MULF2", "mulr.rf prod.mf", "innocuous", "multiply"],
  [0x45, "MULF3", "mulr.rf muld.rf prod.wf", "innocuous", "multiply"],
  [0x46, "DIVF2", "divr.rf quo.mf", "innocuous", "divide"],
  [0x47, "DIVF3", "divr.rf divd.rf quo.wf", "innocuous", "divide"],
  [0x48, "CVTFB", "src.rf dst.wb"],
  [0x49, "CVTFW", "src.rf dst.ww"],
  [0x4a, "CVTFL", "src.rf dst.wl"],
  [0x4b, "CVTRFL", "src.rf dst.wl"],
  [0x4c, "CVTBF", "src.rb dst.wf"],
  [0x4d, "CVTWF", "src.rw dst.wf"],
  [0x4e, "CVTLF", "src.rl dst.wf"],
  [0x4f, "ACBF", "limit.rf add.rf index.mf displ.bw", "innocuous", "branch"],
  [0x50, "MOVF", "src.rf dst.wf"],
  [0x51, "CMPF", "src1.rf src2.rf"],
  [0x52, "MNEGF", "src.rf dst.wf"],
  [0x53, "TSTF", "src.rf"],
  [
    0x54,
    "EMODF",
    "mulr.rf mulrx.rb muld.rf int.wl fract.wf",
    "innocuous",
    "multiply",
  ],
  [0x55, "POLYF", "arg.rf degree.rw tbladdr.ab", "innocuous", "multiply"],
  [0x56, "CVTFD", "src.rf dst.wd"],
  [0x58, "ADAWI", "add.rw sum.mw"],
  [0x5c, "INSQHI", "entry.ab header.aq", "innocuous", "queue"],
  [0x5d, "INSQTI", "entry.ab header.aq", "innocuous", "queue"],
  [0x5e, "REMQHI", "header.aq addr.wl", "innocuous", "queue"],
  [0x5f, "REMQTI", "header.aq addr.wl", "innocuous", "queue"],
  [0x60, "ADDD2", "add.rd sum.md"],
  [0x61, "ADDD3", "add1.rd add2.rd sum.wd"],
  [0x62, "SUBD2", "sub.rd dif.md"],
  [0x63, "SUBD3", "sub.rd min.rd dif.wd"],
  [0x64, "MULD2", "mulr.rd prod.md", "innocuous", "multiply"],
  [0x65, "MULD3", "mulr.rd muld.rd prod.wd", "innocuous", "multiply"],
  [0x66, "DIVD2", "divr.rd quo.md", "innocuous", "divide"],
  [0x67, "DIVD3", "divr.rd divd.rd quo.wd", "innocuous", "divide"],
  [0x68, "CVTDB", "src.rd dst.wb"],
  [0x69, "CVTDW", "src.rd dst.ww"],
  [0x6a, "CVTDL", "src.rd dst.wl"],
  [0x6b, "CVTRDL", "src.rd dst.wl"],
  [0x6c, "CVTBD", "src.rb dst.wd"],
  [0x6d, "CVTWD", "src.rw dst.wd"],
  [0x6e, "CVTLD", "src.rl dst.wd"],
  [0x6f, "ACBD", "limit.rd add.rd index.md displ.bw", "innocuous", "branch"],
  [0x70, "MOVD", "src.rd dst.wd"],
  [0x71, "CMPD", "src1.rd src2.rd"],
  [0x72, "MNEGD", "src.rd dst.wd"],
  [0x73, "TSTD", "src.rd"],
  [
    0x74,
    "EMODD",
    "mulr.rd mulrx.rb muld.rd int.wl fract.wd",
    "innocuous",
    "multiply",
  ],
  [0x75, "POLYD", "arg.rd degree.rw tbladdr.ab", "innocuous", "multiply"],
  [0x76, "CVTDF", "src.rd dst.wf"],
  [0x78, "ASHL", "cnt.rb src.rl dst.wl"],
  [0x79, "ASHQ", "cnt.rb src.rq dst.wq"],
  [0x7a, "EMUL", "mulr.rl muld.rl add.rl prod.wq", "innocuous", "multiply"],
  [0x7b, "EDIV", "divr.rl divd.rq quo.wl rem.wl", "innocuous", "divide"],
  [0x7c, "CLRQ", "dst.wq"],
  [0x7d, "MOVQ", "src.rq dst.wq"],
  [0x7e, "MOVAQ", "src.aq dst.wl"],
  [0x7f, "PUSHAQ", "src.aq"],
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
  [0x8f, "CASEB", "selector.rb base.rb limit.rb", "innocuous", "branch"],
  [0x90, "MOVB", "src.rb dst.wb"],
  [0x91, "CMPB", "src1.rb src2.rb"],
  [0x92, "MCOMB", "src.rb dst.wb"],
  [0x93, "BITB", "mask.rb src.rb"],
  [0x94, "CLRB", "dst.wb"],
  [0x95, "TSTB", "src.rb"],
  [0x96, "INCB", "sum.mb"],
  [0x97, "DECB", "dif.mb"],
  [0x98, "CVTBL", "src.rb dst.wl"],
  [0x99, "CVTBW", "src.rb dst.ww"],
  [0x9a, "MOVZBL", "src.rb dst.wl"],
  [0x9b, "MOVZBW", "src.rb dst.ww"],
  [0x9c, "ROTL", "cnt.rb src.rl dst.wl"],
  [0x9d, "ACBB", "limit.rb add.rb index.mb displ.bw", "innocuous", "branch"],
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
  [0xaf, "CASEW", "selector.rw base.rw limit.rw", "innocuous", "branch"],
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
  [0xba, "POPR", "mask.rw", "innocuous", "call"],
  [0xbb, "PUSHR", "mask.rw", "innocuous", "call"],
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
  [0xd8, "ADWC", "add.rl sum.ml"],
  [0xd9, "SBWC", "sub.rl dif.ml"],
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
  [0xe2, "BBSS", "pos.rl base.vb displ.bb", "innocuous", "branch"],
  [0xe3, "BBCS", "pos.rl base.vb displ.bb", "innocuous", "branch"],
  [0xe4, "BBSC", "pos.rl base.vb displ.bb", "innocuous", "branch"],
  [0xe5, "BBCC", "pos.rl base.vb displ.bb", "innocuous", "branch"],
  [0xe6, "BBSSI", "pos.rl base.vb displ.bb", "innocuous", "branch"],
  [0xe7, "BBCCI", "pos.rl base.vb displ.bb", "innocuous", "branch"],
  [0xe8, "BLBS", "src.rl displ.bb", "innocuous", "branch"],
  [0xe9, "BLBC", "src.rl displ.bb", "innocuous", "branch"],
  [0xea, "FFS", "startpos.rl size.rb base.vb findpos.wl"],
  [0xeb, "FFC", "startpos.rl size.rb base.vb findpos.wl"],
  [0xec, "CMPV", "pos.rl size.rb base.vb src.rl"],
  [0xed, "CMPZV", "pos.rl size.rb base.vb src.rl"],
  [0xee, "EXTV", "pos.rl size.rb base.vb dst.wl"],
  [0xef, "EXTZV", "pos.rl size.rb base.vb dst.wl"],
  [0xf0, "INSV", "src.rl pos.rl size.rb base.vb"],
  [0xf1, "ACBL", "limit.rl add.rl index.ml displ.bw", "innocuous", "branch"],
  [0xf2, "AOBLSS", "limit.rl index.ml displ.bb", "innocuous", "branch"],
  [0xf3, "AOBLEQ", "limit.rl index.ml displ.bb", "innocuous", "branch"],
  [0xf4, "SOBGEQ", "index.ml displ.bb", "innocuous", "branch"],
  [0xf5, "SOBGTR", "index.ml displ.bb", "innocuous", "branch"],
  [0xf6, "CVTLB", "src.rl dst.wb"],
  [0xf7, "CVTLW", "src.rl dst.ww"],
  [0xf8, "ASHP", "cnt.rb srclen.rw srcaddr.ab round.rb dstlen.rw dstaddr.ab"],
  [0xf9, "CVTLP", "src.rl dstlen.rw dstaddr.ab"],
  [0xfa, "CALLG", "arglist.ab dst.ab", "innocuous", "call"],
  [0xfb, "CALLS", "numarg.rl dst.ab", "innocuous", "call"],
  [0xfc, "XFC", "", "innocuous", "system"],
  [0xfd32, "CVTDH", "src.rd dst.wh"],
  [0xfd33, "CVTGF", "src.rg dst.wf"],
  [0xfd40, "ADDG2", "add.rg sum.mg"],
  [0xfd41, "ADDG3", "add1.rg add2.rg sum.wg"],
  [0xfd42, "SUBG2", "sub.rg dif.mg"],
  [0xfd43, "SUBG3", "sub.rg min.rg dif.wg"],
  [0xfd44, "MULG2", "mulr.rg prod.mg", "innocuous", "multiply"],
  [0xfd45, "MULG3", "mulr.rg muld.rg prod.wg", "innocuous", "multiply"],
  [0xfd46, "DIVG2", "divr.rg quo.mg", "innocuous", "divide"],
  [0xfd47, "DIVG3", "divr.rg divd.rg quo.wg", "innocuous", "divide"],
  [0xfd48, "CVTGB", "src.rg dst.wb"],
  [0xfd49, "CVTGW", "src.rg dst.ww"],
  [0xfd4a, "CVTGL", "src.rg dst.wl"],
  [0xfd4b, "CVTRGL", "src.rg dst.wl"],
  [0xfd4c, "CVTBG", "src.rb dst.wg"],
  [0xfd4d, "CVTWG", "src.rw dst.wg"],
  [0xfd4e, "CVTLG", "src.rl dst.wg"],
  [0xfd4f, "ACBG", "limit.rg add.rg index.mg displ.bw", "innocuous", "branch"],
  [0xfd50, "MOVG", "src.rg dst.wg"],
  [0xfd51, "CMPG", "src1.rg src2.rg"],
  [0xfd52, "MNEGG", "src.rg dst.wg"],
  [0xfd53, "TSTG", "src.rg"],
  [
    0xfd54,
    "EMODG",
    "mulr.rg mulrx.rw muld.rg int.wl fract.wg",
    "innocuous",
    "multiply",
  ],
  [0xfd55, "POLYG", "arg.rg degree.rw tbladdr.ab", "innocuous", "multiply"],
  [0xfd56, "CVTGH", "src.rg dst.wh"],
  [0xfd60, "ADDH2", "add.rh sum.mh"],
  [0xfd61, "ADDH3", "add1.rh add2.rh sum.wh"],
  [0xfd62, "SUBH2", "sub.rh dif.mh"],
  [0xfd63, "SUBH3", "sub.rh min.rh dif.wh"],
  [0xfd64, "MULH2", "mulr.rh prod.mh"],
  [0xfd65, "MULH3", "mulr.rh muld.rh prod.wh"],
  [0xfd66, "DIVH2", "divr.rh quo.mh"],
  [0xfd67, "DIVH3", "divr.rh divd.rh quo.wh"],
  [0xfd68, "CVTHB", "src.rh dst.wb"],
  [0xfd69, "CVTHW", "src.rh dst.ww"],
  [0xfd6a, "CVTHL", "src.rh dst.wl"],
  [0xfd6b, "CVTRHL", "src.rh dst.wl"],
  [0xfd6c, "CVTBH", "src.rb dst.wh"],
  [0xfd6d, "CVTWH", "src.rw dst.wh"],
  [0xfd6e, "CVTLH", "src.rl dst.wh"],
  [0xfd6f, "ACBH", "limit.rh add.rh index.mh displ.bw", "innocuous", "branch"],
  [0xfd70, "MOVH", "src.rh dst.wh"],
  [0xfd71, "CMPH", "src1.rh src2.rh"],
  [0xfd72, "MNEGH", "src.rh dst.wh"],
  [0xfd73, "TSTH", "src.rh"],
  [0xfd74, "EMODH", "mulr.rh mulrx.rw muld.rh int.wl fract.wh"],
  [0xfd75, "POLYH", "arg.rh degree.rw tbladdr.ab"],
  [0xfd76, "CVTHG", "src.rh dst.wg"],
  [0xfd7c, "CLRO", "dst.wo"],
  [0xfd7d, "MOVO", "src.ro dst.wo"],
  [0xfd7e, "MOVAO", "src.ao dst.wl"],
  [0xfd7f, "PUSHAO", "src.ao"],
  [0xfd98, "CVTFH", "src.rf dst.wh"],
  [0xfd99, "CVTFG", "src.rf dst.wg"],
  [0xfdf6, "CVTHF", "src.rh dst.wf"],
  [0xfdf7, "CVTHD", "src.rh dst.wd"],
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

/** Every instruction of the VAX, in opcode order (two-byte ones last). */
export const OPCODES: readonly OpcodeInfo[] = ROWS.map(
  ([opcode, mnemonic, ops, cls, cost, why]) => ({
    opcode,
    mnemonic,
    operands: parseOperands(ops),
    class: cls ?? "innocuous",
    cost: cost ?? "simple",
    ...(why ? { sensitivity: why } : {}),
    ...(CASES.has(mnemonic) ? { caseTable: true } : {}),
    ka655: EMULATED.has(mnemonic)
      ? "emulated"
      : /\.[a-z][ho]\b/.test(ops)
      ? "reserved"
      : "hardware",
    ...(EMULATED.has(mnemonic) || STRING_FPD.has(mnemonic)
      ? { fpd: true }
      : {}),
  }),
);

/**
 * Index of an opcode in the decode tables: the byte itself for one-byte
 * opcodes, 0x100 + the second byte for 0xFDxx.
 */
export function opcodeIndex(opcode: number): number {
  return opcode <= 0xff ? opcode : 0x100 | (opcode & 0xff);
}

/** The instruction-stream bytes of an opcode (one or two). */
export function opcodeBytes(opcode: number): number[] {
  return opcode <= 0xff ? [opcode] : [0xfd, opcode & 0xff];
}

/**
 * Opcode rows indexed by the first opcode byte (undefined: reserved
 * instruction, or 0xFD, the prefix of the two-byte opcodes).
 */
export const OPCODE_BY_BYTE: readonly (OpcodeInfo | undefined)[] = (() => {
  const t: (OpcodeInfo | undefined)[] = new Array(256).fill(undefined);
  for (const o of OPCODES) if (o.opcode <= 0xff) t[o.opcode] = o;
  return t;
})();

/** Opcode rows by {@link opcodeIndex} (512 entries). */
export const OPCODE_BY_INDEX: readonly (OpcodeInfo | undefined)[] = (() => {
  const t: (OpcodeInfo | undefined)[] = new Array(512).fill(undefined);
  for (const o of OPCODES) t[opcodeIndex(o.opcode)] = o;
  return t;
})();

/** Alternative mnemonics that share an opcode (section 4, VAX MACRO). */
export const MNEMONIC_ALIASES: Readonly<Record<string, string>> = {
  BNEQU: "BNEQ",
  BEQLU: "BEQL",
  BGEQU: "BCC",
  BLSSU: "BCS",
  CLRF: "CLRL",
  CLRD: "CLRQ",
  CLRG: "CLRQ",
  CLRH: "CLRO",
  MOVAF: "MOVAL",
  MOVAD: "MOVAQ",
  MOVAG: "MOVAQ",
  MOVAH: "MOVAO",
  PUSHAF: "PUSHAL",
  PUSHAD: "PUSHAQ",
  PUSHAG: "PUSHAQ",
  PUSHAH: "PUSHAO",
};

const BY_MNEMONIC: ReadonlyMap<string, OpcodeInfo> = new Map(
  OPCODES.map((o) => [o.mnemonic, o]),
);

/** Looks up a row by mnemonic (aliases accepted, case-insensitive). */
export function opcodeByMnemonic(mnemonic: string): OpcodeInfo | undefined {
  const m = mnemonic.toUpperCase();
  return BY_MNEMONIC.get(MNEMONIC_ALIASES[m] ?? m);
}

const SIZES: Readonly<Record<DataType, number>> = {
  b: 1,
  w: 2,
  l: 4,
  q: 8,
  o: 16,
  f: 4,
  d: 8,
  g: 8,
  h: 16,
};

/** Size in bytes of a data type. */
export function dataTypeSize(t: DataType): number {
  return SIZES[t];
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
/**
 * Flag added to the access code of an operand that the fast decode paths
 * cannot take: quadword, octaword and floating types (wider than a
 * longword, or a short literal that expands as a floating value). The low
 * four bits of such an entry hold one of the WIDE_* type codes instead of
 * the size.
 */
export const ACC_WIDE = 8;

/** Wide type code: quadword. */
export const WIDE_Q = 1;
/** Wide type code: octaword. */
export const WIDE_O = 2;
/** Wide type code: F floating (read access only; otherwise a longword). */
export const WIDE_F = 3;
/** Wide type code: D floating. */
export const WIDE_D = 4;
/** Wide type code: G floating. */
export const WIDE_G = 5;
/** Wide type code: H floating. */
export const WIDE_H = 6;

/** Operand size in bytes of each WIDE_* type code. */
export const WIDE_SIZE: readonly number[] = [0, 8, 16, 4, 8, 8, 16];

/** Maximum operand count of any instruction. */
export const MAX_OPERANDS = 6;

/**
 * For opcode index i ({@link opcodeIndex}): `SPEC_COUNT[i]` is the number
 * of operands (0xFF: no such instruction).
 */
export const SPEC_COUNT: Uint8Array = new Uint8Array(512).fill(0xff);

/**
 * For opcode index i and operand k: `SPEC_TABLE[i * 8 + k]` is
 * `(access << 4) | size` with access one of the ACC_* codes, or
 * `((access | ACC_WIDE) << 4) | WIDE_*` for a wide or floating operand.
 */
export const SPEC_TABLE: Uint8Array = new Uint8Array(512 * 8);

/**
 * Per opcode index: 1 when the KA655 executes it, 2 when it raises the
 * emulation exception, 3 when it is a reserved instruction (decoded, then
 * faulted); 0 for no instruction. Bit 4 (16) is set when it may start with
 * PSL<FPD> set.
 */
export const KA655_TABLE: Uint8Array = new Uint8Array(512);

const WIDE_CODES: Partial<Record<DataType, number>> = {
  q: WIDE_Q,
  o: WIDE_O,
  d: WIDE_D,
  g: WIDE_G,
  h: WIDE_H,
};

/**
 * Operands the processor decodes with another access than the SRM's: as
 * in SimH, ADAWI's sum is decoded as a write operand (an address or a
 * register) so that its alignment is checked before it is read.
 */
const DECODE_AS: Readonly<Record<string, OperandAccess>> = {
  "ADAWI:1": "w",
};

for (const o of OPCODES) {
  const idx = opcodeIndex(o.opcode);
  SPEC_COUNT[idx] = o.operands.length;
  KA655_TABLE[idx] =
    (o.ka655 === "hardware" ? 1 : o.ka655 === "emulated" ? 2 : 3) |
    (o.fpd ? 16 : 0);
  o.operands.forEach((opnd, i) => {
    const access = DECODE_AS[`${o.mnemonic}:${i}`] ?? opnd.access;
    let acc: number;
    switch (access) {
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
    const wide = WIDE_CODES[opnd.type] ??
      (opnd.type === "f" && acc === ACC_R ? WIDE_F : 0);
    SPEC_TABLE[idx * 8 + i] = acc < ACC_BB && wide !== 0
      ? ((acc | ACC_WIDE) << 4) | wide
      : (acc << 4) | dataTypeSize(opnd.type);
  });
}
