import type { Deps } from '../../../modules/deps.js';
import { myOpenReviewItems } from '../../../modules/reviews/reviews.usecases.js';
import { listAwaitingMyDecision, listMyAccess } from '../../../modules/requests/requests.usecases.js';
import { buildHomeView } from '../../blocks/home.blocks.js';
import { publishView } from '../../views.js';
import type { Client } from '../replies.js';

/** Publishes a person's Home tab from the database. */
export async function publishHome(client: Client, deps: Deps, userId: string): Promise<void> {
  const [access, awaitingMe, review, timeZone] = await Promise.all([
    listMyAccess(deps, userId),
    listAwaitingMyDecision(deps, userId),
    myOpenReviewItems(deps, userId),
    deps.people.timeZone(userId),
  ]);
  await publishView(client, userId, buildHomeView({ access, awaitingMe, review, timeZone }), deps.logger);
}

/** Redraws a person's Home tab after something changed; failures are logged, never thrown. */
export function homeRefresher(client: Client, deps: Deps): (userId: string) => Promise<void> {
  const log = deps.logger.child({ listener: 'home' });
  return async (userId) => {
    await publishHome(client, deps, userId).catch((err) => log.warn({ err }, 'could not refresh the Home tab'));
  };
}
