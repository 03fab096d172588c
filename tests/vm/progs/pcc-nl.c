// SPDX-License-Identifier: GPL-2.0-only
/*
 * pcc-nl - talk to the pcc generic netlink family directly, for tests
 * (pccd is the real client).  MOUNT is a mount id (digits) or a path in a
 * pcc mount.
 *
 *   pcc-nl version
 *   pcc-nl mounts			one line per mount
 *   pcc-nl mount MOUNT		"key value" lines: state and counters
 *   pcc-nl add MOUNT ID DIR [--mode ro|rw|N] [--attach LIST] [--rule-text T]
 *	    [--writeback close|lazy|N] [--wb-interval N] [RULE]
 *   pcc-nl set MOUNT ID [--attach LIST] [--rule-text T] [--no-rule]
 *	    [--writeback close|lazy|N] [--wb-interval N] [RULE]
 *   pcc-nl del MOUNT ID
 *   pcc-nl clear MOUNT
 *   pcc-nl datasets MOUNT		one line per dataset: "dataset ID mount N
 *					path P mode M attach LIST [writeback
 *					close|lazy|N interval N] attached N
 *					rule [RULE] text [T]", the part in
 *					brackets when the module sends it
 *					(read-write datasets)
 *   pcc-nl listen [--count N] [--timeout S]
 *					join the events group, print "listening",
 *					then one line per event
 *   pcc-nl raw CMD CASE MOUNT [DIR]	send a hand-made request (below)
 *   pcc-nl evict [--lib] MOUNT ID FH	PCC_CMD_EVICT of the copy of handle FH
 *					(TYPE:HEX, both hex, as events print
 *					it) in dataset ID; prints "evicted
 *					flags N [was_attached] [in_use]".  ID
 *					"-" leaves the dataset id out, FH "-"
 *					the handle (bad input for tests)
 *   pcc-nl files [--lib] MOUNT		PCC_CMD_FILE_GET: one line per attached
 *					file, "file mount N dataset N ino N
 *					fh T:HEX last_use N hits N"
 *
 * --lib sends the request through lib/nl.c (pcc_nl_evict(),
 * pcc_nl_file_dump()) instead of this program's own code, and prints the
 * same: the library is checked against the module.
 *
 * --writeback and --wb-interval send PCC_A_DS_WRITEBACK (close, lazy, or
 * any number) and PCC_A_DS_WB_INTERVAL (any number, 0 and above
 * PCC_DS_WB_INTERVAL_MAX too) as given: the module checks them.
 *
 * LIST is "none" or a comma-separated list of open, stat, io.  RULE is the
 * compiled rule written out: "--term" starts a term, each following word
 * is an expression FIELD OP VALUES, FIELD a name (uid gid projid fname size
 * mtime) or a number, OP one of = < >, VALUES comma-separated; values are
 * patterns for fname and numbers otherwise, unless prefixed "s:" (pattern)
 * or "n:" (number).  Example:
 *	--term uid=1000,1001 fname=*.h5 --term size>1048576
 *
 * raw CMD is version, mount, mounts (the dump), add, del, clear, set or
 * datasets; CASE is "ok" (a good request) or what to spoil in it: unknown
 * (an attribute above the family's maximum), unsupported (an attribute the
 * command does not take), type0, pad, missing (a required attribute left
 * out: the mount; missing-id: the dataset id), both (mount by id and path), oversize (a path longer than
 * PATH_MAX), nonul (a string without its NUL), range (a mount id 0),
 * dsrange (a dataset id above PCC_DS_ID_MAX), dszero (dataset id 0),
 * wrongtype (a u64 where a u32 goes), mode, attach (unknown bits),
 * writeback (policy 2), wb-interval (interval 0), wb-interval-max
 * (PCC_DS_WB_INTERVAL_MAX + 1), writeback-type (a u64 policy) (the first
 * three with PCC_DS_MODE_RW for add, so the value is what is wrong),
 * withmount (a mount id added, for the dump of mounts), or one
 * of the rule cases: rule-field, rule-op, rule-fname-lt, rule-mtime-eq,
 * rule-num-fname, rule-glob-uid, rule-values, rule-lt-two, rule-terms,
 * rule-exprs, rule-empty-term, rule-no-field, rule-no-op, rule-unknown,
 * rule-flat (no NLA_F_NESTED), rule-empty-glob, rule-long-glob,
 * rule-big (over PCC_RULE_NEST_MAX).
 *
 * Every error prints "error ERRNO (TEXT): MESSAGE" with the kernel's
 * extended ack message and exits 1; raw prints that on standard output,
 * or "ok".  Usage errors exit 2.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>

#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/socket.h>

#include <linux/pcc.h>

#include "nl.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

static const char *prog = "pcc-nl";
static struct nl_sock *sk;
static int family;

__attribute__((format(printf, 1, 2), noreturn))
static void usage(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(2);
}

__attribute__((noreturn))
static void nl_die(const char *what, int nle)
{
	fprintf(stderr, "%s: %s: %s\n", prog, what, nl_geterror(nle));
	exit(1);
}

static void open_family(void)
{
	int one = 1;

	sk = nl_socket_alloc();
	if (!sk)
		nl_die("nl_socket_alloc", -NLE_NOMEM);
	if (genl_connect(sk) < 0)
		nl_die("genl_connect", -NLE_FAILURE);
	/* A dataset's message may be up to 32 KiB (PCC_RULE_NEST_MAX). */
	nl_socket_set_msg_buf_size(sk, 65536);
	nl_socket_enable_msg_peek(sk);
	/* Extended acks, without the request echoed back. */
	setsockopt(nl_socket_get_fd(sk), SOL_NETLINK, NETLINK_EXT_ACK, &one,
		   sizeof(one));
	setsockopt(nl_socket_get_fd(sk), SOL_NETLINK, NETLINK_CAP_ACK, &one,
		   sizeof(one));
	family = genl_ctrl_resolve(sk, PCC_GENL_NAME);
	if (family < 0)
		nl_die("family " PCC_GENL_NAME, family);
}

