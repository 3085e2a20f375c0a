-- Keyhold schema 7 (S30): usernames that look alike are refused. Each account
-- keeps the UTS #39 confusable skeleton of its username; a new name whose
-- skeleton an existing account has is refused. The index is not unique: a
-- database may already hold a look-alike pair, which is reported, not broken.
-- keyhold_username_skeleton() is registered on every connection by
-- open-database.ts (domain/username-look-alike.ts).
ALTER TABLE accounts ADD COLUMN username_skeleton TEXT NOT NULL DEFAULT '';
UPDATE accounts SET username_skeleton = keyhold_username_skeleton(username);
CREATE INDEX accounts_username_skeleton ON accounts (username_skeleton);
