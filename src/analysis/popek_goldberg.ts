/**
 * Popek and Goldberg's conditions, checked on the real instruction set.
 *
 * Every instruction of the opcode table is executed, with the same operands
 * and the same memory, once in kernel mode and once in user mode, on a
 * machine with memory management on. From what happens the analysis
 * classifies it:
 *
 * - **privileged**: it traps (reserved-instruction fault) in user mode and
 *   not in kernel mode;
 * - **control-sensitive**: it changes the processor's privileged state
 *   (current or previous mode, interrupt stack, IPL) by itself, not by
 *   taking an exception;
 * - **behaviour-sensitive**: its result (registers, condition codes,
 *   memory, the exception it raises) depends on the mode it runs in.
 *
 * Popek and Goldberg's theorem: a machine can be virtualized by
 * trap-and-emulate if every sensitive instruction is privileged. The second
 * part of the analysis runs each sensitive instruction inside a VM (the VM
 * extensions of vm-extensions.md) and checks that it either exits to the
 * monitor or gives, without an exit, the result bare hardware gives in the
 * same (virtual) mode.
 *
 * @module
 */

import { type OpcodeInfo, OPCODES } from "../arch/opcodes.ts";
import { makePte } from "../arch/pte.ts";
import { SCB } from "../arch/scb.ts";
import { assemble } from "../asm/assembler.ts";
import { Machine } from "../machine/machine.ts";
import type { Hardware } from "../machine/hardware.ts";
import { Monitor } from "../monitor/monitor.ts";

/** What one execution of an instruction did. */
interface Outcome {
  regs: number[];
  psl: number;
  start: number;
  memory: string;
  vector: number; // SCB vector of an exception taken, -1 if none
  changedPrivileged: boolean; // privileged PSL fields changed without an exception
  halted: boolean;
}

/** The classification of one instruction. */
export interface InstructionVerdict {
  /** Mnemonic. */
  mnemonic: string;
  /** Opcode. */
  opcode: number;
  /** The instance executed. */
  instance: string;
  /** Traps in user mode, not in kernel mode. */
  privileged: boolean;
  /** Changes privileged processor state by itself. */
  controlSensitive: boolean;
  /** Its result depends on the mode. */
  behaviourSensitive: boolean;
  /** Sensitive (control or behaviour). */
  sensitive: boolean;
  /** What the opcode table declares. */
  declared: OpcodeInfo["class"];
  /** Whether the measured class agrees with the table. */
  agrees: boolean;
  /** With the VM extensions: `exit`, `virtualized` (same result, no exit), or `wrong`. */
  underVm?: "exit" | "virtualized" | "wrong";
  /** Why, in a few words. */
  note: string;
}

/** The result of the analysis. */
export interface VirtualizabilityReport {
  /** Every instruction. */
  instructions: InstructionVerdict[];
  /** Sensitive instructions that are not privileged (break the theorem). */
  sensitiveUnprivileged: string[];
  /** Whether the standard VAX satisfies the theorem's condition. */
  standardVirtualizable: boolean;
  /** Whether, with the VM extensions, every sensitive instruction exits or is virtualized. */
  extendedVirtualizable: boolean;
}

const SYS = 0x80000000;
const CODE = 0x1000; // P0 code page (also mapped)
const SCRATCH = 0x3000; // scratch data (UW)
const KW_PAGE = 0x3800; // a kernel-only page, for PROBE
const PROC = 0x2000; // a procedure: entry mask 0, RET
const STACK = 0x5000; // every stack pointer starts here

/** An instance of an instruction with ordinary operands. */
function instance(o: OpcodeInfo): string {
  const special: Record<string, string> = {
    MTPR: "MTPR #0,#18",
    MFPR: "MFPR #18,R3",
    PROBER: `PROBER #0,#4,@#^X${KW_PAGE.toString(16)}`,
    PROBEW: `PROBEW #0,#4,@#^X${KW_PAGE.toString(16)}`,
    CALLS: `CALLS #0,@#^X${PROC.toString(16)}`,
    CALLG: `CALLG @#^X${SCRATCH.toString(16)},@#^X${PROC.toString(16)}`,
    JMP: "JMP @#next",
    JSB: "JSB @#next",
    CASEL: "CASEL #0,#0,#0\n        .word next-table",
    BBS: "BBS #1,R4,next",
    BBC: "BBC #1,R4,next",
  };
  if (special[o.mnemonic]) return special[o.mnemonic]!;
  let reg = 1;
  const ops = o.operands.map((p) => {
    switch (p.access) {
      case "r":
        return "#5";
      case "m":
      case "w":
      case "v":
        return `R${reg++}`;
      case "a":
        return `@#^X${SCRATCH.toString(16)}`;
      default:
        return "next";
    }
  });
  return ops.length ? `${o.mnemonic} ${ops.join(",")}` : o.mnemonic;
}

