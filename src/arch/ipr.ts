/**
 * Internal processor registers (vax-architecture.md section 9; devices.md
 * for the disk controller; vm-extensions.md for VMPSL).
 *
 * @module
 */

/** IPR numbers by name. */
export const IPR = {
  KSP: 0,
  ESP: 1,
  SSP: 2,
  USP: 3,
  ISP: 4,
  P0BR: 8,
  P0LR: 9,
  P1BR: 10,
  P1LR: 11,
  SBR: 12,
  SLR: 13,
  PCBB: 16,
  SCBB: 17,
  IPL: 18,
  ASTLVL: 19,
  SIRR: 20,
  SISR: 21,
  ICCS: 24,
  NICR: 25,
  ICR: 26,
  TODR: 27,
  CSRS: 28,
  CSRD: 29,
  CSTS: 30,
  CSTD: 31,
  RXCS: 32,
  RXDB: 33,
  TXCS: 34,
  TXDB: 35,
  CADR: 37,
  MSER: 39,
  CONPC: 42,
  CONPSL: 43,
  IORESET: 55,
  MAPEN: 56,
  TBIA: 57,
  TBIS: 58,
  PME: 61,
  SID: 62,
  TBCHK: 63,
  DKBLK: 64,
  DKMEM: 65,
  DKCNT: 66,
  DKCS: 67,
  DKSIZE: 68,
  VMPSL: 80,
} as const;

/** The name of an IPR, as a key of {@link IPR}. */
export type IprName = keyof typeof IPR;

/** How software may access an IPR. */
export type IprAccess = "RW" | "RO" | "WO";

/** What the IPR table says about one register. */
export interface IprInfo {
  /** Register name. */
  name: IprName;
  /** Register number. */
  number: number;
  /** Access class (section 9). */
  access: IprAccess;
  /** Short description. */
  description: string;
  /** Present only when the VM extensions are on (VMPSL). */
  vmOnly?: boolean;
}

/** Description of every named IPR. */
export const IPR_INFO: readonly IprInfo[] = [
  ["KSP", "RW", "kernel stack pointer"],
  ["ESP", "RW", "executive stack pointer"],
  ["SSP", "RW", "supervisor stack pointer"],
  ["USP", "RW", "user stack pointer"],
  ["ISP", "RW", "interrupt stack pointer"],
  ["P0BR", "RW", "P0 base register (system virtual)"],
  ["P0LR", "RW", "P0 length register"],
  ["P1BR", "RW", "P1 base register (system virtual)"],
  ["P1LR", "RW", "P1 length register"],
  ["SBR", "RW", "system base register (physical)"],
  ["SLR", "RW", "system length register"],
  ["PCBB", "RW", "process control block base (physical)"],
  ["SCBB", "RW", "system control block base (physical)"],
  ["IPL", "RW", "interrupt priority level"],
  ["ASTLVL", "RW", "AST level"],
  ["SIRR", "WO", "software interrupt request"],
  ["SISR", "RW", "software interrupt summary"],
  ["ICCS", "RW", "interval clock control and status"],
  ["NICR", "RW", "next interval count (not on KA655: reads 0)"],
  ["ICR", "RW", "interval count (not on KA655: reads 0)"],
  ["TODR", "RW", "time of year (10 ms units)"],
  ["CSRS", "RW", "console storage receive status (unused)"],
  ["CSRD", "RW", "console storage receive data (unused)"],
  ["CSTS", "RW", "console storage transmit status (unused)"],
  ["CSTD", "RW", "console storage transmit data (unused)"],
  ["RXCS", "RW", "console receive control and status"],
  ["RXDB", "RO", "console receive data buffer"],
  ["TXCS", "RW", "console transmit control and status"],
  ["TXDB", "WO", "console transmit data buffer"],
  ["CADR", "RW", "cache disable register"],
  ["MSER", "RW", "memory system error register"],
  ["CONPC", "RO", "PC saved at console halt"],
  ["CONPSL", "RO", "PSL saved at console halt"],
  ["IORESET", "WO", "I/O bus reset"],
  ["MAPEN", "RW", "memory management enable"],
  ["TBIA", "WO", "translation buffer invalidate all"],
  ["TBIS", "WO", "translation buffer invalidate single"],
  ["PME", "RW", "performance monitor enable"],
  ["SID", "RO", "system identification"],
  ["TBCHK", "WO", "translation buffer check"],
  ["DKBLK", "RW", "disk: first block"],
  ["DKMEM", "RW", "disk: buffer physical address"],
  ["DKCNT", "RW", "disk: block count"],
  ["DKCS", "RW", "disk: command and status"],
  ["DKSIZE", "RO", "disk: capacity in blocks"],
  ["VMPSL", "RW", "virtual machine PSL fields (vmmlab VM extensions)"],
].map(([name, access, description]) => ({
  name: name as IprName,
  number: IPR[name as IprName],
  access: access as IprAccess,
  description: description as string,
  ...(name === "VMPSL" ? { vmOnly: true } : {}),
}));

/** IPR names indexed by number (undefined for unnamed numbers). */
export const IPR_NAMES: readonly (IprName | undefined)[] = (() => {
  const names: (IprName | undefined)[] = new Array(128).fill(undefined);
  for (const info of IPR_INFO) names[info.number] = info.name;
  return names;
})();

/** Highest IPR number of a standard KA655 (section 8.3: above it, reserved operand). */
export const IPR_MAX_KA655 = 63;

/** The SID value of a KA655 (CVAX, microcode revision 6). */
export const KA655_SID = 0x0a000006;

/**
 * Looks up an IPR number by name, case-insensitively.
 *
 * @returns the number, or undefined when the name is not an IPR
 */
export function iprNumber(name: string): number | undefined {
  const key = name.toUpperCase();
  return Object.hasOwn(IPR, key) ? IPR[key as IprName] : undefined;
}
