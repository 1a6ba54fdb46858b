-- 001_users.sql -- the boilerplate's users table (flask-encrypted-db), exactly
-- as its SQLAlchemy model creates it, so that an existing boilerplate
-- database is adopted as it is (IF NOT EXISTS) and an empty one gets the
-- same shape.
--
--   id          the row's UUID, made by the application (v4)
--   username    login name
--   password    PHC Argon2id string (ours) or 128 hex chars (boilerplate's
--               PBKDF2-HMAC-SHA512, salt SECRET_KEY)
--   user_type   "admin" or "user"
--   email       ciphertext: format v1 (0xEF 0x01 ...) bound to the row, or
--               the boilerplate's base64 text (read only)
--   created_at  set by the application on insert
--   updated_at  NULL until the first change
--
-- Migrations run with search_path = pg_catalog, public: qualify every name.
CREATE TABLE IF NOT EXISTS public.users (
	id uuid PRIMARY KEY,
	username varchar NOT NULL,
	password varchar NOT NULL,
	user_type varchar NOT NULL,
	email bytea NOT NULL,
	created_at timestamptz NOT NULL,
	updated_at timestamptz
);