/* The outcome of one request. */
struct result {
	int done;
	int err;		/* negative errno */
	char msg[512];		/* extack message */
	int miss_type;		/* extack missing attribute, or -1 */
	int intr;		/* a dump was interrupted */
	int (*valid)(struct nlattr **tb, void *arg);
	void *arg;
};

/* Pick the extack attributes out of an error or DONE message. */
static void parse_ext_ack(struct nlmsghdr *nlh, size_t off, struct result *r)
{
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	int len = (int)nlh->nlmsg_len - (int)(NLMSG_HDRLEN + off);

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) || len <= 0)
		return;
	if (nla_parse(tb, NLMSGERR_ATTR_MAX,
		      (struct nlattr *)((char *)nlmsg_data(nlh) + off), len,
		      NULL) < 0)
		return;
	if (tb[NLMSGERR_ATTR_MSG])
		nla_strlcpy(r->msg, tb[NLMSGERR_ATTR_MSG], sizeof(r->msg));
	if (tb[NLMSGERR_ATTR_MISS_TYPE])
		r->miss_type = nla_get_u32(tb[NLMSGERR_ATTR_MISS_TYPE]);
}

static int on_error(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct result *r = arg;
	struct nlmsghdr *nlh = (struct nlmsghdr *)((char *)e - NLMSG_HDRLEN);
	size_t off = sizeof(*e);

	(void)nla;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	r->err = e->error;
	r->done = 1;
	parse_ext_ack(nlh, off, r);
	return NL_STOP;
}

static int on_ack(struct nl_msg *msg, void *arg)
{
	struct result *r = arg;

	(void)msg;
	r->done = 1;
	return NL_STOP;
}

/* The end of a dump carries the dump's error, if any. */
static int on_finish(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct result *r = arg;

	r->done = 1;
	if (nlh->nlmsg_len >= NLMSG_HDRLEN + sizeof(int)) {
		int err = *(int *)nlmsg_data(nlh);

		if (err < 0) {
			r->err = err;
			parse_ext_ack(nlh, sizeof(int), r);
		}
	}
	return NL_STOP;
}

static int on_intr(struct nl_msg *msg, void *arg)
{
	struct result *r = arg;

	(void)msg;
	r->intr = 1;
	return NL_OK;
}

static int on_valid(struct nl_msg *msg, void *arg)
{
	struct result *r = arg;
	struct nlattr *tb[PCC_A_MAX + 1];

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, PCC_A_MAX, NULL) < 0) {
		fprintf(stderr, "%s: unparsable reply\n", prog);
		return NL_SKIP;
	}
	if (r->valid)
		r->valid(tb, r->arg);
	return NL_OK;
}

/* Send @msg (freed) and collect replies until the ack, error or DONE. */
static int exchange(struct nl_msg *msg, struct result *r)
{
	struct nl_cb *cb;
	int ret;

	r->miss_type = -1;
	cb = nl_cb_alloc(NL_CB_CUSTOM);
	if (!cb)
		nl_die("nl_cb_alloc", -NLE_NOMEM);
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, r);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, r);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, on_finish, r);
	nl_cb_set(cb, NL_CB_DUMP_INTR, NL_CB_CUSTOM, on_intr, r);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, r);
	ret = nl_send_auto(sk, msg);
	nlmsg_free(msg);
	if (ret < 0)
		nl_die("send", ret);
	while (!r->done) {
		ret = nl_recvmsgs(sk, cb);
		if (ret < 0 && !r->done)
			nl_die("receive", ret);
	}
	nl_cb_put(cb);
	if (r->intr)
		fprintf(stderr, "%s: the dump was interrupted\n", prog);
	return r->err;
}

static void print_error(FILE *f, const struct result *r)
{
	fprintf(f, "error %d (%s): %s", r->err, strerror(-r->err),
		r->msg[0] ? r->msg : "(no message)");
	if (r->miss_type >= 0)
		fprintf(f, " [missing attribute %d]", r->miss_type);
	fprintf(f, "\n");
}

/* Run a request; on an error print it and exit 1. */
static void request(struct nl_msg *msg, struct result *r)
{
	if (exchange(msg, r)) {
		print_error(stderr, r);
		exit(1);
	}
}

static struct nl_msg *new_msg(int cmd, int flags)
{
	struct nl_msg *msg = nlmsg_alloc_size(256 * 1024);

	if (!msg)
		nl_die("nlmsg_alloc", -NLE_NOMEM);
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, flags,
			 cmd, PCC_GENL_VERSION))
		nl_die("genlmsg_put", -NLE_NOMEM);
	return msg;
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

static uint64_t number(const char *s, const char *what)
{
	char *end;
	uint64_t v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *end)
		usage("%s: not a number: %s", what, s);
	return v;
}

static void put_mount(struct nl_msg *msg, const char *mount)
{
	if (all_digits(mount))
		nla_put_u32(msg, PCC_A_MOUNT_ID, number(mount, "mount id"));
	else
		nla_put_string(msg, PCC_A_MOUNT_PATH, mount);
}

static uint32_t attach_flags(const char *s)
{
	char *copy = strdup(s), *tok, *save = NULL;
	uint32_t v = 0;

	if (!strcmp(s, "none"))
		return 0;
	for (tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (!strcmp(tok, "open"))
			v |= PCC_DS_ATTACH_OPEN;
		else if (!strcmp(tok, "stat"))
			v |= PCC_DS_ATTACH_STAT;
		else if (!strcmp(tok, "io"))
			v |= PCC_DS_ATTACH_IO;
		else if (all_digits(tok))
			v |= number(tok, "attach");
		else
			usage("unknown attach policy: %s", tok);
	}
	free(copy);
	return v;
}

