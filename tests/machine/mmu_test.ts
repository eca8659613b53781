// Memory management (section 10): protection codes, length violations, the
// double miss, the M bit, the translation buffer, MAPEN = 0.
import { deepEqual, equal } from "node:assert/strict";
import {
  DATA,
  P0PT,
  P1_PHYS,
  P1PT,
  PROT,
  psl,
  pte,
  pteAddress,
  readL,
  run,
  SPT,
  stack,
  STACKS,
} from "./_helpers.ts";

// Section 10.4, written out by hand: for each code, the rights of kernel,
// executive, supervisor, user ("W" read and write, "R" read only, "-" none).
const RIGHTS = [
  "----", // 0 NA
  "----", // 1 reserved (SimH: no access)
  "W---", // 2 KW
  "R---", // 3 KR
  "WWWW", // 4 UW
  "WW--", // 5 EW
  "WR--", // 6 ERKW
  "RR--", // 7 ER
  "WWW-", // 8 SW
  "WWR-", // 9 SREW
  "WRR-", // 10 SRKW
  "RRR-", // 11 SR
  "WWWR", // 12 URSW
  "WWRR", // 13 UREW
  "WRRR", // 14 URKW
  "RRRR", // 15 UR
];

Deno.test("10.4 every protection code in every mode, for reads and writes", () => {
  for (let prot = 0; prot < 16; prot++) {
    for (let mode = 0; mode < 4; mode++) {
      for (const write of [false, true]) {
        const right = RIGHTS[prot]![mode]!;
        const allowed = write ? right === "W" : right !== "-";
        const src = write ? `MOVL R1,@#${DATA}` : `MOVL @#${DATA},R0`;
        const r = run(`${src}\nfin: HALT`, {
          mapping: true,
          psl: psl({ cur: mode, prv: mode }),
          regs: { R0: 0, R1: 0xabcd },
          longs: { [DATA]: 0x1234, [pteAddress(DATA)]: pte(DATA >>> 9, prot) },
        });
        const what = `code ${prot} mode ${mode} ${write ? "write" : "read"}`;
        if (allowed) {
          // Kernel halts at fin; other modes fault on the HALT (RIF).
          if (mode === 0) equal(r.vector, -1, what);
          else {
            equal(r.vector, 0x10, what);
            equal(stack(r.m, 1)[0], r.sym("fin"), what);
          }
          if (write) equal(readL(r.m, DATA), 0xabcd, what);
          else equal(r.m.get("R0"), 0x1234, what);
        } else {
          equal(r.vector, 0x20, what);
          deepEqual(stack(r.m, 3), [write ? 4 : 0, DATA, 0x1000], what);
          equal(readL(r.m, DATA), 0x1234, `${what}: memory unchanged`);
          equal(r.m.get("R0"), 0, `${what}: R0 unchanged`);
        }
      }
    }
  }
});

Deno.test("10.5 protection is checked before the valid bit (NA + invalid: ACV, not TNV)", () => {
  let r = run(`MOVL @#${DATA},R0\n HALT`, {
    mapping: true,
    psl: psl({ cur: 3, prv: 3 }),
    longs: { [pteAddress(DATA)]: pte(DATA >>> 9, PROT.KW, false) },
  });
  equal(r.vector, 0x20);
  r = run(`MOVL @#${DATA},R0\n HALT`, {
    mapping: true,
    psl: psl({ cur: 3, prv: 3 }),
    longs: { [pteAddress(DATA)]: pte(DATA >>> 9, PROT.UR, false) },
  });
  equal(r.vector, 0x24);
  deepEqual(stack(r.m, 3), [0, DATA, 0x1000]);
});

/** Runs one access; returns [vector, mask, VA]. */
function access(
  src: string,
  longs: Record<number, number> = {},
  regs: Record<string, number> = {},
) {
  const r = run(`${src}\n HALT`, { mapping: true, longs, regs });
  const [mask, va] = r.vector === 0x20 || r.vector === 0x24
    ? stack(r.m, 2)
    : [undefined, undefined];
  return { r, vector: r.vector, mask, va };
}

