/**
 * System Control Block vector offsets (vax-architecture.md section 5.2;
 * vm-extensions.md for the VM-emulation vector; devices.md for the disk).
 *
 * @module
 */

/** SCB vector offsets by event name. */
export const SCB = {
  PASSIVE_RELEASE: 0x00,
  MACHINE_CHECK: 0x04,
  KERNEL_STACK_NOT_VALID: 0x08,
  POWER_FAIL: 0x0c,
  RESERVED_INSTRUCTION: 0x10,
  CUSTOMER_RESERVED: 0x14,
  RESERVED_OPERAND: 0x18,
  RESERVED_ADDRESSING_MODE: 0x1c,
  ACCESS_VIOLATION: 0x20,
  TRANSLATION_NOT_VALID: 0x24,
  TRACE: 0x28,
  BREAKPOINT: 0x2c,
  COMPATIBILITY: 0x30,
  ARITHMETIC: 0x34,
  VM_EMULATION: 0x3c,
  CHMK: 0x40,
  CHME: 0x44,
  CHMS: 0x48,
  CHMU: 0x4c,
  CORRECTED_READ: 0x54,
  MEMORY_ERROR: 0x60,
  SOFTWARE_BASE: 0x80,
  INTERVAL_TIMER: 0xc0,
  EMULATE: 0xc8,
  EMULATE_FPD: 0xcc,
  DISK: 0xd0,
  CONSOLE_RECEIVE: 0xf8,
  CONSOLE_TRANSMIT: 0xfc,
} as const;

/** Arithmetic exception type codes (section 5.4). */
export const ARITH = {
  INTEGER_OVERFLOW: 1,
  INTEGER_DIVIDE_BY_ZERO: 2,
  FLOATING_OVERFLOW_TRAP: 3,
  FLOATING_DIVIDE_BY_ZERO_TRAP: 4,
  FLOATING_UNDERFLOW_TRAP: 5,
  DECIMAL_OVERFLOW: 6,
  SUBSCRIPT_RANGE: 7,
  FLOATING_OVERFLOW_FAULT: 8,
  FLOATING_DIVIDE_BY_ZERO_FAULT: 9,
  FLOATING_UNDERFLOW_FAULT: 10,
} as const;

/** Reason-mask bits of ACV and TNV (section 5.4). */
export const MM_LENGTH = 1;
/** The fault happened on the process page-table entry reference. */
export const MM_PTE_REF = 2;
/** Write or modify intent. */
export const MM_WRITE = 4;

/** Interrupt priority levels of the devices (section 5.2, devices.md). */
export const IPL_DEVICE = {
  CONSOLE: 0x14,
  DISK: 0x15,
  TIMER: 0x16,
} as const;

/** A human-readable name for an SCB vector offset. */
export function vectorName(vector: number): string {
  if (vector >= 0x84 && vector <= 0xbc && (vector & 3) === 0) {
    return `software level ${(vector - 0x80) >> 2}`;
  }
  for (const [name, v] of Object.entries(SCB)) {
    if (v === vector) return name.toLowerCase().replaceAll("_", " ");
  }
  return `vector 0x${vector.toString(16).toUpperCase()}`;
}
