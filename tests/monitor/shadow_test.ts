// Shadow page tables (vm-extensions.md "Ring compression", "Shared or split
// shadow tables"): filled on demand from the guest's own tables, with the
// protection remap of ring compression; resynchronized when the guest
// invalidates (TBIS, TBIA, base registers, LDPCTX); the guest's M bits kept
// true; the guest's own faults reflected; and the two policies compared.
import { deepEqual, equal, notEqual, ok } from "node:assert/strict";
import {
  asm,
  assertEquivalent,
  equivalent,
  monitorWithVm,
  P0LR,
  P0PT,
  prepare,
  PROT,
  psl,
  pte,
  pteAddress,
  readL,
  readLongs,
  runBoth,
  stackTop,
  vectorTaken,
} from "./_helpers.ts";

const ACV = 0x20, RIF = 0x10;
const S0 = 0x80000000;
const hex = (v: number) => (v >>> 0).toString(16);

/** The remap of vm-extensions.md, written out: guest code -> shadow code (kernel view). */
const REMAP: Record<number, number> = {
  [PROT.KW]: PROT.EW,
  [PROT.KR]: PROT.ER,
  [PROT.ERKW]: PROT.EW,
  [PROT.SRKW]: PROT.SREW,
  [PROT.URKW]: PROT.UREW,
};

/** S0 page VPN 0x40 + code has protection `code` (M set), mapping frame 0x40 + code. */
function protectionPages(modified = true): Record<number, number> {
  const longs: Record<number, number> = {};
  for (let code = 0; code < 16; code++) {
    longs[pteAddress(S0 + 0x8000 + 512 * code)] = pte(
      0x40 + code,
      code,
      true,
      modified,
    );
  }
  return longs;
}

/** Reads every page of codes 2-15 in the current mode (skipping those it may not read). */
function touchAll(modes: number): string {
  const lines: string[] = [];
  for (let code = 2; code < 16; code++) {
    const readers = [0, 1, 2, 3].filter((m) => canRead(code, m));
    if (readers.includes(modes)) {
      lines.push(`MOVL @#^X${hex(S0 + 0x8000 + 512 * code)}, R0`);
    }
  }
  return lines.join("\n");
}

/** Read rights of 10.4, written out by hand (mode 0 kernel ... 3 user). */
function canRead(code: number, mode: number): boolean {
  const least: Record<number, number> = {
    2: 0,
    3: 0,
    4: 3,
    5: 1,
    6: 1,
    7: 1,
    8: 2,
    9: 2,
    10: 2,
    11: 2,
    12: 3,
    13: 3,
    14: 3,
    15: 3,
  };
  return code in least && mode <= least[code]!;
}

for (const policy of ["shared", "split"] as const) {
  Deno.test(`${policy}: shadow entries are filled on demand, kernel view remapped KW->EW, KR->ER, ERKW->EW, SRKW->SREW, URKW->UREW`, () => {
    const p = equivalent(`${touchAll(0)}\n HALT`, {
      mapping: true,
      longs: protectionPages(),
    }, { shadow: policy });
    ok(
      p.vm.stats.shadowFills >= 14 + 1,
      "one fill per page touched, and the code page",
    );
    const rows = p.cp.pageTables(p.vm, "S0", { from: 0x40, count: 16 }).rows;
    equal(rows.length, 16);
    for (const row of rows) {
      const code = ((row.va >>> 9) & 0x1fffff) - 0x40;
      equal(row.guest.prot, code);
      if (code < 2) {
        equal(
          row.shadow,
          null,
          `code ${code}: never filled (the kernel may not read it)`,
        );
        continue;
      }
      ok(row.shadow, `code ${code} was filled`);
      equal(
        row.shadow.prot,
        REMAP[code] ?? code,
        `shadow protection of guest code ${code}`,
      );
      equal(row.shadow.valid, true);
      equal(
        row.shadow.pfn !== row.guest.pfn,
        true,
        "the shadow maps a real frame",
      );
      equal(row.remapped, code in REMAP);
      equal(row.shadowExec, null, "the executive view was not used");
    }
    // Supervisor and user rights are identical before and after the remap.
    for (const [g, s] of Object.entries(REMAP)) {
      for (const m of [2, 3]) equal(canRead(Number(g), m), canRead(s, m));
    }
  });
}

