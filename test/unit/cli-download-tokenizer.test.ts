// `--download-tokenizer` on `llmload tokens` and `llmload run`: a Hugging Face model id that is not
// in the local cache is downloaded only with the flag (the user's agreement), from the hub that
// LLMLOAD_HF_ENDPOINT names (here a loopback stand-in), into the cache HF_HUB_CACHE names; without
// the flag nothing is fetched and the command fails with the fix and the flag.
import { describe, it, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { main } from '../../src/cli/main';
import type { CliIO } from '../../src/cli/io';
import { clearTokenizerCache, countPrompt, loadTokenizer } from '../../src/core/tokenize';
import { bundledTokenizerJson } from '../fixtures/tokenize/reference';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'llmload-dl-cli-'));
const DS_JSON = bundledTokenizerJson('deepseek-v3');
const DS_CONFIG = path.join(path.dirname(DS_JSON), 'tokenizer_config.json');
const COMMIT = 'a'.repeat(40);
const USER_TEXT = 'How many tokens are in this sentence, 你好 👍?';

/** A loopback stand-in for huggingface.co: serves acme/tiny-chat's tokenizer files, logs every path asked. */
let hub: Server;
let hubUrl = '';
const asked: string[] = [];

const saved = { cache: process.env.HF_HUB_CACHE, endpoint: process.env.LLMLOAD_HF_ENDPOINT, token: process.env.HF_TOKEN };

before(async () => {
  hub = createServer((req, res) => {
    asked.push(req.url ?? '');
    const files: Record<string, string> = {
      '/acme/tiny-chat/resolve/main/tokenizer.json': DS_JSON,
      '/acme/tiny-chat/resolve/main/tokenizer_config.json': DS_CONFIG,
    };
    const f = files[req.url ?? ''];
    if (!f) return void res.writeHead(404).end('not found');
    res.writeHead(200, { 'content-type': 'application/json', 'x-repo-commit': COMMIT });
    res.end(readFileSync(f));
  });
  await new Promise<void>((resolve) => hub.listen(0, '127.0.0.1', () => resolve()));
  hubUrl = `http://127.0.0.1:${(hub.address() as AddressInfo).port}`;
  process.env.LLMLOAD_HF_ENDPOINT = hubUrl;
  delete process.env.HF_TOKEN;
});

after(async () => {
  hub.closeAllConnections();
  await new Promise<void>((resolve) => hub.close(() => resolve()));
  for (const [k, v] of [['HF_HUB_CACHE', saved.cache], ['LLMLOAD_HF_ENDPOINT', saved.endpoint], ['HF_TOKEN', saved.token]] as const) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  rmSync(tmp, { recursive: true, force: true });
});

/** A fresh, empty Hugging Face cache for each test; the in-process tokenizer cache forgets too. */
let cacheDir = '';
beforeEach(() => {
  cacheDir = mkdtempSync(path.join(tmp, 'hf-hub-'));
  process.env.HF_HUB_CACHE = cacheDir;
  asked.length = 0;
  clearTokenizerCache();
});

