// Drives `deno task repl` through its standard input and checks what it
// prints: the banner, the ready-made example, and readable objects.
import { equal, match } from "node:assert/strict";

const root = new URL("../../", import.meta.url).pathname;

Deno.test("the REPL starts with the module and examples loaded", async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["task", "-q", "repl"],
    cwd: root,
    env: { NO_COLOR: "1", DENO_REPL_HISTORY: "" },
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const w = child.stdin.getWriter();
  await w.write(
    new TextEncoder().encode(
      [
        "machine.run().stop",
        'machine.get("R1")',
        "typeof Monitor",
        'vm.inject("MTPR #3,#18").exits.MTPR',
        "cp",
        "close()",
        "",
      ].join("\n"),
    ),
  );
  await w.close();
  const out = await child.output();
  const text = new TextDecoder().decode(out.stdout);
  equal(out.success, true, new TextDecoder().decode(out.stderr));
  match(text, /vmmlab REPL/);
  match(text, /"halt"/);
  match(text, /\b55\b/);
  match(text, /"function"/);
  match(text, /\n1\n/);
  match(text, /Monitor \(split shadow tables/);
});
