// The worker's side of the protocol, message by message, against a ZeroMQ ROUTER in the test that
// plays the master. The real Locust 2.12.1 master runs in locust-master.test.ts; this stand-in is
// for what that master cannot show: the exact order of the worker's messages, stale spawn
// timestamps, `reconnect`, and the heartbeats newer masters (2.2x) send, whose silence ends a worker.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Router } from 'zeromq';
import { decodeMessage, encodeMessage, type LocustMessage } from '../../src/core/locust/protocol';
import { LocustWorker, type LocustTest } from '../../src/core/locust/worker';
import type { RequestRecord } from '../../src/core/metrics/record';

class FakeMaster {
  readonly sock = new Router({ linger: 0 });
  readonly got: LocustMessage[] = [];
  private waiters: Array<() => void> = [];
  port = 0;

  async start(): Promise<void> {
    await this.sock.bind('tcp://127.0.0.1:*');
    this.port = Number(/:(\d+)$/.exec(this.sock.lastEndpoint!)![1]);
    void (async () => {
      try {
        for await (const [, frame] of this.sock) {
          this.got.push(decodeMessage(frame!));
          for (const w of this.waiters.splice(0)) w();
        }
      } catch {
        // closed
      }
    })();
  }

  send(to: string, type: string, data: unknown): Promise<void> {
    return this.sock.send([to, encodeMessage(type, data, to)]);
  }

  /** Waits for a message of `type` after index `from` (default: any so far); returns its index. */
  async next(type: string, from = 0, ms = 5000): Promise<number> {
    const end = Date.now() + ms;
    for (;;) {
      const i = this.got.findIndex((m, j) => j >= from && m.type === type);
      if (i >= 0) return i;
      if (Date.now() > end) throw new Error(`no ${type} from the worker (got ${this.got.slice(from).map((m) => m.type).join(', ')})`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 100);
      });
    }
  }

  types(from = 0): string[] {
    return this.got.slice(from).map((m) => m.type).filter((t) => t !== 'heartbeat' && t !== 'stats');
  }
}

interface FakeTest extends LocustTest {
  users: number[];
  stopped: number[];
  feed(r: RequestRecord): void;
  end(reason: string): void;
}

function fakeTests(): { tests: FakeTest[]; start: (onRecords: (r: readonly RequestRecord[]) => void) => Promise<LocustTest> } {
  const tests: FakeTest[] = [];
  return {
    tests,
    async start(onRecords) {
      let end!: (r: string) => void;
      const t: FakeTest = {
        users: [],
        stopped: [],
        setUsers: (n) => void t.users.push(n),
        stop: async (grace) => void t.stopped.push(grace),
        ended: new Promise((r) => (end = r)),
        feed: (r) => onRecords([r]),
        end: (reason) => end(reason),
      };
      tests.push(t);
      return t;
    },
  };
}

const rec: RequestRecord = {
  id: 0, prompt: 'p', user: 0, start_ms: Date.now(), offset_ms: 0, status: 'error', error: { kind: 'http_5xx', message: 'x' }, http_status: 500,
  ttft_ms: null, ttfa_ms: null, thinking_ms: null, e2e_ms: 12, input_tokens: null, output_tokens: 0, output_tokens_source: 'packets',
  thinking_tokens: 0, thinking_tokens_source: 'packets', token_rate: null, finish_reason: null, packets: {},
};

async function joined(master: FakeMaster, opts: Partial<ConstructorParameters<typeof LocustWorker>[0]> = {}) {
  const f = fakeTests();
  const worker = new LocustWorker({ host: '127.0.0.1', port: master.port, startTest: f.start, heartbeatMs: 100, statsMs: 200, connectTimeoutMs: 2000, ...opts });
  const started = worker.start();
  const i = await master.next('client_ready');
  assert.equal(master.got[i]!.data, -1, 'client_ready carries -1: no version check on the master');
  assert.equal(master.got[i]!.node_id, worker.clientId);
  await master.send(worker.clientId, 'ack', { index: 3 });
  await started;
  assert.equal(worker.index, 3);
  return { worker, f, id: worker.clientId };
}

