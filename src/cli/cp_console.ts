/**
 * `vmmlab cp directory.txt`: CP's console on a terminal. The directory
 * becomes VMs on a monitor (guests MVS, DOSVS and CMS can be IPLed), and
 * CP's commands are read one a line: on a terminal with line editing
 * (left, right, Home, End, Backspace, Delete, Ctrl-A, Ctrl-E, Ctrl-U) and
 * history (up, down); Ctrl-C at the prompt drops the line, and while
 * guests run (BEGIN) stops them and returns to the CP prompt; Ctrl-D or
 * LOGOFF ends. From a pipe, the lines of standard input
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
DIRECTORY holds USER, MDISK, LINK, IPL, CONSOLE, LABEL and JOB statements
(see the CP module's documentation); IPL knows MVS, DOSVS and CMS, and
IPL CP with a DIRECTORY ... END block runs a second CP in the VM.
Commands: QUERY, DISPLAY, TRACE, DEFINE STORAGE, IPL, LINK, DETACH,
BEGIN, STOP, SYSTEM, SEND, HELP; LOGOFF (or Ctrl-D) ends. On a terminal:
line editing, history (up, down), and BEGIN runs the guests until they
halt or Ctrl-C stops them and returns to the CP prompt (at most a day of
simulated time); with commands from a pipe or file, BEGIN runs for at
most 60 s of simulated time.

Options:
  --memory SIZE   real memory (default 16 MiB)
  --disk SIZE     real disk (default 8 MiB)`;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function write(text: string): void {
  Deno.stdout.writeSync(encoder.encode(text));
}

/** BEGIN's bound with commands from a pipe or file: 60 s simulated. */
const PIPED_BEGIN_NS = 60e9;
/** BEGIN's bound on a terminal, where Ctrl-C ends it: a simulated day. */
const TERMINAL_BEGIN_NS = 86_400e9;

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
  cp.beginDefaults = { forNs: PIPED_BEGIN_NS };
  return cp;
}

function isEnd(line: string): boolean {
  return /^\s*(LOGOFF|LOGOUT|QUIT|EXIT)\s*$/i.test(line);
}

/**
 * Runs one command. On a terminal the command runs with the terminal in
 * its usual (cooked) mode, so Ctrl-C is a SIGINT, which the interrupt
 * listener turns into a stop of the running guests: BEGIN (or SEND ...
 * BEGIN) then answers `CP: INTERRUPTED; ...` and the prompt comes back.
 */
function execute(cp: CP, line: string, tty: boolean): void {
  if (tty) clearInterrupt();
  const out = cp.command(line);
  if (out) write(`${out}\n`);
  if (tty) clearInterrupt();
}

/** What a key (or a key's escape sequence) does to the line being edited. */
type Key =
  | "enter"
  | "interrupt"
  | "eof"
  | "backspace"
  | "delete"
  | "home"
  | "end"
  | "kill"
  | "up"
  | "down"
  | "left"
  | "right"
  | "ignore";

/**
 * Splits typed text into keys: control characters, ESC [ and ESC O
 * sequences (arrows, Home, End, Delete; others ignored) and printable
 * characters. An incomplete sequence at the end is left for the next read.
 */
export function splitKeys(
  text: string,
): { keys: (Key | string)[]; rest: string } {
  const keys: (Key | string)[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === "\x1b") {
      if (i + 1 >= text.length) break;
      const kind = text[i + 1];
      if (kind !== "[" && kind !== "O") {
        keys.push("ignore");
        i += 2;
        continue;
      }
      let j = i + 2;
      while (j < text.length && /[0-9;]/.test(text[j]!)) j++;
      if (j >= text.length) break;
      const params = text.slice(i + 2, j);
      const final = text[j]!;
      i = j + 1;
      const tilde: Record<string, Key> = {
        "1": "home",
        "7": "home",
        "4": "end",
        "8": "end",
        "3": "delete",
      };
      const letter: Record<string, Key> = {
        A: "up",
        B: "down",
        C: "right",
        D: "left",
        H: "home",
        F: "end",
      };
      keys.push(
        final === "~" ? tilde[params] ?? "ignore" : letter[final] ?? "ignore",
      );
      continue;
    }
    i++;
    if (c === "\r" || c === "\n") keys.push("enter");
    else if (c === "\x03") keys.push("interrupt");
    else if (c === "\x04") keys.push("eof");
    else if (c === "\x7f" || c === "\b") keys.push("backspace");
    else if (c === "\x01") keys.push("home");
    else if (c === "\x05") keys.push("end");
    else if (c === "\x15") keys.push("kill");
    else if (c === "\x10") keys.push("up");
    else if (c === "\x0e") keys.push("down");
    else if (c === "\x02") keys.push("left");
    else if (c === "\x06") keys.push("right");
    else if (c >= " ") keys.push(c);
    else keys.push("ignore");
  }
  return { keys, rest: text.slice(i) };
}

