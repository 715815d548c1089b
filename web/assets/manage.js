// /manage#<secret>: the client's own booking. The secret (the manage token or an email link's
// secret) is read from the fragment and only ever sent in the Authorization header. Every
// decision (what may change, what is free, what the answers mean) is the API's.
import { api, apiText, ApiError } from './api.js';
import { loadClinic } from './clinic.js';
import { h, fill, focusOn, setChildren } from './dom.js';
import { createPicker } from './picker.js';
import { createQuestions, reasonList } from './screening.js';
import { clearErrors, markField, showSummary } from './errors.js';

const main = document.getElementById('main');

start().catch((e) => {
  console.error(e);
  const loading = document.getElementById('loading');
  if (loading) loading.textContent = 'This page could not load. Please call the clinic.';
});

async function start() {
  const { clinic, t, fmt } = await loadClinic();
  document.title = `${t.pageTitleManage} – ${clinic.name}`;
  document.getElementById('title').textContent = t.pageTitleManage;
  let secret = '';
  try {
    secret = decodeURIComponent(location.hash.slice(1)).trim();
  } catch {
    secret = '';
  }
  const page = new ManagePage({ clinic, t, fmt, secret });
  await page.load();
}

class ManagePage {
  constructor({ clinic, t, fmt, secret }) {
    Object.assign(this, { clinic, t, fmt, secret });
    this.booking = null;
    this.questions = null; // the questionnaire, loaded when first needed
    this.practitioners = null; // the clinic's practitioners, loaded when first needed
    this.notice = h('div', { id: 'notice', tabindex: '-1', hidden: true });
    this.list = h('div', { id: 'sessions' });
    // The consent before the needle: shown when a session needs it, before the sessions.
    this.consent = h('section', { id: 'consent', hidden: true });
    this.consentKey = null; // what the consent section shows now (kept while it is the same)
    this.open = null; // the session panel open now (one at a time: the picker has fixed ids)
    // Visit id -> the first local day the client's newest health answers allow (from a 403
    // `not_eligible_until` on re-confirming): the reschedule picker starts there.
    this.firstDay = new Map();
  }

  /** GET /api/v1/booking; 401 (or no secret at all) -> the "link no longer works" page. */
  async load() {
    if (!this.secret) return this.gone();
    let booking;
    try {
      booking = await api('/api/v1/booking', { token: this.secret });
    } catch (err) {
      if (err instanceof ApiError && (err.status === 401 || err.status === 404)) return this.gone();
      return this.failed(err);
    }
    const first = !this.booking;
    this.booking = booking;
    if (first) {
      const loading = document.getElementById('loading');
      const intro = h('p', { class: 'lead', id: 'intro' });
      loading.replaceWith(intro, h('p', { class: 'zone' }, fill(this.t.zoneNote, { zone: this.fmt.zone })), this.consent, this.notice, this.list);
    }
    this.render();
    await this.loadConsent();
  }

  // ---- consent: read and signed here (one signature covers every session of the booking) ----

  /** The visit to read and sign the consent on: a booked session whose consent is missing or
   * outdated (signing needs a booked visit), else any session with a signature; null when no
   * session needs one. */
  consentVisit() {
    const all = this.booking.appointments;
    return (
      all.find((a) => a.status === 'booked' && (a.consent === 'missing' || a.consent === 'outdated')) ||
      all.find((a) => a.consent === 'signed') ||
      null
    );
  }

  async loadConsent() {
    const a = this.consentVisit();
    if (!a) {
      this.consentKey = null;
      this.consent.hidden = true;
      this.consent.replaceChildren();
      return;
    }
    let c;
    try {
      c = await api(`/api/v1/bookings/${a.id}/consent`, { token: this.secret });
    } catch (err) {
      return this.actionFailed(err);
    }
    this.renderConsent(a, c);
  }

