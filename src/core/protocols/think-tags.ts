/**
 * Streaming splitter for reasoning written inline in the answer text, `<think>…</think>` style.
 * Works on text deltas as they arrive: a tag split across any number of deltas is recognised, text
 * that might be the start of a tag is held back until it is decided. Handles a model whose chat
 * template already opened the tag (output starts inside thinking and only the closing tag appears).
 */
import type { ThinkTagOptions } from '../types/protocol-options';

/** The options' shape lives below scenario/ and protocols/ (the plan carries it); re-exported for the adapters. */
export type { ThinkTagOptions } from '../types/protocol-options';

export interface TextSegment {
  kind: 'thinking' | 'answer';
  text: string;
}

export interface SplitResult {
  segments: TextSegment[];
  /** A tag was consumed by this delta. */
  tag: boolean;
  /** Every answer segment before this result was thinking (a closing tag came without an opening one). */
  retro?: boolean;
}

/** `implicit`: answer so far, unless a closing tag turns up to show it was thinking. */
type State = 'start' | 'thinking' | 'after_close' | 'implicit' | 'answer';

/** Length of the longest suffix of `s` that is a proper prefix of `tag`. */
function partialTagSuffix(s: string, tag: string): number {
  const max = Math.min(s.length, tag.length - 1);
  for (let n = max; n > 0; n--) {
    if (tag.startsWith(s.slice(s.length - n))) return n;
  }
  return 0;
}

export class ThinkTagSplitter {
  private readonly open: string;
  private readonly close: string;
  private readonly auto: boolean;
  private state: State;
  /** Thinking may still begin with a redundant opening tag. */
  private thinkingFresh: boolean;
  private buf = '';

  constructor(opts: ThinkTagOptions = {}) {
    this.open = opts.open && opts.open.length > 0 ? opts.open : '<think>';
    this.close = opts.close && opts.close.length > 0 ? opts.close : '</think>';
    const start = opts.starts_in_thinking ?? 'auto';
    this.auto = start === 'auto';
    this.state = start === true ? 'thinking' : 'start';
    this.thinkingFresh = start === true;
  }

  /** True while the text seen so far is inside thinking. */
  get inThinking(): boolean {
    return this.state === 'thinking';
  }

  /**
   * The kind `delta` has when push(delta) would return it whole as one segment of that kind and
   * change nothing else (no tag, nothing held, no retro); undefined when push must decide. True in
   * the answer phases and inside thinking when nothing is held and the delta has no character that
   * could begin the closing tag, the case of nearly every delta: the caller skips push's work.
   */
  /** Emits the buffer as `kind`, keeping back a trailing start of the closing tag for the next delta. */
  private emitBeforeCloseTag(out: TextSegment[], kind: TextSegment['kind']): void {
    const keep = partialTagSuffix(this.buf, this.close);
    const emit = this.buf.slice(0, this.buf.length - keep);
    if (emit.length > 0) out.push({ kind, text: emit });
    this.buf = this.buf.slice(this.buf.length - keep);
  }

  passThrough(delta: string): 'answer' | 'thinking' | undefined {
    if (this.buf.length > 0 || delta.length === 0) return undefined;
    const st = this.state;
    if (st === 'answer') return 'answer';
    if (st === 'implicit') return delta.indexOf(this.close[0]!) === -1 ? 'answer' : undefined;
    if (st === 'thinking' && !this.thinkingFresh) return delta.indexOf(this.close[0]!) === -1 ? 'thinking' : undefined;
    return undefined;
  }

  push(delta: string): SplitResult {
    const out: TextSegment[] = [];
    let tag = false;
    let retro = false;
    this.buf += delta;
    for (;;) {
      if (this.state === 'start') {
        const lead = this.buf.length - this.buf.trimStart().length;
        const rest = this.buf.slice(lead);
        if (rest.startsWith(this.open)) {
          this.buf = rest.slice(this.open.length);
          this.state = 'thinking';
          this.thinkingFresh = false;
          tag = true;
          continue;
        }
        if (rest.length === 0 || this.open.startsWith(rest)) break; // undecided: hold
        this.state = this.auto ? 'implicit' : 'answer';
        continue;
      }
      if (this.state === 'implicit') {
        const at = this.buf.indexOf(this.close);
        if (at >= 0) {
          // It was thinking all along: relabel what was answer, and this text before the tag.
          const before = out.filter((s) => s.kind === 'answer').map((s) => s.text).join('');
          out.length = 0;
          retro = true;
          if (before.length + at > 0) out.push({ kind: 'thinking', text: before + this.buf.slice(0, at) });
          this.buf = this.buf.slice(at + this.close.length);
          this.state = 'after_close';
          tag = true;
          continue;
        }
        this.emitBeforeCloseTag(out, 'answer');
        break;
      }
      if (this.state === 'thinking') {
        if (this.thinkingFresh) {
          const rest = this.buf.trimStart();
          if (rest.startsWith(this.open)) {
            this.buf = rest.slice(this.open.length);
            this.thinkingFresh = false;
            tag = true;
            continue;
          }
          if (rest.length === 0 || this.open.startsWith(rest)) break;
          this.thinkingFresh = false;
        }
        const at = this.buf.indexOf(this.close);
        if (at >= 0) {
          if (at > 0) out.push({ kind: 'thinking', text: this.buf.slice(0, at) });
          this.buf = this.buf.slice(at + this.close.length);
          this.state = 'after_close';
          tag = true;
          continue;
        }
        this.emitBeforeCloseTag(out, 'thinking');
        break;
      }
      if (this.state === 'after_close') {
        // The blank line between `</think>` and the answer is formatting, not answer.
        const rest = this.buf.trimStart();
        this.buf = rest;
        if (rest.length === 0) break;
        this.state = 'answer';
        continue;
      }
      // answer
      if (this.buf.length > 0) out.push({ kind: 'answer', text: this.buf });
      this.buf = '';
      break;
    }
    return retro ? { segments: merge(out), tag, retro } : { segments: merge(out), tag };
  }

  /** End of output: releases held text (an unfinished tag is text after all). */
  flush(): SplitResult {
    const text = this.buf;
    this.buf = '';
    if (text.length === 0 || this.state === 'after_close') return { segments: [], tag: false };
    if (this.state === 'thinking') return { segments: [{ kind: 'thinking', text }], tag: false };
    if (this.state === 'start' && text.trim().length === 0) return { segments: [], tag: false };
    // implicit or start: held text was answer after all
    this.state = 'answer';
    return { segments: [{ kind: 'answer', text }], tag: false };
  }
}

function merge(segs: TextSegment[]): TextSegment[] {
  const out: TextSegment[] = [];
  for (const s of segs) {
    const last = out[out.length - 1];
    if (last && last.kind === s.kind) last.text += s.text;
    else out.push({ ...s });
  }
  return out;
}
