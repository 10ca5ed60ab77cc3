/**
 * The scenario text an HTML report carries: the run folder's scenario.llmload as the run wrote it
 * (the writer already replaced every secret value the run knew), scrubbed once more at report time
 * for folders written another way (by hand, by an older llmload): a `key` given literally, and the
 * value of a credential header (Authorization, *key*, *token*, ...) given literally, become
 * REDACTED. `${secret:NAME}` and `${env:NAME}` references name a secret without holding it and stay.
 */
import fs from 'node:fs';
import path from 'node:path';
import { CREDENTIAL_HEADER, REDACTED } from '../results/redact';
import { RESULT_FILES } from '../results/files';

/** Larger scenario files are cut here (with a note): the report embeds the text once. */
export const MAX_SCENARIO_CHARS = 200_000;

const KEY_LINE = /^(\s*key\s+)(\S.*?)(\s*)$/;
const HEADER_LINE = /^(\s*header\s+)("[^"]*"|\S+)(\s+)(\S.*?)(\s*)$/;
const REFERENCE = /\$\{[^}]*\}/g;
const SCHEME = /^\s*"?\s*(?:bearer|basic|token|apikey|api-key|key)\b/i;

/** Whether a value holds literal text beyond `${…}` references, REDACTED markers, quotes and an auth scheme word. */
function holdsLiteral(value: string): boolean {
  const rest = value.split(REDACTED).join('').replace(REFERENCE, '').replace(SCHEME, '').replace(/["\s]/g, '');
  return rest.length >= 4;
}

/** `text` with literal keys and credential header values replaced by REDACTED, line by line. */
export function scrubScenarioSecrets(text: string): string {
  return text
    .split('\n')
    .map((line) => {
      const k = KEY_LINE.exec(line);
      if (k && holdsLiteral(k[2]!)) return `${k[1]}${REDACTED}${k[3]}`;
      const hd = HEADER_LINE.exec(line);
      if (hd && CREDENTIAL_HEADER.test(hd[2]!.replace(/"/g, '')) && holdsLiteral(hd[4]!)) return `${hd[1]}${hd[2]}${hd[3]}${REDACTED}${hd[5]}`;
      return line;
    })
    .join('\n');
}

/** The run folder's scenario text for a report, scrubbed; undefined when the folder has none. */
export function reportScenarioText(dir: string): { text: string; truncated: boolean } | undefined {
  let text: string;
  try {
    text = fs.readFileSync(path.join(dir, RESULT_FILES.scenario), 'utf8');
  } catch {
    return undefined;
  }
  const truncated = text.length > MAX_SCENARIO_CHARS;
  return { text: scrubScenarioSecrets(truncated ? text.slice(0, MAX_SCENARIO_CHARS) : text), truncated };
}
