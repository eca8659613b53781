// Interlocked self-relative queues (src/machine/isa/queue.ts; SimH's
// op_insqhi..op_remqti): links are offsets; the header's bit 0 is the
// secondary interlock; quadword alignment and header != entry.
import { deepEqual, equal } from "node:assert/strict";
import { flags, readL, run } from "./_helpers.ts";

const H = 0x3000;
const A = 0x3100;
const B = 0x3200;

/** The two longwords at each address, as signed offsets. */
function links(m: Parameters<typeof readL>[0], ...addrs: number[]) {
  return addrs.map((a) => [readL(m, a) | 0, readL(m, a + 4) | 0]);
}

Deno.test("INSQHI, INSQTI into an empty queue, then REMQHI, REMQTI", () => {
  const r = run(
    `INSQHI @#${A},@#${H}     ; empty: Z
     MOVPSL R6
     INSQTI @#${B},@#${H}     ; H -> A -> B
     MOVPSL R7
     REMQHI @#${H},R0         ; removes A, B remains: not Z
     MOVPSL R8
     REMQTI @#${H},R1         ; removes B (single entry), queue empty: Z
     MOVPSL R9
     REMQTI @#${H},R2         ; empty: Z and V, result H
     HALT`,
    { longs: { [H]: 0, [H + 4]: 0 } },
  );
  equal(flags(r.m.get("R6")), "Z");
  equal(flags(r.m.get("R7")), "");
  equal(r.m.get("R0"), A);
  equal(flags(r.m.get("R8")), "");
  equal(r.m.get("R1"), B);
  equal(flags(r.m.get("R9")), "Z");
  equal(r.m.get("R2"), H);
  equal(flags(r.m.psl), "ZV");
  deepEqual(links(r.m, H), [[0, 0]]);
});

Deno.test("INSQTI builds self-relative links", () => {
  const r = run(
    `INSQTI @#${A},@#${H}
     INSQTI @#${B},@#${H}
     HALT`,
    { longs: { [H]: 0, [H + 4]: 0 } },
  );
  // H: first A, last B. A: next B, prev H. B: next H, prev A.
  deepEqual(links(r.m, H, A, B), [
    [A - H, B - H],
    [B - A, H - A],
    [H - B, A - B],
  ]);
});

Deno.test("Secondary interlock set: nothing changes, C (and V for removes)", () => {
  const r = run(
    `INSQHI @#${A},@#${H}
     MOVPSL R6
     REMQHI @#${H},R0
     HALT`,
    { longs: { [H]: 0x101, [H + 4]: 0x100 }, regs: { R0: 0x55 } },
  );
  equal(flags(r.m.get("R6")), "C");
  equal(flags(r.m.psl), "VC");
  equal(r.m.get("R0"), 0x55);
  deepEqual(links(r.m, H), [[0x101, 0x100]]);
});

Deno.test("Misaligned header or entry, entry = header: reserved operand", () => {
  const L = { longs: { [H]: 0, [H + 4]: 0 } };
  equal(run(`INSQHI @#${A + 4},@#${H}\n HALT`, L).vector, 0x18);
  equal(run(`INSQHI @#${A},@#${H + 2}\n HALT`, L).vector, 0x18);
  equal(run(`INSQTI @#${H},@#${H}\n HALT`, L).vector, 0x18);
  equal(run(`REMQHI @#${H + 4},R0\n HALT`, L).vector, 0x18);
  equal(run(`REMQHI @#${H},@#${H}\n HALT`, L).vector, 0x18);
  // A link that is not a multiple of 8.
  equal(
    run(`REMQHI @#${H},R0\n HALT`, { longs: { [H]: 4, [H + 4]: 4 } }).vector,
    0x18,
  );
});
