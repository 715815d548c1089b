// The staff desk (/desk) in a real browser, on the real service. Run by .ci/run (`npm test` here).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { createServer as createHttpServer } from 'node:http';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  startApp, openPage, closeBrowser, staffToken, staffUser, staffPractitioner, deskSignIn, ADMIN_LOGIN,
  tabTo, byId, byText, shownLines, watchCsp, berlinDate, showDayOf, bookableTime, bookElsewhere,
} from './harness.js';

after(closeBrowser);

// Visits may start at once (min_notice 1 minute) on practitioners working all day, so a test's
// visits are today (clinic time) unless it runs in the last minutes of the day.
const DESK_ENV = { APP__BOOKING__MIN_NOTICE: '1m' };
const XSS = '<img src=x onerror=alert(1)>';

const MIN_NOTICE_MS = 60_000;
const berlinTime = (iso) => new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(iso));

/** The first free time (today or tomorrow, clinic time) starting `aheadMs` or more from now. */
async function firstSlot(app, service = 'microneedling', practitionerId = null, aheadMs = 0) {
  const today = berlinDate(new Date().toISOString());
  const to = berlinDate(new Date(Date.now() + 2 * 86400000).toISOString());
  const only = practitionerId ? `&practitioner_id=${practitionerId}` : '';
  const r = await app.api(`/api/v1/availability?service=${service}&from=${today}&to=${to}${only}`);
  assert.equal(r.status, 200, r.text);
  const slot = r.json.slots.find((x) => Date.parse(x.start) >= Date.now() + aheadMs);
  assert.ok(slot, 'no free time');
  return slot;
}

/**
 * A screening and a booking through the public API; returns the first appointment. The client
 * then signs the consent with the manage token (as on the manage page), since a microneedling
 * visit is checked in only with it (409 consent_missing otherwise).
 */
async function bookViaApi(app, { name = 'Anna Keller', email = 'anna@example.com', yes = [], practitionerId = null, sign = true, aheadMs = 0 } = {}) {
  const qs = (await app.api('/api/v1/screening/questions')).json.questions;
  const answers = Object.fromEntries(qs.map((q) => [q.id, yes.includes(q.id)]));
  const s = await app.api('/api/v1/screenings', { method: 'POST', body: { client: { name, email }, answers } });
  assert.equal(s.status, 201, s.text);
  if (s.json.outcome !== 'eligible') return { screening: s.json };
  const slot = await firstSlot(app, 'microneedling', practitionerId, aheadMs);
  const b = await app.api('/api/v1/bookings', {
    method: 'POST',
    body: { screening_id: s.json.id, service: 'microneedling', start: slot.start, practitioner_id: slot.practitioner_id },
  });
  assert.equal(b.status, 201, b.text);
  const appointment = b.json.appointments[0];
  if (!sign) return { screening: s.json, appointment, manageToken: b.json.manage_token };
  const signed = await app.api(`/api/v1/bookings/${appointment.id}/consent`, {
    method: 'POST', token: b.json.manage_token, body: { full_name: name, agree: true },
  });
  assert.equal(signed.status, 201, signed.text);
  return { screening: s.json, appointment };
}

/** "Book for a client", then the client's details and the treatment (microneedling unless said). */
async function deskClientDetails(page, { name, email, phone = null, service = 'microneedling' }) {
  await page.getByRole('button', { name: 'Book for a client', exact: true }).click();
  await page.getByRole('textbox', { name: 'Full name', exact: true }).fill(name);
  await page.getByRole('textbox', { name: 'Email', exact: true }).fill(email);
  if (phone) await page.getByRole('textbox', { name: 'Phone', exact: true }).fill(phone);
  await page.getByRole('combobox', { name: 'Treatment' }).selectOption(service);
}

const navNames = async (page) =>
  page.getByRole('navigation', { name: 'Desk' }).getByRole('button').allTextContents();

/** A port nothing listens on. */
async function closedPort() {
  const srv = createServer();
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address();
  await new Promise((r) => srv.close(r));
  return port;
}

test('the desk page: its headers (never framed, strict CSP, nosniff)', async () => {
  // origins allowed to frame the client pages never frame the desk
  const app = await startApp({ env: { ...DESK_ENV, APP__WEB__FRAME_ANCESTORS: 'https://www.clinic.example' } });
  try {
    const r = await app.api('/desk');
    assert.equal(r.status, 200);
    const csp = r.headers.get('content-security-policy');
    assert.match(csp, /frame-ancestors 'none'/);
    assert.match(csp, /default-src 'self'/);
    assert.doesNotMatch(csp, /unsafe-inline/);
    assert.equal(r.headers.get('x-frame-options'), 'DENY');
    assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
    assert.match(r.headers.get('content-type'), /text\/html/);
    assert.doesNotMatch(csp, /clinic\.example/);
    const again = await fetch(`${app.base}/desk`, { headers: { 'if-none-match': r.headers.get('etag') } });
    assert.equal(again.status, 304);
    assert.match(again.headers.get('content-security-policy'), /frame-ancestors 'none'/);
    assert.equal(again.headers.get('x-frame-options'), 'DENY');
    // no inline script or style, nothing from another origin
    assert.match(r.text, /<script type="module" src="\/assets\/desk\/main.js"><\/script>/);
    assert.ok(!r.text.includes('<style') && !r.text.includes(' style=') && !r.text.includes('http'));
    const book = await app.api('/book');
    assert.match(book.headers.get('content-security-policy'), /frame-ancestors 'self' https:\/\/www\.clinic\.example$/, 'the client pages keep their own policy');
  } finally {
    await app.stop();
  }
});

test('sign in per role: each role is offered only what it may do; reload keeps the session, Sign out drops the token', async () => {
  const app = await startApp({ env: DESK_ENV });
  const lenaId = await staffPractitioner(app, 'Dr. Lena Vogt', { email: 'lena@clinic.example' });
  await staffPractitioner(app, 'Dr. Max Roth', { email: 'max@clinic.example' });
  const reception = await staffUser(app, { email: 'desk@clinic.example', role: 'reception' });
  const lena = await staffUser(app, { email: 'lena@clinic.example', role: 'practitioner', practitionerId: lenaId });
  // Half an hour ahead: "No-show" is refused below because the start has not passed, however
  // long the sign-ins before it take.
  const { appointment } = await bookViaApi(app, { name: XSS, email: 'xss@example.com', aheadMs: 30 * 60_000 });
  // a visit of Lena's, checked in: the practitioner may complete it, nothing else
  const { appointment: lenas } = await bookViaApi(app, { name: 'Lena Client', email: 'lc@example.com', practitionerId: lenaId });
  const admin = await staffToken(app);
  const checkedIn = await app.api(`/api/v1/staff/appointments/${lenas.id}/check-in`, { method: 'POST', token: admin });
  assert.equal(checkedIn.status, 200, checkedIn.text);
  const s = await openPage(app, { csp: false });
  const { page } = s;
  try {
    // admin
    await page.goto(`${app.base}/desk`);
    await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    await s.step('desk-01-sign-in');
    await deskSignIn(page, app.base, ADMIN_LOGIN);
    assert.deepEqual(await navNames(page), [
      'Calendar', 'Book for a client', 'Screenings to review', 'Aftercare alerts', 'Failed messages', 'Hours and time off', 'Closure days', 'Services', 'Users and roles', 'Audit log',
    ]);
    for (const name of ['Day', 'Week', 'Previous', 'Today', 'Next']) {
      await page.getByRole('button', { name, exact: true }).waitFor();
    }
    await showDayOf(page, appointment.start);
    const visit = page.locator(`[data-visit="${appointment.id}"]`);
    await visit.waitFor();
    // the HTML in a client's name is text: shown literally, no element made from it
    assert.equal((await visit.locator('.v-name').textContent()).trim(), XSS);
    assert.equal(await page.locator('.cal-grid img').count(), 0);
    // what the block shows (its lines that fit), not only what its text holds
    const text = await shownLines(visit);
    assert.ok(text.includes(berlinTime(appointment.start)), `clinic-zone time in ${text}`);
    assert.match(text, /Microneedling/);
    assert.match(text, /Screening: eligible/);
    assert.match(text, /Booked/i); // upper case by CSS
    // each column's working hours (all day here) as a band; today (unless the first free time
    // fell on tomorrow, or midnight passed during the checks) highlighted with a "now" line
    assert.equal(await page.locator('.cal-col .cal-hours').count(), 2, 'the working hours of both practitioners');
    const todayBefore = berlinDate(new Date().toISOString());
    const shown = {
      today: await page.locator('.cal-day.today').getByText('Today').count(),
      now: await page.locator('.cal-col.today .cal-now').count(),
    };
    if (berlinDate(appointment.start) === todayBefore && berlinDate(new Date().toISOString()) === todayBefore) {
      assert.deepEqual(shown, { today: 1, now: 2 }, 'today highlighted, a now line in both columns');
    }
    await s.step('desk-02-calendar-day-admin');
    // a browser whose default text is larger (24 px): the week's hour-long blocks hold fewer
    // lines, still whole ones (a 16 px line count would cut the fourth in half)
    await page.evaluate(() => { document.documentElement.style.fontSize = '24px'; });
    await page.getByRole('button', { name: 'Week', exact: true }).click();
    await page.locator(`.mode-week [data-visit="${appointment.id}"]`).waitFor();
    await s.step('desk-02b-calendar-week-larger-text');
    await page.evaluate(() => { document.documentElement.style.removeProperty('font-size'); });
    await page.getByRole('button', { name: 'Day', exact: true }).click();
    await visit.waitFor();
    await page.getByRole('button', { name: 'Week', exact: true }).click();
    await page.getByRole('heading', { name: /^Week of/ }).waitFor();
    await page.locator(`.mode-week [data-visit="${appointment.id}"]`).waitFor();
    assert.equal(await page.locator('.cal-grid .cal-person').count(), 14, 'two practitioners x seven days');
    await s.step('desk-03-calendar-week-admin');
    await page.getByRole('button', { name: 'Day', exact: true }).click();

    // the token survives a reload, lives in sessionStorage only
    await page.reload();
    await page.getByRole('heading', { name: 'Calendar', level: 1 }).waitFor();
    const stored = await page.evaluate(() => ({ session: sessionStorage.getItem('dermadesk.desk.session'), local: localStorage.length, cookie: document.cookie }));
    const oldToken = JSON.parse(stored.session).token;
    assert.ok(oldToken, 'token in sessionStorage');
    assert.equal(stored.local, 0);
    assert.equal(stored.cookie, '');
    assert.equal((await app.api('/api/v1/staff/alerts', { token: oldToken })).status, 200);
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    await page.getByText('You have signed out.').waitFor();
    assert.equal(await page.evaluate(() => sessionStorage.getItem('dermadesk.desk.session')), null, 'token gone after Sign out');
    // Sign out ended the session on the server: the old token is refused
    assert.ok(s.seen.requests.some((u) => u.endsWith('/api/v1/auth/logout')), 'POST /api/v1/auth/logout sent');
    assert.equal((await app.api('/api/v1/staff/alerts', { token: oldToken })).status, 401, 'the old token is 401 after Sign out');
    await page.reload();
    await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();

    // reception: the desk without the clinical review
    await deskSignIn(page, app.base, reception);
    assert.deepEqual(await navNames(page), ['Calendar', 'Book for a client', 'Aftercare alerts', 'Failed messages', 'Hours and time off', 'Closure days']);
    await showDayOf(page, appointment.start);
    await page.locator(`[data-visit="${appointment.id}"]`).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('heading', { name: XSS }).waitFor();
    for (const name of ['Check in', 'No-show', 'Reschedule', 'Cancel']) {
      await dialog.getByRole('button', { name, exact: true }).waitFor();
    }
    assert.equal(await dialog.getByRole('button', { name: 'Complete', exact: true }).count(), 0, 'Complete only once checked in');
    await dialog.getByText('Booking confirmation').waitFor();
    await s.step('desk-04-visit-reception');
    // a refusal of the API is said on the spot, in its words
    await dialog.getByRole('button', { name: 'No-show', exact: true }).click();
    await dialog.getByRole('alert').getByText(/no-show only once its start time has passed/).waitFor();
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    assert.equal(await page.evaluate(() => document.activeElement?.dataset.visit), appointment.id, 'focus back on the visit');
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();

    // practitioner: own column, complete and review only
    await deskSignIn(page, app.base, lena);
    assert.deepEqual(await navNames(page), ['Calendar', 'Screenings to review', 'Aftercare alerts']);
    await s.step('desk-05-calendar-practitioner');
    assert.equal(await page.locator('.cal-grid .cal-person').count(), 1, 'a practitioner sees their own column');
    await showDayOf(page, lenas.start);
    await page.locator(`[data-visit="${lenas.id}"]`).click();
    const own = page.getByRole('dialog');
    await own.getByRole('heading', { name: 'Lena Client' }).waitFor();
    assert.deepEqual(await own.getByRole('group', { name: 'Actions' }).getByRole('button').allTextContents(), ['Complete']);
    assert.equal(await own.getByText('Emails').count(), 0, 'the outbox is for the desk');
    await own.getByRole('button', { name: 'Close', exact: true }).click();
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();

    // an expired (or revoked) token: back to sign-in, saying so
    await deskSignIn(page, app.base, reception);
    await page.evaluate(() => {
      const s = JSON.parse(sessionStorage.getItem('dermadesk.desk.session'));
      s.token = 'A'.repeat(43);
      sessionStorage.setItem('dermadesk.desk.session', JSON.stringify(s));
    });
    await page.reload();
    await page.getByText('Your session has expired. Please sign in again.').waitFor();
    assert.equal(await page.evaluate(() => sessionStorage.getItem('dermadesk.desk.session')), null);
    s.seen.console = s.seen.console.filter((c) => !/401/.test(c));
    s.assertClean();
  } finally {
    await s.close();
    await app.stop();
  }
});

