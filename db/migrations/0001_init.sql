-- Keyhold schema 1: accounts, sessions, settings, the audit log.
-- Times are integers: milliseconds since the Unix epoch, UTC.

CREATE TABLE accounts (
  id                  INTEGER PRIMARY KEY,
  username            TEXT    NOT NULL,
  -- NFKC + lower case: usernames are unique without regard to case.
  username_key        TEXT    NOT NULL UNIQUE,
  display_name        TEXT    NOT NULL,
  email               TEXT,
  phone               TEXT,   -- E.164
  role                TEXT    NOT NULL CHECK (role IN ('admin', 'user')),
  disabled            INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
  -- PHC string: algorithm and parameters travel with the hash (S3).
  password_hash       TEXT    NOT NULL,
  password_changed_at INTEGER NOT NULL,
  -- S13: one counter of consecutive failures across every factor.
  failed_attempts     INTEGER NOT NULL DEFAULT 0 CHECK (failed_attempts >= 0),
  locked_until        INTEGER,
  admin_locked        INTEGER NOT NULL DEFAULT 0 CHECK (admin_locked IN (0, 1)),
  created_at          INTEGER NOT NULL,
  updated_at          INTEGER NOT NULL,
  last_sign_in_at     INTEGER
) STRICT;

CREATE INDEX accounts_role ON accounts (role, disabled);

CREATE TABLE sessions (
  id            TEXT    PRIMARY KEY,
  account_id    INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  state         TEXT    NOT NULL CHECK (state IN ('pending_mfa', 'active')),
  created_at    INTEGER NOT NULL,
  last_seen_at  INTEGER NOT NULL,
  step_up_at    INTEGER,
  ended_at      INTEGER
) STRICT;

CREATE INDEX sessions_account ON sessions (account_id) WHERE ended_at IS NULL;

CREATE TABLE settings (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;

-- S22: append-only, each row's mac covers the previous row's mac.
CREATE TABLE audit_log (
  id          INTEGER PRIMARY KEY,
  at          INTEGER NOT NULL,
  actor       TEXT    NOT NULL,
  event       TEXT    NOT NULL,
  account_id  INTEGER,   -- no foreign key: the log outlives deleted accounts
  detail      TEXT    NOT NULL DEFAULT '{}',
  mac         TEXT    NOT NULL
) STRICT;

CREATE INDEX audit_log_account ON audit_log (account_id, id);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
