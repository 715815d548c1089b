// Clients at the desk: "Find a client" (booking: a known client's details and the screening
// they may book with, from GET /api/v1/staff/clients?q=) and a client's earlier screenings
// (the review, from GET /api/v1/staff/clients/{id}/screenings). Both reads are audited by the
// API. Names, emails, notes: always text, never markup.
import { h } from '../dom.js';
import { SessionEnded } from './session.js';
import { explain, civilWords } from './words.js';

/** A screening's outcome and review in words. */
export function outcomeWords(s) {
  if (s.outcome === 'eligible') return 'Eligible';
  if (s.outcome === 'contraindicated') return 'Contraindicated';
  if (s.review_decision === 'approve') return 'Needed review: approved';
  if (s.review_decision === 'reject') return 'Needed review: rejected';
  return 'Needs review (not decided yet)';
}

/** Why a valid screening cannot be booked with, in words (the API's `allows_booking` says whether). */
function refusalWords(s) {
  if (s.outcome === 'contraindicated') return 'it rules microneedling out';
  if (s.review_decision === 'reject') return 'a clinician did not clear it';
  if (s.outcome === 'needs_review') return 'it awaits a clinician’s review';
  return 'booking does not accept it';
}

/** One line about a found client's screening, for the result list. */
function screeningLine(s, fmt) {
  if (!s) return 'No valid screening.';
  if (s.allows_booking) return `Screening valid until ${fmt.date(s.valid_until)}.`;
  return `Latest screening: ${outcomeWords(s).toLowerCase()}.`;
}

/**
 * "Find a client": a search form and its results as buttons; `onChoose(client)` gets the
 * chosen client as the API listed it ({id, name, email, phone, screening}).
 */
export function createClientFinder(app, { onChoose }) {
  const { fmt } = app;
  const input = h('input', {
    type: 'search', id: 'client-search', name: 'client-search', autocomplete: 'off', spellcheck: 'false',
    'aria-describedby': 'client-search-hint',
  });
  const button = h('button', { type: 'submit', class: 'secondary' }, 'Search');
  const status = h('p', { role: 'status', class: 'status-slot', id: 'client-search-status' });
  const error = h('div', { role: 'alert', class: 'alert-slot' });
  const results = h('ul', { class: 'client-results', 'aria-labelledby': 'find-title' });
  const form = h(
    'form',
    { role: 'search', class: 'client-search', novalidate: true, 'aria-labelledby': 'find-title' },
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'client-search' }, 'Find a client'),
      h('span', { class: 'hint', id: 'client-search-hint' }, 'Part of the name, email or phone (at least 2 characters). Or enter a new client below.'),
      h('div', { class: 'search-row' }, input, button),
    ),
  );
  const el = h(
    'section',
    { class: 'client-finder', 'aria-labelledby': 'find-title' },
    h('h2', { id: 'find-title' }, 'Has the client been here before?'),
    form,
    error,
    status,
    results,
  );

  const clear = () => {
    results.replaceChildren();
    status.textContent = '';
    error.replaceChildren();
  };

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clear();
    const q = input.value.trim();
    if (q.length < 2) {
      error.append(h('p', { class: 'notice error' }, 'Find a client: type at least 2 characters of the name, email or phone.'));
      input.focus();
      return;
    }
    button.disabled = true;
    try {
      const r = await app.call(`/api/v1/staff/clients?${new URLSearchParams({ q })}`);
      show(r);
    } catch (e) {
      if (e instanceof SessionEnded) return;
      const why = e.details && e.details.q;
      error.append(h('p', { class: 'notice error' }, why ? `Find a client: ${why}.` : explain(e)));
    } finally {
      button.disabled = false;
    }
  });

  function show(r) {
    const n = r.clients.length;
    if (!n) {
      status.textContent = 'No client found. Check the spelling, or enter a new client below.';
      return;
    }
    status.textContent = r.more
      ? `The first ${n} clients found; more match. Type more of the name, email or phone to narrow it down.`
      : `${n === 1 ? 'One client' : `${n} clients`} found. Choose one to fill in the details.`;
    results.replaceChildren(
      ...r.clients.map((c) =>
        h(
          'li',
          {},
          h(
            'button',
            { type: 'button', class: 'client-choice', 'data-client': c.id, onclick: () => choose(c) },
            h('span', { class: 'c-name' }, c.name),
            h('span', { class: 'c-contact' }, [c.email, c.phone].filter(Boolean).join(' · ')),
            h('span', { class: `c-screening${c.screening && c.screening.allows_booking ? ' ok' : ''}` }, screeningLine(c.screening, fmt)),
          ),
        ),
      ),
    );
  }

  function choose(c) {
    clear();
    status.textContent = `Chosen: ${c.name}. The details are filled in below.`;
    onChoose(c);
  }

  return {
    el,
    /** Forgets the search (a new booking). */
    reset() {
      input.value = '';
      clear();
    },
  };
}

