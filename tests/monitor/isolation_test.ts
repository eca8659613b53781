// Randomized isolation: hostile guests (random bytes as code, random page
// tables pointing anywhere, random MTPR values to every IPR, disk requests
// beyond their minidisks and buffers outside their memory) never touch
// real memory outside their own frames or real disk blocks outside their
// own extents; the real processor never runs guest code with PSL<VM>=0 (or
// in real kernel mode); and the monitor never throws. Seeded: a failure
// names its seed (ISOLATION_SEED=<seed> replays it alone).
import { ok } from "node:assert/strict";
import { PSL_VM } from "../../src/arch/psl.ts";
import { Machine } from "../../src/machine/machine.ts";
import { STOP_EXIT } from "../../src/machine/cpu.ts";
import { Monitor } from "../../src/monitor/monitor.ts";
import type { VirtualMachine } from "../../src/monitor/vm.ts";
import { asm, long, Rng } from "./_helpers.ts";

const REAL_MEMORY = 2 * 1024 * 1024;
const BOUNCE_FRAMES = 64; // the monitor's bounce buffer: frames 0-63
const VM_MEMORY = 64 * 1024;

/** Every IPR number worth writing (all of section 9, the disk, VMPSL, some reserved). */
const IPR_NUMBERS = [
  0,
  1,
  2,
  3,
  4,
  8,
  9,
  10,
  11,
  12,
  13,
  16,
  17,
  18,
  19,
  20,
  21,
  24,
  25,
  26,
  27,
  32,
  33,
  34,
  35,
  37,
  39,
  42,
  43,
  55,
  56,
  57,
  58,
  61,
  62,
  63,
  64,
  65,
  66,
  67,
  68,
  69,
  80,
  100,
];

function randomValue(r: Rng): number {
  switch (r.int(6)) {
    case 0:
      return r.u32();
    case 1:
      return r.int(VM_MEMORY); // a plausible guest-physical address
    case 2:
      return (0x80000000 + r.int(VM_MEMORY)) >>> 0; // a plausible S0 address
    case 3:
      return r.int(64);
    case 4:
      return VM_MEMORY - r.int(4) * 512; // the end of memory
    default:
      return r.pick([0, 1, 0xffffffff, 0x7fffffff, 0x80000000, 0x200000]);
  }
}

