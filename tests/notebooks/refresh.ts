// Re-executes notebooks headless and stores their outputs, cell ids and
// execution counts (in order) back into them, with the tests' own kernelspec
// (_kernel.ts), so nothing has to be registered first.
//
//   deno task notebooks                       every notebook
//   deno task notebooks notebooks/01-*.ipynb  some
import {
  JUPYTER_HINT,
  jupyterMissing,
  kernelEnvironment,
  runHarness,
} from "./_kernel.ts";

const missing = jupyterMissing();
if (missing) {
  console.error(`Cannot run the notebooks: ${missing}; ${JUPYTER_HINT}`);
  Deno.exit(1);
}
const dir = new URL("../../notebooks/", import.meta.url).pathname;
const cwd = Deno.env.get("INIT_CWD") ?? Deno.cwd();
const paths = Deno.args.length > 0
  ? Deno.args.map((p) => p.startsWith("/") ? p : `${cwd}/${p}`)
  : [...Deno.readDirSync(dir)].filter((e) => e.name.endsWith(".ipynb"))
    .map((e) => dir + e.name).sort();
const kernel = kernelEnvironment();
let bad = 0;
try {
  for (const p of paths) {
    const { reports, output } = await runHarness([p], {
      write: true,
      env: kernel.env,
    });
    const r = reports[0];
    if (!r) {
      console.error(`${p}: no report\n${output}`);
      bad++;
      continue;
    }
    console.log(`${p}: ${r.cells} cells, ${r.failed} failed`);
    if (r.failed) {
      console.error(JSON.stringify(r.errors, null, 2));
      bad++;
    }
  }
} finally {
  kernel.dispose();
}
Deno.exit(bad ? 1 : 0);