Deno.test("split: the executive view keeps the guest's protection codes", () => {
  const start = `PUSHL #^X${hex(psl({ cur: 1, prv: 1 }))}
       PUSHAB exec
       REI
exec:  ${touchAll(1)}
       CHMK #0`;
  const p = equivalent(start, {
    mapping: true,
    longs: protectionPages(),
  }, { shadow: "split" });
  const rows = p.cp.pageTables(p.vm, "S0", { from: 0x40, count: 16 }).rows;
  for (const row of rows) {
    const code = row.guest.prot;
    if (canRead(code, 1)) {
      ok(row.shadowExec, `code ${code} filled in the executive view`);
      equal(row.shadowExec.prot, code, "unchanged in the executive view");
    } else equal(row.shadowExec, null);
  }
});

Deno.test("shadow fills happen once per page until the guest invalidates", () => {
  const { cp, vm } = monitorWithVm();
  prepare(
    vm,
    asm(`MOVL @#^X3000, R0
       MOVL @#^X3200, R0
       MOVL @#^X3400, R0
       HALT`),
    { mapping: true },
  );
  vm.run({ limit: 100 });
  const fills = vm.stats.shadowFills;
  ok(fills >= 4, "code page and three data pages");
  prepare(
    vm,
    asm(`MOVL @#^X3000, R0
       MOVL @#^X3200, R0
       MOVL @#^X3400, R0
       HALT`),
    {},
  );
  vm.set("MAPEN", 1); // relayout: everything invalid again
  const afterRelayout = vm.stats.shadowFills;
  vm.run({ limit: 100 });
  ok(vm.stats.shadowFills > afterRelayout);
  const again = vm.stats.shadowFills;
  vm.set("PC", 0x1000);
  vm.run({ limit: 100 });
  equal(vm.stats.shadowFills, again, "the same pages again: no fills");
  void cp;
});

// ---------------------------------------------------------------------------
// Resynchronization.

/** Data: physical 0x3000 holds 0x11111111, 0x3200 holds 0x22222222, 0x3400 0x33333333. */
const DATA_LONGS = {
  0x3000: 0x11111111,
  0x3200: 0x22222222,
  0x3400: 0x33333333,
};

Deno.test("TBIS: the guest changes a PTE and sees the new mapping", () => {
  const p = equivalent(
    `MOVL @#^X3000, R0
     MOVL #^X${hex(pte(0x19, PROT.UW))}, @#^X${hex(S0 + pteAddress(0x3000))}
     MTPR #^X3000, #PR$_TBIS
     MOVL @#^X3000, R1
     MOVL #^X${hex(pte(0x1a, PROT.UW))}, @#^X${hex(S0 + pteAddress(0x3000))}
     MTPR #^X3000, #PR$_TBIS
     MOVL @#^X3000, R2
     HALT`,
    { mapping: true, longs: DATA_LONGS },
  );
  deepEqual([p.vm.get("R0"), p.vm.get("R1"), p.vm.get("R2")], [
    0x11111111,
    0x22222222,
    0x33333333,
  ]);
});

Deno.test("TBIA: the guest changes several PTEs and sees every new mapping", () => {
  const p = equivalent(
    `MOVL @#^X3000, R0
     MOVL @#^X3200, R0
     MOVL #^X${hex(pte(0x1a, PROT.UW))}, @#^X${hex(S0 + pteAddress(0x3000))}
     MOVL #^X${hex(pte(0x18, PROT.UW))}, @#^X${hex(S0 + pteAddress(0x3200))}
     MTPR #0, #PR$_TBIA
     MOVL @#^X3000, R1
     MOVL @#^X3200, R2
     HALT`,
    { mapping: true, longs: DATA_LONGS },
  );
  deepEqual([p.vm.get("R1"), p.vm.get("R2")], [0x33333333, 0x11111111]);
  ok(p.vm.stats.shadowFlushes >= 1);
});

Deno.test("a protection change with TBIS takes effect (a page made read-only faults on write)", () => {
  const a = asm(`MOVL #1, @#^X3000
     MOVL #^X${hex(pte(0x18, PROT.UR))}, @#^X${hex(S0 + pteAddress(0x3000))}
     MTPR #^X3000, #PR$_TBIS
     PUSHL #^X${hex(psl({ cur: 3, prv: 3 }))}
     PUSHAB user
     REI
user: MOVL @#^X3000, R1
     MOVL #2, @#^X3000
     HALT`);
  const p = equivalent(a, { mapping: true });
  equal(vectorTaken(p.vm), ACV);
  deepEqual(stackTop(p.vm, 2), [4, 0x3000], "write intent, the VA");
});

/** Code that continues in S0 (where a P0 change cannot pull the floor away). */
const TO_S0 = (label: string) => `JMP @#${label}+^X80000000`;

