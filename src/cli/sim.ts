/**
 * `llmload sim [--port N] [--host H] [--profile P] [--seed S]`: the built-in simulator alone, until
 * Ctrl-C. docs/simulator.md lists the profiles, their options and the faults.
 */
import { startSimulator, type RunningSimulator } from '../core/sim';
import type { CliIO } from './io';

export async function simCommand(args: { port?: string; host?: string; profile?: string; seed?: string }, io: CliIO): Promise<number> {
  const port = args.port === undefined ? 8000 : Number(args.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    io.err(`llmload sim: --port takes a port number 0-65535, got "${args.port}"`);
    return 2;
  }
  // A profile is a name, optionally with changes: `reasoning?decode_tokens_per_s=20&fault.reset=0.05`.
  const profile = args.profile ?? 'chat';
  let sim: RunningSimulator;
  try {
    sim = await startSimulator({ port, host: args.host ?? '127.0.0.1', profile, seed: args.seed === undefined ? undefined : Number(args.seed) });
  } catch (e) {
    io.err(`llmload sim: ${(e as Error).message}`);
    return 2;
  }
  // Listen for Ctrl-C before saying we listen: a signal that comes first would kill the process.
  const stopped = new Promise<void>((resolve) => {
    const stop = (): void => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  io.out(`llmload simulator (${profile}) listening on ${sim.url}  (POST ${sim.url}/chat/completions; Ctrl-C stops)`);
  await stopped;
  await sim.close();
  return 0;
}
