import type { HomeView, ModalView } from '@slack/types';
import { domainError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import { SLACK_LIMITS } from './blocks/format.js';
import type { Client } from './listeners/replies.js';

/**
 * The one way the bot opens, pushes and updates views. Each view is checked against Slack's limits
 * first: Slack refuses a view whose private_metadata is over 3,000 characters, and the person is
 * left with nothing (a trigger id is good once, for 3 seconds). A view that would be refused is
 * never sent; its sizes are logged, never its content.
 */
export type AnyView = ModalView | HomeView;

export const viewErrors = {
  tooLarge: () =>
    domainError(
      'slack.view_too_large',
      {},
      'I could not open that form: it would be larger than Slack allows. Nothing was saved. Please try again with a shorter text.',
    ),
};

/** Which of Slack's view limits `view` breaks, if any. */
export function viewProblem(view: AnyView): string | undefined {
  if ((view.private_metadata?.length ?? 0) > SLACK_LIMITS.privateMetadata) return 'private_metadata';
  const maxBlocks = view.type === 'home' ? SLACK_LIMITS.homeBlocks : SLACK_LIMITS.modalBlocks;
  if (view.blocks.length > maxBlocks) return 'blocks';
  if (view.type === 'modal' && view.title.text.length > SLACK_LIMITS.modalTitle) return 'title';
  return undefined;
}

/** Returns `view` unchanged when Slack would accept it; otherwise logs and throws `slack.view_too_large`. */
export function checkedView<V extends AnyView>(view: V, log: Logger): V {
  const problem = viewProblem(view);
  if (problem) {
    log.error(
      { problem, callbackId: 'callback_id' in view ? view.callback_id : undefined, privateMetadataLength: view.private_metadata?.length ?? 0, blocks: view.blocks.length },
      'view refused before sending: over a Slack limit',
    );
    throw viewErrors.tooLarge();
  }
  return view;
}

export async function openView(client: Client, triggerId: string, view: ModalView, log: Logger): Promise<void> {
  await client.views.open({ trigger_id: triggerId, view: checkedView(view, log) });
}

export async function updateView(client: Client, target: { view_id: string; hash?: string }, view: ModalView, log: Logger): Promise<void> {
  await client.views.update({ ...target, view: checkedView(view, log) });
}

export async function publishView(client: Client, userId: string, view: HomeView, log: Logger): Promise<void> {
  await client.views.publish({ user_id: userId, view: checkedView(view, log) });
}
