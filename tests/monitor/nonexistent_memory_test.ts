// Nonexistent guest memory met part-way through an instruction (Popek and
// Goldberg's equivalence, vax-architecture.md 5.4): the guest must end as
// bare hardware ends: the instruction's earlier effects kept (a queue's
// secondary interlock, a link written before the faulting one) and the
// KA655 machine-check frame word for word (code, address, opcode, PC
// advance), for instructions the processor runs and ones the monitor
// emulates (LDPCTX).
import { deepEqual, equal } from "node:assert/strict";
import {
  assertEquivalent,
  MEMORY,
  PROT,
  pte,
  pteAddress,
  runBoth,
  stackTop,
  vectorTaken,
} from "./_helpers.ts";

const MCHK = 0x04;
const hex = (v: number) => (v >>> 0).toString(16);
// A guest-physical address beyond the guest's memory (mapping off).
const NXM = MEMORY + 0x4000;

// Guest mapping on: the queue in S0 (identity-mapped guest memory), its
// successor in an S0 page whose PTE names a frame beyond the guest's memory.
const S0 = 0x80000000;
const Q = S0 + 0x1800, E = S0 + 0x1900, X = S0 + 0x8000;
const MAPPED = {
  mapping: true,
  longs: { [pteAddress(X)]: pte(0x7fff, PROT.KW) },
};

const QUEUES: [string, string][] = [
  [
    "INSQUE",
    `MOVL #^X${hex(X)}, @#^X${hex(Q)}
     INSQUE @#^X${hex(E)}, @#^X${hex(Q)}`,
  ],
  [
    "REMQUE",
    `MOVL #^X${hex(X)}, @#^X${hex(Q)}
     MOVL #^X${hex(X)}, @#^X${hex(Q + 4)}
     REMQUE @#^X${hex(Q)}, R1`,
  ],
  [
    "INSQHI",
    `MOVL #^X${hex(X - Q)}, @#^X${hex(Q)}
     INSQHI @#^X${hex(E)}, @#^X${hex(Q)}`,
  ],
  [
    "INSQTI",
    `MOVL #^X${hex(X - Q)}, @#^X${hex(Q + 4)}
     MOVL #^X${hex(X - Q)}, @#^X${hex(Q)}
     INSQTI @#^X${hex(E)}, @#^X${hex(Q)}`,
  ],
  [
    "REMQHI",
    `MOVL #^X${hex(X - Q)}, @#^X${hex(Q)}
     REMQHI @#^X${hex(Q)}, R1`,
  ],
  [
    "REMQTI",
    `MOVL #^X${hex(X - Q)}, @#^X${hex(Q + 4)}
     MOVL #^X${hex(X - Q)}, @#^X${hex(Q)}
     REMQTI @#^X${hex(Q)}, R1`,
  ],
];

for (const [name, source] of QUEUES) {
  Deno.test(`${name} reaching nonexistent memory: bare hardware's machine check and partial effects`, () => {
    const p = runBoth(
      `${source}
     HALT`,
      MAPPED,
    );
    equal(vectorTaken(p.bare.hw), MCHK, "bare: machine check");
    equal(vectorTaken(p.vm), MCHK, "monitor: machine check");
    deepEqual(stackTop(p.vm, 7), stackTop(p.bare.hw, 7));
    assertEquivalent(p, name);
  });
}

Deno.test("LDPCTX whose new kernel stack is nonexistent: the write machine check of bare hardware", () => {
  const p = runBoth(
    `MOVL #^X${hex(NXM)}, @#^X1800
     MTPR #^X1800, #PR$_PCBB
     LDPCTX
     HALT`,
  );
  equal(vectorTaken(p.bare.hw), MCHK);
  equal(vectorTaken(p.vm), MCHK);
  const frame = stackTop(p.bare.hw, 7);
  equal(frame[1], 0x82, "write");
  equal(frame[2], (NXM - 8 + 4) >>> 0, "address + 4");
  equal(frame[3]! >>> 24, 0x06, "opcode LDPCTX");
  deepEqual(stackTop(p.vm, 7), frame);
  assertEquivalent(p);
});

Deno.test("LDPCTX and SVPCTX with a PCB beyond memory: the processor's machine check", () => {
  for (const op of ["LDPCTX", "SVPCTX"]) {
    const p = runBoth(
      `MTPR #^X${hex(NXM)}, #PR$_PCBB
     ${op}
     HALT`,
    );
    equal(vectorTaken(p.bare.hw), MCHK, op);
    equal(vectorTaken(p.vm), MCHK, op);
    deepEqual(stackTop(p.vm, 7), stackTop(p.bare.hw, 7), op);
    assertEquivalent(p, op);
  }
});

Deno.test("mapping off: INSQUE and INSQHI reaching beyond the guest's memory end as bare", () => {
  const nxm = hex(MEMORY + 0x4000);
  const cases = [
    `MOVL #^X${nxm}, @#^X1800
     INSQUE @#^X1900, @#^X1800`,
    `MOVL #^X${hex(MEMORY + 0x4000 - 0x1800)}, @#^X1800
     INSQHI @#^X1900, @#^X1800`,
  ];
  for (const source of cases) {
    const p = runBoth(`${source}
     HALT`);
    equal(vectorTaken(p.bare.hw), MCHK, "bare: machine check");
    equal(vectorTaken(p.vm), MCHK, "monitor: machine check");
    deepEqual(stackTop(p.vm, 7), stackTop(p.bare.hw, 7));
    assertEquivalent(p, source);
  }
});
