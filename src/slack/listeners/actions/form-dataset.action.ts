import type { BlockAction, ExternalSelectAction } from '@slack/bolt';
import type { Deps } from '../../../modules/deps.js';
import { buildRequestFormView, datasetOptions } from '../../blocks/modal.blocks.js';
import { ACTION_IDS, BLOCK_IDS } from '../../ids.js';
import { updateView } from '../../views.js';
import type { ListenerRegistry } from '../router.js';

/** The request form's dataset picker: searches the catalog as the person types. */
export function registerFormDatasetOptions(app: ListenerRegistry, deps: Deps): void {
  app.options(ACTION_IDS.formDataset, async ({ options, ack }) => {
    await ack({ options: datasetOptions(deps.catalog, options.value ?? '') });
  });
}

/** Choosing a dataset redraws the form: durations up to its maximum, whether a reason is needed. */
export function registerFormDatasetAction(app: ListenerRegistry, deps: Deps): void {
  const log = deps.logger.child({ listener: 'form' });
  app.action<BlockAction<ExternalSelectAction>>(ACTION_IDS.formDataset, async ({ ack, body, action, client }) => {
    await ack();
    const view = body.view;
    if (!view || !action.selected_option) return;
    const reason = view.state?.values?.[BLOCK_IDS.formReason]?.[ACTION_IDS.formReason]?.value ?? undefined;
    await updateView(client, { view_id: view.id, hash: view.hash }, buildRequestFormView(deps.catalog, { datasetId: action.selected_option.value, reason }), log).catch((err) =>
      log.warn({ err }, 'could not redraw the request form'),
    );
  });
}
