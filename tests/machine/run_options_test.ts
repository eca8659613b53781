// One validation of run options (src/machine/run_options.ts) and the two
// ways a run that would never end is stopped: the default budget of a run
// without a limit, and the interrupt flag Ctrl-C sets.
import { equal, match, throws } from "node:assert/strict";
import { assemble } from "../../src/asm/assembler.ts";
import { Machine } from "../../src/machine/machine.ts";
import { STOP_INTERRUPT } from "../../src/machine/cpu.ts";
import {
  clearInterrupt,
  requestInterrupt,
} from "../../src/machine/interrupt.ts";
import { DEFAULT_RUN_BUDGET_MS } from "../../src/machine/run_options.ts";

function looping(): Machine {
  const m = new Machine({ memory: "64 KiB" });
  m.load(assemble("x: INCL R0\nBRB x").bytes, 0);
  return m;
}

Deno.test("Machine.run refuses limits that are not whole instruction counts", () => {
  const m = looping();
  for (const limit of [1.5, 5e-324, -1, NaN, "10", null, 2 ** 53]) {
    throws(
      () => m.run({ limit } as never),
      (e: Error) =>
        e instanceof RangeError && /limit/.test(e.message) &&
        e.message.includes(typeof limit === "string" ? '"10"' : String(limit)),
      `limit ${limit}`,
    );
  }
  equal(m.instructions, 0);
});

Deno.test("Machine.run refuses times that are not finite non-negative ns", () => {
  const m = looping();
  for (const key of ["forNs", "untilNs"]) {
    for (const v of [NaN, -1, Infinity, "5", {}]) {
      throws(
        () => m.run({ limit: 10, [key]: v } as never),
        (e: Error) => e instanceof RangeError && e.message.includes(key),
      );
    }
  }
});

Deno.test("Machine.run refuses unknown options and options that are not an object", () => {
  const m = looping();
  throws(() => m.run({ limt: 5 } as never), /option "limt": expected limit/);
  throws(() => m.run(5 as never), /expected an options object/);
  throws(
    () => m.run({ limit: 5, breakpoints: 7 } as never),
    /breakpoints 7: expected an array of addresses/,
  );
  throws(
    () => m.run({ limit: 5, breakpoints: [-1e10] }),
    /breakpoint -10000000000: expected an address from 0 to 0xFFFFFFFF/,
  );
});

Deno.test("Machine.run honours an exact limit and Infinity means no limit", () => {
  const m = looping();
  equal(m.run({ limit: 7 }).instructions, 7);
  equal(m.run({ limit: 0 }).instructions, 0);
  requestInterrupt(); // would stop a long run; a short one never looks
  equal(m.run({ limit: 3 }).stop, "limit");
  clearInterrupt();
});

Deno.test("the interrupt flag stops a run at an instruction boundary", () => {
  const m = looping();
  m.run({ limit: 100 });
  requestInterrupt();
  const code = m.cpu.run(Infinity);
  equal(code, STOP_INTERRUPT);
  clearInterrupt();
  // Intact: it goes on from where it stopped, counting on.
  const r0 = m.get("R0");
  equal(m.run({ limit: 2 }).instructions, 2);
  equal(m.get("R0"), r0 + 1);
});

Deno.test("a run without a limit stops at the default budget and says so", () => {
  const m = looping();
  const t0 = performance.now();
  const r = m.run();
  const ms = performance.now() - t0;
  equal(r.stop, "budget");
  equal(ms >= DEFAULT_RUN_BUDGET_MS && ms < DEFAULT_RUN_BUDGET_MS + 2000, true);
  match(r.reason, /default budget of 3 s.*run again to continue/);
  equal(r.instructions > 1_000_000, true);
  equal(m.run({ limit: 5 }).instructions, 5);
});
