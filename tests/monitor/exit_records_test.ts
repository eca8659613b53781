// The processor's exit record is reused by every exit (no allocation on
// the exit path): what the monitor hands on (exit hooks, CP under CP) is a
// copy that later exits leave alone.
import { deepEqual, equal, notEqual } from "node:assert/strict";
import { Machine } from "../../src/machine/machine.ts";
import { copyExit, type CpuExit } from "../../src/machine/cpu.ts";
import { Monitor } from "../../src/monitor/monitor.ts";
import { assemble } from "../../src/asm/assembler.ts";

// Three MTPRs at different PCs, with different operands, then HALT.
const SOURCE = `
        .org    ^X200
        MTPR    #1,#18            ; IPL
        MTPR    #^X2000,#17       ; SCBB
        MTPR    #3,#18
        HALT
`;

function vm(cp: Monitor) {
  const v = cp.vm("G").memory("64 KiB").create();
  const a = assemble(SOURCE, { origin: 0 });
  v.load(a.bytes, a.origin);
  v.set("PSL", 0x041f0000);
  v.set("PC", 0x200);
  return v;
}

Deno.test("exit records: a hook may keep the records it is given", () => {
  const cp = Monitor.on(new Machine({ memory: "1 MiB" }));
  const kept: CpuExit[] = [];
  cp.on("exit", (e) => void kept.push(e.exit), { kind: "MTPR" });
  vm(cp).run({ limit: 100 });
  deepEqual(
    kept.map((x) => [x.pc, x.nextPc, x.operands.map((o) => o.value)]),
    [
      [0x200, 0x203, [1, 18]],
      [0x203, 0x20a, [0x2000, 17]],
      [0x20a, 0x20d, [3, 18]],
    ],
  );
});

Deno.test("exit records: the processor reuses one record; copyExit keeps one", () => {
  const m = new Machine({ memory: "1 MiB" });
  const cp = Monitor.on(m);
  const v = vm(cp);
  const seen: (CpuExit | null)[] = [];
  const copies: CpuExit[] = [];
  // Step the VM: each step ends with one exit handled by the monitor.
  for (let k = 0; k < 3; k++) {
    v.step();
    seen.push(m.cpu.exit);
    copies.push(copyExit(m.cpu.exit!));
  }
  equal(seen[0], seen[2]);
  notEqual(copies[0], copies[2]);
  deepEqual(copies.map((x) => x.pc), [0x200, 0x203, 0x20a]);
  deepEqual(copies[0]!.rollback, []);
  equal(copies[0]!.access, undefined);
});
