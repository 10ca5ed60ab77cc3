/**
 * Renders a model's chat template (Jinja, from tokenizer_config.json or chat_template.jinja) with
 * @huggingface/jinja, the way Hugging Face `apply_chat_template` and vLLM/SGLang/TGI do before
 * tokenizing a chat request.
 */
import { Template } from '@huggingface/jinja';
import type { Message } from '../scenario/plan';

export type TemplateMessage = Message | { role: string; content: string | null; [k: string]: unknown };

export interface ChatTemplate {
  render(messages: TemplateMessage[], opts?: { addGenerationPrompt?: boolean; extra?: Record<string, unknown> }): string;
}

/** A special token in tokenizer_config.json is a string or an AddedToken object `{ content }`. */
export function tokenText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && typeof (v as { content?: unknown }).content === 'string') {
    return (v as { content: string }).content;
  }
  return undefined;
}

/**
 * The template text a config names: `chat_template` is a string, or a list of `{ name, template }`
 * of which `default` is the chat one.
 */
export function pickTemplateText(config: Record<string, unknown>): string | undefined {
  const t = config.chat_template;
  if (typeof t === 'string') return t;
  if (Array.isArray(t)) {
    const named = t.filter(
      (x): x is { name: string; template: string } =>
        !!x && typeof x === 'object' && typeof x.name === 'string' && typeof x.template === 'string',
    );
    return (named.find((x) => x.name === 'default') ?? named[0])?.template;
  }
  return undefined;
}

export function compileChatTemplate(text: string, config: Record<string, unknown>): ChatTemplate {
  let template: Template;
  try {
    template = new Template(text);
  } catch (e) {
    throw new Error(`the chat template does not parse: ${(e as Error).message}`);
  }
  const specials: Record<string, string> = {};
  for (const key of ['bos_token', 'eos_token', 'unk_token', 'pad_token', 'sep_token', 'cls_token', 'mask_token']) {
    const v = tokenText(config[key]);
    if (v !== undefined) specials[key] = v;
  }
  return {
    render(messages, opts = {}) {
      return template.render({
        ...specials,
        ...opts.extra,
        messages,
        add_generation_prompt: opts.addGenerationPrompt ?? true,
      });
    },
  };
}
