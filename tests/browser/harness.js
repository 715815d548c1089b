// Starts the debug binary on a fresh database (a temp SQLite file or a fresh PostgreSQL
// database), seeds a practitioner through the staff API, and drives Debian's Chromium with
// playwright-core: request log, dialog watch, axe-core, screenshots at phone and desktop size.
// With `smtp: true` the service sends its emails over SMTP to a sink in this process
// (smtp-server + mailparser, from the nodemailer project) that keeps every message it gets.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
export const SHOTS = join(here, 'screenshots');
mkdirSync(SHOTS, { recursive: true });

const BINARY = process.env.DERMADESK_BIN || join(root, 'target', 'debug', 'dermadesk');
const PG = process.env.DERMADESK_TEST_PG || 'postgres://postgres@127.0.0.1:5432';
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const ADMIN = { email: 'admin@clinic.example', password: 'admin-password-123' };
export const PHONE = { width: 360, height: 740 };
export const DESKTOP = { width: 1280, height: 800 };

/**
 * An SMTP server on 127.0.0.1 (any free port, no TLS, no auth) that accepts every message and
 * keeps it parsed: `{ kind, appointment, to, subject, text, html, headers }`, where `kind` and
 * `appointment` are the X-Dermadesk-Kind and X-Dermadesk-Appointment headers.
 */
