/** Joins class names, skipping falsy ones (conditional classes read as `flag && "class"`). */
export function cx(...classes: Array<string | false | null | undefined>): string {
  return classes.filter(Boolean).join(" ");
}
