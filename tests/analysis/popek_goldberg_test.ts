// Popek and Goldberg's classes, measured on the instruction set. Expected
// classes follow from the spec (vax-architecture.md, vm-extensions.md and
// vm-literature.md section 1.4), never from the classifier's output.
import { deepEqual, equal, match, ok } from "node:assert/strict";
import {
  checkVirtualizability,
  formatEvidence,
  formatVirtualizability,
} from "../../src/analysis/popek_goldberg.ts";
import { OPCODES } from "../../src/arch/opcodes.ts";
import type { Cpu, OpcodeVariant } from "../../src/machine/cpu.ts";

const vax = checkVirtualizability({ arch: "vax" });
const vaxVm = checkVirtualizability({ arch: "vax-vm" });
const by = (m: string) => vax.verdict(m)!;

Deno.test("every row of the opcode table is run and classified", () => {
  deepEqual(
    vax.instructions.map((v) => v.mnemonic),
    OPCODES.map((o) => o.mnemonic),
  );
  for (const v of vax.instructions) ok(v.bareRuns >= 60, v.mnemonic);
});

Deno.test("MOVL is innocuous", () => {
  deepEqual(by("MOVL").classes, ["innocuous"]);
});

Deno.test("MTPR is privileged (and control-sensitive in kernel mode)", () => {
  equal(by("MTPR").privileged, true);
  equal(by("MTPR").controlSensitive, true);
  equal(by("MTPR").offends, false);
});

Deno.test("MOVPSL is behaviour-sensitive by mode, not control-sensitive, not privileged", () => {
  const v = by("MOVPSL");
  equal(v.behaviourSensitive, true);
  equal(v.modeSensitive, true);
  equal(v.controlSensitive, false);
  equal(v.privileged, false);
  for (const c of ["current mode", "previous mode", "IPL", "interrupt stack"]) {
    ok((v.dependsOn as string[]).includes(c), c);
  }
});

Deno.test("CHMK and REI are control-sensitive and not privileged", () => {
  for (const m of ["CHMK", "REI"]) {
    equal(by(m).controlSensitive, true, m);
    equal(by(m).privileged, false, m);
  }
});

Deno.test("PROBER and PROBEW are mode-sensitive: their answer depends on the previous mode", () => {
  for (const m of ["PROBER", "PROBEW"]) {
    equal(by(m).modeSensitive, true, m);
    ok((by(m).dependsOn as string[]).includes("previous mode"), m);
    equal(by(m).controlSensitive, false, m);
  }
});

Deno.test("the measured classes agree with the opcode table's documented classes", () => {
  for (const v of vax.instructions) {
    const o = OPCODES.find((x) => x.mnemonic === v.mnemonic)!;
    const measured = v.privileged
      ? "privileged"
      : v.sensitive
      ? "sensitive"
      : "innocuous";
    equal(measured, o.class, v.mnemonic);
  }
});

Deno.test("standard VAX: Theorems 1, 2 and 3 fail; the offenders are those of the literature", () => {
  deepEqual(vax.theorems, { "1": false, "2": false, "3": false });
  deepEqual(
    [...vax.sensitiveUnprivileged].sort(),
    ["CHME", "CHMK", "CHMS", "CHMU", "MOVPSL", "PROBER", "PROBEW", "REI"],
  );
  // A hybrid monitor runs user mode directly: CHMK, CHME and CHMS change
  // the mode from user mode without a trap (CHMU stays in user mode).
  deepEqual([...vax.userSensitiveUnprivileged].sort(), [
    "CHME",
    "CHMK",
    "CHMS",
  ]);
});

Deno.test("VAX with VM extensions: Theorems 1, 2 and 3 hold", () => {
  deepEqual(vaxVm.theorems, { "1": true, "2": true, "3": true });
  deepEqual(vaxVm.sensitiveUnprivileged, []);
  equal(vaxVm.verdict("MOVPSL")!.underVm, "virtualized");
  for (
    const m of [
      "REI",
      "CHMK",
      "CHME",
      "MTPR",
      "MFPR",
      "HALT",
      "LDPCTX",
      "SVPCTX",
      "PROBER",
    ]
  ) {
    equal(vaxVm.verdict(m)!.underVm, "exit", m);
  }
  equal(vaxVm.verdict("MOVL")!.underVm, "direct");
  match(vaxVm.basis["2"], /Theorem 1 holds/);
  // Theorem 2's experiment: the sensitive and privileged instructions as
  // guests of a monitor running in a VM of another monitor (CP under CP).
  match(
    vaxVm.basis["2"],
    /recursion: \d+ runs .* \(CP under CP\) gave bare hardware's result/,
  );
});

