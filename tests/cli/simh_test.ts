// vmmlab against SimH's MicroVAX 3900 (`vax`): short programs (the bench's
// loops with small counts and a few instruction mixes) run on both from the
// same bytes and registers must end in the same R0-R11, PC and PSL. Without
// `vax` on PATH these comparisons are ignored (in CI, where CI is set, they
// fail instead); the script, parsing and error tests run everywhere.
import assert from "node:assert/strict";
import {
  COPY_LOOP,
  FLOAT_LOOP,
  REGISTER_LOOP,
  STRING_LOOP,
} from "../../src/cli/bench.ts";
import {
  COMPARED_REGISTERS,
  compareLoop,
  differences,
  findSimh,
  formatSimhComparison,
  locateSimh,
  parseSimhRegisters,
  parseTimes,
  runSimh,
  runVmmlab,
  S0_PAGES,
  SIMH_LOOPS,
  type SimhProgram,
  simhProgram,
  simhScript,
  startPc,
} from "../../src/cli/simh.ts";
import { main } from "../../src/cli/main.ts";
import { CliError } from "../../src/cli/usage.ts";

const simh = locateSimh();
const SIMH_HINT =
  'install SimH ("apt-get install simh" on Debian) to compare with it';
const ignore = simh === undefined && Deno.env.get("CI") === undefined;
if (ignore) {
  console.warn(`SimH comparisons ignored: no "vax" on PATH; ${SIMH_HINT}`);
}

const SYS = 0x80000000;

const INTEGER_MIX = `
        MOVL    #^X12345678,R0
        ADDL3   #7,R0,R1
        SUBL3   R1,#100,R2
        MULL3   #-3,R1,R3
        DIVL3   #7,R3,R4
        ASHL    #-5,R0,R5
        ROTL    #8,R0,R6
        BICL3   #^XF0F0,R0,R7
        XORL3   R0,R1,R8
        EMUL    R0,#1000,#5,R9
        EDIV    #12345,R9,R11,R10
        MOVL    #200,R11
mix:    MULL2   #69069,R0         ; overflows: V set, no trap (PSL<IV> clear)
        ADDL2   #1,R0
        XORL2   R0,R1
        ROTL    #7,R1,R1
        EXTZV   #3,#9,R0,R2
        INSV    R2,#5,#6,R3
        ADDL2   R2,R4
        SUBW2   R2,R5
        MOVZWL  R5,R6
        CVTLB   R0,R7
        MCOML   R7,R8
        ASHQ    #-2,R9,R9
        ADDL2   R0,R9
        SOBGTR  R11,mix
        ADDL3   #^X7FFFFFFF,R4,R11
        HALT
`;

const FLOAT_MIX = `
        CVTLF   #1000,R0
        DIVF3   #3.0,R0,R1
        MULF3   R1,R1,R2
        SUBF3   #0.5,R2,R3
        CVTFL   R3,R4
        CVTRFL  R3,R5
        MNEGF   R1,R6
        ADDF3   R6,R1,R7
        MOVF    #1.0,R9
        MOVL    #50,R8
floop:  MULF2   #1.0625,R9
        ADDF2   #0.25,R9
        DIVF3   #1.5,R9,R10
        SUBF2   R10,R1
        SOBGTR  R8,floop
        CVTFL   R9,R11
        CMPF    R1,R2
        HALT
`;

const STRING_MIX = `
        MOVC3   #26,src,dst
        MOVQ    R0,R6
        CMPC3   #26,src,dst
        MOVL    R0,R8
        MOVB    #65,dst+5
        CMPC3   #26,src,dst
        MOVQ    R0,R8
        LOCC    #^X6B,#26,src
        MOVL    R0,R10
        SKPC    #^X61,#26,src
        MOVL    R0,R11
        MOVC5   #5,src,#42,#30,fill
        HALT
src:    .ASCII  "abcdefghijklmnopqrstuvwxyz"
dst:    .BLKB   32
fill:   .BLKB   32
`;

