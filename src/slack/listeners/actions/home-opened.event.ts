import type { ListenerRegistry } from '../router.js';

/** Opening the Home tab draws it from the database. */
export function registerHomeOpenedEvent(app: ListenerRegistry, refresh: (userId: string) => Promise<void>): void {
  app.event('app_home_opened', async ({ event }) => {
    if (event.tab !== 'home') return;
    await refresh(event.user);
  });
}
