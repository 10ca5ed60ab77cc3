// The mirror's bookkeeping worker runs at a lower CPU priority than the proxy's thread (nice 10,
// that thread alone), so the proxy goes first when both want a core; LLMLOAD_MIRROR_WORKER_NICE=0
// leaves it at the normal priority. Linux only: threads have their own nice values there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BOOKKEEPING_NICE } from '../../src/core/mirror/thread-priority';
import { threadId } from '../../src/core/load/thread-priority';
import { startMirror } from '../../src/core/mirror/session';
import { startSimulator } from '../../src/core/sim';
import { threadNices, threadPrioritiesHere } from '../helpers/thread-nices';

const linux = threadPrioritiesHere;

test('threadId names the calling thread: the main thread is the process', { skip: !linux }, () => {
  assert.equal(threadId(), process.pid);
});

test("the mirror's bookkeeping worker runs at nice 10 and no other thread changes; LLMLOAD_MIRROR_WORKER_NICE=0 leaves it alone", { skip: !linux }, async () => {
  const p = await startSimulator({ profile: 'chat?decode_tokens_per_s=2000' });
  const before = threadNices();
  const mainNice = before.get(process.pid);
  const niced = (): number[] => [...threadNices()].filter(([tid, n]) => n === BOOKKEEPING_NICE && before.get(tid) !== BOOKKEEPING_NICE).map(([tid]) => tid);
  const mirrors: Array<Awaited<ReturnType<typeof startMirror>>> = [];
  try {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'llmload-mirror-nice-'));
    const m = await startMirror({ primary: p.url, shadow: p.url, sample: 0, out });
    mirrors.push(m);
    const lowered = niced();
    assert.equal(lowered.length, 1, `one thread at nice ${BOOKKEEPING_NICE}: ${JSON.stringify([...threadNices()])}`);
    assert.notEqual(lowered[0], process.pid, 'not the proxy (main) thread');
    assert.equal(threadNices().get(process.pid), mainNice, "the proxy thread's priority is unchanged");
    await mirrors.pop()!.close();

    process.env.LLMLOAD_MIRROR_WORKER_NICE = '0';
    try {
      const out2 = fs.mkdtempSync(path.join(os.tmpdir(), 'llmload-mirror-nice-'));
      mirrors.push(await startMirror({ primary: p.url, shadow: p.url, sample: 0, out: out2 }));
      assert.deepEqual(niced(), [], 'no thread lowered');
    } finally {
      delete process.env.LLMLOAD_MIRROR_WORKER_NICE;
    }
  } finally {
    for (const m of mirrors) await m.close();
    await p.close();
  }
});
