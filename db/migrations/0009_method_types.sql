-- Keyhold schema 9: the method type columns stop listing the types.
--
-- The one list of method types is the table in electron/shared/method-types.ts;
-- a CHECK (type IN (…)) here was a second copy that every new type had to
-- change with a table rebuild. The repositories (adapters/sqlite/
-- method-fields-row.ts) refuse an unknown type both when they write a row and
-- when they read one, and check each type's columns, so the CHECKs that named
-- 'totp' give way to one that holds for every type: a method has a secret or a
-- destination, never both. SQLite cannot drop a CHECK, so both tables are
-- rebuilt; nothing references them, so dropping the old ones deletes nothing
-- else. mfa_methods keeps AUTOINCREMENT and its place in the id sequence
-- (S29, ids_never_reused): no method id is ever handed out twice.

CREATE TABLE mfa_methods_new (
  id             INTEGER PRIMARY KEY AUTOINCREMENT,
  account_id     INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  type           TEXT    NOT NULL,
  label          TEXT    NOT NULL,
  -- Email address or E.164 number, confirmed by a code (S10); NULL for TOTP.
  destination    TEXT,
  -- TOTP secret, AES-256-GCM under the master key (S20).
  secret_enc     TEXT,
  algorithm      TEXT    CHECK (algorithm IN ('sha1', 'sha256', 'sha512')),
  digits         INTEGER CHECK (digits IN (6, 8)),
  period         INTEGER CHECK (period = 30),
  -- S7: the newest accepted time step; it and every earlier one are refused.
  last_used_step INTEGER,
  preferred      INTEGER NOT NULL DEFAULT 0 CHECK (preferred IN (0, 1)),
  created_at     INTEGER NOT NULL,
  last_used_at   INTEGER,
  CHECK (secret_enc IS NULL OR destination IS NULL)
) STRICT;

INSERT INTO mfa_methods_new (id, account_id, type, label, destination, secret_enc, algorithm, digits, period,
    last_used_step, preferred, created_at, last_used_at)
  SELECT id, account_id, type, label, destination, secret_enc, algorithm, digits, period,
    last_used_step, preferred, created_at, last_used_at
  FROM mfa_methods;
-- The new table's sequence is the old one's (which is past every id ever used,
-- deleted methods' included); RENAME carries it over with the table's name.
DELETE FROM sqlite_sequence WHERE name = 'mfa_methods_new';
INSERT INTO sqlite_sequence (name, seq) SELECT 'mfa_methods_new', seq FROM sqlite_sequence WHERE name = 'mfa_methods';
DROP TABLE mfa_methods;
ALTER TABLE mfa_methods_new RENAME TO mfa_methods;

CREATE INDEX mfa_methods_account ON mfa_methods (account_id);
-- At most one preferred method per account.
CREATE UNIQUE INDEX mfa_methods_one_preferred ON mfa_methods (account_id) WHERE preferred = 1;

CREATE TABLE mfa_enrollments_new (
  id              TEXT    PRIMARY KEY,
  account_id      INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  type            TEXT    NOT NULL,
  label           TEXT    NOT NULL,
  destination     TEXT,
  secret_enc      TEXT,
  algorithm       TEXT,
  digits          INTEGER,
  period          INTEGER,
  last_used_step  INTEGER,
  -- Set when the code was verified; enabling needs it.
  verified_at     INTEGER,
  -- The recovery-code batch issued at verification, valid only once enabled.
  recovery_batch  TEXT,
  created_at      INTEGER NOT NULL,
  expires_at      INTEGER NOT NULL,
  -- Wrong codes for this enrollment (5 end it), kept across CLI invocations and restarts.
  failed_attempts INTEGER NOT NULL DEFAULT 0,
  CHECK (secret_enc IS NULL OR destination IS NULL)
) STRICT;

INSERT INTO mfa_enrollments_new (id, account_id, type, label, destination, secret_enc, algorithm, digits, period,
    last_used_step, verified_at, recovery_batch, created_at, expires_at, failed_attempts)
  SELECT id, account_id, type, label, destination, secret_enc, algorithm, digits, period,
    last_used_step, verified_at, recovery_batch, created_at, expires_at, failed_attempts
  FROM mfa_enrollments;
DROP TABLE mfa_enrollments;
ALTER TABLE mfa_enrollments_new RENAME TO mfa_enrollments;

CREATE INDEX mfa_enrollments_expiry ON mfa_enrollments (expires_at);
CREATE INDEX mfa_enrollments_account ON mfa_enrollments (account_id);
