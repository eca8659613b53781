/**
 * Ring compression: MOVPSL answers from VMPSL in every virtual mode, and
 * the weakness of shared shadow tables: virtual executive mode can write a
 * page the guest marked kernel-only, where bare hardware (and the split
 * policy) raise an access-control violation.
 *
 *   deno run -A examples/ring_compression.ts
 *
 * @module
 */
import { assemble, type Hardware, Machine, Monitor, view } from "../mod.ts";

const cp = Monitor.on(new Machine({ memory: "4 MiB" }));
const vm = cp.vm("GUEST").memory("256 KiB").create();
vm.set("PC", 0x1000);
const rows = (["kernel", "executive", "supervisor", "user"] as const).map(
  (mode) => {
    vm.inject("MOVPSL R3", { mode });
    const p = vm.psl();
    return {
      mode,
      "guest reads": vm.get("R3").toString(16).padStart(8, "0"),
      "real PSL": p.real.toString(16).padStart(8, "0"),
      VMPSL: p.vmpsl.toString(16).padStart(8, "0"),
    };
  },
);
console.log(view.table(rows, "MOVPSL in each virtual mode (no exit)"));

const pte = (pfn: number, prot: number) =>
  ((0x80000000 | (prot << 27) | pfn) >>> 0).toString(16);
const table = Array.from(
  { length: 32 },
  (_, i) => `.long ^X${pte(i, i === 20 ? 2 : 4)}`,
).join("\n");
const program = assemble(`
SYS = ^X80000000
        .org    ^X200
start:  JMP     @#SYS+go
go:     MTPR    #^X1000,#17
        MTPR    #^X2000,#12
        MTPR    #32,#13
        MTPR    #1,#56
        MOVL    #SYS+^X3000,SP
        MTPR    #SYS+^X3800,#0
        MTPR    #SYS+^X3400,#1
        PUSHL   #^X01400000             ; executive mode
        PUSHL   #SYS+exec
        REI
exec:   MOVL    #^X1234,@#SYS+^X2800    ; page 20 is KW
        MOVL    #1,R9
        HALT
        .align  long
acv:    MOVL    (SP),R10
        MOVL    4(SP),R11
        HALT
        .align  long
rif:    HALT
        .org    ^X1000
        .blkl   4
        .long   SYS+rif
        .blkl   3
        .long   SYS+acv
        .org    ^X2000
${table}
`);
function run(hw: Hardware) {
  hw.load(program.bytes, program.origin);
  hw.set("PC", 0x200);
  hw.run({ limit: 1000 });
  const word = new DataView(hw.readPhysical(0x2800, 4).buffer).getUint32(
    0,
    true,
  );
  return {
    "write succeeded": hw.get("R9") === 1 ? "yes" : "no",
    "ACV mask": String(hw.get("R10")),
    "ACV address": hw.get("R11").toString(16),
    "KW page now": word.toString(16),
  };
}
console.log(
  view.table([
    { run: "bare VAX", ...run(new Machine({ memory: "256 KiB" })) },
    {
      run: "monitor, shared",
      ...run(
        Monitor.on(new Machine({ memory: "4 MiB" }), { shadow: "shared" }).vm(
          "A",
        ).memory("256 KiB")
          .create(),
      ),
    },
    {
      run: "monitor, split",
      ...run(
        Monitor.on(new Machine({ memory: "4 MiB" }), { shadow: "split" }).vm(
          "B",
        ).memory("256 KiB")
          .create(),
      ),
    },
  ], "executive mode writes a kernel-only page"),
);
