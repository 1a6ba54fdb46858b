-- 002_users_username_unique.sql -- one user per username. The unique index
-- is named users_username_key (PostgreSQL's own name for a UNIQUE column,
-- so a boilerplate table that already has it is left alone); a violation
-- reports that name, which lib/users.c maps to the "username" field.
-- Duplicate usernames in an existing table make this migration fail, and
-- with it the whole run: fix them first.
CREATE UNIQUE INDEX IF NOT EXISTS users_username_key
	ON public.users (username);
