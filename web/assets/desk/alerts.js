// "Aftercare alerts": clients' aftercare check-ins that showed a warning sign. Open alerts
// first, with the client's answers and a link to the visit; a clinician (admin, practitioner)
// acknowledges one with a note. Every staff role reads them (the API audits each read).
import { h } from '../dom.js';
import { SessionEnded } from './session.js';
import { explain, may, serviceName } from './words.js';

export const SIGNS = {
  pus_or_fever: 'Pus or fever',
  blisters_or_cold_sore: 'Blisters or a cold sore',
  strong_redness: 'Strong redness',
  pain_increasing: 'Pain that gets worse',
  swelling: 'Swelling',
};
const REDNESS = { none: 'None', mild: 'Mild', strong: 'Strong' };
const ALERT_STATUS = { open: 'Open', acknowledged: 'Acknowledged', superseded: 'Replaced by a newer answer' };
const yesNo = (b) => (b ? 'Yes' : 'No');

/** The open alerts' count (for the menu); null when it cannot be read. */
export async function openAlertCount(app) {
  try {
    // the count names nobody, so asking for it is not audited (the list with answers is)
    return (await app.call('/api/v1/staff/alerts/open-count')).open;
  } catch {
    return null;
  }
}

export function createAlerts(app) {
  const { fmt } = app;
  const role = app.session.role;
  const title = h('h1', { id: 'title', tabindex: '-1' }, 'Aftercare alerts');
  const status = h('div', { role: 'status', class: 'status-slot' });
  const alert = h('div', { role: 'alert', class: 'alert-slot' });
  const list = h('div');
  const el = h(
    'section',
    { class: 'alerts', 'aria-labelledby': 'title' },
    title,
    h('p', { class: 'muted' }, 'Clients’ aftercare answers that showed a warning sign. Open alerts come first.'),
    status,
    alert,
    list,
  );

  const fail = (e) => {
    if (e instanceof SessionEnded) return;
    alert.replaceChildren(h('p', { class: 'notice error' }, explain(e)));
  };

  function card(a) {
    const open = a.status === 'open';
    const who = a.client.name || 'Client erased';
    const ans = a.answers;
    const visit = a.visit_start
      ? h('a', {
        href: '#calendar',
        'data-open-visit': a.appointment_id,
        onclick: (ev) => {
          ev.preventDefault();
          app.go('calendar', { date: fmt.localDate(a.visit_start), visit: a.appointment_id });
        },
      }, `${serviceName(a.service)}, ${fmt.day(a.visit_start)}, ${fmt.time(a.visit_start)}${a.practitioner_name ? ` (${a.practitioner_name})` : ''}`)
      : 'The visit is no longer on record.';
    const facts = [
      ['Status', ALERT_STATUS[a.status] || a.status],
      ['Raised', `${fmt.day(a.raised_at)}, ${fmt.time(a.raised_at)}`],
      ['Visit', visit],
      ['Warning signs', a.warning_signs.map((s) => SIGNS[s] || s).join(', ') || 'None'],
      a.client.phone ? ['Phone', a.client.phone] : null,
      a.client.email ? ['Email', a.client.email] : null,
      ['Emails to the clinic', String(a.emails)],
      a.acknowledged_at ? ['Acknowledged', `${fmt.day(a.acknowledged_at)}, ${fmt.time(a.acknowledged_at)}`] : null,
      a.note ? ['Note', a.note] : null,
    ].filter(Boolean);
    const answers = ans
      ? h(
        // not a landmark: two alerts' answers would be regions of the same name
        'div',
        { class: 'alert-answers' },
        h('h3', { id: `answers-${a.id}` }, `The client’s answers (day ${ans.day} after the visit)`),
        h(
          'dl',
          { class: 'answers' },
          [
            ['Redness', REDNESS[ans.redness] || ans.redness],
            ['Swelling', yesNo(ans.swelling)],
            ['Pain that gets worse', yesNo(ans.pain_increasing)],
            ['Pus or fever', yesNo(ans.pus_or_fever)],
            ['Blisters or a cold sore', yesNo(ans.blisters_or_cold_sore)],
          ].flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]),
        ),
        ans.notes ? h('p', { class: 'client-notes' }, h('strong', {}, 'In their words: '), ans.notes) : null,
        h('p', { class: 'muted' }, `Answered ${fmt.day(ans.answered_at)}, ${fmt.time(ans.answered_at)}.`),
      )
      : null;
    const parts = [
      h('h2', { id: `alert-${a.id}` }, open ? `Open: ${who}` : who),
      h('dl', { class: 'facts' }, facts.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])),
      answers,
    ];
    if (open && may.acknowledge(role)) parts.push(ackForm(a));
    return h('li', { class: `card alert-card${open ? ' open' : ''}`, 'data-alert': a.id }, parts);
  }

  function ackForm(a) {
    const id = `ack-${a.id}`;
    const note = h('textarea', { id, name: 'note', rows: '3', maxlength: '2000', 'aria-describedby': `${id}-hint ${id}-error` });
    const error = h('p', { id: `${id}-error`, class: 'field-error' });
    const button = h('button', { type: 'submit' }, 'Acknowledge');
    const form = h(
      'form',
      { class: 'ack-form', novalidate: true, 'aria-labelledby': `alert-${a.id}` },
      h(
        'div',
        { class: 'field' },
        h('label', { for: id }, 'Note'),
        h('span', { class: 'hint', id: `${id}-hint` }, 'Required: what was done (e.g. called the client, advice given).'),
        error,
        note,
      ),
      h('div', { class: 'actions' }, button),
    );
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      alert.replaceChildren();
      const text = note.value.trim();
      if (!text) {
        error.textContent = 'Write a note to acknowledge the alert.';
        note.setAttribute('aria-invalid', 'true');
        note.focus();
        return;
      }
      error.textContent = '';
      note.removeAttribute('aria-invalid');
      button.disabled = true;
      try {
        await app.call(`/api/v1/staff/alerts/${a.id}/acknowledge`, { method: 'POST', body: { note: text } });
      } catch (e) {
        button.disabled = false;
        if (e instanceof SessionEnded) return;
        if (e.details && e.details.note) {
          error.textContent = String(e.details.note);
          note.setAttribute('aria-invalid', 'true');
          note.focus();
          return;
        }
        fail(e);
        return;
      }
      status.textContent = `Alert for ${a.client.name || 'the client'} acknowledged.`;
      await load().catch(fail);
      app.alertsChanged?.();
      title.focus();
    });
    return form;
  }

  async function load() {
    const rows = await app.call('/api/v1/staff/alerts');
    // open first, then newest first (the API's order within each)
    const sorted = [...rows.filter((a) => a.status === 'open'), ...rows.filter((a) => a.status !== 'open')];
    const open = rows.filter((a) => a.status === 'open').length;
    list.replaceChildren(
      h('p', {}, open === 0 ? 'No open alerts.' : open === 1 ? '1 open alert.' : `${open} open alerts.`),
      sorted.length ? h('ul', { class: 'cards alert-list' }, sorted.map(card)) : null,
    );
  }

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
