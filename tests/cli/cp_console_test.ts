// `vmmlab cp DIRECTORY` (issue 12): the CP console driven through its
// standard input; a bad directory is a clear error naming the line.
import { equal, match, ok } from "node:assert/strict";

const root = new URL("../../", import.meta.url).pathname;

async function cp(
  directory: string,
  input: string,
): Promise<{ code: number; out: string; err: string }> {
  const dir = await Deno.makeTempDir();
  const file = `${dir}/directory.txt`;
  await Deno.writeTextFile(file, directory);
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "src/cli/main.ts", "cp", file],
    cwd: root,
    env: { NO_COLOR: "1" },
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const w = child.stdin.getWriter();
  await w.write(new TextEncoder().encode(input));
  await w.close();
  const out = await child.output();
  await Deno.remove(dir, { recursive: true });
  return {
    code: out.code,
    out: new TextDecoder().decode(out.stdout),
    err: new TextDecoder().decode(out.stderr),
  };
}

const DIRECTORY = `USER CMS1 PW 64K
  IPL CMS
  MDISK 191 FB-512 100 128 VMLAB1 MR
USER CMS2 PW 64K
`;

Deno.test("the CP console reads its commands from standard input", async () => {
  const r = await cp(
    DIRECTORY,
    "q n\nLINK CMS2 CMS1 191 191 RR\nBEGIN CMS1\nQUERX\nLOGOFF\nQ N\n",
  );
  equal(r.code, 0, r.err);
  match(r.out, /CP: q n\nCMS1 {5}- READY , CMS2 {5}- READY/);
  match(r.out, /CMS2 191 LINKED R\/O TO CMS1 191/);
  match(r.out, /CMS1 {4}: CMS: type a line/);
  match(r.out, /DMKCFM001E INVALID CP COMMAND - QUERX/);
  // Nothing after LOGOFF is executed.
  ok(!/CP: Q N/.test(r.out));
});

Deno.test("a bad directory ends the command with the line and the reason", async () => {
  const r = await cp("USER A PW 64K\n  IPL VMS\n", "");
  equal(r.code, 1);
  match(
    r.err,
    /line 1: unknown guest "VMS" to IPL: expected one of MVS, DOSVS, CMS/,
  );
});
