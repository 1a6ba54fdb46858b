-- 006_login_attempts.sql -- login throttling: failures counted per bucket
-- ('user:<name>' or 'addr:<ip>') within a window starting at window_start.
CREATE TABLE IF NOT EXISTS public.login_attempts (
	bucket text PRIMARY KEY,
	failures int NOT NULL,
	window_start timestamptz NOT NULL
);
