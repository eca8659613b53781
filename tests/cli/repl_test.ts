// Drives `deno task repl` through its standard input and checks what it
// prints: the banner, the ready-made example, readable objects, and that a
// looping guest never locks the REPL (the default budget stops it, and so
// does Ctrl-C, the SIGINT a terminal sends). The REPL lays out its output
// differently with TERM=dumb (a value follows the prompt on the same line),
// so the checks match values, never line layout, and run under both.
import { equal, match } from "node:assert/strict";

const root = new URL("../../", import.meta.url).pathname;
const enc = new TextEncoder();
const dec = new TextDecoder();

/** A REPL child process with a way to type lines and read what it prints. */
function startRepl(term: string) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["task", "-q", "repl"],
    cwd: root,
    env: { NO_COLOR: "1", DENO_REPL_HISTORY: "", TERM: term },
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  const reader = child.stdout.getReader();
  let text = "";
  return {
    child,
    type: (line: string) => writer.write(enc.encode(line + "\n")),
    /** Reads until `marker` was printed; returns everything so far. */
    async waitFor(marker: string): Promise<string> {
      while (!text.includes(marker)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`REPL ended before "${marker}":\n${text}`);
        text += dec.decode(value);
      }
      return text;
    },
    /** Closes the input, waits for the end; returns all output. */
    async finish(): Promise<{ text: string; stderr: string; ok: boolean }> {
      await writer.close();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        text += dec.decode(value);
      }
      const stderr = dec.decode(
        new Uint8Array(await new Response(child.stderr).arrayBuffer()),
      );
      const status = await child.status;
      return { text, stderr, ok: status.success };
    },
  };
}

// A guest that never halts: INCL R0 / BRB back.
const LOOP = 'const loop = new Machine({ memory: "64 KiB" }); ' +
  'loop.load(assemble("x: INCL R0\\nBRB x").bytes, 0); "loop ready"';

for (const term of ["dumb", "xterm-256color"]) {
  Deno.test(`the REPL starts with the module and examples loaded (TERM=${term})`, async () => {
    const repl = startRepl(term);
    for (
      const line of [
        '"stop=" + machine.run().stop',
        '"R1=" + machine.get("R1")',
        '"Monitor is a " + typeof Monitor',
        '"exits=" + vm.inject("MTPR #3,#18").exits.MTPR',
        "cp",
        "close()",
      ]
    ) await repl.type(line);
    const { text, stderr, ok } = await repl.finish();
    equal(ok, true, stderr);
    match(text, /vmmlab REPL/);
    // The banner fits in 80 columns.
    const banner = text.slice(0, text.indexOf("Deno ")).split("\n");
    for (const line of banner) equal(line.length <= 80, true, line);
    match(text, /"stop=halt"/);
    match(text, /"R1=55"/);
    match(text, /"Monitor is a function"/);
    match(text, /"exits=1"/);
    match(text, /Monitor \(split shadow tables/);
  });

  Deno.test(`Ctrl-C stops a looping guest and keeps the REPL and the machine (TERM=${term})`, async () => {
    const repl = startRepl(term);
    await repl.type(LOOP);
    await repl.waitFor("loop ready");
    await repl.type(
      'console.log("RUNNING"); "stop=" + loop.run({ limit: Infinity }).stop',
    );
    await repl.waitFor("RUNNING");
    await new Promise((r) => setTimeout(r, 300));
    repl.child.kill("SIGINT");
    await repl.waitFor("stop=");
    await repl.type('"R0 counted: " + (loop.get("R0") > 1000)');
    await repl.type('"again=" + loop.run({ limit: 10 }).instructions');
    await repl.type("close()");
    const { text, stderr, ok } = await repl.finish();
    equal(ok, true, stderr);
    match(text, /"stop=interrupted"/);
    match(text, /"R0 counted: true"/);
    match(text, /"again=10"/);
  });
}

Deno.test("a run without a limit stops at the default budget and says how to go on", async () => {
  const repl = startRepl("dumb");
  await repl.type(LOOP);
  await repl.type("const r = loop.run(); r.stop");
  await repl.type("r.reason");
  await repl.type("close()");
  const { text, stderr, ok } = await repl.finish();
  equal(ok, true, stderr);
  match(text, /"budget"/);
  match(text, /run again to continue, or pass \{ limit \}/);
});

Deno.test("in the REPL, what completion lists on vm and cp is their public API; results render in hex", async () => {
  const repl = startRepl("dumb");
  // Completion lists the names on an object and its prototypes (private
  // `#` fields are not among them): list them the same way.
  await repl.type(
    'const names = (x) => { const s = new Set(); for (let o = x; o && o !== Object.prototype; o = Object.getPrototypeOf(o)) for (const n of Object.getOwnPropertyNames(o)) s.add(n); return [...s].sort().join(" "); }; "names ready"',
  );
  await repl.type('"VM: " + names(vm)');
  await repl.type('"CP: " + names(cp)');
  await repl.type("machine.run({ limit: 3 })");
  await repl.type("close()");
  const { text, stderr, ok } = await repl.finish();
  equal(ok, true, stderr);
  const vmLine = /"VM: ([^"]*)"/.exec(text)?.[1] ?? "";
  const cpLine = /"CP: ([^"]*)"/.exec(text)?.[1] ?? "";
  const vmNames = new Set(vmLine.split(" "));
  const cpNames = new Set(cpLine.split(" "));
  for (const n of ["inject", "run", "get", "set", "psl", "pageTables"]) {
    equal(vmNames.has(n), true, `${n} in ${vmLine}`);
  }
  for (
    const n of ["r", "vpsl", "vstk", "ipr", "irq", "frames", "shadow", "driver"]
  ) equal(vmNames.has(n), false, `${n} in ${vmLine}`);
  for (const n of ["vm", "vms", "run", "machine"]) {
    equal(cpNames.has(n), true, `${n} in ${cpLine}`);
  }
  for (const n of ["syncFromCpu", "syncToCpu", "runVm", "createVm"]) {
    equal(cpNames.has(n), false, `${n} in ${cpLine}`);
  }
  match(text, /3 instructions, .*PC=0x0000100[0-9A-F]/);
});
