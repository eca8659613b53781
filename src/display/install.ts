/**
 * Gives vmmlab's objects their looks: `Deno.customInspect` for the REPL and
 * `console.log`, and `Symbol.for("Jupyter.display")` MIME bundles (text plus
 * HTML and SVG) for notebooks. Importing this module installs them on the
 * classes' prototypes (`mod.ts` does); {@link view} wraps anything else.
 *
 * @module
 */

import { Machine } from "../machine/machine.ts";
import { formatBytes, formatCount, formatHex } from "../machine/units.ts";
import { listenForInterrupts } from "../machine/interrupt.ts";
import { Cpu } from "../machine/cpu.ts";
import { Console } from "../machine/devices/console.ts";
import { Disk } from "../machine/devices/disk.ts";
import { Assembly } from "../asm/assembler.ts";
import { listing } from "../asm/listing.ts";
import { Trace, type TraceEvent } from "../machine/trace.ts";
import type { CpuState, RunResult } from "../machine/hardware.ts";
import { Monitor } from "../monitor/monitor.ts";
import { VmBuilder } from "../monitor/builder.ts";
import { VirtualMachine } from "../monitor/vm.ts";
import { VirtualConsole } from "../monitor/devices/console.ts";
import { VirtualDisk } from "../monitor/devices/disk.ts";
import { MinidiskMap } from "../monitor/devices/minidisk.ts";
import {
  InjectReport,
  PageTableComparison,
  PslReport,
} from "../monitor/reports.ts";
import {
  bundle,
  consoleHtml,
  escapeHtml,
  htmlTable,
  type MimeBundle,
  type Rendering,
} from "./style.ts";
import {
  PageMapReport,
  PagingReport,
  ResidentReport,
} from "../monitor/paging/reports.ts";
import { pageMapView, pagingView, residentView } from "./paging.ts";
import {
  Evidence,
  InstructionVerdict,
  PopekGoldbergReport,
} from "../analysis/popek_goldberg.ts";
import { evidenceView, reportView, verdictView } from "./pg_views.ts";
import {
  cpuStateView,
  injectView,
  iprView,
  machineView,
  minidiskView,
  monitorView,
  pageTableView,
  pslReportView,
  pslSvg,
  pslText,
  runResultView,
  statsView,
  timelineSvg,
  traceObjectView,
  traceView,
  vmView,
} from "./views.ts";

const INSPECT = Symbol.for("Deno.customInspect");
const JUPYTER = Symbol.for("Jupyter.display");

function attach<T>(cls: { prototype: T }, render: (x: T) => Rendering): void {
  Object.defineProperty(cls.prototype, INSPECT, {
    value: function (this: T): string {
      return render(this).text;
    },
    configurable: true,
  });
  Object.defineProperty(cls.prototype, JUPYTER, {
    value: function (this: T): MimeBundle {
      return bundle(render(this));
    },
    configurable: true,
  });
}

function consoleView(c: Console): Rendering {
  const out = c.output;
  const text = `console: ${
    formatCount(out.length, "character")
  } printed, ${c.pendingInput} typed and not yet read\n${out.slice(-400)}`;
  return {
    text,
    html: `<div><b>console</b> (${formatCount(out.length, "character")})${
      consoleHtml(out)
    }</div>`,
  };
}

function diskView(d: Disk): Rendering {
  const last = d.history.at(-1);
  const text = `disk: ${formatCount(d.blocks, "block")} (${
    formatBytes(d.blocks * 512)
  }), DKCS ${formatHex(d.status)}${d.busy ? ", busy" : ""}, ${
    formatCount(d.history.length, "transfer")
  }${
    last
      ? `; last: ${last.func} ${
        formatCount(last.count, "block")
      } at ${last.block}${last.error ? ` error ${last.error}` : ""}`
      : ""
  }`;
  const rows = d.history.slice(-10).map((t) => [
    t.func,
    String(t.block),
    String(t.count),
    t.async ? "async" : "sync",
    String(t.error),
    `${((t.end - t.start) / 1e6).toFixed(3)} ms`,
  ]);
  return {
    text,
    html: `<div><b>${escapeHtml(text)}</b>${
      htmlTable(
        ["function", "block", "count", "mode", "error", "latency"],
        rows,
      )
    }</div>`,
  };
}

