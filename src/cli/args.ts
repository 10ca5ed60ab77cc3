/** Argument parsing shared by the CLI commands. */

/**
 * Runs a command's `parseArgs`; on a bad option prints `llmload COMMAND: message` and the usage and
 * gives undefined (the caller exits 2).
 */
export function parseCommandArgs<T>(command: string, usage: string, io: { err(l: string): void }, parse: () => T): T | undefined {
  try {
    return parse();
  } catch (e) {
    io.err(`llmload ${command}: ${(e as Error).message}\n${usage}`);
    return undefined;
  }
}
