// /aftercare#<secret>: the client tells the clinic how the treated skin is, a day or so after
// microneedling. The secret (from the irritation_check email's link) is read from the fragment
// and only ever sent in the Authorization header. What is a warning sign is the API's rule
// (domain::aftercare): the page only says what the answer said.
import { api, ApiError } from './api.js';
import { loadClinic } from './clinic.js';
import { h, fill, focusOn, setChildren } from './dom.js';

const main = document.getElementById('main');

start().catch((e) => {
  console.error(e);
  const loading = document.getElementById('loading');
  if (loading) loading.textContent = 'This page could not load. Please call the clinic.';
});

async function start() {
  const { clinic, t, fmt } = await loadClinic();
  const a = t.aftercare;
  document.title = `${a.pageTitle} – ${clinic.name}`;
  document.getElementById('title').textContent = a.pageTitle;
  let secret = '';
  try {
    secret = decodeURIComponent(location.hash.slice(1)).trim();
  } catch {
    secret = '';
  }
  const page = { clinic, t, a, fmt, secret };
  if (!secret) return gone(page);
  let visit;
  try {
    visit = await api('/api/v1/aftercare', { token: secret });
  } catch (err) {
    if (err instanceof ApiError && (err.status === 401 || err.status === 404)) return gone(page);
    throw err;
  }
  form(page, visit);
}

/** An unknown, expired or revoked link: nothing about the visit, how to reach the clinic. */
function gone({ t, a, clinic }) {
  document.title = `${t.linkGoneTitle} – ${clinic.name}`;
  document.getElementById('title').textContent = t.linkGoneTitle;
  document.getElementById('loading').replaceWith(
    h('p', { class: 'lead' }, t.linkGoneText),
    h('p', {}, fill(a.goneContact, { phone: clinic.phone, email: clinic.email })),
  );
}

const SIGNS = [
  ['swelling', 'swelling'],
  ['pain_increasing', 'painIncreasing'],
  ['pus_or_fever', 'pusOrFever'],
  ['blisters_or_cold_sore', 'blisters'],
];

function form(page, visit) {
  const { a, fmt } = page;
  const intro = h('p', { class: 'lead' }, fill(a.intro, { day: fmt.day(visit.start) }));
  const before = visit.answered_at
    ? h('p', { class: 'panel' }, fill(a.answeredBefore, { day: fmt.day(visit.answered_at), time: fmt.time(visit.answered_at) }))
    : null;
  const summary = h('div', { id: 'errors', class: 'error-summary', tabindex: '-1', role: 'alert', hidden: true });
  const rednessError = h('p', { class: 'error-message', id: 'redness-error', hidden: true }, a.rednessMissing);
  const radio = (value, label) =>
    h('div', { class: 'choice' },
      h('input', { type: 'radio', name: 'redness', id: `redness-${value}`, value }),
      h('label', { for: `redness-${value}` }, label));
  const redness = h('fieldset', { id: 'redness', class: 'field', 'aria-describedby': 'redness-error' },
    h('legend', {}, a.redness),
    rednessError,
    h('div', { class: 'choices' }, radio('none', a.rednessNone), radio('mild', a.rednessMild), radio('strong', a.rednessStrong)));
  const signs = h('fieldset', { class: 'field' },
    h('legend', {}, a.signsLegend),
    h('div', { class: 'choices stacked' }, SIGNS.map(([field, key]) =>
      h('div', { class: 'choice' },
        h('input', { type: 'checkbox', id: field, name: field }),
        h('label', { for: field }, a[key])))));
  const notes = h('div', { class: 'field' },
    h('label', { for: 'notes' }, a.notes),
    h('span', { class: 'hint', id: 'notes-hint' }, a.notesHint),
    h('textarea', { id: 'notes', name: 'notes', rows: '4', maxlength: '2000', 'aria-describedby': 'notes-hint' }));
  const notice = h('div', { id: 'notice', class: 'notice error', tabindex: '-1', role: 'alert', hidden: true });
  const send = h('button', { type: 'submit', id: 'send' }, a.send);
  const el = h('form', { id: 'aftercare', novalidate: true }, summary, redness, signs, notes, notice, h('div', { class: 'actions' }, send));
  el.addEventListener('submit', (ev) => {
    ev.preventDefault();
    submit(page, visit, el, { summary, rednessError, redness, notice, send });
  });
  document.getElementById('loading').replaceWith(intro, before || '', el);
}

async function submit(page, visit, el, parts) {
  const { a, clinic, secret } = page;
  const { summary, rednessError, redness, notice, send } = parts;
  const chosen = el.querySelector('input[name="redness"]:checked');
  notice.hidden = true;
  if (!chosen) {
    setChildren(summary, h('h2', {}, a.errorTitle), h('ul', {}, h('li', {}, h('a', { href: '#redness-none' }, a.rednessMissing))));
    summary.hidden = false;
    rednessError.hidden = false;
    redness.classList.add('field--error');
    summary.querySelector('a').addEventListener('click', (ev) => {
      ev.preventDefault();
      document.getElementById('redness-none').focus();
    });
    focusOn(summary);
    return;
  }
  summary.hidden = true;
  rednessError.hidden = true;
  redness.classList.remove('field--error');
  const body = { redness: chosen.value, notes: el.querySelector('#notes').value.trim() || null };
  for (const [field] of SIGNS) body[field] = el.querySelector(`#${field}`).checked;
  send.disabled = true;
  send.textContent = a.sending;
  let answer;
  try {
    answer = await api(`/api/v1/bookings/${visit.appointment_id}/aftercare`, { method: 'POST', body, token: secret });
  } catch (err) {
    send.disabled = false;
    send.textContent = a.send;
    if (err instanceof ApiError && err.status === 401) return gone(page);
    // A 409 (the check-in has closed, the visit is not one to check in for) says why itself.
    const text = err instanceof ApiError && err.status === 409 && err.message ? err.message : fill(a.failed, { phone: clinic.phone });
    setChildren(notice, h('p', {}, text));
    notice.hidden = false;
    focusOn(notice);
    return;
  }
  const title = document.getElementById('title');
  let result;
  if (answer.alert) {
    title.textContent = a.warningTitle;
    result = [
      h('div', { class: 'notice error', id: 'result' },
        h('p', { class: 'lead' }, a.warning),
        h('p', {}, h('strong', {}, fill(a.warningUrgent, { phone: clinic.phone })))),
    ];
  } else {
    title.textContent = a.thanksTitle;
    result = [
      h('p', { class: 'lead', id: 'result' }, a.normal),
      h('h2', {}, a.careTitle),
      h('ul', {}, a.care.map((c) => h('li', {}, c))),
      h('p', {}, fill(a.callIf, { phone: clinic.phone })),
    ];
  }
  document.title = `${title.textContent} – ${clinic.name}`;
  setChildren(main, title, result);
  focusOn(title);
}