Deno.test("10.2 length violations: P0 VPN >= P0LR, P1 VPN < P1LR, S0 VPN >= SLR, S1 always", () => {
  const cases: [number, boolean][] = [
    [0x00020000, true], // P0 VPN 0x100 = P0LR
    [0x3ffffffc, true],
    [0x7ffefffc, true], // P1 VPN 0x1FFF7F < P1LR
    [0x40000000, true],
    [0x80020000, true], // S0 VPN 0x100 = SLR
    [0xbffffffc, true],
    [0xc0000000, true], // S1
    [0xc0003000, true],
    [0xfffffffc, true],
    [0x0001fffc, false], // last P0 page
    [0x7fff0000, false], // first valid P1 page
    [0x7ffffffc, false],
    [0x8001fffc, false], // last S0 page
  ];
  for (const [va, violation] of cases) {
    for (const write of [false, true]) {
      const src = write ? `MOVL R1,@#${va}` : `MOVL @#${va},R0`;
      const a = access(src);
      if (violation) {
        equal(a.vector, 0x20, src);
        equal(a.mask, write ? 5 : 1, `${src}: length (+ write)`);
        equal(a.va, va, src);
      } else {
        equal(a.vector, -1, src);
      }
    }
  }
});

Deno.test("10.5 P1 and S0 translation: PA = PFN * 512 + VA<8:0>", () => {
  const a = access(
    `MOVL @#^X7FFF0204,R0\n MOVL @#^X80003008,R1\n MOVL @#^X80002004,R2`,
    {
      [P1_PHYS + 0x204]: 0x11111111,
      [DATA + 8]: 0x22222222,
      // S0 page 0x80002000 remapped to physical 0x24000.
      [SPT + 4 * (0x2000 >>> 9)]: pte(0x24000 >>> 9, PROT.KW),
      [0x24004]: 0x33333333,
    },
  );
  deepEqual([a.r.m.get("R0"), a.r.m.get("R1"), a.r.m.get("R2")], [
    0x11111111,
    0x22222222,
    0x33333333,
  ]);
});

// The second page of the P0 page table (PTEs of P0 VPN 0x80-0xFF) is S0 VPN
// 0xC2; the P1 page table is S0 VPN 0xC0.
const P0PT_PAGE2 = ((0x80000000 + P0PT + 0x200) >>> 9) & 0x1fffff;
const P1PT_PAGE = ((0x80000000 + P1PT) >>> 9) & 0x1fffff;

Deno.test("10.5 double miss: the process PTE's system page is invalid -> TNV, mask bit 1", () => {
  for (const write of [false, true]) {
    const src = write ? "MOVL R1,@#^X10000" : "MOVL @#^X10000,R0";
    const a = access(src, {
      [SPT + 4 * P0PT_PAGE2]: pte(P0PT_PAGE2, PROT.KW, false),
    });
    equal(a.vector, 0x24, src);
    equal(a.mask, write ? 6 : 2, src);
    equal(a.va, 0x10000, "VA = the original address");
  }
  const p1 = access("MOVL @#^X7FFF0000,R0", {
    [SPT + 4 * P1PT_PAGE]: pte(P1PT_PAGE, PROT.KW, false),
  });
  deepEqual([p1.vector, p1.mask, p1.va], [0x24, 2, 0x7fff0000]);
});

Deno.test("10.5 system length violation on the process PTE -> ACV, mask bits 0 and 1", () => {
  for (const write of [false, true]) {
    const src = write ? "MOVL R1,@#^X10000" : "MOVL @#^X10000,R0";
    const a = access(src, {}, { SLR: P0PT_PAGE2 });
    equal(a.vector, 0x20, src);
    equal(a.mask, write ? 7 : 3, src);
    equal(a.va, 0x10000);
  }
});

Deno.test("10.5 no protection check on the system PTE that maps a process page table (KA655)", () => {
  const a = access("MOVL @#^X10000,R0", {
    [SPT + 4 * P0PT_PAGE2]: pte(P0PT_PAGE2, PROT.NA),
    [0x10000]: 0x5a5a,
  });
  equal(a.vector, -1);
  equal(a.r.m.get("R0"), 0x5a5a);
});

