// CHMK, CHME, CHMS, CHMU (section 7).
import { deepEqual, equal } from "node:assert/strict";
import {
  boot,
  cc,
  PROT,
  psl,
  pte,
  pteAddress,
  run,
  stack,
  STACKS,
  STUB_BASE,
} from "./_helpers.ts";

const OPS = ["CHMK", "CHME", "CHMS", "CHMU"] as const;
const NAMES = ["KSP", "ESP", "SSP", "USP"] as const;

for (let cur = 0; cur < 4; cur++) {
  for (let op = 0; op < 4; op++) {
    const mnemonic = OPS[op]!;
    const vector = 0x40 + 4 * op;
    Deno.test(
      `7 ${mnemonic} from mode ${cur}: target = min(op, cur), vector 0x${
        vector.toString(16)
      }, frame, new PSL`,
      () => {
        const target = Math.min(op, cur);
        const start = psl({ cur, prv: 3, cc: cc("NZVC") });
        const { m, sym } = boot(`${mnemonic} #^X1234\nnext: HALT`, {
          psl: start,
        });
        m.step();
        equal(m.get("PC"), STUB_BASE + vector, "vector chosen by the opcode");
        // Frame on the target stack: code, PC of the next instruction, old PSL.
        equal(m.get("SP"), STACKS[NAMES[target]!] - 12);
        deepEqual(stack(m, 3), [0x1234, sym("next"), start]);
        // New PSL: CUR = target, PRV = old CUR, IPL unchanged, all else 0.
        equal(m.psl, psl({ cur: target, prv: cur }));
        // The old mode's stack pointer was saved (nothing was pushed on it).
        if (target !== cur) equal(m.get(NAMES[cur]!), STACKS[NAMES[cur]!]);
      },
    );
  }
}

Deno.test("7 CHMx: the code operand is sign-extended to a longword", () => {
  const codes: [number, number][] = [
    [0x8000, 0xffff8000],
    [0xfffe, 0xfffffffe],
    [0x7fff, 0x7fff],
    [0, 0],
  ];
  for (const [code, ext] of codes) {
    const r = run(`CHMK #${code}\n HALT`);
    equal(r.vector, 0x40);
    equal(stack(r.m, 1)[0], ext, `code ${code.toString(16)}`);
  }
  const r = run("CHMK R0\n HALT", { regs: { R0: 0x12348001 } });
  equal(stack(r.m, 1)[0], 0xffff8001, "word operand: R0<15:0>");
});

Deno.test("7 CHMK in kernel mode keeps IPL; CCs of the new PSL are zero", () => {
  const start = psl({ ipl: 6, prv: 2, iv: true, t: false, cc: cc("NC") });
  const r = run("CHMK #1\n HALT", { psl: start });
  equal(r.vector, 0x40);
  equal(r.m.psl, psl({ ipl: 6, prv: 0 }));
  deepEqual(stack(r.m, 3), [1, 0x1002, start]); // CHMK S^#1 is 2 bytes
});

Deno.test("7 CHMx handler address: vector<1:0> are ignored", () => {
  const r = run(
    `       CHME #5
        HALT
        .ALIGN LONG
h:      HALT`,
    { vectors: { 0x44: "h+3" } },
  );
  // Kernel -> target kernel: the handler runs in kernel mode and halts.
  equal(r.m.get("PC"), r.sym("h") + 1);
  equal(r.m.get("SP"), STACKS.KSP - 12);
});

Deno.test("7 CHMx on the interrupt stack halts the processor", () => {
  for (const op of OPS) {
    const r = run(`${op} #1\n HALT`, { psl: psl({ is: true, ipl: 5 }) });
    equal(r.m.halted, true, op);
    equal(r.vector, -1, op);
    equal(r.result.stop, "halt");
    equal(r.m.haltReason, "CHMx executed while on interrupt stack");
    equal(r.m.get("SP"), STACKS.ISP, "nothing pushed");
  }
});

Deno.test("7.5 CHME with an unwritable target stack: ACV fault, PSL unchanged, nothing pushed", () => {
  // The page below the top of the executive stack is kernel-write only.
  const page = STACKS.ESP - 0x200;
  const start = psl({ cur: 3, prv: 3, cc: cc("ZC") });
  const r = run("CHME #7\n HALT", {
    mapping: true,
    psl: start,
    longs: { [pteAddress(page)]: pte(page >>> 9, PROT.KW) },
  });
  equal(r.vector, 0x20);
  // ACV: write intent, VA = the probed byte, PC of the CHME, the old PSL.
  const [mask, va, pc, saved] = stack(r.m, 4);
  equal(mask, 4);
  equal(
    va! >= page && va! < STACKS.ESP,
    true,
    "VA on the executive stack page",
  );
  equal(pc, 0x1000);
  equal(saved, start);
  equal(r.m.get("SP"), STACKS.KSP - 16);
  deepEqual([r.m.get("USP"), r.m.get("ESP")], [STACKS.USP, STACKS.ESP]);
});

Deno.test("7.5 CHMS with an invalid target stack page: TNV fault with write intent", () => {
  const page = STACKS.SSP - 0x200;
  const start = psl({ cur: 3, prv: 3 });
  const r = run("CHMS #7\n HALT", {
    mapping: true,
    psl: start,
    longs: { [pteAddress(page)]: pte(page >>> 9, PROT.UW, false) },
  });
  equal(r.vector, 0x24);
  const [mask, , pc, saved] = stack(r.m, 4);
  deepEqual([mask, pc, saved], [4, 0x1000, start]);
  equal(r.m.get("USP"), STACKS.USP);
});

Deno.test("7 CHMU from user mode checks the user stack with user rights", () => {
  // A user stack page that only executive may write: CHMU to user faults.
  const page = STACKS.USP - 0x200;
  const r = run("CHMU #1\n HALT", {
    mapping: true,
    psl: psl({ cur: 3, prv: 3 }),
    longs: { [pteAddress(page)]: pte(page >>> 9, PROT.EW) },
  });
  equal(r.vector, 0x20);
  equal(stack(r.m, 1)[0], 4);
});