function cpuView(c: Cpu): Rendering {
  const state = {
    r: Array.from(c.r, (v) => v >>> 0),
    psl: c.psl >>> 0,
    iprs: {
      SCBB: c.scbb,
      PCBB: c.pcbb,
      SBR: c.sbr,
      SLR: c.slr,
      P0BR: c.p0br >>> 0,
      P0LR: c.p0lr,
      P1BR: c.p1br >>> 0,
      P1LR: c.p1lr,
      MAPEN: c.mapen,
      ASTLVL: c.astlvl,
      SISR: c.sisr,
    },
  };
  const v = cpuStateView(state, "processor");
  return {
    text: `${v.text}\n${formatCount(c.instructions, "instruction")}, ${
      formatCount(c.exceptions, "exception")
    }, ${formatCount(c.tbMisses, "TB miss", "TB misses")}${
      c.halted ? `, halted (${c.haltReason})` : ""
    }`,
    html: v.html,
  };
}

function assemblyView(a: Assembly): Rendering {
  const lines = listing(a, 200);
  const head = `assembly: ${formatCount(a.bytes.length, "byte")} at ${
    formatHex(a.origin, 8)
  }, entry ${formatHex(a.entry, 8)}, ${formatCount(a.symbols.size, "symbol")}`;
  return {
    text: `${head}\n${lines.join("\n")}`,
    html: `<div><b>${escapeHtml(head)}</b><pre>${
      escapeHtml(lines.join("\n"))
    }</pre></div>`,
  };
}

function builderView(b: VmBuilder): Rendering {
  const c = b.config;
  const disks = c.minidisks.length
    ? c.minidisks.map((d) => formatBytes(d)).join(" + ")
    : "none";
  const text = `VM builder "${c.name}": memory ${
    formatBytes(c.memory)
  }, minidisks ${disks} (call .create() or .boot(guest))`;
  return { text, html: `<div>${escapeHtml(text)}</div>` };
}

function virtualDiskView(d: VirtualDisk): Rendering {
  const ext = d.extents.map((e) =>
    `${e.label}: real blocks ${e.start}-${e.start + e.blocks - 1}`
  );
  const text = `minidisk: ${formatCount(d.blocks, "block")} from ${
    formatCount(d.extents.length, "extent")
  } (${ext.join(", ") || "none"}), DKCS ${formatHex(d.cs)}${
    d.busy ? ", busy" : ""
  }`;
  return { text, html: `<div>${escapeHtml(text)}</div>` };
}

function virtualConsoleView(c: VirtualConsole): Rendering {
  const out = c.output;
  const text = `virtual console: ${
    formatCount(out.length, "character")
  } printed, ${c.input.length} typed and not yet delivered\n${out.slice(-400)}`;
  return {
    text,
    html: `<div><b>virtual console</b>${consoleHtml(out)}</div>`,
  };
}

/** Installs the renderings on every class that has one (idempotent). */
export function installDisplays(): void {
  attach(VmBuilder, builderView);
  attach(VirtualDisk, virtualDiskView);
  attach(VirtualConsole, virtualConsoleView);
  attach(Console, consoleView);
  attach(Disk, diskView);
  attach(Cpu, cpuView);
  attach(Assembly, assemblyView);
  attach(Machine, machineView);
  attach(VirtualMachine, vmView);
  attach(Monitor, monitorView);
  attach(Trace, traceObjectView);
  attach(MinidiskMap, minidiskView);
  attach(PageTableComparison, pageTableView);
  attach(PslReport, pslReportView);
  attach(InjectReport, injectView);
  attach(ResidentReport, residentView);
  attach(PageMapReport, pageMapView);
  attach(PagingReport, pagingView);
  attach(View, (v: View) => v.rendering);
  attach(PopekGoldbergReport, reportView);
  attach(InstructionVerdict, verdictView);
  attach(Evidence, evidenceView);
}

/** Something rendered: prints in the REPL, displays in a notebook. */
export class View {
  /** The text and HTML. */
  readonly rendering: Rendering;
  /** Wraps a rendering. */
  constructor(rendering: Rendering) {
    this.rendering = rendering;
  }
  /** The text rendering. */
  toString(): string {
    return this.rendering.text;
  }
  /** The HTML (or SVG) rendering. */
  get html(): string {
    return this.rendering.html;
  }
}

