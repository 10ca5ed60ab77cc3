/**
 * The Node options a bundled load worker starts with. A worker inherits its process's execArgv, so
 * a run started from TypeScript sources (tests, `npm run bench` under `--import tsx`) would load
 * tsx's module hooks again in every load thread, for a bundle that needs none: about 0.3 s of CPU
 * per thread at its start, which a benchmark counts as the client's. Only those flags are left out.
 * (tsx's modules also made a load thread's heap larger, which hid how often its old generation
 * filled up; ./worker-heap.ts sizes it for every load thread, so a run from sources and the built
 * CLI now collect alike.)
 */
import { Worker } from 'node:worker_threads';

/** `argv` without tsx's loader flags, or undefined when it has none (the worker inherits as usual). */
export function bundledWorkerExecArgv(argv: readonly string[] = process.execArgv): string[] | undefined {
  const out: string[] = [];
  let removed = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = a === '--import' || a === '--require' || a === '-r' || a === '--loader' || a === '--experimental-loader' ? argv[i + 1] : undefined;
    if (value !== undefined && isTsx(value)) {
      removed = true;
      i++;
      continue;
    }
    const eq = a.indexOf('=');
    if (a.startsWith('--') && eq > 0 && isTsx(a.slice(eq + 1)) && /^--(import|require|loader|experimental-loader)$/.test(a.slice(0, eq))) {
      removed = true;
      continue;
    }
    out.push(a);
  }
  return removed ? out : undefined;
}

function isTsx(spec: string): boolean {
  return spec === 'tsx' || spec.startsWith('tsx/') || /[\\/]node_modules[\\/]tsx[\\/]/.test(spec);
}

/**
 * A worker thread running a built bundle, without tsx's loader flags. Flags a worker may not take
 * (V8 options such as --trace-gc) make Node refuse a given execArgv; the worker then inherits the
 * process's flags as before.
 */
export function startBundledWorker(file: string, workerData: unknown): Worker {
  const execArgv = bundledWorkerExecArgv();
  if (execArgv) {
    try {
      return new Worker(file, { workerData, execArgv });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ERR_WORKER_INVALID_EXEC_ARGV') throw e;
    }
  }
  return new Worker(file, { workerData });
}
