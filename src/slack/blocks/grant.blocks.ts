import type { KnownBlock } from '@slack/types';
import type { GrantView, TaskView } from '../../modules/notifications/notifications.ports.js';
import { formatDuration } from '../../shared/duration.js';
import { ACTION_IDS } from '../ids.js';
import { context, escapeMrkdwn, formatWhen, mention, plain, section, SLACK_LIMITS } from './format.js';
import type { OutgoingMessage } from './request.blocks.js';

/** The value of a Done button: which grant and which step. Checked on the server when clicked. */
export function taskButtonValue(grantId: string, step: 'grant' | 'revoke'): string {
  return `${step}|${grantId}`;
}

export function parseTaskButtonValue(value: string): { step: 'grant' | 'revoke'; grantId: string } | undefined {
  const m = /^(grant|revoke)\|([0-9a-f-]{36})$/i.exec(value);
  return m ? { step: m[1] as 'grant' | 'revoke', grantId: m[2]! } : undefined;
}

export function buildAccessReadyBlocks(g: GrantView, timeZone?: string): OutgoingMessage {
  return {
    text: `Your access to ${g.dataset.name} is ready`,
    blocks: [
      section(`:key: Your access to *${escapeMrkdwn(g.dataset.name)}* (\`${g.dataset.id}\`) is ready. It ends by itself ${formatWhen(g.endsAt, timeZone)}.`),
      context('Use it only for the reason you gave, and keep the data where it is.'),
    ],
  };
}

export function buildProvisioningFailedBlocks(g: GrantView, forRequester: boolean): OutgoingMessage {
  const why = g.lastError ? `\n*What went wrong:* ${escapeMrkdwn(g.lastError)}` : '';
  const text = forRequester
    ? `:warning: Your request for *${escapeMrkdwn(g.dataset.name)}* was approved, but access could not be set up in the target system. The owners have been told; you do not have access.${why}`
    : `:warning: Access to *${escapeMrkdwn(g.dataset.name)}* for ${mention(g.userId)} could not be set up after several tries. Anything half-made is being undone. Check the connector.${why}`;
  return { text: `Access to ${g.dataset.name} could not be set up`, blocks: [section(text)] };
}

function taskLine(task: TaskView): string {
  const g = task.grant;
  return task.step === 'grant'
    ? `:hammer_and_wrench: *Grant* *${escapeMrkdwn(g.dataset.name)}* (\`${g.dataset.id}\`) to ${mention(g.userId)} for ${formatDuration(g.durationMinutes)}.`
    : `:hammer_and_wrench: *Revoke* *${escapeMrkdwn(g.dataset.name)}* (\`${g.dataset.id}\`) from ${mention(g.userId)}: their access has ended.`;
}

/** A manual step for an owner, with a Done button while it is open. */
export function buildTaskBlocks(task: TaskView, reminder = false): OutgoingMessage {
  const blocks: KnownBlock[] = [section(`${reminder ? '*Reminder:* ' : ''}${taskLine(task)}`)];
  if (task.doneBy) {
    blocks.push(context(`:white_check_mark: Done by ${mention(task.doneBy)}`));
  } else {
    blocks.push(
      context(
        task.step === 'grant'
          ? 'This dataset is provisioned by hand. Their clock starts when you press Done.'
          : 'Until someone presses Done, this access stays marked as being removed.',
      ),
      {
        type: 'actions',
        elements: [
          {
            type: 'button',
            action_id: ACTION_IDS.taskDone,
            style: 'primary',
            value: taskButtonValue(task.grant.id, task.step),
            text: plain('Done', SLACK_LIMITS.buttonText),
          },
        ],
      },
    );
  }
  return { text: `${task.step === 'grant' ? 'Grant' : 'Revoke'} ${task.grant.dataset.name} ${task.step === 'grant' ? 'to' : 'from'} a person`, blocks };
}

/** To owners and admins when removing access keeps failing. */
export function buildRevokeStuckBlocks(g: GrantView): OutgoingMessage {
  const why = g.lastError ? `\n*Last error:* ${escapeMrkdwn(g.lastError)}` : '';
  return {
    text: `Removing access to ${g.dataset.name} keeps failing`,
    blocks: [
      section(
        `:rotating_light: I cannot remove ${mention(g.userId)}'s access to *${escapeMrkdwn(g.dataset.name)}* (\`${g.dataset.id}\`). I keep trying and will alert you again every hour until it works.${why}`,
      ),
      context('If you removed the access by hand, press the button so the record matches the system.'),
      {
        type: 'actions',
        elements: [
          {
            type: 'button',
            action_id: ACTION_IDS.taskDone,
            value: taskButtonValue(g.id, 'revoke'),
            text: plain('I removed it by hand', SLACK_LIMITS.buttonText),
          },
        ],
      },
    ],
  };
}

/** Extend and Release for one grant; the value is the grant id, checked on the server when clicked. */
export function grantButtons(grantId: string): KnownBlock {
  return {
    type: 'actions',
    elements: [
      { type: 'button', action_id: ACTION_IDS.extendGrant, value: grantId, text: plain('Extend', SLACK_LIMITS.buttonText) },
      {
        type: 'button',
        action_id: ACTION_IDS.releaseGrant,
        value: grantId,
        style: 'danger',
        text: plain('Release now', SLACK_LIMITS.buttonText),
        confirm: {
          title: plain('Release access?', 100),
          text: { type: 'plain_text', text: 'Your access ends now. You can ask again later.' },
          confirm: plain('Release', 30),
          deny: plain('Keep it', 30),
        },
      },
    ],
  };
}

export function buildExpiryReminderBlocks(g: GrantView, lead: '24h' | '1h', timeZone?: string): OutgoingMessage {
  const when = lead === '24h' ? 'in about a day' : 'in about an hour';
  return {
    text: `Your access to ${g.dataset.name} ends ${when}`,
    blocks: [
      section(
        `:alarm_clock: Your access to *${escapeMrkdwn(g.dataset.name)}* (\`${g.dataset.id}\`) ends ${formatWhen(g.endsAt, timeZone)}. Done with it? Releasing it now is the safest choice. Still need it? Ask to extend.`,
      ),
      grantButtons(g.id),
    ],
  };
}

export function buildGrantExtendedBlocks(g: GrantView, timeZone?: string): OutgoingMessage {
  return {
    text: `Your access to ${g.dataset.name} was extended`,
    blocks: [section(`:hourglass_flowing_sand: Your access to *${escapeMrkdwn(g.dataset.name)}* now lasts until ${formatWhen(g.endsAt, timeZone)}.`)],
  };
}
