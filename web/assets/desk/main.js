// /desk: the shell. Sign in, the idle lock, the role's menu and the views (calendar, booking,
// screenings, failed messages). Every rule lives in the API; the page offers per role only
// what the role may do and shows the API's own words when it refuses.
import { api } from '../api.js';
import { h, focusOn, setChildren } from '../dom.js';
import { formatter } from '../clinic.js';
import {
  loadSession, saveSession, clearSession, expired, signIn, bound, SessionEnded, signOutOnServer,
} from './session.js';
import { may, ROLE_NAMES, explain } from './words.js';
import { createCalendar } from './calendar.js';
import { createBooking } from './booking.js';
import { createScreenings } from './screenings.js';
import { createMessages } from './messages.js';
import { createHours } from './hours.js';
import { createClosures } from './closures.js';
import { createUsers } from './users.js';
import { createAudit } from './audit.js';
import { createAlerts, openAlertCount } from './alerts.js';
import { createServices } from './services.js';

/** How often the menu's count of open aftercare alerts is asked for (the count route names
 * nobody and is not audited, so it can follow changes closely). */
const ALERT_POLL_MS = 15000;

/** Without `desk.idle_lock_seconds` from GET /api/v1/clinic, the desk locks after 15 minutes. */
export const DEFAULT_IDLE_LOCK_SECONDS = 900;

const main = document.getElementById('main');
const who = document.getElementById('who');

const app = {
  clinic: null,
  fmt: null,
  session: null,
  view: 'calendar',
  current: null, // the shown view: {el, start(), stop()}
  idleSeconds: DEFAULT_IDLE_LOCK_SECONDS,
  lastInput: Date.now(),
};

app.call = bound(
  () => app.session,
  () => endSession('Your session has expired. Please sign in again.'),
);

start();

async function start() {
  try {
    app.clinic = await api('/api/v1/clinic');
  } catch (e) {
    setChildren(main, h('h1', {}, 'Desk'), h('p', { class: 'notice error', role: 'alert' }, `The desk could not load. ${explain(e)}`));
    return;
  }
  const name = document.getElementById('clinic-name');
  name.textContent = app.clinic.name;
  const idle = Number(app.clinic.desk && app.clinic.desk.idle_lock_seconds);
  if (Number.isFinite(idle) && idle > 0) app.idleSeconds = idle;
  app.fmt = formatter('en-GB', app.clinic.timezone);
  watchIdle();
  const s = loadSession();
  if (!s) return showSignIn();
  if (expired(s)) {
    clearSession();
    return showSignIn('Your session has expired. Please sign in again.');
  }
  app.session = s;
  if (s.locked) return showLock();
  showDesk();
}

// ---- sign in / sign out ----

function field(id, label, input) {
  return h('div', { class: 'field' }, h('label', { for: id }, label), input);
}

function showSignIn(message) {
  stopView();
  stopPolls();
  app.session = null;
  who.replaceChildren();
  document.title = 'Sign in – Desk';
  const email = h('input', { type: 'email', id: 'email', name: 'email', autocomplete: 'username', required: true });
  const password = h('input', { type: 'password', id: 'password', name: 'password', autocomplete: 'current-password', required: true });
  const error = h('div', { role: 'alert', class: 'alert-slot' });
  const button = h('button', { type: 'submit' }, 'Sign in');
  const form = h(
    'form',
    { class: 'signin', novalidate: true },
    field('email', 'Email', email),
    field('password', 'Password', password),
    error,
    h('div', { class: 'actions' }, button),
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    error.replaceChildren();
    if (!email.value.trim() || !password.value) {
      error.append(h('p', { class: 'notice error' }, 'Enter your email and your password.'));
      return;
    }
    button.disabled = true;
    try {
      app.session = await signIn(email.value.trim(), password.value);
      saveSession(app.session);
      app.view = 'calendar';
      app.lastInput = Date.now();
      showDesk();
    } catch (e) {
      error.append(h('p', { class: 'notice error' }, e.status === 401 ? 'The email or the password is not right.' : explain(e)));
      button.disabled = false;
    }
  });
  const title = h('h1', { id: 'title' }, 'Sign in to the desk');
  setChildren(
    main,
    title,
    message ? h('p', { class: 'notice', role: 'status' }, message) : null,
    form,
  );
  email.focus();
}

/** Ends the session here (the token is dropped from this tab) and returns to sign-in. */
function endSession(message) {
  clearSession();
  closeDialogs();
  showSignIn(message);
}

/** "Sign out": the API ends the session first, then the tab forgets the token. */
async function signOut(message) {
  const token = app.session && app.session.token;
  stopView();
  closeDialogs();
  await signOutOnServer(token);
  endSession(message);
}

// ---- idle lock: the desk hides everything and asks for the password again ----

function watchIdle() {
  const touch = () => {
    app.lastInput = Date.now();
  };
  for (const ev of ['pointerdown', 'keydown', 'wheel', 'touchstart', 'mousemove']) {
    document.addEventListener(ev, touch, { passive: true, capture: true });
  }
  setInterval(() => {
    if (!app.session || app.session.locked) return;
    if (Date.now() - app.lastInput >= app.idleSeconds * 1000) lock();
  }, 1000);
}

/** The idle lock ends the session on the server too: only the email stays, to unlock. */
function lock() {
  const token = app.session.token;
  app.session = { email: app.session.email, role: app.session.role, locked: true };
  saveSession(app.session);
  closeDialogs();
  showLock();
  signOutOnServer(token);
}

