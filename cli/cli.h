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
 *	PCC_EXIT_ERROR	the command failed and the handler said why.
 */
#ifndef PCC_CLI_H
#define PCC_CLI_H

#include <stdbool.h>
#include <stdio.h>

#define PCC_EXIT_OK	0
#define PCC_EXIT_USAGE	1
#define PCC_EXIT_ERROR	2

struct pcc_cli {
	FILE *out;		/* results */
	FILE *err;		/* diagnostics */
	const char *socket_path;
	bool json;
	bool pretty;
};

struct pcc_command {
	const char *name;
	int (*fn)(struct pcc_cli *cli, int argc, char *argv[]);
	const char *args;	/* usage after the name, ip(8) notation */
	const char *summary;
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

/* Handlers, one file per command family. */
int pcc_version_main(struct pcc_cli *cli, int argc, char *argv[]);

#endif /* PCC_CLI_H */
