import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { auditErrors } from '../../src/modules/audit/audit.usecases.js';
import { ackErrors } from '../../src/modules/acknowledgements/acknowledgements.usecases.js';
import { endingErrors } from '../../src/modules/grants/endings.usecases.js';
import { extensionErrors } from '../../src/modules/grants/extensions.usecases.js';
import { hygieneErrors } from '../../src/modules/hygiene/figures.usecases.js';
import { holderErrors } from '../../src/modules/grants/holder.usecases.js';
import { taskErrors } from '../../src/modules/grants/provisioning.usecases.js';
import { requestErrors } from '../../src/modules/requests/requests.errors.js';
import { reviewErrors } from '../../src/modules/reviews/reviews.usecases.js';
import { describe as describeError, type AppError } from '../../src/shared/errors.js';
import { textErrors } from '../../src/shared/text.js';
import { errorField, SLACK_ERRORS, slackErrorText, type ErrorCode, type ErrorOfCode } from '../../src/slack/errors.render.js';
import { viewErrors } from '../../src/slack/views.js';

const until = new Date('2026-03-02T15:30:00Z');

// One instance of every coded error. Typed so that the compiler fails here when a code is added
// without a sample (and the table's own type fails when it has no rendering).
const SAMPLES: { [C in ErrorCode]: ErrorOfCode<C> } = {
  'requests.dataset_not_found': requestErrors.datasetNotFound('crm-contact', ['crm-contacts']),
  'requests.bad_duration': requestErrors.badDuration('7y'),
  'audit.not_migrated': auditErrors.notMigrated(),
  'audit.admins_only': auditErrors.adminsOnly(),
  'hygiene.admins_only': hygieneErrors.adminsOnly(),
  'reviews.campaign_not_found': reviewErrors.campaignNotFound(undefined),
  'requests.duration_too_long': requestErrors.durationTooLong('crm-contacts', 14 * 24 * 60),
  'requests.reason_required': requestErrors.reasonRequired('crm-contacts', 'confidential'),
  'requests.reason_too_short': requestErrors.reasonTooShort('crm-contacts', 15),
  'requests.reason_too_long': requestErrors.reasonTooLong(1000),
  'requests.not_pending': requestErrors.notPending('approved'),
  'requests.nothing_to_cancel': requestErrors.nothingToCancel('crm-contacts'),
  'requests.already_pending': requestErrors.alreadyPending('crm-contacts'),
  'requests.already_active': requestErrors.alreadyActive('crm-contacts', until),
  'requests.grant_in_progress': requestErrors.grantInProgress('crm-contacts', 'provisioning'),
  'requests.no_approvers': requestErrors.noApprovers('crm-contacts'),
  'requests.not_enough_approvers': requestErrors.notEnoughApprovers('crm-contacts', 2, 1),
  'requests.not_found': requestErrors.notFound(),
  'requests.own_request': requestErrors.ownRequest(),
  'requests.not_an_approver': requestErrors.notAnApprover('crm-contacts'),
  'requests.not_allowed_to_request': requestErrors.notAllowedToRequest('guest'),
  'requests.not_allowed_to_decide': requestErrors.notAllowedToDecide('unknown'),
  'requests.acknowledgement_required': ackErrors.required(),
  'acknowledgements.not_checked': ackErrors.notChecked(),
  'acknowledgements.outdated': ackErrors.outdated(),
  'acknowledgements.draft_gone': ackErrors.draftGone(),
  'grants.nothing_to_release': endingErrors.notHeld('crm-contacts'),
  'grants.user_has_none': endingErrors.userHasNone('U0MKT1', 'crm-contacts'),
  'grants.already_ended': extensionErrors.alreadyEnded('crm-contacts'),
  'grants.revoke_not_allowed': endingErrors.notAllowed('crm-contacts'),
  'grants.unknown_grant': endingErrors.unknownGrant('0d1f0c9e-0000-4000-8000-000000000000'),
  'grants.not_active': endingErrors.notActive('crm-contacts', 'revoking'),
  'grants.not_held': extensionErrors.notHeld('crm-contacts'),
  'grants.extension_beyond_total': extensionErrors.beyondTotal('crm-contacts', 4 * 24 * 60, until),
  'grants.changed_meanwhile': extensionErrors.changedMeanwhile('crm-contacts'),
  'grants.not_yours': holderErrors.notYours(),
  'grants.not_found': taskErrors.notFound(),
  'grants.task_not_allowed': taskErrors.notAllowed('crm-contacts'),
  'grants.own_grant': taskErrors.ownGrant(),
  'grants.task_not_manual': taskErrors.notManual('crm-contacts'),
  'grants.revoke_not_stuck': taskErrors.revokeNotStuck('crm-contacts'),
  'grants.task_already_done': taskErrors.alreadyDone('revoked'),
  'reviews.not_found': reviewErrors.notFound(),
  'reviews.closed': reviewErrors.closed(),
  'reviews.not_owner': reviewErrors.notOwner('crm-contacts'),
  'reviews.own_grant': reviewErrors.ownGrant('crm-contacts'),
  'reviews.not_admin': reviewErrors.notAdmin(),
  'input.control_characters': textErrors.controlCharacters('reason'),
  'input.too_long': textErrors.tooLong('datasetId'),
  'slack.view_too_large': viewErrors.tooLarge(),
};

