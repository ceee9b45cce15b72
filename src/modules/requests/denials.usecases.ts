import type { Deps } from '../deps.js';
import type { RequestView } from '../notifications/notifications.ports.js';
import { assertMayDecide } from './decisions.usecases.js';
import { loadRequestView } from './requests.usecases.js';

/**
 * Before a deny form opens: the request, when the person may decide it and it is still pending;
 * otherwise what it already is. Throws the coded refusal when they may not decide it.
 */
export async function prepareDenial(
  deps: Pick<Deps, 'db' | 'catalog' | 'people'>,
  requestId: string,
  deciderId: string,
): Promise<{ kind: 'ready'; request: RequestView } | { kind: 'already_decided'; status: string }> {
  const request = await assertMayDecide(deps, requestId, deciderId);
  if (request.status !== 'pending') return { kind: 'already_decided', status: request.status };
  return { kind: 'ready', request: (await loadRequestView(deps, requestId))! };
}
