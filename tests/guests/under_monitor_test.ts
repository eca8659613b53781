// The guests inside a virtual machine: Popek and Goldberg's equivalence
// property says they must print what they print on bare hardware.
import assert from "node:assert/strict";
import { Machine } from "../../src/machine/machine.ts";
import { Monitor } from "../../src/monitor/monitor.ts";
import { cms, multiprogramming } from "../../src/guests/mod.ts";

Deno.test("CMS prints the same inside a virtual machine", () => {
  const bare = new Machine({ memory: "64 KiB", disk: "64 KiB" });
  cms.boot(bare);
  bare.console.type("equivalence\r");
  assert.equal(bare.run({ limit: 5_000_000 }).stop, "halt");

  const host = new Machine({ memory: "2 MiB", disk: "1 MiB" });
  const monitor = Monitor.on(host);
  const vm = monitor.vm("cms").memory("64 KiB").minidisk("64 KiB").boot(cms);
  vm.console.type("equivalence\r");
  monitor.run({ limit: 5_000_000 });
  assert.ok(vm.halted);
  assert.equal(vm.console.output, bare.console.output);
  assert.deepEqual(vm.disk.readBlocks(0, 128), bare.disk.readBlocks(0, 128));
});

for (const diskMode of ["async", "sync"] as const) {
  Deno.test({
    name: `o (${diskMode}) prints the same inside a virtual machine`,
    fn() {
      const bare = new Machine({ memory: "128 KiB", disk: "64 KiB" });
      multiprogramming.boot(bare, { diskMode });
      assert.equal(bare.run({ limit: 20_000_000 }).stop, "halt");

      const host = new Machine({ memory: "2 MiB", disk: "1 MiB" });
      const monitor = Monitor.on(host);
      const vm = monitor.vm("o").memory("128 KiB").minidisk("64 KiB").boot(
        multiprogramming,
        { diskMode },
      );
      monitor.run({ limit: 50_000_000 });
      assert.ok(vm.halted);
      const lines = (s: string, p: string) =>
        s.split("\r\n").filter((l) => l.startsWith(p));
      for (const p of ["P1: ", "P2: ", "P3: "]) {
        assert.deepEqual(
          lines(vm.console.output, p),
          lines(bare.console.output, p),
        );
      }
    },
  });
}
