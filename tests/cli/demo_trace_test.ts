// The guided tour and the trace command.
import { equal, match } from "node:assert/strict";
import { demo } from "../../src/cli/demo.ts";
import { assembleMultiprogramming } from "../../src/guests/multiprogramming.ts";

const root = new URL("../../", import.meta.url).pathname;

Deno.test("demo: the tour shows the OS bare and virtual, an injection, minidisks and costs", () => {
  const text = demo(() => {});
  match(text, /o: all processes exited, halting|o: vmmlab multiprogramming OS/);
  match(text, /o printed the same lines as on bare hardware: yes/);
  match(text, /CMS said: .*you typed: hello from CMS/);
  match(text, /exit: CHMK at/);
  // the REI that ends o's system-call entry, wherever the kernel puts it
  const asm = assembleMultiprogramming().assembly;
  let at = asm.symbol("K_CHMK");
  while (!/^\s*REI\b/.test(asm.lineAt(at)!.text)) at += asm.lineAt(at)!.length;
  const rei = at.toString(16).toUpperCase();
  match(text, new RegExp(`emulate REI: PC 0x${rei} -> 0x00000223`));
  match(text, /MTPR S\^#\^X14,S\^#\^X12 in kernel mode: exits .*MTPR×1/);
  match(text, /real PSL\s+0x21400000\s+CUR=executive/);
  match(text, /minidisk map of the real disk/);
  match(text, /executed directly\s+[\d,]+ \(9\d\.\d\d %\)/);
});

Deno.test("trace: a program's events, bare and under the monitor", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      `${dir}/t.s`,
      [
        "  MTPR #^X1000,#17",
        "  MTPR #^X600,#0",
        "  MOVL #^X800,SP",
        "  PUSHL #^X03C00000",
        "  PUSHAB user",
        "  REI",
        "user: MOVPSL R0",
        "  HALT",
        "  .align long",
        "rif: HALT",
        "  .org ^X1010",
        "  .long rif",
      ].join("\n"),
    );
    for (const vm of [false, true]) {
      const out = await new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "-A",
          "src/cli/main.ts",
          "trace",
          ...(vm ? ["--vm"] : []),
          `${dir}/t.s`,
        ],
        cwd: root,
        env: { NO_COLOR: "1" },
        stdout: "piped",
        stderr: "piped",
      }).output();
      equal(out.success, true, new TextDecoder().decode(out.stderr));
      const text = new TextDecoder().decode(out.stdout);
      match(text, /REI/);
      if (vm) {
        match(text, /exit: REI/);
        match(text, /reflect exception reserved instruction/);
      } else {
        match(text, /exception reserved instruction/);
      }
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
