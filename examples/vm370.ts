/**
 * The lecture's figure, from the command line: CP on the real machine with
 * MVS, DOS/VS and CMS, and a virtual machine running a second CP that hosts
 * two CMS guests of its own (CP under CP), all from one directory text
 * (examples/vm370.txt). Everything runs; then the console answers, the
 * exits of each level are counted, and the nested trace shows an inner
 * guest's exit reaching the outer CP first.
 *
 *   deno run -A examples/vm370.ts
 *
 * @module
 */
import { CP, Machine, Monitor, VM370_GUESTS as guests } from "../mod.ts";

// The whole figure is one directory (examples/vm370.txt): the user CP2's
// IPL is CP, and its DIRECTORY ... END block is the second CP's directory.
const machine = new Machine({ memory: "16 MiB", disk: "8 MiB" });
const cp = CP.fromDirectory(
  Monitor.on(machine),
  await Deno.readTextFile(new URL("./vm370.txt", import.meta.url)),
  { guests },
);
const cp2 = cp.inner("CP2");
cp.vm("CMS").console.type("first level\r");
cp2.vm("CMS1").console.type("second level, one\r");
cp2.vm("CMS2").console.type("second level, two\r");

machine.trace.enabled = true;
console.log(cp.command("QUERY NAMES"));
console.log(cp.command("SEND CP2 QUERY NAMES"));
// One BEGIN runs both levels; second-level lines come as CP2/CMS1.
console.log(cp.begin(undefined, { forNs: 30_000_000_000 }));

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