static const char *const field_names[] = {
	[PCC_RULE_UID] = "uid", [PCC_RULE_GID] = "gid",
	[PCC_RULE_PROJID] = "projid", [PCC_RULE_FNAME] = "fname",
	[PCC_RULE_SIZE] = "size", [PCC_RULE_MTIME] = "mtime",
};

/*
 * End a nest.  Not nla_nest_end(): libnl drops an empty nest, and an
 * empty term or rule is what some requests must send.
 */
static void nest_end(struct nl_msg *msg, struct nlattr *start)
{
	start->nla_len = (unsigned char *)nlmsg_tail(nlmsg_hdr(msg)) -
			 (unsigned char *)start;
}

/* One expression word, "FIELD OP VALUES", as a PCC_TERM_A_EXPR nest. */
static void put_expr(struct nl_msg *msg, const char *word)
{
	const char *op = strpbrk(word, "=<>");
	char *field, *values, *tok, *save = NULL;
	uint32_t f = 0, o;
	struct nlattr *expr;
	size_t i;

	if (!op || op == word)
		usage("bad expression: %s", word);
	field = strndup(word, op - word);
	for (i = 1; i < sizeof(field_names) / sizeof(field_names[0]); i++)
		if (!strcmp(field, field_names[i]))
			f = i;
	if (!f)
		f = number(field, "field");
	o = *op == '=' ? PCC_RULE_OP_EQ :
	    *op == '<' ? PCC_RULE_OP_LT : PCC_RULE_OP_GT;
	expr = nla_nest_start(msg, PCC_TERM_A_EXPR | NLA_F_NESTED);
	nla_put_u32(msg, PCC_EXPR_A_FIELD, f);
	nla_put_u32(msg, PCC_EXPR_A_OP, o);
	values = strdup(op + 1);
	for (tok = strtok_r(values, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (!strncmp(tok, "s:", 2))
			nla_put_string(msg, PCC_EXPR_A_GLOB, tok + 2);
		else if (!strncmp(tok, "n:", 2))
			nla_put_u64(msg, PCC_EXPR_A_NUM,
				    number(tok + 2, "value"));
		else if (f == PCC_RULE_FNAME)
			nla_put_string(msg, PCC_EXPR_A_GLOB, tok);
		else
			nla_put_u64(msg, PCC_EXPR_A_NUM, number(tok, "value"));
	}
	nest_end(msg, expr);
	free(values);
	free(field);
}

/*
 * Options shared by add and set, then the rule: argv[i] onwards.  The rule
 * is put last, after the other options; a rule nest is put when there is
 * a --term or --no-rule (an empty nest).
 */
static void put_ds_options(struct nl_msg *msg, int argc, char **argv, int i,
			   bool add)
{
	struct nlattr *rule = NULL, *term = NULL;
	bool no_rule = false;
	int first_term = -1;

	for (; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--attach") && i + 1 < argc) {
			nla_put_u32(msg, PCC_A_DS_ATTACH,
				    attach_flags(argv[++i]));
		} else if (add && !strcmp(a, "--mode") && i + 1 < argc) {
			const char *m = argv[++i];

			nla_put_u32(msg, PCC_A_DS_MODE,
				    !strcmp(m, "ro") ? PCC_DS_MODE_RO :
				    !strcmp(m, "rw") ? PCC_DS_MODE_RW :
				    number(m, "mode"));
		} else if (!strcmp(a, "--rule-text") && i + 1 < argc) {
			nla_put_string(msg, PCC_A_DS_RULE_TEXT, argv[++i]);
		} else if (!strcmp(a, "--writeback") && i + 1 < argc) {
			const char *w = argv[++i];

			nla_put_u32(msg, PCC_A_DS_WRITEBACK,
				    !strcmp(w, "close") ? PCC_DS_WB_CLOSE :
				    !strcmp(w, "lazy") ? PCC_DS_WB_LAZY :
				    number(w, "writeback"));
		} else if (!strcmp(a, "--wb-interval") && i + 1 < argc) {
			nla_put_u32(msg, PCC_A_DS_WB_INTERVAL,
				    number(argv[++i], "wb-interval"));
		} else if (!strcmp(a, "--no-rule")) {
			no_rule = true;
		} else if (!strcmp(a, "--term")) {
			if (first_term < 0)
				first_term = i;
		} else if (first_term < 0 || a[0] == '-') {
			usage("unexpected argument: %s", a);
		}
	}
	if (first_term < 0 && !no_rule)
		return;
	rule = nla_nest_start(msg, PCC_A_DS_RULE | NLA_F_NESTED);
	for (i = first_term; first_term >= 0 && i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--attach") || !strcmp(a, "--mode") ||
		    !strcmp(a, "--rule-text") || !strcmp(a, "--writeback") ||
		    !strcmp(a, "--wb-interval")) {
			i++;
		} else if (!strcmp(a, "--term")) {
			if (term)
				nest_end(msg, term);
			term = nla_nest_start(msg, PCC_RULE_A_TERM |
					      NLA_F_NESTED);
		} else if (a[0] != '-') {
			put_expr(msg, a);
		}
	}
	if (term)
		nest_end(msg, term);
	nest_end(msg, rule);
}

static int print_version(struct nlattr **tb, void *arg)
{
	(void)arg;
	if (tb[PCC_A_VERSION])
		printf("version %s\n", nla_get_string(tb[PCC_A_VERSION]));
	if (tb[PCC_A_GENL_VERSION])
		printf("genl_version %u\n",
		       nla_get_u32(tb[PCC_A_GENL_VERSION]));
	return 0;
}

