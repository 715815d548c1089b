// The aftercare check-in (/aftercare#<secret>) in a real browser, on the real service: the link
// from the irritation_check email the dispatcher wrote, filled by keyboard alone, a normal
// answer (thanks and care advice), then a warning (the clinic has been told: listed for staff
// at once), an unknown link, in English and German. Run by .ci/run.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApp, openPage, closeBrowser, tabTo, byId, byText, staffToken } from './harness.js';

after(closeBrowser);

/** A service whose dispatcher writes .eml files every second, with check-in open days ahead
 * and the irritation check due a second after completion (the real clock cannot be moved). */
async function startAftercare(db, extra = {}) {
  const mail = mkdtempSync(join(tmpdir(), 'dermadesk-mail-'));
  const app = await startApp({
    db,
    env: {
      APP__MAIL__FILE_DIR: mail,
      APP__REMINDERS__ENABLED: 'true',
      APP__REMINDERS__TICK: '1s',
      APP__REMINDERS__QUIET_HOURS: '',
      APP__REMINDERS__IRRITATION_CHECK_AFTER: '1s',
      APP__BOOKING__CHECK_IN_LEAD: '720h',
      APP__CLINIC__PHONE: '+49 30 5550123',
      ...extra,
    },
  });
  return { app, mail };
}

/** A microneedling visit booked, its consent signed, checked in and completed through the API;
 * returns its id. */
async function completedVisit(app) {
  await app.practitioner('Dr. Lena Vogt');
  const questions = (await app.api('/api/v1/screening/questions')).json.questions;
  const answers = Object.fromEntries(questions.map((q) => [q.id, false]));
  const screening = await app.api('/api/v1/screenings', {
    method: 'POST',
    body: { client: { name: 'Anna Keller', email: 'anna@example.com', phone: '030 1234567' }, answers },
  });
  assert.equal(screening.status, 201, screening.text);
  const from = new Date(Date.now() + 2 * 86400000).toISOString().slice(0, 10);
  const to = new Date(Date.now() + 8 * 86400000).toISOString().slice(0, 10);
  const slots = (await app.api(`/api/v1/availability?service=microneedling&from=${from}&to=${to}`)).json.slots;
  const booked = await app.api('/api/v1/bookings', {
    method: 'POST',
    body: { service: 'microneedling', start: slots[0].start, screening_id: screening.json.id },
  });
  assert.equal(booked.status, 201, booked.text);
  const id = booked.json.appointments[0].id;
  // The client signs the consent from the booking's link before the visit (check-in needs it).
  const signed = await app.api(`/api/v1/bookings/${id}/consent`, {
    method: 'POST',
    token: booked.json.manage_token,
    body: { full_name: 'Anna Keller', agree: true },
  });
  assert.equal(signed.status, 201, signed.text);
  const token = await staffToken(app);
  for (const step of ['check-in', 'complete']) {
    const r = await app.api(`/api/v1/staff/appointments/${id}/${step}`, { method: 'POST', token, body: {} });
    assert.equal(r.status, 200, r.text);
  }
  return id;
}

