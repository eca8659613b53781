/**
 * How the monitor's paging looks: real memory by owner (a grid of frames),
 * a VM's pages (resident, modified, referenced) and a VM's paging counts,
 * as text for the REPL and HTML/SVG for notebooks.
 *
 * @module
 */

import type {
  PageMapReport,
  PagingReport,
  ResidentReport,
} from "../monitor/paging/reports.ts";
import type { SweepRow } from "../analysis/sweep.ts";
import {
  escapeHtml,
  htmlTable,
  type MimeBundle,
  type Rendering,
  textTable,
} from "./style.ts";

const COLORS = [
  "#4e79a7",
  "#f28e2b",
  "#59a14f",
  "#e15759",
  "#76b7b2",
  "#edc948",
  "#b07aa1",
  "#ff9da7",
];

const PER_ROW = 64;

function grid(
  cells: readonly { fill: string; stroke?: string; title: string }[],
  legend: readonly [string, string][],
): string {
  const S = 9;
  const rows = Math.ceil(cells.length / PER_ROW);
  const w = PER_ROW * S + 20;
  const h = rows * S + 40;
  const rects = cells.map((c, i) =>
    `<rect x="${10 + (i % PER_ROW) * S}" y="${
      10 + Math.floor(i / PER_ROW) * S
    }" width="${S - 1}" height="${S - 1}" fill="${c.fill}"${
      c.stroke ? ` stroke="${c.stroke}" stroke-width="1.5"` : ""
    }><title>${escapeHtml(c.title)}</title></rect>`
  ).join("");
  const keys = legend.map(([label, color], i) =>
    `<rect x="${10 + 120 * i}" y="${
      rows * S + 20
    }" width="10" height="10" fill="${color}" stroke="#444"/><text x="${
      24 + 120 * i
    }" y="${rows * S + 29}" font-family="sans-serif" font-size="11">${
      escapeHtml(label)
    }</text>`
  ).join("");
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}">${rects}${keys}</svg>`;
}

function charMap(chars: string): string {
  const out: string[] = [];
  for (let i = 0; i < chars.length; i += PER_ROW) {
    out.push(`${String(i).padStart(6)} ${chars.slice(i, i + PER_ROW)}`);
  }
  return out.join("\n");
}

/** Real memory by owner: one cell per frame. */
export function pageMapView(r: PageMapReport): Rendering {
  const owners = [
    ...new Set(
      r.frames.map((f) => f.owner).filter((o) =>
        o !== "free" && o !== "monitor"
      ),
    ),
  ];
  const colorOf = (o: string) =>
    o === "free"
      ? "#eeeeee"
      : o === "monitor"
      ? "#555555"
      : COLORS[owners.indexOf(o) % COLORS.length]!;
  const letter = (o: string) =>
    o === "free"
      ? "."
      : o === "monitor"
      ? "#"
      : String.fromCharCode(97 + owners.indexOf(o) % 26);
  const counts = r.byOwner;
  const rows = Object.entries(counts).map(([o, n]) => [
    o,
    o === "free" || o === "monitor" ? letter(o) : letter(o),
    String(n),
    `${((100 * n) / r.frames.length).toFixed(1)} %`,
  ]);
  const table = textTable(["owner", "key", "frames", "share"], rows);
  const text =
    `real memory: ${r.frames.length} frames of 512 bytes\n${table}\n${
      charMap(r.frames.map((f) => letter(f.owner)).join(""))
    }`;
  const cells = r.frames.map((f) => ({
    fill: colorOf(f.owner),
    stroke: f.use !== "memory" && f.owner !== "free" ? "#000" : undefined,
    title: `frame ${f.frame}: ${f.owner} ${f.use}${
      f.page >= 0 ? ` page ${f.page}` : ""
    }`,
  }));
  const legend: [string, string][] = [
    ["free", colorOf("free")],
    ["monitor", colorOf("monitor")],
    ...owners.map((o) => [o, colorOf(o)] as [string, string]),
  ];
  const html = `<div><b>real memory by owner</b> (${r.frames.length} frames)${
    grid(cells, legend)
  }${htmlTable(["owner", "key", "frames", "share"], rows)}</div>`;
  return { text, html };
}

