-- 200_login_throttle.sql -- login throttling by (account, client address)
-- with a per-account slowdown instead of a per-account hard lock (lib/auth.c
-- says how the buckets are used):
--   'addr:<address>'            failures from one client address
--   'pair:<address> <username>' failures of one address on one account
--   'user:<username>'           failures on one account, from anywhere
-- account names the account of the last two kinds (encdb unlock deletes
-- them by it); last_failure is the time of the latest attempt counted,
-- from which the account's slowdown runs.
ALTER TABLE public.login_attempts ADD COLUMN IF NOT EXISTS account text;
ALTER TABLE public.login_attempts
	ADD COLUMN IF NOT EXISTS last_failure timestamptz;
UPDATE public.login_attempts SET account = substr(bucket, 6),
	last_failure = window_start
	WHERE bucket LIKE 'user:%' AND account IS NULL;
UPDATE public.login_attempts SET last_failure = window_start
	WHERE last_failure IS NULL;
ALTER TABLE public.login_attempts
	ALTER COLUMN last_failure SET DEFAULT now(),
	ALTER COLUMN last_failure SET NOT NULL;
-- Expired rows are purged by window_start (at each successful login).
CREATE INDEX IF NOT EXISTS login_attempts_window_start_idx
	ON public.login_attempts (window_start);
