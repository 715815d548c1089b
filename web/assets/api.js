// The JSON API, the pages' only source of truth. Errors come back as ApiError with the
// API's status, code, message and per-field details.

export class ApiError extends Error {
  constructor(status, code, message, details) {
    super(message || code);
    this.status = status;
    this.code = code;
    this.details = details || {};
  }

  /** The API refused only the start of a time the page offered (now inside
   * `booking.min_notice`, or no longer offered): the time is gone, like a taken one. */
  get startRefused() {
    const fields = Object.keys(this.details);
    return this.code === 'validation_failed' && fields.length === 1 && fields[0] === 'start';
  }
}

/** Calls the API; `token` goes in the Authorization header, never in the URL. */
export async function api(path, { method = 'GET', body, token, idempotencyKey } = {}) {
  const headers = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  if (idempotencyKey) headers['idempotency-key'] = idempotencyKey;
  let res;
  try {
    res = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
    });
  } catch (e) {
    throw new ApiError(0, 'network', String(e), {});
  }
  const data = await res.json().catch(() => null);
  if (!res.ok) {
    const e = (data && data.error) || {};
    throw new ApiError(res.status, e.code || `http_${res.status}`, e.message || '', e.details);
  }
  return data;
}

/** A file from the API as text (the .ics), with the token as bearer. */
export async function apiText(path, token) {
  let res;
  try {
    res = await fetch(path, { headers: { authorization: `Bearer ${token}` }, cache: 'no-store' });
  } catch (e) {
    throw new ApiError(0, 'network', String(e), {});
  }
  if (!res.ok) throw new ApiError(res.status, `http_${res.status}`, '', {});
  return res.text();
}
