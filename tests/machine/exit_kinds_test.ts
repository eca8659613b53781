// Exit kinds as integer codes (src/machine/exit_kinds.ts): one code per
// VM-emulation opcode, per exception vector and for interrupts, named as
// the monitor has always named its exits; and the typed-array counters
// that give the names back in the order of each kind's first exit.
import { deepEqual, equal, notEqual, ok, throws } from "node:assert/strict";
import { opcodeIndex, OPCODES } from "../../src/arch/opcodes.ts";
import { SCB, vectorName } from "../../src/arch/scb.ts";
import {
  emulationCode,
  exceptionCode,
  EXIT_CODES,
  EXIT_EXCEPTION,
  EXIT_INTERRUPT,
  exitCode,
  ExitCounts,
  exitKindName,
} from "../../src/machine/exit_kinds.ts";

Deno.test("exit kinds: a VM-emulation exit is named by its instruction's mnemonic, every opcode of the table", () => {
  for (const o of OPCODES) {
    const code = exitCode({
      kind: "vm-emulation",
      opcode: opcodeIndex(o.opcode),
      vector: SCB.VM_EMULATION,
    });
    equal(code, opcodeIndex(o.opcode));
    ok(code < EXIT_EXCEPTION);
    equal(exitKindName(code), o.mnemonic);
  }
  // An opcode the table lacks (0xFF): "?", as before.
  equal(exitKindName(emulationCode(0xff)), "?");
});

Deno.test("exit kinds: an exception is named ACV, TNV or by its SCB vector; any interrupt is 'interrupt'", () => {
  const seen = new Set<number>();
  for (let v = 0; v <= 0x3fc; v += 4) {
    const code = exitCode({ kind: "exception", opcode: 0, vector: v });
    equal(code, exceptionCode(v));
    ok(code >= EXIT_EXCEPTION && code < EXIT_INTERRUPT);
    ok(!seen.has(code), `one code per vector (0x${v.toString(16)})`);
    seen.add(code);
    const name = v === SCB.ACCESS_VIOLATION
      ? "ACV"
      : v === SCB.TRANSLATION_NOT_VALID
      ? "TNV"
      : vectorName(v);
    equal(exitKindName(code), name);
  }
  equal(
    exitKindName(exceptionCode(SCB.RESERVED_INSTRUCTION)),
    "reserved instruction",
  );
  equal(exitKindName(exceptionCode(SCB.EMULATE)), "emulate");
  equal(exitKindName(exceptionCode(0x88)), "software level 2");
  for (const v of [SCB.INTERVAL_TIMER, SCB.DISK, SCB.CONSOLE_TRANSMIT]) {
    equal(
      exitCode({ kind: "interrupt", opcode: 0, vector: v }),
      EXIT_INTERRUPT,
    );
  }
  equal(exitKindName(EXIT_INTERRUPT), "interrupt");
  equal(EXIT_CODES, EXIT_INTERRUPT + 1);
});

Deno.test("exit kinds: numbers that are no exit are refused with what was expected", () => {
  throws(
    () => exitCode({ kind: "vm-emulation", opcode: 0x200, vector: 0x3c }),
    /Cannot count a VM-emulation exit of opcode index 512: expected 0 to 0x1FF/,
  );
  throws(
    () => exceptionCode(0x400),
    /Cannot count an exception exit with vector 1024: expected a multiple of 4 from 0 to 0x3FC/,
  );
  throws(() => exceptionCode(0x22), RangeError);
  throws(() => exceptionCode(-4), RangeError);
  throws(
    () => exitKindName(EXIT_CODES),
    /Cannot name exit code 769: expected 0 to 768/,
  );
  throws(() => exitKindName(1.5), RangeError);
});

Deno.test("exit counters: counts by code, names in the order of each kind's first exit, a new object per read", () => {
  const c = new ExitCounts();
  deepEqual(c.toRecord(), {});
  equal(c.kinds, 0);
  const chmk = emulationCode(0xbc), rei = emulationCode(0x02);
  const tnv = exceptionCode(SCB.TRANSLATION_NOT_VALID);
  for (let i = 0; i < 1000; i++) {
    c.add(chmk);
    c.add(rei);
  }
  c.add(tnv);
  c.add(EXIT_INTERRUPT);
  c.add(chmk);
  equal(c.count(chmk), 1001);
  equal(c.count(rei), 1000);
  equal(c.count(exceptionCode(SCB.ACCESS_VIOLATION)), 0);
  equal(c.kinds, 4);
  const r = c.toRecord();
  deepEqual(Object.entries(r), [
    ["CHMK", 1001],
    ["REI", 1000],
    ["TNV", 1],
    ["interrupt", 1],
  ]);
  // A snapshot: changing it changes nothing, later counts do not show in it.
  r.CHMK = 0;
  delete r.REI;
  c.add(rei);
  equal(r.REI, undefined);
  notEqual(c.toRecord(), c.toRecord());
  deepEqual(c.toRecord(), { CHMK: 1001, REI: 1001, TNV: 1, interrupt: 1 });
});

Deno.test("exit counters: codes that share a name add up under it, at the place of the first", () => {
  const c = new ExitCounts();
  c.add(emulationCode(0xff)); // "?"
  c.add(emulationCode(0xda)); // MTPR
  c.add(emulationCode(0x57)); // "?" again (no such opcode)
  c.add(emulationCode(0xff));
  equal(exitKindName(emulationCode(0x57)), "?");
  deepEqual(Object.entries(c.toRecord()), [["?", 3], ["MTPR", 1]]);
});
