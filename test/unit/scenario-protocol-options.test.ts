/**
 * Protocol options in scenarios: think_tags, length, and the sse and websocket blocks. Exact
 * diagnostics (1-based LINE:COL-LINE:COL) for each mistake, resolution into the plan, agreement
 * with the protocols layer's own JSON-path check, and a run of a mapped `api sse` scenario against
 * the built-in simulator that produces thinking and answer packets.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { parseScenario, resolvePlan } from '../../src/core/scenario';
import type { RunPlan } from '../../src/core/scenario';
import { jsonPathProblem } from '../../src/core/scenario/parser';
import { mappingErrors } from '../../src/core/protocols';
import { startRun } from '../../src/core/run/runner';

/** Valid scenarios; each case appends one mistake (on line 6 or 7 for U and W, line 5 for B). */
const U = 'target http://127.0.0.1:9/generate\napi sse\nload users 1 for 1s\nprompt "p"\n  user hi\n';
const W = 'target ws://127.0.0.1:9/ws\napi websocket\nload users 1 for 1s\nprompt "p"\n  user hi\n';
const B = 'target builtin:reasoning\nload users 2 for 10s\nprompt "p"\n  user hi\n';

function diagnose(text: string): string[] {
  const p = parseScenario(text, '/virtual/s.llmload');
  const r = resolvePlan(p.tree, { file: '/virtual/s.llmload', env: {}, secret: () => undefined, readFile: () => undefined });
  return [...p.diagnostics, ...r.diagnostics].map(
    (d) => `${d.range.start.line + 1}:${d.range.start.character + 1}-${d.range.end.line + 1}:${d.range.end.character + 1} ${d.severity}: ${d.message}`,
  );
}

function planOf(text: string, env: Record<string, string> = {}): RunPlan {
  const p = parseScenario(text, '/virtual/s.llmload');
  const r = resolvePlan(p.tree, { file: '/virtual/s.llmload', env, readFile: () => undefined });
  assert.deepEqual([...p.diagnostics, ...r.diagnostics], [], text);
  assert.ok(r.plan);
  return r.plan;
}

