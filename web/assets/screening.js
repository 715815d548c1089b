// The health questions of /book and /manage. Each question is a Yes/No choice named by its
// text; a question the API lists with "answer": "date" shows a date field on "Yes" (needed
// then; not after today in the clinic's zone). Read back as the API's answers (true/false, or
// false / "YYYY-MM-DD"); the API's reasons in the page's words. What the answers mean is the
// API's: the page only asks and shows.
import { h, fill } from './dom.js';

/** The wait an API text names ("6 months", "2 weeks", "10 days": a setting of the clinic), or
 * null. The page's own texts take it from there, so they follow the clinic's settings. */
function waitIn(text) {
  const m = /\b(\d+) (day|week|month)s?\b/.exec(text || '');
  return m ? { n: Number(m[1]), unit: m[2] } : null;
}

/** A page text with `{wait}` (from the API's text) and `vars` filled; null when it needs
 * something the API's text or `vars` do not give (the caller then shows the API's text). */
function translated(t, template, apiText, vars = {}) {
  if (!template) return null;
  const more = {};
  if (template.includes('{wait}')) {
    const w = waitIn(apiText);
    if (!w) return null;
    more.wait = t.waitWords(w.n, w.unit);
  }
  if (template.includes('{date}') && !vars.date) return null;
  return fill(template, { ...vars, ...more });
}

/** A question's text in the page's language; the API's text when there is no translation. */
export function questionText(t, q) {
  return translated(t, t.questions[q.id], q.text) || q.text;
}

/** One reason of a screening's answer in the page's words (a dated one names its first day
 * with the weekday); the API's message when there is no translation. */
export function reasonText(t, fmt, r) {
  const vars = r.eligible_from ? { date: fmt.civilYear(r.eligible_from) } : {};
  return translated(t, t.reasons[r.question], r.message, vars) || r.message;
}

/** The reasons as a list, or null when there are none. */
export function reasonList(t, fmt, reasons) {
  return reasons && reasons.length ? h('ul', { class: 'reasons' }, reasons.map((r) => h('li', {}, reasonText(t, fmt, r)))) : null;
}

/**
 * The questions as fieldsets. `base` prefixes every id: `<base>-<question>` is the fieldset
 * (and the radios' name), `…-yes`/`…-no` the radios, `…-date` a date question's date field.
 * Returns { el, answers(), problems(), errorFor(id, apiMessage) }.
 */
export function createQuestions({ t, fmt, questions, base = 'q' }) {
  const today = fmt.localDate(new Date().toISOString());
  const parts = new Map(); // question id -> { q, yes, no, date }

  const radio = (id, name, value, label, extra = {}) => {
    const input = h('input', { type: 'radio', name, id, value, ...extra });
    return { input, el: h('div', { class: 'choice' }, input, h('div', {}, h('label', { for: id }, label))) };
  };

  const el = questions.map((q) => {
    const name = `${base}-${q.id}`;
    const isDate = q.answer === 'date';
    const dateId = `${name}-date`;
    const whenId = `${name}-when`;
    // "Yes" of a date question controls the date field (GOV.UK's conditional reveal).
    const yes = radio(`${name}-yes`, name, 'yes', t.yes, isDate ? { 'aria-controls': whenId } : {});
    const no = radio(`${name}-no`, name, 'no', t.no);
    let date = null;
    let when = null;
    if (isDate) {
      date = h('input', {
        type: 'date',
        id: dateId,
        name: dateId,
        max: today,
        required: true,
        autocomplete: 'off',
        'aria-describedby': `${dateId}-hint`,
      });
      when = h(
        'div',
        { class: 'field conditional', id: whenId, hidden: true },
        h('label', { for: dateId }, t.dateLabels[q.id] || t.dateLabel),
        h('span', { class: 'hint', id: `${dateId}-hint` }, t.dateHint),
        date,
      );
    }
    parts.set(q.id, { q, yes: yes.input, no: no.input, date });
    const set = h(
      'fieldset',
      {
        class: 'field',
        id: name,
        'data-question': q.id,
        onchange: when ? () => (when.hidden = !yes.input.checked) : null,
      },
      h('legend', {}, questionText(t, q)),
      h('div', { class: 'choices' }, yes.el, no.el),
      when,
    );
    return set;
  });

  /** The date field's problem now ('dateMissing', 'dateInvalid', 'dateFuture'), or null. */
  function dateProblem(date, apiMessage) {
    if (date.validity.badInput) return 'dateInvalid';
    if (!date.value) return 'dateMissing';
    if (date.value > today || /future/.test(apiMessage || '')) return 'dateFuture';
    return apiMessage ? 'dateInvalid' : null;
  }

  /** The error of one question: { target, message (for the summary), inline }. */
  function errorFor(id, apiMessage) {
    const p = parts.get(id) || parts.values().next().value;
    const question = questionText(t, p.q);
    if (p.date && p.yes.checked) {
      const kind = dateProblem(p.date, apiMessage) || 'dateInvalid';
      const subject = t.dateSubjects[p.q.id] || fill(t.dateSubjectAny, { question });
      return { target: p.date, message: fill(t.errors[kind], { subject }), inline: t.errors[`${kind}Inline`] };
    }
    return { target: p.yes, message: fill(t.errors.answer, { question }), inline: t.errors.answerInline };
  }

  return {
    el,
    errorFor,
    /** The API's answers: only what is answered (a "Yes" without a usable date is left out,
     * so the API names it). */
    answers() {
      const answers = {};
      for (const { q, yes, no, date } of parts.values()) {
        if (no.checked) answers[q.id] = false;
        else if (yes.checked && !date) answers[q.id] = true;
        else if (yes.checked && date.value) answers[q.id] = date.value;
      }
      return answers;
    },
    /** What the page can tell before asking the API: unanswered questions, missing or
     * future dates. */
    problems() {
      const found = [];
      for (const { q, yes, no, date } of parts.values()) {
        if (!yes.checked && !no.checked) found.push(errorFor(q.id));
        else if (date && yes.checked && dateProblem(date)) found.push(errorFor(q.id));
      }
      return found;
    },
  };
}