/** A VM's pages: resident or not, modified, referenced. */
export function residentView(r: ResidentReport): Rendering {
  const ch = r.pages.map((p) =>
    p.frame < 0
      ? (p.pagedOut ? "o" : ".")
      : p.modified
      ? (p.referenced ? "M" : "m")
      : (p.referenced ? "R" : "r")
  ).join("");
  const head =
    `${r.vm}: ${r.resident} of ${r.pages.length} pages resident, ${r.modified} modified, ${r.referenced} referenced${
      r.paging ? "" : " (the monitor does not page)"
    }`;
  const text =
    `${head}\nkey: R referenced, r not referenced, M/m modified, o paged out, . never touched\n${
      charMap(ch)
    }`;
  const color = (p: ResidentReport["pages"][number]) =>
    p.frame < 0
      ? (p.pagedOut ? "#bbbbbb" : "#f4f4f4")
      : p.modified
      ? "#f28e2b"
      : "#4e79a7";
  const cells = r.pages.map((p) => ({
    fill: color(p),
    stroke: p.frame >= 0 && p.referenced ? "#000" : undefined,
    title: `page ${p.page}: ${
      p.frame < 0
        ? (p.pagedOut ? "paged out" : "not touched")
        : `frame ${p.frame}${p.modified ? ", modified" : ""}${
          p.referenced ? ", referenced" : ""
        }`
    }`,
  }));
  const html = `<div><b>${escapeHtml(head)}</b>${
    grid(cells, [
      ["resident", "#4e79a7"],
      ["modified", "#f28e2b"],
      ["paged out", "#bbbbbb"],
      ["never touched", "#f4f4f4"],
    ])
  }<div style="font-size:11px">black border: referenced since the last sample</div></div>`;
  return { text, html };
}

function ms(ns: number): string {
  return `${(ns / 1e6).toFixed(3)} ms`;
}

/** A VM's paging counts as a table. */
export function pagingView(r: PagingReport): Rendering {
  const s = r.stats;
  const rows: string[][] = [
    ["policy", `${r.policy} (mitigation ${r.mitigation})`],
    ["pages resident", `${r.resident} of ${r.pages}`],
    ["guest instructions", String(r.instructions)],
    ["guest page faults (its own)", String(s.guestFaults)],
    ["  on its page tables (double misses)", String(s.guestDoubleMisses)],
    ["monitor page faults", String(s.monitorFaults)],
    ["  first touches (zero fill)", String(s.zeroFills)],
    ["pages read from the paging area", String(s.pageReads)],
    ["pages written to the paging area", String(s.pageWrites)],
    ["evictions of its pages", String(s.evictions)],
    [
      "double paging: guest wrote a paged-out page",
      String(s.doublePagingWrites),
    ],
    [
      "double paging: guest read over a paged-out page",
      String(s.doublePagingReads),
    ],
    [
      "paging-area reads for double paging",
      `${s.doublePagingIo} (${ms(s.doublePagingNs)})`,
    ],
    ["waiting for paging I/O", ms(s.pagingWaitNs)],
    ["guest time", ms(r.guestNs)],
    ["monitor time", ms(r.monitorNs)],
    ["disk: monitor page-ins", String(s.diskOps.monitorPageIn)],
    ["disk: monitor page-outs", String(s.diskOps.monitorPageOut)],
    [
      "disk: monitor double-paging reads",
      String(s.diskOps.monitorDoublePaging),
    ],
    ["disk: guest block reads", String(s.diskOps.guestRead)],
    ["disk: guest block writes", String(s.diskOps.guestWrite)],
  ];
  return {
    text: `paging of ${r.vm}\n${textTable(["count", "value"], rows)}`,
    html: htmlTable(["count", "value"], rows, {
      caption: `paging of ${r.vm}`,
    }),
  };
}

