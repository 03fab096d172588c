// SPDX-License-Identifier: GPL-2.0-only
/*
 * nl.c - libnl-genl-3 façade for the pcc family.  The only file that
 * includes libnl: the rest of userspace sees nl.h and negative errnos.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>

#include <netlink/errno.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include <linux/pcc.h>

#include "nl.h"
#include "rule.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

/*
 * A dataset's message may hold a rule of PCC_RULE_NEST_MAX bytes, a path
 * and a rule text: the kernel fills dump messages of up to 32 KiB.
 */
#define PCC_NL_MSG_MAX		65536
/* What an events socket asks the kernel to queue before it drops. */
#define PCC_NL_EVENTS_RCVBUF	(4 << 20)

struct pcc_nl {
	struct nl_sock *sk;
	int family;
	unsigned char *buf;	/* events sockets: PCC_NL_MSG_MAX bytes */
};

/* libnl folds errnos into its own NLE_* space; give callers errnos back. */
static int nle_to_errno(int nle)
{
	switch (nle < 0 ? -nle : nle) {
	case NLE_SUCCESS:		return 0;
	case NLE_INTR:			return -EINTR;
	case NLE_BAD_SOCK:		return -EBADF;
	case NLE_AGAIN:			return -EAGAIN;
	case NLE_NOMEM:			return -ENOMEM;
	case NLE_EXIST:			return -EEXIST;
	case NLE_INVAL:			return -EINVAL;
	case NLE_RANGE:			return -ERANGE;
	case NLE_MSGSIZE:		return -EMSGSIZE;
	case NLE_OPNOTSUPP:		return -EOPNOTSUPP;
	case NLE_AF_NOSUPPORT:		return -EAFNOSUPPORT;
	case NLE_OBJ_NOTFOUND:		return -ENOENT;
	case NLE_NOATTR:		return -EBADMSG;
	case NLE_MISSING_ATTR:		return -EBADMSG;
	case NLE_SEQ_MISMATCH:		return -EPROTO;
	case NLE_MSG_OVERFLOW:		return -EOVERFLOW;
	case NLE_MSG_TRUNC:		return -EBADMSG;
	case NLE_MSG_TOOSHORT:		return -EBADMSG;
	case NLE_MSGTYPE_NOSUPPORT:	return -EPROTO;
	case NLE_PARSE_ERR:		return -EBADMSG;
	case NLE_NODEV:			return -ENODEV;
	case NLE_PROTO_MISMATCH:	return -EPROTONOSUPPORT;
	case NLE_NOACCESS:		return -EACCES;
	case NLE_PERM:			return -EPERM;
	case NLE_BUSY:			return -EBUSY;
	case NLE_NOADDR:		return -EADDRNOTAVAIL;
	default:			return -EIO;
	}
}

static void sockopt_on(struct nl_sock *sk, int opt)
{
	int one = 1;

	setsockopt(nl_socket_get_fd(sk), SOL_NETLINK, opt, &one, sizeof(one));
}

/* A socket connected to the family, the extended acks asked for. */
static int open_socket(struct pcc_nl **out)
{
	struct pcc_nl *nl;
	int err;

	*out = NULL;
	nl = calloc(1, sizeof(*nl));
	if (!nl)
		return -ENOMEM;
	nl->sk = nl_socket_alloc();
	if (!nl->sk) {
		err = -ENOMEM;
		goto fail;
	}
	err = genl_connect(nl->sk);
	if (err < 0) {
		err = nle_to_errno(err);
		goto fail;
	}
	/*
	 * The kernel's reason for refusing a request, in words; errors
	 * without the request echoed back (it may carry a 16 KiB rule).
	 * A kernel without them just says less: no error.
	 */
	sockopt_on(nl->sk, NETLINK_EXT_ACK);
	sockopt_on(nl->sk, NETLINK_CAP_ACK);
	nl->family = genl_ctrl_resolve(nl->sk, PCC_GENL_NAME);
	if (nl->family < 0) {
		err = nle_to_errno(nl->family);
		goto fail;
	}
	*out = nl;
	return 0;

fail:
	pcc_nl_close(nl);
	return err;
}

int pcc_nl_open(struct pcc_nl **out)
{
	int err;

	err = open_socket(out);
	if (err)
		return err;
	/* Peek at each datagram's size, so a big dump message fits. */
	nl_socket_enable_msg_peek((*out)->sk);
	err = nle_to_errno(nl_socket_set_msg_buf_size((*out)->sk,
						      PCC_NL_MSG_MAX));
	if (err) {
		pcc_nl_close(*out);
		*out = NULL;
	}
	return err;
}

void pcc_nl_close(struct pcc_nl *nl)
{
	if (!nl)
		return;
	nl_socket_free(nl->sk);
	free(nl->buf);
	free(nl);
}

__attribute__((format(printf, 3, 4)))
static void set_errmsg(char *errmsg, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!errmsg || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(errmsg, errlen, fmt, ap);
	va_end(ap);
}

/*
 * 1 when len bytes at head are attributes and nothing else: libnl's
 * parser stops quietly at an attribute that overruns its container, and
 * would take a truncated message for a shorter one.
 */
static int attrs_exact(const void *head, int len)
{
	const struct nlattr *nla;
	int rem;

	nla_for_each_attr(nla, (struct nlattr *)head, len, rem)
		;
	return rem == 0;
}

static int nest_exact(const struct nlattr *nest)
{
	return attrs_exact(nla_data(nest), nla_len(nest));
}

/*
 * The checks every message of the family gets: lengths that hold, the
 * command expected, attributes as the policy says.
 */
static int check_msg(const void *msg, size_t msg_len, uint8_t cmd,
		     struct nlattr **tb, struct nla_policy *policy)
{
	/* libnl's parsers take non-const pointers but only read. */
	struct nlmsghdr *nlh = (struct nlmsghdr *)msg;
	struct genlmsghdr *ghdr;

	if (msg_len < NLMSG_HDRLEN || nlh->nlmsg_len < NLMSG_HDRLEN ||
	    nlh->nlmsg_len > msg_len || !genlmsg_valid_hdr(nlh, 0))
		return -EBADMSG;
	ghdr = nlmsg_data(nlh);
	if (ghdr->cmd != cmd)
		return -EBADMSG;
	if (!attrs_exact(genlmsg_attrdata(ghdr, 0), genlmsg_attrlen(ghdr, 0)))
		return -EBADMSG;
	if (genlmsg_parse(nlh, 0, tb, PCC_A_MAX, policy) < 0)
		return -EBADMSG;
	return 0;
}

/* The extended ack after an error's or a DONE's payload, at off. */
static int parse_ext_ack(const struct nlmsghdr *nlh, size_t off,
			 char *errmsg, size_t errlen)
{
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	const char *data = NLMSG_DATA(nlh);
	size_t len = nlh->nlmsg_len - NLMSG_HDRLEN;

	if (off > len)
		return -EBADMSG;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) || off == len)
		return 0;
	if (!attrs_exact(data + off, (int)(len - off)) ||
	    nla_parse(tb, NLMSGERR_ATTR_MAX, (struct nlattr *)(data + off),
		      (int)(len - off), NULL) < 0)
		return -EBADMSG;
	if (tb[NLMSGERR_ATTR_MSG] && errmsg && errlen)
		nla_strlcpy(errmsg, tb[NLMSGERR_ATTR_MSG], errlen);
	return 0;
}