export async function startSmtpSink() {
  const messages = [];
  const server = new SMTPServer({
    secure: false,
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    closeTimeout: 1000,
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((m) => {
          messages.push({
            kind: m.headers.get('x-dermadesk-kind') ?? null,
            appointment: m.headers.get('x-dermadesk-appointment') ?? null,
            to: m.to?.text ?? '',
            subject: m.subject ?? '',
            text: m.text ?? '',
            html: typeof m.html === 'string' ? m.html : '',
            headers: m.headers,
          });
          callback();
        })
        .catch(callback);
    },
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return {
    port: server.server.address().port,
    messages,
    /** Waits until `test(messages)` holds (polled every 100 ms); fails after `timeout` ms. */
    async waitFor(test, { timeout = 30000, what = 'the expected emails' } = {}) {
      const until = Date.now() + timeout;
      while (!test(messages)) {
        if (Date.now() > until) {
          const got = messages.map((m) => `${m.kind} ${m.appointment}`).join(', ');
          throw new Error(`${what} did not arrive in ${timeout} ms; the sink has: ${got || 'nothing'}`);
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    close: () => new Promise((r) => server.close(r)),
  };
}

/**
 * A running service on its own database. `smtp: true` starts an SMTP sink (`app.smtp`, see
 * startSmtpSink) and points the service's SMTP transport at it; otherwise emails are .eml files.
 */
export async function startApp({ db = 'sqlite', env = {}, smtp = false } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'dermadesk-browser-'));
  const sink = smtp ? await startSmtpSink() : null;
  const mailEnv = sink
    ? { APP__MAIL__TRANSPORT: 'smtp', APP__MAIL__SMTP_HOST: '127.0.0.1', APP__MAIL__SMTP_PORT: String(sink.port), APP__MAIL__SMTP_TLS: 'none' }
    : { APP__MAIL__TRANSPORT: 'file' };
  let url;
  let pgName = null;
  if (db === 'postgres') {
    pgName = `dermadesk_test_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
    execFileSync('psql', [`${PG}/postgres`, '-qc', `CREATE DATABASE "${pgName}"`]);
    url = `${PG}/${pgName}`;
  } else {
    url = `sqlite://${join(dir, 'db.sqlite')}?mode=rwc`;
  }
  const child = spawn(BINARY, ['serve'], {
    cwd: dir,
    env: {
      ...process.env,
      APP__SERVER__HOST: '127.0.0.1',
      APP__SERVER__PORT: '0',
      APP__DATABASE__URL: url,
      ...mailEnv,
      APP__MAIL__FILE_DIR: join(dir, 'mail'),
      APP__REMINDERS__ENABLED: 'false',
      APP__RATE_LIMIT__PUBLIC_PER_MINUTE: '0',
      APP__RATE_LIMIT__LOGIN_PER_MINUTE: '0',
      APP__BOOTSTRAP__ADMIN_EMAIL: ADMIN.email,
      APP__BOOTSTRAP__ADMIN_PASSWORD: ADMIN.password,
      APP__LOG__FORMAT: 'json',
      APP__LOG__LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // A test runner killed or crashed mid-test must not leave the service running.
  const orphanGuard = () => child.kill('SIGKILL');
  process.once('exit', orphanGuard);
  let log = '';
  const started = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "listening" line in 30 s:\n${log}`)), 30000);
    const onData = (chunk) => {
      log += chunk;
      const m = log.match(/"address":"(127\.0\.0\.1:\d+)"/);
      if (m) {
        clearTimeout(timer);
        resolve(`http://${m[1]}`);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`dermadesk exited (${code}):\n${log}`)));
  });
  const base = await started.catch(async (e) => {
    await sink?.close();
    throw e;
  });
  const app = {
    base,
    db,
    smtp: sink,
    async stop() {
      process.off('exit', orphanGuard);
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
      await sink?.close();
      if (pgName) execFileSync('psql', [`${PG}/postgres`, '-qc', `DROP DATABASE IF EXISTS "${pgName}" WITH (FORCE)`]);
      rmSync(dir, { recursive: true, force: true });
    },
    async api(path, { method = 'GET', body, token } = {}) {
      const headers = { 'content-type': 'application/json' };
      if (token) headers.authorization = `Bearer ${token}`;
      const res = await fetch(base + path, { method, headers, body: body && JSON.stringify(body) });
      const text = await res.text();
      let json = null;
      try { json = JSON.parse(text); } catch { /* not JSON */ }
      return { status: res.status, json, text, headers: res.headers };
    },
    /** A practitioner working 09:00-17:00 every day, added through the staff API. */
    async practitioner(name) {
      const login = await app.api('/api/v1/auth/login', { method: 'POST', body: ADMIN });
      assert.equal(login.status, 200, login.text);
      const token = login.json.token;
      const p = await app.api('/api/v1/staff/practitioners', { method: 'POST', token, body: { name } });
      assert.equal(p.status, 201, p.text);
      const hours = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((weekday) => ({ weekday, start: '09:00', end: '17:00' }));
      const put = await app.api(`/api/v1/staff/practitioners/${p.json.id}/working-hours`, { method: 'PUT', token, body: hours });
      assert.equal(put.status, 200, put.text);
      return p.json.id;
    },
  };
  return app;
}

let browser;
export async function launch() {
  browser ??= await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
  return browser;
}
export async function closeBrowser() {
  await browser?.close();
  browser = undefined;
}

/**
 * A page with watchers: every request URL (anything not on 127.0.0.1 is aborted and
 * recorded), dialogs (dismissed and recorded), page errors, CSP violations.
 * bypassCSP lets the test inject axe-core; `csp: true` keeps the page's CSP enforced.
 */
export async function openPage(app, { viewport = DESKTOP, csp = false } = {}) {
  const b = await launch();
  const context = await b.newContext({ viewport, bypassCSP: !csp, acceptDownloads: true });
  const page = await context.newPage();
  const seen = { requests: [], foreign: [], dialogs: [], errors: [], console: [] };
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (url.hostname === '127.0.0.1') return route.continue();
    seen.foreign.push(url.href);
    return route.abort();
  });
  page.on('request', (r) => seen.requests.push(r.url()));
  page.on('dialog', (d) => {
    seen.dialogs.push(d.message());
    d.dismiss().catch(() => {});
  });
  page.on('pageerror', (e) => seen.errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) seen.console.push(m.text());
  });
  const steps = [];
  return {
    page, context, seen, app, steps,
    async close() {
      await context.close();
    },
    /** Checks and screenshots one step: axe (no violation of any impact), no horizontal scroll at
     * 360 px, phone and desktop screenshots. */
    async step(name) {
      steps.push(name);
      await page.waitForTimeout(50);
      const violations = await axe(page);
      assert.deepEqual(violations, [], `axe on step ${name}: ${JSON.stringify(violations, null, 1)}`);
      // A missing value rendered as text ("null", "undefined", "NaN", "[object Object]").
      const leaked = await page.evaluate(() => {
        const out = [];
        const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        for (let n = walk.nextNode(); n; n = walk.nextNode()) {
          const t = n.textContent.trim();
          if (['null', 'undefined', 'NaN'].includes(t) || t.includes('[object Object]')) out.push(t);
        }
        return out;
      });
      assert.deepEqual(leaked, [], `step ${name}: a missing value shown as text`);
      // A calendar visit shows whole lines only: none reaches past the block's lower edge.
      const cut = await page.evaluate(() => [...document.querySelectorAll('.cal-visit')].flatMap((b) => {
        const edge = b.getBoundingClientRect().bottom - parseFloat(getComputedStyle(b).borderBottomWidth);
        return [...b.children]
          // a line hidden whole (visually hidden: 1 px) is no cut line
          .filter((line) => line.getBoundingClientRect().height > 1 && line.getBoundingClientRect().bottom > edge + 0.5)
          .map((line) => `${b.dataset.visit}: ${line.textContent}`);
      }));
      assert.deepEqual(cut, [], `step ${name}: visit lines cut by their block`);
      const original = page.viewportSize();
      await page.setViewportSize(PHONE);
      const widths = await page.evaluate(() => ({ scroll: document.scrollingElement.scrollWidth, inner: window.innerWidth }));
      assert.ok(widths.scroll <= widths.inner, `step ${name}: horizontal scrolling at 360 px (${widths.scroll} > ${widths.inner})`);
      await fullPageShot(page, join(SHOTS, `${name}-phone.png`));
      await page.setViewportSize(DESKTOP);
      await fullPageShot(page, join(SHOTS, `${name}-desktop.png`));
      await page.setViewportSize(original);
    },
    /** Nothing left 127.0.0.1, no dialog, no script error. */
    assertClean() {
      assert.deepEqual(seen.foreign, [], 'requests that left 127.0.0.1');
      for (const u of seen.requests) {
        const url = new URL(u);
        assert.ok(url.protocol === 'blob:' || url.protocol === 'data:' || url.hostname === '127.0.0.1', `request to ${u}`);
      }
      assert.deepEqual(seen.dialogs, [], 'dialogs opened');
      assert.deepEqual(seen.errors, [], 'page errors');
      assert.deepEqual(seen.console, [], 'console errors');
    },
  };
}

