// Shared set-up for the compiled-block tests: the same program on a
// machine that compiles every block at first sight ("always") and on one
// that caches nothing ("never"); registers, PSL, the stack page, simulated
// time and instruction counts must be the same at every stop.

import { deepEqual, equal, ok } from "node:assert/strict";
import { assemble } from "../../src/asm/assembler.ts";
import { Machine } from "../../src/machine/machine.ts";
import type { CompileMode } from "../../src/machine/cpu.ts";

export const MODES: readonly CompileMode[] = ["always", "never"];

/** A 64 KiB machine with the program at 0x200, SCB at 0x1000. */
export function machine(compile: CompileMode, source: string): Machine {
  const m = new Machine({ memory: "64 KiB", disk: 0, compile });
  const p = assemble(source, { origin: 0x200 });
  m.load(p.bytes, p.origin);
  // Every vector at a HALT (0x1800 + v), unless set below.
  for (let v = 0; v < 0x200; v += 4) setL(m, 0x1000 + v, 0x1800 + v);
  m.set("SCBB", 0x1000);
  m.set("ISP", 0x9000);
  m.set("PSL", 0x001f0000); // kernel stack, IPL 31
  m.set("SP", 0x8000);
  m.set("PC", 0x200);
  return m;
}

export function setL(m: Machine, pa: number, v: number): void {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v >>> 0, true);
  m.writePhysical(pa, b);
}

export function vector(
  m: Machine,
  v: number,
  source: string,
  label: string,
): void {
  setL(m, 0x1000 + v, assemble(source, { origin: 0x200 }).symbol(label));
}

export function snapshot(m: Machine) {
  return {
    regs: Array.from({ length: 16 }, (_, i) => m.get(`R${i}`)),
    psl: m.psl,
    ns: m.now,
    instructions: m.instructions,
    stack: Array.from(m.readPhysical(0x7f00, 0x100)),
  };
}

/**
 * Runs `body` on a machine per mode; the snapshots `body` returns must be
 * equal. Returns the "always" machine and checks that it compiled blocks.
 */
export function same(
  source: string,
  body: (m: Machine) => unknown[],
): Machine {
  const out = MODES.map((mode) => {
    const m = machine(mode, source);
    return { m, seen: body(m) };
  });
  deepEqual(out[0]!.seen, out[1]!.seen, "compiled vs interpreted");
  const m = out[0]!.m;
  ok(m.cpu.compiledBlocks > 0, "blocks were compiled");
  equal(out[1]!.m.cpu.compiledBlocks, 0);
  return m;
}
