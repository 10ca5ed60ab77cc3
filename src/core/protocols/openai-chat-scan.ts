/**
 * A fast path for the common OpenAI chat-completions chunk: one validating pass over the event's
 * JSON text that picks out only the fields the decoder classifies by (id, choices[0].delta.content,
 * reasoning_content / reasoning, role, choices[0].text, finish_reason), without building the object
 * tree JSON.parse would. It answers only when it is sure to read the chunk exactly as JSON.parse
 * would; anything it does not handle makes it give up (returns false) and the decoder parses the
 * chunk in full: invalid JSON, `error`, an `x_groq` or `timings` object, a `usage` that is neither an
 * object nor null, tool calls, `reasoning_details`, content given as an array of parts (Mistral's
 * thinking and text parts), a `message` object, more than one choice, a duplicated key it reads,
 * escapes in keys or in the id.
 * String values it reads may contain escapes: those (only those) are decoded by JSON.parse of the
 * string literal alone. A `usage` object is validated in the pass and then read by JSON.parse of its
 * own text alone, which gives the same value as the member of a JSON.parse of the whole chunk.
 *
 * Three ways to read a chunk, cheapest first: the template (the stream's last chunk with a content
 * string, when only that string differs), the envelope (the text before the `choices` value of the
 * stream's last full scan, when the chunk starts with it: the scan resumes there), and the full scan.
 * What a stream taught the scanner is kept in that stream's ChatScanMemory, so the streams of a
 * thread, whose chunks arrive interleaved, do not overwrite each other's.
 */
import { nonEmptyString } from './adapter';

/** The fields of one chunk, filled by ChatChunkScanner.scan; reused from chunk to chunk. */
export class ChatChunkFields {
  id: string | undefined = undefined;
  /** Number of entries in `choices` (0 when absent or not an array). */
  choices = 0;
  /** The one choice is an object (the decoder skips entries that are not). */
  choiceIsObject = false;
  /** String fields: the string, null for any other JSON value, undefined when absent. */
  content: string | null | undefined = undefined;
  reasoningContent: string | null | undefined = undefined;
  reasoning: string | null | undefined = undefined;
  role: string | null | undefined = undefined;
  text: string | null | undefined = undefined;
  finishReason: string | null | undefined = undefined;
  /** The top-level `usage` object as JSON.parse reads it; undefined when absent or null. */
  usage: Record<string, unknown> | undefined = undefined;

  /**
   * A chunk whose only output is its content text: one choice object, non-empty content, and no
   * reasoning, finish reason or usage (a server's common chunk; a role changes nothing once there
   * is text). The decoder emits its packets from the text alone.
   */
  isTextOnly(): boolean {
    return (
      this.choiceIsObject &&
      nonEmptyString(this.content) &&
      !nonEmptyString(this.reasoningContent) &&
      !nonEmptyString(this.reasoning) &&
      !nonEmptyString(this.finishReason) &&
      this.usage === undefined
    );
  }

  copyFrom(o: ChatChunkFields): void {
    this.id = o.id;
    this.choices = o.choices;
    this.choiceIsObject = o.choiceIsObject;
    this.content = o.content;
    this.reasoningContent = o.reasoningContent;
    this.reasoning = o.reasoning;
    this.role = o.role;
    this.text = o.text;
    this.finishReason = o.finishReason;
    this.usage = o.usage;
  }

  reset(): void {
    this.id = undefined;
    this.choices = 0;
    this.choiceIsObject = false;
    this.content = undefined;
    this.reasoningContent = undefined;
    this.reasoning = undefined;
    this.role = undefined;
    this.text = undefined;
    this.finishReason = undefined;
    this.usage = undefined;
  }
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
/** Value of a string the scanner did not decode: a marker, never a field's value. */
const SKIPPED = Symbol('skipped');

/**
 * What a scanner learned from the earlier chunks of one stream. One per stream (decoder): the chunks
 * of a thread's streams reach it interleaved, and each stream repeats its own id in every chunk.
 */
export class ChatScanMemory {
  /**
   * The last fully scanned chunk that had a content string, split around that string: a chunk
   * that starts with the same prefix and ends with the same suffix, with one valid string literal
   * between, is the same chunk but for its content (a server repeats id, model, created ... in
   * every chunk). The scanner's state where the string begins and ends is then the same as it was,
   * so the chunk is valid JSON and its other fields are those of the template.
   */
  tplPrefix = '';
  tplSuffix = '';
  readonly tplFields = new ChatChunkFields();
  hasTpl = false;
  /**
   * The envelope of the last full scan that reached the `choices` value: the text before that value
   * and the scanner's state there (top()'s seen bits, the id, the usage span). Those of a chunk that
   * starts with the same text are the same (the scan is one deterministic pass from the left, and
   * nothing it read there depends on what follows), so its scan resumes at that point. A server
   * repeats the envelope (id, object, created, model) in every chunk of a stream.
   */
  envPrefix = '';
  envSeen = 0;
  envId: string | undefined = undefined;
  envUsageStart = -1;
  envUsageEnd = -1;
  /** Not yet used by a scan. */
  fresh = true;

