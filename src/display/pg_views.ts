/**
 * How Popek and Goldberg's analysis looks: the report as a table of
 * classes (each instruction expandable to the runs that show its verdict),
 * an instruction's verdict with its evidence, one piece of evidence.
 *
 * @module
 */

import {
  describeState,
  type Evidence,
  type EvidenceRun,
  formatEvidence,
  formatEvidenceRun,
  formatVirtualizability,
  type InstructionVerdict,
  type PopekGoldbergReport,
} from "../analysis/popek_goldberg.ts";
import { escapeHtml, type Rendering } from "./style.ts";

const CLASS_COLOURS: Record<string, string> = {
  privileged: "#cfe2ff",
  "control-sensitive": "#ffd6d6",
  "behaviour-sensitive": "#ffe8c2",
  "mode-sensitive": "#ffe8c2",
  "location-sensitive": "#fff3c4",
  "user-sensitive": "#f0d6ff",
  innocuous: "#e3f5e1",
};

function badge(c: string): string {
  return `<span style="background:${
    CLASS_COLOURS[c] ?? "#eee"
  };border-radius:3px;padding:0 4px;margin-right:3px;font-size:90%">${
    escapeHtml(c)
  }</span>`;
}

function h8(v: number): string {
  return (v >>> 0).toString(16).toUpperCase().padStart(8, "0");
}

/** One run as an HTML block. */
function runHtml(r: EvidenceRun): string {
  const rows: string[] = [];
  for (let i = 0; i < 16; i++) {
    if (r.before.r[i] !== r.after.r[i]) {
      rows.push(`R${i} ${h8(r.before.r[i]!)} → ${h8(r.after.r[i]!)}`);
    }
  }
  for (const [k, v] of Object.entries(r.after.iprs)) {
    if (r.before.iprs[k] !== v) {
      rows.push(`${k} ${h8(r.before.iprs[k]!)} → ${h8(v)}`);
    }
  }
  return `<div style="font-family:monospace;font-size:90%;margin:4px 0 4px 12px">
<b>${r.on}</b> ${
    escapeHtml(r.instruction)
  } <span style="color:#666">[${r.bytes}]</span><br>
state: ${escapeHtml(describeState(r.state))}; value ${h8(r.value)}${
    r.protection ? `; operands in a ${r.protection} page` : ""
  }<br>
PSL ${h8(r.before.psl)} → ${h8(r.after.psl)}<br>
${rows.map(escapeHtml).join("<br>")}${rows.length ? "<br>" : ""}${
    r.event
      ? `${r.event.fault ? "fault" : "dispatch"}: ${
        escapeHtml(r.event.name)
      }, saved PC ${h8(r.event.pc)}, PSL ${h8(r.event.psl)}<br>`
      : ""
  }${r.halted ? "halted<br>" : ""}${
    r.on === "guest"
      ? `exit to the monitor: ${r.exited ? "yes" : "no"}<br>`
      : ""
  }${
    r.memory.slice(0, 6).map(([a, b, c]) =>
      `memory ${h8(a)}: ${h8(b)} → ${h8(c)}`
    ).join("<br>")
  }</div>`;
}

/** One piece of evidence. */
export function evidenceView(e: Evidence): Rendering {
  return {
    text: [e.claim, ...e.runs.flatMap(formatEvidenceRun)].join("\n"),
    html: `<div><i>${escapeHtml(e.claim)}</i>${
      e.runs.map(runHtml).join("")
    }</div>`,
  };
}

function evidenceHtml(v: InstructionVerdict): string {
  return v.evidence.map((e) => evidenceView(e).html).join("");
}

/** An instruction's verdict with its evidence. */
export function verdictView(v: InstructionVerdict): Rendering {
  return {
    text: formatEvidence(v),
    html: `<div><b>${escapeHtml(v.mnemonic)}</b> ${
      v.classes.map(badge).join("")
    }${v.underVm ? ` as a guest: <b>${v.underVm}</b>` : ""}${
      evidenceHtml(v)
    }</div>`,
  };
}

/** The whole report: verdicts, then every instruction, expandable. */
export function reportView(r: PopekGoldbergReport): Rendering {
  const theorem = (n: "1" | "2" | "3", name: string) =>
    `<li><b>Theorem ${n}</b> (${name}): <b style="color:${
      r.theorems[n] ? "#1a7f37" : "#c0392b"
    }">${r.theorems[n] ? "holds" : "fails"}</b> <span style="color:#555">${
      escapeHtml(r.basis[n])
    }</span></li>`;
  const rows = r.instructions.map((v) =>
    `<details${v.offends ? ' style="background:#fff0f0"' : ""}><summary><code>${
      escapeHtml(v.mnemonic.padEnd(7))
    }</code> ${v.classes.map(badge).join("")}${
      v.underVm
        ? ` <span style="color:#555">as a guest: ${v.underVm}</span>`
        : ""
    }${v.offends ? " <b>← offends Theorem 1</b>" : ""}</summary>${
      // Innocuous: the claim, which sums its runs up (the runs are in the
      // verdict's own rendering, `report.verdict(m)`, and in the JSON).
      v.sensitive || v.privileged ? evidenceHtml(v) : v.evidence.slice(-1).map(
        (e) =>
          `<div style="margin-left:12px"><i>${escapeHtml(e.claim)}</i></div>`,
      ).join("")}</details>`
  ).join("");
  const bad = r.dataStructures.filter((d) => !d.protected);
  return {
    text: formatVirtualizability(r),
    html: `<div><b>Popek and Goldberg on the ${
      r.arch === "vax" ? "standard VAX" : "VAX with VM extensions"
    }</b>: ${r.instructions.length} instructions, ${r.runs.bare} bare runs${
      r.arch === "vax-vm" ? `, ${r.runs.guest} guest runs` : ""
    }<ul>${theorem("1", "trap-and-emulate monitor")}${
      theorem("3", "hybrid monitor")
    }${theorem("2", "recursive virtualization")}</ul>
<p>Sensitive but not privileged: <b>${
      escapeHtml(r.sensitiveUnprivileged.join(", ") || "none")
    }</b>. References to the SCB, page tables and PCB from less privileged modes: ${r.dataStructures.length}, ${
      bad.length === 0 ? "every one faults" : `${bad.length} do not fault`
    }.</p>${rows}</div>`,
  };
}
