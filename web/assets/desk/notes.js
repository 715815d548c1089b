// Session records (treatment notes) of checked-in or completed microneedling visits, in the
// visit dialog: the record as facts for every staff role (each read is audited by the API), a
// form for practitioners and admins, and the course's history (sessions 1..n side by side).
import { h } from '../dom.js';
import { SessionEnded } from './session.js';
import { explain, STATUS } from './words.js';

/** The treated areas' words; the list itself comes from the API (OpenAPI `Area`). */
const AREA_WORDS = {
  forehead: 'Forehead',
  temples: 'Temples',
  periorbital: 'Around the eyes',
  nose: 'Nose',
  cheeks: 'Cheeks',
  perioral: 'Around the mouth',
  chin: 'Chin',
  jawline: 'Jawline',
  neck: 'Neck',
  decollete: 'Décolleté',
  scalp: 'Scalp',
  back: 'Back',
  abdomen: 'Abdomen',
  arms: 'Arms',
  hands: 'Hands',
  thighs: 'Thighs',
  buttocks: 'Buttocks',
};
export const areaName = (a) => AREA_WORDS[a] || String(a).replace(/_/g, ' ');

/** The closed list of areas, as the API documents it (fetched once per tab). */
async function areas(app) {
  if (!app.areas) {
    const doc = await app.call('/api-docs/openapi.json');
    const list = doc && doc.components && doc.components.schemas && doc.components.schemas.Area && doc.components.schemas.Area.enum;
    app.areas = Array.isArray(list) && list.length ? list : Object.keys(AREA_WORDS);
  }
  return app.areas;
}

const TEXT_FIELDS = [
  ['product', 'Product or serum', 500],
  ['numbing', 'Numbing', 500],
  ['reaction', 'Immediate reaction', 500],
  ['notes', 'Notes', 4000],
];

/** "1.25 mm" */
const depth = (mm) => `${Number(mm).toLocaleString('en-GB', { maximumFractionDigits: 2 })} mm`;

/** The rows of a record, as [label, text]. */
function rows(n) {
  return [
    ['Needle depth', depth(n.needle_depth_mm)],
    ['Areas treated', n.areas.map(areaName).join(', ')],
    ['Product or serum', n.product || '–'],
    ['Numbing', n.numbing || '–'],
    ['Immediate reaction', n.reaction || '–'],
    ['Notes', n.notes || '–'],
  ];
}

/**
 * The "Session record" section of visit `e` (a checked-in or completed microneedling visit).
 * `canWrite`: the role may write it. Returns the section; it fills itself.
 */
