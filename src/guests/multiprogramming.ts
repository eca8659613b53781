/**
 * **o**, a small multiprogramming operating system for the vmmlab VAX,
 * written in VAX MACRO-32 and assembled by the project's own assembler. It
 * is the guest that gives a monitor something real to virtualize: memory
 * management, context switches, system calls, a disk driver and interrupts.
 *
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { Machine } from "../machine/machine.ts";
 * import { bootMultiprogramming } from "./multiprogramming.ts";
 * const m = new Machine({ memory: "128 KiB", disk: "64 KiB" });
 * bootMultiprogramming(m, { diskMode: "async" });
 * const r = m.run(); // halts when every process has exited
 * ok(r.stop === "halt");
 * ok(m.console.output.endsWith("o: all processes exited, halting\r\n"));
 * ```
 *
 * ## What it does
 *
 * `o` boots at physical address `0x1000` with memory management off, fills
 * its SCB (page aligned, SCBB) and its system page table (SBR, SLR), maps
 * itself into S0, turns MAPEN on (the instruction after `MTPR #1,#MAPEN` is
 * found through a temporary identity map of the first 16 pages in P0) and
 * jumps into S0. It then creates three user processes, each with its own
 * P0 page table (in S0: P0BR is a system virtual address), PCB, kernel
 * stack and user stack, starts the interval timer and switches to
 * process 1 with LDPCTX and REI.
 *
 * Processes run in user mode and are switched round robin (SVPCTX, LDPCTX)
 * when their time slice (one timer tick, 10 ms; `QUANTUM` in the image)
 * ends, when they sleep (disk, console) or yield. The switch is a software
 * interrupt at IPL 3 (`K_SWITCH`, SCB 0x8C): the timer requests it, and it
 * is taken as soon as the processor drops below IPL 3, so the kernel, which
 * runs system calls at IPL 3, is never rescheduled in the middle of one.
 * When nobody is ready, the idle process runs `BRB .` in kernel mode at
 * IPL 0, where every interrupt can reach it (on the emulator a branch to
 * itself skips simulated time to the next device event).
 *
 * - **p1, p2** (`WORKER`): read the four records of their disk area one
 *   block at a time, print the CRC-32 of each (`P1: block 16 crc
 *   0x44083A3D`), then of all four (`P1: blocks 16-19 crc 0x...`, a
 *   computation longer than a time slice), write a result block (`RSLT`,
 *   pid, the five CRCs) to block 7 of their area, read it back, compare
 *   (`P1: wrote block 23, read back ok`) and exit.
 * - **p3** (`ERRDEMO`): prints the disk label, then shows that bad
 *   arguments come back as error codes (`P3: read into kernel space: error
 *   -1`, `P3: read beyond the disk: error -17`, ...), yields, and finally
 *   touches kernel memory itself: the access violation kills it (`o: p3
 *   killed by exception 0x00000020 at PC 0x00000474`), the system goes on.
 *
 * When the last process is gone `o` prints `o: all processes exited,
 * halting` and HALTs once the console has sent the last character.
 *
 * ## Physical memory (128 KiB)
 *
 * | address | contents |
 * |---|---|
 * | `0x00000`-`0x00FFF` | unused |
 * | `0x01000` | the image: boot code, kernel, kernel data |
 * | page aligned | SCB (1 page), system page table (256 PTEs, and 6 for the page-table window under paging), boot P0 table, process P0 page tables (16 PTEs each; under paging they are pageable, see below) |
 * | page aligned | process records: PCB (96 bytes) + state, 256 bytes each, 0 = idle; `PCBB` = the record's physical address |
 * | | kernel stacks (1 page per process and idle), interrupt stack (1 page), console ring (512 bytes) |
 * | page aligned, to `UTEXT_END` | the user programs (copied into every process) |
 * | `0x10000`-`0x11FFF` | p1's P0 (16 pages, physically contiguous) |
 * | `0x12000`-`0x13FFF` | p2's P0 |
 * | `0x14000`-`0x15FFF` | p3's P0 |
 *
 * S0 page n maps physical page n (kernel read/write), so the kernel sees
 * physical address `a` at `0x80000000 + a`; SLR = 256 (128 KiB).
 *
 * ## P0 of every process (P0LR = 16, no P1)
 *
 * | pages | addresses | protection | contents |
 * |---|---|---|---|
 * | 0 | `0x0000`-`0x01FF` | no access | catches null pointers |
 * | 1-5 | `0x0200`-`0x0BFF` | UR (read only) | the user programs; PC starts at `WORKER` or `ERRDEMO` |
 * | 6-7 | `0x0C00`-`0x0FFF` | UW | line buffer `0x0C00`, variables `0x0D00` |
 * | 8-11 | `0x1000`-`0x17FF` | UW | disk buffer (the four records) |
 * | 12 | `0x1800`-`0x19FF` | UW | the result block |
 * | 13-15 | `0x1A00`-`0x1FFF` | UW | user stack; USP starts at `0x2000` |
 *
 * ## System calls: `CHMK #code`
 *
 * Arguments in R0-R2, result in R0; every other register is preserved.
 *
 * | code | name | arguments | result |
 * |---|---|---|---|
 * | 0 | exit | - | does not return |
 * | 1 | write to the console | R0 buffer, R1 length (0-256) | length |
 * | 2 | read disk blocks | R0 first block, R1 count (1-16), R2 buffer | count |
 * | 3 | write disk blocks | R0 first block, R1 count (1-16), R2 buffer | count |
 * | 4 | yield | - | 0 |
 * | 5 | get process id | - | pid (1-3) |
 *
 * Console output is queued in a 512-byte ring and sent by the transmit
 * interrupt (IPL 0x14); a write sleeps while the ring lacks room, and a
 * whole write always enters the ring at once, so lines never mix. Disk
 * transfers go straight between the disk and the caller's buffer (its
 * region is physically contiguous). With `DISK_ASYNC` = 1 (the default) the
 * transfer is started with DKCS ASYNC and IE, the process sleeps until the
 * disk interrupt (IPL 0x15) and others run meanwhile; with 0 the MTPR that
 * sets GO returns when the transfer is complete.
 *
 * Every buffer is checked with PROBER/PROBEW in the caller's mode, page by
 * page, before anything happens. Error codes:
 *
 * | R0 | meaning |
 * |---|---|
 * | -1 | the buffer is not accessible to the caller (kernel space, beyond P0LR, read-only page for a disk read) |
 * | -2 | no such system call |
 * | -3 | bad length or block count |
 * | -17, -18, -19 | the disk refused the transfer: -16 - DKCS<ERRCODE> (1 block range outside the disk, 2 nonexistent memory, 3 reserved function) |
 *
 * An exception in user mode (access violation, reserved instruction, ...)
 * kills the process; one in kernel mode is a bug and ends in a panic line
 * and HALT.
 *
 * ## Demand paging (`paging` option)
 *
 * With `bootMultiprogramming(m, { paging: { frames, processes } })` the
 * kernel word `PAGING` is 1 and no process page is resident at start:
 * every P0 PTE is invalid, its software bits (PTE<22:21>) saying where the
 * contents are (zero fill, the image's text, or the swap area). The
 * translation-not-valid handler (`PF_ENTRY`, `PGFAULT`) takes faults on P0
 * pages from user mode and from the kernel at IPL 0-3 (system calls copy
 * user buffers through a per-process bounce page, `KBOUNCE`, so a buffer
 * need be neither resident nor contiguous). One page-in at a time
 * (`PG_BUSY`); others sleep and retry.
 *
 * Frames come from the pool at `0x10000` (`NFRAMES` of them, at most 128).
 * The clock (`PG_FRAME`) keeps a frame table (`FTPTE`: the PTE of the page
 * in each frame, `FTOWN`: pid and page number). The VAX has no reference
 * bit, so, as BSD did on the VAX, the hand clears V and sets the software
 * bit PTE<25> (`PTE_RES`) to give a page a second chance; a touch before
 * the hand comes back is a reclaim (no I/O). A page found still unreferenced
 * is the victim: written to its swap block first when its M bit is set
 * (block `SWAPBASE + 256 (pid - 1) + page`), then its frame is filled.
 *
 * ### Pageable page tables and the double miss
 *
 * Under paging a process's P0 page table is not in the kernel image: it is
 * two pages of an S0 window after the 256 identity pages (SLR = 262;
 * process n's P0BR = `0x80020000 + 1024 (n - 1)`; table page k maps P0
 * pages 128k to 128k + 127), held in frames of the same pool as every
 * other page, and the S0 PTEs that map them (`SPTW`) may be invalid. A
 * reference through an invalid one is the double miss of
 * vax-architecture.md 10.5: translation not valid with mask bit 1 (PTE
 * reference) and the original P0 address. `PGFAULT` then brings the table
 * page in first (`PT_IN`: built from the process's layout on its first
 * touch, else read from its swap block; a table page the clock had only
 * marked is reclaimed), then the page itself, in the same fault. PROBE
 * and the kernel's copies of user buffers take the same fault.
 *
 * The replacement rule for table pages: a table page may be evicted only
 * while none of the pages it maps is in a frame (`PTSHARE`, per table
 * page, counts its pages in frames and the one being brought in). Then
 * every PTE in it is invalid, so no translation through it can be in the
 * TB and the clock never needs it to update a victim's PTE. Such a page
 * gets the same second chance as any page (its S0 PTE's V cleared, TBIS
 * of its S0 address), and is written to its swap block when its S0 M bit
 * says it changed (the kernel writes PTEs through the window, so any
 * page-in or eviction of one of its pages sets it; a table page built in
 * memory starts modified). Its blocks: 0 and 1 of the process's slot
 * (`SWAPBASE + 256 (pid - 1) + k`), which P0 pages 0 (no access) and 1-5
 * (read-only text) never use. A table page costs a frame, so at least 12
 * frames are required; with fewer, three processes in round robin thrash
 * without end.
 *
 * Each process counts faults, page reads and page writes (its own dirty
 * pages written out), and the same for its page-table pages, and prints
 * them at exit: `o: p1 exited, faults 40 reads 12 writes 20 ptfaults 3
 * ptreads 1 ptwrites 1` ({@link pagingCounts} reads them back). The
 * workload program ({@link WorkloadSpec}) touches N data pages in a
 * pattern, checking every page on every touch; {@link workloadLine}
 * computes the line it must print.
 *
 * ## Disk (64 KiB, 128 blocks; {@link multiprogrammingDisk})
 *
 * | block | contents |
 * |---|---|
 * | 0 | label: `VMMLAB DEMO DISK` (ASCIZ) |
 * | 16n to 16n+3 | the four records of process n (n = 1, 2, 3): a text header `pid n record r block b`, then pseudo-random bytes |
 * | 16n+7 | written by process n: `RSLT`, pid, the four CRC-32s of the records, the CRC-32 of all four |
 *
 * @module
 */

import { assemble as assembleSource, type Assembly } from "../asm/assembler.ts";
import {
  type BootTarget,
  guestHex,
  type GuestImage,
  loadImage,
  makeImage,
  patchLong,
} from "./guest.ts";
import { CRC32_ROUTINE } from "./routines.ts";

/**
 * The assembly source of `o` and its user programs. Assemble it with
 * origin `0x80001000` (its S0 address) and load the bytes at physical
 * `0x1000`; {@link assembleMultiprogramming} does both.
 */
