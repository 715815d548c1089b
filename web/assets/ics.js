// One calendar file for a whole course: the events of each session's .ics (as the API
// serves them) inside the first file's calendar.

/** Joins iCalendar texts: every VEVENT of the later files goes into the first. */
export function mergeCalendars(files) {
  if (files.length <= 1) return files[0] || '';
  const events = files
    .slice(1)
    .flatMap((f) => f.match(/BEGIN:VEVENT[\s\S]*?END:VEVENT\r?\n/g) || []);
  const first = files[0];
  const end = first.lastIndexOf('END:VCALENDAR');
  return end < 0 ? first : first.slice(0, end) + events.join('') + first.slice(end);
}
