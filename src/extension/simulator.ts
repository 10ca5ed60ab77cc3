/**
 * Start/Stop Built-in Simulator: `llmload sim` (dist/cli.js) in a child process with VS Code's own
 * Node, on 127.0.0.1 and an ephemeral port, so a scenario can target it by URL.
 */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import * as vscode from 'vscode';

export class SimulatorProcess implements vscode.Disposable {
  private child: ChildProcess | undefined;
  url: string | undefined;

  constructor(private readonly extensionPath: string, private readonly log: vscode.LogOutputChannel) {}

  get running(): boolean {
    return this.child !== undefined;
  }

  async start(profile = 'chat'): Promise<string> {
    if (this.child && this.url) return this.url;
    const child = fork(path.join(this.extensionPath, 'dist', 'cli.js'), ['sim', '--port', '0', '--host', '127.0.0.1', '--profile', profile], {
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      execArgv: [],
    });
    this.child = child;
    child.stderr?.on('data', (b: Buffer) => this.log.warn(`simulator: ${b.toString().trimEnd()}`));
    child.on('exit', () => {
      if (this.child === child) {
        this.child = undefined;
        this.url = undefined;
      }
    });
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error('the simulator did not start within 15 s')), 15_000);
      child.stdout?.on('data', (b: Buffer) => {
        out += b.toString();
        const m = /listening on (\S+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the simulator exited (code ${code}): ${out.trim()}`));
      });
    });
    this.url = url;
    this.log.info(`built-in simulator (${profile}) listening on ${url}`);
    return url;
  }

  async stop(): Promise<boolean> {
    const child = this.child;
    if (!child) return false;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGTERM');
    const t = setTimeout(() => child.kill('SIGKILL'), 1000);
    await exited;
    clearTimeout(t);
    this.log.info('built-in simulator stopped');
    return true;
  }

  dispose(): void {
    void this.stop();
  }
}