export const MULTIPROGRAMMING_SOURCE: string = `;
; o -- a small multiprogramming operating system for the vmmlab VAX.
;
; Assembled at S0 address ^X80001000 and loaded at physical ^X1000; it boots
; with memory management off and turns it on itself. See the module
; documentation of src/guests/multiprogramming.ts for the memory map, the
; system calls and the disk layout.
;
        .TITLE  O       multiprogramming operating system

; ---- internal processor registers (vax-architecture.md 9, devices.md)
PR$_KSP   = 0
PR$_USP   = 3
PR$_P0BR  = 8
PR$_P0LR  = 9
PR$_SBR   = 12
PR$_SLR   = 13
PR$_PCBB  = 16
PR$_SCBB  = 17
PR$_IPL   = 18
PR$_SIRR  = 20
PR$_ICCS  = 24
PR$_TXCS  = 34
PR$_TXDB  = 35
PR$_MAPEN = 56
PR$_TBIA  = 57
PR$_TBIS  = 58
PR$_DKBLK = 64
PR$_DKMEM = 65
PR$_DKCNT = 66
PR$_DKCS  = 67

; ---- disk command and status bits
DK_READ   = 1
DK_WRITE  = 2
DK_IE     = ^X40
DK_GO     = ^X100
DK_ASYNC  = ^X200

; ---- interrupt priority levels
IPL_SCHED = 3                   ; software interrupt that reschedules
IPL_TTY   = ^X14                ; console
IPL_DISK  = ^X15                ; disk
IPL_HIGH  = ^X1F

; ---- page table entries: valid bit and protection
PTE_KW    = ^X90000000          ; valid, kernel read/write
PTE_UR    = ^XF8000000          ; valid, every mode reads, nobody writes
PTE_UW    = ^XA0000000          ; valid, every mode reads and writes
PTE_VALID = ^X80000000
PTE_PROT  = ^X78000000          ; protection code
PTE_MOD   = ^X04000000          ; M, set by the hardware on a write
; demand paging (PAGING = 1): software bits of the PTE
PTE_RES   = ^X02000000          ; V clear for the clock, page still in its frame
PTE_TEXT  = ^X00200000          ; contents: 0 zero fill, TEXT from the image,
PTE_SWAP  = ^X00400000          ;   SWAP its block in the swap area
PTE_TYPE  = ^X00600000
V_RES     = 25                  ; bit numbers
V_MOD     = 26

; ---- memory map
S0        = ^X80000000          ; S0 page n is physical page n
LOAD_PA   = ^X1000              ; where the image is loaded
SPT_LEN   = 256                 ; system page table maps 128 KiB
USER_PA   = ^X10000             ; process regions: pid n at USER_PA+(n-1)*REGION
REGION    = ^X2000              ; one process: 16 pages of P0, contiguous
P0_PAGES  = 16
MAXP0     = 256                 ; P0 page table entries per process (paging)
MAXFRAMES = 128                 ; page frames from USER_PA to 128 KiB
; demand paging: process page tables live in pageable S0 pages, a window
; of NPROC*PT_PAGES S0 pages after the SPT_LEN identity pages
PT_PAGES  = 2                   ; page-table pages per process (MAXP0*4/512)
PTW       = ^X80020000          ; S0 page SPT_LEN: process n's P0 table at
                                ;   PTW+<n-1>*1024 (P0BR)
SLR_PAGED = SPT_LEN+<NPROC*PT_PAGES>
PT_PAGE   = ^X100               ; frame owner: page-table page k is page
                                ;   PT_PAGE+<k*128> (bit 7 = k, as for data)

; ---- P0 of every process
U_TEXT    = ^X200               ; pages 1-5: the user programs (read only)
U_TEXT_PAGES = 5
U_LINE    = ^XC00               ; pages 6-7: data (line buffer, variables)
U_LP      = ^XD00
U_PID     = ^XD04
U_CRCS    = ^XD10
U_BUF     = ^X1000              ; pages 8-11: disk buffer (4 records)
U_BUF2    = ^X1800              ; page 12: the result block
U_STACK   = ^X2000              ; pages 13-15: user stack, grows down
; the workload (paging): its parameters, version table and data pages
U_WL      = ^XE00               ; parameters and variables, below
WL_N      = U_WL                ;   data pages
WL_T      = U_WL+4              ;   touches
WL_PAT    = U_WL+8              ;   0 sequential, 1 random, 2 shifting set
WL_SEED   = U_WL+12             ;   xorshift32 state
WL_WE     = U_WL+16             ;   every WE-th touch writes
WL_W      = U_WL+20             ;   working-set window (pages)
WL_SE     = U_WL+24             ;   touches between shifts
WL_SB     = U_WL+28             ;   pages per shift
WL_BASE   = U_WL+32             ;   window base
WL_ERR    = U_WL+36             ;   touches that found a wrong page
WL_T0     = U_WL+40             ;   touches done
WL_SUM    = U_WL+44             ;   sum over the final check
U_VT      = ^X1000              ; version of every data page (longwords)
U_DATA    = ^X2000              ; data page i at U_DATA + 512 * i

; ---- processes
NPROC     = 3                   ; user processes, pids 1..NPROC; 0 is idle
P_SIZE    = 256                 ; a process record:
P_PCB     = 0                   ;   its PCB (96 bytes)
P_STATE   = ^X60                ;   state, below
P_WCHAN   = ^X64                ;   what it sleeps on
P_PID     = ^X68                ;   process id
P_PCBPA   = ^X6C                ;   physical address of the PCB
P_FAULTS  = ^X70                ;   page faults (paging)
P_READS   = ^X74                ;   pages read from the swap area
P_WRITES  = ^X78                ;   pages written to the swap area
P_RECLAIM = ^X7C                ;   faults on pages still in their frame
P_PTFAULTS = ^X80               ;   page-table pages brought in (double misses)
P_PTREADS = ^X84                ;   ... read from the swap area
P_PTWRITES = ^X88               ;   ... written to the swap area
P_PTRECLAIM = ^X8C              ;   ... found still in their frame
P_KLINE   = ^X90                ;   kernel message buffer (112 bytes)

S_FREE    = 0
S_READY   = 1
S_RUN     = 2
S_SLEEP   = 3
S_EXITED  = 4

WC_DISK   = 1                   ; sleep channels
WC_TTY    = 2
WC_PAGER  = 3

RING_SIZE = 512                 ; console output ring
MAXWRITE  = 256                 ; longest console write

; ---- system calls (CHMK #code) and error codes (in R0)
SYS_EXIT    = 0
SYS_WRITE   = 1
SYS_DKREAD  = 2
SYS_DKWRITE = 3
SYS_YIELD   = 4
SYS_GETPID  = 5

E_FAULT   = -1                  ; buffer not accessible to the caller
E_NOSYS   = -2                  ; no such system call
E_INVAL   = -3                  ; bad length or count
E_DISK    = -16                 ; disk error n is returned as -16-n

NREC      = 4                   ; records each worker reads

;=============================================================================
; Boot. Entered at physical LOAD_PA with memory management off, kernel mode,
; interrupt stack, IPL 31. Everything up to MAPPED is position independent.
;=============================================================================

BOOT::  MTPR    #IPL_HIGH, #PR$_IPL
; the system control block: every vector to K_UNEXP, then ours
        MOVAB   SCB, R0                 ; a physical address: we run unmapped
        MTPR    R0, #PR$_SCBB
        MOVL    #128, R1
        MOVL    #<K_UNEXP+1>, R2        ; +1: on the interrupt stack
10$:    MOVL    R2, (R0)+
        SOBGTR  R1, 10$
        MOVAB   SCB, R1
        MOVAB   SCBINIT, R0
20$:    MOVL    (R0)+, R2
        BLSS    30$
        ADDL2   R1, R2
        MOVL    (R0)+, (R2)
        BRB     20$
; the system page table: S0 page n is physical page n, kernel read/write
30$:    MOVAB   SPT, R0
        MTPR    R0, #PR$_SBR
        MTPR    #SPT_LEN, #PR$_SLR
        MOVL    #SPT_LEN, R1
        MOVL    #PTE_KW, R2
40$:    MOVL    R2, (R0)+
        INCL    R2
        SOBGTR  R1, 40$
; an identity map of the first 16 pages in P0: the instruction after the
; MTPR to MAPEN is fetched at a physical address, which must still work
        MOVAB   BOOTP0, R0
        MOVL    #16, R1
        MOVL    #PTE_KW, R2
50$:    MOVL    R2, (R0)+
        INCL    R2
        SOBGTR  R1, 50$
        MTPR    #BOOTP0, #PR$_P0BR      ; P0BR is a system virtual address
        MTPR    #16, #PR$_P0LR
        MTPR    #1, #PR$_MAPEN
        JMP     @#MAPPED                ; into S0

SCBINIT:                                ; SCB offset, handler (+1: interrupt stack)
        .LONG   ^X10, F_RIF
        .LONG   ^X14, F_XFC
        .LONG   ^X18, F_ROF
        .LONG   ^X1C, F_RAF
        .LONG   ^X20, F_ACV
        .LONG   ^X24, F_TNV
        .LONG   ^X28, F_TRACE
        .LONG   ^X2C, F_BPT
        .LONG   ^X34, F_ARITH
        .LONG   ^X40, K_CHMK
        .LONG   ^X8C, K_SWITCH          ; software interrupt level 3
        .LONG   ^XC0, K_CLOCK+1         ; interval timer
        .LONG   ^XD0, K_DISK+1          ; disk
        .LONG   ^XFC, K_TXINT+1         ; console transmit
        .LONG   -1

MAPPED: MOVL    #ISTACK_TOP, SP         ; the interrupt stack, now in S0
        MTPR    #0, #PR$_P0LR           ; forget the identity map
        MTPR    #0, #PR$_TBIA
        MTPR    #^X40, #PR$_TXCS        ; console transmit interrupts on
        MOVAB   PROCTAB+P_KLINE, R3     ; the banner
        MOVL    R3, R7
        MOVAB   KS_BANNER, R1
        BSBW    KL_STR
        MOVAB   KS_SYNC, R1
        TSTL    DISK_ASYNC
        BEQL    10$
        MOVAB   KS_ASYNC, R1
10$:    BSBW    KL_STR
        BSBW    KL_SEND
        MOVL    #1, R8                  ; the user processes
20$:    BSBW    MKPROC
        AOBLEQ  #NPROC, R8, 20$
        MOVL    #NPROC, NALIVE
        MTPR    #^X40, #PR$_ICCS        ; interval timer on: 100 Hz
        MOVAB   PROCTAB+P_SIZE, R4      ; run process 1
        MOVL    #S_RUN, P_STATE(R4)
        MOVL    R4, CURPROC
        MOVL    QUANTUM, QLEFT
        MTPR    P_PCBPA(R4), #PR$_PCBB
        LDPCTX
        REI

; MKPROC: builds process R8 (pid): region, P0 page table, PCB.
MKPROC: ASHL    #8, R8, R4
        MOVAB   PROCTAB[R4], R4         ; its record
        MOVL    R8, P_PID(R4)
        BICL3   #S0, R4, P_PCBPA(R4)
        TSTL    PAGING
        BEQL    5$
        BRW     MKPAGED
5$:     SUBL3   #1, R8, R5              ; its region, seen through S0
        MULL2   #REGION, R5
        ADDL2   #<S0+USER_PA>, R5
        MOVL    R5, R0                  ; cleared
        MOVL    #<REGION/4>, R1
10$:    CLRL    (R0)+
        SOBGTR  R1, 10$
        MOVAB   UTEXT, R0               ; the user programs, copied to U_TEXT
        ADDL3   #U_TEXT, R5, R1
        MOVL    #<<UTEXT_END-UTEXT+3>/4>, R2
20$:    MOVL    (R0)+, (R1)+
        SOBGTR  R2, 20$
        SUBL3   #1, R8, R6              ; its P0 page table
        MULL2   #<MAXP0*4>, R6
        MOVAB   P0PT[R6], R6
        BICL3   #S0, R5, R0
        ASHL    #-9, R0, R0             ; first page frame of the region
        CLRL    (R6)                    ; page 0: no access
        MOVL    #1, R1
30$:    ADDL3   R0, R1, R2
        CMPL    R1, #U_TEXT_PAGES
        BGTR    40$
        BISL2   #PTE_UR, R2             ; program text: read only
        BRB     50$
40$:    BISL2   #PTE_UW, R2             ; data, buffers, stack
50$:    MOVL    R2, (R6)[R1]
        AOBLSS  #P0_PAGES, R1, 30$
MKPCB:  ASHL    #9, R8, R0              ; the PCB (R4 record, R6 P0 table)
        MOVAB   KSTACKS+512[R0], P_PCB(R4)      ; KSP
        CLRL    4(R4)                   ; ESP
        CLRL    8(R4)                   ; SSP
        MOVL    #U_STACK, 12(R4)        ; USP
        MOVAB   16(R4), R0              ; R0-R13
        MOVL    #14, R1
60$:    CLRL    (R0)+
        SOBGTR  R1, 60$
        MOVL    PROGTAB-4[R8], ^X48(R4) ; PC
        MOVL    #^X03C00000, ^X4C(R4)   ; PSL: user, previous user, IPL 0
        MOVL    R6, ^X50(R4)            ; P0BR
        BISL3   #^X04000000, P0LTAB-4[R8], ^X54(R4) ; P0LR, ASTLVL 4 (none)
        CLRL    ^X58(R4)                ; P1BR
        MOVL    #^X00200000, ^X5C(R4)   ; P1LR: no P1 page
        MOVL    #S_READY, P_STATE(R4)
        TSTL    PAGING                  ; a workload's parameters in R0-R7
        BEQL    80$
        SUBL3   #1, R8, R0
        ASHL    #5, R0, R0
        MOVAB   WLTAB[R0], R0
        MOVAB   16(R4), R1
        MOVL    #8, R2
70$:    MOVL    (R0)+, (R1)+
        SOBGTR  R2, 70$
80$:    RSB

; MKPAGED: process R8 (record R4) under demand paging. Its P0 page table
; is two pages of the S0 window, not valid: the first reference through
; either is a double miss that builds it (PT_IN). No page is resident:
; text pages fill from the image, the others with zeros, on first touch.
MKPAGED:
        MTPR    #SLR_PAGED, #PR$_SLR    ; the page-table window
        SUBL3   #1, R8, R0              ; its table pages: not valid, built
        ASHL    #1, R0, R0              ;   on the first touch (a double miss)
        MOVL    #<PTE_KW&PTE_PROT>, SPTW[R0]
        MOVL    #<PTE_KW&PTE_PROT>, SPTW+4[R0]
        CLRL    PTSHARE[R0]
        CLRL    PTSHARE+4[R0]
        ASHL    #9, R0, R6
        ADDL2   #PTW, R6                ; R6 = P0BR, in the window
        MOVAB   P_FAULTS(R4), R0        ; the paging counts
        MOVL    #8, R1
10$:    CLRL    (R0)+
        SOBGTR  R1, 10$
        BRW     MKPCB

;=============================================================================
; Scheduling
;=============================================================================

; K_CLOCK: interval timer interrupt (IPL 22, interrupt stack).
        .ALIGN  LONG
K_CLOCK:
        INCL    TICKS
        CMPL    CURPROC, #PROCTAB       ; the idle process has no time slice
        BEQL    10$
        DECL    QLEFT
        BGTR    10$
        MTPR    #IPL_SCHED, #PR$_SIRR   ; time slice over: reschedule
10$:    REI

; K_SWITCH: software interrupt level 3, and the end of SLEEP and EXIT.
; On the kernel stack of the current process: (SP) = PC, 4(SP) = PSL.
; Saves its context, picks the next ready process round robin (the idle
; process if none is ready) and loads its context.
        .ALIGN  LONG
K_SWITCH::
        SVPCTX                          ; now on the interrupt stack
        MOVL    CURPROC, R1
        CMPL    P_STATE(R1), #S_RUN
        BNEQ    10$
        MOVL    #S_READY, P_STATE(R1)
10$:    MOVL    P_PID(R1), R2
        MOVL    #NPROC, R3
20$:    INCL    R2                      ; the next one after the current
        CMPL    R2, #NPROC
        BLEQ    30$
        MOVL    #1, R2
30$:    ASHL    #8, R2, R4
        MOVAB   PROCTAB[R4], R4
        CMPL    P_STATE(R4), #S_READY
        BEQL    40$
        SOBGTR  R3, 20$
        MOVAB   PROCTAB, R4             ; nobody ready: idle
        BRB     50$
40$:    MOVL    #S_RUN, P_STATE(R4)
50$:    MOVL    R4, CURPROC
        MOVL    QUANTUM, QLEFT
        MTPR    P_PCBPA(R4), #PR$_PCBB
        LDPCTX
        REI

; K_IDLE: the idle process, kernel mode at IPL 0: every interrupt can come.
        .ALIGN  LONG
K_IDLE::
        BRB     K_IDLE

; SLEEP: R0 = channel. Process context, IPL >= 3 (the caller raised it to
; test its condition). Returns at IPL 3 once WAKEUP(R0) has been called;
; every register is preserved. The caller tests its condition again.
SLEEP:  PUSHL   R1
        MOVL    CURPROC, R1
        MOVL    R0, P_WCHAN(R1)
        MOVL    #S_SLEEP, P_STATE(R1)
        MOVL    (SP)+, R1
        MTPR    #IPL_SCHED, #PR$_IPL
        MOVPSL  -(SP)                   ; a frame for SVPCTX and REI
        PUSHAB  10$
        BRW     K_SWITCH
10$:    RSB

; WAKEUP: R0 = channel. Makes every process sleeping on it ready, and asks
; for a reschedule if there was one. Any IPL >= 3; registers preserved.
WAKEUP: PUSHL   R1
        PUSHL   R2
        PUSHL   R3
        CLRL    R2
        MOVAB   PROCTAB+P_SIZE, R1
        MOVL    #NPROC, R3
10$:    CMPL    P_STATE(R1), #S_SLEEP
        BNEQ    20$
        CMPL    P_WCHAN(R1), R0
        BNEQ    20$
        MOVL    #S_READY, P_STATE(R1)
        INCL    R2
20$:    ADDL2   #P_SIZE, R1
        SOBGTR  R3, 10$
        TSTL    R2
        BEQL    30$
        MTPR    #IPL_SCHED, #PR$_SIRR
30$:    MOVL    (SP)+, R3
        MOVL    (SP)+, R2
        MOVL    (SP)+, R1
        RSB

;=============================================================================
; System calls: CHMK #code, arguments in R0-R2, result in R0. Every other
; register is preserved (the entry mask of SYSCALL saves R1-R11).
;=============================================================================

        .ALIGN  LONG
K_CHMK::
        MTPR    #IPL_SCHED, #PR$_IPL    ; no rescheduling inside the kernel
        CALLS   #0, SYSCALL             ; 4(AP) = code, 8(AP) = PC, 12(AP) = PSL
        ADDL2   #4, SP                  ; pop the code
        REI

        .ENTRY  SYSCALL, ^M<R1,R2,R3,R4,R5,R6,R7,R8,R9,R10,R11>
        CASEL   4(AP), #0, #5
10$:    .WORD   SYS$EXIT-10$
        .WORD   SYS$WRITE-10$
        .WORD   SYS$DKREAD-10$
        .WORD   SYS$DKWRITE-10$
        .WORD   SYS$YIELD-10$
        .WORD   SYS$GETPID-10$
        MOVL    #E_NOSYS, R0
        RET

RET_INVAL:
        MOVL    #E_INVAL, R0
        RET
RET_FAULT:
        MOVL    #E_FAULT, R0
        RET

SYS$GETPID:                             ; R0 = pid
        MOVL    CURPROC, R0
        MOVL    P_PID(R0), R0
        RET

SYS$YIELD:                              ; R0 = 0
        MTPR    #IPL_SCHED, #PR$_SIRR   ; taken when REI drops to IPL 0
        CLRL    R0
        RET

SYS$WRITE:                              ; R0 = buffer, R1 = length
        MOVL    R0, R7
        MOVL    R1, R8
        BLSS    RET_INVAL
        BEQL    10$
        CMPL    R8, #MAXWRITE
        BGTR    RET_INVAL
        MOVL    R7, R4
        MOVL    R8, R5
        CLRL    R6                      ; read access
        BSBW    UCHECK
        BLSS    RET_FAULT
        MOVL    R7, R1
        TSTL    PAGING                  ; paging: copied first (it may fault)
        BEQL    5$
        MOVL    CURPROC, R2
        ASHL    #9, P_PID(R2), R2
        MOVAB   KBOUNCE[R2], R2
        MOVL    R2, R3
        MOVL    R8, R0
3$:     MOVB    (R1)+, (R2)+
        SOBGTR  R0, 3$
        MOVL    R3, R1
5$:     MOVL    R8, R2
        BSBW    TTYWRITE
10$:    MOVL    R8, R0                  ; R0 = length
        RET

SYS$DKREAD:                             ; R0 = block, R1 = count, R2 = buffer
        MOVL    #DK_READ, R3
        BRB     DKIO
SYS$DKWRITE:
        MOVL    #DK_WRITE, R3
DKIO:   MOVL    R0, R8                  ; R8 = block
        MOVL    R1, R9                  ; R9 = count
        BLEQ    DK_INVAL
        CMPL    R9, #P0_PAGES
        BGTR    DK_INVAL
        MOVL    R2, R4                  ; is the buffer the caller's?
        ASHL    #9, R9, R5
        BICL3   #^C1, R3, R6            ; a read writes memory: 1 = write access
        BSBW    UCHECK
        BGEQ    5$
        BRW     RET_FAULT
5$:     TSTL    PAGING
        BEQL    7$
        BRW     DKIO_PAGED
7$:     MFPR    #PR$_P0BR, R5           ; its physical address: the region is
        ASHL    #-9, R2, R6             ; contiguous, so the frame of the
        MOVL    (R5)[R6], R6            ; first page does
        BICL2   #^XFFE00000, R6
        ASHL    #9, R6, R6
        BICL3   #^C511, R2, R7
        ADDL2   R7, R6                  ; R6 = physical address
        BSBW    DK_XFER
        BBS     #15, R10, DK_ERR
        MOVL    R9, R0                  ; R0 = count
        RET
DK_ERR: ASHL    #-12, R10, R0           ; DKCS<ERR>: R0 = -16 - ERRCODE
        BICL2   #^C7, R0
        SUBL3   R0, #E_DISK, R0
        RET
DK_INVAL:
        MOVL    #E_INVAL, R0
        RET

; DKIO_PAGED: the same one block at a time through the process's bounce
; page in the kernel (user pages are neither contiguous nor resident). The
; copies run at IPL 3 in kernel mode and may fault pages in.
DKIO_PAGED:
        MOVL    R2, R7                  ; R7 = user buffer
        MOVL    CURPROC, R5
        ASHL    #9, P_PID(R5), R5
        MOVAB   KBOUNCE[R5], R5         ; R5 = bounce page (S0)
        MOVL    R9, R4                  ; R4 = blocks left
10$:    CMPL    R3, #DK_WRITE
        BNEQ    20$
        MOVL    R7, R1                  ; user to bounce
        MOVL    R5, R2
        BSBW    COPYPAGE
20$:    BICL3   #S0, R5, R6
        PUSHL   R9
        MOVL    #1, R9
        BSBW    DK_XFER
        MOVL    (SP)+, R9
        BBS     #15, R10, DK_ERR
        CMPL    R3, #DK_READ
        BNEQ    30$
        MOVL    R5, R1                  ; bounce to user
        MOVL    R7, R2
        BSBW    COPYPAGE
30$:    ADDL2   #512, R7
        INCL    R8
        SOBGTR  R4, 10$
        MOVL    R9, R0                  ; R0 = count
        RET

; COPYPAGE: copies 512 bytes from (R1) to (R2). Clobbers R0-R2.
COPYPAGE:
        MOVL    #128, R0
10$:    MOVL    (R1)+, (R2)+
        SOBGTR  R0, 10$
        RSB

; DK_XFER: R3 = DK_READ or DK_WRITE, R6 = physical address, R8 = first
; block, R9 = count. Process context at IPL 3: waits for the disk to be
; free, transfers (sleeping until the interrupt when DISK_ASYNC) and
; returns at IPL 3 with R10 = DKCS at completion. Clobbers R0.
DK_XFER:
10$:    MTPR    #IPL_DISK, #PR$_IPL     ; wait for the disk to be free
        TSTL    DK_BUSY
        BEQL    20$
        MOVL    #WC_DISK, R0
        BSBW    SLEEP
        BRB     10$
20$:    MOVL    #1, DK_BUSY
        CLRL    DK_DONE
        MTPR    R8, #PR$_DKBLK
        MTPR    R6, #PR$_DKMEM
        MTPR    R9, #PR$_DKCNT
        TSTL    DISK_ASYNC
        BNEQ    30$
        BISL3   #DK_GO, R3, R0          ; synchronous: done when MTPR returns
        MTPR    R0, #PR$_DKCS
        MFPR    #PR$_DKCS, DK_STATUS
        BRB     50$
30$:    BISL3   #<DK_GO!DK_ASYNC!DK_IE>, R3, R0
        MTPR    R0, #PR$_DKCS           ; asynchronous: sleep until the interrupt
40$:    TSTL    DK_DONE
        BNEQ    50$
        MOVL    #WC_DISK, R0
        BSBW    SLEEP
        MTPR    #IPL_DISK, #PR$_IPL
        BRB     40$
50$:    CLRL    DK_BUSY
        MOVL    DK_STATUS, R10
        MOVL    #WC_DISK, R0            ; for whoever waits for the disk
        BSBW    WAKEUP
        MTPR    #IPL_SCHED, #PR$_IPL
        RSB

SYS$EXIT::
        MOVL    CURPROC, R6
        BSBW    PG_RELEASE              ; no page of it is written after this
        MOVAB   P_KLINE(R6), R3         ; "o: pN exited"
        MOVL    R3, R7
        MOVAB   KS_OP, R1
        BSBW    KL_STR
        MOVL    P_PID(R6), R1
        BSBW    KL_DIGIT
        MOVAB   KS_EXITED, R1
        BSBW    KL_STR
        TSTL    PAGING                  ; ", faults f reads r writes w"
        BEQL    10$
        MOVAB   KS_FAULTS, R1
        BSBW    KL_STR
        MOVL    P_FAULTS(R6), R1
        BSBW    KL_DEC
        MOVAB   KS_READS, R1
        BSBW    KL_STR
        MOVL    P_READS(R6), R1
        BSBW    KL_DEC
        MOVAB   KS_WRITES, R1
        BSBW    KL_STR
        MOVL    P_WRITES(R6), R1
        BSBW    KL_DEC
        MOVAB   KS_PTFAULTS, R1         ; " ptfaults f ptreads r ptwrites w"
        BSBW    KL_STR
        MOVL    P_PTFAULTS(R6), R1
        BSBW    KL_DEC
        MOVAB   KS_PTREADS, R1
        BSBW    KL_STR
        MOVL    P_PTREADS(R6), R1
        BSBW    KL_DEC
        MOVAB   KS_PTWRITES, R1
        BSBW    KL_STR
        MOVL    P_PTWRITES(R6), R1
        BSBW    KL_DEC
10$:    BSBW    KL_SEND
; EXIT_COMMON: R6 = CURPROC, IPL 3, process context. Never returns.
EXIT_COMMON:
        BSBW    PG_RELEASE
        DECL    NALIVE
        BNEQ    20$
        MOVAB   P_KLINE(R6), R3         ; the last one: the final line
        MOVL    R3, R7
        MOVAB   KS_FINAL, R1
        BSBW    KL_STR
        BSBW    KL_SEND
        MTPR    #0, #PR$_ICCS           ; no more time slices
        MTPR    #IPL_TTY, #PR$_IPL      ; halt once the console is drained
        MOVL    #1, SHUTDOWN
        TSTL    TTY_BUSY
        BNEQ    10$
        HALT
10$:    MTPR    #IPL_SCHED, #PR$_IPL
20$:    MOVL    #S_EXITED, P_STATE(R6)  ; (not before: TTYWRITE may sleep)
        MOVPSL  -(SP)
        PUSHL   #0
        BRW     K_SWITCH

; UCHECK: R4 = address, R5 = length (> 0), R6<0> = 1 to check write access
; (else read). Probes every page of the range in the previous mode.
; R0 = 0 (and N clear) if the caller may access it all, else E_FAULT.
; Clobbers R4, R5.
UCHECK: ADDL2   R4, R5                  ; end
        CMPL    R5, R4
        BLEQU   90$                     ; wraps around
10$:    BLBS    R6, 20$
        PROBER  #0, #1, (R4)
        BRB     30$
20$:    PROBEW  #0, #1, (R4)
30$:    BEQL    90$
        BICL2   #511, R4
        ADDL2   #512, R4
        CMPL    R4, R5
        BLSSU   10$
        CLRL    R0
        RSB
90$:    MOVL    #E_FAULT, R0
        RSB

;=============================================================================
; Console output: a ring buffer drained by the transmit interrupt
;=============================================================================

; TTYWRITE: R1 = address, R2 = length (0..MAXWRITE). Queues the bytes,
; sleeping until the ring has room (process context only; at boot the ring
; is empty). Restores the caller's IPL. Clobbers R0-R4.
TTYWRITE:
        MFPR    #PR$_IPL, -(SP)
10$:    MFPR    #PR$_IPL, R0
        CMPL    R0, #IPL_TTY
        BGEQ    20$
        MTPR    #IPL_TTY, #PR$_IPL
20$:    SUBL3   TTY_COUNT, #RING_SIZE, R0
        CMPL    R0, R2
        BGEQ    30$
        MOVL    #WC_TTY, R0
        BSBW    SLEEP
        BRB     10$
30$:    TSTL    R2
        BEQL    50$
        MOVL    TTY_HEAD, R3
        MOVL    R2, R4
40$:    MOVB    (R1)+, TTY_RING[R3]
        INCL    R3
        BICL2   #^C<RING_SIZE-1>, R3
        SOBGTR  R4, 40$
        MOVL    R3, TTY_HEAD
        ADDL2   R2, TTY_COUNT
        TSTL    TTY_BUSY
        BNEQ    50$
        BSBW    TTY_START
50$:    MTPR    (SP)+, #PR$_IPL
        RSB

; TTY_START: IPL >= IPL_TTY. Sends the next character of the ring, if any.
; Clobbers R0, R1.
TTY_START:
        TSTL    TTY_COUNT
        BEQL    10$
        MOVL    TTY_TAIL, R0
        MOVZBL  TTY_RING[R0], R1
        MTPR    R1, #PR$_TXDB
        INCL    R0
        BICL2   #^C<RING_SIZE-1>, R0
        MOVL    R0, TTY_TAIL
        DECL    TTY_COUNT
        MOVL    #1, TTY_BUSY
        RSB
10$:    CLRL    TTY_BUSY
        RSB

; K_TXINT: console transmit interrupt (IPL 20, interrupt stack).
        .ALIGN  LONG
K_TXINT:
        CALLS   #0, TX_SERVICE
        REI
        .ENTRY  TX_SERVICE, ^M<R0,R1,R2,R3>
        BSBW    TTY_START
        TSTL    TTY_BUSY
        BNEQ    10$
        TSTL    SHUTDOWN
        BEQL    10$
        HALT                            ; the last character has gone out
10$:    CMPL    TTY_COUNT, #<RING_SIZE-MAXWRITE>
        BGTR    20$
        MOVL    #WC_TTY, R0             ; room for any write
        BSBW    WAKEUP
20$:    RET

; K_DISK: disk interrupt (IPL 21, interrupt stack).
        .ALIGN  LONG
K_DISK: CALLS   #0, DK_SERVICE
        REI
        .ENTRY  DK_SERVICE, ^M<R0,R1,R2,R3>
        MFPR    #PR$_DKCS, DK_STATUS
        MOVL    #1, DK_DONE
        MOVL    #WC_DISK, R0
        BSBW    WAKEUP
        RET

;=============================================================================
; Kernel messages: R3 = where the next character goes, R7 = line start
;=============================================================================

KL_STR: MOVB    (R1)+, (R3)+            ; R1 = ASCIZ string
        BNEQ    KL_STR
        DECL    R3
        RSB
KL_DIGIT:                               ; R1 = 0..9
        ADDB3   #^A/0/, R1, (R3)+
        RSB
KL_HEX: MOVB    #^A/0/, (R3)+           ; R1 = value; clobbers R2, R4
        MOVB    #^A/x/, (R3)+
        MOVL    #8, R4
10$:    ROTL    #4, R1, R1
        BICL3   #^XFFFFFFF0, R1, R2
        MOVB    KHEX[R2], (R3)+
        SOBGTR  R4, 10$
        RSB
KL_DEC: CLRL    R4                      ; R1 = value >= 0; clobbers R0, R2, R4
10$:    DIVL3   #10, R1, R2             ; digits pushed, last first
        MULL3   #10, R2, R0
        SUBL3   R0, R1, R0
        ADDL2   #^A/0/, R0
        PUSHL   R0
        INCL    R4
        MOVL    R2, R1
        BNEQ    10$
20$:    MOVL    (SP)+, R0
        MOVB    R0, (R3)+
        SOBGTR  R4, 20$
        RSB
KL_SEND:                                ; ends the line and queues it
        MOVB    #13, (R3)+
        MOVB    #10, (R3)+
        MOVL    R7, R1
        SUBL3   R7, R3, R2
        BSBW    TTYWRITE
        RSB

KHEX:   .ASCII  /0123456789ABCDEF/
KS_BANNER:
        .ASCIZ  "o: vmmlab multiprogramming OS, 3 processes, disk I/O "
KS_SYNC:
        .ASCIZ  /synchronous/
KS_ASYNC:
        .ASCIZ  /asynchronous/
KS_OP:  .ASCIZ  /o: p/
KS_EXITED:
        .ASCIZ  / exited/
KS_FAULTS:
        .ASCIZ  /, faults /
KS_READS:
        .ASCIZ  / reads /
KS_WRITES:
        .ASCIZ  / writes /
KS_PTFAULTS:
        .ASCIZ  / ptfaults /
KS_PTREADS:
        .ASCIZ  / ptreads /
KS_PTWRITES:
        .ASCIZ  / ptwrites /
KS_KILLED:
        .ASCIZ  / killed by exception /
KS_ATPC:
        .ASCIZ  / at PC /
KS_PSL: .ASCIZ  / PSL /
KS_FINAL:
        .ASCIZ  /o: all processes exited, halting/
KS_PANIC:
        .ASCIZ  /o: panic: exception /

;=============================================================================
; Exceptions. From user mode they kill the process; in the kernel they are
; a bug: panic. On the kernel stack: parameters, then PC and PSL.
;=============================================================================

        .ALIGN  LONG
F_RIF:  MOVL    #^X10, R0
        CLRL    R1
        BRW     FAULT
        .ALIGN  LONG
F_XFC:  MOVL    #^X14, R0
        CLRL    R1
        BRW     FAULT
        .ALIGN  LONG
F_ROF:  MOVL    #^X18, R0
        CLRL    R1
        BRW     FAULT
        .ALIGN  LONG
F_RAF:  MOVL    #^X1C, R0
        CLRL    R1
        BRW     FAULT
        .ALIGN  LONG
F_ACV:  MOVL    #^X20, R0
        MOVL    #2, R1
        BRW     FAULT
        .ALIGN  LONG
F_TNV:  TSTL    PAGING
        BNEQ    PF_ENTRY
PF_BAD: MOVL    #^X24, R0
        MOVL    #2, R1
        BRW     FAULT
; Demand paging: (SP) = reason mask, 4(SP) = address, 8(SP) PC, 12(SP) PSL.
; A page of P0 that is not valid, referenced in user mode or by the kernel
; at IPL 0-3 on the kernel stack (a system call copying a user buffer), is
; brought in and the instruction restarted. With mask bit 1 (a PTE
; reference: the double miss, vax-architecture.md 10.5) it is the S0 page
; holding the PTE that was not valid; the address is still the P0 one, so
; PGFAULT brings in the page-table page first, then the page itself.
PF_ENTRY:
        TSTL    4(SP)                   ; P0 only
        BLSS    PF_BAD
        CMPL    4(SP), #^X40000000
        BGEQU   PF_BAD
        BITL    #^X041C0000, 12(SP)     ; interrupt stack, or IPL above 3
        BNEQ    PF_BAD
        PUSHL   R0
        PUSHL   R1
        PUSHL   R2
        PUSHL   R3
        PUSHL   R4
        PUSHL   R5
        PUSHL   R6
        PUSHL   R7
        PUSHL   R8
        PUSHL   R9
        PUSHL   R10
        PUSHL   R11
        MTPR    #IPL_SCHED, #PR$_IPL    ; no rescheduling in the pager
        MOVL    52(SP), R2
        BSBW    PGFAULT
        MOVL    (SP)+, R11
        MOVL    (SP)+, R10
        MOVL    (SP)+, R9
        MOVL    (SP)+, R8
        MOVL    (SP)+, R7
        MOVL    (SP)+, R6
        MOVL    (SP)+, R5
        MOVL    (SP)+, R4
        MOVL    (SP)+, R3
        MOVL    (SP)+, R2
        MOVL    (SP)+, R1
        MOVL    (SP)+, R0
        ADDL2   #8, SP                  ; the mask and the address
        REI                             ; restarts the instruction

; PGFAULT: R2 = the address. Process context, IPL 3; may sleep. Its
; page-table page is brought in first if it is not valid (PT_IN). A page
; still in its frame (its V bit cleared by the clock) is just made valid
; again (a reclaim); otherwise, one fault at a time, the clock finds a
; frame and the page is filled by its type: zeros, the image's text, or
; its block in the swap area. Clobbers R0-R11.
PGFAULT:
        MOVL    CURPROC, R11
        ASHL    #-9, R2, R3             ; R3 = page number
        MFPR    #PR$_P0BR, R4
        MOVAL   (R4)[R3], R4            ; R4 = its PTE (S0, in the window)
5$:     BSBW    PT_IN                   ; its page-table page in a frame
        MOVL    (R4), R0
        BGEQ    15$
        RSB                             ; valid: brought in meanwhile
15$:    BBC     #V_RES, R0, 20$
        XORL2   #<PTE_VALID!PTE_RES>, (R4)      ; referenced again
        INCL    P_RECLAIM(R11)
        RSB
20$:    TSTL    PG_BUSY                 ; one page-in at a time
        BEQL    30$
        MOVL    #WC_PAGER, R0
        BSBW    SLEEP
        BRB     5$                      ; (its table page may have gone)
30$:    MOVL    #1, PG_BUSY
        INCL    P_FAULTS(R11)
        SUBL3   #PTW, R4, R0            ; the page counts for its table page
        ASHL    #-9, R0, R0             ;   from now: the clock leaves the
        INCL    PTSHARE[R0]             ;   table page alone
        BSBW    PG_FRAME                ; R5 = frame, R6 = its address
        MOVL    (R4), R0
        BBS     #22, R0, 50$            ; on the swap area
        BBS     #21, R0, 40$            ; text of the image
        ADDL3   #S0, R6, R1             ; zeros
        MOVL    #128, R0
35$:    CLRL    (R1)+
        SOBGTR  R0, 35$
        BRB     60$
40$:    SUBL3   #1, R3, R1
        ASHL    #9, R1, R1
        MOVAB   UTEXT[R1], R1
        ADDL3   #S0, R6, R2
        BSBW    COPYPAGE
        BRB     60$
50$:    SUBL3   #1, P_PID(R11), R8      ; its block
        ASHL    #8, R8, R8
        ADDL2   R3, R8
        ADDL2   SWAPBASE, R8
        PUSHL   R3
        MOVL    #DK_READ, R3
        MOVL    #1, R9
        BSBW    DK_XFER
        MOVL    (SP)+, R3
        INCL    P_READS(R11)
60$:    BICL3   #^C<PTE_PROT!PTE_TYPE>, (R4), R0
        ASHL    #-9, R6, R1
        BISL2   R1, R0
        BISL3   #PTE_VALID, R0, (R4)    ; M clear: the hardware sets it
PG_DONE:
        CLRL    PG_BUSY
        MOVL    #WC_PAGER, R0
        BSBW    WAKEUP
        RSB

; PT_IN: makes the page-table page that holds the PTE at R4 (window
; address) valid, for process R11: a reclaim if the clock only cleared its
; V bit, else a page-in (the double miss) of a frame filled from its block
; in the swap area or, the first time, built from the process's layout.
; Process context, IPL 3; may sleep. Preserves R3, R4, R11; clobbers
; R0-R2, R5-R10.
PT_IN:  SUBL3   #PTW, R4, R10
        ASHL    #-9, R10, R10           ; R10 = window page, 2 (pid - 1) + k
10$:    MOVL    SPTW[R10], R0           ; its S0 PTE
        BGEQ    20$
        RSB                             ; valid
20$:    BBC     #V_RES, R0, 30$
        XORL2   #<PTE_VALID!PTE_RES>, SPTW[R10] ; still in its frame
        INCL    P_PTRECLAIM(R11)
        RSB
30$:    TSTL    PG_BUSY                 ; one page-in at a time
        BEQL    40$
        MOVL    #WC_PAGER, R0
        BSBW    SLEEP
        BRB     10$
40$:    MOVL    #1, PG_BUSY
        INCL    P_PTFAULTS(R11)
        PUSHL   R3
        PUSHL   R4
        MOVAL   SPTW[R10], R4           ; the frame's PTE is the S0 PTE,
        BICL3   #^C1, R10, R3           ;   its page PT_PAGE + 128 k
        ASHL    #7, R3, R3
        BISL2   #PT_PAGE, R3
        BSBW    PG_FRAME                ; R5 = frame, R6 = its address
        BBS     #22, (R4), 60$          ; on the swap area
        ADDL3   #S0, R6, R1             ; never built: its PTEs as MKPAGED
        BICL3   #^C<128>, R3, R2        ;   would have made them; R2 = the
        MOVL    P_PID(R11), R0          ;   first page it maps, R7 = P0LR
        MOVL    P0LTAB-4[R0], R7
        MOVL    #128, R8
50$:    CLRL    R0                      ; page 0, pages beyond P0LR: nothing
        TSTL    R2
        BEQL    55$
        CMPL    R2, R7
        BGEQ    55$
        MOVL    #<PTE_UW&PTE_PROT>, R0  ; data, buffers, stack
        CMPL    R2, #U_TEXT_PAGES
        BGTR    55$
        MOVL    #<<PTE_UR&PTE_PROT>!PTE_TEXT>, R0      ; program text
55$:    MOVL    R0, (R1)+
        INCL    R2
        SOBGTR  R8, 50$
        MOVL    #<PTE_MOD>, R2          ; no copy on disk yet: modified
        BRB     70$
60$:    SUBL3   #1, P_PID(R11), R8      ; block k of the process's slot
        ASHL    #8, R8, R8              ;   (pages 0-5, no access or text,
        ASHL    #-7, R3, R0             ;   never go to the swap area)
        BICL2   #^C1, R0
        ADDL2   R0, R8
        ADDL2   SWAPBASE, R8
        MOVL    #DK_READ, R3
        MOVL    #1, R9
        BSBW    DK_XFER
        INCL    P_PTREADS(R11)
        CLRL    R2
70$:    BICL3   #^C<PTE_PROT!PTE_TYPE>, (R4), R0
        BISL2   R2, R0
        ASHL    #-9, R6, R1
        BISL2   R1, R0
        BISL3   #PTE_VALID, R0, (R4)
        MOVL    (SP)+, R4
        MOVL    (SP)+, R3
        BRW     PG_DONE

; PG_FRAME: a frame for the page whose PTE is at R4 (page R3 of process
; R11), by the clock: the hand passes free frames to the caller, gives a
; valid page a second chance (V cleared, PTE_RES set) and takes a page
; that has not been referenced since. A page-table page is a candidate
; only while no page it maps is in a frame (its PTSHARE count is 0): then
; every PTE in it is invalid, no translation through it can be in the TB,
; and the kernel never needs it to find a frame's PTE. A modified victim
; is written to its swap block first (sleeping). R5 = frame, R6 = its
; physical address. Clobbers R0-R2, R7-R10.
PG_FRAME:
10$:    MOVL    HAND, R5
        AOBLSS  NFRAMES, HAND, 20$
        CLRL    HAND
20$:    MOVL    FTPTE[R5], R8           ; PTE of its page, 0: free
        BNEQ    30$
        BRW     80$
30$:    MOVL    FTOWN[R5], R7           ; owner and page
        BBC     #8, R7, 35$
        BSBW    PT_OF                   ; a page-table page: R0 = its number
        TSTL    PTSHARE[R0]
        BNEQ    10$                     ;   pages of it in frames: it stays
        TSTL    (R8)
        BGEQ    40$                     ;   not referenced since: the victim
        XORL2   #<PTE_VALID!PTE_RES>, (R8)      ; a second chance; S0: the
        ASHL    #9, R0, R0              ;   TB of every process may hold it
        ADDL2   #PTW, R0
        MTPR    R0, #PR$_TBIS
        BRB     10$
35$:    MOVL    (R8), R0
        BGEQ    38$                     ; not referenced since: the victim
        XORL2   #<PTE_VALID!PTE_RES>, (R8)      ; a second chance
        ASHL    #-16, R7, R1            ; ours: its translation may be in the TB
        CMPL    R1, P_PID(R11)
        BNEQ    10$
        BICL3   #^XFFFF0000, R7, R0
        ASHL    #9, R0, R0
        MTPR    R0, #PR$_TBIS
        BRB     10$
38$:    BSBW    PT_OF                   ; a data page leaves its table page
        DECL    PTSHARE[R0]
40$:    MOVL    (R8), R0                ; the victim
        BICL3   #^C<PTE_PROT!PTE_TYPE>, R0, R1
        BBS     #V_MOD, R0, 50$
        MOVL    R1, (R8)                ; clean: its contents are where its
        BRB     80$                     ;   type says
50$:    BICL2   #PTE_TYPE, R1           ; modified: to the swap area
        BISL3   #PTE_SWAP, R1, (R8)
        BSBW    PG_OWN                  ; the frame is the new page's now
        PUSHL   R3
        ASHL    #-16, R7, R8            ; block SWAPBASE+(pid-1)*MAXP0+page,
        DECL    R8                      ;   a table page block k of the slot
        ASHL    #8, R8, R8
        BICL3   #^XFFFF0000, R7, R0
        BBC     #8, R0, 60$
        ASHL    #-7, R0, R0
        BICL2   #^C1, R0
60$:    ADDL2   R0, R8
        ADDL2   SWAPBASE, R8
        MOVL    #DK_WRITE, R3
        MOVL    #1, R9
        BSBW    DK_XFER
        MOVL    (SP)+, R3
        ASHL    #-16, R7, R0            ; counted for the page's owner
        ASHL    #8, R0, R0
        MOVAB   PROCTAB[R0], R0
        BBS     #8, R7, 70$
        INCL    P_WRITES(R0)
        RSB
70$:    INCL    P_PTWRITES(R0)
        RSB
80$:    BSBW    PG_OWN
        RSB
; PG_OWN: frame R5 now holds page R3 (PTE at R4) of process R11; R6 = its
; physical address. Clobbers R0.
PG_OWN: MOVL    R4, FTPTE[R5]
        ASHL    #16, P_PID(R11), R0
        BISL3   R3, R0, FTOWN[R5]
        ASHL    #9, R5, R6
        ADDL2   #USER_PA, R6
        RSB
; PT_OF: R7 = a frame's owner (pid * 65536 + page). R0 = the window page
; of the page-table page that maps it, or that it is: 2 (pid - 1) + page<7>.
; Clobbers R1.
PT_OF:  ASHL    #-16, R7, R0
        DECL    R0
        ASHL    #1, R0, R0
        BICL3   #^C128, R7, R1
        ASHL    #-7, R1, R1
        ADDL2   R1, R0
        RSB

; PG_RELEASE: frees the frames of process R6 (record) when it ends, and
; its page tables. Clobbers R0, R1.
PG_RELEASE:
        TSTL    PAGING
        BEQL    30$
        CLRL    R0
10$:    ASHL    #-16, FTOWN[R0], R1
        CMPL    R1, P_PID(R6)
        BNEQ    20$
        CLRL    FTPTE[R0]
        CLRL    FTOWN[R0]
20$:    AOBLSS  NFRAMES, R0, 10$
        SUBL3   #1, P_PID(R6), R0
        ASHL    #1, R0, R0
        CLRL    SPTW[R0]
        CLRL    SPTW+4[R0]
        CLRL    PTSHARE[R0]
        CLRL    PTSHARE+4[R0]
        ASHL    #9, R0, R0
        ADDL2   #PTW, R0
        MTPR    R0, #PR$_TBIS
        ADDL2   #512, R0
        MTPR    R0, #PR$_TBIS
30$:    RSB
        .ALIGN  LONG
F_TRACE:
        MOVL    #^X28, R0
        CLRL    R1
        BRW     FAULT
        .ALIGN  LONG
F_BPT:  MOVL    #^X2C, R0
        CLRL    R1
        BRW     FAULT
        .ALIGN  LONG
F_ARITH:
        MOVL    #^X34, R0
        MOVL    #1, R1
        BRW     FAULT
        .ALIGN  LONG
K_UNEXP:                                ; anything else (interrupt stack)
        MNEGL   #1, R0
        CLRL    R1
        BRW     PANIC

; FAULT: R0 = SCB offset, R1 = number of parameters.
FAULT:  MOVL    4(SP)[R1], R2           ; PSL
        BICL2   #^XFCFFFFFF, R2
        CMPL    R2, #^X03000000         ; from user mode?
        BEQL    10$
        BRW     PANIC
10$:    MOVL    (SP)[R1], R9            ; PC
        MOVL    R0, R8
        MTPR    #IPL_SCHED, #PR$_IPL
        MOVL    CURPROC, R6             ; "o: pN killed by exception ..."
        MOVAB   P_KLINE(R6), R3
        MOVL    R3, R7
        MOVAB   KS_OP, R1
        BSBW    KL_STR
        MOVL    P_PID(R6), R1
        BSBW    KL_DIGIT
        MOVAB   KS_KILLED, R1
        BSBW    KL_STR
        MOVL    R8, R1
        BSBW    KL_HEX
        MOVAB   KS_ATPC, R1
        BSBW    KL_STR
        MOVL    R9, R1
        BSBW    KL_HEX
        BSBW    KL_SEND
        BRW     EXIT_COMMON

; PANIC: R0 = SCB offset (-1: unknown), R1 = number of parameters. Prints
; what is queued and the panic line, polling the console, and halts.
PANIC:  MTPR    #IPL_HIGH, #PR$_IPL
        MOVL    4(SP)[R1], R10          ; PSL
        MOVL    (SP)[R1], R9            ; PC
        MOVL    R0, R8
        MOVAB   PANIC_LINE, R3
        MOVL    R3, R7
        MOVAB   KS_PANIC, R1
        BSBW    KL_STR
        MOVL    R8, R1
        BSBW    KL_HEX
        MOVAB   KS_ATPC, R1
        BSBW    KL_STR
        MOVL    R9, R1
        BSBW    KL_HEX
        MOVAB   KS_PSL, R1
        BSBW    KL_STR
        MOVL    R10, R1
        BSBW    KL_HEX
        MOVB    #13, (R3)+
        MOVB    #10, (R3)+
10$:    BSBW    POLL_TX                 ; drain the ring
        TSTL    TTY_COUNT
        BEQL    20$
        BSBW    TTY_START
        BRB     10$
20$:    MOVL    R7, R2
30$:    CMPL    R2, R3
        BGEQU   40$
        BSBW    POLL_TX
        MOVZBL  (R2)+, R0
        MTPR    R0, #PR$_TXDB
        BRB     30$
40$:    BSBW    POLL_TX
        HALT
POLL_TX:                                ; waits for the console to be ready
        MFPR    #PR$_TXCS, R0
        BBC     #7, R0, POLL_TX
        RSB

;=============================================================================
; Kernel data
;=============================================================================

        .ALIGN  LONG
CURPROC:: .LONG PROCTAB                 ; record of the running process
NALIVE::  .LONG 0                       ; processes not yet exited
TICKS::   .LONG 0                       ; timer interrupts so far
QUANTUM:: .LONG 1                       ; time slice in ticks (host may patch)
QLEFT::   .LONG 1                       ; ticks left in the current slice
DISK_ASYNC::                            ; 1: interrupt-driven disk I/O, 0: not
          .LONG 1                       ;   (host may patch)
DK_BUSY:: .LONG 0                       ; a transfer is in progress
DK_DONE:: .LONG 0                       ; ... and has completed
DK_STATUS:: .LONG 0                     ; DKCS at completion
TTY_HEAD:: .LONG 0                      ; next free slot of the ring
TTY_TAIL:: .LONG 0                      ; next character to send
TTY_COUNT:: .LONG 0                     ; characters in the ring
TTY_BUSY:: .LONG 0                      ; a character is being sent
SHUTDOWN:: .LONG 0                      ; halt when the ring is empty
PROGTAB::                               ; the program of each process (P0 PC)
        .LONG   U_TEXT+<WORKER-UTEXT>   ;   (host may patch)
        .LONG   U_TEXT+<WORKER-UTEXT>
        .LONG   U_TEXT+<ERRDEMO-UTEXT>
P0LTAB::                                ; P0 length of each process
        .LONG   P0_PAGES, P0_PAGES, P0_PAGES    ; (host may patch, paging)
PAGING::  .LONG 0                       ; 1: demand paging (host may patch)
NFRAMES:: .LONG MAXFRAMES               ; page frames for processes (host)
SWAPBASE:: .LONG 128                    ; first block of the swap area (host)
HAND::    .LONG 0                       ; the clock's hand (a frame number)
PG_BUSY:: .LONG 0                       ; a page-in is in progress
PTSHARE:: .BLKL NPROC*PT_PAGES          ; per page-table page: its pages in
                                        ;   frames (or coming in)
WLTAB::                                 ; R0-R7 of each process at its start
        .BLKL   NPROC*8                 ;   (host may patch, paging)
FTPTE::   .BLKL MAXFRAMES               ; per frame: PTE address of its page
FTOWN::   .BLKL MAXFRAMES               ;   and pid * 65536 + page number
PANIC_LINE:
        .BLKB   128

        .ALIGN  PAGE
SCB::   .BLKL   128                     ; system control block
SPT::   .BLKL   SPT_LEN                 ; system page table
SPTW::  .BLKL   NPROC*PT_PAGES          ; ... its page-table window (paging)
BOOTP0: .BLKL   16                      ; boot-time identity map (P0)
P0PT::  .BLKL   NPROC*MAXP0             ; P0 page tables (16 used unpaged)
        .ALIGN  PAGE
PROCTAB::                               ; process records; 0 is idle
        .LONG   KSTACKS+512, 0, 0, 0    ; KSP, ESP, SSP, USP
        .BLKL   14                      ; R0-R13
        .LONG   K_IDLE, 0               ; PC, PSL (kernel, IPL 0)
        .LONG   0, ^X04000000, 0, ^X00200000    ; no P0, no P1
        .LONG   S_RUN, 0, 0, PROCTAB-S0 ; state, wchan, pid 0, PCB address
        .BLKB   P_SIZE-^X70
        .BLKB   NPROC*P_SIZE
KSTACKS::                               ; kernel stacks, one page each
        .BLKB   <NPROC+1>*512
ISTACK: .BLKB   512                     ; interrupt stack
ISTACK_TOP::
TTY_RING::
        .BLKB   RING_SIZE
        .ALIGN  PAGE
KBOUNCE::                               ; a bounce page per process (paging)
        .BLKB   <NPROC+1>*512

;=============================================================================
; User programs. Position independent: they are copied to U_TEXT in P0 of
; every process and run in user mode. They use R0-R4 as scratch.
;=============================================================================

        .ALIGN  PAGE
UTEXT::

; ---- WORKER (p1, p2): reads its records, prints their CRC-32 and the
; CRC-32 of all of them, writes a result block and reads it back.
WORKER::
        CHMK    #SYS_GETPID
        MOVL    R0, @#U_PID
        MULL3   #16, R0, R7             ; R7 = its first block
        CLRL    R8                      ; R8 = record number
W_LOOP: ADDL3   R7, R8, R0              ; read record R8
        MOVL    #1, R1
        ASHL    #9, R8, R2              ; into U_BUF + 512 * R8
        ADDL2   #U_BUF, R2
        CHMK    #SYS_DKREAD
        TSTL    R0
        BGEQ    10$
        BRW     W_FAIL
10$:    MOVL    R2, R1
        MOVL    #512, R2
        BSBW    CRC32
        MOVL    R0, @#U_CRCS[R8]
        MOVL    R0, R9
        BSBW    L_BEGIN                 ; "Pn: block b crc 0x..."
        MOVAB   US_BLOCK, R1
        BSBW    L_STR
        ADDL3   R7, R8, R1
        BSBW    L_DEC
        MOVAB   US_CRC, R1
        BSBW    L_STR
        MOVL    R9, R1
        BSBW    L_HEX
        BSBW    L_END
        INCL    R8
        CMPL    R8, #NREC
        BGEQ    20$
        BRW     W_LOOP
20$:    MOVL    #U_BUF, R1              ; all records: a few time slices
        MOVL    #<NREC*512>, R2
        BSBW    CRC32
        MOVL    R0, @#U_CRCS+<4*NREC>
        MOVL    R0, R9
        BSBW    L_BEGIN                 ; "Pn: blocks b-c crc 0x..."
        MOVAB   US_BLOCKS, R1
        BSBW    L_STR
        MOVL    R7, R1
        BSBW    L_DEC
        MOVAB   US_DASH, R1
        BSBW    L_STR
        ADDL3   #<NREC-1>, R7, R1
        BSBW    L_DEC
        MOVAB   US_CRC, R1
        BSBW    L_STR
        MOVL    R9, R1
        BSBW    L_HEX
        BSBW    L_END
        MOVL    #U_BUF2, R1             ; the result block: "RSLT", pid, CRCs
        MOVL    #128, R2
30$:    CLRL    (R1)+
        SOBGTR  R2, 30$
        MOVL    #^A/RSLT/, @#U_BUF2
        MOVL    @#U_PID, @#U_BUF2+4
        CLRL    R8
40$:    MOVL    @#U_CRCS[R8], @#<U_BUF2+8>[R8]
        AOBLEQ  #NREC, R8, 40$
        ADDL3   #7, R7, R0              ; written to block 7 of its area
        MOVL    #1, R1
        MOVL    #U_BUF2, R2
        CHMK    #SYS_DKWRITE
        TSTL    R0
        BLSS    W_FAIL
        MOVL    #U_BUF, R1              ; and read back over ones
        MOVL    #128, R2
50$:    MNEGL   #1, (R1)+
        SOBGTR  R2, 50$
        ADDL3   #7, R7, R0
        MOVL    #1, R1
        MOVL    #U_BUF, R2
        CHMK    #SYS_DKREAD
        TSTL    R0
        BLSS    W_FAIL
        MOVL    #U_BUF, R1
        MOVL    #U_BUF2, R2
        MOVL    #128, R3
60$:    CMPL    (R1)+, (R2)+
        BNEQ    70$
        SOBGTR  R3, 60$
        MOVAB   US_OK, R9
        BRB     80$
70$:    MOVAB   US_BAD, R9
80$:    BSBW    L_BEGIN                 ; "Pn: wrote block b, read back ok"
        MOVAB   US_WROTE, R1
        BSBW    L_STR
        ADDL3   #7, R7, R1
        BSBW    L_DEC
        MOVL    R9, R1
        BSBW    L_STR
        BSBW    L_END
        CHMK    #SYS_EXIT
W_FAIL: MOVL    R0, R9                  ; "Pn: disk error e"
        BSBW    L_BEGIN
        MOVAB   US_DISKERR, R1
        BSBW    L_STR
        MOVL    R9, R1
        BSBW    L_DEC
        BSBW    L_END
        CHMK    #SYS_EXIT

; ---- ERRDEMO (p3): reads the disk label, then shows that bad arguments
; come back as error codes, and finally touches kernel memory and is killed.
ERRDEMO::
        CHMK    #SYS_GETPID
        MOVL    R0, @#U_PID
        CLRL    R0                      ; the label, block 0
        MOVL    #1, R1
        MOVL    #U_BUF, R2
        CHMK    #SYS_DKREAD
        MOVAB   US_E0, R1
        TSTL    R0
        BLSS    10$
        BSBW    L_BEGIN
        BSBW    L_STR
        MOVL    #U_BUF, R1
        BSBW    L_STR
        BSBW    L_END
        BRB     20$
10$:    BSBW    REPORT
20$:    CLRL    R0                      ; a buffer in kernel space
        MOVL    #1, R1
        MOVL    #^X80001000, R2
        CHMK    #SYS_DKREAD
        MOVAB   US_E1, R1
        BSBW    REPORT
        CLRL    R0                      ; a buffer past the end of P0
        MOVL    #2, R1
        MOVL    #^X1F00, R2
        CHMK    #SYS_DKREAD
        MOVAB   US_E2, R1
        BSBW    REPORT
        CLRL    R0                      ; a read-only buffer (its own code)
        MOVL    #1, R1
        MOVL    #U_TEXT, R2
        CHMK    #SYS_DKREAD
        MOVAB   US_E3, R1
        BSBW    REPORT
        MOVL    #^X10000, R0            ; a block beyond the disk
        MOVL    #1, R1
        MOVL    #U_BUF, R2
        CHMK    #SYS_DKREAD
        MOVAB   US_E4, R1
        BSBW    REPORT
        CLRL    R0                      ; no block at all
        CLRL    R1
        MOVL    #U_BUF, R2
        CHMK    #SYS_DKREAD
        MOVAB   US_E5, R1
        BSBW    REPORT
        MOVL    #^X80000000, R0         ; console output from kernel space
        MOVL    #16, R1
        CHMK    #SYS_WRITE
        MOVAB   US_E6, R1
        BSBW    REPORT
        CHMK    #99                     ; no such system call
        MOVAB   US_E7, R1
        BSBW    REPORT
        CHMK    #SYS_YIELD
        MOVAB   US_E8, R1
        BSBW    REPORT
        BSBW    L_BEGIN
        MOVAB   US_E9, R1
        BSBW    L_STR
        BSBW    L_END
ERRDEMO_FAULT::
        MOVL    @#^X80001000, R0        ; access violation: killed
        CHMK    #SYS_EXIT               ; (not reached)

; ---- WORKLOAD (demand paging): touches the pages of its data area in a
; pattern. Starts with R0 = pages, R1 = touches, R2 = pattern (0
; sequential, 1 random, 2 a working set that shifts), R3 = seed, R4 =
; every R4-th touch writes, R5 = window, R6 = touches between shifts, R7 =
; pages per shift. Every touch checks the whole page against its version
; (a lost or stale page counts as an error); a write makes the next
; version. At the end it checks every page, prints "Pn: N pages, T
; touches, E errors, sum 0x..." (the sum of every longword) and exits.
WORKLOAD::
        MOVL    R0, @#WL_N
        MOVL    R1, @#WL_T
        MOVL    R2, @#WL_PAT
        MOVL    R3, @#WL_SEED
        MOVL    R4, @#WL_WE
        MOVL    R5, @#WL_W
        MOVL    R6, @#WL_SE
        MOVL    R7, @#WL_SB
        CLRL    @#WL_BASE
        CLRL    @#WL_ERR
        CLRL    @#WL_T0
        CHMK    #SYS_GETPID
        MOVL    R0, @#U_PID
WL_LOOP:
        CMPL    @#WL_T0, @#WL_T
        BGEQ    WL_FINAL
        BSBW    WL_NEXT                 ; R6 = the page
        MOVL    @#WL_T0, R1             ; a write when T0 mod WE = 0
        DIVL3   @#WL_WE, R1, R2
        MULL2   @#WL_WE, R2
        CLRL    R7
        CMPL    R1, R2
        BNEQ    10$
        INCL    R7
10$:    BSBW    WL_TOUCH
        INCL    @#WL_T0
        BRB     WL_LOOP
WL_FINAL:
        CLRL    @#WL_SUM
        CLRL    R6
10$:    CLRL    R7
        BSBW    WL_TOUCH
        ADDL2   R9, @#WL_SUM
        AOBLSS  @#WL_N, R6, 10$
        BSBW    L_BEGIN                 ; "Pn: N pages, T touches, ..."
        MOVL    @#WL_N, R1
        BSBW    L_DEC
        MOVAB   US_PAGES, R1
        BSBW    L_STR
        MOVL    @#WL_T, R1
        BSBW    L_DEC
        MOVAB   US_TOUCHES, R1
        BSBW    L_STR
        MOVL    @#WL_ERR, R1
        BSBW    L_DEC
        MOVAB   US_ERRS, R1
        BSBW    L_STR
        MOVL    @#WL_SUM, R1
        BSBW    L_HEX
        BSBW    L_END
        CHMK    #SYS_EXIT

; WL_NEXT: R6 = the page of touch WL_T0. Clobbers R0-R2.
WL_NEXT:
        MOVL    @#WL_PAT, R0
        BNEQ    10$
        MOVL    @#WL_T0, R1             ; sequential: T0 mod N
        MOVL    @#WL_N, R2
        BRB     WL_MOD
10$:    BSBW    WL_RAND                 ; R1 = 31 random bits
        CMPL    R0, #1
        BNEQ    20$
        MOVL    @#WL_N, R2              ; random: R1 mod N
        BRB     WL_MOD
20$:    PUSHL   R1                      ; shifting: every SE touches the
        MOVL    @#WL_T0, R1             ;   window moves SB pages on
        BEQL    30$
        MOVL    @#WL_SE, R2
        BSBW    WL_MOD
        TSTL    R6
        BNEQ    30$
        ADDL3   @#WL_BASE, @#WL_SB, R1
        MOVL    @#WL_N, R2
        BSBW    WL_MOD
        MOVL    R6, @#WL_BASE
30$:    MOVL    (SP)+, R1               ; base + R1 mod W, mod N
        MOVL    @#WL_W, R2
        BSBW    WL_MOD
        ADDL3   @#WL_BASE, R6, R1
        MOVL    @#WL_N, R2
WL_MOD: DIVL3   R2, R1, R0              ; R6 = R1 mod R2 (both >= 0)
        MULL2   R2, R0
        SUBL3   R0, R1, R6
        RSB

; WL_RAND: R1 = the next xorshift32 value shifted right once.
WL_RAND:
        PUSHL   R2
        MOVL    @#WL_SEED, R1
        ASHL    #13, R1, R2
        XORL2   R2, R1
        ROTL    #15, R1, R2             ; logical shift right 17
        BICL2   #^XFFFF8000, R2
        XORL2   R2, R1
        ASHL    #5, R1, R2
        XORL2   R2, R1
        MOVL    R1, @#WL_SEED
        ROTL    #31, R1, R1
        BICL2   #^X80000000, R1
        MOVL    (SP)+, R2
        RSB

; WL_TOUCH: R6 = page, R7<0> = write. Checks the page (longword j of
; version v > 0 holds (pid<<24)+(page<<12)+(v<<2)+j; version 0 is all
; zeros), R9 = the sum of its longwords; a write stores the next version.
; Clobbers R0-R5, R8-R10.
WL_TOUCH:
        ASHL    #9, R6, R1
        ADDL2   #U_DATA, R1
        MOVL    R1, R10
        MOVL    @#U_VT[R6], R3          ; its version
        CLRL    R5
        CLRL    R8
        TSTL    R3
        BEQL    10$
        BSBW    WL_BASEV
        MOVL    #1, R8
10$:    CLRL    R9
        MOVL    #128, R0
20$:    CMPL    (R1), R5
        BNEQ    50$
        ADDL2   (R1)+, R9
        ADDL2   R8, R5
        SOBGTR  R0, 20$
        BRB     60$
50$:    INCL    @#WL_ERR                ; lost or stale
60$:    BLBC    R7, 90$
        INCL    R3
        MOVL    R3, @#U_VT[R6]
        BSBW    WL_BASEV
        MOVL    R10, R1
        MOVL    #128, R0
70$:    MOVL    R5, (R1)+
        INCL    R5
        SOBGTR  R0, 70$
90$:    RSB
WL_BASEV:                               ; R5 = (pid<<24)+(R6<<12)+(R3<<2)
        ASHL    #24, @#U_PID, R5
        ASHL    #12, R6, R2
        ADDL2   R2, R5
        ASHL    #2, R3, R2
        ADDL2   R2, R5
        RSB

; REPORT: R0 = result, R1 = text. Prints "Pn: text: result".
REPORT: MOVL    R0, R9
        BSBW    L_BEGIN
        BSBW    L_STR
        MOVAB   US_COLON, R1
        BSBW    L_STR
        TSTL    R9
        BGEQ    10$
        MOVAB   US_ERROR, R1
        BSBW    L_STR
10$:    MOVL    R9, R1
        BSBW    L_DEC
        BSBW    L_END
        RSB

; ---- user library: a line is built at U_LINE, U_LP points past its end

L_BEGIN:                                ; starts a line with "Pn: "
        MOVL    #U_LINE, R3
        MOVB    #^A/P/, (R3)+
        ADDB3   #^A/0/, @#U_PID, (R3)+
        MOVB    #^A/:/, (R3)+
        MOVB    #^A/ /, (R3)+
        MOVL    R3, @#U_LP
        RSB
L_STR:  MOVL    @#U_LP, R3              ; appends the ASCIZ string at R1
10$:    MOVB    (R1)+, (R3)+
        BNEQ    10$
        DECL    R3
        MOVL    R3, @#U_LP
        RSB
L_HEX:  MOVL    @#U_LP, R3              ; appends R1 as 0x and 8 hex digits
        MOVB    #^A/0/, (R3)+
        MOVB    #^A/x/, (R3)+
        MOVL    #8, R4
10$:    ROTL    #4, R1, R1
        BICL3   #^XFFFFFFF0, R1, R2
        MOVB    UHEX[R2], (R3)+
        SOBGTR  R4, 10$
        MOVL    R3, @#U_LP
        RSB
L_DEC:  MOVL    @#U_LP, R3              ; appends R1 as a signed decimal
        TSTL    R1
        BGEQ    10$
        MOVB    #^A/-/, (R3)+
        MNEGL   R1, R1
10$:    CLRL    R4
20$:    DIVL3   #10, R1, R2             ; digits pushed, last first
        MULL3   #10, R2, R0
        SUBL3   R0, R1, R0
        ADDL2   #^A/0/, R0
        PUSHL   R0
        INCL    R4
        MOVL    R2, R1
        BNEQ    20$
30$:    MOVL    (SP)+, R0
        MOVB    R0, (R3)+
        SOBGTR  R4, 30$
        MOVL    R3, @#U_LP
        RSB
L_END:  MOVL    @#U_LP, R3              ; ends the line and writes it
        MOVB    #13, (R3)+
        MOVB    #10, (R3)+
        SUBL3   #U_LINE, R3, R1
        MOVL    #U_LINE, R0
        CHMK    #SYS_WRITE
        RSB

; CRC32: R1 = address, R2 = length. R0 = CRC-32 (IEEE), bit by bit.
${CRC32_ROUTINE}
UHEX:   .ASCII  /0123456789ABCDEF/
US_BLOCK:
        .ASCIZ  /block /
US_BLOCKS:
        .ASCIZ  /blocks /
US_DASH:
        .ASCIZ  /-/
US_CRC: .ASCIZ  / crc /
US_WROTE:
        .ASCIZ  /wrote block /
US_OK:  .ASCIZ  /, read back ok/
US_BAD: .ASCIZ  /, read back DIFFERENT/
US_DISKERR:
        .ASCIZ  /disk error /
US_COLON:
        .ASCIZ  /: /
US_ERROR:
        .ASCIZ  /error /
US_E0:  .ASCIZ  /disk label: /
US_E1:  .ASCIZ  /read into kernel space/
US_E2:  .ASCIZ  /read past the end of P0/
US_E3:  .ASCIZ  /read into its own code/
US_E4:  .ASCIZ  /read beyond the disk/
US_E5:  .ASCIZ  /read of 0 blocks/
US_E6:  .ASCIZ  /console write from kernel space/
US_E7:  .ASCIZ  /system call 99/
US_E8:  .ASCIZ  /yield/
US_E9:  .ASCIZ  /now touching kernel memory/
US_PAGES:
        .ASCIZ  / pages, /
US_TOUCHES:
        .ASCIZ  / touches, /
US_ERRS:
        .ASCIZ  / errors, sum /
UTEXT_END::
        .END    BOOT
`;

