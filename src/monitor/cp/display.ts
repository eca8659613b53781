/**
 * DISPLAY: a VM's registers, its PSL beside the real PSL and VMPSL, its
 * storage in hex, and its page table beside the monitor's shadow tables.
 *
 * @module
 */

import { formatPsl } from "../../arch/psl.ts";
import { hex8 } from "../../machine/units.ts";
import type { VirtualMachine } from "../vm.ts";
import { CpError } from "./messages.ts";

/**
 * DISPLAY: `G` (general registers), `PSW` (virtual PSL, real PSL and
 * VMPSL), `addr[-end]` (guest storage, hex), `PT S0|P0|P1` (guest page
 * table beside the shadow tables).
 *
 * @throws {CpError} for bad operands
 */
export function display(
  vm: VirtualMachine,
  what = "G",
  ...args: string[]
): string {
  const up = what.toUpperCase();
  if (up === "G") {
    const lines: string[] = [];
    for (let i = 0; i < 16; i += 4) {
      lines.push(
        `GPR ${String(i).padStart(2)} = ${
          [0, 1, 2, 3].map((k) => hex8(vm.get(`R${i + k}`)).toUpperCase())
            .join(" ")
        }`,
      );
    }
    return lines.join("\n");
  }
  if (up === "PSW" || up === "PSL") {
    const r = vm.psl();
    return `PSL   = ${formatPsl(r.virtual, "console")}\nREAL  = ${
      formatPsl(r.real, "console")
    }\nVMPSL = ${hex8(r.vmpsl).toUpperCase()}\nPC    = ${
      hex8(vm.get("PC")).toUpperCase()
    }`;
  }
  if (up === "PT") {
    const region = (args[0] ?? "S0").toUpperCase();
    if (region !== "S0" && region !== "P0" && region !== "P1") {
      throw new CpError("DSP", 3, `INVALID OPTION - ${region}`);
    }
    const t = vm.pageTables(region, { count: 16 });
    return t.rows.map((r) =>
      `${hex8(r.va).toUpperCase()} GUEST ${r.guest.valid ? "V" : "-"} ${
        r.guest.protName.padEnd(4)
      } PFN ${r.guest.pfn.toString(16).toUpperCase().padStart(5)}  SHADOW ${
        r.shadow
          ? `${r.shadow.valid ? "V" : "-"} ${r.shadow.protName.padEnd(4)} PFN ${
            r.shadow.pfn.toString(16).toUpperCase().padStart(5)
          }`
          : "(not filled)"
      }${r.remapped ? "  REMAPPED" : ""}`
    ).join("\n") || "NO ENTRIES";
  }
  const m = /^([0-9A-F]+)(?:-([0-9A-F]+))?$/i.exec(what);
  if (!m) throw new CpError("DSP", 3, `INVALID OPTION - ${up}`);
  const from = parseInt(m[1]!, 16) & ~15;
  const to = m[2] !== undefined ? parseInt(m[2], 16) : from + 63;
  if (to < from || to >= vm.memorySize) {
    throw new CpError(
      "DSP",
      160,
      `STORAGE ADDRESS ${up} EXCEEDS STORAGE SIZE ${vm.memorySize / 1024}K`,
    );
  }
  const bytes = vm.readPhysical(from, to - from + 1);
  const lines: string[] = [];
  for (let i = 0; i < bytes.length; i += 16) {
    const row = bytes.subarray(i, i + 16);
    lines.push(
      `${(from + i).toString(16).toUpperCase().padStart(6, "0")}  ${
        Array.from(row, (b) => b.toString(16).toUpperCase().padStart(2, "0"))
          .join(" ")
      }`,
    );
  }
  return lines.join("\n");
}
