// The admin API (/_sandbox/*) over fetch: JSON in, JSON out, platform errors as ApiError.

export class ApiError extends Error {
  constructor(status, body) {
    super(body && body.message ? `${status} ${body.message}` : `HTTP ${status}`);
    this.status = status;
    this.body = body; // the platform error object {category, code, message, description}
  }
}

/** Query string of the non-empty values of params. */
export function query(params = {}) {
  const pairs = Object.entries(params).filter(([, v]) => v !== undefined && v !== null && v !== "");
  return pairs.length ? "?" + new URLSearchParams(pairs).toString() : "";
}

/**
 * api("users", {query: {q: "kim"}}), api("users", {method: "POST", body: {...}}):
 * path is relative to /_sandbox/.
 */
export async function api(path, { method = "GET", body, params } = {}) {
  const init = { method, headers: { Accept: "application/json" } };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await fetch(`/_sandbox/${path}${query(params)}`, init);
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = { message: text.slice(0, 200) };
  }
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}
