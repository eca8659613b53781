// INSQUE and REMQUE on absolute queues (section 4.11).
import { deepEqual, equal } from "node:assert/strict";
import {
  cc,
  flags,
  PROT,
  pte,
  pteAddress,
  readL,
  run,
  stack,
} from "./_helpers.ts";

const H = 0x3000;
const E1 = 0x3100;
const E2 = 0x3200;
const E0 = 0x3300;

/** The (forward, backward) links of each address. */
function links(m: Parameters<typeof readL>[0], ...addrs: number[]) {
  return addrs.map((a) => [readL(m, a), readL(m, a + 4)]);
}

Deno.test("4.11 INSQUE into an empty queue: links set, Z=1 (queue was empty)", () => {
  const r = run(`INSQUE @#${E1},@#${H}\n HALT`, {
    longs: { [H]: H, [H + 4]: H },
    psl: cc("NVC"),
  });
  deepEqual(links(r.m, H, E1), [[E1, E1], [H, H]]);
  equal(flags(r.m.psl), "Z");
});

Deno.test("4.11 INSQUE at the tail and at the head of a queue", () => {
  // H <-> E1; insert E2 after E1 (tail), then E0 after H (head).
  const r = run(
    `INSQUE @#${E2},@#${E1}
     MOVPSL R6
     INSQUE @#${E0},@#${H}
     HALT`,
    { longs: { [H]: E1, [H + 4]: E1, [E1]: H, [E1 + 4]: H } },
  );
  // After the first: (E2)=H, (E2+4)=E1; CC from H : E1 -> N (signed <), C.
  equal(flags(r.m.get("R6")), "NC");
  // After the second: (E0)=E1, (E0+4)=H; CC from E1 : H -> greater.
  equal(flags(r.m.psl), "");
  deepEqual(links(r.m, H, E0, E1, E2), [
    [E0, E2],
    [E1, H],
    [E2, E0],
    [H, E1],
  ]);
});

Deno.test("4.11 INSQUE condition codes: N signed, C unsigned compare of the new links", () => {
  // pred has the sign bit set (S0 alias of physical 0x3100 with MAPEN=0).
  const P = 0x80000000 + E1;
  const r = run(`INSQUE @#${E2},@#${P}\n HALT`, {
    longs: { [H]: P, [H + 4]: P, [E1]: H, [E1 + 4]: H },
  });
  // (E2) = H = 0x3000, (E2+4) = P: signed H > P, unsigned H < P.
  deepEqual(links(r.m, E2), [[H, P]]);
  equal(readL(r.m, H + 4), E2);
  equal(flags(r.m.psl), "C");
});

const THREE = {
  [H]: E1,
  [H + 4]: E2,
  [E1]: E2,
  [E1 + 4]: H,
  [E2]: H,
  [E2 + 4]: E1,
};

Deno.test("4.11 REMQUE removes an entry: links, addr <- entry, CCs", () => {
  const r = run(`REMQUE @#${E1},R0\n HALT`, { longs: THREE, psl: cc("NZVC") });
  equal(r.m.get("R0"), E1);
  deepEqual(links(r.m, H, E2), [[E2, E2], [H, H]]);
  // s = E2, p = H: s > p, queue not empty, something removed.
  equal(flags(r.m.psl), "");
});

Deno.test("4.11 REMQUE of the last entry: Z=1 (queue now empty), V=0", () => {
  const r = run(`REMQUE @B^0(R1),R0\n HALT`, {
    regs: { R1: H },
    longs: { [H]: E1, [H + 4]: E1, [E1]: H, [E1 + 4]: H },
  });
  equal(r.m.get("R0"), E1);
  deepEqual(links(r.m, H), [[H, H]]);
  equal(flags(r.m.psl), "Z");
});

Deno.test("4.11 REMQUE from an empty queue: V=1, Z=1, nothing written, addr <- entry", () => {
  const r = run(`REMQUE @B^0(R1),@#${E0}\n HALT`, {
    regs: { R1: H },
    longs: { [H]: H, [H + 4]: H, [E0]: 0x12345678 },
  });
  equal(readL(r.m, E0), H);
  deepEqual(links(r.m, H), [[H, H]]);
  equal(flags(r.m.psl), "ZV");
});

Deno.test("4.11 REMQUE condition codes: N signed, C unsigned compare of s and p", () => {
  // entry E1 with s = S0 alias of E2 (negative), p = H.
  const S = 0x80000000 + E2;
  const r = run(`REMQUE @#${E1},R0\n HALT`, {
    longs: { [H]: E1, [H + 4]: S, [E1]: S, [E1 + 4]: H, [E2]: H, [E2 + 4]: E1 },
  });
  deepEqual(links(r.m, H, E2), [[S, S], [H, H]]);
  equal(flags(r.m.psl), "N");
});

Deno.test("4.11 INSQUE validates every write before changing anything", () => {
  // The old first entry lives on a kernel-read-only page: (s+4) not writable.
  const RO = 0x3400;
  const r = run(`INSQUE @#${E1},@#${H}\n HALT`, {
    mapping: true,
    longs: { [H]: RO, [H + 4]: RO, [RO]: H, [RO + 4]: H },
  });
  equal(r.vector, -1, "no fault before the PTE change");
  // Now with the page read-only.
  const r2 = run(`INSQUE @#${E1},@#${H}\n HALT`, {
    mapping: true,
    longs: {
      [H]: RO,
      [H + 4]: RO,
      [RO]: H,
      [RO + 4]: H,
      [pteAddress(RO)]: pte(RO >>> 9, PROT.KR),
    },
  });
  equal(r2.vector, 0x20);
  deepEqual(stack(r2.m, 3), [4, RO + 4, 0x1000]);
  deepEqual(links(r2.m, H, E1, RO), [[RO, RO], [0, 0], [H, H]]);
});

Deno.test("4.11 REMQUE validates the writes before changing anything", () => {
  const RO = 0x3400;
  const r = run(`REMQUE @#${E1},R0\n HALT`, {
    mapping: true,
    regs: { R0: 0x55 },
    longs: {
      [H]: E1,
      [H + 4]: RO,
      [E1]: RO,
      [E1 + 4]: H,
      [RO]: H,
      [RO + 4]: E1,
      [pteAddress(RO)]: pte(RO >>> 9, PROT.KR),
    },
  });
  equal(r.vector, 0x20);
  deepEqual(stack(r.m, 3), [4, RO + 4, 0x1000]);
  equal(r.m.get("R0"), 0x55);
  deepEqual(links(r.m, H, E1, RO), [[E1, RO], [RO, H], [H, E1]]);
});

Deno.test("4.11 queue instructions work in user mode", () => {
  const r = run(`INSQUE @#${E1},@#${H}\n REMQUE @#${E1},R0\n HALT`, {
    psl: 0x03c00000,
    longs: { [H]: H, [H + 4]: H },
  });
  equal(r.vector, 0x10); // the user-mode HALT
  equal(r.m.get("R0"), E1);
  deepEqual(links(r.m, H), [[H, H]]);
  equal(flags(stack(r.m, 2)[1]!), "Z");
});