Deno.test("P0BR write: the guest switches to another P0 table and sees it", () => {
  // A second P0 table at physical 0x18800 (S0 0x80018800): 0x3000 -> frame 0x1A.
  const second = 0x18800;
  const longs: Record<number, number> = { ...DATA_LONGS };
  for (let vpn = 0; vpn < P0LR; vpn++) {
    longs[second + 4 * vpn] = pte(vpn, PROT.UW);
  }
  longs[second + 4 * 0x18] = pte(0x1a, PROT.UW);
  const p = equivalent(
    `${TO_S0("s0")}
s0:  MOVL @#^X3000, R0
     MTPR #^X${hex(S0 + second)}, #PR$_P0BR
     MOVL @#^X3000, R1
     MTPR #^X${hex(S0 + P0PT)}, #PR$_P0BR
     MOVL @#^X3000, R2
     MTPR #^X18, #PR$_P0LR
     MOVL @#^X3000, R3
     HALT`,
    // The kernel stack in S0, out of the way of P0LR.
    { mapping: true, longs, regs: { KSP: S0 + 0x6000 } },
  );
  deepEqual(
    [p.vm.get("R0"), p.vm.get("R1"), p.vm.get("R2")],
    [0x11111111, 0x33333333, 0x11111111],
  );
  equal(vectorTaken(p.vm), ACV, "P0LR 0x18 cuts 0x3000 off: length violation");
  deepEqual(readLongs(p.vm, 0x6000 - 16, 2), [1, 0x3000]);
});

Deno.test("LDPCTX: a new process's P0 table is used after the context switch", () => {
  const second = 0x18800;
  const PCB = 0x3800;
  const longs: Record<number, number> = { ...DATA_LONGS };
  for (let vpn = 0; vpn < P0LR; vpn++) {
    longs[second + 4 * vpn] = pte(vpn, PROT.UW);
  }
  longs[second + 4 * 0x18] = pte(0x19, PROT.UW);
  const a = asm(`${TO_S0("s0")}
s0:  MOVL @#^X3000, R0
     MTPR #^X${hex(PCB)}, #PR$_PCBB
     LDPCTX
     REI
proc: MOVL @#^X3000, R1
     HALT`);
  const pcb = [
    0x5800,
    0,
    0,
    0,
    ...new Array(14).fill(0),
    S0 + a.symbol("proc"),
    0,
    S0 + second,
    P0LR | 0x04000000,
    0,
    0x200000,
  ];
  pcb.forEach((w, k) => longs[PCB + 4 * k] = w);
  const p = equivalent(a, { mapping: true, longs });
  equal(p.vm.get("R0"), 0, "R0 was reloaded from the PCB");
  equal(p.vm.get("R1"), 0x22222222);
});

// ---------------------------------------------------------------------------
// M bits.

Deno.test("M bits are kept true: a write sets the guest PTE's M bit, a read does not", () => {
  const longs: Record<number, number> = {};
  for (const va of [0x3000, 0x3200, 0x3400, 0x3600]) {
    longs[pteAddress(va)] = pte(va >>> 9, PROT.UW, true, false);
  }
  const p = equivalent(
    `MOVL @#^X3000, R0           ; read
     MOVL R0, @#^X3200           ; write
     MOVL @#^X3400, R0           ; read, then write the same page
     INCL @#^X3400
     PROBER #0, #4, @#^X3600     ; a probe does not modify
     HALT`,
    { mapping: true, longs },
  );
  const m = (va: number) => (readL(p.vm, pteAddress(va)) >>> 26) & 1;
  deepEqual([m(0x3000), m(0x3200), m(0x3400), m(0x3600)], [0, 1, 1, 0]);
});

Deno.test("M bits: writes by the monitor on the guest's behalf (exception frames, CHM frames, MFPR to memory, PROBEW) set M as bare", () => {
  const longs: Record<number, number> = {};
  // Every P0 page unmodified: the stacks, the data and the code.
  for (let vpn = 0; vpn < P0LR; vpn++) {
    longs[P0PT + 4 * vpn] = pte(vpn, PROT.UW, true, false);
  }
  const a = asm(`
     MFPR #PR$_SCBB, @#^X3000
     PROBEW #0, #4, @#^X3200
     PUSHL #^X${hex(psl({ cur: 3, prv: 3 }))}
     PUSHAB user
     REI
user: CHMS #1
     .ALIGN LONG
chms: MTPR #0, #PR$_IPL
     HALT`);
  const p = equivalent(a, { mapping: true, longs, vectors: { 0x48: "chms" } });
  equal(vectorTaken(p.vm), RIF);
  const m = (va: number) => (readL(p.vm, pteAddress(va)) >>> 26) & 1;
  equal(m(0x3000), 1, "MFPR destination");
  equal(m(0x6e00), 1, "CHMS frame on the supervisor stack");
  equal(m(0x5e00), 1, "RIF frame on the kernel stack");
  equal(m(0x7600), 0, "the user stack was not written");
});

