// Desk render benchmark (not part of the test suite): seeds 6 practitioners x 7 days x 16
// visits (672 skin consultations next week, through the staff API), opens /desk in Chromium,
// shows that week and reads the page's own `desk-render` measures (performance.now around the
// calendar's render function, after the data arrived) and `desk-render-painted` (until a task
// after the next frame, so style, layout and paint of the new grid are included).
//
//   cargo build --bin dermadesk && node bench/desk-render.mjs [rounds=15]
//
// Needs tests/browser/node_modules (see README "Tests"). Prints one JSON line.
import os from 'node:os';
import {
  startApp, openPage, closeBrowser, staffToken, staffPractitioner, deskSignIn, ADMIN_LOGIN,
} from '../tests/browser/harness.js';

const ROUNDS = Number(process.argv[2] || 15);
const PRACTITIONERS = 6;
const DAYS = 7;
const PER_DAY = 16;

const berlinDate = (d) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Berlin' }).format(d);
const addDays = (date, n) => new Date(Date.parse(`${date}T00:00:00Z`) + n * 86400000).toISOString().slice(0, 10);
const hhmm = (m) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;

const app = await startApp();
try {
  const ids = [];
  for (let i = 0; i < PRACTITIONERS; i++) ids.push(await staffPractitioner(app, `Practitioner ${i + 1}`, { start: '07:00', end: '20:00' }));
  const token = await staffToken(app);
  // next week, Monday to Sunday (clinic dates)
  const today = berlinDate(new Date());
  const weekday = (new Date(`${today}T00:00:00Z`).getUTCDay() + 6) % 7;
  const monday = addDays(today, 7 - weekday);
  const jobs = [];
  for (let d = 0; d < DAYS; d++) {
    const date = addDays(monday, d);
    // the clinic's UTC offset on that day, from the API's own answer
    const r = await app.api(`/api/v1/availability?service=skin_consultation&from=${date}&to=${date}`);
    const offset = r.json.slots[0].start.slice(19);
    for (const p of ids) {
      for (let k = 0; k < PER_DAY; k++) {
        // 30 minutes + 15 minutes buffer: one visit every 45 minutes from 07:00
        jobs.push({ date, p, start: `${date}T${hhmm(7 * 60 + k * 45)}:00${offset}`, n: jobs.length });
      }
    }
  }
  const t0 = Date.now();
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const j = jobs[next++];
      const b = await app.api('/api/v1/staff/appointments', {
        method: 'POST',
        token,
        body: {
          service: 'skin_consultation',
          start: j.start,
          practitioner_id: j.p,
          client: { name: `Client ${j.n + 1} Example`, email: `client${j.n + 1}@example.com`, phone: '030 1234567' },
        },
      });
      if (b.status !== 201) throw new Error(`seeding ${j.start}: ${b.status} ${b.text}`);
    }
  };
  await Promise.all(Array.from({ length: 6 }, worker));
  const seedSeconds = (Date.now() - t0) / 1000;

  const s = await openPage(app);
  const { page } = s;
  await deskSignIn(page, app.base, ADMIN_LOGIN);
  await page.getByRole('button', { name: 'Week', exact: true }).click();
  await page.getByRole('button', { name: 'Next', exact: true }).click();
  await page.waitForFunction((n) => document.querySelectorAll('.cal-visit').length === n, jobs.length, { timeout: 30000 });
  const render = [];
  const frame = [];
  for (let i = 0; i < ROUNDS; i++) {
    await page.evaluate(() => performance.clearMeasures());
    // away and back: each arrival of the full week renders it anew
    await page.getByRole('button', { name: 'Previous', exact: true }).click();
    await page.waitForFunction(() => document.querySelectorAll('.cal-visit').length < 100);
    await page.evaluate(() => performance.clearMeasures());
    await page.getByRole('button', { name: 'Next', exact: true }).click();
    await page.waitForFunction((n) => document.querySelectorAll('.cal-visit').length === n, jobs.length);
    await page.waitForFunction(() => performance.getEntriesByName('desk-render-painted').length > 0);
    const m = await page.evaluate(() => ({
      render: performance.getEntriesByName('desk-render').at(-1).duration,
      frame: performance.getEntriesByName('desk-render-painted').at(-1).duration,
    }));
    render.push(m.render);
    frame.push(m.frame);
  }
  await s.close();
  const stats = (xs) => {
    const v = [...xs].sort((a, b) => a - b);
    return { median: +v[Math.floor(v.length / 2)].toFixed(1), max: +v.at(-1).toFixed(1), min: +v[0].toFixed(1) };
  };
  console.log(JSON.stringify({
    visits: jobs.length,
    practitioners: PRACTITIONERS,
    rounds: ROUNDS,
    render_ms: stats(render),
    render_to_painted_ms: stats(frame),
    seed_seconds: seedSeconds,
    cpu: os.cpus()[0]?.model,
    cores: os.cpus().length,
  }));
} finally {
  await closeBrowser();
  await app.stop();
}
