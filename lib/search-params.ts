/** A page's `searchParams` value: Next hands repeated keys over as arrays; filters use the first. */
export function firstParam(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
