// A Jupyter kernelspec of the tests' own, so that the notebook tests need
// nothing registered beforehand (no `deno jupyter --install`) and always use
// the Deno that runs them: a temporary directory holding
// kernels/<KERNEL_NAME>/kernel.json, found by Jupyter through JUPYTER_PATH.

/** The kernel name the harness asks for. */
export const KERNEL_NAME = "vmmlab-deno";

/** Where to look for a Python with Jupyter's client, first that works wins. */
const PYTHON_CANDIDATES = ["/usr/bin/python3", "python3"];

function hasJupyter(python: string): boolean {
  try {
    return new Deno.Command(python, {
      args: ["-c", "import jupyter_client, nbclient"],
      stdout: "null",
      stderr: "null",
    }).outputSync().success;
  } catch {
    return false;
  }
}

/** The first candidate Python that has Jupyter's client, if any. */
const FOUND = PYTHON_CANDIDATES.find(hasJupyter);

/**
 * The Python that runs the harness: the system's `/usr/bin/python3` (where
 * Debian's Jupyter packages live) when it has Jupyter's client, else
 * `python3` on PATH (a pyenv or virtualenv Python may lack it).
 */
export const PYTHON: string = FOUND ?? "python3";

/** The harness script. */
export const HARNESS = new URL("harness.py", import.meta.url).pathname;

/**
 * Why the notebooks cannot be executed here (Python or its Jupyter client
 * missing), or undefined when they can.
 */
export function jupyterMissing(): string | undefined {
  if (FOUND !== undefined) return undefined;
  try {
    new Deno.Command(PYTHON, { args: ["-V"], stdout: "null", stderr: "null" })
      .outputSync();
  } catch {
    return "python3 is not on PATH";
  }
  return "Python's jupyter_client or nbclient is missing";
}

/** How to get what {@link jupyterMissing} reports missing. */
export const JUPYTER_HINT =
  "install Jupyter (Debian: apt-get install jupyter-client python3-nbclient; elsewhere: pip install jupyter_client)";

/**
 * Creates the kernelspec in a new temporary directory and returns the
 * environment the harness runs with (JUPYTER_PATH and a runtime directory
 * of its own, NO_COLOR=1) and a function that removes the directory.
 */
export function kernelEnvironment(): {
  env: Record<string, string>;
  dispose: () => void;
} {
  const dir = Deno.makeTempDirSync({ prefix: "vmmlab-jupyter-" });
  const spec = `${dir}/kernels/${KERNEL_NAME}`;
  Deno.mkdirSync(spec, { recursive: true });
  Deno.mkdirSync(`${dir}/runtime`);
  Deno.writeTextFileSync(
    `${spec}/kernel.json`,
    JSON.stringify({
      argv: [
        Deno.execPath(),
        "jupyter",
        "--kernel",
        "--conn",
        "{connection_file}",
      ],
      display_name: "Deno (vmmlab tests)",
      language: "typescript",
      env: { NO_COLOR: "1" },
    }),
  );
  return {
    env: {
      JUPYTER_PATH: dir,
      JUPYTER_RUNTIME_DIR: `${dir}/runtime`,
      NO_COLOR: "1",
      VMMLAB_DENO: Deno.execPath(),
    },
    dispose: () => Deno.removeSync(dir, { recursive: true }),
  };
}

/** Runs the harness on notebooks (paths), returning its JSON reports. */
export async function runHarness(
  paths: string[],
  options: { write?: boolean; env: Record<string, string> },
): Promise<{
  reports: {
    notebook: string;
    cells: number;
    failed: number;
    errors: unknown[];
  }[];
  output: string;
}> {
  const out = await new Deno.Command(PYTHON, {
    args: [
      HARNESS,
      "--kernel",
      KERNEL_NAME,
      ...(options.write ? ["--write"] : []),
      ...paths,
    ],
    env: options.env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  const reports = text.split("\n").filter((l) => l.startsWith("{")).map((l) =>
    JSON.parse(l)
  );
  return {
    reports,
    output: text + new TextDecoder().decode(out.stderr),
  };
}
