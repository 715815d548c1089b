// The desk's clients (/desk, issue 11): "Find a client" in "Book for a client" (a known client's
// details filled in, the screening on file used instead of the questionnaire) and the client's
// earlier screenings in "Screenings to review". Run by .ci/run (`npm test` here).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startApp, openPage, closeBrowser, staffToken, staffUser, staffPractitioner, deskSignIn, tabTo, byId,
  berlinDate, showDayOf, bookableTime,
} from './harness.js';

after(closeBrowser);

// Visits may start at once (min_notice 1 minute) on practitioners working all day.
const DESK_ENV = { APP__BOOKING__MIN_NOTICE: '1m' };
const XSS = '<img src=x onerror=alert(1)>';


/** A screening through the public API (every answer No except `yes`); returns its JSON. */
async function screen(app, client, yes = []) {
  const qs = (await app.api('/api/v1/screening/questions')).json.questions;
  const answers = Object.fromEntries(qs.map((q) => [q.id, yes.includes(q.id)]));
  const s = await app.api('/api/v1/screenings', { method: 'POST', body: { client, answers } });
  assert.equal(s.status, 201, s.text);
  return s.json;
}

test('reception finds a known client by part of the name (keyboard), books with the screening on file without the questions; the visit is on the calendar', async () => {
  const app = await startApp({ env: DESK_ENV });
  await staffPractitioner(app, 'Dr. Lena Vogt');
  const reception = await staffUser(app, { email: 'desk@clinic.example', role: 'reception' });
  const anna = await screen(app, { name: 'Anna Keller', email: 'anna.keller@example.com', phone: '030 1234567' });
  await screen(app, { name: 'Hanna Kellermann', email: 'hanna@example.com' }, ['sensitive_skin_or_rosacea']);
  await screen(app, { name: 'Bernd Brandt', email: 'bernd@example.com' });
  const qs = (await app.api('/api/v1/screening/questions')).json.questions;
  const s = await openPage(app);
  const { page } = s;
  try {
    await deskSignIn(page, app.base, reception);
    await page.getByRole('button', { name: 'Book for a client', exact: true }).click();
    const search = page.getByRole('searchbox', { name: 'Find a client' });
    await search.waitFor();
    // one character: said on the page, nothing asked
    await search.fill('k');
    await page.keyboard.press('Enter');
    await page.getByRole('alert').getByText('Find a client: type at least 2 characters').waitFor();
    assert.ok(!s.seen.requests.some((u) => u.includes('/api/v1/staff/clients?')), 'no search sent for one character');

    // by keyboard: Tab to the search box, type part of the name, Enter
    await page.getByRole('heading', { name: 'Book for a client', level: 1 }).focus();
    await tabTo(page, byId, 'client-search');
    await page.keyboard.press('Control+A');
    await page.keyboard.type('KELL');
    await page.keyboard.press('Enter');
    await page.getByRole('status').getByText('2 clients found. Choose one to fill in the details.').waitFor();
    const results = page.locator('.client-results button');
    assert.deepEqual(await results.locator('.c-name').allTextContents(), ['Anna Keller', 'Hanna Kellermann']);
    const annaButton = page.getByRole('button', { name: /^Anna Keller/ });
    assert.match(await annaButton.textContent(), /anna\.keller@example\.com · 030 1234567/);
    assert.match(await annaButton.textContent(), /Screening valid until/);
    assert.match(await page.getByRole('button', { name: /^Hanna Kellermann/ }).textContent(), /Latest screening: needs review/);
    await s.step('desk-clients-01-found');
    await tabTo(page, () => document.activeElement?.dataset.client !== undefined);
    assert.equal(await page.evaluate(() => document.activeElement.querySelector('.c-name').textContent), 'Anna Keller');
    await page.keyboard.press('Enter');

    // the details are filled in; the screening on file is offered instead of the questions
    await page.getByRole('heading', { name: 'A valid screening is on file' }).waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'offer-title', 'focus on the offer');
    assert.equal(await page.getByRole('textbox', { name: 'Full name', exact: true }).inputValue(), 'Anna Keller');
    assert.equal(await page.getByRole('textbox', { name: 'Email', exact: true }).inputValue(), 'anna.keller@example.com');
    assert.equal(await page.getByRole('textbox', { name: 'Phone', exact: true }).inputValue(), '030 1234567');
    assert.equal(await page.getByRole('group', { name: qs[0].text, exact: true }).count(), 0, 'no questionnaire');
    assert.equal(await page.getByRole('button', { name: 'Continue', exact: true }).count(), 0);
    await page.getByText('Chosen: Anna Keller. The details are filled in below.').waitFor();
    await s.step('desk-clients-02-chosen');

    // answering again stays possible, and back
    await page.getByRole('button', { name: 'Answer the questions again', exact: true }).click();
    await page.getByRole('group', { name: qs[0].text, exact: true }).waitFor();
    await page.getByRole('button', { name: 'Continue', exact: true }).waitFor();
    await page.getByRole('button', { name: 'Use the earlier screening instead', exact: true }).click();
    await page.getByRole('button', { name: 'Book with this screening', exact: true }).waitFor();
    assert.equal(await page.getByRole('group', { name: qs[0].text, exact: true }).count(), 0);
    // changed details are not the found client's: the questions come back, and go again when restored
    const phone = page.getByRole('textbox', { name: 'Phone', exact: true });
    await phone.fill('030 7654321');
    await page.getByText('The details differ from Anna Keller’s as found').waitFor();
    await page.getByRole('group', { name: qs[0].text, exact: true }).waitFor();
    await phone.fill('030 1234567');
    await page.getByRole('heading', { name: 'A valid screening is on file' }).waitFor();

    // by keyboard to "Book with this screening"
    await page.getByRole('heading', { name: 'A valid screening is on file' }).focus();
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Book with this screening');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Screening passed: choose a time' }).waitFor();
    await page.getByText('Microneedling for Anna Keller.').waitFor();
    const first = await bookableTime(page, 60_000);
    const start = await first.getAttribute('data-start');
    await first.click();
    await s.step('desk-clients-03-slot');
    await page.getByRole('button', { name: 'Book', exact: true }).click();
    await page.getByRole('heading', { name: 'Booked', exact: true }).waitFor();
    await page.getByText('A confirmation email goes to anna.keller@example.com.').waitFor();
    await s.step('desk-clients-04-booked');
    assert.ok(!s.seen.requests.some((u) => u.endsWith('/api/v1/screenings')), 'no new screening was submitted');

    // booked on the screening on file; the visit is on the calendar
    const token = await staffToken(app, reception);
    const day = berlinDate(start);
    const cal = await app.api(`/api/v1/staff/calendar?from=${day}&to=${day}`, { token });
    const entry = cal.json.appointments.find((a) => a.client?.name === 'Anna Keller');
    assert.ok(entry, 'booked through the staff API');
    assert.equal(entry.client.id, anna.client_id);
    assert.equal(entry.screening.id, anna.id, 'the screening on file');
    await page.getByRole('button', { name: 'Calendar', exact: true }).click();
    await showDayOf(page, start);
    const visit = page.locator(`[data-visit="${entry.id}"]`);
    await visit.waitFor();
    assert.equal((await visit.locator('.v-name').textContent()).trim(), 'Anna Keller');
    await s.step('desk-clients-05-calendar');
    s.assertClean();
  } finally {
    await s.close();
    await app.stop();
  }
});

