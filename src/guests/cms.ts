/**
 * **CMS**, a single-user guest in the style of VM/370's Conversational
 * Monitor System: one program, in kernel mode, with memory management off,
 * that believes it owns the machine. Under a monitor it is the simplest
 * possible guest; on bare hardware it shows the devices at work.
 *
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { Machine } from "../machine/machine.ts";
 * import { bootCms } from "./cms.ts";
 * const m = new Machine({ memory: "64 KiB", disk: "64 KiB" });
 * bootCms(m);
 * m.console.type("hello, vax\r");
 * m.run(); // halts after echoing the line
 * ok(m.console.output.includes("CMS: you typed: hello, vax\r\n"));
 * ```
 *
 * ## What it does
 *
 * 1. Fills its SCB (every vector to an "unexpected" handler, console
 *    receive to `C_RXINT`), leaves the interrupt stack for the kernel stack
 *    at IPL 0 with REI, and prints a banner.
 * 2. Fills four blocks with data (x = 69069 x + 1 from x = 12345, one
 *    longword at a time), writes them to blocks 8-11 of the disk, reads
 *    them back over zeros, compares, and prints the CRC-32 of what it read:
 *    `CMS: read them back: data ok, crc 0x4A1D8631`. Transfers are
 *    synchronous (DKCS ASYNC = 0).
 * 3. Prints `CMS: type a line`, turns console receive interrupts on and
 *    waits in `BRB .` (`WAIT`): the interrupt handler stores characters
 *    until CR or LF, then makes its REI return to `GOTLINE` instead of the
 *    loop. With nothing typed the emulator stops the run as `"idle"`; type
 *    and run again.
 * 4. Echoes the line (`CMS: you typed: hello, vax`), prints `CMS:
 *    halting` and HALTs.
 *
 * Output is polled (TXCS ready bit, then TXDB).
 *
 * ## Memory (64 KiB; addresses are physical)
 *
 * | address | contents |
 * |---|---|
 * | `0x0000`-`0x07FF` | interrupt stack (SP at boot: `0x0800`) |
 * | `0x0800`-`0x0FFF` | kernel stack (KSP `0x1000`) |
 * | `0x1000` | the image: code, messages, line buffer; entry `START` |
 * | page aligned | SCB, then the write and read buffers (4 blocks each), up to `END` |
 *
 * ## Disk (64 KiB, 128 blocks)
 *
 * Blocks 8-11 are overwritten with the data above; nothing is read that
 * CMS did not write, so the disk needs no preparation.
 *
 * @module
 */

import { assemble as assembleSource, type Assembly } from "../asm/assembler.ts";
import {
  type BootTarget,
  type GuestImage,
  loadImage,
  makeImage,
} from "./guest.ts";
import { CRC32_ROUTINE, POLLED_OUTPUT_ROUTINES } from "./routines.ts";

/**
 * The assembly source of CMS. Assemble it with origin `0x1000` and load it
 * there; {@link assembleCms} does both.
 */
