/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ctl.h - the protocol between pcc (the CLI) and pccd, over a unix socket.
 *
 * Transport
 * ---------
 * An AF_UNIX SOCK_SEQPACKET socket, by default PCC_CTL_SOCKET (set by
 * configure, /run/pcc/pccd.sock unless changed), created by pccd with mode
 * 0666 in a directory of mode 0755.  Every user may connect; each command
 * decides what its caller may do (SO_PEERCRED, below).
 *
 * Framing
 * -------
 * One message is one datagram holding exactly one JSON object, UTF-8,
 * without a terminating NUL, at most PCC_CTL_MSG_MAX bytes.  SOCK_SEQPACKET
 * keeps message boundaries, so no length prefix is needed, and ancillary
 * data travels with the message it belongs to: open files are passed with
 * SCM_RIGHTS on the request that names them (at most PCC_CTL_FDS_MAX).  A
 * command that takes none closes any it is sent.
 *
 * Exchange
 * --------
 * The client sends a request, the daemon answers it; one connection may
 * carry any number of requests, one at a time.  A request is
 *
 *	{"cmd": "NAME", ...arguments...}
 *
 * The daemon answers with zero or more progress messages, each carrying
 * "more": true (long operations: attach and prefetch, below),
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
 * Who may: "any" commands are open to every user; "root" ones need the
 * peer (SO_PEERCRED) to be uid 0, EPERM with "COMMAND needs root"
 * otherwise.  Commands taking files get them as open descriptors with
 * SCM_RIGHTS on the request, in the order of its "files" array (the names
 * the user gave, for messages only): holding an open descriptor proves the
 * caller could open the file; a request with another number of
 * descriptors than names is EINVAL.  Paths in requests are absolute.
 *
 *  version	any.  {"cmd": "version"}
 *		reply {"version": "0.1.0",
 *		       "module": {"version": "0.1.0", "genl_version": 2}}
 *		or, when the daemon cannot reach the module,
 *		      {"version": "0.1.0", "module": null,
 *		       "module_error": "...", "module_errno": N}
 *
 *  add		root.  {"cmd": "add", "mount": MNT, "cache": DIR,
 *			"params": "PARAMS"}
 *		PARAMS as lib/param.h.  Checks everything (a bad PARAMS is
 *		EINVAL with "column N: ..."), applies it to the module, then
 *		rewrites the configuration file; a failure anywhere leaves
 *		the module and the file as they were.
 *		reply {"dataset": DATASET}
 *
 *  set		root.  {"cmd": "set", "mount": MNT, "cache": DIR,
 *			"params": "PARAMS"}: PARAMS applied on top of the
 *		dataset's values; roid/rwid/mode cannot change (EINVAL).
 *		reply {"dataset": DATASET}
 *
 *  del		root.  {"cmd": "del", "mount": MNT, "cache": DIR,
 *			"keep": BOOL}
 *		reply {"removed_copies": N, "removed_bytes": N}
 *
 *  clear	root.  {"cmd": "clear", "mount": MNT, "keep": BOOL}
 *		reply {"datasets": N, "removed_copies": N,
 *		       "removed_bytes": N}
 *
 *  list	any.  {"cmd": "list"[, "mount": MNT]}
 *		reply {"mounts": [MOUNT, ...]} (the configured mounts, or
 *		the one named: ENOENT if it is not configured), with
 *		MOUNT = {"path": P, "lower": L, "mounted": BOOL,
 *			 "mount_id": N or null, "datasets": [DATASET, ...]}
 *		DATASET = {"id": N, "roid": N, "rwid": N, "path": DIR,
 *			   "mode": "ro"|"rw"|"rw+ro",
 *			   "attach": ["open", "stat", "io"],
 *			   "rule": TEXT or null,
 *			   "writeback": "close"|"lazy" or null,
 *			   "writeback_interval": N or null, "attached": N,
 *			   "usage": {"files": N, "bytes": N,
 *				     "pinned_files": N, "pinned_bytes": N},
 *			   "limits": LIMITS}
 *		LIMITS = {"high_percent": N, "low_percent": N,
 *			  "max_bytes": N or null, "max_files": N or null,
 *			  "min_free": N or null}
 *		("id" is the id the module knows the dataset by: roid, or
 *		rwid when only that is set.  "writeback" is null unless
 *		the mode has rw, "writeback_interval" (seconds) unless
 *		"writeback" is "lazy".)
 *
 *  attach	any, one descriptor per file, opened O_RDONLY.
 *		{"cmd": "attach", "files": [NAME, ...], "id": N (0: the
 *		 first dataset of that mode), "mode": "ro"|"rw"}
 *		Copies each file in (merged with any copy of it already
 *		under way) and attaches it.  While copies run, a progress
 *		message {"more": true, "waiting": N} (files not done yet)
 *		comes every half second.
 *		reply {"files": [{"file": NAME, "dataset": N,
 *				  "cache_path": P, "bytes": N} or
 *				 {"file": NAME, "error": MSG, "errno": N}, ...]}
 *		(the command itself succeeds when each file has an entry).
 *
 *  detach	any, one descriptor per file.  {"cmd": "detach",
 *			"files": [NAME, ...], "keep": BOOL}
 *		reply {"files": [{"file": NAME, "removed": BOOL} or
 *				 {"file": NAME, "error": MSG, "errno": N}, ...]}
 *
 *  pin	any, as attach.  {"cmd": "pin", "files": [NAME, ...],
 *			"id": N}: attach, and mark the copy pinned (never
 *		evicted).  reply as attach's, each file with "pinned": true.
 *
 *  unpin	any, one descriptor per file.  {"cmd": "unpin",
 *			"files": [NAME, ...], "id": N}
 *		reply {"files": [{"file": NAME, "dataset": N,
 *				  "cache_path": P, "was_pinned": BOOL} or
 *				 {"file": NAME, "error": MSG, "errno": N}, ...]}
 *
 *  reason	any.  {"cmd": "reason", "path": P}: why the file at P
 *		(absolute, on a configured mount) is not cached, as far
 *		as pccd knows.  reply {"reason": NAME or null[,
 *		"message": MSG, "errno": N, "since": UNIX_SECONDS]}, NAME
 *		"no_dataset", "too_large", "no_space", "stale", "evicted"
 *		or "error"; null too for another user's file that others
 *		may not read.
 *
 *  stats	any.  {"cmd": "stats"[, "mount": MNT]}
 *		reply {"mounts": [{"path": P, "mount_id": N,
 *				   "counters": {NAME: N, ...},
 *				   "datasets": [SPACE, ...]}, ...],
 *		       "daemon": {"copies": N, "bytes_copied": N,
 *				  "copy_errors": N, "queue": N,
 *				  "running": N, "evictions": N,
 *				  "evicted_bytes": N, "copies_refused": N}}
 *		SPACE = {"id": N, "path": DIR,
 *			 "usage": {"bytes": N, "files": N},
 *			 "pinned": {"bytes": N, "files": N},
 *			 "limits": LIMITS,
 *			 "fs": {"size_bytes": N, "free_bytes": N},
 *			 "evictions": N, "evicted_bytes": N,
 *			 "refused_too_large": N}, one per read-only dataset.
 *		NAME as pcc_nl_stat_name(), plus "attaches" (every attach
 *		counter added up).
 *
 *  prefetch	root.  {"cmd": "prefetch", "paths": [P, ...], "jobs": N}
 *		Walks each path (a file or a tree, not leaving its
 *		filesystem), copies in and attaches every regular file
 *		under a pcc mount with a dataset, N at a time (0: the
 *		daemon's default).  First {"more": true, "phase": "scan",
 *		"files_total": N, "bytes_total": N}, then every half second
 *		and at the end {"more": true, "files_done": N,
 *		"bytes_done": N, "files_failed": N}, a failure as it happens
 *		{"more": true, "failed": P, "error": MSG, "errno": N}.
 *		reply {"files": N, "bytes": N, "failed": N,
 *		       "already": N, "seconds": X}
 *
 * Protocol history
 * ----------------
 *  1	first version: version.
 *  2	add, set, del, clear, list, attach, detach, stats, prefetch;
 *	descriptors with SCM_RIGHTS; progress messages.  Later additions
 *	(keys are only added, so no new number): pin, unpin, reason;
 *	space in list and stats; writeback and writeback_interval in
 *	DATASET.
 */
