/// <reference types="mocha" />
import assert from 'node:assert/strict';
import * as vscode from 'vscode';

suite('smoke', () => {
  test('the extension activates and registers its commands', async () => {
    const ext = vscode.extensions.getExtension('llmload.llmload');
    assert.ok(ext, 'the extension under development is loaded');
    await ext.activate();
    const commands = await vscode.commands.getCommands(true);
    assert.ok(commands.includes('llmload.runScenario'));
  });
});
