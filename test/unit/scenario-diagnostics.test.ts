/**
 * Exact diagnostics (position, severity and message) for 108 distinct mistakes. Positions are
 * printed 1-based as LINE:COL-LINE:COL. Files live in a virtual file system, so paths are stable.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseScenario, resolvePlan } from '../../src/core/scenario';

/** A valid scenario; most cases append one mistake to it (the mistake is then on line 5). */
const B = 'target builtin:reasoning\nload users 2 for 10s\nprompt "p"\n  user hi\n';

const FILES: Record<string, string> = {
  '/virtual/data/qa.jsonl': '{"question": "2+2?", "answer": "4"}\n',
  '/virtual/prompts/long.txt': 'long\n',
};

function diagnose(text: string): string[] {
  const p = parseScenario(text, '/virtual/s.llmload');
  const r = resolvePlan(p.tree, { file: '/virtual/s.llmload', env: {}, secret: () => undefined, readFile: (f) => FILES[f] });
  return [...p.diagnostics, ...r.diagnostics].map(
    (d) => `${d.range.start.line + 1}:${d.range.start.character + 1}-${d.range.end.line + 1}:${d.range.end.character + 1} ${d.severity}: ${d.message}`,
  );
}

const CASES: { name: string; text: string; expect: string[] }[] = [
  {
    name: "misspelled directive",
    text: "tagret builtin:reasoning\nload users 2 for 10s\nprompt \"p\"\n  user hi\n",
    expect: [
      "1:1-1:7 error: unknown directive \"tagret\"; did you mean \"target\"?"
    ],
  },
  {
    name: "misspelled builtin scheme",
    text: "target buildin:reasoning\nload users 2 for 10s\nprompt \"p\"\n  user hi\n",
    expect: [
      "1:8-1:25 error: unknown target scheme \"buildin:\"; did you mean \"builtin:\"?"
    ],
  },
  {
    name: "target without scheme",
    text: "target localhost:8000\nload users 2 for 10s\nprompt \"p\"\n  user hi\n",
    expect: [
      "1:8-1:22 error: expected a URL like http://127.0.0.1:8000 or builtin:PROFILE, got \"localhost:8000\""
    ],
  },
  {
    name: "misspelled api",
    text: B + "api openai-chta\n",
    expect: [
      "5:5-5:16 error: unknown api \"openai-chta\"; did you mean \"openai-chat\"?"
    ],
  },
  {
    name: "unknown api",
    text: B + "api foo\n",
    expect: [
      "5:5-5:8 error: unknown api \"foo\"; expected \"openai-chat\", \"openai-completions\", \"openai-responses\", \"anthropic\", \"ollama\", \"tgi\", \"sse\" or \"websocket\""
    ],
  },
  {
    name: "timeout without unit",
    text: B + "timeout 10\n",
    expect: [
      "5:9-5:11 error: expected a duration like 10s or 500ms, got \"10\""
    ],
  },
  {
    name: "timeout with unknown unit",
    text: B + "timeout 10sec\n",
    expect: [
      "5:9-5:14 error: unknown duration unit \"sec\" in \"10sec\"; use ms, s, m or h"
    ],
  },
  {
    name: "misspelled timeout kind",
    text: B + "timeout tfft 10s\n",
    expect: [
      "5:9-5:13 error: unknown timeout \"tfft\"; did you mean \"ttft\"?"
    ],
  },
  {
    name: "load duration without unit",
    text: "target builtin:reasoning\nload users 2 for 10\nprompt \"p\"\n  user hi\n",
    expect: [
      "2:18-2:20 error: expected a duration like 10s or 500ms, got \"10\""
    ],
  },
  {
    name: "zero users",
    text: "target builtin:reasoning\nload users 0 for 10s\nprompt \"p\"\n  user hi\n",
    expect: [
      "2:12-2:13 error: users must be at least 1, got 0"
    ],
  },
  {
    name: "misspelled load shape",
    text: "target builtin:reasoning\nload user 2 for 10s\nprompt \"p\"\n  user hi\n",
    expect: [
      "2:6-2:10 error: unknown load shape \"user\"; did you mean \"users\"?"
    ],
  },
  {
    name: "users load with no end",
    text: "target builtin:reasoning\nload users 2\nprompt \"p\"\n  user hi\n",
    expect: [
      "2:1-2:13 error: load users has no end: add \"for DURATION\" (e.g. for 5m), or a line stop after 10m or stop after 1000 requests"
    ],
  },
  {
    name: "misspelled for",
    text: "target builtin:reasoning\nload users 2 fr 10s\nprompt \"p\"\n  user hi\n",
    expect: [
      "2:14-2:20 error: unexpected \"fr\"; write load users N for DURATION, e.g. load users 8 for 5m"
    ],
  },
  {
    name: "step max below start",
    text: "target builtin:reasoning\nload step\n  start 4 users\n  add 2 users every 1s\n  max 2 users\n  hold 10s\nprompt \"p\"\n  user hi\n",
    expect: [
      "5:7-5:8 error: max 2 users is below start 4 users; raise max or lower start"
    ],
  },
  {
    name: "step without hold",
    text: "target builtin:reasoning\nload step\n  start 4 users\n  add 2 users every 1s\n  max 8 users\nprompt \"p\"\n  user hi\n",
    expect: [
      "2:1-2:10 error: load step needs a \"hold\" line, e.g. hold 1m"
    ],
  },
  {
    name: "misspelled step line",
    text: "target builtin:reasoning\nload step\n  strat 4 users\n  add 2 users every 1s\n  max 8 users\n  hold 1s\nprompt \"p\"\n  user hi\n",
    expect: [
      "3:3-3:8 error: unknown directive \"strat\" in a load step block; did you mean \"start\"?"
    ],
  },
  {
    name: "misspelled users",
    text: "target builtin:reasoning\nload step\n  start 4 usres\n  add 2 users every 1s\n  max 8 users\n  hold 1s\nprompt \"p\"\n  user hi\n",
    expect: [
      "3:11-3:16 error: unexpected \"usres\"; did you mean \"users\"?"
    ],
  },
  {
    name: "add without every",
    text: "target builtin:reasoning\nload step\n  start 4 users\n  add 2 users each 1s\n  max 8 users\n  hold 1s\nprompt \"p\"\n  user hi\n",
    expect: [
      "4:15-4:22 error: unexpected \"each\"; write add N users every DURATION, e.g. add 2 users every 30s"
    ],
  },
  {
    name: "rate without unit",
    text: "target builtin:reasoning\nload rate 2 for 1m\nprompt \"p\"\n  user hi\n",
    expect: [
      "2:11-2:12 error: expected a rate like 2 rps, 120 qpm or 5/s, got \"2\""
    ],
  },
  {
    name: "rate with no duration and no stop",
    text: "target builtin:reasoning\nload rate 2 rps\nprompt \"p\"\n  user hi\n",
    expect: [
      "2:1-2:16 error: load rate has no end: add \"for DURATION\" (e.g. for 5m), or a line stop after 10m or stop after 1000 requests"
    ],
  },
  {
    name: "misspelled arrival",
    text: "target builtin:reasoning\nload rate 120 qpm for 1m possion\nprompt \"p\"\n  user hi\n",
    expect: [
      "2:26-2:33 error: unexpected \"possion\"; did you mean \"poisson\"?"
    ],
  },
  {
    name: "stages mixing users and rate",
    text: "target builtin:reasoning\nload stages\n  ramp to 4 users over 30s\n  ramp to 60 qpm over 1m\nprompt \"p\"\n  user hi\n",
    expect: [
      "4:3-4:25 error: this stage ramps a request rate but an earlier stage ramps users; one load stages block drives one of them"
    ],
  },
  {
    name: "stages starting with hold",
    text: "target builtin:reasoning\nload stages\n  hold 1m\nprompt \"p\"\n  user hi\n",
    expect: [
      "3:3-3:7 error: a hold before any ramp holds no load; start with ramp to N users over D"
    ],
  },
  {
    name: "ramp level without unit",
    text: "target builtin:reasoning\nload stages\n  ramp to 4 over 30s\nprompt \"p\"\n  user hi\n",
    expect: [
      "3:11-3:12 error: say what 4 counts: write ramp to 4 users or ramp to 4 qpm"
    ],
  },
  {
    name: "ramp without to",
    text: "target builtin:reasoning\nload stages\n  ramp 4 users over 30s\nprompt \"p\"\n  user hi\n",
    expect: [
      "3:8-3:24 error: unexpected \"4\"; write ramp to N users over DURATION or ramp to R qpm over DURATION"
    ],
  },
  {
    name: "replay file missing",
    text: "target builtin:reasoning\nload replay traces/none.jsonl\nprompt \"p\"\n  user hi\n",
    expect: [
      "2:13-2:30 error: file not found: traces/none.jsonl (looked for /virtual/traces/none.jsonl)"
    ],
  },
  {
    name: "unknown load shape",
    text: "target builtin:reasoning\nload ramp\nprompt \"p\"\n  user hi\n",
    expect: [
      "2:6-2:10 error: unknown load shape \"ramp\"; expected \"users\", \"step\", \"stages\", \"rate\", \"replay\", \"burst\" or \"sweep\""
    ],
  },
  {
    name: "prompt without user turn",
    text: "target builtin:reasoning\nload users 2 for 10s\nprompt \"p\"\n  system hi\n",
    expect: [
      "3:8-3:11 error: prompt \"p\" has no user turn; add an indented line like: user What is the capital of France?"
    ],
  },
  {
    name: "duplicate prompt name",
    text: B + "prompt \"p\"\n  user ho\n",
    expect: [
      "5:8-5:11 error: duplicate prompt name \"p\"; the first is on line 3"
    ],
  },
  {
    name: "prompt without name",
    text: "target builtin:reasoning\nload users 2 for 10s\nprompt\n  user hi\n",
    expect: [
      "3:1-3:7 error: prompt needs a name, e.g. prompt \"short question\""
    ],
  },
  {
    name: "zero weight",
    text: "target builtin:reasoning\nload users 2 for 10s\nprompt \"p\" weight 0\n  user hi\n",
    expect: [
      "3:19-3:20 error: weight must be above 0, got 0"
    ],
  },
  {
    name: "misspelled weight",
    text: "target builtin:reasoning\nload users 2 for 10s\nprompt \"p\" wieght 2\n  user hi\n",
    expect: [
      "3:12-3:18 error: unexpected \"wieght\"; did you mean \"weight\"?"
    ],
  },
  {
    name: "misspelled parameter",
    text: B + "  max_token 10\n",
    expect: [
      "5:3-5:12 error: unknown directive \"max_token\" in a prompt block; did you mean \"max_tokens\"?"
    ],
  },
  {
    name: "temperature out of range",
    text: B + "  temperature 3\n",
    expect: [
      "5:15-5:16 error: temperature must be between 0 and 2, got 3"
    ],
  },
  {
    name: "top_p zero",
    text: B + "  top_p 0\n",
    expect: [
      "5:9-5:10 error: top_p must be above 0 and at most 1, got 0"
    ],
  },
  {
    name: "capital K token unit",
    text: B + "  max_tokens 4K\n",
    expect: [
      "5:14-5:16 error: write 4k (4 x 1,000) or 4Ki (4 x 1,024), not \"4K\""
    ],
  },
  {
    name: "fractional token count",
    text: B + "  max_tokens 10.5\n",
    expect: [
      "5:14-5:18 error: expected a whole number of tokens, got \"10.5\""
    ],
  },
  {
    name: "body with trailing comma",
    text: B + "  body {\"a\": 1,}\n",
    expect: [
      "5:16-5:17 error: invalid JSON in body: Expected double-quoted property name"
    ],
  },
  {
    name: "body not an object",
    text: B + "  body [1]\n",
    expect: [
      "5:8-5:11 error: body must be a JSON object, e.g. body {\"top_k\": 40}"
    ],
  },
  {
    name: "body never closed",
    text: B + "  body {\"a\":\n",
    expect: [
      "5:8-5:13 error: unclosed \"{\" in body; close the JSON object with \"}\""
    ],
  },
  {
    name: "@file that does not exist",
    text: B + "  user @file prompts/none.txt\n",
    expect: [
      "5:14-5:30 error: file not found: prompts/none.txt (looked for /virtual/prompts/none.txt)"
    ],
  },
  {
    name: "empty user turn",
    text: B + "  user\n",
    expect: [
      "5:3-5:7 error: user turn is empty; write the text after \"user\" or on indented lines below it"
    ],
  },
  {
    name: "unclosed fence",
    text: B + "  user \"\"\"\n  never closed\nthink 1s\n",
    expect: [
      "5:8-5:11 error: unclosed \"\"\" text block; end it with a line holding \"\"\""
    ],
  },
  {
    name: "top-level directive inside a prompt",
    text: B + "  load users 2 for 1s\n",
    expect: [
      "5:3-5:7 error: \"load\" is a top-level directive; move it out of a prompt block (no indentation)"
    ],
  },
  {
    name: "turn at top level",
    text: B + "user hello\n",
    expect: [
      "5:1-5:5 error: \"user\" belongs in a prompt block or a dataset block; indent it under one"
    ],
  },
  {
    name: "parameter at top level",
    text: B + "max_tokens 10\n",
    expect: [
      "5:1-5:11 error: \"max_tokens\" belongs in a prompt block or a dataset block; indent it under one"
    ],
  },
  {
    name: "misspelled metric",
    text: B + "expect\n  ttfb p95 < 2s\n",
    expect: [
      "6:3-6:7 error: unknown metric \"ttfb\"; did you mean \"ttft\"?"
    ],
  },
  {
    name: "metric without statistic",
    text: B + "expect\n  ttft < 2s\n",
    expect: [
      "6:3-6:7 error: \"ttft\" needs a statistic before the comparison, e.g. ttft p95 < 2s"
    ],
  },
  {
    name: "unknown statistic",
    text: B + "expect\n  ttft p97 < 2s\n",
    expect: [
      "6:8-6:11 error: unknown statistic \"p97\"; use \"p50\", \"p90\", \"p95\", \"p99\", \"p99.9\", \"mean\", \"max\" or \"min\""
    ],
  },
  {
    name: "statistic on a rate metric",
    text: B + "expect\n  success p95 >= 99%\n",
    expect: [
      "6:11-6:14 error: \"success\" takes no statistic; write e.g. success >= 99%"
    ],
  },
  {
    name: "reversed operator",
    text: B + "expect\n  ttft p95 =< 2s\n",
    expect: [
      "6:12-6:14 error: write \"<=\" instead of \"=<\""
    ],
  },
  {
    name: "SLO time without unit",
    text: B + "expect\n  ttft p95 < 2\n",
    expect: [
      "6:14-6:15 error: expected a duration like 10s or 500ms, got \"2\""
    ],
  },
  {
    name: "success as a fraction",
    text: B + "expect\n  success >= 0.99\n",
    expect: [
      "6:14-6:18 error: expected a percentage like 99%, got \"0.99\""
    ],
  },
  {
    name: "token rate without unit",
    text: B + "expect\n  token_rate p50 >= 20\n",
    expect: [
      "6:21-6:23 error: expected a token rate like 20/s, got \"20\""
    ],
  },
  {
    name: "SLO without operator",
    text: B + "expect\n  ttft p95 2s\n",
    expect: [
      "6:12-6:13 error: expected a comparison (<, <=, >, >= or ==) after \"ttft p95\"; write METRIC [STAT] OP VALUE, e.g. ttft p95 < 2s"
    ],
  },
  {
    name: "SLO without value",
    text: B + "expect\n  ttft p95 <\n",
    expect: [
      "6:12-6:13 error: expected a value after \"<\", e.g. ttft p95 < 2s"
    ],
  },
  {
    name: "accuracy with no graded answers",
    text: B + "expect\n  accuracy >= 80%\n",
    expect: [
      "6:3-6:18 warning: accuracy needs graded answers: add answer {{field}} to a dataset jsonl block, or use dataset math500 or dataset arithmetic"
    ],
  },
  {
    name: "buckets not ascending",
    text: B + "buckets 4k 2k\n",
    expect: [
      "5:12-5:14 error: buckets must ascend: 2k is not above 4k"
    ],
  },
  {
    name: "bucket not a number",
    text: B + "buckets 4k abc\n",
    expect: [
      "5:12-5:15 error: expected a token count like 256, 4k or 4Ki, got \"abc\""
    ],
  },
  {
    name: "trace first without count",
    text: B + "trace first\n",
    expect: [
      "5:1-5:12 error: the number of requests to trace is missing; write e.g. trace first 200"
    ],
  },
  {
    name: "unknown trace mode",
    text: B + "trace some\n",
    expect: [
      "5:7-5:11 error: unexpected \"some\"; write trace first N, trace all or trace failures"
    ],
  },
  {
    name: "warmup with misspelled requests",
    text: B + "warmup 10 reqs\n",
    expect: [
      "5:11-5:15 error: unexpected \"reqs\"; write warmup DURATION or warmup N requests, e.g. warmup 30s"
    ],
  },
  {
    name: "stop errors with >=",
    text: B + "stop errors >= 5%\n",
    expect: [
      "5:13-5:15 error: expected \">\" after \"errors\"; write stop errors > 5%"
    ],
  },
  {
    name: "stop errors without %",
    text: B + "stop errors > 5\n",
    expect: [
      "5:15-5:16 error: expected a percentage like 99%, got \"5\""
    ],
  },
  {
    name: "unknown stop condition",
    text: B + "stop before 5m\n",
    expect: [
      "5:6-5:15 error: unexpected \"before\"; write stop after DURATION, stop after N requests or stop errors > P%"
    ],
  },
  {
    name: "think without unit",
    text: B + "think 1\n",
    expect: [
      "5:7-5:8 error: expected a duration like 10s or 500ms, got \"1\""
    ],
  },
  {
    name: "undefined variable",
    text: B + "model ${MODEL}\n",
    expect: [
      "5:7-5:15 error: undefined variable \"MODEL\"; define it with var MODEL VALUE"
    ],
  },
  {
    name: "misspelled variable",
    text: B + "var MODLE x\nmodel ${MODEL}\n",
    expect: [
      "6:7-6:15 error: undefined variable \"MODEL\"; did you mean \"MODLE\"?"
    ],
  },
  {
    name: "unset environment variable",
    text: B + "model ${env:NOPE}\n",
    expect: [
      "5:7-5:18 error: environment variable \"NOPE\" is not set"
    ],
  },
  {
    name: "unset secret",
    text: B + "key ${secret:NOPE}\n",
    expect: [
      "5:5-5:19 error: secret \"NOPE\" is not set; the CLI reads it from the environment variable NOPE"
    ],
  },
  {
    name: "unknown variable source",
    text: B + "model ${foo:BAR}\n",
    expect: [
      "5:7-5:17 error: unknown variable source \"foo\" in \"${foo:BAR}\"; write ${env:BAR}, ${secret:BAR} or ${BAR}"
    ],
  },
  {
    name: "unclosed variable",
    text: B + "model ${BAR\n",
    expect: [
      "5:7-5:12 error: unclosed \"${\"; write ${NAME}, ${env:NAME} or ${secret:NAME} (or $${ for a literal ${)"
    ],
  },
  {
    name: "bad header name",
    text: B + "header Bad:Name x\n",
    expect: [
      "5:8-5:16 error: \"Bad:Name\" is not a valid header name; use letters, digits and -"
    ],
  },
  {
    name: "duplicate scenario line",
    text: B + "scenario \"a\"\nscenario \"b\"\n",
    expect: [
      "6:1-6:9 error: duplicate \"scenario\" line; the first is on line 5"
    ],
  },
  {
    name: "duplicate target",
    text: B + "target builtin:chat\n",
    expect: [
      "5:1-5:7 error: duplicate \"target\" line; the first is on line 1"
    ],
  },
  {
    name: "dataset file missing",
    text: B + "dataset jsonl data/none.jsonl\n  user {{q}}\n",
    expect: [
      "5:15-5:30 error: file not found: data/none.jsonl (looked for /virtual/data/none.jsonl)"
    ],
  },
  {
    name: "misspelled dataset field",
    text: B + "dataset jsonl data/qa.jsonl\n  user {{questoin}}\n",
    expect: [
      "6:8-6:20 error: field \"questoin\" is not in the records of data/qa.jsonl; did you mean \"question\"? (fields: question, answer)"
    ],
  },
  {
    name: "jsonl dataset without user template",
    text: B + "dataset jsonl data/qa.jsonl\n  system hi\n",
    expect: [
      "5:15-5:28 error: dataset jsonl has no user template; add an indented line like: user {{question}}"
    ],
  },
  {
    name: "unknown dataset format",
    text: B + "dataset csv a.csv\n",
    expect: [
      "5:9-5:12 error: unknown dataset format \"csv\"; expected \"jsonl\", \"sharegpt\", \"synthetic\", \"math500\" or \"arithmetic\""
    ],
  },
  {
    name: "shared prefix not below input",
    text: B + "dataset synthetic\n  input 4k tokens\n  output 256 tokens\n  shared_prefix 4k tokens\n",
    expect: [
      "8:17-8:19 error: shared_prefix 4k is not below the shortest input (4k); make the prefix shorter or the input longer"
    ],
  },
  {
    name: "backwards token range",
    text: B + "dataset synthetic\n  input 32k..16k tokens\n  output 256 tokens\n",
    expect: [
      "6:9-6:17 error: the range 32k..16k runs backwards; write the smaller count first"
    ],
  },
  {
    name: "synthetic without input",
    text: B + "dataset synthetic\n  output 256 tokens\n",
    expect: [
      "5:1-5:8 error: dataset synthetic needs an input line, e.g. input 1k..4k tokens"
    ],
  },
  {
    name: "misspelled tokens",
    text: B + "dataset synthetic\n  input 1k\n  output 2 tokns\n",
    expect: [
      "7:12-7:17 error: unexpected \"tokns\"; did you mean \"tokens\"?"
    ],
  },
  {
    name: "sharegpt without path",
    text: B + "dataset sharegpt\n",
    expect: [
      "5:1-5:17 error: dataset sharegpt needs a file path, e.g. dataset sharegpt data/prompts.json"
    ],
  },
  {
    name: "negative seed",
    text: B + "seed -1\n",
    expect: [
      "5:6-5:8 error: seed cannot be negative, got \"-1\""
    ],
  },
  {
    name: "unclosed string",
    text: B + "scenario \"unclosed\n",
    expect: [
      "5:10-5:19 error: unclosed string; add a closing \""
    ],
  },
  {
    name: "indented first line",
    text: "  target builtin:reasoning\nload users 2 for 10s\nprompt \"p\"\n  user hi\n",
    expect: [
      "1:3-1:27 error: unexpected indentation: top-level directives start at the first column"
    ],
  },
  {
    name: "indented line under a one-line directive",
    text: "target builtin:reasoning\n    api openai-chat\nload users 2 for 10s\nprompt \"p\"\n  user hi\n",
    expect: [
      "2:5-2:20 error: unexpected indentation: \"target\" does not take an indented block; move this line left"
    ],
  },
  {
    name: "inconsistent indentation in a block",
    text: "target builtin:reasoning\nload step\n    start 4 users\n  add 2 users every 1s\n  max 8 users\n  hold 1s\nprompt \"p\"\n  user hi\n",
    expect: [
      "4:3-4:23 error: indentation does not match the lines above; line this up with them"
    ],
  },
  {
    name: "url target without model",
    text: "target http://127.0.0.1:8000\nload users 2 for 10s\nprompt \"p\"\n  user hi\n",
    expect: [
      "1:1-1:7 error: no model: add a model line, e.g. model meta-llama/Llama-3.1-8B-Instruct (api openai-chat sends one with every request)"
    ],
  },
  {
    name: "ws target with an http api",
    text: "target ws://127.0.0.1:8000\nload users 2 for 10s\nprompt \"p\"\n  user hi\n",
    expect: [
      "1:8-1:27 error: a ws:// target needs api websocket (api is openai-chat)"
    ],
  },
  {
    name: "empty file",
    text: "",
    expect: [
      "1:1-1:1 error: empty scenario: add a target, a load and a prompt (see examples/quickstart.llmload)"
    ],
  },
  {
    name: "misspelled prompt block gives one diagnostic",
    text: "promt \"p\"\n  user hi\ntarget builtin:chat\nload users 1 for 1s\n",
    expect: [
      "1:1-1:6 error: unknown directive \"promt\"; did you mean \"prompt\"?"
    ],
  },
  {
    name: "ttft timeout not below total",
    text: B + "timeout 1m\ntimeout ttft 2m\n",
    expect: [
      "6:1-6:16 warning: timeout ttft 2m is not below the total timeout 1m, so it never fires"
    ],
  },
  {
    name: "warmup as long as the load",
    text: B + "warmup 20s\n",
    expect: [
      "5:8-5:11 warning: warmup 20s is not shorter than the load (10s); no request would be counted"
    ],
  },
  {
    name: "unused variable",
    text: B + "var X 1\n",
    expect: [
      "5:5-5:6 warning: variable \"X\" is never used"
    ],
  },
  {
    name: "variable that refers to itself",
    text: B + "var A x${A}\nmodel ${A}\n",
    expect: [
      "5:8-5:12 error: variable \"A\" refers to itself"
    ],
  },
  {
    name: "@file without a path",
    text: B + "  user @file\n",
    expect: [
      "5:8-5:13 error: @file needs a path, e.g. user @file prompts/long.txt"
    ],
  },
  {
    name: "text after closing fence",
    text: B + "  user \"\"\"hi\"\"\" there\n",
    expect: [
      "5:16-5:22 error: unexpected text after the closing \"\"\""
    ],
  },
  {
    name: "duplicate parameter",
    text: B + "  max_tokens 10\n  max_tokens 20\n",
    expect: [
      "6:3-6:13 error: duplicate \"max_tokens\" line; the first is on line 5"
    ],
  },
  {
    name: "duplicate step line",
    text: "target builtin:reasoning\nload step\n  start 1 users\n  start 2 users\n  add 2 users every 1s\n  max 8 users\n  hold 1s\nprompt \"p\"\n  user hi\n",
    expect: [
      "4:3-4:8 error: duplicate \"start\" line; the first is on line 3"
    ],
  },
  {
    name: "load step with no block",
    text: "target builtin:reasoning\nload step\nprompt \"p\"\n  user hi\n",
    expect: [
      "2:1-2:10 error: load step needs indented lines below it: start, add ... every, max and hold"
    ],
  },
  {
    name: "expect with no lines",
    text: B + "expect\n",
    expect: [
      "5:1-5:7 error: expect needs SLO lines indented below it, e.g. ttft p95 < 2s"
    ],
  },
  {
    name: "duplicate header",
    text: B + "header X-A 1\nheader x-a 2\n",
    expect: [
      "6:8-6:11 error: duplicate header \"x-a\"; the first is on line 5"
    ],
  },
  {
    name: "shuffle in a synthetic dataset",
    text: B + "dataset synthetic\n  input 1k\n  output 10\n  shuffle\n",
    expect: [
      "8:3-8:10 error: \"shuffle\" does not apply to a synthetic dataset; set how many prompts it makes with count N"
    ],
  },
  {
    name: "max_tokens in a synthetic dataset",
    text: B + "dataset synthetic\n  input 1k\n  output 10\n  max_tokens 5\n",
    expect: [
      "8:3-8:13 error: a synthetic dataset sets max_tokens from its output line; write output 256 tokens"
    ],
  },
  {
    name: "= instead of ==",
    text: B + "expect\n  qpm = 60\n",
    expect: [
      "6:7-6:8 error: write \"==\" instead of \"=\""
    ],
  },
  {
    name: "percentage above 100",
    text: B + "expect\n  success >= 101%\n",
    expect: [
      "6:14-6:18 error: a percentage is at most 100%, got \"101%\""
    ],
  },
  {
    name: "run stop condition indented under a prompt",
    text: B + "  stop after 5m\n",
    expect: [
      "5:3-5:16 error: \"stop after ...\" ends the run and is a top-level directive; move it out of the block (inside it, stop takes stop sequences, e.g. stop \"\\n\\n\")"
    ],
  },
  {
    name: "directive written as a quoted string",
    text: B + "\"model\" m\n",
    expect: [
      "5:1-5:8 error: a line starts with a directive word, not a quoted string; write model without quotes"
    ],
  },
  {
    name: "stray closing fence",
    text: B + "\"\"\"\n",
    expect: [
      "5:1-5:4 error: this \"\"\" closes no text block; a text block opens with a turn line such as: user \"\"\""
    ],
  },
  {
    name: "a prototype name as a metric",
    text: B + "expect\n  constructor < 1\n",
    expect: [
      "6:3-6:14 error: unknown metric \"constructor\"; expected \"ttft\", \"ttfa\", \"e2e\", \"token_rate\", \"itl\", \"qpm\", \"rps\", \"success\", \"error_rate\", \"accuracy\", \"server\", \"goodput\" or \"capacity\""
    ],
  },
  {
    name: "misspelled @file",
    text: B + "  user @fiel prompts/long.txt\n",
    expect: [
      "5:8-5:13 error: unknown include \"@fiel\"; did you mean \"@file\"? (to start the text with @, put it in quotes)"
    ],
  },
  {
    name: "misspelled timeout kind next to a total timeout",
    text: B + "timeout 1m\ntimeout tsall 10s\n",
    expect: [
      "6:9-6:14 error: unknown timeout \"tsall\"; did you mean \"stall\"?"
    ],
  },
  {
    name: "misspelled answer line with an accuracy SLO",
    text: B + "dataset jsonl data/qa.jsonl\n  user {{question}}\n  naswer {{answer}}\nexpect\n  accuracy >= 50%\n",
    expect: [
      "7:3-7:9 error: unknown directive \"naswer\" in a dataset jsonl block; did you mean \"answer\"?"
    ],
  },
  {
    name: "misspelled rate unit after a space",
    text: "target builtin:reasoning\nload rate 240 pqm for 1m\nprompt \"p\"\n  user hi\n",
    expect: [
      "2:11-2:18 error: unknown rate unit \"pqm\" in \"240 pqm\"; did you mean \"qpm\"?"
    ],
  },
  {
    name: "duration unit spelled out after a space",
    text: B + "think 10 sec\n",
    expect: [
      "5:7-5:13 error: unknown duration unit \"sec\" in \"10 sec\"; use ms, s, m or h"
    ],
  },
  {
    name: "think with an open-loop rate load",
    text: "target builtin:reasoning\nload rate 2 rps for 1m\nprompt \"p\"\n  user hi\nthink 1s\n",
    expect: [
      "5:7-5:9 warning: think has no effect on a rate load: requests arrive on their own schedule, not after a user's pause"
    ],
  },
  {
    name: "stop after longer than the load",
    text: B + "stop after 1m\n",
    expect: [
      "5:12-5:14 warning: stop after 1m never ends the run: the load ends after 10s"
    ],
  },
  {
    name: "warmup requests not below stop requests",
    text: "target builtin:reasoning\nload users 2\nprompt \"p\"\n  user hi\nstop after 10 requests\nwarmup 10 requests\n",
    expect: [
      "6:8-6:10 warning: warmup 10 requests is not below stop after 10 requests; no request would be counted"
    ],
  },
];

