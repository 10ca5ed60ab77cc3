/**
 * The mirror's bookkeeping worker runs at a lower priority than the proxy's thread, so that when
 * both want a core (two cores shared with everything else) the scheduler runs the proxy first and
 * a byte on its way to the client does not wait for records being written. Only that thread is
 * lowered (../load/thread-priority.ts), which needs no privilege.
 */
import { setThisThreadNice, type NiceResult } from '../load/thread-priority';

/** The bookkeeping worker's nice value (0 normal, 19 lowest): CFS then gives it about a tenth of a contended core. */
export const BOOKKEEPING_NICE = 10;

/** Lowers the calling thread (the bookkeeping worker) to BOOKKEEPING_NICE. */
export function lowerBookkeepingThread(): NiceResult {
  return setThisThreadNice(BOOKKEEPING_NICE);
}
