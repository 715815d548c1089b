// "Hours and time off" (admin, reception): per practitioner, the weekly working hours (replaced
// as a whole: PUT .../working-hours), every time off not yet over (GET .../time-off, however
// far ahead; removed one by one) and
// new time off (local date-times in the clinic's zone, sent as RFC 3339 with the offset). The
// API lists the booked visits a change leaves outside the hours or inside the time off: they
// are shown as links, for the desk to move or cancel each.
import { h } from '../dom.js';
import { SessionEnded } from './session.js';
import { explain } from './words.js';
import { WEEKDAYS, zonedInstant } from './zone.js';
import { visitLinks } from './links.js';

const DAY_NAMES = { mon: 'Monday', tue: 'Tuesday', wed: 'Wednesday', thu: 'Thursday', fri: 'Friday', sat: 'Saturday', sun: 'Sunday' };

export function createHours(app) {
  const { fmt } = app;
  const title = h('h1', { id: 'title', tabindex: '-1' }, 'Hours and time off');
  const status = h('div', { role: 'status', class: 'status-slot' });
  const alert = h('div', { role: 'alert', class: 'alert-slot' });
  const who = h('select', { id: 'hours-practitioner' });
  const chooser = h('div', { class: 'field' }, h('label', { for: 'hours-practitioner' }, 'Practitioner'), who);
  const content = h('div');
  const el = h('section', { class: 'admin-view hours', 'aria-labelledby': 'title' }, title, status, alert, chooser, content);
  let practitioners = [];

  const fail = (e, slot = alert) => {
    if (e instanceof SessionEnded) return;
    slot.replaceChildren(h('p', { class: 'notice error' }, explain(e)));
  };
  const today = () => fmt.localDate(new Date().toISOString());

  // ---- weekly hours ----

  function hoursSection(p) {
    const rows = h('div', { class: 'hours-rows' });
    const problems = h('div', { role: 'alert', class: 'alert-slot' });
    const result = h('div', { class: 'result' });
    let n = 0;
    const addRow = (w = { weekday: 'mon', start: '09:00', end: '17:00' }, focus = false) => {
      const i = n++;
      const day = h(
        'select',
        { id: `hw-day-${i}`, 'data-part': 'weekday' },
        WEEKDAYS.map((d) => h('option', { value: d }, DAY_NAMES[d])),
      );
      day.value = w.weekday;
      const time = (part, label, value) =>
        h(
          'div',
          { class: 'field' },
          h('label', { for: `hw-${part}-${i}` }, label),
          h('input', {
            type: 'text', id: `hw-${part}-${i}`, 'data-part': part, value, size: '5', maxlength: '5',
            inputmode: 'numeric', autocomplete: 'off', 'aria-describedby': 'hw-hint',
          }),
        );
      const row = h(
        'fieldset',
        { class: 'hours-row row-form' },
        h('legend', {}, `Window ${i + 1}`),
        h('div', { class: 'field' }, h('label', { for: `hw-day-${i}` }, 'Day'), day),
        time('start', 'From', w.start),
        time('end', 'Until', w.end),
        h('button', {
          type: 'button', class: 'secondary',
          onclick: () => {
            row.remove();
            renumber();
            (rows.querySelector('select') || addButton).focus();
          },
        }, `Remove window ${i + 1}`),
      );
      rows.append(row);
      renumber();
      if (focus) day.focus();
    };
    // legends and buttons say the window's place in the list as it is now
    const renumber = () => {
      [...rows.children].forEach((row, k) => {
        row.querySelector('legend').textContent = `Window ${k + 1}`;
        row.querySelector('button').textContent = `Remove window ${k + 1}`;
      });
    };
    const sorted = [...(p.working_hours || [])].sort(
      (a, b) => WEEKDAYS.indexOf(a.weekday) - WEEKDAYS.indexOf(b.weekday) || a.start.localeCompare(b.start),
    );
    for (const w of sorted) addRow(w);
    const addButton = h('button', { type: 'button', class: 'secondary', onclick: () => addRow(undefined, true) }, 'Add a window');
    const save = h('button', { type: 'submit' }, 'Save working hours');
    const form = h(
      'form',
      { novalidate: true, 'aria-labelledby': 'hours-title' },
      h('p', { class: 'hint', id: 'hw-hint' }, 'Clinic time, HH:MM (24:00 for midnight). A day without a window is a day off.'),
      rows,
      problems,
      h('div', { class: 'actions' }, addButton, save),
      result,
    );
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      problems.replaceChildren();
      result.replaceChildren();
      status.textContent = '';
      const body = [...rows.querySelectorAll('.hours-row')].map((row) => ({
        weekday: row.querySelector('[data-part=weekday]').value,
        start: row.querySelector('[data-part=start]').value.trim(),
        end: row.querySelector('[data-part=end]').value.trim(),
      }));
      save.disabled = true;
      try {
        const r = await app.call(`/api/v1/staff/practitioners/${p.id}/working-hours`, { method: 'PUT', body });
        p.working_hours = body;
        status.textContent = `Working hours of ${p.name} saved.`;
        if (r.conflicts.length) {
          result.append(
            h('p', { class: 'notice warn' }, `${r.conflicts.length === 1 ? 'One booked visit now lies' : `${r.conflicts.length} booked visits now lie`} outside these hours. Nothing was cancelled: move or cancel each (the client is told then).`),
            await visitLinks(app, r.conflicts, today(), null),
          );
        }
      } catch (e) {
        fail(e, problems);
      } finally {
        save.disabled = false;
      }
    });
    return h('section', { 'aria-labelledby': 'hours-title' }, h('h2', { id: 'hours-title' }, 'Weekly working hours'), form);
  }

  // ---- time off ----

  function timeOffSection(p) {
    const list = h('div', { 'aria-live': 'polite' });
    const problems = h('div', { role: 'alert', class: 'alert-slot' });
    const result = h('div', { class: 'result' });
    // the year too when it is not this year's (time off may lie months ahead)
    const day = (iso) => (fmt.localDate(iso).slice(0, 4) === today().slice(0, 4) ? fmt.day(iso) : fmt.dayYear(iso));
    const words = (off) => {
      const sameDay = fmt.localDate(off.start) === fmt.localDate(off.end);
      return `${day(off.start)}, ${fmt.time(off.start)} to ${sameDay ? '' : `${day(off.end)}, `}${fmt.time(off.end)}`;
    };

    async function load() {
      // by start, from the one under way now to the furthest ahead
      const offs = await app.call(`/api/v1/staff/practitioners/${p.id}/time-off`);
      if (!offs.length) {
        list.replaceChildren(h('p', { class: 'muted' }, 'No time off ahead.'));
        return;
      }
      list.replaceChildren(
        h(
          'ul',
          { class: 'plain-list' },
          offs.map((off) => {
            const remove = h('button', { type: 'button', class: 'secondary', 'aria-label': `Remove time off ${words(off)}` }, 'Remove');
            remove.addEventListener('click', async () => {
              problems.replaceChildren();
              remove.disabled = true;
              try {
                await app.call(`/api/v1/staff/practitioners/${p.id}/time-off/${off.id}`, { method: 'DELETE' });
                status.textContent = `Time off ${words(off)} removed: the time can be booked again.`;
                await load();
                (list.querySelector('button') || startInput).focus();
              } catch (e) {
                remove.disabled = false;
                fail(e, problems);
              }
            });
            return h('li', { 'data-time-off': off.id }, h('span', {}, `${words(off)}${off.reason ? `: ${off.reason}` : ''}`), remove);
          }),
        ),
      );
    }

    const startInput = h('input', { type: 'datetime-local', id: 'off-start', 'aria-describedby': 'off-hint' });
    const endInput = h('input', { type: 'datetime-local', id: 'off-end', 'aria-describedby': 'off-hint' });
    const reason = h('input', { type: 'text', id: 'off-reason', maxlength: '500', autocomplete: 'off' });
    const add = h('button', { type: 'submit' }, 'Add time off');
    const form = h(
      'form',
      { novalidate: true, 'aria-labelledby': 'off-add-title' },
      h('h3', { id: 'off-add-title' }, 'Add time off'),
      h('p', { class: 'hint', id: 'off-hint' }, `Clinic time (${fmt.zone}).`),
      h(
        'div',
        { class: 'row-form' },
        h('div', { class: 'field' }, h('label', { for: 'off-start' }, 'From'), startInput),
        h('div', { class: 'field' }, h('label', { for: 'off-end' }, 'Until'), endInput),
        h('div', { class: 'field' }, h('label', { for: 'off-reason' }, 'Reason'), h('span', { class: 'hint' }, 'Optional; shown on the calendar.'), reason),
      ),
      problems,
      h('div', { class: 'actions' }, add),
      result,
    );
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      problems.replaceChildren();
      result.replaceChildren();
      status.textContent = '';
      const start = zonedInstant(fmt.zone, startInput.value);
      const end = zonedInstant(fmt.zone, endInput.value);
      if (!start || !end) {
        const which = !start ? 'From' : 'Until';
        problems.append(h('p', { class: 'notice error' }, `${which}: enter a date and a time${(!start ? startInput : endInput).value ? ' that exists in clinic time (the clocks go forward over it)' : ''}.`));
        return;
      }
      add.disabled = true;
      try {
        const body = { start, end };
        if (reason.value.trim()) body.reason = reason.value.trim();
        const r = await app.call(`/api/v1/staff/practitioners/${p.id}/time-off`, { method: 'POST', body });
        const made = { start, end };
        status.textContent = `Time off added for ${p.name}: ${words(made)}.`;
        startInput.value = '';
        endInput.value = '';
        reason.value = '';
        if (r.conflicts.length) {
          result.append(
            h('p', { class: 'notice warn' }, `${r.conflicts.length === 1 ? 'One visit is' : `${r.conflicts.length} visits are`} still booked in this time off. Nothing was cancelled: move or cancel each (the client is told then).`),
            await visitLinks(app, r.conflicts, fmt.localDate(start), fmt.localDate(end)),
          );
        }
        await load();
      } catch (e) {
        fail(e, problems);
      } finally {
        add.disabled = false;
      }
    });
    load().catch((e) => fail(e, problems));
    return h(
      'section',
      { 'aria-labelledby': 'off-title' },
      h('h2', { id: 'off-title' }, 'Time off'),
      h('p', { class: 'hint' }, 'Under way now or ahead, however far.'),
      list,
      form,
    );
  }

  function show() {
    const p = practitioners.find((x) => x.id === who.value);
    status.textContent = '';
    alert.replaceChildren();
    content.replaceChildren(...(p ? [hoursSection(p), timeOffSection(p)] : [h('p', {}, 'No practitioners yet.')]));
  }
  who.addEventListener('change', show);

  return {
    el,
    async start() {
      try {
        practitioners = await app.call('/api/v1/staff/practitioners');
        who.replaceChildren(...practitioners.map((p) => h('option', { value: p.id }, `${p.name}${p.active ? '' : ' (inactive)'}`)));
        show();
      } catch (e) {
        fail(e);
      }
    },
    stop() {},
  };
}
