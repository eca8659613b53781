/**
 * The bare machine: boot the multiprogramming OS "o" on an emulated VAX,
 * print what its processes print, and time one read system call.
 *
 *   deno run -A examples/bare_machine.ts
 *
 * @module
 */
import { formatNs, Machine, multiprogramming, systemCallSpan } from "../mod.ts";

const machine = new Machine({ memory: "128 KiB", disk: "64 KiB", trace: true });
multiprogramming.boot(machine, { diskMode: "sync" });
const result = machine.run({ limit: 20_000_000 });

console.log(machine.console.output.trimEnd());
console.log(
  `\n${result.stop}: ${result.instructions} instructions in ${
    formatNs(result.ns)
  } of simulated time`,
);

const span = systemCallSpan(machine.trace.events, 2);
console.log(`\nOne read system call (CHMK #2), on bare hardware:`);
for (const e of span) {
  console.log(
    `  ${formatNs(e.ns).padStart(11)}  ${e.kind.padEnd(12)} ${e.text}`,
  );
}
console.log(`  took ${formatNs(span[span.length - 1]!.ns - span[0]!.ns)}`);
