/**
 * Renderings of vmmlab's objects: text for terminals, HTML and SVG for
 * notebooks. Pictures where people would rather look than read: the PSL as
 * labelled bit fields, guest and shadow page tables side by side, the disk
 * with its minidisks, a sequence diagram of a trace, a timeline.
 *
 * @module
 */

import { decodePsl, MODE_NAMES, PSL_LAYOUT } from "../arch/psl.ts";
import { IPR_NAMES } from "../arch/ipr.ts";
import { REGISTER_NAMES } from "../arch/registers.ts";
import { compressProt, PROT_NAMES } from "../arch/pte.ts";
import { readOnlyProt } from "../monitor/shadow.ts";
import type { Machine } from "../machine/machine.ts";
import type { Trace, TraceEvent } from "../machine/trace.ts";
import type { CpuState, RunResult } from "../machine/hardware.ts";
import { formatRunResult } from "../machine/results.ts";
import {
  formatBytes,
  formatCount,
  formatHex,
  formatNs,
} from "../machine/units.ts";
import type { Monitor } from "../monitor/monitor.ts";
import type { VirtualMachine, VmStats } from "../monitor/vm.ts";
import type { Extent, MinidiskMap } from "../monitor/devices/minidisk.ts";
import type {
  InjectReport,
  PageTableComparison,
  PslReport,
} from "../monitor/reports.ts";
import {
  consoleHtml,
  escapeHtml,
  h8,
  htmlTable,
  paint,
  type Rendering,
  textTable,
} from "./style.ts";

// ---------------------------------------------------------------------------
// PSL

/** The PSL as labelled bit fields: an SVG picture. */
export function pslSvg(psl: number, title = "PSL"): string {
  const bitW = 22;
  const x0 = 70;
  const w = x0 + 32 * bitW + 10;
  const parts: string[] = [];
  parts.push(
    `<text x="4" y="38" font-family="monospace" font-size="13" font-weight="bold">${
      escapeHtml(title)
    }</text>`,
  );
  for (const f of PSL_LAYOUT) {
    const x = x0 + (31 - f.hi) * bitW;
    const width = (f.hi - f.lo + 1) * bitW;
    const value = ((psl >>> 0) >>> f.lo) & ((1 << (f.hi - f.lo + 1)) - 1);
    const on = value !== 0 && f.name !== "MBZ";
    const fill = f.name === "MBZ" ? "#eeeeee" : on ? "#ffe08a" : "#ffffff";
    let shown = String(value);
    if (f.name === "CUR" || f.name === "PRV") {
      shown = MODE_NAMES[value]!.slice(0, 4);
    }
    if (f.name === "IPL") shown = formatHex(value);
    parts.push(
      `<rect x="${x}" y="20" width="${width}" height="28" fill="${fill}" stroke="#555"/>` +
        `<text x="${
          x + width / 2
        }" y="15" text-anchor="middle" font-family="sans-serif" font-size="9">${f.name}</text>` +
        (f.name === "MBZ"
          ? ""
          : `<text x="${
            x + width / 2
          }" y="39" text-anchor="middle" font-family="monospace" font-size="11">${
            escapeHtml(shown)
          }</text>`),
    );
  }
  parts.push(
    `<text x="${x0}" y="62" font-family="monospace" font-size="10">31</text>` +
      `<text x="${
        x0 + 31 * bitW
      }" y="62" font-family="monospace" font-size="10">0</text>` +
      `<text x="${
        x0 + 33 * bitW - 10
      }" y="38" font-family="monospace" font-size="12">${
        formatHex(psl, 8)
      }</text>`,
  );
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${
    w + 90
  }" height="68" viewBox="0 0 ${w + 90} 68">${parts.join("")}</svg>`;
}

/** A PSL decoded field by field, for terminals. */
export function pslText(psl: number): string {
  const f = decodePsl(psl);
  const flags = ([
    "tp",
    "vm",
    "fpd",
    "is",
    "dv",
    "fu",
    "iv",
    "t",
    "n",
    "z",
    "v",
    "c",
  ] as const)
    .filter((k) => f[k]).map((k) => k.toUpperCase());
  return `${formatHex(psl, 8)}  CUR=${MODE_NAMES[f.cur]} PRV=${
    MODE_NAMES[f.prv]
  } IPL=${formatHex(f.ipl)}${flags.length ? "  " + flags.join(" ") : ""}`;
}