// ---------------------------------------------------------------------------
// Guest faults through the shadow tables.

const FAULTS: [string, string, Record<number, number>, number][] = [
  ["a read that crosses into a KW page from user", "MOVL @#^X31FE, R0", {
    [pteAddress(0x3200)]: pte(0x19, PROT.KW),
  }, 3],
  ["a write that crosses into an invalid page", "MOVL R0, @#^X33FE", {
    [pteAddress(0x3400)]: pte(0x1a, PROT.UW, false),
  }, 0],
  ["a write to an ER page from executive", "MOVL R0, @#^X3000", {
    [pteAddress(0x3000)]: pte(0x18, PROT.ER),
  }, 1],
  ["a write to an SREW page from supervisor", "INCL @#^X3000", {
    [pteAddress(0x3000)]: pte(0x18, PROT.SREW),
  }, 2],
  ["a P1 reference below P1LR", "MOVL @#^X7FFEFFFC, R0", {}, 0],
  ["a P0 reference beyond P0LR from kernel", "MOVL @#^X20000, R0", {}, 0],
];
for (const [what, src, changes, mode] of FAULTS) {
  Deno.test(`guest fault through the shadow tables: ${what}: same mask and VA as bare`, () => {
    const p = equivalent(`${src}\n HALT`, {
      mapping: true,
      psl: psl({ cur: mode, prv: mode }),
      longs: changes,
    });
    ok(vectorTaken(p.bare.hw) === ACV || vectorTaken(p.bare.hw) === 0x24);
    ok(p.vm.stats.reflected >= 1);
  });
}

// ---------------------------------------------------------------------------
// Shared against split.

const EXEC_WRITES_KW = `
     PUSHL #^X${hex(psl({ cur: 1, prv: 1 }))}
     PUSHAB exec
     REI
exec: MOVL @#^X80003000, R1
     MOVL #^X1234, @#^X80003000
     MOVL @#^X80003000, R2
     HALT`;

Deno.test("split: virtual executive writing a page its OS marked KW takes ACV, exactly as bare", () => {
  const p = equivalent(
    EXEC_WRITES_KW,
    { mapping: true, longs: { 0x3000: 7 } },
    {
      shadow: "split",
    },
  );
  equal(vectorTaken(p.vm), ACV);
  equal(readL(p.vm, 0x3000), 7);
});

Deno.test("shared: virtual executive writing a KW page succeeds (the documented weakness)", () => {
  const p = runBoth(EXEC_WRITES_KW, { mapping: true, longs: { 0x3000: 7 } }, {
    shadow: "shared",
  });
  equal(vectorTaken(p.bare.hw), ACV, "bare: access-control violation");
  equal(
    vectorTaken(p.vm),
    RIF,
    "shared: the write succeeded, HALT faulted next",
  );
  equal(readL(p.vm, 0x3000), 0x1234);
  equal(p.vm.get("R1"), 7, "it could read the KW page too");
  equal(p.vm.get("R2"), 0x1234);
  notEqual(readL(p.bare.hw, 0x3000), 0x1234);
});

Deno.test("shared and split agree with bare when executive mode keeps off kernel-only pages", () => {
  const src = `
     PUSHL #^X${hex(psl({ cur: 1, prv: 1 }))}
     PUSHAB exec
     REI
exec: MOVL @#^X3000, R1
     MOVL #^X1234, @#^X3200
     CHMK #0`;
  for (const shadow of ["shared", "split"] as const) {
    equivalent(src, { mapping: true }, { shadow }, shadow);
  }
});

Deno.test("split costs more TB flushes, exits and monitor time than shared for kernel/executive switches", () => {
  // The guest's executive code calls its kernel 50 times (CHMK; REI back).
  const src = `
     PUSHL #^X${hex(psl({ cur: 1, prv: 1 }))}
     PUSHAB exec
     REI
exec: CLRL R0
loop: INCL @#^X3200
     CHMK #1
     AOBLSS #50, R0, loop
     CHMK #2
     .ALIGN LONG
chmk: CMPL (SP)+, #2
     BEQL done
     INCL @#^X3000
     REI
done: HALT`;
  const setup = { mapping: true, vectors: { 0x40: "chmk" } };
  const shared = equivalent(src, setup, { shadow: "shared" }, "shared");
  const split = equivalent(src, setup, { shadow: "split" }, "split");
  const s = shared.vm.stats, t = split.vm.stats;
  ok(
    t.tbFlushes >= s.tbFlushes + 100,
    `TB flushes: split ${t.tbFlushes}, shared ${s.tbFlushes}`,
  );
  ok(
    t.totalExits >= s.totalExits,
    `exits: split ${t.totalExits}, shared ${s.totalExits}`,
  );
  ok(t.shadowFills > s.shadowFills, "split fills a second set of tables");
  ok(
    t.monitorNs > s.monitorNs,
    `monitor ns: split ${t.monitorNs}, shared ${s.monitorNs}`,
  );
  ok(split.virt.result.ns > shared.virt.result.ns);
  equal(readL(split.vm, 0x3200), 50);
});

