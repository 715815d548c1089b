// "Failed messages": emails the dispatcher gave up on, with the last error, and "Retry" (the
// API puts the message back in the queue).
import { h } from '../dom.js';
import { SessionEnded } from './session.js';
import { explain, messageKind } from './words.js';
import { listPoll } from './poll.js';

export function createMessages(app) {
  const { fmt } = app;
  const title = h('h1', { id: 'title', tabindex: '-1' }, 'Failed messages');
  const status = h('div', { role: 'status', class: 'status-slot' });
  const alert = h('div', { role: 'alert', class: 'alert-slot' });
  const list = h('div');
  const el = h('section', { class: 'messages', 'aria-labelledby': 'title' }, title, status, alert, list);

  const fail = (e) => {
    if (e instanceof SessionEnded) return;
    alert.replaceChildren(h('p', { class: 'notice error' }, explain(e)));
  };

  // a message that fails meanwhile appears while the list is shown
  const poll = listPoll(() => app.call('/api/v1/staff/messages?status=failed'), draw);
  const load = () => poll.refresh(true);

  function draw(rows) {
    if (!rows.length) {
      list.replaceChildren(h('p', {}, 'No failed messages.'));
      return;
    }
    list.replaceChildren(
      h(
        'ul',
        { class: 'cards' },
        rows.map((m) => {
          const retry = h('button', { type: 'button', id: `retry-${m.id}`, 'aria-describedby': `msg-${m.id}` }, 'Retry');
          retry.addEventListener('click', async () => {
            alert.replaceChildren();
            retry.disabled = true;
            try {
              await app.call(`/api/v1/staff/messages/${m.id}/retry`, { method: 'POST' });
              status.textContent = `${messageKind(m.kind)} to ${m.recipient} is queued again.`;
              await load();
              title.focus();
            } catch (e) {
              retry.disabled = false;
              fail(e);
            }
          });
          return h(
            'li',
            { class: 'card', 'data-message': m.id },
            h('h2', { id: `msg-${m.id}` }, `${messageKind(m.kind)} to ${m.recipient}`),
            h(
              'dl',
              { class: 'facts' },
              h('dt', {}, 'Due'),
              h('dd', {}, `${fmt.day(m.due_at)}, ${fmt.time(m.due_at)}`),
              h('dt', {}, 'Attempts'),
              h('dd', {}, String(m.attempts)),
              h('dt', {}, 'Error'),
              h('dd', { class: 'error-text' }, m.last_error || 'No error recorded'),
            ),
            retry,
          );
        }),
      ),
    );
  }

  return {
    el,
    async start() {
      try {
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
