/**
 * The results panel (one per scenario, beside the file). Registered by activate(); it listens to
 * the run controller's events. See issue 8: this is the seam, the panel itself lands there.
 */
import type * as vscode from 'vscode';
import type { RunEvents } from '../run-events';

export function registerResultsPanel(_context: vscode.ExtensionContext, _runs: RunEvents): void {
  // The panel subscribes to `_runs` here.
}
