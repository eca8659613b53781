// PROBER / PROBEW (section 8.1).
import { deepEqual, equal } from "node:assert/strict";
import {
  cc,
  flags,
  P0PT,
  PROT,
  psl,
  pte,
  pteAddress,
  run,
  SPT,
  stack,
} from "./_helpers.ts";

const A = 0x4000;
const B = 0x4200;
const C = 0x4400;

interface ProbeSetup {
  prv?: number;
  cur?: number;
  prot?: Record<number, number>;
  invalid?: number[];
  ccIn?: string;
  longs?: Record<number, number>;
  regs?: Record<string, number>;
  mapping?: boolean;
}

/** Runs one PROBE instruction; returns the Z flag, or the vector taken. */
function probe(src: string, s: ProbeSetup = {}) {
  const longs: Record<number, number> = { ...s.longs };
  for (const [page, prot] of Object.entries(s.prot ?? {})) {
    const p = Number(page);
    longs[pteAddress(p)] = pte(p >>> 9, prot, !(s.invalid ?? []).includes(p));
  }
  const r = run(`${src}\n HALT`, {
    mapping: s.mapping ?? true,
    psl: psl({ cur: s.cur ?? 0, prv: s.prv ?? 0, cc: cc(s.ccIn ?? "") }),
    longs,
    regs: s.regs,
  });
  return r;
}

/** Z after a PROBE that must complete (kernel HALT reached). */
function z(src: string, s: ProbeSetup = {}): boolean {
  const r = probe(src, s);
  if ((s.cur ?? 0) === 0) equal(r.vector, -1, `${src}: completed`);
  const p = (s.cur ?? 0) === 0 ? r.m.psl : stack(r.m, 2)[1]!;
  return (p & 4) !== 0;
}

Deno.test("8.1 PROBER / PROBEW: Z=1 iff the page is not accessible", () => {
  equal(z(`PROBER #3,#4,@#${A}`, { prot: { [A]: PROT.UR } }), false);
  equal(z(`PROBEW #3,#4,@#${A}`, { prot: { [A]: PROT.UR } }), true);
  equal(z(`PROBEW #3,#4,@#${A}`, { prot: { [A]: PROT.UW } }), false);
  equal(z(`PROBER #3,#4,@#${A}`, { prot: { [A]: PROT.NA } }), true);
  equal(z(`PROBER #0,#4,@#${A}`, { prot: { [A]: PROT.KR } }), false);
  equal(z(`PROBEW #0,#4,@#${A}`, { prot: { [A]: PROT.KR } }), true);
});

Deno.test("8.1 probe mode = max(mode<1:0>, PSL<PRV_MOD>)", () => {
  const kw = { [A]: PROT.KW };
  equal(z(`PROBER #0,#1,@#${A}`, { prv: 0, prot: kw }), false, "kernel");
  equal(
    z(`PROBER #0,#1,@#${A}`, { prv: 3, prot: kw }),
    true,
    "clamped to user",
  );
  equal(z(`PROBER #3,#1,@#${A}`, { prv: 0, prot: kw }), true, "user asked");
  const er = { [A]: PROT.ER };
  equal(z(`PROBER #1,#1,@#${A}`, { prv: 0, prot: er }), false, "executive");
  equal(
    z(`PROBER #1,#1,@#${A}`, { prv: 2, prot: er }),
    true,
    "clamped to super",
  );
  equal(z(`PROBER #5,#1,@#${A}`, { prv: 0, prot: er }), false, "mode<1:0> = 1");
  equal(z(`PROBER #7,#1,@#${A}`, { prv: 0, prot: er }), true, "mode<1:0> = 3");
  equal(z(`PROBER #4,#1,@#${A}`, { prv: 0, prot: kw }), false, "mode<1:0> = 0");
  const sw = { [A]: PROT.SW };
  equal(
    z(`PROBEW #0,#1,@#${A}`, { prv: 2, prot: sw }),
    false,
    "super writes SW",
  );
  equal(z(`PROBEW #0,#1,@#${A}`, { prv: 3, prot: sw }), true, "user does not");
  equal(
    z(`PROBEW #2,#1,@#${A}`, { prv: 0, prot: { [A]: PROT.SR } }),
    true,
    "SR is read-only",
  );
});

