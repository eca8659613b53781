// Compiled blocks across pages: a block may start at the first instruction
// reached on a new page (after a branch, call or return into it), with the
// fetch translation and its faults as the interpreter has them. Each
// program runs compiled at first sight ("always") and uncached ("never"):
// the same registers, PSL, stack, time and counts (tests/machine/_blocks.ts).

import { equal } from "node:assert/strict";
import { same, snapshot } from "./_blocks.ts";

Deno.test("compiled block: one starts at the first instruction reached on another page", () => {
  const src = `
loop:   BSBW    sub             ; page 0x200
        SOBGTR  R0,loop
        HALT
        .blkb   ^X400-.
sub:    INCL    R1              ; page 0x400
        INCL    R2
        RSB
`;
  const m = same(src, (m) => {
    m.set("R0", 50);
    m.run({ limit: 1000 });
    return [snapshot(m)];
  });
  equal(m.get("R1"), 50);
  // The first pass runs uncached pages in the interpreter (a block at the
  // second INCL); then blocks at loop, at the SOBGTR (reached by RSB from
  // the other page) and at sub (reached by BSBW): without blocks at the
  // first instruction on a new page, only loop's and the second INCL's.
  equal(m.cpu.compiledBlocks, 4);
});

Deno.test("compiled block: an instruction fetch from nonexistent memory after a jump faults as in the interpreter (machine check)", () => {
  const src = `
        MOVL    #3,R1
loop:   INCL    R2
        DECL    R1
        BNEQ    loop
        JMP     @#^X20000       ; beyond the 64 KiB of memory
`;
  const m = same(src, (m) => {
    const seen: unknown[] = [];
    m.run({ limit: 100 });
    seen.push(snapshot(m), m.haltReason);
    return seen;
  });
  equal(m.get("R2"), 3);
  equal(m.get("PC"), 0x1800 + 0x04 + 1, "the machine-check vector's HALT");
});
