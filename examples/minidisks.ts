/**
 * Minidisks: three VMs with disks carved out of one real disk; a VM writes
 * and reads its own disk synchronously and asynchronously; requests outside
 * the minidisk or the VM's memory get the controller's error status and
 * move nothing.
 *
 *   deno run -A examples/minidisks.ts
 *
 * @module
 */
import {
  assemble,
  Machine,
  Monitor,
  view,
  type VirtualMachine,
} from "../mod.ts";

const machine = new Machine({ memory: "8 MiB", disk: "2 MiB" });
const cp = Monitor.on(machine);
const alice = cp.vm("ALICE").memory("128 KiB").minidisk("256 KiB").create();
const bob = cp.vm("BOB").memory("128 KiB").minidisk("64 KiB").minidisk(
  "128 KiB",
).create();
console.log(cp.minidisks);

const program = assemble(`
        .org    ^X200
start:  MTPR    #^X1000,#17
        MOVL    #^X8000,SP
        MTPR    R6,#64            ; DKBLK
        MTPR    R8,#65            ; DKMEM
        MTPR    R7,#66            ; DKCNT
        MTPR    R9,#67            ; DKCS
        BBS     #9,R9,wait
        MFPR    #67,R10
        HALT
wait:   MTPR    #0,#18
idle:   BRB     idle
        .align  long
dkint:  MFPR    #67,R10
        HALT
        .org    ^X1000
        .blkl   52
        .long   dkint             ; SCB 0xD0: disk
`);
const READ = 1, WRITE = 2, IE = 0x40, GO = 0x100, ASYNC = 0x200;
function request(
  vm: VirtualMachine,
  block: number,
  count: number,
  buffer: number,
  dkcs: number,
) {
  vm.load(program.bytes, program.origin);
  vm.set("PSL", 0x041f0000);
  for (
    const [k, v] of Object.entries({
      R6: block,
      R7: count,
      R8: buffer,
      R9: dkcs,
      R10: 0,
    })
  ) {
    vm.set(k, v);
  }
  vm.set("PC", 0x200);
  const t0 = vm.now;
  vm.run({ limit: 10_000 });
  const cs = vm.get("R10");
  return {
    DKCS: cs.toString(16),
    ERR: String((cs >> 15) & 1),
    ERRCODE: String((cs >> 12) & 7),
    "ms": ((vm.now - t0) / 1e6).toFixed(3),
  };
}
alice.load(new TextEncoder().encode("Alice's block 5 ".repeat(32)), 0x4000);
const before = machine.disk.data.slice();
console.log(view.table([
  {
    request: "ALICE writes her block 5, sync",
    ...request(alice, 5, 1, 0x4000, WRITE | GO),
  },
  {
    request: "ALICE reads it back, async",
    ...request(alice, 5, 1, 0x6000, READ | IE | GO | ASYNC),
  },
  {
    request: "BOB reads past his 384 blocks",
    ...request(bob, 383, 2, 0x4000, READ | GO),
  },
  {
    request: "BOB reads into memory he lacks",
    ...request(bob, 0, 4, 0x1fc00, READ | GO),
  },
  {
    request: "BOB issues reserved function 3",
    ...request(bob, 0, 1, 0x4000, 3 | GO),
  },
], "requests"));
const changed = machine.disk.data.findIndex((x, i) => x !== before[i]);
console.log(
  `first changed byte of the real disk: ${changed} (block ${
    Math.floor(changed / 512)
  }, ALICE's block 5)`,
);
console.log(
  `ALICE read back: ${
    JSON.stringify(new TextDecoder().decode(alice.readPhysical(0x6000, 16)))
  }`,
);
