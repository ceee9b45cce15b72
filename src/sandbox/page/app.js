// The sandbox page: who you are, the channel, the bot's Messages and Home tabs, and modals.
// State comes from the stand-in by long polling; everything you do is sent to the bot by the
// stand-in, signed as Slack signs it.
import { renderBlocks } from './blocks.js';
import { escapeHtml, mrkdwn } from './mrkdwn.js';

const $ = (id) => document.getElementById(id);
const CHANNEL = 'C0SANDBOX';
let users = [];
let me = '';
let pane = localStorage.getItem('sandbox.pane') || 'dm';
let snapshot;
let poller;
const viewStates = new Map();
const rendered = { pane: '', modal: '' };

async function api(path, body = {}) {
  const res = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: me, ...body }) });
  const answer = await res.json().catch(() => ({ ok: false }));
  if (!answer.ok) toast(answer.status ? `The bot answered HTTP ${answer.status}.` : `Sandbox error: ${answer.error ?? res.status}`);
  return answer;
}

function toast(text) {
  const node = document.createElement('div');
  node.className = 'toast';
  node.setAttribute('role', 'status');
  node.textContent = text;
  Object.assign(node.style, { position: 'fixed', bottom: '16px', right: '16px', background: '#1d1c1d', color: '#fff', padding: '8px 12px', borderRadius: '6px', zIndex: 30 });
  document.body.append(node);
  setTimeout(() => node.remove(), 5000);
}

function userName(id) {
  if (id === snapshot?.bot.id) return 'Data Access Bot';
  return users.find((u) => u.id === id)?.name ?? (id === 'slackbot' ? 'Slackbot' : id);
}

const channelName = (id) => (id === CHANNEL ? 'marketing' : id);
const dmChannel = () => `D${me}`;

