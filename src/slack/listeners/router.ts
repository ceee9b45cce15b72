import type { AnyMiddlewareArgs, App, Middleware } from '@slack/bolt';

/**
 * Where the listeners register: Bolt's own `command`, `action`, `view`, `options` and `event`
 * signatures, with a plain string as the constraint (a slash command, an action_id, a view's
 * callback_id, an event type).
 */
export type ListenerRegistry = Pick<App, 'command' | 'action' | 'view' | 'options' | 'event'>;

type Kind = 'command' | 'action' | 'view' | 'options' | 'event';
type Listener = (args: AnyMiddlewareArgs & Record<string, unknown>) => Promise<void>;

/**
 * The listeners behind one Bolt middleware that picks each request's listener by a map lookup.
 * Bolt tries every registered listener on every request (each one's matchers run in turn); with
 * some thirty of them that cost more than all the rest of answering `/access help`. A request no
 * listener is registered for goes on to Bolt unchanged.
 */
export function listenerRouter(): { registry: ListenerRegistry; middleware: Middleware<AnyMiddlewareArgs> } {
  const routes = new Map<string, Listener>();
  const register =
    (kind: Kind) =>
    (constraint: unknown, ...listeners: unknown[]): void => {
      if (typeof constraint !== 'string' || listeners.length !== 1 || typeof listeners[0] !== 'function') {
        throw new Error(`listenerRouter: ${kind} takes one string and one listener`);
      }
      const key = routeKey(kind, constraint);
      if (routes.has(key)) throw new Error(`listenerRouter: two listeners for ${kind} "${constraint}"`);
      routes.set(key, listeners[0] as Listener);
    };
  const registry = {
    command: register('command'),
    action: register('action'),
    view: register('view'),
    options: register('options'),
    event: register('event'),
  } as unknown as ListenerRegistry;

  const middleware: Middleware<AnyMiddlewareArgs> = async (args) => {
    const route = routeOf(args.body as RoutedBody);
    const listener = route && routes.get(route);
    if (!listener) return args.next();
    // what Bolt hands a listener: the same arguments, with nothing after it
    await listener({ ...args, next: async () => {} } as Parameters<Listener>[0]);
  };
  return { registry, middleware };
}

interface RoutedBody {
  type?: string;
  command?: string;
  action_id?: string;
  actions?: Array<{ action_id?: string }>;
  view?: { callback_id?: string };
  event?: { type?: string };
}

const routeKey = (kind: Kind, id: string) => `${kind}\u0000${id}`;

/**
 * The route of a request, as Bolt would match it: a slash command by name, a block action by its
 * first action's action_id, a view submission by callback_id, an external select's options
 * request by action_id, an event by its type.
 */
function routeOf(body: RoutedBody): string | undefined {
  switch (body.type) {
    case 'block_actions':
      return typeof body.actions?.[0]?.action_id === 'string' ? routeKey('action', body.actions[0].action_id) : undefined;
    case 'view_submission':
      return typeof body.view?.callback_id === 'string' ? routeKey('view', body.view.callback_id) : undefined;
    case 'block_suggestion':
      return typeof body.action_id === 'string' ? routeKey('options', body.action_id) : undefined;
    case 'event_callback':
      return typeof body.event?.type === 'string' ? routeKey('event', body.event.type) : undefined;
  }
  return typeof body.command === 'string' ? routeKey('command', body.command) : undefined;
}
