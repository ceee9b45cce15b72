import type { ListenerRegistry } from '../router.js';
import type { Deps } from '../../../modules/deps.js';
import { personOf } from '../../users.js';

/**
 * Someone's profile changed (an email, a time zone; a member turned guest, or deactivated): the
 * event carries the whole user, so the directory answers with it at once, not at its next walk.
 */
export function registerUserChangeEvent(app: ListenerRegistry, deps: Deps): void {
  app.event('user_change', async ({ event }) => {
    deps.people.changed(personOf(event.user));
  });
}
