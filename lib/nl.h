/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * nl.h - the pcc generic netlink family, seen from userspace.
 *
 * This is the only interface the daemon, the CLI and the tests use to talk
 * to the module; lib/nl.c is the only file that includes libnl.  Every
 * function returns 0 (or a documented positive value) on success and a
 * negative errno on failure; libnl's own error codes never escape.
 */
#ifndef PCC_NL_H
#define PCC_NL_H

#include <stddef.h>
#include <stdint.h>

#include <linux/pcc.h>

struct pcc_nl;

/*
 * Connect to generic netlink and resolve the "pcc" family.
 * Returns -ENOENT when the family does not exist, which means the module is
 * not loaded; other negative errnos for socket failures.
 */
int pcc_nl_open(struct pcc_nl **out);

/* NULL-safe. */
void pcc_nl_close(struct pcc_nl *nl);

/*
 * PCC_CMD_GET_VERSION: copy the module's release into buf (always
 * NUL-terminated, truncated to len) and, if genl_version is not NULL, the
 * protocol version the module speaks.  Returns -ENOENT if the module went
 * away since pcc_nl_open(), -EBADMSG if the reply lacks an attribute.
 */
int pcc_nl_get_version(struct pcc_nl *nl, char *buf, size_t len,
		       uint32_t *genl_version);

/*
 * Parse a PCC_CMD_GET_VERSION reply: msg points at a whole netlink message
 * (struct nlmsghdr and what follows), msg_len is its size in bytes.  Used by
 * pcc_nl_get_version(); public so the unit tests can feed it hand-made
 * messages.  Returns 0, -EBADMSG for a malformed message or missing
 * attribute.
 */
int pcc_nl_parse_version(const void *msg, size_t msg_len, char *buf,
			 size_t len, uint32_t *genl_version);

/*
 * Datasets, mounts and events (protocol 2).  Where a request fails the
 * kernel's extended ack message, if any, is copied into the caller's
 * errmsg (always NUL-terminated; "" when the kernel said nothing); errmsg
 * may be NULL.
 */
struct pcc_rule;

/* A mount named in a request: by id when id != 0, else by path. */
struct pcc_nl_mnt {
	uint32_t id;
	const char *path;
};

struct pcc_nl_mount {
	uint32_t id;
	char lower[PCC_PATH_MAX];
	uint32_t gen;
	uint32_t datasets;
	uint32_t attached;
	uint64_t stats[PCC_STAT_COUNT];	/* enum pcc_stat; 0 if not sent */
};

/* PCC_CMD_MOUNT_GET doit. */
int pcc_nl_mount_get(struct pcc_nl *nl, const struct pcc_nl_mnt *mnt,
		     struct pcc_nl_mount *out, char *errmsg, size_t errlen);

/*
 * PCC_CMD_MOUNT_GET dump: cb is called for each mount; a non-zero return
 * from cb stops the dump and is returned.
 */
int pcc_nl_mount_dump(struct pcc_nl *nl,
		      int (*cb)(const struct pcc_nl_mount *m, void *arg),
		      void *arg);

/*
 * What PCC_CMD_DATASET_ADD/SET send and PCC_CMD_DATASET_GET returns.
 * add: id and path always; mode, attach, rule, writeback and wb_interval
 * if flagged in set (a NULL rule sends none).  set: id; attach, rule,
 * writeback and wb_interval if flagged (a NULL rule removes the
 * dataset's rule); mode may not be flagged (-EINVAL).  Both send
 * rule_text when not NULL, and "" when a rule is flagged without one, so
 * that an old text never outlives its rule.  A rule is checked before
 * anything is sent: -EINVAL if its structure exceeds the limits of
 * include/uapi/linux/pcc.h, -E2BIG if its nest would exceed
 * PCC_RULE_NEST_MAX, with errmsg saying so.  writeback and wb_interval
 * are the module's to check (it takes them for PCC_DS_MODE_RW datasets
 * only, protocol 5): its message says why.  The dump flags mode, attach
 * and rule in set, rule NULL meaning none, rule_text NULL for none (or
 * ""), and writeback and wb_interval when the module reported them (a
 * PCC_DS_MODE_RW dataset); unflagged they hold PCC_DS_WB_CLOSE and
 * PCC_DS_WB_INTERVAL_DEFAULT.
 */