int pcc_nl_parse_error(const void *msg, size_t msg_len, char *errmsg,
		       size_t errlen)
{
	const struct nlmsghdr *nlh = msg;
	size_t off;
	int error, err;

	if (errmsg && errlen)
		errmsg[0] = '\0';
	if (msg_len < NLMSG_HDRLEN || nlh->nlmsg_len < NLMSG_HDRLEN ||
	    nlh->nlmsg_len > msg_len)
		return -EBADMSG;
	if (nlh->nlmsg_type == NLMSG_ERROR) {
		const struct nlmsgerr *e = NLMSG_DATA(nlh);

		if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*e)))
			return -EBADMSG;
		error = e->error;
		off = sizeof(*e);
		/* Without NETLINK_CAP_ACK the request comes back too. */
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) {
			if (e->msg.nlmsg_len < NLMSG_HDRLEN)
				return -EBADMSG;
			off += NLMSG_ALIGN(e->msg.nlmsg_len) - NLMSG_HDRLEN;
		}
	} else if (nlh->nlmsg_type == NLMSG_DONE) {
		/* Old kernels end a dump with an empty DONE. */
		if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(int)))
			return 0;
		memcpy(&error, NLMSG_DATA(nlh), sizeof(error));
		off = sizeof(int);
	} else {
		return -EBADMSG;
	}
	if (error > 0)
		return -EBADMSG;
	if (!error)
		return 0;
	err = parse_ext_ack(nlh, off, errmsg, errlen);
	return err ? err : error;
}

static struct nla_policy version_policy[PCC_A_MAX + 1] = {
	[PCC_A_VERSION]		= { .type = NLA_STRING, .maxlen = PCC_VERSION_LEN },
	[PCC_A_GENL_VERSION]	= { .type = NLA_U32 },
};

int pcc_nl_parse_version(const void *msg, size_t msg_len, char *buf,
			 size_t len, uint32_t *genl_version)
{
	struct nlattr *tb[PCC_A_MAX + 1];
	int err;

	err = check_msg(msg, msg_len, PCC_CMD_GET_VERSION, tb, version_policy);
	if (err)
		return err;
	if (!tb[PCC_A_VERSION] || !tb[PCC_A_GENL_VERSION])
		return -EBADMSG;
	if (len)
		nla_strlcpy(buf, tb[PCC_A_VERSION], len);
	if (genl_version)
		*genl_version = nla_get_u32(tb[PCC_A_GENL_VERSION]);
	return 0;
}

/*
 * One request and its replies, up to the ACK, the error or the end of the
 * dump.  After an error or a stop the rest of a dump is still read (and
 * dropped): the socket must be clean for the next request.
 */
struct exchange {
	int (*reply)(struct exchange *x, struct nlmsghdr *nlh);
	void *cb;		/* the caller's callback, for reply() */
	void *arg;
	void *out;
	size_t outlen;
	char *errmsg;
	size_t errlen;
	int kerr;		/* the kernel's error */
	int err;		/* the first error parsing a reply */
	int stop;		/* what the caller's callback returned */
	int done;
	int intr;		/* NLM_F_DUMP_INTR seen */
	int replies;
};

static int on_valid(struct nl_msg *msg, void *arg)
{
	struct exchange *x = arg;
	int ret;

	x->replies++;
	if (x->err || x->stop || !x->reply)
		return NL_SKIP;
	ret = x->reply(x, nlmsg_hdr(msg));
	if (ret < 0)
		x->err = ret;
	return NL_OK;
}

static int on_ack(struct nl_msg *msg, void *arg)
{
	struct exchange *x = arg;

	(void)msg;
	x->done = 1;
	return NL_STOP;
}

static int on_error(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)((char *)e - NLMSG_HDRLEN);
	struct exchange *x = arg;

	(void)nla;
	/*
	 * The kernel's own errno, not libnl's translation of it; an
	 * unreadable extended ack does not hide it.
	 */
	x->kerr = pcc_nl_parse_error(nlh, nlh->nlmsg_len, x->errmsg,
				     x->errlen);
	if (x->kerr == -EBADMSG && e->error < 0)
		x->kerr = e->error;
	if (!x->kerr)
		x->kerr = -EPROTO;
	x->done = 1;
	return NL_STOP;
}

/* The end of a dump carries the dump's error, if any. */
static int on_finish(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct exchange *x = arg;

	x->kerr = pcc_nl_parse_error(nlh, nlh->nlmsg_len, x->errmsg,
				     x->errlen);
	x->done = 1;
	return NL_STOP;
}

static int on_intr(struct nl_msg *msg, void *arg)
{
	struct exchange *x = arg;

	(void)msg;
	x->intr = 1;
	return NL_OK;
}

/* A request with room for a rule, two paths and a rule text. */
static struct nl_msg *new_msg(struct pcc_nl *nl, uint8_t cmd, int flags)
{
	struct nl_msg *msg = nlmsg_alloc_size(PCC_NL_MSG_MAX);

	if (msg && !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0,
				flags, cmd, PCC_GENL_VERSION)) {
		nlmsg_free(msg);
		msg = NULL;
	}
	return msg;
}

/* Send msg (freed here) and collect what comes back into x. */
static int request(struct pcc_nl *nl, struct nl_msg *msg, struct exchange *x)
{
	struct nl_cb *cb;
	int err;

	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, x);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, x);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, on_finish, x);
	nl_cb_set(cb, NL_CB_DUMP_INTR, NL_CB_CUSTOM, on_intr, x);
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, x);

	/* Auto-ack is on: a doit's reply is followed by an ACK. */
	err = nl_send_auto(nl->sk, msg);
	nlmsg_free(msg);
	if (err < 0) {
		err = nle_to_errno(err);
		goto out;
	}
	err = 0;
	while (!x->done) {
		/* libnl returns its own code for an error it delivered. */
		int ret = nl_recvmsgs(nl->sk, cb);

		if (ret < 0 && !x->done) {
			err = nle_to_errno(ret);
			goto out;
		}
	}
	if (x->kerr)
		err = x->kerr;
	else if (x->stop)
		err = x->stop;
	else if (x->err)
		err = x->err;
	else if (x->intr)
		err = -EINTR;
out:
	nl_cb_put(cb);
	return err;
}

static int version_reply(struct exchange *x, struct nlmsghdr *nlh)
{
	uint32_t *genl_version = x->arg;
	char *buf = x->out;

	return pcc_nl_parse_version(nlh, nlh->nlmsg_len, buf, x->outlen,
				    genl_version);
}

