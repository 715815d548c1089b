// Visits named by id (a closure day's or a time off's conflicts) as links that open the visit
// on the calendar: the calendar of their days gives each its time and client.
import { h } from '../dom.js';
import { SessionEnded } from './session.js';
import { serviceName } from './words.js';

/**
 * A list of links to visits `ids`, looked up in the calendar from `from` to `to` (local dates;
 * at most 31 days are asked for, a visit outside them is named by its id).
 */
export async function visitLinks(app, ids, from, to) {
  const { fmt } = app;
  let entries = [];
  try {
    const last = to && to < fmt.addDays(from, 30) ? to : fmt.addDays(from, 30);
    entries = (await app.call(`/api/v1/staff/calendar?from=${from}&to=${last}`)).appointments;
  } catch (e) {
    if (e instanceof SessionEnded) throw e;
  }
  return h(
    'ul',
    { class: 'conflicts' },
    ids.map((id) => {
      const e = entries.find((x) => x.id === id);
      const text = e
        ? `${fmt.day(e.start)}, ${fmt.time(e.start)}: ${e.client ? e.client.name : 'Client erased'} (${serviceName(e.service)}${e.practitioner_name ? `, ${e.practitioner_name}` : ''})`
        : `A visit (${id})`;
      return h(
        'li',
        {},
        h('a', {
          href: '#calendar',
          'data-open-visit': id,
          onclick: (ev) => {
            ev.preventDefault();
            app.go('calendar', { date: e ? fmt.localDate(e.start) : from, visit: id });
          },
        }, text),
      );
    }),
  );
}
