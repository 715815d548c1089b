// The calendar: a day or a week, one column per practitioner (per day), visits placed by their
// local time in the clinic's zone, today highlighted, a "now" line, and a poll every 5 s (paused
// while the tab is hidden) so changes made elsewhere show without a reload.
import { h } from '../dom.js';
import { SessionEnded } from './session.js';
import { STATUS, CONSENT, serviceName, screeningState, explain } from './words.js';
import { minuteClock, localClock, weekdayIndex, hhmmMinutes, hhmm, WEEKDAYS } from './zone.js';
import { openVisit } from './visit.js';

export const POLL_MS = 5000;
// px per minute: a 30-minute consultation holds three lines of a visit in the day (time and
// status, name, service), one hour of microneedling five in the week
const SCALE = { day: 2, week: 1.5 };
// one line of a visit block, desk.css `.cal-visit`: 0.8rem at line-height 1.25, and the block's
// padding (0.15rem above and below) and borders (1 px each): in rem, so a browser whose default
// text size is larger gets taller lines and fewer of them (`lineMetrics`, read per render)
const LINE_REM = 0.8 * 1.25;
const PAD_REM = 0.3;
const BORDER_PX = 2;
function lineMetrics() {
  const rem = parseFloat(getComputedStyle(document.documentElement).fontSize) || 16;
  return { line: LINE_REM * rem, pad: PAD_REM * rem + BORDER_PX };
}

/** A visit block's skeleton (time and status, name, service, and the screening state or
 * not), cloned per visit: a deep native clone is several times cheaper than building ~20
 * nodes one by one, which dominated a week of 672 visits. */
function skeleton(withScreening) {
  return h(
    'button',
    { type: 'button', class: 'cal-visit', 'aria-haspopup': 'dialog' },
    h('span', { class: 'v-head' }, h('span', { class: 'v-time' }), h('span', { class: 'v-end' }), ' ', h('span', { class: 'v-status' }), ' '),
    h('span', { class: 'v-name' }),
    h('span', { class: 'v-service' }),
    withScreening ? h('span', { class: 'v-screening' }) : null,
  );
}
const VISIT = skeleton(true);
const VISIT_NO_SCREENING = skeleton(false);

