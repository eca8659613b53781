// One numbers convention in every rendering: hexadecimal is marked 0x
// (addresses, registers, PSL fields, IPL, PFNs), except in a table column
// whose header says hex and in assembler syntax (^X, as MACRO-32 writes it);
// counts and times are decimal with their unit. The scan below looks for
// numbers that can only be hex (a digit and a letter A-F, or eight digits
// with a leading zero) written without a mark.
import { deepEqual, equal, match, ok, throws } from "node:assert/strict";
import { stripVTControlCharacters } from "node:util";
import {
  assemble,
  disassemble,
  formatPsl,
  Machine,
  Monitor,
  multiprogramming,
  view,
} from "../../mod.ts";

const INSPECT = Symbol.for("Deno.customInspect");
const JUPYTER = Symbol.for("Jupyter.display");

function text(x: unknown): string {
  return stripVTControlCharacters(
    typeof x === "string" ? x : Deno.inspect(x, { colors: false }),
  );
}

/** Hex written without its mark, outside assembler syntax. */
function unmarkedHex(s: string): string[] {
  const found: string[] = [];
  for (const line of s.split("\n")) {
    // A listing row (address and bytes in hex columns, as an assembler
    // listing) is checked from its statement on.
    const row = /^[0-9A-F]{8} {2}(?:[0-9a-f]{2} ?)+\s+(.*)$/.exec(line);
    if (row) {
      found.push(...unmarkedHex(row[1]!));
      continue;
    }
    // Assembler statements (listings, injected instructions) keep ^X.
    const plain = line.replace(/\^X[0-9A-F]+/gi, "");
    for (
      const m of plain.matchAll(/(?<![0-9A-Za-z^])[0-9A-F]{2,}(?![0-9A-Za-z])/g)
    ) {
      const t = m[0];
      const before = plain.slice(Math.max(0, m.index! - 2), m.index);
      if (before === "0x") continue;
      const hexOnly = /[0-9]/.test(t) && /[A-F]/.test(t);
      const padded = t.length >= 4 && t.startsWith("0") && /^[0-9]+$/.test(t);
      if (hexOnly || padded) found.push(`${t} in: ${line}`);
    }
  }
  return found;
}

function convention(what: string, x: unknown): void {
  const s = text(x);
  deepEqual(unmarkedHex(s), [], `${what}:\n${s}`);
  // Singular and plural, never "block(s)".
  deepEqual(s.match(/\w\(s\)/g) ?? [], [], `${what}:\n${s}`);
  const j = (x as Record<symbol, unknown>)?.[JUPYTER];
  if (typeof j === "function") {
    const bundle = j.call(x) as Record<string, string>;
    const plain = bundle["text/plain"];
    if (plain) deepEqual(unmarkedHex(plain), [], `${what} (notebook)`);
  }
}

function errorOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
  throw new Error("expected an error");
}

Deno.test("the scan finds unmarked hex and passes marked hex", () => {
  deepEqual(unmarkedHex("IPL=0x1F PC=0x0000100E 24 instructions"), []);
  equal(unmarkedHex("IPL=1F").length, 1);
  equal(unmarkedHex("at 00001000").length, 1);
  deepEqual(unmarkedHex("MOVL S^#^X1F,R0 P0BR R10 ADD"), []);
});

Deno.test("machines, VMs, monitors, results and reports follow the convention", () => {
  const m = new Machine({ memory: "1 MiB", trace: true });
  const a = assemble(
    "start: MOVL #^X1F,R0\nMTPR R0,#18\nMOVPSL R2\nCHMK #3\nHALT",
    { origin: 0x1000 },
  );
  m.load(a.bytes, a.origin);
  m.set("PC", a.entry);
  const r = m.run({ limit: 100 });
  equal(typeof r.pc, "number"); // results to scripts stay numbers
  convention("run result", r);
  convention("step result", m.step());
  convention("machine", m);
  convention("state", m.state());
  convention("trace", m.trace);
  convention("assembly", a);
  convention("listing", disassemble(a.bytes, a.origin));
  convention("psl", formatPsl(m.psl));

  const real = new Machine({ memory: "4 MiB", disk: "1 MiB", trace: true });
  const cp = Monitor.on(real);
  const o = cp.vm("o").memory("128 KiB").minidisk("64 KiB").boot(
    multiprogramming,
    { diskMode: "sync" },
  );
  const t = cp.vm("T").memory("64 KiB").create();
  t.set("PC", 0x400);
  convention("inject", t.inject("MTPR #^X14,#18", { mode: "kernel" }));
  convention("inject halted", t.inject("MTPR #3,#18", { mode: "user" }));
  convention("monitor run", cp.run({ limit: 200_000 }));
  convention("vm run", o.run({ limit: 1_000 }));
  convention("monitor", cp);
  convention("vm", o);
  convention("vm state", o.state());
  convention("psl report", o.psl());
  convention("psl report toString", o.psl().toString());
  convention("stats", view.stats(o));
  convention("iprs", view.iprs(o));
  convention("real trace", view.trace(real.trace.events.slice(0, 300)));
  for (const region of ["S0", "P0"] as const) {
    const pt = text(o.pageTables(region, { count: 20 }));
    match(pt, /VA \(hex\)/);
    // Table rows start with the VA column, whose header says hex.
    const rest = pt.split("\n").filter((l) => !/^[0-9A-F]{8} {2}/.test(l));
    deepEqual(unmarkedHex(rest.join("\n")), [], `page tables ${region}`);
  }
});

Deno.test("error messages follow the convention", () => {
  const m = new Machine({ memory: "64 KiB" });
  const cp = Monitor.on(new Machine({ memory: "4 MiB" }));
  const vm = cp.vm("V").memory("64 KiB").create();
  const messages = [
    errorOf(() => m.readPhysical(0x20000, 4)),
    errorOf(() => m.setPsl(0xffffffff)),
    errorOf(() => vm.setPsl(0xffffffff)),
    errorOf(() => vm.load(Uint8Array.of(1, 2), 0xfffff)),
    errorOf(() => vm.inject("MTPR #1,#18", { at: 0x7fff0000 })),
    errorOf(() => assemble(".BYTE 256")),
    errorOf(() => assemble("BRB X\n.BLKB 200\nX: HALT")),
    errorOf(() => assemble(".ORG 4", { origin: 0x100 })),
  ];
  for (const msg of messages) {
    ok(msg.length > 0);
    deepEqual(unmarkedHex(msg), [], msg);
  }
  throws(() => assemble(".BYTE 256"), /value 0x100 does not fit in a byte/);
  const f = (vm as unknown as Record<symbol, unknown>)[INSPECT];
  equal(typeof f, "function");
});
