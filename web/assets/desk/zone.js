// Clinic-zone arithmetic for the calendar (never the browser's zone): the local clock time of an
// instant, and civil-date helpers. Like web/assets/clinic.js, civil dates are handled as UTC
// midnights so no zone ever shifts them.

/** Minutes after local midnight of an instant, in `timeZone`. */
export function minuteClock(timeZone) {
  const f = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  return (iso) => {
    let hour = 0;
    let minute = 0;
    for (const p of f.formatToParts(new Date(iso))) {
      if (p.type === 'hour') hour = Number(p.value);
      else if (p.type === 'minute') minute = Number(p.value);
    }
    return hour * 60 + minute;
  };
}

/** Monday = 0 ... Sunday = 6 of a civil date YYYY-MM-DD. */
export function weekdayIndex(date) {
  return (new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7;
}

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/** "09:30" -> 570; "24:00" -> 1440. */
export function hhmmMinutes(s) {
  const m = /^(\d\d):(\d\d)$/.exec(s || '');
  return m ? Number(m[1]) * 60 + Number(m[2]) : null;
}

export function hhmm(minutes) {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`;
}
