// The manage page (/manage#<secret>) in a real browser, on the real service. Run by .ci/run.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApp, openPage, closeBrowser, tabTo, byId, byText, aTime, berlinDate, bookableTime, bookElsewhere } from './harness.js';

after(closeBrowser);

const berlinTime = (iso) =>
  new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(iso));

/** A microneedling course booked through the API (screening all "no", the first free time). */
async function bookCourse(app, sessions = 3, fromDays = 2) {
  const questions = (await app.api('/api/v1/screening/questions')).json.questions;
  const answers = Object.fromEntries(questions.map((q) => [q.id, false]));
  const screening = await app.api('/api/v1/screenings', {
    method: 'POST',
    body: { client: { name: 'Anna Keller', email: 'anna@example.com', phone: '030 1234567' }, answers },
  });
  assert.equal(screening.status, 201, screening.text);
  const from = new Date(Date.now() + fromDays * 86400000).toISOString().slice(0, 10);
  const to = new Date(Date.now() + (fromDays + 6) * 86400000).toISOString().slice(0, 10);
  const slots = (await app.api(`/api/v1/availability?service=microneedling&from=${from}&to=${to}`)).json.slots;
  assert.ok(slots.length > 0, 'no free time to book');
  const booked = await app.api('/api/v1/bookings', {
    method: 'POST',
    body: { service: 'microneedling', start: slots[0].start, screening_id: screening.json.id, sessions },
  });
  assert.equal(booked.status, 201, booked.text);
  assert.equal(booked.json.appointments.length, sessions);
  return booked.json;
}

/** The clinic-local date (YYYY-MM-DD) of an instant, and a civil date `n` days on. */
const addDays = (date, n) => new Date(new Date(`${date}T00:00:00Z`).getTime() + n * 86400000).toISOString().slice(0, 10);

const session = (page, n) => page.getByRole('region', { name: `Session ${n}`, exact: true });

