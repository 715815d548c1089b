// /book: choose a treatment, answer the screening, pick a time, book. Every decision (who may
// book, what is free, whether a booking holds) is the API's; this page asks and shows.
import { api, apiText, ApiError } from './api.js';
import { loadClinic } from './clinic.js';
import { h, fill, focusOn, setChildren } from './dom.js';
import { createPicker } from './picker.js';
import { mergeCalendars } from './ics.js';
import { createQuestions, reasonList } from './screening.js';
import { clearErrors, markField, showSummary } from './errors.js';

const main = document.getElementById('main');

start().catch((e) => {
  console.error(e);
  const loading = document.getElementById('loading');
  if (loading) loading.textContent = 'The booking page could not load. Please reload it.';
});

async function start() {
  const { clinic, t, fmt } = await loadClinic();
  document.title = `${t.pageTitleBook} – ${clinic.name}`;
  document.getElementById('title').textContent = t.pageTitleBook;
  const [services, questionnaire, practitioners] = await Promise.all([
    api('/api/v1/services'),
    api('/api/v1/screening/questions'),
    api('/api/v1/practitioners'),
  ]);
  document.getElementById('loading').remove();
  new BookingPage({ clinic, t, fmt, services, questions: questionnaire.questions, practitioners });
}

/** A radio or checkbox with its label (the accessible name) and an optional hint beside it,
 * tied to the input by aria-describedby (`<id>-hint`), so the name stays just the label. */
function choice(input, label, hint) {
  return h(
    'div',
    { class: 'choice' },
    input,
    h('div', {}, h('label', { for: input.id }, label), hint ? h('span', { class: 'hint', id: `${input.id}-hint` }, hint) : null),
  );
}

class BookingPage {
  constructor({ clinic, t, fmt, services, questions, practitioners }) {
    Object.assign(this, { clinic, t, fmt, services, questions, practitioners });
    this.screening = null; // the API's answer to the last screening
    this.bookService = null; // the service the picker books
    this.summary = h('section', { class: 'summary', hidden: true });
    this.buildForm();
    this.outcome = h('section', { id: 'outcome', hidden: true });
    this.times = h('section', { id: 'times', hidden: true });
    this.done = h('section', { id: 'booked', hidden: true });
    main.append(this.form, this.outcome, this.times, this.done);
  }

  // ---- step 1: treatment, details, health questions ----

  buildForm() {
    const { t } = this;
    this.summaryBox = h('div', { class: 'error-summary', role: 'alert', tabindex: '-1', hidden: true });
    const serviceChoices = this.services.map((s) =>
      choice(
        h('input', { type: 'radio', name: 'service', id: `service-${s.code}`, value: s.code, 'aria-describedby': `service-${s.code}-hint` }),
        t.services[s.code] || s.name,
        this.serviceHint(s),
      ),
    );
    this.serviceSet = h(
      'fieldset',
      { class: 'field', id: 'service' },
      h('legend', {}, t.treatment),
      h('div', { class: 'choices stacked' }, serviceChoices),
    );
    this.answers = createQuestions({ t, fmt: this.fmt, questions: this.questions });
    this.questionBlock = h(
      'div',
      { id: 'questions', hidden: true },
      h('h2', {}, t.healthQuestions),
      h('p', {}, t.healthIntro),
      this.answers.el,
    );
    this.notice = h('p', { class: 'notice', role: 'status', hidden: true });
    this.form = h(
      'form',
      { id: 'details', novalidate: true, onsubmit: (e) => this.submit(e) },
      this.summaryBox,
      this.serviceSet,
      h('h2', {}, t.yourDetails),
      this.textField('full-name', t.fullName, 'text', 'name'),
      this.textField('email', t.email, 'email', 'email', t.emailHint),
      this.textField('phone', t.phone, 'tel', 'tel', t.phoneHint),
      this.questionBlock,
      this.notice,
      h('div', { class: 'actions' }, h('button', { type: 'submit', id: 'continue' }, t.continue)),
    );
    this.form.addEventListener('change', (e) => {
      if (e.target.name === 'service') this.showQuestions();
      this.stale();
    });
    this.form.addEventListener('input', () => this.stale());
  }