  /** Signed: only the line saying when and by whom. Missing or outdated: why, the text (as
   * text, its paragraphs kept), "Full name", the tick and "Sign consent". A form already shown
   * for the same version stays as it is (what the client typed is kept). */
  renderConsent(a, c) {
    const { t } = this;
    const ct = t.consent;
    const key = `${c.state}/${c.version}/${c.signed ? c.signed.at : ''}`;
    if (key === this.consentKey && !this.consent.hidden) return;
    this.consentKey = key;
    this.consent.removeAttribute('aria-labelledby');
    this.consent.removeAttribute('aria-label');
    if (c.state === 'not_needed') {
      this.consent.hidden = true;
      this.consent.replaceChildren();
      return;
    }
    if (c.state === 'signed') {
      this.consent.className = 'consent consent--signed';
      this.consent.setAttribute('aria-label', ct.title);
      setChildren(this.consent, h('p', { class: 'panel', id: 'consent-signed' }, this.signedWords(c.signed)));
      this.consent.hidden = false;
      return;
    }
    const errorBox = h('div', { class: 'error-summary', role: 'alert', tabindex: '-1', hidden: true });
    const name = h('input', {
      type: 'text',
      id: 'consent-name',
      name: 'consent-name',
      autocomplete: 'name',
      spellcheck: 'false',
      'aria-describedby': 'consent-name-hint',
    });
    const agree = h('input', { type: 'checkbox', id: 'consent-agree', name: 'consent-agree' });
    const sign = h('button', { type: 'submit', id: 'consent-sign' }, ct.sign);
    const paragraphs = String(c.text || '')
      .split(/\n\s*\n/)
      .map((p) => p.trim())
      .filter(Boolean)
      .map((p) => h('p', {}, p));
    const form = h(
      'form',
      { novalidate: true, onsubmit: (e) => this.signConsent(e, a, { form, errorBox, name, agree, sign }) },
      errorBox,
      h('div', { class: 'field' }, h('label', { for: 'consent-name' }, ct.name), h('span', { class: 'hint', id: 'consent-name-hint' }, ct.nameHint), name),
      h('div', { class: 'field' }, h('div', { class: 'choice' }, agree, h('div', {}, h('label', { for: 'consent-agree' }, ct.agree)))),
      h('div', { class: 'actions' }, sign),
    );
    this.consent.className = 'consent';
    this.consent.setAttribute('aria-labelledby', 'consent-heading');
    setChildren(
      this.consent,
      h('h2', { id: 'consent-heading' }, ct.title),
      c.state === 'outdated' && c.signed ? h('p', { class: 'panel warn' }, fill(ct.outdated, { date: this.fmt.date(c.signed.at) })) : null,
      h('p', {}, ct.why),
      h('p', {}, ct.atClinic),
      h(
        'div',
        { class: 'consent-text' },
        h('h3', { id: 'consent-text-title' }, c.title || ct.title),
        paragraphs,
      ),
      form,
    );
    this.consent.hidden = false;
  }

  signedWords(signed) {
    const ct = this.t.consent;
    const date = this.fmt.date(signed.at);
    return signed.by ? fill(ct.signed, { date, name: signed.by }) : fill(ct.signedNoName, { date });
  }

  async signConsent(e, a, { form, errorBox, name, agree, sign }) {
    e.preventDefault();
    const ct = this.t.consent;
    clearErrors(form, errorBox);
    this.quiet();
    sign.disabled = true;
    sign.textContent = ct.signing;
    let c;
    try {
      c = await api(`/api/v1/bookings/${a.id}/consent`, {
        method: 'POST',
        body: { full_name: name.value, agree: agree.checked },
        token: this.secret,
      });
    } catch (err) {
      sign.disabled = false;
      sign.textContent = ct.sign;
      if (err instanceof ApiError && err.code === 'validation_failed') {
        // Each field the API names, in our words (the API's message for anything else).
        const targets = { full_name: name, agree };
        const items = Object.entries(err.details).map(([field, m]) => {
          const target = targets[field] || null;
          const message = ct.errors[field] || (m ? m[0].toUpperCase() + m.slice(1) : fill(this.t.generic, { phone: this.clinic.phone }));
          if (target) markField(target, message);
          return { target, message };
        });
        return showSummary(errorBox, this.t.errorTitle, items);
      }
      return this.actionFailed(err);
    }
    // Signed (201), or this version was signed already (200: the first signature stands).
    this.renderConsent(a, c);
    const line = document.getElementById('consent-signed');
    if (line) {
      line.setAttribute('role', 'status');
      focusOn(line);
    }
    await this.load();
  }

  gone() {
    const { t, clinic } = this;
    document.title = `${t.linkGoneTitle} – ${clinic.name}`;
    const title = document.getElementById('title');
    title.textContent = t.linkGoneTitle;
    const loading = document.getElementById('loading');
    const body = [
      h('p', { class: 'lead' }, t.linkGoneText),
      h(
        'p',
        {},
        fill(t.linkGoneContact, { phone: clinic.phone, email: clinic.email }),
      ),
      h('p', {}, h('a', { href: '/book' }, t.bookAgain)),
    ];
    if (loading) loading.replaceWith(...body);
    else setChildren(main, title, body);
  }

