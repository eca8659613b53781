// Executes every notebook in notebooks/ headless against Deno's Jupyter
// kernel (tests/notebooks/harness.py) and fails on any error output or
// failed cell. Needs /usr/bin/python3 with jupyter_client and the `deno`
// kernelspec (`deno jupyter --install`); .ci/run installs them. Outside CI
// the test is skipped, with the reason, when they are missing.
import { equal } from "node:assert/strict";

const root = new URL("../../", import.meta.url);
const harness = new URL("tests/notebooks/harness.py", root).pathname;
const notebooks = [...Deno.readDirSync(new URL("notebooks/", root))]
  .filter((e) => e.isFile && e.name.endsWith(".ipynb"))
  .map((e) => e.name)
  .sort();

function jupyterMissing(): string | undefined {
  try {
    const r = new Deno.Command("/usr/bin/python3", {
      args: [
        "-c",
        "import jupyter_client.kernelspec as k; k.get_kernel_spec('deno')",
      ],
      stdout: "null",
      stderr: "null",
    }).outputSync();
    return r.success
      ? undefined
      : "the deno kernelspec or jupyter_client is not installed";
  } catch {
    return "/usr/bin/python3 is not available";
  }
}

const missing = jupyterMissing();
const inCi = Deno.env.get("CI") !== undefined;
if (missing && !inCi) console.warn(`notebook tests skipped: ${missing}`);

Deno.test("notebooks: there are notebooks to run", () => {
  equal(notebooks.length >= 1, true);
});

for (const nb of notebooks) {
  Deno.test({
    name: `notebook ${nb} runs without an error in any cell`,
    ignore: missing !== undefined && !inCi,
    async fn() {
      const out = await new Deno.Command("/usr/bin/python3", {
        args: [harness, nb],
        cwd: new URL("notebooks/", root).pathname,
        env: { NO_COLOR: "1" },
        stdout: "piped",
        stderr: "piped",
      }).output();
      const text = new TextDecoder().decode(out.stdout);
      const line = text.trim().split("\n").pop() ?? "";
      let report: { cells: number; failed: number; errors: unknown[] };
      try {
        report = JSON.parse(line);
      } catch {
        throw new Error(
          `harness gave no report for ${nb}:\n${text}\n${
            new TextDecoder().decode(out.stderr)
          }`,
        );
      }
      equal(
        report.failed,
        0,
        `${nb}: ${JSON.stringify(report.errors, null, 2)}`,
      );
      equal(report.cells > 0, true);
    },
  });
}
