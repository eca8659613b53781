// Every public entry point checks what it is given and says what it
// expected: the calls a REPL user types by mistake (from a fuzz of the
// public API) get a clear error, never an internal one, and leave the
// machine usable.
import { equal, throws } from "node:assert/strict";
import { Machine } from "../../src/machine/machine.ts";
import { Monitor } from "../../src/monitor/monitor.ts";
import { assemble } from "../../src/asm/assembler.ts";
import { view } from "../../src/display/install.ts";

function clear(re: RegExp) {
  return (e: unknown) =>
    (e instanceof TypeError || e instanceof RangeError) &&
    re.test(e.message) && !/Invalid typed array|is not a function/.test(
      e.message,
    );
}

Deno.test("Machine: reads, writes and registers refuse malformed arguments", () => {
  const m = new Machine({ memory: "64 KiB" });
  throws(() => m.readVirtual(0, 1e308), clear(/Cannot read 1e\+308 bytes/));
  throws(() => m.readVirtual(0, -1), clear(/Cannot read -1 bytes/));
  throws(() => m.readPhysical(0, -1), clear(/Cannot read -1 bytes/));
  throws(() => m.get(5 as never), clear(/Cannot read register 5: expected/));
  throws(() => m.set(5 as never, 1), clear(/Cannot set register 5/));
  throws(() => m.set("R0", 1.5), clear(/Cannot set R0 to 1.5/));
  throws(() => m.setBreakpoints(5 as never), clear(/breakpoints at 5/));
  throws(() => m.setPsl(10n as never), clear(/Cannot set the PSL to 10n/));
  throws(
    () => m.load("abc" as never, 0),
    clear(/expected the bytes as a Uint8Array/),
  );
  throws(() => m.load(new Uint8Array(1), -5e9), clear(/load at address/));
  equal(m.run({ limit: 1 }).instructions, 1);
});

Deno.test("Machine: a mode is one of the four modes, by number or by name", () => {
  const m = new Machine({ memory: "64 KiB" });
  for (const mode of [NaN, 32, 0.5, -1, "root", null]) {
    throws(
      () => m.readVirtual(0, 1, mode as never),
      clear(/expected 0-3 or kernel, executive, supervisor, user/),
    );
    throws(
      () => m.writeVirtual(0, new Uint8Array(1), mode as never),
      clear(/expected 0-3 or kernel/),
    );
  }
  m.writeVirtual(0x10, Uint8Array.of(7), "user");
  equal(m.readVirtual(0x10, 1, "kernel")[0], 7);
  equal(m.readVirtual(0x10, 1, 3)[0], 7);
});

Deno.test("VM and builder: names, values and guests are checked", () => {
  const cp = Monitor.on(new Machine({ memory: "4 MiB" }));
  const vm = cp.vm("X").memory("64 KiB").create();
  throws(() => vm.get(5 as never), clear(/Cannot read register 5/));
  throws(() => vm.set("R0", NaN), clear(/Cannot set R0 to NaN/));
  throws(() => vm.setPsl(10n as never), clear(/set the PSL to 10n/));
  throws(
    () => cp.vm("Y").memory("16 KiB").boot(null as never),
    clear(/Cannot boot null: expected a guest/),
  );
  throws(() => view.stats({} as never), clear(/Cannot show statistics/));
  throws(() => assemble("", null as never), clear(/options null/));
  equal(vm.run({ limit: 1 }).instructions, 1);
});