const CASES: { name: string; text: string; expect: string[] }[] = [
  {
    name: "an sse block with another api",
    text: `${B}sse\n  answer token.text\n`,
    expect: [
      "5:1-5:4 warning: the sse block is read only with api sse, and the api here is openai-chat: write api sse, or remove the block",
    ],
  },
  {
    name: "a websocket block with api sse",
    text: `${U}websocket\n  answer answer\n`,
    expect: [
      "6:1-6:10 warning: the websocket block is read only with api websocket, and the api here is sse: write api websocket, or remove the block",
    ],
  },
  {
    name: "an unclosed [ in a JSON path",
    text: `${U}sse\n  answer choices[0.delta.content\n`,
    expect: [
      "7:10-7:33 error: malformed JSON path: unclosed [ at 8 in \"choices[0.delta.content\"; write a JSON path like token.text or choices[0].delta.content",
    ],
  },
  {
    name: "a JSON path index that is no number",
    text: `${U}sse\n  answer choices[first].text\n`,
    expect: [
      "7:10-7:29 error: malformed JSON path: bad index [first] in \"choices[first].text\"; write a JSON path like token.text or choices[0].delta.content",
    ],
  },
  {
    name: "a misspelled mapping line",
    text: `${U}sse\n  anwser token.text\n`,
    expect: [
      "7:3-7:9 error: unknown directive \"anwser\" in an sse block; did you mean \"answer\"?",
    ],
  },
  {
    name: "a misspelled usage count",
    text: `${U}sse\n  usage.promt_tokens details.input_length\n`,
    expect: [
      "7:3-7:21 error: unknown usage count \"usage.promt_tokens\"; did you mean \"usage.prompt_tokens\"?",
    ],
  },
  {
    name: "usage written as two words",
    text: `${U}sse\n  usage prompt_tokens details.input_length\n`,
    expect: [
      "7:3-7:8 error: write one line per token count, each with its JSON path: \"usage.prompt_tokens\", \"usage.completion_tokens\", \"usage.reasoning_tokens\" or \"usage.cached_tokens\", e.g. usage.prompt_tokens usage.input_tokens",
    ],
  },
  {
    name: "a JSON path missing",
    text: `${U}sse\n  answer\n`,
    expect: [
      "7:3-7:9 error: answer needs a JSON path, e.g. answer token.text",
    ],
  },
  {
    name: "a JSON path with a space, unquoted",
    text: `${U}sse\n  answer token text\n`,
    expect: [
      "7:16-7:20 error: unexpected \"text\"; write answer PATH, e.g. answer token.text (quote a path that holds spaces)",
    ],
  },
  {
    name: "invalid JSON in a body template",
    text: `${U}sse\n  body {"inputs": "{{prompt}}",}\n`,
    expect: [
      "7:32-7:33 error: invalid JSON in body: Expected double-quoted property name",
    ],
  },
  {
    name: "a body template that is no object",
    text: `${U}sse\n  body ["{{prompt}}"]\n`,
    expect: [
      "7:8-7:22 error: body must be a JSON object, e.g. body {\"inputs\": \"{{prompt}}\", \"stream\": true}",
    ],
  },
  {
    name: "an unknown placeholder",
    text: `${U}sse\n  body {"inputs": "{{promt}}"}\n`,
    expect: [
      "7:20-7:29 error: unknown placeholder \"{{promt}}\" in body; did you mean \"{{prompt}}\"?",
    ],
  },
  {
    name: "a placeholder with spaces inside the braces",
    text: `${U}sse\n  body {"inputs": "{{ prompt }}"}\n`,
    expect: [
      "7:20-7:32 error: write \"{{prompt}}\" without spaces inside the braces",
    ],
  },
  {
    name: "a whole-value placeholder inside longer text",
    text: `${U}sse\n  body {"inputs": "{{prompt}}", "note": "at most {{max_tokens}} tokens"}\n`,
    expect: [
      "7:50-7:64 error: {{max_tokens}} is replaced only as a whole JSON string: write \"{{max_tokens}}\" as the value on its own (only {{prompt}} and {{model}} are replaced inside longer text)",
    ],
  },
  {
    name: "a placeholder no name is near",
    text: `${U}sse\n  body {"inputs": "{{question}}"}\n`,
    expect: [
      "7:20-7:32 error: unknown placeholder \"{{question}}\" in body; a template may use \"{{messages}}\", \"{{prompt}}\", \"{{model}}\", \"{{max_tokens}}\", \"{{temperature}}\", \"{{top_p}}\", \"{{seed}}\" or \"{{stop}}\"",
    ],
  },
  {
    name: "a full URL as path",
    text: `${U}sse\n  path http://127.0.0.1:9/generate\n`,
    expect: [
      "7:8-7:35 error: path is the part after the target URL, e.g. path /generate_stream; put the server's URL in the target line",
    ],
  },
  {
    name: "path in a websocket block",
    text: `${W}websocket\n  path /ws\n`,
    expect: [
      "7:3-7:7 error: a websocket block takes no path: the path is part of the target URL, e.g. target ws://127.0.0.1:8000/v1/ws",
    ],
  },
  {
    name: "body in a websocket block",
    text: `${W}websocket\n  body {"x": 1}\n`,
    expect: [
      "7:3-7:7 error: a websocket sends a message, not a body: write message {...} with the same JSON",
    ],
  },
  {
    name: "message in an sse block",
    text: `${U}sse\n  message {"x": 1}\n`,
    expect: [
      "7:3-7:10 error: an sse request sends a body, not a message: write body {...} with the same JSON",
    ],
  },
  {
    name: "an unclosed message",
    text: `${W}websocket\n  message {"messages": "{{messages}}",\n  answer answer\n`,
    expect: [
      "7:11-7:39 error: unclosed \"{\" in message; close the JSON object with \"}\"",
    ],
  },
  {
    name: "a duplicate mapping line",
    text: `${U}sse\n  answer a\n  answer b\n`,
    expect: [
      "8:3-8:9 error: duplicate \"answer\" line; the first is on line 7",
    ],
  },
  {
    name: "two sse blocks",
    text: `${U}sse\n  answer a\nsse\n  thinking b\n`,
    expect: [
      "8:1-8:4 error: duplicate \"sse\" block; the first is on line 6",
    ],
  },
  {
    name: "api sse against the simulator with no path",
    text: `${B}api sse\n`,
    expect: [
      "5:5-5:8 error: api sse against the built-in simulator needs an endpoint path: add an sse block with the line path /chat/completions (its OpenAI chat stream) or path /generate_stream (its TGI stream)",
    ],
  },
  {
    name: "api sse against the simulator, an sse block with no path",
    text: `${B}api sse\nsse\n  answer token.text\n`,
    expect: [
      "6:1-6:4 error: api sse against the built-in simulator needs an endpoint path: add the line path /chat/completions (its OpenAI chat stream) or path /generate_stream (its TGI stream)",
    ],
  },
  {
    name: "sse settings indented under the api line",
    text: "target http://127.0.0.1:9/generate\nload users 1 for 1s\nprompt \"p\"\n  user hi\napi sse\n  answer token.text\n",
    expect: [
      "6:3-6:20 error: the settings of api sse go in a block of their own: add a line \"sse\" at the first column above this one",
    ],
  },
  {
    name: "a bare sse line",
    text: `${U}sse\n`,
    expect: [
      "6:1-6:4 warning: \"sse\" with no lines below it changes nothing: to choose the protocol, write api sse; to map its stream, indent lines below it, e.g. answer token.text",
    ],
  },
  {
    name: "words after sse",
    text: `${U}sse token.text\n  answer token.text\n`,
    expect: [
      "6:5-6:15 error: unexpected \"token.text\"; write sse on its own line, with its settings indented below, e.g. answer token.text",
    ],
  },
  {
    name: "done_data with no value",
    text: `${U}sse\n  done_data\n`,
    expect: [
      "7:3-7:12 error: done_data needs the event data that ends the stream, e.g. done_data [DONE]",
    ],
  },
  {
    name: "a mapping line at the top level",
    text: `${U}answer token.text\n`,
    expect: [
      "6:1-6:7 error: \"answer\" belongs in a dataset block, an sse block or a websocket block; indent it under one",
    ],
  },
  {
    name: "a JSON path from a variable that is malformed",
    text: `${U}var P choices[0\nsse\n  answer \${P}\n`,
    expect: [
      "8:10-8:14 error: malformed JSON path: unclosed [ at 8 in \"choices[0\" (after substituting variables); write a JSON path like choices[0].delta.content",
    ],
  },
  {
    name: "think_tags alone",
    text: `${B}think_tags\n`,
    expect: [
      "5:1-5:11 error: think_tags needs tags, a mode or off; write think_tags OPEN CLOSE [auto|starts_in_thinking|starts_in_answer], e.g. think_tags <think> </think>, or think_tags off",
    ],
  },
  {
    name: "think_tags with one tag",
    text: `${B}think_tags <think>\n`,
    expect: [
      "5:12-5:19 error: think_tags needs both tags, the opening and the closing one, e.g. think_tags <think> </think>",
    ],
  },
  {
    name: "a misspelled think_tags mode alone",
    text: `${B}think_tags starts_in_thinkin\n`,
    expect: [
      "5:12-5:29 error: unknown think_tags mode \"starts_in_thinkin\"; did you mean \"starts_in_thinking\"?",
    ],
  },
  {
    name: "a misspelled think_tags mode after the tags",
    text: `${B}think_tags <think> </think> autoo\n`,
    expect: [
      "5:29-5:34 error: unknown think_tags mode \"autoo\"; did you mean \"auto\"?",
    ],
  },
  {
    name: "the same tag twice",
    text: `${B}think_tags <think> <think>\n`,
    expect: [
      "5:20-5:27 error: the closing tag must differ from the opening tag, e.g. think_tags <think> </think>",
    ],
  },
  {
    name: "an empty tag",
    text: `${B}think_tags "" </think>\n`,
    expect: [
      "5:12-5:14 error: a think tag cannot be empty; write the tag, e.g. <think>",
    ],
  },
  {
    name: "words after think_tags off",
    text: `${B}think_tags off please\n`,
    expect: [
      "5:16-5:22 error: unexpected \"please\"; write think_tags off on its own",
    ],
  },
  {
    name: "think_tags twice",
    text: `${B}think_tags off\nthink_tags <think> </think>\n`,
    expect: [
      "6:1-6:11 error: duplicate \"think_tags\" line; the first is on line 5",
    ],
  },
  {
    name: "length alone",
    text: `${B}length\n`,
    expect: [
      "5:1-5:7 error: length needs fails or warns; write length fails (an answer cut at max_tokens fails the request) or length warns (the default)",
    ],
  },
  {
    name: "length misspelled",
    text: `${B}length fail\n`,
    expect: [
      "5:8-5:12 error: unexpected \"fail\"; did you mean \"fails\"?",
    ],
  },
  {
    name: "words after length fails",
    text: `${B}length fails always\n`,
    expect: [
      "5:14-5:20 error: unexpected \"always\"; write length fails (an answer cut at max_tokens fails the request) or length warns (the default)",
    ],
  },
  {
    name: "length twice",
    text: `${B}length fails\nlength warns\n`,
    expect: [
      "6:1-6:7 error: duplicate \"length\" line; the first is on line 5",
    ],
  },
];

