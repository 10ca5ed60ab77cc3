/**
 * The seam between the run controller (which owns the engine process) and the views that show a
 * run (status bar, results panel, Test Explorer). The controller fires; views subscribe.
 */
import type * as vscode from 'vscode';
import type { LiveDelta } from '../core/messages';
import type { Summary } from '../core/metrics/summary';

export interface RunStartedEvent {
  /** Absolute path of the scenario file. */
  file: string;
  runDir: string;
}

export interface RunLiveEvent {
  file: string;
  runDir: string;
  delta: LiveDelta;
}

export interface RunFinishedEvent {
  file: string;
  runDir: string;
  summary: Summary;
}

export interface RunEvents {
  readonly onDidStartRun: vscode.Event<RunStartedEvent>;
  readonly onDidReceiveLive: vscode.Event<RunLiveEvent>;
  readonly onDidFinishRun: vscode.Event<RunFinishedEvent>;
}
