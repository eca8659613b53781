// The module graph of src/: no import cycles (type-only imports count), and
// every import goes to the file's own layer or an earlier one (design.md).
import assert from "node:assert/strict";
import { dirname, join, normalize, relative } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = normalize(join(dirname(fileURLToPath(import.meta.url)), ".."));
const SRC = join(ROOT, "src");
const LAYERS = [
  "arch",
  "machine",
  "asm",
  "monitor",
  "guests",
  "analysis",
  "display",
  "cli",
];

function* sources(dir: string): Generator<string> {
  for (const e of Deno.readDirSync(dir)) {
    const p = join(dir, e.name);
    if (e.isDirectory) yield* sources(p);
    else if (e.name.endsWith(".ts")) yield p;
  }
}

/** Relative module specifiers of import and export-from statements. */
function importsOf(file: string): string[] {
  const text = Deno.readTextFileSync(file)
    .replace(/\/\*[\s\S]*?\*\//g, "")
    .replace(/^\s*\/\/.*$/gm, "");
  const out: string[] = [];
  const re =
    /(?:^|;|\n)\s*(?:import|export)\s+(?:type\s+)?(?:[^"';]*?\s+from\s+)?["']([^"']+)["']/g;
  for (const m of text.matchAll(re)) {
    if (m[1]!.startsWith(".")) out.push(join(dirname(file), m[1]!));
  }
  return out;
}

const graph = new Map<string, string[]>();
for (const f of sources(SRC)) graph.set(f, importsOf(f));

const layerOf = (f: string) =>
  LAYERS.indexOf(relative(SRC, f).split(/[\\/]/)[0]!);

Deno.test("src/ has no import cycles", () => {
  const state = new Map<string, 1 | 2>();
  const stack: string[] = [];
  const cycles: string[] = [];
  const visit = (f: string) => {
    state.set(f, 1);
    stack.push(f);
    for (const g of graph.get(f) ?? []) {
      if (state.get(g) === 1) {
        cycles.push(
          [...stack.slice(stack.indexOf(g)), g].map((x) => relative(SRC, x))
            .join(" -> "),
        );
      } else if (!state.has(g)) visit(g);
    }
    stack.pop();
    state.set(f, 2);
  };
  for (const f of graph.keys()) if (!state.has(f)) visit(f);
  assert.deepEqual(cycles, []);
});

Deno.test("src/ files import only their own layer or earlier ones", () => {
  const wrong: string[] = [];
  for (const [f, deps] of graph) {
    for (const g of deps) {
      if (!g.startsWith(SRC)) continue;
      if (layerOf(g) > layerOf(f)) {
        wrong.push(`${relative(SRC, f)} imports ${relative(SRC, g)}`);
      }
    }
  }
  assert.deepEqual(wrong, []);
});

Deno.test("every import resolves to a file of src/", () => {
  const missing: string[] = [];
  for (const [f, deps] of graph) {
    for (const g of deps) {
      if (g.startsWith(SRC) && !graph.has(g)) {
        missing.push(`${relative(SRC, f)} imports ${relative(SRC, g)}`);
      }
    }
  }
  assert.deepEqual(missing, []);
});
