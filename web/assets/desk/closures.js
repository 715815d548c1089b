// "Closure days": clinic-wide days off (holidays). Everyone at the desk sees the list; an admin
// adds a day (with a reason) and opens one again. Visits still booked on a new closure day are
// not cancelled: the API names them and they are listed as links that open each visit.
import { h } from '../dom.js';
import { SessionEnded } from './session.js';
import { explain, may, civilWords } from './words.js';
import { visitLinks } from './links.js';

export function createClosures(app) {
  const { fmt } = app;
  const admin = may.closuresEdit(app.session.role);
  const title = h('h1', { id: 'title', tabindex: '-1' }, 'Closure days');
  const status = h('div', { role: 'status', class: 'status-slot' });
  const alert = h('div', { role: 'alert', class: 'alert-slot' });
  const result = h('div', { class: 'result' });
  const list = h('div');
  const listSection = h('section', { 'aria-labelledby': 'closures-title' }, h('h2', { id: 'closures-title' }, 'The clinic is closed on'), list);

  const fail = (e) => {
    if (e instanceof SessionEnded) return;
    alert.replaceChildren(h('p', { class: 'notice error' }, explain(e)));
  };
  const dayWords = (date) => `${fmt.civilLong(date)} ${date.slice(0, 4)}`;

  let form = null;
  let dateInput = null;
  if (admin) {
    dateInput = h('input', { type: 'date', id: 'closure-date', min: fmt.localDate(new Date().toISOString()) });
    const reason = h('input', { type: 'text', id: 'closure-reason', maxlength: '200', autocomplete: 'off', 'aria-describedby': 'closure-reason-hint' });
    const add = h('button', { type: 'submit' }, 'Close the clinic on this day');
    form = h(
      'form',
      { novalidate: true, 'aria-labelledby': 'closure-add-title' },
      h('h2', { id: 'closure-add-title' }, 'Add a closure day'),
      h('p', { class: 'hint' }, 'Nobody can book that day. Visits already booked stay booked until the desk moves or cancels them.'),
      h(
        'div',
        { class: 'row-form' },
        h('div', { class: 'field' }, h('label', { for: 'closure-date' }, 'Date'), dateInput),
        h('div', { class: 'field' }, h('label', { for: 'closure-reason' }, 'Reason'), h('span', { class: 'hint', id: 'closure-reason-hint' }, 'Optional; shown on the calendar.'), reason),
      ),
      h('div', { class: 'actions' }, add),
    );
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      alert.replaceChildren();
      status.textContent = '';
      if (!dateInput.value) {
        alert.append(h('p', { class: 'notice error' }, 'Date: choose the day the clinic is closed.'));
        return;
      }
      add.disabled = true;
      try {
        const body = { date: dateInput.value };
        if (reason.value.trim()) body.reason = reason.value.trim();
        const r = await app.call('/api/v1/staff/closures', { method: 'POST', body });
        result.replaceChildren();
        status.textContent = `The clinic is closed on ${dayWords(r.date)}.`;
        dateInput.value = '';
        reason.value = '';
        if (r.conflicts.length) {
          result.append(
            h('h3', { id: 'conflicts-title' }, r.conflicts.length === 1 ? 'One visit is still booked that day' : `${r.conflicts.length} visits are still booked that day`),
            h('p', {}, 'Nothing was cancelled. Open each visit to move or cancel it (the client is told then).'),
            await visitLinks(app, r.conflicts, r.date, r.date),
          );
        } else {
          result.append(h('p', {}, 'No visits are booked that day.'));
        }
        await load();
      } catch (e) {
        fail(e);
      } finally {
        add.disabled = false;
      }
    });
  }

  async function load() {
    const rows = await app.call('/api/v1/staff/closures');
    if (!rows.length) {
      list.replaceChildren(h('p', {}, 'No closure days ahead.'));
      return;
    }
    list.replaceChildren(
      h(
        'ul',
        { class: 'plain-list' },
        rows.map((c) => {
          const text = h('span', {}, `${dayWords(c.date)}${c.reason ? `: ${c.reason}` : ''}`);
          let remove = null;
          if (admin) {
            remove = h('button', { type: 'button', class: 'secondary', 'aria-label': `Open again on ${civilWords(c.date)}` }, 'Open again');
            remove.addEventListener('click', async () => {
              alert.replaceChildren();
              result.replaceChildren();
              remove.disabled = true;
              try {
                await app.call(`/api/v1/staff/closures/${c.date}`, { method: 'DELETE' });
                status.textContent = `The clinic is open again on ${dayWords(c.date)}.`;
                await load();
                dateInput.focus();
              } catch (e) {
                remove.disabled = false;
                fail(e);
              }
            });
          }
          return h('li', { 'data-closure': c.date }, text, remove);
        }),
      ),
    );
  }

  const el = h(
    'section',
    { class: 'admin-view closures', 'aria-labelledby': 'title' },
    title,
    admin ? null : h('p', { class: 'muted' }, 'Only an admin can add or remove closure days.'),
    status,
    alert,
    form,
    result,
    listSection,
  );

  return {
    el,
    async start() {
      try {
        await load();
      } catch (e) {
        fail(e);
      }
    },
    stop() {},
  };
}