/** System call codes (`CHMK #code`). */
export const MULTIPROGRAMMING_SYSCALLS = {
  /** Ends the calling process. */
  EXIT: 0,
  /** R0 = buffer, R1 = length (0-256): queues console output. */
  WRITE: 1,
  /** R0 = first block, R1 = count (1-16), R2 = buffer: disk to memory. */
  DISK_READ: 2,
  /** R0 = first block, R1 = count (1-16), R2 = buffer: memory to disk. */
  DISK_WRITE: 3,
  /** Gives the processor to the next ready process. */
  YIELD: 4,
  /** Returns the caller's process id in R0. */
  GETPID: 5,
} as const;

/** Error codes returned in R0 by the system calls. */
export const MULTIPROGRAMMING_ERRORS = {
  /** The buffer is not accessible to the caller. */
  FAULT: -1,
  /** No such system call. */
  NOSYS: -2,
  /** Bad length or block count. */
  INVAL: -3,
  /** The disk refused: block range outside the disk (DKCS ERRCODE 1). */
  DISK_RANGE: -17,
  /** The disk refused: nonexistent memory (DKCS ERRCODE 2). */
  DISK_MEMORY: -18,
  /** The disk refused: reserved function (DKCS ERRCODE 3). */
  DISK_FUNCTION: -19,
} as const;

