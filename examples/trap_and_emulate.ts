/**
 * Trap and emulate: run "o" inside a virtual machine, follow one read
 * system call through the monitor (exits, emulations, reflections, minidisk
 * I/O), and inject a privileged instruction in two virtual modes.
 *
 *   deno run -A examples/trap_and_emulate.ts
 *
 * @module
 */
import {
  formatNs,
  Machine,
  Monitor,
  multiprogramming,
  systemCallSpan,
} from "../mod.ts";

const machine = new Machine({ memory: "2 MiB", disk: "1 MiB", trace: true });
const cp = Monitor.on(machine);
const o = cp.vm("o").memory("128 KiB").minidisk("64 KiB").boot(
  multiprogramming,
  {
    diskMode: "sync",
  },
);
const run = cp.run({ limit: 50_000_000 });
console.log(
  `o ${run.vms.o} after ${run.instructions} guest instructions, ${
    formatNs(run.ns)
  }`,
);

console.log(`\nOne read system call inside the VM:`);
for (const e of systemCallSpan(machine.trace.events, 2)) {
  if (e.kind === "shadow-fill") continue;
  console.log(
    `  ${formatNs(e.ns).padStart(11)}  ${e.source.padEnd(5)} ${
      e.kind.padEnd(9)
    } ${e.text}`,
  );
}

const s = o.stats;
console.log(
  `\nEfficiency: ${
    s.instructions - s.emulated
  } of ${s.instructions} instructions ran directly (${
    (100 * (s.instructions - s.emulated) / s.instructions).toFixed(2)
  } %); ${s.totalExits} exits; ${formatNs(s.guestNs)} in the guest, ${
    formatNs(s.monitorNs)
  } in the monitor`,
);

const probe = cp.vm("probe").memory("64 KiB").create();
probe.set("PC", 0x400);
console.log(probe.inject("MTPR #^X14,#18", { mode: "kernel" }));
console.log(probe.inject("MTPR #^X14,#18", { mode: "user" }));