function scenario(tokenizer: string): string {
  const dir = mkdtempSync(path.join(tmp, 'scn-'));
  const file = path.join(dir, 'dl.llmload');
  writeFileSync(
    file,
    `scenario "download"
target builtin:chat
api openai-chat
model sim-chat
tokenizer ${tokenizer}

load users 1 for 1s

prompt "q"
  user ${USER_TEXT}
  max_tokens 8
`,
  );
  return file;
}

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIO = { out: (l) => out.push(l), err: (l) => err.push(l), progress: () => undefined, progressDone: () => undefined };
  const code = await main(args, io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const snapshot = (): string => path.join(cacheDir, 'models--acme--tiny-chat', 'snapshots', COMMIT);

/** The chat count of the scenario's prompt with the same files the stand-in hub serves. */
async function expectedChatCount(): Promise<number> {
  const ref = await loadTokenizer(path.dirname(DS_JSON));
  return countPrompt(ref, { messages: [{ role: 'user', content: USER_TEXT }] }).chat;
}

describe('llmload tokens --download-tokenizer', () => {
  it('HF_ENDPOINT is used when LLMLOAD_HF_ENDPOINT is not set', { timeout: 60_000 }, async () => {
    delete process.env.LLMLOAD_HF_ENDPOINT;
    const prior = process.env.HF_ENDPOINT;
    process.env.HF_ENDPOINT = hubUrl;
    try {
      const r = await cli(['tokens', scenario('acme/tiny-chat'), '--download-tokenizer']);
      assert.equal(r.code, 0, r.err);
      assert.ok(asked.length > 0);
    } finally {
      if (prior === undefined) delete process.env.HF_ENDPOINT;
      else process.env.HF_ENDPOINT = prior;
      process.env.LLMLOAD_HF_ENDPOINT = hubUrl;
    }
  });

  it('without the flag: exit 3, the fix and the flag named, nothing fetched, nothing cached', async () => {
    const r = await cli(['tokens', scenario('acme/tiny-chat')]);
    assert.equal(r.code, 3, r.err);
    assert.match(r.err, /tokenizer 'acme\/tiny-chat' is not in the Hugging Face cache/);
    assert.match(r.err, /huggingface-cli download acme\/tiny-chat/, 'the message names a fix');
    assert.match(r.err, /rerun with --download-tokenizer/);
    assert.equal(r.out, '');
    assert.deepEqual(asked, [], 'no request reached the hub');
    assert.deepEqual(readdirSync(cacheDir), [], 'the cache is untouched');
  });

  it('with the flag: downloads into the cache layout, counts with the downloaded tokenizer, then works without the flag', async () => {
    const file = scenario('acme/tiny-chat');
    const r = await cli(['tokens', file, '--download-tokenizer']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /tokenizer acme\/tiny-chat \(hub\)/);
    assert.match(r.err, new RegExp(`downloaded tokenizer acme/tiny-chat from ${hubUrl.replace(/\./g, '\\.')}`));
    const chat = await expectedChatCount();
    assert.match(r.out, new RegExp(`prompt "q"\\s+chat\\s+${chat}\\b`), r.out);
    assert.ok(asked.includes('/acme/tiny-chat/resolve/main/tokenizer.json'));
    assert.ok(existsSync(path.join(snapshot(), 'tokenizer.json')) && existsSync(path.join(snapshot(), 'tokenizer_config.json')));
    assert.equal(readFileSync(path.join(cacheDir, 'models--acme--tiny-chat', 'refs', 'main'), 'utf8'), COMMIT);

    // Cached now: no flag needed, and the hub is not asked again.
    clearTokenizerCache();
    asked.length = 0;
    const again = await cli(['tokens', file]);
    assert.equal(again.code, 0, again.err);
    assert.match(again.out, /tokenizer acme\/tiny-chat \(hf-cache\)/);
    assert.deepEqual(asked, []);
  });

  it('a cached id needs no flag and no hub', async () => {
    const snap = path.join(cacheDir, 'models--acme--tiny-chat', 'snapshots', 'b'.repeat(40));
    mkdirSync(snap, { recursive: true });
    writeFileSync(path.join(snap, 'tokenizer.json'), readFileSync(DS_JSON));
    const r = await cli(['tokens', scenario('acme/tiny-chat')]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /\(hf-cache\)/);
    assert.deepEqual(asked, []);
  });
});


describe('llmload run --download-tokenizer', () => {
  it('without the flag: exit 3 before any request, the fix and the flag named, nothing fetched', { timeout: 60_000 }, async () => {
    const file = scenario('acme/tiny-chat');
    const out = path.join(path.dirname(file), 'run');
    const r = await cli(['run', file, '--out', out, '--quiet']);
    assert.equal(r.code, 3, r.err);
    assert.match(r.err, /not in the Hugging Face cache/);
    assert.match(r.err, /rerun with --download-tokenizer/);
    assert.ok(!existsSync(out), 'no run was started');
    assert.deepEqual(asked, []);
    assert.deepEqual(readdirSync(cacheDir), []);
  });

  it('with the flag: the tokenizer is downloaded before the run and the records carry its counts', { timeout: 60_000 }, async () => {
    const file = scenario('acme/tiny-chat');
    const out = path.join(path.dirname(file), 'run');
    const r = await cli(['run', file, '--out', out, '--quiet', '--download-tokenizer']);
    assert.equal(r.code, 0, r.err);
    assert.ok(asked.includes('/acme/tiny-chat/resolve/main/tokenizer.json'));
    assert.ok(existsSync(path.join(snapshot(), 'tokenizer.json')) && existsSync(path.join(snapshot(), 'tokenizer_config.json')));
    const recs = readFileSync(path.join(out, 'requests.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { input_tokens_tokenizer?: number });
    assert.ok(recs.length > 0);
    const chat = await expectedChatCount();
    for (const rec of recs) assert.equal(rec.input_tokens_tokenizer, chat);
  });

  it('with the flag and the hub unreachable: exit 3 with the offline message, fast, no run', { timeout: 60_000 }, async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', () => resolve()));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    process.env.LLMLOAD_HF_ENDPOINT = `http://127.0.0.1:${port}`;
    try {
      const file = scenario('acme/tiny-chat');
      const out = path.join(path.dirname(file), 'run');
      const r = await cli(['run', file, '--out', out, '--quiet', '--download-tokenizer']);
      assert.equal(r.code, 3, r.err);
      assert.match(r.err, /cannot download tokenizer 'acme\/tiny-chat' from http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)\. This machine looks offline/);
      assert.doesNotMatch(r.err, /rerun with --download-tokenizer/, 'the flag was given: the hint would mislead');
      assert.ok(!existsSync(out));
    } finally {
      process.env.LLMLOAD_HF_ENDPOINT = hubUrl;
    }
  });
});
