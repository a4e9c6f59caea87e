// Waiting on something outside (a store, a cloud API, a child process) for a bounded time.

/** `work`'s outcome, or a rejection saying `message` once `ms` have passed; the work itself goes on. */
export function rejectAfter<T>(work: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
