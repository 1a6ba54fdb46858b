# t/faults/local.mk: the secrets canaries (t/secrets/, in make check) and
# the fault and load runs (t/faults/), each one command run from the build
# tree:
#
#  - t/secrets.pg (make check, about 30 s): random keys, canary passwords,
#    token and emails through Apache mod_fcgid, the canary flows
#    (t/secrets/canary.py) and the end-to-end suite, encdb
#    check/status/rotate/verify; every log (PostgreSQL with
#    log_statement=all and full parameters) and answer searched in every
#    encoding (t/secrets/scan.py). t/secrets/lighttpd.pg (make check) does
#    it behind lighttpd.
#  - make faults-pgbouncer: t/faults/pgbouncer.pg -- the routes behind
#    PgBouncer in transaction pooling, more FastCGI processes than pooled
#    connections, DB_PREPARED_STATEMENTS=off, a mixed load: 0 errors
#    (about 1 minute; PGB_SECONDS, PGB_POOL, PGB_PROCS, PGB_CLIENTS).
#  - t/faults/signals.pg (make check, a few seconds; alone: make
#    faults-signals) -- a route process gets SIGTERM idle and mid-request
#    (must exit 0, the request answered in full or not started) and
#    SIGKILL mid-request (the control).
#  - make faults-freeze: t/faults/freeze.pg -- PostgreSQL hung (SIGSTOP)
#    for 30 s: every answer a 503 JSON within DB_CONNECT_TIMEOUT + 1 s,
#    serving again within 2 s of SIGCONT, no worker crash.
#  - make soak: t/faults/soak-mixed.pg -- measure the most req/s
#    of a mixed load (wrk, t/faults/soak.lua: create, read, change, list,
#    email lookup, delete), then run at half of it for SOAK_SECONDS
#    (default 600): no non-2xx, worker memory growth under 5 % between
#    minute 1 and the end, open descriptors flat, per process.
#  - make faults: t/faults/outage.pg (PostgreSQL restarted and stopped
#    under load, killed workers; about 2.5 minutes), then faults-freeze
#    and faults-pgbouncer.

SOAK_SECONDS = 600

TESTS += t/secrets.pg t/secrets/lighttpd.pg
EXTRA_DIST += t/secrets.pg t/secrets/lighttpd.pg t/secrets/canary.py \
	t/secrets/scan.py

TESTS += t/faults/signals.pg
EXTRA_DIST += t/faults/signals.pg t/faults/signals.py
faults-signals: all
	$(AM_TESTS_ENVIRONMENT) $(SHELL) $(srcdir)/t/with-pg \
	    $(srcdir)/t/faults/signals.pg

EXTRA_DIST += t/faults/outage.pg t/faults/outage.py
faults: all
	$(AM_TESTS_ENVIRONMENT) $(SHELL) $(srcdir)/t/with-pg \
	    $(srcdir)/t/faults/outage.pg
	$(MAKE) $(AM_MAKEFLAGS) faults-freeze faults-pgbouncer

EXTRA_DIST += t/faults/freeze.pg t/faults/freeze.py
faults-freeze: all
	$(AM_TESTS_ENVIRONMENT) $(SHELL) $(srcdir)/t/with-pg \
	    $(srcdir)/t/faults/freeze.pg

EXTRA_DIST += t/faults/pgbouncer.pg t/faults/flows.py t/faults/soak-mixed.pg \
	t/faults/soak.lua t/faults/soak.py

faults-pgbouncer: all
	$(AM_TESTS_ENVIRONMENT) $(SHELL) $(srcdir)/t/with-pg \
	    $(srcdir)/t/faults/pgbouncer.pg

soak: all
	$(AM_TESTS_ENVIRONMENT) SOAK_SECONDS='$(SOAK_SECONDS)'; \
	export SOAK_SECONDS; \
	$(SHELL) $(srcdir)/t/with-pg $(srcdir)/t/faults/soak-mixed.pg

clean-local: clean-local-faults-mine
clean-local-faults-mine:
	-rm -rf t/faults-pgbouncer.d t/soak-mixed.d t/secrets.d t/canary.d \
	    t/faults.d t/faults-signals.d t/faults-freeze.d
.PHONY: faults faults-pgbouncer faults-signals faults-freeze soak \
	clean-local-faults-mine