/** The PSL report of a VM: virtual PSL, real PSL and VMPSL. */
export function pslReportView(r: PslReport): Rendering {
  const text = [
    `virtual PSL ${pslText(r.virtual)}`,
    `real PSL    ${pslText(r.real)}`,
    `VMPSL       ${pslText(r.vmpsl)}`,
  ].join("\n");
  const html = `<div>${pslSvg(r.virtual, "virtual")}<br>${
    pslSvg(r.real, "real")
  }<br>${pslSvg(r.vmpsl, "VMPSL")}</div>`;
  return { text, html };
}

// ---------------------------------------------------------------------------
// Processor state

const REG_LABELS = REGISTER_NAMES;

/** The IPRs a terminal view shows (all of them: {@link iprView}). */
export const MAIN_IPRS: readonly string[] = [
  "SCBB",
  "PCBB",
  "SBR",
  "SLR",
  "P0BR",
  "P0LR",
  "P1BR",
  "P1LR",
  "MAPEN",
  "ASTLVL",
  "SISR",
];

/** `NAME=0x........` pairs, as many per line as fit in 80 columns. */
function pairLines(pairs: readonly [string, number][], width = 80): string[] {
  const cells = pairs.map(([k, v]) => `${k.padStart(6)}=${formatHex(v, 8)}`);
  const per = Math.max(
    1,
    Math.floor((width + 2) / (cells[0]?.length ?? 1 + 2)),
  );
  const lines: string[] = [];
  for (let i = 0; i < cells.length; i += per) {
    lines.push(cells.slice(i, i + per).join("  "));
  }
  return lines;
}

/**
 * Registers, PSL and the main IPRs (terminal: 80 columns; notebook: one
 * table whose rows align, registers beside the IPRs).
 */
export function cpuStateView(s: CpuState, title = "processor"): Rendering {
  const lines: string[] = [];
  for (let i = 0; i < 16; i += 4) {
    lines.push(
      REG_LABELS.slice(i, i + 4).map((n, k) =>
        `${n.padStart(3)}=${formatHex(s.r[i + k]!, 8)}`
      ).join("  "),
    );
  }
  lines.push(`PSL ${pslText(s.psl)}`);
  const main = MAIN_IPRS.filter((k) => k in s.iprs).map((
    k,
  ) => [k, s.iprs[k]!] as [string, number]);
  lines.push(...pairLines(main));
  lines.push(
    `(${main.length} of ${
      formatCount(Object.keys(s.iprs).length, "IPR")
    }; all: view.iprs(...))`,
  );
  const iprs = Object.entries(s.iprs);
  const half = Math.ceil(iprs.length / 2);
  const nRows = Math.max(16, half);
  const rows: string[][] = [];
  for (let i = 0; i < nRows; i++) {
    const a = iprs[i];
    const b = iprs[half + i];
    rows.push([
      REG_LABELS[i] ?? "",
      i < 16 ? h8(s.r[i]!) : "",
      a && i < half ? a[0] : "",
      a && i < half ? h8(a[1]) : "",
      b ? b[0] : "",
      b ? h8(b[1]) : "",
    ]);
  }
  const html = `<div><b>${escapeHtml(title)}</b>${pslSvg(s.psl)}${
    htmlTable(
      ["register", "value (hex)", "IPR", "value (hex)", "IPR", "value (hex)"],
      rows,
    )
  }</div>`;
  return { text: lines.join("\n"), html };
}

/** Every IPR with its number and value (terminal: three per line). */
export function iprView(s: CpuState): Rendering {
  const entries = Object.entries(s.iprs);
  const num = (k: string) => {
    const n = (IPR_NAMES as readonly (string | undefined)[]).indexOf(k);
    return n < 0 ? "" : formatHex(n);
  };
  const cells = entries.map(([k, v]) =>
    `${k.padStart(6)} (${num(k)})=${formatHex(v, 8)}`
  );
  const lines: string[] = [];
  for (let i = 0; i < cells.length; i += 3) {
    lines.push(cells.slice(i, i + 3).join("  "));
  }
  const rows = entries.map(([k, v]) => [k, num(k), h8(v)]);
  return {
    text: `${formatCount(entries.length, "IPR")}\n${lines.join("\n")}`,
    html: htmlTable(["IPR", "number", "value (hex)"], rows),
  };
}

