// vm.pageTables says when the guest's memory management is off (and what
// the guest sees then), and how many rows a long table shows of how many.
import { equal, match } from "node:assert/strict";
import { Machine, Monitor } from "../../mod.ts";

const INSPECT = Symbol.for("Deno.customInspect");
const text = (x: object) =>
  String((x as Record<symbol, () => string>)[INSPECT]!.call(x));

Deno.test("pageTables with mapping off says so and how many rows it shows", () => {
  const cp = Monitor.on(new Machine({ memory: "4 MiB" }));
  const vm = cp.vm("OFF").memory("256 KiB").create();
  const c = vm.pageTables("S0");
  equal(c.mapping, false);
  equal(c.total, 512);
  equal(c.rows.length, 64);
  const t = text(c);
  match(
    t,
    /memory management is off in OFF \(MAPEN=0\): the guest sees physical addresses/,
  );
  match(t, /64 of 512 entries shown/);
  const all = vm.pageTables("S0", { count: 1000 });
  equal(all.rows.length, 512);
  equal(text(all).includes("entries shown"), false);
});
