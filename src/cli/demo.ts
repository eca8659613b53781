/**
 * `vmmlab demo`: the guided tour. A bare VAX boots the multiprogramming OS;
 * then a monitor runs that OS and a CMS-style guest side by side in virtual
 * machines; an injected privileged instruction traps; ring compression and
 * the minidisk map are shown; the cost of virtualization is measured.
 *
 * @module
 */

import { Machine } from "../machine/machine.ts";
import { formatNs } from "../machine/units.ts";
import { Monitor } from "../monitor/monitor.ts";
import { cms, multiprogramming } from "../guests/mod.ts";
import { systemCallSpan } from "../analysis/trace_query.ts";
import { paint } from "../display/style.ts";
import { view } from "../display/install.ts";

function heading(text: string): string {
  return `\n${paint(`== ${text}`, "bold")}\n`;
}

/** Runs the tour, printing with `print`; returns the text printed. */
export function demo(print: (text: string) => void = console.log): string {
  const out: string[] = [];
  const say = (t: unknown) => {
    const s = typeof t === "string"
      ? t
      : Deno.inspect(t, { colors: false, depth: 4 });
    out.push(s);
    print(s);
  };

  say(heading("1. A bare VAX boots a multiprogramming OS"));
  const bare = new Machine({ memory: "128 KiB", disk: "64 KiB", trace: true });
  multiprogramming.boot(bare, { diskMode: "sync" });
  const r = bare.run({ limit: 20_000_000 });
  say(
    bare.console.output.trimEnd().split("\r\n").slice(0, 8).join("\n") +
      "\n  ...",
  );
  say(
    `${r.stop} after ${r.instructions} instructions, ${
      formatNs(r.ns)
    } of simulated time`,
  );
  const span = systemCallSpan(bare.trace.events, 2);
  say(
    `one read system call (CHMK #2 to the return to the process): ${
      formatNs(span[span.length - 1]!.ns - span[0]!.ns)
    }, ${span.length} events`,
  );

  say(heading("2. A monitor runs the same OS, and CMS, in virtual machines"));
  const real = new Machine({ memory: "4 MiB", disk: "2 MiB", trace: true });
  const cp = Monitor.on(real);
  const o = cp.vm("o").memory("128 KiB").minidisk("64 KiB").boot(
    multiprogramming,
    {
      diskMode: "sync",
    },
  );
  const c = cp.vm("CMS").memory("64 KiB").minidisk("64 KiB").boot(cms);
  c.console.type("hello from CMS\r");
  const run = cp.run({ limit: 60_000_000 });
  say(cp);
  const same = (s: string) =>
    s.split("\r\n").filter((l) => l.startsWith("P")).sort().join("\n");
  say(
    `o printed the same lines as on bare hardware: ${
      same(o.console.output) === same(bare.console.output) ? "yes" : "NO"
    }`,
  );
  say(
    `CMS said: ${
      JSON.stringify(c.console.output.trim().split("\r\n").slice(-2))
    }`,
  );
  say(`all VMs: ${JSON.stringify(run.vms)}`);

  say(heading("3. Trap and emulate: one read system call inside the VM"));
  const vspan = systemCallSpan(real.trace.events, 2).filter((e) =>
    e.kind !== "shadow-fill"
  );
  for (const e of vspan.slice(0, 6)) {
    say(`  ${formatNs(e.ns).padStart(11)}  ${e.kind.padEnd(9)} ${e.text}`);
  }
  say(`  ... ${vspan.length} events in all; the last:`);
  say(
    `  ${formatNs(vspan.at(-1)!.ns).padStart(11)}  ${
      vspan.at(-1)!.kind.padEnd(9)
    } ${vspan.at(-1)!.text}`,
  );

  say(heading("4. Inject a privileged instruction"));
  const t = cp.vm("TEST").memory("64 KiB").create();
  t.set("PC", 0x400);
  say(t.inject("MTPR #^X14,#18", { mode: "kernel" }));
  say(t.psl());

  say(heading("5. Minidisks carved out of one real disk"));
  say(cp.minidisks);

  say(heading("6. What virtualization cost o"));
  say(view.stats(o));
  say(
    `\nMore: deno task repl, the notebooks in notebooks/, and the examples in examples/.`,
  );
  return out.join("\n");
}