async function poll(userId) {
  const mine = { stopped: false, controller: new AbortController() };
  poller?.controller.abort();
  poller && (poller.stopped = true);
  poller = mine;
  let since = -1;
  while (!mine.stopped) {
    try {
      const res = await fetch(`/sandbox/state?user=${encodeURIComponent(userId)}&since=${since}`, { signal: mine.controller.signal });
      const snap = await res.json();
      if (mine.stopped) return;
      since = snap.version;
      snapshot = snap;
      render();
    } catch {
      if (mine.stopped) return;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

function setUser(id) {
  me = id;
  localStorage.setItem('sandbox.me', id);
  $('me').value = id;
  const u = users.find((x) => x.id === id);
  $('my-role').textContent = u ? `${u.role} · ${u.email}` : '';
  snapshot = undefined;
  rendered.pane = rendered.modal = '';
  // a confirm dialog belongs to the person who clicked: it never stays over someone else's page
  for (const open of document.querySelectorAll('.confirm-overlay')) open.remove();
  poll(id);
  if (pane === 'home') api('/sandbox/home');
}

function setPane(next) {
  pane = next;
  localStorage.setItem('sandbox.pane', next);
  rendered.pane = '';
  if (next === 'home') api('/sandbox/home');
  render();
}

function render() {
  for (const b of document.querySelectorAll('.nav')) b.classList.toggle('active', b.dataset.pane === pane);
  $('pane-title').textContent = pane === 'channel' ? '# marketing' : pane === 'home' ? 'Data Access Bot · Home' : 'Data Access Bot · Messages';
  $('home').hidden = pane !== 'home';
  $('messages').hidden = pane === 'home';
  $('composer').hidden = pane === 'home';
  $('composer-input').placeholder = pane === 'channel' ? 'Message #marketing, or /access help' : 'Type /access help';
  if (!snapshot) return;
  renderUnread();
  if (pane === 'home') renderHome();
  else renderMessages(pane === 'channel' ? CHANNEL : dmChannel());
  renderModal();
}

function renderUnread() {
  const seenKey = `sandbox.seen.${me}`;
  const dm = snapshot.messages.filter((m) => m.channel === dmChannel() && m.user !== me);
  if (pane === 'dm') localStorage.setItem(seenKey, dm.at(-1)?.ts ?? '0');
  const seen = localStorage.getItem(seenKey) ?? '0';
  const unread = dm.filter((m) => Number(m.ts) > Number(seen)).length;
  $('dm-count').textContent = unread ? String(unread) : '';
}

function ctxFor(extra) {
  return { users, channelName, suggest: () => Promise.resolve([]), ...extra };
}

function renderHome() {
  const home = snapshot.home;
  const key = `home:${me}:${home?.id}:${home?.hash}`;
  if (rendered.pane === key) return;
  rendered.pane = key;
  const root = $('home');
  root.innerHTML = '';
  if (!home) {
    root.innerHTML = '<p class="empty-pane">Opening the Home tab…</p>';
    return;
  }
  const state = {};
  root.append(renderBlocks(home.view.blocks, ctxFor({ state, act: (action) => api('/sandbox/action', { viewId: home.id, action, values: state }) })));
}

function renderMessages(channel) {
  const list = snapshot.messages.filter((m) => m.channel === channel);
  const key = `msgs:${me}:${channel}:${JSON.stringify(list)}`;
  if (rendered.pane === key) return;
  rendered.pane = key;
  const root = $('messages');
  const atBottom = root.scrollHeight - root.scrollTop - root.clientHeight < 40;
  root.innerHTML = '';
  if (!list.length) {
    root.innerHTML = channel === CHANNEL
      ? '<p class="empty-pane">#marketing: the bot is a member. Post something here, e.g. a test card number, to see the private coaching.</p>'
      : '<p class="empty-pane">Your direct messages with Data Access Bot. Type <code>/access help</code> to start.</p>';
  }
  for (const m of list) root.append(renderMessage(m));
  if (atBottom || rendered.firstPaint !== channel) root.scrollTop = root.scrollHeight;
  rendered.firstPaint = channel;
}

function renderMessage(m) {
  const isBot = m.user === snapshot.bot.id;
  const node = document.createElement('article');
  node.className = `message${m.ephemeralFor ? ' ephemeral' : ''}`;
  node.dataset.ts = m.ts;
  const name = userName(m.user);
  const time = new Date(Number(m.ts) * 1000).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  node.innerHTML = `<div class="avatar${isBot ? ' bot' : ''}">${escapeHtml(name.charAt(0))}</div>
    <div class="message-body"><div><span class="author">${escapeHtml(name)}</span><span class="meta">${time}${m.edited ? ' (edited)' : ''}</span>
    ${m.ephemeralFor ? '<span class="only-you"> · Only visible to you</span>' : ''}</div></div>`;
  const body = node.querySelector('.message-body');
  const ctx = ctxFor({ state: {}, act: (action) => api('/sandbox/action', { channel: m.channel, ts: m.ts, action }) });
  if (m.blocks?.length) body.append(renderBlocks(m.blocks, ctx));
  else body.insertAdjacentHTML('beforeend', `<div class="text">${mrkdwn(m.text, ctx)}</div>`);
  return node;
}

function renderModal() {
  const stack = snapshot.modals;
  const top = stack.at(-1);
  const key = top ? `${top.id}:${top.hash}:${JSON.stringify(top.errors ?? {})}:${stack.length}` : '';
  if (rendered.modal === key) return;
  rendered.modal = key;
  const root = $('modal-root');
  root.innerHTML = '';
  if (!top) return;
  const v = top.view;
  const state = viewStates.get(top.id) ?? {};
  viewStates.set(top.id, state);
  const overlay = document.createElement('div');
  overlay.className = 'overlay';
  overlay.innerHTML = `<div class="modal" role="dialog" aria-modal="true" aria-label="${escapeHtml(v.title?.text ?? '')}">
    <div class="modal-header"><h3>${escapeHtml(v.title?.text ?? '')}</h3>${stack.length > 1 ? `<span class="modal-stack">${stack.length} of ${stack.length}</span>` : ''}</div>
    <div class="modal-body"></div><div class="modal-sandbox">Local sandbox</div><div class="modal-footer"></div></div>`;
  const body = overlay.querySelector('.modal-body');
  if (top.errors?._) body.insertAdjacentHTML('beforeend', `<div class="view-error" role="alert">${escapeHtml(top.errors._)}</div>`);
  body.append(
    renderBlocks(v.blocks, ctxFor({
      state,
      errors: top.errors,
      act: (action) => api('/sandbox/action', { viewId: top.id, action, values: state }),
      suggest: async (actionId, blockId, query) => (await api('/sandbox/options', { viewId: top.id, actionId, blockId, query })).options ?? [],
    })),
  );
  const footer = overlay.querySelector('.modal-footer');
  const close = document.createElement('button');
  close.type = 'button';
  close.className = 'btn';
  close.textContent = v.close?.text ?? 'Cancel';
  close.onclick = () => api('/sandbox/close', { viewId: top.id });
  footer.append(close);
  if (v.submit) {
    const submit = document.createElement('button');
    submit.type = 'button';
    submit.className = 'btn primary';
    submit.textContent = v.submit.text;
    submit.onclick = async () => {
      submit.disabled = true;
      await api('/sandbox/submit', { viewId: top.id, values: state });
      submit.disabled = false;
    };
    footer.append(submit);
  }
  root.append(overlay);
}

async function start() {
  users = (await (await fetch('/sandbox/people')).json()).users;
  const select = $('me');
  for (const u of users) {
    const option = document.createElement('option');
    option.value = u.id;
    option.textContent = `${u.name} — ${u.role}`;
    select.append(option);
  }
  select.addEventListener('change', () => setUser(select.value));
  for (const b of document.querySelectorAll('.nav')) b.addEventListener('click', () => setPane(b.dataset.pane));
  $('composer').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const input = $('composer-input');
    const text = input.value.trim();
    if (!text) return;
    input.value = '';
    const channel = pane === 'channel' ? CHANNEL : dmChannel();
    if (/^\/access(\s|$)/.test(text)) await api('/sandbox/command', { channel, text: text.slice('/access'.length).trim() });
    else if (text.startsWith('/')) toast('Only /access is a command here.');
    else await api('/sandbox/message', { channel, text });
  });
  const saved = localStorage.getItem('sandbox.me');
  setUser(users.some((u) => u.id === saved) ? saved : (users.find((u) => u.role === 'marketer') ?? users[0]).id);
  render();
}

start();
