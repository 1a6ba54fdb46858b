-- 208_users_data_key.sql -- the user's data key in the user's own row.
--
--   users.data_key   the user's data key (32 random bytes), wrapped under a
--                    key of FIELD_KEYS as a v1 value whose associated data
--                    names the table "users", the row's UUID and the key
--                    id (encfield(3), "Envelope values"). The user's
--                    fields are sealed under it (envelope values, 0xEF
--                    0x02), so that deleting it makes them unreadable
--                    wherever they were copied. NULL for a row without
--                    one (made before data keys, until `encdb upgrade`).
--
-- Deleting the row deletes the key with it, in the same transaction; the
-- users_erased trigger (sql/204) records the erasure in that transaction
-- too. Reading a user reads the key with the row, without a second
-- lookup. The column is in no index, so `encdb rotate`, which re-wraps
-- the key in place, makes HOT updates on the free space sql/103 leaves.
--
-- The keys of public.user_keys, where sql/204 kept them, move here and
-- that table goes. ALTER TABLE locks users until the migration commits:
-- the routes wait for the copy, one UPDATE of every row with a data key.
ALTER TABLE public.users ADD COLUMN IF NOT EXISTS data_key bytea;

DO $$
BEGIN
	IF pg_catalog.to_regclass('public.user_keys') IS NOT NULL THEN
		UPDATE public.users AS u SET data_key = k.wrapped
		    FROM public.user_keys AS k
		    WHERE k.user_id = u.id AND u.data_key IS NULL;
		DROP TABLE public.user_keys;
	END IF;
END
$$;
