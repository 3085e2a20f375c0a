-- Keyhold schema 3: the MFA policy, versioned. The newest row is in force;
-- older rows stay as the history of who changed what.
CREATE TABLE policy_versions (
  version    INTEGER PRIMARY KEY,
  -- The policy document as JSON (site rules and per-role overrides).
  document   TEXT    NOT NULL,
  -- When Required took effect per scope, as JSON {site, admin, user} (ms or null).
  required_since TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  actor      TEXT    NOT NULL
) STRICT;

-- A session whose account must set up MFA before anything else (policy
-- Required, past the grace period) waits in 'enrollment_required'. SQLite
-- cannot change a CHECK constraint, so the table is rebuilt.
CREATE TABLE sessions_new (
  id              TEXT    PRIMARY KEY,
  account_id      INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  state           TEXT    NOT NULL CHECK (state IN ('pending_mfa', 'enrollment_required', 'active')),
  created_at      INTEGER NOT NULL,
  last_seen_at    INTEGER NOT NULL,
  step_up_at      INTEGER,
  ended_at        INTEGER,
  factor_failures INTEGER NOT NULL DEFAULT 0
) STRICT;
INSERT INTO sessions_new (id, account_id, state, created_at, last_seen_at, step_up_at, ended_at, factor_failures)
  SELECT id, account_id, state, created_at, last_seen_at, step_up_at, ended_at, factor_failures FROM sessions;
DROP TABLE sessions;
ALTER TABLE sessions_new RENAME TO sessions;
CREATE INDEX sessions_account ON sessions (account_id) WHERE ended_at IS NULL;