test('another origin can neither read the desk token nor frame the desk', async () => {
  const app = await startApp({ env: DESK_ENV });
  await staffPractitioner(app, 'Dr. Lena Vogt');
  // another origin: the same host on another port, showing the desk in a frame
  const other = createHttpServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(`<!doctype html><html lang="en"><title>Other site</title><iframe title="desk" src="${app.base}/desk"></iframe>`);
  });
  await new Promise((r) => other.listen(0, '127.0.0.1', r));
  const otherBase = `http://127.0.0.1:${other.address().port}`;
  const s = await openPage(app);
  const { page } = s;
  try {
    await deskSignIn(page, app.base, ADMIN_LOGIN);
    assert.ok(await page.evaluate(() => sessionStorage.getItem('dermadesk.desk.session')));
    await page.goto(otherBase);
    assert.equal(await page.evaluate(() => sessionStorage.length + localStorage.length), 0, 'nothing of the desk is readable here');
    // no cookie carries the session (cookies are shared across ports of a host, storage is not),
    // so a credentialed request from here is anonymous, and its answer unreadable anyway
    const tried = await page.evaluate(async (base) => {
      const out = { cookie: document.cookie };
      try {
        const r = await fetch(`${base}/api/v1/staff/users`, { credentials: 'include' });
        out.status = r.status;
      } catch {
        out.blocked = true;
      }
      return out;
    }, app.base);
    assert.equal(tried.cookie, '');
    assert.ok(tried.blocked || tried.status === 401, JSON.stringify(tried));
    // the browser holds no cookie for the service at all (HttpOnly ones included), and a
    // request without the bearer token is anonymous: 401
    assert.deepEqual(await s.context.cookies(), []);
    assert.equal((await app.api('/api/v1/staff/users')).status, 401);
    const frame = page.frames().find((f) => f !== page.mainFrame());
    await page.waitForTimeout(500);
    assert.equal(await page.frameLocator('iframe').getByRole('button', { name: 'Sign in' }).count(), 0, 'the desk refuses to be framed');
    assert.ok(!frame || !frame.url().endsWith('/desk') || (await frame.evaluate(() => !document.querySelector('#main')).catch(() => true)));
    await page.goto(`${app.base}/desk`);
    await page.getByRole('heading', { name: 'Calendar', level: 1 }).waitFor();
    s.seen.console = s.seen.console.filter((c) => !/frame-ancestors|Refused to frame|refused to connect|CORS|Failed to load resource/i.test(c));
    s.assertClean();
  } finally {
    await s.close();
    await new Promise((r) => other.close(r));
    await app.stop();
  }
});

test('by keyboard alone: sign in, open a visit, check in; the poll pauses while the tab is hidden', async () => {
  const app = await startApp({ env: DESK_ENV });
  await staffPractitioner(app, 'Dr. Lena Vogt');
  const { appointment } = await bookViaApi(app, { name: 'Kai Keys', email: 'kai@example.com' });
  const s = await openPage(app);
  const { page } = s;
  try {
    await page.goto(`${app.base}/desk`);
    await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    assert.equal(await page.evaluate(() => document.activeElement.id), 'email', 'focus starts in Email');
    await page.keyboard.type(ADMIN_LOGIN.email);
    await tabTo(page, byId, 'password');
    await page.keyboard.type(ADMIN_LOGIN.password);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Calendar', level: 1 }).waitFor();
    if (berlinDate(appointment.start) !== berlinDate(new Date().toISOString())) {
      await tabTo(page, byText, 'Next');
      await page.keyboard.press('Enter');
    }
    await page.locator(`[data-visit="${appointment.id}"]`).waitFor();
    await tabTo(page, (id) => document.activeElement?.dataset?.visit === id, appointment.id);
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('heading', { name: 'Kai Keys' }).waitFor();
    assert.equal(await page.evaluate(() => document.activeElement.id), 'visit-title', 'focus moves into the dialog');
    await tabTo(page, byText, 'Check in');
    await page.keyboard.press('Enter');
    await dialog.getByText('Checked in.').waitFor();
    // The check-in redrew the calendar, so the block that opened the dialog is gone. Where focus
    // is once the task that closes the dialog ends (a mutation observer's callback runs right
    // then): on the visit's new block at once, never on <body> or in the hidden dialog.
    await page.evaluate(() => {
      const d = document.querySelector('dialog');
      new MutationObserver((_, o) => {
        o.disconnect();
        const a = document.activeElement;
        window.focusAtClose = a?.dataset?.visit || `${a?.tagName}#${a?.id}`;
      }).observe(d, { attributes: true, attributeFilter: ['open'] });
    });
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    assert.equal(await page.evaluate(() => window.focusAtClose), appointment.id, 'focus on the visit as the dialog closes');
    assert.equal(await page.evaluate(() => document.activeElement?.dataset?.visit), appointment.id, 'focus back on the visit');
    assert.match(await page.locator(`[data-visit="${appointment.id}"]`).textContent(), /Checked in/);

    // hidden tab: no calendar request for two poll periods; visible again: at once
    const calls = () => s.seen.requests.filter((u) => u.includes('/api/v1/staff/calendar')).length;
    await page.evaluate(() => {
      Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
      document.dispatchEvent(new Event('visibilitychange'));
    });
    // A poll already on its way as the tab was hidden may still be reported: counted from here.
    await page.waitForTimeout(500);
    const before = calls();
    await page.waitForTimeout(11000);
    assert.equal(calls(), before, 'no poll while hidden');
    await page.evaluate(() => {
      Object.defineProperty(document, 'hidden', { configurable: true, get: () => false });
      document.dispatchEvent(new Event('visibilitychange'));
    });
    await page.waitForTimeout(1000);
    assert.ok(calls() > before, 'a poll as soon as the tab is visible');
    s.assertClean();
  } finally {
    await s.close();
    await app.stop();
  }
});

test('an idle desk locks (desk.idle_lock_seconds) and unlocks with the password', async () => {
  const app = await startApp({ env: { ...DESK_ENV, APP__DESK__IDLE_LOCK: '2m' } });
  await staffPractitioner(app, 'Dr. Lena Vogt');
  // the setting reaches the page through GET /api/v1/clinic
  assert.equal((await app.api('/api/v1/clinic')).json.desk.idle_lock_seconds, 120);
  const s = await openPage(app);
  const { page } = s;
  try {
    // the setting's least is a minute: the test shortens the answer the page reads to 3 s
    await page.route('**/api/v1/clinic', async (route) => {
      const res = await route.fetch();
      const body = await res.json();
      await route.fulfill({ response: res, json: { ...body, desk: { idle_lock_seconds: 3 } } });
    });
    await deskSignIn(page, app.base, ADMIN_LOGIN);
    const oldToken = await page.evaluate(() => JSON.parse(sessionStorage.getItem('dermadesk.desk.session')).token);
    assert.ok(oldToken);
    await page.getByRole('heading', { name: 'The desk is locked' }).waitFor({ timeout: 10000 });
    assert.equal(await page.locator('.cal-grid').count(), 0, 'nothing of the calendar stays on screen');
    // the lock ended the session on the server and the tab keeps no token
    await page.waitForFunction(() => performance.getEntriesByType('resource').some((r) => r.name.endsWith('/api/v1/auth/logout')));
    assert.equal((await app.api('/api/v1/staff/alerts', { token: oldToken })).status, 401, 'the old token is 401 once locked');
    const kept = await page.evaluate(() => JSON.parse(sessionStorage.getItem('dermadesk.desk.session')));
    assert.equal(kept.token, undefined, 'no token kept while locked');
    assert.equal(kept.locked, true);
    await s.step('desk-06-locked');
    await page.reload();
    await page.getByRole('heading', { name: 'The desk is locked' }).waitFor().catch(async (e) => {
      throw new Error(`${e.message}\npage: ${await page.locator('main').innerText()}\nseen: ${JSON.stringify(s.seen)}`);
    });
    await page.getByLabel('Password', { exact: true }).fill('wrong-password-000');
    await page.getByRole('button', { name: 'Unlock', exact: true }).click();
    await page.getByText('That password is not right.').waitFor();
    await page.getByLabel('Password', { exact: true }).fill(ADMIN_LOGIN.password);
    await page.getByRole('button', { name: 'Unlock', exact: true }).click();
    await page.getByRole('heading', { name: 'Calendar', level: 1 }).waitFor();
    s.seen.console = s.seen.console.filter((c) => !/401/.test(c));
    s.assertClean();
  } finally {
    await s.close();
    await app.stop();
  }
});

// The walk-in's service sends over SMTP to the harness's sink, with the dispatcher ticking every
// second and the aftercare due 1, 3 and 5 seconds after completion (a due time of 0 s would be
// "already passed" and not planned at all), no quiet hours (the test must not depend on the hour).
const AFTERCARE_NOW_ENV = {
  APP__REMINDERS__ENABLED: 'true',
  APP__REMINDERS__TICK: '1s',
  APP__REMINDERS__QUIET_HOURS: '',
  APP__REMINDERS__SOOTHING_AFTER: '1s',
  APP__REMINDERS__IRRITATION_CHECK_AFTER: '3s',
  APP__REMINDERS__FOLLOW_UP_AFTER: '5s',
};
const AFTERCARE_KINDS = ['soothing', 'irritation_check', 'follow_up'];

