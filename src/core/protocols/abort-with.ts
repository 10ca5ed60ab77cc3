/**
 * Cutting an undici request on purpose (a timeout, the caller, a client that left): the reason
 * carries the ErrorKind the request is recorded with, so the dispatch handler's error callback
 * can tell a cut of its own from a transport failure. Shared by the HTTP client and the mirror.
 */
import type { Dispatcher } from 'undici';
import type { ErrorKind } from './types';

export class AbortWith extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'AbortWith';
  }
}

/**
 * Aborts a dispatch that has started (undici gave its controller); false when it has not, and the
 * handler must abort it with `reason` in onRequestStart.
 */
export function abortDispatch(controller: Dispatcher.DispatchController | undefined, reason: AbortWith): boolean {
  if (!controller) return false;
  try {
    controller.abort(reason);
  } catch {
    // already gone
  }
  return true;
}
