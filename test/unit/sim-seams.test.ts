// The simulator's two seams: the API registry (path -> front end) and the engine interface the
// player talks to. A third engine here is a hand-made one, as a new engine's author would write.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startSimulator } from '../../src/core/sim/index';
import { SIM_API_ROUTES, apiForPath } from '../../src/core/sim/apis/registry';
import type { StreamEncoder } from '../../src/core/sim/apis/types';
import type { Chunk, Generation } from '../../src/core/sim/generation';
import { playStream, type FrameSink } from '../../src/core/sim/player';
import { resolveProfile } from '../../src/core/sim/profiles';
import type { ServeEvents, ServeJob, SimEngine } from '../../src/core/sim/sim-engine';

test('every registered API answers on its path, and on the path with /v1 added or taken away, in its own error shape', async () => {
  const sim = await startSimulator({ profile: 'chat' });
  try {
    const root = sim.url.replace(/\/v1$/, '');
    for (const [path, api] of Object.entries(SIM_API_ROUTES)) {
      const alt = path.startsWith('/v1/') ? path.slice(3) : `/v1${path}`;
      assert.equal(apiForPath(alt), api, `${alt} is served by the API of ${path}`);
      for (const p of [path, alt]) {
        const res = await fetch(root + p, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '[]' });
        assert.equal(res.status, 400, `${p}: a body that is not an object is a bad request`);
        assert.deepEqual(await res.json(), api.errorBody(400, 'request body must be a JSON object'), `${p}: ${api.name}'s error shape`);
      }
    }
    assert.equal(apiForPath('/v1/v1/chat/completions'), undefined, 'only one /v1 is added or taken away');
    const unknown = await fetch(`${root}/v1/nothing`, { method: 'POST', body: '{}' });
    assert.equal(unknown.status, 404);
  } finally {
    await sim.close();
  }
});

const chunk = (phase: Chunk['phase'], text: string): Chunk => ({ phase, text, tokens: 1, delayMs: 0 });

function generation(chunks: Chunk[]): Generation {
  const text = (phase: Chunk['phase']): string => chunks.filter((c) => c.phase === phase).map((c) => c.text).join('');
  const count = (phase: Chunk['phase']): number => chunks.filter((c) => c.phase === phase).length;
  return {
    promptTokens: 10,
    cachedTokens: 0,
    prefillMs: 0,
    chunks,
    thinkingTokens: count('thinking'),
    answerTokens: count('answer'),
    thinkingText: text('thinking'),
    answerText: text('answer'),
    toolArguments: '',
    toolTokens: 0,
    finishReason: 'stop',
    thinkingClosed: true,
  };
}

/** An encoder that writes what it is given, readably. */
const recorder: StreamEncoder = {
  start: () => ['start'],
  keepAlive: () => undefined,
  chunk: (c, final) => [`${c.phase}:${c.text}${final ? ` final(${final.completionTokens})` : ''}`],
  finish: (s) => [`finish(${s.finishReason}, cached ${s.cachedTokens})`],
  streamError: (m) => [`error(${m})`],
  garbage: () => ['garbage'],
};

function memorySink(): FrameSink & { frames: string[]; closed: () => void } {
  const frames: string[] = [];
  const onClose: (() => void)[] = [];
  let ended = false;
  const close = (): void => {
    ended = true;
    for (const fn of onClose) fn();
  };
  return {
    frames,
    closed: close,
    open: () => undefined,
    write: (f) => void frames.push(f),
    end: close,
    endEarly: close,
    reset: close,
    destroy: close,
    get finished() {
      return ended;
    },
    onClose: (fn) => void onClose.push(fn),
  };
}

/** An engine that hands the player its events to drive by hand, and records what the player asks of it. */
function handEngine(): SimEngine & { events?: ServeEvents; job?: ServeJob; calls: string[] } {
  const e: SimEngine & { events?: ServeEvents; job?: ServeJob; calls: string[] } = {
    calls: [],
    promptError: () => undefined,
    prefix: () => ({ cachedTokens: 0 }),
    planningProfile: (p) => p,
    pressure: () => 0,
    metricsText: () => '',
    stop: () => undefined,
    serve(job, events) {
      e.job = job;
      e.events = events;
      return { cachedTokens: 4, halt: () => void e.calls.push('halt'), cancel: () => void e.calls.push('cancel') };
    },
  };
  return e;
}

test('the player sends what any engine says is due: chunks due together go out one per phase, the last carries the totals, and the end frees the engine', async () => {
  const engine = handEngine();
  const sink = memorySink();
  const gen = generation([chunk('thinking', 'a'), chunk('thinking', 'b'), chunk('answer', 'c'), chunk('answer', 'd')]);
  const running = playStream({ sink, encoder: recorder, profile: resolveProfile('chat'), gen, engine, sendTimes: [], plannedOutputTokens: 4 });
  assert.deepEqual(engine.job && { streaming: engine.job.streaming, planned: engine.job.plannedOutputTokens }, { streaming: true, planned: 4 });
  engine.events!.firstToken();
  engine.events!.chunks(3);
  engine.events!.chunks(1);
  engine.events!.done();
  assert.deepEqual(sink.frames, ['start', 'thinking:ab', 'answer:c', 'answer:d final(4)', 'finish(stop, cached 4)']);
  await running.ended;
  assert.deepEqual(engine.calls, ['cancel'], 'the response ended, so the engine freed the request');
});

test('a mid-stream stall halts the engine at its chunk but frees it only when the response is over', async () => {
  const engine = handEngine();
  const sink = memorySink();
  const gen = generation([chunk('answer', 'a'), chunk('answer', 'b'), chunk('answer', 'c')]);
  const running = playStream({ sink, encoder: recorder, profile: resolveProfile('chat'), gen, fault: { kind: 'stall', arg: 1 }, engine, sendTimes: [], plannedOutputTokens: 3 });
  engine.events!.firstToken();
  engine.events!.chunks(3);
  assert.deepEqual(sink.frames, ['start', 'answer:a']);
  assert.deepEqual(engine.calls, ['halt']);
  engine.events!.chunks(1);
  engine.events!.done();
  assert.deepEqual(sink.frames, ['start', 'answer:a'], 'nothing is sent after the stall');
  running.abort();
  await running.ended;
  assert.deepEqual(engine.calls, ['halt', 'cancel']);
});