/** Where `o` lives. */
export const MULTIPROGRAMMING_LAYOUT = {
  /** Physical load address of the image (and its entry point). */
  loadAddress: 0x1000,
  /** Address the image is assembled for: the S0 address of the load address. */
  origin: 0x80001000,
  /** Physical address of p1's P0 region; pid n's is `+ (n - 1) * regionSize`. */
  userBase: 0x10000,
  /** Bytes of P0 per process (16 pages). */
  regionSize: 0x2000,
  /** Number of user processes. */
  processes: 3,
  /** P0 address where the user programs are mapped. */
  userText: 0x200,
  /** Memory the system needs (what its system page table maps). */
  memorySize: 128 * 1024,
  /** Disk size the processes expect. */
  diskSize: 64 * 1024,
  /** Disk records each worker reads. */
  records: 4,
} as const;

/** `o` assembled, with the addresses of its processes. */
export interface MultiprogrammingImage extends GuestImage {
  /**
   * Physical PCB addresses (what LDPCTX and SVPCTX see in PCBB), indexed
   * by pid; index 0 is the idle process.
   */
  readonly pcbs: readonly number[];
  /** Physical address of each process's P0 region, indexed by pid (0 unused). */
  readonly regions: readonly number[];
  /**
   * Converts an address in the user programs as assembled (S0, e.g. the
   * symbol `ERRDEMO_FAULT`) to the P0 address the processes run it at.
   */
  userAddress(symbolValue: number): number;
}