int pcc_nl_get_version(struct pcc_nl *nl, char *buf, size_t len,
		       uint32_t *genl_version)
{
	struct exchange x = {
		.reply = version_reply, .out = buf, .outlen = len,
		.arg = genl_version,
	};
	struct nl_msg *msg;
	int err;

	if (len)
		buf[0] = '\0';
	msg = new_msg(nl, PCC_CMD_GET_VERSION, 0);
	if (!msg)
		return -ENOMEM;
	err = request(nl, msg, &x);
	if (!err && !x.replies)
		err = -EBADMSG;
	return err;
}

/* Mounts. */

#define POLICY_U32	{ .type = NLA_U32, .minlen = 4, .maxlen = 4 }
#define POLICY_U64	{ .type = NLA_U64, .minlen = 8, .maxlen = 8 }
#define POLICY_PATH	{ .type = NLA_STRING, .maxlen = PCC_PATH_MAX }

static struct nla_policy mount_policy[PCC_A_MAX + 1] = {
	[PCC_A_MOUNT_ID]	= POLICY_U32,
	[PCC_A_MOUNT_LOWER]	= POLICY_PATH,
	[PCC_A_MOUNT_GEN]	= POLICY_U32,
	[PCC_A_MOUNT_DATASETS]	= POLICY_U32,
	[PCC_A_MOUNT_ATTACHED]	= POLICY_U32,
	[PCC_A_STATS]		= { .type = NLA_NESTED },
};

int pcc_nl_parse_mount(const void *msg, size_t msg_len,
		       struct pcc_nl_mount *out)
{
	struct nlattr *tb[PCC_A_MAX + 1], *nla;
	uint64_t stats[PCC_STAT_COUNT] = { 0 };
	int err, rem;

	err = check_msg(msg, msg_len, PCC_CMD_MOUNT_GET, tb, mount_policy);
	if (err)
		return err;
	if (!tb[PCC_A_MOUNT_ID] || !tb[PCC_A_MOUNT_LOWER] ||
	    !tb[PCC_A_MOUNT_GEN] || !tb[PCC_A_MOUNT_DATASETS] ||
	    !tb[PCC_A_MOUNT_ATTACHED])
		return -EBADMSG;
	if (tb[PCC_A_STATS]) {
		if (!nest_exact(tb[PCC_A_STATS]))
			return -EBADMSG;
		nla_for_each_nested(nla, tb[PCC_A_STATS], rem) {
			int type = nla_type(nla);

			/* Padding, or a counter newer than this program. */
			if (type == PCC_STATS_A_PAD || type > PCC_STAT_COUNT)
				continue;
			if (nla_len(nla) != sizeof(uint64_t))
				return -EBADMSG;
			stats[type - 1] = nla_get_u64(nla);
		}
	}
	out->id = nla_get_u32(tb[PCC_A_MOUNT_ID]);
	nla_strlcpy(out->lower, tb[PCC_A_MOUNT_LOWER], sizeof(out->lower));
	out->gen = nla_get_u32(tb[PCC_A_MOUNT_GEN]);
	out->datasets = nla_get_u32(tb[PCC_A_MOUNT_DATASETS]);
	out->attached = nla_get_u32(tb[PCC_A_MOUNT_ATTACHED]);
	memcpy(out->stats, stats, sizeof(stats));
	return 0;
}

/* PCC_A_MOUNT_ID or PCC_A_MOUNT_PATH. */
static int put_mnt(struct nl_msg *msg, const struct pcc_nl_mnt *mnt,
		   char *errmsg, size_t errlen)
{
	if (!mnt || (!mnt->id && (!mnt->path || !mnt->path[0]))) {
		set_errmsg(errmsg, errlen, "no mount named (id or path)");
		return -EINVAL;
	}
	if (mnt->id)
		return nla_put_u32(msg, PCC_A_MOUNT_ID, mnt->id) ? -EMSGSIZE : 0;
	if (strlen(mnt->path) >= PCC_PATH_MAX) {
		set_errmsg(errmsg, errlen, "mount path longer than %d bytes",
			   PCC_PATH_MAX - 1);
		return -ENAMETOOLONG;
	}
	return nla_put_string(msg, PCC_A_MOUNT_PATH, mnt->path) ? -EMSGSIZE : 0;
}

/* Send command cmd (flags: NLM_F_DUMP or 0) naming mnt, and nothing else. */
static int mnt_request(struct pcc_nl *nl, uint8_t cmd, int flags,
		       const struct pcc_nl_mnt *mnt, struct exchange *x)
{
	struct nl_msg *msg = new_msg(nl, cmd, flags);
	int err;

	if (!msg)
		return -ENOMEM;
	err = put_mnt(msg, mnt, x->errmsg, x->errlen);
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return request(nl, msg, x);
}

static int mount_get_reply(struct exchange *x, struct nlmsghdr *nlh)
{
	if (x->replies > 1)
		return -EBADMSG;
	return pcc_nl_parse_mount(nlh, nlh->nlmsg_len, x->out);
}

int pcc_nl_mount_get(struct pcc_nl *nl, const struct pcc_nl_mnt *mnt,
		     struct pcc_nl_mount *out, char *errmsg, size_t errlen)
{
	struct exchange x = {
		.reply = mount_get_reply, .out = out,
		.errmsg = errmsg, .errlen = errlen,
	};
	int err;

	set_errmsg(errmsg, errlen, "%s", "");
	err = mnt_request(nl, PCC_CMD_MOUNT_GET, 0, mnt, &x);
	if (!err && !x.replies)
		err = -EBADMSG;
	return err;
}

static int mount_dump_reply(struct exchange *x, struct nlmsghdr *nlh)
{
	int (*cb)(const struct pcc_nl_mount *m, void *arg) = x->cb;
	struct pcc_nl_mount *m = x->out;
	int err;

	err = pcc_nl_parse_mount(nlh, nlh->nlmsg_len, m);
	if (!err)
		x->stop = cb(m, x->arg);
	return err;
}

int pcc_nl_mount_dump(struct pcc_nl *nl,
		      int (*cb)(const struct pcc_nl_mount *m, void *arg),
		      void *arg)
{
	struct exchange x = {
		.reply = mount_dump_reply, .cb = (void *)cb, .arg = arg,
	};
	struct nl_msg *msg;
	int err;

	/* struct pcc_nl_mount is big: not on the stack of a callback. */
	x.out = malloc(sizeof(struct pcc_nl_mount));
	msg = new_msg(nl, PCC_CMD_MOUNT_GET, NLM_F_DUMP);
	if (!x.out || !msg) {
		free(x.out);
		nlmsg_free(msg);
		return -ENOMEM;
	}
	err = request(nl, msg, &x);
	free(x.out);
	return err;
}

/* The compiled rule (include/uapi/linux/pcc.h). */

/*
 * The size of rule's PCC_A_DS_RULE nest, header included, or why it cannot
 * be sent: -EINVAL for what the structure cannot hold, -E2BIG beyond
 * PCC_RULE_NEST_MAX.  What the kernel checks itself (a term without an
 * expression, the operators a field takes...) is left to it: its message
 * says more than this would.
 */
