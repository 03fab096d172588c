/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pccd.h - the daemon's state and entry points.  main.c only calls
 * pccd_main(); everything else lives in daemon/libpccd.a so the unit tests
 * can drive it.
 */
#ifndef PCCD_H
#define PCCD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/types.h>

/* Exit statuses, documented in pccd(8). */
enum pccd_exit {
	PCCD_EXIT_OK = 0,
	PCCD_EXIT_CONFIG = 1,	/* the configuration file is invalid or unreadable */
	PCCD_EXIT_USAGE = 2,	/* bad command line */
	PCCD_EXIT_OS = 3,	/* a system call failed: socket, signals, fork */
};

/* How many CLI connections are served at once; more are turned away. */
#define PCCD_MAX_CLIENTS	16

struct json_object;
struct pccd;
struct pcc_config;
struct pcc_conf_mount;
struct pcc_nl;
struct pccd_copy_engine;
struct pccd_reasons;
struct pccd_space;

struct pccd_options {
	const char *conf_file;
	const char *socket_path;
	bool foreground;
	bool debug;
	bool check_config;
};

/*
 * A configured mount as it is now: the pcc mount at conf->path, known to
 * the module by id, its files by st_dev.  Rebuilt by every apply.
 */
struct pccd_mount {
	const struct pcc_conf_mount *conf;	/* in d->conf */
	bool mounted;				/* id and dev are valid */
	uint32_t id;
	dev_t dev;
};

/* A CLI connection. */
struct pccd_client {
	int fd;				/* -1: free slot */
	uint64_t serial;		/* tells connections in a slot apart */
	uid_t uid;			/* the peer, from SO_PEERCRED */
	pid_t pid;
	bool busy;			/* a reply is pending: not read */
	struct json_object *pending;	/* its reply being built */
	const char *cmd;		/* the pending command */
	void *work;			/* the pending command's state */
	/* Called twice a second while pending (progress), may be NULL. */
	void (*tick)(struct pccd *d, struct pccd_client *c);
	/* Frees work when the client goes away first. */
	void (*cancel)(struct pccd *d, struct pccd_client *c);
	char errmsg[512];		/* the message of a failing command */
};

struct pccd {
	struct pccd_options opt;
	char *conf_file;		/* absolute: pccd changes to / */
	char *socket_path;		/* absolute, unlinked at exit */
	struct pcc_config *conf;
	struct stat conf_stat;		/* of conf_file when conf was read
					 * or written (st_ino 0: absent) */
	struct pccd_mount *mounts;	/* one per mount of conf */
	size_t nmounts;
	struct pcc_nl *nl;		/* NULL while the module is unreachable */
	uint32_t genl_version;		/* the module's protocol, with nl */
	struct pcc_nl *events;		/* the events socket, or NULL */
	struct pccd_copy_engine *copy;	/* NULL until started */
	struct pccd_space *space;	/* space management, or NULL */
	struct pccd_reasons *reasons;	/* why files are not cached */
	int listen_fd;
	int signal_fd;
	struct pccd_client clients[PCCD_MAX_CLIENTS];
	uint64_t next_serial;
	unsigned int apply_errors;	/* of the last apply */
	char *textfile;			/* the metrics file pccd wrote, or NULL */
	long long textfile_next;	/* when to write it next (monotonic ms) */
	int textfile_err;		/* the failure logged, 0 after a write */
	bool resync;			/* events were lost: apply again */
	bool stop;
};

/* Remember conf_file's identity and times: it is what pccd has read. */
void pccd_conf_seen(struct pccd *d);

/*
 * Parse the command line into opt.  Returns -1 to go on, or the exit status
 * to leave with at once (--help, --version, usage errors), having printed
 * what there was to print to out or err.
 */
int pccd_parse_options(struct pccd_options *opt, int argc, char *argv[],
		       FILE *out, FILE *err);

int pccd_main(int argc, char *argv[]);

#endif /* PCCD_H */
