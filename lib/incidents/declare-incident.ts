import { z } from "zod";
import { recordAuditEvent } from "@/lib/audit/record-audit-event";
import { getEnvironment, loadConfig } from "@/lib/config/load-config";
import type { EnvironmentConfig } from "@/lib/config/schema";
import { withTransaction, type Ctx } from "@/lib/db/ctx";
import { BadRequestError, ConfigurationError, NotFoundError } from "@/lib/errors";
import { appendIncidentEvent } from "./append-incident-event";
import { ChecklistPhases } from "./checklist";
import { incidentMessage, notify } from "./notify";
import { SEVERITIES } from "./state";

/** Clocks differ a little between people's machines; more than this in the future is a mistake. */
const FUTURE_TOLERANCE_MS = 5 * 60_000;

export const DeclareIncidentInput = z
  .object({
    title: z.string().trim().min(3, "say what happened, in at least 3 characters").max(200),
    severity: z.enum(SEVERITIES, { error: "expected sev1, sev2, sev3 or sev4" }),
    environment: z.string().trim().min(1, "choose an environment"),
    scope: z.string().trim().min(3, "describe the scope of the data loss").max(5000),
    /** When the incident began; defaults to now. */
    startedAt: z.coerce.date({ error: "must be a date and time" }).optional(),
    lastKnownGoodAt: z.coerce.date({ error: "must be a date and time" }).nullish(),
    /** Declared from a failed restore run. */
    fromRunId: z.uuid("must be a run id").nullish(),
  })
  .refine((v) => !v.lastKnownGoodAt || v.lastKnownGoodAt <= (v.startedAt ?? new Date()), {
    message: "must not be after the incident start",
    path: ["lastKnownGoodAt"],
  });
export type DeclareIncidentInput = z.input<typeof DeclareIncidentInput>;

/** An unknown environment is a mistake in the request (400), not a missing page. */
function configuredEnvironment(name: string): EnvironmentConfig {
  try {
    return getEnvironment(loadConfig().config, name);
  } catch (error) {
    if (error instanceof NotFoundError) throw new BadRequestError(error.message);
    throw error;
  }
}

/**
 * Opens an incident with its own copy of the current checklist (so later template edits never
 * change it), puts "declared" on its timeline, and then announces it by webhook.
 */
export async function declareIncident({ ctx, input: raw }: { ctx: Ctx; input: DeclareIncidentInput }): Promise<{ id: string }> {
  const input = DeclareIncidentInput.parse(raw);
  const now = new Date();
  const startedAt = input.startedAt ?? now;
  if (startedAt.getTime() > now.getTime() + FUTURE_TOLERANCE_MS) {
    throw new BadRequestError("The incident start is in the future. Give the time it began (UTC), or leave it empty for now.");
  }
  const environment = configuredEnvironment(input.environment);

  const incident = await withTransaction(ctx, async ({ db: tx }) => {
    const template = await tx.checklistTemplate.findFirst({ where: { isCurrent: true }, orderBy: { createdAt: "desc" } });
    if (!template)
      throw new ConfigurationError("There is no current checklist template. An admin must save one under Incidents → Checklist template.");
    const phases = ChecklistPhases.parse(template.phases);
    const created = await tx.incident.create({
      data: {
        title: input.title,
        severity: input.severity,
        environment: environment.name,
        scope: input.scope,
        startedAt,
        lastKnownGoodAt: input.lastKnownGoodAt ?? null,
        declaredAt: now,
        declaredById: ctx.user.id,
        declaredByEmail: ctx.user.email,
        checklistTemplateId: template.id,
        templateVersion: template.version,
        createdFromRunId: input.fromRunId ?? null,
        items: {
          create: phases.flatMap((phase) =>
            phase.items.map((item, position) => ({ phaseKey: phase.key, position, text: item.text, autoTick: item.autoTick ?? null })),
          ),
        },
      },
    });
    const actorEmail = ctx.user.email;
    await appendIncidentEvent(tx, {
      incidentId: created.id,
      actorEmail,
      type: "declared",
      at: now,
      payload: {
        title: created.title,
        severity: created.severity,
        environment: created.environment,
        scope: created.scope,
        startedAt: startedAt.toISOString(),
        lastKnownGoodAt: created.lastKnownGoodAt?.toISOString() ?? null,
        template: { name: template.name, version: template.version },
      },
    });
    if (created.createdFromRunId) {
      await appendIncidentEvent(tx, {
        incidentId: created.id,
        actorEmail,
        type: "run-linked",
        at: now,
        payload: { runId: created.createdFromRunId, href: `/restores/${created.createdFromRunId}` },
      });
    }
    await recordAuditEvent(tx, {
      actor: ctx.user,
      action: "incident.declare",
      subject: { type: "incident", id: created.id },
      payload: { title: created.title, severity: created.severity, environment: created.environment, fromRunId: created.createdFromRunId },
      requestId: ctx.requestId,
    });
    return created;
  });

  await notify({
    ctx,
    input: {
      environment: incident.environment,
      incidentId: incident.id,
      event: "incident-declared",
      message: incidentMessage(
        "incident-declared",
        incident,
        `Scope: ${incident.scope}\nStarted ${startedAt.toISOString()} · declared by ${ctx.user.email}`,
      ),
    },
  });
  return { id: incident.id };
}
