"use client";

import { Plus, Save, Trash2 } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { useMutation } from "@tanstack/react-query";
import { Button } from "@/components/ui/button";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { apiFetch } from "@/lib/client/api";
import { AUTO_TICK_LABELS, AUTO_TICKS, type AutoTick, type ChecklistPhaseTemplate } from "@/lib/incidents/checklist";

/** A key from text, unique among `taken`: "Notify stakeholders" → "notify-stakeholders". */
function keyFor(text: string, taken: readonly string[]): string {
  const base =
    text
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-|-$/g, "")
      .slice(0, 32) || "item";
  let key = base;
  for (let n = 2; taken.includes(key); n++) key = `${base}-${n}`;
  return key;
}

/** Edits the checklist; saving makes a new version for new incidents (existing ones keep theirs). */
export function TemplateEditor({ initial, version }: { initial: ChecklistPhaseTemplate[]; version: number }) {
  const router = useRouter();
  const [phases, setPhases] = useState(initial);
  const save = useMutation({
    mutationFn: () =>
      apiFetch<{ version: number }>("/api/incidents/templates", { method: "POST", body: { phases, basedOnVersion: version } }),
    onSuccess: () => router.refresh(),
  });
  const setPhase = (index: number, change: (phase: ChecklistPhaseTemplate) => ChecklistPhaseTemplate) =>
    setPhases((current) => current.map((p, i) => (i === index ? change(p) : p)));

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!save.isPending) save.mutate();
  };

  return (
    <form onSubmit={submit} className="space-y-4" aria-label="Edit the checklist template">
      {phases.map((phase, pi) => (
        <Card key={phase.key} as="section" padding="none">
          <CardHeader
            title={phase.title || "New phase"}
            level={3}
            actions={
              <Button
                size="sm"
                variant="ghost"
                icon={<Trash2 aria-hidden />}
                disabled={phases.length === 1}
                onClick={() => setPhases((c) => c.filter((_, i) => i !== pi))}
              >
                Remove phase
              </Button>
            }
          />
          <CardBody className="space-y-3">
            <div className="grid gap-3 sm:grid-cols-[1fr_12rem]">
              <Field id={`phase-${phase.key}-title`} label="Phase title">
                {(p) => (
                  <Input
                    {...p}
                    value={phase.title}
                    required
                    maxLength={100}
                    onChange={(e) => setPhase(pi, (x) => ({ ...x, title: e.target.value }))}
                  />
                )}
              </Field>
              <Field id={`phase-${phase.key}-deadline`} label="Deadline (minutes)" hint="From the incident start; empty: none.">
                {(p) => (
                  <Input
                    {...p}
                    type="number"
                    min={1}
                    value={phase.deadlineMinutes ?? ""}
                    onChange={(e) => setPhase(pi, (x) => ({ ...x, deadlineMinutes: e.target.value ? Number(e.target.value) : null }))}
                  />
                )}
              </Field>
            </div>
            <ol className="space-y-2">
              {phase.items.map((item, ii) => (
                <li key={item.key} className="grid items-end gap-2 sm:grid-cols-[1fr_20rem_auto]">
                  <Field id={`item-${phase.key}-${item.key}`} label={`Item ${ii + 1}`}>
                    {(p) => (
                      <Input
                        {...p}
                        value={item.text}
                        required
                        maxLength={300}
                        onChange={(e) =>
                          setPhase(pi, (x) => ({ ...x, items: x.items.map((it, j) => (j === ii ? { ...it, text: e.target.value } : it)) }))
                        }
                      />
                    )}
                  </Field>
                  <Field id={`item-${phase.key}-${item.key}-auto`} label="Ticks itself when">
                    {(p) => (
                      <Select
                        {...p}
                        value={item.autoTick ?? ""}
                        onChange={(e) =>
                          setPhase(pi, (x) => ({
                            ...x,
                            items: x.items.map((it, j) =>
                              j === ii ? { ...it, autoTick: (e.target.value || undefined) as AutoTick | undefined } : it,
                            ),
                          }))
                        }
                      >
                        <option value="">never (a person ticks it)</option>
                        {AUTO_TICKS.map((tick) => (
                          <option key={tick} value={tick}>
                            {AUTO_TICK_LABELS[tick]}
                          </option>
                        ))}
                      </Select>
                    )}
                  </Field>
                  <Button
                    variant="ghost"
                    aria-label={`Remove item ${ii + 1} of ${phase.title}`}
                    icon={<Trash2 aria-hidden />}
                    disabled={phase.items.length === 1}
                    onClick={() => setPhase(pi, (x) => ({ ...x, items: x.items.filter((_, j) => j !== ii) }))}
                  />
                </li>
              ))}
            </ol>
            <Button
              size="sm"
              icon={<Plus aria-hidden />}
              onClick={() =>
                setPhase(pi, (x) => ({
                  ...x,
                  items: [
                    ...x.items,
                    {
                      key: keyFor(
                        "item",
                        x.items.map((i) => i.key),
                      ),
                      text: "",
                    },
                  ],
                }))
              }
            >
              Add item
            </Button>
          </CardBody>
        </Card>
      ))}
      <div className="flex flex-wrap items-center gap-2">
        <Button
          icon={<Plus aria-hidden />}
          onClick={() =>
            setPhases((c) => [
              ...c,
              {
                key: keyFor(
                  "phase",
                  c.map((p) => p.key),
                ),
                title: "",
                deadlineMinutes: null,
                items: [{ key: "item", text: "" }],
              },
            ])
          }
        >
          Add phase
        </Button>
        <Button type="submit" variant="primary" icon={<Save aria-hidden />} loading={save.isPending}>
          Save as version {version + 1}
        </Button>
        {save.isSuccess && (
          <p role="status" className="text-sm text-success-text">
            Saved version {save.data.version}; new incidents use it.
          </p>
        )}
      </div>
      {save.error && (
        <p role="alert" className="text-sm font-medium text-danger-text">
          {save.error.message}
        </p>
      )}
    </form>
  );
}