Deno.test("sensitive data structures: every reference from a less privileged mode faults", () => {
  equal(vax.dataStructures.length, 4 * 2 * 3);
  for (const d of vaxVm.dataStructures) {
    equal(d.bare, "access violation", `${d.structure} ${d.access} ${d.mode}`);
    equal(d.guest, "access violation", `${d.structure} ${d.access} ${d.mode}`);
    equal(d.protected, true);
    // Shared shadow tables give virtual executive the kernel's rights.
    equal(
      d.guestShared,
      d.mode === "executive" ? "no fault" : "access violation",
    );
  }
});

Deno.test("the evidence of MOVPSL's mode sensitivity, field by field", () => {
  const e = by("MOVPSL").evidence.find((x) =>
    x.claim === "behaviour-sensitive: the result depends on the previous mode"
  )!;
  ok(e, "evidence for the previous mode");
  equal(e.runs.length, 2);
  const [a, b] = e.runs as [typeof e.runs[0], typeof e.runs[0]];
  for (const r of [a, b]) {
    equal(r.on, "bare");
    equal(r.instruction, "MOVPSL R1");
    equal(r.bytes, "DC 51");
    equal(r.event, null);
    equal(r.halted, false);
    equal(r.before.r[15], 0x1000);
    equal(r.after.r[15], 0x1002);
    equal(r.after.r[1], r.before.psl); // R1 receives the PSL
    equal(r.after.psl, r.before.psl);
    deepEqual(r.memory, []);
    equal(r.state.ipl, 0);
    equal(r.state.mapen, true);
  }
  // The two runs differ only in the previous mode.
  equal(a.state.mode, b.state.mode);
  equal(a.value, b.value);
  ok(a.state.prev !== b.state.prev);
  ok(a.after.r[1] !== b.after.r[1]);
  equal((a.after.r[1]! >>> 22) & 3, a.state.prev);
  equal((b.after.r[1]! >>> 22) & 3, b.state.prev);
  match(formatEvidence(by("MOVPSL")), /bare MOVPSL R1\n {4}bytes DC 51\n/);
});

const probe = ["MOVL", "CLRL", "MOVPSL", "MTPR"];

Deno.test("mutation: MOVPSL made to trap outside kernel mode becomes privileged", () => {
  const variants = new Map<number, OpcodeVariant>([[0xdc, {
    privileged: true,
  }]]);
  const r = checkVirtualizability({
    only: probe,
    variants,
    skipDataStructures: true,
  });
  equal(r.verdict("MOVPSL")!.privileged, true);
  equal(r.verdict("MOVPSL")!.offends, false);
  deepEqual(r.sensitiveUnprivileged, []);
  equal(r.theorems["1"], true);
  const std = checkVirtualizability({ only: probe, skipDataStructures: true });
  deepEqual(std.sensitiveUnprivileged, ["MOVPSL"]);
});

Deno.test("mutation: MTPR that no longer traps is sensitive and unprivileged", () => {
  const variants = new Map<number, OpcodeVariant>([[0xda, {
    privileged: false,
  }]]);
  const r = checkVirtualizability({
    only: probe,
    variants,
    skipDataStructures: true,
  });
  equal(r.verdict("MTPR")!.privileged, false);
  equal(r.verdict("MTPR")!.controlSensitive, true);
  equal(r.verdict("MTPR")!.userSensitive, true);
  deepEqual([...r.sensitiveUnprivileged].sort(), ["MOVPSL", "MTPR"]);
});