  /** "60 minutes, €49. <what it is>": the length and (when the clinic lists one) the price. */
  serviceHint(s) {
    const { t, fmt } = this;
    const hint = t.serviceHints[s.code];
    const minutes = fill(t.minutes, { n: s.duration_minutes });
    const facts = s.price ? fill(t.minutesPrice, { minutes, price: fmt.money(s.price) }) : minutes;
    return hint ? `${facts}. ${hint}` : facts;
  }

  textField(id, label, type, autocomplete, hint) {
    const hintEl = hint ? h('span', { class: 'hint', id: `${id}-hint` }, hint) : null;
    return h(
      'div',
      { class: 'field', 'data-for': id },
      h('label', { for: id }, label),
      hintEl,
      h('input', {
        type,
        id,
        name: id,
        autocomplete,
        spellcheck: type === 'text' ? 'false' : null,
        'aria-describedby': hint ? `${id}-hint` : null,
      }),
    );
  }

  chosenService() {
    const code = this.form.elements.service.value;
    return this.services.find((s) => s.code === code) || null;
  }

  showQuestions() {
    const s = this.chosenService();
    this.questionBlock.hidden = !(s && s.requires_screening);
  }

  /** Anything typed after an outcome was shown makes it stale: hide it, keep every answer. */
  stale() {
    if (this.outcome.hidden && this.times.hidden) return;
    this.outcome.hidden = true;
    this.times.hidden = true;
    this.notice.textContent = this.t.changed;
    this.notice.hidden = false;
  }

  client() {
    const v = (id) => this.form.elements[id].value.trim();
    const c = { name: v('full-name'), email: v('email') };
    if (v('phone')) c.phone = v('phone');
    return c;
  }

  async submit(e) {
    e.preventDefault();
    const { t } = this;
    this.clearErrors();
    this.notice.hidden = true;
    const service = this.chosenService();
    if (!service) {
      this.showErrors({ service: '' });
      return;
    }
    if (!service.requires_screening) {
      this.screening = null;
      this.openPicker(service.code, t.pickTitle, null);
      return;
    }
    const answers = this.answers.answers();
    const button = this.form.querySelector('#continue');
    button.disabled = true;
    try {
      this.screening = await api('/api/v1/screenings', { method: 'POST', body: { client: this.client(), answers } });
      this.showOutcome(service);
    } catch (err) {
      this.handleError(err);
    } finally {
      button.disabled = false;
    }
  }

  // ---- errors: an error summary at the top linking to each field (GOV.UK) ----

  clearErrors() {
    clearErrors(main, this.summaryBox);
  }

  /** details: the API's 422 details ({field: message}); known fields get our own words. */
  showErrors(details) {
    const { t } = this;
    const items = [];
    for (const [field, apiMessage] of Object.entries(details)) {
      if (field.startsWith('answers')) {
        // The question's own words: yes/no, or its date (missing, not a date, in the future).
        const { target, message, inline } = this.answers.errorFor(field.split('.')[1], apiMessage);
        items.push({ target, message });
        markField(target, inline);
        continue;
      }
      const target = this.fieldFor(field);
      // Our own words where we know the field; otherwise the API's message.
      let message = apiMessage ? apiMessage[0].toUpperCase() + apiMessage.slice(1) : fill(t.generic, { phone: this.clinic.phone });
      if (t.errors[field] && (field !== 'client.name' || !this.valueOf(target))) {
        message = t.errors[field];
      }
      items.push({ target, message });
      if (target) markField(target, message);
    }
    // In the order of the fields on the page (GOV.UK), not the order of the API's map.
    showSummary(this.summaryBox, t.errorTitle, items);
  }