test('spawn, stale spawn, stats, stop and a second test: the messages a master expects, in order', { timeout: 30_000 }, async () => {
  const master = new FakeMaster();
  await master.start();
  const { worker, f, id } = await joined(master);
  try {
    const hb = master.got[await master.next('heartbeat')]!.data as Record<string, unknown>;
    assert.equal(hb.state, 'ready');
    assert.equal(typeof hb.current_cpu_usage, 'number');
    assert.ok((hb.current_memory_usage as number) > 0);

    let from = master.got.length;
    await master.send(id, 'spawn', { timestamp: 100.5, user_classes_count: { LLMUser: 2 }, host: null, stop_timeout: null, parsed_options: {} });
    const done = await master.next('spawning_complete', from);
    assert.deepEqual(master.got[done]!.data, { user_classes_count: { LLMUser: 2 }, user_count: 2 });
    assert.deepEqual(master.types(from), ['spawning', 'spawning_complete']);
    assert.equal(f.tests.length, 1);
    assert.deepEqual(f.tests[0]!.users, [2]);

    // A spawn not newer than the last one is acknowledged with `spawning` and otherwise ignored.
    from = master.got.length;
    await master.send(id, 'spawn', { timestamp: 100.5, user_classes_count: { LLMUser: 9 }, host: null, stop_timeout: null, parsed_options: {} });
    await master.send(id, 'spawn', { timestamp: 101, user_classes_count: { LLMUser: 1 }, host: null, stop_timeout: 2, parsed_options: {} });
    await master.next('spawning_complete', from);
    assert.deepEqual(master.types(from), ['spawning', 'spawning', 'spawning_complete']);
    assert.deepEqual(f.tests[0]!.users, [2, 1], 'the stale count never reached the test');
    await master.next('heartbeat', master.got.length);
    assert.equal((master.got.at(-1)!.data as { state?: string }).state ?? 'running', 'running');

    // Records reach the master as a stats delta with the current user count.
    from = master.got.length;
    f.tests[0]!.feed(rec);
    let stats: Record<string, unknown> | undefined;
    for (let i = from; !stats; i++) {
      i = await master.next('stats', i);
      const d = master.got[i]!.data as { stats_total: { num_requests: number } };
      if (d.stats_total.num_requests > 0) stats = d as never;
    }
    assert.equal((stats.stats_total as { num_failures: number }).num_failures, 1);
    assert.deepEqual(Object.values(stats.errors as object).map((e: { error: string }) => e.error), ['http_5xx']);
    assert.deepEqual(stats.user_classes_count, { LLMUser: 1 });

    // stop: the test ends (with the spawn's stop_timeout as grace), then client_stopped, then client_ready.
    from = master.got.length;
    await master.send(id, 'stop', null);
    await master.next('client_ready', from);
    assert.deepEqual(master.types(from), ['client_stopped', 'client_ready']);
    assert.deepEqual(f.tests[0]!.stopped, [2000]);
    assert.equal(worker.state, 'ready');

    // The next spawn starts a new test.
    await master.send(id, 'spawn', { timestamp: 200, user_classes_count: { LLMUser: 3 }, host: null, stop_timeout: null, parsed_options: {} });
    await master.next('spawning_complete', from);
    assert.equal(f.tests.length, 2);
    assert.deepEqual(f.tests[1]!.users, [3]);

    // reconnect: a new socket with the same id; heartbeats go on.
    await master.send(id, 'reconnect', null);
    await new Promise((r) => setTimeout(r, 300));
    from = master.got.length;
    await master.next('heartbeat', from);
    assert.equal(master.got.at(-1)!.node_id, id);

    // quit: the test ends, the worker says quit and is finished.
    from = master.got.length;
    await master.send(id, 'quit', null);
    assert.equal(await worker.finished, 'quit');
    assert.deepEqual(f.tests[1]!.stopped, [0]);
    await master.next('quit', from);
  } finally {
    await worker.quit();
    master.sock.close();
  }
});

test("a newer master's heartbeats, then silence: the worker ends its test and quits after the timeout", { timeout: 20_000 }, async () => {
  const master = new FakeMaster();
  await master.start();
  const { worker, f, id } = await joined(master, { masterTimeoutMs: 1500 });
  try {
    await master.send(id, 'heartbeat', null);
    await master.send(id, 'spawn', { timestamp: 1, user_classes_count: { U: 1 }, host: null, stop_timeout: null, parsed_options: {} });
    await master.next('spawning_complete');
    const t0 = Date.now();
    assert.equal(await worker.finished, 'master-timeout');
    assert.ok(Date.now() - t0 >= 1000, 'not before the timeout');
    assert.deepEqual(f.tests[0]!.stopped, [0], 'the running test was ended (its results kept)');
    await master.next('quit');
  } finally {
    master.sock.close();
  }
});

test('a test that ends by its own stop condition makes the worker leave the master', { timeout: 20_000 }, async () => {
  const master = new FakeMaster();
  await master.start();
  const { worker, f, id } = await joined(master);
  try {
    await master.send(id, 'spawn', { timestamp: 1, user_classes_count: { U: 2 }, host: null, stop_timeout: null, parsed_options: {} });
    await master.next('spawning_complete');
    f.tests[0]!.end('requests');
    assert.equal(await worker.finished, 'ended');
    await master.next('quit');
  } finally {
    master.sock.close();
  }
});

test('no master answering: start() gives up after the retries with a clear error', { timeout: 20_000 }, async () => {
  const f = fakeTests();
  const worker = new LocustWorker({ host: '127.0.0.1', port: 9, startTest: f.start, connectTimeoutMs: 200, connectRetries: 2 });
  await assert.rejects(worker.start(), /no answer from the Locust master at 127\.0\.0\.1:9 after 2 tries/);
  assert.equal(await worker.finished, 'no-master');
});
