import type { ListenerRegistry } from '../router.js';
import type { Deps } from '../../../modules/deps.js';
import { personOf } from '../../users.js';

/** Someone joined the workspace: the directory knows them before their first request. */
export function registerTeamJoinEvent(app: ListenerRegistry, deps: Deps): void {
  app.event('team_join', async ({ event }) => {
    deps.people.changed(personOf(event.user));
  });
}
