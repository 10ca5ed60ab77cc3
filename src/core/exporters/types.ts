/**
 * What an export format is: a name, the file extension it writes, what of a run it reads, and a
 * function from a run folder to its text. Each format is one file in this folder, registered in
 * ./index.ts; the CLI's `report` and `trace` commands pick formats from the registry.
 * The run folder's own files (summary.json, requests.jsonl, packets.jsonl, ...) are written during
 * the run by ../results/writer.ts; exporters only read them.
 */
import type { RequestRecord } from '../metrics/record';
import type { PacketLine } from '../results/trace-export';

/**
 * A finished run folder, read lazily and at most once per part. With `only`, records and packets
 * are those of that one request.
 */
export interface RunSource {
  /** The folder as given. */
  readonly dir: string;
  readonly only?: number;
  /** summary.json as parsed JSON, or undefined when the folder has none. */
  summaryJson(): Record<string, unknown> | undefined;
  /** requests.jsonl, in file order. */
  records(): Promise<RequestRecord[]>;
  /** packets.jsonl by request id, each list in file order. */
  packets(): Promise<Map<number, PacketLine[]>>;
}

/**
 * What a format reads of the run: the whole folder through its own reader (`run-folder`), only
 * summary.json (`summary`), or the records and packets (`records`).
 */
export type ExportReads = 'run-folder' | 'summary' | 'records';

export interface ExportOptions {
  /** A baseline run folder to compare the run against (formats that show a comparison). */
  compareWith?: string;
  /** Where the built results app may be (the HTML report); see ../report/html.ts defaultAssetDirs. */
  assetDirs?: readonly string[];
  /** The instant the export is made, for formats that print it. */
  now?: Date;
}

export interface ExportResult {
  /** The file's whole text. */
  text: string;
  /** What the export holds, for the command's one-line note, e.g. `12 requests, 2 traced`. */
  note?: string;
}

export interface Exporter {
  /** The format's name on the command line, e.g. `html`, `perfetto`. */
  readonly name: string;
  /** The file extension it writes, with the dot. */
  readonly extension: string;
  /** The CLI command that offers it: `report` (`--NAME FILE`) or `trace` (`--format NAME`). */
  readonly command: 'report' | 'trace';
  readonly reads: ExportReads;
  /** One line for help texts. */
  readonly description: string;
  export(run: RunSource, options: ExportOptions): Promise<ExportResult>;
}

/** A format that cannot run on this install (e.g. the results app is not built); the CLI exits 3. */
export class ExporterUnavailableError extends Error {}
