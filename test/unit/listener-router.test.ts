import type { AnyMiddlewareArgs } from '@slack/bolt';
import { describe, expect, it } from 'vitest';
import { listenerRouter } from '../../src/slack/listeners/router.js';

/** Runs the router's middleware on a request body; says which listener ran, or that it went on to Bolt. */
function routerWith(register: (r: ReturnType<typeof listenerRouter>['registry'], seen: string[]) => void) {
  const router = listenerRouter();
  const seen: string[] = [];
  register(router.registry, seen);
  return async (body: Record<string, unknown>) => {
    const ran: string[] = [];
    let passedOn = false;
    await router.middleware({ body, next: async () => void (passedOn = true) } as unknown as AnyMiddlewareArgs & { next: () => Promise<void> } as never);
    ran.push(...seen.splice(0));
    return { ran, passedOn };
  };
}

describe('listener router (one Bolt middleware, a map lookup per request)', () => {
  const route = routerWith((app, seen) => {
    app.command('/access', async () => void seen.push('command'));
    app.action('approve', async ({ body }) => void seen.push(`approve by ${(body as { user: { id: string } }).user.id}`));
    app.action('deny', async () => void seen.push('deny'));
    app.view('request_form', async () => void seen.push('form'));
    app.options('form_dataset', async () => void seen.push('options'));
    app.event('app_home_opened', async () => void seen.push('home'));
  });

  it('hands each kind of request to the listener registered for it, and only that one', async () => {
    expect(await route({ command: '/access', text: 'help' })).toEqual({ ran: ['command'], passedOn: false });
    expect(await route({ type: 'block_actions', user: { id: 'U1' }, actions: [{ action_id: 'approve' }, { action_id: 'deny' }] })).toEqual({ ran: ['approve by U1'], passedOn: false });
    expect(await route({ type: 'view_submission', view: { callback_id: 'request_form' } })).toEqual({ ran: ['form'], passedOn: false });
    expect(await route({ type: 'block_suggestion', action_id: 'form_dataset' })).toEqual({ ran: ['options'], passedOn: false });
    expect(await route({ type: 'event_callback', event: { type: 'app_home_opened' } })).toEqual({ ran: ['home'], passedOn: false });
  });

  it('passes on to Bolt what no listener is registered for, as Bolt would leave it unmatched', async () => {
    for (const body of [
      { command: '/other' },
      { type: 'block_actions', actions: [{ action_id: 'unknown' }] },
      { type: 'block_actions', actions: [] },
      // a view closed is not a submission: `app.view(id)` matches submissions only
      { type: 'view_closed', view: { callback_id: 'request_form' } },
      { type: 'event_callback', event: { type: 'message' } },
      { type: 'block_actions', actions: [{ action_id: { toString: () => 'approve' } }] },
      {},
    ]) {
      expect(await route(body)).toEqual({ ran: [], passedOn: true });
    }
  });

  it('refuses a second listener for the same route, or a constraint it cannot look up', () => {
    const { registry } = listenerRouter();
    registry.action('approve', async () => {});
    expect(() => registry.action('approve', async () => {})).toThrow(/two listeners for action "approve"/);
    expect(() => registry.action(/approve/, async () => {})).toThrow(/one string and one listener/);
    // the same id as another kind is another route
    expect(() => registry.view('approve', async () => {})).not.toThrow();
  });
});
