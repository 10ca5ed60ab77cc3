// Fault injection over real sockets: every fault kind, on demand (header) and at a seeded rate (profile).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FAULT_KINDS, defineProfile, startSimulator, type RunningSimulator, type SimProfile } from '../../src/core/sim/index';
import { fastProfile } from '../helpers/sim';

const FAST: SimProfile = fastProfile([4, 4], [6, 6]);

async function withSim(fn: (sim: RunningSimulator) => Promise<void>, profile: SimProfile = FAST, seed = 9): Promise<void> {
  const sim = await startSimulator({ profile, seed });
  try {
    await fn(sim);
  } finally {
    await sim.close();
  }
}

const body = { messages: [{ role: 'user', content: 'What is the capital of France?' }], stream: true };

function chat(sim: RunningSimulator, fault?: string, extra: Record<string, unknown> = {}, signal?: AbortSignal): Promise<Response> {
  return fetch(`${sim.url}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(fault ? { 'x-llmload-sim-fault': fault } : {}) },
    body: JSON.stringify({ ...body, ...extra }),
    signal,
  });
}

const dataFrames = (text: string): string[] =>
  text
    .split('\n\n')
    .filter((f) => f.startsWith('data: '))
    .map((f) => f.slice(6));

const deltas = (frames: string[]): Record<string, unknown>[] =>
  frames.filter((f) => f !== '[DONE]').map((f) => JSON.parse(f)).filter((c) => c.choices?.length).map((c) => c.choices[0].delta);

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

test('http_429 answers 429 with retry-after and an OpenAI error body', async () => {
  await withSim(async (sim) => {
    const res = await chat(sim, 'http_429');
    assert.equal(res.status, 429);
    assert.equal(res.headers.get('retry-after'), '1');
    assert.equal(((await res.json()) as any).error.type, 'rate_limit_exceeded');
    const custom = await chat(sim, 'http_429=7');
    assert.equal(custom.headers.get('retry-after'), '7');
    await custom.arrayBuffer();
  });
});

test('http_500 and http_400 answer with those statuses and error JSON', async () => {
  await withSim(async (sim) => {
    const five = await chat(sim, 'http_500');
    assert.equal(five.status, 500);
    assert.equal(((await five.json()) as any).error.type, 'server_error');
    const four = await chat(sim, 'http_400');
    assert.equal(four.status, 400);
    assert.equal(((await four.json()) as any).error.type, 'invalid_request_error');
  });
});

test('reset destroys the connection mid-stream, after some chunks', async () => {
  await withSim(async (sim) => {
    const res = await chat(sim, 'reset');
    assert.equal(res.status, 200);
    const reader = res.body!.getReader();
    let received = '';
    await assert.rejects(async () => {
      for (;;) {
        const r = await reader.read();
        if (r.done) break;
        received += new TextDecoder().decode(r.value);
      }
    });
    assert.ok(!received.includes('[DONE]'));
    assert.ok(deltas(dataFrames(received)).length <= 4, 'role chunk + at most 3 output chunks before the reset');
  });
});

test('stall stops sending mid-stream but keeps the socket open', async () => {
  await withSim(async (sim) => {
    const ac = new AbortController();
    const res = await chat(sim, 'stall=2', {}, ac.signal);
    const id = res.headers.get('x-llmload-sim-response-id')!;
    const reader = res.body!.getReader();
    let received = '';
    let ended = false;
    const pump = (async () => {
      try {
        for (;;) {
          const r = await reader.read();
          if (r.done) {
            ended = true;
            break;
          }
          received += new TextDecoder().decode(r.value);
        }
      } catch {
        // aborted below
      }
    })();
    // At 5000 tokens/s the whole answer would take 2 ms; 300 ms of silence is the stall.
    await sleep(300);
    const sentDuringStall = sim.sendLog(id)!.length;
    await sleep(100);
    assert.equal(ended, false, 'the response is still open');
    assert.equal(sim.sendLog(id)!.length, sentDuringStall, 'nothing more was sent');
    assert.equal(deltas(dataFrames(received)).length, 3, 'role chunk + 2 output chunks (stall=2)');
    ac.abort();
    await pump;
  });
});

test('disconnect ends the response cleanly but without finish chunk or [DONE]', async () => {
  await withSim(async (sim) => {
    const text = await (await chat(sim, 'disconnect')).text();
    const frames = dataFrames(text);
    assert.ok(!frames.includes('[DONE]'));
    assert.equal(deltas(frames).length, 4, 'role chunk + fault_after_chunks (3) output chunks');
  });
});

test('bad_stream sends an unparseable frame inside an otherwise complete stream', async () => {
  await withSim(async (sim) => {
    const frames = dataFrames(await (await chat(sim, 'bad_stream')).text());
    const bad = frames.filter((f) => {
      if (f === '[DONE]') return false;
      try {
        JSON.parse(f);
        return false;
      } catch {
        return true;
      }
    });
    assert.equal(bad.length, 1);
    assert.equal(frames.at(-1), '[DONE]');
  });
});

test('stream_error puts an OpenAI error object inside the 200 stream', async () => {
  await withSim(async (sim) => {
    const res = await chat(sim, 'stream_error');
    assert.equal(res.status, 200);
    const frames = dataFrames(await res.text());
    const err = JSON.parse(frames.at(-2)!);
    assert.deepEqual(Object.keys(err), ['error']);
    assert.equal(typeof err.error.message, 'string');
    assert.ok(!frames.some((f) => f.includes('"finish_reason":"stop"')));
  });
});

test('empty_answer: thinking, then stop, with no content', async () => {
  await withSim(async (sim) => {
    const frames = dataFrames(await (await chat(sim, 'empty_answer')).text());
    const d = deltas(frames);
    assert.ok(d.slice(1, -1).every((x) => 'reasoning_content' in x));
    assert.equal(d.slice(1, -1).length, 4);
    assert.ok(frames.some((f) => f.includes('"finish_reason":"stop"')));
    assert.equal(frames.at(-1), '[DONE]');
  });
});

test('truncated_thinking: finish_reason length while still thinking (and no closing </think> in tags mode)', async () => {
  await withSim(async (sim) => {
    const frames = dataFrames(await (await chat(sim, 'truncated_thinking')).text());
    const d = deltas(frames);
    assert.ok(d.slice(1, -1).length >= 1);
    assert.ok(d.slice(1, -1).every((x) => 'reasoning_content' in x));
    assert.ok(frames.some((f) => f.includes('"finish_reason":"length"')));
  });
  await withSim(async (sim) => {
    const text = deltas(dataFrames(await (await chat(sim, 'truncated_thinking')).text()))
      .map((x) => (x.content as string | undefined) ?? '')
      .join('');
    assert.match(text, /^<think>/);
    assert.ok(!text.includes('</think>'));
  }, defineProfile(FAST, { reasoning_format: 'think_tags', thinking_tokens: [0, 0] }));
});

test('slow_ttft delays the first token by the given ms, with keep-alives meanwhile', async () => {
  await withSim(
    async (sim) => {
      const res = await chat(sim, 'slow_ttft=300');
      const id = res.headers.get('x-llmload-sim-response-id')!;
      const frames = (await res.text()).split('\n\n').filter((f) => f !== '');
      const firstToken = frames.findIndex((f) => f.includes('reasoning_content'));
      assert.ok(frames.slice(1, firstToken).length >= 1);
      assert.ok(frames.slice(1, firstToken).every((f) => f === ': keep-alive'));
      const sent = sim.sendLog(id)!;
      // The server's own send times: the first token left at least ~300 ms after the role chunk.
      assert.ok(sent[firstToken] - sent[0] >= 290, `first token after ${sent[firstToken] - sent[0]} ms`);
    },
    defineProfile(FAST, { keepalive_interval_ms: 20 }),
  );
});

test('an unknown fault or a bad argument is a 400 naming the known faults', async () => {
  await withSim(async (sim) => {
    const res = await chat(sim, 'explode');
    assert.equal(res.status, 400);
    const msg = ((await res.json()) as any).error.message as string;
    for (const kind of FAULT_KINDS) assert.ok(msg.includes(kind), kind);
    const bad = await chat(sim, 'slow_ttft=soon');
    assert.equal(bad.status, 400);
    await bad.arrayBuffer();
  });
});

test('non-streaming requests get the faults too', async () => {
  await withSim(async (sim) => {
    const nonStream = (fault: string) => chat(sim, fault, { stream: false });
    assert.equal((await nonStream('http_500')).status, 500);
    const bad = await nonStream('bad_stream');
    await assert.rejects(bad.json());
    await assert.rejects(async () => (await nonStream('disconnect')).text());
    await assert.rejects(async () => (await nonStream('reset')).text());
    const empty = (await (await nonStream('empty_answer')).json()) as any;
    assert.equal(empty.choices[0].message.content, '');
  });
});

test('fault_rates give a seeded share of requests a fault, the same for the same seed', async () => {
  const profile = defineProfile(FAST, { fault_rates: { http_500: 0.3, http_429: 0.2 } });
  const statuses = async (seed: number): Promise<number[]> => {
    const out: number[] = [];
    await withSim(
      async (sim) => {
        for (let i = 0; i < 60; i++) {
          const res = await chat(sim, undefined, { stream: false });
          await res.arrayBuffer();
          out.push(res.status);
        }
      },
      profile,
      seed,
    );
    return out;
  };
  const a = await statuses(1);
  assert.deepEqual(await statuses(1), a);
  const count = (s: number) => a.filter((x) => x === s).length;
  assert.ok(count(500) >= 6 && count(500) <= 32, `500s: ${count(500)}`);
  assert.ok(count(429) >= 3 && count(429) <= 24, `429s: ${count(429)}`);
  assert.ok(count(200) >= 15, `200s: ${count(200)}`);
  assert.notDeepEqual(await statuses(2), a);
});

test('a fault header overrides the profile rates', async () => {
  await withSim(
    async (sim) => {
      const res = await chat(sim, 'http_400');
      assert.equal(res.status, 400);
      await res.arrayBuffer();
    },
    defineProfile(FAST, { fault_rates: { http_500: 1 } }),
  );
});

test('a fault can also be asked for in the body, under llmload_sim', async () => {
  await withSim(async (sim) => {
    const res = await chat(sim, undefined, { stream: false, llmload_sim: { fault: 'http_429=3' } });
    assert.equal(res.status, 429);
    assert.equal(res.headers.get('retry-after'), '3');
    await res.arrayBuffer();
    const tags = await chat(sim, undefined, { stream: false, llmload_sim: { reasoning_format: 'think_tags' } });
    assert.match(((await tags.json()) as any).choices[0].message.content, /^<think>/);
  });
});

test('a profile spec with fault rates applies them from startSimulator', async () => {
  const sim = await startSimulator({ profile: 'chat?fault.http_500=1' });
  try {
    const res = await chat(sim);
    assert.equal(res.status, 500);
    await res.arrayBuffer();
  } finally {
    await sim.close();
  }
});