test('each protocol-option mistake gives exactly one diagnostic, at its position, saying what to write', () => {
  for (const c of CASES) assert.deepEqual(diagnose(c.text), c.expect, c.name);
});

test('the valid bases are clean, so every diagnostic above comes from its mistake', () => {
  for (const t of [U, W, B]) assert.deepEqual(diagnose(t), []);
});

test('the new nodes carry ranges: the block covers its lines, each line its keyword and value', () => {
  const text = 'sse\n  path /x\n  answer "a b"\n  body\n    {"inputs": "{{prompt}}"}\nthink_tags <t> </t> starts_in_answer\nlength fails\n';
  const { tree, diagnostics } = parseScenario(text);
  assert.deepEqual(diagnostics, []);
  const [sse, tags, length] = tree.statements;
  assert.ok(sse?.kind === 'sse' && tags?.kind === 'think_tags' && length?.kind === 'length');
  const r = (x: { start: { line: number; character: number }; end: { line: number; character: number } }) => `${x.start.line}:${x.start.character}-${x.end.line}:${x.end.character}`;
  assert.equal(r(sse.range), '0:0-4:28');
  assert.equal(r(sse.headerRange), '0:0-0:3');
  assert.deepEqual(sse.children.map((c) => [c.kind, c.keyword.text, r(c.range)]), [
    ['mapping', 'path', '1:2-1:9'],
    ['mapping', 'answer', '2:2-2:14'],
    ['body', 'body', '3:2-4:28'],
  ]);
  const answer = sse.children[1]!;
  assert.ok(answer.kind === 'mapping' && answer.value);
  assert.equal(answer.value.text, 'a b');
  assert.equal(r(answer.value.range), '2:9-2:14');
  assert.equal(tags.open?.text, '<t>');
  assert.equal(r(tags.close!.range), '5:15-5:19');
  assert.equal(r(tags.mode!.range), '5:20-5:36');
  assert.equal(tags.starts_in_thinking, false);
  assert.equal(length.fails, true);
});

