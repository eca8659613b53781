/**
 * Looking inside a VM from the host: one instruction injected in a chosen
 * virtual mode with a report of the exits and what changed, the guest's
 * page tables beside the monitor's shadow tables, and the virtual PSL
 * beside the real PSL and VMPSL that carry it.
 *
 * @module
 */

import { vmState } from "./vm.ts";
import { REGISTER_NAMES } from "../arch/registers.ts";
import { decodePte, PTE_V } from "../arch/pte.ts";
import { VMPSL_MASK } from "../arch/psl.ts";
import type { CpuState, RunOptions, RunResult } from "../machine/hardware.ts";
import type { MonitorHost } from "./host.ts";
import type { TraceEvent } from "../machine/trace.ts";
import { formatHex, hex8 } from "../machine/units.ts";
import { checkMode } from "../machine/checks.ts";
import { MODE_NAMES } from "../arch/psl.ts";
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
  /** Loads a VM's registers into the processor after a host change. */
  syncToCpu?(vm: VirtualMachine): void;
}

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
  if (
    options === null || typeof options !== "object" || Array.isArray(options)
  ) {
    throw new TypeError(
      `Cannot inject with options ${
        String(options)
      }: expected an object such as { mode: "user" }`,
    );
  }
  if (typeof source !== "string") {
    throw new TypeError(
      `Cannot inject ${typeof source}: expected one instruction as text, such as "MTPR #3,#18"`,
    );
  }
  const given = options.mode !== undefined;
  const mode = given
    ? checkMode(options.mode, "inject")
    : (vmState(vm).vpsl >>> 24) & 3;
  const prv = options.previousMode === undefined
    ? mode
    : checkMode(options.previousMode, "inject with a previous");
  if (prv < mode) {
    throw new RangeError(
      `Cannot inject in ${MODE_NAMES[mode]} mode with previous mode ${
        MODE_NAMES[prv]
      }: the previous mode is never more privileged than the current one`,
    );
  }
  const ipl = options.ipl ?? (mode === 0 ? 31 : 0);
  if (!Number.isInteger(ipl) || ipl < 0 || ipl > 31 || (mode !== 0 && ipl)) {
    throw new RangeError(
      `Cannot inject at IPL ${ipl}: expected 0 to 0x1F, and 0 outside kernel mode`,
    );
  }
  if (
    !given && (options.previousMode !== undefined || options.ipl !== undefined)
  ) {
    throw new RangeError(
      "Cannot inject with previousMode or ipl but no mode: give the mode too",
    );
  }
  const at = (options.at ?? vmState(vm).r[15]!) >>> 0;
  const asm = assemble(source, { origin: at, fileName: "inject" });
  if (asm.bytes.length === 0) {
    throw new SyntaxError("Cannot inject nothing: expected one instruction");
  }
  // Where the bytes go: through the guest's own tables when mapping is on.
  const gpas: number[] = [];
  for (let i = 0; i < asm.bytes.length; i++) {
    let gpa: number;
    try {
      gpa = vmState(vm).ipr.mapen
        ? guestTranslate(machine.memory, vmState(vm), (at + i) >>> 0, 0, false)
        : (at + i) & 0x3fffffff;
    } catch {
      throw new RangeError(
        `Cannot inject at 0x${hex8(at)}: the guest does not map it`,
      );
    }
    if (vmState(vm).realAddress(gpa) < 0) {
      throw new RangeError(
        `Cannot inject at 0x${hex8(at)}: outside the VM's memory`,
      );
    }
    gpas.push(gpa);
  }
  const u8 = machine.memory.u8;
  const saved = gpas.map((g) => u8[vmState(vm).realAddress(g)]!);
  gpas.forEach((g, i) =>
    machine.memory.writeB(vmState(vm).realAddress(g), asm.bytes[i]!)
  );
  const text = disassembleOne((a) => asm.bytes[a - at] ?? 0, at).text;
  // Start from the mode, previous mode and IPL asked for (the console's
  // way: IS clear, the condition codes kept), never from what an earlier
  // inject left.
  if (given) {
    vm.setPsl(
      ((vmState(vm).vpsl & 0xff) | (mode << 24) | (prv << 22) | (ipl << 16)) >>>
        0,
    );
  }
  const originalPc = vmState(vm).r[15]! | 0;
  vmState(vm).r[15] = at | 0;
  const before = vm.state();
  const trace = machine.trace;
  const wasEnabled = trace.enabled;
  trace.enabled = true;
  const mark = trace.length;
  const exitsBefore = vm.stats.exits; // a snapshot
  const reflectedBefore = vm.stats.reflected;
  const t0 = machine.cpu.ns;
  let r: RunResult;
  try {
    r = host.runVm(vm, { limit: 1 });
  } finally {
    trace.enabled = wasEnabled;
    gpas.forEach((g, i) =>
      machine.memory.writeB(vmState(vm).realAddress(g), saved[i]!)
    );
  }
  const reflected = vm.stats.reflected > reflectedBefore;
  const completed = !reflected &&
    (vmState(vm).r[15]! >>> 0) === ((at + asm.bytes.length) >>> 0);
  // A completed instruction gives the guest its PC back; the state after
  // is taken then, so that `changed` and vm.get("PC") agree.
  if (completed) {
    vmState(vm).r[15] = originalPc;
    host.syncToCpu?.(vm);
  }
  const after = vm.state();
  const explanation = vm.halted && r.stop === "halt"
    ? haltExplanation(vm, before)
    : "";
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
    explanation,
  });
}

/** Why an injected instruction halted the VM, and how to prevent it. */
function haltExplanation(vm: VirtualMachine, before: CpuState): string {
  const scbb = before.iprs.SCBB ?? 0;
  const reason = vm.haltReason;
  if (reason === "HALT instruction") {
    return `${vm.name} executed HALT in kernel mode (run it to continue)`;
  }
  const noScb = scbb === 0 || /SCB|interrupt stack|stack/i.test(reason);
  return noScb
    ? `${vm.name} halted (${reason}): the instruction raised an exception for the guest, and the guest has no SCB to reflect it into (SCBB=${
      formatHex(scbb, 8)
    }, ISP=${formatHex(before.iprs.ISP ?? 0, 8)}, KSP=${
      formatHex(before.iprs.KSP ?? 0, 8)
    }). Give it one: boot a guest OS (cp.vm(...).boot(multiprogramming)), or set SCBB to a page of vectors and ISP/KSP to stacks before injecting`
    : `${vm.name} halted (${reason})`;
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
  const g = vmState(vm).ipr;
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
      ? rawGuestPte(machine.memory, vmState(vm), va)
      : (va & 0x3fffffff) < vm.memorySize
      ? (PTE_V | (4 << 27) | ((va & 0x3fffffff) >>> 9)) >>> 0
      : undefined;
    if (raw === undefined) continue;
    const k = vmState(vm).shadow.kernel.read(va);
    const e = vmState(vm).shadow.exec.read(va);
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
  return new PageTableComparison(
    vm.name,
    region,
    policy,
    rows,
    Math.max(rows.length, end - first),
    g.mapen !== 0,
  );
}

/** The real PSL and VMPSL of a VM beside its virtual PSL. */
export function describePsl(vm: VirtualMachine): PslReport {
  const p = vmState(vm).vpsl;
  return new PslReport(p, realPsl(p), p & VMPSL_MASK);
}
