-- CreateTable
CREATE TABLE "checklist_templates" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "phases" JSONB NOT NULL,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "is_current" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "checklist_templates_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "incidents" (
    "id" UUID NOT NULL,
    "title" TEXT NOT NULL,
    "severity" TEXT NOT NULL,
    "environment" TEXT NOT NULL,
    "scope" TEXT NOT NULL,
    "last_known_good_at" TIMESTAMPTZ(3),
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "declared_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "declared_by_id" UUID,
    "declared_by_email" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'open',
    "recovered_at" TIMESTAMPTZ(3),
    "closed_at" TIMESTAMPTZ(3),
    "checklist_template_id" UUID NOT NULL,
    "template_version" INTEGER NOT NULL,
    "went_well" TEXT,
    "went_badly" TEXT,
    "lessons" TEXT,
    "created_from_run_id" UUID,
    "recovery_run" JSONB,

    CONSTRAINT "incidents_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "incident_checklist_items" (
    "id" UUID NOT NULL,
    "incident_id" UUID NOT NULL,
    "phase_key" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "text" TEXT NOT NULL,
    "auto_tick" TEXT,
    "checked_at" TIMESTAMPTZ(3),
    "checked_by_email" TEXT,
    "note" TEXT,
    "evidence" JSONB,
    "version" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "incident_checklist_items_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "incident_events" (
    "id" BIGSERIAL NOT NULL,
    "incident_id" UUID NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor_email" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "payload" JSONB NOT NULL DEFAULT '{}',

    CONSTRAINT "incident_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "follow_up_actions" (
    "id" UUID NOT NULL,
    "incident_id" UUID NOT NULL,
    "position" INTEGER NOT NULL DEFAULT 0,
    "text" TEXT NOT NULL,
    "owner" TEXT NOT NULL,
    "due_at" TIMESTAMPTZ(3),
    "done_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "follow_up_actions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "webhook_deliveries" (
    "id" UUID NOT NULL,
    "environment" TEXT NOT NULL,
    "incident_id" UUID,
    "event" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_attempt_at" TIMESTAMPTZ(3),
    "delivered_at" TIMESTAMPTZ(3),

    CONSTRAINT "webhook_deliveries_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "checklist_templates_name_version_key" ON "checklist_templates"("name", "version");

-- CreateIndex
CREATE INDEX "incidents_started_at_idx" ON "incidents"("started_at" DESC);

-- CreateIndex
CREATE INDEX "incidents_environment_started_at_idx" ON "incidents"("environment", "started_at" DESC);

-- CreateIndex
CREATE INDEX "incidents_status_started_at_idx" ON "incidents"("status", "started_at" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "incident_checklist_items_incident_id_phase_key_position_key" ON "incident_checklist_items"("incident_id", "phase_key", "position");

-- CreateIndex
CREATE INDEX "incident_events_incident_id_at_idx" ON "incident_events"("incident_id", "at");

-- CreateIndex
CREATE INDEX "follow_up_actions_incident_id_position_idx" ON "follow_up_actions"("incident_id", "position");

-- CreateIndex
CREATE INDEX "webhook_deliveries_incident_id_created_at_idx" ON "webhook_deliveries"("incident_id", "created_at" DESC);

-- CreateIndex
CREATE INDEX "webhook_deliveries_environment_created_at_idx" ON "webhook_deliveries"("environment", "created_at" DESC);

-- AddForeignKey
ALTER TABLE "incidents" ADD CONSTRAINT "incidents_checklist_template_id_fkey" FOREIGN KEY ("checklist_template_id") REFERENCES "checklist_templates"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "incident_checklist_items" ADD CONSTRAINT "incident_checklist_items_incident_id_fkey" FOREIGN KEY ("incident_id") REFERENCES "incidents"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "incident_events" ADD CONSTRAINT "incident_events_incident_id_fkey" FOREIGN KEY ("incident_id") REFERENCES "incidents"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "follow_up_actions" ADD CONSTRAINT "follow_up_actions_incident_id_fkey" FOREIGN KEY ("incident_id") REFERENCES "incidents"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_incident_id_fkey" FOREIGN KEY ("incident_id") REFERENCES "incidents"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- Statuses and severities the app knows; lib/incidents/state.ts holds the transitions.
ALTER TABLE "incidents" ADD CONSTRAINT "incidents_status_check" CHECK ("status" IN ('open', 'recovering', 'recovered', 'closed'));
ALTER TABLE "incidents" ADD CONSTRAINT "incidents_severity_check" CHECK ("severity" IN ('sev1', 'sev2', 'sev3', 'sev4'));
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_status_check" CHECK ("status" IN ('pending', 'delivered', 'failed'));

-- The timeline is history: the database refuses to change or remove it.
CREATE FUNCTION "incident_events_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'incident_events is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER "incident_events_no_update_delete"
    BEFORE UPDATE OR DELETE ON "incident_events"
    FOR EACH ROW EXECUTE FUNCTION "incident_events_append_only"();

CREATE TRIGGER "incident_events_no_truncate"
    BEFORE TRUNCATE ON "incident_events"
    FOR EACH STATEMENT EXECUTE FUNCTION "incident_events_append_only"();

-- Every new timeline row is announced (at commit) to listeners in any process: the live incident page.
CREATE FUNCTION "incident_events_notify"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('incident_events', json_build_object('incidentId', NEW.incident_id, 'id', NEW.id)::text);
    RETURN NEW;
END;
$$;

CREATE TRIGGER "incident_events_notify"
    AFTER INSERT ON "incident_events"
    FOR EACH ROW EXECUTE FUNCTION "incident_events_notify"();

-- Version 1 of the checklist: the runbook's §3 "Emergency Recovery Checklist", phase deadlines
-- counted from the incident start. Items that the system can prove done tick themselves.
INSERT INTO "checklist_templates" ("id", "name", "version", "phases", "created_by", "is_current") VALUES (
    gen_random_uuid(),
    'Emergency Recovery Checklist',
    1,
    '[
      {"key": "immediate", "title": "Immediate actions", "deadlineMinutes": 5, "items": [
        {"key": "assess-scope", "text": "Assess scope of data loss"},
        {"key": "last-known-good", "text": "Determine last known good timestamp"},
        {"key": "verify-backup", "text": "Verify backup availability", "autoTick": "backup-verified"},
        {"key": "notify-stakeholders", "text": "Notify stakeholders"}
      ]},
      {"key": "recovery", "title": "Recovery execution", "deadlineMinutes": 30, "items": [
        {"key": "initiate-restore", "text": "Initiate PITR or logical restore", "autoTick": "restore-started"},
        {"key": "monitor-restore", "text": "Monitor restore progress", "autoTick": "restore-running"},
        {"key": "validate-data", "text": "Validate critical data integrity", "autoTick": "validation-passed"},
        {"key": "update-connections", "text": "Update DNS/connection strings if needed"}
      ]},
      {"key": "post-recovery", "title": "Post-recovery", "deadlineMinutes": null, "items": [
        {"key": "smoke-test", "text": "Full application smoke test"},
        {"key": "services-operational", "text": "Verify all services are operational"},
        {"key": "document", "text": "Document incident and lessons learned"},
        {"key": "update-monitoring", "text": "Update monitoring/alerting if needed"}
      ]}
    ]'::jsonb,
    'system',
    true
);
