/** The CLI's output: results on stdout, diagnostics and progress on stderr (a live line on a terminal). */
export interface CliIO {
  out(line: string): void;
  err(line: string): void;
  /** A progress line: rewritten in place on a terminal, printed every few seconds otherwise. */
  progress(line: string): void;
  /** Ends a live progress line. */
  progressDone(): void;
}

export function processIO(): CliIO {
  // `llmload compare A B | head`: a reader that stops reading is not an error.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
  const tty = process.stderr.isTTY === true;
  let live = false;
  let lastPrinted = 0;
  return {
    out: (l) => void process.stdout.write(l + '\n'),
    err: (l) => {
      if (live) process.stderr.write('\n');
      live = false;
      process.stderr.write(l + '\n');
    },
    progress: (l) => {
      if (tty) {
        process.stderr.write(`\r\x1b[2K${l.slice(0, (process.stderr.columns ?? 200) - 1)}`);
        live = true;
      } else if (Date.now() - lastPrinted >= 5000) {
        lastPrinted = Date.now();
        process.stderr.write(l + '\n');
      }
    },
    progressDone: () => {
      if (live) process.stderr.write('\n');
      live = false;
    },
  };
}

/** The same output with every known secret replaced (see core/results/redact): for all a run prints. */
export function redactingIO(io: CliIO, redactor: { active: boolean; text(s: string): string }): CliIO {
  if (!redactor.active) return io;
  return {
    out: (l) => io.out(redactor.text(l)),
    err: (l) => io.err(redactor.text(l)),
    progress: (l) => io.progress(redactor.text(l)),
    progressDone: () => io.progressDone(),
  };
}