Deno.test("mutation: an innocuous CLRL that leaves the mode in R1 becomes mode-sensitive", () => {
  const variants = new Map<number, OpcodeVariant>([[0xd4, {
    before: (cpu: Cpu) => {
      cpu.r[1] = cpu.mode;
    },
  }]]);
  const std = checkVirtualizability({ only: probe, skipDataStructures: true });
  deepEqual(std.verdict("CLRL")!.classes, ["innocuous"]);
  const r = checkVirtualizability({
    only: probe,
    variants,
    skipDataStructures: true,
  });
  equal(r.verdict("CLRL")!.modeSensitive, true);
  ok((r.verdict("CLRL")!.dependsOn as string[]).includes("current mode"));
  ok(r.sensitiveUnprivileged.includes("CLRL"));
  deepEqual(r.verdict("MOVL")!.classes, ["innocuous"]);
});

Deno.test("mutations are seen as guests too: MTPR that no longer traps breaks the VM extensions", () => {
  const variants = new Map<number, OpcodeVariant>([[0xda, {
    privileged: false,
  }]]);
  const r = checkVirtualizability({
    arch: "vax-vm",
    only: ["MTPR"],
    variants,
    skipDataStructures: true,
  });
  equal(r.verdict("MTPR")!.underVm, "wrong");
  equal(r.theorems["1"], false);
});

// The classifier's files (trace_query.ts, also in src/analysis, matches
// system-call events by mnemonic: a trace query, not a classification).
Deno.test("no list of sensitive instruction names in the classifier, no reading of the table's class", async () => {
  const dir = new URL("../../src/analysis/", import.meta.url);
  const names = OPCODES.filter((o) => o.class !== "innocuous").map((o) =>
    o.mnemonic
  );
  for await (const f of Deno.readDir(dir)) {
    if (f.name !== "popek_goldberg.ts" && !f.name.startsWith("pg_")) continue;
    const text = await Deno.readTextFile(new URL(f.name, dir));
    const code = text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/.*$/gm, "");
    for (const n of names) {
      equal(
        new RegExp(`["'\`]${n}["'\`]`).test(code),
        false,
        `${f.name}: ${n}`,
      );
    }
    equal(/\.class\b/.test(code), false, `${f.name} reads .class`);
  }
});

Deno.test("JSON: arch, theorems, sensitiveUnprivileged and one entry per opcode", () => {
  const j = JSON.parse(JSON.stringify(vax));
  equal(j.arch, "vax");
  deepEqual(Object.keys(j.theorems).sort(), ["1", "2", "3"]);
  deepEqual(
    j.sensitiveUnprivileged.map((x: { mnemonic: string }) => x.mnemonic),
    vax.sensitiveUnprivileged,
  );
  equal(Object.keys(j.sensitiveUnprivileged[0])[0], "mnemonic");
  ok(j.sensitiveUnprivileged[0].why.length > 0);
  equal(j.classes.length, OPCODES.length);
  equal(Object.keys(j.classes[0])[0], "mnemonic");
  const m = j.classes.find((c: { mnemonic: string }) =>
    c.mnemonic === "MOVPSL"
  );
  ok(m.classes.includes("mode-sensitive"));
  ok(m.evidence.length > 0);
  equal(typeof m.evidence[0].runs[0].before.psl, "number");
});

Deno.test("the text report fits in 80 columns and states the verdicts", () => {
  for (const r of [vax, vaxVm]) {
    const text = formatVirtualizability(r);
    for (const line of text.split("\n")) ok(line.length <= 80, line);
    match(text, /Theorem 1 \(trap-and-emulate monitor\): (holds|fails)/);
  }
  match(
    formatVirtualizability(vax),
    /Theorem 1 \(trap-and-emulate monitor\): fails/,
  );
  match(
    formatVirtualizability(vaxVm),
    /Theorem 1 \(trap-and-emulate monitor\): holds/,
  );
  for (const v of vax.instructions) {
    for (const line of formatEvidence(v).split("\n")) {
      ok(line.length <= 80, `${v.mnemonic}: ${line}`);
    }
  }
});

Deno.test("a bad arch or mnemonic is refused clearly", () => {
  let msg = "";
  try {
    checkVirtualizability({ arch: "x86" as "vax" });
  } catch (e) {
    msg = (e as Error).message;
  }
  match(msg, /Cannot analyse arch "x86": expected "vax" or "vax-vm"/);
  try {
    checkVirtualizability({ only: ["MOVX"] });
  } catch (e) {
    msg = (e as Error).message;
  }
  match(msg, /Cannot classify "MOVX": it is not in the opcode table/);
});
