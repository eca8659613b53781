// MTPR / MFPR (section 8.3) and the internal processor registers (section 9).
import { deepEqual, equal } from "node:assert/strict";
import { cc, DATA, exec, flags, psl, run, stack, STACKS } from "./_helpers.ts";

Deno.test("8.3 MTPR / MFPR from a non-kernel mode: RIF", () => {
  for (const cur of [1, 2, 3]) {
    for (
      const src of ["MTPR #0,#PR$_IPL", "MFPR #PR$_IPL,R0", "MFPR #PR$_SID,R0"]
    ) {
      const start = psl({ cur, prv: 3, cc: cc("Z") });
      const r = run(`${src}\n HALT`, { psl: start, regs: { R0: 0x55 } });
      equal(r.vector, 0x10, `${src} in mode ${cur}`);
      deepEqual(stack(r.m, 2), [0x1000, start]);
      equal(r.m.get("R0"), 0x55);
    }
  }
});

Deno.test("8.3 IPR numbers above 63: ROF, except the disk IPRs 64-68 (with a disk) and VMPSL (80)", () => {
  // The test machine has no disk: no disk controller, no disk IPRs (KA655).
  for (
    const n of [64, 65, 66, 67, 68, 69, 79, 81, 100, 127, 0x100, 0x80000000]
  ) {
    for (const src of [`MTPR #0,#${n}`, `MFPR #${n},R0`]) {
      const r = run(`${src}\n HALT`, { regs: { R0: 0x55 } });
      equal(r.vector, 0x18, src);
      deepEqual(stack(r.m, 2), [0x1000, 0], src);
      equal(r.m.get("R0"), 0x55);
    }
  }
  for (const n of [64, 65, 66, 67, 68]) {
    const r = run(`MFPR #${n},R0\n HALT`, { disk: "64 KiB" });
    equal(r.vector, -1, `MFPR #${n} with a disk`);
  }
  equal(run("MFPR #80,R0\n HALT").vector, -1, "VMPSL");
  const r = run("MFPR #80,R0\n HALT", { vmExtensions: false });
  equal(r.vector, 0x18, "VMPSL is reserved without the VM extensions");
});

Deno.test("8.3 MFPR of a write-only IPR (SIRR, TBIA, TBIS, TBCHK): ROF", () => {
  for (const name of ["SIRR", "TBIA", "TBIS", "TBCHK"]) {
    const r = run(`MFPR #PR$_${name},R0\n HALT`, { regs: { R0: 0x55 } });
    equal(r.vector, 0x18, name);
    equal(r.m.get("R0"), 0x55);
  }
});

Deno.test("8.3 MTPR of a read-only IPR (SID, CONPC, CONPSL): ROF", () => {
  for (const name of ["SID", "CONPC", "CONPSL"]) {
    const r = run(`MTPR #1,#PR$_${name}\n HALT`);
    equal(r.vector, 0x18, name);
    deepEqual(stack(r.m, 2), [0x1000, 0]);
  }
});

Deno.test("8.3 MTPR RXDB is ignored and MFPR TXDB reads 0 (no fault)", () => {
  const m = exec("MTPR #^X41,#PR$_RXDB\n MFPR #PR$_TXDB,R0", { R0: 0x55 });
  equal(m.get("R0"), 0);
});

Deno.test("9 reserved IPR numbers up to 63 read as 0 and ignore writes", () => {
  for (const n of [5, 6, 7, 14, 15, 22, 23, 25, 26, 36, 40, 60]) {
    const m = exec(`MTPR #-1,#${n}\n MFPR #${n},R0`, { R0: 0x55 });
    equal(m.get("R0"), 0, `IPR ${n}`);
    equal(flags(m.psl), "Z", `IPR ${n}`);
  }
});

Deno.test("9.3 MTPR ASTLVL: 0-4 accepted, > 4 ROF", () => {
  for (const v of [0, 1, 2, 3, 4]) {
    const m = exec(`MTPR #${v},#PR$_ASTLVL\n MFPR #PR$_ASTLVL,R0`);
    equal(m.get("R0"), v);
  }
  for (const v of [5, 7, 8, 0x80000000]) {
    const r = run(`MTPR #${v},#PR$_ASTLVL\n HALT`);
    equal(r.vector, 0x18, `ASTLVL ${v}`);
    equal(r.m.get("ASTLVL"), 4, "unchanged");
  }
});

