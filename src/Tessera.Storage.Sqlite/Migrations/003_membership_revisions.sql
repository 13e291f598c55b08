-- Issue 5: memberships join the change log. Like policies and instances they carry the revision of their last
-- change, and an ended membership is kept, marked, so that a follower of the log learns that it ended.
ALTER TABLE group_members ADD COLUMN removed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE group_members ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
CREATE INDEX group_members_revision ON group_members (revision);
CREATE INDEX service_instances_revision ON service_instances (revision);