export const CMS_SOURCE: string = `;
; CMS -- a single-user monitor in the style of VM/370's CMS for the vmmlab
; VAX: one program, kernel mode, memory management off. Assembled and
; loaded at physical ^X1000. See src/guests/cms.ts.
;
        .TITLE  CMS     single-user monitor

PR$_KSP   = 0
PR$_SCBB  = 17
PR$_IPL   = 18
PR$_RXCS  = 32
PR$_RXDB  = 33
PR$_TXCS  = 34
PR$_TXDB  = 35
PR$_DKBLK = 64
PR$_DKMEM = 65
PR$_DKCNT = 66
PR$_DKCS  = 67

DK_READ   = 1
DK_WRITE  = 2
DK_GO     = ^X100

KSTACK_TOP = ^X1000             ; kernel stack: ^X800-^XFFF
NBLK      = 4                   ; blocks written and read back
FIRST_BLK = 8                   ; ... starting at this block
LINE_MAX  = 72                  ; longest input line kept
SEED      = 12345               ; of the data written

START:: MOVAB   SCB, R0                 ; every vector to C_UNEXP...
        MTPR    R0, #PR$_SCBB
        MOVL    #128, R1
        MOVL    #<C_UNEXP+1>, R2
10$:    MOVL    R2, (R0)+
        SOBGTR  R1, 10$
        MOVAL   C_RXINT, SCB+^XF8       ; ... but console receive
        MTPR    #KSTACK_TOP, #PR$_KSP
        PUSHL   #0                      ; kernel mode, kernel stack, IPL 0
        PUSHAB  MAIN
        REI

MAIN::  MOVAB   S_BANNER, R1
        BSBW    PUTS
        MOVAB   WBUF, R1                ; data: x = 69069 * x + 1
        MOVL    #<NBLK*128>, R2
        MOVL    #SEED, R0
10$:    MULL2   #69069, R0
        INCL    R0
        MOVL    R0, (R1)+
        SOBGTR  R2, 10$
        MOVL    #DK_WRITE, R2           ; written...
        MOVAB   WBUF, R1
        BSBW    DISKIO
        BBC     #15, R0, 20$
        BRW     DISKERR
20$:    MOVAB   S_WROTE, R1
        BSBW    PUTS
        MOVAB   RBUF, R1                ; ... and read back over zeros
        MOVL    #<NBLK*128>, R2
30$:    CLRL    (R1)+
        SOBGTR  R2, 30$
        MOVL    #DK_READ, R2
        MOVAB   RBUF, R1
        BSBW    DISKIO
        BBC     #15, R0, 40$
        BRW     DISKERR
40$:    MOVAB   WBUF, R1                ; compared
        MOVAB   RBUF, R2
        MOVL    #<NBLK*128>, R3
50$:    CMPL    (R1)+, (R2)+
        BNEQ    60$
        SOBGTR  R3, 50$
        MOVAB   S_SAME, R6
        BRB     70$
60$:    MOVAB   S_DIFF, R6
70$:    MOVAB   RBUF, R1                ; and checksummed
        MOVL    #<NBLK*512>, R2
        BSBW    CRC32
        MOVL    R0, R7
        MOVAB   S_READ, R1
        BSBW    PUTS
        MOVL    R6, R1
        BSBW    PUTS
        MOVL    R7, R1
        BSBW    PUTHEX
        MOVAB   S_CRLF, R1
        BSBW    PUTS
        MOVAB   S_PROMPT, R1            ; a line from the console
        BSBW    PUTS
        MTPR    #^X40, #PR$_RXCS        ; receive interrupts on
        MTPR    #^X14, #PR$_IPL
        TSTL    LINE_DONE               ; typed already?
        BNEQ    GOTLINE
        MTPR    #0, #PR$_IPL
; WAIT: idle until C_RXINT has a whole line; it then resumes at GOTLINE.
WAIT::  BRB     WAIT
GOTLINE::
        MTPR    #0, #PR$_IPL
        MTPR    #0, #PR$_RXCS
        MOVAB   S_TYPED, R1
        BSBW    PUTS
        MOVAB   LINE, R1
        BSBW    PUTS
        MOVAB   S_CRLF, R1
        BSBW    PUTS
        MOVAB   S_BYE, R1
        BSBW    PUTS
        HALT

DISKERR:
        MOVL    R0, R7
        MOVAB   S_DISKERR, R1
        BSBW    PUTS
        MOVL    R7, R1
        BSBW    PUTHEX
        MOVAB   S_CRLF, R1
        BSBW    PUTS
        HALT

; DISKIO: R1 = buffer, R2 = function. Transfers NBLK blocks at FIRST_BLK,
; synchronously. R0 = DKCS afterwards.
DISKIO: MTPR    #FIRST_BLK, #PR$_DKBLK
        MTPR    R1, #PR$_DKMEM          ; memory management is off: the
        MTPR    #NBLK, #PR$_DKCNT       ; address is physical
        BISL3   #DK_GO, R2, R0
        MTPR    R0, #PR$_DKCS           ; done when MTPR returns
        MFPR    #PR$_DKCS, R0
        RSB

; C_RXINT: console receive interrupt (IPL 20, kernel stack).
        .ALIGN  LONG
C_RXINT::
        PUSHL   R0
        PUSHL   R1
        MFPR    #PR$_RXDB, R0
        MOVZBL  R0, R0
        TSTL    LINE_DONE
        BNEQ    90$
        CMPB    R0, #13                 ; end of line
        BEQL    50$
        CMPB    R0, #10
        BEQL    50$
        MOVL    LINE_LEN, R1
        CMPL    R1, #LINE_MAX
        BGEQ    90$
        MOVB    R0, LINE[R1]
        INCL    LINE_LEN
        BRB     90$
50$:    MOVL    #1, LINE_DONE
        MOVL    LINE_LEN, R1
        CLRB    LINE[R1]
        CMPL    8(SP), #WAIT            ; interrupted the wait loop?
        BNEQ    90$
        MOVAL   GOTLINE, 8(SP)          ; then return to GOTLINE instead
90$:    MOVL    (SP)+, R1
        MOVL    (SP)+, R0
        REI

; C_UNEXP: any other exception or interrupt (interrupt stack).
        .ALIGN  LONG
C_UNEXP::
        MOVAB   S_UNEXP, R1
        BSBW    PUTS
        MOVL    (SP), R1
        BSBW    PUTHEX
        MOVAB   S_CRLF, R1
        BSBW    PUTS
        HALT

; PUTS: R1 = ASCIZ string, printed by polling. Clobbers R0-R2.
${POLLED_OUTPUT_ROUTINES}
; CRC32: R1 = address, R2 = length. R0 = CRC-32 (IEEE). Clobbers R1-R4.
${CRC32_ROUTINE}
HEXDIG: .ASCII  /0123456789ABCDEF/
S_BANNER:
        .ASCIZ  "CMS: vmmlab single-user monitor, memory management off"<13><10>
S_WROTE:
        .ASCIZ  /CMS: wrote 4 blocks at block 8/<13><10>
S_READ: .ASCIZ  /CMS: read them back: /
S_SAME: .ASCIZ  /data ok, crc /
S_DIFF: .ASCIZ  /data DIFFERENT, crc /
S_PROMPT:
        .ASCIZ  /CMS: type a line/<13><10>
S_TYPED:
        .ASCIZ  /CMS: you typed: /
S_BYE:  .ASCIZ  /CMS: halting/<13><10>
S_DISKERR:
        .ASCIZ  /CMS: disk error, DKCS /
S_UNEXP:
        .ASCIZ  /CMS: unexpected exception or interrupt, PC /
S_CRLF: .BYTE   13, 10, 0
HEXBUF: .BLKB   12
        .ALIGN  LONG
LINE_DONE::
        .LONG   0                       ; a whole line is in LINE
LINE_LEN::
        .LONG   0
LINE::  .BLKB   LINE_MAX+1

        .ALIGN  PAGE
SCB::   .BLKL   128
WBUF::  .BLKB   NBLK*512                ; data written
RBUF::  .BLKB   NBLK*512                ; data read back
END::
        .END    START
`;

