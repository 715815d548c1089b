// The staff session of this tab: kept in sessionStorage (survives a reload, per origin and per
// tab, gone when the tab closes or at "Sign out"). Only the token, its role, the email it was
// made for (to unlock an idle desk) and whether the desk is locked are stored.
import { api, ApiError } from '../api.js';

const KEY = 'dermadesk.desk.session';

export function loadSession() {
  try {
    const s = JSON.parse(sessionStorage.getItem(KEY));
    if (!s || typeof s.role !== 'string' || typeof s.email !== 'string') return null;
    // a locked desk keeps no token (it was ended on the server at the lock)
    if (typeof s.token !== 'string' && !s.locked) return null;
    return s;
  } catch {
    return null;
  }
}

export function saveSession(s) {
  sessionStorage.setItem(KEY, JSON.stringify(s));
}

export function clearSession() {
  sessionStorage.removeItem(KEY);
}

/** True once the token's own expiry has passed (the API would answer 401). */
export function expired(s) {
  return !!s.expires_at && Date.parse(s.expires_at) <= Date.now();
}

/** POST /api/v1/auth/login -> a session. */
export async function signIn(email, password) {
  const r = await api('/api/v1/auth/login', { method: 'POST', body: { email, password } });
  return { token: r.token, role: r.role, expires_at: r.expires_at, email, locked: false };
}

/**
 * POST /api/v1/auth/logout: the API ends the session, so the token is worthless even if it was
 * copied. Best effort: the tab forgets the token anyway (an unreachable API must not keep a
 * desk signed in), and a token already expired or revoked answers 401, which is fine too.
 */
export async function signOutOnServer(token) {
  if (!token) return;
  try {
    await api('/api/v1/auth/logout', { method: 'POST', token });
  } catch {
    /* forgotten here anyway */
  }
}

/** Thrown (and caught by the shell) when the API says the session is no longer valid. */
export class SessionEnded extends Error {}

/**
 * A caller of the API bound to the session: a 401 ends the session (onExpired) and rejects
 * with SessionEnded, which the views ignore. A 401 for a token the tab no longer holds (a poll
 * still on its way when the desk locked or signed out, which ended that token) ends nothing.
 */
export function bound(getSession, onExpired) {
  return async (path, opts = {}) => {
    const s = getSession();
    if (!s || !s.token) throw new SessionEnded('signed out');
    try {
      return await api(path, { ...opts, token: s.token });
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) {
        if (getSession()?.token === s.token) onExpired();
        throw new SessionEnded('expired');
      }
      throw e;
    }
  };
}