/** Options of {@link bootMultiprogramming}. */
export type MultiprogrammingBootOptions = {
  /**
   * `"async"` (default): disk transfers with DKCS ASYNC and IE; the caller
   * sleeps until the disk interrupt. `"sync"`: the MTPR that sets GO
   * returns when the transfer is complete.
   */
  diskMode?: "sync" | "async";
  /** Time slice in timer ticks of 10 ms (default 1). */
  quantumTicks?: number;
  /**
   * Writes {@link multiprogrammingDisk} to the disk first (default true).
   */
  prepareDisk?: boolean;
  /**
   * Turns demand paging on (see {@link MultiprogrammingPagingOptions});
   * absent, `o` runs its three fixed processes with every page resident.
   */
  paging?: MultiprogrammingPagingOptions;
};

/** Access patterns of the paging workload. */
export type WorkloadPattern = "sequential" | "random" | "shifting";

/**
 * A process of the paging workload: it touches the pages of a data area
 * (P0 pages 16 and up) in a pattern, every touch checking the whole page
 * against the version it last wrote, so a lost or stale page is counted as
 * an error; every `writeEvery`-th touch writes a new version.
 */
export interface WorkloadSpec {
  /** Data pages (1-240); the process's P0 has 16 more. */
  readonly pages: number;
  /** Touches before the final check of every page. */
  readonly touches: number;
  /** Default `"random"`. */
  readonly pattern?: WorkloadPattern;
  /** Seed of the xorshift32 stream (non-zero; default `pid * 2654435761`). */
  readonly seed?: number;
  /** Every n-th touch writes (default 2). */
  readonly writeEvery?: number;
  /** Pages in the working set, `"shifting"` only (default 8, at most `pages`). */
  readonly window?: number;
  /** Touches between two shifts of the working set (default 64). */
  readonly shiftEvery?: number;
  /** Pages the working set moves by (default `window / 2`). */
  readonly shiftBy?: number;
}

