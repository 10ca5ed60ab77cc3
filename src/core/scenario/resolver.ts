/**
 * Turns a syntax tree into a validated RunPlan: substitutes variables, reads @file includes,
 * checks that files exist, that required directives are there, that loads are possible, and fills
 * defaults. A plan comes back only when neither the parser nor the resolver found an error.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Diagnostic, Range } from './diagnostics';
import type {
  ApiKind,
  DatasetPlan,
  Expectation,
  GradedDataset,
  LoadPlan,
  Message,
  PromptPlan,
  RequestParams,
  RunPlan,
  Stage,
  Target,
  Timeouts,
  TracePlan,
} from './plan';
import { DEFAULT_BACKOFF } from '../load/backoff';
import { DEFAULT_SCRAPE_EVERY_MS } from '../server-metrics/run-hook';
import type { SseApiConfig, ThinkTagOptions, WebSocketApiConfig } from '../types/protocol-options';
import type { GraderName } from '../grade/types';
import type {
  ApiBlockNode,
  BodyNode,
  DatasetChild,
  DatasetNode,
  GradeOptionNode,
  LoadNode,
  PromptChild,
  PromptNode,
  ScenarioTree,
  SettingNode,
  StepLineNode,
  TextValue,
  TokenSpanNode,
  TopNode,
  TurnNode,
  VarNode,
} from './tree';
import { checkTarget, jsonPathProblem } from './parser';
import { closest } from './suggest';
import { substituteVariables } from './variables';
import { formatDuration } from './units';

export interface ResolveOptions {
  /** Absolute path of the scenario, for relative @file / dataset paths. */
  file?: string;
  /** For ${env:NAME}; defaults to process.env. */
  env?: Record<string, string | undefined>;
  /** For ${secret:NAME}; the CLI maps it to process.env[NAME], the editor to SecretStorage. Defaults to env. */
  secret?: (name: string) => string | undefined;
  /** Defaults to fs; for @file includes and existence checks. */
  readFile?: (absPath: string) => string | undefined;
  /** Existence check for dataset and replay files, which may be too large to read; defaults to fs, or to readFile when only that is given. */
  fileExists?: (absPath: string) => boolean;
}

/** Defaults for what a scenario leaves out. */
export const DEFAULTS = {
  api: 'openai-chat' as ApiKind,
  timeout_ms: 300_000,
  trace: { mode: 'first', n: 200 } as TracePlan,
  syntheticCount: 100,
  arrival: 'poisson' as const,
};

const MODEL_REQUIRED: ReadonlySet<ApiKind> = new Set(['openai-chat', 'openai-completions', 'openai-responses', 'anthropic', 'ollama']);

export function resolvePlan(tree: ScenarioTree, opts: ResolveOptions = {}): { plan?: RunPlan; diagnostics: Diagnostic[] } {
  try {
    return new Resolver(tree, opts).run();
  } catch (e) {
    return {
      diagnostics: [{ severity: 'error', range: tree.statements[0]?.range ?? zero(), message: `internal resolver error: ${e instanceof Error ? e.message : String(e)}` }],
    };
  }
}