/** A hostile guest: random memory, random page tables, then random MTPRs, disk requests and a jump anywhere. */
function hostile(r: Rng, vm: VirtualMachine, diskBlocks: number): void {
  const mem = new Uint8Array(VM_MEMORY);
  for (let i = 0; i < mem.length; i++) mem[i] = r.u32() & 0xff;
  // Some page-table entries: valid PTEs with any PFN, in and out of memory.
  const sbr = 512 * r.int(VM_MEMORY / 512 - 8);
  const view = new DataView(mem.buffer);
  for (let k = 0; k < 512; k++) {
    const pfn = r.chance(0.7) ? r.int(VM_MEMORY / 512) : r.int(1 << 21);
    const pte =
      (0x80000000 | (r.int(16) << 27) | (r.chance(0.5) ? 0x04000000 : 0) |
        pfn) >>> 0;
    if (sbr + 4 * k + 4 <= VM_MEMORY) view.setUint32(sbr + 4 * k, pte, true);
  }
  // An SCB whose vectors are mostly usable (so that the guest lives on
  // after its first exception), pointing anywhere in its memory.
  const scbb = 512 * r.int(VM_MEMORY / 512);
  for (let v = 0; v < 512; v += 4) {
    const vec = r.chance(0.9)
      ? (r.int(VM_MEMORY) & ~3) | (r.chance(0.2) ? 1 : 0) |
        (r.chance(0.2) ? 0x80000000 : 0)
      : r.u32();
    view.setUint32(scbb + v, vec >>> 0, true);
  }
  const lines: string[] = [];
  const mtpr = (v: number, n: number) =>
    lines.push(`MTPR #^X${(v >>> 0).toString(16)}, #${n}`);
  const disk = () => {
    for (let k = r.int(4); k > 0; k--) {
      // A disk request: blocks beyond the minidisk, buffers beyond memory.
      mtpr(r.chance(0.5) ? r.int(diskBlocks + 8) : r.u32(), 64);
      mtpr(r.chance(0.5) ? r.int(VM_MEMORY) : randomValue(r), 65);
      mtpr(r.chance(0.7) ? r.int(40) : r.u32(), 66);
      mtpr(r.int(0x400) | 0x100, 67);
    }
  };
  const early = r.chance(0.5);
  if (early) disk();
  if (r.chance(0.6)) {
    mtpr(sbr, 12); // SBR
    mtpr(r.chance(0.7) ? r.int(600) : r.u32(), 13); // SLR
    mtpr((0x80000000 + 512 * r.int(64)) >>> 0, 8); // P0BR
    mtpr(r.int(0x4000), 9); // P0LR
    mtpr(randomValue(r), 10);
    mtpr(r.chance(0.5) ? 0x200000 - r.int(0x4000) : r.u32(), 11);
    mtpr(1, 56); // MAPEN
  }
  for (let k = r.int(30); k > 0; k--) {
    mtpr(randomValue(r), r.chance(0.7) ? r.pick(IPR_NUMBERS) : r.int(128));
  }
  if (!early) disk();
  lines.push(`JMP @#^X${r.int(VM_MEMORY).toString(16)}`);
  const a = asm(lines.join("\n"), 0x200);
  mem.set(a.bytes, 0x200);
  vm.load(mem, 0);
  vm.disk.writeBlocks(0, mem.subarray(0, diskBlocks * 512));
  vm.set("PC", 0x200);
  vm.set("SCBB", scbb);
  for (const sp of ["KSP", "ESP", "SSP", "USP", "ISP"]) {
    vm.set(sp, r.chance(0.8) ? r.int(VM_MEMORY) & ~3 : randomValue(r));
  }
  const mode = r.chance(0.6) ? 0 : r.int(4);
  vm.setPsl(
    mode === 0 ? r.pick([0, 0x041f0000, 0x00030000]) : (mode << 24) | (3 << 22),
  );
}

/** Watches the real processor: every entry and every exit has PSL<VM>=1 and a non-kernel real mode. */
function watch(cp: Monitor): { problems: string[] } {
  const cpu = cp.machine.cpu;
  const problems: string[] = [];
  const run = cpu.run.bind(cpu);
  const check = (when: string, psl: number) => {
    if ((psl & PSL_VM) === 0) {
      problems.push(`${when}: PSL<VM>=0 (PSL ${psl.toString(16)})`);
    }
    if (((psl >>> 24) & 3) === 0) {
      problems.push(`${when}: real kernel mode (PSL ${psl.toString(16)})`);
    }
    if ((psl & 0x04000000) !== 0) {
      problems.push(`${when}: real IS (PSL ${psl.toString(16)})`);
    }
  };
  cpu.run = (n: number, t?: number) => {
    check("entry", cpu.psl >>> 0);
    if (cpu.mapen !== 1) {
      problems.push("entry: MAPEN=0 (guest would see real memory)");
    }
    const code = run(n, t);
    if (code === STOP_EXIT) check("exit", cpu.exit!.psl);
    check("return", cpu.psl >>> 0);
    return code;
  };
  return { problems };
}

/**
 * Records every frame the allocator hands to each owner (shadow tables
 * come and go: a frame released after use keeps its contents, harmlessly,
 * since allocation clears it).
 */