  /** The control an API field name refers to. */
  fieldFor(field) {
    const byName = {
      service: 'service-' + (this.services[0] && this.services[0].code),
      'client.name': 'full-name',
      'client.email': 'email',
      'client.phone': 'phone',
      client: 'full-name',
      sessions: 'sessions',
      practitioner_id: 'practitioner',
      anesthesia: 'numbing',
    };
    return byName[field] ? document.getElementById(byName[field]) : null;
  }

  valueOf(input) {
    return input && 'value' in input && input.type !== 'radio' ? input.value.trim() : '';
  }

  handleError(err) {
    const { t } = this;
    if (err instanceof ApiError && err.code === 'validation_failed') {
      this.showErrors(err.details);
      return;
    }
    let text = fill(t.generic, { phone: this.clinic.phone });
    if (err instanceof ApiError) {
      if (err.code === 'network') text = t.network;
      else if (err.code === 'rate_limited') text = t.rateLimited;
      else if (err.code === 'screening_not_passed') text = fill(t.notPassed, { phone: this.clinic.phone });
      else if (err.code === 'not_eligible_until') text = this.notEligibleWords(err);
      else if (err.status === 400 || err.status === 403 || err.status === 404) text = fill(t.generic, { phone: this.clinic.phone });
    } else {
      console.error(err);
    }
    this.summaryBox.replaceChildren(h('h2', {}, t.errorTitle), h('p', {}, text));
    this.summaryBox.hidden = false;
    focusOn(this.summaryBox);
  }

  // ---- step 2: the outcome in plain words ----

  showOutcome(service) {
    const { t, fmt } = this;
    const s = this.screening;
    const reasons = () => reasonList(t, fmt, s.reasons);
    const consult = this.services.find((x) => !x.requires_screening);
    const consultButton = consult
      ? h('div', { class: 'actions' }, h('button', {
          type: 'button',
          onclick: () => this.openPicker(consult.code, t.pickConsultTitle, null),
        }, t.bookConsult))
      : null;
    if (s.outcome === 'eligible') {
      // Eligible, perhaps with something to know (no numbing cream, antiviral cover) and a
      // first day (a recent laser treatment, say): said before the times, which start then.
      const from = s.eligible_from ? h('p', { id: 'eligible-from' }, h('strong', {}, fill(t.bookFrom, { date: fmt.civilYear(s.eligible_from) }))) : null;
      const notes = s.reasons.length || from
        ? h('div', { class: 'panel', id: 'eligible-notes' }, s.reasons.length ? h('p', {}, t.eligibleNotes) : null, reasons(), from)
        : null;
      this.outcome.hidden = true;
      this.openPicker(service.code, t.pickTitle, t.eligibleText, notes);
      return;
    }
    const heading = h('h2', {}, s.outcome === 'contraindicated' ? t.contraTitle : t.reviewTitle);
    if (s.outcome === 'contraindicated') {
      setChildren(this.outcome, heading, h('p', {}, t.contraText), reasons(), h('p', {}, t.consultOffer), consultButton);
    } else {
      setChildren(this.outcome, 
        heading,
        h('p', {}, t.reviewText),
        reasons(),
        h('div', { class: 'panel' }, h('p', {}, t.reviewNext), h('p', {}, fill(t.reviewCall, { phone: this.clinic.phone }))),
        h('p', {}, t.consultOffer),
        consultButton,
      );
    }
    this.times.hidden = true;
    this.outcome.hidden = false;
    focusOn(heading);
  }

  // ---- step 3: options, a week of times, the summary and "Book" ----

