/**
 * What each level of CP under CP costs: the same guest bare, in a VM, in a
 * VM of a monitor in a VM, and three deep. For each: guest instructions,
 * exits seen by each monitor level, simulated time, host time, and exits per
 * second of host time at each level. Two guests: compute-bound (a register
 * loop: almost no exits) and system-call-bound (CHMK and REI from user mode:
 * two exits per iteration at the innermost level).
 *
 *   deno run -A examples/vm370_levels.ts
 *
 * @module
 */
import {
  assemble,
  Machine,
  Monitor,
  type MonitorHost,
  type VirtualMachine,
} from "../mod.ts";

const GUESTS = {
  "compute-bound": {
    source: `
        .org    ^X1000
loop:   ADDL2   #3,R1
        XORL2   R1,R2
        SOBGTR  R0,loop
        HALT`,
    start: (hw: { set(n: string, v: number): void }) => {
      hw.set("R0", 1_000_000);
      hw.set("PC", 0x1000);
    },
  },
  "system-call": {
    source: `
        .org    ^X200
start:  MTPR    #^X1000,#17
        MTPR    #^X8000,#0
        MOVL    #^X9000,SP
        MTPR    #^X7000,#3
        PUSHL   #^X03C00000
        PUSHAB  user
        REI
user:   CHMK    #1
        SOBGTR  R5,user
        CHMK    #0
        .align  long
chmk:   MOVL    (SP)+,R0
        BEQL    done
        REI
done:   HALT
        .org    ^X1040
        .long   chmk`,
    start: (hw: { set(n: string, v: number): void }) => {
      hw.set("PSL", 0x041f0000);
      hw.set("R5", 20_000);
      hw.set("PC", 0x200);
    },
  },
};

function build(levels: number) {
  const m = new Machine({ memory: "32 MiB", disk: "4 MiB" });
  if (levels === 0) return { hw: m, machine: m, vms: [] as VirtualMachine[] };
  let mon: Monitor<MonitorHost> = Monitor.on(m);
  const vms: VirtualMachine[] = [];
  for (let l = 1; l < levels; l++) {
    const host = mon.vm(`CP${l + 1}`).memory(`${2 ** (levels - l) * 2} MiB`)
      .minidisk("256 KiB").create();
    vms.push(host);
    mon = Monitor.on(host);
  }
  const vm = mon.vm("GUEST").memory("1 MiB").create();
  vms.push(vm);
  return { hw: vm, machine: m, vms };
}

for (const [name, g] of Object.entries(GUESTS)) {
  const a = assemble(g.source, { origin: 0 });
  console.log(`\n${name} guest`);
  console.log(
    "levels  instructions  simulated ms  host ms  exits by level (outermost first)  exits/s of host time",
  );
  for (const levels of [0, 1, 2, 3]) {
    const { hw, machine, vms } = build(levels);
    hw.load(a.bytes, 0);
    g.start(hw);
    // Warm up once, then measure a second run of the same work.
    hw.run();
    g.start(hw);
    const e0 = vms.map((v) => v.stats.totalExits);
    const t0 = performance.now();
    const s0 = machine.now;
    const r = hw.run();
    const ms = performance.now() - t0;
    const exits = vms.map((v, i) => v.stats.totalExits - e0[i]!);
    console.log(
      `${String(levels).padStart(6)}  ${String(r.instructions).padStart(12)}  ${
        ((machine.now - s0) / 1e6).toFixed(2).padStart(12)
      }  ${ms.toFixed(0).padStart(7)}  ${
        exits.join(" / ").padEnd(33) || "-".padEnd(33)
      }  ${exits.map((e) => Math.round(e / (ms / 1000))).join(" / ") || "-"}`,
    );
  }
}
