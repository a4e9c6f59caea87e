"use client";

import { Plus, Save, Trash2 } from "lucide-react";
import { useRouter } from "next/navigation";
import { useId, useState, type FormEvent } from "react";
import { useMutation } from "@tanstack/react-query";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { apiFetch } from "@/lib/client/api";
import type { FollowUpView } from "@/lib/incidents/incident-views";
import { IncidentTextarea } from "./incident-textarea";

interface FollowUpRow {
  key: string;
  id?: string;
  text: string;
  owner: string;
  /** yyyy-mm-dd, or "" */
  due: string;
  done: boolean;
}

export interface ReviewFormProps {
  incidentId: string;
  initial: { wentWell: string | null; wentBadly: string | null; lessons: string | null; followUps: FollowUpView[] };
}

/** The post-incident review: what went well, what did not, lessons, and follow-ups each with an owner. */
export function ReviewForm({ incidentId, initial }: ReviewFormProps) {
  const router = useRouter();
  const baseId = useId();
  const [wentWell, setWentWell] = useState(initial.wentWell ?? "");
  const [wentBadly, setWentBadly] = useState(initial.wentBadly ?? "");
  const [lessons, setLessons] = useState(initial.lessons ?? "");
  const [rows, setRows] = useState<FollowUpRow[]>(() =>
    initial.followUps.map((f) => ({
      key: f.id,
      id: f.id,
      text: f.text,
      owner: f.owner,
      due: f.dueAt?.slice(0, 10) ?? "",
      done: f.doneAt !== null,
    })),
  );
  const [added, setAdded] = useState(0);
  const save = useMutation({
    mutationFn: () =>
      apiFetch<{ followUps: FollowUpView[] }>(`/api/incidents/${incidentId}/review`, {
        method: "PUT",
        body: {
          wentWell,
          wentBadly,
          lessons,
          followUps: rows.map((r) => ({
            id: r.id,
            text: r.text,
            owner: r.owner,
            dueAt: r.due ? `${r.due}T00:00:00Z` : null,
            done: r.done,
          })),
        },
      }),
    onSuccess: ({ followUps }) => {
      // Saved actions get their ids, so the next save updates rather than duplicates them.
      setRows(
        followUps.map((f) => ({
          key: f.id,
          id: f.id,
          text: f.text,
          owner: f.owner,
          due: f.dueAt?.slice(0, 10) ?? "",
          done: f.doneAt !== null,
        })),
      );
      router.refresh();
    },
  });
  const update = (key: string, change: Partial<FollowUpRow>) =>
    setRows((current) => current.map((r) => (r.key === key ? { ...r, ...change } : r)));

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!save.isPending) save.mutate();
  };

  return (
    <form onSubmit={submit} className="space-y-4" aria-label="Post-incident review">
      <Field id={`${baseId}-well`} label="What went well">
        {(p) => <IncidentTextarea {...p} value={wentWell} onChange={(e) => setWentWell(e.target.value)} rows={4} />}
      </Field>
      <Field id={`${baseId}-badly`} label="What did not go well">
        {(p) => <IncidentTextarea {...p} value={wentBadly} onChange={(e) => setWentBadly(e.target.value)} rows={4} />}
      </Field>
      <Field id={`${baseId}-lessons`} label="Lessons learned">
        {(p) => <IncidentTextarea {...p} value={lessons} onChange={(e) => setLessons(e.target.value)} rows={4} />}
      </Field>
      <fieldset className="space-y-2">
        <legend className="text-sm font-medium">Follow-up actions</legend>
        {rows.length === 0 && <p className="text-sm text-muted">None yet. Each action needs an owner.</p>}
        {rows.map((row, index) => (
          <div
            key={row.key}
            className="grid items-end gap-2 rounded-md border border-border p-2 sm:grid-cols-[minmax(0,1fr)_10rem_auto_auto]"
          >
            <Field id={`${baseId}-f${row.key}-text`} label={`Action ${index + 1}`} className="sm:col-span-4">
              {(p) => (
                <Input {...p} value={row.text} onChange={(e) => update(row.key, { text: e.target.value })} required maxLength={1000} />
              )}
            </Field>
            <Field id={`${baseId}-f${row.key}-owner`} label="Owner">
              {(p) => (
                <Input
                  {...p}
                  value={row.owner}
                  onChange={(e) => update(row.key, { owner: e.target.value })}
                  required
                  maxLength={200}
                  placeholder="name or email"
                />
              )}
            </Field>
            <Field id={`${baseId}-f${row.key}-due`} label="Due">
              {(p) => <Input {...p} type="date" value={row.due} onChange={(e) => update(row.key, { due: e.target.value })} />}
            </Field>
            <label className="flex h-9 items-center gap-1.5 text-sm">
              <input
                type="checkbox"
                className="size-4 accent-accent"
                checked={row.done}
                onChange={(e) => update(row.key, { done: e.target.checked })}
              />
              Done
            </label>
            <Button
              variant="ghost"
              aria-label={`Remove action ${index + 1}`}
              icon={<Trash2 aria-hidden />}
              onClick={() => setRows((current) => current.filter((r) => r.key !== row.key))}
            />
          </div>
        ))}
        <Button
          size="sm"
          icon={<Plus aria-hidden />}
          onClick={() => {
            setRows((current) => [...current, { key: `new-${added}`, text: "", owner: "", due: "", done: false }]);
            setAdded((n) => n + 1);
          }}
        >
          Add follow-up action
        </Button>
      </fieldset>
      {save.error && (
        <p role="alert" className="text-sm font-medium text-danger-text">
          {save.error.message}
        </p>
      )}
      <div className="flex items-center gap-3">
        <Button type="submit" variant="primary" icon={<Save aria-hidden />} loading={save.isPending}>
          Save review
        </Button>
        {save.isSuccess && !save.isPending && (
          <p role="status" className="text-sm text-success-text">
            Saved.
          </p>
        )}
      </div>
    </form>
  );
}
