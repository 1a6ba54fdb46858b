-- 004_sessions.sql -- browser sessions. The cookie carries a random 32-byte
-- token; only its SHA-256 is stored (id_hash), so a database leak yields no
-- usable session. Expiry (SESSION_IDLE after last_seen, SESSION_MAX after
-- created_at) is enforced by the queries that read this table.
CREATE TABLE IF NOT EXISTS public.sessions (
	id_hash bytea PRIMARY KEY CHECK (octet_length(id_hash) = 32),
	user_id uuid NOT NULL REFERENCES public.users (id) ON DELETE CASCADE,
	csrf_token text NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now(),
	last_seen timestamptz NOT NULL DEFAULT now(),
	client_addr text
);
CREATE INDEX IF NOT EXISTS sessions_user_id_idx
	ON public.sessions (user_id);
CREATE INDEX IF NOT EXISTS sessions_last_seen_idx
	ON public.sessions (last_seen);
