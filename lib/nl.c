// SPDX-License-Identifier: GPL-2.0-only
/*
 * nl.c - libnl-genl-3 façade for the pcc family.  The only file that
 * includes libnl: the rest of userspace sees nl.h and negative errnos.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/errno.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include <linux/pcc.h>

#include "nl.h"

struct pcc_nl {
	struct nl_sock *sk;
	int family;
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

int pcc_nl_open(struct pcc_nl **out)
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

void pcc_nl_close(struct pcc_nl *nl)
{
	if (!nl)
		return;
	nl_socket_free(nl->sk);
	free(nl);
}

static struct nla_policy version_policy[PCC_A_MAX + 1] = {
	[PCC_A_VERSION]		= { .type = NLA_STRING, .maxlen = PCC_VERSION_LEN },
	[PCC_A_GENL_VERSION]	= { .type = NLA_U32 },
};

int pcc_nl_parse_version(const void *msg, size_t msg_len, char *buf,
			 size_t len, uint32_t *genl_version)
{
	/* libnl's parsers take non-const pointers but only read. */
	struct nlmsghdr *nlh = (struct nlmsghdr *)msg;
	struct nlattr *tb[PCC_A_MAX + 1];
	struct genlmsghdr *ghdr;

	if (msg_len < NLMSG_HDRLEN || nlh->nlmsg_len < NLMSG_HDRLEN ||
	    nlh->nlmsg_len > msg_len || !genlmsg_valid_hdr(nlh, 0))
		return -EBADMSG;
	ghdr = nlmsg_data(nlh);
	if (ghdr->cmd != PCC_CMD_GET_VERSION)
		return -EBADMSG;
	if (genlmsg_parse(nlh, 0, tb, PCC_A_MAX, version_policy) < 0)
		return -EBADMSG;
	if (!tb[PCC_A_VERSION] || !tb[PCC_A_GENL_VERSION])
		return -EBADMSG;
	if (len)
		nla_strlcpy(buf, tb[PCC_A_VERSION], len);
	if (genl_version)
		*genl_version = nla_get_u32(tb[PCC_A_GENL_VERSION]);
	return 0;
}

/* State of one request/reply exchange, shared by the callbacks below. */
struct exchange {
	int err;		/* first error: from the kernel or the parser */
	int done;		/* the kernel's ACK (or error) has arrived */
	int replied;		/* a reply was parsed */
	char *buf;
	size_t len;
	uint32_t *genl_version;
};

static int on_valid(struct nl_msg *msg, void *arg)
{
	struct exchange *x = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	int err;

	err = pcc_nl_parse_version(nlh, nlh->nlmsg_len, x->buf, x->len,
				   x->genl_version);
	if (err && !x->err)
		x->err = err;
	x->replied = 1;
	return NL_OK;
}

static int on_ack(struct nl_msg *msg, void *arg)
{
	struct exchange *x = arg;

	x->done = 1;
	return NL_STOP;
}

static int on_error(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct exchange *x = arg;

	/* The kernel's own errno, not libnl's translation of it. */
	if (!x->err)
		x->err = e->error < 0 ? e->error : -EPROTO;
	x->done = 1;
	return NL_STOP;
}

int pcc_nl_get_version(struct pcc_nl *nl, char *buf, size_t len,
		       uint32_t *genl_version)
{
	struct exchange x = {
		.buf = buf, .len = len, .genl_version = genl_version,
	};
	struct nl_msg *msg;
	struct nl_cb *cb = NULL;
	int err;

	if (len)
		buf[0] = '\0';
	msg = nlmsg_alloc();
	if (!msg)
		return -ENOMEM;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0, 0,
			 PCC_CMD_GET_VERSION, PCC_GENL_VERSION)) {
		err = -EMSGSIZE;
		goto out;
	}
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb) {
		err = -ENOMEM;
		goto out;
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, &x);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, &x);
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, &x);

	/* Auto-ack is on: the reply is followed by an ACK that ends it. */
	err = nl_send_auto(nl->sk, msg);
	if (err < 0) {
		err = nle_to_errno(err);
		goto out;
	}
	err = 0;
	while (!x.done && !err)
		err = nle_to_errno(nl_recvmsgs(nl->sk, cb));
	if (x.err)
		err = x.err;
	else if (!err && !x.replied)
		err = -EBADMSG;
out:
	if (cb)
		nl_cb_put(cb);
	nlmsg_free(msg);
	return err;
}
