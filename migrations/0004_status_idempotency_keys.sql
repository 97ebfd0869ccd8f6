-- A retried post (its first answer lost) must not store the status twice: the client's
-- idempotency key is unique per user, so the index decides without an extra statement.
ALTER TABLE statuses
  ADD COLUMN idempotency_key VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NULL,
  ADD UNIQUE KEY statuses_user_id_idempotency_key (user_id, idempotency_key);
