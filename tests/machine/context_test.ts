// LDPCTX / SVPCTX and the PCB (section 11), HALT (4.1), machine check
// (5.2, 5.4).
import { deepEqual, equal } from "node:assert/strict";
import {
  cc,
  PROT,
  psl,
  pte,
  pteAddress,
  readL,
  run,
  stack,
  STACKS,
} from "./_helpers.ts";

const PCB = 0x4000;
const PROCESS_PSL = psl({ cur: 3, prv: 3, cc: cc("NC") });

/** A PCB image with a distinct value in every field (section 11.1). */
function pcbImage(w54 = 0x03000123): Record<number, number> {
  const longs: Record<number, number> = {
    [PCB + 0x00]: 0x5800, // KSP
    [PCB + 0x04]: 0x6700, // ESP
    [PCB + 0x08]: 0x6f00, // SSP
    [PCB + 0x0c]: 0x7700, // USP
    [PCB + 0x40]: 0xa0a0, // AP
    [PCB + 0x44]: 0xf0f0, // FP
    [PCB + 0x48]: 0x1234, // PC
    [PCB + 0x4c]: PROCESS_PSL, // PSL
    [PCB + 0x50]: 0x80001003, // P0BR (<1:0> ignored)
    [PCB + 0x54]: w54, // ASTLVL<26:24>, P0LR<21:0>
    [PCB + 0x58]: 0x7f000002, // P1BR
    [PCB + 0x5c]: 0x801fff00, // PME<31>, P1LR<21:0>
  };
  for (let n = 0; n < 12; n++) longs[PCB + 0x10 + 4 * n] = 0x01000000 + n;
  return longs;
}

Deno.test("11.2 LDPCTX loads every PCB field, leaves the IS, pushes PC and PSL on the new KSP", () => {
  const start = psl({ is: true, ipl: 31, cc: cc("Z") });
  const r = run("LDPCTX\n HALT", {
    psl: start,
    regs: { PCBB: PCB },
    longs: pcbImage(),
  });
  equal(r.vector, -1);
  for (let n = 0; n < 12; n++) equal(r.m.get(`R${n}`), 0x01000000 + n, `R${n}`);
  deepEqual([r.m.get("AP"), r.m.get("FP")], [0xa0a0, 0xf0f0]);
  deepEqual(
    [r.m.get("ESP"), r.m.get("SSP"), r.m.get("USP")],
    [0x6700, 0x6f00, 0x7700],
  );
  equal(r.m.get("SP"), 0x5800 - 8, "R14 <- KSP - 8");
  deepEqual(stack(r.m, 2), [0x1234, PROCESS_PSL], "ready for REI");
  equal(r.m.get("ISP"), STACKS.ISP, "ISP <- old R14");
  equal(r.m.psl, psl({ ipl: 31, cc: cc("Z") }), "IS cleared, IPL and CCs kept");
  deepEqual(
    ["P0BR", "P0LR", "ASTLVL", "P1BR", "P1LR", "PME"].map((n) => r.m.get(n)),
    [0x80001000, 0x123, 3, 0x7f000000, 0x1fff00, 1],
  );
});

Deno.test("11.2 LDPCTX on the kernel stack: ISP untouched, PSL unchanged", () => {
  const start = psl({ ipl: 8 });
  const r = run("LDPCTX\n HALT", {
    psl: start,
    regs: { PCBB: PCB },
    longs: pcbImage(),
  });
  equal(r.m.psl, start);
  equal(r.m.get("ISP"), STACKS.ISP);
  equal(r.m.get("SP"), 0x5800 - 8);
});

Deno.test("11.2 LDPCTX then REI enters the process", () => {
  const longs = pcbImage(0x04000123); // ASTLVL 4: no AST on the REI
  longs[0x1234] = 0x005107d0; // MOVL #7,R1 (D0 07 51) ; HALT (00)
  const r = run("LDPCTX\n REI\n HALT", {
    psl: psl({ is: true, ipl: 31 }),
    regs: { PCBB: PCB },
    longs,
  });
  equal(r.m.get("R1"), 7);
  // The user-mode HALT faults: frame on the process's kernel stack.
  equal(r.vector, 0x10);
  // MOVL cleared N and kept C.
  deepEqual(stack(r.m, 2), [0x1237, psl({ cur: 3, prv: 3, cc: cc("C") })]);
  equal(r.m.get("SP"), 0x5800 - 8);
  equal(r.m.get("USP"), 0x7700);
});

Deno.test("11.3 SVPCTX from the kernel stack: pops PC/PSL, saves the context, moves to the IS at IPL >= 1", () => {
  const regs: Record<string, number> = {
    PCBB: PCB,
    ESP: 0x6600,
    SSP: 0x6e00,
    USP: 0x7600,
    AP: 0xaaaa,
    FP: 0xbbbb,
    SP: STACKS.KSP - 8,
  };
  for (let n = 0; n < 12; n++) regs[`R${n}`] = 0x100 * (n + 1);
  const sentinel = {
    [PCB + 0x50]: 0xdead0050,
    [PCB + 0x54]: 0xdead0054,
    [PCB + 0x58]: 0xdead0058,
    [PCB + 0x5c]: 0xdead005c,
  };
  const start = psl({ ipl: 0, cc: cc("V") });
  const r = run("SVPCTX\n HALT", {
    psl: start,
    regs,
    longs: {
      ...sentinel,
      [STACKS.KSP - 8]: 0x2222,
      [STACKS.KSP - 4]: PROCESS_PSL,
    },
  });
  equal(r.vector, -1);
  const pcb = Array.from({ length: 24 }, (_, i) => readL(r.m, PCB + 4 * i));
  deepEqual(pcb.slice(0, 4), [STACKS.KSP, 0x6600, 0x6e00, 0x7600]);
  deepEqual(
    pcb.slice(4, 16),
    Array.from({ length: 12 }, (_, n) => 0x100 * (n + 1)),
  );
  deepEqual(pcb.slice(16, 20), [0xaaaa, 0xbbbb, 0x2222, PROCESS_PSL]);
  deepEqual(pcb.slice(20), Object.values(sentinel), "0x50-0x5C not written");
  equal(r.m.psl, psl({ is: true, ipl: 1, cc: cc("V") }));
  equal(r.m.get("SP"), STACKS.ISP);
  equal(r.m.get("KSP"), STACKS.KSP);
});

