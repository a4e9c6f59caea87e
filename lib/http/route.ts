import "server-only";
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { ANONYMOUS, recordAuditEvent } from "@/lib/audit/record-audit-event";
import { userFromRequest } from "@/lib/auth/session";
import { hasRole, type Role, type SessionUser } from "@/lib/auth/roles";
import { getDb, type Db } from "@/lib/db/client";
import { AppError, BadRequestError, ForbiddenError, UnauthenticatedError } from "@/lib/errors";

/** Who may call a handler: a role (viewer < operator < admin) or anyone. */
export type RequiredRole = Role | "public";

export interface RequestContext<U extends SessionUser | null = SessionUser> {
  user: U;
  db: Db;
  requestId: string;
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

const REQUEST_ID = /^[A-Za-z0-9._-]{8,100}$/;

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

async function readBody(request: Request): Promise<unknown> {
  if (request.method === "GET" || request.method === "HEAD") return undefined;
  const text = await request.text();
  if (text.trim() === "") return undefined;
  if (!(request.headers.get("content-type") ?? "").includes("application/json")) {
    throw new BadRequestError("Send the request body as JSON (Content-Type: application/json).");
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new BadRequestError("The request body is not valid JSON.");
  }
}

async function auditDenial(db: Db, request: Request, requestId: string, user: SessionUser | null, required: Role) {
  const url = new URL(request.url);
  await recordAuditEvent(db, {
    actor: user ? { id: user.id, email: user.email } : ANONYMOUS,
    action: "api.access",
    outcome: user ? "denied" : "unauthenticated",
    payload: { method: request.method, path: url.pathname, requiredRole: required, role: user?.role ?? null },
    requestId,
  }).catch((error: unknown) => console.error(`[${requestId}] could not audit a denied request`, error));
}

/**
 * The one wrapper every API route handler goes through: request id, session and role check
 * (denials audited), zod-parsed input, and errors mapped to JSON.
 */
export function route<R extends RequiredRole, Q extends Schema | undefined = undefined, B extends Schema | undefined = undefined, P extends Schema | undefined = undefined>(
  spec: RouteSpec<Q, B, P> & { role: R },
  handler: (args: HandlerArgs<R, Q, B, P>) => Promise<unknown>,
): RouteHandler {
  const wrapped = async (request: Request, context: { params: Promise<Record<string, string | string[]>> }) => {
    const incoming = request.headers.get("x-request-id");
    const requestId = incoming && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    const db = getDb();
    try {
      const user = await userFromRequest(db, request);
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
        body: (spec.body ? spec.body.parse(await readBody(request)) : undefined) as Parsed<B>,
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