const BRANCH_MIX = `
        CLRL    R0
        MOVL    #-5,R1
        MOVL    #5,R2
        CMPL    R1,R2
        BGEQ    b1
        BISL2   #1,R0
b1:     CMPL    R1,R2
        BLEQU   b2
        BISL2   #2,R0
b2:     BBS     #3,R2,b3
        BISL2   #4,R0
b3:     BBC     #0,R2,b4
        BISL2   #8,R0
b4:     BLBS    R2,b5
        BISL2   #16,R0
b5:     MOVL    #2,R3
        CASEL   R3,#0,#3
tab:    .WORD   c0-tab,c1-tab,c2-tab,c3-tab
        BISL2   #^X100,R0
c0:     BISL2   #^X200,R0
c1:     BISL2   #^X400,R0
c2:     BISL2   #^X800,R0
c3:     CLRL    R4
        MOVL    #1,R5
acb:    ADDL2   R5,R4
        ACBL    #40,#3,R5,acb
        CLRL    R6
aob:    INCL    R6
        AOBLEQ  #17,R7,aob
        BSBW    sub
        JSB     sub
        MOVL    #9,R9
blp:    DECL    R9
        BGTR    blp
        TSTL    R9
        HALT
sub:    ADDL2   #100,R8
        RSB
`;

/** The programs compared, each unmapped and mapped. */
function programs(): SimhProgram[] {
  const list: SimhProgram[] = [];
  for (const mapped of [false, true]) {
    const base = mapped ? SYS : 0;
    const on = mapped ? ", mapping on" : "";
    list.push(
      simhProgram(`register loop${on}`, REGISTER_LOOP, { R0: 1000 }, mapped),
      simhProgram(`copy loop${on}`, COPY_LOOP, {
        R4: 3,
        R5: base + 0x10000,
        R6: base + 0x20000,
      }, mapped),
      simhProgram(`floating loop${on}`, FLOAT_LOOP, {
        R0: 200,
        R2: 0x4080,
        R3: 0x40c0, // 1.5: the product grows (to 1.5 ** 200, no overflow)
      }, mapped),
      simhProgram(`string loop${on}`, STRING_LOOP, {
        R8: 3,
        R9: base + 0x10000,
        R10: base + 0x20000,
        R11: 300,
      }, mapped),
    );
    for (
      const [name, source] of Object.entries({
        INTEGER_MIX,
        FLOAT_MIX,
        STRING_MIX,
        BRANCH_MIX,
      })
    ) {
      list.push(
        simhProgram(`${name}${on}`, source, { SP: base + 0x8000 }, mapped),
      );
    }
  }
  return list;
}

for (const p of programs()) {
  Deno.test({
    name: `SimH and vmmlab end ${p.name} in the same registers`,
    ignore,
    async fn() {
      const v = runVmmlab(p);
      assert.equal(v.stop, "halt", `${p.name}: ${v.reason}`);
      assert.equal(v.reason, "HALT instruction");
      // The HALT is the program's last instruction (before any data).
      assert.ok(
        v.registers.PC! > startPc(p) &&
          v.registers.PC! <= startPc(p) + p.bytes.length,
      );
      const s = await runSimh(p, { timeoutSeconds: 60 });
      assert.deepEqual(differences(s.registers, v.registers), []);
      assert.equal(s.registers.PC, v.registers.PC);
    },
  });
}

Deno.test({
  name: "SimH and vmmlab agree on the register loop's known result",
  ignore,
  async fn() {
    const p = simhProgram("count", REGISTER_LOOP, { R0: 12345 });
    const s = await runSimh(p, { timeoutSeconds: 60 });
    assert.equal(s.registers.R0, 0);
    assert.equal(s.registers.R1, 12345);
    assert.equal(s.registers.PC, 0x1007);
    assert.equal(s.registers.PSL, 0x041f0004); // Z from the last SOBGTR
    assert.ok(s.seconds >= 0 && s.seconds < 10);
    assert.deepEqual(s.registers, runVmmlab(p).registers);
  },
});