test('a walk-in booked at the desk, checked in and completed: the aftercare emails arrive in the SMTP sink, each once', async () => {
  const app = await startApp({ env: { ...DESK_ENV, ...AFTERCARE_NOW_ENV }, smtp: true });
  await staffPractitioner(app, 'Dr. Lena Vogt');
  const reception = await staffUser(app, { email: 'desk@clinic.example', role: 'reception' });
  const s = await openPage(app);
  const { page } = s;
  try {
    await deskSignIn(page, app.base, reception);
    await deskClientDetails(page, { name: 'Walk In', email: 'walk.in@example.com', phone: '030 1234567' });
    const qs = (await app.api('/api/v1/screening/questions')).json.questions;
    await answerAll(page, qs);
    const yesChecked = await page.locator('input[type=radio][value=yes]:checked').count();
    assert.equal(yesChecked, 0);
    await s.step('desk-07-book-form');
    await page.getByRole('button', { name: 'Continue', exact: true }).click();
    await page.getByRole('heading', { name: 'Screening passed: choose a time' }).waitFor();
    const first = await bookableTime(page, MIN_NOTICE_MS);
    const start = await first.getAttribute('data-start');
    await first.click();
    await s.step('desk-08-book-slot');
    await page.getByRole('button', { name: 'Book', exact: true }).click();
    await page.getByRole('heading', { name: 'Booked', exact: true }).waitFor();
    await page.getByText(berlinTime(start)).first().waitFor();
    await s.step('desk-09-booked');

    const token = await staffToken(app, reception);
    const day = berlinDate(start);
    const cal = await app.api(`/api/v1/staff/calendar?from=${day}&to=${day}`, { token });
    const entry = cal.json.appointments.find((a) => a.client?.name === 'Walk In');
    assert.ok(entry, 'booked through the staff API');

    await page.getByRole('button', { name: 'Calendar', exact: true }).click();
    await showDayOf(page, start);
    await page.locator(`[data-visit="${entry.id}"]`).click();
    const dialog = page.getByRole('dialog');
    // the client signs the consent at the desk: "Check in" asks for it first
    await dialog.getByRole('button', { name: 'Check in', exact: true }).click();
    await dialog.getByLabel('Full name').fill('Walk In');
    await dialog.getByLabel('The client agrees').check();
    await dialog.getByRole('button', { name: 'Record signature and check in', exact: true }).click();
    await dialog.getByRole('status').getByText('Consent signed. Checked in.').waitFor();
    await dialog.getByRole('button', { name: 'Complete', exact: true }).waitFor();
    assert.equal(await dialog.getByRole('button', { name: 'Check in', exact: true }).count(), 0);
    await dialog.getByRole('button', { name: 'Complete', exact: true }).click();
    await dialog.getByText('Completed. The aftercare emails are planned.').waitFor();
    await dialog.getByText('Aftercare: soothing').waitFor();
    await s.step('desk-10-completed');
    await page.keyboard.press('Escape');
    const v = page.locator(`[data-visit="${entry.id}"]`);
    assert.match(await v.textContent(), /Completed/);
    assert.match(await v.getAttribute('class'), /st-completed/);

    // The dispatcher sends them: the confirmation, then the three aftercare emails, to the client.
    const sink = app.smtp;
    const ofVisit = (kind) => sink.messages.filter((m) => m.appointment === entry.id && m.kind === kind);
    await sink.waitFor(() => [...AFTERCARE_KINDS, 'booking_confirmation'].every((k) => ofVisit(k).length > 0), {
      timeout: 30000,
      what: `the confirmation and the aftercare emails of visit ${entry.id}`,
    });
    // three more dispatcher ticks: nothing is sent twice
    await new Promise((r) => setTimeout(r, 3500));
    for (const kind of [...AFTERCARE_KINDS, 'booking_confirmation']) {
      assert.equal(ofVisit(kind).length, 1, `${kind} arrived exactly once`);
      assert.match(ofVisit(kind)[0].to, /walk\.in@example\.com/);
    }
    assert.deepEqual(
      sink.messages.filter((m) => m.appointment === entry.id).map((m) => m.kind).sort(),
      [...AFTERCARE_KINDS, 'booking_confirmation'].sort(),
      'no other email for this visit (its reminders before the visit were already due when it was booked)',
    );
    assert.match(ofVisit('soothing')[0].text, /sooth/i);
    assert.match(ofVisit('irritation_check')[0].text, /irritation/i);
    // the irritation check's link opens this visit's aftercare check-in
    const link = ofVisit('irritation_check')[0].text.match(/(https?:\/\/[^\s]+)\/aftercare#([0-9a-f]{64})/);
    assert.ok(link, 'an /aftercare#<secret> link in the irritation check');
    assert.equal(link[1], 'http://127.0.0.1:8080', 'the link starts with clinic.public_url');
    const checkIn = await app.api('/api/v1/aftercare', { token: link[2] });
    assert.equal(checkIn.status, 200, checkIn.text);
    assert.equal(checkIn.json.appointment_id, entry.id);
    await page.goto(`${app.base}/aftercare#${link[2]}`);
    await page.getByRole('heading', { name: 'How is your skin?', level: 1 }).waitFor();
    // the visit's emails on the desk say sent
    const msgs = await app.api(`/api/v1/staff/messages?appointment_id=${entry.id}`, { token });
    for (const k of AFTERCARE_KINDS) {
      assert.equal(msgs.json.find((m) => m.kind === k)?.status, 'sent', `${k} sent`);
    }
    s.assertClean();
  } finally {
    await s.close();
    await app.stop();
  }
});

test('book for a client with questionnaire v2: a dated answer, eligible from a later day, no numbing cream, a booking too early refused in words', async () => {
  const app = await startApp({ env: DESK_ENV });
  await staffPractitioner(app, 'Dr. Lena Vogt');
  const qs = (await app.api('/api/v1/screening/questions')).json.questions;
  const peel = qs.find((q) => q.id === 'recent_laser_or_peel');
  const allergy = qs.find((q) => q.id === 'local_anaesthetic_allergy');
  assert.equal(peel.answer, 'date');
  const s = await openPage(app);
  const { page } = s;
  try {
    await deskSignIn(page, app.base, ADMIN_LOGIN);
    await deskClientDetails(page, { name: 'Petra Peel', email: 'petra@example.com' });
    assert.equal(await page.locator('input[type=radio]:checked').count(), 0, 'no answer preselected');
    await answerAll(page, qs, [peel.text, allergy.text]);
    const group = page.getByRole('group', { name: peel.text, exact: true });
    const date = group.getByLabel('Date', { exact: true });
    assert.equal(await date.getAttribute('type'), 'date');
    assert.equal(await date.inputValue(), '', 'nothing preselected');
    const peeled = berlinDate(new Date(Date.now() - 3 * 86400000).toISOString());
    await date.fill(peeled);
    await s.step('desk-07b-date-question');
    const screened = page.waitForResponse((r) => r.url().endsWith('/api/v1/screenings') && r.request().method() === 'POST');
    await page.getByRole('button', { name: 'Continue', exact: true }).click();
    const screening = await (await screened).json();
    assert.deepEqual(JSON.parse((await screened).request().postData()).answers[peel.id], peeled, 'the date is sent');
    assert.equal(screening.outcome, 'eligible');
    assert.ok(screening.eligible_from > berlinDate(new Date().toISOString()), `eligible from later: ${screening.eligible_from}`);
    assert.equal(screening.numbing_cream_allowed, false);
    await page.getByRole('heading', { name: 'Screening passed: choose a time' }).waitFor();
    const words = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', day: 'numeric', month: 'long', year: 'numeric' }).format(new Date(`${screening.eligible_from}T00:00:00Z`));
    await page.getByText(`Eligible from ${words}:`).waitFor();
    await page.getByText('No numbing cream: the client is allergic to local anaesthetics.').waitFor();
    assert.equal(await page.getByLabel('Numbing cream').count(), 0, 'numbing cream is not offered');
    const first = page.locator('.times button').first();
    await first.waitFor();
    const start = await first.getAttribute('data-start');
    assert.ok(berlinDate(start) >= screening.eligible_from, `the picker starts at eligible_from (${start})`);
    assert.ok(s.seen.requests.some((u) => u.includes('/api/v1/availability') && u.includes(`screening_id=${screening.id}`)), 'availability asked with the screening');
    await first.click();
    await s.step('desk-08b-book-eligible-from');
    // a time before eligible_from (as another desk's stale page might send): the API's 403 in words
    const early = await firstSlot(app);
    await page.route('**/api/v1/staff/appointments', (route) => {
      const body = JSON.parse(route.request().postData());
      return route.continue({ postData: JSON.stringify({ ...body, start: early.start, practitioner_id: early.practitioner_id }) });
    });
    await page.getByRole('button', { name: 'Book', exact: true }).click();
    await page.getByRole('alert').getByText(`Because of the health answers, the client's first treatment can take place from ${words} on. Choose a day from then.`).waitFor();
    await page.unroute('**/api/v1/staff/appointments');
    await page.getByRole('button', { name: 'Book', exact: true }).click();
    await page.getByRole('heading', { name: 'Booked', exact: true }).waitFor();
    const token = await staffToken(app);
    const cal = await app.api(`/api/v1/staff/calendar?from=${berlinDate(start)}&to=${berlinDate(start)}`, { token });
    const entry = cal.json.appointments.find((a) => a.client?.name === 'Petra Peel');
    assert.ok(entry, 'booked on the chosen day');
    assert.equal(entry.anesthesia, false);
    s.assertClean();
  } finally {
    await s.close();
    await app.stop();
  }
});

test('the visit dialog shows the screening\'s flags: cold sores, an anaesthetic allergy, eligible from a later day (questionnaire v2)', async () => {
  const app = await startApp({ env: DESK_ENV });
  await staffPractitioner(app, 'Dr. Lena Vogt');
  const reception = await staffUser(app, { email: 'desk@clinic.example', role: 'reception' });
  const qs = (await app.api('/api/v1/screening/questions')).json.questions;
  const ids = qs.map((q) => q.id);
  for (const id of ['cold_sore_history', 'local_anaesthetic_allergy', 'recent_filler_or_botulinum_toxin']) assert.ok(ids.includes(id), id);
  // fillers 10 days ago (clinic date): eligible 14 days after, so from 4 days ahead
  const filler = berlinDate(new Date(Date.now() - 10 * 86400000).toISOString());
  const answers = Object.fromEntries(qs.map((q) => [q.id, false]));
  Object.assign(answers, { cold_sore_history: true, local_anaesthetic_allergy: true, recent_filler_or_botulinum_toxin: filler });
  const scr = await app.api('/api/v1/screenings', { method: 'POST', body: { client: { name: 'Flora Flags', email: 'flora@example.com' }, answers } });
  assert.equal(scr.status, 201, scr.text);
  assert.equal(scr.json.outcome, 'eligible');
  const from = scr.json.eligible_from;
  assert.ok(from > berlinDate(new Date().toISOString()), `eligible from a later day: ${from}`);
  const free = await app.api(`/api/v1/availability?service=microneedling&from=${from}&to=${from}&screening_id=${scr.json.id}`);
  assert.equal(free.status, 200, free.text);
  const slot = free.json.slots[0];
  const b = await app.api('/api/v1/bookings', { method: 'POST', body: { screening_id: scr.json.id, service: 'microneedling', start: slot.start } });
  assert.equal(b.status, 201, b.text);
  const flagged = b.json.appointments[0];
  // and a visit whose screening raised nothing, the same day
  const plainScr = await app.api('/api/v1/screenings', { method: 'POST', body: { client: { name: 'Paul Plain', email: 'paul@example.com' }, answers: Object.fromEntries(qs.map((q) => [q.id, false])) } });
  const later = free.json.slots.find((x) => Date.parse(x.start) >= Date.parse(flagged.end) + 3600000);
  const plain = await app.api('/api/v1/bookings', { method: 'POST', body: { screening_id: plainScr.json.id, service: 'microneedling', start: later.start } });
  assert.equal(plain.status, 201, plain.text);
  const s = await openPage(app);
  const { page } = s;
  try {
    await deskSignIn(page, app.base, reception);
    await showDay(page, flagged.start);
    await page.locator(`[data-visit="${flagged.id}"]`).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('heading', { name: 'Flora Flags' }).waitFor();
    const facts = await dialog.locator('dl.facts').evaluate((dl) => Object.fromEntries([...dl.querySelectorAll('dt')].map((dt) => [dt.textContent, dt.nextElementSibling.textContent])));
    const words = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }).format(new Date(`${from}T00:00:00Z`));
    assert.equal(
      facts.Flags,
      `History of cold sores: ask about antiviral cover; Allergy to local anaesthetics: no numbing cream; Eligible from ${words}`,
    );
    assert.equal(facts['Numbing cream'], 'No');
    await s.step('desk-11b-visit-flags');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await page.locator(`[data-visit="${plain.json.appointments[0].id}"]`).click();
    await page.getByRole('dialog').getByRole('heading', { name: 'Paul Plain' }).waitFor();
    assert.equal(await page.getByRole('dialog').locator('dt', { hasText: 'Flags' }).count(), 0, 'no flags line without flags');
    s.assertClean();
  } finally {
    await s.close();
    await app.stop();
  }
});

test("a check-in the rules refuse is explained on the spot: a re-confirmation awaiting review", async () => {
  // check-in opens long before the start here, so a repeat session 4 weeks away may be tried
  const app = await startApp({ env: { ...DESK_ENV, APP__BOOKING__CHECK_IN_LEAD: '2000h' } });
  await staffPractitioner(app, 'Dr. Lena Vogt');
  const qs = (await app.api('/api/v1/screening/questions')).json.questions;
  const answers = (yes) => Object.fromEntries(qs.map((q) => [q.id, yes.includes(q.id)]));
  const scr = await app.api('/api/v1/screenings', { method: 'POST', body: { client: { name: 'Cora Course', email: 'cora@example.com' }, answers: answers([]) } });
  const slot = await firstSlot(app);
  const b = await app.api('/api/v1/bookings', {
    method: 'POST',
    body: { screening_id: scr.json.id, service: 'microneedling', start: slot.start, practitioner_id: slot.practitioner_id, sessions: 2 },
  });
  assert.equal(b.status, 201, b.text);
  const second = b.json.appointments[1];
  const re = await app.api(`/api/v1/bookings/${second.id}/reconfirm`, {
    method: 'POST',
    token: b.json.manage_token,
    body: { answers: answers(['sensitive_skin_or_rosacea']) },
  });
  assert.equal(re.status, 200, re.text);
  assert.equal(re.json.outcome, 'needs_review');
  // the course's consent is signed (else "Check in" asks for it first)
  const signed = await app.api(`/api/v1/bookings/${b.json.appointments[0].id}/consent`, {
    method: 'POST', token: b.json.manage_token, body: { full_name: 'Cora Course', agree: true },
  });
  assert.equal(signed.status, 201, signed.text);
  const s = await openPage(app);
  const { page } = s;
  try {
    await deskSignIn(page, app.base, ADMIN_LOGIN);
    await page.getByRole('button', { name: 'Week', exact: true }).click();
    const monday = (d) => {
      const t = Date.parse(`${d}T00:00:00Z`);
      return t - ((new Date(t).getUTCDay() + 6) % 7) * 86400000;
    };
    const weeks = Math.round((monday(berlinDate(second.start)) - monday(berlinDate(new Date().toISOString()))) / (7 * 86400000));
    for (let i = 0; i < weeks; i++) await page.getByRole('button', { name: 'Next', exact: true }).click();
    const visit = page.locator(`[data-visit="${second.id}"]`);
    await visit.waitFor();
    assert.match(await shownLines(visit), /session 2 of 2/);
    assert.match(await shownLines(visit), /Re-confirmation needs review/);
    await visit.click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Check in', exact: true }).click();
    await dialog.getByRole('alert').getByText("The client's re-confirmation awaits a clinician's review.").waitFor();
    await s.step('desk-10b-refused-check-in');
    const cal = await app.api(`/api/v1/staff/calendar?from=${berlinDate(second.start)}&to=${berlinDate(second.start)}`, { token: await staffToken(app) });
    assert.equal(cal.json.appointments.find((a) => a.id === second.id).status, 'booked');
    s.assertClean();
  } finally {
    await s.close();
    await app.stop();
  }
});

