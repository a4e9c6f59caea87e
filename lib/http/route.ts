import "server-only";
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { recordAuditEvent } from "@/lib/audit/record-audit-event";
import { recordAnonymousFailure, routeOf } from "@/lib/audit/record-anonymous-failure";
import { apiTokenOf, userFromApiToken } from "@/lib/auth/api-token";
import { userFromRequest } from "@/lib/auth/session";
import { hasRole, type Role, type SessionUser } from "@/lib/auth/roles";
import { getDb, type Db } from "@/lib/db/client";
import type { ClientCtx } from "@/lib/db/ctx";
import { getEnv } from "@/lib/env";
import { AppError, ForbiddenError, UnauthenticatedError } from "@/lib/errors";
import { readJsonBody } from "./body";
import { checkSameOrigin, isSafeMethod, originOf } from "./same-origin";
import { parseStrict } from "./unknown-fields";

/** Who may call a handler: a role (viewer < operator < admin) or anyone. */
export type RequiredRole = Role | "public";

/** A handler's ctx: the verbs' Ctx (on the client, outside any transaction) plus the request itself. */
export interface RequestContext<U extends SessionUser | null = SessionUser> extends ClientCtx<U> {
  request: Request;
}

type Schema = z.ZodType;
type Parsed<S> = S extends z.ZodType ? z.infer<S> : undefined;

export interface RouteSpec<Q extends Schema | undefined, B extends Schema | undefined, P extends Schema | undefined> {
  role: RequiredRole;
  query?: Q;
  body?: B;
  params?: P;
}

type UserFor<R extends RequiredRole> = R extends "public" ? SessionUser | null : SessionUser;

export interface HandlerArgs<R extends RequiredRole, Q, B, P> {
  ctx: RequestContext<UserFor<R>>;
  input: { query: Parsed<Q>; body: Parsed<B>; params: Parsed<P> };
}

/** What Next.js calls; `requiredRole` lets a test prove every handler declares one. */
export type RouteHandler = ((request: Request, context: { params: Promise<Record<string, string | string[]>> }) => Promise<Response>) & {
  requiredRole: RequiredRole;
};

export function errorResponse(error: unknown, requestId: string): Response {
  const headers = { "x-request-id": requestId };
  if (error instanceof z.ZodError) {
    return Response.json(
      {
        error: {
          code: "bad_request",
          message: "The request is not valid: " + error.issues.map((i) => `${i.path.join(".") || "input"}: ${i.message}`).join("; "),
          issues: error.issues.map((i) => ({ path: i.path.map(String), message: i.message })),
        },
      },
      { status: 400, headers },
    );
  }
  if (error instanceof AppError) {
    return Response.json(
      { error: { code: error.code, message: error.message, ...(error.details === undefined ? {} : { details: error.details }) } },
      { status: error.status, headers },
    );
  }
  // Unknown failures are logged with the request id; the person gets the id, never the internals.
  console.error(`[${requestId}] unhandled error`, error);
  return Response.json(
    { error: { code: "internal", message: `Something went wrong on our side. Quote request id ${requestId} when reporting it.` } },
    { status: 500, headers },
  );
}

/**
 * The body of a mutating request, bounded and exactly JSON (see ./body). Read for every
 * non-GET route, with or without a body schema, so no route skips the checks. A route without
 * a body schema takes no fields: `{}` (or nothing) is all it accepts.
 */
async function readBody<B extends Schema | undefined>(request: Request, schema: B): Promise<Parsed<B>> {
  if (request.method === "GET" || request.method === "HEAD") return undefined as Parsed<B>;
  const body = await readJsonBody(request);
  if (schema) return parseStrict(schema, body) as Parsed<B>;
  if (body !== undefined && body !== null) parseStrict(z.object({}), body);
  return undefined as Parsed<B>;
}

const CSRF_REFUSAL =
  "This request did not come from a Restore Console page (its Origin is missing or another site's), so it was refused. Use the app itself, or send Origin: <the app's URL>.";

/**
 * Same-origin proof for every state-changing request (CSRF). Checked before the session is
 * read, so the answer is the same 403 whoever the browser belongs to and whatever their role:
 * a cross-site page learns nothing from it, and never reaches the role check, the body or a
 * verb. The session is looked up only to name whose browser was used: a refusal with a
 * signed-in victim is audited (`api.csrf_refused`); one without a session is counted.
 */
