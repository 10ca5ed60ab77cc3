/**
 * Decodes a response body sent with `content-encoding: gzip | deflate | br` (some proxies compress
 * event streams). Only an encoded response pays for it: the HTTP client creates one only when the
 * header names an encoding. zlib works off the thread pool, so output comes back later than the
 * read it came from; each output carries the arrival time of the compressed read it was decoded
 * from (zlib decodes writes in order and emits a write's output before that write's callback).
 */
import zlib from 'node:zlib';

export interface DecodedSink {
  /** Decoded bytes, with the arrival time of the compressed read they came from. */
  data(chunk: Buffer, t_ms: number): void;
  /** Every byte was decoded, after end() was called. */
  end(): void;
  /** The body is not valid for its encoding. */
  error(err: Error): void;
}

/** The encodings decoded here, as they appear in the header (lower-cased). */
export const SUPPORTED_ENCODINGS = ['gzip', 'x-gzip', 'deflate', 'br'] as const;

/** The encoding to decode, '' for none (absent or `identity`), or undefined when it is unsupported. */
export function encodingOf(header: string | undefined): string | undefined {
  const value = (header ?? '').trim().toLowerCase();
  if (value === '' || value === 'identity') return '';
  return (SUPPORTED_ENCODINGS as readonly string[]).includes(value) ? value : undefined;
}

function decompressorFor(encoding: string, first: Buffer): zlib.Gunzip | zlib.Inflate | zlib.InflateRaw | zlib.BrotliDecompress {
  const flush = { flush: zlib.constants.Z_SYNC_FLUSH, finishFlush: zlib.constants.Z_SYNC_FLUSH };
  switch (encoding) {
    case 'gzip':
    case 'x-gzip':
      return zlib.createGunzip(flush);
    case 'br':
      return zlib.createBrotliDecompress({ flush: zlib.constants.BROTLI_OPERATION_FLUSH, finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH });
    default:
      // `deflate` means zlib-wrapped data, but servers also send raw deflate: a zlib header's
      // first byte has compression method 8 in its low nibble.
      return first.length > 0 && (first[0]! & 0x0f) === 0x08 ? zlib.createInflate(flush) : zlib.createInflateRaw(flush);
  }
}

/** One response body's decoder. */
export class BodyDecoder {
  private z?: ReturnType<typeof decompressorFor>;
  /** Arrival times of the compressed reads zlib has not finished yet, oldest first. */
  private readonly times: number[] = [];
  private lastT = 0;
  private done = false;

  constructor(
    private readonly encoding: string,
    private readonly sink: DecodedSink,
  ) {}

  write(chunk: Buffer, t_ms: number): void {
    if (this.done) return;
    const z = this.z ?? this.open(chunk);
    this.times.push(t_ms);
    z.write(chunk, () => {
      const t = this.times.shift();
      if (t !== undefined) this.lastT = t;
    });
  }

  end(): void {
    if (this.done) return;
    if (!this.z) {
      this.done = true;
      this.sink.end();
      return;
    }
    this.z.end();
  }

  /** Stops decoding and frees zlib's memory; no sink call follows. */
  destroy(): void {
    this.done = true;
    this.z?.destroy();
  }

  private open(first: Buffer): ReturnType<typeof decompressorFor> {
    const z = decompressorFor(this.encoding, first);
    this.z = z;
    z.on('data', (out: Buffer) => {
      if (!this.done) this.sink.data(out, this.times[0] ?? this.lastT);
    });
    z.on('end', () => {
      if (this.done) return;
      this.done = true;
      this.sink.end();
    });
    z.on('error', (err: Error) => {
      if (this.done) return;
      this.done = true;
      this.sink.error(err);
    });
    return z;
  }
}

/**
 * An error body's first bytes (a few KB, possibly cut short), decoded at once for its message;
 * the bytes as they are when they do not decode.
 */
export function decodeErrorBody(encodingHeader: string | undefined, body: Buffer): Buffer {
  const encoding = encodingOf(encodingHeader);
  if (!encoding || body.length === 0) return body;
  try {
    if (encoding === 'br') return zlib.brotliDecompressSync(body, { finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH });
    const opts = { finishFlush: zlib.constants.Z_SYNC_FLUSH };
    if (encoding === 'deflate') return (body[0]! & 0x0f) === 0x08 ? zlib.inflateSync(body, opts) : zlib.inflateRawSync(body, opts);
    return zlib.gunzipSync(body, opts);
  } catch {
    return body;
  }
}
