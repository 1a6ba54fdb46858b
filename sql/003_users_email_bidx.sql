-- 003_users_email_bidx.sql -- the blind index of the email:
-- HMAC-SHA256(INDEX_KEY, trimmed lowercase email), 32 bytes. Exact lookup
-- and duplicate detection without decrypting. NULL for the boilerplate's
-- rows until `encdb upgrade` fills it (NULLs do not collide in a unique
-- index). A violation reports users_email_bidx_key ("email" field).
ALTER TABLE public.users ADD COLUMN IF NOT EXISTS email_bidx bytea;
ALTER TABLE public.users DROP CONSTRAINT IF EXISTS users_email_bidx_length;
ALTER TABLE public.users ADD CONSTRAINT users_email_bidx_length
	CHECK (email_bidx IS NULL OR octet_length(email_bidx) = 32);
CREATE UNIQUE INDEX IF NOT EXISTS users_email_bidx_key
	ON public.users (email_bidx);