test('a clinician reviews a screening: answers, a note, approve', async () => {
  const app = await startApp({ env: DESK_ENV });
  const lenaId = await staffPractitioner(app, 'Dr. Lena Vogt', { email: 'lena@clinic.example' });
  const lena = await staffUser(app, { email: 'lena@clinic.example', role: 'practitioner', practitionerId: lenaId });
  const { screening } = await bookViaApi(app, { name: 'Rosa Review', email: 'rosa@example.com', yes: ['sensitive_skin_or_rosacea'] });
  assert.equal(screening.outcome, 'needs_review');
  const s = await openPage(app);
  const { page } = s;
  try {
    await deskSignIn(page, app.base, lena);
    await page.getByRole('button', { name: 'Screenings to review', exact: true }).click();
    await page.getByRole('heading', { name: 'Rosa Review' }).waitFor();
    await s.step('desk-11-screenings');
    await page.getByRole('button', { name: 'Open the screening of Rosa Review' }).click();
    await page.getByRole('heading', { name: 'Screening of Rosa Review' }).waitFor();
    await page.getByText('(needs review)').waitFor();
    // the answers in the questionnaire's order, not the API object's (by id)
    const asked = (await app.api('/api/v1/screening/questions')).json.questions.map((q) => q.text);
    assert.deepEqual(await page.locator('dl.answers dt').allTextContents(), asked);
    // a note is required: the API's answer is shown
    await page.getByRole('button', { name: 'Approve', exact: true }).click();
    await page.getByRole('alert').getByText(/Note: must be 1 to 2000 characters/).waitFor();
    await page.getByRole('textbox', { name: 'Note' }).fill('Mild rosacea, calm today; approved with a gentle depth.');
    await s.step('desk-12-review');
    await page.getByRole('button', { name: 'Approve', exact: true }).click();
    await page.getByText('Approved: Rosa Review may book microneedling.').waitFor();
    await page.getByText('No screenings are waiting for review.').waitFor();
    const token = await staffToken(app, lena);
    const d = await app.api(`/api/v1/staff/screenings/${screening.id}`, { token });
    assert.equal(d.json.review_decision, 'approve');
    assert.match(d.json.review_note, /gentle depth/);

    // a client answers online meanwhile: the list shows it without a reload (its poll), and a
    // rejection keeps its note
    const later = await bookViaApi(app, { name: 'Rita Rosacea', email: 'rita@example.com', yes: ['sensitive_skin_or_rosacea'] });
    assert.equal(later.screening.outcome, 'needs_review');
    // within two polls (15 s each), so a slow machine has a margin
    await page.getByRole('heading', { name: 'Rita Rosacea' }).waitFor({ timeout: 35000 });
    await page.getByRole('button', { name: 'Open the screening of Rita Rosacea' }).click();
    await page.getByRole('textbox', { name: 'Note' }).fill('Active rosacea flare: not now.');
    await page.getByRole('button', { name: 'Reject', exact: true }).click();
    await page.getByText('Rejected: Rita Rosacea may not book microneedling.').waitFor();
    const r = await app.api(`/api/v1/staff/screenings/${later.screening.id}`, { token });
    assert.equal(r.json.review_decision, 'reject');
    assert.equal(r.json.review_note, 'Active rosacea flare: not now.');
    s.assertClean();
  } finally {
    await s.close();
    await app.stop();
  }
});

test('a failed message is shown with its error and retried', async () => {
  const port = await closedPort();
  const app = await startApp({
    env: {
      ...DESK_ENV,
      APP__MAIL__TRANSPORT: 'smtp',
      APP__MAIL__SMTP_HOST: '127.0.0.1',
      APP__MAIL__SMTP_PORT: String(port),
      APP__MAIL__SEND_TIMEOUT: '2s',
      APP__REMINDERS__ENABLED: 'true',
      APP__REMINDERS__TICK: '1s',
      APP__REMINDERS__LEASE: '10s',
      APP__REMINDERS__MAX_ATTEMPTS: '1',
      APP__REMINDERS__QUIET_HOURS: '',
    },
  });
  await staffPractitioner(app, 'Dr. Lena Vogt');
  const reception = await staffUser(app, { email: 'desk@clinic.example', role: 'reception' });
  await bookViaApi(app, { name: 'Mia Mail', email: 'mia@example.com' });
  const token = await staffToken(app, reception);
  let failed = [];
  for (let i = 0; i < 60 && !failed.length; i++) {
    await new Promise((r) => setTimeout(r, 500));
    failed = (await app.api('/api/v1/staff/messages?status=failed', { token })).json;
  }
  assert.ok(failed.length > 0, 'the confirmation failed against a closed port');
  const s = await openPage(app);
  const { page } = s;
  try {
    await deskSignIn(page, app.base, reception);
    await page.getByRole('button', { name: 'Failed messages', exact: true }).click();
    const card = page.locator(`[data-message="${failed[0].id}"]`);
    await card.getByRole('heading', { name: 'Booking confirmation to mia@example.com' }).waitFor();
    assert.ok((await card.locator('.error-text').textContent()).length > 0);
    assert.equal(await card.locator('.error-text').textContent(), failed[0].last_error);
    await s.step('desk-13-failed-messages');
    const answer = page.waitForResponse((r) => r.url().endsWith(`/api/v1/staff/messages/${failed[0].id}/retry`));
    await card.getByRole('button', { name: 'Retry', exact: true }).click();
    const r = await answer;
    assert.equal(r.status(), 200);
    assert.equal((await r.json()).status, 'pending');
    await page.getByText('Booking confirmation to mia@example.com is queued again.').waitFor();
    s.assertClean();
  } finally {
    await s.close();
    await app.stop();
  }
});

test('postgres: a booking made at one desk appears at another within the poll', async () => {
  const app = await startApp({ db: 'postgres', env: DESK_ENV });
  await staffPractitioner(app, 'Dr. Lena Vogt');
  const reception = await staffUser(app, { email: 'desk@clinic.example', role: 'reception' });
  const a = await openPage(app);
  const b = await openPage(app);
  try {
    await deskSignIn(a.page, app.base, reception);
    await deskSignIn(b.page, app.base, ADMIN_LOGIN);
    const slot = await firstSlot(app, 'skin_consultation');
    await showDayOf(b.page, slot.start);
    await b.page.getByRole('heading', { name: /\d{4}/, level: 2 }).waitFor();
    // desk A books a skin consultation for a client whose name is HTML
    await a.page.getByRole('button', { name: 'Book for a client', exact: true }).click();
    await a.page.getByRole('textbox', { name: 'Full name', exact: true }).fill(XSS);
    await a.page.getByRole('textbox', { name: 'Email', exact: true }).fill('xss@example.com');
    await a.page.getByRole('combobox', { name: 'Treatment' }).selectOption('skin_consultation');
    assert.equal(await a.page.getByRole('group', { name: 'Health questions' }).isVisible(), false);
    await a.page.getByRole('button', { name: 'Continue', exact: true }).click();
    await a.page.locator('.times button').first().click();
    await a.page.getByRole('button', { name: 'Book', exact: true }).click();
    await a.page.getByRole('heading', { name: 'Booked', exact: true }).waitFor();
    const booked = Date.now();
    // desk B, untouched, shows it after its next poll (every 5 s)
    const name = b.page.locator('.cal-visit .v-name', { hasText: XSS });
    await name.waitFor({ timeout: 12000 });
    const waited = Date.now() - booked;
    assert.ok(waited < 12000, `appeared after ${waited} ms`);
    assert.equal(await b.page.locator('.cal-grid img').count(), 0);
    assert.match(await b.page.locator('.cal-visit', { hasText: XSS }).textContent(), /Skin consultation/);
    await b.step('desk-14-other-desk');
    a.assertClean();
    b.assertClean();
  } finally {
    await a.close();
    await b.close();
    await app.stop();
  }
});

// ---- second shift: re-confirmation, v2 booking, hours and time off, closures, users, audit ----

/** Sessions one day apart (so a course fits a few days) and check-in open days ahead. */
const COURSE_ENV = { ...DESK_ENV, APP__COURSE__MIN_INTERVAL: '1d', APP__COURSE__DEFAULT_INTERVAL: '1d', APP__BOOKING__CHECK_IN_LEAD: '2000h' };

/** The Day view of the clinic-local day of `iso` (from today, by "Next"). */
async function showDay(page, iso) {
  await page.getByRole('button', { name: 'Day', exact: true }).click();
  await page.getByRole('button', { name: 'Today', exact: true }).click();
  const days = Math.round((Date.parse(`${berlinDate(iso)}T00:00:00Z`) - Date.parse(`${berlinDate(new Date().toISOString())}T00:00:00Z`)) / 86400000);
  for (let i = 0; i < days; i++) await page.getByRole('button', { name: 'Next', exact: true }).click();
}

/**
 * A course of `sessions` booked through the public API (all answers No); returns the answer.
 * The client signs the course's consent with the manage token unless `sign` is false.
 */
async function bookCourse(app, { name, email, sessions, sign = true }) {
  const qs = (await app.api('/api/v1/screening/questions')).json.questions;
  const answers = Object.fromEntries(qs.map((q) => [q.id, false]));
  const scr = await app.api('/api/v1/screenings', { method: 'POST', body: { client: { name, email }, answers } });
  assert.equal(scr.status, 201, scr.text);
  const slot = await firstSlot(app);
  const b = await app.api('/api/v1/bookings', {
    method: 'POST',
    body: { screening_id: scr.json.id, service: 'microneedling', start: slot.start, practitioner_id: slot.practitioner_id, sessions },
  });
  assert.equal(b.status, 201, b.text);
  if (sign) {
    const signed = await app.api(`/api/v1/bookings/${b.json.appointments[0].id}/consent`, {
      method: 'POST', token: b.json.manage_token, body: { full_name: name, agree: true },
    });
    assert.equal(signed.status, 201, signed.text);
  }
  return b.json;
}

/** Answers every question of `scope` (a dialog or the page) No, or Yes for the texts in `yes`. */
async function answerAll(scope, questions, yes = []) {
  for (const q of questions) {
    const group = scope.getByRole('group', { name: q.text, exact: true });
    await group.getByRole('radio', { name: yes.includes(q.text) ? 'Yes' : 'No', exact: true }).check();
  }
}

