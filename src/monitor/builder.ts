/**
 * Building a VM: an immutable builder of its name, memory and minidisks
 * (`monitor.vm("CMS").memory("1 MiB").minidisk("64 KiB").create()`), and
 * booting a guest into it.
 *
 * @module
 */

import { parseSize, type Size, sizeAsTyped } from "../machine/units.ts";
import type { VirtualMachine } from "./vm.ts";

/** Something that can be booted into a VM: a guest module or a function. */
export type Bootable =
  | ((vm: VirtualMachine) => void)
  | { boot(vm: VirtualMachine, options?: Record<string, unknown>): unknown };

/** What a builder asks of its monitor: to create the VM. */
export interface VmFactory {
  /** Creates a VM; replaces one of the same name. */
  createVm(
    name: string,
    memory: number,
    minidisks: readonly { blocks: number; label: string }[],
  ): VirtualMachine;
}

/**
 * An immutable builder of VMs: each call returns a new builder, so a
 * notebook cell can be re-run safely. `create()` (or `boot()`) makes the VM;
 * creating a VM with the name of an existing one replaces it.
 */
export class VmBuilder {
  readonly #monitor: VmFactory;
  readonly #name: string;
  readonly #memory: number;
  readonly #minidisks: readonly { blocks: number; label: string }[];
  /** The sizes as the user wrote them, for error messages. */
  readonly #typed: { memory?: string; minidisks: string[] };

  /** Use `monitor.vm(name)`. */
  constructor(
    monitor: VmFactory,
    name: string,
    memory = 1024 * 1024,
    minidisks: readonly { blocks: number; label: string }[] = [],
    typed: { memory?: string; minidisks: string[] } = { minidisks: [] },
  ) {
    this.#monitor = monitor;
    this.#name = name;
    this.#memory = memory;
    this.#minidisks = minidisks;
    this.#typed = typed;
  }

  /** What the VM will be: name, memory and minidisk sizes. */
  get config(): { name: string; memory: number; minidisks: number[] } {
    return {
      name: this.#name,
      memory: this.#memory,
      minidisks: this.#minidisks.map((m) => m.blocks * 512),
    };
  }

  /** Sets the VM's memory size (a multiple of 512 bytes). */
  memory(size: Size): VmBuilder {
    const bytes = parseSize(size, "VM memory size");
    if (bytes < 512 || bytes % 512 !== 0) {
      throw new RangeError(
        `Cannot give VM "${this.#name}" memory ${
          sizeAsTyped(size)
        }: expected a positive multiple of 512 bytes`,
      );
    }
    return new VmBuilder(this.#monitor, this.#name, bytes, this.#minidisks, {
      ...this.#typed,
      memory: sizeAsTyped(size),
    });
  }

  /** Adds a minidisk extent (the VM's disk is its extents, concatenated). */
  minidisk(size: Size, label = ""): VmBuilder {
    const bytes = parseSize(size, "minidisk size");
    if (bytes < 512 || bytes % 512 !== 0) {
      throw new RangeError(
        `Cannot give VM "${this.#name}" a minidisk of ${
          sizeAsTyped(size)
        }: expected a positive multiple of 512 bytes`,
      );
    }
    return new VmBuilder(
      this.#monitor,
      this.#name,
      this.#memory,
      [
        ...this.#minidisks,
        {
          blocks: bytes / 512,
          label: label || (0x191 + this.#minidisks.length).toString(16),
        },
      ],
      {
        ...this.#typed,
        minidisks: [...this.#typed.minidisks, sizeAsTyped(size)],
      },
    );
  }

  /**
   * Creates the VM (memory at guest-physical 0, power-up state).
   *
   * @throws {RangeError} when real memory or the real disk has no room for
   * it (the message gives the sizes as they were written)
   */
  create(): VirtualMachine {
    try {
      return this.#monitor.createVm(this.#name, this.#memory, this.#minidisks);
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
      const t = this.#typed;
      const sizes = [
        `memory ${t.memory ?? sizeAsTyped(this.#memory)}`,
        ...t.minidisks.map((m) => `a minidisk of ${m}`),
      ];
      const list = sizes.length > 1
        ? `${sizes.slice(0, -1).join(", ")} and ${sizes.at(-1)}`
        : sizes[0];
      throw new RangeError(
        `Cannot create VM "${this.#name}" with ${list}: ${e.message}`,
        { cause: e },
      );
    }
  }

  /** Creates the VM and boots a guest into it. */
  boot(guest: Bootable, options?: Record<string, unknown>): VirtualMachine {
    if (
      typeof guest !== "function" &&
      (guest === null || typeof guest !== "object" ||
        typeof guest.boot !== "function")
    ) {
      throw new TypeError(
        `Cannot boot ${
          guest === null ? "null" : typeof guest
        }: expected a guest such as multiprogramming or cms (an object with boot(vm)), or a function of the VM`,
      );
    }
    const vm = this.create();
    if (typeof guest === "function") guest(vm);
    else guest.boot(vm, options);
    return vm;
  }
}