static const char *const stat_names[PCC_STAT_COUNT] = {
	"attach_manual", "attach_open", "attach_stat", "attach_io",
	"detach_manual", "detach_stale", "detach_local_change",
	"detach_dataset", "detach_copy_gone", "detach_error", "hits",
	"hit_bytes", "misses", "stale", "fallbacks", "cache_errors",
	"events_dropped", "mirror_writes", "detach_evicted", "writebacks",
	"writeback_bytes", "paged_faults", "paged_write_faults",
	"paged_mkwrites", "marks", "mark_conflicts", "held_elsewhere",
};

static uint32_t get_u32(struct nlattr **tb, int type)
{
	return tb[type] ? nla_get_u32(tb[type]) : 0;
}

/* The mount as "key value" lines (@arg: non-NULL) or as one line. */
static int print_mount(struct nlattr **tb, void *arg)
{
	const char *lower = tb[PCC_A_MOUNT_LOWER] ?
		nla_get_string(tb[PCC_A_MOUNT_LOWER]) : "?";
	bool lines = arg;
	const char *sep = lines ? "\n" : " ";
	struct nlattr *nla;
	int rem;

	printf("mount %u%slower %s%sgeneration %u%sdatasets %u%sattached %u",
	       get_u32(tb, PCC_A_MOUNT_ID), sep, lower, sep,
	       get_u32(tb, PCC_A_MOUNT_GEN), sep,
	       get_u32(tb, PCC_A_MOUNT_DATASETS), sep,
	       get_u32(tb, PCC_A_MOUNT_ATTACHED));
	if (lines && tb[PCC_A_STATS]) {
		nla_for_each_nested(nla, tb[PCC_A_STATS], rem) {
			int t = nla_type(nla);

			if (t == PCC_STATS_A_PAD || nla_len(nla) != 8)
				continue;
			if (t - 1 < PCC_STAT_COUNT)
				printf("\nstat.%s %" PRIu64,
				       stat_names[t - 1], nla_get_u64(nla));
			else
				printf("\nstat.%d %" PRIu64, t,
				       nla_get_u64(nla));
		}
	}
	printf("\n");
	return 0;
}

static void print_attach(uint32_t a)
{
	const char *sep = "";

	if (!a) {
		printf("none");
		return;
	}
	if (a & PCC_DS_ATTACH_OPEN) {
		printf("%sopen", sep);
		sep = ",";
	}
	if (a & PCC_DS_ATTACH_STAT) {
		printf("%sstat", sep);
		sep = ",";
	}
	if (a & PCC_DS_ATTACH_IO)
		printf("%sio", sep);
}

/* The rule back in the command line's syntax. */
static void print_rule(struct nlattr *rule)
{
	struct nlattr *term, *expr, *v;
	int r1, r2, r3;
	const char *tsep = "";

	nla_for_each_nested(term, rule, r1) {
		printf("%s--term", tsep);
		tsep = " ";
		nla_for_each_nested(expr, term, r2) {
			uint32_t f = 0, o = 0;
			const char *vsep = "";

			nla_for_each_nested(v, expr, r3) {
				if (nla_type(v) == PCC_EXPR_A_FIELD)
					f = nla_get_u32(v);
				else if (nla_type(v) == PCC_EXPR_A_OP)
					o = nla_get_u32(v);
			}
			if (f < sizeof(field_names) / sizeof(field_names[0]) &&
			    field_names[f])
				printf(" %s", field_names[f]);
			else
				printf(" %u", f);
			printf("%c", o == PCC_RULE_OP_LT ? '<' :
			       o == PCC_RULE_OP_GT ? '>' : '=');
			nla_for_each_nested(v, expr, r3) {
				if (nla_type(v) == PCC_EXPR_A_NUM)
					printf("%s%" PRIu64, vsep,
					       nla_get_u64(v));
				else if (nla_type(v) == PCC_EXPR_A_GLOB)
					printf("%s%s", vsep,
					       (char *)nla_data(v));
				else
					continue;
				vsep = ",";
			}
		}
	}
}

static int print_dataset(struct nlattr **tb, void *arg)
{
	uint32_t mode = get_u32(tb, PCC_A_DS_MODE);

	(void)arg;
	printf("dataset %u mount %u path %s mode %s attach ",
	       get_u32(tb, PCC_A_DS_ID), get_u32(tb, PCC_A_MOUNT_ID),
	       tb[PCC_A_DS_PATH] ? nla_get_string(tb[PCC_A_DS_PATH]) : "?",
	       mode == PCC_DS_MODE_RO ? "ro" :
	       mode == PCC_DS_MODE_RW ? "rw" : "ro,rw");
	print_attach(get_u32(tb, PCC_A_DS_ATTACH));
	if (tb[PCC_A_DS_WRITEBACK]) {
		uint32_t wb = get_u32(tb, PCC_A_DS_WRITEBACK);

		if (wb == PCC_DS_WB_CLOSE)
			printf(" writeback close");
		else if (wb == PCC_DS_WB_LAZY)
			printf(" writeback lazy");
		else
			printf(" writeback %u", wb);
	}
	if (tb[PCC_A_DS_WB_INTERVAL])
		printf(" interval %u", get_u32(tb, PCC_A_DS_WB_INTERVAL));
	printf(" attached %u rule [", get_u32(tb, PCC_A_DS_ATTACHED));
	if (tb[PCC_A_DS_RULE])
		print_rule(tb[PCC_A_DS_RULE]);
	printf("] text [%s]\n", tb[PCC_A_DS_RULE_TEXT] ?
	       nla_get_string(tb[PCC_A_DS_RULE_TEXT]) : "");
	return 0;
}