#define PCC_NL_DS_ATTACH	(1U << 0)	/* attach is set */
#define PCC_NL_DS_RULE		(1U << 1)	/* rule (NULL: none) is set */
#define PCC_NL_DS_MODE		(1U << 2)	/* mode is set */
#define PCC_NL_DS_WRITEBACK	(1U << 3)	/* writeback is set */
#define PCC_NL_DS_WB_INTERVAL	(1U << 4)	/* wb_interval is set */

struct pcc_nl_dataset {
	unsigned int set;		/* PCC_NL_DS_*: what add/set send */
	uint32_t mount_id;		/* dump only */
	uint32_t id;
	const char *path;		/* add: required; dump: owned by nl */
	uint32_t mode;			/* PCC_DS_MODE_* */
	uint32_t attach;		/* PCC_DS_ATTACH_* */
	const struct pcc_rule *rule;	/* NULL: no rule (set: remove it) */
	const char *rule_text;		/* NULL: none */
	uint32_t writeback;		/* PCC_DS_WB_* */
	uint32_t wb_interval;		/* seconds */
	uint32_t attached;		/* dump only */
};

int pcc_nl_dataset_add(struct pcc_nl *nl, const struct pcc_nl_mnt *mnt,
		       const struct pcc_nl_dataset *ds,
		       char *errmsg, size_t errlen);
int pcc_nl_dataset_set(struct pcc_nl *nl, const struct pcc_nl_mnt *mnt,
		       const struct pcc_nl_dataset *ds,
		       char *errmsg, size_t errlen);
int pcc_nl_dataset_del(struct pcc_nl *nl, const struct pcc_nl_mnt *mnt,
		       uint32_t id, char *errmsg, size_t errlen);
int pcc_nl_dataset_clear(struct pcc_nl *nl, const struct pcc_nl_mnt *mnt,
			 char *errmsg, size_t errlen);

/*
 * PCC_CMD_DATASET_GET dump.  The dataset passed to cb (path, rule,
 * rule_text included) is valid during the call only.  -EINTR (after
 * some callbacks) when the kernel flagged the dump NLM_F_DUMP_INTR:
 * the datasets changed meanwhile, ask again.
 */
int pcc_nl_dataset_dump(struct pcc_nl *nl, const struct pcc_nl_mnt *mnt,
			int (*cb)(const struct pcc_nl_dataset *ds, void *arg),
			void *arg, char *errmsg, size_t errlen);

struct pcc_nl_event {
	uint32_t event;			/* enum pcc_event */
	uint32_t mount_id;
	uint32_t ds_id;			/* 0 if not sent */
	uint32_t reason;		/* enum pcc_detach_reason, or 0 */
	uint32_t err;			/* positive errno, or 0 */
	uint64_t ino;
	uint32_t fh_type;
	uint32_t fh_len;		/* 0 if not sent */
	uint8_t fh[PCC_FH_MAX];
	const char *path;		/* NULL if not sent; valid in cb only */
};

/*
 * Open a second socket joined to the events group (needs CAP_SYS_ADMIN:
 * -EPERM otherwise), non-blocking, with a large receive buffer.
 */
int pcc_nl_events_open(struct pcc_nl **out);

/* The socket to poll for POLLIN. */
int pcc_nl_fd(const struct pcc_nl *nl);

/*
 * Read every event waiting and call cb for each.  Returns 0 when no more
 * are waiting, -ENOBUFS when the kernel dropped events for this socket
 * (overrun: the caller resyncs with the dumps; the socket stays usable),
 * another negative errno on failure.
 */
int pcc_nl_events_read(struct pcc_nl *nl,
		       void (*cb)(const struct pcc_nl_event *ev, void *arg),
		       void *arg);

/*
 * Space management (protocol 3; a module older than that answers
 * -EOPNOTSUPP).
 *
 * PCC_CMD_EVICT: remove the copy of the lower file of handle (fh_type,
 * fh, fh_len) from dataset ds_id of the mount, detaching the file attached
 * to it first.  *flags (may be NULL) gets PCC_NL_EVICT_*.  -EINVAL before
 * anything is sent if ds_id, fh_type or fh_len is out of range; the
 * kernel's errors as include/uapi/linux/pcc.h says (-ENOENT no such copy,
 * -ESTALE or -EINVAL a copy not to be touched).
 */
