import type { JobDefinition } from "./define-job";

/** Every job the worker runs. A job module adds itself here. */
export const ALL_JOBS: readonly JobDefinition[] = [];
