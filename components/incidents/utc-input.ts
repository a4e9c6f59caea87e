/** datetime-local inputs have no zone; ours are labelled UTC. "" → null. */
export function utcInstant(value: string): string | null {
  return value ? new Date(`${value}:00Z`).toISOString() : null;
}
