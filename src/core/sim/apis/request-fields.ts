/** What the simulated APIs read alike from a request body: objects, message text, tools, limits. */

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The tool the model should call: the first offered tool's name, unless calling is forbidden. */
export function offeredTool(tools: unknown, name: (tool: Record<string, unknown>) => unknown, forbidden: boolean): string | undefined {
  if (forbidden || !Array.isArray(tools) || tools.length === 0 || !isRecord(tools[0])) return undefined;
  const n = name(tools[0]);
  return typeof n === 'string' && n !== '' ? n : undefined;
}

/** Text of a message `content` that is a string or an array of text parts; '' for anything else. */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((part) => {
        if (typeof part === 'string') return part;
        if (part && typeof part === 'object' && typeof (part as { text?: unknown }).text === 'string') {
          return (part as { text: string }).text;
        }
        return '';
      })
      .join('\n');
  }
  return '';
}

/** A positive integer option, or undefined when absent; a string error when present but invalid. */
export function optionalPositiveInt(body: Record<string, unknown>, key: string): number | undefined | string {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) return `${key} must be a positive integer`;
  return v;
}

/** The `content` text of each message; or the index of the first one that is not an object with a string `role`. */
export function messageTexts(messages: readonly unknown[]): string[] | number {
  const texts: string[] = [];
  for (const [i, m] of messages.entries()) {
    if (!isRecord(m) || typeof m.role !== 'string') return i;
    texts.push(contentText(m.content));
  }
  return texts;
}