static const char *const event_names[] = {
	[PCC_EVENT_MISS] = "miss", [PCC_EVENT_ATTACHED] = "attached",
	[PCC_EVENT_DETACHED] = "detached", [PCC_EVENT_STALE] = "stale",
	[PCC_EVENT_IO_ERROR] = "io_error", [PCC_EVENT_ENOSPC] = "enospc",
};

/* @arg: the count of events printed. */
static int print_event(struct nlattr **tb, void *arg)
{
	uint32_t ev = get_u32(tb, PCC_A_EVENT);
	int i;

	++*(long *)arg;
	if (ev < sizeof(event_names) / sizeof(event_names[0]) &&
	    event_names[ev])
		printf("event %s", event_names[ev]);
	else
		printf("event %u", ev);
	printf(" mount %u", get_u32(tb, PCC_A_MOUNT_ID));
	if (tb[PCC_A_INO])
		printf(" ino %" PRIu64, nla_get_u64(tb[PCC_A_INO]));
	if (tb[PCC_A_FH]) {
		printf(" fh %x:", get_u32(tb, PCC_A_FH_TYPE));
		for (i = 0; i < nla_len(tb[PCC_A_FH]); i++)
			printf("%02x", ((uint8_t *)nla_data(tb[PCC_A_FH]))[i]);
	}
	if (tb[PCC_A_DS_ID])
		printf(" dataset %u", get_u32(tb, PCC_A_DS_ID));
	if (tb[PCC_A_REASON])
		printf(" reason %u", get_u32(tb, PCC_A_REASON));
	if (tb[PCC_A_ERRNO])
		printf(" errno %u", get_u32(tb, PCC_A_ERRNO));
	if (tb[PCC_A_PATH])
		printf(" path %s", nla_get_string(tb[PCC_A_PATH]));
	printf("\n");
	fflush(stdout);
	return 0;
}

/* Events are not answers: they carry sequence number 0. */
static int no_seq_check(struct nl_msg *msg, void *arg)
{
	(void)msg;
	(void)arg;
	return NL_OK;
}

static int listen_events(int argc, char **argv)
{
	long count = -1, timeout = -1, seen = 0;
	struct result r = { .valid = print_event, .arg = &seen };
	struct timespec start, now;
	struct nl_cb *cb;
	int grp, ret, i;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--count") && i + 1 < argc)
			count = number(argv[++i], "count");
		else if (!strcmp(argv[i], "--timeout") && i + 1 < argc)
			timeout = number(argv[++i], "timeout");
		else
			usage("listen: unexpected argument %s", argv[i]);
	}
	grp = genl_ctrl_resolve_grp(sk, PCC_GENL_NAME, PCC_GENL_MCGRP_EVENTS);
	if (grp < 0)
		nl_die("events group", grp);
	ret = nl_socket_add_membership(sk, grp);
	if (ret < 0) {
		fprintf(stderr, "%s: join the events group: %s\n", prog,
			nl_geterror(ret));
		return 1;
	}
	printf("listening\n");
	fflush(stdout);
	cb = nl_cb_alloc(NL_CB_CUSTOM);
	if (!cb)
		nl_die("nl_cb_alloc", -NLE_NOMEM);
	nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, no_seq_check, NULL);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, &r);
	clock_gettime(CLOCK_MONOTONIC, &start);
	while (count < 0 || seen < count) {
		struct pollfd pfd = { .fd = nl_socket_get_fd(sk),
				      .events = POLLIN };
		int wait_ms = -1;

		if (timeout >= 0) {
			clock_gettime(CLOCK_MONOTONIC, &now);
			wait_ms = timeout * 1000 -
				  ((now.tv_sec - start.tv_sec) * 1000 +
				   (now.tv_nsec - start.tv_nsec) / 1000000);
			if (wait_ms <= 0)
				break;
		}
		ret = poll(&pfd, 1, wait_ms);
		if (ret < 0 && errno != EINTR) {
			perror("poll");
			return 1;
		}
		if (ret <= 0)
			continue;
		ret = nl_recvmsgs(sk, cb);
		if (ret < 0) {
			/* ENOBUFS: events were lost; a client resyncs. */
			printf("lost %s\n", nl_geterror(ret));
			fflush(stdout);
		}
	}
	nl_cb_put(cb);
	return 0;
}

/* raw: a good request for @cmd, then spoiled as @what says. */
struct raw_cmd {
	const char *name;
	int cmd;
	int flags;
	bool mount;		/* names a mount */
	bool ds_id;		/* takes PCC_A_DS_ID */
};

static const struct raw_cmd raw_cmds[] = {
	{ "version", PCC_CMD_GET_VERSION, 0, false, false },
	{ "mount", PCC_CMD_MOUNT_GET, 0, true, false },
	{ "mounts", PCC_CMD_MOUNT_GET, NLM_F_DUMP, false, false },
	{ "add", PCC_CMD_DATASET_ADD, 0, true, true },
	{ "del", PCC_CMD_DATASET_DEL, 0, true, true },
	{ "clear", PCC_CMD_DATASET_CLEAR, 0, true, false },
	{ "set", PCC_CMD_DATASET_SET, 0, true, true },
	{ "datasets", PCC_CMD_DATASET_GET, NLM_F_DUMP, true, false },
	{ "event", PCC_CMD_EVENT, 0, false, false },
};

