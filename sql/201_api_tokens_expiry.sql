-- 201_api_tokens_expiry.sql -- API tokens may expire: a token is refused
-- once expires_at has passed (NULL: it never expires). encdb token create
-- --expires DAYS sets it.
ALTER TABLE public.api_tokens ADD COLUMN IF NOT EXISTS expires_at timestamptz;
