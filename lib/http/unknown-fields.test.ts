import { describe, expect, it } from "vitest";
import { z } from "zod";
import { PitrTargetChoice } from "@/lib/restore/pitr/plan";
import { findUnknownFields, parseStrict } from "./unknown-fields";

describe("findUnknownFields", () => {
  const Refined = z.object({ title: z.string(), at: z.coerce.date().optional() }).refine(() => true, { message: "never" });

  it("names top-level and nested unknown keys, through refine, optional, default, omit, extend and arrays", () => {
    expect(findUnknownFields(Refined, { title: "x", tilte: "typo" })).toEqual([["tilte"]]);
    const Review = z.object({
      text: z
        .string()
        .nullish()
        .transform((v) => v ?? null),
      followUps: z.array(z.object({ id: z.string().optional(), owner: z.string() })).default([]),
    });
    expect(findUnknownFields(Review, { text: null, followUps: [{ owner: "a" }, { owner: "b", own: "c" }] })).toEqual([
      ["followUps", 1, "own"],
    ]);
    const Base = z.object({ runId: z.string(), confirmation: z.string().optional(), terminateSessions: z.boolean().default(false) });
    expect(findUnknownFields(Base.omit({ runId: true }).optional(), { runId: "x", confirmation: "y" })).toEqual([["runId"]]);
    expect(findUnknownFields(Base.extend({ reason: z.string() }), { runId: "x", reason: "r", extra: 1 })).toEqual([["extra"]]);
  });

  it("picks the union option the value is", () => {
    const Start = z.object({ environment: z.string().optional(), target: PitrTargetChoice });
    expect(findUnknownFields(Start, { target: { kind: "latest" } })).toEqual([]);
    expect(findUnknownFields(Start, { target: { kind: "latest", time: "2026-11-25T14:30:00Z" } })).toEqual([["target", "time"]]);
    expect(findUnknownFields(Start, { target: { kind: "time", time: "2026-11-25T14:30:00Z", zone: "UTC" } })).toEqual([["target", "zone"]]);
  });

  it("leaves loose objects, records and non-objects alone", () => {
    expect(findUnknownFields(z.looseObject({ a: z.string() }), { a: "x", b: 1 })).toEqual([]);
    expect(findUnknownFields(z.record(z.string(), z.number()), { any: 1 })).toEqual([]);
    expect(findUnknownFields(z.object({ a: z.string() }), "text")).toEqual([]);
  });
});

describe("parseStrict", () => {
  const Note = z.object({ text: z.string().min(1) });

  it("returns the parsed value when every field is known", () => {
    expect(parseStrict(Note, { text: "hi" })).toEqual({ text: "hi" });
  });

  it("throws one ZodError naming each unknown field and the other problems", () => {
    try {
      parseStrict(Note, { text: "", colour: "red" });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(z.ZodError);
      const issues = (error as z.ZodError).issues.map((i) => `${i.path.join(".")}: ${i.message}`);
      expect(issues).toContain("colour: unknown field; remove it");
      expect(issues.some((i) => i.startsWith("text:"))).toBe(true);
    }
  });

  it("names an unknown field once, also for a schema that is already strict", () => {
    const issues = Note.strict().safeParse({ text: "x", colour: "red" }).error?.issues;
    expect(issues?.[0]?.code).toBe("unrecognized_keys");
    try {
      parseStrict(Note.strict(), { text: "x", colour: "red" });
      expect.unreachable();
    } catch (error) {
      expect((error as z.ZodError).issues.map((i) => i.path.join("."))).toEqual(["colour"]);
    }
  });
});
