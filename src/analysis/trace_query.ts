/**
 * Questions asked of traces: where is the n-th system call, and what
 * happened between the process's CHMK and its return to user mode, on bare
 * hardware (CHMK, exception entry, I/O, REI or LDPCTX) and under the
 * monitor (exits, emulations, reflections, minidisk I/O).
 *
 * @module
 */

import type { TraceEvent } from "../machine/trace.ts";

/** Event sources that are not a VM: the real devices, the CPU, the monitor. */
const SHARED_SOURCES: ReadonlySet<string> = new Set([
  "cpu",
  "disk",
  "console",
  "timer",
  "monitor",
]);

function mode(psl: number | undefined): number {
  return psl === undefined ? -1 : (psl >>> 24) & 3;
}

/** Whether an event is a CHMK from user mode with the given code. */
export function isSystemCall(e: TraceEvent, code?: number): boolean {
  if (e.kind === "chm" && mode(e.psl) === 3 && e.data?.mode === 0) {
    return code === undefined || e.data?.code === code;
  }
  if (e.kind === "exit" && e.data?.mnemonic === "CHMK" && mode(e.psl) === 3) {
    return code === undefined || e.data?.operand === code;
  }
  return false;
}

/**
 * Whether an event returns to user mode (REI, or its emulation, to a user
 * PSL); with `pc`, only a return to that address counts.
 */
export function returnsToUser(e: TraceEvent, pc?: number): boolean {
  let to: number | undefined;
  if (e.kind === "rei" && mode(e.newPsl) === 3) {
    to = e.data?.to as number | undefined;
  } else if (
    e.kind === "emulate" && e.data?.mnemonic === "REI" &&
    mode(e.data?.newPsl as number | undefined) === 3
  ) {
    to = e.pc;
  } else return false;
  return pc === undefined || to === pc;
}

/**
 * The events of the n-th system call with `code` (0-based; any code if
 * omitted): from the CHMK to the return to user mode, inclusive. Empty if
 * there is none.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { systemCallSpan } from "./trace_query.ts";
 * const span = systemCallSpan([
 *   { ns: 0, kind: "chm", source: "cpu", text: "CHMK #2", psl: 0x03c00000, newPsl: 0, data: { mode: 0, code: 2, next: 0x202 } },
 *   { ns: 5, kind: "rei", source: "cpu", text: "REI", psl: 0, newPsl: 0x03c00000, data: { to: 0x202 } },
 * ], 2);
 * ok(span.length === 2);
 * ```
 */
export function systemCallSpan(
  events: readonly TraceEvent[],
  code?: number,
  nth = 0,
): TraceEvent[] {
  let seen = 0;
  for (let i = 0; i < events.length; i++) {
    if (!isSystemCall(events[i]!, code)) continue;
    if (seen++ < nth) continue;
    // The same process continues at the instruction after its CHMK.
    const next = events[i]!.data?.next as number | undefined;
    const source = events[i]!.source;
    const out: TraceEvent[] = [];
    for (let j = i; j < events.length; j++) {
      const e = events[j]!;
      // Under a monitor, leave out what other VMs did meanwhile.
      if (e.source !== source && !SHARED_SOURCES.has(e.source)) continue;
      out.push(e);
      if (j > i && returnsToUser(e, next)) return out;
    }
    return out;
  }
  return [];
}
