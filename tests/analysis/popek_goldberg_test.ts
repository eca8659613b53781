// Popek and Goldberg's conditions, measured on the instruction set.
import { deepEqual, equal } from "node:assert/strict";
import {
  checkVirtualizability,
  formatVirtualizability,
} from "../../src/analysis/popek_goldberg.ts";
import { OPCODES } from "../../src/arch/opcodes.ts";

const report = checkVirtualizability();
const by = (m: string) => report.instructions.find((v) => v.mnemonic === m)!;

Deno.test("every instruction of the table is executed and classified", () => {
  equal(report.instructions.length, OPCODES.length);
});

Deno.test("the privileged instructions are exactly HALT, LDPCTX, SVPCTX, MTPR, MFPR", () => {
  deepEqual(
    report.instructions.filter((v) => v.privileged).map((v) => v.mnemonic)
      .sort(),
    ["HALT", "LDPCTX", "MFPR", "MTPR", "SVPCTX"],
  );
});

Deno.test("the standard VAX has sensitive unprivileged instructions: not virtualizable", () => {
  deepEqual(
    [...report.sensitiveUnprivileged].sort(),
    ["CHME", "CHMK", "CHMS", "CHMU", "MOVPSL", "PROBER", "PROBEW", "REI"],
  );
  equal(report.standardVirtualizable, false);
});

Deno.test("MOVPSL is behaviour-sensitive; CHMK and REI are control-sensitive", () => {
  equal(by("MOVPSL").behaviourSensitive, true);
  equal(by("MOVPSL").controlSensitive, false);
  equal(by("CHMK").controlSensitive, true);
  equal(by("REI").controlSensitive, true);
  equal(by("ADDL2").sensitive, false);
  equal(by("BPT").sensitive, false); // traps the same way in every mode
});

Deno.test("with the VM extensions every sensitive instruction exits or is virtualized", () => {
  equal(report.extendedVirtualizable, true);
  equal(by("MOVPSL").underVm, "virtualized");
  for (const m of ["REI", "CHMK", "MTPR", "MFPR", "HALT", "LDPCTX", "SVPCTX"]) {
    equal(by(m).underVm, "exit", m);
  }
});

Deno.test("the measured classes agree with the opcode table's", () => {
  deepEqual(
    report.instructions.filter((v) => !v.agrees).map((v) => v.mnemonic),
    [],
  );
});

Deno.test("the report reads as a verdict", () => {
  const text = formatVirtualizability(report);
  equal(text.includes("not virtualizable by trap-and-emulate"), true);
  equal(text.includes("VAX with VM extensions"), true);
});