Deno.test("the SimH script loads the bytes, the page table and the registers", () => {
  const p = simhProgram("x", "INCL R0\nHALT", { R0: 255 }, true);
  const s = simhScript(p);
  const lines = s.trim().split("\n");
  assert.equal(lines[0], "set cpu 16m");
  assert.deepEqual(lines.slice(1, 4), [
    "dep -b 1000 D6",
    "dep -b 1001 50",
    "dep -b 1002 0",
  ]);
  assert.equal(lines.filter((l) => l.startsWith("dep -l ")).length, S0_PAGES);
  assert.ok(lines.includes("dep -l 300004 90000001")); // V, KW (code 2), PFN 1
  for (
    const l of [
      "dep SBR 300000",
      "dep SLR 800",
      "dep MAPEN 1",
      "dep PSL 41F0000",
      "dep R0 FF",
      "dep PC 80001000",
    ]
  ) {
    assert.ok(lines.includes(l), l);
  }
  assert.deepEqual(lines.slice(-3), [
    "go",
    "ex R0,R1,R2,R3,R4,R5,R6,R7,R8,R9,R10,R11,PC,PSL",
    "quit",
  ]);
  assert.ok(!simhScript(simhProgram("y", "HALT")).includes("MAPEN"));
});

Deno.test("SimH's register lines and bash's times lines are parsed", () => {
  const out =
    "VAX simulator V3.8-1\n\nHALT instruction, PC: 00001007 (HALT)\n" +
    "R0:\t00000000\nR1:\t000003E8\nPC:\t00001007\nPSL:\t041F0004\nGoodbye\n";
  assert.deepEqual(parseSimhRegisters(out), {
    R0: 0,
    R1: 1000,
    PC: 0x1007,
    PSL: 0x041f0004,
  });
  assert.equal(parseTimes("0m0.002s 0m0.000s\n0m1.250s 0m0.020s\n"), 1.27);
  assert.throws(() => parseTimes("nothing"), /bash's "times"/);
});

Deno.test("a missing SimH is a clear error naming what was expected", async () => {
  assert.throws(() => findSimh("/nonexistent/vax"), (e: unknown) => {
    assert.ok(e instanceof CliError);
    assert.match(e.message, /--simh-path "\/nonexistent\/vax" is not a file/);
    return true;
  });
  assert.equal(locateSimh("/nonexistent/vax"), undefined);
  const saved = Deno.env.get("PATH");
  Deno.env.set("PATH", "/nonexistent");
  try {
    assert.throws(
      () => findSimh(),
      /no "vax" program on PATH.*apt-get install simh/,
    );
  } finally {
    Deno.env.set("PATH", saved!);
  }
  await assert.rejects(
    runSimh(SIMH_LOOPS[0]!, { path: "/nonexistent/vax" }),
    CliError,
  );
});

/** Writes an executable shell script standing in for SimH. */
async function fakeSimh(body: string): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "vmmlab-fake-simh-" });
  const path = `${dir}/vax`;
  await Deno.writeTextFile(path, `#!/bin/sh\n${body}\n`);
  await Deno.chmod(path, 0o755);
  return path;
}

Deno.test("a SimH that fails or does not halt is reported with its output", async () => {
  const p = simhProgram("tiny", "HALT");
  const failing = await fakeSimh('echo "Unknown command"; exit 3');
  await assert.rejects(
    runSimh(p, { path: failing }),
    /failed on "tiny" with exit status 3; expected status 0.*\n.*Unknown command/s,
  );
  const noHalt = await fakeSimh(
    'echo "Breakpoint, PC: 00001000"; echo "R0:\t00000000"',
  );
  await assert.rejects(
    runSimh(p, { path: noHalt }),
    /did not end "tiny" as expected: no "HALT instruction, PC: \.\.\." stop.*Breakpoint/s,
  );
  const hangs = await fakeSimh("sleep 30");
  await assert.rejects(
    runSimh(p, { path: hangs, timeoutSeconds: 1 }),
    /did not halt within 1 s on "tiny"/,
  );
  for (const f of [failing, noHalt, hangs]) {
    await Deno.remove(f.replace(/\/vax$/, ""), { recursive: true });
  }
});

