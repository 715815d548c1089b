// "Book for a client": a known client found by the search (their details filled in, and a
// valid screening booking accepts offered instead of the questionnaire) or a new one typed in,
// the treatment, the screening at the desk (the questionnaire, the answers the client gives),
// then a free time and the sessions. The API evaluates the answers and decides what may be
// booked; this page says its outcome in words.
import { h, focusOn, setChildren } from '../dom.js';
import { createPicker } from '../picker.js';
import { SessionEnded } from './session.js';
import { serviceName, explain, civilWords } from './words.js';
import { questionField, readAnswers, missingNotice } from './questions.js';
import { PICKER_WORDS } from './visit.js';
import { createClientFinder, screeningOffer } from './clients.js';

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

  /** The client's details and the questions; `again` (Start again, Book for another client)
   * moves focus to the page's title, since the button pressed is gone. */
  function detailsStep(again = false) {
    alert.replaceChildren();
    // a client found by the search; its screening is offered while the details stay its own
    let chosen = null;
    let askAgain = false;
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
    const offer = h('div', { class: 'offer-slot' });
    const submit = h('button', { type: 'submit' }, 'Continue');
    const notThis = h('button', { type: 'button', class: 'secondary', hidden: true }, 'Not this client');
    const form = h(
      'form',
      { novalidate: true, class: 'book-form' },
      h('h2', {}, 'The client'),
      textField('client-name', 'Full name', 'text', null, { autocomplete: 'off' }),
      textField('client-email', 'Email', 'email', 'The confirmation and reminders go here.', { autocomplete: 'off' }),
      textField('client-phone', 'Phone', 'tel', 'Optional.', { autocomplete: 'off' }),
      h('div', { class: 'field' }, h('label', { for: 'service' }, 'Treatment'), service),
      offer,
      qBlock,
      h('div', { class: 'actions' }, submit, notThis),
    );
    const fields = () => ({
      name: form.elements['client-name'].value,
      email: form.elements['client-email'].value,
      phone: form.elements['client-phone'].value.trim() || null,
    });
    // the chosen client's screening belongs to the details as found: changed details are
    // another client's (or new ones), so the questions are asked and save them
    const unchanged = () => {
      if (!chosen) return false;
      const f = fields();
      return f.name.trim() === chosen.name && f.email.trim().toLowerCase() === chosen.email && (f.phone || '') === (chosen.phone || '');
    };
    const requiresScreening = () => services.find((x) => x.code === service.value)?.requires_screening;
    const update = () => {
      const micro = requiresScreening();
      const same = unchanged();
      let offering = false;
      if (chosen && same && micro) {
        offering = !!(chosen.screening && chosen.screening.allows_booking && !askAgain);
        setChildren(offer, screeningOffer(fmt, {
          client: chosen,
          askAgain,
          onUse: () => slotStep({ service: service.value, screening: chosen.screening, client: { name: chosen.name, email: chosen.email, phone: chosen.phone } }),
          onAskAgain: (again) => {
            askAgain = again;
            update();
            if (again) qBlock.querySelector('input')?.focus();
            else offer.querySelector('button')?.focus();
          },
        }));
      } else if (chosen && !same) {
        setChildren(offer, h('p', { class: 'notice', id: 'screening-offer' }, `The details differ from ${chosen.name}’s as found: they are saved with the answers to the health questions.`));
      } else {
        offer.replaceChildren();
      }
      qBlock.hidden = !micro || offering;
      submit.hidden = offering;
      notThis.hidden = !chosen;
    };
    const finder = createClientFinder(app, {
      onChoose: (c) => {
        chosen = c;
        askAgain = false;
        form.elements['client-name'].value = c.name;
        form.elements['client-email'].value = c.email;
        form.elements['client-phone'].value = c.phone || '';
        update();
        const title = offer.querySelector('#offer-title');
        if (title) focusOn(title);
        else form.elements['client-name'].focus();
      },
    });
    notThis.addEventListener('click', () => {
      chosen = null;
      askAgain = false;
      for (const id of ['client-name', 'client-email', 'client-phone']) form.elements[id].value = '';
      finder.reset();
      update();
      form.elements['client-name'].focus();
    });
    service.addEventListener('change', update);
    form.addEventListener('input', (ev) => {
      if (ev.target.id.startsWith('client-')) update();
    });
    update();
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      alert.replaceChildren();
      const client = fields();
      const chosenService = services.find((x) => x.code === service.value);
      if (!chosenService.requires_screening) return slotStep({ service: chosenService.code, client });
      const read = readAnswers(form, questions);
      if (read.missing) {
        alert.replaceChildren(missingNotice(read.missing));
        return;
      }
      const { answers } = read;
      submit.disabled = true;
      try {
        const s = await app.call('/api/v1/screenings', { method: 'POST', body: { client, answers } });
        outcomeStep(s, client);
      } catch (e) {
        fail(e);
        submit.disabled = false;
      }
    });
    stage.replaceChildren(finder.el, form);
    if (again) focusOn(title);
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
        h('button', { type: 'button', class: 'secondary', onclick: () => detailsStep(true) }, 'Start again'),
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
        // as typed (an empty field is the 1 it shows): 0 or 7 is the API's 422 at "Sessions"
        body.sessions = sessions.value.trim() === '' ? 1 : Number(sessions.value);
      } else {
        body.client = client;
      }
      book.disabled = true;
      try {
        const r = await app.call('/api/v1/staff/appointments', { method: 'POST', body, idempotencyKey: key });
        doneStep(r, client, service);
      } catch (e) {
        fail(e);
        // taken meanwhile, or now too close: the times again, without it
        if (e.status === 409 || e.startRefused) reload();
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
      h('div', { class: 'actions' }, book, h('button', { type: 'button', class: 'secondary', onclick: () => detailsStep(true) }, 'Start again')),
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
      h('div', { class: 'actions' }, h('button', { type: 'button', onclick: () => detailsStep(true) }, 'Book for another client')),
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
