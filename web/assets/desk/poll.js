// A list view kept current: `fetch` is asked every LIST_POLL_MS while the view is shown (and
// the tab visible), and `draw` runs only when the answer changed, so a list that stands still
// is not redrawn under the person reading it. Focus on a control with an id survives a redraw
// that draws it again. The calendar polls on its own (every 5 s, calendar.js).
export const LIST_POLL_MS = 15000;

export function listPoll(fetch, draw) {
  let last = null;
  let timer = null;
  let running = false;
  let stopped = false; // for good: a view is not started again once stopped
  let seq = 0; // only the newest request may draw (an older poll answer comes back late)

  /** Asks now; draws when the answer changed (or `force`). */
  async function refresh(force = false) {
    const mine = ++seq;
    const rows = await fetch();
    if (!running || mine !== seq) return;
    const text = JSON.stringify(rows);
    if (!force && text === last) return;
    last = text;
    const focused = document.activeElement && document.activeElement.id;
    draw(rows);
    if (focused && document.activeElement !== document.getElementById(focused)) document.getElementById(focused)?.focus();
  }

  function tick() {
    timer = setTimeout(async () => {
      if (!running) return;
      // a failed poll says nothing: the next one tries again, and an ended session ends the view
      if (!document.hidden) await refresh().catch(() => {});
      if (running) tick();
    }, LIST_POLL_MS);
  }

  return {
    refresh,
    /** The first answer (its error is the caller's to show), then a poll, even after an error. */
    async start() {
      if (stopped) return;
      running = true;
      try {
        await refresh(true);
      } finally {
        if (running) tick();
      }
    },
    stop() {
      stopped = true;
      running = false;
      clearTimeout(timer);
    },
  };
}
