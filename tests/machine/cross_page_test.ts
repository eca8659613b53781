// A data reference that crosses from an accessible page into a faulting one
// reports the VA SimH reports (vax-architecture.md 10.5): the access's
// address plus its length, on the second page.
import { deepEqual, equal } from "node:assert/strict";
import { PROT, pte, pteAddress, run, stack } from "./_helpers.ts";

Deno.test("10.5 a longword read at ...3FFE whose second page is invalid reports ...4002", () => {
  const r = run("MOVL @#^X3FFE,R0\n HALT", {
    mapping: true,
    longs: { [pteAddress(0x4000)]: pte(0x4000 >>> 9, PROT.UW, false) },
    regs: { R0: 0x55 },
  });
  equal(r.vector, 0x24);
  deepEqual(stack(r.m, 2), [0, 0x4002]);
  equal(r.m.get("R0"), 0x55);
});

Deno.test("10.5 a word write at ...3FFF into a no-access page reports ...4001, write intent", () => {
  const r = run("MOVW #1,@#^X3FFF\n HALT", {
    mapping: true,
    longs: { [pteAddress(0x4000)]: pte(0x4000 >>> 9, PROT.NA) },
  });
  equal(r.vector, 0x20);
  deepEqual(stack(r.m, 2), [4, 0x4001]);
});