#ifndef PCC_CTL_H
#define PCC_CTL_H

#include <sys/types.h>

struct json_object;

#define PCC_CTL_PROTO		2
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

/* Most descriptors one message carries (the kernel's SCM_MAX_FD is 253). */
#define PCC_CTL_FDS_MAX		64

/* Send msg with nfds (<= PCC_CTL_FDS_MAX) descriptors attached. */
int pcc_ctl_send_fds(int fd, struct json_object *msg, const int *fds,
		     unsigned int nfds);

/*
 * As pcc_ctl_recv(), also taking the descriptors that came with the
 * message: up to PCC_CTL_FDS_MAX into fds (close-on-exec), their number in
 * *nfds.  Descriptors beyond that, or that came truncated (MSG_CTRUNC),
 * are closed and the call fails with -EMSGSIZE.
 */
int pcc_ctl_recv_fds(int fd, struct json_object **msg, int timeout_ms,
		     int *fds, unsigned int *nfds);

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

/*
 * pcc_ctl_call() sending fds with req and handing every progress message
 * to progress (which must not keep it) when progress is not NULL.  While
 * progress messages arrive the wait has no overall limit: each message
 * must come within PCC_CTL_TIMEOUT_MS, and a long operation sends one at
 * least every few seconds.
 */
int pcc_ctl_call_progress(int fd, struct json_object *req, const int *fds,
			  unsigned int nfds,
			  void (*progress)(struct json_object *msg, void *arg),
			  void *arg, struct json_object **reply);

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
