// /book: choose a treatment, answer the screening, pick a time, book. Every decision (who may
// book, what is free, whether a booking holds) is the API's; this page asks and shows.
import { api, apiText, ApiError } from './api.js';
import { loadClinic } from './clinic.js';
import { h, fill, focusOn, setChildren } from './dom.js';
import { createPicker } from './picker.js';
import { mergeCalendars } from './ics.js';

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
    this.questionBlock = h(
      'div',
      { id: 'questions', hidden: true },
      h('h2', {}, t.healthQuestions),
      h('p', {}, t.healthIntro),
      this.questions.map((q) => this.questionField(q)),
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

  serviceHint(s) {
    const hint = this.t.serviceHints[s.code];
    const minutes = fill(this.t.minutes, { n: s.duration_minutes });
    return hint ? `${minutes}. ${hint}` : minutes;
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

  questionField(q) {
    const { t } = this;
    const text = t.questions[q.id] || q.text;
    const radio = (value, label) =>
      choice(h('input', { type: 'radio', name: `q-${q.id}`, id: `q-${q.id}-${value}`, value }), label);
    return h(
      'fieldset',
      { class: 'field', id: `q-${q.id}`, 'data-question': q.id },
      h('legend', {}, text),
      h('div', { class: 'choices' }, radio('yes', t.yes), radio('no', t.no)),
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
    const answers = {};
    for (const q of this.questions) {
      const v = this.form.elements[`q-${q.id}`].value;
      if (v) answers[q.id] = v === 'yes';
    }
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
    this.summaryBox.hidden = true;
    this.summaryBox.replaceChildren();
    for (const f of main.querySelectorAll('.field--error')) f.classList.remove('field--error');
    for (const m of main.querySelectorAll('.error-message')) m.remove();
    for (const i of main.querySelectorAll('[aria-invalid]')) {
      i.removeAttribute('aria-invalid');
      const hint = i.id && document.getElementById(`${i.id}-hint`);
      if (hint) i.setAttribute('aria-describedby', hint.id);
      else i.removeAttribute('aria-describedby');
    }
  }

  /** details: the API's 422 details ({field: message}); known fields get our own words. */
  showErrors(details) {
    const { t } = this;
    const items = [];
    for (const [field, apiMessage] of Object.entries(details)) {
      const target = this.fieldFor(field);
      // Our own words where we know the field; otherwise the API's message.
      let message = apiMessage ? apiMessage[0].toUpperCase() + apiMessage.slice(1) : fill(t.generic, { phone: this.clinic.phone });
      let inline = null;
      if (field.startsWith('answers')) {
        const id = field.split('.')[1];
        const q = this.questions.find((x) => x.id === id) || this.questions[0];
        message = fill(t.errors.answer, { question: t.questions[q.id] || q.text });
        inline = t.errors.answerInline;
      } else if (t.errors[field] && (field !== 'client.name' || !this.valueOf(target))) {
        message = t.errors[field];
      }
      items.push({ target, message });
      if (target) this.markField(target, inline || message);
    }
    // In the order of the fields on the page (GOV.UK), not the order of the API's map.
    items.sort((a, b) => {
      if (!a.target || !b.target) return a.target ? -1 : b.target ? 1 : 0;
      return a.target.compareDocumentPosition(b.target) & Node.DOCUMENT_POSITION_PRECEDING ? 1 : -1;
    });
    this.summaryBox.replaceChildren(
      h('h2', {}, t.errorTitle),
      h(
        'ul',
        {},
        items.map(({ target, message }) =>
          h(
            'li',
            {},
            target
              ? h('a', { href: `#${target.id}`, onclick: (e) => this.jumpTo(e, target) }, message)
              : message,
          ),
        ),
      ),
    );
    this.summaryBox.hidden = false;
    focusOn(this.summaryBox);
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
    if (field.startsWith('answers')) {
      const id = field.split('.')[1] || this.questions[0].id;
      return document.getElementById(`q-${id}-yes`);
    }
    return byName[field] ? document.getElementById(byName[field]) : null;
  }

  valueOf(input) {
    return input && 'value' in input && input.type !== 'radio' ? input.value.trim() : '';
  }

  markField(input, message) {
    const wrapper = input.closest('.field');
    if (!wrapper) return;
    wrapper.classList.add('field--error');
    const id = `${input.id}-error`;
    const msg = h('p', { class: 'error-message', id }, message);
    const anchor = wrapper.querySelector('legend') || wrapper.querySelector('label');
    anchor.after(msg);
    input.setAttribute('aria-invalid', 'true');
    const described = [input.getAttribute('aria-describedby'), id].filter(Boolean).join(' ');
    input.setAttribute('aria-describedby', described);
  }

  jumpTo(e, target) {
    e.preventDefault();
    const wrapper = target.closest('.field') || target;
    wrapper.scrollIntoView({ block: 'start' });
    target.focus({ preventScroll: true });
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
    const { t } = this;
    const s = this.screening;
    const reasons = () =>
      h('ul', {}, s.reasons.map((r) => h('li', {}, t.reasons[r.question] || r.message)));
    const consult = this.services.find((x) => !x.requires_screening);
    const consultButton = consult
      ? h('div', { class: 'actions' }, h('button', {
          type: 'button',
          onclick: () => this.openPicker(consult.code, t.pickConsultTitle, null),
        }, t.bookConsult))
      : null;
    if (s.outcome === 'eligible') {
      this.outcome.hidden = true;
      this.openPicker(service.code, t.pickTitle, t.eligibleText);
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

  openPicker(serviceCode, title, lead) {
    const { t } = this;
    this.bookService = serviceCode;
    const isCourseService = serviceCode === 'microneedling';
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
      isCourseService
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
      load: (from, to) => this.loadSlots(from, to),
      onChoose: () => this.renderSummary(true),
    });
    this.summary.hidden = true;
    setChildren(this.times, heading, lead ? h('p', { class: 'lead' }, lead) : null, this.options, this.picker.el, this.summary);
    this.times.hidden = false;
    this.notice.hidden = true;
    focusOn(heading);
    this.picker.refresh().catch((err) => this.handleError(err));
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
      } else {
        this.handleError(err);
      }
    }
  }

  /** 409: say so, refresh the week, keep every answer. */
  async slotTaken() {
    const { t } = this;
    this.summary.hidden = true;
    this.picker.clear();
    this.times.querySelector('#slot-taken')?.remove();
    try {
      await this.picker.refresh();
    } catch (err) {
      this.handleError(err);
      return;
    }
    // Said once the times shown are the fresh ones.
    const note = h('div', { class: 'notice error', role: 'alert', tabindex: '-1', id: 'slot-taken' }, t.slotTaken);
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
        h('p', {}, t.manageNote)),
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
