// "Screenings to review" (clinicians): the needs_review screenings nobody decided yet; one opens
// with its answers and the client's earlier screenings (both reads audited by the API), then
// approve or reject with a note.
import { h, focusOn } from '../dom.js';
import { SessionEnded } from './session.js';
import { explain } from './words.js';
import { screeningHistory } from './clients.js';
import { listPoll } from './poll.js';

export function createScreenings(app) {
  const { fmt } = app;
  const title = h('h1', { id: 'title', tabindex: '-1' }, 'Screenings to review');
  const status = h('div', { role: 'status', class: 'status-slot' });
  const alert = h('div', { role: 'alert', class: 'alert-slot' });
  const list = h('div');
  const detail = h('div');
  const el = h('section', { class: 'screenings', 'aria-labelledby': 'title' }, title, status, alert, list, detail);
  let questions = [];

  const fail = (e) => {
    if (e instanceof SessionEnded) return;
    alert.replaceChildren(h('p', { class: 'notice error' }, explain(e)));
  };

  // new screenings to review appear while the list is shown (a client answers online)
  const poll = listPoll(() => app.call('/api/v1/staff/screenings?outcome=needs_review'), draw);
  const load = () => poll.refresh(true);

  function draw(all) {
    const open = all.filter((s) => !s.review_decision);
    if (!open.length) {
      list.replaceChildren(h('p', {}, 'No screenings are waiting for review.'));
      return;
    }
    list.replaceChildren(
      h(
        'ul',
        { class: 'cards' },
        open.map((s) =>
          h(
            'li',
            { class: 'card' },
            h('h2', {}, s.client_name || 'Client erased'),
            h('p', {}, `Answered ${fmt.day(s.created_at)}, ${fmt.time(s.created_at)}.`),
            h('ul', {}, s.reasons.map((r) => h('li', {}, r.message))),
            h('button', { type: 'button', id: `open-${s.id}`, 'aria-label': `Open the screening of ${s.client_name || 'an erased client'}`, onclick: () => open1(s.id) }, 'Open'),
          ),
        ),
      ),
    );
  }

  async function open1(id) {
    alert.replaceChildren();
    status.textContent = '';
    let d;
    let history;
    try {
      d = await app.call(`/api/v1/staff/screenings/${id}`);
      history = await screeningHistory(app, d.client_id, id, questions);
    } catch (e) {
      return fail(e);
    }
    const text = (qid) => questions.find((q) => q.id === qid)?.text || qid;
    const order = (qid) => {
      const i = questions.findIndex((q) => q.id === qid);
      return i < 0 ? questions.length : i;
    };
    const answer = (v) => (v === true ? 'Yes' : v === false ? 'No' : v == null ? 'Not answered' : String(v));
    const note = h('textarea', { id: 'review-note', rows: '3', maxlength: '2000', 'aria-describedby': 'review-note-hint' });
    const decide = async (decision) => {
      alert.replaceChildren();
      try {
        await app.call(`/api/v1/staff/screenings/${id}/review`, { method: 'POST', body: { decision, note: note.value } });
        detail.replaceChildren();
        status.textContent = decision === 'approve' ? `Approved: ${d.client_name || 'the client'} may book microneedling.` : `Rejected: ${d.client_name || 'the client'} may not book microneedling.`;
        await load();
        focusOn(title);
      } catch (e) {
        fail(e);
      }
    };
    const heading = h('h2', { id: 'review-title', tabindex: '-1' }, `Screening of ${d.client_name || 'an erased client'}`);
    const flagged = new Set(d.reasons.map((r) => r.question));
    detail.replaceChildren(
      h(
        'section',
        { class: 'panel review', 'aria-labelledby': 'review-title' },
        heading,
        h('p', {}, `Answered ${fmt.dayYear(d.created_at)}, ${fmt.time(d.created_at)}; valid until ${fmt.dayYear(d.valid_until)}.`),
        h('h3', {}, 'Answers'),
        h(
          'dl',
          { class: 'answers' },
          // In the questionnaire's order (the API's object is by id); ids it no longer asks last.
          Object.entries(d.answers || {}).sort(([a], [b]) => order(a) - order(b)).flatMap(([qid, v]) => [
            h('dt', { class: flagged.has(qid) ? 'flagged' : null }, text(qid)),
            h('dd', {}, answer(v), flagged.has(qid) ? ' (needs review)' : ''),
          ]),
        ),
        d.concerns && d.concerns.length ? h('p', {}, `Skin concerns: ${d.concerns.join(', ').replace(/_/g, ' ')}.`) : null,
        history,
        h(
          'div',
          { class: 'field' },
          h('label', { for: 'review-note' }, 'Note'),
          h('span', { class: 'hint', id: 'review-note-hint' }, 'Required. Why you approve or reject; kept with the screening.'),
          note,
        ),
        h(
          'div',
          { class: 'actions' },
          h('button', { type: 'button', onclick: () => decide('approve') }, 'Approve'),
          h('button', { type: 'button', class: 'danger', onclick: () => decide('reject') }, 'Reject'),
          h('button', { type: 'button', class: 'secondary', onclick: () => { detail.replaceChildren(); focusOn(title); } }, 'Close'),
        ),
      ),
    );
    focusOn(heading);
  }

  return {
    el,
    async start() {
      try {
        questions = (await app.call('/api/v1/screening/questions')).questions;
        await poll.start();
      } catch (e) {
        fail(e);
      }
    },
    stop() {
      poll.stop();
    },
  };
}
