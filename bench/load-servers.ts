/**
 * The load bench's servers and tools: canned OpenAI-style SSE streams written to static files,
 * nginx serving them on loopback (bench/servers/nginx.conf), finding or installing the baseline
 * tools (nginx, Locust, wrk) from Debian's packages, and CPU time of processes by pid (/proc).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const TOOLS = { nginx: 'nginx', locust: 'locust', wrk: 'wrk' } as const;
export type Tool = keyof typeof TOOLS;
const PACKAGES: Record<Tool, string> = { nginx: 'nginx', locust: 'python3-locust', wrk: 'wrk' };
const SBIN = ['/usr/sbin', '/usr/local/sbin', '/sbin'];

/** The tool's executable, or undefined. */
export function which(tool: Tool): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(':'), ...SBIN];
  for (const d of dirs) {
    const f = path.join(d, TOOLS[tool]);
    if (d && fs.existsSync(f)) return f;
  }
  return undefined;
}

/**
 * Finds each tool, installing the missing ones with apt-get when running as root (bounded to 10
 * minutes). Returns the paths found and a line for each tool still missing.
 */
export function ensureTools(log: (line: string) => void): { found: Partial<Record<Tool, string>>; missing: string[] } {
  const all = Object.keys(TOOLS) as Tool[];
  let absent = all.filter((t) => !which(t));
  if (absent.length > 0 && process.getuid?.() === 0 && fs.existsSync('/usr/bin/apt-get')) {
    const pkgs = absent.map((t) => PACKAGES[t]);
    log(`installing ${pkgs.join(', ')} with apt-get (Debian packages) ...`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    spawnSync('apt-get', ['update', '-qq'], { stdio: 'ignore', env, timeout: 300_000 });
    spawnSync('apt-get', ['install', '-y', '-qq', ...pkgs], { stdio: 'ignore', env, timeout: 300_000 });
    absent = all.filter((t) => !which(t));
  }
  const found: Partial<Record<Tool, string>> = {};
  for (const t of all) {
    const p = which(t);
    if (p) found[t] = p;
  }
  const missing = absent.map((t) => `${t} is missing (Debian package ${PACKAGES[t]}; install it with: apt-get install -y ${PACKAGES[t]}): its baseline is skipped`);
  return { found, missing };
}

function chunk(delta: Record<string, unknown>, finish: string | null): string {
  return `data: ${JSON.stringify({ id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: 1700000000, model: 'bench', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
}

/**
 * An OpenAI chat-completions stream of exactly `events` SSE events: a role chunk, events - 4
 * content chunks of one word, a finish chunk, a usage chunk and [DONE].
 */
export function cannedStream(events: number): string {
  if (events < 5) throw new Error('a canned stream needs at least 5 events');
  const words = events - 4;
  let s = chunk({ role: 'assistant', content: '' }, null);
  for (let i = 0; i < words; i++) s += chunk({ content: `word${i % 100} ` }, null);
  s += chunk({}, 'stop');
  s += `data: ${JSON.stringify({ id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: 1700000000, model: 'bench', choices: [], usage: { prompt_tokens: 10, completion_tokens: words, total_tokens: words + 10 } })}\n\n`;
  s += 'data: [DONE]\n\n';
  return s;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

export interface NginxServer {
  port: number;
  prefix: string;
  /** pids of the master and its worker processes. */
  pids(): number[];
  stop(): Promise<void>;
}

/** Starts nginx on 127.0.0.1 serving `/<name>/v1/chat/completions` for each stream. */
export async function startNginx(bin: string, streams: Record<string, string>, workers: number): Promise<NginxServer> {
  const prefix = fs.mkdtempSync(path.join(os.tmpdir(), 'llmload-bench-nginx-'));
  fs.chmodSync(prefix, 0o755); // nginx's workers run as an unprivileged user
  for (const [name, body] of Object.entries(streams)) {
    const dir = path.join(prefix, 'www', name, 'v1', 'chat');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'completions'), body);
  }
  const port = await freePort();
  const conf = fs
    .readFileSync(path.join(__dirname, 'servers', 'nginx.conf'), 'utf8')
    .replaceAll('__PREFIX__', prefix)
    .replaceAll('__PORT__', String(port))
    .replaceAll('__WORKERS__', String(workers));
  const confFile = path.join(prefix, 'nginx.conf');
  fs.writeFileSync(confFile, conf);
  const child: ChildProcess = spawn(bin, ['-p', prefix, '-c', confFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`nginx exited: ${stderr.trim()}`);
    if (await canConnect(port)) break;
    if (Date.now() > deadline) throw new Error(`nginx did not listen within 10 s: ${stderr.trim()}`);
    await sleep(50);
  }
  return {
    port,
    prefix,
    pids: () => [child.pid!, ...childPids(child.pid!)],
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise<void>((r) => (child.exitCode !== null ? r() : child.once('exit', () => r())));
      fs.rmSync(prefix, { recursive: true, force: true });
    },
  };
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Direct children of a process (Linux /proc). */
export function childPids(pid: number): number[] {
  try {
    const out: number[] = [];
    for (const task of fs.readdirSync(`/proc/${pid}/task`)) {
      const txt = fs.readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
      if (txt) out.push(...txt.split(/\s+/).map(Number));
    }
    return out;
  } catch {
    return [];
  }
}

const TICK = 100; // USER_HZ on Linux

/** CPU seconds (user + system) used so far by these processes; ones that ended count 0. */
export function cpuSeconds(pids: readonly number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15)
    } catch {
      // gone
    }
  }
  return ticks / TICK;
}

/** A process and all its descendants. */
export function treePids(pid: number): number[] {
  const out = [pid];
  for (let i = 0; i < out.length; i++) out.push(...childPids(out[i]!));
  return out;
}