test('a client named with HTML is text in the search results and the form; a screening that rules microneedling out brings the questions; "Not this client" starts afresh', async () => {
  const app = await startApp({ env: DESK_ENV });
  await staffPractitioner(app, 'Dr. Lena Vogt');
  await screen(app, { name: XSS, email: 'xss@example.com' }, ['pregnant']);
  const qs = (await app.api('/api/v1/screening/questions')).json.questions;
  const s = await openPage(app);
  const { page } = s;
  try {
    await deskSignIn(page, app.base, { email: 'admin@clinic.example', password: 'admin-password-123' });
    await page.getByRole('button', { name: 'Book for a client', exact: true }).click();
    await page.getByRole('searchbox', { name: 'Find a client' }).fill('onerror');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.getByText('One client found. Choose one to fill in the details.').waitFor();
    const result = page.locator('.client-results button');
    assert.equal(await result.locator('.c-name').textContent(), XSS);
    assert.equal(await page.locator('.client-results img, .booking img').count(), 0, 'no element made from the name');
    assert.match(await result.textContent(), /Latest screening: contraindicated/);
    await s.step('desk-clients-06-html-name');
    await result.click();
    assert.equal(await page.getByRole('textbox', { name: 'Full name', exact: true }).inputValue(), XSS);
    await page.getByText(`${XSS}’s latest screening`).waitFor();
    await page.getByText('it rules microneedling out').waitFor();
    await page.getByRole('group', { name: qs[0].text, exact: true }).waitFor();
    assert.equal(await page.locator('.booking img').count(), 0);
    await s.step('desk-clients-07-contraindicated-on-file');
    // nobody found: a new client is entered as before
    await page.getByRole('button', { name: 'Not this client', exact: true }).click();
    assert.equal(await page.getByRole('textbox', { name: 'Full name', exact: true }).inputValue(), '');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'client-name');
    await page.getByRole('searchbox', { name: 'Find a client' }).fill('nobody at all');
    await page.keyboard.press('Enter');
    await page.getByText('No client found. Check the spelling, or enter a new client below.').waitFor();
    await page.getByRole('button', { name: 'Continue', exact: true }).waitFor();
    await page.getByRole('group', { name: qs[0].text, exact: true }).waitFor();
    s.assertClean();
  } finally {
    await s.close();
    await app.stop();
  }
});

