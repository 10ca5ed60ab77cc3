/**
 * Finds the lines of one request in a JSON-lines file without loading the file: the first use
 * scans it once as a byte stream, remembering for each request the byte ranges of its lines; later
 * calls scan only what was appended since (a live run keeps writing). Lines are then read back by
 * range. Memory is one small entry per request, whatever the file's size.
 */
import fs from 'node:fs';

export class JsonlIndex {
  private readonly ranges = new Map<number, Array<[number, number]>>();
  private scanned = 0;
  private scanning: Promise<void> | null = null;

  /** `keyField`: the numeric field that opens each line, e.g. `request` in packets.jsonl, `id` in requests.jsonl. */
  constructor(
    readonly file: string,
    private readonly keyField: string,
  ) {}

  /** Every line of `key`, in file order; [] when the file or the key is absent. */
  async lines(key: number): Promise<string[]> {
    await this.refresh();
    const rs = this.ranges.get(key);
    if (!rs) return [];
    const fh = await fs.promises.open(this.file, 'r');
    try {
      const out: string[] = [];
      for (const [start, end] of rs) {
        const buf = Buffer.alloc(end - start);
        await fh.read(buf, 0, buf.length, start);
        for (const line of buf.toString('utf8').split('\n')) if (line.trim()) out.push(line);
      }
      return out;
    } finally {
      await fh.close();
    }
  }

  /** Each line parsed; malformed lines are skipped. */
  async records<T>(key: number): Promise<T[]> {
    const out: T[] = [];
    for (const l of await this.lines(key)) {
      try {
        out.push(JSON.parse(l) as T);
      } catch {
        // a torn or foreign line: not this reader's to judge
      }
    }
    return out;
  }

  keys(): number[] {
    return [...this.ranges.keys()];
  }

  async refresh(): Promise<void> {
    while (this.scanning) await this.scanning;
    this.scanning = this.scan().finally(() => (this.scanning = null));
    await this.scanning;
  }

  private async scan(): Promise<void> {
    let size: number;
    try {
      size = (await fs.promises.stat(this.file)).size;
    } catch {
      return;
    }
    if (size < this.scanned) {
      // The file was replaced: start over.
      this.ranges.clear();
      this.scanned = 0;
    }
    if (size === this.scanned) return;
    const prefix = Buffer.from(`{"${this.keyField}":`);
    const stream = fs.createReadStream(this.file, { start: this.scanned, end: size - 1, highWaterMark: 1 << 20 });
    let pos = this.scanned;
    let lineStart = pos;
    // The first bytes of each line; the whole line only when its key is not its first field.
    let parts: Buffer[] = [];
    let partLen = 0;
    let full = false;
    const HEAD = 64;
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      let from = 0;
      for (;;) {
        const nl = chunk.indexOf(10, from);
        const upto = nl < 0 ? chunk.length : nl;
        if (full || partLen < HEAD) {
          const take = full ? chunk.subarray(from, upto) : chunk.subarray(from, Math.min(upto, from + HEAD - partLen));
          parts.push(take);
          partLen += take.length;
          if (!full && partLen >= prefix.length && !Buffer.concat(parts).subarray(0, prefix.length).equals(prefix)) {
            full = true;
            const rest = chunk.subarray(from + take.length, upto);
            parts.push(rest);
            partLen += rest.length;
          }
        }
        if (nl < 0) break;
        const lineEnd = pos + nl + 1;
        this.addLine(Buffer.concat(parts), prefix, full, lineStart, lineEnd);
        lineStart = lineEnd;
        parts = [];
        partLen = 0;
        full = false;
        from = nl + 1;
      }
      pos += chunk.length;
    }
    // An unterminated last line is still being written: it is scanned next time.
    this.scanned = lineStart;
  }

  private addLine(head: Buffer, prefix: Buffer, full: boolean, start: number, end: number): void {
    let key: number | undefined;
    if (!full && head.subarray(0, prefix.length).equals(prefix)) {
      const m = /^-?\d+/.exec(head.subarray(prefix.length).toString('latin1'));
      if (m) key = Number(m[0]);
    } else if (full) {
      try {
        const v = (JSON.parse(head.toString('utf8')) as Record<string, unknown>)[this.keyField];
        if (typeof v === 'number') key = v;
      } catch {
        // not a JSON line
      }
    }
    if (key === undefined) return;
    const rs = this.ranges.get(key);
    const last = rs?.[rs.length - 1];
    if (last && last[1] === start) last[1] = end;
    else if (rs) rs.push([start, end]);
    else this.ranges.set(key, [[start, end]]);
  }
}