test('re-confirmation at the desk: check-in of a repeat session asks for the health answers first; outcomes in words', async () => {
  const app = await startApp({ env: COURSE_ENV });
  await staffPractitioner(app, 'Dr. Lena Vogt');
  const reception = await staffUser(app, { email: 'desk@clinic.example', role: 'reception' });
  const course = await bookCourse(app, { name: 'Cora Course', email: 'cora@example.com', sessions: 4 });
  const [, second, third, fourth] = course.appointments;
  const qs = (await app.api('/api/v1/screening/questions')).json.questions;
  assert.ok(qs.some((q) => q.answer === 'date'), 'questionnaire v2 has dated questions');
  const s = await openPage(app);
  const { page } = s;
  const calendarOf = async (a) => {
    const day = berlinDate(a.start);
    const r = await app.api(`/api/v1/staff/calendar?from=${day}&to=${day}`, { token: await staffToken(app) });
    return r.json.appointments.find((x) => x.id === a.id);
  };
  try {
    assert.equal((await calendarOf(second)).reconfirmation_state, 'missing');
    await deskSignIn(page, app.base, reception);

    // session 2: "Check in" opens the form; nothing preselected; a missing answer is named
    await showDay(page, second.start);
    const visit = page.locator(`[data-visit="${second.id}"]`);
    await visit.waitFor();
    assert.match(await shownLines(visit), /session 2 of 4/);
    assert.match(await shownLines(visit), /Re-confirmation missing/);
    await visit.click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('Missing. Not recorded yet: the client confirms the health answers again before check-in.').waitFor();
    await dialog.getByRole('button', { name: 'Record health answers', exact: true }).waitFor();
    await dialog.getByRole('button', { name: 'Check in', exact: true }).click();
    await dialog.getByRole('heading', { name: 'Record health answers' }).waitFor();
    assert.equal(await page.evaluate(() => document.activeElement.id), 'reconfirm-title', 'focus moves to the form');
    await dialog.getByText(/needs the client’s health answers confirmed again before check-in/).waitFor();
    assert.equal(await dialog.locator('input[type=radio]').count(), qs.length * 2);
    assert.equal(await dialog.locator('input[type=radio]:checked').count(), 0, 'no answer preselected');
    const dated = qs.find((q) => q.answer === 'date');
    const datedGroup = dialog.getByRole('group', { name: dated.text, exact: true });
    assert.equal(await datedGroup.getByLabel('Date', { exact: true }).getAttribute('type'), 'date');
    await dialog.getByRole('button', { name: 'Record and check in', exact: true }).click();
    await dialog.getByText(`${qs.length} questions have no answer yet:`).waitFor();
    await answerAll(dialog, qs);
    // a dated Yes needs its date
    await datedGroup.getByRole('radio', { name: 'Yes', exact: true }).check();
    await dialog.getByRole('button', { name: 'Record and check in', exact: true }).click();
    await dialog.getByText(`${dated.text} (the date)`).waitFor();
    await datedGroup.getByRole('radio', { name: 'No', exact: true }).check();
    assert.equal(await datedGroup.getByLabel('Date', { exact: true }).isDisabled(), true, 'the date is for a Yes only');
    await s.step('desk-15-reconfirm-form');
    await dialog.getByRole('button', { name: 'Record and check in', exact: true }).click();
    await dialog.getByText('Health answers recorded. Checked in.').waitFor();
    await dialog.getByRole('button', { name: 'Complete', exact: true }).waitFor();
    assert.equal((await calendarOf(second)).status, 'checked_in');
    assert.equal((await calendarOf(second)).reconfirmation_state, 'passed');
    await page.keyboard.press('Escape');

    // session 3: recorded without check-in; an answer that needs review says a clinician clears it
    await showDay(page, third.start);
    await page.locator(`[data-visit="${third.id}"]`).click();
    await dialog.getByRole('button', { name: 'Record health answers', exact: true }).click();
    await answerAll(dialog, qs, ['Do you have very sensitive skin or rosacea?']);
    await dialog.getByRole('button', { name: 'Record the answers', exact: true }).click();
    await dialog.getByText(/Health answers recorded\. They need a clinician’s review: a clinician must clear them/).waitFor();
    await dialog.getByText('Needs review. Recorded; a clinician must clear it before check-in.').waitFor();
    assert.equal(await dialog.getByRole('button', { name: 'Record health answers', exact: true }).count(), 0);
    await s.step('desk-16-reconfirm-needs-review');
    assert.equal((await calendarOf(third)).reconfirmation_state, 'needs_review');
    // check-in now says why not, in the API's words
    await dialog.getByRole('button', { name: 'Check in', exact: true }).click();
    await dialog.getByRole('alert').getByText("The client's re-confirmation awaits a clinician's review.").waitFor();
    await page.keyboard.press('Escape');

    // session 4: a contraindication cancels the visit, said in plain words
    await showDay(page, fourth.start);
    await page.locator(`[data-visit="${fourth.id}"]`).click();
    await dialog.getByRole('button', { name: 'Record health answers', exact: true }).click();
    await answerAll(dialog, qs, ['Are you pregnant (or could you be)?']);
    await dialog.getByRole('button', { name: 'Record the answers', exact: true }).click();
    await dialog.getByText('Health answers recorded. They rule the treatment out, so the visit was cancelled. The client is told by email.').waitFor();
    await dialog.getByText(/not performed during pregnancy/).waitFor();
    await s.step('desk-17-reconfirm-cancelled');
    assert.equal((await calendarOf(fourth)).status, 'cancelled');
    await page.keyboard.press('Escape');
    assert.match(await page.locator(`[data-visit="${fourth.id}"]`).textContent(), /Cancelled/);
    s.assertClean();
  } finally {
    await s.close();
    await app.stop();
  }
});

test('the calendar shows time off (hatched, its reason as text) and closure days', async () => {
  const app = await startApp({ env: DESK_ENV });
  const lena = await staffPractitioner(app, 'Dr. Lena Vogt', { start: '08:00', end: '20:00' });
  await staffPractitioner(app, 'Dr. Max Roth', { start: '08:00', end: '20:00' });
  const token = await staffToken(app);
  const reason = 'Dentist <b>bold</b>';
  const hour = 3600000;
  // A fixed morning the day after tomorrow (09:00 UTC is 10:00 or 11:00 in Berlin), inside the
  // 08:00-20:00 hours the calendar draws whatever the time of day the test runs at.
  const dayAfter = berlinDate(new Date(Date.now() + 2 * 86400000).toISOString());
  const offStart = new Date(`${dayAfter}T09:00:00Z`).toISOString();
  const offEnd = new Date(Date.parse(offStart) + 2 * hour).toISOString();
  const off = await app.api(`/api/v1/staff/practitioners/${lena}/time-off`, { method: 'POST', token, body: { start: offStart, end: offEnd, reason } });
  assert.equal(off.status, 201, off.text);
  const tomorrow = berlinDate(new Date(Date.now() + 86400000).toISOString());
  const closure = await app.api('/api/v1/staff/closures', { method: 'POST', token, body: { date: tomorrow, reason: 'Public holiday' } });
  assert.equal(closure.status, 201, closure.text);
  const s = await openPage(app);
  const { page } = s;
  try {
    await deskSignIn(page, app.base, ADMIN_LOGIN);
    await showDay(page, offStart);
    const block = page.locator('.cal-off').first();
    await block.waitFor();
    const text = (await block.textContent()).trim();
    assert.ok(text.endsWith(`Time off: ${reason}`), text);
    assert.ok(text.startsWith(berlinTime(offStart)), text);
    assert.equal(await page.locator('.cal-off b').count(), 0, 'the reason is text');
    await s.step('desk-18-calendar-time-off');
    await showDay(page, `${tomorrow}T12:00:00Z`);
    await page.locator('.cal-col.closed').first().waitFor();
    assert.equal(await page.locator('.cal-closed').count(), 2, 'each practitioner column of the day');
    assert.equal((await page.locator('.cal-closed').first().textContent()).trim(), 'Closed: Public holiday');
    assert.match(await page.locator('.cal-day.closed').textContent(), /Closed/);
    await page.getByRole('button', { name: 'Week', exact: true }).click();
    await page.getByRole('heading', { name: /^Week of/ }).waitFor();
    await page.locator('.mode-week .cal-closed').first().waitFor();
    await s.step('desk-19-calendar-week-closed');
    s.assertClean();
  } finally {
    await s.close();
    await app.stop();
  }
});

