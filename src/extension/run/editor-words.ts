/**
 * Messages from the core name the CLI's fixes (`--target URL`, `--download-tokenizer`); inside VS
 * Code the fix is a command or a setting. These rewrites say the editor's way; the rest of the
 * message is kept as the core wrote it. No `vscode` import.
 */
const REWRITES: [RegExp, string][] = [
  [/\s*\(--target URL overrides the scenario's target\)/g, " (to run against another server, pick one with 'llmload: Select Environment', from the llmload.environments setting)"],
  [/--target URL/g, "'llmload: Select Environment' (llmload.environments setting)"],
  [/--download-tokenizer/g, 'the download offered in the editor (it asks before downloading)'],
  [/\bllmload run FILE\b/g, "'llmload: Run Scenario'"],
];

export function inEditorWords(message: string): string {
  let out = message;
  for (const [re, to] of REWRITES) out = out.replace(re, to);
  return out;
}
