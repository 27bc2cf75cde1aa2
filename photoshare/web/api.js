// Talking to the PhotoShare API: JSON requests, the token pair, refresh on 401, uploads.
//
// Tokens live in memory and in sessionStorage (so a reload keeps you logged in, closing the
// tab forgets you); never in localStorage.

const API_BASE = new URL("api/v1/", document.baseURI);
const STORAGE_KEY = "photoshare.tokens";

let tokens = readStoredTokens();
let refreshing = null;

/** Fired when the session ends without the person asking ("expired"). */
export const sessionEvents = new EventTarget();

export class ApiError extends Error {
  /** retryAfter: the seconds a 429's Retry-After asks to wait, or null. */
  constructor(status, detail, retryAfter = null) {
    super(status === 429 ? describeTooMany(detail, retryAfter) : describeDetail(detail, status));
    this.name = "ApiError";
    this.status = status;
    this.detail = detail;
    this.retryAfter = retryAfter;
  }
}

/** A Retry-After header (delay-seconds or an HTTP date) as whole seconds from now, or null. */
export function retryAfterSeconds(header) {
  if (!header) return null;
  const seconds = /^\s*\d+\s*$/.test(header)
    ? Number(header)
    : Math.ceil((Date.parse(header) - Date.now()) / 1000);
  return Number.isFinite(seconds) ? Math.max(1, seconds) : null;
}

/** How long to wait, as people say it: "30 seconds", "1 minute", "12 minutes". */
export function waitPhrase(seconds) {
  if (seconds < 60) return `${seconds} ${seconds === 1 ? "second" : "seconds"}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} ${minutes === 1 ? "minute" : "minutes"}`;
}

/**
 * A 429 as one sentence: what the server says was too much ("Too many comments"), then when to
 * try again, read from Retry-After rather than the server's own vaguer wording.
 */
export function describeTooMany(detail, retryAfter) {
  const said = typeof detail === "string" ? detail.split(/[;.,]\s*try again/i)[0].trim() : "";
  const what = /^too many /i.test(said) ? said : "Too many requests";
  return retryAfter ? `${what}; try again in ${waitPhrase(retryAfter)}.` : `${what}; try again later.`;
}

/** The API's `detail` as one readable sentence: a string, or FastAPI's list of {loc, msg}. */
export function describeDetail(detail, status) {
  if (typeof detail === "string" && detail) return detail;
  if (Array.isArray(detail) && detail.length) {
    return detail
      .map((item) => {
        const message = String(item?.msg ?? item).replace(/^Value error, /, "");
        const where = (item?.loc ?? []).filter((part) => part !== "body" && typeof part === "string");
        return where.length ? `${where.join(".")}: ${message}` : message;
      })
      .join("; ");
  }
  if (status === 0) return "The server could not be reached; check your connection and try again.";
  return `The request failed (HTTP ${status}).`;
}

function readStoredTokens() {
  try {
    const stored = JSON.parse(sessionStorage.getItem(STORAGE_KEY) ?? "null");
    return stored?.access_token && stored?.refresh_token ? stored : null;
  } catch {
    return null;
  }
}

function storeTokens(pair) {
  tokens = pair ? { access_token: pair.access_token, refresh_token: pair.refresh_token } : null;
  if (tokens) sessionStorage.setItem(STORAGE_KEY, JSON.stringify(tokens));
  else sessionStorage.removeItem(STORAGE_KEY);
}

export function hasSession() {
  return tokens !== null;
}

export function apiUrl(path, query) {
  const url = new URL(path.replace(/^\//, ""), API_BASE);
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== "") url.searchParams.set(key, value);
  }
  return url;
}

/**
 * Spend the refresh token once, however many requests saw a 401 at the same moment: the first
 * caller refreshes, the others wait for it. A caller whose token was already replaced just
 * retries with the new one.
 */
async function refreshSession(staleAccessToken) {
  if (tokens && tokens.access_token !== staleAccessToken) return true;
  if (!tokens) return false;
  refreshing ??= (async () => {
    try {
      const response = await fetch(apiUrl("auth/refresh"), {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ refresh_token: tokens.refresh_token }),
      });
      if (!response.ok) return false;
      storeTokens(await response.json());
      return true;
    } catch {
      return false;
    }
  })().finally(() => {
    refreshing = null;
  });
  return refreshing;
}

