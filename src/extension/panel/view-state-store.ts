/**
 * The views' last states (tab, selected request, table query) per panel key, kept in a small JSON
 * file in the extension's workspace storage. VS Code's own webview state can come back stale after a
 * window reload (it is saved when the editor is serialized, not on every setState); this file is
 * written on every change, so a restored panel reopens exactly where it was.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ViewState } from '../../core/messages';

export class ViewStateStore {
  private states: Record<string, ViewState> = {};

  constructor(private readonly file: string | undefined) {
    if (!file) return;
    try {
      const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
      if (parsed && typeof parsed === 'object') this.states = parsed as Record<string, ViewState>;
    } catch {
      // no file yet, or unreadable: start empty
    }
  }

  get(key: string): ViewState | undefined {
    return this.states[key];
  }

  set(key: string, state: ViewState): void {
    this.states[key] = state;
    if (!this.file) return;
    try {
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      const tmp = `${this.file}.tmp`;
      fs.writeFileSync(tmp, JSON.stringify(this.states));
      fs.renameSync(tmp, this.file);
    } catch {
      // storage not writable: VS Code's own webview state still applies
    }
  }
}
