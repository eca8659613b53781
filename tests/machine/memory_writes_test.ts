// Writes to physical memory and the decode cache: every writer outside the
// processor goes through PhysicalMemory's methods (writeB/W/L, load, fill,
// copy), which drop decoded instructions of the pages they write; only the
// processor writes the typed-array views directly, where it knows no
// decoded code can be.

import { equal, match, ok, throws } from "node:assert/strict";
import { assemble } from "../../src/asm/assembler.ts";
import { Machine } from "../../src/machine/machine.ts";
import { PhysicalMemory } from "../../src/machine/memory.ts";

const SRC = new URL("../../src/", import.meta.url);

/** The processor's own files: they write the views under its rules. */
const PROCESSOR = new Set([
  "machine/memory.ts",
  "machine/cpu.ts",
  "machine/isa/strings.ts",
]);

/** Every .ts file under src/, relative to it. */
function sources(dir = SRC, prefix = ""): string[] {
  const out: string[] = [];
  for (const e of Deno.readDirSync(dir)) {
    if (e.isDirectory) {
      out.push(...sources(new URL(`${e.name}/`, dir), `${prefix}${e.name}/`));
    } else if (e.name.endsWith(".ts")) out.push(`${prefix}${e.name}`);
  }
  return out;
}

const DIRECT =
  /\bu8\.(set|fill|copyWithin)\(|\b(u8|u16|i32)\[[^\]]+\]\s*(=|\|=|&=|\+=)[^=]/;

Deno.test("memory: no code outside the processor writes the views of physical memory directly", () => {
  const offenders: string[] = [];
  for (const f of sources()) {
    if (PROCESSOR.has(f)) continue;
    const lines = Deno.readTextFileSync(new URL(f, SRC)).split("\n");
    lines.forEach((line, i) => {
      if (/^\s*(\*|\/\/)/.test(line)) return; // documentation
      if (DIRECT.test(line)) {
        offenders.push(`src/${f}:${i + 1}: ${line.trim()}`);
      }
    });
  }
  equal(offenders.join("\n"), "");
});

Deno.test("memory: the scan finds a direct write (it can fail)", () => {
  ok(DIRECT.test("    mem.u8.set(bytes, pa);"));
  ok(DIRECT.test("u8[pa + 1] = v >>> 8;"));
  ok(!DIRECT.test("const v = u8[pa]!;"));
  ok(!DIRECT.test("if (u8[pa] === 0) return;"));
});

/** A loop whose body the host rewrites while it is cached and compiled. */
function looping(): { m: Machine; at: number } {
  const m = new Machine({ memory: "64 KiB", disk: 0, compile: "always" });
  const p = assemble(
    `
loop:   INCL    R1
        BRB     loop
`,
    { origin: 0x200 },
  );
  m.load(p.bytes, 0x200);
  m.set("PSL", 0x041f0000);
  m.set("PC", 0x200);
  m.run({ limit: 1000 });
  equal(m.get("R1"), 500);
  return { m, at: p.symbol("loop") };
}

Deno.test("memory: fill over cached code drops it (the new bytes run)", () => {
  const { m, at } = looping();
  m.memory.fill(at, 2, 0); // INCL R1 becomes HALT, HALT
  m.run({ limit: 1000 });
  equal(m.haltReason, "HALT instruction");
  equal(m.get("R1"), 500);
  equal(m.get("PC"), at + 1);
});

Deno.test("memory: copy over cached code drops it (the new bytes run)", () => {
  const { m, at } = looping();
  m.memory.writeB(0x400, 0xd7); // DECL R1 at 0x400, copied over INCL R1
  m.memory.writeB(0x401, 0x51);
  m.memory.copy(at, 0x400, 2);
  m.run({ limit: 1000 });
  equal(m.get("R1"), 0);
});

Deno.test("memory: fill and copy outside memory are RangeErrors naming the address", () => {
  const mem = new PhysicalMemory(1024);
  throws(() => mem.fill(1000, 100), (e: Error) => {
    ok(e instanceof RangeError);
    match(e.message, /Cannot fill 100 bytes at physical address 0x3E8/);
    return true;
  });
  throws(
    () => mem.copy(0, 1000, 100),
    /Cannot copy 100 bytes from physical address 0x3E8/,
  );
  throws(
    () => mem.copy(1000, 0, 100),
    /Cannot copy 100 bytes to physical address 0x3E8/,
  );
  mem.writeB(10, 7);
  mem.copy(20, 10, 1);
  equal(mem.readB(20), 7);
  mem.fill(10, 11, 0xff);
  equal(mem.readB(20), 0xff);
  equal(mem.readB(21), 0);
});
