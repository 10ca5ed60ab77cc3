/**
 * Word lists for the simulator's deterministic pseudo-text. Thinking and answer text draw from
 * different lists so a reader can tell the phases apart at a glance.
 */

export const ANSWER_WORDS: readonly string[] = [
  'the', 'model', 'serves', 'requests', 'with', 'steady', 'latency', 'and', 'a', 'clear', 'answer',
  'light', 'blue', 'sky', 'scatters', 'short', 'waves', 'more', 'than', 'long', 'ones', 'so',
  'capital', 'city', 'of', 'France', 'is', 'Paris', 'which', 'lies', 'on', 'river', 'Seine',
  'every', 'token', 'arrives', 'in', 'order', 'from', 'server', 'to', 'client', 'over', 'network',
  'simple', 'test', 'shows', 'how', 'fast', 'system', 'responds', 'under', 'load', 'when', 'many',
  'users', 'ask', 'questions', 'at', 'once', 'each', 'stream', 'carries', 'words', 'one', 'by',
  'result', 'depends', 'on', 'batch', 'size', 'memory', 'cache', 'prefill', 'decode', 'speed',
  'in', 'practice', 'this', 'means', 'that', 'good', 'design', 'keeps', 'queues', 'small',
  'air', 'molecules', 'sunlight', 'color', 'reaches', 'our', 'eyes', 'during', 'day', 'evening',
  'red', 'orange', 'because', 'path', 'through', 'atmosphere', 'grows', 'longer', 'near', 'horizon',
];

export const THINKING_WORDS: readonly string[] = [
  'okay', 'let', 'me', 'think', 'about', 'this', 'the', 'user', 'wants', 'to', 'know', 'first',
  'I', 'should', 'recall', 'what', 'is', 'asked', 'then', 'check', 'facts', 'maybe', 'consider',
  'another', 'angle', 'hmm', 'wait', 'that', 'seems', 'right', 'so', 'answer', 'should', 'be',
  'short', 'and', 'clear', 'step', 'one', 'two', 'next', 'verify', 'assumption', 'also', 'note',
  'edge', 'case', 'fine', 'now', 'plan', 'reply', 'structure', 'points', 'keep', 'it', 'simple',
];
