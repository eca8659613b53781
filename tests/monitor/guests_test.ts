// The project's guests (src/guests/) run bare and under the monitor and end
// in the same guest state: registers, PSL, IPRs, memory, disk and console
// output. Only timing differs: the one word that measures time (the OS's
// count of timer ticks) is left out, and where the guest's own scheduling
// depends on timing (preemption on the interval timer, asynchronous disk
// completions) the comparison is of what does not: each process's output,
// the disk, how the run ends.
import { deepEqual, equal, ok } from "node:assert/strict";
import { Machine } from "../../src/machine/machine.ts";
import { Monitor } from "../../src/monitor/monitor.ts";
import type { ShadowPolicy } from "../../src/monitor/shadow.ts";
import type { Hardware, RunResult } from "../../src/machine/hardware.ts";
import type { VirtualMachine } from "../../src/monitor/vm.ts";
import {
  bootCms,
  bootMultiprogramming,
  imageSymbol,
  type MultiprogrammingBootOptions,
} from "../../src/guests/mod.ts";
import { memoryDiff, observe, stateDiff } from "./_helpers.ts";

interface GuestRun {
  hw: Hardware;
  result: RunResult;
}

type Boot = (hw: Machine | VirtualMachine) => void;

function runBare(
  boot: Boot,
  memory: string,
  disk: string,
  input: string,
): GuestRun {
  const m = new Machine({ memory, disk, vmExtensions: false });
  boot(m);
  if (input) m.console.type(input);
  return { hw: m, result: m.run({ limit: 20_000_000 }) };
}

function runVirtual(
  boot: Boot,
  memory: string,
  disk: string,
  input: string,
  shadow: ShadowPolicy,
): GuestRun & { cp: Monitor } {
  const cp = Monitor.on(new Machine({ memory: "2 MiB", disk: "1 MiB" }), {
    shadow,
  });
  const vm = cp.vm("GUEST").memory(memory).minidisk(disk).create();
  boot(vm);
  if (input) vm.console.type(input);
  return { cp, hw: vm, result: vm.run({ limit: 20_000_000 }) };
}

/** Every difference of final guest state, except the listed memory words. */
function differences(
  a: GuestRun,
  b: GuestRun,
  ignore: number[] = [],
): string[] {
  const out = stateDiff(observe(a.hw), observe(b.hw));
  out.push(
    ...memoryDiff(
      a.hw.readPhysical(0, a.hw.memorySize),
      b.hw.readPhysical(0, b.hw.memorySize),
      100,
    )
      .filter((d) => !ignore.includes(parseInt(d, 16))).map((d) =>
        `memory ${d}`
      ),
  );
  out.push(
    ...memoryDiff(
      a.hw.disk.readBlocks(0, a.hw.disk.blocks),
      b.hw.disk.readBlocks(0, b.hw.disk.blocks),
    )
      .map((d) => `disk ${d}`),
  );
  if (a.hw.console.output !== b.hw.console.output) out.push("console output");
  if (a.result.stop !== b.result.stop || a.result.reason !== b.result.reason) {
    out.push(`stop ${a.result.reason} / ${b.result.reason}`);
  }
  return out;
}

for (const shadow of ["split", "shared"] as const) {
  Deno.test(`CMS bare and under the monitor (${shadow}): the same final state, output and disk`, () => {
    const boot: Boot = (hw) => void bootCms(hw);
    const bare = runBare(boot, "64 KiB", "64 KiB", "hello, vax\r");
    const virt = runVirtual(boot, "64 KiB", "64 KiB", "hello, vax\r", shadow);
    equal(bare.result.reason, "HALT instruction");
    ok(/you typed: hello, vax/.test(virt.hw.console.output));
    // (CMS polls the console: how many instructions it runs is timing.)
    deepEqual(differences(virt, bare), []);
  });

  Deno.test(`the multiprogramming OS (synchronous disk, no preemption) bare and under the monitor (${shadow}): the same final state but for its tick count`, () => {
    const options: MultiprogrammingBootOptions = {
      diskMode: "sync",
      quantumTicks: 1000,
    };
    let ticks = 0;
    const boot: Boot = (hw) => {
      const image = bootMultiprogramming(hw, options);
      ticks =
        (imageSymbol(image, "TICKS") - image.origin + image.loadAddress) >>> 0;
    };
    const bare = runBare(boot, "128 KiB", "64 KiB", "");
    const virt = runVirtual(boot, "128 KiB", "64 KiB", "", shadow);
    equal(bare.result.reason, "HALT instruction");
    ok(/all processes exited/.test(virt.hw.console.output));
    deepEqual(differences(virt, bare, [ticks]), []);
    const exits =
      (virt.hw as unknown as { stats: { exits: Record<string, number> } }).stats
        .exits;
    for (const k of ["LDPCTX", "SVPCTX", "REI", "CHMK", "MTPR", "PROBEW"]) {
      ok((exits[k] ?? 0) > 0, `the OS exercised ${k}`);
    }
  });
}

Deno.test("the multiprogramming OS (asynchronous disk, preemptive) under the monitor: each process's output, the disk and the end are as bare", () => {
  const boot: Boot = (hw) => void bootMultiprogramming(hw);
  const bare = runBare(boot, "128 KiB", "64 KiB", "");
  const virt = runVirtual(boot, "128 KiB", "64 KiB", "", "split");
  equal(virt.result.reason, bare.result.reason);
  const lines = (hw: Hardware, p: string) =>
    hw.console.output.split("\r\n").filter((l) => l.startsWith(p));
  for (const p of ["P1:", "P2:", "P3:", "o:"]) {
    deepEqual(lines(virt.hw, p).sort(), lines(bare.hw, p).sort(), `${p} lines`);
  }
  deepEqual(virt.hw.disk.readBlocks(0, 128), bare.hw.disk.readBlocks(0, 128));
});