function trackFrames(cp: Monitor): Map<number, Set<string>> {
  const owners = new Map<number, Set<string>>();
  const note = (f: number, owner: string) => {
    if (!owners.has(f)) owners.set(f, new Set());
    owners.get(f)!.add(owner);
  };
  const frames = cp.frames;
  const allocate = frames.allocate.bind(frames);
  const contiguous = frames.allocateContiguous.bind(frames);
  frames.allocate = (owner: string, use: string) => {
    const f = allocate(owner, use);
    note(f, owner);
    return f;
  };
  frames.allocateContiguous = (n: number, owner: string, use: string) => {
    const f = contiguous(n, owner, use);
    for (let k = 0; k < n; k++) note(f + k, owner);
    return f;
  };
  return owners;
}

/** Real frames a VM may change: its memory, its shadow tables (ever), the bounce buffer. */
function mayWrite(
  cp: Monitor,
  owners: Map<number, Set<string>>,
  vm: VirtualMachine,
  frame: number,
): boolean {
  if (frame < BOUNCE_FRAMES) return true;
  return cp.frames.ownerOf(frame)?.owner === vm.name ||
    (owners.get(frame)?.has(vm.name) ?? false);
}

function scenario(seed: number): void {
  const r = new Rng(seed);
  const cp = Monitor.on(
    new Machine({ memory: REAL_MEMORY, disk: "256 KiB" }),
    { quantumNs: 200_000, shadow: r.pick(["split", "shared"] as const) },
  );
  const { problems } = watch(cp);
  const owners = trackFrames(cp);
  const names = ["A", "B", "C"];
  const vms = names.map((n, i) => {
    let b = cp.vm(n).memory(VM_MEMORY).minidisk(`${8 * (i + 1)} KiB`);
    if (i === 2) b = b.minidisk("4 KiB");
    return b.create();
  });
  const victim = cp.vm("VICTIM").memory("16 KiB").minidisk("8 KiB").create();
  const u8 = cp.machine.memory.u8;
  const disk = cp.machine.disk.data;
  // Free frames and the whole disk get a pattern, so that a stray write shows.
  for (let f = BOUNCE_FRAMES; f < REAL_MEMORY / 512; f++) {
    if (!cp.frames.ownerOf(f)) u8.fill(0x5a, f * 512, f * 512 + 512);
  }
  for (let i = 0; i < disk.length; i++) disk[i] = (i * 13 + 7) & 0xff;
  victim.load(new Uint8Array(16 * 1024).fill(0xc3), 0);
  for (const vm of vms) hostile(r, vm, vm.disk.blocks);
  const victimMemory = victim.readPhysical(0, 16 * 1024);
  const victimDisk = victim.disk.readBlocks(0, victim.disk.blocks);
  const what = `seed ${seed} (replay with ISOLATION_SEED=${seed})`;

  // Each hostile VM alone: nothing outside its frames and extents changes.
  for (const vm of vms) {
    const memBefore = u8.slice();
    const diskBefore = disk.slice();
    // Another VM's asynchronous transfer may still be on the real disk, and
    // completes (in that VM's extent) while this one runs.
    const inFlight = vms.filter((v) => v !== vm && v.disk.busy);
    let result;
    try {
      result = vm.run({ limit: 3000 });
    } catch (e) {
      throw new Error(
        `${what}: VM ${vm.name}: the monitor threw ${(e as Error).stack}`,
      );
    }
    ok(
      ["halt", "limit", "idle", "time"].includes(result.stop),
      `${what}: ${result.stop}`,
    );
    for (let f = 0; f < REAL_MEMORY / 512; f++) {
      if (mayWrite(cp, owners, vm, f)) continue;
      // (An asynchronous read of another VM lands in that VM's memory.)
      if (inFlight.some((v) => cp.frames.ownerOf(f)?.owner === v.name)) {
        continue;
      }
      for (let i = f * 512; i < f * 512 + 512; i++) {
        if (u8[i] !== memBefore[i]) {
          const owner = cp.frames.ownerOf(f);
          throw new Error(
            `${what}: VM ${vm.name} changed real frame ${f} (${
              owner ? `${owner.owner} ${owner.use}` : "free"
            }) at ${i.toString(16)}`,
          );
        }
      }
    }
    const mine = [vm, ...inFlight].flatMap((v) => v.disk.extents);
    for (let b = 0; b < cp.machine.disk.blocks; b++) {
      if (mine.some((e) => b >= e.start && b < e.start + e.blocks)) continue;
      for (let i = b * 512; i < b * 512 + 512; i++) {
        if (disk[i] !== diskBefore[i]) {
          throw new Error(
            `${what}: VM ${vm.name} changed real disk block ${b}`,
          );
        }
      }
    }
    ok(
      problems.length === 0,
      `${what}: VM ${vm.name}: ${problems.slice(0, 3).join("; ")}`,
    );
  }

  // All of them together, round robin: the victim (halted at once) is untouched.
  victim.load(asm("HALT", 0).bytes, 0x100);
  victim.set("PC", 0x100);
  let r2;
  try {
    r2 = cp.run({ limit: 20_000, forNs: 50_000_000 });
  } catch (e) {
    throw new Error(`${what}: cp.run: the monitor threw ${(e as Error).stack}`);
  }
  ok(
    ["halt", "limit", "idle", "time"].includes(r2.stop),
    `${what}: ${r2.stop}`,
  );
  const vmem = victim.readPhysical(0, 16 * 1024);
  vmem[0x100] = 0xc3; // the HALT it ran
  ok(
    vmem.every((b, i) => b === victimMemory[i]),
    `${what}: the victim's memory changed`,
  );
  ok(
    victim.disk.readBlocks(0, victim.disk.blocks).every((b, i) =>
      b === victimDisk[i]
    ),
    `${what}: the victim's disk changed`,
  );
  for (let f = BOUNCE_FRAMES; f < REAL_MEMORY / 512; f++) {
    if (cp.frames.ownerOf(f) || owners.has(f)) continue;
    for (let i = f * 512; i < f * 512 + 512; i++) {
      if (u8[i] !== 0x5a) {
        throw new Error(`${what}: free frame ${f} was written`);
      }
    }
  }
  ok(problems.length === 0, `${what}: ${problems.slice(0, 3).join("; ")}`);
  // Every transfer the real disk did lies inside some VM's extents.
  const extents = cp.minidisks.extents;
  for (const t of cp.machine.disk.history) {
    if (t.error !== 0 || t.count === 0) continue;
    ok(
      extents.some((e) =>
        t.block >= e.start && t.block + t.count <= e.start + e.blocks
      ),
      `${what}: a real transfer of blocks ${t.block}+${t.count} crosses extents`,
    );
  }
  // The real MMU registers, whenever a VM ran, pointed at that VM's shadow tables.
  const sbrOwner = cp.frames.ownerOf(cp.machine.cpu.sbr >>> 9);
  ok(
    sbrOwner && sbrOwner.use.startsWith("shadow"),
    `${what}: real SBR is not a shadow table`,
  );
}

const only = Deno.env.get("ISOLATION_SEED");
if (only !== undefined) {
  Deno.test(`isolation: seed ${only}`, () => scenario(Number(only)));
} else {
  Deno.test("isolation: hostile guests in several VMs (60 seeds) never reach outside their frames and extents", () => {
    for (let seed = 1; seed <= 60; seed++) scenario(seed);
  });
}

Deno.test("isolation: a guest's own VMPSL does not exist (MTPR/MFPR 80 are reserved operands)", () => {
  const cp = Monitor.on(new Machine({ memory: "1 MiB", disk: "64 KiB" }));
  const vm = cp.vm("G").memory("16 KiB").create();
  vm.load(asm("MTPR #0, #80\n HALT", 0x200).bytes, 0x200);
  vm.load(long(0x300), 0x18); // ROF vector -> a HALT at 0x300
  vm.set("PC", 0x200);
  vm.set("KSP", 0x2000);
  vm.setPsl(0);
  vm.run({ limit: 10 });
  ok(vm.halted && vm.get("PC") === 0x301, "the ROF handler ran");
  ok(vm.stats.exits.MTPR === 1);
});
