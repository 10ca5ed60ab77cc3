import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { CLI, ensureBuilt, tempDir, type CliResult } from '../helpers/cli';
import { JUNIT_SCHEMAS, validate, xmllintSkip, xpath } from '../helpers/xmllint';

const skipXml = xmllintSkip();
if (skipXml) console.log(`note: schema checks skipped: ${skipXml}`);

/** The built CLI with an environment of our own (GitHub Actions' variables set or cleared). */
function cli(args: string[], cwd: string, env: Record<string, string | undefined>): Promise<CliResult> {
  ensureBuilt();
  const full: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1', GITHUB_STEP_SUMMARY: undefined, GITHUB_SERVER_URL: undefined, GITHUB_REPOSITORY: undefined, GITHUB_RUN_ID: undefined, ...env };
  for (const k of Object.keys(full)) if (full[k] === undefined) delete full[k];
  const child = spawn(process.execPath, [CLI, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: full as NodeJS.ProcessEnv });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

function scenario(dir: string): string {
  const file = path.join(dir, 'ci.llmload');
  fs.writeFileSync(
    file,
    `scenario "ci gate"
target builtin:chat
api openai-chat
model sim-chat
timeout 30s

load users 2 for 1s

prompt "hello"
  user Say hello.
  max_tokens 32

expect
  ttft p95 < 1ms
  success >= 99%
`,
  );
  return file;
}

test('llmload run --junit --markdown against the simulator: exit 1, the failed expectation in both files, the step summary appended', async () => {
  const dir = tempDir();
  const step = path.join(dir, 'step-summary.md');
  fs.writeFileSync(step, '# an earlier line of this step\n');
  const r = await cli(['run', scenario(dir), '--out', 'out', '--junit', 'reports/junit.xml', '--markdown', 'reports/summary.md', '--quiet'], dir, {
    GITHUB_STEP_SUMMARY: step,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_REPOSITORY: 'acme/serving',
    GITHUB_RUN_ID: '4242',
  });
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /junit: reports\/junit\.xml\nmarkdown: reports\/summary\.md/);
  const summary = JSON.parse(fs.readFileSync(path.join(dir, 'out', 'summary.json'), 'utf8'));
  const [ttft, success] = summary.expectations;
  assert.equal(ttft.pass, false);
  assert.equal(success.pass, true);

  const xml = fs.readFileSync(path.join(dir, 'reports', 'junit.xml'), 'utf8');
  assert.match(xml, /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<testsuite name="ci gate" tests="2" failures="1" errors="0" /);
  assert.match(xml, new RegExp(`<failure type="expectation" message="ttft p95 &lt; 1ms: actual ${ttft.actual_text.replace('.', '\\.')}, limit &lt; 1ms">`));
  assert.match(xml, /<testcase name="success &gt;= 99%" classname="ci gate" time="0"\/>/);
  assert.match(xml, /<property name="run_dir" value="out"\/>/);
  assert.match(xml, /<property name="model" value="sim-chat"\/>/);
  assert.match(xml, /<property name="target" value="builtin:chat"\/>/);
  assert.match(xml, new RegExp(`time="${summary.duration_s.toFixed(3)}" timestamp="${summary.started_at.slice(0, 19)}"`));
  if (!skipXml) {
    for (const schema of JUNIT_SCHEMAS) {
      const v = validate(xml, schema);
      assert.ok(v.ok, `${schema}: ${v.output}`);
    }
    assert.equal(xpath(xml, '/testsuite/testcase[1]/failure/@message'), `ttft p95 < 1ms: actual ${ttft.actual_text}, limit < 1ms`);
  }

  const md = fs.readFileSync(path.join(dir, 'reports', 'summary.md'), 'utf8');
  assert.match(md, /^### ❌ FAIL: ci gate\n\n\*\*1 of 2 expectation\(s\) failed\*\*/);
  assert.match(md, new RegExp(`\\| ✗ \\| ttft p95 \\\\< 1ms \\| ${ttft.actual_text.replace('.', '\\.')} \\| \\\\< 1ms \\|`));
  assert.match(md, /\| ✓ \| success \\>= 99% \| 100\.00% \| \\>= 99% \|/);
  assert.match(md, /\| TTFT \| [\d.]+m?s \| [\d.]+m?s \|/);
  assert.match(md, /Run folder: out \(\[CI run\]\(<https:\/\/github\.com\/acme\/serving\/actions\/runs\/4242>\)\)/);
  assert.equal(fs.readFileSync(step, 'utf8'), `# an earlier line of this step\n${md}\n`, 'appended after what the step wrote, not replacing it');

  // A saved run folder converts to the same JUnit file.
  const conv = await cli(['junit', 'out', '--out', 'again/junit.xml', '--markdown', 'again/summary.md'], dir, {});
  assert.equal(conv.code, 0, conv.stderr);
  assert.equal(fs.readFileSync(path.join(dir, 'again', 'junit.xml'), 'utf8'), xml);
  assert.equal(fs.readFileSync(path.join(dir, 'again', 'summary.md'), 'utf8'), md.replace(/ \(\[CI run\]\(<[^>]+>\)\)/, ''));
  const stdout = await cli(['junit', 'out'], dir, {});
  assert.equal(stdout.code, 0, stdout.stderr);
  assert.equal(stdout.stdout, xml);
});

test('a passing run exits 0 with its JUnit file, and without GITHUB_STEP_SUMMARY writes nothing else', async () => {
  const dir = tempDir();
  const file = scenario(dir);
  fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('  ttft p95 < 1ms\n', ''));
  const r = await cli(['run', file, '--out', 'out', '--junit', 'j.xml', '--quiet'], dir, {});
  assert.equal(r.code, 0, r.stderr);
  assert.match(fs.readFileSync(path.join(dir, 'j.xml'), 'utf8'), /tests="1" failures="0" errors="0"/);
  assert.deepEqual(fs.readdirSync(dir).sort(), ['ci.llmload', 'j.xml', 'out']);
});