#define PCC_NL_EVICT_WAS_ATTACHED	PCC_EVICT_WAS_ATTACHED
#define PCC_NL_EVICT_IN_USE		PCC_EVICT_IN_USE

int pcc_nl_evict(struct pcc_nl *nl, const struct pcc_nl_mnt *mnt,
		 uint32_t ds_id, uint32_t fh_type, const uint8_t *fh,
		 uint32_t fh_len, uint32_t *flags, char *errmsg, size_t errlen);

/* A file attached now, as PCC_CMD_FILE_GET reports it. */
struct pcc_nl_file {
	uint32_t mount_id, ds_id;
	uint64_t ino;			/* the lower inode number */
	uint32_t fh_type, fh_len;
	uint8_t fh[PCC_FH_MAX];
	uint64_t last_use;		/* unix seconds */
	uint64_t hits;			/* since it attached */
};

/*
 * PCC_CMD_FILE_GET dump: cb for each attached file of the mount (the
 * struct is valid during the call only); a non-zero return from cb stops
 * the dump and is returned.  -EINTR (after some callbacks) when the
 * kernel flagged the dump NLM_F_DUMP_INTR: files attached or detached
 * meanwhile, ask again.
 */
int pcc_nl_file_dump(struct pcc_nl *nl, const struct pcc_nl_mnt *mnt,
		     int (*cb)(const struct pcc_nl_file *f, void *arg),
		     void *arg, char *errmsg, size_t errlen);

/* "miss", "attached", ... ; "unknown" otherwise. */
const char *pcc_nl_event_name(uint32_t event);
/*
 * "manual", "stale", "local_change", "dataset", "copy_gone", "error",
 * "evicted".
 */
const char *pcc_nl_reason_name(uint32_t reason);
/*
 * The snake_case name of a counter, as pcc stats --json prints it:
 * "attach_manual", ..., "hits", "hit_bytes", "misses", ...
 */
const char *pcc_nl_stat_name(unsigned int stat);

/*
 * For the unit tests (and used by the functions above): the parsers of
 * whole messages (struct nlmsghdr and what follows, msg_len bytes) as the
 * kernel sends them, and the rule nest builder.  Attributes they do not
 * know are ignored; a message that is cut, of another command, with an
 * attribute of the wrong size or a required one missing is -EBADMSG.
 */

/*
 * An NLMSG_ERROR or NLMSG_DONE message: its (negative) error, 0 for an ACK
 * or a clean end of dump; the extended ack message copied into errmsg
 * ("" if none).  -EBADMSG if malformed or of another type.
 */
int pcc_nl_parse_error(const void *msg, size_t msg_len, char *errmsg,
		       size_t errlen);
/* A PCC_CMD_MOUNT_GET message into *out (left alone on error). */
int pcc_nl_parse_mount(const void *msg, size_t msg_len,
		       struct pcc_nl_mount *out);
/* A PCC_CMD_DATASET_GET dump message: cb's return value, or an error. */
int pcc_nl_parse_dataset(const void *msg, size_t msg_len,
			 int (*cb)(const struct pcc_nl_dataset *ds, void *arg),
			 void *arg);
/* A PCC_CMD_EVENT message: 0 after cb, or an error (cb not called). */
int pcc_nl_parse_event(const void *msg, size_t msg_len,
		       void (*cb)(const struct pcc_nl_event *ev, void *arg),
		       void *arg);
/* A PCC_CMD_EVICT reply: its PCC_A_EVICT_FLAGS into *flags. */
int pcc_nl_parse_evict(const void *msg, size_t msg_len, uint32_t *flags);
/* A PCC_CMD_FILE_GET dump message into *out (left alone on error). */
int pcc_nl_parse_file(const void *msg, size_t msg_len,
		      struct pcc_nl_file *out);
/*
 * The PCC_A_DS_RULE attribute (header included, NLA_F_NESTED set) that
 * add and set send for rule (NULL: an empty nest) into buf.  Returns its
 * size, -EMSGSIZE if len is too small, -EINVAL or -E2BIG as above.
 */
int pcc_nl_build_rule(void *buf, size_t len, const struct pcc_rule *rule);

#endif /* PCC_NL_H */
