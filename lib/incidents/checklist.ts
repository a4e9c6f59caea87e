import { z } from "zod";

/** What the system can prove done, and so tick by itself (with a link to the evidence). */
export const AUTO_TICKS = ["backup-verified", "restore-started", "restore-running", "validation-passed"] as const;
export type AutoTick = (typeof AUTO_TICKS)[number];

export const AUTO_TICK_LABELS: Readonly<Record<AutoTick, string>> = {
  "backup-verified": "a backup is verified (or a PITR window described)",
  "restore-started": "a restore starts",
  "restore-running": "a linked restore is running",
  "validation-passed": "a restore's validation passes",
};

const Key = z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, "must be 1–40 lowercase letters, digits or hyphens");

export const ChecklistItemTemplate = z.object({
  key: Key,
  text: z.string().trim().min(1, "must not be empty").max(300),
  autoTick: z.enum(AUTO_TICKS).optional(),
});
export type ChecklistItemTemplate = z.infer<typeof ChecklistItemTemplate>;

export const ChecklistPhaseTemplate = z.object({
  key: Key,
  title: z.string().trim().min(1, "must not be empty").max(100),
  /** Minutes after the incident start; null: no deadline. */
  deadlineMinutes: z
    .int()
    .positive("must be more than 0 minutes")
    .max(7 * 24 * 60)
    .nullable(),
  items: z.array(ChecklistItemTemplate).min(1, "a phase needs at least one item").max(50),
});
export type ChecklistPhaseTemplate = z.infer<typeof ChecklistPhaseTemplate>;

function duplicates(values: readonly string[]): string[] {
  return values.filter((value, index) => values.indexOf(value) !== index);
}

/** A template's phases, in order; keys are unique so an incident's items map back to their phase. */
export const ChecklistPhases = z
  .array(ChecklistPhaseTemplate)
  .min(1, "a checklist needs at least one phase")
  .max(10)
  .superRefine((phases, ctx) => {
    for (const key of duplicates(phases.map((p) => p.key))) ctx.addIssue({ code: "custom", message: `duplicate phase key "${key}"` });
    phases.forEach((phase, index) => {
      for (const key of duplicates(phase.items.map((i) => i.key))) {
        ctx.addIssue({ code: "custom", path: [index, "items"], message: `duplicate item key "${key}"` });
      }
    });
  });
export type ChecklistPhases = z.infer<typeof ChecklistPhases>;
