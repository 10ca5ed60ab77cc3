// Where the mirror's bookkeeping runs: on the proxy's thread on 2 cores or fewer (a worker would take
// turns with the proxy), on a worker thread above; LLMLOAD_MIRROR_ONE_THREAD=1/0 overrides the rule.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ONE_THREAD_MAX_CORES, placeBookkeeping } from '../../src/core/mirror/bookkeeping-placement';

test('two cores or fewer: the proxy thread; more: a worker', () => {
  assert.equal(ONE_THREAD_MAX_CORES, 2);
  assert.deepEqual(placeBookkeeping(1, undefined), { oneThread: true, reason: 'bookkeeping on the proxy thread: 1 core, so a worker would take turns with the proxy for them' });
  assert.equal(placeBookkeeping(2, undefined).oneThread, true);
  assert.match(placeBookkeeping(2, undefined).reason, /2 cores, so a worker would take turns/);
  assert.deepEqual(placeBookkeeping(3, undefined), { oneThread: false, reason: 'bookkeeping on a worker thread (3 cores)' });
  assert.equal(placeBookkeeping(16, '').oneThread, false, 'an empty variable is no override');
});

test('LLMLOAD_MIRROR_ONE_THREAD=1 or =0 overrides the rule either way', () => {
  assert.equal(placeBookkeeping(16, '1').oneThread, true);
  assert.match(placeBookkeeping(16, '1').reason, /LLMLOAD_MIRROR_ONE_THREAD=1/);
  assert.equal(placeBookkeeping(2, '0').oneThread, false);
  assert.match(placeBookkeeping(2, '0').reason, /LLMLOAD_MIRROR_ONE_THREAD=0/);
});
