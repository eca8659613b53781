/**
 * **BATCH**, a batch monitor in the place DOS/VS held under VM/370: it
 * reads a job deck from its disk and runs the jobs one after another, each
 * to completion, printing one line per job. Memory management stays off
 * (DOS/VS's partitions had no address translation of their own either); a
 * job runs in user mode, so a privileged instruction or any other
 * exception ends it (an ABEND) and the next job starts.
 *
 * ```ts
 * import { match } from "node:assert/strict";
 * import { Machine } from "../machine/machine.ts";
 * import { bootBatch } from "./batch.ts";
 * const m = new Machine({ memory: "64 KiB", disk: "64 KiB" });
 * bootBatch(m, { jobs: [{ name: "PRIMES", program: "primes", limit: 100 }] });
 * m.run({ limit: 5_000_000 });
 * match(m.console.output, /JOB PRIMES {4}EOJ {3}RESULT 0x00000019/);
 * ```
 *
 * ## The job deck (on the disk, from block 0)
 *
 * Block 0 is the deck's header; longwords are little-endian.
 *
 * | offset | bytes | contents |
 * |---|---|---|
 * | 0 | 4 | `JOBS` (the magic) |
 * | 4 | 4 | number of jobs n, 1 to 15 |
 * | 8 + 32 i | 32 | job i: below |
 *
 * | offset in a job | bytes | contents |
 * |---|---|---|
 * | 0 | 8 | name: letters, digits, `$ # @ _ -`, padded with spaces |
 * | 8 | 4 | kind: 0 CODE, 1 CRC, 2 PRIMES |
 * | 12 | 4 | first block of the job's blocks |
 * | 16 | 4 | number of blocks (0 to 80) |
 * | 20, 24, 28 | 12 | arguments 0-2 |
 *
 * Before a job starts, its blocks are read into the job area at
 * `0x4000` (40 KiB, 80 blocks) with the disk controller (devices.md:
 * DKBLK, DKMEM, DKCNT, DKCS with GO, synchronous). Then, in user mode with
 * the user stack at `0x10000`:
 *
 * - **CODE**: the blocks are VAX code, entered at `0x4000` with arguments
 *   0-2 in R0-R2 (assemble it at origin `0x4000`; {@link assembleJob}).
 * - **CRC**: the CRC-32 of the blocks (IEEE, as the host's `crc32`).
 * - **PRIMES**: the number of primes below argument 0, by trial division
 *   (no blocks are read).
 *
 * A job ends with `CHMK #0`, its result in R0. It may also call `CHMK #1`
 * (write R1 bytes at R0 to the console) and `CHMK #2` (read R1 blocks from
 * block R0 into R2; R0 = R1, or -16 - DKCS<ERRCODE>). `CHMK #3` is
 * BATCH's own: a job's CHME, CHMS or CHMU reach it in the job's mode and
 * end the job with an ABEND of their vector.
 *
 * ## Console output
 *
 * ```text
 * BATCH: vmmlab batch monitor, 3 jobs on the deck
 * BATCH: JOB PAYROLL  EOJ   RESULT 0x7A4E1C0B  TIME 10 MS
 * BATCH: JOB BADJOB   ABEND EXCEPTION 0x00000010 AT PC 0x00004000  TIME 0 MS
 * BATCH: end of job stream, 3 jobs, 1 abended
 * ```
 *
 * TIME is measured with TODR, whose unit is 10 ms (under a monitor it is
 * the real machine's clock, so it includes the time other VMs ran). After
 * the last job the monitor HALTs; a disk without a deck gives `BATCH: no
 * job deck on the disk` and a HALT.
 *
 * ## Memory (64 KiB, physical addresses)
 *
 * | address | contents |
 * |---|---|
 * | `0x0000`-`0x07FF` | interrupt stack (SP at boot `0x0800`) |
 * | `0x0800`-`0x0FFF` | kernel stack (KSP `0x1000`) |
 * | `0x1000` | the image: code, messages, SCB, the deck's header |
 * | `0x4000`-`0xDFFF` | the job area |
 * | `0xE000`-`0xFFFF` | the user stack |
 *
 * @module
 */

import { assemble as assembleSource, type Assembly } from "../asm/assembler.ts";
import type { DiskView } from "../machine/hardware.ts";
import {
  type BootTarget,
  crc32,
  guestHex,
  type GuestImage,
  loadImage,
  makeImage,
} from "./guest.ts";
import { CRC32_ROUTINE, POLLED_OUTPUT_ROUTINES } from "./routines.ts";

/** Where BATCH lives and what its deck may hold. */
export const BATCH_LAYOUT = {
  /** Physical load address, assembly origin and entry point. */
  loadAddress: 0x1000,
  /** Initial (interrupt) stack pointer. */
  stack: 0x800,
  /** Where a job's blocks are read and CODE is entered. */
  jobArea: 0x4000,
  /** Blocks the job area holds. */
  jobBlocks: 80,
  /** Top of the user stack. */
  userStack: 0x10000,
  /** Most jobs on a deck. */
  maxJobs: 15,
  /** Bytes of one job entry in the header. */
  entrySize: 32,
  /** Memory BATCH needs. */
  memorySize: 64 * 1024,
  /** Disk BATCH needs at least (the header). */
  diskSize: 512,
} as const;

