import type { Db } from "@/lib/db/client";
import type { RestoreRun } from "@/lib/generated/prisma/client";
import { appendRunEvent } from "./events";

/** More lines than this are summarised: a chatty tool must not flood the run's feed. */
const MAX_MESSAGE_EVENTS = 200;

/** Tool and provider lines as events, in order, up to a cap (the raw tail is kept with a failure anyway). */
export class MessageRecorder {
  private count = 0;
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly c: { db: Db; run: Pick<RestoreRun, "id"> }) {}

  add(line: string): void {
    this.count++;
    if (this.count > MAX_MESSAGE_EVENTS + 1) return;
    const payload =
      this.count > MAX_MESSAGE_EVENTS
        ? { line: `(further messages are not shown; ${MAX_MESSAGE_EVENTS} were)`, omitted: true }
        : { line: line.slice(0, 1_000) };
    this.chain = this.chain
      .then(() => appendRunEvent(this.c.db, this.c.run.id, "message", payload))
      .catch((error: unknown) => console.error(`[restore ${this.c.run.id}] could not record a message`, error));
  }

  flush(): Promise<void> {
    return this.chain;
  }
}