static void put_rule_case(struct nl_msg *msg, const char *what)
{
	struct nlattr *rule, *term, *expr;
	char glob[PCC_RULE_GLOB_MAX + 10];
	int i, j, n;

	rule = nla_nest_start(msg, PCC_A_DS_RULE |
			      (strcmp(what, "rule-flat") ? NLA_F_NESTED : 0));
	n = !strcmp(what, "rule-terms") ? PCC_RULE_MAX_TERMS + 1 :
	    !strcmp(what, "rule-big") ? PCC_RULE_MAX_TERMS : 1;
	for (i = 0; i < n; i++) {
		int exprs = !strcmp(what, "rule-exprs") ?
			    PCC_RULE_MAX_EXPRS + 1 :
			    !strcmp(what, "rule-empty-term") ? 0 :
			    !strcmp(what, "rule-big") ? 2 : 1;

		term = nla_nest_start(msg, PCC_RULE_A_TERM | NLA_F_NESTED);
		for (j = 0; j < exprs; j++) {
			uint32_t f = PCC_RULE_UID, o = PCC_RULE_OP_EQ;
			int nums = 1, k;

			if (!strcmp(what, "rule-field"))
				f = 7;
			else if (!strcmp(what, "rule-op"))
				o = 4;
			else if (!strcmp(what, "rule-fname-lt")) {
				f = PCC_RULE_FNAME;
				o = PCC_RULE_OP_LT;
			} else if (!strcmp(what, "rule-mtime-eq"))
				f = PCC_RULE_MTIME;
			else if (!strcmp(what, "rule-num-fname"))
				f = PCC_RULE_FNAME;
			else if (!strcmp(what, "rule-values"))
				nums = PCC_RULE_MAX_VALUES + 1;
			else if (!strcmp(what, "rule-big"))
				nums = 50;
			else if (!strcmp(what, "rule-lt-two")) {
				o = PCC_RULE_OP_LT;
				nums = 2;
			}
			expr = nla_nest_start(msg, PCC_TERM_A_EXPR |
					      NLA_F_NESTED);
			if (strcmp(what, "rule-no-field"))
				nla_put_u32(msg, PCC_EXPR_A_FIELD, f);
			if (strcmp(what, "rule-no-op"))
				nla_put_u32(msg, PCC_EXPR_A_OP, o);
			if (!strcmp(what, "rule-unknown"))
				nla_put_u32(msg, PCC_EXPR_A_MAX + 1, 1);
			if (!strcmp(what, "rule-glob-uid") ||
			    !strcmp(what, "rule-empty-glob") ||
			    !strcmp(what, "rule-long-glob")) {
				if (!strcmp(what, "rule-long-glob")) {
					memset(glob, 'a', PCC_RULE_GLOB_MAX);
					glob[PCC_RULE_GLOB_MAX] = '\0';
				} else {
					strcpy(glob, strcmp(what,
					       "rule-empty-glob") ? "*.h5" : "");
				}
				if (strcmp(what, "rule-glob-uid"))
					nla_put_u32(msg, PCC_EXPR_A_FIELD,
						    PCC_RULE_FNAME);
				nla_put_string(msg, PCC_EXPR_A_GLOB, glob);
				if (strcmp(what, "rule-glob-uid"))
					nums = 0;
			}
			for (k = 0; k < nums; k++)
				nla_put_u64(msg, PCC_EXPR_A_NUM, 1000 + k);
			nest_end(msg, expr);
		}
		nest_end(msg, term);
	}
	nest_end(msg, rule);
	/* libnl's nla_nest_start() sets the flag itself. */
	if (!strcmp(what, "rule-flat"))
		rule->nla_type &= ~NLA_F_NESTED;
}

