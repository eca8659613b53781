// The character-string instructions in a virtual machine: a string that
// crosses pages takes shadow-fill exits in its middle (the monitor fills
// the shadow table and resumes the instruction with PSL<FPD> set), and a
// guest page fault in the middle is reflected to the guest's handler, which
// fixes the page and resumes it with REI. Either way the guest must end in
// the state the bare machine reaches (vax-architecture.md 3.6; equivalence).
import { ok } from "node:assert/strict";
import {
  equivalent,
  P0PT,
  PROT,
  psl,
  pte,
  pteAddress,
  Rng,
} from "./_helpers.ts";

/** Longwords of a byte pattern over [pa, pa + n). */
function patternLongs(pa: number, n: number, seed: number) {
  const out: Record<number, number> = {};
  for (let i = 0; i < n; i += 4) {
    let v = 0;
    for (let k = 0; k < 4; k++) {
      v |= (((i + k) * 7 + seed * 13) % 251 + 1) << (8 * k);
    }
    out[pa + i] = v >>> 0;
  }
  return out;
}

Deno.test("strings in a VM: long moves, compares and scans across pages take shadow fills mid-string and end as bare", () => {
  const p = equivalent(
    `       MOVC3 #^X900, @#^X9033, @#^XB001
        MOVC3 #^X700, @#^XB100, @#^XB003
        MOVC5 #^X10, @#^X9000, #^X5A, #^X800, @#^XC001
        CMPC3 #^X600, @#^X9033, @#^XB001
        MOVL R0, R6
        CMPC5 #^X300, @#^XE000, #0, #^X500, @#^XE200
        MOVL R0, R7
        LOCC #^X5A, #^X900, @#^XC000
        MOVL R1, R8
        SKPC #^X5A, #^X900, @#^XC011
        MOVL R1, R9
        SCANC #^X400, @#^X9000, @#^XF000, #^X80
        MOVL R1, R10
        SPANC #^X400, @#^X9000, @#^XF000, #^X7F
        HALT`,
    {
      mapping: true,
      longs: {
        ...patternLongs(0x9000, 0xa00, 1),
        ...patternLongs(0xf000, 0x100, 2),
      },
      limit: 1000,
    },
  );
  ok(p.vm.stats.shadowFills >= 10, `${p.vm.stats.shadowFills} fills`);
  ok(p.bare.hw.halted);
});

const HANDLER = `
        .ALIGN 2
tnv:    MOVL R11, -(SP)
        INCL @#^X3F00
        MOVL 8(SP), R11
        MTPR R11, #PR$_TBIS
        ASHL #-9, R11, R11
        BISL2 #^X80000000, @#${0x80000000 + P0PT}[R11]
        MOVL (SP)+, R11
        ADDL2 #8, SP
        REI`;

Deno.test("strings in a VM: a guest page fault mid-string goes to the guest's handler, which resumes the instruction", () => {
  for (
    const [body, invalid] of [
      ["MOVC3 #^X500, @#^XB033, @#^X9001", 0x9200],
      ["MOVC3 #^X600, @#^X9010, @#^X9111", 0x9400],
      ["MOVC5 #5, @#^X9000, #^XA5, #^X400, @#^XB100", 0xb200],
      ["CMPC3 #^X400, @#^X9000, @#^XB000", 0xb200],
      ["LOCC #0, #^X300, @#^X9100", 0x9200],
      ["SCANC #^X200, @#^X9000, @#^XD000, #1", 0xd000],
    ] as const
  ) {
    for (const mode of [0, 3]) {
      // Kernel: the handler runs in the guest's kernel; user: the string
      // runs in user mode (entered by REI) and faults into kernel.
      const p = equivalent(
        `       PUSHL #${psl({ cur: mode, prv: mode })}
        PUSHAB body
        REI
body:   ${body}
        CHMK #0
${HANDLER}
        .ALIGN 2
chmk:   HALT`,
        {
          mapping: true,
          vectors: { 0x24: "tnv", 0x40: "chmk" },
          longs: {
            ...patternLongs(0x9000, 0x800, 3),
            ...patternLongs(0xb000, 0x400, 3),
            ...patternLongs(0xd000, 0x100, 4),
            [pteAddress(invalid)]: pte(invalid >>> 9, PROT.UW, false),
          },
          limit: 1000,
        },
        {},
        `${body} (mode ${mode})`,
      );
      ok(p.bare.hw.halted, body);
      ok(
        p.bare.hw.readPhysical(0x3f00, 1)[0] === 1,
        `${body}: one fault taken`,
      );
    }
  }
});

