/// <reference types="mocha" />
/** In a workspace that is not trusted, runs are refused and nothing is written. */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { RunOutcome } from '../../src/extension/run/run-controller';
import { api, fixture, open, until, workspaceDir } from './helpers';

suite('llmload in an untrusted workspace', () => {
  suiteSetup(async () => {
    await api();
  });

  test('the workspace is not trusted', () => {
    assert.equal(vscode.workspace.isTrusted, false);
  });

  test('Run Scenario is refused and starts no engine', async () => {
    const { runs } = await api();
    let started = false;
    const sub = runs.onDidStartRun(() => (started = true));
    const outcome = await vscode.commands.executeCommand<RunOutcome>('llmload.runScenario', fixture('quickstart.llmload'));
    sub.dispose();
    assert.equal(outcome.status, 'refused');
    assert.match(outcome.message ?? '', /untrusted workspace/);
    assert.equal(started, false);
    assert.equal(runs.running, false);
    assert.equal(existsSync(path.join(workspaceDir(), '.llmload')), false, 'no results folder is created');
  });

  test('language features still work', async () => {
    const editor = await open('broken.llmload');
    await until('diagnostics', () => vscode.languages.getDiagnostics(editor.document.uri).length > 0);
  });
});