  openPicker(serviceCode, title, lead, notes = null) {
    const { t } = this;
    this.bookService = serviceCode;
    const isCourseService = serviceCode === 'microneedling';
    // The screening's limits apply to the screened treatment only (not to a consultation).
    const limits = this.limits();
    const numbing = isCourseService && (!limits || limits.numbing_cream_allowed !== false);
    const heading = h('h2', {}, title);
    this.options = h(
      'div',
      { class: 'options' },
      this.practitioners.length > 0
        ? h(
            'div',
            { class: 'field' },
            h('label', { for: 'practitioner' }, t.practitioner),
            h(
              'select',
              { id: 'practitioner', onchange: () => this.reloadTimes() },
              h('option', { value: '' }, t.anyPractitioner),
              this.practitioners.map((p) => h('option', { value: p.id }, p.name)),
            ),
          )
        : null,
      numbing
        ? h(
            'div',
            { class: 'field' },
            choice(
              h('input', { type: 'checkbox', id: 'numbing', 'aria-describedby': 'numbing-hint', onchange: () => this.reloadTimes() }),
              t.numbing,
              t.numbingHint,
            ),
          )
        : null,
      isCourseService
        ? h(
            'div',
            { class: 'field' },
            h('label', { for: 'sessions' }, t.sessions),
            h('span', { class: 'hint', id: 'sessions-hint' }, t.sessionsHint),
            h('input', {
              type: 'number',
              id: 'sessions',
              min: '1',
              step: '1',
              inputmode: 'numeric',
              value: '1',
              'aria-describedby': 'sessions-hint',
              oninput: () => this.sessionsChanged(),
            }),
          )
        : null,
    );
    this.picker = createPicker({
      t,
      fmt: this.fmt,
      range: { from: (limits && limits.eligible_from) || null },
      load: (from, to) => this.loadSlots(from, to),
      onChoose: () => this.renderSummary(true),
    });
    this.summary.hidden = true;
    setChildren(this.times, heading, lead ? h('p', { class: 'lead' }, lead) : null, notes, this.options, this.picker.el, this.summary);
    this.times.hidden = false;
    this.notice.hidden = true;
    focusOn(heading);
    this.picker.refresh().catch((err) => this.handleError(err));
  }

  /** The screening that limits the times offered now (its first day, numbing cream), or null
   * (no screening, or a service it does not concern). */
  limits() {
    const service = this.services.find((s) => s.code === this.bookService);
    return this.screening && service && service.requires_screening ? this.screening : null;
  }

  optionValue(id) {
    const el = document.getElementById(id);
    if (!el) return null;
    return el.type === 'checkbox' ? el.checked : el.value;
  }

  async loadSlots(from, to) {
    const q = new URLSearchParams({ service: this.bookService, from, to });
    const p = this.optionValue('practitioner');
    if (p) q.set('practitioner_id', p);
    if (this.optionValue('numbing')) q.set('anesthesia', 'true');
    const limits = this.limits();
    if (limits) q.set('screening_id', limits.id);
    const answer = await api(`/api/v1/availability?${q}`);
    return answer.slots;
  }

  reloadTimes() {
    this.summary.hidden = true;
    this.picker.clear();
    this.picker.refresh().catch((err) => this.handleError(err));
  }

  renderSummary(moveFocus = false) {
    const { t, fmt } = this;
    // This render reads the sessions as they are now: a re-plan still pending from typing in
    // "Sessions" would only draw the same plan again, hiding it (and "Book") meanwhile.
    clearTimeout(this.previewTimer);
    const slot = this.picker.chosen;
    if (!slot) {
      this.summary.hidden = true;
      return;
    }
    const practitionerId = this.optionValue('practitioner');
    const practitioner = this.practitioners.find((p) => p.id === practitionerId);
    const heading = h('h3', { id: 'summary-heading' }, t.summaryTitle);
    const details = [
      fill(t.summaryOne, {
        service: t.services[this.bookService] || this.bookService,
        day: fmt.day(slot.start),
        time: fmt.time(slot.start),
      }),
    ];
    if (practitioner) details.push(fill(t.summaryWith, { name: practitioner.name }));
    if (this.optionValue('numbing')) details.push(t.summaryNumbing);
    this.bookButton = h('button', { type: 'button', id: 'book', onclick: () => this.book() }, t.book);
    // A course: every planned session, from the API's preview, before "Book".
    this.plan = h('div', { id: 'plan', hidden: true });
    this.planStatus = h('p', { id: 'plan-status', role: 'status' });
    setChildren(this.summary,
      heading,
      h('p', { class: 'lead' }, details.join(', ')),
      this.plan,
      this.planStatus,
      h('div', { class: 'actions' }, this.bookButton),
    );
    this.summary.hidden = false;
    if (moveFocus) focusOn(heading);
    this.previewPlan();
  }