test('a clinician opens a screening to review and sees the client’s earlier screening with its review', async () => {
  const app = await startApp({ env: DESK_ENV });
  const lenaId = await staffPractitioner(app, 'Dr. Lena Vogt', { email: 'lena@clinic.example' });
  const lena = await staffUser(app, { email: 'lena@clinic.example', role: 'practitioner', practitionerId: lenaId });
  const client = { name: 'Rosa Review', email: 'rosa@example.com' };
  const earlier = await screen(app, client, ['sensitive_skin_or_rosacea']);
  const token = await staffToken(app, lena);
  const reviewed = await app.api(`/api/v1/staff/screenings/${earlier.id}/review`, {
    method: 'POST', token, body: { decision: 'approve', note: `Mild rosacea; approved at 0.5 mm. ${XSS}` },
  });
  assert.equal(reviewed.status, 200, reviewed.text);
  const now = await screen(app, client, ['keloid_tendency']);
  const s = await openPage(app);
  const { page } = s;
  try {
    await deskSignIn(page, app.base, lena);
    await page.getByRole('button', { name: 'Screenings to review', exact: true }).click();
    await page.getByRole('button', { name: 'Open the screening of Rosa Review' }).click();
    await page.getByRole('heading', { name: 'Screening of Rosa Review' }).waitFor();
    const history = page.getByRole('region', { name: 'Earlier screenings' });
    await history.waitFor();
    const items = history.getByRole('listitem');
    assert.equal(await items.count(), 1, 'only the earlier one (not the one open)');
    assert.equal(await history.locator(`[data-screening="${now.id}"]`).count(), 0);
    const text = await items.first().textContent();
    assert.match(text, /Needed review: approved/);
    assert.match(text, /Questionnaire 2026-11-2/);
    assert.match(text, /Approved by lena@clinic\.example on /);
    assert.ok(text.includes(`Mild rosacea; approved at 0.5 mm. ${XSS}`), text);
    assert.ok(text.includes(qs(await app.api('/api/v1/screening/questions'), 'sensitive_skin_or_rosacea')), text);
    assert.equal(await history.locator('img').count(), 0, 'the note is text');
    await s.step('desk-clients-08-review-history');
    // the review itself goes on as before
    await page.getByRole('textbox', { name: 'Note' }).fill('Keloid on the chin years ago; a patch test first.');
    await page.getByRole('button', { name: 'Approve', exact: true }).click();
    await page.getByText('Approved: Rosa Review may book microneedling.').waitFor();
    s.assertClean();
  } finally {
    await s.close();
    await app.stop();
  }
});

/** The text of question `id` in a GET /api/v1/screening/questions answer. */
function qs(answer, id) {
  return answer.json.questions.find((q) => q.id === id).text;
}
