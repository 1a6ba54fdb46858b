-- 207_read_fence.sql -- read-your-writes with a standby (DATABASE_READ_URL).
-- Before a session or API token changes anything, the route sets its
-- read_fence to a moment after the change will have committed (the
-- primary's clock plus the statement timeout); until a standby is known to
-- hold every transaction committed before that moment, the credential's
-- reads go to the primary. A token's new fence is announced like any
-- other change to credentials (sql/105), so that every process's memory
-- of the token (AUTH_CACHE) learns it at once.
ALTER TABLE public.sessions ADD COLUMN IF NOT EXISTS read_fence timestamptz;
ALTER TABLE public.api_tokens ADD COLUMN IF NOT EXISTS read_fence timestamptz;

DROP TRIGGER IF EXISTS api_tokens_auth_fenced ON public.api_tokens;
CREATE TRIGGER api_tokens_auth_fenced AFTER UPDATE OF read_fence
	ON public.api_tokens FOR EACH ROW
	WHEN (OLD.read_fence IS DISTINCT FROM NEW.read_fence)
	EXECUTE FUNCTION public.auth_changed();
