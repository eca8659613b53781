// The REPL prelude: `deno task repl` evaluates this file in the REPL's
// global scope, so every name below is ready to use (and tab-completes).
// Relative imports resolve against the working directory, which `deno task`
// sets to the project root.
import * as vmmlab from "./mod.ts";
import { assemble, disassemble, Machine, Monitor, view } from "./mod.ts";

/** A bare machine with a small program at 0x1000. */
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

/** A monitor on a second machine, with one VM ready for inject(). */
const real = new Machine({ memory: "8 MiB", disk: "4 MiB", trace: true });
const cp = Monitor.on(real);
const vm = cp.vm("MVS").memory("512 KiB").minidisk("256 KiB").create();
vm.set("PC", 0x1000);

console.log(
  `vmmlab REPL. Ready: vmmlab (the whole module), Machine, Monitor, assemble, disassemble, view
  machine   a bare VAX with a program at 0x1000:  machine.run(), machine.get("R1"), machine
  cp, vm    a monitor and its VM "MVS":           vm.inject("MTPR #3,#18"), vm.psl(), cp
  example   the program's assembly:               disassemble(example.bytes, example.origin)`,
);

void [vmmlab, disassemble, view];
