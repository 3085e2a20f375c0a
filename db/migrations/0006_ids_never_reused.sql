-- keyhold:foreign-keys-off
-- Keyhold schema 6 (S29): ids are never reused, and the audit log keeps the
-- username an entry was about.
--
-- The marker above runs this file with foreign keys off (see db/migrator.ts):
-- dropping the old accounts table with them on would cascade-delete every
-- method, session and code. The migrator runs PRAGMA foreign_key_check before
-- it commits. keyhold_username_key() is registered on every connection by
-- open-database.ts (the NFKC + lower case key of domain/username.ts).

-- 1. accounts and mfa_methods get AUTOINCREMENT: without it SQLite hands a
-- deleted row's id to the next insert, and a new account inherited the
-- deleted one's audit history; method ids are named in audit details too.
CREATE TABLE accounts_new (
  id                  INTEGER PRIMARY KEY AUTOINCREMENT,
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
  last_sign_in_at     INTEGER,
  -- S1: the current password is shorter than an account without MFA needs.
  password_short      INTEGER NOT NULL DEFAULT 0 CHECK (password_short IN (0, 1))
) STRICT;
INSERT INTO accounts_new (id, username, username_key, display_name, email, phone, role, disabled, password_hash,
    password_changed_at, failed_attempts, locked_until, admin_locked, created_at, updated_at, last_sign_in_at,
    password_short)
  SELECT id, username, username_key, display_name, email, phone, role, disabled, password_hash,
    password_changed_at, failed_attempts, locked_until, admin_locked, created_at, updated_at, last_sign_in_at,
    password_short
  FROM accounts;
-- Dropping accounts drops its index and the search triggers; accounts_fts keeps its rows.
DROP TABLE accounts;
ALTER TABLE accounts_new RENAME TO accounts;
CREATE INDEX accounts_role ON accounts (role, disabled);

CREATE TRIGGER accounts_fts_insert AFTER INSERT ON accounts BEGIN
  INSERT INTO accounts_fts (rowid, username, display_name, email) VALUES (new.id, new.username, new.display_name, new.email);
END;
CREATE TRIGGER accounts_fts_delete AFTER DELETE ON accounts BEGIN
  INSERT INTO accounts_fts (accounts_fts, rowid, username, display_name, email)
    VALUES ('delete', old.id, old.username, old.display_name, old.email);
END;
CREATE TRIGGER accounts_fts_update AFTER UPDATE OF username, display_name, email ON accounts BEGIN
  INSERT INTO accounts_fts (accounts_fts, rowid, username, display_name, email)
    VALUES ('delete', old.id, old.username, old.display_name, old.email);
  INSERT INTO accounts_fts (rowid, username, display_name, email) VALUES (new.id, new.username, new.display_name, new.email);
END;
INSERT INTO accounts_fts (accounts_fts) VALUES ('rebuild');

CREATE TABLE mfa_methods_new (
  id             INTEGER PRIMARY KEY AUTOINCREMENT,
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
INSERT INTO mfa_methods_new (id, account_id, type, label, destination, secret_enc, algorithm, digits, period,
    last_used_step, preferred, created_at, last_used_at)
  SELECT id, account_id, type, label, destination, secret_enc, algorithm, digits, period,
    last_used_step, preferred, created_at, last_used_at
  FROM mfa_methods;
DROP TABLE mfa_methods;
ALTER TABLE mfa_methods_new RENAME TO mfa_methods;
CREATE INDEX mfa_methods_account ON mfa_methods (account_id);
CREATE UNIQUE INDEX mfa_methods_one_preferred ON mfa_methods (account_id) WHERE preferred = 1;

-- The next ids start past every id this file shows was ever used: rows of
-- deleted accounts and methods survive only as audit entries.
DELETE FROM sqlite_sequence WHERE name IN ('accounts', 'mfa_methods');
INSERT INTO sqlite_sequence (name, seq) SELECT 'accounts', max(
  coalesce((SELECT max(id) FROM accounts), 0),
  coalesce((SELECT max(account_id) FROM audit_log), 0));
INSERT INTO sqlite_sequence (name, seq) SELECT 'mfa_methods', max(
  coalesce((SELECT max(id) FROM mfa_methods), 0),
  coalesce((SELECT max(json_extract(detail, '$.methodId')) FROM audit_log
    WHERE typeof(json_extract(detail, '$.methodId')) = 'integer'), 0));

-- 2. Audit rows name their account. New rows are MAC version 2, whose body
-- includes the username; rows already written stay version 1 and are never
-- rewritten (the table is append-only). username_key is derived from
-- username and checked against it by `audit verify`.
ALTER TABLE audit_log ADD COLUMN mac_version INTEGER NOT NULL DEFAULT 1 CHECK (mac_version IN (1, 2));
ALTER TABLE audit_log ADD COLUMN username TEXT;
ALTER TABLE audit_log ADD COLUMN username_key TEXT;
CREATE INDEX audit_log_username ON audit_log (username_key, id) WHERE username_key IS NOT NULL;

-- 3. Version-1 rows hold only an id, and an id may have been used by several
-- accounts one after the other. This record names the account a version-1
-- row was about: the rows about account_id with first_row <= id <= last_row.
-- A deletion's entry closes a name's range (its detail holds the username);
-- the accounts that exist now own the rest up to the newest row.
CREATE TABLE audit_legacy_names (
  account_id   INTEGER NOT NULL,
  username     TEXT    NOT NULL,
  username_key TEXT    NOT NULL,
  first_row    INTEGER NOT NULL,
  last_row     INTEGER NOT NULL,
  PRIMARY KEY (account_id, first_row)
) STRICT;
CREATE INDEX audit_legacy_names_key ON audit_legacy_names (username_key);

INSERT INTO audit_legacy_names (account_id, username, username_key, first_row, last_row)
  SELECT account_id, username, keyhold_username_key(username), first_row, last_row FROM (
    SELECT account_id, json_extract(detail, '$.username') AS username, id AS last_row,
      coalesce(lag(id) OVER (PARTITION BY account_id ORDER BY id), 0) + 1 AS first_row
    FROM audit_log WHERE event = 'account.deleted' AND account_id IS NOT NULL
  ) WHERE typeof(username) = 'text';
INSERT INTO audit_legacy_names (account_id, username, username_key, first_row, last_row)
  SELECT a.id, a.username, a.username_key,
    coalesce((SELECT max(d.id) FROM audit_log d WHERE d.event = 'account.deleted' AND d.account_id = a.id), 0) + 1,
    (SELECT coalesce(max(id), 0) FROM audit_log)
  FROM accounts a;
