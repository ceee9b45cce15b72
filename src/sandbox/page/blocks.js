// Block Kit → DOM, for messages, modals and the Home tab. Interactive elements call back into
// app.js through `ctx`: ctx.act(action) for block_actions, ctx.suggest(...) for external selects,
// ctx.state (view.state.values being built) and ctx.errors (response_action: errors, by block_id).
import { escapeHtml, plainText, textObject } from './mrkdwn.js';

function el(tag, attrs = {}, html) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? '' : v);
  }
  if (html !== undefined) node.innerHTML = html;
  return node;
}

export function renderBlocks(blocks, ctx) {
  const root = el('div', { class: 'blocks' });
  for (const block of blocks ?? []) root.append(renderBlock(block, ctx));
  return root;
}

function renderBlock(block, ctx) {
  switch (block.type) {
    case 'section': {
      const node = el('div', { class: 'block section', 'data-block-id': block.block_id });
      const body = el('div', { class: 'section-body' });
      if (block.text) body.append(el('div', { class: 'text' }, textObject(block.text, ctx)));
      if (block.fields?.length) {
        const fields = el('div', { class: 'fields' });
        for (const f of block.fields) fields.append(el('div', { class: 'field' }, textObject(f, ctx)));
        body.append(fields);
      }
      node.append(body);
      if (block.accessory) {
        const accessory = el('div', { class: 'accessory' });
        accessory.append(renderElement(block.accessory, block, ctx));
        node.append(accessory);
      }
      return node;
    }
    case 'header':
      return el('h3', { class: 'block header' }, plainText(block.text));
    case 'divider':
      return el('hr', { class: 'block divider' });
    case 'context': {
      const node = el('div', { class: 'block context' });
      for (const e of block.elements ?? []) {
        node.append(e.type === 'image' ? el('span', { class: 'image-alt' }, escapeHtml(e.alt_text ?? '')) : el('span', {}, textObject(e, ctx)));
      }
      return node;
    }
    case 'actions': {
      const node = el('div', { class: 'block actions', 'data-block-id': block.block_id });
      for (const e of block.elements ?? []) node.append(renderElement(e, block, ctx));
      return node;
    }
    case 'input':
      return renderInput(block, ctx);
    case 'image':
      return el('div', { class: 'block image-alt' }, escapeHtml(block.alt_text ?? 'image'));
    default:
      return el('div', { class: 'block unsupported' }, `(a ${escapeHtml(block.type)} block the sandbox does not draw)`);
  }
}

function renderInput(block, ctx) {
  const node = el('div', { class: 'block input', 'data-block-id': block.block_id });
  node.append(el('label', { class: 'label' }, `${plainText(block.label)}${block.optional ? ' <span class="optional">(optional)</span>' : ''}`));
  node.append(renderElement(block.element, block, ctx, true));
  if (block.hint) node.append(el('div', { class: 'hint' }, plainText(block.hint)));
  const error = ctx.errors?.[block.block_id];
  if (error) node.append(el('div', { class: 'field-error', role: 'alert' }, escapeHtml(error)));
  return node;
}

/** Records an input's value in view.state.values, as Slack would send it. */
function setState(ctx, block, element, value) {
  if (!ctx.state || !block.block_id) return;
  ctx.state[block.block_id] ??= {};
  ctx.state[block.block_id][element.action_id] = { type: element.type, ...value };
}

function getState(ctx, block, element) {
  return ctx.state?.[block.block_id]?.[element.action_id];
}

