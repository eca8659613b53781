// Replays tests/testdata/vax-random-alu-cases.jsonl: programs with the
// final state a MicroVAX 3900 reaches (recorded on SimH; see the README
// beside the data).
import { deepEqual as assertEquals } from "node:assert/strict";
import { Machine } from "../../src/machine/machine.ts";
import { Monitor } from "../../src/monitor/monitor.ts";
import { hex8, parseNumber } from "../../src/machine/units.ts";
import type { Hardware } from "../../src/machine/hardware.ts";

interface Case {
  id: string;
  comment?: string;
  hex: string;
  org: string;
  start: string;
  psl: string;
  sp: string;
  set: Record<string, string>;
  loads: { addr: string; hex: string }[];
  dumps: string[];
  limit: number;
  expected: {
    stop: string;
    insns: number;
    regs: Record<string, string>;
    mem: Record<string, string>;
  };
}

function bytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) {
    out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  }
  return out;
}

function toHex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

const dataUrl = new URL(
  "../testdata/vax-random-alu-cases.jsonl",
  import.meta.url,
);
const cases: Case[] = Deno.readTextFileSync(dataUrl).split("\n").filter((l) =>
  l.trim()
)
  .map((l) => JSON.parse(l));

const num = (s: string) => parseNumber(s)!;

Deno.test({
  name: "replay: testdata is present",
  fn() {
    assertEquals(cases.length > 0, true, `no test data at ${dataUrl}`);
  },
});

/** Loads a case into any Hardware, runs it, and checks the recorded state. */
function replay(c: Case, hw: Hardware): void {
  for (const l of c.loads) hw.load(bytes(l.hex), num(l.addr));
  hw.load(bytes(c.hex), num(c.org));
  for (const [k, v] of Object.entries(c.set)) hw.set(k, num(v));
  hw.set("PSL", num(c.psl));
  hw.set("SP", num(c.sp));
  hw.set("PC", num(c.start));
  const r = hw.run({ limit: c.limit });
  const regs: Record<string, string> = {};
  for (const k of Object.keys(c.expected.regs)) regs[k] = hex8(hw.get(k));
  assertEquals(regs, c.expected.regs);
  const mem: Record<string, string> = {};
  for (const d of c.dumps) {
    const [a, l] = d.split(":").map(num) as [number, number];
    mem[d.split(":")[0]!] = toHex(hw.readPhysical(a, l));
  }
  assertEquals(mem, c.expected.mem);
  assertEquals(r.stop, "halt");
  assertEquals(r.instructions, c.expected.insns);
}

for (const c of cases) {
  Deno.test(`replay ${c.id}: ${c.comment ?? ""}`.slice(0, 120), () => {
    replay(c, new Machine({ memory: "1 MiB", disk: 0 }));
  });
}

Deno.test("replay under the monitor: every case ends in the recorded state", () => {
  for (const c of cases) {
    const cp = Monitor.on(new Machine({ memory: "2 MiB", disk: "64 KiB" }));
    const vm = cp.vm("R").memory("1 MiB").create();
    try {
      replay(c, vm);
    } catch (e) {
      throw new Error(
        `case ${c.id} under the monitor: ${(e as Error).message}`,
      );
    }
  }
});
