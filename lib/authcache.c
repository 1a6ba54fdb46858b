/*
 * authcache.c -- a process's memory of the API tokens it checked lately,
 * so that a request whose token was proven a moment ago costs no
 * statement of its own (AUTH_CACHE). Browser sessions are not remembered:
 * a logout must hold at once in every process.
 *
 * An entry is keyed by SHA-256 of the token (never the token itself) and
 * kept for at most AUTH_CACHE seconds. Sooner than that, the whole memory
 * is forgotten whenever the database announces a change to credentials (a
 * token revoked or deleted, a password, type or name changed, a user
 * deleted: sql/105_auth_notify.sql, through db_notified), whenever the
 * connection is new or lost, and always behind PgBouncer in transaction
 * pooling, where such announcements cannot be had. So a revocation or a
 * change of the token's user takes effect in every process as soon as the
 * announcement arrives (a few milliseconds), and in any case within
 * AUTH_CACHE seconds.
 */
#include "config.h"

#include <string.h>
#include <time.h>

#include "encfield.h"
#include "extern.h"

#define AUTHCACHE_SLOTS 32

struct slot {
	uint8_t hash[32];
	double until; /* monotonic seconds; 0: empty */
	struct auth_who who;
};

static struct slot slots[AUTHCACHE_SLOTS];
static unsigned ttl;
static struct authcache_stats stats;

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void
authcache_set_ttl(unsigned seconds)
{
	ttl = seconds;
	authcache_clear();
}

void
authcache_clear(void)
{
	ef_wipe(slots, sizeof(slots));
}

int
authcache_get(const uint8_t hash[32], enum auth_via via, struct auth_who *who)
{
	double now;
	size_t i;

	if (ttl == 0)
		return 0;
	if (db_notified())
		authcache_clear();
	now = now_s();
	for (i = 0; i < AUTHCACHE_SLOTS; i++)
		if (slots[i].until > now && slots[i].who.via == via &&
		    ef_ct_equal(slots[i].hash, hash, 32)) {
			*who = slots[i].who;
			stats.hits++;
			return 1;
		}
	stats.misses++;
	return 0;
}

void
authcache_put(const uint8_t hash[32], const struct auth_who *who)
{
	size_t i, victim = 0;
	double now;

	if (ttl == 0)
		return;
	now = now_s();
	/* An empty or expired slot, else the one that expires first. */
	for (i = 0; i < AUTHCACHE_SLOTS; i++) {
		if (slots[i].until <= now) {
			victim = i;
			break;
		}
		if (slots[i].until < slots[victim].until)
			victim = i;
	}
	ef_wipe(&slots[victim], sizeof(slots[victim]));
	memcpy(slots[victim].hash, hash, 32);
	slots[victim].who = *who;
	slots[victim].until = now + ttl;
}

void
authcache_stats(struct authcache_stats *out)
{
	*out = stats;
}
