-- A run started from an incident says which: its evidence goes to that incident alone.
ALTER TABLE "restore_runs" ADD COLUMN "incident_id" UUID;
ALTER TABLE "restore_runs" ADD CONSTRAINT "restore_runs_incident_id_fkey" FOREIGN KEY ("incident_id") REFERENCES "incidents"("id") ON DELETE SET NULL ON UPDATE CASCADE;
