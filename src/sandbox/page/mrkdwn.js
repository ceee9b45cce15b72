// Slack's mrkdwn to safe HTML: <@U…> mentions, <#C…> channels, <!date…> times, <url|text> links,
// *bold*, _italic_, ~strike~, `code`, ```blocks```, :emoji: and line breaks.

const EMOJI = {
  alarm_clock: '⏰', ballot_box_with_check: '☑️', bar_chart: '📊', bell: '🔔', bulb: '💡',
  chart_with_downwards_trend: '📉', chart_with_upwards_trend: '📈', hammer_and_wrench: '🛠️',
  heavy_minus_sign: '➖', hourglass: '⌛', hourglass_flowing_sand: '⏳', inbox_tray: '📥', key: '🔑',
  large_blue_circle: '🔵', large_orange_circle: '🟠', lock: '🔒', mag: '🔍', no_entry: '⛔',
  red_circle: '🔴', rotating_light: '🚨', shield: '🛡️', warning: '⚠️', wave: '👋',
  white_check_mark: '✅', white_circle: '⚪', tada: '🎉', x: '❌', eyes: '👀',
};

export function escapeHtml(text) {
  return String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

function unescapeSlack(text) {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

export function emojify(html) {
  return html.replace(/:([a-z0-9_+-]+):/g, (all, name) => EMOJI[name] ?? all);
}

function userName(users, id) {
  return users.find((u) => u.id === id)?.name ?? id;
}

function formatDate(unix, fallback) {
  const date = new Date(Number(unix) * 1000);
  if (Number.isNaN(date.getTime())) return fallback;
  return date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** One <…> control sequence as HTML. */
function control(inner, ctx) {
  const [target, label] = splitOnce(inner, '|');
  if (target.startsWith('@')) return `<span class="mention">@${escapeHtml(userName(ctx.users, target.slice(1)))}</span>`;
  if (target.startsWith('#')) return `<span class="mention">#${escapeHtml(label ?? ctx.channelName?.(target.slice(1)) ?? target.slice(1))}</span>`;
  if (target.startsWith('!date^')) {
    const [, unix] = target.split('^');
    return `<time title="${escapeHtml(label ?? '')}">${escapeHtml(formatDate(unix, label ?? ''))}</time>`;
  }
  if (target.startsWith('!')) return `<span class="mention">@${escapeHtml(label ?? target.slice(1))}</span>`;
  const url = unescapeSlack(target);
  if (/^(https?:|mailto:)/i.test(url)) return `<a href="${escapeHtml(url)}" target="_blank" rel="noopener noreferrer">${escapeHtml(unescapeSlack(label ?? url))}</a>`;
  return escapeHtml(unescapeSlack(label ?? target));
}

function splitOnce(text, sep) {
  const i = text.indexOf(sep);
  return i < 0 ? [text] : [text.slice(0, i), text.slice(i + 1)];
}

function styleInline(html) {
  return html
    .replace(/`([^`\n]+)`/g, '<code>$1</code>')
    .replace(/(^|[\s(>])\*([^*\n]+)\*(?=$|[\s).,:;!?<])/g, '$1<strong>$2</strong>')
    .replace(/(^|[\s(>])_([^_\n]+)_(?=$|[\s).,:;!?<])/g, '$1<em>$2</em>')
    .replace(/(^|[\s(>])~([^~\n]+)~(?=$|[\s).,:;!?<])/g, '$1<del>$2</del>');
}

/** mrkdwn text → HTML; user text inside was escaped by the bot (&amp; &lt; &gt;) and stays inert. */
export function mrkdwn(text, ctx) {
  const parts = String(text ?? '').split(/```/);
  return parts
    .map((part, i) => {
      if (i % 2 === 1) return `<pre>${escapeHtml(unescapeSlack(part.replace(/^\n/, '')))}</pre>`;
      let html = '';
      let last = 0;
      for (const m of part.matchAll(/<([^<>]+)>/g)) {
        html += escapeHtml(unescapeSlack(part.slice(last, m.index)));
        html += `\u0000${control(m[1], ctx)}\u0001`;
        last = m.index + m[0].length;
      }
      html += escapeHtml(unescapeSlack(part.slice(last)));
      // style only the text between controls; controls are kept whole
      html = html.replace(/(^|\u0001)([^\u0000]*)/g, (all, lead, plainText) => lead + styleInline(plainText));
      return emojify(html.replace(/[\u0000\u0001]/g, '').replace(/\n/g, '<br>'));
    })
    .join('');
}

export function plainText(obj) {
  if (!obj) return '';
  const html = escapeHtml(obj.text ?? '');
  return obj.emoji === false ? html : emojify(html);
}

export function textObject(obj, ctx) {
  if (!obj) return '';
  return obj.type === 'mrkdwn' ? mrkdwn(obj.text, ctx) : plainText(obj);
}
