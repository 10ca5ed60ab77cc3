/**
 * Cutting an undici request on purpose (a timeout, the caller, a client that left): the reason
 * carries the ErrorKind the request is recorded with, so the dispatch handler's error callback
 * can tell a cut of its own from a transport failure. Shared by the HTTP client and the mirror.
 */
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