// ---------------------------------------------------------------------------
// Machine, VM, monitor

/** A machine at a glance. */
export function machineView(m: Machine): Rendering {
  const s = m.state();
  const head = `${paint(`Machine ${m.name}`, "bold")}: ${
    formatBytes(m.memorySize)
  } memory, disk ${formatCount(m.disk.blocks, "block")}, ${
    formatCount(m.instructions, "instruction")
  }, t=${formatNs(m.now)}${
    m.halted ? `\n${paint(`halted (${m.haltReason})`, "red")}` : ""
  }`;
  const out = m.console.output;
  const tail = out.length > 0
    ? `\nconsole: ${JSON.stringify(out.slice(-200))}`
    : "";
  const text = `${head}\n${cpuStateView(s).text}${tail}`;
  const html = `<div><div><b>Machine ${escapeHtml(m.name)}</b>: ${
    formatBytes(m.memorySize)
  }, disk ${formatCount(m.disk.blocks, "block")}, ${
    formatCount(m.instructions, "instruction")
  }, t = ${escapeHtml(formatNs(m.now))}${
    m.halted
      ? `, <span style="color:#b00">halted (${escapeHtml(m.haltReason)})</span>`
      : ""
  }</div>${cpuStateView(s).html}${out ? consoleHtml(out, 2000) : ""}</div>`;
  return { text, html };
}

/** Efficiency figures of a VM: direct instructions versus exits. */
export function statsView(name: string, st: VmStats): Rendering {
  const total = st.instructions;
  const direct = total - st.emulated;
  const eff = total > 0 ? (100 * direct / total).toFixed(2) : "—";
  const n = (v: number) => v.toLocaleString("en-US");
  const rows: string[][] = [
    ["instructions", n(st.instructions)],
    ["executed directly", `${n(direct)} (${eff} %)`],
    ["exits", n(st.totalExits)],
    ...Object.entries(st.exits).sort((a, b) => b[1] - a[1]).map((
      [k, v],
    ) => [`  exit ${k}`, n(v)]),
    ["emulated", n(st.emulated)],
    ["reflected", n(st.reflected)],
    ["shadow fills", n(st.shadowFills)],
    ["shadow flushes", n(st.shadowFlushes)],
    ["virtual interrupts", n(st.interrupts)],
    ["minidisk requests", n(st.ioRequests)],
    ["time in guest", formatNs(st.guestNs)],
    ["time in monitor", formatNs(st.monitorNs)],
    ["time waiting", formatNs(st.waitNs)],
  ];
  return {
    text: `${paint(`${name} statistics`, "bold")}\n${
      textTable(["what", "value"], rows)
    }`,
    html: htmlTable(["what", "value"], rows, { caption: `${name} statistics` }),
  };
}

/** A VM at a glance. */
export function vmView(vm: VirtualMachine): Rendering {
  const s = vm.state();
  const p = vm.psl();
  const head = `VM ${vm.name} (${vm.status}${
    vm.halted ? `: ${vm.haltReason}` : ""
  })\n${formatBytes(vm.memorySize)}, minidisk ${
    formatCount(vm.disk.blocks, "block")
  }, ${formatCount(vm.stats.instructions, "instruction")}, ${
    formatCount(vm.stats.totalExits, "exit")
  }`;
  const text = `${paint(head, "bold")}\n${cpuStateView(s).text}\n${
    pslReportView(p).text
  }`;
  const out = vm.console.output;
  const html = `<div><b>${escapeHtml(head)}</b>${pslReportView(p).html}${
    cpuStateView(s, vm.name).html
  }${out ? consoleHtml(out, 2000) : ""}</div>`;
  return { text, html };
}

