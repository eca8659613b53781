// Every example runs with `deno run` and prints what it promises.
import { equal, match } from "node:assert/strict";

const root = new URL("../../", import.meta.url).pathname;

const EXPECT: Record<string, RegExp[]> = {
  "bare_machine.ts": [
    /o: all processes exited, halting/,
    /One read system call \(CHMK #2\)/,
    /io-done/,
  ],
  "trap_and_emulate.ts": [
    /exit: CHMK/,
    /emulate REI/,
    /minidisk/,
    /Efficiency: \d+ of \d+ instructions ran directly/,
  ],
  "ring_compression.ts": [
    /executive\s+01400000\s+21400000\s+01400000/,
    /monitor, shared\s+yes/,
    /monitor, split\s+no\s+4\s+80002800/,
  ],
  "minidisks.ts": [
    /ALICE read back: "Alice's block 5 "/,
    /BOB reads past his 384 blocks\s+9081\s+1\s+1/,
  ],
  "shadow_page_tables.ts": [/R7\s+1028\s+1028/, /EW \(was KW\)/],
  "vm370.ts": [
    /MVS {5}: o: all processes exited, halting/,
    /CP2\/CMS2: CMS: you typed: second level, two/,
    /level 2 CMS1 +\d+ exits/,
    /L1 CP2 +forward /,
  ],
  "vm370_levels.ts": [
    /compute-bound guest/,
    /^ +3 +3000001 +/m,
    /system-call guest/,
  ],
  "page_tables.ts": [
    /frames.+dataFaults.+tableFaults.+tableReads/,
    /│ +0 │ +12 │ "halt" │ +\d+ │ +\d+ │ +\d+ │ +\d+ │ true +│/,
    /│ +7 │ +128 │ "halt" │/,
  ],
  "paging_delays.ts": [
    /#\s+real\s+VMs\s+policy/,
    /160K\s+2\s+clock/,
    /Largest slowdown: \d+\.\d\d x at \d+ KiB/,
  ],
};

const files = [...Deno.readDirSync(`${root}examples`)].filter((e) =>
  e.name.endsWith(".ts")
).map((
  e,
) => e.name).sort();

Deno.test("every example has expectations", () => {
  equal(files.filter((f) => !EXPECT[f]).join(","), "");
});

for (const f of files) {
  Deno.test(`example ${f} runs and prints its result`, async () => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", `examples/${f}`],
      cwd: root,
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(out.stdout);
    equal(out.success, true, new TextDecoder().decode(out.stderr));
    for (const re of EXPECT[f] ?? []) match(text, re);
  });
}
