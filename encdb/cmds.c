/*
 * cmds.c -- every command of encdb in one table, with its help: the
 * synopsis, a one-line summary, the options and one example. `encdb help`,
 * `encdb help COMMAND`, `encdb COMMAND --help` and the usage lines of the
 * commands all print from here; t/encdb-help.sh checks the manual
 * (man/encdb.1) against `encdb help`, and each command's options against
 * the manual's synopsis, so the three cannot drift apart.
 *
 * A row's name is the words an operator types: one word for a command,
 * two for a subcommand of a group ("token create"). The rows of a group
 * are adjacent; the first one stands for the group in listings.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "encdb.h"
#include "ops.h"

/* Options every command takes; printed after each command's own. */
static const char common_options[] =
    "  -v, --verbose       show details for support (internal names)\n"
    "  -h, --help          show this help\n"
    "  --version           show the version\n";

const struct encdb_cmd encdb_cmds[] = {
    {"migrate", encdb_migrate, "[--sql-dir DIR]",
        "apply the pending SQL migrations",
        "  --sql-dir DIR       the migrations (default: SQL_DIR, else the\n"
        "                      installed " SQLDIR ")\n",
        "encdb migrate --sql-dir ./sql"},
    {"check", encdb_check, "[--sql-dir DIR]",
        "check settings, keys, database, schema and a canary",
        "  --sql-dir DIR       the migrations to compare the schema with\n"
        "                      (default: SQL_DIR, else the installed ones)\n",
        "encdb check"},
    {"gen-key", encdb_gen_key, "[--id N | --audit]",
        "print a new random key, or the audit key pair",
        "  --id N              print it as a FIELD_KEYS entry N:base64\n"
        "                      (N from 0 to 65535)\n"
        "  --audit             print a new Ed25519 key pair for the audit\n"
        "                      checkpoints: AUDIT_SIGNING_KEY=... and\n"
        "                      AUDIT_VERIFY_KEY=... lines\n",
        "encdb gen-key --id 2"},
    {"create-user", encdb_create_user,
        "USERNAME --email EMAIL [--admin] [--password-file FILE]",
        "create a user (the password never on the command line)",
        "  --email EMAIL       the user's email (required)\n"
        "  --admin             make an administrator (default: user)\n"
        "  --password-file FILE\n"
        "                      read the password from the first line of\n"
        "                      FILE (else the terminal, without echo, else\n"
        "                      one line of standard input)\n",
        "encdb create-user alice --email alice@example.org --admin"},
    {"user list", encdb_user_list, "[--prefix PREFIX] [--email]",
        "list the users (name, type, id, dates)",
        "  --prefix PREFIX     only usernames that start with PREFIX (A-Z in\n"
        "                      any case)\n"
        "  --email             also show each decrypted email (recorded in\n"
        "                      the audit trail)\n",
        "encdb user list --prefix a"},
    {"user passwd", encdb_user_passwd, "USERNAME [--password-file FILE]",
        "set a new password; ends the user's sessions",
        "  --password-file FILE\n"
        "                      read the password from the first line of\n"
        "                      FILE (else the terminal, without echo, else\n"
        "                      one line of standard input)\n",
        "encdb user passwd alice"},
    {"user set-type", encdb_user_set_type, "USERNAME TYPE",
        "make a user an admin or a plain user", NULL,
        "encdb user set-type alice admin"},
    {"user delete", encdb_user_delete, "USERNAME",
        "delete a user (never the last admin)", NULL, "encdb user delete bob"},
    {"unlock", encdb_unlock, "USERNAME",
        "forget the failed logins counted on an account", NULL,
        "encdb unlock alice"},
    {"rotate", ops_rotate, "[--batch N] [--pause MS] [--jobs N]",
        "re-wrap data keys, re-encrypt v1 emails under the active key",
        "  --batch N           rows per batch (default 1000)\n"
        "  --pause MS          wait MS milliseconds between batches\n"
        "  --jobs N            threads for the first pass (default 2, max 8)\n",
        "encdb rotate --pause 50"},
    {"upgrade", ops_upgrade, "[--batch N] [--pause MS] [--jobs N]",
        "seal legacy and v1 emails under per-user data keys, online",
        "  --batch N           rows per batch (default 1000)\n"
        "  --pause MS          wait MS milliseconds between batches\n"
        "  --jobs N            threads for the first pass (default 2, max 8)\n",
        "POSTGRES_SECRET_KEY=changeme2 encdb upgrade"},
    {"reindex", ops_reindex, "[--swap] [--batch N] [--pause MS] [--jobs N]",
        "move the blind index to a new INDEX_KEY, online",
        "  --swap              finish and make the new index current\n"
        "  --batch N           rows per batch (default 1000)\n"
        "  --pause MS          wait MS milliseconds between batches\n"
        "  --jobs N            threads for the first pass (default 2, max 8)\n",
        "OLD_INDEX_KEY=... INDEX_KEY=... encdb reindex --swap"},
    {"verify", ops_verify, "",
        "decrypt every row, count them by key id and format", NULL,
        "encdb verify"},
    {"status", ops_status, "", "count rows by key id and format, without keys",
        NULL, "encdb status"},
    {"token create", ops_token, "USERNAME --name NAME [--expires DAYS]",
        "create an API token (printed once, stored hashed)",
        "  --name NAME         what the token is for (up to 200 bytes)\n"
        "  --expires DAYS      refuse it after DAYS days (1..3650); without\n"
        "                      it, until revoked\n",
        "encdb token create alice --name ci-deploy"},
    {"token list", ops_token, "[USERNAME]",
        "list API tokens (id, user, name, dates; never the token)", NULL,
        "encdb token list alice"},
    {"token revoke", ops_token, "ID", "revoke an API token by its id", NULL,
        "encdb token revoke 3"},
    {"audit seal", ops_audit, "[--checkpoints FILE] [--wait SECONDS]",
        "chain the new audit entries and append a signed checkpoint",
        "  --checkpoints FILE  the checkpoints file (default:\n"
        "                      AUDIT_CHECKPOINTS, else the state directory's)\n"
        "  --wait SECONDS      wait at most this long for transactions still\n"
        "                      writing the trail (default 60)\n",
        "encdb audit seal"},
    {"audit verify", ops_audit, "[--checkpoints FILE]",
        "check every sealed entry against the signed checkpoints",
        "  --checkpoints FILE  the checkpoints file (default:\n"
        "                      AUDIT_CHECKPOINTS, else the state "
        "directory's)\n",
        "encdb audit verify --checkpoints /backup/audit-checkpoints"},
    {"audit show", ops_audit,
        "[--limit N] [--user NAME|UUID] [--action ACTION] [--since TIME] "
        "[--until TIME] [--json]",
        "print the last entries of the audit trail, with usernames",
        "  --limit N           how many entries (default 20)\n"
        "  --user NAME|UUID    only entries about or made by this user\n"
        "  --action ACTION     only this action (read, list, login, ...)\n"
        "  --since TIME        only entries at or after TIME\n"
        "  --until TIME        only entries before TIME\n"
        "  --json              print a JSON array\n",
        "encdb audit show --user alice --action read"},
    {"erasure seal", ops_erasure, "[--ledger FILE]",
        "copy new erasures to the signed erasure ledger",
        "  --ledger FILE       the ledger (default: ERASURE_LEDGER, else the\n"
        "                      state directory's erasure-ledger)\n",
        "encdb erasure seal"},
    {"erasure status", ops_erasure, "[--ledger FILE]",
        "check the ledger; list erasures pending in this database",
        "  --ledger FILE       the ledger (default: ERASURE_LEDGER, else the\n"
        "                      state directory's erasure-ledger)\n",
        "encdb erasure status --ledger /backup/erasure-ledger"},
    {"erasure apply", ops_erasure, "[--ledger FILE]",
        "after a restore: erase again every user the ledger lists",
        "  --ledger FILE       the ledger (default: ERASURE_LEDGER, else the\n"
        "                      state directory's erasure-ledger)\n",
        "encdb erasure apply"},
    {"roles", ops_roles, "APP_ROLE [--check] [--password-file FILE]",
        "create or check the routes' database role",
        "  --check             change nothing; list every difference, exit 1\n"
        "                      if there is one\n"
        "  --password-file FILE\n"
        "                      the role's password, from the first line of\n"
        "                      FILE\n",
        "encdb roles app --check"},
    {NULL, NULL, NULL, NULL, NULL, NULL},
};