/** The monitor: its VMs and the real disk. */
export function monitorView(m: Monitor): Rendering {
  const rows = [...m.vms.values()].map((vm) => [
    vm.name,
    vm.status,
    formatBytes(vm.memorySize),
    formatCount(vm.disk.blocks, "block"),
    vm.stats.instructions.toLocaleString("en-US"),
    vm.stats.totalExits.toLocaleString("en-US"),
    formatNs(vm.stats.guestNs),
    formatNs(vm.stats.monitorNs),
  ]);
  const headers = [
    "VM",
    "status",
    "memory",
    "minidisk",
    "instructions",
    "exits",
    "guest time",
    "monitor time",
  ];
  const head = `Monitor (${m.policy} shadow tables, quantum ${
    formatNs(m.quantumNs)
  }), ${formatCount(m.vms.size, "VM")}\nreal memory ${
    formatBytes(m.machine.memorySize)
  } (${formatCount(m.frames.available, "frame")} free)`;
  return {
    text: `${paint(head, "bold")}\n${textTable(headers, rows)}\n${
      minidiskView(m.minidisks).text
    }`,
    html: `<div><b>${escapeHtml(head)}</b>${htmlTable(headers, rows)}${
      minidiskView(m.minidisks).html
    }</div>`,
  };
}

// ---------------------------------------------------------------------------
// Minidisks

const OWNER_COLORS = [
  "#8ecae6",
  "#ffb703",
  "#90be6d",
  "#f28482",
  "#cdb4db",
  "#f9c74f",
  "#43aa8b",
];

/** The real disk with its minidisks: a bar (SVG) and a table. */
export function minidiskView(map: MinidiskMap): Rendering {
  const layout = map.layout();
  const owners = [
    ...new Set(layout.filter((e) => e.owner !== "free").map((e) => e.owner)),
  ];
  const color = (e: Extent) =>
    e.owner === "free"
      ? "#f4f4f4"
      : OWNER_COLORS[owners.indexOf(e.owner) % OWNER_COLORS.length]!;
  const W = 640;
  const scale = W / Math.max(1, map.blocks);
  const rects = layout.map((e) => {
    const x = 10 + e.start * scale;
    const w = Math.max(1, e.blocks * scale);
    const label = e.owner === "free" ? "" : `${e.owner} ${e.label}`;
    return `<rect x="${x}" y="20" width="${w}" height="30" fill="${
      color(e)
    }" stroke="#444"><title>${
      escapeHtml(
        `${e.owner} ${e.label}: blocks ${e.start}-${e.start + e.blocks - 1}`,
      )
    }</title></rect>` +
      (w > 40
        ? `<text x="${
          x + w / 2
        }" y="40" text-anchor="middle" font-family="sans-serif" font-size="11">${
          escapeHtml(label)
        }</text>`
        : "");
  }).join("");
  const legend = owners.map((o, i) =>
    `<rect x="${10 + 110 * i}" y="74" width="12" height="12" fill="${
      OWNER_COLORS[i % OWNER_COLORS.length]
    }" stroke="#444"/><text x="${
      26 + 110 * i
    }" y="84" font-family="sans-serif" font-size="11">${escapeHtml(o)}</text>`
  ).join("");
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${
      W + 20
    }" height="92">${legend}` +
    `<text x="10" y="14" font-family="sans-serif" font-size="12">real disk: ${map.blocks} blocks</text>${rects}` +
    `<text x="10" y="64" font-family="monospace" font-size="10">0</text>` +
    `<text x="${
      W + 10
    }" y="64" text-anchor="end" font-family="monospace" font-size="10">${map.blocks}</text></svg>`;
  const rows = layout.map((e) => [
    e.owner,
    e.label,
    String(e.start),
    String(e.start + e.blocks - 1),
    String(e.blocks),
    `${(e.blocks / 2).toFixed(0)} KiB`,
  ]);
  const headers = [
    "owner",
    "label",
    "first block",
    "last block",
    "blocks",
    "size",
  ];
  return {
    text: `minidisk map of the real disk (${
      formatCount(map.blocks, "block")
    })\n${textTable(headers, rows)}`,
    html: `<div>${svg}${htmlTable(headers, rows)}</div>`,
  };
}

// ---------------------------------------------------------------------------
// Page tables

