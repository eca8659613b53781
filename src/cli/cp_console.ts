/**
 * `vmmlab cp directory.txt`: CP's console on a terminal. The directory
 * becomes VMs on a monitor (guests MVS, DOSVS and CMS can be IPLed), and
 * CP's commands are read one a line: on a terminal with line editing
 * (left, right, backspace, Ctrl-A, Ctrl-E, Ctrl-U) and history (up,
 * down); Ctrl-C while guests run (BEGIN) stops them and returns to the CP
 * prompt; Ctrl-D or LOGOFF ends. From a pipe, the lines of standard input
 * are the commands, each echoed after the prompt.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { Machine } from "../machine/machine.ts";
import {
  clearInterrupt,
  listenForInterrupts,
  stopListeningForInterrupts,
} from "../machine/interrupt.ts";
import { Monitor } from "../monitor/monitor.ts";
import { CP } from "../monitor/cp/cp.ts";
import type { Bootable } from "../monitor/builder.ts";
import { VM370_GUESTS } from "../guests/vm370.ts";
import { readUserFile, UsageError } from "./usage.ts";

/**
 * The guests IPL knows on the command line: the lecture's three (MVS, the
 * DOSVS batch monitor with its job deck, CMS).
 */
export const CP_GUESTS: Readonly<Record<string, Bootable>> = VM370_GUESTS;

/** Usage of `vmmlab cp`. */
export function cpUsage(): string {
  return `Usage: vmmlab cp DIRECTORY [--memory SIZE] [--disk SIZE]

Opens CP's console on a monitor whose VMs are the directory's users.
DIRECTORY holds USER, MDISK, LINK, IPL, CONSOLE and LABEL statements
(see the CP module's documentation); IPL knows MVS, DOSVS and CMS.
Commands: QUERY, DISPLAY, TRACE, DEFINE STORAGE, IPL, LINK, DETACH,
BEGIN, STOP, SYSTEM, HELP; LOGOFF (or Ctrl-D) ends. Ctrl-C stops
running guests and returns to the CP prompt.

Options:
  --memory SIZE   real memory (default 16 MiB)
  --disk SIZE     real disk (default 8 MiB)`;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function write(text: string): void {
  Deno.stdout.writeSync(encoder.encode(text));
}

/** Builds CP from the command line's arguments. */
export function cpFromArgs(args: string[]): CP | "help" {
  const { values, positionals } = parseArgs({
    args,
    options: {
      memory: { type: "string" },
      disk: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) return "help";
  if (positionals.length !== 1) {
    throw new UsageError(
      `expected one directory file, got ${positionals.length} arguments`,
    );
  }
  const text = decoder.decode(readUserFile(positionals[0]!, "directory"));
  const machine = new Machine({
    memory: values.memory ?? "16 MiB",
    disk: values.disk ?? "8 MiB",
  });
  const cp = CP.fromDirectory(Monitor.on(machine), text, {
    guests: CP_GUESTS,
    onTrace: (line) => write(`${line}\n`),
  });
  cp.beginDefaults = { forNs: 60_000_000_000 };
  return cp;
}

function isEnd(line: string): boolean {
  return /^\s*(LOGOFF|LOGOUT|QUIT|EXIT)\s*$/i.test(line);
}

/** Runs one command; BEGIN can be stopped with Ctrl-C. */
async function execute(cp: CP, line: string, tty: boolean): Promise<void> {
  if (tty && /^\s*B/i.test(line)) {
    // Ctrl-C while guests run: a SIGINT, which stops the run.
    Deno.stdin.setRaw(false);
    await listenForInterrupts();
    clearInterrupt();
    try {
      const out = cp.command(line);
      if (out) write(`${out}\n`);
    } finally {
      stopListeningForInterrupts();
    }
    return;
  }
  const out = cp.command(line);
  if (out) write(`${out}\n`);
}

/** Reads a line with editing and history; null at Ctrl-D on an empty line. */
async function readLine(
  prompt: string,
  history: string[],
): Promise<string | null> {
  Deno.stdin.setRaw(true);
  let buf = "";
  let pos = 0;
  let h = history.length;
  const redraw = () =>
    write(
      `\r\x1b[K${prompt}${buf}${
        pos < buf.length ? `\x1b[${buf.length - pos}D` : ""
      }`,
    );
  write(prompt);
  const chunk = new Uint8Array(64);
  try {
    for (;;) {
      const n = await Deno.stdin.read(chunk);
      if (n === null) return buf === "" ? null : buf;
      const s = decoder.decode(chunk.subarray(0, n));
      for (let i = 0; i < s.length; i++) {
        const c = s[i]!;
        if (c === "\r" || c === "\n") {
          write("\r\n");
          return buf;
        } else if (c === "\x03") { // Ctrl-C: drop the line
          write("^C\r\n");
          buf = "";
          pos = 0;
          write(prompt);
        } else if (c === "\x04") { // Ctrl-D
          if (buf === "") {
            write("\r\n");
            return null;
          }
        } else if (c === "\x7f" || c === "\b") {
          if (pos > 0) {
            buf = buf.slice(0, pos - 1) + buf.slice(pos);
            pos--;
            redraw();
          }
        } else if (c === "\x01") {
          pos = 0;
          redraw();
        } else if (c === "\x05") {
          pos = buf.length;
          redraw();
        } else if (c === "\x15") {
          buf = "";
          pos = 0;
          redraw();
        } else if (c === "\x1b" && s[i + 1] === "[") {
          const k = s[i + 2];
          i += 2;
          if (k === "A" && h > 0) {
            buf = history[--h]!;
            pos = buf.length;
          } else if (k === "B") {
            h = Math.min(history.length, h + 1);
            buf = history[h] ?? "";
            pos = buf.length;
          } else if (k === "C") pos = Math.min(buf.length, pos + 1);
          else if (k === "D") pos = Math.max(0, pos - 1);
          redraw();
        } else if (c >= " ") {
          buf = buf.slice(0, pos) + c + buf.slice(pos);
          pos++;
          redraw();
        }
      }
    }
  } finally {
    Deno.stdin.setRaw(false);
  }
}

/** `vmmlab cp`: the console loop. Returns the exit status. */
export async function cpCommand(args: string[]): Promise<number> {
  const cp = cpFromArgs(args);
  if (cp === "help") {
    write(`${cpUsage()}\n`);
    return 0;
  }
  const tty = Deno.stdin.isTerminal();
  write(
    `VM/370-STYLE CP ON VMMLAB: ${cp.monitor.vms.size} USERS LOGGED ON\n${
      cp.command("QUERY NAMES")
    }\n`,
  );
  const prompt = "CP: ";
  if (!tty) {
    const text = decoder.decode(await readAll(Deno.stdin));
    for (const line of text.split(/\r?\n/)) {
      if (line.trim() === "") continue;
      write(`${prompt}${line}\n`);
      if (isEnd(line)) break;
      await execute(cp, line, false);
    }
    write("CP: LOGOFF\n");
    return 0;
  }
  const history: string[] = [];
  for (;;) {
    const line = await readLine(prompt, history);
    if (line === null || isEnd(line)) break;
    if (line.trim() === "") continue;
    history.push(line);
    await execute(cp, line, true);
  }
  write("CP: LOGOFF\n");
  return 0;
}

async function readAll(r: { read(b: Uint8Array): Promise<number | null> }) {
  const parts: Uint8Array[] = [];
  const b = new Uint8Array(65536);
  for (;;) {
    const n = await r.read(b);
    if (n === null) break;
    parts.push(b.slice(0, n));
  }
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
