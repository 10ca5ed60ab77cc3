/**
 * The prompt as one string, for APIs that take raw text (Completions, TGI /generate_stream, and the
 * `{{prompt}}` of an `sse`/`websocket` template): the messages' contents joined by blank lines. No
 * chat template is applied; a scenario that needs one writes the final text as a single user
 * message or sets the field in the prompt's raw body.
 *
 * This one function builds the text both for the request and for the tokenizer's raw count
 * (src/core/tokenize/counts.ts), so the raw count is the count of exactly the text sent, blank-line
 * separators included.
 */
import type { PromptPlan } from '../scenario/plan';

/** What joins two messages in the raw text. */
export const TURN_SEPARATOR = '\n\n';

export function promptText(prompt: Pick<PromptPlan, 'messages'>): string {
  return prompt.messages.map((m) => m.content).join(TURN_SEPARATOR);
}