/** Job kinds, as numbered in the deck. */
export const BATCH_KINDS = { CODE: 0, CRC: 1, PRIMES: 2 } as const;

/**
 * The assembly source of BATCH. Assemble it with origin `0x1000` and load
 * it there; {@link assembleBatch} does both.
 */
export const BATCH_SOURCE: string = `;
; BATCH -- a batch monitor in the place of DOS/VS for the vmmlab VAX: reads
; a job deck from its disk and runs the jobs one after another in user mode.
; Memory management off. Assembled and loaded at physical ^X1000. See
; src/guests/batch.ts for the deck's format.
;
        .TITLE  BATCH   batch monitor

PR$_KSP   = 0
PR$_USP   = 3
PR$_SCBB  = 17
PR$_IPL   = 18
PR$_TODR  = 27
PR$_TXCS  = 34
PR$_TXDB  = 35
PR$_DKBLK = 64
PR$_DKMEM = 65
PR$_DKCNT = 66
PR$_DKCS  = 67

DK_READ   = 1
DK_GO     = ^X100

KSTACK_TOP = ^X1000             ; kernel stack: ^X800-^XFFF
JOB_AREA  = ^X${BATCH_LAYOUT.jobArea.toString(16)}
JOB_BLKS  = ${BATCH_LAYOUT.jobBlocks}
USTACK_TOP = ^X${BATCH_LAYOUT.userStack.toString(16)}
MAXJOBS   = ${BATCH_LAYOUT.maxJobs}
MAGIC     = ^X53424F4A          ; "JOBS"
USER_PSL  = ^X03C00000          ; user mode, previous user, IPL 0

J_NAME    = 0                   ; a job entry of the header
J_KIND    = 8
J_START   = 12
J_COUNT   = 16
J_ARG0    = 20
J_ARG1    = 24
J_ARG2    = 28
J_SIZE    = ${BATCH_LAYOUT.entrySize}

K_CODE    = ${BATCH_KINDS.CODE}
K_CRC     = ${BATCH_KINDS.CRC}
K_PRIMES  = ${BATCH_KINDS.PRIMES}

SYS_EOJ   = 0                   ; CHMK codes
SYS_WRITE = 1
SYS_READ  = 2
SYS_CHMX  = 3                   ; BATCH's own: a job's CHME, CHMS or CHMU

START:: MOVAB   SCB, R0                 ; every vector to B_UNEXP...
        MTPR    R0, #PR$_SCBB
        MOVL    #128, R1
        MOVL    #<B_UNEXP+1>, R2
10$:    MOVL    R2, (R0)+
        SOBGTR  R1, 10$
        MOVAB   VECTAB, R0              ; ... but those of VECTAB
20$:    MOVL    (R0)+, R1
        BEQL    30$
        MOVAB   SCB, R2
        ADDL2   R1, R2
        MOVL    (R0)+, (R2)
        BRB     20$
30$:    MTPR    #KSTACK_TOP, #PR$_KSP
        PUSHL   #0                      ; kernel mode, kernel stack, IPL 0
        PUSHAB  MAIN
        REI

MAIN::  MOVAB   S_BANNER, R1
        BSBW    PUTS
        CLRL    R3                      ; the header: block 0
        MOVL    #1, R4
        MOVAB   HDR, R5
        BSBW    DKREAD
        BBC     #15, R0, 10$
        MOVL    R0, R7
        MOVAB   S_HDRERR, R1
        BSBW    PUTS
        MOVL    R7, R1
        BSBW    PUTHEX
        BRW     STOP
10$:    CMPL    HDR, #MAGIC
        BEQL    20$
        MOVAB   S_NODECK, R1
        BSBW    PUTS
        BRW     STOP
20$:    MOVL    HDR+4, R7
        BLEQ    30$
        CMPL    R7, #MAXJOBS
        BLEQ    40$
30$:    MOVAB   S_BADCNT, R1
        BSBW    PUTS
        MOVL    R7, R1
        BSBW    PUTDEC
        MOVAB   S_BADCNT2, R1
        BSBW    PUTS
        BRW     STOP
40$:    MOVL    R7, NJOBS
        MOVL    R7, R1
        BSBW    PUTDEC
        MOVAB   S_DECK2, R1
        BSBW    PUTS

; NEXTJOB: runs the jobs one after another (kernel stack empty, IPL 0).
NEXTJOB::
        CMPL    CURJOB, NJOBS
        BLSS    10$
        BRW     ENDSTREAM
10$:    MULL3   #J_SIZE, CURJOB, R6
        MOVAB   HDR+8, R0
        ADDL2   R0, R6                  ; R6 = the job's entry
        MOVL    R6, JOBPTR
        INCL    CURJOB
        MOVL    J_COUNT(R6), R4
        CMPL    R4, #JOB_BLKS
        BLEQU   20$
        MOVAB   S_TOOBIG, R9            ; more blocks than the job area
        BRW     REJECT
20$:    MOVL    J_KIND(R6), R8
        CMPL    R8, #K_PRIMES
        BEQL    40$                     ; PRIMES reads no blocks
        CMPL    R8, #K_CRC
        BGTRU   25$
        TSTL    R4                      ; CODE and CRC need blocks
        BNEQ    30$
        MOVAB   S_NOBLKS, R9
        BRW     REJECT
25$:    MOVAB   S_BADKIND, R9
        BRW     REJECT
30$:    MOVL    J_START(R6), R3         ; the job's blocks to the job area
        MOVL    #JOB_AREA, R5
        BSBW    DKREAD
        BBC     #15, R0, 40$
        MOVL    R0, R7
        MOVL    JOBPTR, R6
        BSBW    JOBLINE
        MOVAB   S_DKERR, R1
        BSBW    PUTS
        MOVL    R7, R1
        BSBW    PUTHEX
        MOVAB   S_CRLF, R1
        BSBW    PUTS
        INCL    NABEND
        BRW     NEXTJOB
40$:    MOVL    JOBPTR, R6
        MOVL    #1, RUNNING
        MFPR    #PR$_TODR, T0
        MTPR    #USTACK_TOP, #PR$_USP
        PUSHL   #USER_PSL               ; REI frame: user mode at the entry
        MOVL    J_KIND(R6), R8
        CMPL    R8, #K_CODE
        BNEQ    50$
        PUSHL   #JOB_AREA
        BRB     60$
50$:    CMPL    R8, #K_CRC
        BNEQ    55$
        PUSHAB  U_CRC
        BRB     60$
55$:    PUSHAB  U_PRIMES
60$:    MOVL    J_ARG1(R6), R1
        MOVL    J_ARG2(R6), R2
        CMPL    R8, #K_CRC              ; CRC: R1 = data, R2 = bytes
        BNEQ    70$
        MOVL    #JOB_AREA, R1
        MULL3   #512, J_COUNT(R6), R2
70$:    MOVL    J_ARG0(R6), R0
        CLRQ    R3
        CLRQ    R5
        CLRQ    R7
        CLRQ    R9
        CLRQ    R11
        CLRL    R13
        REI

; REJECT: the job (JOBPTR) cannot run; R9 = why.
REJECT: MOVL    JOBPTR, R6
        BSBW    JOBLINE
        MOVAB   S_REJECT, R1
        BSBW    PUTS
        MOVL    R9, R1
        BSBW    PUTS
        INCL    NABEND
        BRW     NEXTJOB

; JOBEND: CHMK #SYS_EOJ, the result in R0.
JOBEND: MFPR    #PR$_TODR, T1
        MOVL    #KSTACK_TOP, SP
        CLRL    RUNNING
        MOVL    R0, R7
        MOVL    JOBPTR, R6
        BSBW    JOBLINE
        MOVAB   S_EOJ, R1
        BSBW    PUTS
        MOVL    R7, R1
        BSBW    PUTHEX
        BSBW    PUTTIME
        INCL    NDONE
        BRW     NEXTJOB

; ABEND: an exception ended the job. R0 = vector, R1 = longwords before
; the PC in the exception's frame.
ABEND:  MFPR    #PR$_TODR, T1
        MOVL    (SP)[R1], R7            ; PC
        MOVL    R0, R9
ABEND2: TSTL    RUNNING                 ; (also from a job's system call)
        BNEQ    10$
        BRW     PANIC                   ; between jobs: BATCH itself is wrong
10$:    MOVL    #KSTACK_TOP, SP
        CLRL    RUNNING
        MOVL    JOBPTR, R6
        BSBW    JOBLINE
        MOVAB   S_ABEND, R1
        BSBW    PUTS
        MOVL    R9, R1
        BSBW    PUTHEX
        MOVAB   S_ATPC, R1
        BSBW    PUTS
        MOVL    R7, R1
        BSBW    PUTHEX
        BSBW    PUTTIME
        INCL    NABEND
        BRW     NEXTJOB

PANIC:  MOVAB   S_PANIC, R1
        BSBW    PUTS
        MOVL    R9, R1
        BSBW    PUTHEX
        MOVAB   S_ATPC, R1
        BSBW    PUTS
        MOVL    R7, R1
        BSBW    PUTHEX
        MOVAB   S_CRLF, R1
        BSBW    PUTS
        HALT

ENDSTREAM:
        MOVAB   S_END1, R1
        BSBW    PUTS
        MOVL    NJOBS, R1
        BSBW    PUTDEC
        MOVAB   S_END2, R1
        BSBW    PUTS
        MOVL    NABEND, R1
        BSBW    PUTDEC
        MOVAB   S_END3, R1
        BSBW    PUTS
        HALT

STOP:   MOVAB   S_CRLF, R1
        BSBW    PUTS
        HALT

; JOBLINE: starts a job's line, "BATCH: JOB name     " (R6 = entry).
JOBLINE:
        MOVAB   S_JOB, R1
        BSBW    PUTS
        MOVAB   J_NAME(R6), R1
        MOVL    #8, R2
        BSBW    PUTN
        MOVAB   S_SP2, R1
        BRW     PUTS

; PUTTIME: "  TIME n MS" from T0 to T1, and the end of the line.
PUTTIME:
        MOVAB   S_TIME, R1
        BSBW    PUTS
        SUBL3   T0, T1, R1
        MULL2   #10, R1
        BSBW    PUTDEC
        MOVAB   S_MS, R1
        BRW     PUTS

; DKREAD: R3 = first block, R4 = count, R5 = buffer (physical). Reads
; synchronously; R0 = DKCS afterwards.
DKREAD: MTPR    R3, #PR$_DKBLK
        MTPR    R5, #PR$_DKMEM
        MTPR    R4, #PR$_DKCNT
        MTPR    #<DK_GO+DK_READ>, #PR$_DKCS
        MFPR    #PR$_DKCS, R0
        RSB

; B_CHMK: a job's system call (kernel stack: code, PC, PSL).
        .ALIGN  LONG
B_CHMK: CMPL    (SP), #SYS_EOJ
        BNEQ    10$
        BRW     JOBEND
10$:    CMPL    (SP), #SYS_WRITE
        BNEQ    20$
        TSTL    (SP)+
        PUSHR   #^M<R1,R2,R3,R4>
        MOVL    R1, R2                  ; R0 = buffer, R1 = length
        MOVL    R0, R1
        BSBW    PUTN
        POPR    #^M<R1,R2,R3,R4>
        MOVL    R1, R0
        REI
20$:    CMPL    (SP), #SYS_READ
        BEQL    25$
        CMPL    (SP)+, #SYS_CHMX
        BNEQ    40$
        MFPR    #PR$_TODR, T1           ; a job's CHME, CHMS or CHMU:
        MOVL    R1, R7                  ; R0 = vector, R1 = PC
        MOVL    R0, R9
        BRW     ABEND2
25$:    TSTL    (SP)+
        PUSHR   #^M<R1,R2,R3,R4,R5>
        MOVL    R0, R3                  ; R0 = block, R1 = count, R2 = buffer
        MOVL    R1, R4
        MOVL    R2, R5
        BSBW    DKREAD
        BBS     #15, R0, 30$
        MOVL    R4, R0
        POPR    #^M<R1,R2,R3,R4,R5>
        REI
30$:    EXTZV   #12, #3, R0, R0         ; -16 - DKCS<ERRCODE>
        MNEGL   R0, R0
        SUBL2   #16, R0
        POPR    #^M<R1,R2,R3,R4,R5>
        REI
40$:    MNEGL   #2, R0                  ; no such call
        REI

; The exceptions that end a job: R0 = vector, R1 = parameters before PC.
        .ALIGN  LONG
X_MCHK: MOVL    #^X04, R0
        ASHL    #-2, (SP), R1           ; the frame says its byte count
        INCL    R1
        BRW     ABEND
        .ALIGN  LONG
X_RI:   MOVL    #^X10, R0
        CLRL    R1
        BRW     ABEND
        .ALIGN  LONG
X_XFC:  MOVL    #^X14, R0
        CLRL    R1
        BRW     ABEND
        .ALIGN  LONG
X_ROF:  MOVL    #^X18, R0
        CLRL    R1
        BRW     ABEND
        .ALIGN  LONG
X_RAF:  MOVL    #^X1C, R0
        CLRL    R1
        BRW     ABEND
        .ALIGN  LONG
X_ACV:  MOVL    #^X20, R0
        MOVL    #2, R1
        BRW     ABEND
        .ALIGN  LONG
X_TNV:  MOVL    #^X24, R0
        MOVL    #2, R1
        BRW     ABEND
        .ALIGN  LONG
X_TRACE:
        MOVL    #^X28, R0
        CLRL    R1
        BRW     ABEND
        .ALIGN  LONG
X_BPT:  MOVL    #^X2C, R0
        CLRL    R1
        BRW     ABEND
        .ALIGN  LONG
X_ARITH:
        MOVL    #^X34, R0
        MOVL    #1, R1
        BRW     ABEND
        .ALIGN  LONG
X_CHME: MOVL    4(SP), R1               ; in the job's mode: the PC
        MOVL    #^X44, R0
        CHMK    #SYS_CHMX
        .ALIGN  LONG
X_CHMS: MOVL    4(SP), R1               ; in the job's mode: the PC
        MOVL    #^X48, R0
        CHMK    #SYS_CHMX
        .ALIGN  LONG
X_CHMU: MOVL    4(SP), R1               ; in the job's mode: the PC
        MOVL    #^X4C, R0
        CHMK    #SYS_CHMX
        .ALIGN  LONG
X_EMUL: MOVL    #^XC8, R0               ; the PC after the instruction
        MOVL    #8, R1
        BRW     ABEND
        .ALIGN  LONG
X_EMULFPD:
        MOVL    #^XCC, R0
        CLRL    R1
        BRW     ABEND

; B_UNEXP: anything else (interrupt stack).
        .ALIGN  LONG
B_UNEXP::
        MOVAB   S_UNEXP, R1
        BSBW    PUTS
        HALT

; The built-in programs (user mode).
; U_CRC: R1 = data, R2 = bytes: the CRC-32.
U_CRC:: BSBW    CRC32
        CHMK    #SYS_EOJ
; U_PRIMES: R0 = n: the number of primes below n.
U_PRIMES::
        MOVL    R0, R1
        CLRL    R0
        MOVL    #2, R2                  ; candidate
10$:    CMPL    R2, R1
        BGEQ    90$
        MOVL    #2, R3                  ; divisor
20$:    MULL3   R3, R3, R4
        CMPL    R4, R2
        BGTR    50$                     ; d * d > n: n is prime
        DIVL3   R3, R2, R4
        MULL2   R3, R4
        CMPL    R4, R2
        BEQL    60$                     ; d divides n
        INCL    R3
        BRB     20$
50$:    INCL    R0
60$:    INCL    R2
        BRB     10$
90$:    CHMK    #SYS_EOJ

; PUTS: R1 = ASCIZ string, printed by polling. Clobbers R0-R2.
${POLLED_OUTPUT_ROUTINES}
; PUTN: R1 = address, R2 = length. Clobbers R0, R1, R3, R4.
PUTN:   MOVL    R2, R3
        BEQL    30$
10$:    MOVZBL  (R1)+, R0
20$:    MFPR    #PR$_TXCS, R4
        BBC     #7, R4, 20$
        MTPR    R0, #PR$_TXDB
        SOBGTR  R3, 10$
30$:    RSB

; PUTDEC: R1 = value (unsigned), in decimal. Clobbers R0-R4.
PUTDEC: MOVAB   DECEND, R3
10$:    CLRL    R2                      ; R1:R2 / 10 (EDIV on a quadword)
        EDIV    #10, R1, R1, R4
        ADDB3   #^A/0/, R4, -(R3)
        TSTL    R1
        BNEQ    10$
        MOVL    R3, R1
        BRW     PUTS

; CRC32: R1 = address, R2 = length. R0 = CRC-32 (IEEE). Clobbers R1-R4.
${CRC32_ROUTINE}

VECTAB: .LONG   ^X04, X_MCHK
        .LONG   ^X10, X_RI
        .LONG   ^X14, X_XFC
        .LONG   ^X18, X_ROF
        .LONG   ^X1C, X_RAF
        .LONG   ^X20, X_ACV
        .LONG   ^X24, X_TNV
        .LONG   ^X28, X_TRACE
        .LONG   ^X2C, X_BPT
        .LONG   ^X34, X_ARITH
        .LONG   ^X40, B_CHMK
        .LONG   ^X44, X_CHME
        .LONG   ^X48, X_CHMS
        .LONG   ^X4C, X_CHMU
        .LONG   ^XC8, X_EMUL
        .LONG   ^XCC, X_EMULFPD
        .LONG   0

HEXDIG: .ASCII  /0123456789ABCDEF/
S_BANNER:
        .ASCIZ  /BATCH: vmmlab batch monitor, /
S_DECK2:
        .ASCIZ  / jobs on the deck/<13><10>
S_NODECK:
        .ASCIZ  /no job deck on the disk (block 0 does not start with JOBS)/
S_HDRERR:
        .ASCIZ  /cannot read the job deck, DKCS /
S_BADCNT:
        .ASCIZ  /bad job deck: /
S_BADCNT2:
        .ASCIZ  / jobs (expected 1 to 15)/
S_JOB:  .ASCIZ  /BATCH: JOB /
S_SP2:  .ASCIZ  /  /
S_EOJ:  .ASCIZ  /EOJ   RESULT /
S_ABEND:
        .ASCIZ  /ABEND EXCEPTION /
S_ATPC: .ASCIZ  / AT PC /
S_REJECT:
        .ASCIZ  /REJECTED: /
S_TOOBIG:
        .ASCIZ  /more blocks than the job area holds (80)/<13><10>
S_NOBLKS:
        .ASCIZ  /no blocks to run or check/<13><10>
S_BADKIND:
        .ASCIZ  /unknown kind (expected 0 CODE, 1 CRC, 2 PRIMES)/<13><10>
S_DKERR:
        .ASCIZ  /ABEND DISK ERROR, DKCS /
S_TIME: .ASCIZ  /  TIME /
S_MS:   .ASCIZ  / MS/<13><10>
S_END1: .ASCIZ  /BATCH: end of job stream, /
S_END2: .ASCIZ  / jobs, /
S_END3: .ASCIZ  / abended or rejected/<13><10>
S_PANIC:
        .ASCIZ  /BATCH: panic, exception /
S_UNEXP:
        .ASCIZ  /BATCH: unexpected exception or interrupt, halting/<13><10>
S_CRLF: .BYTE   13, 10, 0
HEXBUF: .BLKB   12
DECBUF: .BLKB   11
DECEND: .BYTE   0
        .ALIGN  LONG
NJOBS:: .LONG   0                       ; jobs on the deck
CURJOB:: .LONG  0                       ; jobs started so far
NDONE:: .LONG   0                       ; jobs that ended with EOJ
NABEND:: .LONG  0                       ; jobs abended or rejected
JOBPTR:: .LONG  0                       ; the running job's entry
T0::    .LONG   0                       ; TODR when it started
T1::    .LONG   0                       ; TODR when it ended
RUNNING:: .LONG 0                       ; 1 while a job runs

        .ALIGN  PAGE
SCB::   .BLKL   128
HDR::   .BLKB   512                     ; the deck's header
END::
        .END    START
`;