  /** What `o` learned: a template and an envelope are valid for any chunk, whatever its stream. */
  copyFrom(o: ChatScanMemory): void {
    this.tplPrefix = o.tplPrefix;
    this.tplSuffix = o.tplSuffix;
    this.tplFields.copyFrom(o.tplFields);
    this.hasTpl = o.hasTpl;
    this.envPrefix = o.envPrefix;
    this.envSeen = o.envSeen;
    this.envId = o.envId;
    this.envUsageStart = o.envUsageStart;
    this.envUsageEnd = o.envUsageEnd;
  }
}

/** Thrown (one preallocated object, no stack captured per throw) when the scanner gives up. */
const GIVE_UP: unknown = Object.freeze({ giveUp: true });

function isWs(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/**
 * Scans `s` (a trimmed event payload). Returns true and fills `out` when it read the chunk exactly;
 * false when the decoder must parse it in full. Never throws. One scanner per decoder: nothing is
 * allocated per chunk except the strings it returns.
 */
export class ChatChunkScanner {
  readonly fields = new ChatChunkFields();
  /** How the last scan read its chunk (whether it answered or not): tests check the path they mean to test. */
  lastRead: 'template' | 'envelope' | 'full' = 'full';
  private s = '';
  private i = 0;
  /** Position of the next backslash at or after some earlier cursor, -1 when there is none. */
  private nextBs = -1;
  /** Where the delta's content string starts (its quote) and ends (after its quote) in the last full scan; -1: none. */
  private contentStart = -1;
  private contentEnd = -1;
  /** Where the top-level `usage` object starts and ends in the chunk being scanned; -1: none. */
  private usageStart = -1;
  private usageEnd = -1;
  /**
   * scanTemplateSpan's last read text, its backslash search (nextBs) and where its cursor ended:
   * the next span of the same text, further on, goes on from there.
   */
  private spanText = '';
  private spanBs = -1;
  private spanEnd = 0;
  /** Set while a full scan (not a resumed one) runs: top() then records the envelope. */
  private learnEnv = false;
  /** The memory of the scan under way (its own when the caller gives none), and of the one before. */
  private readonly ownMemory = new ChatScanMemory();
  private m = this.ownMemory;
  private last = this.ownMemory;

  /** Scans `s` with what `memory` (the stream's) learned from earlier chunks, and teaches it this one. */
  scan(s: string, memory: ChatScanMemory = this.ownMemory): boolean {
    const f = this.fields;
    const m = (this.m = memory);
    if (m.fresh) {
      // a stream's first chunk: start from what the thread's last stream learned (of use when the
      // next stream repeats its id, as a canned stream does; a server's next id fails at once)
      m.fresh = false;
      if (m !== this.last) m.copyFrom(this.last);
    }
    this.last = m;
    this.s = s;
    try {
      if (m.hasTpl && this.fromTemplate(s, m)) {
        this.lastRead = 'template';
        return true;
      }
      f.reset();
      this.contentStart = -1;
      const el = m.envPrefix.length;
      if (el > 0 && s.length > el && s.substring(0, el) === m.envPrefix) {
        this.i = el;
        this.nextBs = s.indexOf('\\', el);
        f.id = m.envId;
        this.usageStart = m.envUsageStart;
        this.usageEnd = m.envUsageEnd;
        this.learnEnv = false;
        this.lastRead = 'envelope';
        this.top(m.envSeen, true);
      } else {
        this.i = 0;
        this.nextBs = s.indexOf('\\');
        this.usageStart = -1;
        this.learnEnv = true;
        this.lastRead = 'full';
        this.top(0, false);
      }
      if (this.usageStart >= 0) {
        // validated by the pass: JSON.parse reads the same value it reads as the chunk's member
        f.usage = JSON.parse(s.slice(this.usageStart, this.usageEnd)) as Record<string, unknown>;
        return true; // no template from a chunk with usage: its numbers change from chunk to chunk
      }
      // An empty content string (a server's first chunk: `"role":"assistant","content":""`) does
      // not replace the template: the chunks after it are shaped like the last one with text.
      if (this.contentStart >= 0 && (f.content !== '' || !m.hasTpl)) {
        m.tplPrefix = s.slice(0, this.contentStart);
        m.tplSuffix = s.slice(this.contentEnd);
        m.tplFields.copyFrom(f);
        m.hasTpl = true;
      }
      return true;
    } catch (e) {
      if (e === GIVE_UP) return false;
      return false;
    } finally {
      this.s = '';
    }
  }

  /**
   * Reads `text[from, to)`, an event's data as a span of the read it came in (not trimmed), by the
   * template of `memory` alone, without a string for the chunk: true with `fields` filled as scan()
   * fills them for it; false when it is not that template's chunk (the caller then scans the data).
   * A span with whitespace at either end never matches, since the template's prefix and suffix
   * begin and end as its trimmed chunk did.
   */
  scanTemplateSpan(text: string, from: number, to: number, memory: ChatScanMemory): boolean {
    const m = memory;
    if (m.fresh || !m.hasTpl) return false;
    const at = from + m.tplPrefix.length;
    const end = to - m.tplSuffix.length;
    if (end < at + 2 || text.charCodeAt(at) !== QUOTE || text.substring(from, at) !== m.tplPrefix || text.substring(end, to) !== m.tplSuffix) return false;
    this.m = m;
    this.last = m;
    this.s = text;
    this.i = at;
    // the events of a read come in order: the backslash search of the last one holds for the next
    if (at < this.spanEnd || text !== this.spanText) {
      this.spanText = text;
      this.spanBs = text.indexOf('\\', at);
    }
    this.nextBs = this.spanBs;
    try {
      // the line end after the span is a control character: a string not closed inside it gives up
      const content = this.str(true) as string;
      if (this.i !== end) return false;
      this.fields.copyFrom(m.tplFields);
      this.fields.content = content;
      this.lastRead = 'template';
      return true;
    } catch {
      return false;
    } finally {
      this.s = '';
      this.spanBs = this.nextBs;
      this.spanEnd = this.i;
    }
  }

  private fromTemplate(s: string, m: ChatScanMemory): boolean {
    const pl = m.tplPrefix.length;
    const end = s.length - m.tplSuffix.length;
    // substring + === compares natively (startsWith was measured slower on long prefixes)
    if (end < pl + 2 || s.charCodeAt(pl) !== QUOTE || s.substring(0, pl) !== m.tplPrefix || s.substring(end) !== m.tplSuffix) return false;
    this.i = pl;
    this.nextBs = s.indexOf('\\', pl);
    let content: string;
    try {
      content = this.str(true) as string;
    } catch {
      return false;
    }
    if (this.i !== end) return false;
    this.fields.copyFrom(m.tplFields);
    this.fields.content = content;
    return true;
  }

  private ws(): void {
    const s = this.s;
    let i = this.i;
    while (i < s.length && isWs(s.charCodeAt(i))) i++;
    this.i = i;
  }

  private expect(c: number): void {
    if (this.s.charCodeAt(this.i) !== c) throw GIVE_UP;
    this.i++;
  }

  /**
   * A string at the cursor (its opening quote). `decode`: return its value (escapes decoded by
   * JSON.parse of the literal); otherwise validate and skip it, returning SKIPPED.
   */
  private str(decode: boolean): string | typeof SKIPPED {
    const s = this.s;
    const start = this.i;
    if (s.charCodeAt(start) !== QUOTE) throw GIVE_UP;
    let i = start + 1;
    let escaped = false;
    for (;;) {
      const q = s.indexOf('"', i);
      if (q === -1) throw GIVE_UP;
      let b = this.nextBs;
      if (b !== -1 && b < i) b = this.nextBs = s.indexOf('\\', i);
      if (b === -1 || b > q) {
        // no escape before the quote: only control characters (invalid in JSON) remain to check
        for (let k = i; k < q; k++) if (s.charCodeAt(k) < 0x20) throw GIVE_UP;
        i = q;
        break;
      }
      for (let k = i; k < b; k++) if (s.charCodeAt(k) < 0x20) throw GIVE_UP;
      escaped = true;
      const e = s.charCodeAt(b + 1);
      if (e === 0x75) {
        for (let k = b + 2; k < b + 6; k++) {
          const h = s.charCodeAt(k);
          if (!((h >= 0x30 && h <= 0x39) || (h >= 0x41 && h <= 0x46) || (h >= 0x61 && h <= 0x66))) throw GIVE_UP;
        }
        i = b + 6;
      } else if (e === QUOTE || e === BACKSLASH || e === 0x2f || e === 0x62 || e === 0x66 || e === 0x6e || e === 0x72 || e === 0x74) {
        i = b + 2;
      } else {
        throw GIVE_UP;
      }
    }
    this.i = i + 1;
    if (!decode) return SKIPPED;
    if (!escaped) return s.slice(start + 1, i);
    return JSON.parse(s.slice(start, i + 1)) as string;
  }

  /** A key: a string without escapes (an escaped key could spell a field this scanner reads). */
  private key(): string {
    const s = this.s;
    const start = this.i;
    if (s.charCodeAt(start) !== QUOTE) throw GIVE_UP;
    const q = s.indexOf('"', start + 1);
    if (q === -1) throw GIVE_UP;
    for (let k = start + 1; k < q; k++) {
      const c = s.charCodeAt(k);
      if (c === BACKSLASH || c < 0x20) throw GIVE_UP;
    }
    this.i = q + 1;
    return s.slice(start + 1, q);
  }

  private num(): void {
    const s = this.s;
    let i = this.i;
    if (s.charCodeAt(i) === 0x2d) i++;
    const c0 = s.charCodeAt(i);
    if (c0 === 0x30) i++;
    else if (c0 >= 0x31 && c0 <= 0x39) {
      i++;
      while (isDigit(s.charCodeAt(i))) i++;
    } else throw GIVE_UP;
    if (s.charCodeAt(i) === 0x2e) {
      i++;
      if (!isDigit(s.charCodeAt(i))) throw GIVE_UP;
      while (isDigit(s.charCodeAt(i))) i++;
    }
    const e = s.charCodeAt(i);
    if (e === 0x65 || e === 0x45) {
      i++;
      const sign = s.charCodeAt(i);
      if (sign === 0x2b || sign === 0x2d) i++;
      if (!isDigit(s.charCodeAt(i))) throw GIVE_UP;
      while (isDigit(s.charCodeAt(i))) i++;
    }
    this.i = i;
  }

  private literal(word: string): void {
    if (!this.s.startsWith(word, this.i)) throw GIVE_UP;
    this.i += word.length;
  }

  /** Any JSON value, validated and skipped. */
  private skip(depth: number): void {
    if (depth > 64) throw GIVE_UP;
    const c = this.s.charCodeAt(this.i);
    if (c === QUOTE) this.str(false);
    else if (c === 0x7b) {
      if (this.open(0x7b, 0x7d)) {
        do {
          this.member();
          this.skip(depth + 1);
        } while (this.next(0x7d));
      }
    } else if (c === 0x5b) {
      if (this.open(0x5b, 0x5d)) {
        do this.skip(depth + 1);
        while (this.next(0x5d));
      }
    } else if (c === 0x74) this.literal('true');
    else if (c === 0x66) this.literal('false');
    else if (c === 0x6e) this.literal('null');
    else this.num();
  }

  /** The value at the cursor as the decoder reads a string field: the string, or null for any other value. */
  private maybeString(): string | null {
    if (this.s.charCodeAt(this.i) === QUOTE) return this.str(true) as string;
    this.skip(1);
    return null;
  }

  private isNull(): boolean {
    if (this.s.startsWith('null', this.i)) {
      this.i += 4;
      return true;
    }
    return false;
  }

  /** Consumes `{` or `[`; true when a member/element follows (cursor on it), false after an empty `{}`/`[]`. */
  private open(o: number, c: number): boolean {
    this.expect(o);
    this.ws();
    if (this.s.charCodeAt(this.i) === c) {
      this.i++;
      return false;
    }
    return true;
  }

  /** `"key" :` of an object member; the cursor ends on its value. */
  private member(): string {
    this.ws();
    const k = this.key();
    this.ws();
    this.expect(0x3a);
    this.ws();
    return k;
  }

  /** After a value: true on `,` (cursor on the next value), false on the closing bracket `c`. */
  private next(c: number): boolean {
    this.ws();
    const x = this.s.charCodeAt(this.i);
    this.i++;
    if (x === 0x2c) {
      this.ws();
      return true;
    }
    if (x === c) return false;
    throw GIVE_UP;
  }

  /**
   * The chunk's top-level object. `resume`: the cursor is at the `choices` value of an envelope
   * whose scan left the bits `seen` (the cursor may be on whitespace the envelope did not have).
   */
  private top(seen: number, resume: boolean): void {
    const out = this.fields;
    let members = resume;
    if (!resume) {
      this.ws();
      members = this.open(0x7b, 0x7d);
    }
    if (members) {
      do {
        let k: string;
        if (resume) {
          resume = false;
          this.ws();
          k = 'choices';
        } else k = this.member();
        if (k === 'id') {
          if (seen & 1) throw GIVE_UP;
          seen |= 1;
          if (this.s.charCodeAt(this.i) === QUOTE) {
            const start = this.i;
            this.str(false);
            const raw = this.s.slice(start + 1, this.i - 1);
            if (raw.includes('\\')) throw GIVE_UP; // an id with escapes: the full parse reads it
            out.id = raw;
          } else this.skip(1);
        } else if (k === 'choices') {
          if (seen & 2) throw GIVE_UP;
          if (this.learnEnv) {
            const m = this.m;
            this.learnEnv = false;
            m.envPrefix = this.s.slice(0, this.i);
            m.envSeen = seen;
            m.envId = out.id;
            m.envUsageStart = this.usageStart;
            m.envUsageEnd = this.usageEnd;
          }
          seen |= 2;
          if (this.s.charCodeAt(this.i) !== 0x5b) this.skip(1); // not an array: no choices
          else if (this.open(0x5b, 0x5d)) {
            this.choice();
            out.choices = 1;
            if (this.next(0x5d)) throw GIVE_UP; // more than one choice
          }
        } else if (k === 'usage') {
          if (seen & 4) throw GIVE_UP;
          seen |= 4;
          if (this.s.charCodeAt(this.i) === 0x7b) {
            this.usageStart = this.i;
            this.skip(1);
            this.usageEnd = this.i;
          } else if (!this.isNull()) throw GIVE_UP; // an array, string, number: the full parse reads it
        } else if (k === 'error' || k === 'x_groq' || k === 'timings') {
          if (!this.isNull()) throw GIVE_UP;
        } else if (k === '__proto__') throw GIVE_UP;
        else this.skip(1);
      } while (this.next(0x7d));
    }
    this.ws();
    if (this.i !== this.s.length) throw GIVE_UP;
  }

  private choice(): void {
    const out = this.fields;
    if (this.s.charCodeAt(this.i) !== 0x7b) {
      this.skip(2);
      return;
    }
    out.choiceIsObject = true;
    let seen = 0;
    if (!this.open(0x7b, 0x7d)) return;
    do {
      const k = this.member();
      if (k === 'delta') {
        if (seen & 1) throw GIVE_UP;
        seen |= 1;
        if (this.s.charCodeAt(this.i) === 0x7b) this.delta();
        else if (!this.isNull()) throw GIVE_UP; // neither object nor null: the full parse reads it
      } else if (k === 'text') {
        if (seen & 2) throw GIVE_UP;
        seen |= 2;
        out.text = this.maybeString();
      } else if (k === 'finish_reason') {
        if (seen & 4) throw GIVE_UP;
        seen |= 4;
        out.finishReason = this.maybeString();
      } else if (k === 'message' || k === '__proto__') throw GIVE_UP;
      else this.skip(3);
    } while (this.next(0x7d));
  }

  private delta(): void {
    const out = this.fields;
    let seen = 0;
    if (!this.open(0x7b, 0x7d)) return;
    do {
      const k = this.member();
      if (k === 'content') {
        if (seen & 1) throw GIVE_UP;
        seen |= 1;
        const at = this.i;
        if (this.s.charCodeAt(at) === 0x5b) throw GIVE_UP; // content parts: the full parse reads them
        out.content = this.maybeString();
        if (typeof out.content === 'string') {
          this.contentStart = at;
          this.contentEnd = this.i;
        }
      } else if (k === 'reasoning_content') {
        if (seen & 2) throw GIVE_UP;
        seen |= 2;
        out.reasoningContent = this.maybeString();
      } else if (k === 'reasoning') {
        if (seen & 4) throw GIVE_UP;
        seen |= 4;
        out.reasoning = this.maybeString();
      } else if (k === 'role') {
        if (seen & 8) throw GIVE_UP;
        seen |= 8;
        out.role = this.maybeString();
      } else if (k === 'tool_calls' || k === 'reasoning_details') {
        if (!this.isNull()) throw GIVE_UP;
      } else if (k === '__proto__') throw GIVE_UP;
      else this.skip(4);
    } while (this.next(0x7d));
  }
}

/**
 * The scanner every OpenAI chat decoder of this thread uses, each with its own ChatScanMemory.
 * Sharing it is safe because a scan and the reading of its fields happen in one synchronous call.
 */
export const sharedChatScanner = new ChatChunkScanner();
