/**
 * `vmmlab sweep`: runs a paging sweep from a JSON file, locally in
 * parallel (`--jobs N`) or one slice of it (`--shard I/N`, JSON lines) for
 * a batch engine; `vmmlab sweep merge` joins the slices.
 *
 * @module
 */

import { parseArgs } from "node:util";
import {
  expandSweep,
  mergeRows,
  shardOf,
  sweep,
  type SweepRow,
  type SweepSpec,
} from "../analysis/sweep.ts";
import { sweepTable } from "../display/paging.ts";
import { CliError, UsageError } from "./usage.ts";

/** Usage of `vmmlab sweep`. */
export const SWEEP_USAGE =
  `Usage: vmmlab sweep SPEC.json [--jobs N] [--shard I/N] [--out FILE] [--json]
       vmmlab sweep merge PART.jsonl... [--out FILE] [--json]

Runs a paging sweep: every configuration of SPEC.json ({"base": {...},
"vary": {"realMemory": [...], "policy": [...]}} or {"configs": [...]}),
each a set of copies of the multiprogramming guest under a monitor that
pages, and prints one row per configuration (a table, or JSON with --json).

  --jobs N      run N configurations at once in Web Workers (default 1)
  --shard I/N   run only slice I of N (I from 0) and write JSON lines: one
                job of a batch array (Slurm, Kubernetes, GNU parallel)
  --out FILE    write the rows to FILE (JSON lines) instead of stdout
  --json        print JSON (a list) instead of a table

merge joins the JSON lines of every shard into the whole sweep, in
configuration order, and fails if a configuration is missing or repeated.`;

async function readJson(path: string): Promise<unknown> {
  const text = await Deno.readTextFile(path);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new CliError(
      `Cannot read ${path}: not JSON (${(e as Error).message})`,
    );
  }
}

async function readLines(path: string): Promise<SweepRow[]> {
  const text = await Deno.readTextFile(path);
  return text.split("\n").filter((l) => l.trim() !== "").map((l, i) => {
    try {
      return JSON.parse(l) as SweepRow;
    } catch {
      throw new CliError(`Cannot read ${path} line ${i + 1}: not JSON`);
    }
  });
}

function progress(): ((done: number, total: number) => void) | undefined {
  let tty = false;
  try {
    tty = Deno.stderr.isTerminal();
  } catch {
    tty = false;
  }
  if (!tty) return undefined;
  const enc = new TextEncoder();
  const t0 = performance.now();
  return (done, total) => {
    const s = ((performance.now() - t0) / 1000).toFixed(1);
    Deno.stderr.writeSync(
      enc.encode(
        done === total
          ? "\r\x1b[2K"
          : `\r\x1b[2Ksweep: ${done}/${total} configurations, ${s} s`,
      ),
    );
  };
}

async function emit(
  rows: SweepRow[],
  out: string | undefined,
  json: boolean,
  lines: boolean,
): Promise<void> {
  const jsonl = rows.map((r) => JSON.stringify(r)).join("\n") + "\n";
  if (out !== undefined) await Deno.writeTextFile(out, jsonl);
  else if (lines) console.log(jsonl.trimEnd());
  else if (json) console.log(JSON.stringify(rows, null, 1));
  else console.log(sweepTable(rows));
}

/** Runs `vmmlab sweep ARGS`; returns the exit status. */
export async function sweepCommand(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        jobs: { type: "string" },
        shard: { type: "string" },
        out: { type: "string" },
        json: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(SWEEP_USAGE);
    return 0;
  }
  if (positionals[0] === "merge") {
    if (positionals.length < 2) {
      throw new UsageError("merge needs the JSON-lines files of the shards");
    }
    const parts = await Promise.all(positionals.slice(1).map(readLines));
    let rows: SweepRow[];
    try {
      rows = mergeRows(parts);
    } catch (e) {
      throw new CliError((e as Error).message);
    }
    await emit(rows, values.out, values.json ?? false, !values.json);
    return 0;
  }
  if (positionals.length !== 1) {
    throw new UsageError("expected one sweep file (SPEC.json)");
  }
  const spec = await readJson(positionals[0]!) as SweepSpec;
  let configs;
  try {
    configs = expandSweep(spec);
  } catch (e) {
    throw new CliError(`${positionals[0]}: ${(e as Error).message}`);
  }
  const jobs = values.jobs === undefined ? 1 : Number(values.jobs);
  if (!Number.isInteger(jobs) || jobs < 1) {
    throw new UsageError(
      `--jobs ${values.jobs}: expected a whole number >= 1`,
    );
  }
  let picked = configs.map((item, index) => ({ index, item }));
  if (values.shard !== undefined) {
    const m = /^(\d+)\/(\d+)$/.exec(values.shard);
    if (!m) {
      throw new UsageError(`--shard ${values.shard}: expected I/N, e.g. 0/4`);
    }
    try {
      picked = shardOf(configs, Number(m[1]), Number(m[2]));
    } catch (e) {
      throw new UsageError(`--shard ${values.shard}: ${(e as Error).message}`);
    }
  }
  const p = progress();
  let rows: SweepRow[];
  try {
    rows = await sweep(picked.map((x) => x.item), {
      jobs,
      onProgress: p && ((d, t) => p(d, t)),
    });
  } catch (e) {
    if (e instanceof RangeError) throw new CliError(e.message);
    throw e;
  }
  rows.forEach((r, k) => r.index = picked[k]!.index);
  await emit(
    rows,
    values.out,
    values.json ?? false,
    values.shard !== undefined,
  );
  return 0;
}
