-- 202_users_username_ci.sql -- one user per username whatever the case of
-- its ASCII letters: "Alice" and "alice" are the same name.
--
--   public.username_key(name)   the name with A-Z lowercased and every
--                               other character as it is (lower() under
--                               the "C" collation: the same in every
--                               database, whatever its locale). The one
--                               definition of "the same name": the unique
--                               index below and the list's prefix= filter
--                               use it.
--   users.username_shared       true for the rows the boilerplate left
--                               sharing a name with an earlier row (by
--                               created_at, then id), set here once. They
--                               stay readable and can sign in, but are
--                               outside the unique index, so that taking
--                               over such a table does not fail; encdb
--                               check names them. Every row written since
--                               is false, so the index holds for it.
--
-- users_username_ci_key refuses a new name that an unshared row has under
-- another case (SQLSTATE 23505, mapped to the "username" field like
-- users_username_key); lib/users.c also refuses one that a shared row has
-- (users_username_shared finds those), so "alice" cannot come back once
-- "Alice" is deleted.
CREATE OR REPLACE FUNCTION public.username_key(name text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT pg_catalog.lower(name COLLATE "C") $$;

ALTER TABLE public.users ADD COLUMN IF NOT EXISTS username_shared boolean
	NOT NULL DEFAULT false;

UPDATE public.users SET username_shared = true
WHERE id IN (SELECT id FROM (SELECT id, row_number() OVER (
	    PARTITION BY public.username_key(username)
	    ORDER BY created_at, id) AS n FROM public.users) AS w
	WHERE n > 1);

CREATE UNIQUE INDEX IF NOT EXISTS users_username_ci_key
	ON public.users (public.username_key(username))
	WHERE NOT username_shared;
CREATE INDEX IF NOT EXISTS users_username_shared
	ON public.users (public.username_key(username))
	WHERE username_shared;
