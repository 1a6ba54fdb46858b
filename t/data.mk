# t/data.mk: the data layer's tests (cfg, db, users, migrations, encdb),
# run against a throwaway PostgreSQL cluster through t/with-pg.
dist_noinst_SCRIPTS += t/with-pg tools/pgctl