test('hours and time off: weekly hours edited, time off added over a booked visit (shown as a link that opens it) and removed; time off months ahead listed', async () => {
  const app = await startApp({ env: DESK_ENV });
  const lena = await staffPractitioner(app, 'Dr. Lena Vogt');
  const reception = await staffUser(app, { email: 'desk@clinic.example', role: 'reception' });
  const { appointment } = await bookViaApi(app, { name: 'Hanna Hours', email: 'hanna@example.com' });
  // time off 90 days ahead (beyond the 31 days a calendar answer covers) is listed too
  const farStart = new Date(`${berlinDate(new Date(Date.now() + 90 * 86400000).toISOString())}T07:00:00Z`).toISOString();
  const farEnd = new Date(Date.parse(farStart) + 5 * 86400000).toISOString();
  const far = await app.api(`/api/v1/staff/practitioners/${lena}/time-off`, {
    method: 'POST', token: await staffToken(app), body: { start: farStart, end: farEnd, reason: 'Summer leave' },
  });
  assert.equal(far.status, 201, far.text);
  const s = await openPage(app);
  const { page } = s;
  const hoursOf = async () => (await app.api('/api/v1/staff/practitioners', { token: await staffToken(app) })).json.find((p) => p.id === lena).working_hours;
  try {
    await deskSignIn(page, app.base, reception);
    await page.getByRole('button', { name: 'Hours and time off', exact: true }).click();
    await page.getByRole('heading', { name: 'Hours and time off', level: 1 }).waitFor();
    await page.getByRole('heading', { name: 'Weekly working hours' }).waitFor();
    assert.equal(await page.getByRole('combobox', { name: 'Practitioner' }).inputValue(), lena);
    assert.equal(await page.locator('.hours-row').count(), 7);
    const farItem = page.locator(`[data-time-off="${far.json.id}"]`);
    await farItem.waitFor();
    const farText = await farItem.locator('span').textContent();
    // the desk's words for each day (en-GB, clinic zone), with the year only when it is not this year's
    const words = (iso) => {
      const year = berlinDate(iso).slice(0, 4) !== berlinDate(new Date().toISOString()).slice(0, 4);
      return new Intl.DateTimeFormat('en-GB', {
        timeZone: 'Europe/Berlin', weekday: 'long', day: 'numeric', month: 'long', ...(year ? { year: 'numeric' } : {}),
      }).format(new Date(iso));
    };
    assert.equal(farText, `${words(farStart)}, ${berlinTime(farStart)} to ${words(farEnd)}, ${berlinTime(farEnd)}: Summer leave`);
    // a bad time: the API's words, naming the row
    await page.getByRole('group', { name: 'Window 1' }).getByLabel('Until').fill('25:00');
    await page.getByRole('button', { name: 'Save working hours', exact: true }).click();
    await page.getByRole('alert').getByText(/^Working hours, row 1: /).waitFor();
    // Monday until 12:00, Sunday off, a second window on Monday afternoon
    await page.getByRole('group', { name: 'Window 1' }).getByLabel('Until').fill('12:00');
    await page.getByRole('button', { name: 'Remove window 7', exact: true }).click();
    await page.getByRole('button', { name: 'Add a window', exact: true }).click();
    const added = page.getByRole('group', { name: 'Window 7' });
    assert.equal(await page.evaluate(() => document.activeElement.id), 'hw-day-7', 'focus in the new window');
    await added.getByLabel('Day').selectOption('mon');
    await added.getByLabel('From').fill('13:00');
    await added.getByLabel('Until').fill('18:00');
    await page.getByRole('button', { name: 'Save working hours', exact: true }).click();
    await page.getByText('Working hours of Dr. Lena Vogt saved.').waitFor();
    const hours = await hoursOf();
    assert.equal(hours.length, 7);
    assert.ok(!hours.some((w) => w.weekday === 'sun'), 'Sunday off');
    assert.deepEqual(hours.filter((w) => w.weekday === 'mon').map((w) => `${w.start}-${w.end}`).sort(), ['00:00-12:00', '13:00-18:00']);
    await s.step('desk-20-hours');

    // time off over the booked visit (clinic-local date-times)
    const local = (iso) => `${berlinDate(iso)}T${berlinTime(iso)}`;
    await page.getByLabel('From', { exact: true }).last().fill(local(appointment.start));
    await page.getByLabel('Until', { exact: true }).last().fill(local(new Date(Date.parse(appointment.start) + 2 * 3600000).toISOString()));
    await page.getByRole('textbox', { name: 'Reason' }).fill('Training <i>course</i>');
    const sent = page.waitForRequest((r) => r.url().endsWith(`/practitioners/${lena}/time-off`) && r.method() === 'POST');
    await page.getByRole('button', { name: 'Add time off', exact: true }).click();
    const body = JSON.parse((await sent).postData());
    assert.equal(Date.parse(body.start), Date.parse(appointment.start), `RFC 3339 with the clinic offset: ${body.start}`);
    assert.match(body.start, /T\d\d:\d\d:00[+-]\d\d:\d\d$/);
    await page.getByText(/^Time off added for Dr\. Lena Vogt/).waitFor();
    await page.getByText('One visit is still booked in this time off. Nothing was cancelled: move or cancel each (the client is told then).').waitFor();
    const item = page.locator('[data-time-off]').filter({ hasText: 'Training' });
    await item.waitFor();
    assert.deepEqual(
      await page.locator('[data-time-off]').evaluateAll((li) => li.map((x) => x.dataset.timeOff)).then((ids) => ids.indexOf(far.json.id)),
      1,
      'by start: the new block, then the one months ahead',
    );
    assert.match(await item.locator('span').textContent(), /Training <i>course<\/i>$/);
    assert.equal(await page.locator('[data-time-off] i').count(), 0);
    await s.step('desk-21-time-off');
    // The time off's own link (on a Sunday, or a Monday outside 00-12 and 13-18, the new
    // weekly hours above list the same visit too).
    const link = page.getByRole('region', { name: 'Time off', exact: true }).getByRole('link', { name: /Hanna Hours/ });
    assert.match(await link.textContent(), new RegExp(berlinTime(appointment.start)));

    // remove it again
    await item.getByRole('button', { name: /^Remove time off / }).click();
    await page.getByText(/^Time off .* removed: the time can be booked again\.$/).waitFor();
    await page.locator('[data-time-off]').filter({ hasText: 'Training' }).waitFor({ state: 'detached' });
    assert.equal(await page.locator('[data-time-off]').count(), 1, 'the one months ahead stays');
    await farItem.waitFor();

    // the conflict link opens the visit on the calendar
    await link.click();
    await page.getByRole('dialog').getByRole('heading', { name: 'Hanna Hours' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Calendar', exact: true }).getAttribute('aria-current'), 'page');
    s.assertClean();
  } finally {
    await s.close();
    await app.stop();
  }
});

test('closure days: an admin closes a day (the visits still booked that day are links that open them) and opens it again; reception reads the list', async () => {
  const app = await startApp({ env: DESK_ENV });
  await staffPractitioner(app, 'Dr. Lena Vogt');
  const reception = await staffUser(app, { email: 'desk@clinic.example', role: 'reception' });
  const tomorrow = berlinDate(new Date(Date.now() + 86400000).toISOString());
  const free = await app.api(`/api/v1/availability?service=skin_consultation&from=${tomorrow}&to=${tomorrow}`);
  const slot = free.json.slots[0];
  const b = await app.api('/api/v1/bookings', {
    method: 'POST',
    body: { service: 'skin_consultation', start: slot.start, practitioner_id: slot.practitioner_id, client: { name: 'Clara <b>Closed</b>', email: 'clara@example.com' } },
  });
  assert.equal(b.status, 201, b.text);
  const visitId = b.json.appointments[0].id;
  const s = await openPage(app);
  const { page } = s;
  try {
    await deskSignIn(page, app.base, ADMIN_LOGIN);
    await page.getByRole('button', { name: 'Closure days', exact: true }).click();
    await page.getByText('No closure days ahead.').waitFor();
    await page.getByLabel('Date', { exact: true }).fill(tomorrow);
    await page.getByRole('textbox', { name: 'Reason' }).fill('Staff day <script>x</script>');
    await page.getByRole('button', { name: 'Close the clinic on this day', exact: true }).click();
    await page.getByText(/^The clinic is closed on /).waitFor();
    await page.getByRole('heading', { name: 'One visit is still booked that day' }).waitFor();
    const link = page.locator(`[data-open-visit="${visitId}"]`);
    assert.match(await link.textContent(), /Clara <b>Closed<\/b> \(Skin consultation, Dr\. Lena Vogt\)$/);
    const row = page.locator(`[data-closure="${tomorrow}"]`);
    assert.match(await row.textContent(), /Staff day <script>x<\/script>/);
    assert.equal(await page.locator('main b, main script').count(), 0, 'typed text stays text');
    await s.step('desk-22-closures-admin');
    // the same day again: the API's 409 in words
    await page.getByLabel('Date', { exact: true }).fill(tomorrow);
    await page.getByRole('button', { name: 'Close the clinic on this day', exact: true }).click();
    await page.getByRole('alert').getByText(/^The clinic is already closed on /).waitFor();
    // the link opens the visit on the calendar, on its day
    await link.click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('heading', { name: 'Clara <b>Closed</b>' }).waitFor();
    await page.getByText('Closed: Staff day <script>x</script>').first().waitFor();
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();

    // reception: the list only
    await deskSignIn(page, app.base, reception);
    await page.getByRole('button', { name: 'Closure days', exact: true }).click();
    await page.locator(`[data-closure="${tomorrow}"]`).waitFor();
    await page.getByText('Only an admin can add or remove closure days.').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Close the clinic on this day' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: /^Open again/ }).count(), 0);
    await s.step('desk-23-closures-reception');
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();

    // the admin opens the day again
    await deskSignIn(page, app.base, ADMIN_LOGIN);
    await page.getByRole('button', { name: 'Closure days', exact: true }).click();
    await page.locator(`[data-closure="${tomorrow}"]`).getByRole('button', { name: /^Open again on / }).click();
    await page.getByText(/^The clinic is open again on /).waitFor();
    await page.getByText('No closure days ahead.').waitFor();
    const list = await app.api('/api/v1/staff/closures', { token: await staffToken(app) });
    assert.deepEqual(list.json, []);
    s.assertClean();
  } finally {
    await s.close();
    await app.stop();
  }
});

test('users and roles (admin): the list, a user added, a role changed; refusals in words', async () => {
  const app = await startApp({ env: DESK_ENV });
  await staffPractitioner(app, 'Dr. Lena Vogt');
  await staffUser(app, { email: 'desk@clinic.example', role: 'reception' });
  const s = await openPage(app);
  const { page } = s;
  const usersOf = async () => (await app.api('/api/v1/staff/users', { token: await staffToken(app) })).json;
  try {
    await deskSignIn(page, app.base, ADMIN_LOGIN);
    await page.getByRole('button', { name: 'Users and roles', exact: true }).click();
    const me = page.locator(`[data-user="${ADMIN_LOGIN.email}"]`);
    await me.getByText('This is you: an admin cannot change their own role.').waitFor();
    assert.equal(await me.getByRole('combobox').count(), 0, 'no role change offered for oneself');
    const desk = page.locator('[data-user="desk@clinic.example"]');
    assert.equal(await desk.getByRole('combobox', { name: 'Role' }).inputValue(), 'reception');
    // a new practitioner login, linked to Dr. Lena Vogt
    await page.getByRole('textbox', { name: 'Email', exact: true }).fill('lena@clinic.example');
    await page.getByLabel('Password', { exact: true }).fill('short');
    await page.locator('#new-role').selectOption('practitioner');
    await page.locator('#new-practitioner').selectOption({ label: 'Dr. Lena Vogt' });
    await page.getByRole('button', { name: 'Add the user', exact: true }).click();
    await page.getByRole('alert').getByText(/^Password: /).waitFor();
    await page.getByLabel('Password', { exact: true }).fill('lena-password-123');
    await page.getByRole('button', { name: 'Add the user', exact: true }).click();
    await page.getByText('lena@clinic.example can now sign in as Practitioner.').waitFor();
    const lena = page.locator('[data-user="lena@clinic.example"]');
    await lena.locator('dd', { hasText: 'Dr. Lena Vogt' }).waitFor();
    let users = await usersOf();
    assert.equal(users.find((u) => u.email === 'lena@clinic.example').role, 'practitioner');
    assert.ok(users.find((u) => u.email === 'lena@clinic.example').practitioner_id);
    // the same email again: refused, said in words
    await page.getByRole('textbox', { name: 'Email', exact: true }).fill('lena@clinic.example');
    await page.getByLabel('Password', { exact: true }).fill('lena-password-123');
    await page.getByRole('button', { name: 'Add the user', exact: true }).click();
    const refused = page.locator('form[aria-labelledby="add-user-title"] [role=alert] .notice');
    await refused.waitFor();
    assert.equal((await refused.textContent()).trim(), 'A staff user with this email exists.');
    await s.step('desk-24-users');
    // reception becomes admin
    await desk.getByRole('combobox', { name: 'Role' }).selectOption('admin');
    await desk.getByRole('button', { name: 'Change role', exact: true }).click();
    await page.getByText('desk@clinic.example is now Admin.').waitFor();
    users = await usersOf();
    assert.equal(users.find((u) => u.email === 'desk@clinic.example').role, 'admin');
    s.assertClean();
  } finally {
    await s.close();
    await app.stop();
  }
});

test('audit log (admin): a table, calendar views hidden unless asked, a page at a time, filtered by a visit ("History") and by a client', async () => {
  // every calendar read is an audit row here, so 120 reads make more than a page
  const app = await startApp({ env: { ...DESK_ENV, APP__DESK__VIEW_AUDIT_WINDOW: '0s' } });
  await staffPractitioner(app, 'Dr. Lena Vogt');
  const { appointment } = await bookViaApi(app, { name: 'Alma <i>Audit</i>', email: 'alma@example.com' });
  const token = await staffToken(app);
  const ci = await app.api(`/api/v1/staff/appointments/${appointment.id}/check-in`, { method: 'POST', token });
  assert.equal(ci.status, 200, ci.text);
  const day = berlinDate(appointment.start);
  const entry = (await app.api(`/api/v1/staff/calendar?from=${day}&to=${day}`, { token })).json.appointments.find((a) => a.id === appointment.id);
  const exp = await app.api(`/api/v1/staff/clients/${entry.client.id}/export`, { token });
  assert.equal(exp.status, 200, exp.text);
  for (let i = 0; i < 120; i++) {
    const r = await app.api(`/api/v1/staff/calendar?from=${day}&to=${day}`, { token });
    assert.equal(r.status, 200, r.text);
  }
  const s = await openPage(app);
  const { page } = s;
  try {
    await deskSignIn(page, app.base, ADMIN_LOGIN);
    await page.getByRole('button', { name: 'Audit log', exact: true }).click();
    await page.getByText(/^Everything: \d+ entries, newest first\.$/).waitFor();
    assert.equal(await page.locator('tr[data-action="calendar.view"]').count(), 0, 'calendar views hidden');
    await page.locator('tr[data-action="appointment.checkin"]').getByText('Checked in').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Show older entries' }).count(), 0, 'one page holds everything but the views');
    const sent = page.waitForRequest((r) => r.url().includes('/api/v1/staff/audit?') && !r.url().includes('views=false'));
    await page.getByLabel('Include calendar views').check();
    await sent;
    await page.getByText('Everything: 100 entries, newest first. Older ones: “Show older entries” below.').waitFor();
    assert.equal(await page.locator('tbody tr').count(), 100);
    await s.step('desk-25-audit');
    // the next page: appended after the first, then nothing more
    await page.getByRole('button', { name: 'Show older entries', exact: true }).click();
    await page.getByText(/^Everything: 1\d\d entries, newest first\.$/).waitFor();
    await page.getByText('No older entries.').waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.closest('tr')?.rowIndex), 101, 'focus on the first entry added');
    // exactly the log from the first entry shown on (the desk's own polls add newer ones)
    const log = (await app.api('/api/v1/staff/audit?limit=1000', { token })).json.map((e) => e.id);
    const shownIds = await page.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.entry));
    assert.ok(shownIds.length > 100);
    assert.deepEqual(shownIds, log.slice(log.indexOf(shownIds[0])), 'every entry once, in order');
    await s.step('desk-25b-audit-older');
    await page.getByLabel('Include calendar views').uncheck();
    // a malformed id is named, not sent
    await page.getByRole('combobox', { name: 'Show the history of' }).selectOption('client');
    await page.getByRole('textbox', { name: 'Client or visit id' }).fill('not-an-id');
    await page.getByRole('button', { name: 'Show', exact: true }).click();
    await page.getByRole('alert').getByText(/^Client or visit id: enter the id of the client/).waitFor();
    // a typed client id
    await page.getByRole('textbox', { name: 'Client or visit id' }).fill(entry.client.id);
    await page.getByRole('button', { name: 'Show', exact: true }).click();
    // the client's own entry and those of their visit: the export, the check-in, the consent
    await page.getByText('The history of the client: 3 entries, newest first.').waitFor();
    assert.deepEqual((await page.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.action))).sort(), ['appointment.checkin', 'client.export', 'consent.sign']);
    assert.ok(s.seen.requests.some((u) => u.includes(`client_id=${entry.client.id}`)), 'asked by client_id');

    // the visit dialog's "History"
    await page.getByRole('button', { name: 'Calendar', exact: true }).click();
    await showDay(page, appointment.start);
    await page.locator(`[data-visit="${appointment.id}"]`).click();
    await page.getByRole('dialog').getByRole('link', { name: 'History', exact: true }).click();
    await page.getByRole('heading', { name: 'Audit log', level: 1 }).waitFor();
    // the check-in, and the consent the client signed from the manage link (bookViaApi)
    await page.getByText('The history of this visit: 2 entries, newest first.').waitFor();
    // (both may fall in the same second, so their order is not asserted)
    assert.deepEqual((await page.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.action))).sort(), ['appointment.checkin', 'consent.sign']);
    assert.match(await page.locator('tbody tr[data-action="appointment.checkin"]').textContent(), /admin@clinic\.example/);
    assert.equal(await page.getByRole('textbox', { name: 'Client or visit id' }).inputValue(), appointment.id);
    await s.step('desk-26-audit-visit');
    // and "Client's history"
    await page.getByRole('button', { name: 'Calendar', exact: true }).click();
    await page.locator(`[data-visit="${appointment.id}"]`).click();
    await page.getByRole('dialog').getByRole('link', { name: "Client's history", exact: true }).click();
    await page.getByText('The history of the client Alma <i>Audit</i>: 3 entries, newest first.').waitFor();
    assert.equal(await page.locator('main i').count(), 0);
    s.assertClean();
  } finally {
    await s.close();
    await app.stop();
  }
});

test('by keyboard alone: a repeat session’s health answers recorded from the visit dialog', async () => {
  const app = await startApp({ env: COURSE_ENV });
  await staffPractitioner(app, 'Dr. Lena Vogt');
  const course = await bookCourse(app, { name: 'Kira Keys', email: 'kira@example.com', sessions: 2 });
  const second = course.appointments[1];
  const qs = (await app.api('/api/v1/screening/questions')).json.questions;
  const s = await openPage(app);
  const { page } = s;
  try {
    await deskSignIn(page, app.base, ADMIN_LOGIN);
    await showDay(page, second.start);
    await page.locator(`[data-visit="${second.id}"]`).waitFor();
    await tabTo(page, (id) => document.activeElement?.dataset?.visit === id, second.id);
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('heading', { name: 'Kira Keys' }).waitFor();
    await tabTo(page, byText, 'Record health answers');
    await page.keyboard.press('Enter');
    await dialog.getByRole('heading', { name: 'Record health answers' }).waitFor();
    for (let i = 0; i < qs.length; i++) {
      await page.keyboard.press('Tab');
      await page.keyboard.press('ArrowDown'); // from "Yes" to "No", which checks it
    }
    assert.equal(await dialog.locator('input[type=radio][value=no]:checked').count(), qs.length, 'every question answered No by keyboard');
    await tabTo(page, byText, 'Record the answers');
    await page.keyboard.press('Enter');
    await dialog.getByText('Health answers recorded: the visit can go ahead.').waitFor();
    await dialog.getByText('Re-confirmed. Recorded; nothing stands in the way of the visit.').waitFor();
    assert.equal(await page.evaluate(() => document.activeElement.id), 'visit-title', 'focus back on the visit');
    s.assertClean();
  } finally {
    await s.close();
    await app.stop();
  }
});

