import type { ApprovalView } from "./approval-views";

/**
 * Not a failure: a guarded action on a four-eyes environment was recorded as a request instead of
 * being done. Thrown by the action's verb after every check passed; the route answers 202 with the
 * request (see approvalAccepted).
 */
export class ApprovalRequested extends Error {
  constructor(readonly approval: ApprovalView) {
    super(
      `${approval.actionLabel} waits for a second person (${approval.approverRole} or above) to approve it before ${approval.expiresAt}.`,
    );
    this.name = "ApprovalRequested";
  }
}

/** What a route answers for a guarded action: its result, or 202 with the recorded request. */
export async function approvalAccepted<T>(action: Promise<T>): Promise<T | Response> {
  try {
    return await action;
  } catch (error) {
    if (error instanceof ApprovalRequested) {
      return Response.json({ approval: error.approval, message: error.message }, { status: 202 });
    }
    throw error;
  }
}