export function createCalendar(app, params = null) {
  const { fmt } = app;
  const minuteOf = minuteClock(fmt.zone);
  const clock = localClock(fmt.zone);
  const todayNow = () => fmt.localDate(new Date().toISOString());
  const state = app.calendarState || (app.calendarState = { mode: 'day', anchor: todayNow() });
  // opened on a visit elsewhere (a closure day's or a time off's conflicts): its day, then it
  let pendingVisit = null;
  if (params && params.date) {
    state.mode = 'day';
    state.anchor = params.date;
    pendingVisit = params.visit || null;
  }

  let data = null; // the last calendar answer
  let metrics = lineMetrics(); // a visit line's height in px (read again at each render)
  let lastText = '';
  let lastMinute = -1;
  let timer = null;
  let requestNo = 0;
  let running = false;
  let scrollPending = true; // after a move: bring the working part of the day into view

  const title = h('h1', { id: 'title', tabindex: '-1' }, 'Calendar');
  const rangeLabel = h('h2', { class: 'cal-range', id: 'cal-range', 'aria-live': 'polite' });
  const modeButton = (mode, label) =>
    h('button', { type: 'button', class: 'secondary', 'data-mode': mode, onclick: () => setMode(mode) }, label);
  const dayBtn = modeButton('day', 'Day');
  const weekBtn = modeButton('week', 'Week');
  const toolbar = h(
    'div',
    { class: 'cal-toolbar' },
    h('div', { class: 'cal-group', role: 'group', 'aria-label': 'View' }, dayBtn, weekBtn),
    h(
      'div',
      { class: 'cal-group', role: 'group', 'aria-label': 'Move' },
      h('button', { type: 'button', class: 'secondary', onclick: () => move(-1) }, 'Previous'),
      h('button', { type: 'button', class: 'secondary', onclick: () => goToday() }, 'Today'),
      h('button', { type: 'button', class: 'secondary', onclick: () => move(1) }, 'Next'),
    ),
  );
  const zoneNote = h('p', { class: 'muted cal-zone' }, `Times are clinic time (${fmt.zone}).`);
  const alert = h('div', { role: 'alert', class: 'alert-slot' });
  const empty = h('p', { class: 'muted', role: 'status' });
  const box = h('div', { class: 'cal-box', role: 'region', 'aria-labelledby': 'cal-range', tabindex: '0' });
  const el = h('section', { class: 'calendar', 'aria-labelledby': 'title' }, title, toolbar, rangeLabel, zoneNote, alert, empty, box);

  function range() {
    if (state.mode === 'day') return { from: state.anchor, to: state.anchor };
    const from = fmt.addDays(state.anchor, -weekdayIndex(state.anchor));
    return { from, to: fmt.addDays(from, 6) };
  }

  function setMode(mode) {
    state.mode = mode;
    refresh(true);
  }
  function move(dir) {
    state.anchor = fmt.addDays(state.anchor, dir * (state.mode === 'day' ? 1 : 7));
    refresh(true);
  }
  function goToday() {
    state.anchor = todayNow();
    refresh(true);
  }

  function labelRange() {
    const { from, to } = range();
    dayBtn.setAttribute('aria-pressed', String(state.mode === 'day'));
    weekBtn.setAttribute('aria-pressed', String(state.mode === 'week'));
    const year = from.slice(0, 4);
    const text =
      state.mode === 'day'
        ? `${fmt.civilLong(from)} ${year}${from === todayNow() ? ' (today)' : ''}`
        : `Week of ${fmt.civilPlain(from)} to ${fmt.civilPlain(to)} ${to.slice(0, 4)}`;
    // a live region: written only when it changes, so a poll does not announce it again
    if (rangeLabel.textContent !== text) rangeLabel.textContent = text;
  }

  /** Loads the range; renders when the answer changed (or `force`, or the minute moved on). */
  async function refresh(force) {
    const mine = ++requestNo;
    if (force) scrollPending = true;
    labelRange();
    const { from, to } = range();
    try {
      const answer = await app.call(`/api/v1/staff/calendar?from=${from}&to=${to}`);
      if (mine !== requestNo || !running) return;
      alert.replaceChildren();
      const text = JSON.stringify(answer);
      const minute = Math.floor(Date.now() / 60000);
      if (!force && text === lastText && minute === lastMinute) return;
      lastText = text;
      lastMinute = minute;
      data = answer;
      render();
      if (pendingVisit) {
        const id = pendingVisit;
        pendingVisit = null;
        const b = box.querySelector(`[data-visit="${CSS.escape(id)}"]`);
        if (b) {
          b.scrollIntoView({ block: 'center', inline: 'center' });
          b.focus({ preventScroll: true });
        }
        if (find(id)) openVisit(app, id, { find, refresh: () => refresh(true) });
      }
    } catch (e) {
      if (e instanceof SessionEnded || mine !== requestNo) return;
      alert.replaceChildren(h('p', { class: 'notice error' }, `The calendar could not be loaded. ${explain(e)}`));
    }
  }

  function poll() {
    timer = setTimeout(async () => {
      if (!running) return;
      if (!document.hidden) await refresh(false);
      if (running) poll();
    }, POLL_MS);
  }

  function onVisibility() {
    if (!document.hidden && running) refresh(false);
  }

  /** Which practitioners get a column: those of the calendar answer (every active one; a
   * practitioner login: their own, as the API decides), then any other a visit names. */
  function columnsFor(entries) {
    const list = [...(data.practitioners || [])];
    const known = new Set(list.map((p) => p.id));
    for (const e of entries) {
      if (!known.has(e.practitioner_id)) {
        known.add(e.practitioner_id);
        list.push({ id: e.practitioner_id, name: e.practitioner_name || 'Practitioner', working_hours: [] });
      }
    }
    return list;
  }

  function render() {
    const t0 = performance.now();
    metrics = lineMetrics();
    const { from } = range();
    const days = state.mode === 'day' ? [from] : Array.from({ length: 7 }, (_, i) => fmt.addDays(from, i));
    const entries = data.appointments;
    const people = columnsFor(entries);
    const today = todayNow();
    const scale = SCALE[state.mode];

    // The hours shown: working hours and every visit, at least 08:00-18:00.
    let lo = 8 * 60;
    let hi = 18 * 60;
    for (const p of people) {
      for (const w of p.working_hours || []) {
        const s = hhmmMinutes(w.start);
        const e = hhmmMinutes(w.end);
        if (s != null) lo = Math.min(lo, s);
        if (e != null) hi = Math.max(hi, e);
      }
    }
    const placed = entries.map((e) => {
      const s = clock(e.start);
      const f = clock(e.end);
      const start = s.minutes;
      const end = f.date !== s.date ? 24 * 60 : f.minutes;
      lo = Math.min(lo, start);
      hi = Math.max(hi, end);
      return { e, date: s.date, start, end: Math.max(end, start + 15), times: `${s.hhmm}–${f.hhmm}` };
    });
    lo = Math.floor(lo / 60) * 60;
    hi = Math.min(24 * 60, Math.ceil(hi / 60) * 60);
    const height = (hi - lo) * scale;

    const byColumn = new Map();
    for (const v of placed) {
      const key = `${v.date}|${v.e.practitioner_id}`;
      if (!byColumn.has(key)) byColumn.set(key, []);
      byColumn.get(key).push(v);
    }

    const focusedId = document.activeElement?.dataset?.visit || null;
    const schedules = new Map((data.practitioners || []).map((p) => [p.id, p]));
    const closed = new Map((data.closures || []).map((c) => [c.date, c]));
    // time off, cut into clinic-local days: "date|practitioner" -> [{start, end, reason}]
    const offByColumn = new Map();
    for (const p of schedules.values()) {
      for (const off of p.time_off || []) {
        const s = clock(off.start);
        const f = clock(off.end);
        for (const d of days) {
          if (d < s.date || d > f.date || (d === f.date && f.minutes === 0 && f.date !== s.date)) continue;
          const start = d === s.date ? s.minutes : 0;
          const end = d === f.date ? f.minutes : 24 * 60;
          if (end <= start) continue;
          const key = `${d}|${p.id}`;
          if (!offByColumn.has(key)) offByColumn.set(key, []);
          offByColumn.get(key).push({ start, end, reason: off.reason, times: `${hhmm(start)}–${hhmm(end)}` });
        }
      }
    }
    const grid = h('div', { class: `cal-grid mode-${state.mode}` });
    const cols = days.length * Math.max(people.length, 1);
    grid.style.gridTemplateColumns = `3.5rem repeat(${cols}, minmax(${state.mode === 'day' ? '10rem' : '7.5rem'}, 1fr))`;
    grid.style.setProperty('--hour', `${60 * scale}px`);

    // header rows: days, then practitioners
    grid.append(h('div', { class: 'cal-corner', 'aria-hidden': 'true' }));
    for (const d of days) {
      const shut = closed.get(d);
      const head = h(
        'div',
        { class: `cal-day${d === today ? ' today' : ''}${shut ? ' closed' : ''}`, title: shut ? `Closed${shut.reason ? `: ${shut.reason}` : ''}` : null },
        fmt.civilShort(d),
        d === today ? h('span', { class: 'today-tag' }, ' Today') : null,
        shut ? h('span', { class: 'closed-tag' }, ' Closed') : null,
      );
      head.style.gridColumn = `span ${Math.max(people.length, 1)}`;
      grid.append(head);
    }
    grid.append(h('div', { class: 'cal-corner second', 'aria-hidden': 'true' }));
    for (const d of days) {
      if (!people.length) grid.append(h('div', { class: 'cal-person' }, '—'));
      for (const p of people) grid.append(h('div', { class: `cal-person${d === today ? ' today' : ''}` }, p.name));
    }

    // hour gutter
    const gutter = h('div', { class: 'cal-gutter', 'aria-hidden': 'true' });
    gutter.style.height = `${height}px`;
    for (let m = lo; m < hi; m += 60) {
      const tick = h('span', {}, hhmm(m));
      tick.style.top = `${(m - lo) * scale}px`;
      gutter.append(tick);
    }
    grid.append(gutter);

    const nowMin = minuteOf(new Date().toISOString());
    let restore = null;
    for (const d of days) {
      const weekday = WEEKDAYS[weekdayIndex(d)];
      for (const p of people.length ? people : [null]) {
        const shut = closed.get(d);
        const col = h('div', { class: `cal-col${d === today ? ' today' : ''}${shut ? ' closed' : ''}` });
        col.style.height = `${height}px`;
        if (shut) col.append(h('div', { class: 'cal-closed' }, `Closed: ${shut.reason || 'the clinic is closed'}`));
        for (const off of p ? offByColumn.get(`${d}|${p.id}`) || [] : []) {
          const top = Math.max(off.start, lo);
          const bottom = Math.min(off.end, hi);
          if (bottom <= top) continue;
          const block = h('div', { class: 'cal-off' }, h('span', { class: 'off-time' }, `${off.times} `), `Time off${off.reason ? `: ${off.reason}` : ''}`);
          block.style.top = `${(top - lo) * scale}px`;
          block.style.height = `${(bottom - top) * scale}px`;
          col.append(block);
        }
        if (p) {
          for (const w of p.working_hours || []) {
            if (w.weekday !== weekday) continue;
            const s = hhmmMinutes(w.start);
            const e = hhmmMinutes(w.end);
            if (s == null || e == null) continue;
            const band = h('div', { class: 'cal-hours', 'aria-hidden': 'true' });
            band.style.top = `${(s - lo) * scale}px`;
            band.style.height = `${(e - s) * scale}px`;
            col.append(band);
          }
        }
        if (d === today && nowMin >= lo && nowMin <= hi) {
          const line = h('div', { class: 'cal-now', title: `Now ${hhmm(nowMin)}` }, h('span', { class: 'visually-hidden' }, `Now ${hhmm(nowMin)}`));
          line.style.top = `${(nowMin - lo) * scale}px`;
          col.append(line);
        }
        const list = p ? byColumn.get(`${d}|${p.id}`) || [] : [];
        lanes(list);
        for (const v of list) {
          const px = Math.max((v.end - v.start) * scale - 2, 22);
          const b = visitButton(v.e, v.times, px);
          b.style.top = `${(v.start - lo) * scale}px`;
          b.style.height = `${px}px`;
          b.style.left = `${(v.lane / v.lanes) * 100}%`;
          b.style.width = `calc(${100 / v.lanes}% - 2px)`;
          if (v.e.id === focusedId) restore = b;
          col.appendChild(b);
        }
        grid.appendChild(col);
      }
    }

    box.replaceChildren(grid);
    if (scrollPending) {
      scrollPending = false;
      // today: from an hour before now; another day: from its first visit (or 08:00)
      const first = placed.length ? Math.min(...placed.map((v) => v.start)) : 8 * 60;
      const target = days.includes(today) ? nowMin - 60 : Math.min(first, 8 * 60);
      box.scrollTop = Math.max(0, (target - lo) * scale - 8);
      // a week that holds today: today's first column next to the hour gutter
      const todayCol = grid.querySelector('.cal-col.today');
      box.scrollLeft = todayCol && state.mode === 'week'
        ? Math.max(0, todayCol.getBoundingClientRect().left - box.getBoundingClientRect().left + box.scrollLeft - gutter.offsetWidth)
        : 0;
    }
    empty.textContent = entries.length ? '' : state.mode === 'day' ? 'No visits on this day.' : 'No visits in this week.';
    if (restore) restore.focus({ preventScroll: true });
    const t1 = performance.now();
    performance.measure('desk-render', { start: t0, end: t1 });
    // and until the new grid is styled, laid out and painted (a task after the next frame)
    requestAnimationFrame(() => setTimeout(() => performance.measure('desk-render-painted', { start: t0, end: performance.now() }), 0));
  }

  /** Side by side where visits overlap in one column (a cancelled visit under a new one). */
  function lanes(list) {
    list.sort((a, b) => a.start - b.start || a.end - b.end);
    let cluster = [];
    let clusterEnd = -1;
    const close = () => {
      const n = Math.max(1, ...cluster.map((v) => v.lane + 1));
      for (const v of cluster) v.lanes = n;
      cluster = [];
    };
    let laneEnds = [];
    for (const v of list) {
      if (v.start >= clusterEnd && cluster.length) {
        close();
        laneEnds = [];
      }
      let lane = laneEnds.findIndex((end) => end <= v.start);
      if (lane < 0) lane = laneEnds.length;
      laneEnds[lane] = v.end;
      v.lane = lane;
      cluster.push(v);
      clusterEnd = Math.max(clusterEnd, v.end);
    }
    if (cluster.length) close();
  }

  /** One visit as a button (built with plain DOM calls: a week has hundreds of them). */
  /**
   * A visit's block: its lines by importance (time and status, name, service with session n of
   * m and numbing cream, screening state, consent, a failed message). Lines the block's height
   * cannot hold are hidden whole (visually hidden, so the button's accessible name still reads
   * every line) rather than cut in half; the visit's dialog shows them all.
   */
  function visitButton(e, times, px) {
    const sc = screeningState(e);
    // a consultation without a screening has no screening state to show
    const screened = !(sc.tone === 'plain' && e.service !== 'microneedling');
    const b = (screened ? VISIT : VISIT_NO_SCREENING).cloneNode(true);
    b.className = `cal-visit st-${e.status}`;
    b.dataset.visit = e.id;
    const [head, name, service, screening] = b.children;
    head.children[0].textContent = times.slice(0, 5);
    // a narrow column hides the end time (desk.css, a container query); the name keeps it
    head.children[1].textContent = times.slice(5);
    head.children[2].textContent = STATUS[e.status] || e.status;
    // each line ends in a space so the button's accessible name reads as words
    name.textContent = `${e.client ? e.client.name : 'Client erased'} `;
    let text = serviceName(e.service);
    if (e.course) text += `, session ${e.course.session_number} of ${e.course.sessions}`;
    if (e.anesthesia) text += ', numbing cream';
    service.textContent = `${text} `;
    const lines = [head, name, service];
    if (screened) {
      screening.className = `v-screening tone-${sc.tone}`;
      screening.textContent = `${sc.text} `;
      lines.push(screening);
    }
    const consent = CONSENT[e.consent];
    if (consent && consent.short && (e.status === 'booked' || e.status === 'checked_in')) {
      lines.push(b.appendChild(h('span', { class: 'v-consent tone-warn' }, `${consent.short} `)));
    }
    if (e.messages_failed) lines.push(b.appendChild(h('span', { class: 'v-failed' }, 'A message failed ')));
    const fits = Math.max(1, Math.floor((px - metrics.pad) / metrics.line));
    for (let i = fits; i < lines.length; i++) lines[i].classList.add('v-cut');
    if (lines.length > fits) b.classList.add('v-more');
    return b;
  }

  // one listener for every visit button
  box.addEventListener('click', (ev) => {
    const b = ev.target.closest('[data-visit]');
    if (b) openVisit(app, b.dataset.visit, { find, refresh: () => refresh(true) });
  });

  function find(id) {
    return data?.appointments.find((a) => a.id === id) || null;
  }

  return {
    el,
    async start() {
      running = true;
      document.addEventListener('visibilitychange', onVisibility);
      await refresh(true);
      poll();
    },
    stop() {
      running = false;
      clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisibility);
    },
  };
}
