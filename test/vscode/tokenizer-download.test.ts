/// <reference types="mocha" />
/**
 * A scenario naming a Hugging Face model id that is not in the local cache: the editor asks once
 * per id per session, and downloads nothing until the user agrees. Clicking a notification's button
 * is not possible from the extension host, so the question goes through the injectable
 * `language.askDownloadConsent` (the default shows the [Download] [Not now] notification); the
 * tests answer it. The hub is a loopback stand-in (LLMLOAD_HF_ENDPOINT) and the cache a temp folder
 * (HF_HUB_CACHE), both read from the extension host's environment at request time.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, existsSync, writeFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import * as vscode from 'vscode';
import type { DownloadDecision } from '../../src/extension/language-features';
import { api, until, workspaceDir } from './helpers';

const COMMIT = 'e'.repeat(40);

function scenarioText(id: string): string {
  return `scenario "hub tokenizer"
target builtin:chat
api openai-chat
model sim-chat
tokenizer ${id}

load users 1 for 1s

prompt "greeting"
  user Hello, world! How many tokens is this?
  max_tokens 16
`;
}

suite('llmload: downloading a Hugging Face tokenizer needs consent', () => {
  let hub: Server;
  let hubUrl = '';
  const served: string[] = [];
  let cache = '';
  const saved = { endpoint: process.env.LLMLOAD_HF_ENDPOINT, cache: process.env.HF_HUB_CACHE };
  let savedAsk: ((id: string) => PromiseLike<DownloadDecision | undefined>) | undefined;

  suiteSetup(async () => {
    const { language } = await api();
    savedAsk = language.askDownloadConsent;
    const ext = vscode.extensions.getExtension('llmload.llmload')!;
    const dir = path.join(ext.extensionPath, 'dist', 'tokenizers', 'deepseek-v3');
    const files: Record<string, Buffer> = {
      'tokenizer.json': gunzipSync(readFileSync(path.join(dir, 'tokenizer.json.gz'))),
      'tokenizer_config.json': gunzipSync(readFileSync(path.join(dir, 'tokenizer_config.json.gz'))),
    };
    hub = createServer((req, res) => {
      served.push(req.url ?? '');
      const m = /^\/acme\/[\w.-]+\/resolve\/main\/([\w.]+)$/.exec(req.url ?? '');
      const body = m ? files[m[1]!] : undefined;
      if (!body) return void res.writeHead(404).end('not found');
      res.writeHead(200, { 'x-repo-commit': COMMIT }).end(body);
    });
    await new Promise<void>((resolve) => hub.listen(0, '127.0.0.1', () => resolve()));
    hubUrl = `http://127.0.0.1:${(hub.address() as AddressInfo).port}`;
    cache = mkdtempSync(path.join(os.tmpdir(), 'llmload-vscode-hf-'));
    process.env.LLMLOAD_HF_ENDPOINT = hubUrl;
    process.env.HF_HUB_CACHE = cache;
  });

  suiteTeardown(async () => {
    const { language } = await api();
    if (savedAsk) language.askDownloadConsent = savedAsk;
    for (const [k, v] of [['LLMLOAD_HF_ENDPOINT', saved.endpoint], ['HF_HUB_CACHE', saved.cache]] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    hub.closeAllConnections();
    await new Promise<void>((resolve) => hub.close(() => resolve()));
    rmSync(cache, { recursive: true, force: true });
  });

  async function openScenario(name: string, id: string): Promise<vscode.TextDocument> {
    const file = path.join(workspaceDir(), name);
    writeFileSync(file, scenarioText(id));
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
    await vscode.window.showTextDocument(doc);
    return doc;
  }

  const repoFiles = (id: string): string[] => {
    const repo = path.join(cache, 'models--' + id.replace('/', '--'));
    return existsSync(repo) ? readdirSync(repo, { recursive: true }).map(String) : [];
  };

  test('Not now: asked once, nothing downloaded, remembered for the session, the hints say why', async () => {
    const { language } = await api();
    const id = 'acme/consent-no';
    const asked: string[] = [];
    language.askDownloadConsent = async (x) => {
      asked.push(x);
      return 'not-now';
    };
    served.length = 0;
    const doc = await openScenario('hub-no.llmload', id);
    await until('the consent question', () => asked.includes(id));
    assert.equal(await language.downloadConsent(id)!.done, 'declined');
    assert.deepEqual(served, [], 'the hub was not contacted');
    assert.deepEqual(repoFiles(id), [], 'nothing in the Hugging Face cache');

    const result = await until('hints after Not now', async () => {
      const r = await language.tokenHints(doc);
      return r && /Not now/.test(r.note ?? '') ? r : undefined;
    });
    assert.equal(result.tokenizer, undefined);
    assert.equal(result.tokenizerProblem?.code, 'needs-download');
    assert.equal(result.hints.length, 1);
    assert.ok(result.hints[0]!.warn);
    assert.match(result.hints[0]!.label, /tokenizer acme\/consent-no is not in the Hugging Face cache/);
    assert.match(result.hints[0]!.tooltip, /You chose Not now/);

    // Counting again (an edit, Select Tokenizer, a settings change) does not ask again.
    language.recount();
    await until('hints after recount', () => language.tokenHints(doc));
    assert.deepEqual(asked, [id]);
    assert.deepEqual(served, []);
  });

  test('Download: nothing is fetched while the question is open; on Download the files land in the cache and the hints count', async () => {
    const { language } = await api();
    const id = 'acme/consent-yes';
    const asked: string[] = [];
    let answer!: (d: DownloadDecision) => void;
    language.askDownloadConsent = (x) => {
      asked.push(x);
      return new Promise<DownloadDecision>((resolve) => (answer = resolve));
    };
    served.length = 0;
    const doc = await openScenario('hub-yes.llmload', id);
    await until('the consent question', () => asked.includes(id));
    assert.equal(language.downloadConsent(id)?.state, 'asking');
    // The question stays open while the hints are counted again: still nothing is fetched.
    await until('hints while asking', () => language.tokenHints(doc));
    language.recount();
    await until('hints while asking, again', () => language.tokenHints(doc));
    assert.deepEqual(served, [], 'no download before the answer');
    assert.deepEqual(repoFiles(id), []);
    assert.deepEqual(asked, [id], 'asked once');

    answer('download');
    assert.equal(await language.downloadConsent(id)!.done, 'downloaded');
    assert.ok((served as string[]).includes('/acme/consent-yes/resolve/main/tokenizer.json'), served.join(', '));
    const snap = path.join(cache, 'models--acme--consent-yes', 'snapshots', COMMIT);
    assert.ok(existsSync(path.join(snap, 'tokenizer.json')) && existsSync(path.join(snap, 'tokenizer_config.json')));

    const counted = await until('counts with the downloaded tokenizer', async () => {
      const r = await language.tokenHints(doc);
      return r?.tokenizer ? r : undefined;
    });
    assert.deepEqual(counted.tokenizer, { name: id, source: 'hf-cache', chosenBy: 'scenario' });
    assert.ok(counted.hints.some((h) => /^⟵ \d+ tok/.test(h.label)), counted.hints.map((h) => h.label).join(' | '));
    const inlay = await until('inlay hints in the editor', async () => {
      const hints = await vscode.commands.executeCommand<vscode.InlayHint[]>('vscode.executeInlayHintProvider', doc.uri, new vscode.Range(0, 0, doc.lineCount, 0));
      return hints.some((h) => /tok/.test(String(h.label))) ? hints : undefined;
    });
    assert.ok(inlay.length > 0);
    assert.deepEqual(asked, [id]);
  });

  test('offline: the accepted download fails fast, and the hints show the failure instead of hanging', async () => {
    const { language } = await api();
    const id = 'acme/consent-offline';
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', () => resolve()));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    process.env.LLMLOAD_HF_ENDPOINT = `http://127.0.0.1:${port}`;
    try {
      language.askDownloadConsent = async () => 'download';
      const doc = await openScenario('hub-offline.llmload', id);
      const consent = await until('the consent', () => language.downloadConsent(id));
      assert.equal(await consent.done, 'failed');
      assert.match(consent.error ?? '', /cannot download tokenizer 'acme\/consent-offline'.*looks offline/);
      const result = await until('hints showing the failure', async () => {
        const r = await language.tokenHints(doc);
        return r && /could not be downloaded/.test(r.hints[0]?.label ?? '') ? r : undefined;
      });
      assert.match(result.hints[0]!.tooltip, /The download failed: cannot download/);
      assert.deepEqual(repoFiles(id), []);
    } finally {
      process.env.LLMLOAD_HF_ENDPOINT = hubUrl;
    }
  });
});
