import "server-only";
import { describe, expect, it } from "vitest";
import { finalSnapshotIdentifier, RestoreWindowError, type PitrProvider, type RestoreWindow } from "@/lib/providers/pitr";

// The promises every PitrProvider keeps, whatever is behind it (RDS through a mocked client, a
// real local PostgreSQL). Each implementation's tests call describePitrContract once.

/** A window with both ends reported, as the contract's subjects must describe. */
export type KnownWindow = RestoreWindow & { earliest: Date; latest: Date };

export interface PitrContractSubject {
  /** A fresh provider whose source has a window with both ends known, and whose run identifiers are free. */
  createProvider: () => PitrProvider | Promise<PitrProvider>;
  /** Times to try, chosen from the window the provider describes. */
  pickTimes: (window: KnownWindow) => { inside: Date; before: Date; after: Date };
  /** Whether an identifier is valid where the provider creates it (RDS naming rules, a directory name…). */
  isValidIdentifier: (identifier: string) => boolean;
  /** Asserts that nothing was created or started; called after a refused restore. */
  expectNothingStarted: () => void | Promise<void>;
}

const RUN_A = "3b241101-e2bb-4255-8caf-4136c566a962";
const RUN_B = "3b241101-e2bb-4255-8caf-4136c566a963";

async function windowOf(provider: PitrProvider): Promise<KnownWindow> {
  const window = await provider.describeWindow();
  const { earliest, latest } = window;
  if (earliest === null || latest === null) throw new Error("The contract subject must describe a window with both ends known");
  return { ...window, earliest, latest };
}

export function describePitrContract(name: string, subject: PitrContractSubject): void {
  describe(`${name} keeps the PitrProvider contract`, () => {
    it("describes a window whose earliest is not after its latest, with a lag measured from the description", async () => {
      const window = await windowOf(await subject.createProvider());
      expect(window.earliest.getTime()).toBeLessThanOrEqual(window.latest.getTime());
      expect(window.lagSeconds).toBe(Math.max(0, Math.round((window.describedAt.getTime() - window.latest.getTime()) / 1000)));
      expect(Array.isArray(window.notes)).toBe(true);
    });

    it("derives valid identifiers deterministically from the run id, different for another run", async () => {
      const provider = await subject.createProvider();
      const first = provider.resourceIdentifiers(RUN_A);
      expect(first.length).toBeGreaterThan(0);
      expect(provider.resourceIdentifiers(RUN_A)).toEqual(first);
      expect((await subject.createProvider()).resourceIdentifiers(RUN_A)).toEqual(first);
      for (const id of first) expect(subject.isValidIdentifier(id), id).toBe(true);
      const second = provider.resourceIdentifiers(RUN_B);
      for (const id of second) expect(first).not.toContain(id);
    });

    it("refuses a restore to a time after the window, before starting anything", async () => {
      const provider = await subject.createProvider();
      const { after } = subject.pickTimes(await windowOf(provider));
      await expect(provider.restore(RUN_A, { kind: "time", time: after })).rejects.toBeInstanceOf(RestoreWindowError);
      await subject.expectNothingStarted();
    });

    it("refuses a restore to a time before the window, before starting anything", async () => {
      const provider = await subject.createProvider();
      const { before } = subject.pickTimes(await windowOf(provider));
      await expect(provider.restore(RUN_A, { kind: "time", time: before })).rejects.toBeInstanceOf(RestoreWindowError);
      await subject.expectNothingStarted();
    });

    it("preflight reports a time outside the window as a failed check instead of throwing", async () => {
      const provider = await subject.createProvider();
      const { after } = subject.pickTimes(await windowOf(provider));
      const result = await provider.preflight(RUN_A, { kind: "time", time: after });
      expect(result.ok).toBe(false);
      expect(result.checks.some((check) => !check.ok)).toBe(true);
      await subject.expectNothingStarted();
    });

    it("names the final snapshot from the restored identifier: the same for a retry, another for another run", async () => {
      const provider = await subject.createProvider();
      const [restoredA] = provider.resourceIdentifiers(RUN_A);
      const [restoredB] = provider.resourceIdentifiers(RUN_B);
      const snapshot = finalSnapshotIdentifier(provider.kind, restoredA ?? "");
      expect(snapshot).not.toBe(restoredA);
      expect(finalSnapshotIdentifier(provider.kind, restoredA ?? "")).toBe(snapshot);
      expect(finalSnapshotIdentifier(provider.kind, restoredB ?? "")).not.toBe(snapshot);
    });

    it("cleans up a run that created nothing without error, deleting nothing and claiming no snapshot", async () => {
      const provider = await subject.createProvider();
      for (const finalSnapshot of [true, false]) {
        await expect(provider.cleanup(RUN_A, { finalSnapshot })).resolves.toEqual({ deleted: [], finalSnapshot: null });
      }
      await subject.expectNothingStarted();
    });

    it("preflight passes for a time inside the window when the identifiers are free", async () => {
      const provider = await subject.createProvider();
      const { inside } = subject.pickTimes(await windowOf(provider));
      const result = await provider.preflight(RUN_A, { kind: "time", time: inside });
      expect(result.checks.filter((check) => !check.ok)).toEqual([]);
      expect(result.ok).toBe(true);
      await subject.expectNothingStarted();
    });
  });
}