/**
 * A full-page screenshot as a person scrolling the page would see it. Chromium captures the
 * whole page without scrolling, so elements with `content-visibility: auto` (the desk's
 * calendar columns) below the fold stay skipped and come out blank, while on screen they are
 * painted as soon as they near the viewport. For the capture only, such elements are set to
 * `visible` through the CSSOM (allowed under the pages' CSP), then put back.
 */
async function fullPageShot(page, path) {
  const forced = await page.evaluate(() => {
    let n = 0;
    for (const el of document.querySelectorAll('*')) {
      if (getComputedStyle(el).contentVisibility !== 'auto') continue;
      el.dataset.shotVisible = el.style.getPropertyValue('content-visibility');
      el.style.setProperty('content-visibility', 'visible');
      n++;
    }
    return n;
  });
  try {
    await page.screenshot({ path, fullPage: true });
  } finally {
    if (forced) {
      await page.evaluate(() => {
        for (const el of document.querySelectorAll('[data-shot-visible]')) {
          if (el.dataset.shotVisible) el.style.setProperty('content-visibility', el.dataset.shotVisible);
          else el.style.removeProperty('content-visibility');
          delete el.dataset.shotVisible;
        }
      });
    }
  }
}

/** axe-core's violations on the page as it is now, of every impact (minor and moderate too). */
export async function axe(page) {
  const loaded = await page.evaluate(() => typeof window.axe !== 'undefined');
  if (!loaded) await page.addScriptTag({ content: AXE });
  return page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')) }));
  });
}

/**
 * Records the page's Content-Security-Policy violations from its next navigation on; returns
 * a function that reads them ("directive blocked-URI" each). For pages opened with `csp: true`.
 */
export async function watchCsp(page) {
  await page.addInitScript(() => {
    window.__violations = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  return () => page.evaluate(() => window.__violations);
}

/** The lines a calendar visit's block shows (those its height holds), as the page renders them. */
export function shownLines(visit) {
  return visit.evaluate((b) => [...b.children].filter((c) => c.getBoundingClientRect().height > 1).map((c) => c.innerText.trim()).join('\n'));
}

/** Presses Tab until the focused element passes `test` (run in the page); fails after `max`. */
export async function tabTo(page, test, arg, max = 400) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(test, arg)) return;
  }
  const where = await page.evaluate(() => document.activeElement?.outerHTML.slice(0, 200));
  throw new Error(`Tab never reached the element (focus is on ${where})`);
}

/** Focused element is the one with this id. */
export const byId = (id) => document.activeElement?.id === id;
/** Focused element is a button or link whose text is exactly `text`. */
export const byText = (text) => {
  const el = document.activeElement;
  return !!el && (el.tagName === 'BUTTON' || el.tagName === 'A') && el.textContent.trim() === text;
};
/** The clinic-local date (YYYY-MM-DD, Europe/Berlin) of an instant. */
export const berlinDate = (iso) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Berlin' }).format(new Date(iso));

/** Clicks the calendar's button `name` and waits for the calendar it draws (a new grid; the
 * old one's blocks would otherwise be read while they are being replaced). */
async function calendarTo(page, name) {
  const grid = page.locator('.cal-grid');
  if (await grid.count()) await grid.first().evaluate((el) => { el.dataset.stale = 'yes'; });
  await page.getByRole('button', { name, exact: true }).click();
  await page.locator('.cal-grid:not([data-stale])').waitFor();
}

/** Brings the day of `iso` (today or tomorrow) into the calendar's view: "Today" first, since
 * the calendar keeps the day it shows, then "Next" once for tomorrow. */
export async function showDayOf(page, iso) {
  await calendarTo(page, 'Today');
  if (berlinDate(iso) !== berlinDate(new Date().toISOString())) await calendarTo(page, 'Next');
}