/** The /aftercare#<secret> link of the irritation_check email, once the dispatcher wrote it. */
async function aftercareLink(mail) {
  for (let i = 0; i < 150; i++) {
    for (const f of readdirSync(mail, { recursive: true }).filter((n) => String(n).endsWith('.eml'))) {
      const text = readFileSync(join(mail, String(f)), 'utf8').replace(/=\r?\n/g, '');
      if (!/X-Dermadesk-Kind: irritation_check/.test(text)) continue;
      const m = text.match(/\/aftercare#([0-9a-f]{64})/);
      if (m) return m[0];
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('no /aftercare#<secret> link in an irritation_check .eml');
}

for (const db of ['sqlite', 'postgres']) {
  test(`${db}: the link from the email, by keyboard: a normal answer, then a warning`, async () => {
    const { app, mail } = await startAftercare(db);
    const id = await completedVisit(app);
    const link = await aftercareLink(mail);
    const s = await openPage(app);
    const { page } = s;
    try {
      await page.goto(`${app.base}${link}`);
      await page.getByRole('heading', { name: 'How is your skin?', level: 1 }).waitFor();
      await page.getByRole('group', { name: 'Redness' }).waitFor();
      for (const name of ['None', 'Mild', 'Strong']) await page.getByRole('radio', { name, exact: true }).waitFor();
      for (const name of ['Swelling', 'Pain that gets worse', 'Pus or fever', 'Blisters or a cold sore']) {
        await page.getByRole('checkbox', { name, exact: true }).waitFor();
      }
      await page.getByRole('textbox', { name: 'Anything else' }).waitFor();
      await s.step(`${db}-aftercare-01-form`);

      // "Send" with nothing chosen: the error summary, linked to the field.
      await tabTo(page, byText, 'Send');
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: 'There is a problem' }).waitFor();
      await s.step(`${db}-aftercare-02-error`);

      // Keyboard alone: a normal answer (mild redness, nothing else).
      await tabTo(page, byId, 'redness-none');
      await page.keyboard.press('ArrowRight'); // radios move with the arrows: Mild
      assert.equal(await page.evaluate(() => document.activeElement.id), 'redness-mild');
      await tabTo(page, byId, 'notes');
      await page.keyboard.type('A bit tight <b>today</b>');
      await tabTo(page, byText, 'Send');
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: 'Thank you', level: 1 }).waitFor();
      const thanks = await page.locator('main').innerText();
      assert.ok(thanks.includes('normal healing'), thanks);
      assert.ok(thanks.includes('sunscreen'), thanks);
      await s.step(`${db}-aftercare-03-normal`);
      const admin = await staffToken(app);
      assert.deepEqual((await app.api('/api/v1/staff/alerts', { token: admin })).json, []);

      // Again from the link: it says when the client answered; now a warning sign.
      await page.goto('about:blank');
      await page.goto(`${app.base}${link}`);
      await page.getByText('Sending again replaces that answer').waitFor();
      await tabTo(page, byId, 'redness-none');
      await page.keyboard.press('ArrowRight');
      await tabTo(page, byId, 'pus_or_fever');
      await page.keyboard.press('Space');
      await tabTo(page, byText, 'Send');
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: 'The clinic has been told', level: 1 }).waitFor();
      const told = await page.locator('main').innerText();
      assert.ok(told.includes('will call you'), told);
      assert.ok(told.includes('+49 30 5550123') && told.includes('urgent care'), told);
      await s.step(`${db}-aftercare-04-warning`);

      // Staff see it at once, with the answer as typed (text, not markup).
      const alerts = (await app.api('/api/v1/staff/alerts?open=true', { token: admin })).json;
      assert.equal(alerts.length, 1);
      assert.equal(alerts[0].appointment_id, id);
      assert.equal(alerts[0].answers.pus_or_fever, true);
      assert.equal(alerts[0].answers.notes, null);
      s.assertClean();
    } finally {
      await s.close();
      await app.stop();
      rmSync(mail, { recursive: true, force: true });
    }
  });
}

test('an unknown link says it no longer works; German; under the enforced CSP', async () => {
  const { app, mail } = await startAftercare('sqlite', { APP__CLINIC__LANGUAGE: 'de' });
  // Under the page's own CSP (enforced): it loads and says so, with no violation.
  const strict = await openPage(app, { csp: true });
  try {
    await strict.page.goto(`${app.base}/aftercare#${'0'.repeat(64)}`);
    await strict.page.getByRole('heading', { name: 'Dieser Link funktioniert nicht mehr', level: 1 }).waitFor();
    strict.assertClean();
  } finally {
    await strict.close();
  }
  const s = await openPage(app);
  const { page } = s;
  try {
    await page.goto(`${app.base}/aftercare#${'0'.repeat(64)}`);
    await page.getByRole('heading', { name: 'Dieser Link funktioniert nicht mehr', level: 1 }).waitFor();
    const text = await page.locator('main').innerText();
    assert.ok(text.includes('+49 30 5550123'), text);
    assert.ok(!text.includes('Rötung'), text);
    await s.step('aftercare-05-gone-de');
    // The German form, from a real link.
    await completedVisit(app);
    const link = await aftercareLink(mail);
    await page.goto('about:blank');
    await page.goto(`${app.base}${link}`);
    await page.getByRole('heading', { name: 'Wie geht es Ihrer Haut?', level: 1 }).waitFor();
    for (const name of ['Keine', 'Leicht', 'Stark']) await page.getByRole('radio', { name, exact: true }).waitFor();
    for (const name of ['Schwellung', 'Schmerzen, die stärker werden', 'Eiter oder Fieber', 'Bläschen oder Lippenherpes']) {
      await page.getByRole('checkbox', { name, exact: true }).waitFor();
    }
    await page.getByRole('button', { name: 'Senden' }).waitFor();
    await s.step('aftercare-06-form-de');
    s.assertClean();
  } finally {
    await s.close();
    await app.stop();
    rmSync(mail, { recursive: true, force: true });
  }
});
