-- 203_value_kind.sql -- the kind of a stored users.email value, told apart
-- without any key, as ef_value_kind (lib/encfield_v1.c, encfield(3))
-- tells it: 'v1' (starts with 0xEF 0x01), 'envelope' (starts with 0xEF
-- 0x02: sealed under the row's data key), 'legacy' (non-empty, every byte
-- printable ASCII 0x20..0x7E: the boilerplate's base64 text), 'unknown'
-- (anything else, NULL and empty included). Every statement that picks
-- rows by format calls it; t/check_users.c compares it with ef_value_kind
-- on the shared vectors. Plain SQL, IMMUTABLE and without settings, so
-- that the planner inlines it into the statements that call it.
CREATE OR REPLACE FUNCTION public.encdb_value_kind(v bytea) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
SELECT CASE
	WHEN octet_length(v) >= 2
	    AND substring(v FROM 1 FOR 2) = '\xef01'::bytea THEN 'v1'
	WHEN octet_length(v) >= 2
	    AND substring(v FROM 1 FOR 2) = '\xef02'::bytea THEN 'envelope'
	WHEN octet_length(v) > 0
	    AND btrim(v, '\x202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e'::bytea)
	        = '\x'::bytea THEN 'legacy'
	ELSE 'unknown'
END
$$;
