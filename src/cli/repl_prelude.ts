/**
 * The REPL prelude: `deno task repl` imports this module and copies its
 * exports into the REPL's global scope, so every name below is ready to use
 * (and tab-completes).
 *
 * @module
 */
import * as vmmlab from "../../mod.ts";
import {
  assemble,
  cms,
  disassemble,
  listenForInterrupts,
  Machine,
  Monitor,
  multiprogramming,
  view,
} from "../../mod.ts";

export {
  assemble,
  cms,
  disassemble,
  Machine,
  Monitor,
  multiprogramming,
  view,
  vmmlab,
};

// Ctrl-C during a run stops the run (at an instruction boundary, the
// machine intact) instead of ending the REPL.
await listenForInterrupts();

/** A bare machine with a small program at 0x1000. */
export const machine: Machine = new Machine({ memory: "1 MiB", trace: true });
/** The assembly of that program. */
export const example: vmmlab.Assembly = assemble(
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

/** A second machine, for the monitor. */
export const real: Machine = new Machine({
  memory: "8 MiB",
  disk: "4 MiB",
  trace: true,
});
/** A monitor on it. */
export const cp: Monitor = Monitor.on(real);
/** A VM ready for inject(). */
export const vm: vmmlab.VirtualMachine = cp.vm("MVS").memory("512 KiB")
  .minidisk("256 KiB").create();
vm.set("PC", 0x1000);

console.log(
  `vmmlab REPL. Ready: vmmlab (the whole module), Machine, Monitor, assemble,
  disassemble, view, and the guests multiprogramming and cms.
  machine   a bare VAX, a program at 0x1000: machine.run(), machine.get("R1")
  cp, vm    a monitor and its VM "MVS": vm.inject("MTPR #3,#18"), vm.psl(), cp
  example   the program: disassemble(example.bytes, example.origin)
  boot o    cp.vm("o").memory("128 KiB").minidisk("64 KiB")
              .boot(multiprogramming), then cp.run()
A run without a limit stops after 3 s (run again to go on); Ctrl-C stops a run.`,
);
