// Finding and loading tokenizers: local paths, the Hugging Face cache, the hub (offline: a clear
// error, never a hang; online: a loopback stand-in for the hub), the gzipped build output, errors.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { BUNDLED_FAMILIES, BUNDLED_TOKENIZERS, TokenizerError, clearTokenizerCache, loadTokenizer } from '../../src/core/tokenize';
import { bundledTokenizerJson } from '../fixtures/tokenize/reference';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'llmload-tok-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const DS_JSON = bundledTokenizerJson('deepseek-v3');
const DS_CONFIG = path.join(path.dirname(DS_JSON), 'tokenizer_config.json');
const SAMPLE = 'Tokens are what servers bill by. 你好 👍';

async function expectTokenizerError(p: Promise<unknown>, code: string, pattern: RegExp): Promise<TokenizerError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof TokenizerError, `a TokenizerError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    assert.match(e.message, pattern);
    return e;
  }
  assert.fail('expected the load to fail');
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

describe('local tokenizer paths', () => {
  const folder = path.join(tmp, 'scenarios', 'tok');
  mkdirSync(folder, { recursive: true });
  copyFileSync(DS_JSON, path.join(folder, 'tokenizer.json'));
  copyFileSync(DS_CONFIG, path.join(folder, 'tokenizer_config.json'));

  it('loads a folder relative to the scenario, with its config and chat template', async () => {
    const tok = await loadTokenizer('./tok', { scenarioDir: path.join(tmp, 'scenarios') });
    const bundled = await loadTokenizer('deepseek-v3');
    assert.equal(tok.source, 'path');
    assert.equal(tok.location, folder);
    assert.equal(tok.count(SAMPLE), bundled.count(SAMPLE));
    assert.equal(tok.modelMaxLength, 131072);
    assert.ok(tok.applyChatTemplate);
  });

  it('loads a tokenizer.json path, and a chat_template.jinja beside it wins over the config', async () => {
    const other = path.join(tmp, 'jinja');
    mkdirSync(other);
    copyFileSync(DS_JSON, path.join(other, 'tokenizer.json'));
    writeFileSync(path.join(other, 'chat_template.jinja'), '{% for m in messages %}[{{ m.role }}]{{ m.content }}{% endfor %}');
    const tok = await loadTokenizer(path.join(other, 'tokenizer.json'));
    assert.equal(tok.source, 'path');
    assert.equal(tok.modelMaxLength, undefined, 'no tokenizer_config.json, no limit');
    assert.equal(tok.applyChatTemplate!([{ role: 'user', content: 'hi' }]), '[user]hi');
  });

  it('says what is wrong with a missing path, and with a file that is not a tokenizer', async () => {
    await expectTokenizerError(loadTokenizer('./nowhere', { scenarioDir: tmp }), 'not-found', /no tokenizer at .*nowhere.*bundled name \(qwen3, deepseek-v3, deepseek-r1, llama3\)/);
    await expectTokenizerError(loadTokenizer('gpt-5'), 'not-found', /unknown tokenizer 'gpt-5': not a bundled name \(qwen3, .*looked at .*gpt-5.*ORG\/NAME/);
    const bad = path.join(tmp, 'bad');
    mkdirSync(bad);
    writeFileSync(path.join(bad, 'tokenizer.json'), '{"model": ');
    await expectTokenizerError(loadTokenizer(bad), 'invalid', /bad.tokenizer\.json is not valid JSON/);
    const empty = path.join(tmp, 'empty');
    mkdirSync(empty);
    await expectTokenizerError(loadTokenizer(empty), 'not-found', /holds no tokenizer\.json/);
  });
});

describe('bundled names', () => {
  it('accepts common spellings and caches one tokenizer per name', async () => {
    const a = await loadTokenizer('deepseek_v3');
    const b = await loadTokenizer('DeepSeek-V3');
    assert.equal(a.name, 'deepseek-v3');
    assert.equal(a, b);
    assert.equal(await loadTokenizer('deepseek-v3'), await loadTokenizer('deepseek-v3'));
  });

  it('reports model_max_length, but not Hugging Face\'s 1e30 "no limit"', async () => {
    assert.equal((await loadTokenizer('qwen3')).modelMaxLength, 131072);
    assert.equal((await loadTokenizer('llama3')).modelMaxLength, undefined);
  });

  it('loads the gzipped files the build writes, with the same counts', async () => {
    const script = pathToFileURL(path.resolve(__dirname, '..', '..', 'scripts', 'bundle-tokenizers.mjs')).href;
    const { bundleTokenizers, BUNDLED_DIRS } = (await import(script)) as {
      bundleTokenizers(o: { root: string; outDir?: string }): { dir: string; file: string; action: string; bytesIn: number; bytesOut: number }[];
      BUNDLED_DIRS: Record<string, string>;
    };
    // The script's table and the runtime's must name the same folders and packages.
    const runtime = Object.fromEntries(BUNDLED_FAMILIES.map((f) => [f.dir, f.pkg]));
    assert.deepEqual(BUNDLED_DIRS, runtime);
    const codeDir = path.join(tmp, 'dist');
    const root = path.resolve(__dirname, '..', '..');
    const first = bundleTokenizers({ root, outDir: path.join(codeDir, 'tokenizers') });
    assert.ok(first.every((r) => r.action === 'written'));
    for (const r of first.filter((x) => x.file === 'tokenizer.json')) assert.ok(r.bytesOut < r.bytesIn / 3, `${r.dir} compresses`);
    const second = bundleTokenizers({ root, outDir: path.join(codeDir, 'tokenizers') });
    assert.ok(second.every((r) => r.action === 'up-to-date'), 'a second run writes nothing');
    assert.ok(!existsSync(path.join(codeDir, 'tokenizers', 'deepseek-r1')), 'R1 shares the V3 files');
    for (const name of BUNDLED_TOKENIZERS) {
      const shipped = await loadTokenizer(name, { codeDir });
      const fromPackage = await loadTokenizer(name);
      assert.equal(shipped.source, 'bundled');
      assert.ok(shipped.location.startsWith(codeDir), shipped.location);
      assert.notEqual(shipped, fromPackage);
      assert.deepEqual(shipped.encode(SAMPLE), fromPackage.encode(SAMPLE));
      assert.equal(shipped.applyChatTemplate!([{ role: 'user', content: 'x' }]), fromPackage.applyChatTemplate!([{ role: 'user', content: 'x' }]));
    }
  });
});

describe('Hugging Face model ids', () => {
  it('finds a model in the Hugging Face cache, the snapshot refs/main names', async () => {
    const hub = path.join(tmp, 'hf', 'hub');
    const repo = path.join(hub, 'models--acme--tiny-chat');
    const rev = 'a'.repeat(40);
    mkdirSync(path.join(repo, 'snapshots', rev), { recursive: true });
    mkdirSync(path.join(repo, 'snapshots', 'b'.repeat(40)), { recursive: true }); // older, incomplete snapshot
    mkdirSync(path.join(repo, 'refs'), { recursive: true });
    writeFileSync(path.join(repo, 'refs', 'main'), rev);
    copyFileSync(DS_JSON, path.join(repo, 'snapshots', rev, 'tokenizer.json'));
    copyFileSync(DS_CONFIG, path.join(repo, 'snapshots', rev, 'tokenizer_config.json'));
    const tok = await loadTokenizer('acme/tiny-chat', { hfCacheDir: hub });
    assert.equal(tok.source, 'hf-cache');
    assert.equal(tok.name, 'acme/tiny-chat');
    assert.equal(tok.location, path.join(repo, 'snapshots', rev));
    assert.equal(tok.count(SAMPLE), (await loadTokenizer('deepseek-v3')).count(SAMPLE));
  });

  it('with no cache and no permission to download, fails at once with a message naming the fix', { timeout: 10_000 }, async () => {
    const hub = mkdtempSync(path.join(tmp, 'empty-hub-'));
    const e = await expectTokenizerError(loadTokenizer('Qwen/Qwen3-8B', { hfCacheDir: hub, allowDownload: false }), 'needs-download', /not in the Hugging Face cache/);
    assert.match(e.message, /huggingface-cli download Qwen\/Qwen3-8B tokenizer\.json tokenizer_config\.json/);
    assert.match(e.message, /bundled name \(qwen3, deepseek-v3, deepseek-r1, llama3\)/);
    assert.ok(e.message.includes(hub));
  });

  it('when the hub refuses connections, the download fails fast with an offline message', { timeout: 10_000 }, async () => {
    const probe = createServer();
    const port = await listen(probe);
    await close(probe); // nothing listens on this loopback port now
    const hub = mkdtempSync(path.join(tmp, 'hub-refused-'));
    const e = await expectTokenizerError(
      loadTokenizer('Qwen/Qwen3-8B', { hfCacheDir: hub, allowDownload: true, hubUrl: `http://127.0.0.1:${port}`, downloadTimeoutMs: 2000 }),
      'download-failed',
      /cannot download tokenizer 'Qwen\/Qwen3-8B'.*ECONNREFUSED.*looks offline/,
    );
    assert.match(e.message, /point `tokenizer` at it/);
  });

  it('when the hub never answers, the download gives up at its timeout, not a hang', { timeout: 10_000 }, async () => {
    const silent = createServer(() => {
      /* accept and never answer */
    });
    const port = await listen(silent);
    try {
      const hub = mkdtempSync(path.join(tmp, 'hub-silent-'));
      await expectTokenizerError(
        loadTokenizer('Qwen/Qwen3-8B', { hfCacheDir: hub, allowDownload: true, hubUrl: `http://127.0.0.1:${port}`, downloadTimeoutMs: 300 }),
        'download-failed',
        /no answer within 300 ms/,
      );
    } finally {
      await close(silent);
    }
  });

  it('downloads into the Hugging Face cache layout when allowed, then loads from the cache', { timeout: 20_000 }, async () => {
    const commit = 'c'.repeat(40);
    const asked: string[] = [];
    const hubServer = createServer((req, res) => {
      asked.push(req.url ?? '');
      const files: Record<string, string> = {
        '/acme/served/resolve/main/tokenizer.json': DS_JSON,
        '/acme/served/resolve/main/tokenizer_config.json': DS_CONFIG,
      };
      const f = files[req.url ?? ''];
      if (!f) {
        res.writeHead(404).end('not found');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json', 'x-repo-commit': commit });
      res.end(readFileSync(f));
    });
    const port = await listen(hubServer);
    try {
      const hub = mkdtempSync(path.join(tmp, 'hub-dl-'));
      const tok = await loadTokenizer('acme/served', { hfCacheDir: hub, allowDownload: true, hubUrl: `http://127.0.0.1:${port}` });
      assert.equal(tok.source, 'hub');
      assert.deepEqual(asked.sort(), [
        '/acme/served/resolve/main/chat_template.jinja',
        '/acme/served/resolve/main/tokenizer.json',
        '/acme/served/resolve/main/tokenizer_config.json',
      ]);
      const snap = path.join(hub, 'models--acme--served', 'snapshots', commit);
      assert.equal(readFileSync(path.join(hub, 'models--acme--served', 'refs', 'main'), 'utf8'), commit);
      assert.ok(existsSync(path.join(snap, 'tokenizer.json')) && existsSync(path.join(snap, 'tokenizer_config.json')));
      assert.ok(!existsSync(path.join(snap, 'chat_template.jinja')), 'an optional 404 file is skipped');
      clearTokenizerCache();
      const again = await loadTokenizer('acme/served', { hfCacheDir: hub, allowDownload: false });
      assert.equal(again.source, 'hf-cache');
      assert.equal(again.count(SAMPLE), tok.count(SAMPLE));
    } finally {
      await close(hubServer);
    }
  });

  it('reports an HTTP error of the hub, with a hint for gated models', { timeout: 10_000 }, async () => {
    const gated = createServer((_req, res) => res.writeHead(401).end('gated'));
    const port = await listen(gated);
    try {
      const hub = mkdtempSync(path.join(tmp, 'hub-gated-'));
      await expectTokenizerError(
        loadTokenizer('meta-llama/Llama-3.1-8B', { hfCacheDir: hub, allowDownload: true, hubUrl: `http://127.0.0.1:${port}` }),
        'download-failed',
        /HTTP 401 \(a gated model: set HF_TOKEN/,
      );
    } finally {
      await close(gated);
    }
  });
});