  failed(err) {
    const { t, clinic } = this;
    const text = err instanceof ApiError && err.code === 'network' ? t.network : fill(t.generic, { phone: clinic.phone });
    const loading = document.getElementById('loading');
    const p = h('p', { class: 'notice error', role: 'alert' }, text);
    if (loading) loading.replaceWith(p);
    else this.say(text, true);
  }

  /** A message above the sessions, focused so it is read out. */
  say(text, error = false, ...more) {
    this.notice.className = error ? 'notice error' : 'notice';
    this.notice.setAttribute('role', error ? 'alert' : 'status');
    setChildren(this.notice, h('p', {}, text), more);
    this.notice.hidden = false;
    focusOn(this.notice);
  }

  quiet() {
    this.notice.hidden = true;
    this.notice.replaceChildren();
  }

  serviceName(code) {
    return this.t.services[code] || code;
  }

  render() {
    const { t, booking } = this;
    const n = booking.appointments.length;
    document.getElementById('intro').textContent =
      n > 1
        ? fill(t.manageIntroCourse, { service: this.serviceName(booking.service), n })
        : fill(t.manageIntroOne, { service: this.serviceName(booking.service) });
    this.open = null;
    this.list.replaceChildren(...booking.appointments.map((a) => this.session(a, n > 1)));
  }

  session(a, several) {
    const { t, fmt } = this;
    const headingId = `session-${a.session_number}-heading`;
    const title = several ? fill(t.sessionTitle, { n: a.session_number }) : this.serviceName(a.service);
    const panel = h('div', { class: 'visit-panel', hidden: true });
    const live = a.status === 'booked';
    const facts = h(
      'dl',
      { class: 'facts' },
      h('dt', {}, t.when),
      h('dd', { class: 'when' }, fill(t.whenLine, { day: fmt.dayYear(a.start), from: fmt.time(a.start), to: fmt.time(a.end) })),
      h('dt', {}, t.with),
      h('dd', {}, a.practitioner_name || t.practitionerUnknown),
      h('dt', {}, t.statusLabel),
      h('dd', { class: `status status--${a.status}` }, t.statuses[a.status] || a.status),
    );
    const actions = h('div', { class: 'actions' });
    if (a.can_change) {
      actions.append(
        h('button', { type: 'button', onclick: () => this.openReschedule(a, panel) }, t.reschedule),
        h('button', { type: 'button', class: 'secondary', onclick: () => this.askCancel(a, panel) }, t.cancel),
      );
    }
    if (a.needs_reconfirmation) {
      actions.append(h('button', { type: 'button', class: 'secondary', onclick: () => this.openReconfirm(a, panel) }, t.confirmAnswers));
    }
    if (live || a.status === 'checked_in') {
      actions.append(h('a', { href: '#', class: 'calendar-link', onclick: (e) => this.calendar(e, a) }, t.addToCalendar));
    }
    const locked =
      live && !a.can_change
        ? h('p', { class: 'panel warn' }, fill(t.tooLate, { notice: this.booking.change_deadline_notice, phone: this.clinic.phone }))
        : null;
    return h(
      'section',
      { class: `visit${live ? '' : ' visit--past'}`, 'aria-labelledby': headingId, 'data-session': a.session_number },
      h('h2', { id: headingId }, title),
      facts,
      locked,
      actions.childElementCount ? actions : null,
      panel,
    );
  }

  /** Opens one session's panel, closing any other. */
  show(panel, ...children) {
    if (this.open && this.open !== panel) {
      this.open.hidden = true;
      this.open.replaceChildren();
    }
    this.open = panel;
    setChildren(panel, children);
    panel.hidden = false;
  }

  close(panel) {
    panel.hidden = true;
    panel.replaceChildren();
    if (this.open === panel) this.open = null;
  }

  // ---- cancel: asked on the page (no browser dialog), then POST and a fresh overview ----

  askCancel(a, panel) {
    const { t, fmt } = this;
    this.quiet();
    const heading = h('h3', {}, t.cancelTitle);
    const yes = h('button', { type: 'button', class: 'danger', onclick: () => this.cancel(a, yes) }, t.cancelYes);
    this.show(
      panel,
      heading,
      h('p', {}, fill(t.cancelQuestion, { day: fmt.day(a.start), time: fmt.time(a.start) })),
      h('div', { class: 'actions' }, yes, h('button', { type: 'button', class: 'secondary', onclick: () => this.close(panel) }, t.cancelNo)),
    );
    focusOn(heading);
  }

