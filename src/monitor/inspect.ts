/**
 * Looking inside a VM from the host: one instruction injected in a chosen
 * virtual mode with a report of the exits and what changed, the guest's
 * page tables beside the monitor's shadow tables, and the virtual PSL
 * beside the real PSL and VMPSL that carry it.
 *
 * @module
 */

import { REGISTER_NAMES } from "../arch/registers.ts";
import { decodePte, PTE_V } from "../arch/pte.ts";
import { VMPSL_MASK } from "../arch/psl.ts";
import type { RunOptions, RunResult } from "../machine/hardware.ts";
import type { MonitorHost } from "./host.ts";
import type { TraceEvent } from "../machine/trace.ts";
import { hex8 } from "../machine/units.ts";
import { assemble } from "../asm/assembler.ts";
import { disassembleOne } from "../asm/disassembler.ts";
import { guestTranslate, rawGuestPte } from "./guest_memory.ts";
import {
  type InjectOptions,
  InjectReport,
  PageTableComparison,
  type PageTableRow,
  PslReport,
} from "./reports.ts";
import type { ShadowPolicy } from "./shadow.ts";
import { realPsl } from "./vcpu.ts";
import type { VirtualMachine } from "./vm.ts";

/** What injection needs of the monitor. */
export interface InjectHost {
  /** Real memory, the trace and the clock. */
  readonly machine: Pick<MonitorHost, "memory" | "trace" | "cpu">;
  /** Runs one VM alone. */
  runVm(vm: VirtualMachine, options?: RunOptions): RunResult;
}

const MODE_BY_NAME: Record<string, number> = {
  kernel: 0,
  executive: 1,
  supervisor: 2,
  user: 3,
};

/**
 * Executes one instruction (assembly text) inside a VM in a chosen virtual
 * mode and reports what happened: the exits, what the monitor did, and
 * the state that changed. The bytes it borrows are put back; if the
 * instruction completed, PC returns to where it was, so the guest can go
 * on; if the monitor reflected an exception, the VM is left in the
 * guest's handler, as hardware would leave it.
 */
export function inject(
  host: InjectHost,
  vm: VirtualMachine,
  source: string,
  options: InjectOptions = {},
): InjectReport {
  const machine = host.machine;
  const mode = typeof options.mode === "string"
    ? MODE_BY_NAME[options.mode]
    : options.mode ?? ((vm.vpsl >>> 24) & 3);
  if (mode === undefined || !Number.isInteger(mode) || mode < 0 || mode > 3) {
    throw new RangeError(
      `Cannot inject in mode ${
        String(options.mode)
      }: expected 0-3 or kernel, executive, supervisor, user`,
    );
  }
  const at = (options.at ?? vm.r[15]!) >>> 0;
  const asm = assemble(source, { origin: at, fileName: "inject" });
  if (asm.bytes.length === 0) {
    throw new SyntaxError("Cannot inject nothing: expected one instruction");
  }
  // Where the bytes go: through the guest's own tables when mapping is on.
  const gpas: number[] = [];
  for (let i = 0; i < asm.bytes.length; i++) {
    let gpa: number;
    try {
      gpa = vm.ipr.mapen
        ? guestTranslate(machine.memory, vm, (at + i) >>> 0, 0, false)
        : (at + i) & 0x3fffffff;
    } catch {
      throw new RangeError(
        `Cannot inject at 0x${hex8(at)}: the guest does not map it`,
      );
    }
    if (vm.realAddress(gpa) < 0) {
      throw new RangeError(
        `Cannot inject at 0x${hex8(at)}: outside the VM's memory`,
      );
    }
    gpas.push(gpa);
  }
  const u8 = machine.memory.u8;
  const saved = gpas.map((g) => u8[vm.realAddress(g)]!);
  gpas.forEach((g, i) => u8[vm.realAddress(g)] = asm.bytes[i]!);
  const text = disassembleOne((a) => asm.bytes[a - at] ?? 0, at).text;
  // Enter the mode, as the console would (IPL 0 and no IS outside kernel).
  const cur = (vm.vpsl >>> 24) & 3;
  if (mode !== cur) {
    const p = mode === 0
      ? (vm.vpsl & ~0x03000000)
      : (vm.vpsl & ~0x071f0000) | (mode << 24) |
        (Math.max(mode, (vm.vpsl >>> 22) & 3) << 22);
    vm.setPsl(p);
  }
  vm.r[15] = at | 0;
  const before = vm.state();
  const trace = machine.trace;
  const wasEnabled = trace.enabled;
  trace.enabled = true;
  const mark = trace.length;
  const exitsBefore = { ...vm.stats.exits };
  const reflectedBefore = vm.stats.reflected;
  const t0 = machine.cpu.ns;
  let r: RunResult;
  try {
    r = host.runVm(vm, { limit: 1 });
  } finally {
    trace.enabled = wasEnabled;
    gpas.forEach((g, i) => u8[vm.realAddress(g)] = saved[i]!);
  }
  const after = vm.state();
  const reflected = vm.stats.reflected > reflectedBefore;
  const completed = !reflected &&
    (vm.r[15]! >>> 0) === ((at + asm.bytes.length) >>> 0);
  if (completed) vm.r[15] = before.r[15]! | 0;
  const exits: Record<string, number> = {};
  for (const [k, n] of Object.entries(vm.stats.exits)) {
    const d = n - (exitsBefore[k] ?? 0);
    if (d > 0) exits[k] = d;
  }
  const changed: Record<string, [number, number]> = {};
  const names = REGISTER_NAMES;
  names.forEach((n, i) => {
    if (before.r[i] !== after.r[i]) changed[n] = [before.r[i]!, after.r[i]!];
  });
  if (before.psl !== after.psl) changed.PSL = [before.psl, after.psl];
  for (const [k, v] of Object.entries(after.iprs)) {
    const b = before.iprs[k];
    if (b !== undefined && b !== v && k !== "TODR" && k !== "RXDB") {
      changed[k] = [b, v];
    }
  }
  return new InjectReport({
    instruction: text,
    bytes: asm.bytes,
    mode,
    stop: r.stop,
    exits,
    events: trace.events.slice(mark) as TraceEvent[],
    before,
    after,
    changed,
    reflected,
    ns: machine.cpu.ns - t0,
  });
}

