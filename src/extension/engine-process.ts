/**
 * The engine process the VS Code extension forks (with VS Code's own Node, ELECTRON_RUN_AS_NODE=1):
 * the load never runs in the extension host. It speaks the typed protocol in ./protocol.ts over
 * the IPC channel: `run` starts a scenario, `stop` ends it, progress flows back. It exits as soon
 * as the run has ended and its last message is sent, so a stop ends the process promptly.
 */
import type { RunHandle } from '../core/run/runner';
import { startScenarioRun, type ScenarioRunStart } from '../core/run/scenario-run';
import type { EngineToHost, HostToEngine, RunRequest } from './protocol';
import { redact } from './run/secret-refs';
import { Redactor } from '../core/results/redact';

function send(msg: EngineToHost): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send || !process.connected) return resolve();
    process.send(msg, undefined, {}, () => resolve());
  });
}

let handle: RunHandle | undefined;
let stopRequested = false;
/** Stops a wait for the target to get ready (before there is a run handle to stop). */
const readyWait = new AbortController();

async function run(m: RunRequest): Promise<void> {
  if (stopRequested) return;
  let started: ScenarioRunStart;
  try {
    started = await startScenarioRun(m.file, {
      env: process.env,
      secret: (name) => m.secrets[name] ?? process.env[name],
      trace: m.trace,
      outRoot: m.outRoot,
      targetOverride: m.targetOverride,
      onProgress: (progress) => void send({ type: 'progress', progress }),
      onLive: (delta) => void send({ type: 'live', delta }),
      stopGraceMs: 500,
      signal: readyWait.signal,
    });
  } catch (e) {
    await send({ type: 'failed', message: redact((e as Error).message, Object.values(m.secrets)) });
    return;
  }
  if (started.kind === 'invalid') {
    await send({ type: 'invalid', diagnostics: started.diagnostics });
    return;
  }
  handle = started.handle;
  // The run's writer redacts every record, packet and the summary in place before they are written
  // or sent here (see core/results/redact), so `live` and `finished` carry no secret; messages made
  // here go through the same redactor.
  const redactor = new Redactor([...started.secrets, ...Object.values(m.secrets)]);
  await send({ type: 'started', runDir: handle.dir });
  if (stopRequested) handle.stop('stopped');
  const result = await handle.done;
  if (result.error) await send({ type: 'failed', message: redactor.text(result.error) });
  await send({ type: 'finished', runDir: result.dir, summary: result.summary });
}

function end(code: number): void {
  process.disconnect?.();
  process.exit(code);
}

process.on('message', (m: HostToEngine) => {
  if (m.type === 'run') {
    run(m).then(
      () => end(0),
      async (e: unknown) => {
        await send({ type: 'failed', message: e instanceof Error ? e.message : String(e) });
        end(1);
      },
    );
  } else if (m.type === 'stop') {
    stopRequested = true;
    readyWait.abort();
    if (handle) handle.stop('stopped');
  }
});
// The host went away: stop measuring and leave.
process.on('disconnect', () => {
  if (handle) handle.stop('host disconnected');
  setTimeout(() => process.exit(0), 1000).unref();
});