test('the base scenario is clean', () => {
  assert.deepEqual(diagnose(B), []);
});

test('at least 40 distinct mistakes are covered, each with exactly one diagnostic', () => {
  assert.ok(CASES.length >= 40);
  assert.equal(new Set(CASES.map((c) => c.expect.join('|'))).size, CASES.length);
  for (const c of CASES) assert.equal(c.expect.length, 1, c.name);
});

for (const c of CASES) {
  test(`diagnostic: ${c.name}`, () => {
    assert.deepEqual(diagnose(c.text), c.expect);
  });
}

test('one typo, one diagnostic: swapping two letters of any word in any example gives at most one error', () => {
  const fs = require('node:fs') as typeof import('node:fs');
  const path = require('node:path') as typeof import('node:path');
  const dir = path.resolve(__dirname, '../../examples');
  let runs = 0;
  let caught = 0;
  for (const f of fs.readdirSync(dir).filter((x: string) => x.endsWith('.llmload'))) {
    const file = path.join(dir, f);
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    lines.forEach((line: string, i: number) => {
      const words = line.split(' ');
      words.forEach((w: string, k: number) => {
        if (w.length < 3 || w[0] === w[1]) return;
        const copy = [...words];
        copy[k] = w[1] + w[0] + w.slice(2);
        const text = [...lines.slice(0, i), copy.join(' '), ...lines.slice(i + 1)].join('\n');
        const p = parseScenario(text, file);
        const r = resolvePlan(p.tree, { file, env: {} });
        const errors = [...p.diagnostics, ...r.diagnostics].filter((d) => d.severity === 'error');
        assert.ok(errors.length <= 1, `${f}:${i + 1} "${copy.join(' ')}": ${errors.map((d) => d.message).join(' | ')}`);
        runs++;
        caught += errors.length;
      });
    });
  }
  assert.ok(runs > 200 && caught > 100, `${runs} typos, ${caught} caught`);
});