/** Every `domainError('<code>'` in the sources, so a factory left out of the table's list is caught too. */
function codesInSources(dir: string): string[] {
  const codes: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) codes.push(...codesInSources(path));
    else if (path.endsWith('.ts')) for (const m of readFileSync(path, 'utf8').matchAll(/domainError\(\s*'([a-z_.]+)'/g)) codes.push(m[1]!);
  }
  return codes;
}

describe('the error table', () => {
  it('renders every code made anywhere in src, and nothing else', () => {
    const made = new Set(codesInSources(join(import.meta.dirname, '../../src')));
    expect([...made].sort()).toEqual(Object.keys(SLACK_ERRORS).sort());
    expect(Object.keys(SAMPLES).sort()).toEqual(Object.keys(SLACK_ERRORS).sort());
  });

  it.each(Object.values(SAMPLES) as AppError[])('$code: the domain text has no markup; Slack gets its own text', (err) => {
    const plain = describeError(err);
    expect(plain).not.toMatch(/`|<@|<#|\/access|\{until\}|:[a-z_]+:/);
    expect(plain.length).toBeGreaterThan(10);
    const slack = slackErrorText(err, { timeZone: 'Europe/Berlin' });
    expect(slack).not.toMatch(/\{until\}|undefined|\[object/);
    expect(slack.length).toBeGreaterThan(10);
  });

  it('Slack text keeps the mentions, code spans and /access instructions', () => {
    expect(slackErrorText(SAMPLES['grants.user_has_none'])).toBe('<@U0MKT1> has no active access to `crm-contacts`. Nothing was changed.');
    expect(describeError(SAMPLES['grants.user_has_none'])).toBe('That person has no active access to crm-contacts. Nothing was changed.');
    expect(slackErrorText(SAMPLES['requests.reason_required'])).toBe(
      '`crm-contacts` is confidential, so a reason is required. Add one: `/access request crm-contacts &lt;duration&gt; &lt;why you need it&gt;`.',
    );
    expect(slackErrorText(SAMPLES['requests.dataset_not_found'])).toBe(
      'There is no dataset called `crm-contact`. Did you mean `crm-contacts`? Type `/access datasets` to see them all.',
    );
    // times are shown in the reader's zone
    expect(slackErrorText(SAMPLES['requests.already_active'], { timeZone: 'Europe/Berlin' })).toContain('16:30');
    expect(slackErrorText(SAMPLES['grants.extension_beyond_total'], { timeZone: 'UTC' })).toContain('15:30');
  });

  it('names the form field each error belongs under', () => {
    expect(errorField(SAMPLES['requests.reason_too_short'])).toBe('reason');
    expect(errorField(SAMPLES['requests.reason_required'])).toBe('reason');
    expect(errorField(SAMPLES['requests.bad_duration'])).toBe('duration');
    expect(errorField(SAMPLES['requests.already_active'])).toBe('dataset');
    expect(errorField(SAMPLES['input.too_long'])).toBe('dataset'); // its field was datasetId
    expect(errorField(SAMPLES['input.control_characters'])).toBe('reason');
    expect(errorField(textErrors.tooLong('command'))).toBeUndefined();
    expect(errorField(SAMPLES['grants.changed_meanwhile'])).toBeUndefined();
  });
});