Deno.test("10.5 a write sets M in the PTE in memory; a read does not", () => {
  const before = pte(DATA >>> 9, PROT.UW);
  let a = access(`MOVL @#${DATA},R0`);
  equal(readL(a.r.m, pteAddress(DATA)), before, "read: M clear");
  a = access(`CLRL @#${DATA}`);
  equal(readL(a.r.m, pteAddress(DATA)), (before | 0x04000000) >>> 0);
  a = access(`INCB @#${DATA + 3}`);
  equal(readL(a.r.m, pteAddress(DATA)), (before | 0x04000000) >>> 0, "modify");
  // A read first (TB entry without M), then a write: M still gets set.
  a = access(`MOVL @#${DATA},R0\n MOVL R0,@#${DATA + 4}`);
  equal(readL(a.r.m, pteAddress(DATA)), (before | 0x04000000) >>> 0);
  // An S0 write sets M in the system PTE.
  a = access(`CLRL @#^X80003000`);
  equal(readL(a.r.m, SPT + 4 * 0x18), pte(0x18, PROT.KW, true, true));
});

Deno.test("10.5 a faulting write does not set M", () => {
  const a = access(`CLRL @#${DATA}`, {
    [pteAddress(DATA)]: pte(DATA >>> 9, PROT.UR),
  });
  equal(a.vector, 0x20);
  equal(readL(a.r.m, pteAddress(DATA)), pte(DATA >>> 9, PROT.UR));
});

const A = 0x4000;
const B = 0x4200;
// The P0 PTE of A, through its system virtual address.
const PTE_A_S0 = 0x80000000 + pteAddress(A);

Deno.test("10.6 the TB caches: a changed PTE is not seen until TBIS", () => {
  const a = access(
    `MOVL @#${A},R0
     MOVL #${pte(B >>> 9, PROT.UW)},@#${PTE_A_S0}
     MOVL @#${A},R1
     MTPR #${A},#PR$_TBIS
     MOVL @#${A},R2`,
    { [A]: 0x1111, [B]: 0x2222 },
  );
  deepEqual([a.r.m.get("R0"), a.r.m.get("R1"), a.r.m.get("R2")], [
    0x1111,
    0x1111,
    0x2222,
  ]);
});

Deno.test("10.6 TBIA invalidates every entry", () => {
  const a = access(
    `MOVL @#${A},R0
     MOVL @#^X80004000,R3
     MOVL #${pte(B >>> 9, PROT.UW)},@#${PTE_A_S0}
     MOVL #${pte(B >>> 9, PROT.KW)},@#${SPT + 4 * (A >>> 9) + 0x80000000}
     MOVL @#${A},R1
     MOVL @#^X80004000,R4
     MTPR #0,#PR$_TBIA
     MOVL @#${A},R2
     MOVL @#^X80004000,R5`,
    { [A]: 0x1111, [B]: 0x2222 },
  );
  deepEqual(
    [0, 1, 2, 3, 4, 5].map((n) => a.r.m.get(`R${n}`)),
    [0x1111, 0x1111, 0x2222, 0x1111, 0x1111, 0x2222],
  );
});

Deno.test("10.6 TBIS of another page leaves the entry", () => {
  const a = access(
    `MOVL @#${A},R0
     MOVL #${pte(B >>> 9, PROT.UW)},@#${PTE_A_S0}
     MTPR #${B},#PR$_TBIS
     MOVL @#${A},R1`,
    { [A]: 0x1111, [B]: 0x2222 },
  );
  equal(a.r.m.get("R1"), 0x1111);
});

Deno.test("10.6/11.2 LDPCTX invalidates the process (P0/P1) TB entries", () => {
  const PCB = 0x4800;
  const a = access(
    `MOVL @#${A},R0
     MOVL #${pte(B >>> 9, PROT.UW)},@#${PTE_A_S0}
     MOVL @#${A},R1
     MOVL R1,@#${DATA}
     LDPCTX
     MOVL @#${A},R2`,
    {
      [A]: 0x1111,
      [B]: 0x2222,
      [PCB]: STACKS.KSP,
      [PCB + 0x50]: 0x80000000 + P0PT,
      [PCB + 0x54]: 0x04000100, // ASTLVL 4, P0LR 0x100
      [PCB + 0x58]: 0x80000000 + P1PT - 4 * 0x1fff80,
      [PCB + 0x5c]: 0x1fff80,
    },
    { PCBB: PCB },
  );
  equal(a.vector, -1);
  equal(readL(a.r.m, DATA), 0x1111, "old mapping before LDPCTX");
  equal(a.r.m.get("R2"), 0x2222, "new mapping after");
});

