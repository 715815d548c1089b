// The desk's words (it speaks English) and the small mappings from API codes to them. What a
// role may do mirrors the API's role matrix (README "Roles"); the API refuses the rest anyway.
import { ApiError } from '../api.js';

const DESK = ['admin', 'reception'];
const CLINICIANS = ['admin', 'practitioner'];
const ALL = ['admin', 'reception', 'practitioner'];

export const may = {
  book: (role) => DESK.includes(role),
  checkIn: (role) => DESK.includes(role),
  complete: (role) => ALL.includes(role),
  noShow: (role) => DESK.includes(role),
  cancel: (role) => DESK.includes(role),
  reschedule: (role) => DESK.includes(role),
  messages: (role) => DESK.includes(role),
  review: (role) => CLINICIANS.includes(role),
  reconfirm: (role) => DESK.includes(role),
  hours: (role) => DESK.includes(role),
  closuresList: (role) => DESK.includes(role),
  closuresEdit: (role) => role === 'admin',
  users: (role) => role === 'admin',
  audit: (role) => role === 'admin',
  consent: (role) => ALL.includes(role),
  writeNotes: (role) => CLINICIANS.includes(role),
  acknowledge: (role) => CLINICIANS.includes(role),
  alerts: (role) => ALL.includes(role),
  services: (role) => role === 'admin',
};

/** A visit's consent (`consent` of a calendar entry), in words; `short` for the calendar. */
export const CONSENT = {
  not_needed: { text: 'Not needed for this treatment.' },
  missing: { short: 'Consent missing', text: 'Not signed yet: the client signs the consent before check-in.' },
  outdated: { short: 'Consent outdated', text: 'The client signed an older version: they sign the current text before check-in.' },
  signed: { text: 'Signed (the current version).' },
};
export const consentNeeded = (state) => state === 'missing' || state === 'outdated';

export const ROLE_NAMES = { admin: 'Admin', reception: 'Reception', practitioner: 'Practitioner' };

export const SERVICES = { microneedling: 'Microneedling', skin_consultation: 'Skin consultation' };
export const serviceName = (code) => SERVICES[code] || code;

export const STATUS = {
  booked: 'Booked',
  checked_in: 'Checked in',
  completed: 'Completed',
  no_show: 'No-show',
  cancelled: 'Cancelled',
};

export const MESSAGE_KINDS = {
  booking_confirmation: 'Booking confirmation',
  prep: 'Preparation',
  day_before: 'Day-before reminder',
  soothing: 'Aftercare: soothing',
  irritation_check: 'Aftercare: irritation check',
  follow_up: 'Aftercare: follow-up',
  cancellation: 'Cancellation',
  rescheduled: 'Rescheduled',
};
export const messageKind = (k) => MESSAGE_KINDS[k] || String(k).replace(/_/g, ' ');

export const MESSAGE_STATUS = {
  pending: 'Planned',
  sending: 'Sending',
  sent: 'Sent',
  failed: 'Failed',
  cancelled: 'Withdrawn',
  expired: 'Expired',
};

/** A booked repeat session's health re-confirmation (`reconfirmation_state`), in words. */
export const RECONFIRMATION = {
  missing: { text: 'Re-confirmation missing', tone: 'warn', long: 'Not recorded yet: the client confirms the health answers again before check-in.' },
  needs_review: { text: 'Re-confirmation needs review', tone: 'warn', long: 'Recorded; a clinician must clear it before check-in.' },
  passed: { text: 'Re-confirmed', tone: 'ok', long: 'Recorded; nothing stands in the way of the visit.' },
  rejected: { text: 'Re-confirmation rejected', tone: 'bad', long: 'A clinician did not clear it; the visit cannot go ahead.' },
  contraindicated: { text: 'Re-confirmation: contraindicated', tone: 'bad', long: 'The answers rule the treatment out.' },
};

