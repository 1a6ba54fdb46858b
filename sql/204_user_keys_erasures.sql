-- 204_user_keys_erasures.sql -- per-user data keys and the record of
-- erasures.
--
-- user_keys: one wrapped data key per user (encfield(3), "Envelope
-- values"): the user's fields are sealed under it, so deleting it makes
-- them unreadable wherever they were copied. It goes with its user's row
-- (ON DELETE CASCADE: in the same transaction as the delete). sql/208
-- moves the keys into users.data_key and drops this table.
--
-- erasures: every deleted user's id and the time, written by a trigger in
-- the same transaction as the delete, whoever deletes (the routes, encdb
-- user delete, encdb erasure apply). `encdb erasure seal` copies the rows
-- not yet in the ledger (ERASURE_LEDGER, a signed file outside the
-- database) there and sets ledger_seq; `encdb erasure apply` sets
-- applied_at when it re-applies an erasure to a restored database. No
-- personal data: the id and times only.
CREATE TABLE IF NOT EXISTS public.user_keys (
	user_id uuid PRIMARY KEY REFERENCES public.users (id) ON DELETE CASCADE,
	wrapped bytea NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS public.erasures (
	user_id uuid PRIMARY KEY,
	erased_at timestamptz NOT NULL DEFAULT now(),
	ledger_seq bigint UNIQUE,
	applied_at timestamptz
);

-- The routes' role holds no privilege on erasures: the trigger writes as
-- the owner.
CREATE OR REPLACE FUNCTION public.users_erased() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog
AS $$
BEGIN
	INSERT INTO public.erasures (user_id) VALUES (OLD.id)
	    ON CONFLICT (user_id) DO NOTHING;
	RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS users_erased ON public.users;
CREATE TRIGGER users_erased AFTER DELETE ON public.users
	FOR EACH ROW EXECUTE FUNCTION public.users_erased();
