// Serves the repository over HTTP on 127.0.0.1 (as text/plain, like a raw
// code host) and imports mod.ts by URL from a script outside the repository,
// with an empty Deno cache: the module graph must be self-contained.
import { equal, match } from "node:assert/strict";

const root = new URL("../../", import.meta.url).pathname;

Deno.test("mod.ts imports by URL from another script with an empty cache", async () => {
  const ac = new AbortController();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, signal: ac.signal, onListen() {} },
    async (req) => {
      const path = decodeURIComponent(new URL(req.url).pathname);
      if (path.includes("..")) return new Response("no", { status: 403 });
      try {
        const body = await Deno.readFile(root + path.slice(1));
        return new Response(body, {
          headers: { "content-type": "text/plain; charset=utf-8" },
        });
      } catch {
        return new Response("not found", { status: 404 });
      }
    },
  );
  const port = server.addr.port;
  const dir = await Deno.makeTempDir();
  try {
    const script = `${dir}/consumer.ts`;
    await Deno.writeTextFile(
      script,
      `import { assemble, Machine, Monitor } from "http://127.0.0.1:${port}/mod.ts";
const cp = Monitor.on(new Machine({ memory: "2 MiB", disk: "256 KiB" }));
const vm = cp.vm("URL").memory("64 KiB").minidisk("32 KiB").create();
const p = assemble("MOVPSL R0\\nMTPR #7,#18\\nMFPR #18,R1\\nHALT", { origin: 0x200 });
vm.load(p.bytes, p.origin);
vm.set("PC", p.entry);
const r = vm.run();
console.log(JSON.stringify({ stop: r.stop, r0: vm.get("R0"), r1: vm.get("R1"), exits: vm.stats.exits }));
`,
    );
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--no-config", `--allow-import=127.0.0.1:${port}`, script],
      cwd: dir,
      env: { DENO_DIR: `${dir}/cache`, NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stdout = new TextDecoder().decode(out.stdout);
    const stderr = new TextDecoder().decode(out.stderr);
    equal(out.success, true, stderr);
    const result = JSON.parse(stdout.trim().split("\n").pop()!);
    equal(result.stop, "halt");
    equal(result.r0, 0x041f0000);
    equal(result.r1, 7);
    equal(result.exits.MTPR, 1);
    equal(result.exits.MFPR, 1);
    match(stderr, /Download http:\/\/127\.0\.0\.1/);
    // An example runs straight from its URL too.
    const ex = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--no-config",
        `--allow-import=127.0.0.1:${port}`,
        `http://127.0.0.1:${port}/examples/ring_compression.ts`,
      ],
      cwd: dir,
      env: { DENO_DIR: `${dir}/cache`, NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    equal(ex.success, true, new TextDecoder().decode(ex.stderr));
    match(
      new TextDecoder().decode(ex.stdout),
      /executive mode writes a kernel-only page/,
    );
  } finally {
    ac.abort();
    await server.finished;
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("mod.ts type-checks with no configuration (what a URL importer gets)", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["check", "--no-config", "mod.ts"],
    cwd: root,
    stdout: "piped",
    stderr: "piped",
  }).output();
  equal(out.success, true, new TextDecoder().decode(out.stderr));
});