function zero(): Range {
  return { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
}

class Resolver {
  private readonly diags: Diagnostic[] = [];
  private errors = 0;
  private readonly env: Record<string, string | undefined>;
  private readonly secret: (name: string) => string | undefined;
  private readonly read: (p: string) => string | undefined;
  private readonly exists: (p: string) => boolean;
  private readonly file: string;
  private readonly baseDir: string;
  private readonly vars = new Map<string, VarNode>();
  private readonly varValues = new Map<string, string | undefined>();
  private readonly resolving = new Set<string>();
  private readonly usedVars = new Set<string>();
  private readonly maybeDefined = new Set<string>();
  /** A var line that did not parse may be the definition of any undefined name. */
  private readonly brokenVar: boolean;
  /** With parse errors or unknown lines, a "missing" directive may be one of them: it is not reported. */
  private readonly incomplete: boolean;

  constructor(
    private readonly tree: ScenarioTree,
    opts: ResolveOptions,
  ) {
    this.env = opts.env ?? process.env;
    this.secret = opts.secret ?? ((n) => this.env[n]);
    this.read =
      opts.readFile ??
      ((p) => {
        try {
          return fs.readFileSync(p, 'utf8');
        } catch {
          return undefined;
        }
      });
    this.exists = opts.fileExists ?? (opts.readFile ? (p) => opts.readFile!(p) !== undefined : (p) => isFile(p));
    this.file = opts.file ?? tree.file ?? '';
    this.baseDir = this.file ? path.dirname(this.file) : process.cwd();
    // With parse errors, a missing directive may be one of the broken lines: say nothing of it yet.
    this.incomplete = tree.errorCount > 0 || tree.statements.some((s) => s.kind === 'unknown');
    // `avr NAME value`: an unknown line that may define NAME, misspelled. Its error says enough.
    const lines = tree.text.split(/\r\n|\r|\n/);
    for (const s of tree.statements) {
      if (s.kind !== 'unknown') continue;
      for (const w of (lines[s.range.start.line] ?? '').trim().split(/\s+/).slice(0, 2)) this.maybeDefined.add(w);
    }
    this.brokenVar = tree.statements.some((s) => s.kind === 'var' && (!s.name || !s.value));
  }

  private error(range: Range, message: string, fix?: Diagnostic['fix']): void {
    this.errors++;
    this.diags.push(fix ? { severity: 'error', range, message, fix } : { severity: 'error', range, message });
  }

  private warning(range: Range, message: string): void {
    this.diags.push({ severity: 'warning', range, message });
  }

  /** Where file-wide "missing" errors go: the scenario line, else the first directive, else the start. */
  private get anchor(): Range {
    const s = this.tree.statements.find((n) => n.kind === 'scenario') ?? this.tree.statements[0];
    return s ? s.keyword.range : zero();
  }

  private only<K extends TopNode['kind']>(kind: K, label: string = kind): Extract<TopNode, { kind: K }> | undefined {
    const nodes = this.tree.statements.filter((s) => s.kind === kind) as Extract<TopNode, { kind: K }>[];
    for (const n of nodes.slice(1)) {
      this.error(n.keyword.range, `duplicate "${label}" line; the first is on line ${nodes[0].range.start.line + 1}`);
    }
    return nodes[0];
  }

  run(): { plan?: RunPlan; diagnostics: Diagnostic[] } {
    const st = this.tree.statements;
    if (st.length === 0) {
      this.error(zero(), 'empty scenario: add a target, a load and a prompt (see examples/quickstart.llmload)');
      return { diagnostics: this.diags };
    }
    for (const v of st) {
      if (v.kind !== 'var' || !v.name) continue;
      const prev = this.vars.get(v.name.text);
      if (prev) this.error(v.name.range, `duplicate variable "${v.name.text}"; the first is on line ${prev.range.start.line + 1}`);
      else this.vars.set(v.name.text, v);
    }

    const scenarioNode = this.only('scenario');
    const title = this.text(scenarioNode?.title) ?? (this.file ? path.basename(this.file).replace(/\.llmload$/, '') : 'untitled');

    const api = this.only('api')?.api ?? DEFAULTS.api;
    const target = this.target(api);
    const modelNode = this.only('model');
    const tokenizerNode = this.only('tokenizer');
    const keyNode = this.only('key');
    let model = this.text(modelNode?.value);
    if (model === undefined && !modelNode) {
      if (target?.kind === 'builtin') model = target.profile;
      else if (target && MODEL_REQUIRED.has(api) && !this.incomplete) {
        this.error(this.anchor, `no model: add a model line, e.g. model meta-llama/Llama-3.1-8B-Instruct (api ${api} sends one with every request)`);
      }
    }
    const timeouts = this.timeouts();
    const headers: Record<string, string> = {};
    const headerLines = new Map<string, number>();
    for (const h of st) {
      if (h.kind !== 'header' || !h.name) continue;
      const name = this.text(h.name);
      const value = this.text(h.value) ?? '';
      if (name === undefined) continue;
      const lower = name.toLowerCase();
      if (headerLines.has(lower)) {
        this.error(h.name.range, `duplicate header "${name}"; the first is on line ${headerLines.get(lower)! + 1}`);
        continue;
      }
      headerLines.set(lower, h.range.start.line);
      headers[name] = value;
    }
    const key = this.text(keyNode?.value);

    const prompts = this.prompts();
    const datasets = this.datasets();
    if (prompts.length === 0 && datasets.length === 0 && !this.incomplete && !st.some((s) => s.kind === 'prompt' || s.kind === 'dataset')) {
      this.error(this.anchor, 'no prompts: add a prompt block (prompt "name" with a user line) or a dataset');
    }

    const stop = this.stop();
    const load = this.load(stop);
    const warmupNode = this.only('warmup');
    let warmup: RunPlan['warmup'];
    if (warmupNode?.duration) warmup = { duration_ms: warmupNode.duration.value };
    else if (warmupNode?.requests) warmup = { requests: warmupNode.requests.value };
    if (warmup?.duration_ms !== undefined && load && loadDuration(load) !== undefined && warmup.duration_ms >= loadDuration(load)!) {
      this.warning(warmupNode!.duration!.range, `warmup ${formatDuration(warmup.duration_ms)} is not shorter than the load (${formatDuration(loadDuration(load)!)}); no request would be counted`);
    }
    const thinkNode = this.only('think');
    const think_ms = thinkNode?.duration?.value ?? 0;
    if (thinkNode?.duration && think_ms > 0 && load && isOpenLoop(load)) {
      this.warning(thinkNode.duration.range, `think has no effect on a ${load.kind === 'stages' ? 'stages load that ramps a rate' : `${load.kind} load`}: requests arrive on their own schedule, not after a user's pause`);
    }
    // The load's own length (not one taken from the stop line itself).
    const loadNode = this.tree.statements.find((n) => n.kind === 'load');
    const ownLength = load?.kind === 'stages' ? loadDuration(load) : loadNode?.kind === 'load' ? loadNode.duration?.value : undefined;
    const stopAfter = this.tree.statements.find((n) => n.kind === 'stop' && n.condition === 'after_ms' && n.value);
    if (stop?.after_ms !== undefined && ownLength !== undefined && stop.after_ms > ownLength && stopAfter?.kind === 'stop') {
      this.warning(stopAfter.value!.range, `stop after ${formatDuration(stop.after_ms)} never ends the run: the load ends after ${formatDuration(ownLength)}`);
    }
    if (warmup?.requests !== undefined && stop?.after_requests !== undefined && warmup.requests >= stop.after_requests) {
      this.warning(warmupNode!.requests!.range, `warmup ${warmup.requests} requests is not below stop after ${stop.after_requests} requests; no request would be counted`);
    }
    const buckets = this.only('buckets')?.values.map((q) => q.value) ?? [];
    const context = this.only('context')?.tokens?.value;
    const trace = this.only('trace')?.trace ?? DEFAULTS.trace;
    const seed = this.only('seed')?.value?.value;
    const expectations = this.expectations(datasets);
    const thinkTags = this.thinkTags();
    const lengthNode = this.only('length');
    const backoff = this.backoff(load);
    const keepAliveNode = this.only('keep_alive');
    if (keepAliveNode?.on === false && api === 'websocket') {
      this.warning(keepAliveNode.range, 'keep_alive applies to HTTP APIs only: api websocket opens a connection per request anyway');
    }
    const serverMetrics = this.serverMetrics(target);
    const sse = this.apiConfig('sse', api, target) as SseApiConfig | undefined;
    const websocket = this.apiConfig('websocket', api, target) as WebSocketApiConfig | undefined;

    // With parse errors, a variable's use may sit in a broken line: only a clean file gets this warning.
    if (this.tree.errorCount === 0) {
      for (const [name, v] of this.vars) {
        if (!this.usedVars.has(name)) this.warning(v.name!.range, `variable "${name}" is never used`);
      }
    }

    const ok = this.tree.errorCount === 0 && this.errors === 0 && target !== undefined && load !== undefined;
    if (!ok) return { diagnostics: this.diags };
    const plan: RunPlan = {
      scenario: title,
      file: this.file,
      target,
      api,
      model: model ?? '',
      timeouts,
      headers,
      prompts,
      datasets,
      load,
      think_ms,
      buckets,
      trace,
      expectations,
    };
    const tokenizer = this.text(tokenizerNode?.value);
    if (tokenizer !== undefined) plan.tokenizer = tokenizer;
    if (key !== undefined) plan.key = key;
    if (warmup) plan.warmup = warmup;
    if (stop) plan.stop = stop;
    if (seed !== undefined) plan.seed = seed;
    if (context !== undefined) plan.context = context;
    if (thinkTags !== undefined) plan.think_tags = thinkTags;
    if (lengthNode?.fails !== undefined) plan.length_fails = lengthNode.fails;
    if (backoff !== undefined) plan.backoff = backoff;
    if (keepAliveNode?.on === false && api !== 'websocket') plan.keep_alive = false;
    if (serverMetrics) plan.server_metrics = serverMetrics;
    if (sse) plan.sse = sse;
    if (websocket) plan.websocket = websocket;
    return { plan, diagnostics: this.diags };
  }

  /** The `server metrics` line, with the raw metric names the expectations name. */
  private serverMetrics(target: RunPlan['target'] | undefined): RunPlan['server_metrics'] {
    const node = this.only('server');
    if (!node?.parsed) return undefined;
    const url = this.text(node.url);
    if (url === undefined) return undefined;
    if (url === 'builtin:' && target && target.kind !== 'builtin') this.warning(node.url!.range, 'server metrics builtin: scrapes the built-in simulator, but the target is a URL; write the URL of its /metrics, e.g. http://127.0.0.1:8000/metrics');
    return { url, every_ms: node.every?.value ?? DEFAULT_SCRAPE_EVERY_MS };
  }

  /** The `backoff` line: undefined without one (the engine's defaults), false for `backoff off`. */
  private backoff(load: LoadPlan | undefined): RunPlan['backoff'] {
    const node = this.only('backoff');
    if (!node?.parsed) return undefined;
    if (node.off) return false;
    if (node.skip && load && !isOpenLoop(load)) {
      this.warning(node.skip.range, `skip applies to open-loop loads (rate, rate stages, replay); closed-loop users always wait out the backoff, so remove skip`);
    }
    return { base_ms: node.base?.value ?? DEFAULT_BACKOFF.base_ms, cap_ms: node.cap?.value ?? DEFAULT_BACKOFF.cap_ms, skip: node.skip !== undefined };
  }

  // ---- variables ---------------------------------------------------------------------------

  /** The text with variables substituted; undefined (with an error per missing name) when one is missing. */
  private text(tv: TextValue | undefined): string | undefined {
    if (!tv) return undefined;
    let failed = false;
    for (const ref of tv.refs) {
      if (this.lookup(ref.namespace, ref.name) === undefined) {
        failed = true;
        this.reportMissing(ref.namespace, ref.name, ref.range);
      }
    }
    if (failed) return undefined;
    return substituteVariables(tv.text, (ns, name) => this.lookup(ns, name)).text;
  }

  private lookup(ns: 'var' | 'env' | 'secret', name: string): string | undefined {
    if (ns === 'env') return this.env[name];
    if (ns === 'secret') return this.secret(name);
    this.usedVars.add(name);
    if (this.varValues.has(name)) return this.varValues.get(name);
    const v = this.vars.get(name);
    if (!v) return undefined;
    if (this.resolving.has(name)) return undefined;
    this.resolving.add(name);
    const value = this.text(v.value) ?? (v.value ? undefined : '');
    this.resolving.delete(name);
    this.varValues.set(name, value);
    return value;
  }

  private reportMissing(ns: 'var' | 'env' | 'secret', name: string, range: Range): void {
    if (ns === 'env') return this.error(range, `environment variable "${name}" is not set`);
    if (ns === 'secret') return this.error(range, `secret "${name}" is not set; the CLI reads it from the environment variable ${name}`);
    if (this.vars.has(name)) {
      if (this.resolving.has(name)) return this.error(range, `variable "${name}" refers to itself`);
      return; // its own definition has an error, reported there
    }
    if (this.maybeDefined.has(name) || this.brokenVar) return;
    const near = closest(name, [...this.vars.keys()]);
    if (near) this.usedVars.add(near); // its "never used" warning would repeat this error
    if (near) return this.error(range, `undefined variable "${name}"; did you mean "${near}"?`, { range, text: `\${${near}}`, title: `Change to \${${near}}` });
    const hint = this.env[name] !== undefined ? `; to read the environment variable, write \${env:${name}}` : `; define it with var ${name} VALUE`;
    this.error(range, `undefined variable "${name}"${hint}`);
  }

  private abs(p: string): string {
    return path.resolve(this.baseDir, p);
  }

  // ---- target and connection ---------------------------------------------------------------

  private target(api: ApiKind): Target | undefined {
    const node = this.only('target');
    if (!node) {
      if (!this.incomplete) this.error(this.anchor, 'no target: add e.g. target http://127.0.0.1:8000 or target builtin:reasoning');
      return undefined;
    }
    const text = this.text(node.value);
    if (text === undefined) return undefined;
    if (node.value!.refs.length > 0) {
      const problem = checkTarget(text);
      if (problem) {
        this.error(node.value!.range, `${problem.message} (after substituting variables)`);
        return undefined;
      }
    }
    if (text.startsWith('builtin:')) return { kind: 'builtin', profile: text.slice(8) };
    const ws = /^wss?:/.test(text);
    if (api === 'websocket' && !ws) {
      this.error(node.value!.range, `api websocket needs a ws:// or wss:// target, got "${text}"`);
      return undefined;
    }
    if (api !== 'websocket' && ws) {
      this.error(node.value!.range, `a ws:// target needs api websocket (api is ${api})`);
      return undefined;
    }
    return { kind: 'url', url: text };
  }

  private timeouts(): Timeouts {
    const t: Timeouts = { total_ms: DEFAULTS.timeout_ms };
    const seen = new Map<string, number>();
    for (const n of this.tree.statements) {
      if (n.kind !== 'timeout' || !n.duration) continue; // a line that did not parse has its own error
      if (seen.has(n.which)) {
        this.error(n.keyword.range, `duplicate "timeout${n.which === 'total' ? '' : ' ' + n.which}" line; the first is on line ${seen.get(n.which)! + 1}`);
        continue;
      }
      seen.set(n.which, n.range.start.line);
      if (!n.duration) continue;
      if (n.which === 'total') t.total_ms = n.duration.value;
      else if (n.which === 'ttft') t.ttft_ms = n.duration.value;
      else if (n.which === 'ready') t.ready_ms = n.duration.value;
      else t.stall_ms = n.duration.value;
    }
    for (const which of ['ttft', 'stall'] as const) {
      const v = which === 'ttft' ? t.ttft_ms : t.stall_ms;
      if (v !== undefined && v >= t.total_ms) {
        const n = this.tree.statements.find((s) => s.kind === 'timeout' && s.which === which);
        if (n) this.warning(n.range, `timeout ${which} ${formatDuration(v)} is not below the total timeout ${formatDuration(t.total_ms)}, so it never fires`);
      }
    }
    return t;
  }

  // ---- protocol options --------------------------------------------------------------------

  private thinkTags(): ThinkTagOptions | false | undefined {
    const node = this.only('think_tags');
    if (!node?.parsed) return undefined;
    if (node.off) return false;
    const open = node.open ? this.text(node.open) : '<think>';
    const close = node.close ? this.text(node.close) : '</think>';
    if (open === undefined || close === undefined) return undefined;
    if (open === close && node.close) {
      this.error(node.close.range, `the closing tag must differ from the opening tag (both are "${open}" after substituting variables)`);
      return undefined;
    }
    return { open, close, starts_in_thinking: node.starts_in_thinking ?? 'auto' };
  }

  /** The `sse` or `websocket` block as the protocols layer's config; undefined when absent or not for this api. */
  private apiConfig(kind: 'sse' | 'websocket', api: ApiKind, target: Target | undefined): SseApiConfig | WebSocketApiConfig | undefined {
    // A bare `sse` line (its own warning says it changes nothing) is neither the block nor a duplicate of it.
    const blocks = this.tree.statements.filter((s): s is ApiBlockNode => s.kind === kind && s.children.length > 0);
    for (const n of blocks.slice(1)) this.error(n.keyword.range, `duplicate "${kind}" block; the first is on line ${blocks[0].range.start.line + 1}`);
    const node = blocks[0];
    if (kind === 'sse' && api === 'sse' && target?.kind === 'builtin' && !this.incomplete && !node?.broken) {
      const hasPath = node?.children.some((c) => c.kind === 'mapping' && c.name === 'path');
      if (!hasPath) {
        const apiNode = this.tree.statements.find((s) => s.kind === 'api');
        const where = node ? node.keyword.range : apiNode?.kind === 'api' && apiNode.value ? apiNode.value.range : this.anchor;
        this.error(
          where,
          `api sse against the built-in simulator needs an endpoint path: ${node ? 'add the line' : 'add an sse block with the line'} path /chat/completions (its OpenAI chat stream) or path /generate_stream (its TGI stream)`,
        );
      }
    }
    if (!node) return undefined;
    if (api !== kind) {
      // A misspelled api line may be the one that says it: its own error says enough.
      const apiNode = this.tree.statements.find((s) => s.kind === 'api');
      if (!(apiNode?.kind === 'api' && apiNode.api === undefined)) {
        this.warning(node.keyword.range, `the ${kind} block is read only with api ${kind}, and the api here is ${api}: write api ${kind}, or remove the block`);
      }
      return undefined;
    }
    const cfg: SseApiConfig & WebSocketApiConfig = {};
    const usage: NonNullable<SseApiConfig['usage']> = {};
    const seen = new Map<string, number>();
    for (const c of node.children) {
      if (c.kind === 'unknown') continue;
      const label = c.kind === 'body' ? c.keyword.text : c.name;
      if (seen.has(label)) {
        this.error(c.keyword.range, `duplicate "${label}" line; the first is on line ${seen.get(label)! + 1}`);
        continue;
      }
      seen.set(label, c.range.start.line);
      if (c.kind === 'body') {
        if (!c.json) continue;
        const json = this.bodyJson(c);
        if (label === 'message') cfg.message = json;
        else cfg.body = json;
        continue;
      }
      const value = this.text(c.value);
      if (value === undefined) continue;
      if (c.name !== 'path' && c.name !== 'done_data' && c.value!.refs.length > 0) {
        const problem = jsonPathProblem(value);
        if (problem) {
          this.error(c.value!.range, `${problem} (after substituting variables); write a JSON path like choices[0].delta.content`);
          continue;
        }
      }
      if (c.name.startsWith('usage.')) usage[c.name.slice('usage.'.length) as keyof typeof usage] = value;
      else cfg[c.name as Exclude<typeof c.name, `usage.${string}`>] = value;
    }
    if (Object.keys(usage).length > 0) cfg.usage = usage;
    return cfg;
  }

  // ---- prompts -----------------------------------------------------------------------------

  private prompts(): PromptPlan[] {
    const out: PromptPlan[] = [];
    const names = new Map<string, number>();
    for (const p of this.tree.statements) {
      if (p.kind !== 'prompt') continue;
      const name = this.text(p.name);
      if (name !== undefined) {
        if (names.has(name)) this.error(p.name!.range, `duplicate prompt name "${name}"; the first is on line ${names.get(name)! + 1}`);
        else names.set(name, p.range.start.line);
      }
      const messages = this.messages(p.turns);
      if (!p.broken && !p.turns.some((t) => t.role === 'user')) {
        this.error(p.name?.range ?? p.keyword.range, `prompt "${name ?? ''}" has no user turn; add an indented line like: user What is the capital of France?`);
      }
      const { params, body } = this.params(p.children);
      if (name === undefined || messages === undefined) continue;
      const plan: PromptPlan = { name, weight: p.weight?.value ?? 1, messages, params };
      if (body) plan.body = body;
      out.push(plan);
    }
    return out;
  }

  private messages(turns: TurnNode[]): Message[] | undefined {
    const out: Message[] = [];
    let failed = false;
    for (const t of turns) {
      let content: string | undefined;
      if (t.form === 'file') {
        const rel = this.text(t.file);
        if (rel === undefined) {
          failed = true;
          continue;
        }
        const abs = this.abs(rel);
        content = this.read(abs)?.replace(/(\r?\n)+$/, '');
        if (content === undefined) {
          this.error(t.file!.range, notFound(rel, abs));
          failed = true;
          continue;
        }
      } else {
        content = this.text(t.text);
        if (content === undefined) {
          failed = true;
          continue;
        }
      }
      out.push({ role: t.role, content });
    }
    return failed ? undefined : out;
  }

  private params(children: readonly (PromptChild | DatasetChild)[]): { params: RequestParams; body?: Record<string, unknown> } {
    const params: RequestParams = {};
    let body: Record<string, unknown> | undefined;
    const seen = new Map<string, number>();
    for (const c of children) {
      const label = c.kind === 'setting' ? c.name : c.kind === 'stop_sequences' ? 'stop' : c.kind === 'body' ? 'body' : c.kind === 'answer' ? 'answer' : c.kind === 'token_span' ? c.name : c.kind === 'grade_option' ? c.name : undefined;
      if (label === undefined) continue;
      if (seen.has(label)) {
        this.error(c.keyword.range, `duplicate "${label}" line; the first is on line ${seen.get(label)! + 1}`);
        continue;
      }
      seen.set(label, c.range.start.line);
      if (c.kind === 'setting' && c.value) {
        if (c.name === 'max_tokens' || c.name === 'temperature' || c.name === 'top_p' || c.name === 'seed') params[c.name] = c.value.value;
      } else if (c.kind === 'stop_sequences' && c.values.length) {
        const stops = c.values.map((v) => this.text(v));
        if (stops.every((s) => s !== undefined)) params.stop = stops as string[];
      } else if (c.kind === 'body' && c.json) body = this.bodyJson(c);
    }
    return { params, body };
  }

  private bodyJson(b: BodyNode): Record<string, unknown> | undefined {
    const walk = (v: unknown): unknown => {
      if (typeof v === 'string') {
        const r = substituteVariables(v, (ns, name) => this.lookup(ns, name));
        for (const m of r.missing) this.reportMissing(m.namespace, m.name, b.textRange);
        return r.text;
      }
      if (Array.isArray(v)) return v.map(walk);
      if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
      return v;
    };
    return walk(b.json) as Record<string, unknown>;
  }

  // ---- datasets ----------------------------------------------------------------------------

  private datasets(): DatasetPlan[] {
    const out: DatasetPlan[] = [];
    const names = new Map<string, number>();
    for (const d of this.tree.statements) {
      if (d.kind !== 'dataset' || !d.format) continue;
      const plan = this.dataset(d);
      if (!plan) continue;
      if (names.has(plan.name)) {
        plan.name = `${plan.name}@${d.range.start.line + 1}`;
      }
      names.set(plan.name, d.range.start.line);
      out.push(plan);
    }
    return out;
  }

  private dataset(d: DatasetNode): DatasetPlan | undefined {
    const { params, body } = this.params(d.children);
    const setting = (name: string) => d.children.find((c): c is SettingNode => c.kind === 'setting' && c.name === name);
    const sampling = {
      sample: setting('sample')?.value?.value,
      shuffle: setting('shuffle') !== undefined,
      seed: setting('seed')?.value?.value,
    };
    delete params.seed;
    if (sampling.sample === undefined) delete sampling.sample;
    if (sampling.seed === undefined) delete sampling.seed;
    const weight = d.weight?.value ?? 1;
    const option = (name: GradeOptionNode['name']) => d.children.find((c): c is GradeOptionNode => c.kind === 'grade_option' && c.name === name);
    const graded: GradedDataset = {};
    if (option('grader')?.value) graded.grader = option('grader')!.value!.text as GraderName;
    if (option('bad_records')?.value) graded.bad_records = option('bad_records')!.value!.text as 'fail' | 'skip';
    if (d.format === 'arithmetic') {
      const levels = option('levels');
      const plan: DatasetPlan = {
        kind: 'arithmetic',
        name: 'arithmetic',
        weight,
        count: setting('count')?.value?.value ?? DEFAULTS.syntheticCount,
        levels: { min: levels?.min?.value ?? 1, max: levels?.max?.value ?? 4 },
        params,
      };
      if (sampling.seed !== undefined) plan.seed = sampling.seed;
      if (graded.grader) plan.grader = graded.grader;
      if (body) plan.body = body;
      return plan;
    }
    if (d.format === 'synthetic') {
      const span = (name: TokenSpanNode['name']) => d.children.find((c): c is TokenSpanNode => c.kind === 'token_span' && c.name === name);
      const input = span('input');
      const output = span('output');
      const prefix = span('shared_prefix');
      if (!d.broken) {
        if (!input) this.error(d.keyword.range, 'dataset synthetic needs an input line, e.g. input 1k..4k tokens');
        if (!output) this.error(d.keyword.range, 'dataset synthetic needs an output line, e.g. output 256 tokens');
      }
      if (prefix?.min && input?.min && prefix.min.value >= input.min.value) {
        this.error(prefix.min.range, `shared_prefix ${prefix.min.text} is not below the shortest input (${input.min.text}); make the prefix shorter or the input longer`);
        return undefined;
      }
      if (!input?.min || !output?.min || !input.max || !output.max) return undefined;
      const plan: DatasetPlan = {
        kind: 'synthetic',
        name: 'synthetic',
        weight,
        input: { min: input.min.value, max: input.max.value },
        output: { min: output.min.value, max: output.max.value },
        shared_prefix: prefix?.min?.value ?? 0,
        count: setting('count')?.value?.value ?? DEFAULTS.syntheticCount,
        params,
      };
      const unique = setting('unique');
      if (unique) {
        plan.unique = true;
        // The per-request nonce takes NONCE_LENGTH (5) tokens after the shared prefix.
        if (plan.input.min - plan.shared_prefix < 5) {
          this.error(unique.range, `unique needs at least 5 input tokens after the shared prefix for its per-request nonce; the shortest input leaves ${plan.input.min - plan.shared_prefix}`);
        }
      }
      if (sampling.seed !== undefined) plan.seed = sampling.seed;
      if (body) plan.body = body;
      return plan;
    }
    const rel = this.text(d.path);
    if (rel === undefined) return undefined;
    const abs = this.abs(rel);
    if (!this.exists(abs)) {
      this.error(d.path!.range, notFound(rel, abs));
      return undefined;
    }
    const name = path.basename(rel).replace(/\.(jsonl|json)$/, '');
    if (d.format === 'sharegpt') {
      const plan: DatasetPlan = { kind: 'sharegpt', name, path: abs, weight, params, ...sampling };
      if (body) plan.body = body;
      return plan;
    }
    if (d.format === 'math500') {
      const plan: DatasetPlan = { kind: 'math500', name, path: abs, weight, params, ...sampling, ...graded };
      if (body) plan.body = body;
      return plan;
    }
    if (!d.broken && !d.turns.some((t) => t.role === 'user')) {
      this.error(d.path!.range, `dataset jsonl has no user template; add an indented line like: user {{question}}`);
    }
    const messages = this.messages(d.turns);
    const answerNode = d.children.find((c) => c.kind === 'answer');
    const answer = answerNode?.kind === 'answer' ? this.text(answerNode.template) : undefined;
    this.checkFields(d, abs, rel);
    if (!messages) return undefined;
    if (answer === undefined && option('grader') && !d.broken) this.error(option('grader')!.keyword.range, 'grader grades the answer line, and this dataset has none; add a line like: answer {{answer}}');
    const plan: DatasetPlan = { kind: 'jsonl', name, path: abs, weight, messages, params, ...sampling, ...graded };
    if (answer !== undefined) plan.answer = answer;
    if (body) plan.body = body;
    return plan;
  }

  /** Checks the `{{field}}` names against the first record of the file. */
  private checkFields(d: DatasetNode, abs: string, rel: string): void {
    const head = readHead(abs, this.read);
    if (head === undefined) return;
    const firstLine = head.split(/\r?\n/).find((l) => l.trim() !== '');
    if (firstLine === undefined) {
      this.warning(d.path!.range, `${rel} is empty`);
      return;
    }
    let record: unknown;
    try {
      record = JSON.parse(firstLine);
    } catch {
      this.error(d.path!.range, `the first line of ${rel} is not JSON; a jsonl file holds one JSON object per line`);
      return;
    }
    if (!record || typeof record !== 'object' || Array.isArray(record)) {
      this.error(d.path!.range, `the first line of ${rel} is not a JSON object`);
      return;
    }
    const fields = Object.keys(record);
    const refs = d.children.flatMap((c) => (c.kind === 'turn' ? (c.text?.fields ?? []) : c.kind === 'answer' ? (c.template?.fields ?? []) : []));
    for (const f of refs) {
      const top = f.name.split('.')[0];
      if (Object.hasOwn(record as Record<string, unknown>, top)) continue;
      const near = closest(top, fields);
      this.error(
        f.range,
        `field "${f.name}" is not in the records of ${rel}${near ? `; did you mean "${near}"?` : ''} (fields: ${fields.join(', ')})`,
        near ? { range: f.range, text: `{{${near}}}`, title: `Change to {{${near}}}` } : undefined,
      );
    }
  }

  // ---- load and run control ----------------------------------------------------------------

  private stop(): RunPlan['stop'] {
    const stop: NonNullable<RunPlan['stop']> = {};
    const seen = new Map<string, number>();
    let any = false;
    for (const n of this.tree.statements) {
      if (n.kind !== 'stop' || !n.condition) continue;
      if (seen.has(n.condition)) {
        this.error(n.keyword.range, `duplicate stop condition; the first is on line ${seen.get(n.condition)! + 1}`);
        continue;
      }
      seen.set(n.condition, n.range.start.line);
      if (!n.value) continue;
      any = true;
      if (n.condition === 'after_ms') stop.after_ms = n.value.value;
      else if (n.condition === 'after_requests') stop.after_requests = n.value.value;
      else stop.error_rate_above = n.value.value;
    }
    return any ? stop : undefined;
  }

  private load(stop: RunPlan['stop']): LoadPlan | undefined {
    const node = this.only('load');
    if (!node) {
      if (!this.incomplete) this.error(this.anchor, 'no load: add e.g. load users 4 for 1m, or a load step block');
      return undefined;
    }
    if (!node.shape || node.broken) return undefined;
    const until = (what: string): number | undefined => {
      if (node.duration) return node.duration.value;
      if (stop?.after_ms !== undefined) return stop.after_ms;
      if (stop?.after_requests !== undefined) return Infinity;
      this.error(node.headerRange, `${what} has no end: add "for DURATION" (e.g. for 5m), or a line stop after 10m or stop after 1000 requests`);
      return undefined;
    };
    switch (node.shape) {
      case 'users': {
        const d = until('load users');
        if (!node.users || d === undefined) return undefined;
        return { kind: 'users', users: node.users.value, duration_ms: d };
      }
      case 'rate': {
        const d = until('load rate');
        if (!node.rate || d === undefined) return undefined;
        return { kind: 'rate', per_s: node.rate.value, duration_ms: d, arrival: node.arrival ?? DEFAULTS.arrival };
      }
      case 'replay': {
        const rel = this.text(node.path);
        if (rel === undefined) return undefined;
        const abs = this.abs(rel);
        if (!this.exists(abs)) {
          this.error(node.path!.range, notFound(rel, abs));
          return undefined;
        }
        const replay: LoadPlan = { kind: 'replay', path: abs, speed: node.speed?.value ?? 1 };
        if (node.from) replay.from_ms = node.from.value;
        if (node.to) {
          if (node.from && node.to.value <= node.from.value) {
            this.error(node.to.range, `the replay window ends (to ${node.to.text}) before it starts (from ${node.from.text}); write a "to" after the "from"`);
            return undefined;
          }
          replay.to_ms = node.to.value;
        }
        return replay;
      }
      case 'step':
        return this.step(node);
      case 'stages':
        return this.stages(node);
    }
  }

  private step(node: LoadNode): LoadPlan | undefined {
    const lines = new Map<string, StepLineNode>();
    for (const c of node.children) {
      if (c.kind !== 'step') continue;
      const prev = lines.get(c.name);
      if (prev) this.error(c.keyword.range, `duplicate "${c.name}" line; the first is on line ${prev.range.start.line + 1}`);
      else lines.set(c.name, c);
    }
    const examples: Record<string, string> = { start: 'start 2 users', add: 'add 2 users every 30s', max: 'max 16 users', hold: 'hold 1m' };
    const missing = (['start', 'add', 'max', 'hold'] as const).filter((k) => !lines.has(k));
    for (const k of missing) this.error(node.headerRange, `load step needs a "${k}" line, e.g. ${examples[k]}`);
    if (missing.length) return undefined;
    const start = lines.get('start')!.users;
    const add = lines.get('add')!;
    const max = lines.get('max')!.users;
    const hold = lines.get('hold')!.duration;
    if (!start || !add.users || !add.every || !max || !hold) return undefined;
    if (max.value < start.value) {
      this.error(max.range, `max ${max.value} users is below start ${start.value} users; raise max or lower start`);
      return undefined;
    }
    return { kind: 'step', start: start.value, add: add.users.value, every_ms: add.every.value, max: max.value, hold_ms: hold.value };
  }

  private stages(node: LoadNode): LoadPlan | undefined {
    const stages: Stage[] = [];
    let kind: 'users' | 'rate' | undefined;
    for (const c of node.children) {
      if (c.kind !== 'stage' || !c.stage) continue;
      const s = c.stage;
      if (s.kind === 'hold' && stages.length === 0) {
        this.error(c.keyword.range, 'a hold before any ramp holds no load; start with ramp to N users over D');
        return undefined;
      }
      if (s.kind !== 'hold') {
        const k = s.kind === 'ramp_users' ? 'users' : 'rate';
        if (kind && k !== kind) {
          this.error(c.range, `this stage ramps ${k === 'users' ? 'users' : 'a request rate'} but an earlier stage ramps ${kind === 'users' ? 'users' : 'a request rate'}; one load stages block drives one of them`);
          return undefined;
        }
        kind = k;
      }
      stages.push(s);
    }
    if (stages.length === 0) return undefined;
    return { kind: 'stages', stages };
  }

  // ---- expectations ------------------------------------------------------------------------

  private expectations(datasets: DatasetPlan[]): Expectation[] {
    const out: Expectation[] = [];
    for (const e of this.tree.statements) {
      if (e.kind !== 'expect') continue;
      for (const l of e.lines) {
        if (!l.parsed) continue;
        const x: Expectation = { text: l.text, metric: l.parsed.metric, op: l.parsed.op, value: l.parsed.value, line: l.range.start.line };
        if (l.parsed.stat) x.stat = l.parsed.stat;
        if (l.parsed.server) x.server = l.parsed.server;
        if (l.parsed.group !== undefined) x.group = l.parsed.group;
        out.push(x);
        // A broken or misspelled dataset line may be the missing answer: then its error says enough.
        const unsure = this.incomplete || this.tree.statements.some((s) => s.kind === 'dataset' && (s.broken || s.children.some((c) => c.kind === 'answer')));
        if (x.metric === 'accuracy' && !unsure && !datasets.some((d) => (d.kind === 'jsonl' && d.answer !== undefined) || d.kind === 'math500' || d.kind === 'arithmetic')) {
          this.warning(l.range, 'accuracy needs graded answers: add answer {{field}} to a dataset jsonl block, or use dataset math500 or dataset arithmetic');
        }
      }
    }
    return out;
  }
}

function loadDuration(load: LoadPlan): number | undefined {
  switch (load.kind) {
    case 'users':
    case 'rate':
      return Number.isFinite(load.duration_ms) ? load.duration_ms : undefined;
    case 'step':
      return undefined;
    case 'stages':
      return load.stages.reduce((a, s) => a + (s.kind === 'hold' ? s.for_ms : s.over_ms), 0);
    case 'replay':
      return undefined;
  }
}

function notFound(rel: string, abs: string): string {
  return rel === abs ? `file not found: ${rel}` : `file not found: ${rel} (looked for ${abs})`;
}

/** Loads whose requests arrive on a schedule rather than after the previous response. */
function isOpenLoop(load: LoadPlan): boolean {
  return load.kind === 'rate' || load.kind === 'replay' || (load.kind === 'stages' && load.stages.some((s) => s.kind === 'ramp_rate'));
}

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

/** The first 64 KB of a file (through readFile when the caller gave one). */
function readHead(abs: string, read: (p: string) => string | undefined): string | undefined {
  try {
    const fd = fs.openSync(abs, 'r');
    try {
      const buf = Buffer.alloc(65536);
      const n = fs.readSync(fd, buf, 0, buf.length, 0);
      return buf.subarray(0, n).toString('utf8');
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    const t = read(abs);
    return t === undefined ? undefined : t.slice(0, 65536);
  }
}
