/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ctl.h - the protocol between pcc (the CLI) and pccd, over a unix socket.
 *
 * Transport
 * ---------
 * An AF_UNIX SOCK_SEQPACKET socket, by default PCC_CTL_SOCKET (set by
 * configure, /run/pcc/pccd.sock unless changed), created by pccd with mode
 * 0666 in a directory of mode 0755.  Every user may connect; each command
 * decides what its caller may do (later versions check SO_PEERCRED).
 *
 * Framing
 * -------
 * One message is one datagram holding exactly one JSON object, UTF-8,
 * without a terminating NUL, at most PCC_CTL_MSG_MAX bytes.  SOCK_SEQPACKET
 * keeps message boundaries, so no length prefix is needed, and ancillary
 * data travels with the message it belongs to: a later protocol version
 * passes open files with SCM_RIGHTS on the request that names them.  Until
 * then a receiver closes any descriptor it is sent.
 *
 * Exchange
 * --------
 * The client sends a request, the daemon answers it; one connection may
 * carry any number of requests, one at a time.  A request is
 *
 *	{"cmd": "NAME", ...arguments...}
 *
 * The daemon answers with zero or more progress messages, each carrying
 * "more": true (reserved for long operations; no command sends them yet),
 * then exactly one final reply without "more".  A final reply is either the
 * command's result object or an error:
 *
 *	{"error": "human readable message", "errno": N}
 *
 * with N a positive errno value.  Both sides ignore keys they do not know,
 * so either may be newer than the other.
 *
 * Commands
 * --------
 *  version	request {"cmd": "version"}
 *		reply   {"version": "0.1.0",
 *			 "module": {"version": "0.1.0", "genl_version": 1}}
 *		or, when the daemon cannot reach the module,
 *			{"version": "0.1.0", "module": null,
 *			 "module_error": "...", "module_errno": N}
 *
 * Protocol history
 * ----------------
 *  1	first version: version.
 */
#ifndef PCC_CTL_H
#define PCC_CTL_H

#include <sys/types.h>

struct json_object;

#define PCC_CTL_PROTO		1
#define PCC_CTL_MSG_MAX		(64 * 1024)

/* How long a client waits for each message of a reply. */
#define PCC_CTL_TIMEOUT_MS	10000

/*
 * Connect to pccd at path.  Returns the socket (close-on-exec) or a
 * negative errno: -ENOENT when no socket exists there and -ECONNREFUSED
 * when one exists but nobody listens (both mean pccd is not running),
 * -ENAMETOOLONG for a path longer than a socket address holds.
 */
int pcc_ctl_connect(const char *path);

/*
 * Create the listening socket at path (mode 0666, non-blocking,
 * close-on-exec), replacing a stale socket left by a dead daemon.
 * Returns the socket or a negative errno: -EADDRINUSE when a live daemon
 * answers on path already, -EEXIST when path is some other kind of file.
 */
int pcc_ctl_listen(const char *path);

/* Send msg as one message.  Returns 0, -EMSGSIZE if it is too big. */
int pcc_ctl_send(int fd, struct json_object *msg);

/*
 * Receive one message, waiting at most timeout_ms (-1: forever) for it.
 * On success *msg holds a JSON object the caller must json_object_put().
 * Returns 0, -ETIMEDOUT, -ECONNRESET when the peer closed the connection,
 * -EMSGSIZE for an oversized message, -EBADMSG when it is not one JSON
 * object.
 */
int pcc_ctl_recv(int fd, struct json_object **msg, int timeout_ms);

/*
 * Send req and wait for its final reply, skipping progress messages.
 * *reply is set on success even when the reply is an error reply; use
 * pcc_ctl_reply_error() to tell.
 */
int pcc_ctl_call(int fd, struct json_object *req, struct json_object **reply);

/* Build the request {"cmd": cmd}; NULL (errno set) on allocation failure. */
struct json_object *pcc_ctl_request(const char *cmd);

/*
 * Build an error reply; err is a negative errno.  If fmt is NULL the
 * message is strerror(-err).  Returns NULL only when out of memory.
 */
struct json_object *pcc_ctl_error(int err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * If reply is an error reply return its negative errno (-EPROTO if it
 * carries none) and point *msg, when msg is not NULL, at its message
 * (owned by reply).  Return 0 for any other reply.
 */
int pcc_ctl_reply_error(struct json_object *reply, const char **msg);

#endif /* PCC_CTL_H */
