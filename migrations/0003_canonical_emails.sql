-- users.email holds the canonical form of an address (src/auth/email.ts: NFKC, case-folded, no
-- invisible characters) and compares it byte for byte. Under utf8mb4_unicode_ci the lookup also
-- matched accented, full-width and zero-width variants that the login throttle counted apart.
-- Addresses were stored trimmed and lower-cased, and sign-up accepts ASCII addresses only, where
-- that is the canonical form; the UPDATE makes sure of it before the index compares bytes.
UPDATE users SET email = LOWER(TRIM(email));
-- registration_key: the idempotency key of the sign-up that created the row, so that a retried
-- sign-up whose first answer was lost gets that answer again instead of "email taken".
ALTER TABLE users
  MODIFY email VARCHAR(254) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  ADD COLUMN registration_key VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NULL AFTER password_hash,
  ADD UNIQUE KEY users_registration_key_unique (registration_key);