static int raw(int argc, char **argv)
{
	const struct raw_cmd *rc = NULL;
	struct result r = {};
	const char *what, *mount, *dir;
	char big[PCC_PATH_MAX + 100];
	struct nl_msg *msg;
	size_t i;

	if (argc < 2)
		usage("raw CMD CASE [MOUNT [DIR]]");
	for (i = 0; i < sizeof(raw_cmds) / sizeof(raw_cmds[0]); i++)
		if (!strcmp(argv[0], raw_cmds[i].name))
			rc = &raw_cmds[i];
	if (!rc)
		usage("raw: unknown command %s", argv[0]);
	what = argv[1];
	mount = argc > 2 ? argv[2] : "/";
	dir = argc > 3 ? argv[3] : "/tmp";

	msg = new_msg(rc->cmd, rc->flags);
	if (rc->mount && strcmp(what, "missing")) {
		if (!strcmp(what, "range")) {
			nla_put_u32(msg, PCC_A_MOUNT_ID, 0);
		} else if (!strcmp(what, "wrongtype")) {
			nla_put_u64(msg, PCC_A_MOUNT_ID, 1);
		} else if (!strcmp(what, "oversize")) {
			big[0] = '/';
			memset(big + 1, 'a', sizeof(big) - 2);
			big[sizeof(big) - 1] = '\0';
			nla_put_string(msg, PCC_A_MOUNT_PATH, big);
		} else if (!strcmp(what, "nonul")) {
			nla_put(msg, PCC_A_MOUNT_PATH, strlen(mount), mount);
		} else if (!strcmp(what, "both")) {
			nla_put_u32(msg, PCC_A_MOUNT_ID, 1);
			nla_put_string(msg, PCC_A_MOUNT_PATH, mount);
		} else {
			put_mount(msg, mount);
		}
	}
	if (rc->ds_id && strcmp(what, "missing-id")) {
		uint32_t id = 77;

		if (!strcmp(what, "dsrange"))
			id = (uint32_t)PCC_DS_ID_MAX + 1;
		else if (!strcmp(what, "dszero"))
			id = 0;
		nla_put_u32(msg, PCC_A_DS_ID, id);
	}
	if (rc->cmd == PCC_CMD_DATASET_ADD)
		nla_put_string(msg, PCC_A_DS_PATH, dir);
	/* A read-write dataset: only the value is wrong. */
	if (rc->cmd == PCC_CMD_DATASET_ADD &&
	    (!strcmp(what, "writeback") || !strncmp(what, "wb-interval", 11)))
		nla_put_u32(msg, PCC_A_DS_MODE, PCC_DS_MODE_RW);
	if (rc->cmd == PCC_CMD_DATASET_SET && strncmp(what, "rule", 4))
		nla_put_u32(msg, PCC_A_DS_ATTACH, PCC_DS_ATTACH_OPEN);
	if (!strcmp(what, "mode"))
		nla_put_u32(msg, PCC_A_DS_MODE, 4);
	else if (!strcmp(what, "attach"))
		nla_put_u32(msg, PCC_A_DS_ATTACH, 8);
	else if (!strcmp(what, "writeback"))
		nla_put_u32(msg, PCC_A_DS_WRITEBACK, 2);
	else if (!strcmp(what, "wb-interval"))
		nla_put_u32(msg, PCC_A_DS_WB_INTERVAL, 0);
	else if (!strcmp(what, "wb-interval-max"))
		nla_put_u32(msg, PCC_A_DS_WB_INTERVAL,
			    PCC_DS_WB_INTERVAL_MAX + 1);
	else if (!strcmp(what, "writeback-type"))
		nla_put_u64(msg, PCC_A_DS_WRITEBACK, PCC_DS_WB_LAZY);
	else if (!strcmp(what, "unknown"))
		nla_put_u32(msg, PCC_A_MAX + 10, 1);
	else if (!strcmp(what, "unsupported"))
		nla_put_u32(msg, PCC_A_EVENT, 1);
	else if (!strcmp(what, "type0"))
		nla_put_u32(msg, 0, 1);
	else if (!strcmp(what, "pad"))
		nla_put(msg, PCC_A_PAD, 0, NULL);
	else if (!strcmp(what, "withmount"))
		nla_put_u32(msg, PCC_A_MOUNT_ID, 1);
	else if (!strncmp(what, "rule", 4))
		put_rule_case(msg, what);
	else if (rc->cmd == PCC_CMD_GET_VERSION && !strcmp(what, "oversize")) {
		memset(big, 'v', PCC_VERSION_LEN + 10);
		big[PCC_VERSION_LEN + 10] = '\0';
		nla_put_string(msg, PCC_A_VERSION, big);
	}

	if (exchange(msg, &r)) {
		print_error(stdout, &r);
		return 1;
	}
	printf("ok\n");
	return 0;
}

/*
 * "TYPE:HEX" into @fh, which holds 2 * PCC_FH_MAX bytes: a handle too long
 * for the kernel can be sent, to see it refused.  Exits on a bad one.
 */
static void parse_fh(const char *s, uint32_t *type, uint8_t *fh,
		     uint32_t *len)
{
	const char *hex = strchr(s, ':');
	char *end;
	size_t n, i;

	if (!hex)
		usage("file handle TYPE:HEX expected: %s", s);
	errno = 0;
	*type = (uint32_t)strtoul(s, &end, 16);
	if (errno || end != hex)
		usage("bad file handle type: %s", s);
	hex++;
	n = strlen(hex);
	if (n % 2 || n / 2 > 2 * PCC_FH_MAX)
		usage("bad file handle: %s", s);
	for (i = 0; i < n / 2; i++) {
		char b[3] = { hex[2 * i], hex[2 * i + 1], 0 };

		fh[i] = (uint8_t)strtoul(b, &end, 16);
		if (*end)
			usage("bad file handle: %s", s);
	}
	*len = (uint32_t)(n / 2);
}

static void print_evicted(uint32_t flags)
{
	printf("evicted flags %u%s%s\n", flags,
	       flags & PCC_EVICT_WAS_ATTACHED ? " was_attached" : "",
	       flags & PCC_EVICT_IN_USE ? " in_use" : "");
}

static int print_evict(struct nlattr **tb, void *arg)
{
	(void)arg;
	if (!tb[PCC_A_EVICT_FLAGS]) {
		fprintf(stderr, "%s: evict reply without flags\n", prog);
		exit(1);
	}
	print_evicted(nla_get_u32(tb[PCC_A_EVICT_FLAGS]));
	return 0;
}

static void print_file_line(uint32_t mount, uint32_t ds, uint64_t ino,
			    uint32_t type, const uint8_t *fh, int len,
			    uint64_t last_use, uint64_t hits)
{
	int i;

	printf("file mount %u dataset %u ino %" PRIu64 " fh %x:", mount, ds,
	       ino, type);
	for (i = 0; i < len; i++)
		printf("%02x", fh[i]);
	printf(" last_use %" PRIu64 " hits %" PRIu64 "\n", last_use, hits);
}

static int print_file(struct nlattr **tb, void *arg)
{
	(void)arg;
	if (!tb[PCC_A_MOUNT_ID] || !tb[PCC_A_DS_ID] || !tb[PCC_A_INO] ||
	    !tb[PCC_A_FH_TYPE] || !tb[PCC_A_FH] || !tb[PCC_A_LAST_USE] ||
	    !tb[PCC_A_HITS]) {
		fprintf(stderr, "%s: file message lacks an attribute\n", prog);
		exit(1);
	}
	print_file_line(get_u32(tb, PCC_A_MOUNT_ID), get_u32(tb, PCC_A_DS_ID),
			nla_get_u64(tb[PCC_A_INO]),
			get_u32(tb, PCC_A_FH_TYPE), nla_data(tb[PCC_A_FH]),
			nla_len(tb[PCC_A_FH]),
			nla_get_u64(tb[PCC_A_LAST_USE]),
			nla_get_u64(tb[PCC_A_HITS]));
	return 0;
}

