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

/**
 * The clinic-local date, minute of the day and "HH:MM" of instants, fast: the zone's UTC offset
 * comes from Intl (the clinic's zone) once per 15-minute stretch of UTC time and is cached
 * (offsets change only at quarter-hour instants), the rest is arithmetic. For a week of
 * hundreds of visits this replaces thousands of Intl calls.
 */
export function localClock(timeZone) {
  const f = new Intl.DateTimeFormat('en-GB', {
    timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit',
  });
  const offsets = new Map();
  const QUARTER = 900000;
  const offsetAt = (ms) => {
    const bucket = Math.floor(ms / QUARTER) * QUARTER;
    let off = offsets.get(bucket);
    if (off === undefined) {
      const p = {};
      for (const x of f.formatToParts(new Date(bucket))) p[x.type] = x.value;
      off = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute)) - bucket;
      offsets.set(bucket, off);
    }
    return off;
  };
  return (iso) => {
    const ms = Date.parse(iso);
    const local = new Date(ms + offsetAt(ms));
    const minutes = local.getUTCHours() * 60 + local.getUTCMinutes();
    return { date: local.toISOString().slice(0, 10), minutes, hhmm: hhmm(minutes) };
  };
}

/**
 * A clinic-local date-time "YYYY-MM-DDTHH:MM" (what a datetime-local input gives) as RFC 3339
 * with the zone's offset then, e.g. "2026-12-24T09:00:00+01:00"; null when malformed or when
 * the time does not exist that day (the clocks go forward over it).
 */
export function zonedInstant(timeZone, local) {
  const m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d)$/.exec(local || '');
  if (!m) return null;
  const wall = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]));
  const f = new Intl.DateTimeFormat('en-GB', {
    timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit',
  });
  const wallOf = (ms) => {
    const p = {};
    for (const x of f.formatToParts(new Date(ms))) p[x.type] = x.value;
    return Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute));
  };
  let t = wall - (wallOf(wall) - wall);
  const off2 = wallOf(t) - t;
  t = wall - off2;
  if (wallOf(t) !== wall) return null;
  const off = Math.round((wall - t) / 60000);
  const sign = off < 0 ? '-' : '+';
  const abs = Math.abs(off);
  return `${local}:00${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}