/** A job that counts the primes below `limit` (no blocks). */
export interface PrimesJob {
  /** 1 to 8 letters, digits, `$ # @ _ -` (upper-cased). */
  readonly name: string;
  /** The built-in PRIMES program. */
  readonly program: "primes";
  /** Count the primes below this (0 to 2^31 - 1). */
  readonly limit: number;
}

/** A job that computes the CRC-32 of blocks: given data, or blocks already on the disk. */
export interface CrcJob {
  /** 1 to 8 letters, digits, `$ # @ _ -`. */
  readonly name: string;
  /** The built-in CRC program. */
  readonly program: "crc";
  /** Data written to the deck (padded with zeros to whole blocks). */
  readonly data?: Uint8Array;
  /** Or: first block already on the disk. */
  readonly start?: number;
  /** With `start`: the number of blocks. */
  readonly blocks?: number;
}

/** A job of VAX code, assembled at {@link BATCH_LAYOUT}.jobArea. */
export interface CodeJob {
  /** 1 to 8 letters, digits, `$ # @ _ -`. */
  readonly name: string;
  /** Code. */
  readonly program: "code";
  /** The code's bytes, or its MACRO-32 source ({@link assembleJob}). */
  readonly code: Uint8Array | string;
  /** R0-R2 at the start (default 0). */
  readonly args?: readonly number[];
}