/**
 * Reads a line with editing (left, right, Home, End, Backspace, Delete,
 * Ctrl-A, Ctrl-E, Ctrl-U) and history (up, down); Ctrl-C drops the line;
 * null at Ctrl-D on an empty line or at the end of input.
 */
async function readLine(
  prompt: string,
  history: string[],
): Promise<string | null> {
  Deno.stdin.setRaw(true);
  let buf = "";
  let pos = 0;
  let h = history.length;
  let pending = "";
  const stream = new TextDecoder();
  const redraw = () =>
    write(
      `\r\x1b[K${prompt}${buf}${
        pos < buf.length ? `\x1b[${buf.length - pos}D` : ""
      }`,
    );
  write(prompt);
  const chunk = new Uint8Array(256);
  try {
    for (;;) {
      const n = await Deno.stdin.read(chunk);
      if (n === null) {
        write("\r\n");
        return buf === "" ? null : buf;
      }
      const { keys, rest } = splitKeys(
        pending + stream.decode(chunk.subarray(0, n), { stream: true }),
      );
      pending = rest;
      for (const k of keys) {
        switch (k) {
          case "enter":
            write("\r\n");
            return buf;
          case "interrupt":
            write("^C\r\n");
            buf = "";
            pos = 0;
            h = history.length;
            write(prompt);
            continue;
          case "eof":
            if (buf === "") {
              write("\r\n");
              return null;
            }
            if (pos < buf.length) buf = buf.slice(0, pos) + buf.slice(pos + 1);
            break;
          case "backspace":
            if (pos > 0) {
              buf = buf.slice(0, pos - 1) + buf.slice(pos);
              pos--;
            }
            break;
          case "delete":
            buf = buf.slice(0, pos) + buf.slice(pos + 1);
            break;
          case "home":
            pos = 0;
            break;
          case "end":
            pos = buf.length;
            break;
          case "kill":
            buf = "";
            pos = 0;
            break;
          case "up":
            if (h > 0) {
              buf = history[--h]!;
              pos = buf.length;
            }
            break;
          case "down":
            h = Math.min(history.length, h + 1);
            buf = history[h] ?? "";
            pos = buf.length;
            break;
          case "left":
            pos = Math.max(0, pos - 1);
            break;
          case "right":
            pos = Math.min(buf.length, pos + 1);
            break;
          case "ignore":
            continue;
          default:
            buf = buf.slice(0, pos) + k + buf.slice(pos);
            pos += k.length;
        }
        redraw();
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
  // On a terminal Ctrl-C ends a BEGIN; a day of simulated time bounds it
  // (tens of minutes of host time for a busy guest).
  if (tty) cp.beginDefaults = { forNs: TERMINAL_BEGIN_NS };
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
      execute(cp, line, false);
    }
    write("CP: LOGOFF\n");
    return 0;
  }
  const history: string[] = [];
  // Ctrl-C while a command runs is a SIGINT: it stops the guests, not vmmlab.
  await listenForInterrupts();
  try {
    for (;;) {
      const line = await readLine(prompt, history);
      if (line === null || isEnd(line)) break;
      if (line.trim() === "") continue;
      if (history[history.length - 1] !== line) history.push(line);
      execute(cp, line, true);
    }
  } finally {
    stopListeningForInterrupts();
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
