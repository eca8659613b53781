/**
 * Building a VM: an immutable builder of its name, memory and minidisks
 * (`monitor.vm("CMS").memory("1 MiB").minidisk("64 KiB").create()`), and
 * booting a guest into it.
 *
 * @module
 */

import { parseSize, type Size } from "../machine/units.ts";
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

  /** Use `monitor.vm(name)`. */
  constructor(
    monitor: VmFactory,
    name: string,
    memory = 1024 * 1024,
    minidisks: readonly { blocks: number; label: string }[] = [],
  ) {
    this.#monitor = monitor;
    this.#name = name;
    this.#memory = memory;
    this.#minidisks = minidisks;
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
        `Cannot give VM "${this.#name}" ${bytes} bytes of memory: expected a positive multiple of 512`,
      );
    }
    return new VmBuilder(this.#monitor, this.#name, bytes, this.#minidisks);
  }

  /** Adds a minidisk extent (the VM's disk is its extents, concatenated). */
  minidisk(size: Size, label = ""): VmBuilder {
    const bytes = parseSize(size, "minidisk size");
    if (bytes < 512 || bytes % 512 !== 0) {
      throw new RangeError(
        `Cannot give VM "${this.#name}" a minidisk of ${bytes} bytes: expected a positive multiple of 512`,
      );
    }
    return new VmBuilder(this.#monitor, this.#name, this.#memory, [
      ...this.#minidisks,
      {
        blocks: bytes / 512,
        label: label || (0x191 + this.#minidisks.length).toString(16),
      },
    ]);
  }

  /** Creates the VM (memory at guest-physical 0, power-up state). */
  create(): VirtualMachine {
    return this.#monitor.createVm(this.#name, this.#memory, this.#minidisks);
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
