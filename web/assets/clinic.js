// What every client page starts with: the clinic (name, phone, zone, language) from the API,
// the strings of its language, and date/time formatting in the clinic's zone (never the
// browser's).
import { api } from './api.js';

const LANGUAGES = { en: () => import('./i18n/en.js'), de: () => import('./i18n/de.js') };

export async function loadClinic() {
  const clinic = await api('/api/v1/clinic');
  const load = LANGUAGES[clinic.language] || LANGUAGES.en;
  const t = (await load()).default;
  document.documentElement.lang = t.lang;
  const name = document.getElementById('clinic-name');
  if (name) name.textContent = clinic.name;
  return { clinic, t, fmt: formatter(t.locale, clinic.timezone) };
}

/** Formats instants (RFC 3339 from the API) and civil dates (YYYY-MM-DD) in `timeZone`. */
export function formatter(locale, timeZone) {
  const time = new Intl.DateTimeFormat(locale, { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  const day = new Intl.DateTimeFormat(locale, { timeZone, weekday: 'long', day: 'numeric', month: 'long' });
  const dayYear = new Intl.DateTimeFormat(locale, { timeZone, weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
  const date = new Intl.DateTimeFormat(locale, { timeZone, day: 'numeric', month: 'long', year: 'numeric' });
  const ymd = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
  // A civil date is a day on the calendar, not an instant: format it as UTC midnight in UTC.
  const civil = (opts) => new Intl.DateTimeFormat(locale, { timeZone: 'UTC', ...opts });
  const civilLong = civil({ weekday: 'long', day: 'numeric', month: 'long' });
  const civilYear = civil({ weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
  const civilShort = civil({ weekday: 'short', day: 'numeric', month: 'short' });
  const civilPlain = civil({ day: 'numeric', month: 'long' });
  const asUtc = (date) => new Date(`${date}T00:00:00Z`);
  return {
    zone: timeZone,
    time: (iso) => time.format(new Date(iso)),
    day: (iso) => day.format(new Date(iso)),
    dayYear: (iso) => dayYear.format(new Date(iso)),
    /** The clinic-local date of an instant in words, without the weekday ("25 November 2026"). */
    date: (iso) => date.format(new Date(iso)),
    /** A price from the API ({amount_minor, currency}) in the clinic's language: whole amounts
     * without decimals ("€49", "49 €"), others with them ("€49.50", "49,50 €"). */
    money: (price) => {
      const digits = new Intl.NumberFormat(locale, { style: 'currency', currency: price.currency }).resolvedOptions().maximumFractionDigits;
      const amount = price.amount_minor / 10 ** digits;
      const whole = price.amount_minor % 10 ** digits === 0;
      return new Intl.NumberFormat(locale, { style: 'currency', currency: price.currency, minimumFractionDigits: whole ? 0 : digits }).format(amount);
    },
    /** The clinic-local date of an instant, YYYY-MM-DD. */
    localDate: (iso) => {
      const p = Object.fromEntries(ymd.formatToParts(new Date(iso)).map((x) => [x.type, x.value]));
      return `${p.year}-${p.month}-${p.day}`;
    },
    civilLong: (date) => civilLong.format(asUtc(date)),
    civilYear: (date) => civilYear.format(asUtc(date)),
    civilShort: (date) => civilShort.format(asUtc(date)),
    civilPlain: (date) => civilPlain.format(asUtc(date)),
    addDays: (date, n) => new Date(asUtc(date).getTime() + n * 86400000).toISOString().slice(0, 10),
  };
}
