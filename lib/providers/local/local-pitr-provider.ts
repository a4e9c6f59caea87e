import "server-only";
import type { LocalPitrSource } from "@/lib/config/schema";
import { cleanupRun, waitForServer } from "@/lib/providers/local/local-pitr-cluster";
import { preflightRestore } from "@/lib/providers/local/local-pitr-preflight";
import { restoreToTarget } from "@/lib/providers/local/local-pitr-restore";
import { runDir } from "@/lib/providers/local/local-pitr-run-folder";
import { LocalPitrWindow } from "@/lib/providers/local/local-pitr-window";
import type {
  PitrCallContext,
  PitrCleanupOptions,
  PitrCleanupResult,
  PitrEndpoint,
  PitrPreflight,
  PitrProvider,
  RecoveryPoint,
  RestoreWindow,
} from "@/lib/providers/pitr";

// Point-in-time recovery of a self-hosted PostgreSQL from a base backup plus its WAL archive,
// into `<restoreDir>/<run>/data` on a free loopback port. This class only wires the parts
// together, one file each: the window (local-pitr-window), the checks before a restore
// (local-pitr-preflight), the restore (local-pitr-restore), the restored server's life and
// clean-up (local-pitr-cluster), and the run's folder with its marker (local-pitr-run-folder).

export { stopRestoredServers } from "@/lib/providers/local/local-pitr-cluster";

export interface LocalPitrProviderOptions {
  now?: () => Date;
}

/**
 * Self-hosted PostgreSQL PITR: restores a base backup into a new data directory on a free
 * loopback port, replays the WAL archive to the target and promotes. How the window is measured
 * is explained on LocalPitrWindow.
 */
export class LocalPitrProvider implements PitrProvider {
  readonly kind = "local" as const;
  private readonly now: () => Date;
  /** One per provider: it caches what it read from archived segments, which never change. */
  private readonly window: LocalPitrWindow;

  constructor(
    private readonly source: LocalPitrSource,
    options: LocalPitrProviderOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
    this.window = new LocalPitrWindow(source, this.now);
  }

  resourceIdentifiers(runId: string): string[] {
    return [runDir(this.source.restoreDir, runId)];
  }

  async describeWindow(ctx?: PitrCallContext): Promise<RestoreWindow> {
    return (await this.window.describe(ctx)).window;
  }

  async preflight(runId: string, target: RecoveryPoint, ctx?: PitrCallContext): Promise<PitrPreflight> {
    return preflightRestore({ source: this.source, window: this.window }, runId, target, ctx);
  }

  async restore(runId: string, target: RecoveryPoint, ctx?: PitrCallContext): Promise<{ identifier: string; adopted: boolean }> {
    return restoreToTarget({ source: this.source, window: this.window, now: this.now }, runId, target, ctx);
  }

  /** Aurora's step; a local restore has no separate writer. */
  async createWriter(): Promise<{ identifier: string | null; adopted: boolean }> {
    return { identifier: null, adopted: false };
  }

  async waitUntilAvailable(runId: string, options: PitrCallContext & { timeoutMs: number }): Promise<PitrEndpoint> {
    return waitForServer(this.source, runId, options);
  }

  async cleanup(runId: string, options: PitrCleanupOptions, ctx?: PitrCallContext): Promise<PitrCleanupResult> {
    return cleanupRun(this.source, runId, options, ctx);
  }
}
