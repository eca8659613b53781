// Tab completion in `deno repl` lists an object's property names, own and
// inherited (the inspector's Runtime.getProperties, without private `#`
// fields). On what a REPL user holds it must show the public API, not the
// monitor's internals.
import { deepEqual, ok } from "node:assert/strict";
import { assemble, Machine, Monitor } from "../../mod.ts";

/** What completion offers after `x.`: names on the object and its prototypes. */
function completions(x: object): Set<string> {
  const names = new Set<string>();
  for (
    let o: object | null = x;
    o !== null && o !== Object.prototype;
    o = Object.getPrototypeOf(o)
  ) {
    for (const n of Object.getOwnPropertyNames(o)) names.add(n);
  }
  return names;
}

const VM_INTERNALS = [
  "r",
  "vpsl",
  "vstk",
  "ipr",
  "irq",
  "frames",
  "shadow",
  "vmpsl",
  "driver",
  "realAddress",
  "attachPager",
  "pages",
];

Deno.test("completion on a VM shows its public API, not the monitor's state", () => {
  const cp = Monitor.on(new Machine({ memory: "4 MiB" }));
  const vm = cp.vm("MVS").memory("64 KiB").minidisk("64 KiB").create();
  const names = completions(vm);
  deepEqual(VM_INTERNALS.filter((n) => names.has(n)), []);
  for (
    const n of [
      "name",
      "monitor",
      "console",
      "disk",
      "timer",
      "stats",
      "status",
      "get",
      "set",
      "run",
      "step",
      "inject",
      "psl",
      "pageTables",
      "state",
      "load",
      "resident",
      "paging",
    ]
  ) ok(names.has(n), n);
  // The VM still works as a machine.
  vm.load(assemble("MOVL #7,R0\nHALT").bytes, 0x200);
  vm.set("PC", 0x200);
  vm.run({ limit: 10 });
  ok(vm.get("R0") === 7);
  deepEqual(Object.keys(vm).filter((k) => VM_INTERNALS.includes(k)), []);
});

const MONITOR_INTERNALS = [
  "syncFromCpu",
  "syncToCpu",
  "pslChanged",
  "runVm",
  "readVirtualIpr",
  "writeVirtualIpr",
  "describePsl",
  "createVm",
];

Deno.test("completion on a monitor shows its public API, not the VMs' calls into it", () => {
  const cp = Monitor.on(new Machine({ memory: "4 MiB" }));
  const vm = cp.vm("A").memory("64 KiB").create();
  const names = completions(cp);
  deepEqual(MONITOR_INTERNALS.filter((n) => names.has(n)), []);
  for (
    const n of ["machine", "vm", "vms", "run", "on", "destroy", "inject"]
  ) ok(names.has(n), n);
  ok(vm.monitor === cp);
  ok(cp.vms.get("A") === vm);
});

Deno.test("completion on a machine, a monitor and an assembly lists no private fields", () => {
  const m = new Machine({ memory: "1 MiB" });
  const cp = Monitor.on(new Machine({ memory: "4 MiB" }));
  for (const x of [m, cp, assemble("HALT")]) {
    for (const n of completions(x)) ok(!n.startsWith("#"), n);
  }
});
