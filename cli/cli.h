/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * cli.h - the pcc command line: global state, the command table's entry
 * type and each command's handler.
 *
 * Handler contract (after iw and wg): a handler gets its own name in
 * argv[0] and returns a process exit status:
 *	PCC_EXIT_OK	done;
 *	PCC_EXIT_USAGE	bad usage: the handler said what was wrong, the
 *			caller adds the command's usage line;
 *	PCC_EXIT_ERROR	the command failed and the handler said why;
 *	PCC_EXIT_NODAEMON  the command needs pccd and none is running (so a
 *			script can tell "start pccd" from "this failed").
 *
 * Options: a command lists its own in its table entry (struct
 * pcc_cli_opt); pcc_cli_getopt() parses them together with the global
 * ones, and the help is printed from the same table, so it cannot drift
 * from the code.  A command's short option wins over a global one with
 * the same letter (prefetch -j is --jobs, add -p is --param); the global
 * long forms still work there.
 */
#ifndef PCC_CLI_H
#define PCC_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct json_object;
struct pcc_cli;

#define PCC_EXIT_OK		0
#define PCC_EXIT_USAGE		1
#define PCC_EXIT_ERROR		2
#define PCC_EXIT_NODAEMON	3

/* One option of a command: val is its short letter, or >= 0x200. */
struct pcc_cli_opt {
	const char *name;	/* long name */
	int val;
	int has_arg;		/* no_argument or required_argument */
	const char *arg;	/* the argument's name in the help */
	const char *help;
};

struct pcc_command {
	const char *name;
	int (*fn)(struct pcc_cli *cli, int argc, char *argv[]);
	const char *args;	/* usage after the name, ip(8) notation */
	const char *summary;
	const struct pcc_cli_opt *opts;	/* NULL-name terminated, or NULL */
};

#define PCC_CLI_MAX_OPTS	24

struct pcc_cli {
	FILE *out;		/* results */
	FILE *err;		/* diagnostics */
	const char *socket_path;
	bool json;
	bool pretty;
	const struct pcc_command *cmd;	/* the command running */
	int ctl;			/* connection to pccd, or -1 */
	/* pcc_cli_getopt()'s state */
	bool opt_started;
	char optstring[2 * PCC_CLI_MAX_OPTS + 4];
	struct option longopts[PCC_CLI_MAX_OPTS + 1];
};

/*
 * Run pcc with argv, printing to out and err; returns the exit status.
 * The whole program, minus main(), so the tests can drive it.
 */
int pcc_cli_main(int argc, char *argv[], FILE *out, FILE *err);

/*
 * Parse the global options that may also follow a command's name
 * (-j, -p, -s, -h).  Returns the index of the first operand (>= 1);
 * 0 if the command is done (its help was printed); -1 after a bad option
 * (said on cli->err).
 */
int pcc_cli_options(struct pcc_cli *cli, int argc, char *argv[]);

/*
 * Next option of the running command (cli->cmd), global ones handled here.
 * Returns the option's val (> 0, its argument in *arg); 0 at the end, the
 * operands starting at optind; PCC_OPT_DONE after printing the help;
 * PCC_OPT_BAD after saying what was wrong.
 */
#define PCC_OPT_DONE	(-2)
#define PCC_OPT_BAD	(-1)
int pcc_cli_getopt(struct pcc_cli *cli, int argc, char *argv[],
		   const char **arg);
/* The exit status for PCC_OPT_DONE or PCC_OPT_BAD. */
static inline int pcc_cli_opt_status(int c)
{
	return c == PCC_OPT_DONE ? PCC_EXIT_OK : PCC_EXIT_USAGE;
}

/* Shared by the commands (common.c). */