static long rule_size(const struct pcc_rule *rule, char *errmsg,
		      size_t errlen)
{
	size_t size = NLA_HDRLEN;
	unsigned int t, e, v;

	if (!rule)
		return (long)size;
	if (rule->nterms > PCC_RULE_MAX_TERMS) {
		set_errmsg(errmsg, errlen, "rule: more than %d terms",
			   PCC_RULE_MAX_TERMS);
		return -EINVAL;
	}
	for (t = 0; t < rule->nterms; t++) {
		const struct pcc_rule_term *term = &rule->terms[t];

		if (term->nexprs > PCC_RULE_MAX_EXPRS) {
			set_errmsg(errmsg, errlen,
				   "rule: more than %d expressions in a term",
				   PCC_RULE_MAX_EXPRS);
			return -EINVAL;
		}
		size += NLA_HDRLEN;
		for (e = 0; e < term->nexprs; e++) {
			const struct pcc_rule_expr *expr = &term->exprs[e];

			if (expr->nvalues > PCC_RULE_MAX_VALUES) {
				set_errmsg(errmsg, errlen,
					   "rule: more than %d values in an expression",
					   PCC_RULE_MAX_VALUES);
				return -EINVAL;
			}
			size += NLA_HDRLEN + 2 * nla_total_size(4);
			if (expr->field != PCC_RULE_FNAME) {
				if (expr->nvalues && !expr->nums)
					goto no_values;
				size += expr->nvalues * nla_total_size(8);
				continue;
			}
			if (expr->nvalues && !expr->globs)
				goto no_values;
			for (v = 0; v < expr->nvalues; v++) {
				size_t len;

				if (!expr->globs[v])
					goto no_values;
				len = strnlen(expr->globs[v],
					      PCC_RULE_GLOB_MAX);
				if (len >= PCC_RULE_GLOB_MAX) {
					set_errmsg(errmsg, errlen,
						   "rule: a pattern is longer than %d bytes",
						   PCC_RULE_GLOB_MAX - 1);
					return -EINVAL;
				}
				size += nla_total_size(len + 1);
			}
		}
	}
	if (size > PCC_RULE_NEST_MAX) {
		set_errmsg(errmsg, errlen,
			   "rule too large: %zu bytes compiled, at most %d",
			   size, PCC_RULE_NEST_MAX);
		return -E2BIG;
	}
	return (long)size;

no_values:
	set_errmsg(errmsg, errlen, "rule: an expression lacks its values");
	return -EINVAL;
}

/*
 * Close a nest.  Not nla_nest_end(): it drops an empty nest, and an empty
 * rule is how PCC_CMD_DATASET_SET removes one.
 */
static void nest_end(struct nl_msg *msg, struct nlattr *start)
{
	start->nla_len = (uint16_t)((unsigned char *)nlmsg_tail(nlmsg_hdr(msg)) -
				    (unsigned char *)start);
}

/* rule (NULL: an empty nest) as PCC_A_DS_RULE; rule_size() said yes. */
static int put_rule(struct nl_msg *msg, const struct pcc_rule *rule)
{
	struct nlattr *nest, *tnest, *enest;
	unsigned int t, e, v;

	nest = nla_nest_start(msg, PCC_A_DS_RULE | NLA_F_NESTED);
	if (!nest)
		return -EMSGSIZE;
	for (t = 0; rule && t < rule->nterms; t++) {
		const struct pcc_rule_term *term = &rule->terms[t];

		tnest = nla_nest_start(msg, PCC_RULE_A_TERM | NLA_F_NESTED);
		if (!tnest)
			return -EMSGSIZE;
		for (e = 0; e < term->nexprs; e++) {
			const struct pcc_rule_expr *expr = &term->exprs[e];

			enest = nla_nest_start(msg, PCC_TERM_A_EXPR |
					       NLA_F_NESTED);
			if (!enest ||
			    nla_put_u32(msg, PCC_EXPR_A_FIELD, expr->field) ||
			    nla_put_u32(msg, PCC_EXPR_A_OP, expr->op))
				return -EMSGSIZE;
			for (v = 0; v < expr->nvalues; v++) {
				if (expr->field == PCC_RULE_FNAME ?
				    nla_put_string(msg, PCC_EXPR_A_GLOB,
						   expr->globs[v]) :
				    nla_put_u64(msg, PCC_EXPR_A_NUM,
						expr->nums[v]))
					return -EMSGSIZE;
			}
			nest_end(msg, enest);
		}
		nest_end(msg, tnest);
	}
	nest_end(msg, nest);
	return 0;
}

int pcc_nl_build_rule(void *buf, size_t len, const struct pcc_rule *rule)
{
	struct nl_msg *msg;
	struct nlattr *nest;
	long size;
	int err;

	size = rule_size(rule, NULL, 0);
	if (size < 0)
		return (int)size;
	if ((size_t)size > len)
		return -EMSGSIZE;
	msg = nlmsg_alloc_size(NLMSG_HDRLEN + (size_t)size + NLA_HDRLEN);
	if (!msg)
		return -ENOMEM;
	nest = (struct nlattr *)nlmsg_tail(nlmsg_hdr(msg));
	err = put_rule(msg, rule);
	if (!err)
		memcpy(buf, nest, (size_t)size);
	nlmsg_free(msg);
	return err ? err : (int)size;
}

/* What rule_decode() made; NULL-safe.  Not rule.c's: this file's own. */
static void rule_destroy(struct pcc_rule *rule)
{
	unsigned int t, e, v;

	if (!rule)
		return;
	for (t = 0; t < rule->nterms; t++) {
		for (e = 0; e < rule->terms[t].nexprs; e++) {
			struct pcc_rule_expr *expr = &rule->terms[t].exprs[e];

			free(expr->nums);
			for (v = 0; expr->globs && v < expr->nvalues; v++)
				free(expr->globs[v]);
			free(expr->globs);
		}
	}
	free(rule);
}

static int expr_decode(const struct nlattr *nest, struct pcc_rule_expr *expr)
{
	unsigned int nnums = 0, nglobs = 0, n = 0;
	uint32_t field = 0, op = 0;
	struct nlattr *nla;
	int rem;

	if (!nest_exact(nest))
		return -EBADMSG;
	nla_for_each_nested(nla, (struct nlattr *)nest, rem) {
		switch (nla_type(nla)) {
		case PCC_EXPR_A_FIELD:
		case PCC_EXPR_A_OP:
			if (nla_len(nla) != sizeof(uint32_t))
				return -EBADMSG;
			*(nla_type(nla) == PCC_EXPR_A_FIELD ? &field : &op) =
				nla_get_u32(nla);
			break;
		case PCC_EXPR_A_NUM:
			if (nla_len(nla) != sizeof(uint64_t))
				return -EBADMSG;
			nnums++;
			break;
		case PCC_EXPR_A_GLOB:
			if (nla_len(nla) < 1 ||
			    nla_len(nla) > PCC_RULE_GLOB_MAX ||
			    ((char *)nla_data(nla))[nla_len(nla) - 1])
				return -EBADMSG;
			nglobs++;
			break;
		}
	}
	if (field < PCC_RULE_UID || field > PCC_RULE_MTIME ||
	    op < PCC_RULE_OP_EQ || op > PCC_RULE_OP_GT ||
	    (nnums && nglobs) || (field == PCC_RULE_FNAME) != !!nglobs ||
	    !(nnums + nglobs) || nnums + nglobs > PCC_RULE_MAX_VALUES)
		return -EBADMSG;
	expr->field = field;
	expr->op = op;
	if (nglobs)
		expr->globs = calloc(nglobs, sizeof(*expr->globs));
	else
		expr->nums = calloc(nnums, sizeof(*expr->nums));
	if (!expr->globs && !expr->nums)
		return -ENOMEM;
	expr->nvalues = nnums + nglobs;
	nla_for_each_nested(nla, (struct nlattr *)nest, rem) {
		if (nla_type(nla) == PCC_EXPR_A_NUM) {
			expr->nums[n++] = nla_get_u64(nla);
		} else if (nla_type(nla) == PCC_EXPR_A_GLOB) {
			expr->globs[n] = strdup(nla_data(nla));
			if (!expr->globs[n++])
				return -ENOMEM;
		}
	}
	return 0;
}

