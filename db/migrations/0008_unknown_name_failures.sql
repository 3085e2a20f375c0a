-- Keyhold schema 8: failures against usernames that have no account (S26).

-- A name without an account "locks" after as many failed sign-ins or setup codes as a real one, so
-- the lock message cannot tell the two apart. Kept in the database, like the accounts' own counters,
-- because the window and every `keyhold auth` process (a new process each time) must count together
-- and a restart must not reset a lock (S13). The name itself is never stored, only a keyed hash of it:
-- people type passwords into the username field. Bounded by the service (least recently tried go first).
CREATE TABLE unknown_name_failures (
  name_key        TEXT    PRIMARY KEY,
  failed_attempts INTEGER NOT NULL,
  locked_until    INTEGER,
  admin_locked    INTEGER NOT NULL DEFAULT 0 CHECK (admin_locked IN (0, 1)),
  updated_at      INTEGER NOT NULL
) STRICT;
CREATE INDEX unknown_name_failures_by_age ON unknown_name_failures (updated_at);
