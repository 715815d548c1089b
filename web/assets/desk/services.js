// "Services" (admin): each service's listed name, treatment length and the price clients see.
// Prices are typed in euros and cents and sent as minor units; an empty price shows none.
import { h } from '../dom.js';
import { SessionEnded } from './session.js';
import { explain } from './words.js';

/** 4900 -> "49.00" */
export const euros = (minor) => (minor / 100).toFixed(2);

/** "49", "49.5", "49,50" -> 4900 / 4950; "" -> null; anything else -> NaN. */
export function parseEuros(text) {
  const t = String(text).trim().replace(/^€\s*/, '').replace(/\s*(€|EUR)$/i, '');
  if (!t) return null;
  const m = /^(\d{1,7})(?:[.,](\d{1,2}))?$/.exec(t);
  if (!m) return NaN;
  return Number(m[1]) * 100 + Number((m[2] || '0').padEnd(2, '0'));
}

export function createServices(app) {
  const title = h('h1', { id: 'title', tabindex: '-1' }, 'Services');
  const status = h('div', { role: 'status', class: 'status-slot' });
  const alert = h('div', { role: 'alert', class: 'alert-slot' });
  const list = h('div');
  const el = h(
    'section',
    { class: 'admin-view services', 'aria-labelledby': 'title' },
    title,
    h('p', { class: 'muted' }, 'The names, lengths and prices clients see when they book. A new length applies to visits booked or moved from now on; booked visits keep their end.'),
    status,
    alert,
    list,
  );

  function serviceForm(svc) {
    const id = (f) => `svc-${svc.code}-${f}`;
    const errors = {};
    const slot = (f) => (errors[f] = h('p', { id: `${id(f)}-error`, class: 'field-error' }));
    const name = h('input', { type: 'text', id: id('name'), maxlength: '100', autocomplete: 'off', value: svc.name, 'aria-describedby': `${id('name')}-error` });
    const duration = h('input', {
      type: 'number', id: id('duration'), min: '15', max: '480', step: '15', inputmode: 'numeric',
      value: String(svc.duration_minutes), 'aria-describedby': `${id('duration')}-hint ${id('duration')}-error`,
    });
    const price = h('input', {
      type: 'text', id: id('price'), inputmode: 'decimal', autocomplete: 'off',
      value: svc.price ? euros(svc.price.amount_minor) : '', 'aria-describedby': `${id('price')}-hint ${id('price')}-error`,
    });
    const inputs = { name, duration_minutes: duration, price };
    const keyOf = { name: 'name', duration_minutes: 'duration', price: 'price' };
    const mark = (f, text) => {
      errors[keyOf[f]].textContent = text || '';
      if (text) inputs[f].setAttribute('aria-invalid', 'true');
      else inputs[f].removeAttribute('aria-invalid');
    };
    const save = h('button', { type: 'submit' }, 'Save');
    const form = h(
      'form',
      { class: 'card service-card', novalidate: true, 'aria-labelledby': id('title'), 'data-service': svc.code },
      h('h2', { id: id('title') }, svc.name),
      h('div', { class: 'field' }, h('label', { for: id('name') }, 'Name'), slot('name'), name),
      h(
        'div',
        { class: 'field' },
        h('label', { for: id('duration') }, 'Duration (minutes)'),
        h('span', { class: 'hint', id: `${id('duration')}-hint` }, 'From 15 to 480, in steps of the booking grid.'),
        slot('duration'),
        duration,
      ),
      h(
        'div',
        { class: 'field' },
        h('label', { for: id('price') }, 'Price (EUR)'),
        h('span', { class: 'hint', id: `${id('price')}-hint` }, 'Euros and cents, e.g. 149.00. Leave empty to show no price.'),
        slot('price'),
        price,
      ),
      h('div', { class: 'actions' }, save),
    );
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      alert.replaceChildren();
      status.textContent = '';
      for (const f of Object.keys(inputs)) mark(f, '');
      const body = {};
      let first = null;
      const n = name.value.trim();
      if (!n) {
        mark('name', 'Enter the name clients see.');
        first ??= name;
      } else body.name = n;
      const minutes = Number(duration.value);
      if (!duration.value.trim() || !Number.isInteger(minutes)) {
        mark('duration_minutes', 'Enter the length in whole minutes, e.g. 60.');
        first ??= duration;
      } else body.duration_minutes = minutes;
      const minor = parseEuros(price.value);
      if (Number.isNaN(minor)) {
        mark('price', 'Enter euros and cents, e.g. 149.00, or leave it empty.');
        first ??= price;
      } else body.price = minor === null ? null : { amount_minor: minor, currency: 'EUR' };
      if (first) {
        first.focus();
        return;
      }
      save.disabled = true;
      try {
        const saved = await app.call(`/api/v1/staff/services/${encodeURIComponent(svc.code)}`, { method: 'PUT', body });
        status.textContent = `${saved.name} saved: ${saved.duration_minutes} minutes, ${saved.price ? `€${euros(saved.price.amount_minor)}` : 'no price shown'}.`;
        Object.assign(svc, saved);
        form.querySelector('h2').textContent = saved.name;
        price.value = saved.price ? euros(saved.price.amount_minor) : '';
      } catch (e) {
        if (e instanceof SessionEnded) return;
        let focus = null;
        for (const [f, msg] of Object.entries(e.details || {})) {
          const base = f.split('.')[0];
          if (inputs[base]) {
            mark(base, String(msg));
            focus ??= inputs[base];
          }
        }
        if (focus) focus.focus();
        else alert.replaceChildren(h('p', { class: 'notice error' }, explain(e)));
      } finally {
        save.disabled = false;
      }
    });
    return h('li', {}, form);
  }

  async function load() {
    const rows = await app.call('/api/v1/services');
    list.replaceChildren(h('ul', { class: 'cards' }, rows.map(serviceForm)));
  }

  return {
    el,
    async start() {
      try {
        await load();
      } catch (e) {
        if (!(e instanceof SessionEnded)) alert.replaceChildren(h('p', { class: 'notice error' }, explain(e)));
      }
    },
    stop() {},
  };
}
