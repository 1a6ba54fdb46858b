-- 100_audit_log.sql -- the access audit trail: one row per response that
-- reveals a decrypted email and per change to a user.
--
--   seq          1, 2, 3 ... with no gap (taken from audit_head)
--   at           when (transaction time)
--   actor        who: "user:<uuid>" (session) or "token:<id>" or "encdb"
--   subject      whose record: the user's UUID as text, or NULL (a list)
--   route        which route, e.g. "GET /user"
--   action       read | list | create | update | delete
--   client_addr  the client's address as the web server saw it
--   prev_hash    the hash of entry seq - 1 (32 zero bytes for seq 1)
--   hash         SHA-256(prev_hash || public.audit_canonical(...))
--
-- Entries are chained through a single-row head (public.audit_head: the
-- last seq and hash), updated in the same statement that inserts the entry
-- (lib/audit.c), so concurrent writers are serialised by the head's row
-- lock and the chain has no fork. Editing or deleting an entry breaks the
-- chain (`encdb audit verify` finds the first broken entry); UPDATE,
-- DELETE and TRUNCATE are refused by triggers, for everyone who does not
-- first disable them on purpose.
CREATE TABLE IF NOT EXISTS public.audit_head (
	id int PRIMARY KEY CHECK (id = 1),
	seq bigint NOT NULL,
	prev bytea NOT NULL CHECK (octet_length(prev) = 32),
	hash bytea NOT NULL CHECK (octet_length(hash) = 32)
);
INSERT INTO public.audit_head (id, seq, prev, hash)
	VALUES (1, 0, '\x0000000000000000000000000000000000000000000000000000000000000000',
	    '\x0000000000000000000000000000000000000000000000000000000000000000')
	ON CONFLICT (id) DO NOTHING;

CREATE TABLE IF NOT EXISTS public.audit_log (
	seq bigint PRIMARY KEY,
	at timestamptz NOT NULL,
	actor text NOT NULL,
	subject text,
	route text NOT NULL,
	action text NOT NULL,
	client_addr text,
	prev_hash bytea NOT NULL CHECK (octet_length(prev_hash) = 32),
	hash bytea NOT NULL CHECK (octet_length(hash) = 32)
);
CREATE INDEX IF NOT EXISTS audit_log_subject_idx
	ON public.audit_log (subject, seq);

-- The canonical bytes of an entry that its hash covers: a JSON array
-- (json_build_array's text is stable) of every column but the hashes,
-- the time as integer microseconds since the epoch (independent of the
-- session's TimeZone and DateStyle). Every name is qualified instead of
-- a SET search_path clause, which would keep the function from being
-- inlined into the one-statement append (STABLE, not IMMUTABLE, for the
-- same reason: json_build_array is STABLE).
CREATE OR REPLACE FUNCTION public.audit_canonical(p_seq bigint,
    p_at timestamptz, p_actor text, p_subject text, p_route text,
    p_action text, p_client_addr text) RETURNS bytea
    LANGUAGE sql STABLE PARALLEL SAFE
AS $$
	SELECT pg_catalog.convert_to(pg_catalog.json_build_array(p_seq,
	    (EXTRACT(epoch FROM p_at) * 1000000)::pg_catalog.int8, p_actor,
	    p_subject, p_route, p_action, p_client_addr)::pg_catalog.text,
	    'UTF8')
$$;

CREATE OR REPLACE FUNCTION public.audit_refuse() RETURNS trigger
    LANGUAGE plpgsql SET search_path = pg_catalog
AS $$
BEGIN
	RAISE EXCEPTION 'audit trail is append-only: % on % refused',
	    TG_OP, TG_TABLE_NAME
	    USING ERRCODE = 'insufficient_privilege';
END
$$;

DROP TRIGGER IF EXISTS audit_log_append_only ON public.audit_log;
CREATE TRIGGER audit_log_append_only
	BEFORE UPDATE OR DELETE ON public.audit_log
	FOR EACH ROW EXECUTE FUNCTION public.audit_refuse();
DROP TRIGGER IF EXISTS audit_log_no_truncate ON public.audit_log;
CREATE TRIGGER audit_log_no_truncate
	BEFORE TRUNCATE ON public.audit_log
	FOR EACH STATEMENT EXECUTE FUNCTION public.audit_refuse();
DROP TRIGGER IF EXISTS audit_head_keep ON public.audit_head;
CREATE TRIGGER audit_head_keep
	BEFORE DELETE ON public.audit_head
	FOR EACH ROW EXECUTE FUNCTION public.audit_refuse();
DROP TRIGGER IF EXISTS audit_head_no_truncate ON public.audit_head;
CREATE TRIGGER audit_head_no_truncate
	BEFORE TRUNCATE ON public.audit_head
	FOR EACH STATEMENT EXECUTE FUNCTION public.audit_refuse();
