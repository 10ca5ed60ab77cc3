/**
 * The live table's row, shared by metrics/record.ts (`requestRowOf` builds it), messages.ts
 * (`LiveDelta` carries it), the viewmodel and the panel: here, below all of them, so the records
 * need nothing from the message protocol.
 */

/** A finished request as the live table shows it: a compact slice of its record. */
export interface RequestRow {
  id: number;
  prompt: string;
  status: 'ok' | 'error';
  error_kind?: string;
  offset_ms: number;
  ttft_ms: number | null;
  ttfa_ms: number | null;
  e2e_ms: number;
  token_rate: number | null;
  input_tokens: number | null;
  output_tokens: number;
  /** Set when `input_tokens` is the tokenizer's count (the server sent no usage); absent: the server's. */
  input_source?: 'tokenizer';
  /** Graded requests: the verdict (docs/accuracy.md), and for answers not correct what was expected and read. */
  grade?: 'correct' | 'wrong' | 'unparsed';
  expected?: string;
  extracted?: string;
}