test('an output file that cannot be written is refused before the run (exit 2, no run)', async () => {
  const dir = tempDir();
  fs.mkdirSync(path.join(dir, 'taken'));
  const r = await cli(['run', scenario(dir), '--junit', 'taken', '--quiet'], dir, {});
  assert.equal(r.code, 2);
  assert.match(r.stderr, /llmload run: cannot write --junit taken: it is a folder, not a file/);
  assert.equal(fs.existsSync(path.join(dir, '.llmload')), false, 'no run was started');
  const bad = await cli(['junit', 'nowhere'], dir, {});
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /llmload junit: nowhere: no such run folder/);
});

test('a key in the target URL reaches the server but none of the CI files', async () => {
  const KEY = 'sk-ci-9d8c7b6a5f4e3d2c';
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    if (req.method === 'POST') seen.push(req.url ?? '');
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end('data: {"id":"r","choices":[{"delta":{"content":"ok"}}]}\n\ndata: {"id":"r","choices":[{"delta":{},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const dir = tempDir();
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1?api_key=\${env:LLMLOAD_CI_KEY}`;
  fs.writeFileSync(path.join(dir, 's.llmload'), `scenario "ci secrets"\ntarget ${url}\napi openai-chat\nmodel m\nload users 1 for 1s\nstop after 3 requests\nprompt "p"\n  user hi\nexpect\n  success >= 99%\n`);
  const step = path.join(dir, 'step.md');
  try {
    const r = await cli(['run', 's.llmload', '--out', 'run', '--junit', 'j.xml', '--markdown', 's.md', '--quiet'], dir, { LLMLOAD_CI_KEY: KEY, GITHUB_STEP_SUMMARY: step });
    assert.equal(r.code, 0, r.stderr);
  } finally {
    server.close();
  }
  assert.ok(seen.length >= 3 && seen.every((u) => u.includes(`api_key=${KEY}`)), 'every chat request carried the key');
  for (const f of ['j.xml', 's.md', 'step.md']) {
    const body = fs.readFileSync(path.join(dir, f), 'utf8');
    assert.ok(!body.includes(KEY), `${f} holds the key`);
    assert.match(body, /redacted/, `${f} shows the target with the key redacted`);
  }
});