// ---- third shift: consent at the desk, session records, aftercare alerts, services ----

test('consent at the desk: the state in words, "Sign consent", and "Check in" asks for the signature first', async () => {
  const app = await startApp({ env: DESK_ENV });
  await staffPractitioner(app, 'Dr. Lena Vogt');
  const reception = await staffUser(app, { email: 'desk@clinic.example', role: 'reception' });
  const { appointment: first } = await bookViaApi(app, { name: 'Clara Consent', email: 'clara@example.com', sign: false });
  const { appointment: second } = await bookViaApi(app, { name: 'Sina Sign', email: 'sina@example.com', sign: false });
  const s = await openPage(app);
  const { page } = s;
  try {
    await deskSignIn(page, app.base, reception);
    await showDayOf(page, first.start);
    const block = page.locator(`[data-visit="${first.id}"]`);
    await block.waitFor();
    assert.match(await block.textContent(), /Consent missing/);

    // "Sign consent" on its own: the text, the typed name and the tick
    await showDayOf(page, second.start);
    await page.locator(`[data-visit="${second.id}"]`).click();
    let dialog = page.getByRole('dialog');
    await dialog.getByText('Not signed yet: the client signs the consent before check-in.').waitFor();
    await dialog.getByRole('button', { name: 'Sign consent', exact: true }).click();
    await dialog.getByRole('heading', { name: 'Consent', exact: true }).waitFor();
    const text = dialog.getByRole('region', { name: /\(version / });
    await text.waitFor();
    const scroll = await text.evaluate((el) => ({ h: el.scrollHeight, c: el.clientHeight, overflow: getComputedStyle(el).overflowY }));
    assert.equal(scroll.overflow, 'auto', 'the consent text scrolls in its box');
    assert.ok((await text.innerText()).length > 200, 'the consent text is shown');
    await s.step('desk-30-consent-form');
    // nothing typed: each field says what is missing
    await dialog.getByRole('button', { name: 'Record signature', exact: true }).click();
    await dialog.getByText('Enter the client’s full name.').waitFor();
    await dialog.getByText('Tick this when the client agrees.').waitFor();
    assert.equal(await dialog.getByLabel('Full name').getAttribute('aria-invalid'), 'true');
    await s.step('desk-31-consent-errors');
    await dialog.getByLabel('Full name').fill(XSS);
    await dialog.getByLabel('The client agrees').check();
    await dialog.getByRole('button', { name: 'Record signature', exact: true }).click();
    await dialog.getByRole('status').getByText('Consent signed.').waitFor();
    await dialog.getByText('Signed (the current version).').waitFor();
    assert.equal(await dialog.getByRole('button', { name: 'Sign consent', exact: true }).count(), 0);
    assert.equal(await page.locator('dialog img').count(), 0);
    const admin = await staffToken(app);
    const c = await app.api(`/api/v1/staff/appointments/${second.id}/consent`, { token: admin });
    assert.equal(c.json.state, 'signed');
    assert.equal(c.json.signed.by, XSS, 'the typed name is stored as typed');
    assert.equal(c.json.signed.via, 'desk');
    await page.keyboard.press('Escape');

    // "Check in" without the consent: the form first (by keyboard), then the check-in
    await showDayOf(page, first.start);
    await page.locator(`[data-visit="${first.id}"]`).click();
    dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Check in', exact: true }).click();
    await dialog.getByText(/needs the client’s signed consent before check-in/).waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'consent-title', 'focus on the form');
    await tabTo(page, byId, 'consent-name');
    await page.keyboard.type('Clara Consent');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'consent-agree');
    await page.keyboard.press('Space');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Record signature and check in');
    await page.keyboard.press('Enter');
    await dialog.getByRole('status').getByText('Consent signed. Checked in.').waitFor();
    await dialog.getByText('Checked in', { exact: true }).waitFor();
    await s.step('desk-32-consent-checked-in');
    const after = await app.api(`/api/v1/staff/appointments/${first.id}/consent`, { token: admin });
    assert.equal(after.json.signed.by, 'Clara Consent');
    s.assertClean();
  } finally {
    await s.close();
    await app.stop();
  }
});

test('session record: a practitioner writes it (422 at the fields), reception reads it, the course history side by side', async () => {
  const app = await startApp({ env: COURSE_ENV });
  const lenaId = await staffPractitioner(app, 'Dr. Lena Vogt', { email: 'lena@clinic.example' });
  const lena = await staffUser(app, { email: 'lena@clinic.example', role: 'practitioner', practitionerId: lenaId });
  const reception = await staffUser(app, { email: 'desk@clinic.example', role: 'reception' });
  const course = await bookCourse(app, { name: 'Rita Record', email: 'rita@example.com', sessions: 2 });
  const [first] = course.appointments;
  const admin = await staffToken(app);
  const ci = await app.api(`/api/v1/staff/appointments/${first.id}/check-in`, { method: 'POST', token: admin });
  assert.equal(ci.status, 200, ci.text);
  const s = await openPage(app);
  const { page } = s;
  try {
    await deskSignIn(page, app.base, lena);
    await showDay(page, first.start);
    await page.locator(`[data-visit="${first.id}"]`).click();
    const dialog = page.getByRole('dialog');
    const record = dialog.getByRole('region', { name: 'Session record' });
    await record.getByText('No session record yet.').waitFor();
    await record.getByRole('button', { name: 'Write session record', exact: true }).click();
    await record.getByRole('heading', { name: 'Write the session record' }).waitFor();
    // the areas are the API's list, as checkboxes
    assert.equal(await record.getByRole('group', { name: 'Areas treated' }).getByRole('checkbox').count(), 17);
    await record.getByRole('button', { name: 'Save session record', exact: true }).click();
    await record.getByText('Enter the needle depth in millimetres, e.g. 1.5.').waitFor();
    await record.getByText('Tick at least one area.').waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'rec-depth');
    // the API's 422 is shown at its field
    await record.getByLabel('Needle depth (mm)').fill('9');
    await record.getByRole('checkbox', { name: 'Forehead', exact: true }).check();
    await record.getByRole('checkbox', { name: 'Cheeks', exact: true }).check();
    await record.getByRole('button', { name: 'Save session record', exact: true }).click();
    const depthError = page.locator('#rec-needle_depth_mm-error');
    await depthError.waitFor();
    assert.match(await depthError.textContent(), /\S/);
    assert.equal(await record.getByLabel('Needle depth (mm)').getAttribute('aria-invalid'), 'true');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'rec-depth');
    await s.step('desk-33-record-errors');
    await record.getByLabel('Needle depth (mm)').fill('1,5');
    await record.getByLabel('Product or serum').fill(XSS);
    await record.getByLabel('Numbing').fill('Cream, 30 minutes');
    await record.getByLabel('Immediate reaction').fill('Mild redness');
    await record.getByLabel('Notes').fill('Tolerated well.\nNext time 1.75 mm on the cheeks.');
    await record.getByRole('button', { name: 'Save session record', exact: true }).click();
    await record.getByText('Session record saved.').waitFor();
    await record.getByText('1.5 mm').waitFor();
    await record.getByText('Forehead, Cheeks').waitFor();
    await record.getByText(XSS).waitFor();
    assert.equal(await page.locator('dialog img').count(), 0, 'typed text is text');
    const stored = await app.api(`/api/v1/staff/appointments/${first.id}/notes`, { token: admin });
    assert.equal(stored.json.needle_depth_mm, 1.5);
    assert.deepEqual(stored.json.areas, ['forehead', 'cheeks']);
    await s.step('desk-34-record-saved');
    await record.getByRole('button', { name: 'Course history', exact: true }).click();
    const table = record.getByRole('table');
    await table.waitFor();
    assert.deepEqual(await table.locator('thead th').allTextContents(), ['Session 1', 'Session 2']);
    const depthRow = await table.getByRole('row', { name: /Needle depth/ }).locator('td').allTextContents();
    assert.deepEqual(depthRow, ['1.5 mm', '–']);
    await table.scrollIntoViewIfNeeded();
    await s.step('desk-35-course-history');
    await dialog.getByRole('button', { name: 'Close', exact: true }).click();
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();

    // reception reads it, cannot write it
    await deskSignIn(page, app.base, reception);
    await showDay(page, first.start);
    await page.locator(`[data-visit="${first.id}"]`).click();
    const r2 = page.getByRole('dialog').getByRole('region', { name: 'Session record' });
    await r2.getByText('Forehead, Cheeks').waitFor();
    assert.equal(await r2.getByRole('button', { name: /session record/ }).count(), 0, 'reception reads only');
    await r2.getByRole('button', { name: 'Course history', exact: true }).waitFor();
    await s.step('desk-36-record-reception');
    s.assertClean();
  } finally {
    await s.close();
    await app.stop();
  }
});

/** Reminders on (the dispatcher writes .eml files each second), the irritation check a second
 * after completion, check-in open days ahead. */
function aftercareEnv(mail) {
  return {
    ...DESK_ENV,
    APP__MAIL__FILE_DIR: mail,
    APP__REMINDERS__ENABLED: 'true',
    APP__REMINDERS__TICK: '1s',
    APP__REMINDERS__QUIET_HOURS: '',
    APP__REMINDERS__IRRITATION_CHECK_AFTER: '1s',
    APP__BOOKING__CHECK_IN_LEAD: '720h',
  };
}

/** A visit booked (consent signed), checked in and completed through the API, then the client
 * answers the aftercare check-in from the irritation_check email's link with `answers`. */
async function visitWithAftercare(app, mail, { name, email, answers }) {
  const { appointment } = await bookViaApi(app, { name, email });
  const token = await staffToken(app);
  for (const step of ['check-in', 'complete']) {
    const r = await app.api(`/api/v1/staff/appointments/${appointment.id}/${step}`, { method: 'POST', token, body: {} });
    assert.equal(r.status, 200, r.text);
  }
  let secret = null;
  for (let i = 0; i < 150 && !secret; i++) {
    for (const f of readdirSync(mail, { recursive: true }).filter((n) => String(n).endsWith('.eml'))) {
      const text = readFileSync(join(mail, String(f)), 'utf8').replace(/=\r?\n/g, '');
      if (!/X-Dermadesk-Kind: irritation_check/.test(text) || !text.includes(email)) continue;
      const m = text.match(/\/aftercare#([0-9a-f]{64})/);
      if (m) secret = m[1];
    }
    if (!secret) await new Promise((r) => setTimeout(r, 200));
  }
  assert.ok(secret, `no aftercare link for ${email}`);
  const body = { redness: 'none', swelling: false, pain_increasing: false, pus_or_fever: false, blisters_or_cold_sore: false, notes: null, ...answers };
  const r = await app.api(`/api/v1/bookings/${appointment.id}/aftercare`, { method: 'POST', token: secret, body });
  assert.ok(r.status === 200 || r.status === 201, r.text);
  return appointment;
}

test('aftercare alerts: open first with the answers and the visit, a count on the menu, acknowledged with a required note; reception reads', async () => {
  const mail = mkdtempSync(join(tmpdir(), 'dermadesk-desk-mail-'));
  const app = await startApp({ env: aftercareEnv(mail) });
  const lenaId = await staffPractitioner(app, 'Dr. Lena Vogt', { email: 'lena@clinic.example' });
  const lena = await staffUser(app, { email: 'lena@clinic.example', role: 'practitioner', practitionerId: lenaId });
  const reception = await staffUser(app, { email: 'desk@clinic.example', role: 'reception' });
  const anna = await visitWithAftercare(app, mail, {
    name: 'Anna Alert', email: 'anna@example.com', answers: { redness: 'strong', pus_or_fever: true, notes: `Hot and <b>throbbing</b> ${XSS}` },
  });
  const ben = await visitWithAftercare(app, mail, { name: 'Ben Blister', email: 'ben@example.com', answers: { blisters_or_cold_sore: true } });
  const admin = await staffToken(app);
  const all = (await app.api('/api/v1/staff/alerts', { token: admin })).json;
  assert.equal(all.length, 2, JSON.stringify(all));
  const benAlert = all.find((a) => a.appointment_id === ben.id);
  const acked = await app.api(`/api/v1/staff/alerts/${benAlert.id}/acknowledge`, { method: 'POST', token: admin, body: { note: 'Called Ben: antiviral advice.' } });
  assert.equal(acked.status, 200, acked.text);
  const s = await openPage(app);
  const { page } = s;
  try {
    await deskSignIn(page, app.base, lena);
    const menu = page.getByRole('navigation', { name: 'Desk' }).getByRole('button', { name: /^Aftercare alerts/ });
    await page.waitForFunction(() => /1 open/.test(document.querySelector('.desk-nav')?.textContent || ''));
    assert.equal((await menu.textContent()).trim(), 'Aftercare alerts 1 open');
    await menu.click();
    await page.getByRole('heading', { name: 'Aftercare alerts', level: 1 }).waitFor();
    const cards = page.locator('.alert-card');
    await cards.first().waitFor();
    assert.equal(await cards.count(), 2);
    // the open one first, with the client's answers as text
    const open = cards.nth(0);
    assert.equal((await open.locator('h2').textContent()).trim(), 'Open: Anna Alert');
    const openText = await open.innerText();
    assert.match(openText, /Pus or fever, Strong redness|Strong redness, Pus or fever/);
    assert.match(openText, /Redness\s+Strong/);
    assert.ok(openText.includes(`Hot and <b>throbbing</b> ${XSS}`), 'the client\'s words as text');
    assert.equal(await page.locator('.alert-card img, .alert-card b').count(), 0);
    const second = cards.nth(1);
    assert.match(await second.innerText(), /Acknowledged[\s\S]*Called Ben: antiviral advice\./);
    assert.equal(await second.getByRole('button', { name: 'Acknowledge' }).count(), 0);
    await s.step('desk-37-alerts');
    // a note is required; keyboard only
    await tabTo(page, byText, 'Acknowledge');
    await page.keyboard.press('Enter');
    await open.getByText('Write a note to acknowledge the alert.').waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.tagName), 'TEXTAREA');
    await s.step('desk-38-alert-note-missing');
    await page.keyboard.type('Called Anna <i>now</i>: seen today at 16:00.');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.getByRole('status').getByText('Alert for Anna Alert acknowledged.').waitFor();
    await page.getByText('No open alerts.').waitFor();
    await page.waitForFunction(() => !/open/.test(document.querySelector('.desk-nav')?.textContent || ''));
    assert.equal(await page.locator('.alert-card i').count(), 0);
    await page.getByText('Called Anna <i>now</i>: seen today at 16:00.').waitFor();
    const stored = (await app.api('/api/v1/staff/alerts?open=true', { token: admin })).json;
    assert.equal(stored.length, 0);
    // the visit link opens the visit on the calendar
    await page.locator(`[data-open-visit="${anna.id}"]`).click();
    await page.getByRole('dialog').getByRole('heading', { name: 'Anna Alert' }).waitFor();
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();

    // reception reads, without the acknowledge form
    await deskSignIn(page, app.base, reception);
    await page.getByRole('navigation', { name: 'Desk' }).getByRole('button', { name: 'Aftercare alerts' }).click();
    await page.locator('.alert-card').first().waitFor();
    assert.equal(await page.getByRole('button', { name: 'Acknowledge' }).count(), 0);
    await s.step('desk-39-alerts-reception');
    s.assertClean();
  } finally {
    await s.close();
    await app.stop();
  }
});

