-- Keyhold schema 2: MFA methods, pending enrollments, recovery codes, email/SMS codes.

-- Active methods only: a pending enrollment lives in mfa_enrollments and is
-- never usable for sign-in (S18).
CREATE TABLE mfa_methods (
  id             INTEGER PRIMARY KEY,
  account_id     INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  type           TEXT    NOT NULL CHECK (type IN ('totp', 'email', 'sms')),
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
  CHECK ((type = 'totp') = (secret_enc IS NOT NULL)),
  CHECK ((type = 'totp') = (destination IS NULL))
) STRICT;

CREATE INDEX mfa_methods_account ON mfa_methods (account_id);
-- At most one preferred method per account.
CREATE UNIQUE INDEX mfa_methods_one_preferred ON mfa_methods (account_id) WHERE preferred = 1;

CREATE TABLE mfa_enrollments (
  id             TEXT    PRIMARY KEY,
  account_id     INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  type           TEXT    NOT NULL CHECK (type IN ('totp', 'email', 'sms')),
  label          TEXT    NOT NULL,
  destination    TEXT,
  secret_enc     TEXT,
  algorithm      TEXT,
  digits         INTEGER,
  period         INTEGER,
  last_used_step INTEGER,
  -- Set when the code was verified; enabling needs it.
  verified_at    INTEGER,
  -- The recovery-code batch issued at verification, valid only once enabled.
  recovery_batch TEXT,
  created_at     INTEGER NOT NULL,
  expires_at     INTEGER NOT NULL
) STRICT;

CREATE INDEX mfa_enrollments_expiry ON mfa_enrollments (expires_at);
CREATE INDEX mfa_enrollments_account ON mfa_enrollments (account_id);

-- S11: stored only as salted Argon2id hashes. A batch is pending (active = 0)
-- until the enrollment that issued it is enabled.
CREATE TABLE recovery_codes (
  id         INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  batch      TEXT    NOT NULL,
  code_hash  TEXT    NOT NULL,
  active     INTEGER NOT NULL DEFAULT 0 CHECK (active IN (0, 1)),
  created_at INTEGER NOT NULL,
  used_at    INTEGER
) STRICT;

CREATE INDEX recovery_codes_account ON recovery_codes (account_id, active, used_at);

-- S8, S9: email and SMS codes, stored only as keyed hashes, bound to the
-- account and to one subject (an enrollment, a sign-in challenge and method,
-- or a contact change). One live code per subject: a resend replaces it.
CREATE TABLE otp_codes (
  id          INTEGER PRIMARY KEY,
  account_id  INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  purpose     TEXT    NOT NULL CHECK (purpose IN ('enroll', 'sign-in', 'contact')),
  subject     TEXT    NOT NULL,
  destination TEXT    NOT NULL,
  code_hash   TEXT    NOT NULL,
  -- For a contact change: the new address, applied once the code is right.
  payload     TEXT,
  created_at  INTEGER NOT NULL,
  expires_at  INTEGER NOT NULL,
  UNIQUE (purpose, subject)
) STRICT;

-- S10: sends per destination, for the cooldown and the hourly limit.
CREATE TABLE code_sends (
  id          INTEGER PRIMARY KEY,
  destination TEXT    NOT NULL,
  subject     TEXT    NOT NULL,
  sent_at     INTEGER NOT NULL
) STRICT;

CREATE INDEX code_sends_destination ON code_sends (destination, sent_at);
CREATE INDEX code_sends_subject ON code_sends (subject, sent_at);

-- S13: wrong second-factor entries per sign-in challenge (5 end it).
ALTER TABLE sessions ADD COLUMN factor_failures INTEGER NOT NULL DEFAULT 0;

-- S1: whether the current password is shorter than the length required of an
-- account without MFA, so removing the last method can ask for a new one.
ALTER TABLE accounts ADD COLUMN password_short INTEGER NOT NULL DEFAULT 0 CHECK (password_short IN (0, 1));