function endSession(reason) {
  storeTokens(null);
  sessionEvents.dispatchEvent(new CustomEvent("ended", { detail: { reason } }));
}

async function readBody(response) {
  if (response.status === 204) return null;
  const type = response.headers.get("content-type") ?? "";
  if (type.includes("json")) {
    try {
      return await response.json();
    } catch {
      return null;
    }
  }
  return await response.text();
}

/**
 * Call the API. Options: method, query, json (a body to send as JSON), form (URLSearchParams
 * or FormData), auth (send the token; default true), full (resolve to {status, data}).
 * Rejects with ApiError carrying the server's detail.
 */
export async function request(path, options = {}) {
  const { method = "GET", query, json, form, auth = true, full = false } = options;
  const url = apiUrl(path, query);
  const send = async () => {
    const headers = { Accept: "application/json" };
    let body;
    if (json !== undefined) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(json);
    } else if (form !== undefined) {
      body = form;
    }
    const sentToken = auth ? tokens?.access_token : undefined;
    if (sentToken) headers.Authorization = `Bearer ${sentToken}`;
    try {
      return { response: await fetch(url, { method, headers, body }), sentToken };
    } catch {
      throw new ApiError(0, null);
    }
  };

  let { response, sentToken } = await send();
  if (response.status === 401 && auth) {
    if (sentToken && (await refreshSession(sentToken))) {
      ({ response } = await send());
    }
    if (response.status === 401) {
      const detail = (await readBody(response))?.detail;
      endSession(sentToken ? "expired" : "required");
      throw new ApiError(401, detail);
    }
  }
  const data = await readBody(response);
  if (!response.ok) {
    const retryAfter = retryAfterSeconds(response.headers.get("Retry-After"));
    throw new ApiError(response.status, data?.detail, retryAfter);
  }
  return full ? { status: response.status, data } : data;
}

/**
 * Send multipart form data with XMLHttpRequest so the upload's progress can be shown.
 * onProgress(fraction) is called as bytes go out; 401 refreshes once like request().
 */
export async function upload(path, formData, { method = "POST", onProgress } = {}) {
  const url = apiUrl(path);
  const send = (token) =>
    new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open(method, url);
      xhr.setRequestHeader("Accept", "application/json");
      if (token) xhr.setRequestHeader("Authorization", `Bearer ${token}`);
      xhr.upload.addEventListener("progress", (event) => {
        if (event.lengthComputable && onProgress) onProgress(event.loaded / event.total);
      });
      xhr.addEventListener("load", () => {
        let data = null;
        try {
          data = xhr.responseText ? JSON.parse(xhr.responseText) : null;
        } catch {
          data = null;
        }
        const retryAfter = retryAfterSeconds(xhr.getResponseHeader("Retry-After"));
        resolve({ status: xhr.status, data, retryAfter });
      });
      xhr.addEventListener("error", () =>
        reject(
          new ApiError(
            0,
            "The upload did not reach the server; the file may be too large, or the connection dropped.",
          ),
        ),
      );
      xhr.send(formData);
    });

  const sentToken = tokens?.access_token;
  let result = await send(sentToken);
  if (result.status === 401) {
    if (sentToken && (await refreshSession(sentToken))) {
      onProgress?.(0);
      result = await send(tokens.access_token);
    }
    if (result.status === 401) {
      endSession(sentToken ? "expired" : "required");
      throw new ApiError(401, result.data?.detail);
    }
  }
  if (result.status < 200 || result.status >= 300) {
    throw new ApiError(result.status, result.data?.detail, result.retryAfter);
  }
  return result.data;
}

/** Log in with the OAuth2 password form; keeps the new token pair. */
export async function login(username, password) {
  const form = new URLSearchParams({ username, password });
  const pair = await request("auth/login", { method: "POST", form, auth: false });
  storeTokens(pair);
}

/** Log out on the server (best effort) and forget the tokens here either way. */
export async function logout() {
  const token = tokens?.access_token;
  storeTokens(null);
  if (!token) return;
  try {
    await fetch(apiUrl("auth/logout"), {
      method: "POST",
      headers: { Authorization: `Bearer ${token}` },
    });
  } catch {
    // Already forgotten locally; the token expires on its own.
  }
}