async function refuseCrossSite(db: Db, request: Request, requestId: string): Promise<ForbiddenError | null> {
  if (isSafeMethod(request.method)) return null;
  const publicUrl = getEnv().NEXTAUTH_URL;
  const verdict = checkSameOrigin(request.headers, publicUrl ? originOf(publicUrl) : "");
  if (verdict.ok) return null;
  const user = await userFromRequest(db, request).catch(() => null);
  const path = new URL(request.url).pathname;
  if (!user) {
    // Nobody's browser was used: counted per window like other anonymous failures, so a flood
    // of cross-site requests cannot grow the audit log.
    await recordAnonymousFailure(db, { kind: "api.csrf_refused", source: routeOf(request.method, path) }).catch((error: unknown) =>
      console.error(`[${requestId}] could not count a cross-site request`, error),
    );
    return new ForbiddenError(CSRF_REFUSAL);
  }
  await recordAuditEvent(db, {
    actor: { id: user.id, email: user.email },
    action: "api.csrf_refused",
    outcome: "denied",
    payload: {
      method: request.method,
      path,
      origin: verdict.origin?.slice(0, 200) ?? null,
      secFetchSite: verdict.secFetchSite?.slice(0, 40) ?? null,
    },
    requestId,
  }).catch((error: unknown) => console.error(`[${requestId}] could not audit a cross-site request`, error));
  return new ForbiddenError(CSRF_REFUSAL);
}

async function auditDenial(db: Db, request: Request, requestId: string, user: SessionUser | null, required: Role) {
  const url = new URL(request.url);
  if (!user) {
    // Nobody to hold to account: counted per window and route, not one audit row per call.
    await recordAnonymousFailure(db, { kind: "api.unauthenticated", source: routeOf(request.method, url.pathname) }).catch(
      (error: unknown) => console.error(`[${requestId}] could not count an unauthenticated request`, error),
    );
    return;
  }
  await recordAuditEvent(db, {
    actor: { id: user.id, email: user.email },
    action: "api.access",
    outcome: "denied",
    payload: { method: request.method, path: url.pathname, requiredRole: required, role: user.role },
    requestId,
  }).catch((error: unknown) => console.error(`[${requestId}] could not audit a denied request`, error));
}

/**
 * Who is calling. An API token (`Authorization: Bearer rct_…`) stands alone: it is no cookie, a
 * browser never attaches it to another site's request, so the same-origin proof does not apply;
 * an unknown, expired or revoked one is refused (401, counted). Otherwise the session cookie,
 * after the same-origin proof for every state-changing request.
 */
async function callerOf(db: Db, request: Request, requestId: string): Promise<SessionUser | null> {
  const token = apiTokenOf(request.headers);
  if (token !== null) {
    const user = await userFromApiToken(db, token);
    if (user) return user;
    await recordAnonymousFailure(db, { kind: "api.token_refused", source: routeOf(request.method, new URL(request.url).pathname) }).catch(
      (error: unknown) => console.error(`[${requestId}] could not count a refused token`, error),
    );
    throw new UnauthenticatedError("The API token is unknown, expired or revoked. Ask an admin for a new one (People → API tokens).");
  }
  const crossSite = await refuseCrossSite(db, request, requestId);
  if (crossSite) throw crossSite;
  return userFromRequest(db, request);
}

/**
 * The one wrapper every API route handler goes through, in this order: a server-generated
 * request id; an API token, or same-origin proof for every non-GET (403, audited) and the session; role check
 * (denials audited); the body bounded (413), exactly JSON (415) and strict (unknown fields
 * 400); zod-parsed input; errors mapped to JSON.
 */
export function route<
  R extends RequiredRole,
  Q extends Schema | undefined = undefined,
  B extends Schema | undefined = undefined,
  P extends Schema | undefined = undefined,
>(spec: RouteSpec<Q, B, P> & { role: R }, handler: (args: HandlerArgs<R, Q, B, P>) => Promise<unknown>): RouteHandler {
  const wrapped = async (request: Request, context: { params: Promise<Record<string, string | string[]>> }) => {
    // Always ours: a client-supplied x-request-id would let a caller forge audit correlation.
    const requestId = randomUUID();
    const db = getDb();
    try {
      const user = await callerOf(db, request, requestId);
      if (spec.role !== "public") {
        if (!user) {
          await auditDenial(db, request, requestId, null, spec.role);
          throw new UnauthenticatedError("Sign in to use this endpoint.");
        }
        if (!hasRole(user.role, spec.role)) {
          await auditDenial(db, request, requestId, user, spec.role);
          throw new ForbiddenError(`This action needs the ${spec.role} role; you are signed in as ${user.role}.`);
        }
      }
      const url = new URL(request.url);
      const input = {
        query: (spec.query ? spec.query.parse(Object.fromEntries(url.searchParams)) : undefined) as Parsed<Q>,
        body: (await readBody(request, spec.body)) as Parsed<B>,
        params: (spec.params ? spec.params.parse(await context.params) : undefined) as Parsed<P>,
      };
      const ctx = { user: user as UserFor<R>, db, requestId, request };
      const result = await handler({ ctx, input });
      if (result instanceof Response) {
        result.headers.set("x-request-id", requestId);
        return result;
      }
      return Response.json(result ?? null, { headers: { "x-request-id": requestId } });
    } catch (error) {
      return errorResponse(error, requestId);
    }
  };
  return Object.assign(wrapped, { requiredRole: spec.role });
}
