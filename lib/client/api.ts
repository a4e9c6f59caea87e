/** An API error as the route wrapper sends it: a message that is safe and useful to show. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** Longest part of a non-JSON error body (a proxy's or the framework's page) put into the message. */
const MAX_BODY_IN_MESSAGE = 200;

/**
 * The server's own message when it sent one (the route wrapper's `{ error: { code, message } }`);
 * otherwise what came back, in words: the status, the start of the body, the request id.
 */
export function apiErrorOf(response: Pick<Response, "status" | "statusText" | "headers">, text: string): ApiError {
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // Not JSON: a gateway's or the framework's error page, described below.
  }
  const error = (parsed as { error?: { code?: string; message?: string } } | null)?.error;
  if (error?.message) return new ApiError(response.status, error.code ?? "internal", error.message);
  const body = text
    .replace(/<(script|style)[\s\S]*?<\/\1>/gi, " ")
    .replace(/<[^>]*>/g, " ")
    .replace(/\s+/g, " ")
    .trim()
    .slice(0, MAX_BODY_IN_MESSAGE);
  const requestId = response.headers.get("x-request-id");
  const status = `${response.status}${response.statusText ? ` ${response.statusText}` : ""}`;
  return new ApiError(
    response.status,
    "internal",
    `The server answered ${status}${body ? `: ${body}` : " with no explanation"}${requestId ? ` (request id ${requestId})` : ""}.`,
  );
}

/** fetch + JSON with the app's error shape turned into ApiError. */
export async function apiFetch<T>(path: string, init: { method?: string; body?: unknown; signal?: AbortSignal } = {}): Promise<T> {
  const response = await fetch(path, {
    method: init.method ?? "GET",
    headers: init.body === undefined ? undefined : { "content-type": "application/json" },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    signal: init.signal,
    credentials: "same-origin",
  });
  const text = await response.text();
  if (!response.ok) throw apiErrorOf(response, text);
  return (text ? JSON.parse(text) : null) as T;
}
