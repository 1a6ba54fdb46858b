-- 005_api_tokens.sql -- API bearer tokens made by `encdb token create`.
-- Only the SHA-256 of the token is stored (token_hash); a revoked token
-- keeps its row (revoked_at set) for the record.
CREATE TABLE IF NOT EXISTS public.api_tokens (
	id bigserial PRIMARY KEY,
	token_hash bytea NOT NULL UNIQUE CHECK (octet_length(token_hash) = 32),
	user_id uuid NOT NULL REFERENCES public.users (id) ON DELETE CASCADE,
	name text NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now(),
	last_used_at timestamptz,
	revoked_at timestamptz
);
CREATE INDEX IF NOT EXISTS api_tokens_user_id_idx
	ON public.api_tokens (user_id);
