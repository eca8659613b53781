// `vmmlab cp` on a real terminal (issue 12): line editing, history (up
// arrow) and Ctrl-C, which stops the running guests and brings back the CP
// prompt. A pseudo-terminal is made by Python's pty module (the tests skip,
// saying why, when there is none); splitKeys is tested without one.
import { deepEqual, equal, match, ok } from "node:assert/strict";
import { splitKeys } from "../../src/cli/cp_console.ts";

const root = new URL("../../", import.meta.url).pathname;

/** A Python that can open a pseudo-terminal, or why there is none. */
function findPty(): { python: string } | { why: string } {
  for (const python of ["/usr/bin/python3", "python3"]) {
    try {
      const r = new Deno.Command(python, {
        args: ["-c", "import os, pty; m, s = pty.openpty(); print('ok')"],
        stdout: "piped",
        stderr: "null",
      }).outputSync();
      if (r.success && new TextDecoder().decode(r.stdout).trim() === "ok") {
        return { python };
      }
    } catch {
      // not there: try the next
    }
  }
  return {
    why: "no Python with a working pty module (python3 -c 'import pty')",
  };
}

const PTY = findPty();
if ("why" in PTY) {
  console.log(`cp_terminal_test: skipping the terminal tests: ${PTY.why}`);
}

// The driver: runs the command on a pty, then for each step writes its
// bytes (after an optional pause) and waits for a regular expression;
// prints what it read for each step as JSON.
const DRIVER = String.raw`
import json, os, pty, re, select, sys, time
spec = json.load(sys.stdin)
pid, fd = pty.fork()
if pid == 0:
    os.chdir(spec["cwd"])
    os.environ["NO_COLOR"] = "1"
    os.execv(spec["argv"][0], spec["argv"])
buf = b""
out = []
def expect(pat, timeout):
    global buf
    end = time.time() + timeout
    while True:
        m = re.search(pat.encode(), buf)
        if m:
            text, buf = buf[:m.end()], buf[m.end():]
            return text.decode(errors="replace")
        if time.time() > end:
            raise TimeoutError(pat)
        r, _, _ = select.select([fd], [], [], 0.1)
        if r:
            try:
                data = os.read(fd, 65536)
            except OSError:
                data = b""
            if not data:
                raise EOFError(pat)
            buf += data
try:
    for step in spec["steps"]:
        time.sleep(step.get("pause", 0))
        if step.get("send"):
            os.write(fd, step["send"].encode())
        out.append(expect(step["expect"], step.get("timeout", 60)))
    status = os.waitpid(pid, 0)[1]
    print(json.dumps({"steps": out, "status": os.waitstatus_to_exitcode(status)}))
except Exception as e:
    try:
        os.kill(pid, 9)
    except OSError:
        pass
    print(json.dumps({"steps": out, "error": f"{type(e).__name__} {e}", "rest": buf.decode(errors="replace")}))
`;

interface Step {
  send?: string;
  expect: string;
  pause?: number;
  timeout?: number;
}

async function onTerminal(
  directory: string,
  steps: Step[],
): Promise<
  { steps: string[]; status?: number; error?: string; rest?: string }
> {
  if ("why" in PTY) throw new Error(PTY.why);
  const dir = await Deno.makeTempDir();
  const file = `${dir}/directory.txt`;
  await Deno.writeTextFile(file, directory);
  try {
    const child = new Deno.Command(PTY.python, {
      args: ["-c", DRIVER],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const w = child.stdin.getWriter();
    await w.write(new TextEncoder().encode(JSON.stringify({
      cwd: root,
      argv: [Deno.execPath(), "run", "-A", "src/cli/main.ts", "cp", file],
      steps,
    })));
    await w.close();
    const r = await child.output();
    const text = new TextDecoder().decode(r.stdout);
    try {
      return JSON.parse(text);
    } catch {
      throw new Error(
        `the pty driver failed: ${text}${new TextDecoder().decode(r.stderr)}`,
      );
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const DIRECTORY = `USER MVS PW 128K
  IPL MVS
  MDISK 191 FB-512 100 128 V1
USER DOSVS PW 128K
  IPL DOSVS
  MDISK 191 FB-512 300 128 V1
  JOB SHORT PRIMES 100
  JOB LONG PRIMES 2000000000
`;

Deno.test({
  name:
    "the CP console on a terminal: editing, history, Ctrl-C stops BEGIN and returns to the prompt",
  ignore: "why" in PTY,
  fn: async () => {
    const names = String.raw`MVS +- \w+ , DOSVS +- \w+\r+\n`;
    const r = await onTerminal(DIRECTORY, [
      { expect: String.raw`LOGGED ON\r+\n` + names + "CP: " },
      // Typed "Q NAMS", left arrow, "E": the line is "Q NAMES".
      { send: "Q NAMS\x1b[DE\r", expect: names + "CP: " },
      // Ctrl-A to the start, Ctrl-U to clear, a line with a typo fixed
      // by Backspace, and Delete at the end doing nothing.
      { send: "XX\x01\x15QUERX\x7fY N\x1b[3~\r", expect: names + "CP: " },
      // Up arrow: the last line again.
      { send: "\x1b[A\r", expect: names + "CP: " },
      // Ctrl-C at the prompt drops the line.
      { send: "DISPLAY MVS\x03", expect: String.raw`\^C\r+\nCP: ` },
      // BEGIN runs the guests; the job LONG never ends: Ctrl-C stops it.
      { send: "BEGIN\r", expect: String.raw`BEGIN\r+\n` },
      {
        send: "\x03",
        pause: 2,
        expect: String
          .raw`CP: INTERRUPTED; MVS +- \w+ , DOSVS +- READY\r+\nCP: `,
      },
      // The prompt is back and CP answers; the long job is still running.
      { send: "D DOSVS PSW\r", expect: String.raw`\r+\nCP: ` },
      { send: "\x04", expect: "LOGOFF" },
    ]);
    equal(r.error, undefined, `${r.error}\n${r.steps.join("")}${r.rest}`);
    equal(r.status, 0);
    // The line redrawn with the cursor one left (ESC [ 1 D), then entered.
    ok(r.steps[1]!.includes("CP: Q NAMES\x1b[1D\r\r\nMVS"), r.steps[1]);
    match(r.steps[2]!, /CP: QUERY N\r\r\nMVS/);
    match(r.steps[3]!, /CP: QUERY N\r\r\nMVS/);
    match(
      r.steps[6]!,
      /DOSVS {3}: BATCH: JOB SHORT {5}EOJ {3}RESULT 0x00000019/,
    );
    ok(!/JOB LONG/.test(r.steps[6]!), "the long job did not end");
    match(r.steps[7]!, /PSL/);
  },
});

Deno.test("splitKeys: control keys, escape sequences (also split across reads) and text", () => {
  deepEqual(splitKeys("ab\x1b[D\x1b[3~\x1bOA\x1b[1~\x1b[F\r").keys, [
    "a",
    "b",
    "left",
    "delete",
    "up",
    "home",
    "end",
    "enter",
  ]);
  const first = splitKeys("x\x1b[");
  deepEqual(first, { keys: ["x"], rest: "\x1b[" });
  deepEqual(splitKeys(first.rest + "B\x03\x04\x7f\x15\x1b[99~").keys, [
    "down",
    "interrupt",
    "eof",
    "backspace",
    "kill",
    "ignore",
  ]);
});
