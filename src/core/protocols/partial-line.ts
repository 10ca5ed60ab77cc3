/** The bytes of a line that has not ended yet, held across reads, up to a limit. */
export class PartialLine {
  private chunks: Uint8Array[] = [];
  /** How many bytes are held. */
  bytes = 0;

  constructor(private readonly limit: number) {}

  /** Holds a copy of `b`. Returns false, holding nothing, when the line would pass the limit. */
  keep(b: Uint8Array): boolean {
    if (this.bytes + b.length > this.limit) {
      this.clear();
      return false;
    }
    this.chunks.push(new Uint8Array(b)); // a copy: `b` may be a view of a reused read buffer
    this.bytes += b.length;
    return true;
  }

  /** The held bytes followed by `tail` (just `tail` when nothing is held); nothing is held after. */
  take(tail: Uint8Array): Uint8Array {
    if (this.bytes === 0) return tail;
    const all = new Uint8Array(this.bytes + tail.length);
    let o = 0;
    for (const p of this.chunks) {
      all.set(p, o);
      o += p.length;
    }
    all.set(tail, o);
    this.clear();
    return all;
  }

  clear(): void {
    this.chunks = [];
    this.bytes = 0;
  }
}