/**
 * What the desk offers for a chosen client's screening before the questionnaire: book with a
 * valid screening that booking accepts, or say why the questions are asked again. `onUse()`
 * books with it, `onAskAgain(bool)` switches to the questions and back.
 */
export function screeningOffer(fmt, { client, askAgain, onUse, onAskAgain }) {
  const s = client.screening;
  if (!s) {
    return h('p', { class: 'notice', id: 'screening-offer' }, `${client.name} has no valid screening: ask the health questions below.`);
  }
  const answered = `answered ${fmt.date(s.created_at)}`;
  if (!s.allows_booking) {
    return h(
      'p',
      { class: 'notice warn', id: 'screening-offer' },
      `${client.name}’s latest screening (${answered}) cannot be booked with: ${refusalWords(s)}. Ask the health questions below again.`,
    );
  }
  if (askAgain) {
    return h(
      'div',
      { class: 'panel', id: 'screening-offer' },
      h('p', {}, `The questions are asked again; the earlier screening (${answered}) is not used.`),
      h('div', { class: 'actions' }, h('button', { type: 'button', class: 'secondary', onclick: () => onAskAgain(false) }, 'Use the earlier screening instead')),
    );
  }
  const heading = h('h3', { id: 'offer-title', tabindex: '-1' }, 'A valid screening is on file');
  return h(
    'section',
    { class: 'panel', id: 'screening-offer', 'aria-labelledby': 'offer-title' },
    heading,
    h('p', {}, `${outcomeWords(s)}, ${answered}, valid until ${fmt.date(s.valid_until)}. The client need not answer the questions again unless something changed.`),
    s.eligible_from ? h('p', {}, `Eligible from ${civilWords(s.eligible_from)}.`) : null,
    s.numbing_cream_allowed === false ? h('p', {}, 'No numbing cream: the client is allergic to local anaesthetics.') : null,
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'button', onclick: onUse }, 'Book with this screening'),
      h('button', { type: 'button', class: 'secondary', onclick: () => onAskAgain(true) }, 'Answer the questions again'),
    ),
  );
}

/**
 * "Earlier screenings" of a client for the review of screening `currentId`: date, version,
 * outcome, the review's decision, note and reviewer. `questions` names flagged answers.
 */
export async function screeningHistory(app, clientId, currentId, questions) {
  const { fmt } = app;
  const heading = h('h3', { id: 'history-title' }, 'Earlier screenings');
  const box = h('section', { class: 'screening-history', 'aria-labelledby': 'history-title' }, heading);
  let rows;
  try {
    rows = await app.call(`/api/v1/staff/clients/${clientId}/screenings`);
  } catch (e) {
    if (e instanceof SessionEnded) throw e;
    box.append(h('p', { class: 'notice error' }, `The earlier screenings could not be loaded. ${explain(e)}`));
    return box;
  }
  const earlier = rows.filter((r) => r.id !== currentId);
  if (!earlier.length) {
    box.append(h('p', {}, 'None: this is the client’s first screening.'));
    return box;
  }
  const text = (qid) => questions.find((q) => q.id === qid)?.text || qid;
  box.append(
    h('p', { class: 'hint' }, 'Newest first.'),
    h(
      'ol',
      { class: 'history-list' },
      earlier.map((r) => {
        const flagged = r.reasons.map((x) => text(x.question));
        const review = r.review_decision
          ? `${r.review_decision === 'approve' ? 'Approved' : 'Rejected'}${r.reviewed_by && r.reviewed_by.email ? ` by ${r.reviewed_by.email}` : ''}${r.reviewed_at ? ` on ${fmt.date(r.reviewed_at)}` : ''}.`
          : r.outcome === 'needs_review'
            ? 'Not reviewed.'
            : null;
        return h(
          'li',
          { 'data-screening': r.id },
          h('p', { class: 'h-head' }, h('strong', {}, `${fmt.date(r.created_at)}, ${fmt.time(r.created_at)}`), ` · ${outcomeWords(r)}`),
          h('p', { class: 'h-meta' }, `Questionnaire ${r.questionnaire_version}${r.reconfirmation ? ' · re-confirmation before a visit' : ''}`),
          flagged.length ? h('p', {}, `Flagged answers: ${flagged.join('; ')}`) : null,
          review ? h('p', {}, review) : null,
          r.review_note ? h('p', { class: 'h-note' }, 'Note: ', h('q', {}, r.review_note)) : null,
        );
      }),
    ),
  );
  return box;
}
