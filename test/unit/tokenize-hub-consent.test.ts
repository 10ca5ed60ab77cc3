// The editor's side of downloading a Hugging Face tokenizer, without VS Code: token hints never
// download and say why counts are missing; the language worker downloads only when asked by a
// `download` request (which the editor sends after the user agreed), from a loopback stand-in hub;
// offline it fails fast with the core's message. Also where the hub and its cache are looked for.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { defaultHubCache, hubEndpoint } from '../../src/core/tokenize/hub';
import { computeTokenHints } from '../../src/extension/language/token-hints';
import { LanguageWorkerClient, LanguageWorkerError } from '../../src/extension/language/worker-client';
import { bundledTokenizerJson } from '../fixtures/tokenize/reference';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'llmload-hub-consent-'));
const DS_JSON = bundledTokenizerJson('deepseek-v3');
const DS_CONFIG = path.join(path.dirname(DS_JSON), 'tokenizer_config.json');
const COMMIT = 'd'.repeat(40);

let hub: Server;
let hubUrl = '';
const asked: string[] = [];
const client = new LanguageWorkerClient(path.join(__dirname, '../../src/extension/language/worker.ts'));

before(async () => {
  hub = createServer((req, res) => {
    asked.push(req.url ?? '');
    const files: Record<string, string> = {
      '/acme/editor-tok/resolve/main/tokenizer.json': DS_JSON,
      '/acme/editor-tok/resolve/main/tokenizer_config.json': DS_CONFIG,
    };
    const f = files[req.url ?? ''];
    if (!f) return void res.writeHead(404).end('not found');
    res.writeHead(200, { 'x-repo-commit': COMMIT }).end(readFileSync(f));
  });
  await new Promise<void>((resolve) => hub.listen(0, '127.0.0.1', () => resolve()));
  hubUrl = `http://127.0.0.1:${(hub.address() as AddressInfo).port}`;
});

after(async () => {
  await client.close();
  hub.closeAllConnections();
  await new Promise<void>((resolve) => hub.close(() => resolve()));
  rmSync(tmp, { recursive: true, force: true });
});

const TEXT = `scenario "consent"
target builtin:chat
api openai-chat
model sim-chat
tokenizer acme/editor-tok

load users 1 for 1s

prompt "q"
  user Count me, please.
`;
const FILE = path.join(tmp, 'consent.llmload');

describe('hub endpoint and cache from the environment', () => {
  it('LLMLOAD_HF_ENDPOINT wins over HF_ENDPOINT, which wins over huggingface.co; trailing slashes go', () => {
    assert.equal(hubEndpoint({ LLMLOAD_HF_ENDPOINT: 'http://127.0.0.1:1/', HF_ENDPOINT: 'http://127.0.0.1:2' }), 'http://127.0.0.1:1');
    assert.equal(hubEndpoint({ HF_ENDPOINT: 'http://127.0.0.1:2//' }), 'http://127.0.0.1:2');
    assert.equal(hubEndpoint({}), 'https://huggingface.co');
  });

  it('HF_HUB_CACHE, else HF_HOME/hub, else ~/.cache/huggingface/hub', () => {
    assert.equal(defaultHubCache({ HF_HUB_CACHE: '/x/hub', HF_HOME: '/y' }), '/x/hub');
    assert.equal(defaultHubCache({ HF_HOME: '/y' }), path.join('/y', 'hub'));
    assert.equal(defaultHubCache({}), path.join(os.homedir(), '.cache', 'huggingface', 'hub'));
  });
});

describe('editor: token hints and the language worker', () => {
  it('hints never download: an uncached hub id gives needs-download, a note, and a warning hint on the tokenizer line', async () => {
    const cache = mkdtempSync(path.join(tmp, 'hub-'));
    asked.length = 0;
    const r = await computeTokenHints(TEXT, { file: FILE, hfCacheDir: cache });
    assert.equal(r.tokenizer, undefined);
    assert.equal(r.tokenizerProblem?.code, 'needs-download');
    assert.equal(r.tokenizerProblem?.spec, 'acme/editor-tok');
    assert.match(r.note ?? '', /not in the Hugging Face cache/);
    assert.equal(r.hints.length, 1);
    const [h] = r.hints;
    assert.equal(h!.at.line, 4, 'at the tokenizer line');
    assert.equal(h!.at.character, 'tokenizer acme/editor-tok'.length);
    assert.ok(h!.warn);
    assert.match(h!.label, /no counts: tokenizer acme\/editor-tok is not in the Hugging Face cache/);
    assert.deepEqual(asked, []);
    assert.deepEqual(readdirSync(cache), []);
  });

  it('the worker downloads on a download request only; the next hints count from the cache', { timeout: 30_000 }, async () => {
    const cache = mkdtempSync(path.join(tmp, 'hub-'));
    asked.length = 0;
    const before = await client.hints({ text: TEXT, file: FILE, hfCacheDir: cache });
    assert.equal(before?.tokenizerProblem?.code, 'needs-download');
    assert.deepEqual(asked, [], 'hints through the worker fetch nothing');

    const got = await client.download({ tokenizer: 'acme/editor-tok', scenarioDir: tmp, hubUrl, hfCacheDir: cache });
    assert.equal(got.source, 'hub');
    const snap = path.join(cache, 'models--acme--editor-tok', 'snapshots', COMMIT);
    assert.equal(got.location, snap);
    assert.ok(existsSync(path.join(snap, 'tokenizer.json')) && existsSync(path.join(snap, 'tokenizer_config.json')));
    assert.ok((asked as string[]).includes('/acme/editor-tok/resolve/main/tokenizer.json'));

    client.clearCache();
    const after = await client.hints({ text: TEXT, file: FILE, hfCacheDir: cache });
    assert.equal(after?.tokenizerProblem, undefined);
    assert.deepEqual(after?.tokenizer, { name: 'acme/editor-tok', source: 'hf-cache', chosenBy: 'scenario' });
    assert.match(after?.hints[0]?.label ?? '', /^⟵ \d+ tok/);
  });

  it('offline, a download fails fast with the core message and the download-failed code', { timeout: 30_000 }, async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', () => resolve()));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const cache = mkdtempSync(path.join(tmp, 'hub-'));
    await assert.rejects(
      client.download({ tokenizer: 'acme/editor-tok', scenarioDir: tmp, hubUrl: `http://127.0.0.1:${port}`, hfCacheDir: cache, downloadTimeoutMs: 5000 }),
      (e: unknown) => e instanceof LanguageWorkerError && e.code === 'download-failed' && /looks offline/.test(e.message),
    );
    assert.deepEqual(readdirSync(cache), []);
  });
});
