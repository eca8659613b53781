/**
 * Shadow page tables: a guest maps S0 with kernel-only pages, touches them,
 * changes a PTE and invalidates it with TBIS. Bare and virtual machines
 * read the same values; the monitor's shadow table shows the remapped
 * protections and the guest's M bits kept true.
 *
 *   deno run -A examples/shadow_page_tables.ts
 *
 * @module
 */
import { assemble, type Hardware, Machine, Monitor, view } from "../mod.ts";

const pte = (pfn: number, prot: number) =>
  (0x80000000 | (prot << 27) | pfn) >>> 0;
const prots: Record<number, number> = { 32: 2, 33: 3, 34: 6, 35: 10, 36: 14 };
const table = Array.from(
  { length: 64 },
  (_, i) => `.long ^X${pte(i, prots[i] ?? 4).toString(16)}`,
)
  .join("\n");
const program = assemble(`
SYS = ^X80000000
        .org    ^X200
start:  JMP     @#SYS+go
go:     MTPR    #^X2000,#12
        MTPR    #64,#13
        MTPR    #1,#56
        MOVL    #SYS+^X7000,SP
        MOVL    @#SYS+^X4000,R0    ; KW
        MOVL    @#SYS+^X4200,R1    ; KR
        MOVL    @#SYS+^X4400,R2    ; ERKW
        MOVL    @#SYS+^X4600,R3    ; SRKW
        MOVL    @#SYS+^X4800,R4    ; URKW
        MOVL    #7,@#SYS+^X4A00    ; write a UW page
        MOVL    #^X${pte(40, 2).toString(16)},@#SYS+^X2080 ; page 32 -> frame 40
        MOVL    @#SYS+^X4000,R6    ; stale until TBIS
        MTPR    #SYS+^X4000,#58    ; TBIS
        MOVL    @#SYS+^X4000,R7
        HALT
        .org    ^X2000
${table}
`);
function run(hw: Hardware) {
  hw.load(program.bytes, program.origin);
  for (let p = 32; p <= 40; p++) {
    hw.load(new Uint8Array(new Uint32Array([0x1000 + p]).buffer), p * 512);
  }
  hw.set("PC", 0x200);
  hw.run({ limit: 1000 });
}
const bare = new Machine({ memory: "64 KiB" });
run(bare);
const cp = Monitor.on(new Machine({ memory: "4 MiB" }), { shadow: "shared" });
const vm = cp.vm("GUEST").memory("64 KiB").create();
run(vm);
console.log(view.table(
  ["R0", "R1", "R2", "R3", "R4", "R6", "R7"].map((r) => ({
    register: r,
    bare: bare.get(r).toString(16),
    virtual: vm.get(r).toString(16),
  })),
  "bare and virtual agree (R6 stale until the TBIS, R7 after it)",
));
console.log(vm.pageTables("S0", { from: 32, count: 6 }));
console.log(view.stats(vm));