Deno.test("2.2 KSP is R14 while on the kernel stack; ISP is the saved copy", () => {
  const m = exec(
    `MFPR #PR$_KSP,R0
     MFPR #PR$_ISP,R1
     MTPR #^X5000,#PR$_KSP
     MOVL SP,R2
     MTPR #^X7F00,#PR$_ISP
     MOVL SP,R3`,
    {},
    0,
    { regs: { SP: 0x5ff0 } },
  );
  deepEqual([m.get("R0"), m.get("R1")], [0x5ff0, STACKS.ISP]);
  deepEqual([m.get("R2"), m.get("R3")], [0x5000, 0x5000]);
  equal(m.get("ISP"), 0x7f00);
});

Deno.test("2.2 ISP is R14 while on the interrupt stack; KSP is the saved copy", () => {
  const m = exec(
    `MFPR #PR$_ISP,R0
     MFPR #PR$_KSP,R1
     MTPR #^X7000,#PR$_ISP
     MOVL SP,R2
     MTPR #^X5500,#PR$_KSP
     MOVL SP,R3`,
    {},
    0,
    { psl: psl({ is: true, ipl: 31 }), regs: { SP: 0x7ff0 } },
  );
  deepEqual([m.get("R0"), m.get("R1")], [0x7ff0, STACKS.KSP]);
  deepEqual([m.get("R2"), m.get("R3")], [0x7000, 0x7000]);
  equal(m.get("KSP"), 0x5500);
});

Deno.test("2.2 ESP, SSP, USP always name the saved copies", () => {
  const m = exec(
    `MFPR #PR$_ESP,R0
     MFPR #PR$_SSP,R1
     MFPR #PR$_USP,R2
     MTPR #^X1111,#PR$_ESP
     MTPR #^X2222,#PR$_SSP
     MTPR #^X3333,#PR$_USP
     MOVL SP,R3`,
  );
  deepEqual(
    [0, 1, 2, 3].map((n) => m.get(`R${n}`)),
    [STACKS.ESP, STACKS.SSP, STACKS.USP, STACKS.KSP],
  );
  deepEqual([m.get("ESP"), m.get("SSP"), m.get("USP")], [
    0x1111,
    0x2222,
    0x3333,
  ]);
});

Deno.test("9.3 MTPR IPL writes PSL<20:16> (value<4:0>); MFPR IPL reads it", () => {
  const m = exec(
    `MTPR #7,#PR$_IPL
     MOVPSL R0
     MTPR #^X3E,#PR$_IPL
     MFPR #PR$_IPL,R1`,
    {},
    0,
    { psl: psl({ ipl: 31 }) },
  );
  equal(m.get("R0"), psl({ ipl: 7 }));
  equal(m.get("R1"), 0x1e);
  equal(m.psl, psl({ ipl: 0x1e }));
});

Deno.test("9.3 lowering IPL with MTPR takes a pending interrupt right after the MTPR", () => {
  const r = run(
    `       MTPR #9,#PR$_SIRR
        MTPR #8,#PR$_IPL
next:   HALT`,
    { psl: psl({ ipl: 20 }) },
  );
  equal(r.vector, 0x80 + 4 * 9);
  deepEqual(stack(r.m, 2), [r.sym("next"), psl({ ipl: 8 })]);
});

Deno.test("9.3 SIRR value<3:0> requests level n; 0 does nothing; SISR reads <15:1>", () => {
  const m = exec(
    `MTPR #5,#PR$_SIRR
     MTPR #0,#PR$_SIRR
     MTPR #^X1F,#PR$_SIRR
     MTPR #1,#PR$_SIRR
     MFPR #PR$_SISR,R0`,
    {},
    0,
    { psl: psl({ ipl: 31 }) },
  );
  equal(m.get("R0"), (1 << 5) | (1 << 15) | (1 << 1));
});

