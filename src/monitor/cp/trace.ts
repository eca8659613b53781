/**
 * TRACE: a user's events recorded through the monitor's hooks, by class
 * (privileged instructions, CHMx, minidisk I/O, reflected exceptions and
 * interrupts, every exit).
 *
 * @module
 */

import { formatNs, hex8 } from "../../machine/units.ts";
import type { MonitorHost } from "../host.ts";
import type { Monitor } from "../monitor.ts";
import type { VirtualMachine } from "../vm.ts";
import { CpError, resolveWord } from "./messages.ts";

const TRACE_CLASSES: Record<string, string[] | null> = {
  PRIV: ["MTPR", "MFPR", "LDPCTX", "SVPCTX", "HALT", "PROBER", "PROBEW", "REI"],
  SVC: ["CHMK", "CHME", "CHMS", "CHMU"],
  IO: null,
  PROG: null,
  EXIT: null,
  ALL: null,
};

/** CP's tracer: the hooks set for each traced user, and the lines. */
export class CpTracer {
  /** TRACE output. */
  readonly log: string[] = [];
  readonly #monitor: Monitor<MonitorHost>;
  readonly #traces: Map<string, (() => void)[]> = new Map();
  readonly #onTrace?: (line: string) => void;

  /** A tracer on `monitor`'s hooks; lines also go to `onTrace`. */
  constructor(
    monitor: Monitor<MonitorHost>,
    onTrace?: (line: string) => void,
  ) {
    this.#monitor = monitor;
    if (onTrace) this.#onTrace = onTrace;
  }

  /** Stops tracing a user (removes its hooks). */
  stop(name: string): void {
    for (const off of this.#traces.get(name) ?? []) off();
    this.#traces.delete(name);
  }

  /**
   * TRACE: records a user's events through the monitor's hooks. Classes:
   * PRIV (privileged and sensitive instructions), SVC (CHMx), IO (minidisk
   * requests), PROG (exceptions and interrupts reflected into the guest),
   * EXIT (every exit), ALL; END stops tracing the user.
   *
   * @throws {CpError} for an unknown class
   */
  trace(vm: VirtualMachine, ...classes: string[]): string {
    const name = vm.name;
    const list = classes.length ? classes : ["ALL"];
    const stop = () => this.stop(name);
    if (list.length === 1 && /^END$/i.test(list[0]!)) {
      stop();
      return `TRACE ENDED FOR ${name}`;
    }
    const resolved = list.map((c) => {
      const r = resolveWord(c, [
        ["PRIV", 1],
        ["SVC", 1],
        ["IO", 1],
        ["PROG", 2],
        ["EXIT", 1],
        ["ALL", 1],
      ]);
      if (!r) {
        throw new CpError("TRA", 3, `INVALID OPTION - ${c.toUpperCase()}`);
      }
      return r;
    });
    stop();
    const offs: (() => void)[] = [];
    const emit = (line: string) => {
      this.log.push(line);
      this.#onTrace?.(line);
    };
    const has = (c: string) => resolved.includes(c) || resolved.includes("ALL");
    const exitKinds = new Set<string>();
    if (has("PRIV")) TRACE_CLASSES.PRIV!.forEach((k) => exitKinds.add(k));
    if (has("SVC")) TRACE_CLASSES.SVC!.forEach((k) => exitKinds.add(k));
    const every = has("EXIT");
    if (every || exitKinds.size) {
      offs.push(this.#monitor.on("exit", (e) => {
        if (!every && !exitKinds.has(e.kind)) return;
        emit(
          `${name.padEnd(8)} ${e.kind.padEnd(8)} AT ${
            hex8(e.exit.pc).toUpperCase()
          }  ${formatNs(e.ns)}`,
        );
      }, { vm: name }));
    }
    if (has("IO")) {
      offs.push(this.#monitor.on("io", (e) => {
        emit(
          `${
            name.padEnd(8)
          } I/O ${e.func.toUpperCase()} ${e.count} BLK AT ${e.block} -> ${
            e.memory.toString(16).toUpperCase()
          }`,
        );
      }, { vm: name }));
    }
    if (has("PROG")) {
      offs.push(this.#monitor.on("reflect", (e) => {
        emit(
          `${name.padEnd(8)} ${e.level >= 0 ? "INTERRUPT" : "PROGRAM"} VECTOR ${
            e.vector.toString(16).toUpperCase().padStart(2, "0")
          } AT ${hex8(e.vm.get("PC")).toUpperCase()}`,
        );
      }, { vm: name }));
    }
    this.#traces.set(name, offs);
    return `TRACE ${resolved.join(" ")} SET FOR ${name}`;
  }
}
