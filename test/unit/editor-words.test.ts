// Failure messages shown inside VS Code name the editor's fix (Select Environment, the settings),
// not the CLI flag the core's message names for the terminal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inEditorWords } from '../../src/extension/run/editor-words';
import { RunStartError } from '../../src/core/run/runner';

test('an unreachable target: Select Environment instead of --target', () => {
  const core = "cannot reach the target http://127.0.0.1:9: connect ECONNREFUSED. Is the server running, and is the URL right? (--target URL overrides the scenario's target)";
  const m = inEditorWords(core);
  assert.doesNotMatch(m, /--target/);
  assert.match(m, /cannot reach the target http:\/\/127\.0\.0\.1:9: connect ECONNREFUSED\. Is the server running, and is the URL right\?/);
  assert.match(m, /llmload: Select Environment/);
  assert.match(m, /llmload\.environments/);
  assert.ok(new RunStartError(core) instanceof Error);
});

test('other messages are kept as written', () => {
  assert.equal(inEditorWords('the scenario has errors'), 'the scenario has errors');
  assert.doesNotMatch(inEditorWords('run again with --download-tokenizer'), /--download-tokenizer/);
});