/** What a process runs: the disk worker, the error demo, or a workload. */
export type MultiprogrammingProgram = "worker" | "errdemo" | WorkloadSpec;

/**
 * Demand paging in `o`: every process page lives in a frame of the pool at
 * `0x10000` only while it is used. A fault brings it in (zero fill, the
 * image's text, or its block in the swap area); the clock picks the
 * victim, and a modified victim is written to the swap area first. The
 * process page tables are pageable too (a reference through one that is
 * out is a double miss). Each process prints its faults, page reads and
 * page writes at exit, then the same for its page-table pages
 * (`o: p1 exited, faults 40 reads 12 writes 20 ptfaults 3 ptreads 1
 * ptwrites 1`).
 */
export interface MultiprogrammingPagingOptions {
  /**
   * Page frames for processes and their page tables (12-128, default 128:
   * 64 KiB).
   */
  readonly frames?: number;
  /** The three processes (default three random workloads of 48 pages). */
  readonly processes?: readonly MultiprogrammingProgram[];
  /**
   * First block of the swap area (default 128, after the 64 KiB of
   * records). Process n's page p is block `swapBase + 256 (n - 1) + p`.
   */
  readonly swapBase?: number;
}

/** Paging counts of one process, as `o` prints them at its exit. */
export interface ProcessPagingCounts {
  /** Process id. */
  readonly pid: number;
  /** Page faults that needed a frame. */
  readonly faults: number;
  /** Pages read from the swap area. */
  readonly reads: number;
  /** Pages written to the swap area. */
  readonly writes: number;
  /**
   * Page-table pages brought in: double misses that needed a frame (the
   * first touch of each table page builds it; later ones read it back).
   */
  readonly ptFaults: number;
  /** Page-table pages read from the swap area. */
  readonly ptReads: number;
  /** Page-table pages written to the swap area. */
  readonly ptWrites: number;
}

