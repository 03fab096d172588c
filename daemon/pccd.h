/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pccd.h - the daemon's state and entry points.  main.c only calls
 * pccd_main(); everything else lives in daemon/libpccd.a so the unit tests
 * can drive it.
 */
#ifndef PCCD_H
#define PCCD_H

#include <stdbool.h>
#include <stdio.h>

/* Exit statuses, documented in pccd(8). */
enum pccd_exit {
	PCCD_EXIT_OK = 0,
	PCCD_EXIT_CONFIG = 1,	/* the configuration file is invalid or unreadable */
	PCCD_EXIT_USAGE = 2,	/* bad command line */
	PCCD_EXIT_OS = 3,	/* a system call failed: socket, signals, fork */
};

/* How many CLI connections are served at once; more are turned away. */
#define PCCD_MAX_CLIENTS	16

struct pcc_config;
struct pcc_nl;

struct pccd_options {
	const char *conf_file;
	const char *socket_path;
	bool foreground;
	bool debug;
	bool check_config;
};

struct pccd {
	struct pccd_options opt;
	char *conf_file;		/* absolute: pccd changes to / */
	char *socket_path;		/* absolute, unlinked at exit */
	struct pcc_config *conf;
	struct pcc_nl *nl;		/* NULL while the module is unreachable */
	int listen_fd;
	int signal_fd;
	int clients[PCCD_MAX_CLIENTS];	/* -1: free slot */
	bool stop;
};

/*
 * Parse the command line into opt.  Returns -1 to go on, or the exit status
 * to leave with at once (--help, --version, usage errors), having printed
 * what there was to print to out or err.
 */
int pccd_parse_options(struct pccd_options *opt, int argc, char *argv[],
		       FILE *out, FILE *err);

int pccd_main(int argc, char *argv[]);

#endif /* PCCD_H */
