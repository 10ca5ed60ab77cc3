/**
 * The requests table's model. The host keeps every row (100k+ is fine: rows are small) and answers
 * the view's page queries: filter by status, error kind, prompt and bucket, sort by a timing
 * (missing values last whatever the direction), then one page. Sorted orders are cached per key
 * until rows are added.
 */
import type { RequestPage, RequestSortKey, TableQuery, TableRow } from '../messages';

export const SORT_KEYS: readonly RequestSortKey[] = ['id', 'offset_ms', 'ttft_ms', 'ttfa_ms', 'e2e_ms', 'token_rate', 'input_tokens', 'output_tokens'];
export const MAX_PAGE_SIZE = 500;

export function defaultQuery(): TableQuery {
  return { sort: 'id', desc: false, page: 0, page_size: 50 };
}

/** A query made safe: a known sort key, a page size in 1..500, a non-negative integer page. */
export function normalizeQuery(q: Partial<TableQuery> | undefined): TableQuery {
  const d = defaultQuery();
  const src = q ?? {};
  const out: TableQuery = {
    sort: SORT_KEYS.includes(src.sort as RequestSortKey) ? (src.sort as RequestSortKey) : d.sort,
    desc: src.desc === true,
    page: Number.isInteger(src.page) && src.page! >= 0 ? src.page! : 0,
    page_size: Number.isInteger(src.page_size) ? Math.min(MAX_PAGE_SIZE, Math.max(1, src.page_size!)) : d.page_size,
  };
  if (src.status === 'ok' || src.status === 'error') out.status = src.status;
  if (src.grade === 'correct' || src.grade === 'wrong' || src.grade === 'unparsed' || src.grade === 'not_correct') out.grade = src.grade;
  if (typeof src.second === 'number' && Number.isInteger(src.second) && src.second >= 0) out.second = src.second;
  for (const k of ['error_kind', 'prompt', 'bucket'] as const) {
    const v = src[k];
    if (typeof v === 'string' && v !== '') out[k] = v;
  }
  return out;
}

export function matches(r: TableRow, q: TableQuery): boolean {
  if (q.status !== undefined && r.status !== q.status) return false;
  if (q.error_kind !== undefined && r.error_kind !== q.error_kind) return false;
  if (q.prompt !== undefined && r.prompt !== q.prompt) return false;
  if (q.bucket !== undefined && r.bucket !== q.bucket) return false;
  if (q.grade !== undefined && (q.grade === 'not_correct' ? r.grade === undefined || r.grade === 'correct' : r.grade !== q.grade)) return false;
  if (q.second !== undefined && Math.floor((r.offset_ms + r.e2e_ms) / 1000) !== q.second) return false;
  return true;
}

function compareBy(key: RequestSortKey): (a: TableRow, b: TableRow) => number {
  return (a, b) => {
    const x = a[key];
    const y = b[key];
    if (x === y) return a.id - b.id;
    if (x === null || x === undefined) return 1;
    if (y === null || y === undefined) return -1;
    return x - y || a.id - b.id;
  };
}

export class RowStore {
  private readonly rows: TableRow[] = [];
  private readonly byId = new Map<number, TableRow>();
  private sorted = new Map<RequestSortKey, TableRow[]>();
  private readonly prompts = new Set<string>();
  private readonly errorKinds = new Set<string>();
  private readonly buckets = new Set<string>();
  private graded = false;

  /** `bucketOrder`: the plan's bucket labels, smallest first, so the filter lists them in order. */
  constructor(private readonly bucketOrder: readonly string[] = []) {}

  get size(): number {
    return this.rows.length;
  }

  add(rows: readonly TableRow[]): void {
    if (rows.length === 0) return;
    for (const r of rows) {
      if (this.byId.has(r.id)) continue;
      this.byId.set(r.id, r);
      this.rows.push(r);
      this.prompts.add(r.prompt);
      if (r.error_kind) this.errorKinds.add(r.error_kind);
      if (r.bucket) this.buckets.add(r.bucket);
      if (r.grade) this.graded = true;
    }
    this.sorted = new Map();
  }

  get(id: number): TableRow | undefined {
    return this.byId.get(id);
  }

  all(): readonly TableRow[] {
    return this.rows;
  }

  private order(key: RequestSortKey): TableRow[] {
    let s = this.sorted.get(key);
    if (!s) {
      s = this.rows.slice().sort(compareBy(key));
      this.sorted.set(key, s);
    }
    return s;
  }

  query(raw: Partial<TableQuery>): RequestPage {
    const q = normalizeQuery(raw);
    const ordered = this.order(q.sort);
    const filtered = ordered.filter((r) => matches(r, q));
    if (q.desc) {
      // Descending by value, but rows without a value still come last.
      const withValue = filtered.filter((r) => r[q.sort] !== null && r[q.sort] !== undefined).reverse();
      const without = filtered.filter((r) => r[q.sort] === null || r[q.sort] === undefined);
      filtered.length = 0;
      filtered.push(...withValue, ...without);
    }
    const pages = Math.max(1, Math.ceil(filtered.length / q.page_size));
    if (q.page > pages - 1) q.page = pages - 1;
    const start = q.page * q.page_size;
    return {
      query: q,
      matching: filtered.length,
      total: this.rows.length,
      rows: filtered.slice(start, start + q.page_size),
      facets: {
        prompts: [...this.prompts].sort(),
        error_kinds: [...this.errorKinds].sort(),
        buckets: [...this.buckets].sort((a, b) => rank(this.bucketOrder, a) - rank(this.bucketOrder, b) || a.localeCompare(b)),
        ...(this.graded ? { grades: ['not_correct', 'wrong', 'unparsed', 'correct'] } : {}),
      },
    };
  }
}

function rank(order: readonly string[], label: string): number {
  const i = order.indexOf(label);
  return i < 0 ? order.length : i;
}
