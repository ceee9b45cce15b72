import type { Deps } from '../../modules/deps.js';
import { registerAcknowledgementView } from './actions/acknowledgement.view.js';
import { registerAuditOlderAction } from './actions/audit-older.action.js';
import { registerApproveAction } from './actions/approve.action.js';
import { registerCancelRequestAction } from './actions/cancel-request.action.js';
import { registerDenyFormView } from './actions/deny-form.view.js';
import { registerDenyAction } from './actions/deny.action.js';
import { registerExtendFormView } from './actions/extend-form.view.js';
import { registerExtendGrantAction } from './actions/extend-grant.action.js';
import { registerFormDatasetAction, registerFormDatasetOptions } from './actions/form-dataset.action.js';
import { registerHomeOpenedEvent } from './actions/home-opened.event.js';
import { homeRefresher } from './actions/home.publish.js';
import { registerMessageEvent } from './actions/message.event.js';
import { registerNudgeFixedAction } from './actions/nudge-fixed.action.js';
import { registerOpenRequestFormAction } from './actions/open-request-form.action.js';
import { registerReleaseGrantAction } from './actions/release-grant.action.js';
import { registerRequestFormView } from './actions/request-form.view.js';
import { registerReviewDatasetAction } from './actions/review-dataset.action.js';
import { registerReviewItemAction } from './actions/review-item.action.js';
import { registerTaskDoneAction } from './actions/task-done.action.js';
import { registerTeamJoinEvent } from './actions/team-join.event.js';
import { registerUserChangeEvent } from './actions/user-change.event.js';
import { registerCommandListener } from './command.listener.js';
import type { Client } from './replies.js';
import type { ListenerRegistry } from './router.js';

/**
 * Every listener, one per file: the slash command's router, each button, form and event. They
 * register on the listener router (./router.ts), which Bolt reaches through one middleware.
 */
export function registerListeners(app: ListenerRegistry, client: Client, deps: Deps): void {
  const refreshHome = homeRefresher(client, deps);
  registerCommandListener(app, deps);
  registerHomeOpenedEvent(app, refreshHome);
  registerOpenRequestFormAction(app, deps);
  registerReleaseGrantAction(app, deps, refreshHome);
  registerCancelRequestAction(app, deps, refreshHome);
  registerExtendGrantAction(app, deps);
  registerExtendFormView(app, deps, refreshHome);
  registerApproveAction(app, deps, refreshHome);
  registerDenyAction(app, deps);
  registerDenyFormView(app, deps, refreshHome);
  registerFormDatasetOptions(app, deps);
  registerFormDatasetAction(app, deps);
  registerRequestFormView(app, deps);
  registerAcknowledgementView(app, deps);
  registerTaskDoneAction(app, deps);
  registerMessageEvent(app, deps);
  registerNudgeFixedAction(app, deps);
  registerReviewItemAction(app, deps, refreshHome);
  registerReviewDatasetAction(app, deps, refreshHome);
  registerAuditOlderAction(app, deps);
  registerUserChangeEvent(app, deps);
  registerTeamJoinEvent(app, deps);
}