/*
 * A PCC_A_DS_RULE nest into *out (NULL for a nest without a term: no
 * rule).  Unknown attributes are skipped, as everywhere.
 */
static int rule_decode(const struct nlattr *nest, struct pcc_rule **out)
{
	struct nlattr *tnla, *enla;
	struct pcc_rule *rule;
	int trem, erem, err = -EBADMSG;

	*out = NULL;
	if (!nest_exact(nest))
		return -EBADMSG;
	rule = calloc(1, sizeof(*rule));
	if (!rule)
		return -ENOMEM;
	nla_for_each_nested(tnla, (struct nlattr *)nest, trem) {
		struct pcc_rule_term *term;

		if (nla_type(tnla) != PCC_RULE_A_TERM)
			continue;
		if (rule->nterms == PCC_RULE_MAX_TERMS || !nest_exact(tnla))
			goto fail;
		term = &rule->terms[rule->nterms++];
		nla_for_each_nested(enla, tnla, erem) {
			if (nla_type(enla) != PCC_TERM_A_EXPR)
				continue;
			if (term->nexprs == PCC_RULE_MAX_EXPRS)
				goto fail;
			err = expr_decode(enla, &term->exprs[term->nexprs++]);
			if (err)
				goto fail;
			err = -EBADMSG;
		}
		if (!term->nexprs)
			goto fail;
	}
	if (rule->nterms)
		*out = rule;
	else
		free(rule);
	return 0;

fail:
	rule_destroy(rule);
	return err;
}

/* Datasets. */

static struct nla_policy dataset_policy[PCC_A_MAX + 1] = {
	[PCC_A_MOUNT_ID]	= POLICY_U32,
	[PCC_A_DS_ID]		= POLICY_U32,
	[PCC_A_DS_PATH]		= POLICY_PATH,
	[PCC_A_DS_MODE]		= POLICY_U32,
	[PCC_A_DS_ATTACH]	= POLICY_U32,
	[PCC_A_DS_RULE]		= { .type = NLA_NESTED },
	[PCC_A_DS_RULE_TEXT]	= { .type = NLA_STRING,
				    .maxlen = PCC_RULE_TEXT_MAX },
	[PCC_A_DS_ATTACHED]	= POLICY_U32,
	[PCC_A_DS_WRITEBACK]	= POLICY_U32,
	[PCC_A_DS_WB_INTERVAL]	= POLICY_U32,
};

/* One dump message into *ds, pointing into msg, and *rule (allocated). */
static int dataset_decode(const void *msg, size_t msg_len,
			  struct pcc_nl_dataset *ds, struct pcc_rule **rule)
{
	struct nlattr *tb[PCC_A_MAX + 1];
	int err;

	*rule = NULL;
	err = check_msg(msg, msg_len, PCC_CMD_DATASET_GET, tb,
			dataset_policy);
	if (err)
		return err;
	if (!tb[PCC_A_MOUNT_ID] || !tb[PCC_A_DS_ID] || !tb[PCC_A_DS_PATH] ||
	    !tb[PCC_A_DS_MODE] || !tb[PCC_A_DS_ATTACH] ||
	    !tb[PCC_A_DS_ATTACHED])
		return -EBADMSG;
	if (tb[PCC_A_DS_RULE]) {
		err = rule_decode(tb[PCC_A_DS_RULE], rule);
		if (err)
			return err;
	}
	memset(ds, 0, sizeof(*ds));
	/* Every field, so that the dataset given back to set restores it. */
	ds->set = PCC_NL_DS_ATTACH | PCC_NL_DS_RULE | PCC_NL_DS_MODE;
	ds->mount_id = nla_get_u32(tb[PCC_A_MOUNT_ID]);
	ds->id = nla_get_u32(tb[PCC_A_DS_ID]);
	ds->path = nla_data(tb[PCC_A_DS_PATH]);
	ds->mode = nla_get_u32(tb[PCC_A_DS_MODE]);
	ds->attach = nla_get_u32(tb[PCC_A_DS_ATTACH]);
	ds->rule = *rule;
	if (tb[PCC_A_DS_RULE_TEXT] && nla_len(tb[PCC_A_DS_RULE_TEXT]) > 1)
		ds->rule_text = nla_data(tb[PCC_A_DS_RULE_TEXT]);
	ds->attached = nla_get_u32(tb[PCC_A_DS_ATTACHED]);
	/*
	 * Only read-write datasets have them (and only from protocol 5):
	 * flagged when sent, so that set is given back only what it takes.
	 */
	ds->writeback = PCC_DS_WB_CLOSE;
	ds->wb_interval = PCC_DS_WB_INTERVAL_DEFAULT;
	if (tb[PCC_A_DS_WRITEBACK]) {
		ds->writeback = nla_get_u32(tb[PCC_A_DS_WRITEBACK]);
		ds->set |= PCC_NL_DS_WRITEBACK;
	}
	if (tb[PCC_A_DS_WB_INTERVAL]) {
		ds->wb_interval = nla_get_u32(tb[PCC_A_DS_WB_INTERVAL]);
		ds->set |= PCC_NL_DS_WB_INTERVAL;
	}
	return 0;
}

int pcc_nl_parse_dataset(const void *msg, size_t msg_len,
			 int (*cb)(const struct pcc_nl_dataset *ds, void *arg),
			 void *arg)
{
	struct pcc_nl_dataset ds;
	struct pcc_rule *rule;
	int err;

	err = dataset_decode(msg, msg_len, &ds, &rule);
	if (err)
		return err;
	err = cb(&ds, arg);
	rule_destroy(rule);
	return err;
}

