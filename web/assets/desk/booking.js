// "Book for a client": the client's details, the treatment, the screening at the desk (the
// questionnaire, the answers the client gives), then a free time and the sessions. The API
// evaluates the answers and decides what may be booked; this page says its outcome in words.
import { h, focusOn, setChildren } from '../dom.js';
import { createPicker } from '../picker.js';
import { SessionEnded } from './session.js';
import { serviceName, explain, civilWords } from './words.js';
import { questionField, readAnswers, missingNotice } from './questions.js';
import { PICKER_WORDS } from './visit.js';

/** An Idempotency-Key (crypto.randomUUID exists only in secure contexts; this works on plain http too). */
function newKey() {
  const b = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

export function createBooking(app) {
  const { fmt } = app;
  const title = h('h1', { id: 'title', tabindex: '-1' }, 'Book for a client');
  const alert = h('div', { role: 'alert', class: 'alert-slot' });
  const stage = h('div');
  const el = h('section', { class: 'booking', 'aria-labelledby': 'title' }, title, alert, stage);
  let services = [];
  let questions = [];
  let practitioners = [];

  const fail = (e) => {
    if (e instanceof SessionEnded) return;
    alert.replaceChildren(h('p', { class: 'notice error' }, explain(e)));
  };

  const textField = (id, label, type, hint, attrs = {}) =>
    h(
      'div',
      { class: 'field' },
      h('label', { for: id }, label),
      hint ? h('span', { class: 'hint', id: `${id}-hint` }, hint) : null,
      h('input', { type, id, name: id, 'aria-describedby': hint ? `${id}-hint` : null, ...attrs }),
    );

  function detailsStep() {
    alert.replaceChildren();
    const service = h(
      'select',
      { id: 'service', name: 'service' },
      services.map((s) => h('option', { value: s.code }, `${serviceName(s.code)} (${s.duration_minutes} minutes)`)),
    );
    const qBlock = h(
      'fieldset',
      { class: 'questions' },
      h('legend', { class: 'group-legend' }, 'Health questions'),
      h('p', { class: 'hint' }, 'Ask the client each question and record the answer they give.'),
      questions.map((q) => questionField(q)),
    );
    const showQuestions = () => {
      const s = services.find((x) => x.code === service.value);
      qBlock.hidden = !(s && s.requires_screening);
    };
    service.addEventListener('change', showQuestions);
    const form = h(
      'form',
      { novalidate: true, class: 'book-form' },
      h('h2', {}, 'The client'),
      textField('client-name', 'Full name', 'text', null, { autocomplete: 'off' }),
      textField('client-email', 'Email', 'email', 'The confirmation and reminders go here.', { autocomplete: 'off' }),
      textField('client-phone', 'Phone', 'tel', 'Optional.', { autocomplete: 'off' }),
      h('div', { class: 'field' }, h('label', { for: 'service' }, 'Treatment'), service),
      qBlock,
      h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Continue')),
    );
    showQuestions();
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      alert.replaceChildren();
      const client = {
        name: form.elements['client-name'].value,
        email: form.elements['client-email'].value,
        phone: form.elements['client-phone'].value.trim() || null,
      };
      const chosen = services.find((x) => x.code === service.value);
      if (!chosen.requires_screening) return slotStep({ service: chosen.code, client });
      const read = readAnswers(form, questions);
      if (read.missing) {
        alert.replaceChildren(missingNotice(read.missing));
        return;
      }
      const { answers } = read;
      const button = form.querySelector('button[type=submit]');
      button.disabled = true;
      try {
        const s = await app.call('/api/v1/screenings', { method: 'POST', body: { client, answers } });
        outcomeStep(s, client);
      } catch (e) {
        fail(e);
        button.disabled = false;
      }
    });
    stage.replaceChildren(form);
  }

  function outcomeStep(s, client) {
    if (s.outcome === 'eligible') return slotStep({ service: 'microneedling', screening: s, client });
    const review = s.outcome === 'needs_review';
    const heading = h('h2', { id: 'outcome', tabindex: '-1' }, review ? 'A clinician must review these answers first' : 'Microneedling is not possible for this client now');
    stage.replaceChildren(
      h(
        'div',
        { class: `panel ${review ? 'warn' : ''}` },
        heading,
        h('p', {}, review ? 'Microneedling can be booked once a clinician approves the screening. It is listed under “Screenings to review”.' : 'The answers rule microneedling out for now:'),
        h('ul', {}, s.reasons.map((r) => h('li', {}, r.message))),
        h('p', {}, 'A skin consultation can be booked instead.'),
      ),
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'button', onclick: () => slotStep({ service: 'skin_consultation', client }) }, 'Book a skin consultation'),
        h('button', { type: 'button', class: 'secondary', onclick: () => detailsStep() }, 'Start again'),
      ),
    );
    focusOn(heading);
  }

  function slotStep({ service, screening, client }) {
    alert.replaceChildren();
    const micro = service === 'microneedling';
    // the answers may allow a first treatment only from a later day, and rule numbing cream out
    const eligibleFrom = micro && screening.eligible_from ? screening.eligible_from : null;
    const numbingAllowed = !micro || screening.numbing_cream_allowed !== false;
    const who = h(
      'select',
      { id: 'practitioner' },
      h('option', { value: '' }, 'Any practitioner'),
      practitioners.map((p) => h('option', { value: p.id }, p.name)),
    );
    const numbing = h('input', { type: 'checkbox', id: 'numbing' });
    const sessions = h('input', { type: 'number', id: 'sessions', min: '1', max: '6', value: '1', inputmode: 'numeric' });
    const summary = h('p', { role: 'status', class: 'status-slot' });
    const book = h('button', { type: 'button', disabled: true }, 'Book');
    let key = null;
    const picker = createPicker({
      t: PICKER_WORDS,
      fmt,
      range: { from: eligibleFrom },
      load: async (from, to) => {
        const q = new URLSearchParams({ service, from, to });
        if (who.value) q.set('practitioner_id', who.value);
        if (micro) q.set('screening_id', screening.id);
        if (micro && numbingAllowed && numbing.checked) q.set('anesthesia', 'true');
        return (await app.call(`/api/v1/availability?${q}`)).slots;
      },
      onChoose: (slot) => {
        key = newKey();
        book.disabled = false;
        const name = practitioners.find((p) => p.id === slot.practitioner_id)?.name;
        summary.textContent = `${serviceName(service)} on ${fmt.day(slot.start)} at ${fmt.time(slot.start)}${name ? ` with ${name}` : ''}.`;
      },
    });
    const reload = () => {
      picker.clear();
      book.disabled = true;
      summary.textContent = '';
      picker.refresh().catch(fail);
    };
    who.addEventListener('change', reload);
    numbing.addEventListener('change', reload);
    book.addEventListener('click', async () => {
      const slot = picker.chosen;
      if (!slot) return;
      alert.replaceChildren();
      const body = { service, start: slot.start, practitioner_id: slot.practitioner_id };
      if (micro) {
        body.screening_id = screening.id;
        body.anesthesia = numbingAllowed && numbing.checked;
        body.sessions = Number(sessions.value) || 1;
      } else {
        body.client = client;
      }
      book.disabled = true;
      try {
        const r = await app.call('/api/v1/staff/appointments', { method: 'POST', body, idempotencyKey: key });
        doneStep(r, client, service);
      } catch (e) {
        fail(e);
        if (e.status === 409) reload();
        else book.disabled = false;
      }
    });
    const heading = h('h2', { id: 'slot-title', tabindex: '-1' }, micro ? 'Screening passed: choose a time' : 'Choose a time');
    const parts = [
      heading,
      h('p', {}, `${serviceName(service)} for ${client.name.trim()}.`),
      eligibleFrom
        ? h('p', { class: 'notice warn', id: 'eligible-from' }, `Eligible from ${civilWords(eligibleFrom)}: because of the health answers, the first treatment can take place from that day on. The times below start there.`)
        : null,
      micro && !numbingAllowed
        ? h('p', { class: 'notice', id: 'no-numbing' }, 'No numbing cream: the client is allergic to local anaesthetics.')
        : null,
      h(
        'div',
        { class: 'options' },
        h('div', { class: 'field' }, h('label', { for: 'practitioner' }, 'Practitioner'), who),
        micro && numbingAllowed ? h('div', { class: 'choice field' }, numbing, h('label', { for: 'numbing' }, 'Numbing cream')) : null,
        micro
          ? h('div', { class: 'field' }, h('label', { for: 'sessions' }, 'Sessions'), h('span', { class: 'hint', id: 'sessions-hint' }, 'Repeat sessions are planned a few weeks apart.'), sessions)
          : null,
      ),
      picker.el,
      summary,
      h('div', { class: 'actions' }, book, h('button', { type: 'button', class: 'secondary', onclick: () => detailsStep() }, 'Start again')),
    ];
    setChildren(stage, parts);
    sessions.setAttribute('aria-describedby', 'sessions-hint');
    focusOn(heading);
    picker.refresh().catch(fail);
  }

  function doneStep(r, client, service) {
    const name = (id) => practitioners.find((p) => p.id === id)?.name || '';
    const n = r.appointments.length;
    const heading = h('h2', { id: 'booked', tabindex: '-1' }, 'Booked');
    stage.replaceChildren(
      heading,
      h('p', {}, `${serviceName(service)} for ${client.name.trim()}. A confirmation email goes to ${client.email.trim()}.`),
      h(
        'ul',
        { class: 'sessions' },
        r.appointments.map((a) =>
          h('li', {}, `${n > 1 ? `Session ${a.session_number} of ${n}: ` : ''}${fmt.day(a.start)}, ${fmt.time(a.start)}${name(a.practitioner_id) ? ` with ${name(a.practitioner_id)}` : ''}`),
        ),
      ),
      h('div', { class: 'actions' }, h('button', { type: 'button', onclick: () => detailsStep() }, 'Book for another client')),
    );
    focusOn(heading);
  }

  return {
    el,
    async start() {
      try {
        const [s, q, p] = await Promise.all([
          app.call('/api/v1/services'),
          app.call('/api/v1/screening/questions'),
          app.call('/api/v1/practitioners'),
        ]);
        services = s;
        questions = q.questions;
        practitioners = p;
        detailsStep();
      } catch (e) {
        fail(e);
      }
    },
    stop() {},
  };
}
