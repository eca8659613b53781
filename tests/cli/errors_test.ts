// The command line's one style of errors, subcommand by subcommand: unknown
// options, missing values, numbers out of range, unreadable and unusable
// files (same wording, same exit status everywhere), `help CMD`, paths
// relative to the user's directory, the trace's stop reason and kinds, and
// singular and plural.
import { equal, match } from "node:assert/strict";

const main = new URL("../../src/cli/main.ts", import.meta.url).pathname;
const dir = Deno.makeTempDirSync({ prefix: "vmmlab-cli-" });
Deno.writeTextFileSync(`${dir}/loop.s`, "x: INCL R0\nBRB x\n");
Deno.writeTextFileSync(`${dir}/one.s`, "HALT\n");
Deno.writeTextFileSync(`${dir}/empty.s`, "; only a comment\n\n");
Deno.writeFileSync(
  `${dir}/binary.s`,
  new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0, 0x1b, 0x5b]),
);
addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));

async function vmmlab(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; out: string; err: string }> {
  const r = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", main, ...args],
    cwd: dir,
    env: { NO_COLOR: "1", ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: r.code, out: dec.decode(r.stdout), err: dec.decode(r.stderr) };
}

Deno.test("every subcommand words an unknown option and a missing value the same way", async () => {
  for (
    const cmd of ["run", "asm", "disasm", "trace", "check", "bench", "demo"]
  ) {
    const r = await vmmlab([cmd, "--bogus"]);
    equal(r.code, 2, cmd);
    equal(
      r.err,
      `vmmlab ${cmd}: unknown option "--bogus"\nRun "vmmlab help ${cmd}" for usage.\n`,
    );
  }
  for (const cmd of ["run", "trace"]) {
    const r = await vmmlab([cmd, "loop.s", "--limit"]);
    equal(r.code, 2);
    match(r.err, new RegExp(`^vmmlab ${cmd}: option --limit needs a value\n`));
  }
});

Deno.test("numbers out of range say so, echoing what was written", async () => {
  let r = await vmmlab(["run", "loop.s", "--start", "0xFFFFFFFFF"]);
  equal(r.code, 2);
  match(
    r.err,
    /^vmmlab run: Cannot use --start 0xFFFFFFFFF: it does not fit in 32 bits\n/,
  );
  r = await vmmlab(["run", "loop.s", "--limit=-5"]);
  match(r.err, /^vmmlab run: Cannot use --limit -5: expected 0 or more\n/);
  r = await vmmlab(["asm", "one.s", "--origin", "12x"]);
  match(r.err, /^vmmlab asm: Cannot use --origin "12x": expected a number/);
  r = await vmmlab(["trace", "loop.s", "--limit", "^X1FFFFFFFF"]);
  match(
    r.err,
    /^vmmlab trace: Cannot use --limit \^X1FFFFFFFF: it does not fit in 32 bits/,
  );
  r = await vmmlab(["run", "loop.s", "--memory", "3 parsecs"]);
  match(r.err, /"3 parsecs"/);
});

Deno.test("an empty or comment-only program is an error: no instructions", async () => {
  for (const cmd of ["run", "asm", "trace"]) {
    const r = await vmmlab([cmd, "empty.s"]);
    equal(r.code, 1, cmd);
    match(
      r.err,
      new RegExp(
        `^vmmlab ${cmd}: Cannot (run|assemble) "empty.s": no instructions`,
      ),
    );
  }
});

Deno.test("a binary file given as assembly is one line, never raw bytes", async () => {
  for (const cmd of ["run", "asm", "trace"]) {
    const r = await vmmlab([cmd, "binary.s"]);
    equal(r.code, 1);
    equal(
      r.err,
      `vmmlab ${cmd}: Cannot assemble "binary.s": not a text file (expected VAX MACRO-32 source)\n`,
    );
  }
});

Deno.test("paths are relative to the user's directory, also through deno task", async () => {
  const sub = `${dir}/sub`;
  Deno.mkdirSync(sub, { recursive: true });
  Deno.writeTextFileSync(`${sub}/p.s`, "MOVL #3,R0\nHALT\n");
  // `deno task vmmlab` runs in the repository and says where the user was
  // in INIT_CWD (unless it is set already: the environment is cleared of
  // the one `deno task test` set).
  const config = new URL("../../deno.json", import.meta.url).pathname;
  const keep = ["PATH", "HOME", "DENO_DIR", "XDG_CACHE_HOME"];
  const r = await new Deno.Command(Deno.execPath(), {
    args: ["task", "-q", "--config", config, "vmmlab", "run", "p.s", "--json"],
    cwd: sub,
    clearEnv: true,
    env: {
      NO_COLOR: "1",
      ...Object.fromEntries(
        keep.flatMap((k) => {
          const v = Deno.env.get(k);
          return v === undefined ? [] : [[k, v]];
        }),
      ),
    },
    stdout: "piped",
    stderr: "piped",
  }).output();
  equal(r.code, 0, new TextDecoder().decode(r.stderr));
  equal(JSON.parse(new TextDecoder().decode(r.stdout)).regs.R0, "00000003");
  // Run directly, from elsewhere, with an INIT_CWD inherited from some
  // other task: the working directory counts.
  const w = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", main, "asm", "p.s", "-o", "p.bin"],
    cwd: sub,
    env: { NO_COLOR: "1", INIT_CWD: "/" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  equal(w.code, 0, new TextDecoder().decode(w.stderr));
  equal(Deno.statSync(`${sub}/p.bin`).size, 4);
});

Deno.test("help CMD shows the command's help; an unknown command lists the commands", async () => {
  let r = await vmmlab(["help", "run"]);
  equal(r.code, 0);
  match(r.out, /^Usage: vmmlab run/);
  r = await vmmlab(["frob"]);
  equal(r.code, 2);
  match(r.err, /^vmmlab: unknown command "frob": expected run, asm/);
  equal(r.err.includes("frob --help"), false);
});

Deno.test("trace says why the run stopped; --kinds is checked and listed in --help", async () => {
  let r = await vmmlab(["trace", "loop.s", "--limit", "100"]);
  equal(r.code, 0);
  match(
    r.out,
    /stopped at the instruction limit after 100 instructions.*0 events/,
  );
  r = await vmmlab(["trace", "one.s"]);
  match(r.out, /stop: HALT instruction after 1 instruction;/);
  r = await vmmlab(["trace", "loop.s", "--kinds", "exit,bogus"]);
  equal(r.code, 2);
  match(
    r.err,
    /unknown kind "bogus" for --kinds: expected exception, interrupt,/,
  );
  r = await vmmlab(["trace", "--help"]);
  match(r.out, /Kinds \(--kinds/);
  match(r.out, /shadow-fill/);
});

Deno.test("run says 1 instruction, not 1 instructions", async () => {
  const r = await vmmlab(["run", "one.s"]);
  match(r.out, /^stop: halt after 1 instruction\n/);
});

Deno.test("help texts fit in 80 columns", async () => {
  for (
    const cmd of ["run", "asm", "disasm", "trace", "check", "bench", "demo"]
  ) {
    const r = await vmmlab(["help", cmd]);
    for (const line of r.out.split("\n")) {
      equal(line.length <= 80, true, `${cmd}: ${line}`);
    }
  }
});