/** A job on a deck. */
export type BatchJob = PrimesJob | CrcJob | CodeJob;

/** One job as written in the deck's header. */
export interface DeckEntry {
  /** Name (upper case). */
  readonly name: string;
  /** Kind: 0 CODE, 1 CRC, 2 PRIMES. */
  readonly kind: number;
  /** First block. */
  readonly start: number;
  /** Blocks. */
  readonly blocks: number;
  /** Arguments 0-2. */
  readonly args: readonly [number, number, number];
}

/** What {@link writeJobDeck} wrote. */
export interface JobDeck {
  /** The header's entries, in order. */
  readonly entries: readonly DeckEntry[];
  /** Blocks the deck takes from block 0 (header and job blocks it wrote). */
  readonly blocks: number;
}

/** One line of BATCH's output, read back by {@link batchReport}. */
export interface BatchJobReport {
  /** Job name. */
  readonly name: string;
  /** How it ended. */
  readonly status: "EOJ" | "ABEND" | "REJECTED";
  /** R0 at EOJ; the exception vector at an ABEND (-1 for a disk error). */
  readonly result: number;
  /** Milliseconds (TODR, 10 ms steps); absent for rejected jobs. */
  readonly ms?: number;
  /** The whole line. */
  readonly line: string;
}

let cached: Assembly | undefined;