/** Ready-made views of values that are not objects of their own. */
export interface ViewFactory {
  /** A PSL as labelled bit fields. */
  psl(psl: number, title?: string): View;
  /** Registers, PSL and IPRs. */
  state(s: CpuState, title?: string): View;
  /** Every IPR of a machine or VM (or of a state), with its number. */
  iprs(of: { state(): CpuState } | CpuState): View;
  /** Trace events as a table and a sequence diagram. */
  trace(events: readonly TraceEvent[], title?: string): View;
  /** Trace events on a time axis, one row per source. */
  timeline(events: readonly TraceEvent[]): View;
  /** A VM's statistics (Popek and Goldberg's efficiency). */
  stats(vm: VirtualMachine): View;
  /** A run result. */
  run(r: RunResult): View;
  /** A table of rows (objects with the same keys). */
  table(rows: readonly Record<string, unknown>[], title?: string): View;
  /** Popek and Goldberg's verdict on the instruction set. */
  virtualizability(r: PopekGoldbergReport): View;
}

/** Ready-made views of values that are not objects of their own. */
export const view: ViewFactory = {
  /** A PSL as labelled bit fields. */
  psl(psl: number, title = "PSL"): View {
    return new View({
      text: `${title} ${pslText(psl)}`,
      html: pslSvg(psl, title),
    });
  },
  /** Registers, PSL and IPRs. */
  state(s: CpuState, title?: string): View {
    return new View(cpuStateView(s, title));
  },
  /** Every IPR of a machine or VM (or of a state), with its number. */
  iprs(of: { state(): CpuState } | CpuState): View {
    const s = typeof (of as { state?: unknown })?.state === "function"
      ? (of as { state(): CpuState }).state()
      : of as CpuState;
    if (s === null || typeof s !== "object" || typeof s.iprs !== "object") {
      throw new TypeError(
        "Cannot show the IPRs: expected a machine, a VM or a processor state",
      );
    }
    return new View(iprView(s));
  },
  /** Trace events as a table and a sequence diagram. */
  trace(events: readonly TraceEvent[], title?: string): View {
    return new View(traceView(events, title));
  },
  /** Trace events on a time axis, one row per source. */
  timeline(events: readonly TraceEvent[]): View {
    return new View({
      text: traceView(events, "timeline").text,
      html: timelineSvg(events),
    });
  },
  /** A VM's statistics (Popek and Goldberg's efficiency). */
  stats(vm: VirtualMachine): View {
    if (!(vm instanceof VirtualMachine)) {
      throw new TypeError(
        "Cannot show statistics: expected a VM (cp.vm(...).create()), such as view.stats(vm)",
      );
    }
    return new View(statsView(vm.name, vm.stats));
  },
  /** A run result. */
  run(r: RunResult): View {
    return new View(runResultView(r));
  },
  /** A table of rows (objects with the same keys). */
  table(rows: readonly Record<string, unknown>[], title = ""): View {
    const headers = rows.length > 0 ? Object.keys(rows[0]!) : [];
    const cells = rows.map((r) => headers.map((h) => String(r[h] ?? "")));
    const widths = headers.map((h, i) =>
      Math.max(h.length, ...cells.map((c) => c[i]!.length))
    );
    const line = (c: string[]) =>
      c.map((x, i) => x.padEnd(widths[i]!)).join("  ");
    return new View({
      text: [title, line(headers), ...cells.map(line)].filter(Boolean).join(
        "\n",
      ),
      html: `${title ? `<b>${escapeHtml(title)}</b>` : ""}<table>${`<tr>${
        headers.map((h) => `<th>${escapeHtml(h)}</th>`).join("")
      }</tr>`}${
        cells.map((c) =>
          `<tr>${
            c.map((x) =>
              `<td style="font-family:monospace">${escapeHtml(x)}</td>`
            ).join("")
          }</tr>`
        )
          .join("")
      }</table>`,
    });
  },
  /** Popek and Goldberg's verdict on the instruction set. */
  virtualizability(r: PopekGoldbergReport): View {
    return new View(reportView(r));
  },
};

installDisplays();

/**
 * Whether this module runs in Deno's Jupyter kernel (reading `Deno.jupyter`
 * elsewhere throws).
 */
function inJupyter(): boolean {
  try {
    return typeof Deno !== "undefined" && typeof Deno.jupyter === "object";
  } catch {
    return false;
  }
}

// In a notebook, interrupting the kernel (Jupyter sends it SIGINT) stops the
// run in progress instead of ending the kernel.
if (inJupyter()) listenForInterrupts().catch(() => {});
