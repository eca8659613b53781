/**
 * VAX MACRO-32 routines shared by the guests: their source text is pasted
 * into each guest's assembly, so that CMS, `o` and the batch monitor run
 * the same checked code instead of each keeping a copy.
 *
 * @module
 */

/**
 * `CRC32`: R1 = address, R2 = length (at least 1). Returns the CRC-32
 * (IEEE 802.3, what the host's `crc32` computes) in R0;
 * clobbers R1-R4. Bit by bit, with no table.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { CRC32_ROUTINE } from "./routines.ts";
 * ok(CRC32_ROUTINE.startsWith("CRC32:"));
 * ```
 */
export const CRC32_ROUTINE: string = `CRC32:  MCOML   #0, R0
10$:    MOVZBL  (R1)+, R3
        XORL2   R3, R0
        MOVL    #8, R4
20$:    ROTL    #31, R0, R0             ; shift right, old bit 0 into bit 31
        BGEQ    30$
        XORL2   #^X6DB88320, R0         ; clears bit 31, XORs 0xEDB88320
30$:    SOBGTR  R4, 20$
        SOBGTR  R2, 10$
        MCOML   R0, R0
        RSB
`;

/**
 * Polled console output: `PUTS` (R1 = ASCIZ string; clobbers R0-R2) and
 * `PUTHEX` (R1 = value, printed as `0x` and eight hex digits; clobbers
 * R0-R4). The including source defines `PR$_TXCS`, `PR$_TXDB`, `HEXDIG`
 * (the 16 digits) and `HEXBUF` (12 bytes).
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { POLLED_OUTPUT_ROUTINES } from "./routines.ts";
 * ok(POLLED_OUTPUT_ROUTINES.includes("PUTHEX:"));
 * ```
 */
export const POLLED_OUTPUT_ROUTINES: string = `PUTS:   MOVZBL  (R1)+, R0
        BEQL    20$
10$:    MFPR    #PR$_TXCS, R2
        BBC     #7, R2, 10$
        MTPR    R0, #PR$_TXDB
        BRB     PUTS
20$:    RSB

; PUTHEX: R1 = value, printed as 0x and 8 hex digits. Clobbers R0-R4.
PUTHEX: MOVAB   HEXBUF, R3
        MOVB    #^A/0/, (R3)+
        MOVB    #^A/x/, (R3)+
        MOVL    #8, R4
10$:    ROTL    #4, R1, R1
        BICL3   #^XFFFFFFF0, R1, R2
        MOVB    HEXDIG[R2], (R3)+
        SOBGTR  R4, 10$
        CLRB    (R3)
        MOVAB   HEXBUF, R1
        BRW     PUTS
`;
