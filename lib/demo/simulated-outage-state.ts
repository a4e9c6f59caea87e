/** The demo's simulated primary region outage, as the Settings page and GET /api/demo/outage show it. */
export interface SimulatedOutage {
  /** The demo environment, whose primary backup store the switch stops. */
  environment: string;
  down: boolean;
  /** When the running outage began (ISO), and who began it; null while the store answers. */
  startedAt: string | null;
  startedBy: string | null;
  /** Where the primary backup store is: `s3://bucket/prefix/ at http://…`. */
  primary: string;
  /** The labels of the replicas restores fall back to while it is down. */
  replicas: string[];
}
