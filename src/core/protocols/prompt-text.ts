/**
 * The prompt as one string, for APIs that take raw text (Completions, TGI /generate_stream): the
 * messages' contents joined by blank lines. No chat template is applied; a scenario that needs one
 * writes the final text as a single user message or sets the field in the prompt's raw body.
 */
import type { PromptPlan } from '../scenario/plan';

export function promptText(prompt: PromptPlan): string {
  return prompt.messages.map((m) => m.content).join('\n\n');
}