test('services (admin): name, duration and price in euros sent as minor units; empty = no price; refusals at the fields', async () => {
  const app = await startApp({ env: DESK_ENV });
  await staffPractitioner(app, 'Dr. Lena Vogt');
  const s = await openPage(app);
  const { page } = s;
  try {
    await deskSignIn(page, app.base, ADMIN_LOGIN);
    await page.getByRole('navigation', { name: 'Desk' }).getByRole('button', { name: 'Services', exact: true }).click();
    await page.getByRole('heading', { name: 'Services', level: 1 }).waitFor();
    const card = page.locator('[data-service="microneedling"]');
    await card.waitFor();
    assert.equal(await page.locator('[data-service]').count(), 2);
    assert.equal(await card.getByLabel('Price (EUR)').inputValue(), '', 'no price yet');
    await s.step('desk-40-services');
    // a price that is not euros and cents: said at the field, nothing sent
    await card.getByLabel('Price (EUR)').fill('twelve');
    await card.getByRole('button', { name: 'Save', exact: true }).click();
    await card.getByText('Enter euros and cents, e.g. 149.00, or leave it empty.').waitFor();
    assert.equal(await card.getByLabel('Price (EUR)').getAttribute('aria-invalid'), 'true');
    // a length off the booking grid: the API's 422 at the field
    await card.getByLabel('Price (EUR)').fill('149,5');
    await card.getByLabel('Duration (minutes)').fill('50');
    await card.getByRole('button', { name: 'Save', exact: true }).click();
    const durationError = page.locator('#svc-microneedling-duration-error');
    await page.waitForFunction(() => document.querySelector('#svc-microneedling-duration-error')?.textContent.trim());
    assert.match(await durationError.textContent(), /\S/);
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'svc-microneedling-duration');
    await s.step('desk-41-services-errors');
    await card.getByLabel('Duration (minutes)').fill('75');
    await card.getByLabel('Name').fill(`Microneedling ${XSS}`);
    await card.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('status').getByText(/saved: 75 minutes, €149\.50\./).waitFor();
    assert.equal(await card.getByLabel('Price (EUR)').inputValue(), '149.50');
    assert.equal(await page.locator('.services img').count(), 0);
    let listed = (await app.api('/api/v1/services')).json.find((x) => x.code === 'microneedling');
    assert.deepEqual(listed.price, { amount_minor: 14950, currency: 'EUR' });
    assert.equal(listed.duration_minutes, 75);
    assert.equal(listed.name, `Microneedling ${XSS}`);
    await s.step('desk-42-services-saved');
    // empty price: no price shown
    await card.getByLabel('Price (EUR)').fill('');
    await card.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('status').getByText(/no price shown/).waitFor();
    listed = (await app.api('/api/v1/services')).json.find((x) => x.code === 'microneedling');
    assert.equal(listed.price, null);
    s.assertClean();
  } finally {
    await s.close();
    await app.stop();
  }
});

test('reschedule through the picker: a time taken meanwhile is said in words and no longer offered; a cancelled repeat session asks for no re-confirmation', async () => {
  const app = await startApp({ env: COURSE_ENV });
  await staffPractitioner(app, 'Dr. Lena Vogt');
  const course = await bookCourse(app, { name: 'Rita Repeat', email: 'rita@example.com', sessions: 2 });
  const [first, second] = course.appointments;
  const token = await staffToken(app);
  const cancelled = await app.api(`/api/v1/staff/appointments/${second.id}/cancel`, { method: 'POST', token, body: { reason: 'client asked' } });
  assert.equal(cancelled.status, 200, cancelled.text);
  // the desk's CSP enforced (no axe injection, so no step screenshots): nothing it does is refused
  const s = await openPage(app, { csp: true });
  const { page } = s;
  try {
    const violations = await watchCsp(page);
    await deskSignIn(page, app.base, ADMIN_LOGIN);
    // the cancelled session 2 shows its status and the booking's screening, not a missing re-confirmation
    await showDay(page, second.start);
    const gone = page.locator(`[data-visit="${second.id}"]`);
    await gone.waitFor();
    const lines = await shownLines(gone);
    assert.match(lines, /Cancelled/i);
    assert.match(lines, /Screening: eligible/);
    assert.doesNotMatch(await gone.textContent(), /Re-confirmation/);

    // session 1 moves through the picker; the first time offered is taken by another booking meanwhile
    await showDay(page, first.start);
    await page.locator(`[data-visit="${first.id}"]`).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Reschedule', exact: true }).click();
    const time = dialog.locator('.times button').first();
    await time.waitFor();
    const start = await time.getAttribute('data-start');
    await time.click();
    await bookElsewhere(app, start);
    await dialog.getByRole('button', { name: 'Move the visit here', exact: true }).click();
    const refusal = dialog.locator('.notice.error');
    await refusal.waitFor();
    const said = (await refusal.textContent()).trim();
    assert.doesNotMatch(said, /session_number|_|:\s*\d/, `a refusal in words, not its data: ${said}`);
    assert.match(said, /no longer free/i);
    // the times come again without the taken one; the next one is taken
    await page.waitForFunction((st) => {
      const b = document.querySelector('dialog .times button');
      return b && !document.querySelector(`dialog .times button[data-start="${st}"]`);
    }, start);
    const next = dialog.locator('.times button').first();
    const nextStart = await next.getAttribute('data-start');
    await next.click();
    await dialog.getByRole('button', { name: 'Move the visit here', exact: true }).click();
    await dialog.getByRole('status').getByText(/^Moved to .*The client is told\.$/).waitFor();
    const day = berlinDate(nextStart);
    const cal = await app.api(`/api/v1/staff/calendar?from=${day}&to=${day}`, { token });
    const moved = cal.json.appointments.find((a) => a.id === first.id);
    assert.equal(Date.parse(moved.start), Date.parse(nextStart));
    assert.deepEqual(await violations(), []);
    s.assertClean();
  } finally {
    await s.close();
    await app.stop();
  }
});

test('a course booked at the desk: Sessions as typed (0 refused at the field), every session on the calendar; one cancelled with a reason from its visit', async () => {
  const app = await startApp({ env: COURSE_ENV });
  await staffPractitioner(app, 'Dr. Lena Vogt');
  const reception = await staffUser(app, { email: 'desk@clinic.example', role: 'reception' });
  const s = await openPage(app);
  const { page } = s;
  try {
    await deskSignIn(page, app.base, reception);
    await deskClientDetails(page, { name: 'Cora Course', email: 'cora@example.com' });
    const qs = (await app.api('/api/v1/screening/questions')).json.questions;
    await answerAll(page, qs);
    await page.getByRole('button', { name: 'Continue', exact: true }).click();
    await page.getByRole('heading', { name: 'Screening passed: choose a time' }).waitFor();
    await (await bookableTime(page, MIN_NOTICE_MS)).click();
    const sessions = page.getByRole('spinbutton', { name: 'Sessions' });
    // 0 goes to the API as typed and comes back as its refusal at "Sessions", not as one session
    await sessions.fill('0');
    await page.getByRole('button', { name: 'Book', exact: true }).click();
    await page.getByRole('alert').getByText(/^Sessions: /).waitFor();
    const token = await staffToken(app, reception);
    const from = berlinDate(new Date().toISOString());
    const to = berlinDate(new Date(Date.now() + 20 * 86400000).toISOString());
    const ofCora = async () => (await app.api(`/api/v1/staff/calendar?from=${from}&to=${to}`, { token })).json.appointments
      .filter((a) => a.client?.name === 'Cora Course')
      .sort((a, b) => a.course.session_number - b.course.session_number);
    assert.deepEqual(await ofCora(), [], 'nothing booked');
    await sessions.fill('3');
    await page.getByRole('button', { name: 'Book', exact: true }).click();
    await page.getByRole('heading', { name: 'Booked', exact: true }).waitFor();
    const listed = await page.locator('ul.sessions li').allTextContents();
    assert.equal(listed.length, 3, listed.join(' | '));
    listed.forEach((line, i) => assert.match(line, new RegExp(`^Session ${i + 1} of 3: `)));
    await s.step('desk-44-course-booked');

    // each session is on the calendar as "session n of 3"
    const course = await ofCora();
    assert.deepEqual(course.map((a) => [a.course.session_number, a.course.sessions]), [[1, 3], [2, 3], [3, 3]]);
    const second = course[1];
    await page.getByRole('button', { name: 'Calendar', exact: true }).click();
    await showDay(page, second.start);
    const block = page.locator(`[data-visit="${second.id}"]`);
    await block.waitFor();
    assert.match(await shownLines(block), /session 2 of 3/);

    // "Reschedule" offers only the days the course's spacing allows (1 day here: sessions on
    // consecutive days leave session 2 its own day)
    await block.click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Reschedule', exact: true }).click();
    const day2 = berlinDate(second.start);
    const dayWords = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', day: 'numeric', month: 'long', year: 'numeric' }).format(new Date(`${day2}T00:00:00Z`));
    const note = dialog.locator('#reschedule-window');
    await note.waitFor();
    const said = await note.textContent();
    assert.match(said, /^Session 2 can move to another time on .+ only \(at least 1 day from the course's other sessions\)\.$/, said);
    assert.ok(said.includes(dayWords), `${dayWords} in: ${said}`);
    await dialog.locator('.times button').first().waitFor();
    const offered = await dialog.locator('.times button').evaluateAll((bs) => bs.map((b) => b.dataset.start));
    assert.ok(offered.length > 0);
    for (const start of offered) assert.equal(berlinDate(start), day2, `offered ${start} outside the window`);
    await s.step('desk-45-reschedule-window');
    await dialog.getByRole('button', { name: 'Keep the time', exact: true }).click();

    // cancelled with a reason, from the visit
    await dialog.getByRole('button', { name: 'Cancel', exact: true }).click();
    await dialog.getByRole('textbox', { name: 'Reason' }).fill('Client travels that week');
    await dialog.getByRole('button', { name: 'Cancel the visit', exact: true }).click();
    await dialog.getByRole('status').getByText('Cancelled. The client is told.').waitFor();
    await page.keyboard.press('Escape');
    assert.match(await shownLines(block), /Cancelled/i);
    const day = berlinDate(second.start);
    const after = await app.api(`/api/v1/staff/calendar?from=${day}&to=${day}`, { token });
    assert.equal(after.json.appointments.find((a) => a.id === second.id).status, 'cancelled');
    const msgs = await app.api(`/api/v1/staff/messages?appointment_id=${second.id}`, { token });
    assert.ok(msgs.json.some((m) => m.kind === 'cancellation'), 'the client is told by email');
    s.assertClean();
  } finally {
    await s.close();
    await app.stop();
  }
});
