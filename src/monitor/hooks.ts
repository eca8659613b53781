/**
 * Exit hooks: user code that watches and steers the monitor, as KVM's users
 * do from user space and Unicorn's users do with hooks. `monitor.on("exit",
 * fn)` calls `fn` with every exit record before the monitor handles it;
 * `on("io", fn)` with every minidisk request; `on("reflect", fn)` with every
 * exception or interrupt about to be reflected into a guest. A hook may
 * observe, count, or take over: returning `"handled"` tells the monitor the
 * hook has done the work itself (and updated the VM's state), so the
 * monitor does nothing more for that event. A hook that throws stops the
 * run: the error leaves `run()` as a {@link HookError}, with the VM's state
 * as it was when the event happened (PC at the instruction).
 *
 * @module
 */

import type { CpuExit } from "../machine/cpu.ts";
import type { VirtualMachine } from "./vm.ts";

/** The events a hook can watch. */
export type HookEventName = "exit" | "io" | "reflect";

/** An exit as a hook sees it. */
export interface ExitHookEvent {
  /** The VM that exited. */
  readonly vm: VirtualMachine;
  /** The exit's name: a mnemonic (`CHMK`, `MTPR`...), `ACV`, `TNV`, `interrupt`... */
  readonly kind: string;
  /** The processor's exit record (decoded operands included). */
  readonly exit: CpuExit;
  /** Simulated time of the exit (ns). */
  readonly ns: number;
  /** The level of the monitor that sees the exit (1: on the real machine). */
  readonly level: number;
}

/** A minidisk request as a hook sees it. */
export interface IoHookEvent {
  /** The VM that set GO. */
  readonly vm: VirtualMachine;
  /** `read`, `write` or `reserved` (a bad function code). */
  readonly func: "read" | "write" | "reserved";
  /** First virtual block. */
  readonly block: number;
  /** Block count. */
  readonly count: number;
  /** Guest-physical buffer address. */
  readonly memory: number;
  /** Whether the guest asked for an asynchronous transfer. */
  readonly async: boolean;
  /** Simulated time (ns). */
  readonly ns: number;
  /** The level of the monitor (1: on the real machine). */
  readonly level: number;
}

/** A reflection as a hook sees it. */
export interface ReflectHookEvent {
  /** The VM the event goes to. */
  readonly vm: VirtualMachine;
  /** SCB vector offset. */
  readonly vector: number;
  /** Exception parameters. */
  readonly params: readonly number[];
  /** Interrupt level, or -1 for an exception. */
  readonly level: number;
  /** Simulated time (ns). */
  readonly ns: number;
}

/** The argument each kind of hook receives. */
export interface HookEventMap {
  /** Exits. */
  exit: ExitHookEvent;
  /** Minidisk requests. */
  io: IoHookEvent;
  /** Reflections into a guest. */
  reflect: ReflectHookEvent;
}

/** What a hook returns: nothing (observe) or `"handled"` (taken over). */
export type HookResult = void | undefined | "handled";

/** A hook function. */
export type Hook<E extends HookEventName> = (
  event: HookEventMap[E],
) => HookResult;

/** Which events a hook wants: VM names and exit kinds (case-insensitive). */
export interface HookFilter {
  /** Only these VMs (a name or names). */
  vm?: string | readonly string[];
  /** Only these kinds: exit kinds (`CHMK`, `ACV`...), io functions, or SCB vector names. */
  kind?: string | readonly string[];
}

/** A hook's error, with what it was looking at. */
export class HookError extends Error {
  /** The event the hook was given. */
  readonly event: HookEventMap[HookEventName];
  /** Creates the error. */
  constructor(
    name: HookEventName,
    event: HookEventMap[HookEventName],
    cause: unknown,
  ) {
    super(
      `A "${name}" hook threw for VM "${event.vm.name}": ${
        cause instanceof Error ? cause.message : String(cause)
      }`,
      { cause },
    );
    this.name = "HookError";
    this.event = event;
  }
}

interface Entry {
  fn: (e: never) => HookResult;
  vms: Set<string> | null;
  kinds: Set<string> | null;
}

function toSet(
  v: string | readonly string[] | undefined,
  what: string,
): Set<string> | null {
  if (v === undefined) return null;
  const list = typeof v === "string" ? [v] : v;
  if (!Array.isArray(list) || list.some((s) => typeof s !== "string")) {
    throw new TypeError(
      `Cannot use hook filter ${what} ${
        JSON.stringify(v)
      }: expected a string or an array of strings`,
    );
  }
  return new Set(list.map((s) => s.toUpperCase()));
}

/**
 * The hooks of one monitor. The monitor asks {@link Hooks.has} before it
 * builds an event, so hooks cost nothing while none is registered.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { Hooks } from "./hooks.ts";
 * const hooks = new Hooks();
 * let seen = 0;
 * const off = hooks.on("io", () => {
 *   seen++;
 * });
 * ok(hooks.has("io") && !hooks.has("exit"));
 * off();
 * ok(!hooks.has("io") && seen === 0);
 * ```
 */
export class Hooks {
  readonly #lists: Record<HookEventName, Entry[]> = {
    exit: [],
    io: [],
    reflect: [],
  };

  /**
   * Adds a hook; returns a function that removes it.
   *
   * @throws {RangeError} for an unknown event name
   * @throws {TypeError} when `fn` is not a function or the filter is malformed
   */
  on<E extends HookEventName>(
    name: E,
    fn: Hook<E>,
    filter: HookFilter = {},
  ): () => void {
    const list = this.#lists[name];
    if (!list) {
      throw new RangeError(
        `Cannot add a hook for "${
          String(name)
        }": expected "exit", "io" or "reflect"`,
      );
    }
    if (typeof fn !== "function") {
      throw new TypeError(`Cannot add a "${name}" hook: expected a function`);
    }
    const entry: Entry = {
      fn: fn as (e: never) => HookResult,
      vms: toSet(filter.vm, "vm"),
      kinds: toSet(filter.kind, "kind"),
    };
    list.push(entry);
    return () => {
      const i = list.indexOf(entry);
      if (i >= 0) list.splice(i, 1);
    };
  }

  /** Whether any hook watches this event. */
  has(name: HookEventName): boolean {
    return this.#lists[name].length !== 0;
  }

  /** Number of hooks, by event. */
  get counts(): Record<HookEventName, number> {
    return {
      exit: this.#lists.exit.length,
      io: this.#lists.io.length,
      reflect: this.#lists.reflect.length,
    };
  }

  /**
   * Calls the hooks that match; true when one of them took the event over
   * (the later ones are then not called).
   *
   * @throws {HookError} when a hook throws
   */
  dispatch<E extends HookEventName>(
    name: E,
    event: HookEventMap[E],
    kind: string,
  ): boolean {
    const list = this.#lists[name];
    const vm = event.vm.name.toUpperCase();
    const k = kind.toUpperCase();
    for (const h of [...list]) {
      if (h.vms && !h.vms.has(vm)) continue;
      if (h.kinds && !h.kinds.has(k)) continue;
      let r: HookResult;
      try {
        r = (h.fn as (e: HookEventMap[E]) => HookResult)(event);
      } catch (e) {
        throw new HookError(name, event, e);
      }
      if (r === "handled") return true;
    }
    return false;
  }
}