export function sessionRecord(app, e, { canWrite }) {
  const { fmt } = app;
  const section = h('section', { class: 'session-record', 'aria-labelledby': 'record-title' });
  const status = h('div', { role: 'status', class: 'status-slot' });
  const content = h('div');
  const history = h('div');
  section.append(h('h3', { id: 'record-title', tabindex: '-1' }, 'Session record'), status, content, history);
  let current = null;

  async function load() {
    try {
      current = await app.call(`/api/v1/staff/appointments/${e.id}/notes`);
    } catch (err) {
      if (err instanceof SessionEnded) return;
      if (err.status !== 404) {
        content.replaceChildren(h('p', { class: 'notice error' }, explain(err)));
        return;
      }
      current = null;
    }
    show();
  }

  function show() {
    const parts = [];
    if (current) {
      parts.push(h('dl', { class: 'facts record-facts' }, rows(current).flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])));
      parts.push(h('p', { class: 'muted' }, `Last written ${fmt.day(current.updated_at)}, ${fmt.time(current.updated_at)}.`));
    } else {
      parts.push(h('p', { class: 'muted' }, 'No session record yet.'));
    }
    const buttons = [];
    if (canWrite) buttons.push(h('button', { type: 'button', onclick: () => openForm() }, current ? 'Edit session record' : 'Write session record'));
    if (e.course) buttons.push(h('button', { type: 'button', class: 'secondary', onclick: () => openHistory() }, 'Course history'));
    if (buttons.length) parts.push(h('div', { class: 'actions' }, buttons));
    content.replaceChildren(...parts);
  }

  async function openForm() {
    status.textContent = '';
    let list;
    try {
      list = await areas(app);
    } catch (err) {
      if (!(err instanceof SessionEnded)) content.append(h('p', { class: 'notice error' }, explain(err)));
      return;
    }
    const n = current || {};
    const errors = {};
    const errorSlot = (key) => (errors[key] = h('p', { id: `rec-${key}-error`, class: 'field-error' }));
    const depthInput = h('input', {
      type: 'text', id: 'rec-depth', name: 'needle_depth_mm', inputmode: 'decimal', autocomplete: 'off',
      value: n.needle_depth_mm != null ? String(n.needle_depth_mm) : '', 'aria-describedby': 'rec-depth-hint rec-needle_depth_mm-error',
    });
    const areaSet = h(
      'fieldset',
      { class: 'field areas', 'aria-describedby': 'rec-areas-error' },
      h('legend', {}, 'Areas treated'),
      errorSlot('areas'),
      h(
        'div',
        { class: 'area-grid' },
        list.map((a) =>
          h(
            'div',
            { class: 'choice' },
            h('input', { type: 'checkbox', id: `rec-area-${a}`, name: 'areas', value: a, checked: (n.areas || []).includes(a) }),
            h('label', { for: `rec-area-${a}` }, areaName(a)),
          ),
        ),
      ),
    );
    const texts = TEXT_FIELDS.map(([key, label, max]) => {
      const input = h(key === 'notes' ? 'textarea' : 'input', {
        id: `rec-${key}`, name: key, maxlength: String(max), rows: key === 'notes' ? '4' : null,
        type: key === 'notes' ? null : 'text', autocomplete: 'off', 'aria-describedby': `rec-${key}-error`,
      });
      input.value = n[key] || '';
      return { key, input, el: h('div', { class: 'field' }, h('label', { for: `rec-${key}` }, label), errorSlot(key), input) };
    });
    const problems = h('div', { role: 'alert', class: 'alert-slot' });
    const submit = h('button', { type: 'submit' }, 'Save session record');
    const form = h(
      'form',
      { class: 'visit-panel record-form', 'aria-labelledby': 'record-form-title', novalidate: true },
      h('h4', { id: 'record-form-title', tabindex: '-1' }, current ? 'Edit the session record' : 'Write the session record'),
      h(
        'div',
        { class: 'field' },
        h('label', { for: 'rec-depth' }, 'Needle depth (mm)'),
        h('span', { class: 'hint', id: 'rec-depth-hint' }, 'From 0.1 to 3.0, e.g. 1.5'),
        errorSlot('needle_depth_mm'),
        depthInput,
      ),
      areaSet,
      texts.map((t) => t.el),
      problems,
      h('div', { class: 'actions' }, submit, h('button', { type: 'button', class: 'secondary', onclick: () => { form.remove(); show(); } }, 'Not now')),
    );
    const inputs = { needle_depth_mm: depthInput, areas: areaSet, ...Object.fromEntries(texts.map((t) => [t.key, t.input])) };
    const mark = (key, text) => {
      const slot = errors[key];
      if (!slot) return false;
      slot.textContent = text || '';
      if (key === 'areas') {
        areaSet.classList.toggle('invalid', !!text);
      } else if (text) {
        inputs[key].setAttribute('aria-invalid', 'true');
      } else {
        inputs[key].removeAttribute('aria-invalid');
      }
      return true;
    };
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      problems.replaceChildren();
      for (const key of Object.keys(errors)) mark(key, '');
      const raw = depthInput.value.trim().replace(',', '.');
      const mm = Number(raw);
      const picked = [...areaSet.querySelectorAll('input:checked')].map((i) => i.value);
      let first = null;
      if (!raw || !Number.isFinite(mm)) {
        mark('needle_depth_mm', 'Enter the needle depth in millimetres, e.g. 1.5.');
        first ??= depthInput;
      }
      if (!picked.length) {
        mark('areas', 'Tick at least one area.');
        first ??= areaSet.querySelector('input');
      }
      if (first) {
        problems.append(h('p', { class: 'notice error' }, 'Some answers need a look: see the fields marked.'));
        first.focus();
        return;
      }
      const body = { needle_depth_mm: mm, areas: picked };
      for (const t of texts) {
        const v = t.input.value.trim();
        body[t.key] = v || null;
      }
      submit.disabled = true;
      status.textContent = 'Saving…';
      try {
        current = await app.call(`/api/v1/staff/appointments/${e.id}/notes`, { method: 'PUT', body });
      } catch (err) {
        status.textContent = '';
        submit.disabled = false;
        if (err instanceof SessionEnded) return;
        const unplaced = [];
        let focus = null;
        for (const [key, msg] of Object.entries(err.details || {})) {
          const base = key.replace(/\[\d+\]$/, '');
          if (mark(base, String(msg))) focus ??= base === 'areas' ? areaSet.querySelector('input') : inputs[base];
          else unplaced.push(key);
        }
        problems.append(h('p', { class: 'notice error' }, focus && !unplaced.length ? 'Some answers need a look: see the fields marked.' : explain(err)));
        focus?.focus();
        return;
      }
      form.remove();
      show();
      status.textContent = 'Session record saved.';
      section.querySelector('#record-title').focus();
    });
    content.replaceChildren(form);
    form.querySelector('#record-form-title').focus();
  }

  async function openHistory() {
    history.replaceChildren(h('p', { class: 'muted' }, 'Loading the course’s history…'));
    let c;
    try {
      c = await app.call(`/api/v1/staff/courses/${e.course.id}/notes`);
    } catch (err) {
      if (!(err instanceof SessionEnded)) history.replaceChildren(h('p', { class: 'notice error' }, explain(err)));
      return;
    }
    const sessions = c.sessions;
    const labels = ['Needle depth', 'Areas treated', 'Product or serum', 'Numbing', 'Immediate reaction', 'Notes'];
    const table = h(
      'table',
      { class: 'data-table history-table' },
      h('caption', { class: 'visually-hidden' }, 'The course’s session records, session by session'),
      h('thead', {}, h('tr', {}, h('td', {}), sessions.map((s) => h('th', { scope: 'col' }, `Session ${s.session_number}`)))),
      h(
        'tbody',
        {},
        h('tr', {}, h('th', { scope: 'row' }, 'Date'), sessions.map((s) => h('td', {}, fmt.day(s.start)))),
        h('tr', {}, h('th', { scope: 'row' }, 'Status'), sessions.map((s) => h('td', {}, STATUS[s.status] || s.status))),
        labels.map((label, i) =>
          h('tr', {}, h('th', { scope: 'row' }, label), sessions.map((s) => h('td', { class: 'wrap' }, s.notes ? rows(s.notes)[i][1] : '–'))),
        ),
      ),
    );
    history.replaceChildren(
      h('h4', { id: 'history-title', tabindex: '-1' }, 'Course history'),
      h('div', { class: 'table-box', tabindex: '0', role: 'region', 'aria-labelledby': 'history-title' }, table),
    );
    history.querySelector('#history-title').focus();
  }

  load();
  return section;
}
