# t/e2e.mk: end-to-end tests over real HTTP against real web servers
# (lighttpd, Apache mod_fcgid, Apache plain CGI through the shared-hosting
# .htaccess) and, for the *.pg ones, a real PostgreSQL (t/with-pg); and the
# browser tests (headless Chromium). Owned by deploy. Harness: t/e2e/lib.sh.
TESTS += t/e2e-configs.sh t/e2e-run-app.sh t/e2e-lighttpd.pg t/e2e-apache-fcgid.pg \
	t/e2e-apache-cgi.pg t/e2e-apache-htaccess-fcgid.pg t/e2e-takeover.pg \
	t/e2e-replica.pg t/e2e-replica-pgbouncer.pg t/e2e-erasure.pg t/browser.pg \
	t/e2e-base-path.pg t/browser-base-path.pg t/e2e-shared-host.sh
EXTRA_DIST += t/e2e-base-path.pg t/browser-base-path.pg t/e2e-shared-host.sh
EXTRA_DIST += t/e2e-configs.sh t/e2e-run-app.sh t/e2e-lighttpd.pg t/e2e-apache-fcgid.pg \
	t/e2e-apache-cgi.pg t/e2e-apache-htaccess-fcgid.pg t/e2e-takeover.pg \
	t/e2e-replica.pg t/e2e-replica-pgbouncer.pg t/e2e-erasure.pg t/e2e/lib.sh \
	t/e2e/probe.py t/e2e/run-suite.sh t/e2e/suite.py \
	t/e2e/takeover.py t/e2e/boilerplate.sql \
	t/browser.pg t/browser/browser.py t/browser/package.json \
	t/browser/package-lock.json t/browser/install-axe

# Each test keeps its server logs in t/<test>.d/ (screenshots in
# t/screenshots/), the browser test its axe-core in npm/ and the route
# suite its free-scanner's log; make clean removes them.
clean-local: clean-e2e
clean-e2e:
	-rm -rf t/e2e-*.d t/browser*.d t/bundle.d t/screenshots t/screenshots-* \
	    t/e2e/__pycache__ npm \
	    t/routes/wipe.log
.PHONY: clean-e2e