/** The screening state of a calendar entry, in words, with a tone for its colour. The API
 * decides whether a re-confirmation is due (`reconfirmation_state`); with `not_needed` (a
 * first session, a consultation, a visit no longer booked) the booking's screening shows. */
export function screeningState(v) {
  const state = RECONFIRMATION[v.reconfirmation_state];
  if (state) return { text: state.text, tone: state.tone };
  const s = v.screening;
  if (!s) return { text: v.service === 'microneedling' ? 'No screening' : 'No screening needed', tone: 'plain' };
  if (s.outcome === 'eligible') return { text: 'Screening: eligible', tone: 'ok' };
  if (s.outcome === 'needs_review') {
    if (s.review_decision === 'approve') return { text: 'Screening: approved', tone: 'ok' };
    if (s.review_decision === 'reject') return { text: 'Screening: rejected', tone: 'bad' };
    return { text: 'Screening: review pending', tone: 'warn' };
  }
  return { text: 'Screening: contraindicated', tone: 'bad' };
}

/** "2026-12-24" -> "24 December 2026" (a civil date, no zone involved). */
export function civilWords(date) {
  const d = new Date(`${date}T00:00:00Z`);
  if (Number.isNaN(d.getTime())) return String(date);
  return new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', day: 'numeric', month: 'long', year: 'numeric' }).format(d);
}

/** A sentence from a string: capital first letter, full stop at the end. */
export function sentence(s) {
  const t = String(s || '').trim();
  if (!t) return '';
  const c = t[0].toUpperCase() + t.slice(1);
  return /[.!?)]$/.test(c) ? c : `${c}.`;
}

/** An API error in plain words, from the error's own message (the API explains its rules). */
export function explain(e) {
  if (!(e instanceof ApiError)) return 'Something went wrong on this page. Reload it and try again.';
  if (e.status === 0) return 'The service cannot be reached. Check the connection and try again.';
  if (e.code === 'not_eligible_until') {
    const from = e.details && e.details.eligible_from;
    return from
      ? `Because of the health answers, the client's first treatment can take place from ${civilWords(from)} on. Choose a day from then.`
      : sentence(e.message);
  }
  // the API's own refusal of the role, or a 403 without its JSON body (e.g. from a proxy)
  if (e.code === 'forbidden' || e.code === 'http_403') return 'Your role may not do this.';
  if (e.status === 429) return 'Too many tries in a short time. Wait a minute and try again.';
  if (e.status >= 500) return 'The service had a problem. Try again in a moment.';
  if (e.startRefused) return 'That time can no longer be booked (it is now too close, or no longer offered). Choose another of the times shown.';
  // Field by field only for a form's refusal; other refusals carry data in `details` (a
  // session number, the allowed dates) that the message already says in words.
  const details = e.code === 'validation_failed' ? Object.entries(e.details || {}) : [];
  if (details.length) {
    return details.map(([field, msg]) => `${fieldName(field)}: ${msg}`).join('; ').concat('.');
  }
  return sentence(e.message || e.code);
}

const FIELDS = {
  'client.name': 'Full name',
  'client.email': 'Email',
  'client.phone': 'Phone',
  start: 'Time',
  sessions: 'Sessions',
  note: 'Note',
  reason: 'Reason',
  date: 'Date',
  end: 'Until',
  email: 'Email',
  password: 'Password',
  role: 'Role',
  practitioner_id: 'Practitioner',
  full_name: 'Full name',
  agree: 'The client agrees',
  needle_depth_mm: 'Needle depth',
  areas: 'Areas treated',
  product: 'Product or serum',
  numbing: 'Numbing',
  reaction: 'Immediate reaction',
  notes: 'Notes',
  name: 'Name',
  duration_minutes: 'Duration',
  price: 'Price',
};
function fieldName(f) {
  if (FIELDS[f]) return FIELDS[f];
  if (f.startsWith('answers')) return 'Health questions';
  const w = /^\[(\d+)\]/.exec(f);
  if (w) return `Working hours, row ${Number(w[1]) + 1}`;
  return f;
}