  async cancel(a, button) {
    const { t } = this;
    button.disabled = true;
    try {
      await api(`/api/v1/bookings/${a.id}/cancel`, { method: 'POST', body: {}, token: this.secret });
    } catch (err) {
      button.disabled = false;
      return this.actionFailed(err);
    }
    await this.load();
    this.say(fill(t.cancelled, { day: this.fmt.day(a.start), time: this.fmt.time(a.start) }));
  }

  // ---- reschedule: the same picker as /book ----

  /** A course session's window in words ("…from Tuesday, 29 December 2026 to …"); null
   * when the course sets no bound that is still ahead. */
  windowWords(w) {
    const { t, fmt } = this;
    if (!w) return null;
    const from = w.from && w.from > this.today() ? w.from : null;
    const vars = { days: w.min_interval_days, phone: this.clinic.phone };
    if (this.windowEmpty(w)) return fill(t.windowNone, vars);
    if (from && w.to) return fill(t.windowBoth, { ...vars, from: fmt.civilYear(from), to: fmt.civilYear(w.to) });
    if (from) return fill(t.windowFrom, { ...vars, from: fmt.civilYear(from) });
    if (w.to) return fill(t.windowTo, { ...vars, to: fmt.civilYear(w.to) });
    return null;
  }

  today() {
    return this.fmt.localDate(new Date().toISOString());
  }

  /** No day left: the neighbours are too close together, or the last allowed day is past. */
  windowEmpty(w) {
    if (!w || !w.to) return false;
    const first = w.from && w.from > this.today() ? w.from : this.today();
    return first > w.to;
  }

  async openReschedule(a, panel) {
    const { t, fmt } = this;
    this.quiet();
    if (!this.practitioners) {
      try {
        this.practitioners = await api('/api/v1/practitioners');
      } catch (err) {
        return this.actionFailed(err);
      }
    }
    const heading = h('h3', {}, t.rescheduleTitle);
    const now = h('p', {}, fill(t.rescheduleNow, { day: fmt.day(a.start), time: fmt.time(a.start) }));
    const keep = h('div', { class: 'actions' }, h('button', { type: 'button', class: 'secondary', onclick: () => this.close(panel) }, t.keepTime));
    const w = a.reschedule_window;
    const windowNote = this.windowWords(w);
    if (this.windowEmpty(w)) {
      // No date keeps the course's spacing: say so, no picker.
      this.show(panel, heading, now, h('p', { class: 'panel warn' }, windowNote), keep);
      focusOn(heading);
      return;
    }
    // After health answers that allow a treatment only from a later day: the days from then.
    const health = this.firstDay.get(a.id) || null;
    const range = w ? { from: w.from, to: w.to } : {};
    if (health && (!range.from || health > range.from)) range.from = health;
    if (health && range.to && health > range.to) {
      this.show(panel, heading, now, h('p', { class: 'panel warn' }, fill(t.moveNone, { phone: this.clinic.phone })), keep);
      focusOn(heading);
      return;
    }
    const healthNote = health ? h('p', { class: 'hint', id: 'move-health' }, fill(t.moveFromHealth, { date: fmt.civilYear(health) })) : null;
    const confirm = h('div', { class: 'summary', hidden: true });
    const taken = h('div', { class: 'notice error', role: 'alert', tabindex: '-1', hidden: true });
    // Practitioner: the visit's own by default (a course is best with one person), or any.
    const current = this.practitioners.some((p) => p.id === a.practitioner_id) ? a.practitioner_id : '';
    const select = h(
      'select',
      {
        id: 'move-practitioner',
        onchange: () => {
          confirm.hidden = true;
          taken.hidden = true;
          picker.clear();
          picker.refresh().catch((err) => this.actionFailed(err));
        },
      },
      h('option', { value: '' }, t.anyPractitioner),
      this.practitioners.map((p) => h('option', { value: p.id }, p.name)),
    );
    select.value = current;
    const picker = createPicker({
      t,
      fmt,
      range,
      load: async (from, to) => {
        const q = new URLSearchParams({ service: a.service, from, to });
        if (select.value) q.set('practitioner_id', select.value);
        if (a.anesthesia) q.set('anesthesia', 'true');
        return (await api(`/api/v1/availability?${q}`)).slots;
      },
      onChoose: (slot) => this.confirmMove(a, slot, select.value, { picker, taken, confirm }),
    });
    this.show(
      panel,
      heading,
      now,
      // The course's bound only when the health answers' first day does not already say it.
      windowNote && !(health && !w.to && health >= (w.from || '')) ? h('p', { class: 'hint', id: 'move-window' }, windowNote) : null,
      healthNote,
      h('div', { class: 'field' }, h('label', { for: 'move-practitioner' }, t.practitioner), select),
      taken,
      picker.el,
      confirm,
      keep,
    );
    focusOn(heading);
    picker.refresh().catch((err) => this.actionFailed(err));
  }