for (const db of ['sqlite', 'postgres']) {
  test(`${db}: a course managed from the link: cancel, reschedule, health answers, calendar`, async () => {
    const app = await startApp({ db });
    await app.practitioner('Dr. Lena Vogt');
    const booked = await bookCourse(app);
    const token = booked.manage_token;
    const s = await openPage(app);
    const { page } = s;
    try {
      await page.goto(`${app.base}/manage#${token}`);
      await session(page, 3).waitFor();
      assert.equal(await page.locator('section.visit').count(), 3);
      for (const a of booked.appointments) {
        const text = await session(page, a.session_number).innerText();
        assert.ok(text.includes(berlinTime(a.start)), text);
        assert.ok(text.includes('Dr. Lena Vogt'), text);
        assert.ok(text.includes('Booked'), text);
      }
      await s.step(`${db}-manage-01-course`);

      // Cancel session 3, confirmed on the page (no browser dialog).
      await session(page, 3).getByRole('button', { name: 'Cancel', exact: true }).click();
      await session(page, 3).getByRole('heading', { name: 'Cancel this visit?', exact: true }).waitFor();
      await s.step(`${db}-manage-02-cancel-ask`);
      await session(page, 3).getByRole('button', { name: 'Yes, cancel this visit', exact: true }).click();
      await page.getByRole('status').filter({ hasText: 'is cancelled' }).waitFor();
      assert.match(await session(page, 3).innerText(), /Cancelled/);
      assert.equal(await session(page, 3).getByRole('button', { name: 'Cancel', exact: true }).count(), 0);
      const after3 = (await app.api('/api/v1/booking', { token })).json;
      assert.equal(after3.appointments[2].status, 'cancelled');
      await s.step(`${db}-manage-03-cancelled`);

      // Reschedule session 2 with the picker, to a time some weeks on (after session 1). The
      // picker offers only days at least 28 days after session 1 (the course's spacing).
      const window2 = after3.appointments[1].reschedule_window;
      assert.equal(window2.from, addDays(berlinDate(booked.appointments[0].start), 28));
      assert.equal(window2.to, null);
      await session(page, 2).getByRole('button', { name: 'Reschedule', exact: true }).click();
      const time = session(page, 2).locator('.times button').first();
      await time.waitFor();
      await session(page, 2).getByText('To keep at least 28 days between your sessions, this session can move to a day from').waitFor();
      assert.equal(await session(page, 2).getByRole('button', { name: 'Previous', exact: true }).isDisabled(), true);
      for (const start of await session(page, 2).locator('.times button').evaluateAll((bs) => bs.map((b) => b.dataset.start))) {
        assert.ok(berlinDate(start) >= window2.from, `${start} offered before ${window2.from}`);
      }
      assert.equal(await session(page, 2).getByRole('combobox', { name: 'Practitioner', exact: true }).inputValue(), booked.appointments[1].practitioner_id);
      await s.step(`${db}-manage-04a-reschedule-window`);
      for (let i = 0; i < 3; i++) {
        const label = await session(page, 2).locator('#week-label').textContent();
        await session(page, 2).getByRole('button', { name: 'Next', exact: true }).click();
        await session(page, 2).locator('#week-label').filter({ hasNotText: label }).waitFor();
        await time.waitFor();
      }
      const start = await time.getAttribute('data-start');
      await session(page, 2).getByRole('button', { name: (await time.textContent()).trim(), exact: true }).click();
      await session(page, 2).getByRole('button', { name: 'Move to this time', exact: true }).waitFor();
      await s.step(`${db}-manage-04-reschedule-pick`);
      await session(page, 2).getByRole('button', { name: 'Move to this time', exact: true }).click();
      await page.getByRole('status').filter({ hasText: 'Session 2 is now on' }).waitFor();
      const moved = (await app.api('/api/v1/booking', { token })).json.appointments[1];
      assert.equal(new Date(moved.start).getTime(), new Date(start).getTime());
      assert.ok((await session(page, 2).innerText()).includes(berlinTime(start)));
      assert.equal(moved.can_change, true);
      assert.ok(new Date(start) > new Date(booked.appointments[0].start), 'session 2 moved before session 1');
      await s.step(`${db}-manage-05-rescheduled`);

      // Health answers again for session 2.
      await session(page, 2).getByRole('button', { name: 'Confirm health answers', exact: true }).click();
      const questions = (await app.api('/api/v1/screening/questions')).json.questions;
      for (const q of questions) {
        await session(page, 2).getByRole('group', { name: q.text, exact: true }).getByRole('radio', { name: 'No', exact: true }).check();
      }
      await s.step(`${db}-manage-06-answers`);
      await session(page, 2).getByRole('button', { name: 'Send answers', exact: true }).click();
      await page.getByRole('status').filter({ hasText: 'Your answers for session 2 are confirmed' }).waitFor();
      assert.equal(await session(page, 2).getByRole('button', { name: 'Confirm health answers', exact: true }).count(), 0);
      await s.step(`${db}-manage-07-confirmed`);

      // The calendar file of session 1, fetched with the bearer.
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        session(page, 1).getByRole('link', { name: 'Add to calendar', exact: true }).click(),
      ]);
      const ics = readFileSync(await download.path(), 'utf8');
      assert.match(ics, /BEGIN:VCALENDAR/);
      assert.equal((ics.match(/BEGIN:VEVENT/g) || []).length, 1);

      for (const u of s.seen.requests) assert.ok(!u.includes(token), `the secret travelled in a URL: ${u}`);
      s.assertClean();
    } finally {
      await s.close();
      await app.stop();
    }
  });
}

test('a time taken meanwhile is said and the times refresh', async () => {
  const app = await startApp();
  await app.practitioner('Dr. Lena Vogt');
  const booked = await bookCourse(app, 1);
  const s = await openPage(app);
  const { page } = s;
  try {
    await page.goto(`${app.base}/manage#${booked.manage_token}`);
    await page.getByRole('button', { name: 'Reschedule', exact: true }).click();
    const time = page.locator('.times button').first();
    await time.waitFor();
    const start = await time.getAttribute('data-start');
    await time.click();
    await bookElsewhere(app, start);
    await page.getByRole('button', { name: 'Move to this time', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: 'someone has just booked that time' }).waitFor();
    await page.locator('.times button').first().waitFor();
    assert.equal(await page.locator(`.times button[data-start="${start}"]`).count(), 0, 'the taken time is still offered');
    await s.step('manage-taken-01-refreshed');
    s.assertClean();
  } finally {
    await s.close();
    await app.stop();
  }
});