Deno.test("11.3 SVPCTX on the interrupt stack: SP += 8, IPL kept", () => {
  const start = psl({ is: true, ipl: 5 });
  const r = run("SVPCTX\n HALT", {
    psl: start,
    regs: { PCBB: PCB, SP: STACKS.ISP - 8 },
    longs: { [STACKS.ISP - 8]: 0x3333, [STACKS.ISP - 4]: PROCESS_PSL },
  });
  equal(r.m.psl, start);
  equal(r.m.get("SP"), STACKS.ISP);
  deepEqual(
    [0x00, 0x48, 0x4c].map((o) => readL(r.m, PCB + o)),
    [STACKS.KSP, 0x3333, PROCESS_PSL],
  );
});

Deno.test("11.3 SVPCTX on the kernel stack at IPL > 0 keeps the IPL", () => {
  const r = run("SVPCTX\n HALT", {
    psl: psl({ ipl: 3 }),
    regs: { PCBB: PCB, SP: STACKS.KSP - 8 },
  });
  equal(r.m.psl, psl({ is: true, ipl: 3 }));
});

Deno.test("11 LDPCTX and SVPCTX outside kernel mode: RIF", () => {
  for (const op of ["LDPCTX", "SVPCTX"]) {
    for (const cur of [1, 2, 3]) {
      const start = psl({ cur, prv: 3 });
      const r = run(`${op}\n HALT`, { psl: start, regs: { PCBB: PCB } });
      equal(r.vector, 0x10, `${op} in mode ${cur}`);
      deepEqual(stack(r.m, 2), [0x1000, start]);
    }
  }
});

Deno.test("4.1 HALT in kernel mode stops with PC after the HALT; the machine stays inspectable", () => {
  const r = run("MOVL #5,R3\n HALT\n MOVL #6,R3", {
    psl: psl({ ipl: 4, cc: cc("C") }),
  });
  equal(r.result.stop, "halt");
  equal(r.result.reason, "HALT instruction");
  equal(r.m.halted, true);
  equal(r.result.pc, 0x1004);
  equal(r.m.get("PC"), 0x1004);
  equal(r.m.get("R3"), 5);
  equal(r.m.psl, psl({ ipl: 4, cc: cc("C") }));
  equal(r.m.get("SP"), STACKS.KSP);
  equal(r.m.get("SID"), 0x0a000006);
  // (Machine.run on a halted machine continues from PC, like the console's
  // CONTINUE: the next instruction is the one after the HALT.)
  r.m.run({ limit: 1 });
  equal(r.m.get("R3"), 6);
});

Deno.test("4.1 HALT outside kernel mode: RIF (privileged instruction)", () => {
  for (const cur of [1, 2, 3]) {
    const start = psl({ cur, prv: cur, cc: cc("N") });
    const r = run("NOP\n HALT", { psl: start });
    equal(r.vector, 0x10, `mode ${cur}`);
    deepEqual(stack(r.m, 2), [0x1001, start]);
    equal(r.m.psl, psl({ prv: cur }));
  }
});

const NXM = 0x00200000; // beyond the 1 MiB of memory

Deno.test("5.4 machine check on a read beyond memory: IS, IPL 31, KA655 frame", () => {
  const start = psl({ ipl: 2, cc: cc("Z") });
  const r = run(`MOVL @#${NXM},R0\n HALT`, { psl: start, regs: { R0: 0x55 } });
  equal(r.vector, 0x04);
  equal(r.m.psl, psl({ is: true, ipl: 31 }));
  equal(r.m.get("SP"), STACKS.ISP - 28);
  const [count, code, va, state1, state2, , saved] = stack(r.m, 7);
  equal(count, 0x10, "byte count of the 4 longwords that follow");
  equal(code, 0x80, "read check (SimH MCHK_READ)");
  equal(va, NXM + 4, "most recent VA + 4");
  equal(state1! >>> 24, 0xd0, "opcode");
  equal((state1! >>> 16) & 0xff, 0, "no software interrupt pending");
  equal((state2! & 0xffffff00) >>> 0, 0x00c07000);
  equal(saved, start);
  equal(r.m.get("R0"), 0x55);
});

Deno.test("5.4 machine check on a write beyond memory: code 0x82", () => {
  const r = run(`CLRL @#${NXM + 0x100}\n HALT`);
  equal(r.vector, 0x04);
  const [, code, va] = stack(r.m, 3);
  equal(code, 0x82);
  equal(va, NXM + 0x104);
});

Deno.test("5.4 machine check through a PTE whose PFN is beyond memory", () => {
  const page = 0x4000;
  const r = run(`MOVL @#${page},R0\n HALT`, {
    mapping: true,
    longs: { [pteAddress(page)]: pte(0x300000 >>> 9, PROT.UW) },
  });
  equal(r.vector, 0x04);
  equal(stack(r.m, 3)[2], page + 4);
});
