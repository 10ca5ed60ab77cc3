/**
 * The core of the resolver, shared by every block's resolve functions: diagnostics, the file-wide
 * facts (is the file complete, where "missing" errors go), variables and their substitution, and
 * file access. resolver.ts calls the blocks in order; blocks/*.ts hold their own resolution.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Diagnostic, Range } from './diagnostics';
import type { ApiKind, TracePlan } from './plan';
import type { ScenarioTree, TextValue, TopNode, VarNode } from './tree';
import { closest } from './suggest';
import { substituteVariables } from './variables';


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

export function zero(): Range {
  return { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
}

export class Resolution {
  readonly diags: Diagnostic[] = [];
  errors = 0;
  readonly env: Record<string, string | undefined>;
  readonly secret: (name: string) => string | undefined;
  readonly read: (p: string) => string | undefined;
  readonly exists: (p: string) => boolean;
  readonly file: string;
  readonly baseDir: string;
  readonly vars = new Map<string, VarNode>();
  private readonly varValues = new Map<string, string | undefined>();
  private readonly resolving = new Set<string>();
  readonly usedVars = new Set<string>();
  private readonly maybeDefined = new Set<string>();
  /** A var line that did not parse may be the definition of any undefined name. */
  private readonly brokenVar: boolean;
  /** With parse errors or unknown lines, a "missing" directive may be one of them: it is not reported. */
  readonly incomplete: boolean;

  constructor(
    readonly tree: ScenarioTree,
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

  error(range: Range, message: string, fix?: Diagnostic['fix']): void {
    this.errors++;
    this.diags.push(fix ? { severity: 'error', range, message, fix } : { severity: 'error', range, message });
  }

  warning(range: Range, message: string): void {
    this.diags.push({ severity: 'warning', range, message });
  }

  /** Where file-wide "missing" errors go: the scenario line, else the first directive, else the start. */
  get anchor(): Range {
    const s = this.tree.statements.find((n) => n.kind === 'scenario') ?? this.tree.statements[0];
    return s ? s.keyword.range : zero();
  }

  /** True, with a "duplicate" error, when `key` came before in `seen`; else notes the node's line under `key`. */
  repeated(seen: Map<string, number>, key: string, node: { keyword: { range: Range }; range: Range }, what: string): boolean {
    const first = seen.get(key);
    if (first !== undefined) {
      this.error(node.keyword.range, `duplicate ${what}; the first is on line ${first + 1}`);
      return true;
    }
    seen.set(key, node.range.start.line);
    return false;
  }

  only<K extends TopNode['kind']>(kind: K, label: string = kind): Extract<TopNode, { kind: K }> | undefined {
    const nodes = this.tree.statements.filter((s) => s.kind === kind) as Extract<TopNode, { kind: K }>[];
    for (const n of nodes.slice(1)) {
      this.error(n.keyword.range, `duplicate "${label}" line; the first is on line ${nodes[0].range.start.line + 1}`);
    }
    return nodes[0];
  }


  // ---- variables ---------------------------------------------------------------------------

  /** The text with variables substituted; undefined (with an error per missing name) when one is missing. */
  text(tv: TextValue | undefined): string | undefined {
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

  lookup(ns: 'var' | 'env' | 'secret', name: string): string | undefined {
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

  reportMissing(ns: 'var' | 'env' | 'secret', name: string, range: Range): void {
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

  abs(p: string): string {
    return path.resolve(this.baseDir, p);
  }

  /** The absolute path of a file the scenario names, or undefined (with an error at `range`) when there is no such file. */
  existingFile(rel: string, range: Range): string | undefined {
    const abs = this.abs(rel);
    if (this.exists(abs)) return abs;
    this.error(range, notFound(rel, abs));
    return undefined;
  }
}

export function notFound(rel: string, abs: string): string {
  return rel === abs ? `file not found: ${rel}` : `file not found: ${rel} (looked for ${abs})`;
}

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}
