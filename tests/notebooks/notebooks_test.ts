// Executes every notebook in notebooks/ headless against Deno's Jupyter
// kernel (tests/notebooks/harness.py) and fails on any error output or
// failed cell. The kernelspec is the tests' own (_kernel.ts: a temporary
// JUPYTER_PATH whose kernel runs this very Deno with NO_COLOR=1), so nothing
// has to be registered first. Where Python's Jupyter client is missing the
// notebook tests are ignored, with one line saying how to install it (in CI,
// where CI is set, they fail instead).
import { deepEqual, equal } from "node:assert/strict";
import {
  JUPYTER_HINT,
  jupyterMissing,
  KERNEL_NAME,
  kernelEnvironment,
  PYTHON,
  runHarness,
} from "./_kernel.ts";

const dir = new URL("../../notebooks/", import.meta.url);
const notebooks = [...Deno.readDirSync(dir)]
  .filter((e) => e.isFile && e.name.endsWith(".ipynb"))
  .map((e) => e.name)
  .sort();

const missing = jupyterMissing();
const ignore = missing !== undefined && Deno.env.get("CI") === undefined;
if (ignore) console.warn(`notebook tests ignored: ${missing}; ${JUPYTER_HINT}`);

Deno.test("notebooks: there are notebooks to run", () => {
  equal(notebooks.length >= 1, true);
});

for (const nb of notebooks) {
  Deno.test({
    name: `notebook ${nb} runs without an error in any cell`,
    ignore,
    async fn() {
      if (missing) throw new Error(`${missing}: ${JUPYTER_HINT}`);
      const kernel = kernelEnvironment();
      try {
        const { reports, output } = await runHarness(
          [new URL(nb, dir).pathname],
          { env: kernel.env },
        );
        const report = reports[0];
        if (!report) {
          throw new Error(`harness gave no report for ${nb}:\n${output}`);
        }
        equal(
          report.failed,
          0,
          `${nb}: ${JSON.stringify(report.errors, null, 2)}`,
        );
        equal(report.cells > 0, true);
      } finally {
        kernel.dispose();
      }
    },
  });
}

Deno.test({
  name: "interrupting the kernel stops a run and keeps the kernel",
  ignore,
  async fn() {
    if (missing) throw new Error(`${missing}: ${JUPYTER_HINT}`);
    const kernel = kernelEnvironment();
    try {
      const out = await new Deno.Command(PYTHON, {
        args: [
          new URL("interrupt.py", import.meta.url).pathname,
          KERNEL_NAME,
          dir.pathname,
        ],
        env: kernel.env,
        stdout: "piped",
        stderr: "piped",
      }).output();
      const text = new TextDecoder().decode(out.stdout).trim();
      const line = text.split("\n").pop() ?? "";
      let report: unknown;
      try {
        report = JSON.parse(line);
      } catch {
        throw new Error(
          `no report:\n${text}\n${new TextDecoder().decode(out.stderr)}`,
        );
      }
      deepEqual(report, {
        result: '"stop=interrupted"',
        after: '"R0 counted: true"',
        alive: true,
      });
    } finally {
      kernel.dispose();
    }
  },
});