/* The attributes of add (add != 0) and set after the mount. */
static int put_dataset(struct nl_msg *msg, const struct pcc_nl_dataset *ds,
		       int add, char *errmsg, size_t errlen)
{
	const char *text = ds->rule_text;
	long size;
	int err;

	if (ds->id < 1 || ds->id > PCC_DS_ID_MAX) {
		set_errmsg(errmsg, errlen, "dataset id %u out of range 1..%d",
			   ds->id, PCC_DS_ID_MAX);
		return -EINVAL;
	}
	if (nla_put_u32(msg, PCC_A_DS_ID, ds->id))
		return -EMSGSIZE;
	if (add) {
		if (!ds->path || !ds->path[0]) {
			set_errmsg(errmsg, errlen, "dataset without a path");
			return -EINVAL;
		}
		if (strlen(ds->path) >= PCC_PATH_MAX) {
			set_errmsg(errmsg, errlen,
				   "dataset path longer than %d bytes",
				   PCC_PATH_MAX - 1);
			return -ENAMETOOLONG;
		}
		if (nla_put_string(msg, PCC_A_DS_PATH, ds->path))
			return -EMSGSIZE;
	}
	if (ds->set & PCC_NL_DS_MODE) {
		if (!add) {
			set_errmsg(errmsg, errlen,
				   "the mode of a dataset cannot be changed");
			return -EINVAL;
		}
		if (nla_put_u32(msg, PCC_A_DS_MODE, ds->mode))
			return -EMSGSIZE;
	}
	if ((ds->set & PCC_NL_DS_ATTACH) &&
	    nla_put_u32(msg, PCC_A_DS_ATTACH, ds->attach))
		return -EMSGSIZE;
	/* Their values and the dataset's mode are the module's to check. */
	if ((ds->set & PCC_NL_DS_WRITEBACK) &&
	    nla_put_u32(msg, PCC_A_DS_WRITEBACK, ds->writeback))
		return -EMSGSIZE;
	if ((ds->set & PCC_NL_DS_WB_INTERVAL) &&
	    nla_put_u32(msg, PCC_A_DS_WB_INTERVAL, ds->wb_interval))
		return -EMSGSIZE;
	/* Adding without a rule sends none; setting none removes it. */
	if ((ds->set & PCC_NL_DS_RULE) && (ds->rule || !add)) {
		size = rule_size(ds->rule, errmsg, errlen);
		if (size < 0)
			return (int)size;
		err = put_rule(msg, ds->rule);
		if (err)
			return err;
		/* The text of a rule never outlives it. */
		if (!text)
			text = "";
	}
	if (text) {
		if (strlen(text) >= PCC_RULE_TEXT_MAX) {
			set_errmsg(errmsg, errlen,
				   "rule text longer than %d bytes",
				   PCC_RULE_TEXT_MAX - 1);
			return -EINVAL;
		}
		if (nla_put_string(msg, PCC_A_DS_RULE_TEXT, text))
			return -EMSGSIZE;
	}
	return 0;
}

/* A request naming a mount, and maybe a dataset; an ACK answers it. */
static int ds_request(struct pcc_nl *nl, uint8_t cmd,
		      const struct pcc_nl_mnt *mnt,
		      const struct pcc_nl_dataset *ds,
		      char *errmsg, size_t errlen)
{
	struct exchange x = { .errmsg = errmsg, .errlen = errlen };
	struct nl_msg *msg;
	int err;

	set_errmsg(errmsg, errlen, "%s", "");
	msg = new_msg(nl, cmd, 0);
	if (!msg)
		return -ENOMEM;
	err = put_mnt(msg, mnt, errmsg, errlen);
	if (!err && ds)
		err = put_dataset(msg, ds, cmd == PCC_CMD_DATASET_ADD, errmsg,
				  errlen);
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	err = request(nl, msg, &x);
	if (!err && x.replies)
		err = -EBADMSG;
	return err;
}

int pcc_nl_dataset_add(struct pcc_nl *nl, const struct pcc_nl_mnt *mnt,
		       const struct pcc_nl_dataset *ds,
		       char *errmsg, size_t errlen)
{
	return ds_request(nl, PCC_CMD_DATASET_ADD, mnt, ds, errmsg, errlen);
}

int pcc_nl_dataset_set(struct pcc_nl *nl, const struct pcc_nl_mnt *mnt,
		       const struct pcc_nl_dataset *ds,
		       char *errmsg, size_t errlen)
{
	return ds_request(nl, PCC_CMD_DATASET_SET, mnt, ds, errmsg, errlen);
}

int pcc_nl_dataset_del(struct pcc_nl *nl, const struct pcc_nl_mnt *mnt,
		       uint32_t id, char *errmsg, size_t errlen)
{
	/* Only the id: the other fields stay out of the request. */
	struct pcc_nl_dataset ds = { .id = id };

	return ds_request(nl, PCC_CMD_DATASET_DEL, mnt, &ds, errmsg, errlen);
}

int pcc_nl_dataset_clear(struct pcc_nl *nl, const struct pcc_nl_mnt *mnt,
			 char *errmsg, size_t errlen)
{
	return ds_request(nl, PCC_CMD_DATASET_CLEAR, mnt, NULL, errmsg,
			  errlen);
}

static int dataset_dump_reply(struct exchange *x, struct nlmsghdr *nlh)
{
	int (*cb)(const struct pcc_nl_dataset *ds, void *arg) = x->cb;
	struct pcc_nl_dataset ds;
	struct pcc_rule *rule;
	int err;

	err = dataset_decode(nlh, nlh->nlmsg_len, &ds, &rule);
	if (err)
		return err;
	x->stop = cb(&ds, x->arg);
	rule_destroy(rule);
	return 0;
}

int pcc_nl_dataset_dump(struct pcc_nl *nl, const struct pcc_nl_mnt *mnt,
			int (*cb)(const struct pcc_nl_dataset *ds, void *arg),
			void *arg, char *errmsg, size_t errlen)
{
	struct exchange x = {
		.reply = dataset_dump_reply, .cb = (void *)cb, .arg = arg,
		.errmsg = errmsg, .errlen = errlen,
	};

	set_errmsg(errmsg, errlen, "%s", "");
	return mnt_request(nl, PCC_CMD_DATASET_GET, NLM_F_DUMP, mnt, &x);
}

/* Space management. */

static struct nla_policy evict_policy[PCC_A_MAX + 1] = {
	[PCC_A_EVICT_FLAGS]	= POLICY_U32,
};

int pcc_nl_parse_evict(const void *msg, size_t msg_len, uint32_t *flags)
{
	struct nlattr *tb[PCC_A_MAX + 1];
	int err;

	err = check_msg(msg, msg_len, PCC_CMD_EVICT, tb, evict_policy);
	if (err)
		return err;
	if (!tb[PCC_A_EVICT_FLAGS])
		return -EBADMSG;
	*flags = nla_get_u32(tb[PCC_A_EVICT_FLAGS]);
	return 0;
}

static int evict_reply(struct exchange *x, struct nlmsghdr *nlh)
{
	if (x->replies > 1)
		return -EBADMSG;
	return pcc_nl_parse_evict(nlh, nlh->nlmsg_len, x->out);
}