  /** The request body of "Book" (and of its preview) from what is chosen now. */
  bookingBody() {
    const slot = this.picker.chosen;
    const body = { service: this.bookService, start: slot.start };
    const practitionerId = this.optionValue('practitioner');
    if (practitionerId) body.practitioner_id = practitionerId;
    if (this.bookService === 'skin_consultation' || !this.screening) {
      body.client = this.client();
    } else {
      body.screening_id = this.screening.id;
    }
    if (this.optionValue('numbing')) body.anesthesia = true;
    const sessions = this.optionValue('sessions');
    if (sessions != null) {
      const n = Number(sessions);
      body.sessions = Number.isInteger(n) && sessions !== '' ? n : sessions;
    }
    return body;
  }

  /** Sessions changed: plan again shortly after the typing stops. */
  sessionsChanged() {
    clearTimeout(this.previewTimer);
    this.previewTimer = setTimeout(() => this.renderSummary(), 300);
  }

  /** For more than one session, asks POST /api/v1/bookings/preview where every session would
   * go and lists them; "Book" waits for the answer. A later session that cannot be placed is
   * said in plain words and "Book" stays off until the time or the sessions change. */
  async previewPlan() {
    const { t, fmt } = this;
    const mine = (this.previewNo = (this.previewNo || 0) + 1);
    const n = Number(this.optionValue('sessions') || 1);
    const plan = this.plan;
    const status = this.planStatus;
    const button = this.bookButton;
    if (!Number.isInteger(n) || n < 2) {
      plan.hidden = true;
      status.textContent = '';
      button.disabled = false;
      return;
    }
    button.disabled = true;
    status.className = 'muted';
    status.textContent = t.planning;
    let preview;
    try {
      preview = await api('/api/v1/bookings/preview', { method: 'POST', body: this.bookingBody() });
    } catch (err) {
      if (mine !== this.previewNo || !plan.isConnected) return;
      plan.hidden = true;
      status.textContent = '';
      button.disabled = false;
      if (err instanceof ApiError && err.code === 'slot_taken') {
        const k = err.details && err.details.session_number;
        if (k > 1) {
          button.disabled = true;
          status.className = 'notice error';
          const target = err.details.target;
          status.textContent = fill(target ? t.planNoSlot : t.planNoSlotPlain, { n: k, day: target ? fmt.dayYear(target) : '' });
          return;
        }
        await this.slotTaken();
        return;
      }
      // Anything else (a field to correct, the network): "Book" says it in full.
      return;
    }
    if (mine !== this.previewNo || !plan.isConnected) return;
    const heading = h('h4', { id: 'plan-heading' }, t.planTitle);
    const items = preview.appointments.map((a) =>
      h('li', {}, fill(t.sessionLine, { n: a.session_number, day: fmt.dayYear(a.start), from: fmt.time(a.start), to: fmt.time(a.end) })),
    );
    setChildren(plan, heading, h('ul', { class: 'sessions', 'aria-labelledby': 'plan-heading' }, items), h('p', { class: 'hint' }, t.planNote));
    plan.hidden = false;
    status.className = 'visually-hidden';
    status.textContent = fill(t.planned, { n: items.length });
    button.disabled = false;
  }