function program(text: string): string {
  const lines = text.split("\n");
  const first = lines[0]!;
  const rest = lines.slice(1).join("\n");
  return `
start:  ${first}
${rest ? `table:\n${rest}` : ""}
next:   NOP
        HALT
`;
}

/** The bare environment: S0 and P0 page tables, an SCB of halting handlers. */
function environment(hw: Hardware, mode: number): void {
  // SCB at 0x400: vector v points at 0x600 + v, where a HALT waits.
  const scb = new Uint8Array(512);
  const dv = new DataView(scb.buffer);
  for (let v = 0; v < 512; v += 4) {
    dv.setUint32(v, (SYS + 0x600 + v) >>> 0, true);
  }
  hw.load(scb, 0x400);
  // S0: 64 pages identity (UW), except the KW page; system table at 0x6000.
  const s0 = new Uint8Array(64 * 4);
  const sv = new DataView(s0.buffer);
  for (let i = 0; i < 64; i++) {
    sv.setUint32(4 * i, makePte(i, i === KW_PAGE >> 9 ? 2 : 4), true);
  }
  hw.load(s0, 0x6000);
  hw.set("SCBB", 0x400);
  hw.set("SBR", 0x6000);
  hw.set("SLR", 64);
  // P0 shares S0's table (the same PTEs), so P0 page n is frame n too.
  hw.set("P0BR", SYS + 0x6000);
  hw.set("P0LR", 64);
  for (const sp of ["KSP", "ESP", "SSP", "USP", "ISP"]) hw.set(sp, STACK);
  // A return address and a user PSL on the stack, for RSB and REI.
  const stack = new Uint8Array(8);
  const sd = new DataView(stack.buffer);
  sd.setUint32(0, 0, true);
  sd.setUint32(4, 0x03c00000, true);
  hw.load(stack, STACK);
  const proc = new Uint8Array([0, 0, 0x04]);
  hw.load(proc, PROC);
  hw.set("MAPEN", 1);
  hw.set("PSL", ((mode << 24) | (mode << 22)) >>> 0);
  hw.set("SP", STACK);
}

const PRIV_FIELDS = 0x07df0000 | 0x20000000; // IS, CUR, PRV, IPL, VM

/**
 * Executes the instruction once. `dispatches` marks CHMx, whose defined
 * effect is a transfer through the SCB (not an exception).
 */
function execute(
  hw: Hardware,
  code: Uint8Array,
  next: number,
  mode: number,
  dispatches: boolean,
): Outcome {
  environment(hw, mode);
  hw.load(code, CODE);
  // The stack's return address: the instruction after the one tested.
  hw.load(new Uint8Array(new Uint32Array([next]).buffer), STACK);
  for (let i = 1; i <= 5; i++) hw.set(`R${i}`, 0x10 * i);
  hw.set("PC", CODE);
  const before = hw.get("PSL");
  const r = hw.step();
  const pc = hw.get("PC");
  // An exception: PC is inside the SCB's handler area.
  const vector =
    !dispatches && pc >= ((SYS + 0x600) >>> 0) && pc < ((SYS + 0x800) >>> 0)
      ? pc - ((SYS + 0x600) >>> 0)
      : -1;
  const psl = hw.get("PSL");
  const regs = Array.from({ length: 16 }, (_, i) => hw.get(`R${i}`));
  const mem = Array.from(hw.readPhysical(SCRATCH, 16)).join(",") + "/" +
    Array.from(hw.readPhysical(STACK - 32, 40)).join(",");
  return {
    regs,
    psl,
    start: before,
    memory: mem,
    vector,
    changedPrivileged: vector < 0 && r.stop !== "halt" &&
      (psl & PRIV_FIELDS) !== (before & PRIV_FIELDS),
    halted: r.stop === "halt",
  };
}

function same(a: Outcome, b: Outcome): boolean {
  if (a.vector !== b.vector || a.halted !== b.halted) return false;
  if (a.vector >= 0) return true; // both trapped the same way
  // Compare what the instruction changed in the PSL, not the modes it
  // started in.
  return a.regs.every((v, i) => v === b.regs[i]) &&
    (a.psl ^ a.start) === (b.psl ^ b.start) &&
    a.memory === b.memory;
}

/**
 * Classifies every instruction of the opcode table and checks Popek and
 * Goldberg's condition, on the standard VAX and with the VM extensions.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { checkVirtualizability } from "./popek_goldberg.ts";
 * const r = checkVirtualizability();
 * ok(!r.standardVirtualizable && r.extendedVirtualizable);
 * ok(r.sensitiveUnprivileged.includes("MOVPSL"));
 * ```
 */