Deno.test("9.3 MTPR SISR is masked to <15:1>", () => {
  const m = exec(
    `MTPR #-1,#PR$_SISR
     MFPR #PR$_SISR,R0
     MTPR #0,#PR$_SISR
     MFPR #PR$_SISR,R1`,
    {},
    0,
    { psl: psl({ ipl: 31 }) },
  );
  equal(m.get("R0"), 0xfffe);
  equal(m.get("R1"), 0);
});

Deno.test("9 SID reads 0x0A000006 (CVAX, microcode revision 6)", () => {
  const m = exec("MFPR #PR$_SID,R0", {}, cc("NZVC"));
  equal(m.get("R0"), 0x0a000006);
  equal(flags(m.psl), "C");
});

Deno.test("9 base registers force <1:0> to 0; length registers keep <21:0>", () => {
  const m = exec(
    `MTPR #^X80001003,#PR$_P0BR
     MFPR #PR$_P0BR,R0
     MTPR #^X7F000002,#PR$_P1BR
     MFPR #PR$_P1BR,R1
     MTPR #^XFFFFFFFF,#PR$_P0LR
     MFPR #PR$_P0LR,R2
     MTPR #^X12345677,#PR$_PCBB
     MFPR #PR$_PCBB,R3
     MTPR #^X40001,#PR$_SBR
     MFPR #PR$_SBR,R4`,
  );
  deepEqual(
    [0, 1, 2, 3, 4].map((n) => m.get(`R${n}`)),
    [0x80001000, 0x7f000000, 0x003fffff, 0x12345674, 0x40000],
  );
});

Deno.test("8.3 condition codes: N Z from the value, V cleared, C unchanged", () => {
  let m = exec("MTPR #-1,#PR$_ESP", {}, cc("ZVC"));
  equal(flags(m.psl), "NC");
  m = exec("MTPR #0,#PR$_ESP", {}, cc("NV"));
  equal(flags(m.psl), "Z");
  m = exec("MTPR #5,#PR$_ESP", {}, cc("NZVC"));
  equal(flags(m.psl), "C");
  m = exec("MFPR #PR$_ESP,R0", {}, cc("ZV"), { regs: { ESP: 0x80000000 } });
  equal(flags(m.psl), "N");
  m = exec("MFPR #PR$_ASTLVL,R0", {}, cc("NVC"), { regs: { ASTLVL: 0 } });
  equal(flags(m.psl), "ZC");
});

Deno.test("8.3 MTPR TBCHK sets V iff the TB holds the VA's entry", () => {
  const m = exec(
    `MOVL @#${DATA},R0
     MTPR #${DATA + 4},#PR$_TBCHK
     MOVPSL R1
     MTPR #${DATA},#PR$_TBIS
     MTPR #${DATA},#PR$_TBCHK
     MOVPSL R2
     MTPR #^X80010000,#PR$_TBCHK
     MOVPSL R3`,
    {},
    0,
    { mapping: true },
  );
  equal(flags(m.get("R1")), "V", "cached after the read");
  equal(flags(m.get("R2")), "", "gone after TBIS");
  equal(flags(m.get("R3")), "N", "never referenced");
});

Deno.test("9 MTPR MAPEN / MFPR MAPEN read back <0>", () => {
  const m = exec(
    `MFPR #PR$_MAPEN,R0
     MTPR #0,#PR$_MAPEN
     MFPR #PR$_MAPEN,R1`,
    {},
    0,
    { mapping: true },
  );
  deepEqual([m.get("R0"), m.get("R1")], [1, 0]);
});

Deno.test("5.1/9 SCBB moves the SCB (vectors read physically at SCBB + offset)", () => {
  const r = run(
    `       MTPR #^X2000,#PR$_SCBB
        BPT
        HALT
        .ALIGN LONG
h:      MOVL #1,R0
        HALT`,
    { regs: { R0: 0 }, longs: { [0x2000 + 0x2c]: 0x100c } },
  );
  equal(r.sym("h"), 0x100c);
  equal(r.m.get("R0"), 1);
  equal(r.m.get("PC"), r.sym("h") + 4);
  deepEqual(stack(r.m, 2), [r.sym("h") - 5, 0]);
});