/** Guest page table and shadow table side by side, remapped protections marked. */
export function pageTableView(c: PageTableComparison): Rendering {
  const headers = [
    "VA (hex)",
    "guest prot",
    "V",
    "M",
    "PFN",
    "remapped to",
    "shadow prot",
    "shadow V",
    "shadow M",
    "real PFN",
  ];
  if (c.policy === "split") headers.push("exec-view prot");
  const hl = new Set<string>();
  const rows = c.rows.map((r, i) => {
    const s = r.shadow;
    const remap = compressProt(r.guest.prot);
    const writeLater = s !== null && !s.modified &&
      s.prot === readOnlyProt(remap) &&
      s.prot !== remap;
    const row = [
      h8(r.va),
      r.guest.protName,
      r.guest.valid ? "1" : "0",
      r.guest.modified ? "1" : "0",
      formatHex(r.guest.pfn, 1),
      PROT_NAMES[remap]!,
      s
        ? `${s.protName}${
          writeLater ? " (read-only until the first write)" : ""
        }`
        : "—",
      s ? (s.valid ? "1" : "0") : "—",
      s ? (s.modified ? "1" : "0") : "—",
      s ? formatHex(s.pfn, 1) : "—",
    ];
    if (c.policy === "split") {
      row.push(r.shadowExec ? r.shadowExec.protName : "—");
    }
    if (remap !== r.guest.prot) {
      hl.add(`${i},1`);
      hl.add(`${i},5`);
    }
    return row;
  });
  const caption =
    `${c.vm} ${c.region}: guest page table and shadow table (${c.policy} policy)`;
  const notes: string[] = [];
  if (!c.mapping) {
    notes.push(
      `memory management is off in ${c.vm} (MAPEN=0): the guest sees physical addresses (VA<29:0>); the rows are the identity map the monitor shadows`,
    );
  }
  if (c.rows.length < c.total) {
    notes.push(
      `${c.rows.length} of ${
        formatCount(c.total, "entry", "entries")
      } shown (pageTables(region, { from, count }) for others)`,
    );
  }
  // Terminal: compact columns within 80 (g = guest, s = shadow).
  const textHeaders = [
    "VA (hex)",
    "g.prot",
    "V",
    "M",
    "PFN",
    "remap",
    "s.prot",
  ];
  textHeaders.push("V", "M", "real PFN");
  if (c.policy === "split") textHeaders.push("exec");
  const textRows = rows.map((r, i) => {
    const t = r.slice();
    t[1] = hl.has(`${i},1`) ? paint(r[1]!, "yellow") : r[1]!;
    t[5] = hl.has(`${i},5`) ? paint(`${r[5]} (was ${r[1]})`, "yellow") : r[5]!;
    t[6] = r[6]!.replace(" (read-only until the first write)", "*");
    return t;
  });
  const star = textRows.some((r) => r[6]!.endsWith("*"))
    ? "\n* read-only until the first write (then the M bit is set)"
    : "";
  const head = [caption, ...notes].join("\n");
  return {
    text: `${head}\n${textTable(textHeaders, textRows)}${star}`,
    html: `${notes.map((n) => `<p>${escapeHtml(n)}</p>`).join("")}${
      htmlTable(headers, rows, { caption, highlightCells: hl })
    }`,
  };
}

// ---------------------------------------------------------------------------
// Traces

/** The four columns of the classic trap-and-emulate figure. */
export const LANES = [
  "user process",
  "guest OS",
  "monitor",
  "hardware",
] as const;

/** Which lane an event belongs to, and the lane it points to (if any). */
export function laneOf(e: TraceEvent): { from: number; to: number } {
  const mode = e.psl === undefined ? 0 : (e.psl >>> 24) & 3;
  const newMode = e.newPsl === undefined ? mode : (e.newPsl >>> 24) & 3;
  const lane = (m: number) => (m === 0 || m === 1 ? 1 : 0);
  switch (e.kind) {
    case "chm":
      return { from: lane(mode), to: lane(newMode) };
    case "exception":
    case "interrupt":
      return { from: e.kind === "interrupt" ? 3 : lane(mode), to: 1 };
    case "rei":
      return { from: lane(mode), to: lane(newMode) };
    case "ldpctx":
    case "svpctx":
      return { from: 1, to: 1 };
    case "exit":
      return { from: lane(mode), to: 2 };
    case "emulate": {
      const np = e.data?.newPsl;
      return {
        from: 2,
        to: typeof np === "number" ? lane((np >>> 24) & 3) : 2,
      };
    }
    case "minidisk":
      return { from: 2, to: 3 };
    case "shadow-fill":
    case "schedule":
    case "page":
      return { from: 2, to: 2 };
    case "reflect":
      return { from: 2, to: 1 };
    case "io-start":
      return { from: 2, to: 3 };
    case "io-done":
      return { from: 3, to: 3 };
    case "console-out":
    case "console-in":
    case "timer":
      return { from: 3, to: 3 };
    default:
      return { from: 2, to: 2 };
  }
}