  async book() {
    const { t } = this;
    const slot = this.picker.chosen;
    if (!slot) return;
    this.clearErrors();
    const body = this.bookingBody();
    this.bookButton.disabled = true;
    this.bookButton.textContent = t.booking;
    try {
      const booked = await api('/api/v1/bookings', {
        method: 'POST',
        body,
        idempotencyKey: crypto.randomUUID(),
      });
      this.showBooked(booked, body.client || this.client());
    } catch (err) {
      this.bookButton.disabled = false;
      this.bookButton.textContent = t.book;
      if (err instanceof ApiError && err.code === 'slot_taken') {
        await this.slotTaken();
      } else if (err instanceof ApiError && err.startRefused) {
        await this.refreshTimes(this.t.slotGone, () => this.picker.refresh());
      } else if (err instanceof ApiError && err.code === 'not_eligible_until') {
        await this.notEligible(err);
      } else {
        this.handleError(err);
      }
    }
  }

  /** 409: say so, refresh the week, keep every answer. */
  async slotTaken() {
    await this.refreshTimes(this.t.slotTaken, () => this.picker.refresh());
  }

  /** 403 `not_eligible_until` (the picker offered an earlier day: a clock or a race): say
   * from when, and show the times from that day. */
  async notEligible(err) {
    const from = err.details && err.details.eligible_from;
    const limits = this.limits();
    if (from && limits) limits.eligible_from = from;
    await this.refreshTimes(this.notEligibleWords(err), () => (from ? this.picker.startFrom(from) : this.picker.refresh()));
  }

  notEligibleWords(err) {
    const from = err.details && err.details.eligible_from;
    return from ? fill(this.t.notEligibleUntil, { date: this.fmt.civilYear(from) }) : err.message || fill(this.t.generic, { phone: this.clinic.phone });
  }

  /** Hides the summary, reloads the times with `reload`, then says `text` above them. */
  async refreshTimes(text, reload) {
    this.summary.hidden = true;
    this.picker.clear();
    this.times.querySelector('#slot-taken')?.remove();
    try {
      await reload();
    } catch (err) {
      this.handleError(err);
      return;
    }
    // Said once the times shown are the fresh ones.
    const note = h('div', { class: 'notice error', role: 'alert', tabindex: '-1', id: 'slot-taken' }, text);
    this.picker.el.before(note);
    focusOn(note);
  }

  // ---- step 4: booked ----

  showBooked(booked, client) {
    const { t, fmt } = this;
    const several = booked.appointments.length > 1;
    const lines = booked.appointments.map((a) => {
      const vars = { n: a.session_number, day: fmt.dayYear(a.start), from: fmt.time(a.start), to: fmt.time(a.end) };
      return h('li', {}, fill(several ? t.sessionLine : t.singleLine, vars));
    });
    const heading = h('h2', {}, t.bookedTitle);
    const calendarSlot = h('p', { id: 'calendar' });
    setChildren(this.done, 
      heading,
      h('p', { class: 'lead' }, fill(t.bookedText, { name: client.name })),
      h('ul', { class: 'sessions' }, lines),
      h('p', {}, fill(t.emailSent, { email: client.email })),
      h('div', { class: 'panel' },
        h('p', {}, h('a', { href: `/manage#${booked.manage_token}`, id: 'manage-link' }, t.manage)),
        h('p', {}, t.manageNote),
        // Microneedling needs a signed consent before the first session: it can be signed now.
        this.bookService === 'microneedling' ? h('p', { id: 'consent-note' }, t.bookedConsent) : null),
      calendarSlot,
    );
    this.form.hidden = true;
    this.outcome.hidden = true;
    this.times.hidden = true;
    this.done.hidden = false;
    focusOn(heading);
    this.offerCalendar(booked, calendarSlot).catch((err) => console.error(err));
  }

  /** The .ics of every session, fetched with the manage token as bearer (never in a URL)
   * and offered as a download from a Blob URL. */
  async offerCalendar(booked, slot) {
    const { t } = this;
    const files = await Promise.all(
      booked.appointments.map((a) => apiText(`/api/v1/bookings/${a.id}/calendar.ics`, booked.manage_token)),
    );
    const blob = new Blob([mergeCalendars(files)], { type: 'text/calendar' });
    const url = URL.createObjectURL(blob);
    slot.replaceChildren(h('a', { href: url, download: t.calendarFile, id: 'calendar-link' }, t.addToCalendar));
  }
}