Deno.test("8.1 only base and base+len-1 are checked (zero-extended 16-bit len)", () => {
  const prot = { [A]: PROT.UW, [B]: PROT.NA, [C]: PROT.UW };
  equal(z(`PROBER #0,#^X600,@#${A}`, { prot }), false, "middle page skipped");
  equal(z(`PROBER #0,#^X201,@#${A}`, { prot }), true, "last byte in B");
  equal(z(`PROBER #0,#^X200,@#${A}`, { prot }), false, "last byte in A");
  // len ^XFFFF is 65535, not -1: base + 0xFFFE lies far above.
  const far = A + 0xfffe;
  equal(
    z(`PROBER #0,#^XFFFF,@#${A}`, { prot: { ...prot, [far & ~511]: PROT.NA } }),
    true,
  );
});

Deno.test("8.1 len = 0 checks base and base - 1", () => {
  const prot = { [A]: PROT.NA, [B]: PROT.UR };
  equal(z(`PROBER #0,#0,@#${B}`, { prot }), true);
  equal(z(`PROBER #0,#1,@#${B}`, { prot }), false);
});

Deno.test("8.1 length violations mean 'not accessible', without a fault", () => {
  equal(z(`PROBER #0,#4,@#^X20000`), true, "P0 VPN >= P0LR");
  equal(z(`PROBEW #0,#4,@#^X7FFEFE00`), true, "P1 VPN < P1LR");
  equal(z(`PROBER #0,#4,@#^X7FFF0000`), false, "P1 VPN = P1LR");
  equal(z(`PROBER #0,#4,@#^X80020000`), true, "S0 VPN >= SLR");
  equal(z(`PROBER #0,#4,@#^X8001FE00`), false, "last S0 page");
  equal(z(`PROBER #0,#4,@#^XC0000000`), true, "S1");
});

Deno.test("8.1 the valid bit of the target page is ignored", () => {
  equal(
    z(`PROBER #0,#4,@#${A}`, { prot: { [A]: PROT.UW }, invalid: [A] }),
    false,
  );
  equal(
    z(`PROBEW #0,#4,@#${A}`, { prot: { [A]: PROT.UW }, invalid: [A] }),
    false,
  );
  equal(
    z(`PROBER #0,#4,@#${A}`, { prot: { [A]: PROT.NA }, invalid: [A] }),
    true,
  );
});

// The second page of the P0 page table (PTEs of P0 VPN 0x80-0xFF) is S0
// VPN 0xC2; invalidate its system PTE.
const P0PT_PAGE2 = ((0x80000000 + P0PT + 0x200) >>> 9) & 0x1fffff;

Deno.test("8.1 invalid system PTE for the process page table: TNV fault, mask bit 1", () => {
  for (const [op, mask] of [["PROBER", 2], ["PROBEW", 6]] as const) {
    const r = probe(`${op} #0,#4,@#^X10000`, {
      longs: { [SPT + 4 * P0PT_PAGE2]: pte(P0PT_PAGE2, PROT.KW, false) },
    });
    equal(r.vector, 0x24, op);
    deepEqual(stack(r.m, 4), [mask, 0x10000, 0x1000, 0], op);
  }
});

Deno.test("8.1 system length violation on the process PTE: 'not accessible', no fault", () => {
  equal(z(`PROBER #0,#4,@#^X10000`, { regs: { SLR: P0PT_PAGE2 } }), true);
  equal(z(`PROBER #0,#4,@#^X0FE00`, { regs: { SLR: P0PT_PAGE2 } }), false);
});

Deno.test("8.1 condition codes: N=0, V=0, Z = inaccessible, C unchanged (SimH)", () => {
  let r = probe(`PROBER #0,#4,@#${A}`, { ccIn: "NVC" });
  equal(flags(r.m.psl), "C");
  r = probe(`PROBER #3,#4,@#${A}`, { ccIn: "NZV", prot: { [A]: PROT.KW } });
  equal(flags(r.m.psl), "Z");
  r = probe(`PROBEW #0,#4,@#${A}`, { ccIn: "NZVC" });
  equal(flags(r.m.psl), "C");
});

Deno.test("8.1 with MAPEN = 0 everything is accessible", () => {
  equal(z(`PROBEW #3,#4,@#^X20000000`, { mapping: false }), false);
  equal(z(`PROBER #3,#0,@#^XC0000000`, { mapping: false }), false);
});

Deno.test("8.1 PROBE is not privileged: user mode probes as user", () => {
  equal(
    z(`PROBER #0,#4,@#${A}`, { cur: 3, prv: 3, prot: { [A]: PROT.UR } }),
    false,
  );
  equal(
    z(`PROBER #0,#4,@#${A}`, { cur: 3, prv: 3, prot: { [A]: PROT.KW } }),
    true,
  );
  equal(
    z(`PROBEW #0,#4,@#${A}`, { cur: 3, prv: 3, prot: { [A]: PROT.UR } }),
    true,
  );
});
