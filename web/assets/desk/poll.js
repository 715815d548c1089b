// A list view kept current: `fetch` is asked every LIST_POLL_MS while the view is shown (and
// the tab visible), and `draw` runs only when the answer changed, so a list that stands still
// is not redrawn under the person reading it. Focus on a control with an id survives a redraw
// that draws it again. The calendar polls on its own (every 5 s, calendar.js).
export const LIST_POLL_MS = 15000;

export function listPoll(fetch, draw) {
  let last = null;
  let timer = null;
  let running = false;

  /** Asks now; draws when the answer changed (or `force`). */
  async function refresh(force = false) {
    const rows = await fetch();
    const text = JSON.stringify(rows);
    if (!running || (!force && text === last)) return;
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
    async start() {
      running = true;
      await refresh(true);
      tick();
    },
    stop() {
      running = false;
      clearTimeout(timer);
    },
  };
}