function showLock() {
  stopView();
  stopPolls();
  document.title = 'Locked – Desk';
  who.replaceChildren();
  const password = h('input', { type: 'password', id: 'unlock-password', autocomplete: 'current-password' });
  const error = h('div', { role: 'alert', class: 'alert-slot' });
  const unlock = h('button', { type: 'submit' }, 'Unlock');
  const out = h('button', { type: 'button', class: 'secondary', onclick: () => signOut() }, 'Sign out');
  const form = h(
    'form',
    { class: 'signin', novalidate: true },
    h('p', {}, `Signed in as ${app.session.email}.`),
    field('unlock-password', 'Password', password),
    error,
    h('div', { class: 'actions' }, unlock, out),
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    error.replaceChildren();
    unlock.disabled = true;
    try {
      // A fresh login: the password is checked by the API, and the session renewed.
      const s = await signIn(app.session.email, password.value);
      app.session = s;
      saveSession(s);
      app.lastInput = Date.now();
      showDesk();
    } catch (e) {
      error.append(h('p', { class: 'notice error' }, e.status === 401 ? 'That password is not right.' : explain(e)));
      unlock.disabled = false;
    }
  });
  const minutes = Math.round(app.idleSeconds / 60);
  setChildren(
    main,
    h('h1', { id: 'title' }, 'The desk is locked'),
    h('p', {}, `It locked after ${minutes >= 1 ? `${minutes} minute${minutes === 1 ? '' : 's'}` : `${app.idleSeconds} seconds`} without input. Enter your password to go on.`),
    form,
  );
  password.focus();
}

function closeDialogs() {
  for (const d of document.querySelectorAll('dialog')) {
    if (d.open) d.close();
    d.remove();
  }
}

// ---- the desk ----

const VIEWS = [
  { id: 'calendar', label: 'Calendar', allowed: () => true, make: createCalendar },
  { id: 'book', label: 'Book for a client', allowed: may.book, make: createBooking },
  { id: 'screenings', label: 'Screenings to review', allowed: may.review, make: createScreenings },
  { id: 'alerts', label: 'Aftercare alerts', allowed: may.alerts, make: createAlerts },
  { id: 'messages', label: 'Failed messages', allowed: may.messages, make: createMessages },
  { id: 'hours', label: 'Hours and time off', allowed: may.hours, make: createHours },
  { id: 'closures', label: 'Closure days', allowed: may.closuresList, make: createClosures },
  { id: 'services', label: 'Services', allowed: may.services, make: createServices },
  { id: 'users', label: 'Users and roles', allowed: may.users, make: createUsers },
  { id: 'audit', label: 'Audit log', allowed: may.audit, make: createAudit },
];

function showDesk() {
  document.title = 'Desk';
  const role = app.session.role;
  who.replaceChildren(
    h('span', { class: 'who' }, `${app.session.email} (${ROLE_NAMES[role] || role})`),
    h('button', { type: 'button', class: 'secondary', onclick: () => signOut('You have signed out.') }, 'Sign out'),
  );
  const views = VIEWS.filter((v) => v.allowed(role));
  if (!views.some((v) => v.id === app.view)) app.view = 'calendar';
  const nav = h('nav', { 'aria-label': 'Desk', class: 'desk-nav' });
  const slot = h('div', { id: 'view' });
  const renderNav = () => {
    nav.replaceChildren(
      h(
        'ul',
        {},
        views.map((v) =>
          h(
            'li',
            {},
            h(
              'button',
              {
                type: 'button',
                class: 'tab',
                'aria-current': v.id === app.view ? 'page' : null,
                onclick: () => {
                  if (v.id === app.view) return;
                  app.view = v.id;
                  renderNav();
                  openView(slot, views, true);
                },
              },
              v.label,
              v.id === 'alerts' && app.openAlerts ? h('span', { class: 'badge' }, ` ${app.openAlerts} open`) : null,
            ),
          ),
        ),
      ),
    );
  };
  renderNav();
  // the count of open aftercare alerts on the menu, asked for now and every minute
  const countAlerts = async () => {
    const n = await openAlertCount(app);
    if (n === null || n === app.openAlerts) return;
    app.openAlerts = n;
    renderNav();
  };
  app.alertsChanged = countAlerts;
  clearInterval(app.alertTimer);
  app.openAlerts = 0;
  if (views.some((v) => v.id === 'alerts')) {
    countAlerts();
    app.alertTimer = setInterval(() => {
      if (!document.hidden && app.session && app.session.token) countAlerts();
    }, ALERT_POLL_MS);
  }
  // another view asks to show a view with parameters (a visit's "History", a visit link)
  app.go = (id, params = null) => {
    if (!views.some((v) => v.id === id)) return;
    app.view = id;
    renderNav();
    openView(slot, views, true, params);
  };
  setChildren(main, nav, slot);
  openView(slot, views, false);
}

function openView(slot, views, focus, params = null) {
  stopView();
  const def = views.find((v) => v.id === app.view);
  const view = def.make(app, params);
  app.current = view;
  slot.replaceChildren(view.el);
  view.start().catch(report);
  if (focus) {
    const heading = view.el.querySelector('h1');
    if (heading) focusOn(heading);
  }
}

function stopView() {
  if (app.current) app.current.stop();
  app.current = null;
}

function stopPolls() {
  clearInterval(app.alertTimer);
  app.alertTimer = null;
  app.openAlerts = 0;
}

function report(e) {
  if (e instanceof SessionEnded) return;
  // Views show their own errors; anything reaching here is a bug worth a console line.
  console.warn('desk view', e);
}