static int lib_file(const struct pcc_nl_file *f, void *arg)
{
	(void)arg;
	print_file_line(f->mount_id, f->ds_id, f->ino, f->fh_type, f->fh,
			(int)f->fh_len, f->last_use, f->hits);
	return 0;
}

/* evict and files through lib/nl.c; errors printed as request() does. */
static int lib_request(const char *cmd, int argc, char **argv)
{
	struct pcc_nl_mnt mnt = { 0 };
	uint8_t fh[2 * PCC_FH_MAX];
	uint32_t type = 0, len = 0, flags = 0;
	struct pcc_nl *nl;
	char msg[512];
	int err;

	if (all_digits(argv[0]))
		mnt.id = (uint32_t)number(argv[0], "mount id");
	else
		mnt.path = argv[0];
	err = pcc_nl_open(&nl);
	if (err) {
		fprintf(stderr, "%s: pcc_nl_open: %s\n", prog, strerror(-err));
		return 1;
	}
	if (!strcmp(cmd, "evict")) {
		parse_fh(argv[2], &type, fh, &len);
		err = pcc_nl_evict(nl, &mnt,
				   (uint32_t)number(argv[1], "dataset id"),
				   type, fh, len, &flags, msg, sizeof(msg));
		if (!err)
			print_evicted(flags);
	} else {
		err = pcc_nl_file_dump(nl, &mnt, lib_file, NULL, msg,
				       sizeof(msg));
	}
	pcc_nl_close(nl);
	if (err) {
		fprintf(stderr, "error %d (%s): %s\n", err, strerror(-err),
			msg[0] ? msg : "(no message)");
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct result r = {};
	struct nl_msg *msg;
	const char *cmd;

	if (argc < 2)
		usage("COMMAND ... (see the source)");
	cmd = argv[1];
	argc -= 2;
	argv += 2;
	open_family();

	if (!strcmp(cmd, "version")) {
		r.valid = print_version;
		request(new_msg(PCC_CMD_GET_VERSION, 0), &r);
	} else if (!strcmp(cmd, "mounts")) {
		r.valid = print_mount;
		request(new_msg(PCC_CMD_MOUNT_GET, NLM_F_DUMP), &r);
	} else if (!strcmp(cmd, "mount") && argc == 1) {
		r.valid = print_mount;
		r.arg = &r;
		msg = new_msg(PCC_CMD_MOUNT_GET, 0);
		put_mount(msg, argv[0]);
		request(msg, &r);
	} else if (!strcmp(cmd, "add") && argc >= 3) {
		msg = new_msg(PCC_CMD_DATASET_ADD, 0);
		put_mount(msg, argv[0]);
		nla_put_u32(msg, PCC_A_DS_ID, number(argv[1], "dataset id"));
		nla_put_string(msg, PCC_A_DS_PATH, argv[2]);
		put_ds_options(msg, argc, argv, 3, true);
		request(msg, &r);
	} else if (!strcmp(cmd, "set") && argc >= 2) {
		msg = new_msg(PCC_CMD_DATASET_SET, 0);
		put_mount(msg, argv[0]);
		nla_put_u32(msg, PCC_A_DS_ID, number(argv[1], "dataset id"));
		put_ds_options(msg, argc, argv, 2, false);
		request(msg, &r);
	} else if (!strcmp(cmd, "del") && argc == 2) {
		msg = new_msg(PCC_CMD_DATASET_DEL, 0);
		put_mount(msg, argv[0]);
		nla_put_u32(msg, PCC_A_DS_ID, number(argv[1], "dataset id"));
		request(msg, &r);
	} else if (!strcmp(cmd, "clear") && argc == 1) {
		msg = new_msg(PCC_CMD_DATASET_CLEAR, 0);
		put_mount(msg, argv[0]);
		request(msg, &r);
	} else if (!strcmp(cmd, "datasets") && argc == 1) {
		r.valid = print_dataset;
		msg = new_msg(PCC_CMD_DATASET_GET, NLM_F_DUMP);
		put_mount(msg, argv[0]);
		request(msg, &r);
	} else if ((!strcmp(cmd, "evict") || !strcmp(cmd, "files")) &&
		   argc >= 1 && !strcmp(argv[0], "--lib")) {
		if (argc != (!strcmp(cmd, "evict") ? 4 : 2))
			usage("%s --lib: wrong arguments", cmd);
		return lib_request(cmd, argc - 1, argv + 1);
	} else if (!strcmp(cmd, "evict") && argc == 3) {
		uint8_t fh[2 * PCC_FH_MAX];
		uint32_t type, len;

		r.valid = print_evict;
		msg = new_msg(PCC_CMD_EVICT, 0);
		put_mount(msg, argv[0]);
		if (strcmp(argv[1], "-"))
			nla_put_u32(msg, PCC_A_DS_ID,
				    number(argv[1], "dataset id"));
		if (strcmp(argv[2], "-")) {
			parse_fh(argv[2], &type, fh, &len);
			nla_put_u32(msg, PCC_A_FH_TYPE, type);
			nla_put(msg, PCC_A_FH, (int)len, fh);
		}
		request(msg, &r);
	} else if (!strcmp(cmd, "files") && argc == 1) {
		r.valid = print_file;
		msg = new_msg(PCC_CMD_FILE_GET, NLM_F_DUMP);
		put_mount(msg, argv[0]);
		request(msg, &r);
	} else if (!strcmp(cmd, "listen")) {
		return listen_events(argc, argv);
	} else if (!strcmp(cmd, "raw")) {
		return raw(argc, argv);
	} else {
		usage("unknown command or wrong arguments: %s", cmd);
	}
	return 0;
}
