-- 102_users_bidx_cross_unique.sql -- one email, one user, under both blind
-- index keys while `encdb reindex` runs. email_bidx and
-- email_bidx_next are each UNIQUE; this trigger also refuses a row whose
-- email_bidx equals ANOTHER row's email_bidx_next, or the other way round:
-- right after `encdb reindex --swap`, an app instance still on the old key
-- writes old-key values into email_bidx, which must not collide with the
-- old-key values now kept in email_bidx_next. The error is the one a
-- plain duplicate gives (SQLSTATE 23505, constraint users_email_bidx_key),
-- so the app reports "email already taken". Rows whose email_bidx does not
-- change, and all rows outside a reindex (email_bidx_next NULL), cost one
-- index probe at most. `encdb upgrade` skips the check (it sets encdb.bulk
-- to 'upgrade' on its connections): it writes email_bidx under the
-- INDEX_KEY it is given, never an old key's value, so it cannot collide
-- with email_bidx_next, and a million rows do not pay for the check.
CREATE OR REPLACE FUNCTION public.users_bidx_cross_unique() RETURNS trigger
    LANGUAGE plpgsql SET search_path = pg_catalog
AS $$
BEGIN
	IF NEW.email_bidx IS NOT NULL AND EXISTS (SELECT 1 FROM public.users
	    WHERE email_bidx_next = NEW.email_bidx AND id <> NEW.id) THEN
		RAISE EXCEPTION 'duplicate blind index'
		    USING ERRCODE = 'unique_violation',
		    CONSTRAINT = 'users_email_bidx_key';
	END IF;
	IF NEW.email_bidx_next IS NOT NULL AND EXISTS (SELECT 1
	    FROM public.users WHERE email_bidx = NEW.email_bidx_next
	    AND id <> NEW.id) THEN
		RAISE EXCEPTION 'duplicate blind index'
		    USING ERRCODE = 'unique_violation',
		    CONSTRAINT = 'users_email_bidx_next_key';
	END IF;
	RETURN NEW;
END
$$;

DROP TRIGGER IF EXISTS users_bidx_cross_unique ON public.users;
CREATE TRIGGER users_bidx_cross_unique
	BEFORE INSERT ON public.users
	FOR EACH ROW
	WHEN (NEW.email_bidx IS NOT NULL OR NEW.email_bidx_next IS NOT NULL)
	EXECUTE FUNCTION public.users_bidx_cross_unique();
-- On UPDATE: only when a value changes, and not for the swap of the two
-- columns by `encdb reindex --swap` (no new value appears there).
DROP TRIGGER IF EXISTS users_bidx_cross_unique_upd ON public.users;
CREATE TRIGGER users_bidx_cross_unique_upd
	BEFORE UPDATE OF email_bidx, email_bidx_next ON public.users
	FOR EACH ROW
	WHEN ((NEW.email_bidx IS NOT NULL OR NEW.email_bidx_next IS NOT NULL)
	    AND (NEW.email_bidx IS DISTINCT FROM OLD.email_bidx OR
	    NEW.email_bidx_next IS DISTINCT FROM OLD.email_bidx_next)
	    AND NOT (NEW.email_bidx IS NOT DISTINCT FROM OLD.email_bidx_next
	    AND NEW.email_bidx_next IS NOT DISTINCT FROM OLD.email_bidx)
	    AND pg_catalog.current_setting('encdb.bulk', true)
	    IS DISTINCT FROM 'upgrade')
	EXECUTE FUNCTION public.users_bidx_cross_unique();
