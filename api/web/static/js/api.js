// The HTTP API client: bearer token in sessionStorage, problem details turned into ApiError.

const BASE = '/api/v1';
const KEY = 'qingwei.session';

export class ApiError extends Error {
  constructor(status, problem) {
    super((problem && (problem.detail || problem.title)) || `HTTP ${status}`);
    this.status = status;
    this.problem = problem || {};
  }
  get article() { return this.problem.article || null; }
  get fieldErrors() { return Array.isArray(this.problem.errors) ? this.problem.errors : []; }
  get type() { return this.problem.type || ''; }
}

export const session = {
  get() {
    try { return JSON.parse(sessionStorage.getItem(KEY) || 'null'); } catch { return null; }
  },
  set(value) { sessionStorage.setItem(KEY, JSON.stringify(value)); },
  clear() { sessionStorage.removeItem(KEY); },
  has(...roles) {
    const s = this.get();
    return !!s && s.roles.some((r) => roles.includes(r));
  },
};

let onUnauthorized = () => {};
export function setUnauthorizedHandler(fn) { onUnauthorized = fn; }

// Access tokens are short-lived: on a 401 the refresh token (rotated each time) buys a new
// pair once, and the request is retried; concurrent requests share one refresh.
let refreshing = null;
async function refreshSession() {
  const s = session.get();
  if (!s || !s.refresh) return false;
  if (!refreshing) {
    refreshing = (async () => {
      try {
        const res = await fetch(`${BASE}/auth/refresh`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
          body: JSON.stringify({ refresh_token: s.refresh }),
        });
        if (!res.ok) return false;
        const t = await res.json();
        session.set({ ...s, token: t.access_token, refresh: t.refresh_token, roles: t.roles });
        return true;
      } catch {
        return false;
      } finally {
        setTimeout(() => { refreshing = null; }, 0);
      }
    })();
  }
  return refreshing;
}

async function request(method, path, opts = {}, retried = false) {
  const { json, form, query, raw } = opts;
  const headers = { Accept: 'application/json, application/problem+json' };
  const s = session.get();
  if (s) headers.Authorization = `Bearer ${s.token}`;
  let body;
  if (json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(json);
  } else if (form !== undefined) {
    body = form; // FormData or URLSearchParams: the browser sets the content type
  }
  let url = BASE + path;
  if (query) {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) {
      if (v !== undefined && v !== null && v !== '' && v !== false) qs.set(k, String(v));
    }
    const text = qs.toString();
    if (text) url += `?${text}`;
  }
  let res;
  try {
    res = await fetch(url, { method, headers, body });
  } catch (err) {
    throw new ApiError(0, { title: '网络错误 Network error', detail: `无法连接服务器：${err.message}` });
  }
  if (!res.ok) {
    let problem = null;
    try { problem = await res.json(); } catch { problem = { detail: res.statusText }; }
    const error = new ApiError(res.status, problem);
    if (res.status === 401 && !path.startsWith('/auth/')) {
      if (!retried && await refreshSession()) return request(method, path, opts, true);
      onUnauthorized(error);
    }
    throw error;
  }
  if (raw) return res;
  const type = res.headers.get('Content-Type') || '';
  return type.includes('json') ? res.json() : res.text();
}

export const api = {
  get: (path, query) => request('GET', path, { query }),
  post: (path, json) => request('POST', path, { json }),
  put: (path, json) => request('PUT', path, { json }),
  postForm: (path, form) => request('POST', path, { form }),
  raw: (path, query) => request('GET', path, { query, raw: true }),

  async login(username, password) {
    const form = new URLSearchParams({ username, password });
    const t = await request('POST', '/auth/token', { form });
    const value = { token: t.access_token, refresh: t.refresh_token, roles: t.roles, username };
    session.set(value);
    return value;
  },

  // End the sign-in on the server too (its tokens stop working), then forget it here.
  async logout() {
    if (session.get()) {
      try { await request('POST', '/auth/logout'); } catch { /* already ended */ }
    }
    session.clear();
  },
};

// The engine's clock (the demo's fake clock is not the browser's); falls back to the browser's.
let clockCache = null;
export async function serverNow({ refresh = false } = {}) {
  if (!clockCache || refresh) {
    try {
      const c = await api.get('/clock');
      clockCache = { now: new Date(c.now), fake: c.fake, fetched: Date.now() };
    } catch {
      clockCache = { now: new Date(), fake: false, fetched: Date.now() };
    }
  }
  return { now: new Date(clockCache.now.getTime()), fake: clockCache.fake };
}
export function forgetClock() { clockCache = null; }