/* "pcc COMMAND: MESSAGE\n" on cli->err. */
void pcc_cli_error(struct pcc_cli *cli, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * path made absolute, malloc'd: realpath() when it exists; when it does
 * not, an error if must_exist, else cwd/path as written.  NULL after
 * saying why.
 */
char *pcc_cli_abspath(struct pcc_cli *cli, const char *path, bool must_exist);

/*
 * Send req (with nfds descriptors) to pccd and wait for the final reply,
 * handing progress messages to progress.  Returns PCC_EXIT_OK with *reply
 * set to a result (not an error) reply, or the exit status after saying
 * why ("pcc COMMAND: MESSAGE"): PCC_EXIT_NODAEMON when pccd is not
 * running, PCC_EXIT_ERROR otherwise.  quiet: say nothing.  The connection
 * is opened on first use and kept in cli->ctl.
 */
int pcc_cli_call(struct pcc_cli *cli, struct json_object *req,
		 const int *fds, unsigned int nfds,
		 void (*progress)(struct json_object *msg, void *arg),
		 void *arg, struct json_object **reply, bool quiet);

/* Start the output in the format the options asked for; NULL if no memory. */
struct out *pcc_cli_out(struct pcc_cli *cli, unsigned int flags);
/* out_end() and say so if the output was lost; returns the exit status. */
int pcc_cli_out_end(struct pcc_cli *cli, struct out *o, int status);

/* Reading replies: missing or mistyped keys give 0, NULL, false. */
uint64_t pcc_json_u64(struct json_object *o, const char *key);
const char *pcc_json_str(struct json_object *o, const char *key);
bool pcc_json_bool(struct json_object *o, const char *key);
struct json_object *pcc_json_get(struct json_object *o, const char *key);

/* "512 B", "1.5 KiB", ... "3.0 TiB" */
void pcc_human_bytes(uint64_t n, char *buf, size_t len);

/* A decimal number in [min, max]; false if s is anything else. */
bool pcc_parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *v);

/* Handlers, one file per command family. */
int pcc_version_main(struct pcc_cli *cli, int argc, char *argv[]);
int pcc_add_main(struct pcc_cli *cli, int argc, char *argv[]);
int pcc_set_main(struct pcc_cli *cli, int argc, char *argv[]);
int pcc_del_main(struct pcc_cli *cli, int argc, char *argv[]);
int pcc_clear_main(struct pcc_cli *cli, int argc, char *argv[]);
int pcc_list_main(struct pcc_cli *cli, int argc, char *argv[]);
int pcc_attach_main(struct pcc_cli *cli, int argc, char *argv[]);
int pcc_detach_main(struct pcc_cli *cli, int argc, char *argv[]);
int pcc_pin_main(struct pcc_cli *cli, int argc, char *argv[]);
int pcc_unpin_main(struct pcc_cli *cli, int argc, char *argv[]);
int pcc_state_main(struct pcc_cli *cli, int argc, char *argv[]);
int pcc_stats_main(struct pcc_cli *cli, int argc, char *argv[]);
int pcc_prefetch_main(struct pcc_cli *cli, int argc, char *argv[]);

/* Their option tables (in the files of the handlers). */
extern const struct pcc_cli_opt pcc_dataset_opts[];
extern const struct pcc_cli_opt pcc_del_opts[];
extern const struct pcc_cli_opt pcc_attach_opts[];
extern const struct pcc_cli_opt pcc_detach_opts[];
extern const struct pcc_cli_opt pcc_pin_opts[];
extern const struct pcc_cli_opt pcc_prefetch_opts[];
extern const struct pcc_cli_opt pcc_stats_opts[];

/*
 * pcc state's printing, apart so it can be tested without the ioctl: one
 * file's state st (NULL with err, a negative errno, when it could not be
 * had) under the name the user gave; root, when not NULL, is the dataset's
 * directory, making the copy's path absolute; held_by, when not NULL, is
 * the value of the lower file's read-write mark (the node holding it
 * read-write; null in JSON unless printable ASCII); why, when not NULL,
 * is pccd's reason reply for a file that is not cached.
 */
struct pcc_ioc_state;
struct out;
void pcc_state_print(struct out *o, const char *file,
		     const struct pcc_ioc_state *st, int err,
		     const char *root, const char *held_by,
		     struct json_object *why);
/*
 * The directory of dataset id of the mount holding the absolute path abs
 * (the longest mount path that is a prefix of it), from pccd's list
 * reply; NULL if there is none.
 */
const char *pcc_state_root(struct json_object *list, const char *abs,
			   uint32_t id);

#endif /* PCC_CLI_H */