/* The length of the first word of name (up to a space or the end). */
static size_t
first_word_len(const char *name)
{
	const char *sp = strchr(name, ' ');

	return sp != NULL ? (size_t)(sp - name) : strlen(name);
}

/* 1 if row c belongs to group g (its first word is g). */
static int
in_group(const struct encdb_cmd *c, const char *g)
{
	size_t n = first_word_len(c->name);

	return c->name[n] == ' ' && strlen(g) == n &&
	    strncmp(c->name, g, n) == 0;
}

int
encdb_is_group(const char *name)
{
	const struct encdb_cmd *c;

	for (c = encdb_cmds; c->name != NULL; c++)
		if (in_group(c, name))
			return 1;
	return 0;
}

const struct encdb_cmd *
encdb_cmd_find(int argc, char *argv[], int *words)
{
	const struct encdb_cmd *c, *first = NULL;
	size_t n;

	*words = 0;
	if (argc < 1)
		return NULL;
	for (c = encdb_cmds; c->name != NULL; c++) {
		if (strcmp(c->name, argv[0]) == 0) {
			*words = 1;
			return c;
		}
		if (!in_group(c, argv[0]))
			continue;
		if (first == NULL)
			first = c;
		n = first_word_len(c->name);
		if (argc > 1 && strcmp(c->name + n + 1, argv[1]) == 0) {
			*words = 2;
			return c;
		}
	}
	if (first != NULL)
		*words = 1;
	return first;
}

