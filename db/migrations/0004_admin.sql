-- Keyhold schema 4: one-time setup codes and a full-text index for the account list.

-- An imported account, or one whose password an administrator reset, has a
-- setup code instead of a usable password: the user sets their own password
-- with it at first sign-in. Stored only as an Argon2id hash, valid 7 days.
CREATE TABLE setup_codes (
  account_id INTEGER PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
  code_hash  TEXT    NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
) STRICT;

-- Search-as-you-type over username, display name and email, by word prefix,
-- that stays fast at 100,000 accounts. Kept in step by triggers.
CREATE VIRTUAL TABLE accounts_fts USING fts5(
  username, display_name, email,
  content = 'accounts', content_rowid = 'id',
  tokenize = 'unicode61 remove_diacritics 2',
  prefix = '1 2 3'
);
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

-- Wrong codes per pending enrollment (5 end it), kept in the database so the
-- limit holds across CLI invocations and restarts.
ALTER TABLE mfa_enrollments ADD COLUMN failed_attempts INTEGER NOT NULL DEFAULT 0;
