/** `load N users for D`: a closed loop of N users from the start to D. */
import type { LoadShape } from './types';

export const usersShape: LoadShape<'users'> = {
  kind: 'users',
  schedule: (load) => ({ kind: 'closed', steps: [{ at_ms: 0, users: load.users }], end_ms: load.duration_ms }),
};
