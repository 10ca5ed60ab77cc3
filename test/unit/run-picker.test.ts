// Run pickers name a run by its scenario and verdict, its age and request count, not its folder.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { age, runPickItem } from '../../src/extension/run/run-picker';

test('a finished run: scenario · verdict, then age and requests; a stopped one says STOPPED', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'llmload-pick-'));
  try {
    const write = (name: string, ended_by: string, pass: boolean) => {
      const dir = path.join(tmp, name);
      fs.mkdirSync(dir);
      fs.writeFileSync(path.join(dir, 'summary.json'), JSON.stringify({ scenario: 'Chat', started_at: '2026-12-06T10:00:00Z', duration_s: 21.4, ended_by, requests: { total: 1234 }, expectations: [{ text: 'ttft p95 < 1s', pass, actual: 1, actual_text: '1ms' }] }));
      return dir;
    };
    const now = Date.parse('2026-12-06T10:05:00Z');
    const a = runPickItem(write('20261206T100000Z-chat', 'completed', true), now);
    assert.equal(a.label, 'Chat · PASS');
    assert.equal(a.description, '5 min ago · 1,234 requests · 21s');
    assert.match(a.detail, /^20261206T100000Z-chat in /);
    assert.equal(runPickItem(write('b', 'completed', false), now).label, 'Chat · FAIL');
    assert.match(runPickItem(write('c', 'completed', false), now).description, /1 failed/);
    assert.equal(runPickItem(write('d', 'stopped', true), now).label, 'Chat · STOPPED');
    assert.equal(runPickItem(path.join(tmp, 'missing'), now).label, 'missing');
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

test('ages', () => {
  assert.equal(age(5_000), '5s ago');
  assert.equal(age(3 * 3600_000), '3 h ago');
  assert.equal(age(2 * 86_400_000), '2 d ago');
});