/** How far past `booking.min_notice` a test's time must lie: the first offered time can sit
 * right at that edge, slip inside it while a test takes its screenshots, and be refused. */
const NOTICE_MARGIN_MS = 2 * 60_000;

/** The first offered time button in `scope` that starts at least `noticeMs` (the app's
 * `booking.min_notice`) plus a margin from now. When the picker's day has none (late in the
 * day only the edge is left), it moves the picker on: the next day with times, else the next
 * week. */
export async function bookableTime(scope, noticeMs) {
  const earliest = bookableFrom(noticeMs);
  for (let moves = 0; moves < 14; moves++) {
    const buttons = scope.locator('.times button[data-start]');
    await buttons.first().waitFor();
    const starts = await buttons.evaluateAll((bs) => bs.map((b) => b.dataset.start));
    const i = starts.findIndex((start) => Date.parse(start) >= earliest);
    if (i >= 0) return buttons.nth(i);
    const days = scope.locator('.picker .days button');
    const next = await days.evaluateAll((bs) => {
      const at = bs.findIndex((b) => b.getAttribute('aria-pressed') === 'true');
      return bs.findIndex((b, k) => k > at && !b.disabled);
    });
    if (next >= 0) {
      await days.nth(next).click();
      await scope.locator('.picker .days button[aria-pressed="true"]').nth(0).waitFor();
    } else {
      const week = await scope.locator('#week-label').textContent();
      await scope.locator('.picker .week-nav button').last().click();
      await scope.locator('#week-label').filter({ hasNotText: week }).waitFor();
    }
    // the times of the day now shown
    await scope.locator(`.times button[data-start="${starts[0]}"]`).waitFor({ state: 'detached' });
  }
  assert.fail(`no offered time from ${new Date(earliest).toISOString()} on`);
}

/** Focused element is a time button starting at `earliest` (ms since the epoch) or later. */
export const aTimeFrom = (earliest) => {
  const el = document.activeElement;
  return !!el && el.tagName === 'BUTTON' && /^\d\d:\d\d$/.test(el.textContent.trim()) && Date.parse(el.dataset.start) >= earliest;
};

/** `aTimeFrom`'s argument: `noticeMs` plus the margin from now. */
export const bookableFrom = (noticeMs) => Date.now() + noticeMs + NOTICE_MARGIN_MS;

/** Behind the page's back, another client books `start` (a skin consultation through the
 * API), so the time the page shows is taken when the person confirms it. */
export async function bookElsewhere(app, start) {
  const other = await app.api('/api/v1/bookings', {
    method: 'POST',
    body: { service: 'skin_consultation', start, client: { name: 'Other Client', email: 'other@example.com' } },
  });
  assert.equal(other.status, 201, other.text);
}

/** Focused element is a time button (any). */
export const aTime = () => {
  const el = document.activeElement;
  return !!el && el.tagName === 'BUTTON' && /^\d\d:\d\d$/.test(el.textContent.trim());
};

// ---- staff helpers (the desk's tests) ----

/** The bootstrap admin's login of every started app. */
export const ADMIN_LOGIN = ADMIN;

/** A staff token (default: the bootstrap admin). */
export async function staffToken(app, login = ADMIN) {
  const r = await app.api('/api/v1/auth/login', { method: 'POST', body: login });
  assert.equal(r.status, 200, r.text);
  return r.json.token;
}

/** A staff user made by the admin (role admin, reception or practitioner); returns its login. */
export async function staffUser(app, { email, role, practitionerId, password = 'desk-password-123' }) {
  const token = await staffToken(app);
  const body = { email, password, role };
  if (practitionerId) body.practitioner_id = practitionerId;
  const r = await app.api('/api/v1/staff/users', { method: 'POST', token, body });
  assert.equal(r.status, 201, r.text);
  return { email, password };
}

/** A practitioner (with an email) working `start`-`end` every day; returns its id. */
export async function staffPractitioner(app, name, { email = null, start = '00:00', end = '24:00' } = {}) {
  const token = await staffToken(app);
  const p = await app.api('/api/v1/staff/practitioners', { method: 'POST', token, body: { name, email } });
  assert.equal(p.status, 201, p.text);
  const hours = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((weekday) => ({ weekday, start, end }));
  const put = await app.api(`/api/v1/staff/practitioners/${p.json.id}/working-hours`, { method: 'PUT', token, body: hours });
  assert.equal(put.status, 200, put.text);
  return p.json.id;
}

/** Signs in on /desk by the page's accessible names and waits for the calendar. */
export async function deskSignIn(page, base, { email, password }) {
  await page.goto(`${base}/desk`);
  await page.getByRole('textbox', { name: 'Email', exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('heading', { name: 'Calendar', exact: true, level: 1 }).waitFor();
}