Deno.test("10.6 TB entries remember the rights: a kernel-cached page still faults for user", () => {
  const r = run(
    `       MOVL @#${A},R0
        PUSHL #${psl({ cur: 3, prv: 3 })}
        PUSHAB user
        REI
user:   MOVL @#${A},R1
        HALT`,
    {
      mapping: true,
      regs: { R1: 0 },
      longs: { [A]: 0x1111, [pteAddress(A)]: pte(A >>> 9, PROT.KW) },
    },
  );
  equal(r.m.get("R0"), 0x1111);
  equal(r.vector, 0x20);
  deepEqual(stack(r.m, 3), [0, A, r.sym("user")]);
  equal(r.m.get("R1"), 0);
});

Deno.test("10.6 a TB entry filled by a read does not allow a write the PTE forbids", () => {
  const a = access(`MOVL @#${A},R0\n CLRL @#${A}`, {
    [A]: 0x1111,
    [pteAddress(A)]: pte(A >>> 9, PROT.UR),
  });
  equal(a.vector, 0x20);
  equal(a.mask, 4);
  equal(readL(a.r.m, A), 0x1111);
});

Deno.test("10.1 MAPEN = 0: PA = VA<29:0>, no protection or length checks in any mode", () => {
  const r = run(
    `       MOVL @#^X80003000,R0
        MOVL @#^XC0003004,R1
        MOVL @#^X40003008,R2
        MOVL R0,@#^XC000300C
        HALT`,
    {
      psl: psl({ cur: 3, prv: 3 }),
      longs: { [DATA]: 0xa, [DATA + 4]: 0xb, [DATA + 8]: 0xc },
    },
  );
  deepEqual([r.m.get("R0"), r.m.get("R1"), r.m.get("R2")], [0xa, 0xb, 0xc]);
  equal(readL(r.m, DATA + 12), 0xa);
  equal(r.vector, 0x10, "only the user-mode HALT faults");
});

Deno.test("10.5/App. A instruction fetch is a read in the current mode", () => {
  // User code on a kernel-only page: ACV at the first fetch.
  const r = run("MOVL #1,R0\n HALT", {
    mapping: true,
    psl: psl({ cur: 3, prv: 3 }),
    regs: { R0: 0 },
    longs: { [pteAddress(0x1000)]: pte(0x1000 >>> 9, PROT.KW) },
  });
  equal(r.vector, 0x20);
  deepEqual(stack(r.m, 4), [0, 0x1000, 0x1000, psl({ cur: 3, prv: 3 })]);
  equal(r.m.get("R0"), 0);
});

Deno.test("10.5 instruction fetch from an invalid page: TNV with the PC as VA", () => {
  const r = run("JMP @#^X4000\n HALT", {
    mapping: true,
    longs: { [pteAddress(0x4000)]: pte(0x4000 >>> 9, PROT.UW, false) },
  });
  equal(r.vector, 0x24);
  deepEqual(stack(r.m, 3), [0, 0x4000, 0x4000]);
});

Deno.test("10.5 an instruction crossing into an inaccessible page faults with nothing done", () => {
  // MOVL #^X12345678,R0 placed so that its last bytes lie on the next page.
  const start = 0x11fc;
  const r = run("HALT", {
    mapping: true,
    regs: { PC: start, R0: 0 },
    longs: {
      [start]: 0x56788fd0, // D0 8F 78 56
      [start + 4]: 0x00501234, // 34 12 50 00
      [pteAddress(0x1200)]: pte(0x1200 >>> 9, PROT.NA),
    },
  });
  equal(r.vector, 0x20);
  const [mask, va, pc] = stack(r.m, 3);
  deepEqual([mask, pc], [0, start]);
  equal(va! >= 0x1200 && va! < 0x1400, true);
  equal(r.m.get("R0"), 0);
});