/**
 * Assembles {@link BATCH_SOURCE} (once) and describes the image.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { assembleBatch } from "./batch.ts";
 * ok(assembleBatch().symbols.has("NEXTJOB"));
 * ```
 * @throws {RangeError} if the image grew into the job area
 */
export function assembleBatch(): GuestImage {
  cached ??= assembleSource(BATCH_SOURCE, {
    origin: BATCH_LAYOUT.loadAddress,
    fileName: "batch.mar",
  });
  const end = cached.symbol("END");
  if (end > BATCH_LAYOUT.jobArea) {
    throw new RangeError(
      `Cannot build BATCH: the image ends at 0x${
        end.toString(16)
      }, past the job area at 0x${BATCH_LAYOUT.jobArea.toString(16)}`,
    );
  }
  return makeImage("batch", BATCH_SOURCE, cached, {
    loadAddress: BATCH_LAYOUT.loadAddress,
    entry: cached.entry,
    stack: BATCH_LAYOUT.stack,
    memorySize: BATCH_LAYOUT.memorySize,
    diskSize: BATCH_LAYOUT.diskSize,
  });
}

/**
 * Assembles a CODE job's source at the job area's address. The job ends
 * with `CHMK #0` (result in R0); `CHMK #1` writes R1 bytes at R0.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { assembleJob } from "./batch.ts";
 * ok(assembleJob("MOVL #42, R0\n CHMK #0").length > 0);
 * ```
 * @throws {AsmError} for bad source (line and column)
 */