int pcc_nl_evict(struct pcc_nl *nl, const struct pcc_nl_mnt *mnt,
		 uint32_t ds_id, uint32_t fh_type, const uint8_t *fh,
		 uint32_t fh_len, uint32_t *flags, char *errmsg, size_t errlen)
{
	uint32_t out = 0;
	struct exchange x = {
		.reply = evict_reply, .out = &out,
		.errmsg = errmsg, .errlen = errlen,
	};
	struct nl_msg *msg;
	int err;

	set_errmsg(errmsg, errlen, "%s", "");
	if (flags)
		*flags = 0;
	if (ds_id < 1 || ds_id > PCC_DS_ID_MAX) {
		set_errmsg(errmsg, errlen, "dataset id %u out of range 1..%d",
			   ds_id, PCC_DS_ID_MAX);
		return -EINVAL;
	}
	if (fh_type > 0xffff || !fh || fh_len < 1 || fh_len > PCC_FH_MAX) {
		set_errmsg(errmsg, errlen,
			   "bad file handle (type %u, %u bytes)", fh_type,
			   fh_len);
		return -EINVAL;
	}
	msg = new_msg(nl, PCC_CMD_EVICT, 0);
	if (!msg)
		return -ENOMEM;
	err = put_mnt(msg, mnt, errmsg, errlen);
	if (!err && (nla_put_u32(msg, PCC_A_DS_ID, ds_id) ||
		     nla_put_u32(msg, PCC_A_FH_TYPE, fh_type) ||
		     nla_put(msg, PCC_A_FH, (int)fh_len, fh)))
		err = -EMSGSIZE;
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	err = request(nl, msg, &x);
	if (!err && !x.replies)
		err = -EBADMSG;
	if (!err && flags)
		*flags = out;
	return err;
}

static struct nla_policy file_policy[PCC_A_MAX + 1] = {
	[PCC_A_MOUNT_ID]	= POLICY_U32,
	[PCC_A_DS_ID]		= POLICY_U32,
	[PCC_A_INO]		= POLICY_U64,
	[PCC_A_FH_TYPE]		= POLICY_U32,
	[PCC_A_FH]		= { .type = NLA_UNSPEC, .maxlen = PCC_FH_MAX },
	[PCC_A_LAST_USE]	= POLICY_U64,
	[PCC_A_HITS]		= POLICY_U64,
};

int pcc_nl_parse_file(const void *msg, size_t msg_len,
		      struct pcc_nl_file *out)
{
	struct nlattr *tb[PCC_A_MAX + 1];
	int err;

	err = check_msg(msg, msg_len, PCC_CMD_FILE_GET, tb, file_policy);
	if (err)
		return err;
	if (!tb[PCC_A_MOUNT_ID] || !tb[PCC_A_DS_ID] || !tb[PCC_A_INO] ||
	    !tb[PCC_A_FH_TYPE] || !tb[PCC_A_FH] || !tb[PCC_A_LAST_USE] ||
	    !tb[PCC_A_HITS])
		return -EBADMSG;
	memset(out, 0, sizeof(*out));
	out->mount_id = nla_get_u32(tb[PCC_A_MOUNT_ID]);
	out->ds_id = nla_get_u32(tb[PCC_A_DS_ID]);
	out->ino = nla_get_u64(tb[PCC_A_INO]);
	out->fh_type = nla_get_u32(tb[PCC_A_FH_TYPE]);
	out->fh_len = (uint32_t)nla_len(tb[PCC_A_FH]);
	memcpy(out->fh, nla_data(tb[PCC_A_FH]), out->fh_len);
	out->last_use = nla_get_u64(tb[PCC_A_LAST_USE]);
	out->hits = nla_get_u64(tb[PCC_A_HITS]);
	return 0;
}

static int file_dump_reply(struct exchange *x, struct nlmsghdr *nlh)
{
	int (*cb)(const struct pcc_nl_file *f, void *arg) = x->cb;
	struct pcc_nl_file f;
	int err;

	err = pcc_nl_parse_file(nlh, nlh->nlmsg_len, &f);
	if (!err)
		x->stop = cb(&f, x->arg);
	return err;
}

int pcc_nl_file_dump(struct pcc_nl *nl, const struct pcc_nl_mnt *mnt,
		     int (*cb)(const struct pcc_nl_file *f, void *arg),
		     void *arg, char *errmsg, size_t errlen)
{
	struct exchange x = {
		.reply = file_dump_reply, .cb = (void *)cb, .arg = arg,
		.errmsg = errmsg, .errlen = errlen,
	};

	set_errmsg(errmsg, errlen, "%s", "");
	return mnt_request(nl, PCC_CMD_FILE_GET, NLM_F_DUMP, mnt, &x);
}

/* Events. */

int pcc_nl_events_open(struct pcc_nl **out)
{
	int size = PCC_NL_EVENTS_RCVBUF;
	struct pcc_nl *nl;
	int err, grp;

	err = open_socket(&nl);
	if (err)
		return err;
	nl->buf = malloc(PCC_NL_MSG_MAX);
	if (!nl->buf) {
		err = -ENOMEM;
		goto fail;
	}
	grp = genl_ctrl_resolve_grp(nl->sk, PCC_GENL_NAME,
				    PCC_GENL_MCGRP_EVENTS);
	if (grp < 0) {
		err = nle_to_errno(grp);
		goto fail;
	}
	err = nle_to_errno(nl_socket_add_membership(nl->sk, grp));
	if (err)
		goto fail;
	/* Events carry sequence number 0: they answer nothing. */
	nl_socket_disable_seq_check(nl->sk);
	err = nle_to_errno(nl_socket_set_nonblocking(nl->sk));
	if (err)
		goto fail;
	/*
	 * A burst of events (a prefetch attaching thousands of files) must
	 * not overrun the socket: root may go past net.core.rmem_max.
	 */
	if (setsockopt(nl_socket_get_fd(nl->sk), SOL_SOCKET, SO_RCVBUFFORCE,
		       &size, sizeof(size)) < 0) {
		err = nle_to_errno(nl_socket_set_buffer_size(nl->sk, size, 0));
		if (err)
			goto fail;
	}
	*out = nl;
	return 0;

fail:
	pcc_nl_close(nl);
	return err;
}

int pcc_nl_fd(const struct pcc_nl *nl)
{
	return nl_socket_get_fd(nl->sk);
}

static struct nla_policy event_policy[PCC_A_MAX + 1] = {
	[PCC_A_EVENT]		= POLICY_U32,
	[PCC_A_MOUNT_ID]	= POLICY_U32,
	[PCC_A_INO]		= POLICY_U64,
	[PCC_A_FH_TYPE]		= POLICY_U32,
	[PCC_A_FH]		= { .type = NLA_UNSPEC, .maxlen = PCC_FH_MAX },
	[PCC_A_PATH]		= POLICY_PATH,
	[PCC_A_DS_ID]		= POLICY_U32,
	[PCC_A_REASON]		= POLICY_U32,
	[PCC_A_ERRNO]		= POLICY_U32,
};

static uint32_t get_u32(struct nlattr **tb, int type)
{
	return tb[type] ? nla_get_u32(tb[type]) : 0;
}

