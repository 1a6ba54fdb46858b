/*
 * encdb.h -- the command table of encdb (encdb/cmds.c: each command's
 * words, function and help text) and the commands of encdb.c and user.c.
 * The operator's maintenance commands are declared in ops.h.
 *
 * Adding a command or a subcommand is one row in encdb_cmds[] (cmds.c):
 * its words, the function that runs it and its help text. main() finds
 * the row, answers --help and --version from it, and calls the function;
 * `encdb help`, the manual's test and the bash completion read the table
 * through `encdb help`.
 */
#ifndef ENCDB_ENCDB_H
#define ENCDB_ENCDB_H

#include <stdio.h>

/* One command or subcommand of encdb. */
struct encdb_cmd {
	const char *name;         /* the words typed: "migrate", "user list" */
	int (*fn)(int, char *[]); /* runs it: see "The arguments" below */
	const char *args;         /* what follows the name in the synopsis */
	const char *summary;      /* one line for `encdb help` */
	const char *options;      /* "  --opt ARG   what it does\n" lines */
	const char *example;      /* one example command line */
};

/* The table, ended by a row with name NULL (cmds.c). */
extern const struct encdb_cmd encdb_cmds[];

/*
 * Find the row for the words of argv[0..argc-1]: a two-word row when
 * argv[1] names one of its subcommands, else a one-word row. *words gets
 * how many words matched (1 or 2). NULL when argv[0] names nothing; for a
 * group name alone ("token"), the group's first row with *words = 1.
 */
const struct encdb_cmd *encdb_cmd_find(int argc, char *argv[], int *words);

/* 1 if name is a group of subcommands ("token", "user", ...). */
int encdb_is_group(const char *name);

/* Print the full help of one command (usage, options, example). */
void encdb_help_cmd(FILE *f, const struct encdb_cmd *c);

/* Print the subcommands of a group with their summaries. */
void encdb_help_group(FILE *f, const char *group);

/* Print the overview: every command, global options, exit status. */
void encdb_help_all(FILE *f);

/* Print "usage: encdb NAME ARGS" and where the full help is. */
void encdb_usage(FILE *f, const char *name);

/* Print "encdb (fcgi-encrypted-db) VERSION". */
void encdb_version(FILE *f);

/*
 * The arguments: a command's function gets the words from its first one
 * on, without the common options (-v, -h, --version); argv[0] is "encdb
 * NAME" (getopt_long's messages name it), argv[1] the second word of a
 * two-word name. It returns an OPS_EXIT_* status (ops.h). The commands
 * that live in encdb.c and user.c:
 */
int encdb_migrate(int argc, char *argv[]);
int encdb_check(int argc, char *argv[]);
int encdb_gen_key(int argc, char *argv[]);
int encdb_create_user(int argc, char *argv[]);
int encdb_unlock(int argc, char *argv[]);
int encdb_user_list(int argc, char *argv[]);
int encdb_user_passwd(int argc, char *argv[]);
int encdb_user_set_type(int argc, char *argv[]);
int encdb_user_delete(int argc, char *argv[]);

/* Print "encdb: " and the message on stderr. */
void encdb_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* 1 when -v was given: details (internal names) may be shown. */
extern int encdb_verbose;

#endif /* !ENCDB_ENCDB_H */