/** Where CMS lives. */
export const CMS_LAYOUT = {
  /** Physical load address, assembly origin and entry point. */
  loadAddress: 0x1000,
  /** Initial (interrupt) stack pointer. */
  stack: 0x800,
  /** First disk block written. */
  firstBlock: 8,
  /** Blocks written and read back. */
  blocks: 4,
  /** Seed of the data written. */
  seed: 12345,
  /** Suggested memory size. */
  memorySize: 64 * 1024,
  /** Suggested disk size. */
  diskSize: 64 * 1024,
} as const;

let cached: Assembly | undefined;

/**
 * Assembles {@link CMS_SOURCE} (once; later calls reuse the result) and
 * describes the image.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { assembleCms } from "./cms.ts";
 * const cms = assembleCms();
 * ok(cms.entry === 0x1000 && cms.symbols.has("WAIT"));
 * ```
 */
export function assembleCms(): GuestImage {
  cached ??= assembleSource(CMS_SOURCE, {
    origin: CMS_LAYOUT.loadAddress,
    fileName: "cms.mar",
  });
  return makeImage("cms", CMS_SOURCE, cached, {
    loadAddress: CMS_LAYOUT.loadAddress,
    entry: cached.entry,
    stack: CMS_LAYOUT.stack,
    memorySize: CMS_LAYOUT.memorySize,
    diskSize: CMS_LAYOUT.diskSize,
  });
}

/**
 * The data CMS writes to its disk (blocks 8-11), as the host would compute
 * it: `CMS_LAYOUT.blocks` blocks of longwords x = 69069 x + 1, from x =
 * 12345, little-endian.
 */
export function cmsData(): Uint8Array {
  const n = CMS_LAYOUT.blocks * 128;
  const out = new Uint8Array(n * 4);
  const view = new DataView(out.buffer);
  let x: number = CMS_LAYOUT.seed;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 69069) + 1) >>> 0;
    view.setUint32(4 * i, x, true);
  }
  return out;
}

/**
 * Loads CMS into a machine (a `Machine`, or anything with the same `load`,
 * `set` and `setPsl`) and puts the processor in its power-up state at the
 * entry point: `machine.run()` then starts it. Type the input line with
 * `machine.console.type("...\r")` before or after.
 *
 * @returns the image that was loaded
 * @throws {RangeError} if the machine's memory or disk is too small
 */
export function bootCms(target: BootTarget): GuestImage {
  const image = assembleCms();
  loadImage(target, image);
  return image;
}

/** The source under the name every guest module uses: {@link CMS_SOURCE}. */
export const source: string = CMS_SOURCE;

/** {@link assembleCms} under the name every guest module uses. */
export const assemble: () => GuestImage = assembleCms;

/**
 * {@link bootCms} under the name every guest module uses, so that the
 * module itself can be booted: `monitor.vm("cms").boot(module)`.
 */
export const boot: (target: BootTarget) => GuestImage = bootCms;
