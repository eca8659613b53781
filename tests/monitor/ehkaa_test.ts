// DEC's EHKAA as the only guest of the monitor (split shadow policy): the
// same final guest state, memory and console output as on the bare machine.
import { deepEqual, equal } from "node:assert/strict";
import { Machine } from "../../src/machine/machine.ts";
import { Monitor } from "../../src/monitor/monitor.ts";
import type { Hardware } from "../../src/machine/hardware.ts";
import { EHKAA_PASS_PC, EHKAA_URL, readEhkaa } from "../machine/_ehkaa.ts";
import { COMPARED_IPRS } from "./_helpers.ts";

const bytes = readEhkaa();
if (bytes === undefined) {
  console.log(`EHKAA VM test ignored: ${EHKAA_URL.pathname} is absent`);
}

/** Loads EHKAA and runs it to its end. */
function runEhkaa(hw: Hardware): { pc: number; instructions: number } {
  hw.load(bytes!, 0);
  hw.set("PSL", 0x041f0000);
  hw.set("PC", 0x200);
  const r = hw.run({ limit: 1_000_000 });
  equal(r.stop, "halt", `stopped: ${r.stop} ${r.reason}`);
  return { pc: r.pc >>> 0, instructions: r.instructions };
}

Deno.test({
  name:
    "EHKAA as a guest of the monitor (split shadows) ends as on bare hardware",
  ignore: bytes === undefined,
  fn() {
    const bare = new Machine({ memory: "16 MiB", disk: 0 });
    const b = runEhkaa(bare);
    equal(b.pc, EHKAA_PASS_PC);
    const cp = Monitor.on(new Machine({ memory: "20 MiB", disk: 0 }), {
      shadow: "split",
    });
    const vm = cp.vm("EHKAA").memory("16 MiB").create();
    const v = runEhkaa(vm);
    equal(v.pc, EHKAA_PASS_PC);
    equal(v.instructions, b.instructions);
    // Registers, PSL and the IPRs (this bare machine has no disk, so no
    // disk IPRs: they raise the reserved-operand fault on both).
    const names = [
      ...Array.from({ length: 16 }, (_, k) => `R${k}`),
      "PSL",
      ...COMPARED_IPRS.filter((n) => !n.startsWith("DK")),
    ];
    const seen = (hw: Hardware) => names.map((n) => [n, hw.get(n) >>> 0]);
    deepEqual(seen(vm), seen(bare));
    // The memory the diagnostic uses (its image, tables, stacks, SCB).
    const n = 0x40000;
    deepEqual(vm.readPhysical(0, n), bare.readPhysical(0, n));
    equal(vm.console.output, bare.console.output);
    // The emulated instructions went through the guest's own SCB.
    equal((vm.stats.exits["emulate"] ?? 0) > 0, true);
    // The monitor's slow CHMx/REI (every one an exit): the same run, the
    // same statistics and simulated time.
    const slowCp = Monitor.on(new Machine({ memory: "20 MiB", disk: 0 }), {
      shadow: "split",
      fastSyscalls: false,
    });
    const slow = slowCp.vm("EHKAA").memory("16 MiB").create();
    deepEqual(runEhkaa(slow), v);
    deepEqual(seen(slow), seen(vm));
    deepEqual(slow.readPhysical(0, n), vm.readPhysical(0, n));
    deepEqual(slow.stats, vm.stats);
    equal(slowCp.machine.now, cp.machine.now);
  },
});