Deno.test("registers that differ from SimH's are an error in the table and the exit status", async () => {
  // A stand-in SimH that halts but reports R1 = 1 and PC 0 for every loop.
  const regs = COMPARED_REGISTERS
    .map((r) => `${r}:\t${r === "R1" ? "00000001" : "00000000"}`).join("\\n");
  const wrong = await fakeSimh(
    `printf 'HALT instruction, PC: 00000000 (HALT)\\n${regs}\\n'`,
  );
  try {
    const i = SIMH_LOOPS.findIndex((l) => l.name === "string loop");
    const c = await compareLoop(i, { path: wrong, runs: 2 });
    assert.ok(c.differences.some((d) => d.register === "R1" && d.simh === 1));
    assert.ok(
      c.differences.some((d) => d.register === "R1 (warm run)"),
      "the warm run is compared too",
    );
    // Each difference once, however many runs showed it.
    assert.equal(c.differences.filter((d) => d.register === "R1").length, 1);
    assert.equal(c.runs, 2);
    assert.ok(c.ratioMin <= c.ratio && c.ratio <= c.ratioMax);
    assert.ok(c.instructions > 0 && c.vmmlabSeconds > 0);
    const text = formatSimhComparison([c]);
    assert.match(text, /string loop .*\(\d+\.\d\d-\d+\.\d\d\) .* DIFFER/);
    assert.match(text, /Medians of 2 runs/);
    assert.match(
      text,
      /ERROR: string loop: SimH and vmmlab end in different registers: .*R1 SimH 0x00000001, vmmlab 0x/,
    );
    const errors: string[] = [];
    const logs: string[] = [];
    const { error, log } = console;
    console.error = (...a: unknown[]) => errors.push(a.join(" "));
    console.log = (...a: unknown[]) => logs.push(a.join(" "));
    let status: number;
    try {
      status = await main([
        "bench",
        "--simh",
        "--simh-path",
        wrong,
        "--filter",
        "string loop",
      ]);
    } finally {
      console.error = error;
      console.log = log;
    }
    assert.equal(status, 1);
    assert.match(logs.join("\n"), /ERROR: string loop/);
    assert.match(
      errors.join("\n"),
      /SimH and vmmlab disagree on "string loop"/,
    );
    // --json: one object per loop, with both machines' registers.
    logs.length = 0;
    console.log = (...a: unknown[]) => logs.push(a.join(" "));
    console.error = () => {};
    try {
      status = await main([
        "bench",
        "--simh",
        "--simh-path",
        wrong,
        "--filter",
        "string loop, mapping on",
        "--json",
      ]);
    } finally {
      console.error = error;
      console.log = log;
    }
    assert.equal(status, 1);
    const json = JSON.parse(logs.join("\n"));
    assert.equal(json.length, 1);
    assert.equal(json[0].name, "string loop, mapping on");
    assert.equal(json[0].instructions, 60_001);
    assert.equal(json[0].simhRegisters.R1, 1);
    assert.equal(json[0].vmmlabRegisters.PC, 0x80001008); // after its HALT;
    assert.ok(json[0].differences.length > 0);
  } finally {
    await Deno.remove(wrong.replace(/\/vax$/, ""), { recursive: true });
  }
});

Deno.test("bench --simh refuses options that do not apply", async () => {
  const { error } = console;
  const errors: string[] = [];
  console.error = (...a: unknown[]) => errors.push(a.join(" "));
  try {
    assert.equal(await main(["bench", "--simh-path", "/x"]), 2);
    assert.equal(await main(["bench", "--runs", "3"]), 2);
    assert.equal(await main(["bench", "--simh", "--runs", "0"]), 2);
    assert.equal(await main(["bench", "--simh", "--rounds", "3"]), 2);
    assert.equal(
      await main(["bench", "--simh", "--simh-path", "/nonexistent/vax"]),
      1,
    );
  } finally {
    console.error = error;
  }
  assert.match(errors[0]!, /--simh-path needs --simh/);
  assert.match(errors[1]!, /--runs needs --simh/);
  assert.match(errors[2]!, /--runs 0: expected 1 to 100/);
  assert.match(errors[3]!, /--only and --rounds do not apply/);
  assert.match(errors[4]!, /is not a file/);
  await assert.rejects(compareLoop(0, { runs: 0 }), RangeError);
});