int pcc_nl_parse_event(const void *msg, size_t msg_len,
		       void (*cb)(const struct pcc_nl_event *ev, void *arg),
		       void *arg)
{
	struct nlattr *tb[PCC_A_MAX + 1];
	struct pcc_nl_event ev;
	int err;

	err = check_msg(msg, msg_len, PCC_CMD_EVENT, tb, event_policy);
	if (err)
		return err;
	if (!tb[PCC_A_EVENT] || !tb[PCC_A_MOUNT_ID] ||
	    (tb[PCC_A_FH] && !tb[PCC_A_FH_TYPE]))
		return -EBADMSG;
	memset(&ev, 0, offsetof(struct pcc_nl_event, fh));
	ev.event = get_u32(tb, PCC_A_EVENT);
	ev.mount_id = get_u32(tb, PCC_A_MOUNT_ID);
	ev.ds_id = get_u32(tb, PCC_A_DS_ID);
	ev.reason = get_u32(tb, PCC_A_REASON);
	ev.err = get_u32(tb, PCC_A_ERRNO);
	if (tb[PCC_A_INO])
		ev.ino = nla_get_u64(tb[PCC_A_INO]);
	ev.fh_type = get_u32(tb, PCC_A_FH_TYPE);
	if (tb[PCC_A_FH]) {
		ev.fh_len = (uint32_t)nla_len(tb[PCC_A_FH]);
		memcpy(ev.fh, nla_data(tb[PCC_A_FH]), ev.fh_len);
	}
	ev.path = tb[PCC_A_PATH] ? nla_data(tb[PCC_A_PATH]) : NULL;
	cb(&ev, arg);
	return 0;
}

/*
 * Not nl_recvmsgs(): libnl reports an overrun (ENOBUFS) as NLE_NOMEM, the
 * same as its own allocation failures, and the caller must tell them
 * apart to resync.
 */
int pcc_nl_events_read(struct pcc_nl *nl,
		       void (*cb)(const struct pcc_nl_event *ev, void *arg),
		       void *arg)
{
	int fd = nl_socket_get_fd(nl->sk);
	int bad = 0;

	if (!nl->buf)
		return -EINVAL;		/* not from pcc_nl_events_open() */
	for (;;) {
		struct sockaddr_nl sa;
		struct iovec iov = {
			.iov_base = nl->buf, .iov_len = PCC_NL_MSG_MAX,
		};
		struct msghdr mh = {
			.msg_name = &sa, .msg_namelen = sizeof(sa),
			.msg_iov = &iov, .msg_iovlen = 1,
		};
		struct nlmsghdr *nlh;
		ssize_t n;
		int len;

		n = recvmsg(fd, &mh, MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			return -errno;
		}
		/* Only the kernel speaks here; a cut datagram is lost. */
		if (mh.msg_namelen != sizeof(sa) || sa.nl_pid != 0)
			continue;
		if (mh.msg_flags & MSG_TRUNC) {
			bad = -EBADMSG;
			continue;
		}
		len = (int)n;
		for (nlh = (struct nlmsghdr *)nl->buf; NLMSG_OK(nlh, len);
		     nlh = NLMSG_NEXT(nlh, len)) {
			int err;

			if (nlh->nlmsg_type != nl->family)
				continue;
			err = pcc_nl_parse_event(nlh, nlh->nlmsg_len, cb, arg);
			if (err && !bad)
				bad = err;
		}
	}
	/* The good events were delivered; say a bad one came too. */
	return bad;
}

/* Names. */

static const char *const event_names[] = {
	[PCC_EVENT_MISS]	= "miss",
	[PCC_EVENT_ATTACHED]	= "attached",
	[PCC_EVENT_DETACHED]	= "detached",
	[PCC_EVENT_STALE]	= "stale",
	[PCC_EVENT_IO_ERROR]	= "io_error",
	[PCC_EVENT_ENOSPC]	= "enospc",
};

static const char *const reason_names[] = {
	[PCC_DETACH_MANUAL]		= "manual",
	[PCC_DETACH_STALE]		= "stale",
	[PCC_DETACH_LOCAL_CHANGE]	= "local_change",
	[PCC_DETACH_DATASET]		= "dataset",
	[PCC_DETACH_COPY_GONE]		= "copy_gone",
	[PCC_DETACH_ERROR]		= "error",
	[PCC_DETACH_EVICTED]		= "evicted",
};

static const char *const stat_names[] = {
	[PCC_STAT_ATTACH_MANUAL]	= "attach_manual",
	[PCC_STAT_ATTACH_OPEN]		= "attach_open",
	[PCC_STAT_ATTACH_STAT]		= "attach_stat",
	[PCC_STAT_ATTACH_IO]		= "attach_io",
	[PCC_STAT_DETACH_MANUAL]	= "detach_manual",
	[PCC_STAT_DETACH_STALE]		= "detach_stale",
	[PCC_STAT_DETACH_LOCAL_CHANGE]	= "detach_local_change",
	[PCC_STAT_DETACH_DATASET]	= "detach_dataset",
	[PCC_STAT_DETACH_COPY_GONE]	= "detach_copy_gone",
	[PCC_STAT_DETACH_ERROR]		= "detach_error",
	[PCC_STAT_HITS]			= "hits",
	[PCC_STAT_HIT_BYTES]		= "hit_bytes",
	[PCC_STAT_MISSES]		= "misses",
	[PCC_STAT_STALE]		= "stale",
	[PCC_STAT_FALLBACKS]		= "fallbacks",
	[PCC_STAT_CACHE_ERRORS]		= "cache_errors",
	[PCC_STAT_EVENTS_DROPPED]	= "events_dropped",
	[PCC_STAT_MIRROR_WRITES]	= "mirror_writes",
	[PCC_STAT_DETACH_EVICTED]	= "detach_evicted",
	[PCC_STAT_WRITEBACKS]		= "writebacks",
	[PCC_STAT_WRITEBACK_BYTES]	= "writeback_bytes",
	[PCC_STAT_PAGED_FAULTS]		= "paged_faults",
	[PCC_STAT_PAGED_WRITE_FAULTS]	= "paged_write_faults",
	[PCC_STAT_PAGED_MKWRITES]	= "paged_mkwrites",
	[PCC_STAT_MARKS]		= "marks",
	[PCC_STAT_MARK_CONFLICTS]	= "mark_conflicts",
	[PCC_STAT_HELD_ELSEWHERE]	= "held_elsewhere",
};

/* A counter added to enum pcc_stat must be named here. */
_Static_assert(sizeof(stat_names) / sizeof(stat_names[0]) == PCC_STAT_COUNT,
	       "stat_names[] lacks a counter");

#define NAME(names, i) \
	((i) < sizeof(names) / sizeof(names[0]) && (names)[i] ? \
	 (names)[i] : "unknown")

const char *pcc_nl_event_name(uint32_t event)
{
	return NAME(event_names, event);
}

const char *pcc_nl_reason_name(uint32_t reason)
{
	return NAME(reason_names, reason);
}

const char *pcc_nl_stat_name(unsigned int stat)
{
	return NAME(stat_names, stat);
}
