// Where DEC's EHKAA diagnostic is (beside the repository, never in it) and
// what a correct MicroVAX 3900 does with it.

/** Where the diagnostic is, relative to the repository root. */
export const EHKAA_URL = new URL(
  "../../../shared/testdata/ehkaa.exe",
  import.meta.url,
);

/** The diagnostic's bytes, or undefined when it is not there. */
export function readEhkaa(): Uint8Array | undefined {
  try {
    return Deno.readFileSync(EHKAA_URL);
  } catch {
    return undefined;
  }
}

/** The PC after EHKAA's final HALT on a correct MicroVAX 3900. */
export const EHKAA_PASS_PC = 0x80018ad1;
/** Instructions SimH executes to get there. */
export const EHKAA_SIMH_INSTRUCTIONS = 342_276;
