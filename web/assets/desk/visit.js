// One visit in a modal dialog: its facts, its planned emails, and the moves valid for its
// status that the signed-in role may make. What the API refuses is said here in its own words.
import { h, setChildren } from '../dom.js';
import { createPicker } from '../picker.js';
import { SessionEnded } from './session.js';
import {
  may, STATUS, serviceName, screeningState, explain, messageKind, MESSAGE_STATUS, RECONFIRMATION,
  CONSENT, consentNeeded,
} from './words.js';
import { questionField, readAnswers, missingNotice } from './questions.js';
import { sessionRecord } from './notes.js';

const PICKER_WORDS = {
  previous: 'Previous week',
  next: 'Next week',
  pickTitle: 'Days',
  zoneNote: 'Times are clinic time ({zone}).',
  weekOf: '{from} to {to}',
  loadingTimes: 'Looking for free times…',
  noTimesWeek: 'No free times this week. Try the next week.',
  nTimes: (n) => (n === 1 ? '1 time' : n === 0 ? 'no times' : `${n} times`),
  timesOn: 'Free times on {day}',
};
export { PICKER_WORDS };

/** Opens the dialog of visit `id`; `find(id)` gives its current calendar entry. */
export function openVisit(app, id, { find, refresh }) {
  const { fmt } = app;
  const role = app.session.role;
  const dialog = h('dialog', { class: 'visit-dialog', 'aria-labelledby': 'visit-title' });
  const status = h('div', { role: 'status', class: 'status-slot' });
  const alert = h('div', { role: 'alert', class: 'alert-slot' });
  const outcome = h('div', { class: 'outcome-slot' }); // what a re-confirmation came to
  const body = h('div');
  let panel = null; // the open cancel/reschedule panel
  let busy = false;

  // Focus goes back to the visit's block in the same task as the dialog closes. The browser's
  // own restore aims at the block that opened the dialog, which is gone whenever the calendar
  // redrew meanwhile (every check-in, complete or poll that changed something draws new
  // blocks), and the dialog's 'close' event comes a task later: in between focus sat in the
  // hidden dialog, then on <body>, where a test (or a screen reader) could find it.
  const focusBack = () => {
    const back = document.querySelector(`[data-visit="${CSS.escape(id)}"]`);
    if (back && document.activeElement !== back) back.focus();
  };
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    if (dialog.open) dialog.close();
    dialog.remove();
    focusBack();
  };
  // Escape closes through `close` (not the browser's cancel, which restores focus late).
  dialog.addEventListener('keydown', (ev) => {
    if (ev.key !== 'Escape' || ev.defaultPrevented) return;
    ev.preventDefault();
    close();
  });
  // Closed some other way (a history link, sign out, the platform's back gesture).
  dialog.addEventListener('close', () => {
    if (closed) return;
    closed = true;
    dialog.remove();
    if (!document.activeElement || document.activeElement === document.body) focusBack();
  });

  function render() {
    const e = find(id);
    if (!e) {
      body.replaceChildren(h('h2', { id: 'visit-title', tabindex: '-1' }, 'Visit'), h('p', {}, 'This visit is no longer in the calendar shown.'));
      return;
    }
    // the first screening's state; the re-confirmation has its own line
    const sc = screeningState({ ...e, reconfirmation_state: null, course: null });
    const re = RECONFIRMATION[e.reconfirmation_state];
    const facts = [
      ['When', `${fmt.day(e.start)}, ${fmt.time(e.start)}–${fmt.time(e.end)}`],
      ['Practitioner', e.practitioner_name || ''],
      ['Service', serviceName(e.service)],
      e.course ? ['Session', `Session ${e.course.session_number} of ${e.course.sessions}`] : null,
      ['Numbing cream', e.anesthesia ? 'Yes' : 'No'],
      ['Screening', sc.text.replace(/^Screening: /, '')],
      screeningFlags(e.screening, fmt),
      re ? ['Health re-confirmation', `${re.text.replace(/^Re-confirmation:? ?/, '').replace(/^./, (c) => c.toUpperCase())}. ${re.long}`] : null,
      e.service === 'microneedling' || (e.consent && e.consent !== 'not_needed')
        ? ['Consent', (CONSENT[e.consent] || { text: String(e.consent) }).text]
        : null,
      ['Status', STATUS[e.status] || e.status],
      e.client ? ['Email', e.client.email] : null,
      e.client && e.client.phone ? ['Phone', e.client.phone] : null,
    ].filter(Boolean);
    const buttons = [];
    const add = (label, allowed, onclick, cls = '') => {
      if (allowed) buttons.push(h('button', { type: 'button', class: cls, onclick }, label));
    };
    const booked = e.status === 'booked';
    const inClinic = e.status === 'checked_in';
    const missing = booked && e.reconfirmation_state === 'missing';
    // a repeat session without a re-confirmation: check-in asks for the health answers first
    // check-in asks first for what it needs: the health answers again, then the consent
    add('Check in', booked && may.checkIn(role), () => (missing ? openReconfirm(e, true) : checkIn()));
    add('Record health answers', missing && may.reconfirm(role), () => openReconfirm(e, false), 'secondary');
    add('Sign consent', (booked || inClinic) && consentNeeded(e.consent) && may.consent(role), () => openConsent(false), 'secondary');
    add('Complete', inClinic && may.complete(role), () => act('complete', 'Completed. The aftercare emails are planned.'));
    add('No-show', booked && may.noShow(role), () => act('no-show', 'Marked as a no-show.'), 'secondary');
    add('Reschedule', booked && may.reschedule(role), () => openReschedule(e), 'secondary');
    add('Cancel', (booked || inClinic) && may.cancel(role), () => openCancel(), 'danger');
    const parts = [
      h('h2', { id: 'visit-title', tabindex: '-1' }, e.client ? e.client.name : 'Client erased'),
      h('dl', { class: 'facts' }, facts.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])),
      buttons.length
        ? h('div', { class: 'actions', role: 'group', 'aria-label': 'Actions' }, buttons)
        : h('p', { class: 'muted' }, 'Nothing can be changed on this visit from your desk.'),
      // the session record of a checked-in or completed microneedling visit (read: every role)
      e.service === 'microneedling' && (inClinic || e.status === 'completed')
        ? sessionRecord(app, e, { canWrite: may.writeNotes(role) })
        : null,
      ...(may.audit(role) ? [historyLinks(e)] : []),
    ];
    setChildren(body, parts);
    if (may.messages(role)) loadMessages(e);
  }

  /** One move of the visit; `onRefused(error)` lets the panel that asked react (a picker). */
  async function act(path, done, body, onRefused = null) {
    if (busy) return;
    busy = true;
    alert.replaceChildren();
    status.textContent = 'Saving…';
    try {
      await app.call(`/api/v1/staff/appointments/${id}/${path}`, { method: 'POST', body });
      await refresh();
      closePanel();
      render();
      status.textContent = done;
      dialog.querySelector('#visit-title')?.focus();
    } catch (e) {
      status.textContent = '';
      if (e instanceof SessionEnded) return;
      if (path === 'check-in' && e.code === 'consent_missing' && may.consent(role)) {
        // signed elsewhere meanwhile withdrawn, or a new version: the form, then check-in
        busy = false;
        await refresh().catch(() => {});
        render();
        openConsent(true);
        return;
      }
      alert.replaceChildren(h('p', { class: 'notice error' }, explain(e)));
      if (onRefused) onRefused(e);
    } finally {
      busy = false;
    }
  }

  /** Check-in, after the consent form when the visit's consent is missing or outdated. */
  function checkIn(done = 'Checked in.') {
    const now = find(id);
    if (now && consentNeeded(now.consent) && may.consent(role)) return openConsent(true, done);
    return act('check-in', done);
  }

  /**
   * The consent text (plain text, in a scrolling box), the client's typed full name and a tick;
   * "Record signature" signs it at the desk. With `thenCheckIn`, check-in follows.
   */
  async function openConsent(thenCheckIn, doneText = 'Checked in.') {
    closePanel();
    alert.replaceChildren();
    let c;
    try {
      c = await app.call(`/api/v1/staff/appointments/${id}/consent`);
    } catch (err) {
      if (!(err instanceof SessionEnded)) alert.replaceChildren(h('p', { class: 'notice error' }, explain(err)));
      return;
    }
    if (!c.required || c.state === 'signed') {
      if (thenCheckIn) await act('check-in', doneText);
      return;
    }
    const name = h('input', {
      type: 'text', id: 'consent-name', name: 'full_name', autocomplete: 'off', maxlength: '200',
      'aria-describedby': 'consent-name-hint consent-name-error',
    });
    const nameError = h('p', { id: 'consent-name-error', class: 'field-error' });
    const agree = h('input', { type: 'checkbox', id: 'consent-agree', name: 'agree', 'aria-describedby': 'consent-agree-error' });
    const agreeError = h('p', { id: 'consent-agree-error', class: 'field-error' });
    const problems = h('div', { role: 'alert', class: 'alert-slot' });
    const submit = h('button', { type: 'submit' }, thenCheckIn ? 'Record signature and check in' : 'Record signature');
    const paragraphs = String(c.text || '').split(/\n\s*\n/).map((p) => h('p', {}, p.trim()));
    const fieldError = (input, slot, text) => {
      slot.textContent = text;
      if (text) input.setAttribute('aria-invalid', 'true');
      else input.removeAttribute('aria-invalid');
    };
    const form = h(
      'form',
      { class: 'visit-panel consent', 'aria-labelledby': 'consent-title', novalidate: true },
      h('h3', { id: 'consent-title', tabindex: '-1' }, 'Consent'),
      h(
        'p',
        {},
        thenCheckIn
          ? 'This treatment needs the client’s signed consent before check-in. '
          : '',
        c.state === 'outdated'
          ? 'The client signed an older version; the text has changed since. Let the client read the current text, then type their full name and tick.'
          : 'Let the client read the text, then type their full name and tick.',
      ),
      h(
        'div',
        { class: 'consent-text', tabindex: '0', role: 'region', 'aria-labelledby': 'consent-text-title' },
        h('h4', { id: 'consent-text-title' }, `${c.title || 'Consent'} (version ${c.version})`),
        paragraphs,
      ),
      h('div', { class: 'field' }, h('label', { for: 'consent-name' }, 'Full name'), h('span', { class: 'hint', id: 'consent-name-hint' }, 'Typed by the client, as their signature.'), nameError, name),
      h('div', { class: 'field' }, h('div', { class: 'choice' }, agree, h('label', { for: 'consent-agree' }, 'The client agrees')), agreeError),
      problems,
      h('div', { class: 'actions' }, submit, h('button', { type: 'button', class: 'secondary', onclick: () => closePanel() }, 'Not now')),
    );
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      problems.replaceChildren();
      const full = name.value.trim();
      fieldError(name, nameError, full ? '' : 'Enter the client’s full name.');
      fieldError(agree, agreeError, agree.checked ? '' : 'Tick this when the client agrees.');
      if (!full) return name.focus();
      if (!agree.checked) return agree.focus();
      if (busy) return;
      busy = true;
      submit.disabled = true;
      status.textContent = 'Saving…';
      try {
        await app.call(`/api/v1/staff/appointments/${id}/consent`, { method: 'POST', body: { full_name: full, agree: true } });
      } catch (err) {
        status.textContent = '';
        busy = false;
        submit.disabled = false;
        if (err instanceof SessionEnded) return;
        const d = err.details || {};
        if (d.full_name) fieldError(name, nameError, String(d.full_name));
        if (d.agree) fieldError(agree, agreeError, String(d.agree));
        problems.append(h('p', { class: 'notice error' }, explain(err)));
        return;
      }
      busy = false;
      if (thenCheckIn) {
        await act('check-in', `Consent signed. ${doneText}`);
        return;
      }
      await refresh();
      closePanel();
      render();
      status.textContent = 'Consent signed.';
      dialog.querySelector('#visit-title')?.focus();
    });
    panel = form;
    body.append(form);
    form.querySelector('#consent-title').focus();
  }

  async function loadMessages(e) {
    const box = h('section', { class: 'visit-messages', 'aria-labelledby': 'visit-messages-title' }, h('h3', { id: 'visit-messages-title' }, 'Emails'));
    body.append(box);
    try {
      const list = await app.call(`/api/v1/staff/messages?appointment_id=${e.id}`);
      if (!list.length) {
        box.append(h('p', { class: 'muted' }, 'No emails for this visit.'));
        return;
      }
      box.append(
        h(
          'ul',
          { class: 'message-list' },
          list.map((m) =>
            h(
              'li',
              { 'data-kind': m.kind },
              h('strong', {}, messageKind(m.kind)),
              ` – ${MESSAGE_STATUS[m.status] || m.status}, `,
              m.sent_at ? `sent ${fmt.day(m.sent_at)} ${fmt.time(m.sent_at)}` : `due ${fmt.day(m.due_at)} ${fmt.time(m.due_at)}`,
            ),
          ),
        ),
      );
    } catch (err) {
      if (!(err instanceof SessionEnded)) box.append(h('p', { class: 'notice error' }, explain(err)));
    }
  }

  /** Links into the audit log, filtered by this visit and by its client (admin). */
  function historyLinks(e) {
    const link = (label, subject, what, kind) =>
      h('a', {
        href: '#audit',
        onclick: (ev) => {
          ev.preventDefault();
          dialog.close();
          app.go('audit', { subject, what, kind });
        },
      }, label);
    return h(
      'p',
      { class: 'history-links' },
      link('History', e.id, 'this visit', 'visit'),
      e.client ? ' · ' : null,
      e.client ? link("Client's history", e.client.id, `the client ${e.client.name}`, 'client') : null,
    );
  }

  /** The health answers again before a repeat session, asked at the desk and recorded. */
  async function openReconfirm(e, thenCheckIn) {
    closePanel();
    alert.replaceChildren();
    outcome.replaceChildren();
    let questions;
    try {
      app.questions ??= (await app.call('/api/v1/screening/questions')).questions;
      questions = app.questions;
    } catch (err) {
      if (!(err instanceof SessionEnded)) alert.replaceChildren(h('p', { class: 'notice error' }, explain(err)));
      return;
    }
    const problems = h('div', { role: 'alert', class: 'alert-slot' });
    const submit = h('button', { type: 'submit' }, thenCheckIn ? 'Record and check in' : 'Record the answers');
    const form = h(
      'form',
      { class: 'visit-panel reconfirm', 'aria-labelledby': 'reconfirm-title', novalidate: true },
      h('h3', { id: 'reconfirm-title', tabindex: '-1' }, 'Record health answers'),
      h(
        'p',
        {},
        thenCheckIn
          ? 'This repeat session needs the client’s health answers confirmed again before check-in. Ask the client each question and record the answer they give.'
          : 'Ask the client each question and record the answer they give.',
      ),
      questions.map((q) => questionField(q, 'rq')),
      problems,
      h('div', { class: 'actions' }, submit, h('button', { type: 'button', class: 'secondary', onclick: () => closePanel() }, 'Not now')),
    );
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      problems.replaceChildren();
      const read = readAnswers(form, questions, 'rq');
      if (read.missing) {
        problems.append(missingNotice(read.missing));
        return;
      }
      if (busy) return;
      busy = true;
      submit.disabled = true;
      status.textContent = 'Saving…';
      let r;
      try {
        r = await app.call(`/api/v1/staff/appointments/${id}/reconfirm`, { method: 'POST', body: { answers: read.answers } });
      } catch (err) {
        status.textContent = '';
        busy = false;
        submit.disabled = false;
        if (!(err instanceof SessionEnded)) problems.append(h('p', { class: 'notice error' }, explain(err)));
        return;
      }
      busy = false;
      const reasons = r.reasons && r.reasons.length ? h('ul', {}, r.reasons.map((x) => h('li', {}, x.message))) : null;
      if (r.outcome === 'eligible') {
        if (thenCheckIn) {
          await refresh();
          await checkIn('Health answers recorded. Checked in.');
          return;
        }
        await refresh();
        closePanel();
        render();
        status.textContent = 'Health answers recorded: the visit can go ahead.';
      } else {
        await refresh();
        closePanel();
        render();
        status.textContent = '';
        const review = r.outcome === 'needs_review';
        outcome.replaceChildren(
          h(
            'div',
            { class: `notice ${review ? 'warn' : 'error'}`, role: 'status' },
            h(
              'p',
              {},
              review
                ? 'Health answers recorded. They need a clinician’s review: a clinician must clear them under “Screenings to review” before the client can be checked in.'
                : 'Health answers recorded. They rule the treatment out, so the visit was cancelled. The client is told by email.',
            ),
            reasons,
          ),
        );
      }
      dialog.querySelector('#visit-title')?.focus();
    });
    panel = form;
    body.append(form);
    form.querySelector('#reconfirm-title').focus();
  }

  // a panel asked for (Reschedule waits for its window first) is drawn only if nothing else
  // was asked for, and the dialog is still open, when its answer comes
  let panelSeq = 0;
  function closePanel() {
    panelSeq++;
    panel?.remove();
    panel = null;
  }

  function openCancel() {
    closePanel();
    const reason = h('textarea', { id: 'cancel-reason', rows: '3', maxlength: '500' });
    const form = h(
      'form',
      { class: 'visit-panel', 'aria-labelledby': 'cancel-title', novalidate: true },
      h('h3', { id: 'cancel-title' }, 'Cancel this visit'),
      h('div', { class: 'field' }, h('label', { for: 'cancel-reason' }, 'Reason'), h('span', { class: 'hint' }, 'Optional. It is sent to the client in the cancellation email: no health details.'), reason),
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'submit', class: 'danger' }, 'Cancel the visit'),
        h('button', { type: 'button', class: 'secondary', onclick: () => closePanel() }, 'Keep the visit'),
      ),
    );
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const text = reason.value.trim();
      act('cancel', 'Cancelled. The client is told.', text ? { reason: text } : {});
    });
    panel = form;
    body.append(form);
    reason.focus();
  }

  /** The dates a course session may move to (the API's spacing rule), in words. */
  function windowWords(w, n) {
    const from = w.from ? fmt.civilYear(w.from) : null;
    const to = w.to ? fmt.civilYear(w.to) : null;
    const days = `${w.min_interval_days} day${w.min_interval_days === 1 ? '' : 's'}`;
    const keep = `at least ${days} from the course's other sessions`;
    if (from && to && w.from === w.to) return `Session ${n} can move to another time on ${from} only (${keep}).`;
    if (from && to) return `Session ${n} can move to a day from ${from} to ${to} (${keep}).`;
    if (from) return `Session ${n} can move to ${from} or later (${keep}).`;
    return `Session ${n} can move to ${to} or earlier (${keep}).`;
  }

  async function openReschedule(e) {
    closePanel();
    const ticket = panelSeq;
    // a course session: only the days its spacing allows (GET .../reschedule-window)
    let range = {};
    let windowNote = null;
    if (e.course && e.course.sessions > 1) {
      let w;
      try {
        w = (await app.call(`/api/v1/staff/appointments/${e.id}/reschedule-window`)).reschedule_window;
      } catch (err) {
        if (!(err instanceof SessionEnded) && ticket === panelSeq) alert.replaceChildren(h('p', { class: 'notice error' }, explain(err)));
        return;
      }
      // pressed twice, another panel opened, or the dialog closed meanwhile
      if (ticket !== panelSeq || closed) return;
      if (w && (w.from || w.to)) {
        const n = e.course.session_number;
        if (w.from && w.to && w.to < w.from) {
          const heading = h('h3', { id: 'reschedule-title', tabindex: '-1' }, 'Choose a new time');
          panel = h(
            'section',
            { class: 'visit-panel', 'aria-labelledby': 'reschedule-title' },
            heading,
            h('p', { class: 'notice warn' }, `No day keeps session ${n} at least ${w.min_interval_days} day${w.min_interval_days === 1 ? '' : 's'} from the course's other sessions. Move a neighbouring session first.`),
            h('div', { class: 'actions' }, h('button', { type: 'button', class: 'secondary', onclick: () => closePanel() }, 'Keep the time')),
          );
          body.append(panel);
          heading.focus();
          return;
        }
        range = { from: w.from, to: w.to };
        windowNote = h('p', { class: 'hint', id: 'reschedule-window' }, windowWords(w, n));
      }
    }
    const chosenNote = h('p', { role: 'status', class: 'status-slot' });
    let chosen = null;
    const confirm = h('button', { type: 'button', disabled: true }, 'Move the visit here');
    const picker = createPicker({
      t: PICKER_WORDS,
      fmt,
      range,
      load: async (from, to) => {
        const q = new URLSearchParams({ service: e.service, from, to, anesthesia: String(!!e.anesthesia) });
        // a first treatment keeps to the screening's first allowed day (the API's rule)
        if (e.screening && (!e.course || e.course.session_number === 1)) q.set('screening_id', e.screening.id);
        const r = await app.call(`/api/v1/availability?${q}`);
        return r.slots;
      },
      onChoose: (slot) => {
        chosen = slot;
        confirm.disabled = false;
        chosenNote.textContent = `New time: ${fmt.day(slot.start)}, ${fmt.time(slot.start)}.`;
      },
    });
    confirm.addEventListener('click', () => {
      if (!chosen) return;
      act('reschedule', `Moved to ${fmt.day(chosen.start)}, ${fmt.time(chosen.start)}. The client is told.`, {
        start: chosen.start,
        practitioner_id: chosen.practitioner_id,
      }, (err) => {
        // taken meanwhile, or now too close: the times again, without it
        if (err.code !== 'slot_taken' && !err.startRefused) return;
        chosen = null;
        confirm.disabled = true;
        chosenNote.textContent = '';
        picker.refresh().catch(() => {});
      });
    });
    const section = h(
      'section',
      { class: 'visit-panel', 'aria-labelledby': 'reschedule-title' },
      h('h3', { id: 'reschedule-title', tabindex: '-1' }, 'Choose a new time'),
      windowNote,
      picker.el,
      chosenNote,
      h('div', { class: 'actions' }, confirm, h('button', { type: 'button', class: 'secondary', onclick: () => closePanel() }, 'Keep the time')),
    );
    panel = section;
    body.append(section);
    section.querySelector('#reschedule-title').focus();
    picker.refresh().catch((err) => {
      if (!(err instanceof SessionEnded)) alert.replaceChildren(h('p', { class: 'notice error' }, explain(err)));
    });
  }

  dialog.append(
    h('div', { class: 'dialog-head' }, h('button', { type: 'button', class: 'secondary close', onclick: close }, 'Close')),
    status,
    alert,
    outcome,
    body,
  );
  render();
  document.body.append(dialog);
  dialog.showModal();
  dialog.querySelector('#visit-title')?.focus();
}

/** The screening's flags for the clinician (questionnaire v2), or null when none is raised. */
function screeningFlags(s, fmt) {
  if (!s) return null;
  const flags = [];
  if (s.cold_sore_history) flags.push('History of cold sores: ask about antiviral cover');
  if (s.no_numbing_cream) flags.push('Allergy to local anaesthetics: no numbing cream');
  if (s.eligible_from) flags.push(`Eligible from ${fmt.civilYear(s.eligible_from)}`);
  return flags.length ? ['Flags', flags.join('; ')] : null;
}