test('one mistake, one diagnostic: deleting any word or any line of any example gives at most one error', () => {
  const fs = require('node:fs') as typeof import('node:fs');
  const path = require('node:path') as typeof import('node:path');
  const dir = path.resolve(__dirname, '../../examples');
  let runs = 0;
  for (const f of fs.readdirSync(dir).filter((x: string) => x.endsWith('.llmload'))) {
    const file = path.join(dir, f);
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    const variants: [string, string][] = [];
    lines.forEach((line: string, i: number) => {
      const words = line.split(' ');
      words.forEach((w: string, k: number) => {
        if (!w) return;
        const c = [...words];
        c.splice(k, 1);
        variants.push([`line ${i + 1} without "${w}"`, [...lines.slice(0, i), c.join(' '), ...lines.slice(i + 1)].join('\n')]);
      });
      variants.push([`without line ${i + 1}`, [...lines.slice(0, i), ...lines.slice(i + 1)].join('\n')]);
    });
    for (const [what, text] of variants) {
      const p = parseScenario(text, file);
      const r = resolvePlan(p.tree, { file, env: {} });
      const errors = [...p.diagnostics, ...r.diagnostics].filter((d) => d.severity === 'error');
      assert.ok(errors.length <= 1, `${f}, ${what}: ${errors.map((d) => d.message).join(' | ')}`);
      runs++;
    }
  }
  assert.ok(runs > 500);
});

test('a range of levels without "sweep" is one error with the fix that makes it a sweep', () => {
  for (const [line, fixed] of [
    ['load users 1..32 step x2 each 4s', 'load sweep users 1..32 step x2 each 4s'],
    ['load rate 1/s..20/s step +2/s each 20s', 'load sweep rate 1/s..20/s step +2/s each 20s'],
  ] as const) {
    const text = `target builtin:chat\nmodel m\n${line}\nprompt "p"\n  user hi\n`;
    const errors = parseScenario(text, '/virtual/s.llmload').diagnostics.filter((d) => d.severity === 'error');
    assert.equal(errors.length, 1, JSON.stringify(errors));
    assert.match(errors[0]!.message, /is a range of levels, which only a sweep takes: write load sweep/);
    const fix = errors[0]!.fix!;
    const lines = text.split('\n');
    const l = lines[fix.range.start.line]!;
    lines[fix.range.start.line] = l.slice(0, fix.range.start.character) + fix.text + l.slice(fix.range.end.character);
    assert.equal(lines[2], fixed);
    const again = parseScenario(lines.join('\n'), '/virtual/s.llmload');
    assert.deepEqual(again.diagnostics.filter((d) => d.severity === 'error'), []);
  }
});