/** A random string instruction over the data pages 0x9000-0xCFFF. */
function randomString(r: Rng): string {
  const len = () => r.chance(0.3) ? r.int(16) : r.range(0x80, 0x600);
  const at = (n: number) => `@#^X${(0x9000 + r.int(0x4000 - n)).toString(16)}`;
  const byte = () => `#^X${r.int(256).toString(16)}`;
  const n = len();
  const m = len();
  switch (r.int(8)) {
    case 0:
      return `MOVC3 #${n}, ${at(n)}, ${at(n)}`;
    case 1:
      return `MOVC5 #${n}, ${at(n)}, ${byte()}, #${m}, ${at(m)}`;
    case 2:
      return `CMPC3 #${n}, ${at(n)}, ${at(n)}`;
    case 3:
      return `CMPC5 #${n}, ${at(n)}, ${byte()}, #${m}, ${at(m)}`;
    case 4:
      return `LOCC ${byte()}, #${n}, ${at(n)}`;
    case 5:
      return `SKPC ${byte()}, #${n}, ${at(n)}`;
    case 6:
      return `SCANC #${n}, ${at(n)}, ${at(256)}, ${byte()}`;
    default:
      return `SPANC #${n}, ${at(n)}, ${at(256)}, ${byte()}`;
  }
}

Deno.test("strings in a VM: random strings over pages that fault mid-string, fixed by the guest and resumed, end as bare (40 seeds)", () => {
  let fpdFaults = 0;
  for (let seed = 1; seed <= 40; seed++) {
    const r = new Rng(seed);
    const mode = r.pick([0, 3]);
    const body: string[] = [];
    for (let k = 0; k < 12; k++) {
      body.push(
        randomString(r),
        ...[0, 1, 2, 3, 4, 5].map((i) => `MOVL R${i}, (R11)+`),
        "MOVPSL (R11)+",
      );
    }
    const invalid: Record<number, number> = {};
    for (let va = 0x9000; va < 0xd000; va += 0x200) {
      if (r.chance(0.4)) {
        invalid[pteAddress(va)] = pte(va >>> 9, PROT.UW, false);
      }
    }
    const source = `       MOVL #^X4000, R11
        PUSHL #${psl({ cur: mode, prv: mode })}
        PUSHAB body
        REI
body:   ${body.join("\n        ")}
        CHMK #0
        .ALIGN 2
tnv:    BITL #^X08000000, 12(SP)
        BEQL tnv1
        INCL @#^X3F04
tnv1:   MOVL R10, -(SP)
        INCL @#^X3F00
        MOVL 8(SP), R10
        MTPR R10, #PR$_TBIS
        ASHL #-9, R10, R10
        BISL2 #^X80000000, @#${0x80000000 + P0PT}[R10]
        MOVL (SP)+, R10
        ADDL2 #8, SP
        REI
        .ALIGN 2
chmk:   HALT`;
    const p = equivalent(
      source,
      {
        mapping: true,
        vectors: { 0x24: "tnv", 0x40: "chmk" },
        longs: {
          ...patternLongs(0x9000, 0x4000, seed),
          ...invalid,
        },
        limit: 5000,
      },
      {},
      `seed ${seed}`,
    );
    ok(p.bare.hw.halted, `seed ${seed} halted`);
    const b = p.bare.hw.readPhysical(0x3f04, 4);
    fpdFaults += b[0]! | (b[1]! << 8);
  }
  ok(fpdFaults >= 100, `${fpdFaults} faults with PSL<FPD> saved set`);
});