Deno.test("pageTables with mapping off: the identity, nothing remapped until touched", () => {
  const { cp, vm } = monitorWithVm();
  prepare(vm, asm("MOVL @#^X3000, R0\n HALT"), {});
  vm.run();
  const rows = cp.pageTables(vm, "P0", { from: 0x18, count: 2 }).rows;
  equal(rows.length, 2);
  equal(rows[0]!.guest.pfn, 0x18);
  equal(rows[0]!.guest.prot, PROT.UW);
  ok(rows[0]!.shadow?.valid);
  equal(rows[1]!.shadow, null, "0x3200 was never touched");
});

// ---------------------------------------------------------------------------
// Guest page tables in the wrong place.

Deno.test("a process page table outside S0 (P0BR in P0): the VM halts as the processor does", () => {
  const p = equivalent(
    `${TO_S0("s0")}
s0:  MTPR #^X18200, #PR$_P0BR
     MOVL @#^X3000, R0
     HALT`,
    { mapping: true },
  );
  equal(p.vm.haltReason, "process PTE in P0 or P1 space");
});

Deno.test("a PROBE through a process page table outside S0: the VM halts as the processor does", () => {
  const p = equivalent(
    `${TO_S0("s0")}
s0:  MTPR #^X18200, #PR$_P0BR
     PROBER #0, #4, @#^X3000
     HALT`,
    { mapping: true },
  );
  equal(p.vm.haltReason, "process PTE in P0 or P1 space");
});

Deno.test("a PTE whose frame is beyond the guest's memory: a machine check, not a monitor error", () => {
  const p = runBoth(
    `MOVL @#^X80008000, R0
     HALT`,
    {
      mapping: true,
      longs: { [pteAddress(S0 + 0x8000)]: pte(0x7fff, PROT.KW) },
    },
  );
  equal(vectorTaken(p.bare.hw), 0x04, "bare: machine check");
  equal(vectorTaken(p.vm), 0x04, "monitor: machine check");
  // The KA655 frame, word for word: byte count, read check, VA + 4, state
  // 1 (opcode MOVL), state 2 (PC advance), then PC and PSL.
  const frame = stackTop(p.bare.hw, 7);
  deepEqual(stackTop(p.vm, 7), frame);
  equal(frame[0], 0x10);
  equal(frame[1], 0x80);
  equal(frame[2], (S0 + 0x8000 + 4) >>> 0);
  equal(frame[3]! >>> 24, 0xd0);
  assertEquivalent(p);
});

Deno.test("a write to a page beyond the guest's memory: the machine check says write", () => {
  const p = runBoth(
    `MOVL #1, @#^X80008000
     HALT`,
    {
      mapping: true,
      longs: { [pteAddress(S0 + 0x8000)]: pte(0x7fff, PROT.KW) },
    },
  );
  equal(vectorTaken(p.vm), 0x04);
  deepEqual(stackTop(p.vm, 5), stackTop(p.bare.hw, 5));
  equal(stackTop(p.vm, 2)[1], 0x82);
  assertEquivalent(p);
});

Deno.test("a process page table in a frame beyond memory (PROBE and a read): machine checks, no monitor error", () => {
  for (const op of ["PROBER #0, #4, @#^X7FFF0000", "MOVL @#^X7FFF0000, R0"]) {
    const p = runBoth(
      `MTPR #^X${hex(S0 + 0x1fe00 - 4 * 0x1fff80)}, #PR$_P1BR
     ${op}
     HALT`,
      {
        mapping: true,
        longs: { [pteAddress(S0 + 0x1fe00)]: pte(0x7fff, PROT.KW) },
      },
    );
    equal(vectorTaken(p.bare.hw), 0x04, `${op}: bare: machine check`);
    equal(vectorTaken(p.vm), 0x04, `${op}: monitor: machine check`);
  }
});
