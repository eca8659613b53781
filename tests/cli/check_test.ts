// The `check` command: --arch, --json, --evidence, and usage errors.
import { deepEqual, equal, match, ok } from "node:assert/strict";

const root = new URL("../../", import.meta.url).pathname;

async function check(...args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "src/cli/main.ts", "check", ...args],
    cwd: root,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  return {
    code: out.code,
    stdout: new TextDecoder().decode(out.stdout),
    stderr: new TextDecoder().decode(out.stderr),
  };
}

Deno.test("check --arch vax-vm --json prints one object with the verdicts", async () => {
  const r = await check("--arch", "vax-vm", "--json");
  equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  equal(j.arch, "vax-vm");
  deepEqual(j.theorems, { "1": true, "2": true, "3": true });
  deepEqual(j.sensitiveUnprivileged, []);
  ok(j.classes.length > 100);
  equal(Object.keys(j.classes[0])[0], "mnemonic");
});

Deno.test("check --evidence MOVPSL shows the runs, within 80 columns", async () => {
  const r = await check("--evidence", "movpsl");
  equal(r.code, 0, r.stderr);
  match(
    r.stdout,
    /^MOVPSL \(opcode 0xDC\): behaviour-sensitive, mode-sensitive/,
  );
  match(r.stdout, /the result depends on the previous mode/);
  for (const line of r.stdout.split("\n")) ok(line.length <= 80, line);
});

Deno.test("check refuses an unknown arch or mnemonic with a usage error", async () => {
  const a = await check("--arch", "x86");
  equal(a.code, 2);
  match(a.stderr, /Unknown --arch "x86": expected vax or vax-vm/);
  const b = await check("--evidence", "MOVX");
  equal(b.code, 2);
  match(b.stderr, /Unknown instruction "MOVX" for --evidence/);
});
