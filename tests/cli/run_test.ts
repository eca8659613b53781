// The `run` command: assembled and raw programs, the JSON report, readable
// output, --vm equivalence, and usage errors with a non-zero exit.
import { deepEqual, equal, match, throws } from "node:assert/strict";
import {
  executeRun,
  formatReport,
  parseRunArgs,
  vmTarget,
} from "../../src/cli/run.ts";
import { UsageError } from "../../src/cli/usage.ts";

const root = new URL("../../", import.meta.url).pathname;

async function withProgram(
  source: string,
  f: (path: string) => Promise<void> | void,
) {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/p.s`, source);
    await f(`${dir}/p.s`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const PROGRAM = `
start:  MOVL    #^X11223344,R0
        MOVL    R0,@#^X2000
        MOVPSL  R1
        MTPR    #5,#18
        MFPR    #18,R2
        CLRL    R3
        HALT
`;

Deno.test("run --json reports stop, instructions, registers and dumps", async () => {
  await withProgram(PROGRAM, (path) => {
    const spec = parseRunArgs([
      path,
      "--dump",
      "0x2000:4",
      "--show",
      "SID,IPL",
      "--sp",
      "^X8000",
    ]);
    if (spec === "help") throw new Error("unexpected help");
    const rep = executeRun(spec);
    equal(rep.stop, "halt");
    equal(rep.instructions, 7);
    equal(rep.regs.R0, "11223344");
    equal(rep.regs.R1, "041F0000");
    equal(rep.regs.R2, "00000005");
    equal(rep.regs.R14, "00008000");
    equal(rep.regs.PC, "00000019"); // 24 bytes of code, then HALT: PC after it
    equal(rep.regs.PSL, "04050004");
    equal(rep.regs.SID, "0A000006");
    equal(rep.regs.IPL, "00000005");
    deepEqual(rep.mem, { "0x2000": "44332211" });
    match(formatReport(rep), /CUR=kernel PRV=kernel IPL=0x05/);
  });
});

Deno.test("run --vm gives the guest the same state, plus monitor statistics", async () => {
  await withProgram(PROGRAM, (path) => {
    const spec = parseRunArgs([
      path,
      "--dump",
      "0x2000:4",
      "--sp",
      "0x8000",
      "--memory",
      "256KiB",
    ]);
    if (spec === "help") throw new Error("unexpected help");
    const bare = executeRun(spec);
    const vm = executeRun(spec, vmTarget);
    deepEqual(vm.regs, bare.regs);
    deepEqual(vm.mem, bare.mem);
    equal(vm.stop, bare.stop);
    equal(vm.instructions, bare.instructions);
    const m = vm.monitor as { exitsByKind: Record<string, number> };
    equal(m.exitsByKind.MTPR, 1);
    equal(m.exitsByKind.MFPR, 1);
    equal(m.exitsByKind.HALT, 1);
  });
});

Deno.test("run --load takes raw bytes at an address; numbers in every notation", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeFile(
      `${dir}/img.bin`,
      new Uint8Array([0xd0, 0x8f, 0x78, 0x56, 0x34, 0x12, 0x55, 0x00]),
    );
    const spec = parseRunArgs([
      `--load`,
      `${dir}/img.bin@^X400`,
      "--start",
      "1024",
      "--set",
      "R4=0x10",
    ]);
    if (spec === "help") throw new Error("unexpected help");
    const rep = executeRun(spec);
    equal(rep.regs.R5, "12345678");
    equal(rep.regs.R4, "00000010");
    equal(rep.stop, "halt");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("run stops at the instruction limit; a branch-to-self with nothing scheduled is idle", async () => {
  await withProgram("loop: BRB loop\n", (path) => {
    const spec = parseRunArgs([path, "--limit", "10"]);
    if (spec === "help") throw new Error("unexpected help");
    equal(executeRun(spec).stop, "idle");
  });
  await withProgram("loop: INCL R0\n BRB loop\n", (path) => {
    const spec = parseRunArgs([path, "--limit", "10"]);
    if (spec === "help") throw new Error("unexpected help");
    const rep = executeRun(spec);
    equal(rep.stop, "limit");
    equal(rep.instructions, 10);
  });
});

Deno.test("bad arguments are usage errors naming the argument", () => {
  throws(() => parseRunArgs([]), UsageError);
  throws(() => parseRunArgs(["--load", "x"]), /FILE@ADDRESS/);
  throws(() => parseRunArgs(["--load", "/nonexistent@0"]), /Cannot read/);
  throws(
    () => parseRunArgs(["--limit", "ten", "--load", "/dev/null@0"]),
    /--limit "ten"/,
  );
  throws(
    () => parseRunArgs(["--set", "R99=1", "--load", "/dev/null@0"]),
    /Unknown register "R99"/,
  );
  throws(
    () => parseRunArgs(["--dump", "12", "--load", "/dev/null@0"]),
    /ADDRESS:LENGTH/,
  );
  throws(() => parseRunArgs(["--bogus"]), UsageError);
});

Deno.test("the command exits non-zero with a usage message on bad arguments", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "src/cli/main.ts",
      "run",
      "--start",
      "zz",
      "--load",
      "/dev/null@0",
    ],
    cwd: root,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  equal(out.code, 2);
  match(new TextDecoder().decode(out.stderr), /--start "zz"/);
});

Deno.test("an assembly error is reported with its line and column, exit 1", async () => {
  await withProgram("  MOVL #1,R0\n  MOVX R1,R2\n", async (path) => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "src/cli/main.ts", "run", path],
      cwd: root,
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    equal(out.code, 1);
    match(
      new TextDecoder().decode(out.stderr),
      /line 2, column 3: unknown mnemonic "MOVX"/,
    );
  });
});

Deno.test("runWithProgress reports progress on long runs and totals the slices", async () => {
  const { runWithProgress } = await import("../../src/cli/run.ts");
  const { Machine } = await import("../../src/machine/machine.ts");
  const { assemble } = await import("../../src/asm/assembler.ts");
  const m = new Machine({ memory: "64 KiB", disk: 0 });
  const p = assemble("loop: INCL R0\n BRB loop", { origin: 0x200 });
  m.load(p.bytes, p.origin);
  m.set("PC", 0x200);
  const lines: (string | null)[] = [];
  // Show progress at once (afterMs 0) so the test does not depend on speed.
  const r = runWithProgress(m, 5_000_000, (l) => lines.push(l), 0);
  equal(r.stop, "limit");
  equal(r.instructions, 5_000_000);
  equal(m.get("R0"), 2_500_000);
  equal(lines.length, 3); // after 2M and 4M instructions, then cleared
  match(String(lines[0]), /running: 40% 2,000,000 instructions/);
  equal(lines.at(-1), null);
});

Deno.test("a file that cannot be read is a clear error with exit status 1, not a crash", async () => {
  for (const cmd of ["run", "asm", "trace", "disasm"]) {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "src/cli/main.ts", cmd, "/nonexistent/program.s"],
      cwd: root,
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    equal(out.code, 1, cmd);
    const err = new TextDecoder().decode(out.stderr);
    equal(
      err,
      `vmmlab ${cmd}: Cannot read "/nonexistent/program.s": no such file\n`,
    );
    equal(err.includes("    at "), false, "no stack trace");
  }
});

Deno.test("run --disk: without it no disk IPRs (MTPR #0,#64 is a reserved operand), with a size or a file they exist", async () => {
  const source = `
        MOVAL   scb,R0
        MTPR    R0,#17          ; SCBB
        MOVL    #^X8000,SP
        MTPR    #0,#64          ; DKBLK
        MOVL    #1,R5
        HALT
        .ALIGN  PAGE
scb:    .BLKL   6
        .LONG   rof             ; 0x18: reserved operand
        .BLKL   121
rof:    MOVL    #2,R5
        HALT
`;
  await withProgram(source, async (path) => {
    const run = (...extra: string[]) => {
      const spec = parseRunArgs([path, ...extra]);
      if (spec === "help") throw new Error("unexpected help");
      return executeRun(spec);
    };
    equal(run().regs.R5, "00000002");
    equal(run("--disk", "64 KiB").regs.R5, "00000001");
    const img = `${path}.img`;
    await Deno.writeFile(img, new Uint8Array(1000));
    const spec = parseRunArgs([path, "--disk", img]);
    if (spec === "help") throw new Error("unexpected help");
    equal(spec.disk?.size, 1024);
    equal(executeRun(spec).regs.R5, "00000001");
    throws(() => parseRunArgs([path, "--disk", "100"]), UsageError);
  });
});

Deno.test("run --vm --memory 256MiB: the monitor sizes real memory for a large VM", async () => {
  await withProgram("MOVL #5,R0\nHALT\n", (path) => {
    const spec = parseRunArgs([path, "--vm", "--memory", "256MiB"]);
    if (spec === "help") throw new Error("unexpected help");
    const rep = executeRun(spec, vmTarget);
    equal(rep.stop, "halt");
    equal(rep.regs.R0, "00000005");
    const big = parseRunArgs([path, "--vm", "--memory", "1GiB"]);
    if (big === "help") throw new Error("unexpected help");
    throws(() => executeRun(big, vmTarget), /a VM can have up to 989 MiB/);
  });
});
