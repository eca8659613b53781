// The public API of a bare machine: step, run limits (instructions and
// simulated time), breakpoints, registers, IPRs, physical and virtual
// memory with a mode's access check, and clear errors for bad input.
import { deepEqual, equal, match, throws } from "node:assert/strict";
import { Machine } from "../../src/machine/machine.ts";
import { assemble } from "../../src/asm/assembler.ts";
import { makePte } from "../../src/arch/pte.ts";

function machineWith(source: string, origin = 0x200): Machine {
  const m = new Machine({ memory: "64 KiB", disk: "8 KiB" });
  const p = assemble(source, { origin });
  m.load(p.bytes, p.origin);
  m.set("PC", p.entry);
  return m;
}

const LOOP = `
start:  CLRL    R0
loop:   INCL    R0
        CMPL    R0,#5
        BNEQ    loop
here:   MOVL    #7,R1
        HALT
`;

Deno.test("step executes exactly one instruction", () => {
  const m = machineWith(LOOP);
  const r = m.step();
  equal(r.stop, "limit");
  equal(r.instructions, 1);
  equal(m.get("PC"), 0x202);
  m.step();
  equal(m.get("R0"), 1);
});

Deno.test("run stops at an instruction limit, then continues", () => {
  const m = machineWith(LOOP);
  equal(m.run({ limit: 4 }).instructions, 4);
  equal(m.get("R0"), 1);
  const r = m.run();
  equal(r.stop, "halt");
  equal(m.get("R0"), 5);
  equal(m.get("R1"), 7);
});

Deno.test("breakpoints stop before the instruction; running again steps over it", () => {
  const m = machineWith(LOOP);
  const p = assemble(LOOP, { origin: 0x200 });
  const loop = p.symbol("loop");
  const r = m.run({ breakpoints: [loop] });
  equal(r.stop, "breakpoint");
  equal(m.get("PC"), loop);
  equal(m.get("R0"), 0);
  m.setBreakpoints([loop]);
  equal(m.run().stop, "breakpoint");
  equal(m.get("R0"), 1); // went round the loop once
  m.setBreakpoints([]);
  equal(m.run().stop, "halt");
});

Deno.test("run stops at a simulated-time limit, and time is deterministic", () => {
  const a = machineWith("loop: INCL R0\n BRB loop");
  const r = a.run({ forNs: 1_000_000 });
  equal(r.stop, "time");
  equal(r.ns >= 1_000_000, true);
  const b = machineWith("loop: INCL R0\n BRB loop");
  b.run({ untilNs: 1_000_000 });
  equal(b.get("R0"), a.get("R0"));
  equal(b.now, a.now);
});

Deno.test("registers, PSL and IPRs read and write by name", () => {
  const m = new Machine({ memory: "64 KiB", disk: 0 });
  m.set("R5", -1);
  equal(m.get("R5"), 0xffffffff);
  m.set("ap", 0x100);
  equal(m.get("R12"), 0x100);
  m.set("SCBB", 0x1203);
  equal(m.get("SCBB"), 0x1200); // <1:0> forced to zero
  equal(m.get("SID"), 0x0a000006);
  m.set("PSL", 0x03c00000);
  equal(m.get("PSL"), 0x03c00000);
  throws(() => m.get("R16"), /Cannot read register "R16"/);
  throws(() => m.set("BOGUS", 1), /Cannot set register "BOGUS"/);
  throws(() => m.set("SID", 1), /Cannot write IPR 62/);
  throws(() => m.set("PSL", 0x041f0000 | 0x100), /consistency rules/);
  throws(() => m.set("PSL", 0x80000000 | 0x03c00000), /consistency rules/); // CM
  throws(() => m.set("PSL", 0x03c10000), /consistency rules/); // user at IPL 1
  throws(() => m.set("PSL", 0x20000000), /consistency rules/); // VM in kernel
  throws(() => m.set("R0", NaN), /expected a 32-bit integer/);
  throws(() => m.get("TBIA"), /Cannot read IPR 57/);
});

Deno.test("physical memory reads and writes, with clear errors outside memory", () => {
  const m = new Machine({ memory: "64 KiB", disk: 0 });
  m.writePhysical(0x100, new Uint8Array([1, 2, 3]));
  deepEqual(m.readPhysical(0x100, 3), new Uint8Array([1, 2, 3]));
  throws(
    () => m.readPhysical(0xfffe, 4),
    /Cannot read 4 bytes at physical address 0xFFFE/,
  );
  throws(() => m.load(new Uint8Array(8), 0x10000), /Cannot load 8 bytes/);
});

Deno.test("virtual memory goes through the MMU with the access check of a mode", () => {
  const m = new Machine({ memory: "64 KiB", disk: 0 });
  // S0: page 0 user-readable, page 1 kernel-only, page 2 not valid.
  const t = new Uint8Array(12);
  const dv = new DataView(t.buffer);
  dv.setUint32(0, makePte(16, 15), true); // UR -> frame 16
  dv.setUint32(4, makePte(17, 2), true); // KW -> frame 17
  dv.setUint32(8, makePte(18, 4, { valid: false }), true);
  m.writePhysical(0x1000, t);
  m.set("SBR", 0x1000);
  m.set("SLR", 3);
  m.set("MAPEN", 1);
  m.writePhysical(16 * 512, new Uint8Array([0xaa]));
  deepEqual(m.readVirtual(0x80000000, 1, 3), new Uint8Array([0xaa]));
  throws(() => m.readVirtual(0x80000200, 1, 3), /ACV/);
  m.writeVirtual(0x80000200, new Uint8Array([0x55]), 0);
  deepEqual(m.readPhysical(17 * 512, 1), new Uint8Array([0x55]));
  throws(() => m.writeVirtual(0x80000000, new Uint8Array([1]), 0), /ACV/); // UR: no writes
  throws(() => m.readVirtual(0x80000400, 1, 0), /TNV/);
  throws(() => m.readVirtual(0x80000600, 1, 0), /ACV \(mask 1\)/); // length
});

Deno.test("a halted machine stays inspectable and continues from PC", () => {
  const m = machineWith("MOVL #1,R0\nHALT\nMOVL #2,R0\nHALT");
  const r = m.run();
  equal(r.stop, "halt");
  equal(m.halted, true);
  equal(m.haltReason, "HALT instruction");
  equal(m.get("R0"), 1);
  equal(m.get("PC"), 0x204);
  m.run();
  equal(m.get("R0"), 2);
  match(Deno.inspect(m, { colors: false }), /halted/);
});

Deno.test("bad machine options are refused with the offending value", () => {
  throws(
    () => new Machine({ memory: "12 potatoes" }),
    /Cannot parse memory size "12 potatoes"/,
  );
  throws(() => new Machine({ memory: 1000 }), /expected a multiple of 512/);
  throws(() => new Machine({ disk: 700 }), /multiple of 512/);
  throws(() => new Machine({ cost: { tbMiss: -1 } }), /tbMiss is -1/);
  throws(() => new Machine().run({ limit: -5 }), /limit -5/);
});

Deno.test("an idle loop lets time pass to the next event, but not past the run's time limit", () => {
  const m = machineWith(`
        MTPR    #^X40,#24       ; interval timer on: an event every 10 ms
        MTPR    #^X1F,#18       ; but IPL 31: its interrupt never comes in
idle:   BRB     idle
`);
  const r = m.run({ forNs: 25_000_000 });
  equal(r.stop, "time");
  equal(r.ns, 25_000_000); // exactly the limit, though the next tick is at 30 ms
  equal(m.now, 25_000_000);
});
