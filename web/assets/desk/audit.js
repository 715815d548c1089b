// "Audit log" (admin): who did what, newest first, a page at a time ("Show older entries" asks
// the API for the entries before the last one shown), filtered by a client (their visits,
// bookings and screenings included: the API's client_id) or by a visit (its booking and
// screening included: appointment_id); a visit dialog's "History" links open it filtered.
// Each calendar poll is an audit row too, so calendar views are left out (views=false) unless
// asked for.
import { h } from '../dom.js';
import { SessionEnded } from './session.js';
import { explain } from './words.js';

const ACTIONS = {
  'aftercare.acknowledge': 'Aftercare alert acknowledged',
  'aftercare.alerts.view': 'Aftercare alerts read',
  'aftercare.report': 'Aftercare check-in sent',
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
  'client.screenings.view': 'Screening history read',
  'client.search': 'Clients searched',
  'closure.add': 'Closure day added',
  'closure.remove': 'Closure day removed',
  'consent.sign': 'Consent signed',
  'notes.view': 'Session records read',
  'notes.write': 'Session record written',
  'screening.review': 'Screening reviewed',
  'screening.view': 'Screening viewed',
  'service.update': 'Service changed',
  'staff.role': 'Role changed',
};
const SUBJECTS = {
  appointment: 'Visit', booking: 'Booking', calendar: 'Calendar', client: 'Client', clients: 'Client search', closure: 'Closure day',
  screening: 'Screening', service: 'Service', staff_user: 'Staff user',
};
const action = (a) => ACTIONS[a] || String(a).replace(/[._]/g, ' ');
/** Entries per page. */
const PAGE = 100;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** The API's filter for each kind of history. */
const PARAM = { client: 'client_id', visit: 'appointment_id' };

export function createAudit(app, params = null) {
  const { fmt } = app;
  const title = h('h1', { id: 'title', tabindex: '-1' }, 'Audit log');
  const alert = h('div', { role: 'alert', class: 'alert-slot' });
  const summary = h('p', { role: 'status', class: 'status-slot', id: 'audit-summary' });
  const table = h('div');
  const more = h('div', { class: 'audit-more' });
  let users = new Map();
  let filter = params && params.subject
    ? { id: params.subject, what: params.what || 'one subject', kind: params.kind || (params.what && params.what.startsWith('the client') ? 'client' : 'visit') }
    : null;
  let shown = []; // the entries on the page, newest first
  let tbody = null;

  const kind = h('select', { id: 'audit-kind' }, h('option', { value: 'all' }, 'Everything'), h('option', { value: 'client' }, 'A client'), h('option', { value: 'visit' }, 'A visit'));
  const idInput = h('input', { type: 'text', id: 'audit-id', autocomplete: 'off', spellcheck: 'false', 'aria-describedby': 'audit-id-hint' });
  const idField = h(
    'div',
    { class: 'field' },
    h('label', { for: 'audit-id' }, 'Client or visit id'),
    h('span', { class: 'hint', id: 'audit-id-hint' }, 'A client’s history holds their visits, bookings and screenings too; a visit’s its booking and screening. Or use “Only this …” on a row, or “History” on a visit.'),
    idInput,
  );
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

  const el = h('section', { class: 'admin-view audit', 'aria-labelledby': 'title' }, title, form, alert, summary, table, more);

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

  /** One page of entries older than `before` (an entry's id), in the filter's scope. */
  async function fetchPage(before) {
    const q = new URLSearchParams({ limit: String(PAGE) });
    if (filter) q.set(PARAM[filter.kind] || 'subject_id', filter.id);
    if (!views.checked) q.set('views', 'false');
    if (before) q.set('before', before);
    return app.call(`/api/v1/staff/audit?${q}`);
  }

  function say(full) {
    const n = shown.length;
    const count = n === 0 ? 'no entries' : n === 1 ? '1 entry' : `${n} entries`;
    summary.textContent = `${filter ? `The history of ${filter.what}` : 'Everything'}: ${count}, newest first.${full ? ' Older ones: “Show older entries” below.' : ''}`;
  }

  /** "Show older entries" while the last page came back full (there may be more). */
  function offerMore(full) {
    if (!full) {
      if (shown.length > PAGE) more.replaceChildren(h('p', { class: 'muted' }, 'No older entries.'));
      else more.replaceChildren();
      return;
    }
    const button = h('button', { type: 'button', class: 'secondary' }, 'Show older entries');
    button.addEventListener('click', async () => {
      button.disabled = true;
      try {
        const rows = await fetchPage(shown[shown.length - 1].id);
        const first = rows.length ? shown.length : -1;
        shown.push(...rows);
        for (const r of rows) tbody.append(row(r));
        const full = rows.length === PAGE;
        say(full);
        offerMore(full);
        // keyboard users go on from the first entry added (or stay on the button)
        const next = first >= 0 ? tbody.children[first]?.querySelector('td') : null;
        if (next) next.focus();
        else if (full) more.querySelector('button')?.focus();
      } catch (e) {
        button.disabled = false;
        fail(e);
      }
    });
    more.replaceChildren(button);
  }

  async function load() {
    const rows = await fetchPage(null);
    shown = rows;
    const full = rows.length === PAGE;
    say(full);
    offerMore(full);
    if (!rows.length) {
      table.replaceChildren();
      tbody = null;
      return;
    }
    tbody = h('tbody', {}, rows.map(row));
    table.replaceChildren(
      h(
        'div',
        { class: 'table-box', role: 'region', 'aria-labelledby': 'audit-summary', tabindex: '0' },
        h(
          'table',
          { class: 'data-table' },
          h('thead', {}, h('tr', {}, ['When', 'Who', 'What', 'Of', 'Details'].map((t) => h('th', { scope: 'col' }, t)))),
          tbody,
        ),
      ),
    );
  }

  function row(r) {
    return h(
      'tr',
      { 'data-action': r.action, 'data-entry': r.id },
      h('td', { tabindex: '-1' }, `${fmt.dayYear(r.at)}, ${fmt.time(r.at)}`),
      h('td', { class: 'wrap' }, r.actor === 'client' ? 'The client' : users.get(r.actor_user_id) || 'Staff'),
      h('td', {}, action(r.action)),
      h('td', { class: 'wrap' }, `${SUBJECTS[r.subject_type] || r.subject_type} `, h('span', { class: 'detail' }, r.subject_id), ' ', filter ? null : only(r)),
      h('td', { class: 'detail' }, r.detail ? details(r.detail) : ''),
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
        kind.value = filter.kind;
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