/**
 * Compares a VM's page table for a region with the monitor's shadow
 * tables, entry by entry (guest protection, and shadow protection after
 * remapping). With mapping off, the guest "table" is the identity map.
 */
export function pageTables(
  machine: Pick<MonitorHost, "memory">,
  policy: ShadowPolicy,
  vm: VirtualMachine,
  region: "S0" | "P0" | "P1",
  options: { from?: number; count?: number } = {},
): PageTableComparison {
  const g = vm.ipr;
  const rows: PageTableRow[] = [];
  const count = options.count ?? 64;
  let first: number;
  let end: number;
  if (region === "S0") {
    first = options.from ?? 0;
    end = g.mapen ? g.slr : vm.memorySize / 512;
  } else if (region === "P0") {
    first = options.from ?? 0;
    end = g.mapen ? g.p0lr : vm.memorySize / 512;
  } else {
    first = options.from ?? (g.mapen ? g.p1lr : 0x200000);
    end = 0x200000;
  }
  const base = region === "S0" ? 0x80000000 : region === "P0" ? 0 : 0x40000000;
  for (let vpn = first; vpn < end && rows.length < count; vpn++) {
    const va = (base + vpn * 512) >>> 0;
    const raw = g.mapen
      ? rawGuestPte(machine.memory, vm, va)
      : (va & 0x3fffffff) < vm.memorySize
      ? (PTE_V | (4 << 27) | ((va & 0x3fffffff) >>> 9)) >>> 0
      : undefined;
    if (raw === undefined) continue;
    const k = vm.shadow.kernel.read(va);
    const e = vm.shadow.exec.read(va);
    const guest = decodePte(raw);
    const shadow = k !== 0 ? decodePte(k) : null;
    const shadowExec = policy === "split" && e !== 0 ? decodePte(e) : null;
    rows.push({
      va,
      guest,
      shadow,
      shadowExec,
      remapped: shadow !== null && shadow.prot !== guest.prot,
    });
  }
  return new PageTableComparison(vm.name, region, policy, rows);
}

/** The real PSL and VMPSL of a VM beside its virtual PSL. */
export function describePsl(vm: VirtualMachine): PslReport {
  const p = vm.vpsl;
  return new PslReport(p, realPsl(p), p & VMPSL_MASK);
}
