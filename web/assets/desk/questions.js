// The health questionnaire at the desk (booking and re-confirmation): each question a Yes/No
// pair, none preselected; a dated question (`answer: "date"`) also has a date input for the
// date the client gives when the answer is Yes. The answers go to the API as it asks:
// true/false, or for a dated question false or "YYYY-MM-DD".
import { h } from '../dom.js';

/** One question's controls; `prefix` keeps ids unique when two forms exist at once. */
export function questionField(q, prefix = 'q') {
  const name = `${prefix}-${q.id}`;
  const radio = (value, label) => {
    const id = `${name}-${value}`;
    return h('div', { class: 'choice' }, h('input', { type: 'radio', name, id, value }), h('label', { for: id }, label));
  };
  const set = h(
    'fieldset',
    { class: 'field question', 'data-question': q.id },
    h('legend', {}, q.text),
    h('div', { class: 'choices' }, radio('yes', 'Yes'), radio('no', 'No')),
  );
  if (q.answer === 'date') {
    const id = `${name}-date`;
    const date = h('input', { type: 'date', id, name: id, 'aria-describedby': `${id}-hint`, disabled: true });
    set.append(
      h(
        'div',
        { class: 'field date-answer' },
        h('label', { for: id }, 'Date'),
        h('span', { class: 'hint', id: `${id}-hint` }, 'If Yes: the date the client gives.'),
        date,
      ),
    );
    set.addEventListener('change', (ev) => {
      if (ev.target.type !== 'radio') return;
      date.disabled = ev.target.value !== 'yes';
    });
  }
  return set;
}

/**
 * The answers given in `form`, or {missing: [question texts]} when a question has no answer
 * (or a dated Yes has no date).
 */
export function readAnswers(form, questions, prefix = 'q') {
  const answers = {};
  const missing = [];
  for (const q of questions) {
    const name = `${prefix}-${q.id}`;
    const picked = form.querySelector(`input[name="${CSS.escape(name)}"]:checked`);
    if (!picked) {
      missing.push(q.text);
      continue;
    }
    if (q.answer === 'date') {
      if (picked.value === 'no') {
        answers[q.id] = false;
      } else {
        const v = form.querySelector(`#${CSS.escape(`${name}-date`)}`).value;
        if (v) answers[q.id] = v;
        else missing.push(`${q.text} (the date)`);
      }
    } else {
      answers[q.id] = picked.value === 'yes';
    }
  }
  return missing.length ? { missing } : { answers };
}

/** "Answer every question" with the unanswered ones listed, as a notice. */
export function missingNotice(missing) {
  return h(
    'div',
    { class: 'notice error' },
    h('p', {}, missing.length === 1 ? 'One question has no answer yet:' : `${missing.length} questions have no answer yet:`),
    h('ul', {}, missing.map((m) => h('li', {}, m))),
  );
}