test('inside the notice window: no buttons, why, and the phone', async () => {
  const app = await startApp({ env: { APP__BOOKING__CLIENT_CANCEL_NOTICE: '1000h' } });
  await app.practitioner('Dr. Lena Vogt');
  const booked = await bookCourse(app, 1);
  const s = await openPage(app);
  const { page } = s;
  try {
    await page.goto(`${app.base}/manage#${booked.manage_token}`);
    await page.getByText('can no longer be changed online').waitFor();
    const text = await page.locator('main').innerText();
    assert.ok(text.includes('+49 30 0000000'), text);
    assert.equal(await page.getByRole('button', { name: 'Cancel', exact: true }).count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Reschedule', exact: true }).count(), 0);
    await page.getByRole('link', { name: 'Add to calendar', exact: true }).waitFor();
    await s.step('manage-late-01-locked');
    s.assertClean();
  } finally {
    await s.close();
    await app.stop();
  }
});

test('an unknown secret: "This link no longer works" and how to reach the clinic', async () => {
  const app = await startApp();
  const s = await openPage(app);
  const { page } = s;
  try {
    await page.goto(`${app.base}/manage#${'0'.repeat(64)}`);
    await page.getByRole('heading', { name: 'This link no longer works', exact: true }).waitFor();
    const text = await page.locator('main').innerText();
    assert.ok(text.includes('+49 30 0000000'), text);
    assert.equal(await page.locator('section.visit').count(), 0);
    await s.step('manage-gone-01');
    // No secret at all: the same page, and no call to the booking.
    await page.goto(`${app.base}/manage`);
    await page.getByRole('heading', { name: 'This link no longer works', exact: true }).waitFor();
    s.assertClean();
  } finally {
    await s.close();
    await app.stop();
  }
});

test('the link in the confirmation email opens the booking', async () => {
  const mail = mkdtempSync(join(tmpdir(), 'dermadesk-mail-'));
  const app = await startApp({
    env: { APP__MAIL__FILE_DIR: mail, APP__REMINDERS__ENABLED: 'true', APP__REMINDERS__TICK: '1s', APP__REMINDERS__QUIET_HOURS: '' },
  });
  await app.practitioner('Dr. Lena Vogt');
  await bookCourse(app, 2);
  const s = await openPage(app);
  const { page } = s;
  try {
    // The dispatcher's tick writes the confirmation as an .eml (quoted-printable folds lines).
    let link = null;
    for (let i = 0; i < 100 && !link; i++) {
      for (const f of readdirSync(mail, { recursive: true }).filter((n) => String(n).endsWith('.eml'))) {
        const text = readFileSync(join(mail, String(f)), 'utf8').replace(/=\r?\n/g, '');
        const m = text.match(/\/manage#([0-9a-f]{64})/);
        if (m) link = m[0];
      }
      if (!link) await new Promise((r) => setTimeout(r, 200));
    }
    assert.ok(link, 'no /manage#<secret> link in any .eml');
    await page.goto(`${app.base}${link}`);
    await session(page, 2).waitFor();
    assert.equal(await page.locator('section.visit').count(), 2);
    await s.step('manage-email-01-opened');
    s.assertClean();
  } finally {
    await s.close();
    await app.stop();
    rmSync(mail, { recursive: true, force: true });
  }
});

/** The first /manage#<secret> link in the .eml files the dispatcher writes to `dir`. */
async function mailedLink(dir) {
  for (let i = 0; i < 150; i++) {
    for (const f of readdirSync(dir, { recursive: true }).filter((n) => String(n).endsWith('.eml'))) {
      const text = readFileSync(join(dir, String(f)), 'utf8').replace(/=\r?\n/g, '');
      const m = text.match(/\/manage#([0-9a-f]{64})/);
      if (m) return m[0];
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('no /manage#<secret> link in any .eml');
}

const berlinDay = (iso, locale = 'en-GB') =>
  new Intl.DateTimeFormat(locale, { timeZone: 'Europe/Berlin', day: 'numeric', month: 'long', year: 'numeric' }).format(new Date(iso));

for (const db of ['sqlite', 'postgres']) {
  test(`${db}: the consent signed from the email link with the keyboard only`, async () => {
    const mail = mkdtempSync(join(tmpdir(), 'dermadesk-mail-'));
    const app = await startApp({
      db,
      env: { APP__MAIL__FILE_DIR: mail, APP__REMINDERS__ENABLED: 'true', APP__REMINDERS__TICK: '1s', APP__REMINDERS__QUIET_HOURS: '' },
    });
    await app.practitioner('Dr. Lena Vogt');
    const booked = await bookCourse(app, 2);
    const token = booked.manage_token;
    const first = booked.appointments[0].id;
    const s = await openPage(app);
    const { page } = s;
    try {
      const link = await mailedLink(mail);
      const secret = link.split('#')[1];
      const before = (await app.api(`/api/v1/bookings/${first}/consent`, { token })).json;
      assert.equal(before.state, 'missing');
      assert.deepEqual(
        (await app.api('/api/v1/booking', { token })).json.appointments.map((a) => a.consent),
        ['missing', 'missing'],
      );
      await page.goto(`${app.base}${link}`);
      const consent = page.getByRole('region', { name: 'Consent', exact: true });
      await consent.getByRole('heading', { name: before.title, exact: true }).waitFor();
      // Before the sessions; why, kindly, and that the clinic can take it too.
      assert.ok(await page.evaluate(() => !!(document.getElementById('consent').compareDocumentPosition(document.getElementById('sessions')) & Node.DOCUMENT_POSITION_FOLLOWING)));
      await consent.getByText('the clinic needs your consent').waitFor();
      await consent.getByText('you can also read and sign it at the clinic before your treatment').waitFor();
      // The text as text, paragraph by paragraph.
      const paragraphs = before.text.split(/\n\s*\n/).map((p) => p.trim()).filter(Boolean);
      assert.ok(paragraphs.length > 3);
      assert.deepEqual(await page.locator('#consent .consent-text p').allInnerTexts(), paragraphs);
      await s.step(`${db}-consent-01-form`);

      // Nothing typed, no tick: both said in the error summary, linked to their fields.
      await tabTo(page, byText, 'Sign consent');
      await page.keyboard.press('Enter');
      const summary = page.locator('#consent .error-summary');
      await summary.getByRole('link', { name: 'Enter your full name', exact: true }).waitFor();
      await summary.getByRole('link', { name: 'Tick “I have read and agree” to sign the consent', exact: true }).waitFor();
      assert.equal(await page.evaluate(() => document.activeElement.classList.contains('error-summary')), true);
      assert.equal(await page.getByRole('textbox', { name: 'Full name', exact: true }).getAttribute('aria-invalid'), 'true');
      assert.equal((await app.api(`/api/v1/bookings/${first}/consent`, { token })).json.state, 'missing');
      await s.step(`${db}-consent-02-errors`);

      // The name, still no tick: only the tick is asked for.
      await tabTo(page, byId, 'consent-name');
      await page.keyboard.type('Anna Keller');
      await tabTo(page, byText, 'Sign consent');
      await page.keyboard.press('Enter');
      await page.waitForFunction(() => {
        const items = [...document.querySelectorAll('#consent .error-summary li')].map((li) => li.textContent);
        return items.length === 1 && items[0].startsWith('Tick');
      });
      assert.equal(await page.locator('#consent-agree').getAttribute('aria-invalid'), 'true');
      assert.equal(await page.locator('#consent-name').getAttribute('aria-invalid'), null);
      await s.step(`${db}-consent-03-no-tick`);

      // The tick by keyboard, then "Sign consent".
      await tabTo(page, byId, 'consent-agree');
      await page.keyboard.press('Space');
      assert.equal(await page.locator('#consent-agree').isChecked(), true);
      await tabTo(page, byText, 'Sign consent');
      await page.keyboard.press('Enter');
      const line = page.locator('#consent-signed');
      await line.waitFor();
      const after = (await app.api(`/api/v1/bookings/${first}/consent`, { token })).json;
      assert.equal(after.state, 'signed');
      assert.equal(after.signed.by, 'Anna Keller');
      assert.equal(after.signed.via, 'client_link');
      assert.equal(after.signed.version, before.version);
      // One signature covers every session of the course.
      assert.deepEqual(
        (await app.api('/api/v1/booking', { token })).json.appointments.map((a) => a.consent),
        ['signed', 'signed'],
      );
      assert.equal(await line.innerText(), `Consent signed on ${berlinDay(after.signed.at)} by Anna Keller.`);
      // Collapsed to that line: no text, no form.
      assert.equal(await page.locator('#consent .consent-text').count(), 0);
      assert.equal(await page.locator('#consent-name').count(), 0);
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'consent-signed');
      await s.step(`${db}-consent-04-signed`);

      await page.reload();
      await line.waitFor();
      assert.equal(await line.innerText(), `Consent signed on ${berlinDay(after.signed.at)} by Anna Keller.`);
      assert.equal(await page.getByRole('button', { name: 'Sign consent' }).count(), 0);
      await session(page, 2).waitFor();
      await s.step(`${db}-consent-05-reloaded`);
      for (const u of s.seen.requests) assert.ok(!u.includes(secret), `the secret travelled in a URL: ${u}`);
      s.assertClean();
    } finally {
      await s.close();
      await app.stop();
      rmSync(mail, { recursive: true, force: true });
    }
  });
}

test('a skin consultation needs no consent: no consent section', async () => {
  const app = await startApp();
  await app.practitioner('Dr. Lena Vogt');
  const from = new Date(Date.now() + 2 * 86400000).toISOString().slice(0, 10);
  const to = new Date(Date.now() + 8 * 86400000).toISOString().slice(0, 10);
  const slots = (await app.api(`/api/v1/availability?service=skin_consultation&from=${from}&to=${to}`)).json.slots;
  const booked = await app.api('/api/v1/bookings', {
    method: 'POST',
    body: { service: 'skin_consultation', start: slots[0].start, client: { name: 'Anna Keller', email: 'anna@example.com' } },
  });
  assert.equal(booked.status, 201, booked.text);
  const s = await openPage(app);
  const { page } = s;
  try {
    await page.goto(`${app.base}/manage#${booked.json.manage_token}`);
    await page.getByRole('region', { name: 'Skin consultation', exact: true }).waitFor();
    await page.waitForTimeout(300);
    assert.equal(await page.locator('#consent').isHidden(), true);
    assert.equal(await page.getByRole('heading', { name: 'Consent' }).count(), 0);
    s.assertClean();
  } finally {
    await s.close();
    await app.stop();
  }
});

test('reschedule: another practitioner, and a warning for a time inside the notice window', async () => {
  // 10 days' notice; the visit is booked about 20 days ahead, the new time is within days.
  const app = await startApp({ env: { APP__BOOKING__CLIENT_CANCEL_NOTICE: '240h' } });
  await app.practitioner('Dr. Lena Vogt');
  const sam = await app.practitioner('Sam Berger');
  const booked = await bookCourse(app, 1, 20);
  const token = booked.manage_token;
  const s = await openPage(app, { viewport: { width: 360, height: 740 } });
  const { page } = s;
  try {
    await page.goto(`${app.base}/manage#${token}`);
    await page.getByRole('button', { name: 'Reschedule', exact: true }).click();
    const who = page.getByRole('combobox', { name: 'Practitioner', exact: true });
    await page.locator('.times button').first().waitFor();
    // The visit's own practitioner by default.
    assert.equal(await who.inputValue(), booked.appointments[0].practitioner_id);
    assert.notEqual(booked.appointments[0].practitioner_id, sam);
    await who.selectOption({ label: 'Sam Berger' });
    await page.locator('.times button').first().waitFor();
    const first = await bookableTime(page, 2 * 3600_000); // booking.min_notice's default
    const start = await first.getAttribute('data-start');
    await first.click();
    await page.getByRole('heading', { name: /with Sam Berger\?$/ }).waitFor();
    const warning = page.locator('#move-warning');
    await warning.waitFor();
    const text = await warning.innerText();
    assert.ok(text.includes('less than 10 days away'), text);
    assert.ok(text.includes('can no longer be changed or cancelled online'), text);
    assert.ok(text.includes('+49 30 0000000'), text);
    assert.equal(await page.getByRole('button', { name: 'Move to this time', exact: true }).getAttribute('aria-describedby'), 'move-warning');
    await s.step('manage-late-move-01-warning');
    await page.getByRole('button', { name: 'Move to this time', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'is now on' }).waitFor();
    const moved = (await app.api('/api/v1/booking', { token })).json.appointments[0];
    assert.equal(new Date(moved.start).getTime(), new Date(start).getTime());
    assert.equal(moved.practitioner_id, sam);
    assert.equal(moved.can_change, false);
    await page.getByText('can no longer be changed online').waitFor();
    assert.ok((await page.locator('section.visit').innerText()).includes('Sam Berger'));
    await s.step('manage-late-move-02-moved');
    s.assertClean();
  } finally {
    await s.close();
    await app.stop();
  }
});

test('a time outside the notice window: no warning; "Any practitioner" keeps the visit’s own', async () => {
  const app = await startApp({ env: { APP__BOOKING__CLIENT_CANCEL_NOTICE: '24h' } });
  const lena = await app.practitioner('Dr. Lena Vogt');
  await app.practitioner('Sam Berger');
  const booked = await bookCourse(app, 1, 10);
  const s = await openPage(app);
  const { page } = s;
  try {
    await page.goto(`${app.base}/manage#${booked.manage_token}`);
    await page.getByRole('button', { name: 'Reschedule', exact: true }).click();
    await page.locator('.times button').first().waitFor();
    await page.getByRole('combobox', { name: 'Practitioner', exact: true }).selectOption({ label: 'Any practitioner' });
    const week = await page.locator('#week-label').textContent();
    await page.getByRole('button', { name: 'Next', exact: true }).click();
    await page.locator('#week-label').filter({ hasNotText: week }).waitFor();
    await page.locator('.times button').first().click();
    await page.getByRole('button', { name: 'Move to this time', exact: true }).waitFor();
    assert.equal(await page.locator('#move-warning').count(), 0);
    await page.getByRole('button', { name: 'Move to this time', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'is now on' }).waitFor();
    const moved = (await app.api('/api/v1/booking', { token: booked.manage_token })).json.appointments[0];
    assert.equal(moved.practitioner_id, lena);
    assert.equal(moved.can_change, true);
    s.assertClean();
  } finally {
    await s.close();
    await app.stop();
  }
});

test('keyboard only: reschedule, then cancel', async () => {
  const app = await startApp();
  await app.practitioner('Dr. Lena Vogt');
  const booked = await bookCourse(app, 1);
  const s = await openPage(app);
  const { page } = s;
  try {
    await page.goto(`${app.base}/manage#${booked.manage_token}`);
    await page.getByRole('button', { name: 'Reschedule', exact: true }).waitFor();
    await tabTo(page, byText, 'Reschedule');
    await page.keyboard.press('Enter');
    await page.locator('.times button').first().waitFor();
    // A week on, so the moved visit stays outside the notice window and can still be cancelled.
    const week = await page.locator('#week-label').textContent();
    await tabTo(page, byText, 'Next');
    await page.keyboard.press('Enter');
    await page.locator('#week-label').filter({ hasNotText: week }).waitFor();
    await page.locator('.times button').first().waitFor();
    await tabTo(page, aTime);
    const start = await page.evaluate(() => document.activeElement.dataset.start);
    await page.keyboard.press('Enter');
    await tabTo(page, byText, 'Move to this time');
    await page.keyboard.press('Enter');
    await page.getByRole('status').filter({ hasText: 'is now on' }).waitFor();
    assert.ok((await page.locator('section.visit').innerText()).includes(berlinTime(start)));
    await tabTo(page, byText, 'Cancel');
    await page.keyboard.press('Enter');
    await tabTo(page, byText, 'Yes, cancel this visit');
    await page.keyboard.press('Enter');
    await page.getByRole('status').filter({ hasText: 'is cancelled' }).waitFor();
    assert.match(await page.locator('section.visit').innerText(), /Cancelled/);
    s.assertClean();
  } finally {
    await s.close();
    await app.stop();
  }
});

test('health answers that rule microneedling out cancel that visit, kindly', async () => {
  const app = await startApp();
  await app.practitioner('Dr. Lena Vogt');
  const booked = await bookCourse(app, 2);
  const s = await openPage(app, { viewport: { width: 360, height: 740 } });
  const { page } = s;
  try {
    await page.goto(`${app.base}/manage#${booked.manage_token}`);
    await session(page, 2).getByRole('button', { name: 'Confirm health answers', exact: true }).click();
    // Sending with nothing answered: a summary of what is missing, nothing sent.
    await session(page, 2).getByRole('button', { name: 'Send answers', exact: true }).click();
    await session(page, 2).getByRole('alert').getByRole('link').first().waitFor();
    const questions = (await app.api('/api/v1/screening/questions')).json.questions;
    for (const q of questions) {
      const answer = q.id === 'pregnant' ? 'Yes' : 'No';
      await session(page, 2).getByRole('group', { name: q.text, exact: true }).getByRole('radio', { name: answer, exact: true }).check();
    }
    await session(page, 2).getByRole('button', { name: 'Send answers', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'we have cancelled this visit' }).waitFor();
    await page.getByText('+49 30 0000000').first().waitFor();
    assert.match(await session(page, 2).innerText(), /Cancelled/);
    assert.match(await session(page, 1).innerText(), /Booked/);
    await s.step('manage-contra-01-cancelled');
    s.assertClean();
  } finally {
    await s.close();
    await app.stop();
  }
});

test('a German clinic: the manage page speaks German', async () => {
  const app = await startApp({ env: { APP__CLINIC__LANGUAGE: 'de' } });
  await app.practitioner('Dr. Lena Vogt');
  const booked = await bookCourse(app, 2);
  const s = await openPage(app);
  const { page } = s;
  try {
    await page.goto(`${app.base}/manage#${booked.manage_token}`);
    await page.getByRole('region', { name: 'Sitzung 2', exact: true }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Absagen', exact: true }).count(), 2);
    assert.equal(await page.getByRole('button', { name: 'Verschieben', exact: true }).count(), 2);
    await page.getByRole('button', { name: 'Gesundheitsangaben bestätigen', exact: true }).waitFor();
    assert.equal(await page.getByRole('link', { name: 'Zum Kalender hinzufügen', exact: true }).count(), 2);
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'de');
    // The consent in German: the clinic's text, the name, the tick, the button.
    const consentText = (await app.api(`/api/v1/bookings/${booked.appointments[0].id}/consent`, { token: booked.manage_token })).json;
    const einwilligung = page.getByRole('region', { name: 'Einwilligung', exact: true });
    await einwilligung.getByRole('heading', { name: consentText.title, exact: true }).waitFor();
    assert.ok(consentText.text.includes('Ich willige'), consentText.text.slice(0, 80));
    await einwilligung.getByText('Wenn Sie möchten, können Sie die Einwilligung auch vor der Behandlung in der Praxis lesen und unterschreiben.').waitFor();
    await s.step('manage-de-01-course');
    await einwilligung.getByRole('button', { name: 'Einwilligung unterschreiben', exact: true }).click();
    await einwilligung.locator('.error-summary').getByRole('link', { name: 'Geben Sie Ihren vollständigen Namen ein', exact: true }).waitFor();
    await s.step('manage-de-02-consent-errors');
    await einwilligung.getByRole('textbox', { name: 'Vollständiger Name', exact: true }).fill('Eva Schulz');
    await einwilligung.getByRole('checkbox', { name: 'Ich habe den Text gelesen und bin einverstanden', exact: true }).check();
    await einwilligung.getByRole('button', { name: 'Einwilligung unterschreiben', exact: true }).click();
    const signedAt = await (async () => {
      await page.locator('#consent-signed').waitFor();
      return (await app.api(`/api/v1/bookings/${booked.appointments[0].id}/consent`, { token: booked.manage_token })).json.signed.at;
    })();
    assert.equal(await page.locator('#consent-signed').innerText(), `Einwilligung unterschrieben am ${berlinDay(signedAt, 'de-DE')} von Eva Schulz.`);
    await s.step('manage-de-02-consent-signed');
    // Rescheduling session 2: the course's spacing and the practitioner in German.
    const zwei = page.getByRole('region', { name: 'Sitzung 2', exact: true });
    await zwei.getByRole('button', { name: 'Verschieben', exact: true }).click();
    await zwei.getByText('Damit zwischen Ihren Sitzungen mindestens 28 Tage liegen, können Sie diese Sitzung auf einen Tag ab').waitFor();
    await zwei.getByRole('combobox', { name: 'Behandler:in', exact: true }).waitFor();
    await zwei.locator('.times button').first().click();
    await zwei.getByRole('button', { name: 'Auf diese Zeit verschieben', exact: true }).waitFor();
    await s.step('manage-de-03-reschedule');
    await page.goto(`${app.base}/manage#unknown`);
    await page.reload();
    await page.getByRole('heading', { name: 'Dieser Link funktioniert nicht mehr', exact: true }).waitFor();
    s.assertClean();
  } finally {
    await s.close();
    await app.stop();
  }
});

test('a German clinic inside the notice window: the notice in German words', async () => {
  const app = await startApp({ env: { APP__CLINIC__LANGUAGE: 'de', APP__BOOKING__CLIENT_CANCEL_NOTICE: '1000h' } });
  await app.practitioner('Dr. Lena Vogt');
  const booked = await bookCourse(app, 1);
  const s = await openPage(app);
  const { page } = s;
  try {
    await page.goto(`${app.base}/manage#${booked.manage_token}`);
    await page.getByText('bis 41 Tage 16 Stunden vor dem Termin möglich').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Absagen', exact: true }).count(), 0);
    await s.step('manage-de-02-locked');
    s.assertClean();
  } finally {
    await s.close();
    await app.stop();
  }
});

/** A civil date in words, as the page writes it ("Sunday 13 December 2026"). */
const civilWords = (date) =>
  new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }).format(new Date(`${date}T00:00:00Z`));
const berlinDayYear = (iso) =>
  new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }).format(new Date(iso));