/** A sequence diagram of trace events (user, guest OS, monitor, hardware). */
export function sequenceSvg(
  events: readonly TraceEvent[],
  maxEvents = 60,
): string {
  const list = events.slice(0, maxEvents);
  // A trace with the monitor in it: device completions go to the monitor.
  const monitored = events.some((e) =>
    e.kind === "exit" || e.kind === "emulate" || e.kind === "reflect" ||
    e.kind === "minidisk"
  );
  const laneW = 130;
  const left = 90;
  const rowH = 22;
  const top = 40;
  const H = top + rowH * list.length + 20;
  // Labels go in a column of their own, right of the last lifeline, so
  // that no label crosses a lifeline.
  const labelX = left + laneW * LANES.length + 10;
  const W = labelX + 460;
  const parts: string[] = [];
  LANES.forEach((name, i) => {
    const x = left + laneW * i + laneW / 2;
    parts.push(
      `<text x="${x}" y="18" text-anchor="middle" font-family="sans-serif" font-size="12" font-weight="bold">${name}</text>` +
        `<line x1="${x}" y1="26" x2="${x}" y2="${
          H - 10
        }" stroke="#bbb" stroke-dasharray="4 3"/>`,
    );
  });
  parts.push(
    `<defs><marker id="ah" markerWidth="8" markerHeight="8" refX="7" refY="3" orient="auto"><path d="M0,0 L7,3 L0,6 z" fill="#333"/></marker></defs>`,
  );
  list.forEach((e, i) => {
    const y = top + rowH * i;
    const lanes = laneOf(e);
    const from = lanes.from;
    const to = e.kind === "io-done" ? (monitored ? 2 : 1) : lanes.to;
    const x1 = left + laneW * from + laneW / 2;
    const x2 = left + laneW * to + laneW / 2;
    parts.push(
      `<text x="4" y="${
        y + 4
      }" font-family="monospace" font-size="11" fill="#555">${
        escapeHtml(formatNs(e.ns))
      }</text>`,
    );
    if (from === to) {
      parts.push(`<circle cx="${x1}" cy="${y}" r="4" fill="#333"/>`);
    } else {
      parts.push(
        `<line x1="${x1}" y1="${y}" x2="${
          x2 + (x2 > x1 ? -6 : 6)
        }" y2="${y}" stroke="#333" marker-end="url(#ah)"/>`,
      );
    }
    parts.push(
      `<line x1="${Math.max(x1, x2) + 6}" y1="${y}" x2="${
        labelX - 4
      }" y2="${y}" stroke="#eee"/>` +
        `<text x="${labelX}" y="${
          y + 4
        }" font-family="sans-serif" font-size="11">${
          escapeHtml(e.text.slice(0, 72))
        }</text>`,
    );
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">${
    parts.join("")
  }</svg>`;
}

/** Events as a table (text) plus a sequence diagram (HTML). */
export function traceView(
  events: readonly TraceEvent[],
  title = "trace",
): Rendering {
  const shown = events.slice(-40);
  const rows = shown.map((e) => [formatNs(e.ns), e.source, e.kind, e.text]);
  const headers = ["time", "source", "kind", "event"];
  // The event column takes what is left of 80 columns.
  const used = [0, 1, 2].reduce(
    (sum, i) =>
      sum + 2 + Math.max(headers[i]!.length, ...rows.map((r) => r[i]!.length)),
    0,
  );
  const room = Math.max(20, 80 - used);
  const textRows = rows.map((r) =>
    r[3]!.length > room ? [...r.slice(0, 3), r[3]!.slice(0, room - 1) + "…"] : r
  );
  const more = events.length > shown.length
    ? `\n(${
      formatCount(events.length - shown.length, "earlier event")
    } not shown)`
    : "";
  const count = formatCount(events.length, "event");
  return {
    text: `${paint(title, "bold")} (${count})\n${
      textTable(headers, textRows)
    }${more}`,
    html: `<div><b>${escapeHtml(title)}</b> (${count})${
      sequenceSvg(events.slice(0, 60))
    }${htmlTable(headers, rows)}</div>`,
  };
}

/** A trace object. */
export function traceObjectView(t: Trace): Rendering {
  return traceView(t.events, `trace${t.enabled ? "" : " (recording off)"}`);
}

/** A timeline of events per source on a simulated-time axis (SVG). */
export function timelineSvg(
  events: readonly TraceEvent[],
  width = 700,
): string {
  if (events.length === 0) {
    return `<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>`;
  }
  const sources = [...new Set(events.map((e) => e.source))];
  const t0 = events[0]!.ns;
  const t1 = Math.max(t0 + 1, events[events.length - 1]!.ns);
  const left = 90;
  const rowH = 20;
  const H = 30 + rowH * sources.length;
  const x = (ns: number) => left + (ns - t0) / (t1 - t0) * (width - left - 10);
  const parts = sources.map((s, i) =>
    `<text x="4" y="${24 + rowH * i}" font-family="sans-serif" font-size="11">${
      escapeHtml(s)
    }</text>` +
    `<line x1="${left}" y1="${20 + rowH * i}" x2="${width - 10}" y2="${
      20 + rowH * i
    }" stroke="#ddd"/>`
  );
  for (const e of events) {
    const i = sources.indexOf(e.source);
    parts.push(
      `<rect x="${x(e.ns) - 1}" y="${
        13 + rowH * i
      }" width="3" height="14" fill="#2a6f97"><title>${
        escapeHtml(`${formatNs(e.ns)} ${e.kind}: ${e.text}`)
      }</title></rect>`,
    );
  }
  parts.push(
    `<text x="${left}" y="${H - 2}" font-family="monospace" font-size="11">${
      escapeHtml(formatNs(t0))
    }</text>` +
      `<text x="${width - 10}" y="${
        H - 2
      }" text-anchor="end" font-family="monospace" font-size="11">${
        escapeHtml(formatNs(t1))
      }</text>`,
  );
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${
    H + 4
  }">${parts.join("")}</svg>`;
}

