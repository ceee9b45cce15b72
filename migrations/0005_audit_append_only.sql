-- The chain's head: seq 0 and the genesis hash (64 zeros) until the first event is chained.
-- Events written before the chain existed are chained by the bot, in id order, before the
-- first new event is appended (legacy_chained is false until then).
INSERT INTO "audit_chain_head" ("id", "seq", "hash", "legacy_chained")
SELECT 1, 0, repeat('0', 64), NOT EXISTS (SELECT 1 FROM "audit_events")
ON CONFLICT ("id") DO NOTHING;
--> statement-breakpoint
-- audit_events is append-only: new events must carry their place in the chain, and rows are
-- never updated or deleted, except to chain an event written before the chain existed (only
-- its chain columns, and only while the head says that is still to be done).
CREATE OR REPLACE FUNCTION "audit_events_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF NEW.seq IS NULL OR NEW.hash IS NULL OR NEW.prev_hash IS NULL THEN
      RAISE EXCEPTION 'audit_events: a new event must be chained (seq, prev_hash, hash)';
    END IF;
    RETURN NEW;
  END IF;
  IF TG_OP = 'UPDATE'
     AND OLD.seq IS NULL AND NEW.seq IS NOT NULL AND NEW.hash IS NOT NULL AND NEW.prev_hash IS NOT NULL
     AND (NEW.id, NEW.at, NEW.actor_id, NEW.action, NEW.subject_type, NEW.subject_id, NEW.details)
         IS NOT DISTINCT FROM (OLD.id, OLD.at, OLD.actor_id, OLD.action, OLD.subject_type, OLD.subject_id, OLD.details)
     AND EXISTS (SELECT 1 FROM "audit_chain_head" WHERE "id" = 1 AND NOT "legacy_chained") THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "audit_events_append_only" BEFORE INSERT OR UPDATE OR DELETE ON "audit_events"
FOR EACH ROW EXECUTE FUNCTION "audit_events_append_only"();
--> statement-breakpoint
CREATE TRIGGER "audit_events_no_truncate" BEFORE TRUNCATE ON "audit_events"
FOR EACH STATEMENT EXECUTE FUNCTION "audit_events_append_only"();
