/// <reference types="mocha" />
/**
 * The results panel in the extension host of a real VS Code: one panel per scenario beside the
 * editor (focus kept), reused by the next run, past runs opened and compared through the panel's
 * commands, and the HTML export written self-contained.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { RunOutcome } from '../../../src/extension/run/run-controller';
import { api, fixture, open, until, workspaceDir } from '../helpers';

function resultTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('llmload.results'));
}

suite('llmload results panel', () => {
  const runDirs: string[] = [];

  suiteSetup(async () => {
    await api();
  });

  test('registers the panel commands', async () => {
    const commands = await vscode.commands.getCommands(true);
    for (const c of ['llmload.panel.open', 'llmload.panel.compare', 'llmload.panel.exportReport']) assert.ok(commands.includes(c), c);
  });

  test('a run opens one panel beside the scenario without taking focus, and the next run reuses it', async function () {
    this.timeout(120_000);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const editor = await open('quickstart.llmload');
    for (let i = 0; i < 2; i++) {
      const outcome = await vscode.commands.executeCommand<RunOutcome>('llmload.runScenario', fixture('quickstart.llmload'));
      assert.equal(outcome?.status, 'finished', outcome?.message);
      runDirs.push(outcome.runDir!);
      const tabs = await until('the results panel tab', () => (resultTabs().length > 0 ? resultTabs() : undefined));
      assert.equal(tabs.length, 1, `one panel for the scenario (run ${i + 1})`);
      assert.notEqual(tabs[0]!.group.viewColumn, editor.viewColumn, 'beside the editor');
      assert.equal(vscode.window.activeTextEditor?.document.uri.fsPath, editor.document.uri.fsPath, 'the scenario keeps the focus');
    }
  });

  test('Export HTML Report writes one self-contained file', async function () {
    this.timeout(60_000);
    assert.ok(runDirs.length > 0, 'a run happened');
    const file = path.join(workspaceDir(), 'panel-report.html');
    const written = await vscode.commands.executeCommand<string>('llmload.panel.exportReport', runDirs[0], file);
    assert.equal(written, file);
    const html = readFileSync(file, 'utf8');
    assert.match(html, /Content-Security-Policy/);
    assert.match(html, /id="llmload-report-data"/);
    assert.ok(html.length > 100_000, 'the app is inlined');
  });

  test('a past run opens in the scenario panel; two runs compare in it', async function () {
    this.timeout(60_000);
    assert.equal(runDirs.length, 2);
    await vscode.commands.executeCommand('llmload.panel.open', runDirs[0]);
    assert.equal(resultTabs().length, 1, 'the same panel shows the past run');
    await vscode.commands.executeCommand('llmload.panel.compare', runDirs[0], runDirs[1]);
    assert.equal(resultTabs().length, 1);
    assert.ok(existsSync(path.join(runDirs[1]!, 'summary.json')));
  });
});
