// "Audit log" (admin): who did what, newest first, filtered by a client or by a visit (the
// API's subject_id; a visit dialog's "History" links open it filtered). Each calendar poll is
// an audit row too, so calendar views are hidden unless asked for.
import { h } from '../dom.js';
import { SessionEnded } from './session.js';
import { explain } from './words.js';

const ACTIONS = {
  'appointment.book': 'Booked',
  'appointment.reconfirm': 'Health answers re-confirmed',
  'appointment.checkin': 'Checked in',
  'appointment.complete': 'Completed',
  'appointment.noshow': 'Marked as a no-show',
  'appointment.cancel': 'Cancelled',
  'appointment.reschedule': 'Rescheduled',
  'calendar.view': 'Calendar viewed',
  'client.erase': 'Client erased',
  'client.export': 'Client data exported',
  'closure.add': 'Closure day added',
  'closure.remove': 'Closure day removed',
  'screening.review': 'Screening reviewed',
  'screening.view': 'Screening viewed',
  'staff.role': 'Role changed',
};
const SUBJECTS = { appointment: 'Visit', client: 'Client', screening: 'Screening', staff_user: 'Staff user', closure: 'Closure day' };
const action = (a) => ACTIONS[a] || String(a).replace(/[._]/g, ' ');
const LIMIT = 1000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function createAudit(app, params = null) {
  const { fmt } = app;
  const title = h('h1', { id: 'title', tabindex: '-1' }, 'Audit log');
  const alert = h('div', { role: 'alert', class: 'alert-slot' });
  const summary = h('p', { role: 'status', class: 'status-slot', id: 'audit-summary' });
  const table = h('div');
  let users = new Map();
  let filter = params && params.subject ? { id: params.subject, what: params.what || 'one subject' } : null;

  const kind = h('select', { id: 'audit-kind' }, h('option', { value: 'all' }, 'Everything'), h('option', { value: 'client' }, 'A client'), h('option', { value: 'visit' }, 'A visit'));
  const idInput = h('input', { type: 'text', id: 'audit-id', autocomplete: 'off', spellcheck: 'false', 'aria-describedby': 'audit-id-hint' });
  const idField = h('div', { class: 'field' }, h('label', { for: 'audit-id' }, 'Client or visit id'), h('span', { class: 'hint', id: 'audit-id-hint' }, 'Or use “Only this …” on a row, or “History” on a visit.'), idInput);
  const views = h('input', { type: 'checkbox', id: 'audit-views' });
  const form = h(
    'form',
    { novalidate: true, class: 'audit-filter', 'aria-label': 'Filter' },
    h('div', { class: 'row-form' }, h('div', { class: 'field' }, h('label', { for: 'audit-kind' }, 'Show the history of'), kind), idField),
    h('div', { class: 'choice field' }, views, h('label', { for: 'audit-views' }, 'Include calendar views')),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Show')),
  );
  const syncKind = () => {
    idField.hidden = kind.value === 'all';
  };
  kind.addEventListener('change', syncKind);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    alert.replaceChildren();
    if (kind.value === 'all') {
      filter = null;
    } else {
      const id = idInput.value.trim();
      if (!UUID.test(id)) {
        alert.append(h('p', { class: 'notice error' }, `Client or visit id: enter the id of ${kind.value === 'client' ? 'the client' : 'the visit'} (36 characters, like 1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed).`));
        return;
      }
      filter = { id, what: kind.value === 'client' ? 'the client' : 'the visit', kind: kind.value };
    }
    load().catch(fail);
  });
  views.addEventListener('change', () => load().catch(fail));

  const el = h('section', { class: 'admin-view audit', 'aria-labelledby': 'title' }, title, form, alert, summary, table);

  const fail = (e) => {
    if (e instanceof SessionEnded) return;
    alert.replaceChildren(h('p', { class: 'notice error' }, explain(e)));
  };

  function only(row) {
    const what = row.subject_type === 'appointment' ? 'visit' : row.subject_type === 'client' ? 'client' : null;
    if (!what) return null;
    return h('button', {
      type: 'button',
      class: 'link',
      onclick: () => {
        filter = { id: row.subject_id, what: `this ${what}`, kind: what };
        kind.value = what;
        idInput.value = row.subject_id;
        syncKind();
        load().then(() => title.focus()).catch(fail);
      },
    }, `Only this ${what}`);
  }

  async function load() {
    const q = new URLSearchParams({ limit: String(LIMIT) });
    if (filter) q.set('subject_id', filter.id);
    const rows = (await app.call(`/api/v1/staff/audit?${q}`)).filter((r) => views.checked || filter || r.action !== 'calendar.view');
    summary.textContent = `${filter ? `The history of ${filter.what}` : 'Everything'}: ${rows.length === 0 ? 'no entries' : rows.length === 1 ? '1 entry' : `${rows.length} entries`}, newest first.`;
    if (!rows.length) {
      table.replaceChildren();
      return;
    }
    table.replaceChildren(
      h(
        'div',
        { class: 'table-box', role: 'region', 'aria-labelledby': 'audit-summary', tabindex: '0' },
        h(
          'table',
          { class: 'data-table' },
          h('thead', {}, h('tr', {}, ['When', 'Who', 'What', 'Of', 'Details'].map((t) => h('th', { scope: 'col' }, t)))),
          h(
            'tbody',
            {},
            rows.map((r) =>
              h(
                'tr',
                { 'data-action': r.action },
                h('td', {}, `${fmt.dayYear(r.at)}, ${fmt.time(r.at)}`),
                h('td', { class: 'wrap' }, r.actor === 'client' ? 'The client' : users.get(r.actor_user_id) || 'Staff'),
                h('td', {}, action(r.action)),
                h('td', { class: 'wrap' }, `${SUBJECTS[r.subject_type] || r.subject_type} `, h('span', { class: 'detail' }, r.subject_id), ' ', filter ? null : only(r)),
                h('td', { class: 'detail' }, r.detail ? details(r.detail) : ''),
              ),
            ),
          ),
        ),
      ),
    );
  }

  /** The detail object as "key: value" lines (text only). */
  function details(d) {
    if (typeof d !== 'object') return String(d);
    return Object.entries(d)
      .map(([k, v]) => `${k.replace(/_/g, ' ')}: ${typeof v === 'object' ? JSON.stringify(v) : v}`)
      .join('; ');
  }

  return {
    el,
    async start() {
      if (filter) {
        kind.value = params.kind || (params.what && params.what.startsWith('the client') ? 'client' : 'visit');
        idInput.value = filter.id;
      }
      syncKind();
      try {
        const list = await app.call('/api/v1/staff/users');
        users = new Map(list.map((u) => [u.id, u.email]));
        await load();
      } catch (e) {
        fail(e);
      }
    },
    stop() {},
  };
}
