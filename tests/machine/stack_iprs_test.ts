// Host access to the stack-pointer IPRs (vax-architecture.md 1.3, 8.3):
// R14 is the stack of the current mode (or the interrupt stack with
// PSL<IS>); the other four are saved. Machine.get/set follow the current
// mode and IS, not only IS (MTPR/MFPR run in kernel mode, where both agree).
import { equal } from "node:assert/strict";
import { Machine } from "../../src/machine/machine.ts";

const STACKS = ["KSP", "ESP", "SSP", "USP", "ISP"] as const;

function machineWith(): Machine {
  const m = new Machine({ memory: "1 MiB", disk: 0 });
  STACKS.forEach((n, k) => m.set(n, 0x1000 * (k + 1)));
  return m;
}

Deno.test("Machine.get/set of KSP..ISP follow the current mode and IS", () => {
  // [PSL, the stack R14 holds]
  const cases: [number, number][] = [
    [0x041f0000, 4], // kernel, interrupt stack
    [0x00000000, 0], // kernel
    [0x01000000, 1], // executive
    [0x02000000, 2], // supervisor
    [0x03c00000, 3], // user
  ];
  for (const [psl, live] of cases) {
    const m = machineWith();
    m.setPsl(psl);
    STACKS.forEach((n, k) => equal(m.get(n), 0x1000 * (k + 1), `${n} read`));
    equal(m.get("SP"), 0x1000 * (live + 1), "R14 is the live stack");
    STACKS.forEach((n, k) => m.set(n, 0x100 * (k + 1)));
    equal(m.get("SP"), 0x100 * (live + 1), "a write of the live one is R14");
    // Back in kernel mode on the kernel stack, every saved one is where the
    // host put it.
    m.setPsl(0);
    STACKS.forEach((n, k) => equal(m.get(n), 0x100 * (k + 1), `${n} kept`));
  }
});