export function checkVirtualizability(): VirtualizabilityReport {
  const verdicts: InstructionVerdict[] = [];
  for (const o of OPCODES) {
    const text = instance(o);
    const asm = assemble(program(text), { origin: CODE });
    const code = asm.bytes;
    const next = asm.symbol("next");
    const d = o.mnemonic.startsWith("CHM");
    const k = execute(
      new Machine({ memory: "64 KiB", disk: 0 }),
      code,
      next,
      0,
      d,
    );
    const u = execute(
      new Machine({ memory: "64 KiB", disk: 0 }),
      code,
      next,
      3,
      d,
    );
    const privileged = u.vector === SCB.RESERVED_INSTRUCTION &&
      k.vector !== SCB.RESERVED_INSTRUCTION;
    const controlSensitive = k.changedPrivileged || u.changedPrivileged;
    const behaviourSensitive = !privileged && !same(k, u);
    const sensitive = privileged || controlSensitive || behaviourSensitive;
    const measured = privileged
      ? "privileged"
      : sensitive
      ? "sensitive"
      : "innocuous";
    const notes: string[] = [];
    if (privileged) notes.push("reserved-instruction fault in user mode");
    if (controlSensitive) notes.push("changes mode/IPL/stack by itself");
    if (behaviourSensitive) notes.push("result depends on the mode");
    verdicts.push({
      mnemonic: o.mnemonic,
      opcode: o.opcode,
      instance: text.split("\n")[0]!,
      privileged,
      controlSensitive,
      behaviourSensitive,
      sensitive,
      declared: o.class,
      agrees: measured === o.class,
      note: notes.join("; ") || "same in every mode",
    });
  }
  // With the VM extensions: each sensitive instruction in a VM, in virtual
  // kernel and virtual user mode, against bare hardware in the same mode.
  for (const v of verdicts) {
    if (!v.sensitive) continue;
    const o = OPCODES.find((x) => x.opcode === v.opcode)!;
    const asm = assemble(program(instance(o)), { origin: CODE });
    const code = asm.bytes;
    const next = asm.symbol("next");
    let verdict: "exit" | "virtualized" | "wrong" = "virtualized";
    for (const mode of [0, 3]) {
      const d = o.mnemonic.startsWith("CHM");
      const bare = execute(
        new Machine({ memory: "64 KiB", disk: 0 }),
        code,
        next,
        mode,
        d,
      );
      const cp = Monitor.on(new Machine({ memory: "4 MiB", disk: 0 }));
      const vm = cp.vm("PG").memory("64 KiB").create();
      const before = Object.keys(vm.stats.exits).length;
      const virt = execute(vm, code, next, mode, d);
      const exits = Object.entries(vm.stats.exits).filter(([k]) =>
        k !== "ACV" && k !== "TNV"
      );
      const exited = exits.length > before &&
        exits.some(([k]) => k === o.mnemonic);
      const equal = same(bare, virt) && (bare.psl >>> 0) === (virt.psl >>> 0);
      if (!equal) verdict = "wrong";
      else if (exited && verdict !== "wrong") verdict = "exit";
    }
    v.underVm = verdict;
  }
  const sensitiveUnprivileged = verdicts.filter((v) =>
    v.sensitive && !v.privileged
  ).map((v) => v.mnemonic);
  return {
    instructions: verdicts,
    sensitiveUnprivileged,
    standardVirtualizable: sensitiveUnprivileged.length === 0,
    extendedVirtualizable: verdicts.every((v) =>
      !v.sensitive || v.underVm !== "wrong"
    ),
  };
}

/** The report as text: the sensitive instructions and the verdicts. */
export function formatVirtualizability(r: VirtualizabilityReport): string {
  const rows = r.instructions.filter((v) => v.sensitive);
  const w = Math.max(...rows.map((v) => v.instance.length));
  const lines = [
    `Popek and Goldberg on the VAX: ${r.instructions.length} instructions executed in kernel and user mode`,
    "",
    `${
      "instruction".padEnd(w)
    }  privileged  sensitive  with VM extensions  why`,
    ...rows.map((v) =>
      `${v.instance.padEnd(w)}  ${(v.privileged ? "yes" : "no").padEnd(10)}  ${
        (v.sensitive ? "yes" : "no").padEnd(9)
      }  ${(v.underVm ?? "").padEnd(18)}  ${v.note}`
    ),
    "",
    `innocuous: ${
      r.instructions.filter((v) => !v.sensitive).length
    } instructions behave the same in every mode`,
    `measured classes agree with the opcode table: ${
      r.instructions.every((v) => v.agrees)
        ? "yes"
        : `no (${
          r.instructions.filter((v) => !v.agrees).map((v) =>
            v.mnemonic
          ).join(", ")
        })`
    }`,
    "",
    `standard VAX: sensitive but not privileged: ${
      r.sensitiveUnprivileged.join(", ") || "none"
    }`,
    `  -> ${
      r.standardVirtualizable
        ? "every sensitive instruction is privileged: virtualizable by trap-and-emulate"
        : "not virtualizable by trap-and-emulate (Popek and Goldberg, theorem 1)"
    }`,
    `VAX with VM extensions: every sensitive instruction ${
      r.extendedVirtualizable
        ? "exits to the monitor or gives the virtual result by itself: virtualizable"
        : "does NOT behave: see the rows marked wrong"
    }`,
  ];
  return lines.join("\n");
}