test('near misses carry a quick fix with the right word', () => {
  const fixes = (text: string) => parseScenario(text).diagnostics.map((d) => d.fix?.text);
  assert.deepEqual(fixes(`${U}sse\n  anwser token.text\n`), ['answer']);
  assert.deepEqual(fixes(`${U}sse\n  usage.promt_tokens x\n`), ['usage.prompt_tokens']);
  assert.deepEqual(fixes(`${U}sse\n  body {"inputs": "{{promt}}"}\n`), ['{{prompt}}']);
  assert.deepEqual(fixes(`${B}think_tags <think> </think> starts_in_thinkng\n`), ['starts_in_thinking']);
  assert.deepEqual(fixes(`${B}length fail\n`), ['fails']);
  assert.deepEqual(fixes(`${W}websocket\n  message {"messages": "{{messages }}"}\n`), ['{{messages}}']);
});

test('think_tags resolves to the protocols layer\'s ThinkTagOptions, or false with off', () => {
  assert.deepEqual(planOf(`${B}think_tags <think> </think>\n`).think_tags, { open: '<think>', close: '</think>', starts_in_thinking: 'auto' });
  assert.deepEqual(planOf(`${B}think_tags starts_in_thinking\n`).think_tags, { open: '<think>', close: '</think>', starts_in_thinking: true });
  assert.deepEqual(planOf(`${B}think_tags "[THINK]" "[/THINK]" starts_in_answer\n`).think_tags, { open: '[THINK]', close: '[/THINK]', starts_in_thinking: false });
  assert.deepEqual(planOf(`${B}think_tags <reasoning> </reasoning> auto # Hermes style\n`).think_tags, { open: '<reasoning>', close: '</reasoning>', starts_in_thinking: 'auto' });
  assert.equal(planOf(`${B}think_tags off\n`).think_tags, false);
  assert.equal('think_tags' in planOf(B), false, 'absent: the protocols layer keeps its default');
});

test('length fails sets length_fails; length warns clears it; absent leaves it out', () => {
  assert.equal(planOf(`${B}length fails\n`).length_fails, true);
  assert.equal(planOf(`${B}length warns\n`).length_fails, false);
  assert.equal('length_fails' in planOf(B), false);
});

