/**
 * Small rendering helpers: colour for terminals (only on a terminal, never
 * with NO_COLOR), HTML escaping, text and HTML tables. No dependencies.
 *
 * @module
 */

/** Whether terminal output may be coloured: a terminal, and no NO_COLOR. */
export function colorEnabled(): boolean {
  try {
    return !Deno.noColor && Deno.stdout.isTerminal();
  } catch {
    return false;
  }
}

const CODES = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  blue: [34, 39],
  magenta: [35, 39],
  cyan: [36, 39],
} as const;

/** A colour or style name. */
export type Style = keyof typeof CODES;

/** Paints text when colours are on (or when `force` is given). */
export function paint(text: string, style: Style, force?: boolean): string {
  if (!(force ?? colorEnabled())) return text;
  const [a, b] = CODES[style];
  return `\x1b[${a}m${text}\x1b[${b}m`;
}

/** Escapes text for HTML. */
export function escapeHtml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(
    ">",
    "&gt;",
  )
    .replaceAll('"', "&quot;");
}

/** Formats a number as 8 upper-case hex digits. */
export function h8(v: number): string {
  return (v >>> 0).toString(16).toUpperCase().padStart(8, "0");
}

/** A plain-text table with aligned columns. */
export function textTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const widths = headers.map((h, i) =>
    Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length))
  );
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd();
  return [
    line(headers),
    widths.map((w) => "-".repeat(w)).join("  "),
    ...rows.map(line),
  ].join("\n");
}

/** Options of {@link htmlTable}. */
export interface HtmlTableOptions {
  /** Caption above the table. */
  caption?: string;
  /** Row indices to highlight. */
  highlight?: ReadonlySet<number>;
  /** Cells (row, column) to highlight as `"r,c"`. */
  highlightCells?: ReadonlySet<string>;
}

/** An HTML table (cells are escaped). */
export function htmlTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  options: HtmlTableOptions = {},
): string {
  const th = headers.map((h) =>
    `<th style="text-align:left;padding:2px 8px">${escapeHtml(h)}</th>`
  )
    .join("");
  const body = rows.map((r, i) => {
    const hl = options.highlight?.has(i) ? ' style="background:#fff3c4"' : "";
    const tds = r.map((c, j) => {
      const cell = options.highlightCells?.has(`${i},${j}`)
        ? ";background:#ffd6a0;font-weight:bold"
        : "";
      return `<td style="font-family:monospace;padding:2px 8px${cell}">${
        escapeHtml(c)
      }</td>`;
    }).join("");
    return `<tr${hl}>${tds}</tr>`;
  }).join("");
  const cap = options.caption
    ? `<caption style="text-align:left;font-weight:bold">${
      escapeHtml(options.caption)
    }</caption>`
    : "";
  return `<table style="border-collapse:collapse">${cap}<thead><tr>${th}</tr></thead><tbody>${body}</tbody></table>`;
}

/** A MIME bundle for Jupyter. */
export type MimeBundle = Record<string, string>;

/** Both renderings of an object. */
export interface Rendering {
  /** Terminal text (may contain colour when colours are on). */
  text: string;
  /** HTML for notebooks. */
  html: string;
}

/** Removes ANSI colour sequences. */
export function stripAnsi(text: string): string {
  // deno-lint-ignore no-control-regex
  const ansi = /\x1b\[[0-9;]*m/g;
  return text.replace(ansi, "");
}

/** Builds the Jupyter bundle of a rendering (plain text without colour). */
export function bundle(r: Rendering): MimeBundle {
  return {
    "text/plain": stripAnsi(r.text),
    "text/html": r.html,
  };
}

/** A terminal-like block of console output (the last `max` characters). */
export function consoleHtml(text: string, max = 4000): string {
  return `<pre style="background:#111;color:#ddd;padding:6px">${
    escapeHtml(text.slice(-max))
  }</pre>`;
}