export function assembleJob(source: string): Uint8Array {
  return assembleSource(source, {
    origin: BATCH_LAYOUT.jobArea,
    fileName: "job.mar",
  }).bytes.slice();
}

const NAME = /^[A-Z0-9$#@_-]{1,8}$/;

function jobError(i: number, job: { name?: unknown }, what: string): never {
  throw new RangeError(
    `Cannot write job ${i + 1} (${JSON.stringify(job?.name)}): ${what}`,
  );
}

function blocksOf(bytes: Uint8Array): Uint8Array {
  const n = Math.max(1, Math.ceil(bytes.length / 512));
  const out = new Uint8Array(n * 512);
  out.set(bytes);
  return out;
}

function u32(v: number, i: number, job: BatchJob, what: string): number {
  if (!Number.isInteger(v) || v < -0x80000000 || v > 0xffffffff) {
    jobError(i, job, `${what} ${v} is not a 32-bit integer`);
  }
  return v >>> 0;
}

/**
 * Writes a job deck on a disk (a machine's, a VM's minidisk, anything with
 * `blocks` and `writeBlocks`): the header at block 0, then the blocks of
 * each job that brings data or code, in order from block 1.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { Machine } from "../machine/machine.ts";
 * import { writeJobDeck } from "./batch.ts";
 * const m = new Machine({ memory: "64 KiB", disk: "64 KiB" });
 * const deck = writeJobDeck(m.disk, [
 *   { name: "CHECK", program: "crc", data: new Uint8Array(1000).fill(7) },
 *   { name: "PRIMES", program: "primes", limit: 1000 },
 * ]);
 * equal(deck.entries[0]!.start, 1);
 * equal(deck.blocks, 3);
 * ```
 * @throws {RangeError} naming the job and what is wrong (name, size, a
 *   deck larger than the disk)
 */
export function writeJobDeck(
  disk: Pick<DiskView, "writeBlocks"> & { readonly blocks?: number },
  jobs: readonly BatchJob[],
): JobDeck {
  const L = BATCH_LAYOUT;
  if (!Array.isArray(jobs) || jobs.length < 1 || jobs.length > L.maxJobs) {
    throw new RangeError(
      `Cannot write a job deck of ${
        Array.isArray(jobs) ? jobs.length : typeof jobs
      } jobs: expected 1 to ${L.maxJobs}`,
    );
  }
  const entries: DeckEntry[] = [];
  const writes: { at: number; bytes: Uint8Array }[] = [];
  let next = 1;
  jobs.forEach((job, i) => {
    const name = String(job?.name ?? "").toUpperCase();
    if (!NAME.test(name)) {
      jobError(i, job, "expected a name of 1 to 8 letters, digits, $ # @ _ -");
    }
    let kind: number;
    let start = 0;
    let blocks = 0;
    let args: [number, number, number] = [0, 0, 0];
    let bytes: Uint8Array | undefined;
    if (job.program === "primes") {
      kind = BATCH_KINDS.PRIMES;
      if (
        !Number.isInteger(job.limit) || job.limit < 0 ||
        job.limit > 0x7fffffff
      ) {
        jobError(i, job, `limit ${job.limit}: expected 0 to 2147483647`);
      }
      args = [job.limit, 0, 0];
    } else if (job.program === "crc") {
      kind = BATCH_KINDS.CRC;
      if (job.data !== undefined) {
        if (!(job.data instanceof Uint8Array) || job.data.length === 0) {
          jobError(i, job, "data must be a non-empty Uint8Array");
        }
        bytes = blocksOf(job.data);
      } else {
        start = job.start ?? -1;
        blocks = job.blocks ?? 0;
        if (!Number.isInteger(start) || start < 0) {
          jobError(i, job, "expected data, or a start block and blocks");
        }
        if (!Number.isInteger(blocks) || blocks < 1) {
          jobError(i, job, `blocks ${blocks}: expected at least 1`);
        }
      }
    } else if (job.program === "code") {
      kind = BATCH_KINDS.CODE;
      const code = typeof job.code === "string"
        ? assembleJob(job.code)
        : job.code;
      if (!(code instanceof Uint8Array) || code.length === 0) {
        jobError(i, job, "code must be MACRO-32 source or non-empty bytes");
      }
      bytes = blocksOf(code);
      const a = job.args ?? [];
      if (a.length > 3) jobError(i, job, `${a.length} args: expected 0 to 3`);
      args = [0, 1, 2].map((k) => u32(a[k] ?? 0, i, job, `argument ${k}`)) as [
        number,
        number,
        number,
      ];
    } else {
      jobError(
        i,
        job,
        `unknown program ${
          JSON.stringify((job as { program?: unknown }).program)
        }: expected "primes", "crc" or "code"`,
      );
    }
    if (bytes) {
      start = next;
      blocks = bytes.length / 512;
      next += blocks;
      writes.push({ at: start, bytes });
    }
    if (blocks > L.jobBlocks) {
      jobError(
        i,
        job,
        `${blocks} blocks: the job area holds ${L.jobBlocks}`,
      );
    }
    entries.push({ name, kind, start, blocks, args });
  });
  const used = Math.max(
    next,
    ...entries.map((e) => e.start + e.blocks),
  );
  if (disk.blocks !== undefined && used > disk.blocks) {
    throw new RangeError(
      `Cannot write the job deck: it needs ${used} blocks, the disk has ${disk.blocks}`,
    );
  }
  const header = new Uint8Array(512);
  const v = new DataView(header.buffer);
  header.set(new TextEncoder().encode("JOBS"), 0);
  v.setUint32(4, entries.length, true);
  entries.forEach((e, i) => {
    const at = 8 + L.entrySize * i;
    header.set(new TextEncoder().encode(e.name.padEnd(8, " ")), at);
    v.setUint32(at + 8, e.kind, true);
    v.setUint32(at + 12, e.start, true);
    v.setUint32(at + 16, e.blocks, true);
    e.args.forEach((a, k) => v.setUint32(at + 20 + 4 * k, a, true));
  });
  disk.writeBlocks(0, header);
  for (const w of writes) disk.writeBlocks(w.at, w.bytes);
  return { entries, blocks: next };
}

/**
 * Whether a disk holds a job deck (block 0 starts with `JOBS`).
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { Machine } from "../machine/machine.ts";
 * import { hasJobDeck } from "./batch.ts";
 * equal(hasJobDeck(new Machine({ disk: "64 KiB" }).disk), false);
 * ```
 */
export function hasJobDeck(disk: Pick<DiskView, "readBlocks">): boolean {
  const b = disk.readBlocks(0, 1);
  return new TextDecoder().decode(b.subarray(0, 4)) === "JOBS";
}

/** Number of primes below n, as the PRIMES job computes it. */
function primesBelow(n: number): number {
  let count = 0;
  for (let c = 2; c < n; c++) {
    let prime = true;
    for (let d = 2; d * d <= c; d++) {
      if (c % d === 0) {
        prime = false;
        break;
      }
    }
    if (prime) count++;
  }
  return count;
}

/**
 * The result a built-in job must end with, computed on the host (CRC of
 * blocks already on the disk needs the disk); undefined for CODE jobs.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { expectedJobResult } from "./batch.ts";
 * equal(expectedJobResult({ name: "P", program: "primes", limit: 100 }), 25);
 * ```
 */
export function expectedJobResult(
  job: BatchJob,
  disk?: Pick<DiskView, "readBlocks">,
): number | undefined {
  if (job.program === "primes") return primesBelow(job.limit);
  if (job.program === "crc") {
    if (job.data) return crc32(blocksOf(job.data));
    if (disk && job.start !== undefined && job.blocks !== undefined) {
      return crc32(disk.readBlocks(job.start, job.blocks));
    }
  }
  return undefined;
}

/**
 * Reads BATCH's job lines back from console output, in order.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { batchReport } from "./batch.ts";
 * const r = batchReport(
 *   "BATCH: JOB PRIMES    EOJ   RESULT 0x00000019  TIME 10 MS\r\n",
 * );
 * equal(r[0]!.result, 25);
 * ```
 */
export function batchReport(output: string): BatchJobReport[] {
  const out: BatchJobReport[] = [];
  for (const line of output.split(/\r?\n/)) {
    const m = /^BATCH: JOB (\S+)\s+(EOJ|ABEND|REJECTED)(.*)$/.exec(line);
    if (!m) continue;
    const rest = m[3]!;
    const hex = /(?:RESULT|EXCEPTION) 0x([0-9A-F]{8})/.exec(rest);
    const ms = /TIME (\d+) MS/.exec(rest);
    out.push({
      name: m[1]!,
      status: m[2] as BatchJobReport["status"],
      result: hex ? parseInt(hex[1]!, 16) | 0 : -1,
      ...(ms ? { ms: Number(ms[1]) } : {}),
      line,
    });
  }
  return out;
}

/**
 * A deck that shows each kind of job: a CRC over data, PRIMES, a CODE job
 * that prints a line and sums 1..100, and one that executes HALT in user
 * mode and ABENDs (a privileged instruction: reserved instruction fault).
 */
export const DEFAULT_BATCH_JOBS: readonly BatchJob[] = [
  {
    name: "PAYROLL",
    program: "crc",
    data: new TextEncoder().encode(
      "EMPLOYEE 0001 SMITH 1200.00\nEMPLOYEE 0002 JONES 1350.00\n".repeat(
        20,
      ),
    ),
  },
  { name: "PRIMES", program: "primes", limit: 2000 },
  {
    name: "REPORT",
    program: "code",
    args: [100],
    code: `MOVL    R0, R5          ; n
        MOVAB   MSG, R0
        MOVL    #MSGEND-MSG, R1
        CHMK    #1              ; write
        CLRL    R0
10$:    ADDL2   R5, R0          ; 1 + 2 + ... + n
        SOBGTR  R5, 10$
        CHMK    #0              ; end of job
MSG:    .ASCII  /REPORT: summing 1 to 100/<13><10>
MSGEND:`,
  },
  { name: "BADJOB", program: "code", code: "HALT" },
];

/** Options of {@link bootBatch}. */
export interface BatchBootOptions {
  /** A deck to write first (absent: the disk's deck is run as it is). */
  readonly jobs?: readonly BatchJob[];
}

/**
 * Loads BATCH into a machine (or a VM), writes a deck first when `jobs`
 * is given, and puts the processor at the entry point: `run()` then runs
 * the jobs.
 *
 * @returns the image that was loaded
 * @throws {RangeError} if memory or disk is too small, or a job is bad
 */
export function bootBatch(
  target: BootTarget,
  options: BatchBootOptions = {},
): GuestImage {
  const image = assembleBatch();
  if (options.jobs !== undefined) writeJobDeck(target.disk, options.jobs);
  loadImage(target, image);
  return image;
}

/** The job line BATCH prints at EOJ, without the time. */
export function eojLine(name: string, result: number): string {
  return `BATCH: JOB ${name.toUpperCase().padEnd(8)}  EOJ   RESULT ${
    guestHex(result)
  }`;
}

/** The source under the name every guest module uses: {@link BATCH_SOURCE}. */
export const source: string = BATCH_SOURCE;

/** {@link assembleBatch} under the name every guest module uses. */
export const assemble: () => GuestImage = assembleBatch;

/** {@link bootBatch} under the name every guest module uses. */
export const boot: (
  target: BootTarget,
  options?: BatchBootOptions,
) => GuestImage = bootBatch;
