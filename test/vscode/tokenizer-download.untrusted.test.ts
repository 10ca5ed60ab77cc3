/// <reference types="mocha" />
/** In a workspace that is not trusted, a Hugging Face id that is not cached is never offered for download. */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { api, until, workspaceDir } from './helpers';

suite('llmload: no tokenizer download in an untrusted workspace', () => {
  test('the question is never asked and the hints say why', async () => {
    assert.equal(vscode.workspace.isTrusted, false);
    const { language } = await api();
    const saved = language.askDownloadConsent;
    const savedEndpoint = process.env.LLMLOAD_HF_ENDPOINT;
    // Nothing listens here: a download attempt would fail, but none may be made at all.
    process.env.LLMLOAD_HF_ENDPOINT = 'http://127.0.0.1:9';
    const asked: string[] = [];
    language.askDownloadConsent = async (id) => {
      asked.push(id);
      return 'download';
    };
    try {
      const file = path.join(workspaceDir(), 'hub-untrusted.llmload');
      writeFileSync(file, 'scenario "u"\ntarget builtin:chat\napi openai-chat\nmodel sim-chat\ntokenizer acme/untrusted-tok\n\nload users 1 for 1s\n\nprompt "p"\n  user Hi\n');
      const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
      await vscode.window.showTextDocument(doc);
      const result = await until('hints', async () => {
        const r = await language.tokenHints(doc);
        return r?.tokenizerProblem ? r : undefined;
      });
      assert.equal(result.tokenizerProblem?.code, 'needs-download');
      assert.match(result.note ?? '', /not trusted/);
      assert.deepEqual(asked, []);
      assert.equal(language.downloadConsent('acme/untrusted-tok'), undefined);
    } finally {
      language.askDownloadConsent = saved;
      if (savedEndpoint === undefined) delete process.env.LLMLOAD_HF_ENDPOINT;
      else process.env.LLMLOAD_HF_ENDPOINT = savedEndpoint;
    }
  });
});