// ---------------------------------------------------------------------------
// Results

/** Words wrapped to lines of at most `width` columns. */
export function wrapText(text: string, width = 80): string {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.join("\n");
}

/** What an injected instruction did. */
export function injectView(r: InjectReport): Rendering {
  const exits =
    Object.entries(r.exits).map(([k, v]) => `${k}×${v}`).join(", ") || "none";
  const changed = Object.entries(r.changed).map((
    [k, [a, b]],
  ) => [k, formatHex(a, 8), formatHex(b, 8)]);
  const head = `${r.instruction} in ${MODE_NAMES[r.mode]} mode: exits ${exits}${
    r.reflected ? ", exception reflected into the guest" : ""
  }, ${formatNs(r.ns)}`;
  const why = r.explanation ? `\n${wrapText(r.explanation, 80)}` : "";
  return {
    text: `${paint(head, "bold")}${why}\n${
      textTable(["changed", "before", "after"], changed)
    }\n${r.events.map((e) => `  ${e.text}`).join("\n")}`,
    html: `<div><b>${escapeHtml(head)}</b>${
      r.explanation ? `<p>${escapeHtml(r.explanation)}</p>` : ""
    }${htmlTable(["changed", "before", "after"], changed)}${
      sequenceSvg(r.events)
    }</div>`,
  };
}

/** A run result. */
export function runResultView(r: RunResult): Rendering {
  const text = formatRunResult(r);
  return { text, html: `<pre>${escapeHtml(text)}</pre>` };
}

/** Names of IPRs, for renderers that want them. */
export const IPR_LABELS: readonly (string | undefined)[] = IPR_NAMES;