for (const db of ['sqlite', 'postgres']) {
  test(`${db}: new health answers whose first day lies after the visit: said in words, reschedule first, then confirmed`, async () => {
    const app = await startApp({ db });
    await app.practitioner('Dr. Lena Vogt');
    const booked = await bookCourse(app, 2);
    const token = booked.manage_token;
    const dose = addDays(berlinDate(new Date().toISOString()), -10);
    const questions = (await app.api('/api/v1/screening/questions')).json.questions;
    const s = await openPage(app);
    const { page } = s;
    const two = session(page, 2);
    const answer = async () => {
      for (const q of questions) {
        const yes = q.id === 'isotretinoin_last_dose';
        await two.getByRole('group', { name: q.text, exact: true }).getByRole('radio', { name: yes ? 'Yes' : 'No', exact: true }).check();
      }
    };
    try {
      await page.goto(`${app.base}/manage#${token}`);
      await two.getByRole('button', { name: 'Confirm health answers', exact: true }).click();
      await answer();
      // "Yes" without its date: said before anything is sent.
      await two.getByRole('button', { name: 'Send answers', exact: true }).click();
      const summary = two.getByRole('alert');
      await summary.getByRole('link', { name: 'Enter the date of your last dose of isotretinoin', exact: true }).click();
      assert.equal(await page.evaluate(() => document.activeElement.id), 's2-q-isotretinoin_last_dose-date');
      assert.equal(await page.locator('#s2-q-isotretinoin_last_dose-date').getAttribute('aria-invalid'), 'true');
      await s.step(`${db}-manage-date-01-missing`);
      await page.locator('#s2-q-isotretinoin_last_dose-date').fill(dose);
      const [refused] = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith('/reconfirm')),
        two.getByRole('button', { name: 'Send answers', exact: true }).click(),
      ]);
      assert.equal(refused.status(), 403);
      assert.equal(JSON.parse(refused.request().postData()).answers.isotretinoin_last_dose, dose);
      const error = (await refused.json()).error;
      assert.equal(error.code, 'not_eligible_until');
      const first = error.details.eligible_from;
      assert.ok(first > berlinDate(booked.appointments[1].start));
      // In words: from when, that this visit is earlier, nothing changed, what to do, the phone.
      const said = two.getByRole('alert').filter({ hasText: 'Because of your health answers' });
      await said.waitFor();
      assert.equal(
        await said.innerText(),
        `Because of your health answers, your next treatment can take place from ${civilWords(first)}. This session is on ${berlinDayYear(booked.appointments[1].start)}, earlier than that, so it cannot be confirmed yet. Nothing has been changed.\n\n` +
          `Please first move it to ${civilWords(first)} or later with “Reschedule”, then confirm your health answers again. Or call us on +49 30 0000000: we will find a time with you.`,
      );
      const stored = (await app.api('/api/v1/booking', { token })).json.appointments[1];
      assert.equal(stored.needs_reconfirmation, true);
      assert.equal(stored.start, booked.appointments[1].start);
      await s.step(`${db}-manage-date-02-refused`);
      // "Reschedule" from there: the picker starts on that day.
      await two.locator('.visit-panel').getByRole('button', { name: 'Reschedule', exact: true }).click();
      await two.getByText(`Because of your health answers, this session can move to a day from ${civilWords(first)} on.`).waitFor();
      const time = two.locator('.times button').first();
      await time.waitFor();
      assert.equal(await two.getByRole('button', { name: 'Previous', exact: true }).isDisabled(), true);
      for (const start of await two.locator('.times button').evaluateAll((bs) => bs.map((b) => b.dataset.start))) {
        assert.ok(berlinDate(start) >= first, `${start} offered before ${first}`);
      }
      await s.step(`${db}-manage-date-03-reschedule`);
      await time.click();
      await two.getByRole('button', { name: 'Move to this time', exact: true }).click();
      await page.getByRole('status').filter({ hasText: 'Session 2 is now on' }).waitFor();
      // The same answers now confirm the moved session.
      await two.getByRole('button', { name: 'Confirm health answers', exact: true }).click();
      await answer();
      await page.locator('#s2-q-isotretinoin_last_dose-date').fill(dose);
      await two.getByRole('button', { name: 'Send answers', exact: true }).click();
      const thanks = page.getByRole('status').filter({ hasText: 'Your answers for session 2 are confirmed' });
      await thanks.waitFor();
      assert.ok((await thanks.innerText()).includes('After isotretinoin (e.g. Roaccutane) the skin needs 6 months to recover before microneedling.'));
      assert.equal((await app.api('/api/v1/booking', { token })).json.appointments[1].needs_reconfirmation, false);
      await s.step(`${db}-manage-date-04-confirmed`);
      s.assertClean();
    } finally {
      await s.close();
      await app.stop();
    }
  });
}
