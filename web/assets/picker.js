// The time picker: a week at a time, the days with free times, then the chosen day's times as
// buttons named by their local time ("14:30"). What is free comes from the API only; times are
// grouped and shown in the clinic's zone.
import { h, fill } from './dom.js';

/**
 * load(from, to) -> the API's slots for those local dates; onChoose(slot) when a time is
 * pressed (slot: {start, end, practitioner_id}). range: optional {from, to} local dates
 * (YYYY-MM-DD, either null) outside which no day is offered (a course session's window).
 */
export function createPicker({ t, fmt, load, onChoose, range = {} }) {
  const today = fmt.localDate(new Date().toISOString());
  let first = range.from && range.from > today ? range.from : today;
  const last = range.to || null;
  let weekStart = first;
  let days = new Map(); // local date -> slots, one per start time
  let day = null;
  let chosen = null;
  let requestNo = 0;

  const prev = h('button', { type: 'button', class: 'secondary', onclick: () => move(-7) }, t.previous);
  const next = h('button', { type: 'button', class: 'secondary', onclick: () => move(7) }, t.next);
  const weekLabel = h('h3', { id: 'week-label' });
  const status = h('p', { class: 'muted', role: 'status' });
  const dayList = h('ul', { class: 'days', 'aria-label': t.pickTitle });
  const timesHeading = h('h3', { id: 'times-heading', tabindex: '-1' });
  const timeList = h('ul', { class: 'times', 'aria-labelledby': 'times-heading' });
  const el = h(
    'div',
    { class: 'picker' },
    h('p', { class: 'zone' }, fill(t.zoneNote, { zone: fmt.zone })),
    h('div', { class: 'week-nav' }, prev, weekLabel, next),
    status,
    dayList,
    timesHeading,
    timeList,
  );

  function move(by) {
    const target = fmt.addDays(weekStart, by);
    if (last && target > last) return;
    weekStart = target < first ? first : target;
    day = null;
    refresh();
  }

  async function refresh() {
    const mine = ++requestNo;
    const end = fmt.addDays(weekStart, 6);
    const to = last && last < end ? last : end;
    prev.disabled = weekStart <= first;
    next.disabled = !!last && fmt.addDays(weekStart, 7) > last;
    weekLabel.textContent = fill(t.weekOf, { from: fmt.civilPlain(weekStart), to: fmt.civilPlain(to) });
    status.textContent = t.loadingTimes;
    // The last week's times go while this one loads, so none of them can be chosen.
    dayList.replaceChildren();
    timeList.replaceChildren();
    timesHeading.hidden = true;
    let slots;
    try {
      slots = await load(weekStart, to);
    } catch (e) {
      if (mine === requestNo) status.textContent = '';
      throw e;
    }
    if (mine !== requestNo) return; // a later request (another week or option) won
    days = new Map();
    for (let d = fmt.addDays(weekStart, 0); d <= to; d = fmt.addDays(d, 1)) days.set(d, []);
    const seen = new Set();
    for (const s of slots) {
      const date = fmt.localDate(s.start);
      if (!days.has(date) || seen.has(s.start)) continue;
      seen.add(s.start);
      days.get(date).push(s);
    }
    const free = [...days.entries()].filter(([, list]) => list.length > 0);
    if (!day || !days.get(day)?.length) day = free.length ? free[0][0] : null;
    if (chosen && !seen.has(chosen.start)) chosen = null;
    status.textContent = free.length ? '' : t.noTimesWeek;
    render();
  }

  function render() {
    dayList.replaceChildren(
      ...[...days.entries()].map(([date, list]) =>
        h(
          'li',
          {},
          h(
            'button',
            {
              type: 'button',
              'aria-pressed': String(date === day),
              disabled: list.length === 0,
              onclick: () => {
                day = date;
                render();
                timesHeading.focus();
              },
            },
            fmt.civilShort(date),
            h('span', { class: 'count' }, t.nTimes(list.length)),
          ),
        ),
      ),
    );
    const list = (day && days.get(day)) || [];
    timesHeading.hidden = list.length === 0;
    timesHeading.textContent = day ? fill(t.timesOn, { day: fmt.civilLong(day) }) : '';
    timeList.replaceChildren(
      ...list.map((s) =>
        h(
          'li',
          {},
          h(
            'button',
            {
              type: 'button',
              'aria-pressed': String(chosen?.start === s.start),
              'data-start': s.start,
              onclick: () => {
                chosen = s;
                render();
                onChoose(s);
              },
            },
            fmt.time(s.start),
          ),
        ),
      ),
    );
  }

  return {
    el,
    refresh,
    /** Starts again on the local date `date` (or today, if later): no earlier day is offered. */
    startFrom(date) {
      first = date > today ? date : today;
      weekStart = first;
      day = null;
      chosen = null;
      return refresh();
    },
    /** Forgets the chosen time (after it was taken, or when options change). */
    clear() {
      chosen = null;
      render();
    },
    get chosen() {
      return chosen;
    },
  };
}
