/**
 * Command-line errors.
 *
 * @module
 */

/** A bad command line: printed with the usage hint, exit status 2. */
export class UsageError extends Error {
  /** Creates a usage error. */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}
