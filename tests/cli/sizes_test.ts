// Every size a user gives (a machine's memory and disk, a VM's memory and
// minidisks, `run --memory` and `--disk`) comes back in an error message as
// it was written ("256MiB"), not as a normalised number of bytes.
import { equal, match, throws } from "node:assert/strict";
import { Machine, Monitor } from "../../mod.ts";

const main = new URL("../../src/cli/main.ts", import.meta.url).pathname;

Deno.test("API size errors echo the size as written", () => {
  throws(() => new Machine({ memory: "8GiB" }), /memory "8GiB": expected/);
  throws(() => new Machine({ memory: "1000" }), /memory "1000"/);
  throws(
    () => new Machine({ memory: "1 MiB", disk: 1000 }),
    /a disk of 1,000 bytes: expected a multiple of 512 bytes/,
  );
  const cp = () => Monitor.on(new Machine({ memory: "8 MiB", disk: "8 MiB" }));
  throws(
    () => cp().vm("A").memory("64MiB").create(),
    /Cannot create VM "A" with memory "64MiB": .*only \d+ are free/,
  );
  throws(() => cp().vm("A").memory("1000 B"), /memory "1000 B": expected/);
  throws(
    () => cp().vm("A").memory("64 KiB").minidisk("64MiB").create(),
    /with memory "64 KiB" and a minidisk of "64MiB": .*free blocks/,
  );
  throws(() => cp().vm("A").minidisk("700"), /a minidisk of "700": expected/);
});

async function vmmlab(args: string[]): Promise<{ code: number; err: string }> {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/h.s`, "HALT\n");
    const r = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", main, ...args, "h.s"],
      cwd: dir,
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    return { code: r.code, err: new TextDecoder().decode(r.stderr) };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("run --memory and --disk errors echo the size as written", async () => {
  const cases: [string[], RegExp][] = [
    [["--memory", "8GiB"], /memory "8GiB": expected/],
    [["--vm", "--memory", "1000MiB"], /Cannot run a VM of "1000MiB": /],
    [["--disk", "1000"], /a disk of "1000": expected/],
    [
      ["--vm", "--memory", "64KiB", "--disk", "2GiB"],
      /with memory "64KiB" and a minidisk of "2GiB": /,
    ],
  ];
  for (const [args, re] of cases) {
    const { code, err } = await vmmlab(["run", ...args]);
    equal(code !== 0, true, args.join(" "));
    match(err, re);
  }
});
