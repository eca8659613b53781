// Variant machines (MachineOptions.variants): an instruction made
// privileged, one made unprivileged, one given a mode-dependent effect.
// Expected values from vax-architecture.md (reserved-instruction fault,
// vector 0x10; MTPR to IPL) and from the variant's own definition.
import { equal } from "node:assert/strict";
import { assemble } from "../../src/asm/assembler.ts";
import { Machine } from "../../src/machine/machine.ts";
import type { OpcodeVariant } from "../../src/machine/cpu.ts";

const SCB = 0x200;
const STUBS = 0x400;

function boot(
  source: string,
  mode: number,
  variants?: Map<number, OpcodeVariant>,
): Machine {
  const m = new Machine({
    memory: "64 KiB",
    disk: 0,
    ...(variants ? { variants } : {}),
  });
  for (let v = 0; v < 0x200; v += 4) {
    m.load(new Uint8Array(new Uint32Array([STUBS + v]).buffer), SCB + v);
  }
  m.set("SCBB", SCB);
  for (const sp of ["KSP", "ESP", "SSP", "USP"]) m.set(sp, 0x3000);
  m.load(assemble(source, { origin: 0x1000 }).bytes, 0x1000);
  m.set("PSL", ((mode << 24) | (mode << 22)) >>> 0);
  m.set("PC", 0x1000);
  return m;
}

Deno.test("MOVPSL made privileged faults outside kernel mode, not in it", () => {
  const v = new Map([[0xdc, { privileged: true }]]);
  const u = boot("MOVPSL R0\nHALT", 3, v);
  equal(u.step().instructions, 1);
  equal(u.get("PC"), STUBS + 0x10); // reserved-instruction fault
  equal(u.get("R0"), 0);
  const frame = new DataView(u.readPhysical(0x3000 - 8, 8).buffer);
  equal(frame.getUint32(0, true), 0x1000); // a fault: the saved PC is MOVPSL's
  equal(frame.getUint32(4, true) >>> 24, 3); // the user PSL
  const k = boot("MOVPSL R0\nHALT", 0, v);
  k.step();
  equal(k.get("PC"), 0x1002);
  equal(k.get("R0"), k.get("PSL"));
  // The standard machine: MOVPSL runs in user mode.
  const s = boot("MOVPSL R0\nHALT", 3);
  s.step();
  equal(s.get("PC"), 0x1002);
});

Deno.test("MTPR made unprivileged writes IPL from user mode", () => {
  const v = new Map([[0xda, { privileged: false }]]);
  const u = boot("MTPR #7,#18\nHALT", 3, v);
  u.step();
  equal((u.get("PSL") >>> 16) & 31, 7);
  equal(u.get("PC"), 0x1003); // opcode and two short literals
  const s = boot("MTPR #7,#18\nHALT", 3);
  s.step();
  equal(s.get("PC"), STUBS + 0x10);
});

Deno.test("a before hook makes CLRL leave the current mode in R1", () => {
  const v = new Map([[0xd4, {
    before: (cpu: { r: Int32Array; mode: number }) => {
      cpu.r[1] = cpu.mode;
    },
  }]]);
  for (const mode of [0, 3]) {
    const m = boot("CLRL R0\nHALT", mode, v);
    equal(m.step().instructions, 1);
    equal(m.get("R1"), mode);
    equal(m.get("PC"), 0x1002);
  }
});