void
encdb_usage(FILE *f, const char *name)
{
	const struct encdb_cmd *c;

	for (c = encdb_cmds; c->name != NULL; c++)
		if (strcmp(c->name, name) == 0) {
			fprintf(f, "usage: encdb %s%s%s\n", c->name,
			    c->args[0] != '\0' ? " " : "", c->args);
			break;
		}
	fprintf(f, "Run 'encdb help %s' for more.\n", name);
}

void
encdb_help_cmd(FILE *f, const struct encdb_cmd *c)
{
	fprintf(f, "usage: encdb %s%s%s\n\n", c->name,
	    c->args[0] != '\0' ? " " : "", c->args);
	fprintf(f, "%c%s.\n\n", toupper((unsigned char)c->summary[0]),
	    c->summary + 1);
	fprintf(f, "options:\n%s%s\n", c->options != NULL ? c->options : "",
	    common_options);
	fprintf(
	    f, "example:\n  %s\n\nSee encdb(1) for the details.\n", c->example);
}

/* One listing line: the name, padded, then the summary. */
static void
list_line(FILE *f, const struct encdb_cmd *c)
{
	fprintf(f, "  %-16s%s\n", c->name, c->summary);
}

void
encdb_help_group(FILE *f, const char *group)
{
	const struct encdb_cmd *c;

	fprintf(f, "usage: encdb %s SUBCOMMAND [arguments]\n\n", group);
	fprintf(f, "subcommands:\n");
	for (c = encdb_cmds; c->name != NULL; c++)
		if (in_group(c, group))
			list_line(f, c);
	fprintf(
	    f, "\nRun 'encdb help %s SUBCOMMAND' for one of them.\n", group);
}

void
encdb_help_all(FILE *f)
{
	const struct encdb_cmd *c;

	fprintf(f,
	    "usage: encdb [-v] COMMAND [arguments]\n"
	    "       encdb help [COMMAND]\n"
	    "       encdb --version\n\n"
	    "commands:\n");
	for (c = encdb_cmds; c->name != NULL; c++)
		list_line(f, c);
	fprintf(f, "  %-16s%s\n", "help", "this list, or one command's help");
	fprintf(f,
	    "\noptions (before or after the command):\n%s\n"
	    "exit status: 0 done; 1 done, but something failed or was "
	    "refused\n"
	    "(named in the message); 2 bad command line; 3 settings or "
	    "database\n"
	    "unusable (see encdb check).\n\n"
	    "Settings come from the environment, files in SECRETS_PATH\n"
	    "(unset: %s), or CONFIG_FILE:\n"
	    "DATABASE_URL, FIELD_KEYS, INDEX_KEY, ... See encdb(1).\n"
	    "Run 'encdb help COMMAND' for a command's options and an "
	    "example.\n",
	    common_options, cfg_secrets_default());
}

void
encdb_version(FILE *f)
{
	fprintf(f, "encdb (%s) %s\n", PACKAGE_NAME, PACKAGE_VERSION);
}
