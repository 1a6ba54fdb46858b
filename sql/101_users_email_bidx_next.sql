-- 101_users_email_bidx_next.sql -- the second blind index column used while
-- `encdb reindex` moves the blind index to a new INDEX_KEY.
--
--   users.email_bidx_next   HMAC-SHA256(next index key, normalised email),
--                           filled by `encdb reindex` while the app keeps
--                           using email_bidx; after `encdb reindex --swap`
--                           it holds the previous key's value. UNIQUE too,
--                           so duplicates are refused under both keys.
--   public.index_keys       which index key each column is under, by key
--                           identifier: HMAC(key, "fcgi-encrypted-db index
--                           key id"), first 8 bytes -- names a key without
--                           revealing it. A reindex run that finds another
--                           key recorded for email_bidx_next starts over.
--
-- When the app changes a row's email_bidx (a new email) without setting
-- email_bidx_next, the trigger clears email_bidx_next: the value no longer
-- matches, and the reindex run (or its final locked pass) recomputes it.
-- (Rows without email_bidx_next, e.g. all of them outside a reindex, do
-- not even call the function: the WHEN clause is checked first.)
ALTER TABLE public.users ADD COLUMN IF NOT EXISTS email_bidx_next bytea;
ALTER TABLE public.users DROP CONSTRAINT IF EXISTS users_email_bidx_next_length;
ALTER TABLE public.users ADD CONSTRAINT users_email_bidx_next_length
	CHECK (email_bidx_next IS NULL OR octet_length(email_bidx_next) = 32);
CREATE UNIQUE INDEX IF NOT EXISTS users_email_bidx_next_key
	ON public.users (email_bidx_next);

CREATE TABLE IF NOT EXISTS public.index_keys (
	col text PRIMARY KEY CHECK (col IN ('email_bidx', 'email_bidx_next')),
	key_id bytea NOT NULL CHECK (octet_length(key_id) = 8),
	updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE OR REPLACE FUNCTION public.users_bidx_next_reset() RETURNS trigger
    LANGUAGE plpgsql SET search_path = pg_catalog
AS $$
BEGIN
	NEW.email_bidx_next := NULL;
	RETURN NEW;
END
$$;

DROP TRIGGER IF EXISTS users_bidx_next_reset ON public.users;
CREATE TRIGGER users_bidx_next_reset
	BEFORE UPDATE OF email_bidx ON public.users
	FOR EACH ROW
	WHEN (OLD.email_bidx_next IS NOT NULL AND
	    NEW.email_bidx IS DISTINCT FROM OLD.email_bidx AND
	    NEW.email_bidx_next IS NOT DISTINCT FROM OLD.email_bidx_next)
	EXECUTE FUNCTION public.users_bidx_next_reset();