function renderElement(e, block, ctx, inInput = false) {
  const dispatch = !inInput || block.dispatch_action;
  const act = (extra) => ctx.act({ action_id: e.action_id, block_id: block.block_id, type: e.type, ...extra });
  switch (e.type) {
    case 'button': {
      const cls = `btn${e.style ? ` ${e.style}` : ''}`;
      return el('button', { class: cls, type: 'button', 'data-action-id': e.action_id, onclick: () => withConfirm(e.confirm, ctx, () => act({ value: e.value, text: e.text })) }, plainText(e.text));
    }
    case 'static_select': {
      const options = e.options ?? e.option_groups?.flatMap((g) => g.options) ?? [];
      const current = getState(ctx, block, e) ?? (e.initial_option ? { selected_option: e.initial_option } : undefined);
      if (inInput) setState(ctx, block, e, { selected_option: current?.selected_option ?? null });
      const select = el('select', { 'data-action-id': e.action_id });
      select.append(el('option', { value: '' }, plainText(e.placeholder) || 'Choose…'));
      for (const o of options) select.append(el('option', { value: o.value, selected: current?.selected_option?.value === o.value }, plainText(o.text)));
      select.addEventListener('change', () => {
        const option = options.find((o) => o.value === select.value) ?? null;
        setState(ctx, block, e, { selected_option: option });
        if (dispatch && option) act({ selected_option: option });
      });
      return select;
    }
    case 'external_select':
      return renderExternalSelect(e, block, ctx, inInput, dispatch, act);
    case 'plain_text_input': {
      const current = getState(ctx, block, e);
      const value = current?.value ?? e.initial_value ?? '';
      setState(ctx, block, e, { value: value || null });
      const input = e.multiline
        ? el('textarea', { rows: 3, maxlength: e.max_length, placeholder: e.placeholder?.text, 'data-action-id': e.action_id })
        : el('input', { type: 'text', maxlength: e.max_length, placeholder: e.placeholder?.text, 'data-action-id': e.action_id });
      input.value = value;
      input.addEventListener('input', () => setState(ctx, block, e, { value: input.value || null }));
      return input;
    }
    case 'checkboxes': {
      const current = getState(ctx, block, e)?.selected_options ?? e.initial_options ?? [];
      setState(ctx, block, e, { selected_options: current });
      const box = el('div', { class: 'checkboxes' });
      for (const o of e.options ?? []) {
        const id = `cb-${block.block_id}-${o.value}`;
        const input = el('input', { type: 'checkbox', id, value: o.value, checked: current.some((c) => c.value === o.value) });
        input.addEventListener('change', () => {
          const chosen = [...box.querySelectorAll('input:checked')].map((i) => e.options.find((x) => x.value === i.value));
          setState(ctx, block, e, { selected_options: chosen });
          if (dispatch) act({ selected_options: chosen });
        });
        const label = el('label', { for: id }, textObject(o.text, ctx) + (o.description ? `<div class="hint">${textObject(o.description, ctx)}</div>` : ''));
        const row = el('div', { class: 'checkbox' });
        row.append(input, label);
        box.append(row);
      }
      return box;
    }
    default:
      return el('span', { class: 'unsupported' }, `(${escapeHtml(e.type)})`);
  }
}

/** A search box whose options come from the bot (block_suggestion), as Slack's external select. */
function renderExternalSelect(e, block, ctx, inInput, dispatch, act) {
  const current = getState(ctx, block, e)?.selected_option ?? e.initial_option ?? null;
  if (inInput) setState(ctx, block, e, { selected_option: current });
  const wrap = el('div', { class: 'external-select', 'data-action-id': e.action_id });
  const input = el('input', { type: 'text', placeholder: e.placeholder?.text ?? 'Search…', autocomplete: 'off', role: 'combobox' });
  input.value = current ? current.text.text : '';
  const list = el('ul', { class: 'options', role: 'listbox', hidden: true });
  let seq = 0;
  const load = async () => {
    const mine = ++seq;
    const options = await ctx.suggest(e.action_id, block.block_id, input.value === current?.text?.text ? '' : input.value);
    if (mine !== seq) return;
    list.innerHTML = '';
    for (const o of options) {
      list.append(
        el('li', {
          role: 'option',
          'data-value': o.value,
          onmousedown: (ev) => {
            ev.preventDefault();
            input.value = o.text.text;
            list.hidden = true;
            setState(ctx, block, e, { selected_option: o });
            if (dispatch) act({ selected_option: o });
          },
        }, plainText(o.text)),
      );
    }
    if (!options.length) list.append(el('li', { class: 'empty' }, 'No matches'));
    list.hidden = false;
  };
  if ((e.min_query_length ?? 3) === 0) input.addEventListener('focus', load);
  input.addEventListener('input', () => {
    if (input.value.length >= (e.min_query_length ?? 3)) load();
  });
  input.addEventListener('blur', () => setTimeout(() => (list.hidden = true), 100));
  wrap.append(input, list);
  return wrap;
}

/** A button's confirm dialog, drawn like Slack's; the action is sent only on confirm. */
function withConfirm(confirm, ctx, go) {
  if (!confirm) return go();
  const overlay = el('div', { class: 'overlay confirm-overlay' });
  const box = el('div', { class: 'dialog', role: 'dialog', 'aria-modal': 'true' });
  box.append(el('h3', {}, plainText(confirm.title)), el('div', { class: 'dialog-body' }, textObject(confirm.text, ctx)));
  const buttons = el('div', { class: 'dialog-buttons' });
  buttons.append(
    el('button', { type: 'button', class: 'btn', onclick: () => overlay.remove() }, plainText(confirm.deny) || 'Cancel'),
    el('button', { type: 'button', class: `btn ${confirm.style ?? 'primary'}`, onclick: () => (overlay.remove(), go()) }, plainText(confirm.confirm) || 'Yes'),
  );
  box.append(buttons);
  overlay.append(box);
  document.body.append(overlay);
}