  /** The chosen time, to confirm; a warning first when it lies inside the notice window
   * (after the move it could not be changed online again). */
  confirmMove(a, slot, practitionerId, parts) {
    const { t, fmt, booking, clinic } = this;
    const { confirm } = parts;
    const who = practitionerId && this.practitioners.find((p) => p.id === practitionerId);
    const question = who
      ? fill(t.moveToWith, { day: fmt.day(slot.start), time: fmt.time(slot.start), name: who.name })
      : fill(t.moveTo, { day: fmt.day(slot.start), time: fmt.time(slot.start) });
    const moveHeading = h('h4', {}, question);
    const late = new Date(slot.start).getTime() - Date.now() < booking.change_deadline_seconds * 1000;
    const warning = late
      ? h('p', { class: 'panel warn', id: 'move-warning' }, fill(t.moveLateWarning, { notice: booking.change_deadline_notice, phone: clinic.phone }))
      : null;
    const go = h(
      'button',
      {
        type: 'button',
        'aria-describedby': late ? 'move-warning' : null,
        onclick: () => this.reschedule(a, slot, practitionerId, go, parts),
      },
      t.moveButton,
    );
    setChildren(confirm, moveHeading, warning, h('div', { class: 'actions' }, go));
    confirm.hidden = false;
    focusOn(moveHeading);
  }

  async reschedule(a, slot, practitionerId, button, { picker, taken, confirm }) {
    const { t, fmt } = this;
    button.disabled = true;
    // "Any practitioner": no id, so the API keeps the visit's own practitioner if free.
    const body = { start: slot.start };
    if (practitionerId) body.practitioner_id = practitionerId;
    try {
      await api(`/api/v1/bookings/${a.id}/reschedule`, { method: 'POST', body, token: this.secret });
    } catch (err) {
      button.disabled = false;
      if (err instanceof ApiError && (err.code === 'slot_taken' || err.startRefused)) {
        confirm.hidden = true;
        picker.clear();
        try {
          await picker.refresh();
        } catch (e) {
          return this.actionFailed(e);
        }
        taken.textContent = err.code === 'slot_taken' ? t.slotTaken : t.slotGone;
        taken.hidden = false;
        focusOn(taken);
        return;
      }
      return this.actionFailed(err);
    }
    await this.load();
    this.say(fill(t.moved, { n: a.session_number, day: fmt.day(slot.start), time: fmt.time(slot.start) }));
  }

  // ---- health answers again, before a repeat session ----

  async openReconfirm(a, panel) {
    const { t } = this;
    this.quiet();
    if (!this.questions) {
      try {
        this.questions = (await api('/api/v1/screening/questions')).questions;
      } catch (err) {
        return this.actionFailed(err);
      }
    }
    const heading = h('h3', {}, t.healthQuestions);
    const errorBox = h('div', { class: 'error-summary', role: 'alert', tabindex: '-1', hidden: true });
    const questions = createQuestions({ t, fmt: this.fmt, questions: this.questions, base: `s${a.session_number}-q` });
    const send = h('button', { type: 'submit' }, t.sendAnswers);
    const form = h(
      'form',
      { novalidate: true, onsubmit: (e) => this.reconfirm(e, a, panel, { form, errorBox, send, questions }) },
      errorBox,
      h('p', {}, t.reconfirmIntro),
      questions.el,
      h('div', { class: 'actions' }, send, h('button', { type: 'button', class: 'secondary', onclick: () => this.close(panel) }, t.notNow)),
    );
    this.show(panel, heading, form);
    focusOn(heading);
  }