let cached: Assembly | undefined;

/**
 * Assembles {@link MULTIPROGRAMMING_SOURCE} (once; later calls reuse the
 * result) and describes the image: load address, entry point, symbols,
 * suggested memory and disk sizes, PCB addresses.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { assembleMultiprogramming } from "./multiprogramming.ts";
 * const os = assembleMultiprogramming();
 * ok(os.entry === 0x1000 && os.symbols.has("K_SWITCH"));
 * ```
 */
export function assembleMultiprogramming(): MultiprogrammingImage {
  cached ??= assembleSource(MULTIPROGRAMMING_SOURCE, {
    origin: MULTIPROGRAMMING_LAYOUT.origin,
    fileName: "o.mar",
  });
  const a = cached;
  const L = MULTIPROGRAMMING_LAYOUT;
  const s0 = 0x80000000;
  const end = a.symbol("UTEXT_END") - s0;
  if (end > L.userBase) {
    throw new RangeError(
      `Cannot build o: the image ends at 0x${
        end.toString(16)
      }, past the process regions at 0x${L.userBase.toString(16)}`,
    );
  }
  const textBytes = a.symbol("UTEXT_END") - a.symbol("UTEXT");
  if (textBytes > 5 * 512) {
    throw new RangeError(
      `Cannot build o: the user programs take ${textBytes} bytes, more than their 5 pages`,
    );
  }
  const proctab = a.symbol("PROCTAB") - s0;
  const pcbs = Array.from(
    { length: L.processes + 1 },
    (_, i) => proctab + 256 * i,
  );
  const regions = Array.from(
    { length: L.processes + 1 },
    (_, i) => i === 0 ? 0 : L.userBase + (i - 1) * L.regionSize,
  );
  const utext = a.symbol("UTEXT");
  return {
    ...makeImage("o", MULTIPROGRAMMING_SOURCE, a, {
      loadAddress: L.loadAddress,
      entry: a.entry - s0,
      stack: a.symbol("ISTACK_TOP") - s0,
      memorySize: L.memorySize,
      diskSize: L.diskSize,
    }),
    pcbs,
    regions,
    userAddress: (v: number) => L.userText + (v - utext),
  };
}

