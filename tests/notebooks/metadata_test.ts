// The committed notebooks read as a run from top to bottom: every cell has
// a unique id (nbformat 4.5), and the code cells that ran carry execution
// counts 1, 2, 3... in order, matching their results' counts. The headless
// refresh (`deno task notebooks`, harness.py --write) writes them so.
import { deepEqual, equal, ok } from "node:assert/strict";

const dir = new URL("../../notebooks/", import.meta.url);
const notebooks = [...Deno.readDirSync(dir)]
  .filter((e) => e.isFile && e.name.endsWith(".ipynb"))
  .map((e) => e.name)
  .sort();

interface Cell {
  id?: string;
  cell_type: string;
  source: string | string[];
  execution_count?: number | null;
  outputs?: { output_type: string; execution_count?: number }[];
}

for (const nb of notebooks) {
  Deno.test(`notebook ${nb} has cell ids and execution counts in order`, () => {
    const json = JSON.parse(Deno.readTextFileSync(new URL(nb, dir)));
    ok(
      json.nbformat > 4 || json.nbformat_minor >= 5,
      `${nb}: nbformat 4.5 or later carries cell ids`,
    );
    const cells: Cell[] = json.cells;
    const ids = cells.map((c) => c.id);
    ids.forEach((id, i) =>
      ok(
        typeof id === "string" && /^[A-Za-z0-9_-]{1,64}$/.test(id),
        `${nb}: cell ${i + 1} has no valid id`,
      )
    );
    equal(new Set(ids).size, ids.length, `${nb}: cell ids are not unique`);
    const code = cells.filter((c) =>
      c.cell_type === "code" && [c.source].flat().join("").trim() !== ""
    );
    deepEqual(
      code.map((c) => c.execution_count),
      code.map((_, i) => i + 1),
      `${nb}: code cells should be numbered 1, 2, 3... in order`,
    );
    for (const c of code) {
      for (const o of c.outputs ?? []) {
        if (o.output_type === "execute_result") {
          equal(o.execution_count, c.execution_count, `${nb}: result count`);
        }
      }
    }
  });
}
