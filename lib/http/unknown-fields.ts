import { z } from "zod";

type Path = Array<string | number>;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The fields of `value` that `schema` does not know, as paths (e.g. `["target", "extra"]`).
 *
 * zod objects strip unknown keys by default, so a misspelt or invented field would be silently
 * dropped. Rather than rebuild every route's schema with `.strict()` (and every `.omit`,
 * `.extend`, `.optional` and union around it), this walks the schema beside the raw input and
 * names each key no object in the schema declares. Objects that declare a catch-all
 * (`z.looseObject`, `.catchall()`) and records accept any key.
 */
export function findUnknownFields(schema: z.ZodType, value: unknown, path: Path = []): Path[] {
  if (schema instanceof z.ZodObject) {
    if (!isPlainObject(value)) return [];
    const shape = schema.shape as Record<string, z.ZodType>;
    // A declared catch-all other than `never` (strict) accepts every other key.
    const catchall = schema._zod.def.catchall;
    const acceptsAny = catchall !== undefined && !(catchall instanceof z.ZodNever);
    const unknown: Path[] = [];
    for (const [key, child] of Object.entries(value)) {
      const field = shape[key];
      if (field) unknown.push(...findUnknownFields(field, child, [...path, key]));
      else if (!acceptsAny) unknown.push([...path, key]);
    }
    return unknown;
  }
  if (
    schema instanceof z.ZodOptional ||
    schema instanceof z.ZodNullable ||
    schema instanceof z.ZodDefault ||
    schema instanceof z.ZodPrefault ||
    schema instanceof z.ZodNonOptional ||
    schema instanceof z.ZodReadonly ||
    schema instanceof z.ZodCatch
  ) {
    if (value === undefined || value === null) return [];
    return findUnknownFields(schema._zod.def.innerType as z.ZodType, value, path);
  }
  if (schema instanceof z.ZodPipe) return findUnknownFields(schema._zod.def.in as z.ZodType, value, path);
  if (schema instanceof z.ZodLazy) return findUnknownFields(schema._zod.def.getter() as z.ZodType, value, path);
  if (schema instanceof z.ZodArray) {
    if (!Array.isArray(value)) return [];
    return value.flatMap((item, index) => findUnknownFields(schema.element as z.ZodType, item, [...path, index]));
  }
  if (schema instanceof z.ZodIntersection) {
    // A key is unknown only if neither side knows it.
    const right = new Set(findUnknownFields(schema._zod.def.right as z.ZodType, value, path).map((p) => JSON.stringify(p)));
    return findUnknownFields(schema._zod.def.left as z.ZodType, value, path).filter((p) => right.has(JSON.stringify(p)));
  }
  if (schema instanceof z.ZodUnion) {
    const options = schema.options as z.ZodType[];
    // The option the value is (the one that parses); if none does, the parse error says why,
    // and a key is reported only if no option knows it.
    const matching = options.find((option) => option.safeParse(value).success);
    if (matching) return findUnknownFields(matching, value, path);
    const perOption = options.map((option) => new Set(findUnknownFields(option, value, path).map((p) => JSON.stringify(p))));
    const [first, ...rest] = perOption;
    if (!first) return [];
    return [...first].filter((key) => rest.every((set) => set.has(key))).map((key) => JSON.parse(key) as Path);
  }
  return [];
}

/**
 * Parses `value` with `schema`, refusing unknown fields: one ZodError (mapped to a 400 by the
 * route wrapper) naming each unknown field and every other problem.
 */
export function parseStrict<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const unknown = findUnknownFields(schema, value);
  const result = schema.safeParse(value);
  if (unknown.length === 0 && result.success) return result.data;
  const issues: z.core.$ZodIssue[] = unknown.map((fieldPath) => ({
    code: "custom",
    path: fieldPath,
    message: "unknown field; remove it",
    input: undefined,
  }));
  // A schema that is already strict reports the same keys itself; say it once.
  if (!result.success) issues.push(...result.error.issues.filter((issue) => unknown.length === 0 || issue.code !== "unrecognized_keys"));
  throw new z.ZodError(issues);
}