/** A deterministic stream of bytes (xorshift32). */
function pseudoRandom(seed: number, out: Uint8Array): void {
  let x = seed >>> 0 || 1;
  for (let i = 0; i < out.length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
}

/**
 * The disk contents the processes expect (64 KiB): the label in block 0
 * and, for each process n, four records in blocks 16n to 16n+3. The same
 * bytes on every call.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { multiprogrammingDisk } from "./multiprogramming.ts";
 * const disk = multiprogrammingDisk();
 * ok(disk.length === 65536 && disk[0] === 0x56); // "V"
 * ```
 */
export function multiprogrammingDisk(): Uint8Array {
  const L = MULTIPROGRAMMING_LAYOUT;
  const disk = new Uint8Array(L.diskSize);
  const enc = new TextEncoder();
  disk.set(enc.encode("VMMLAB DEMO DISK\0"), 0);
  for (let pid = 1; pid <= L.processes; pid++) {
    for (let r = 0; r < L.records; r++) {
      const block = 16 * pid + r;
      const rec = disk.subarray(block * 512, block * 512 + 512);
      pseudoRandom(Math.imul(block, 0x9e3779b1) + 1, rec);
      rec.fill(0, 0, 32);
      rec.set(enc.encode(`pid ${pid} record ${r} block ${block}`), 0);
    }
  }
  return disk;
}

/**
 * Loads `o` into a machine (a `Machine`, or anything with the same `load`,
 * `set`, `setPsl` and `disk.writeBlocks`), writes the disk contents, patches
 * the disk mode and time slice, and puts the processor in its power-up
 * state at the entry point: `machine.run()` then boots it.
 *
 * @returns the image that was loaded
 * @throws {RangeError} if the machine's memory or disk is too small, or an
 *   option is out of range
 */
export function bootMultiprogramming(
  target: BootTarget,
  options: MultiprogrammingBootOptions = {},
): MultiprogrammingImage {
  const image = assembleMultiprogramming();
  const mode = options.diskMode ?? "async";
  if (mode !== "sync" && mode !== "async") {
    throw new RangeError(
      `Cannot boot o with disk mode "${
        String(mode)
      }": expected "sync" or "async"`,
    );
  }
  const quantum = options.quantumTicks ?? 1;
  if (!Number.isInteger(quantum) || quantum < 1 || quantum > 1000) {
    throw new RangeError(
      `Cannot boot o with a time slice of ${quantum} ticks: expected an integer from 1 to 1000`,
    );
  }
  const bytes = image.bytes.slice();
  patchLong(
    image,
    bytes,
    image.assembly.symbol("DISK_ASYNC"),
    mode === "async" ? 1 : 0,
  );
  patchLong(image, bytes, image.assembly.symbol("QUANTUM"), quantum);
  if (options.paging !== undefined) {
    const needed = patchPaging(image, bytes, options.paging);
    const blocks = target.disk.blocks;
    if (blocks !== undefined && blocks < needed) {
      throw new RangeError(
        `Cannot boot o with paging on a disk of ${blocks} blocks: its swap area needs ${needed} (${
          needed / 2
        } KiB)`,
      );
    }
  }
  loadImage(target, image, bytes);
  if (options.prepareDisk ?? true) {
    target.disk.writeBlocks(0, multiprogrammingDisk());
  }
  return image;
}

const MAX_P0 = 256;
const MAX_DATA_PAGES = MAX_P0 - 16;

function checkInt(what: string, v: number, lo: number, hi: number): number {
  if (!Number.isInteger(v) || v < lo || v > hi) {
    throw new RangeError(
      `Cannot boot o with ${what} ${v}: expected an integer from ${lo} to ${hi}`,
    );
  }
  return v;
}

/** A workload with its defaults filled in. */
export function workloadDefaults(
  spec: WorkloadSpec,
  pid: number,
): Required<WorkloadSpec> {
  const pages = checkInt("workload pages", spec.pages, 1, MAX_DATA_PAGES);
  const window = checkInt(
    "a workload window of",
    spec.window ?? Math.min(8, pages),
    1,
    pages,
  );
  const pattern = spec.pattern ?? "random";
  if (!["sequential", "random", "shifting"].includes(pattern)) {
    throw new RangeError(
      `Cannot boot o with workload pattern "${
        String(pattern)
      }": expected "sequential", "random" or "shifting"`,
    );
  }
  return {
    pages,
    touches: checkInt("workload touches", spec.touches, 0, 0x7fffffff),
    pattern,
    seed: checkInt(
      "workload seed",
      spec.seed ?? (Math.imul(pid, 0x9e3779b1) >>> 0),
      1,
      0xffffffff,
    ),
    writeEvery: checkInt(
      "a workload writeEvery of",
      spec.writeEvery ?? 2,
      1,
      0x7fffffff,
    ),
    window,
    shiftEvery: checkInt(
      "a workload shiftEvery of",
      spec.shiftEvery ?? 64,
      1,
      0x7fffffff,
    ),
    shiftBy: checkInt(
      "a workload shiftBy of",
      spec.shiftBy ?? Math.max(1, window >> 1),
      0,
      0x7fffffff,
    ),
  };
}

/** The default processes under paging: three random workloads. */
export const DEFAULT_PAGING_PROCESSES: readonly WorkloadSpec[] = [
  { pages: 48, touches: 400 },
  { pages: 48, touches: 400 },
  { pages: 48, touches: 400 },
];

/** Patches the paging words; returns the disk blocks the swap area needs. */
function patchPaging(
  image: MultiprogrammingImage,
  bytes: Uint8Array,
  paging: MultiprogrammingPagingOptions,
): number {
  const sym = (n: string) => image.assembly.symbol(n);
  const frames = checkInt("paging frames", paging.frames ?? 128, 12, 128);
  const swapBase = checkInt("swap base block", paging.swapBase ?? 128, 1, 1e6);
  const procs = paging.processes ?? DEFAULT_PAGING_PROCESSES;
  const L = MULTIPROGRAMMING_LAYOUT;
  if (procs.length !== L.processes) {
    throw new RangeError(
      `Cannot boot o with ${procs.length} paging processes: expected exactly ${L.processes}`,
    );
  }
  patchLong(image, bytes, sym("PAGING"), 1);
  patchLong(image, bytes, sym("NFRAMES"), frames);
  patchLong(image, bytes, sym("SWAPBASE"), swapBase);
  let needed = swapBase;
  procs.forEach((prog, i) => {
    const pid = i + 1;
    let pc: number;
    let p0 = 16;
    const regs = new Array<number>(8).fill(0);
    if (prog === "worker") pc = image.userAddress(sym("WORKER"));
    else if (prog === "errdemo") pc = image.userAddress(sym("ERRDEMO"));
    else if (typeof prog === "object" && prog !== null) {
      const w = workloadDefaults(prog, pid);
      pc = image.userAddress(sym("WORKLOAD"));
      p0 = 16 + w.pages;
      regs.splice(
        0,
        8,
        w.pages,
        w.touches,
        ["sequential", "random", "shifting"].indexOf(w.pattern),
        w.seed,
        w.writeEvery,
        w.window,
        w.shiftEvery,
        w.shiftBy,
      );
    } else {
      throw new RangeError(
        `Cannot boot o with process ${pid} running ${
          JSON.stringify(prog)
        }: expected "worker", "errdemo" or a workload`,
      );
    }
    patchLong(image, bytes, sym("PROGTAB") + 4 * i, pc);
    patchLong(image, bytes, sym("P0LTAB") + 4 * i, p0);
    regs.forEach((v, k) =>
      patchLong(image, bytes, sym("WLTAB") + 32 * i + 4 * k, v)
    );
    needed = Math.max(needed, swapBase + MAX_P0 * i + p0);
  });
  return needed;
}

/**
 * What a workload process prints when nothing went wrong: the host runs
 * the same pattern and computes the final sum, so a page lost or read
 * stale by the pager shows as a different line (and as errors).
 *
 * @example
 * ```ts
 * import { match } from "node:assert/strict";
 * import { workloadLine } from "./multiprogramming.ts";
 * match(
 *   workloadLine({ pages: 4, touches: 8, pattern: "sequential" }, 1),
 *   /^P1: 4 pages, 8 touches, 0 errors, sum 0x[0-9A-F]{8}$/,
 * );
 * ```
 */
export function workloadLine(spec: WorkloadSpec, pid: number): string {
  const w = workloadDefaults(spec, pid);
  const n = w.pages;
  const vt = new Int32Array(n);
  let seed = w.seed | 0;
  let base = 0;
  const rand = () => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 1) & 0x7fffffff;
  };
  for (let t = 0; t < w.touches; t++) {
    let page: number;
    if (w.pattern === "sequential") page = t % n;
    else if (w.pattern === "random") page = rand() % n;
    else {
      const r = rand();
      if (t > 0 && t % w.shiftEvery === 0) base = (base + w.shiftBy) % n;
      page = (base + (r % w.window)) % n;
    }
    if (t % w.writeEvery === 0) vt[page] = (vt[page]! + 1) | 0;
  }
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const v = vt[i]!;
    if (v === 0) continue;
    const b = ((pid << 24) + (i << 12) + (v << 2)) | 0;
    sum = (sum + Math.imul(b, 128) + 8128) | 0;
  }
  return `P${pid}: ${n} pages, ${w.touches} touches, 0 errors, sum ${
    guestHex(sum)
  }`;
}

/**
 * Reads the paging counts `o` prints at each process's exit
 * (`o: p1 exited, faults 40 reads 12 writes 20 ptfaults 3 ptreads 1
 * ptwrites 1`) from console output. Page-table counts absent from a line
 * read as 0.
 *
 * @example
 * ```ts
 * import { deepEqual } from "node:assert/strict";
 * import { pagingCounts } from "./multiprogramming.ts";
 * const c = pagingCounts(
 *   "o: p2 exited, faults 3 reads 1 writes 2 ptfaults 2 ptreads 1 ptwrites 1\r\n",
 * );
 * deepEqual(c, [{
 *   pid: 2,
 *   faults: 3,
 *   reads: 1,
 *   writes: 2,
 *   ptFaults: 2,
 *   ptReads: 1,
 *   ptWrites: 1,
 * }]);
 * ```
 */
export function pagingCounts(output: string): ProcessPagingCounts[] {
  const out: ProcessPagingCounts[] = [];
  const re =
    /o: p(\d) exited, faults (\d+) reads (\d+) writes (\d+)(?: ptfaults (\d+) ptreads (\d+) ptwrites (\d+))?/g;
  for (const m of output.matchAll(re)) {
    out.push({
      pid: Number(m[1]),
      faults: Number(m[2]),
      reads: Number(m[3]),
      writes: Number(m[4]),
      ptFaults: Number(m[5] ?? 0),
      ptReads: Number(m[6] ?? 0),
      ptWrites: Number(m[7] ?? 0),
    });
  }
  return out.sort((a, b) => a.pid - b.pid);
}

/**
 * The source under the name every guest module uses: {@link
 * MULTIPROGRAMMING_SOURCE}.
 */
export const source: string = MULTIPROGRAMMING_SOURCE;

/**
 * {@link assembleMultiprogramming} under the name every guest module uses.
 */
export const assemble: () => MultiprogrammingImage = assembleMultiprogramming;

/**
 * {@link bootMultiprogramming} under the name every guest module uses, so
 * that the module itself can be booted: `monitor.vm("o").boot(module)`.
 */
export const boot: (
  target: BootTarget,
  options?: MultiprogrammingBootOptions,
) => MultiprogrammingImage = bootMultiprogramming;

/** {@link multiprogrammingDisk} under a short name. */
export const disk: () => Uint8Array = multiprogrammingDisk;