  async reconfirm(e, a, panel, { form, errorBox, send, questions }) {
    e.preventDefault();
    const { t, clinic } = this;
    clearErrors(form, errorBox);
    // Unanswered questions and missing or future dates: said before anything is sent.
    const problems = questions.problems();
    if (problems.length) return this.answerErrors(errorBox, problems);
    send.disabled = true;
    let r;
    try {
      r = await api(`/api/v1/bookings/${a.id}/reconfirm`, { method: 'POST', body: { answers: questions.answers() }, token: this.secret });
    } catch (err) {
      send.disabled = false;
      if (err instanceof ApiError && err.code === 'validation_failed') {
        const fields = Object.entries(err.details).filter(([field]) => field.startsWith('answers'));
        if (fields.length) return this.answerErrors(errorBox, fields.map(([field, m]) => questions.errorFor(field.split('.')[1], m)));
      }
      if (err instanceof ApiError && err.code === 'not_eligible_until' && err.details && err.details.eligible_from) {
        return this.tooEarly(a, panel, err.details.eligible_from);
      }
      return this.actionFailed(err);
    }
    await this.load();
    const reasons = reasonList(t, this.fmt, r.reasons);
    if (r.outcome === 'eligible') this.say(fill(t.reconfirmThanks, { n: a.session_number }), false, reasons);
    else if (r.outcome === 'contraindicated')
      this.say(t.reconfirmContra, false, reasons, h('p', {}, fill(t.reconfirmContraCall, { phone: clinic.phone })));
    else this.say(t.reconfirmReview, false, reasons, h('p', {}, fill(t.reviewCall, { phone: clinic.phone })));
  }

  /** The answers' errors ({target, message, inline}) in the summary and at each field. */
  answerErrors(errorBox, items) {
    for (const { target, inline } of items) markField(target, inline);
    showSummary(errorBox, this.t.errorTitle, items);
  }

  /** 403 `not_eligible_until`: the new answers allow a treatment only after this visit's day
   * (nothing was stored). Said in words, with "Reschedule" (its picker then starts on that day)
   * and the phone. */
  tooEarly(a, panel, from) {
    const { t, fmt, clinic } = this;
    this.firstDay.set(a.id, from);
    const date = fmt.civilYear(from);
    const heading = h('h3', {}, t.reconfirmTooEarlyTitle);
    const next = a.can_change ? fill(t.reconfirmMoveFirst, { date, phone: clinic.phone }) : fill(t.reconfirmCallFirst, { phone: clinic.phone });
    const message = h(
      'div',
      { class: 'notice error', role: 'alert', id: `session-${a.session_number}-too-early` },
      h('p', {}, fill(t.reconfirmTooEarly, { date, day: fmt.dayYear(a.start) })),
      h('p', {}, next),
    );
    this.show(
      panel,
      heading,
      message,
      h(
        'div',
        { class: 'actions' },
        a.can_change ? h('button', { type: 'button', onclick: () => this.openReschedule(a, panel) }, t.reschedule) : null,
        h('button', { type: 'button', class: 'secondary', onclick: () => this.close(panel) }, t.notNow),
      ),
    );
    focusOn(heading);
  }

  // ---- the .ics, fetched with the bearer and offered from a Blob URL ----

  async calendar(e, a) {
    e.preventDefault();
    let text;
    try {
      text = await apiText(`/api/v1/bookings/${a.id}/calendar.ics`, this.secret);
    } catch (err) {
      return this.actionFailed(err);
    }
    const url = URL.createObjectURL(new Blob([text], { type: 'text/calendar' }));
    const link = h('a', { href: url, download: fill(this.t.calendarSessionFile, { n: a.session_number }), hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
  }

  /** A failed action: the API's message for a 409 (meant for the client), else our words. */
  async actionFailed(err) {
    const { t, clinic } = this;
    if (err instanceof ApiError && err.status === 401) {
      this.list.replaceChildren();
      this.notice.hidden = true;
      document.getElementById('intro')?.remove();
      main.querySelector('.zone')?.remove();
      return this.gone();
    }
    let text = fill(t.generic, { phone: clinic.phone });
    if (err instanceof ApiError) {
      if (err.code === 'network') text = t.network;
      else if (err.code === 'rate_limited') text = t.rateLimited;
      else if (err.code === 'conflict' && err.details && 'min_interval_days' in err.details) {
        // The course's spacing: our words, with the dates the API names.
        const w = { from: err.details.earliest, to: err.details.latest, min_interval_days: err.details.min_interval_days };
        text = [t.spacingRefused, this.windowWords(w)].filter(Boolean).join(' ');
      } else if (err.status === 409 && err.message) text = err.message;
    } else {
      console.error(err);
    }
    if (err instanceof ApiError && err.status === 409) await this.load().catch(() => {});
    this.say(text, true);
  }
}
