/**
 * The instruction families the processor installs at construction, each
 * a map from opcode to executor (see `context.ts`). A new family file
 * exports a `Family` and is listed here; its opcodes must have rows in
 * `src/arch/opcodes.ts`.
 *
 * @module
 */

import type { Family } from "./context.ts";
import { BITFIELD } from "./bitfield.ts";
import { FLOATING } from "./floating.ts";
import { INTEGER } from "./integer.ts";
import { QUEUE } from "./queue.ts";
import { STRINGS } from "./strings.ts";

/** Every family, installed in this order (a later one wins a clash). */
export const FAMILIES: readonly Family[] = [
  INTEGER,
  BITFIELD,
  QUEUE,
  FLOATING,
  STRINGS,
];
