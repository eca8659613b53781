// The REPL prelude: `deno task repl` evaluates this file in the REPL's
// global scope, so every name below is ready to use (and tab-completes).
// Relative imports resolve against the working directory, which `deno task`
// sets to the project root.
import * as vmmlab from "./mod.ts";
import { assemble, disassemble, Machine } from "./mod.ts";

/** A ready-made example: a bare machine with a small program loaded. */
const machine = new Machine({ memory: "1 MiB", trace: true });
const example = assemble(
  `
start:  MOVL    #10,R0          ; count down from 10
        CLRL    R1
loop:   ADDL2   R0,R1           ; R1 = 10 + 9 + ... + 1
        SOBGTR  R0,loop
        MOVPSL  R2              ; look at the PSL
        HALT
`,
  { origin: 0x1000 },
);
machine.load(example.bytes, example.origin);
machine.set("PC", example.entry);

console.log(
  `vmmlab REPL: names ready: vmmlab (the whole module), Machine, assemble, disassemble,
  machine  a bare VAX with a small program at 0x1000; try machine.run(), machine.get("R1")
  example  its assembly; try disassemble(example.bytes, example.origin)`,
);

// Keep the names referenced so linters see them used.
void [vmmlab, disassemble];