test('an sse block resolves to SseApiConfig: path, body template (placeholders kept, variables substituted), JSON paths', () => {
  const plan = planOf(
    `${U}var TOPIC geography\nsse\n  path \${env:SSE_PATH}\n  body\n    {"inputs": "{{prompt}}", "parameters": {"max_new_tokens": "{{max_tokens}}"}, "tag": "\${TOPIC}"}\n` +
      `  answer token.text\n  thinking "$.delta['reasoning text']"\n  tool_call tool_calls\n  finish_reason details.finish_reason\n  id "request id"\n  error err\n  done details\n  done_data "[END]"\n` +
      `  usage.prompt_tokens details.input_length\n  usage.completion_tokens details.generated_tokens\n  usage.reasoning_tokens details.reasoning\n  usage.cached_tokens details.cached\n`,
    { SSE_PATH: '/generate_stream' },
  );
  assert.deepEqual(plan.sse, {
    path: '/generate_stream',
    body: { inputs: '{{prompt}}', parameters: { max_new_tokens: '{{max_tokens}}' }, tag: 'geography' },
    answer: 'token.text',
    thinking: "$.delta['reasoning text']",
    tool_call: 'tool_calls',
    finish_reason: 'details.finish_reason',
    id: 'request id',
    error: 'err',
    done: 'details',
    done_data: '[END]',
    usage: { prompt_tokens: 'details.input_length', completion_tokens: 'details.generated_tokens', reasoning_tokens: 'details.reasoning', cached_tokens: 'details.cached' },
  });
  assert.deepEqual(mappingErrors(plan.sse!), []);
  assert.equal(plan.websocket, undefined);
});

test('a websocket block resolves to WebSocketApiConfig with its message template', () => {
  const plan = planOf(`${W}websocket\n  message {"messages": "{{messages}}", "model": "{{model}}", "stream": true}\n  answer answer\n  done done\n`);
  assert.deepEqual(plan.websocket, { message: { messages: '{{messages}}', model: '{{model}}', stream: true }, answer: 'answer', done: 'done' });
  assert.equal(plan.sse, undefined);
});

test('api sse without a block uses the OpenAI defaults: the plan has no sse config; a block for another api is left out', () => {
  assert.equal(planOf(U).sse, undefined);
  const p = parseScenario(`${B}sse\n  answer token.text\n`);
  const r = resolvePlan(p.tree);
  assert.ok(r.plan, 'a warning only');
  assert.equal(r.plan.sse, undefined);
});

test('the parser\'s JSON-path check agrees with the protocols layer\'s mappingErrors on any path', () => {
  const alphabet = fc.constantFrom('a', 'b', '0', '1', '.', '[', ']', "'", '"', '$', '_', ' ', 'x');
  fc.assert(
    fc.property(fc.string({ unit: alphabet, minLength: 1, maxLength: 16 }), (p) => {
      if (p.trim() === '') return;
      assert.equal(jsonPathProblem(p) !== undefined, mappingErrors({ answer: p }).length > 0, p);
    }),
    { seed: 7, numRuns: 500 },
  );
});

test('the example files map their streams, and the maps pass the protocols layer\'s check', () => {
  const root = path.resolve(__dirname, '../..');
  for (const [f, key] of [['generic-sse.llmload', 'sse'], ['websocket.llmload', 'websocket']] as const) {
    const file = path.join(root, 'examples', f);
    const p = parseScenario(fs.readFileSync(file, 'utf8'), file);
    const r = resolvePlan(p.tree, { file, env: {} });
    assert.deepEqual([...p.diagnostics, ...r.diagnostics], [], f);
    const cfg = r.plan![key]!;
    assert.ok(cfg.answer, f);
    assert.deepEqual(mappingErrors(cfg), [], f);
  }
});

