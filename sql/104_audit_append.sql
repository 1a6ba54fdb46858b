-- 104_audit_append.sql -- the audit trail as independent rows.
--
-- An entry is one INSERT, written by the same statement as the read or
-- change it records (lib/users.c), committed with it, and sharing no row
-- with any other entry: concurrent requests never wait on each other and
-- PostgreSQL's group commit flushes many entries at once. The chain that
-- makes the trail tamper-evident is computed afterwards, off the request
-- path, by `encdb audit seal`, and its signed checkpoints are kept outside
-- the database (lib/audit.c says how gaps and the sealing horizon work).
--
--   seq          from the identity sequence, in insertion order; a
--                rolled-back transaction leaves a gap, which the sealer
--                records as a gap
--   at           when (transaction time)
--   actor        who: "user:<uuid> via session", "user:<uuid> via token
--                <id>", "encdb (<login>)", "anonymous"
--   subject      whose record: a user's UUID as text, or NULL
--   route        which route or command, e.g. "GET /user", "encdb rotate"
--   action       read, list, lookup, create, update, delete, login, ...
--   client_addr  the client's address as the web server saw it
--   detail       what else identifies the event (no personal data): rows
--                in a list, a token id, a failure reason
--
-- The chained head of the previous design (audit_head, prev_hash, hash,
-- audit_canonical) goes: the sealer's chain starts at the first entry and
-- covers the entries written before this migration as well.
DROP TABLE IF EXISTS public.audit_head;
DROP FUNCTION IF EXISTS public.audit_canonical(bigint, timestamptz, text,
    text, text, text, text);
ALTER TABLE public.audit_log DROP COLUMN IF EXISTS prev_hash;
ALTER TABLE public.audit_log DROP COLUMN IF EXISTS hash;
ALTER TABLE public.audit_log ADD COLUMN IF NOT EXISTS detail text;
ALTER TABLE public.audit_log ALTER COLUMN at SET DEFAULT now();

DO $$
DECLARE
	next bigint;
BEGIN
	SELECT coalesce(max(seq), 0) + 1 INTO next FROM public.audit_log;
	EXECUTE format('ALTER TABLE public.audit_log ALTER COLUMN seq '
	    'ADD GENERATED ALWAYS AS IDENTITY (START WITH %s CACHE 1)', next);
END
$$;

-- The entries with the names of the users they are about, for people to
-- read (`encdb audit show`, the admin's audit page): actor_name is the
-- actor with a user's id replaced by their username, subject_name the
-- subject's username; both NULL when the user is gone.
CREATE OR REPLACE VIEW public.audit_named AS
	SELECT l.*,
	    au.username || substr(l.actor, 42) AS actor_name,
	    su.username AS subject_name
	FROM public.audit_log AS l
	LEFT JOIN public.users AS au
	    ON l.actor LIKE 'user:%' AND au.id::text = substr(l.actor, 6, 36)
	LEFT JOIN public.users AS su ON su.id::text = l.subject;
