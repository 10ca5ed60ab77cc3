/**
 * The engine process the VS Code extension forks (with VS Code's own Node, ELECTRON_RUN_AS_NODE=1):
 * the load never runs in the extension host. It speaks the typed protocol in core/messages.ts over
 * the IPC channel: `run` starts a scenario, `stop` ends it, progress flows back.
 */
import { loadScenario } from '../core/scenario';
import type { EngineToHost, HostToEngine } from '../core/messages';
import { startRun, type RunHandle } from '../core/run/runner';

function send(msg: EngineToHost): void {
  process.send?.(msg);
}

let handle: RunHandle | undefined;

async function run(m: Extract<HostToEngine, { type: 'run' }>): Promise<void> {
  const { text, plan, diagnostics } = loadScenario(m.file, { env: process.env, secret: (name) => m.secrets[name] ?? process.env[name] });
  if (!plan) {
    send({ type: 'invalid', diagnostics });
    return;
  }
  try {
    handle = await startRun(plan, {
      outRoot: m.outRoot,
      targetOverride: m.targetOverride,
      scenarioText: text,
      onProgress: (progress) => send({ type: 'progress', progress }),
      onLive: (delta) => send({ type: 'live', delta }),
    });
  } catch (e) {
    send({ type: 'failed', message: (e as Error).message });
    return;
  }
  send({ type: 'started', runDir: handle.dir });
  const result = await handle.done;
  if (result.error) send({ type: 'failed', message: result.error });
  send({ type: 'finished', runDir: result.dir, summary: result.summary });
}

process.on('message', (m: HostToEngine) => {
  if (m.type === 'run') {
    run(m).then(
      () => process.disconnect?.(),
      (e: unknown) => {
        send({ type: 'failed', message: e instanceof Error ? e.message : String(e) });
        process.disconnect?.();
      },
    );
  } else if (m.type === 'stop') {
    if (handle) handle.stop('stopped');
    else process.exit(0);
  }
});
