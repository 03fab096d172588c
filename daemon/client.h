/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * client.h - pccd's side of the control protocol (lib/ctl.h): accept CLI
 * connections, read requests with their descriptors, dispatch them, send
 * replies now or, for long commands, later.
 */
#ifndef PCCD_CLIENT_H
#define PCCD_CLIENT_H

#include <stdbool.h>

struct json_object;
struct pccd;
struct pccd_client;

/* A command returns 0 (reply ready), a negative errno, or: */
#define PCCD_PENDING	1	/* it replies later, pccd_client_finish() */

struct pccd_request {
	struct pccd *d;
	struct pccd_client *c;
	struct json_object *req;
	struct json_object *reply;	/* the result object to fill */
	int *fds;			/* descriptors sent with it */
	unsigned int nfds;		/* a command that keeps one sets it
					 * to -1 in fds */
};

typedef int (*pccd_command_fn)(struct pccd_request *r);

/*
 * Answer one request of client c (c->uid decides what it may do).
 * Returns the final reply to send, or NULL when the command is pending
 * (c->busy) or out of memory (then c is not busy).  Descriptors the
 * command did not keep are closed.
 */
struct json_object *pccd_handle_request(struct pccd *d, struct pccd_client *c,
					struct json_object *req, int *fds,
					unsigned int nfds);

/* Record the message for the error a command is about to return. */
int pccd_fail(struct pccd_client *c, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Is the peer root? If not, fail with EPERM "CMD needs root". */
int pccd_need_root(struct pccd_request *r);

/* The pending command of c is done: send c->pending (err 0) or err. */
void pccd_client_finish(struct pccd *d, struct pccd_client *c, int err);

/* Send msg (a progress message: "more": true is added) to c. */
void pccd_client_progress(struct pccd *d, struct pccd_client *c,
			  struct json_object *msg);

/* The listening socket is readable: accept what is waiting. */
void pccd_client_accept(struct pccd *d);

/* Client slot i is readable or hung up: serve one request or drop it. */
void pccd_client_event(struct pccd *d, int i, short revents);

/* Call the tick of every pending command. */
void pccd_client_tick(struct pccd *d);
/* Does any pending command want ticks? */
bool pccd_client_ticking(struct pccd *d);

/* The client in slot i, if it is still connection serial. */
struct pccd_client *pccd_client_get(struct pccd *d, int slot,
				    unsigned long long serial);

/* Drop every client. */
void pccd_client_close_all(struct pccd *d);

/* JSON helpers for the commands; -ENOMEM on failure, o keeps nothing. */
/* s NULL: a JSON null. */
int pccd_json_str(struct json_object *o, const char *key, const char *s);
int pccd_json_null(struct json_object *o, const char *key);
int pccd_json_u64(struct json_object *o, const char *key,
		  unsigned long long v);
int pccd_json_add(struct json_object *o, const char *key,
		  struct json_object *v);
/* Read optional members: -EINVAL (message set) if of the wrong type. */
int pccd_req_str(struct pccd_request *r, const char *key, bool required,
		 const char **out);
int pccd_req_bool(struct pccd_request *r, const char *key, bool *out);
int pccd_req_u32(struct pccd_request *r, const char *key, unsigned int *out);

/* The commands, one file per family. */
int pccd_cmd_add(struct pccd_request *r);	/* admin.c */
int pccd_cmd_set(struct pccd_request *r);
int pccd_cmd_del(struct pccd_request *r);
int pccd_cmd_clear(struct pccd_request *r);
int pccd_cmd_list(struct pccd_request *r);
int pccd_cmd_stats(struct pccd_request *r);
int pccd_cmd_attach(struct pccd_request *r);	/* fileops.c */
int pccd_cmd_detach(struct pccd_request *r);
int pccd_cmd_pin(struct pccd_request *r);
int pccd_cmd_unpin(struct pccd_request *r);
int pccd_cmd_reason(struct pccd_request *r);	/* reason.c */
int pccd_cmd_prefetch(struct pccd_request *r);	/* prefetch.c */

#endif /* PCCD_CLIENT_H */
