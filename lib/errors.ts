/**
 * The application's error family. Domain code throws these; lib/http maps them to HTTP
 * responses. `message` is always safe to show a person: what happened and what to do next.
 */
export type ErrorCode =
  | "bad_request"
  | "payload_too_large"
  | "unsupported_media_type"
  | "unauthenticated"
  | "forbidden"
  | "not_found"
  | "conflict"
  | "unavailable"
  | "configuration"
  | "internal";

export class AppError extends Error {
  readonly code: ErrorCode = "internal";
  readonly status: number = 500;
  /** Structured detail safe to return to the client (never secrets). */
  readonly details?: unknown;

  constructor(message: string, options?: { cause?: unknown; details?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.details = options?.details;
  }
}

export class BadRequestError extends AppError {
  override readonly code = "bad_request";
  override readonly status = 400;
}

export class UnauthenticatedError extends AppError {
  override readonly code = "unauthenticated";
  override readonly status = 401;
}

/** A request body over the API's size limit (413). */
export class PayloadTooLargeError extends AppError {
  override readonly code = "payload_too_large";
  override readonly status = 413;
}

/** A request body that is not `application/json` (415). */
export class UnsupportedMediaTypeError extends AppError {
  override readonly code = "unsupported_media_type";
  override readonly status = 415;
}

export class ForbiddenError extends AppError {
  override readonly code = "forbidden";
  override readonly status = 403;
}

export class NotFoundError extends AppError {
  override readonly code = "not_found";
  override readonly status = 404;
}

export class ConflictError extends AppError {
  override readonly code = "conflict";
  override readonly status = 409;
}

/** Something outside us (a database, an object store, AWS) is unreachable or refusing. */
export class UnavailableError extends AppError {
  override readonly code = "unavailable";
  override readonly status = 503;
}

export class ConfigurationError extends AppError {
  override readonly code = "configuration";
  override readonly status = 500;
}

/**
 * The string `code` a thrown value carries, if any: a Node system error's "ENOENT", a PostgreSQL
 * SQLSTATE such as "28P01". Any object qualifies, not only an Error: fetch reports the network
 * failure as its error's `cause`, which callers pass here.
 */
export function errorCode(error: unknown): string | undefined {
  const code = typeof error === "object" && error !== null && "code" in error ? error.code : undefined;
  return typeof code === "string" ? code : undefined;
}

/** A thrown value in words, for logs and notes: an Error's message, anything else as a string. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
