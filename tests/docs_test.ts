// Documentation examples (JSDoc in src/ and mod.ts, code blocks in the
// README) run as tests with `deno test --doc`; a failed console.assert only
// prints "Assertion failed" and the test still passes, so the examples
// assert with node:assert/strict, which throws.
import { deepEqual } from "node:assert/strict";

const root = new URL("../", import.meta.url);

function files(dir: URL): URL[] {
  const out: URL[] = [];
  for (const e of Deno.readDirSync(dir)) {
    const u = new URL(e.name + (e.isDirectory ? "/" : ""), dir);
    if (e.isDirectory) out.push(...files(u));
    else if (e.name.endsWith(".ts")) out.push(u);
  }
  return out;
}

Deno.test("documentation examples assert with node:assert/strict, never console.assert", () => {
  const offenders: string[] = [];
  for (
    const u of [
      ...files(new URL("src/", root)),
      new URL("mod.ts", root),
      new URL("README.md", root),
    ]
  ) {
    Deno.readTextFileSync(u).split("\n").forEach((line, i) => {
      if (line.includes("console.assert(")) {
        offenders.push(`${u.pathname.slice(root.pathname.length)}:${i + 1}`);
      }
    });
  }
  deepEqual(offenders, []);
});
