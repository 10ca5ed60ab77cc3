/**
 * `llmload sim [--port N] [--host H] [--profile P] [--seed S]`: the built-in simulator alone, until
 * Ctrl-C. docs/simulator.md lists the profiles, their options and the faults.
 */
import { startSimulator, type RunningSimulator, type SimBaseUrls } from '../core/sim';
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
  io.out(simBanner(profile, sim.baseUrls));
  await stopped;
  await sim.close();
  return 0;
}

/**
 * What `llmload sim` prints: the first line names the URL a `--target` takes (the extension and
 * scripts read it after "listening on"), then the base URL each SDK takes, since they differ: the
 * Anthropic SDK and the Ollama client add their own /v1 or /api paths to the server's root.
 */
export function simBanner(profile: string, urls: SimBaseUrls): string {
  const w = Math.max(urls.openai.length, urls.anthropic.length, urls.ollama.length, urls.tgi.length) + 2;
  return [
    `llmload simulator (${profile}) listening on ${urls.openai}  (Ctrl-C stops)`,
    `  OpenAI SDK     baseURL ${urls.openai.padEnd(w)}POST /v1/chat/completions, /v1/completions, /v1/responses; GET /v1/models`,
    `  Anthropic SDK  baseURL ${urls.anthropic.padEnd(w)}POST /v1/messages (the SDK adds /v1 itself)`,
    `  Ollama client  host    ${urls.ollama.padEnd(w)}POST /api/chat, /api/generate, /api/show; GET /api/tags, /api/ps, /api/version`,
    `  TGI                    ${urls.tgi.padEnd(w)}POST /generate_stream, /generate`,
    `  WebSocket              ${urls.websocket}`,
  ].join('\n');
}
