/**
 * The lecture's figure, from the command line: CP on the real machine with
 * MVS, DOS/VS and CMS, and a virtual machine running a second CP that hosts
 * two CMS guests of its own (CP under CP). Everything runs; then the
 * console answers, the exits of each level are counted, and the nested
 * trace shows an inner guest's exit reaching the outer CP first.
 *
 *   deno run -A examples/vm370.ts
 *
 * @module
 */
import { CP, Machine, Monitor, VM370_GUESTS as guests } from "../mod.ts";

const machine = new Machine({ memory: "16 MiB", disk: "8 MiB" });
const cp = CP.fromDirectory(
  Monitor.on(machine),
  `
USER MVS   PASSWD 128K
  IPL MVS
  MDISK 191 FB-512 1000 128 VMLAB1 MR
USER DOSVS PASSWD 128K
  IPL DOSVS
  MDISK 191 FB-512 2000 128 VMLAB1 MR
USER CMS   PASSWD 64K
  IPL CMS
  MDISK 191 FB-512 3000 128 VMLAB1 MR
USER CP2   PASSWD 2M
  MDISK 191 FB-512 4000 2048 VMLAB2 MR
`,
  { guests },
);
// The second-level CP: a monitor on the VM "CP2", with its own directory.
const cp2 = CP.fromDirectory(
  Monitor.on(cp.vm("CP2")),
  `
USER CMS1 PASSWD 64K
  IPL CMS
  MDISK 191 FB-512 100 128 VMLAB3 MR
USER CMS2 PASSWD 64K
  IPL CMS
  MDISK 191 FB-512 300 128 VMLAB3 MR
`,
  { guests },
);
cp.vm("CMS").console.type("first level\r");
cp2.vm("CMS1").console.type("second level, one\r");
cp2.vm("CMS2").console.type("second level, two\r");

machine.trace.enabled = true;
console.log(cp.command("QUERY NAMES"));
console.log(cp.begin(undefined, { forNs: 30_000_000_000 }));
console.log(cp2.command("BEGIN")); // nothing left to run: shows their output
console.log(cp2.command("QUERY NAMES"));

for (const [level, c] of [[1, cp], [2, cp2]] as const) {
  for (const vm of c.monitor.vms.values()) {
    console.log(
      `level ${level} ${vm.name.padEnd(6)} ${
        String(vm.stats.totalExits).padStart(7)
      } exits, ${vm.stats.instructions} instructions`,
    );
  }
}

// One inner CHMK: forwarded by the outer CP, then handled by the inner one.
const ev = machine.trace.events;
const i = ev.findIndex((e) =>
  e.data?.forward === true && /CHM|REI/.test(e.text)
);
for (const e of ev.slice(Math.max(0, i - 1), i + 3)) {
  console.log(`L${e.data?.level ?? "-"} ${e.source.padEnd(5)} ${e.text}`);
}