test('a mapped api sse scenario runs against the built-in simulator: thinking from <think> tags, then answer packets', async () => {
  const text = [
    'scenario "mapped sse"',
    'target builtin:reasoning',
    'api sse',
    'timeout 30s',
    'sse',
    '  path /generate_stream',
    '  body {"inputs": "{{prompt}}", "parameters": {"max_new_tokens": "{{max_tokens}}"}}',
    '  answer token.text',
    '  finish_reason details.finish_reason',
    '  usage.completion_tokens details.generated_tokens',
    '  done details',
    'think_tags <think> </think>',
    'length fails',
    'load users 1',
    'stop after 2 requests',
    'trace all',
    'prompt "p"',
    '  user What is the capital of France?',
    '  max_tokens 400',
    '',
  ].join('\n');
  const plan = planOf(text);
  assert.equal(plan.length_fails, true);
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'llmload-sse-')), 'run');
  const h = await startRun(plan, { outDir: dir, workers: 1 });
  const { summary } = await h.done;
  assert.ok(summary.requests.total >= 2 && summary.requests.total <= 3, `total ${summary.requests.total}`);
  assert.equal(summary.requests.failed, 0, JSON.stringify(summary.errors));
  const packets = fs
    .readFileSync(path.join(dir, 'packets.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { request: number; kind: string; text: string });
  const first = packets.filter((p) => p.request === packets[0]!.request);
  const kinds = first.map((p) => p.kind);
  assert.ok(kinds.includes('thinking') && kinds.includes('answer'), kinds.join(','));
  assert.ok(kinds.indexOf('thinking') < kinds.indexOf('answer'), 'thinking comes before the answer');
  assert.equal(kinds[kinds.length - 1], 'done');
  const answer = first.filter((p) => p.kind === 'answer').map((p) => p.text).join('');
  assert.doesNotMatch(answer, /<\/?think>/, 'the tags are not answer text');
  fs.rmSync(path.dirname(dir), { recursive: true, force: true });
});

test('generated sse blocks, think_tags and length lines resolve to exactly the options they were written from', () => {
  const ident = fc.stringMatching(/^[a-z_][a-z0-9_]{0,8}$/);
  const jsonPath = fc
    .array(fc.oneof(ident.map((s) => `.${s}`), fc.nat({ max: 9 }).map((n) => `[${n}]`), ident.map((s) => `['${s}-x']`)), { minLength: 0, maxLength: 4 })
    .chain((rest) => fc.tuple(ident, fc.constantFrom('', '$.')).map(([head, dollar]) => `${dollar}${head}${rest.join('')}`));
  const fields = ['answer', 'thinking', 'tool_call', 'finish_reason', 'id', 'error', 'done', 'usage.prompt_tokens', 'usage.completion_tokens', 'usage.reasoning_tokens', 'usage.cached_tokens'] as const;
  const mapping = fc.uniqueArray(fc.tuple(fc.constantFrom(...fields), jsonPath, fc.boolean()), { selector: ([f]) => f, maxLength: fields.length });
  const tags = fc.option(
    fc.oneof(
      fc.constant({ text: 'think_tags off', value: false as const }),
      fc.tuple(fc.constantFrom(['<think>', '</think>'], ['[THINK]', '[/THINK]'], ['<reasoning>', '</reasoning>']), fc.constantFrom('', ' auto', ' starts_in_thinking', ' starts_in_answer')).map(([[o, c], m]) => ({
        text: `think_tags ${o} ${c}${m}`,
        value: { open: o, close: c, starts_in_thinking: m === ' starts_in_thinking' ? true : m === ' starts_in_answer' ? false : ('auto' as const) },
      })),
    ),
  );
  fc.assert(
    fc.property(mapping, fc.option(fc.constantFrom('/generate_stream', '/v1/chat/completions')), fc.option(fc.boolean()), tags, fc.constantFrom('', '  # note'), (lines, p, fails, t, note) => {
      const text =
        U +
        'sse' + note + '\n' +
        (p ? `  path ${p}${note}\n` : '') +
        lines.map(([f, jp, quoted]) => `  ${f} ${quoted ? JSON.stringify(jp) : jp}${note}`).join('\n') +
        (lines.length ? '\n' : '') +
        (p || lines.length ? '' : '  done_data [DONE]\n') +
        (fails === null ? '' : `length ${fails ? 'fails' : 'warns'}\n`) +
        (t ? `${t.text}\n` : '');
      const plan = planOf(text);
      const expected: Record<string, unknown> = {};
      const usage: Record<string, string> = {};
      if (p) expected.path = p;
      for (const [f, jp] of lines) {
        if (f.startsWith('usage.')) usage[f.slice(6)] = jp;
        else expected[f] = jp;
      }
      if (Object.keys(usage).length) expected.usage = usage;
      if (!p && !lines.length) expected.done_data = '[DONE]';
      assert.deepEqual(plan.sse, expected);
      assert.deepEqual(mappingErrors(plan.sse!), []);
      assert.equal(plan.length_fails, fails === null ? undefined : fails);
      assert.deepEqual(plan.think_tags, t ? t.value : undefined);
    }),
    { seed: 11, numRuns: 200 },
  );
});