const SWEEP_COLUMNS: [string, (r: SweepRow) => string][] = [
  ["#", (r) => String(r.index)],
  ["real", (r) => `${r.realMemory / 1024}K`],
  ["VMs", (r) => String(r.vms)],
  ["policy", (r) => r.mitigation === "none" ? r.policy : `${r.policy}+fp`],
  [
    "guest",
    (r) => r.guestFrames ? `${r.guestFrames}f ${r.pattern}` : "unpaged",
  ],
  ["instr", (r) => String(r.instructions)],
  ["guest faults", (r) => String(r.guestFaults)],
  ["monitor faults", (r) => String(r.monitorFaults)],
  ["reads", (r) => String(r.pageReads)],
  ["writes", (r) => String(r.pageWrites)],
  ["double", (r) => String(r.doublePagingWrites + r.doublePagingReads)],
  ["paging wait", (r) => `${(r.pagingWaitNs / 1e6).toFixed(1)} ms`],
  ["slowdown", (r) => r.slowdown ? r.slowdown.toFixed(3) : "-"],
  ["MIPS", (r) => r.mips.toFixed(2)],
];

/** A table of sweep rows. */
export function sweepTable(rows: readonly SweepRow[]): string {
  return textTable(
    SWEEP_COLUMNS.map(([h]) => h),
    rows.map((r) => SWEEP_COLUMNS.map(([, f]) => f(r))),
  );
}

/** Shows or updates a display (Deno.jupyter.display's shape). */
export type DisplayFn = (
  bundle: MimeBundle,
  options: { raw: true; display_id: string; update?: boolean },
) => unknown;

/** Options of {@link sweepProgress}. */
export interface SweepProgressOptions {
  /**
   * Where the display goes (default: Deno's Jupyter kernel when this runs
   * in one; elsewhere the callback does nothing).
   */
  display?: DisplayFn;
  /** The display's id (default: a fresh one per call). */
  id?: string;
  /** Host clock in ms (default `performance.now`), for the elapsed time. */
  now?: () => number;
}

let progressIds = 0;

/**
 * The progress of a sweep as a MIME bundle: a bar and a line (done of
 * total, elapsed host seconds, the last row's label).
 */
export function sweepProgressBundle(
  done: number,
  total: number,
  elapsedMs: number,
  last?: SweepRow,
): MimeBundle {
  const pct = total > 0 ? Math.round(100 * done / total) : 100;
  const line = `sweep: ${done}/${total} configurations (${pct}%), ${
    (elapsedMs / 1000).toFixed(1)
  } s${last ? `; last: ${last.label}` : ""}`;
  return {
    "text/plain": line,
    "text/html":
      `<div style="font-family:monospace"><progress max="${total}" value="${done}" style="width:20em"></progress> ${
        escapeHtml(line)
      }</div>`,
  };
}

function jupyterDisplay(): DisplayFn | undefined {
  try {
    const j = (Deno as unknown as { jupyter?: { display?: DisplayFn } })
      .jupyter;
    return typeof j?.display === "function" ? j.display.bind(j) : undefined;
  } catch {
    return undefined; // reading Deno.jupyter outside the kernel throws
  }
}

/**
 * An `onProgress` callback for `sweep` that shows a progress bar in a
 * notebook and updates it in place after every configuration (one display,
 * not one output per row). Outside a notebook, without `display`, it does
 * nothing.
 *
 * ```ts
 * import { deepEqual } from "node:assert/strict";
 * import { sweepProgress } from "./paging.ts";
 * const shown: string[] = [];
 * const onProgress = sweepProgress({
 *   id: "p",
 *   now: () => 0,
 *   display: (b, o) => shown.push(`${o.update ? "update" : "show"} ${b["text/plain"]}`),
 * });
 * onProgress(0, 2);
 * onProgress(1, 2);
 * deepEqual(shown, [
 *   "show sweep: 0/2 configurations (0%), 0.0 s",
 *   "update sweep: 1/2 configurations (50%), 0.0 s",
 * ]);
 * ```
 */
export function sweepProgress(
  options: SweepProgressOptions = {},
): (done: number, total: number, row?: SweepRow) => void {
  const display = options.display ?? jupyterDisplay();
  const now = options.now ?? (() => performance.now());
  const id = options.id ?? `vmmlab-sweep-${++progressIds}-${Date.now()}`;
  const t0 = now();
  let shown = false;
  return (done, total, row) => {
    if (!display) return;
    const bundle = sweepProgressBundle(done, total, now() - t0, row);
    const r = display(bundle, { raw: true, display_id: id, update: shown });
    if (r instanceof Promise) r.catch(() => {}); // a display is best effort
    shown = true;
  };
}
