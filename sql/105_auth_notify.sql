-- 105_auth_notify.sql -- announce changes to API tokens' credentials, so
-- that the routes' memory of recently proven tokens (AUTH_CACHE,
-- lib/authcache.c) is forgotten at once in every process: a token
-- revoked or deleted, its user's type or name changed, its user deleted.
-- Only rows that really change fire; PostgreSQL sends one notification
-- per transaction however many rows fire it.
CREATE OR REPLACE FUNCTION public.auth_changed() RETURNS trigger
    LANGUAGE plpgsql SET search_path = pg_catalog
AS $$
BEGIN
	PERFORM pg_notify('encdb_auth', '');
	RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS api_tokens_auth_deleted ON public.api_tokens;
CREATE TRIGGER api_tokens_auth_deleted AFTER DELETE ON public.api_tokens
	FOR EACH ROW EXECUTE FUNCTION public.auth_changed();
DROP TRIGGER IF EXISTS api_tokens_auth_revoked ON public.api_tokens;
CREATE TRIGGER api_tokens_auth_revoked AFTER UPDATE OF revoked_at
	ON public.api_tokens FOR EACH ROW
	WHEN (OLD.revoked_at IS DISTINCT FROM NEW.revoked_at)
	EXECUTE FUNCTION public.auth_changed();

DROP TRIGGER IF EXISTS users_auth_deleted ON public.users;
CREATE TRIGGER users_auth_deleted AFTER DELETE ON public.users
	FOR EACH ROW EXECUTE FUNCTION public.auth_changed();
DROP TRIGGER IF EXISTS users_auth_changed ON public.users;
CREATE TRIGGER users_auth_changed AFTER UPDATE OF user_type, username
	ON public.users FOR EACH ROW
	WHEN (OLD.user_type IS DISTINCT FROM NEW.user_type
	    OR OLD.username IS DISTINCT FROM NEW.username)
	EXECUTE FUNCTION public.auth_changed();
