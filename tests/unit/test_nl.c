// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_nl.c - parsing the module's messages (replies, dump messages,
 * events, errors with extended acks), built here byte by byte as the
 * kernel would send them, and the compiled rule nest lib/nl.c sends.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/pcc.h>

#include "nl.h"
#include "rule.h"

struct msg {
	union {
		struct nlmsghdr nlh;
		unsigned char buf[40000];
	};
	size_t len;
};

static void msg_init(struct msg *m, uint8_t cmd)
{
	struct genlmsghdr *g;

	memset(m, 0, sizeof(*m));
	m->len = NLMSG_HDRLEN + NLMSG_ALIGN(GENL_HDRLEN);
	m->nlh.nlmsg_type = 0x20;	/* whatever id the family got */
	g = (struct genlmsghdr *)(m->buf + NLMSG_HDRLEN);
	g->cmd = cmd;
	g->version = PCC_GENL_VERSION;
	m->nlh.nlmsg_len = (uint32_t)m->len;
}

static void msg_put(struct msg *m, uint16_t type, const void *data,
		    size_t len)
{
	struct nlattr *a = (struct nlattr *)(m->buf + m->len);

	a->nla_type = type;
	a->nla_len = (uint16_t)(NLA_HDRLEN + len);
	if (len)
		memcpy(m->buf + m->len + NLA_HDRLEN, data, len);
	m->len += NLA_ALIGN(NLA_HDRLEN + len);
	m->nlh.nlmsg_len = (uint32_t)m->len;
}

static void msg_u32(struct msg *m, uint16_t type, uint32_t v)
{
	msg_put(m, type, &v, sizeof(v));
}

static void msg_u64(struct msg *m, uint16_t type, uint64_t v)
{
	msg_put(m, type, &v, sizeof(v));
}

static void msg_str(struct msg *m, uint16_t type, const char *s)
{
	msg_put(m, type, s, strlen(s) + 1);
}

/* Open a nest: its offset, for msg_nest_end(). */
static size_t msg_nest(struct msg *m, uint16_t type)
{
	size_t off = m->len;

	msg_put(m, type | NLA_F_NESTED, NULL, 0);
	return off;
}

static void msg_nest_end(struct msg *m, size_t off)
{
	((struct nlattr *)(m->buf + off))->nla_len = (uint16_t)(m->len - off);
}

static void msg_version(struct msg *m, const char *version, uint32_t genl)
{
	msg_init(m, PCC_CMD_GET_VERSION);
	msg_put(m, PCC_A_VERSION, version, strlen(version) + 1);
	msg_put(m, PCC_A_GENL_VERSION, &genl, sizeof(genl));
}

static void test_good(void **state)
{
	char buf[PCC_VERSION_LEN];
	uint32_t genl = 0;
	struct msg m;

	msg_version(&m, "0.1.0-3-gabcdef", 7);
	assert_int_equal(pcc_nl_parse_version(m.buf, m.len, buf, sizeof(buf),
					      &genl), 0);
	assert_string_equal(buf, "0.1.0-3-gabcdef");
	assert_int_equal(genl, 7);

	/* Truncated to the caller's buffer, always terminated. */
	assert_int_equal(pcc_nl_parse_version(m.buf, m.len, buf, 4, NULL), 0);
	assert_string_equal(buf, "0.1");
}

/* A newer module may add attributes: they are ignored. */
static void test_unknown_attribute(void **state)
{
	char buf[PCC_VERSION_LEN];
	uint64_t extra = 42;
	uint32_t genl;
	struct msg m;

	msg_version(&m, "0.2.0", 2);
	msg_put(&m, PCC_A_MAX + 5, &extra, sizeof(extra));
	assert_int_equal(pcc_nl_parse_version(m.buf, m.len, buf, sizeof(buf),
					      &genl), 0);
	assert_string_equal(buf, "0.2.0");
	assert_int_equal(genl, 2);
}

static void test_bad(void **state)
{
	char buf[PCC_VERSION_LEN], big[PCC_VERSION_LEN + 8];
	uint32_t genl = 1;
	uint16_t small = 1;
	struct msg m;

	/* Missing attributes. */
	msg_init(&m, PCC_CMD_GET_VERSION);
	msg_put(&m, PCC_A_VERSION, "0.1.0", 6);
	assert_int_equal(pcc_nl_parse_version(m.buf, m.len, buf, sizeof(buf),
					      &genl), -EBADMSG);
	msg_init(&m, PCC_CMD_GET_VERSION);
	msg_put(&m, PCC_A_GENL_VERSION, &genl, sizeof(genl));
	assert_int_equal(pcc_nl_parse_version(m.buf, m.len, buf, sizeof(buf),
					      &genl), -EBADMSG);

	/* Wrong command. */
	msg_version(&m, "0.1.0", 1);
	((struct genlmsghdr *)(m.buf + NLMSG_HDRLEN))->cmd = PCC_CMD_UNSPEC;
	assert_int_equal(pcc_nl_parse_version(m.buf, m.len, buf, sizeof(buf),
					      &genl), -EBADMSG);

	/* The policy: u32 of the wrong size, string too long. */
	msg_init(&m, PCC_CMD_GET_VERSION);
	msg_put(&m, PCC_A_VERSION, "0.1.0", 6);
	msg_put(&m, PCC_A_GENL_VERSION, &small, sizeof(small));
	assert_int_equal(pcc_nl_parse_version(m.buf, m.len, buf, sizeof(buf),
					      &genl), -EBADMSG);
	memset(big, 'v', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	msg_init(&m, PCC_CMD_GET_VERSION);
	msg_put(&m, PCC_A_VERSION, big, sizeof(big));
	msg_put(&m, PCC_A_GENL_VERSION, &genl, sizeof(genl));
	assert_int_equal(pcc_nl_parse_version(m.buf, m.len, buf, sizeof(buf),
					      &genl), -EBADMSG);

	/* Lengths that lie. */
	msg_version(&m, "0.1.0", 1);
	assert_int_equal(pcc_nl_parse_version(m.buf, m.len - 4, buf,
					      sizeof(buf), &genl), -EBADMSG);
	assert_int_equal(pcc_nl_parse_version(m.buf, 8, buf, sizeof(buf),
					      &genl), -EBADMSG);
	m.nlh.nlmsg_len = NLMSG_HDRLEN;
	assert_int_equal(pcc_nl_parse_version(m.buf, m.len, buf, sizeof(buf),
					      &genl), -EBADMSG);
}

/* Mounts. */

static void msg_mount(struct msg *m, uint32_t id, const char *lower)
{
	msg_init(m, PCC_CMD_MOUNT_GET);
	msg_u32(m, PCC_A_MOUNT_ID, id);
	msg_str(m, PCC_A_MOUNT_LOWER, lower);
	msg_u32(m, PCC_A_MOUNT_GEN, 9);
	msg_u32(m, PCC_A_MOUNT_DATASETS, 2);
	msg_u32(m, PCC_A_MOUNT_ATTACHED, 3);
}

static void test_mount(void **state)
{
	static struct pcc_nl_mount out;
	struct msg m;
	size_t nest;
	int i;

	msg_mount(&m, 4, "/srv/nfs");
	/* The kernel's padding, counters, one newer than this program. */
	nest = msg_nest(&m, PCC_A_STATS);
	msg_put(&m, PCC_STATS_A_PAD, NULL, 0);
	for (i = 0; i < PCC_STAT_COUNT; i++) {
		msg_u64(&m, (uint16_t)(i + 1), 1000ULL * i + (1ULL << 40));
		if (i == 3)
			msg_put(&m, PCC_STATS_A_PAD, NULL, 0);
	}
	msg_u64(&m, PCC_STAT_COUNT + 1, 77);
	msg_u32(&m, PCC_STAT_COUNT + 2, 77);
	msg_nest_end(&m, nest);
	msg_u32(&m, PCC_A_MAX + 3, 1);
	memset(&out, 0xff, sizeof(out));
	assert_int_equal(pcc_nl_parse_mount(m.buf, m.len, &out), 0);
	assert_int_equal(out.id, 4);
	assert_string_equal(out.lower, "/srv/nfs");
	assert_int_equal(out.gen, 9);
	assert_int_equal(out.datasets, 2);
	assert_int_equal(out.attached, 3);
	for (i = 0; i < PCC_STAT_COUNT; i++)
		assert_int_equal(out.stats[i], 1000ULL * i + (1ULL << 40));

	/* No stats: zeros. */
	msg_mount(&m, 5, "/");
	assert_int_equal(pcc_nl_parse_mount(m.buf, m.len, &out), 0);
	assert_int_equal(out.id, 5);
	assert_string_equal(out.lower, "/");
	for (i = 0; i < PCC_STAT_COUNT; i++)
		assert_int_equal(out.stats[i], 0);
}

static void test_mount_bad(void **state)
{
	static struct pcc_nl_mount out;
	struct msg m;
	size_t nest;

	out.id = 42;
	/* A required attribute missing. */
	msg_init(&m, PCC_CMD_MOUNT_GET);
	msg_u32(&m, PCC_A_MOUNT_ID, 1);
	msg_u32(&m, PCC_A_MOUNT_GEN, 1);
	msg_u32(&m, PCC_A_MOUNT_DATASETS, 1);
	msg_u32(&m, PCC_A_MOUNT_ATTACHED, 1);
	assert_int_equal(pcc_nl_parse_mount(m.buf, m.len, &out), -EBADMSG);

	/* A counter that is not a u64. */
	msg_mount(&m, 1, "/a");
	nest = msg_nest(&m, PCC_A_STATS);
	msg_u32(&m, PCC_STAT_HITS + 1, 1);
	msg_nest_end(&m, nest);
	assert_int_equal(pcc_nl_parse_mount(m.buf, m.len, &out), -EBADMSG);

	/* A nest longer than the message says. */
	msg_mount(&m, 1, "/a");
	nest = msg_nest(&m, PCC_A_STATS);
	msg_u64(&m, PCC_STAT_HITS + 1, 1);
	msg_nest_end(&m, nest);
	((struct nlattr *)(m.buf + nest + NLA_HDRLEN))->nla_len += 8;
	assert_int_equal(pcc_nl_parse_mount(m.buf, m.len, &out), -EBADMSG);

	/* The lower without its NUL; a u32 of 8 bytes. */
	msg_init(&m, PCC_CMD_MOUNT_GET);
	msg_u32(&m, PCC_A_MOUNT_ID, 1);
	msg_put(&m, PCC_A_MOUNT_LOWER, "/abc", 4);
	msg_u32(&m, PCC_A_MOUNT_GEN, 1);
	msg_u32(&m, PCC_A_MOUNT_DATASETS, 1);
	msg_u32(&m, PCC_A_MOUNT_ATTACHED, 1);
	assert_int_equal(pcc_nl_parse_mount(m.buf, m.len, &out), -EBADMSG);
	msg_mount(&m, 1, "/a");
	msg_u64(&m, PCC_A_MOUNT_GEN, 1);
	assert_int_equal(pcc_nl_parse_mount(m.buf, m.len, &out), -EBADMSG);

	/* Another command; the last attribute cut. */
	msg_mount(&m, 1, "/a");
	((struct genlmsghdr *)(m.buf + NLMSG_HDRLEN))->cmd = PCC_CMD_EVENT;
	assert_int_equal(pcc_nl_parse_mount(m.buf, m.len, &out), -EBADMSG);
	msg_mount(&m, 1, "/a");
	m.nlh.nlmsg_len -= 2;
	assert_int_equal(pcc_nl_parse_mount(m.buf, m.len, &out), -EBADMSG);

	/* Nothing written on failure. */
	assert_int_equal(out.id, 42);
}

/* Rules. */

static int rule_eq(const struct pcc_rule *a, const struct pcc_rule *b)
{
	unsigned int t, e, v;

	if (!a || !b)
		return a == b;
	if (a->nterms != b->nterms)
		return 0;
	for (t = 0; t < a->nterms; t++) {
		if (a->terms[t].nexprs != b->terms[t].nexprs)
			return 0;
		for (e = 0; e < a->terms[t].nexprs; e++) {
			const struct pcc_rule_expr *x = &a->terms[t].exprs[e];
			const struct pcc_rule_expr *y = &b->terms[t].exprs[e];

			if (x->field != y->field || x->op != y->op ||
			    x->nvalues != y->nvalues)
				return 0;
			for (v = 0; v < x->nvalues; v++) {
				if (x->field == PCC_RULE_FNAME ?
				    strcmp(x->globs[v], y->globs[v]) :
				    x->nums[v] != y->nums[v])
					return 0;
			}
		}
	}
	return 1;
}

static uint64_t uids[] = { 500, 501 };
static char h5a[] = "*.h5", h5b[] = "data-??.[ch]";
static char *h5[] = { h5a, h5b };
static uint64_t gig[] = { 1ULL << 30 };
static uint64_t hour[] = { 3600 };

/* "uid={500 501}&fname={*.h5 data-??.[ch]},size>{1G}&mtime<{1h}" */
static void sample_rule(struct pcc_rule *r)
{
	memset(r, 0, sizeof(*r));
	r->nterms = 2;
	r->terms[0].nexprs = 2;
	r->terms[0].exprs[0] = (struct pcc_rule_expr){
		PCC_RULE_UID, PCC_RULE_OP_EQ, 2, uids, NULL };
	r->terms[0].exprs[1] = (struct pcc_rule_expr){
		PCC_RULE_FNAME, PCC_RULE_OP_EQ, 2, NULL, h5 };
	r->terms[1].nexprs = 2;
	r->terms[1].exprs[0] = (struct pcc_rule_expr){
		PCC_RULE_SIZE, PCC_RULE_OP_GT, 1, gig, NULL };
	r->terms[1].exprs[1] = (struct pcc_rule_expr){
		PCC_RULE_MTIME, PCC_RULE_OP_LT, 1, hour, NULL };
}

static const struct nlattr *attr_at(const unsigned char *p, size_t off)
{
	return (const struct nlattr *)(p + off);
}

static uint32_t u32_at(const unsigned char *p, size_t off)
{
	uint32_t v;

	memcpy(&v, p + off + NLA_HDRLEN, sizeof(v));
	return v;
}

static void test_rule_layout(void **state)
{
	unsigned char buf[1024];
	struct pcc_rule r;
	uint64_t num;
	size_t off;
	int size;

	sample_rule(&r);
	size = pcc_nl_build_rule(buf, sizeof(buf), &r);
	/*
	 * rule 4 + term 4 + (expr 4 + field 8 + op 8 + 2 * u64 12) + (expr
	 * 4 + 16 + "*.h5" 12 + "data-??.[ch]" 20) + term 4 + 2 * (expr 4 +
	 * 16 + u64 12)
	 */
	assert_int_equal(size, 4 + 4 + 44 + 52 + 4 + 64);
	assert_int_equal(attr_at(buf, 0)->nla_type, PCC_A_DS_RULE | NLA_F_NESTED);
	assert_int_equal(attr_at(buf, 0)->nla_len, size);
	off = NLA_HDRLEN;
	assert_int_equal(attr_at(buf, off)->nla_type,
			 PCC_RULE_A_TERM | NLA_F_NESTED);
	assert_int_equal(attr_at(buf, off)->nla_len, 4 + 44 + 52);
	off += NLA_HDRLEN;
	assert_int_equal(attr_at(buf, off)->nla_type,
			 PCC_TERM_A_EXPR | NLA_F_NESTED);
	assert_int_equal(attr_at(buf, off)->nla_len, 44);
	off += NLA_HDRLEN;
	assert_int_equal(attr_at(buf, off)->nla_type, PCC_EXPR_A_FIELD);
	assert_int_equal(attr_at(buf, off)->nla_len, 8);
	assert_int_equal(u32_at(buf, off), PCC_RULE_UID);
	off += 8;
	assert_int_equal(attr_at(buf, off)->nla_type, PCC_EXPR_A_OP);
	assert_int_equal(u32_at(buf, off), PCC_RULE_OP_EQ);
	off += 8;
	assert_int_equal(attr_at(buf, off)->nla_type, PCC_EXPR_A_NUM);
	assert_int_equal(attr_at(buf, off)->nla_len, 12);
	memcpy(&num, buf + off + NLA_HDRLEN, sizeof(num));
	assert_int_equal(num, 500);
	off += 24;
	/* The fname expression: patterns as strings with their NUL. */
	assert_int_equal(attr_at(buf, off)->nla_type,
			 PCC_TERM_A_EXPR | NLA_F_NESTED);
	off += NLA_HDRLEN;
	assert_int_equal(u32_at(buf, off), PCC_RULE_FNAME);
	off += 16;
	assert_int_equal(attr_at(buf, off)->nla_type, PCC_EXPR_A_GLOB);
	assert_int_equal(attr_at(buf, off)->nla_len, NLA_HDRLEN + 5);
	assert_string_equal((char *)buf + off + NLA_HDRLEN, "*.h5");
	off += 12;
	assert_string_equal((char *)buf + off + NLA_HDRLEN, "data-??.[ch]");
	off += 20;
	assert_int_equal(attr_at(buf, off)->nla_type,
			 PCC_RULE_A_TERM | NLA_F_NESTED);
	off += NLA_HDRLEN;
	off += NLA_HDRLEN;
	assert_int_equal(u32_at(buf, off), PCC_RULE_SIZE);
	assert_int_equal(u32_at(buf, off + 8), PCC_RULE_OP_GT);

	/* No rule: an empty nest (what set sends to remove one). */
	assert_int_equal(pcc_nl_build_rule(buf, sizeof(buf), NULL), 4);
	assert_int_equal(attr_at(buf, 0)->nla_type, PCC_A_DS_RULE | NLA_F_NESTED);
	assert_int_equal(attr_at(buf, 0)->nla_len, 4);

	/* The caller's buffer too small. */
	assert_int_equal(pcc_nl_build_rule(buf, (size_t)size - 1, &r),
			 -EMSGSIZE);
}

/* One dataset message with a rule nest made by pcc_nl_build_rule(). */
static void msg_dataset(struct msg *m, const struct pcc_rule *rule,
			const char *text)
{
	int size;

	msg_init(m, PCC_CMD_DATASET_GET);
	msg_u32(m, PCC_A_MOUNT_ID, 3);
	msg_u32(m, PCC_A_DS_ID, 12);
	msg_str(m, PCC_A_DS_PATH, "/var/cache/pcc");
	msg_u32(m, PCC_A_DS_MODE, PCC_DS_MODE_RO);
	msg_u32(m, PCC_A_DS_ATTACH, PCC_DS_ATTACH_OPEN | PCC_DS_ATTACH_IO);
	if (rule) {
		size = pcc_nl_build_rule(m->buf + m->len,
					 sizeof(m->buf) - m->len, rule);
		assert_true(size > 0);
		m->len += (size_t)size;
		m->nlh.nlmsg_len = (uint32_t)m->len;
	}
	if (text)
		msg_str(m, PCC_A_DS_RULE_TEXT, text);
	msg_u32(m, PCC_A_DS_ATTACHED, 6);
}

struct seen_ds {
	int calls;
	const struct pcc_rule *expect;
	int rule_equal;
	int has_rule;
	char path[64];
	char text[128];
	struct pcc_nl_dataset ds;
	int ret;
};

static int on_dataset(const struct pcc_nl_dataset *ds, void *arg)
{
	struct seen_ds *s = arg;

	s->calls++;
	s->ds = *ds;
	s->has_rule = ds->rule != NULL;
	s->rule_equal = rule_eq(ds->rule, s->expect);
	snprintf(s->path, sizeof(s->path), "%s", ds->path);
	snprintf(s->text, sizeof(s->text), "%s",
		 ds->rule_text ? ds->rule_text : "(null)");
	return s->ret;
}

static void test_dataset(void **state)
{
	struct seen_ds s = { 0 };
	struct pcc_rule r;
	struct msg m;

	sample_rule(&r);
	s.expect = &r;
	msg_dataset(&m, &r, "uid={500 501}&fname={*.h5 data-??.[ch]},...");
	msg_u32(&m, PCC_A_MAX + 1, 5);		/* from a newer module */
	assert_int_equal(pcc_nl_parse_dataset(m.buf, m.len, on_dataset, &s),
			 0);
	assert_int_equal(s.calls, 1);
	assert_int_equal(s.ds.mount_id, 3);
	assert_int_equal(s.ds.id, 12);
	assert_string_equal(s.path, "/var/cache/pcc");
	assert_int_equal(s.ds.mode, PCC_DS_MODE_RO);
	assert_int_equal(s.ds.attach, PCC_DS_ATTACH_OPEN | PCC_DS_ATTACH_IO);
	assert_int_equal(s.ds.attached, 6);
	assert_int_equal(s.ds.set, PCC_NL_DS_ATTACH | PCC_NL_DS_RULE |
			 PCC_NL_DS_MODE);
	assert_true(s.has_rule);
	assert_true(s.rule_equal);
	assert_string_equal(s.text, "uid={500 501}&fname={*.h5 data-??.[ch]},...");

	/* The callback's value comes back. */
	s.ret = 7;
	assert_int_equal(pcc_nl_parse_dataset(m.buf, m.len, on_dataset, &s),
			 7);
	s.ret = 0;

	/* No rule, an empty rule nest, an empty text: none. */
	s.expect = NULL;
	msg_dataset(&m, NULL, "");
	assert_int_equal(pcc_nl_parse_dataset(m.buf, m.len, on_dataset, &s),
			 0);
	assert_false(s.has_rule);
	assert_string_equal(s.text, "(null)");
	msg_dataset(&m, NULL, NULL);
	msg_nest_end(&m, msg_nest(&m, PCC_A_DS_RULE));
	assert_int_equal(pcc_nl_parse_dataset(m.buf, m.len, on_dataset, &s),
			 0);
	assert_false(s.has_rule);
	assert_true(s.rule_equal);
	assert_int_equal(s.calls, 4);
}

/* A read-write dataset's write-back policy: flagged when sent. */
static void test_dataset_writeback(void **state)
{
	struct seen_ds s = { 0 };
	struct msg m;

	/* A read-only dataset has none: the defaults, unflagged. */
	msg_dataset(&m, NULL, NULL);
	assert_int_equal(pcc_nl_parse_dataset(m.buf, m.len, on_dataset, &s),
			 0);
	assert_int_equal(s.ds.set, PCC_NL_DS_ATTACH | PCC_NL_DS_RULE |
			 PCC_NL_DS_MODE);
	assert_int_equal(s.ds.writeback, PCC_DS_WB_CLOSE);
	assert_int_equal(s.ds.wb_interval, PCC_DS_WB_INTERVAL_DEFAULT);

	msg_dataset(&m, NULL, NULL);
	msg_u32(&m, PCC_A_DS_WRITEBACK, PCC_DS_WB_LAZY);
	msg_u32(&m, PCC_A_DS_WB_INTERVAL, 600);
	assert_int_equal(pcc_nl_parse_dataset(m.buf, m.len, on_dataset, &s),
			 0);
	assert_int_equal(s.ds.set, PCC_NL_DS_ATTACH | PCC_NL_DS_RULE |
			 PCC_NL_DS_MODE | PCC_NL_DS_WRITEBACK |
			 PCC_NL_DS_WB_INTERVAL);
	assert_int_equal(s.ds.writeback, PCC_DS_WB_LAZY);
	assert_int_equal(s.ds.wb_interval, 600);
	assert_int_equal(s.ds.attached, 6);

	/* Each on its own; values are the module's, passed on as sent. */
	msg_dataset(&m, NULL, NULL);
	msg_u32(&m, PCC_A_DS_WB_INTERVAL, PCC_DS_WB_INTERVAL_MAX);
	assert_int_equal(pcc_nl_parse_dataset(m.buf, m.len, on_dataset, &s),
			 0);
	assert_int_equal(s.ds.set & (PCC_NL_DS_WRITEBACK |
				     PCC_NL_DS_WB_INTERVAL),
			 PCC_NL_DS_WB_INTERVAL);
	assert_int_equal(s.ds.writeback, PCC_DS_WB_CLOSE);
	assert_int_equal(s.ds.wb_interval, PCC_DS_WB_INTERVAL_MAX);
	msg_dataset(&m, NULL, NULL);
	msg_u32(&m, PCC_A_DS_WRITEBACK, 7);
	assert_int_equal(pcc_nl_parse_dataset(m.buf, m.len, on_dataset, &s),
			 0);
	assert_int_equal(s.ds.writeback, 7);
	assert_int_equal(s.ds.wb_interval, PCC_DS_WB_INTERVAL_DEFAULT);
	assert_int_equal(s.calls, 4);

	/* Of the wrong size: refused, the callback not called. */
	msg_dataset(&m, NULL, NULL);
	msg_u64(&m, PCC_A_DS_WRITEBACK, PCC_DS_WB_LAZY);
	assert_int_equal(pcc_nl_parse_dataset(m.buf, m.len, on_dataset, &s),
			 -EBADMSG);
	msg_dataset(&m, NULL, NULL);
	msg_put(&m, PCC_A_DS_WB_INTERVAL, "\x1e", 1);
	assert_int_equal(pcc_nl_parse_dataset(m.buf, m.len, on_dataset, &s),
			 -EBADMSG);
	assert_int_equal(s.calls, 4);
}

/* The largest rule of each kind, with n values each. */
static void full_rule(struct pcc_rule *r, unsigned int terms,
		      unsigned int exprs, unsigned int n, uint64_t *nums)
{
	unsigned int t, e;

	memset(r, 0, sizeof(*r));
	r->nterms = terms;
	for (t = 0; t < terms; t++) {
		r->terms[t].nexprs = exprs;
		for (e = 0; e < exprs; e++)
			r->terms[t].exprs[e] = (struct pcc_rule_expr){
				PCC_RULE_GID, PCC_RULE_OP_EQ, n, nums, NULL };
	}
}

static void test_rule_limits(void **state)
{
	static unsigned char buf[PCC_RULE_NEST_MAX + 64];
	static char globs[PCC_RULE_MAX_VALUES][PCC_RULE_GLOB_MAX + 1];
	uint64_t nums[PCC_RULE_MAX_VALUES + 1];
	char *gp[PCC_RULE_MAX_VALUES];
	struct seen_ds s = { 0 };
	struct pcc_rule r;
	struct msg m;
	int i;

	for (i = 0; i <= PCC_RULE_MAX_VALUES; i++)
		nums[i] = UINT64_MAX - (uint64_t)i;

	/* Every term and expression there may be, and back. */
	full_rule(&r, PCC_RULE_MAX_TERMS, PCC_RULE_MAX_EXPRS, 1, nums);
	assert_int_equal(pcc_nl_build_rule(buf, sizeof(buf), &r),
			 4 + 16 * (4 + 16 * 32));
	msg_dataset(&m, &r, NULL);
	s.expect = &r;
	assert_int_equal(pcc_nl_parse_dataset(m.buf, m.len, on_dataset, &s),
			 0);
	assert_true(s.rule_equal);

	/* Every value there may be: too big a nest. */
	full_rule(&r, 1, 1, PCC_RULE_MAX_VALUES, nums);
	assert_true(pcc_nl_build_rule(buf, sizeof(buf), &r) > 0);
	full_rule(&r, PCC_RULE_MAX_TERMS, PCC_RULE_MAX_EXPRS,
		  PCC_RULE_MAX_VALUES, nums);
	assert_int_equal(pcc_nl_build_rule(buf, sizeof(buf), &r), -E2BIG);

	/*
	 * Exactly PCC_RULE_NEST_MAX: 4 + 4 + 20 + 62 patterns of 255 bytes
	 * (260 each) + one of 231 (236); one byte more is 4 more.
	 */
	for (i = 0; i < PCC_RULE_MAX_VALUES; i++) {
		memset(globs[i], 'a' + i % 26, PCC_RULE_GLOB_MAX - 1);
		gp[i] = globs[i];
	}
	globs[62][231] = '\0';
	memset(&r, 0, sizeof(r));
	r.nterms = 1;
	r.terms[0].nexprs = 1;
	r.terms[0].exprs[0] = (struct pcc_rule_expr){
		PCC_RULE_FNAME, PCC_RULE_OP_EQ, 63, NULL, gp };
	assert_int_equal(pcc_nl_build_rule(buf, sizeof(buf), &r),
			 PCC_RULE_NEST_MAX);
	msg_dataset(&m, &r, NULL);
	s.expect = &r;
	assert_int_equal(pcc_nl_parse_dataset(m.buf, m.len, on_dataset, &s),
			 0);
	assert_true(s.rule_equal);
	globs[62][231] = 'x';
	globs[62][232] = '\0';
	assert_int_equal(pcc_nl_build_rule(buf, sizeof(buf), &r), -E2BIG);

	/* What the structure cannot hold. */
	globs[0][PCC_RULE_GLOB_MAX - 1] = 'b';	/* 256 bytes and a NUL */
	r.terms[0].exprs[0].nvalues = 1;
	assert_int_equal(pcc_nl_build_rule(buf, sizeof(buf), &r), -EINVAL);
	r.terms[0].exprs[0].globs = NULL;
	assert_int_equal(pcc_nl_build_rule(buf, sizeof(buf), &r), -EINVAL);
	full_rule(&r, 1, 1, PCC_RULE_MAX_VALUES + 1, nums);
	assert_int_equal(pcc_nl_build_rule(buf, sizeof(buf), &r), -EINVAL);
	full_rule(&r, 1, 1, 1, NULL);
	assert_int_equal(pcc_nl_build_rule(buf, sizeof(buf), &r), -EINVAL);
	full_rule(&r, 1, 1, 1, nums);
	r.nterms = PCC_RULE_MAX_TERMS + 1;
	assert_int_equal(pcc_nl_build_rule(buf, sizeof(buf), &r), -EINVAL);
	full_rule(&r, 1, 1, 1, nums);
	r.terms[0].nexprs = PCC_RULE_MAX_EXPRS + 1;
	assert_int_equal(pcc_nl_build_rule(buf, sizeof(buf), &r), -EINVAL);
}

/* A dataset message whose rule nest has one term of one expression. */
static size_t msg_rule_start(struct msg *m, size_t *term)
{
	size_t rule;

	msg_dataset(m, NULL, NULL);
	rule = msg_nest(m, PCC_A_DS_RULE);
	*term = msg_nest(m, PCC_RULE_A_TERM);
	return rule;
}

static void msg_rule_end(struct msg *m, size_t rule, size_t term)
{
	msg_nest_end(m, term);
	msg_nest_end(m, rule);
}

static void test_dataset_bad(void **state)
{
	struct seen_ds s = { 0 };
	size_t rule, term, expr;
	struct msg m;
	int i, c;

	/* A required attribute missing. */
	msg_init(&m, PCC_CMD_DATASET_GET);
	msg_u32(&m, PCC_A_MOUNT_ID, 3);
	msg_u32(&m, PCC_A_DS_ID, 12);
	msg_u32(&m, PCC_A_DS_MODE, PCC_DS_MODE_RO);
	msg_u32(&m, PCC_A_DS_ATTACH, 0);
	msg_u32(&m, PCC_A_DS_ATTACHED, 0);
	assert_int_equal(pcc_nl_parse_dataset(m.buf, m.len, on_dataset, &s),
			 -EBADMSG);

	/* Expressions the kernel would never send back. */
	for (c = 0; c < 9; c++) {
		rule = msg_rule_start(&m, &term);
		expr = msg_nest(&m, PCC_TERM_A_EXPR);
		if (c != 0)
			msg_u32(&m, PCC_EXPR_A_FIELD,
				c == 3 ? PCC_RULE_FNAME :
				c == 6 ? 99 : PCC_RULE_UID);
		if (c != 1)
			msg_u32(&m, PCC_EXPR_A_OP, c == 7 ? 0 : PCC_RULE_OP_EQ);
		switch (c) {
		case 2:		/* a pattern for uid */
			msg_str(&m, PCC_EXPR_A_GLOB, "*.h5");
			break;
		case 3:		/* a number for fname */
		case 0:
		case 1:
		case 6:
		case 7:
			msg_u64(&m, PCC_EXPR_A_NUM, 1);
			break;
		case 4:		/* no value */
			break;
		case 5:		/* too many */
			for (i = 0; i <= PCC_RULE_MAX_VALUES; i++)
				msg_u64(&m, PCC_EXPR_A_NUM, 1);
			break;
		case 8:		/* a u32 for a u64 */
			msg_u32(&m, PCC_EXPR_A_NUM, 1);
			break;
		}
		msg_nest_end(&m, expr);
		msg_rule_end(&m, rule, term);
		assert_int_equal(pcc_nl_parse_dataset(m.buf, m.len,
						      on_dataset, &s),
				 -EBADMSG);
	}

	/* A pattern without its NUL. */
	rule = msg_rule_start(&m, &term);
	expr = msg_nest(&m, PCC_TERM_A_EXPR);
	msg_u32(&m, PCC_EXPR_A_FIELD, PCC_RULE_FNAME);
	msg_u32(&m, PCC_EXPR_A_OP, PCC_RULE_OP_EQ);
	msg_put(&m, PCC_EXPR_A_GLOB, "*.h5", 4);
	msg_nest_end(&m, expr);
	msg_rule_end(&m, rule, term);
	assert_int_equal(pcc_nl_parse_dataset(m.buf, m.len, on_dataset, &s),
			 -EBADMSG);

	/* A term without an expression; too many terms. */
	rule = msg_rule_start(&m, &term);
	msg_rule_end(&m, rule, term);
	assert_int_equal(pcc_nl_parse_dataset(m.buf, m.len, on_dataset, &s),
			 -EBADMSG);
	msg_dataset(&m, NULL, NULL);
	rule = msg_nest(&m, PCC_A_DS_RULE);
	for (i = 0; i <= PCC_RULE_MAX_TERMS; i++) {
		term = msg_nest(&m, PCC_RULE_A_TERM);
		expr = msg_nest(&m, PCC_TERM_A_EXPR);
		msg_u32(&m, PCC_EXPR_A_FIELD, PCC_RULE_UID);
		msg_u32(&m, PCC_EXPR_A_OP, PCC_RULE_OP_EQ);
		msg_u64(&m, PCC_EXPR_A_NUM, 1);
		msg_nest_end(&m, expr);
		msg_nest_end(&m, term);
	}
	msg_nest_end(&m, rule);
	assert_int_equal(pcc_nl_parse_dataset(m.buf, m.len, on_dataset, &s),
			 -EBADMSG);

	/* An expression nest cut short inside its term. */
	rule = msg_rule_start(&m, &term);
	expr = msg_nest(&m, PCC_TERM_A_EXPR);
	msg_u32(&m, PCC_EXPR_A_FIELD, PCC_RULE_UID);
	msg_u32(&m, PCC_EXPR_A_OP, PCC_RULE_OP_EQ);
	msg_u64(&m, PCC_EXPR_A_NUM, 1);
	msg_nest_end(&m, expr);
	msg_rule_end(&m, rule, term);
	((struct nlattr *)(m.buf + expr))->nla_len += 4;
	assert_int_equal(pcc_nl_parse_dataset(m.buf, m.len, on_dataset, &s),
			 -EBADMSG);

	/* The same, whole, is fine: the cases above failed for their fault. */
	((struct nlattr *)(m.buf + expr))->nla_len -= 4;
	s.expect = NULL;
	assert_int_equal(pcc_nl_parse_dataset(m.buf, m.len, on_dataset, &s),
			 0);
	assert_int_equal(s.calls, 1);
	assert_true(s.has_rule);
}

/* Events. */

struct seen_ev {
	int calls;
	struct pcc_nl_event ev;
	char path[64];
};

static void on_event(const struct pcc_nl_event *ev, void *arg)
{
	struct seen_ev *s = arg;

	s->calls++;
	s->ev = *ev;
	snprintf(s->path, sizeof(s->path), "%s", ev->path ? ev->path : "-");
}

static void msg_event(struct msg *m, uint32_t event)
{
	msg_init(m, PCC_CMD_EVENT);
	msg_u32(m, PCC_A_EVENT, event);
	msg_u32(m, PCC_A_MOUNT_ID, 2);
}

static void test_events(void **state)
{
	static const uint8_t fh[] = { 1, 2, 3, 4, 5, 6, 7, 8, 0xfe };
	struct seen_ev s = { 0 };
	struct msg m;

	/* A miss, as the kernel sends it: padding before the inode. */
	msg_event(&m, PCC_EVENT_MISS);
	msg_put(&m, PCC_A_PAD, NULL, 0);
	msg_u64(&m, PCC_A_INO, 0x123456789ULL);
	msg_u32(&m, PCC_A_FH_TYPE, 0x81);
	msg_put(&m, PCC_A_FH, fh, sizeof(fh));
	msg_str(&m, PCC_A_PATH, "/dir/file.h5");
	msg_u32(&m, PCC_A_DS_ID, 4);
	msg_u64(&m, PCC_A_MAX + 2, 1);
	assert_int_equal(pcc_nl_parse_event(m.buf, m.len, on_event, &s), 0);
	assert_int_equal(s.calls, 1);
	assert_int_equal(s.ev.event, PCC_EVENT_MISS);
	assert_int_equal(s.ev.mount_id, 2);
	assert_int_equal(s.ev.ino, 0x123456789ULL);
	assert_int_equal(s.ev.fh_type, 0x81);
	assert_int_equal(s.ev.fh_len, sizeof(fh));
	assert_memory_equal(s.ev.fh, fh, sizeof(fh));
	assert_string_equal(s.path, "/dir/file.h5");
	assert_int_equal(s.ev.ds_id, 4);
	assert_int_equal(s.ev.reason, 0);
	assert_int_equal(s.ev.err, 0);

	msg_event(&m, PCC_EVENT_ATTACHED);
	msg_u32(&m, PCC_A_DS_ID, 7);
	assert_int_equal(pcc_nl_parse_event(m.buf, m.len, on_event, &s), 0);
	assert_int_equal(s.ev.event, PCC_EVENT_ATTACHED);
	assert_int_equal(s.ev.ds_id, 7);
	assert_int_equal(s.ev.fh_len, 0);
	assert_int_equal(s.ev.ino, 0);
	assert_string_equal(s.path, "-");

	msg_event(&m, PCC_EVENT_DETACHED);
	msg_u32(&m, PCC_A_REASON, PCC_DETACH_LOCAL_CHANGE);
	assert_int_equal(pcc_nl_parse_event(m.buf, m.len, on_event, &s), 0);
	assert_int_equal(s.ev.event, PCC_EVENT_DETACHED);
	assert_int_equal(s.ev.reason, PCC_DETACH_LOCAL_CHANGE);
	assert_int_equal(s.ev.ds_id, 0);

	msg_event(&m, PCC_EVENT_STALE);
	msg_u64(&m, PCC_A_INO, 5);
	assert_int_equal(pcc_nl_parse_event(m.buf, m.len, on_event, &s), 0);
	assert_int_equal(s.ev.event, PCC_EVENT_STALE);
	assert_int_equal(s.ev.ino, 5);

	msg_event(&m, PCC_EVENT_IO_ERROR);
	msg_u32(&m, PCC_A_ERRNO, EIO);
	assert_int_equal(pcc_nl_parse_event(m.buf, m.len, on_event, &s), 0);
	assert_int_equal(s.ev.event, PCC_EVENT_IO_ERROR);
	assert_int_equal(s.ev.err, EIO);

	msg_event(&m, PCC_EVENT_ENOSPC);
	msg_u32(&m, PCC_A_ERRNO, ENOSPC);
	msg_u32(&m, PCC_A_DS_ID, 1);
	assert_int_equal(pcc_nl_parse_event(m.buf, m.len, on_event, &s), 0);
	assert_int_equal(s.ev.event, PCC_EVENT_ENOSPC);
	assert_int_equal(s.ev.err, ENOSPC);
	assert_int_equal(s.calls, 6);
}

static void test_events_bad(void **state)
{
	uint8_t fh[PCC_FH_MAX + 1] = { 0 };
	struct seen_ev s = { 0 };
	struct msg m;

	msg_init(&m, PCC_CMD_EVENT);
	msg_u32(&m, PCC_A_MOUNT_ID, 2);
	assert_int_equal(pcc_nl_parse_event(m.buf, m.len, on_event, &s),
			 -EBADMSG);
	msg_init(&m, PCC_CMD_EVENT);
	msg_u32(&m, PCC_A_EVENT, PCC_EVENT_MISS);
	assert_int_equal(pcc_nl_parse_event(m.buf, m.len, on_event, &s),
			 -EBADMSG);
	msg_event(&m, PCC_EVENT_MISS);
	msg_u32(&m, PCC_A_FH_TYPE, 1);
	msg_put(&m, PCC_A_FH, fh, sizeof(fh));
	assert_int_equal(pcc_nl_parse_event(m.buf, m.len, on_event, &s),
			 -EBADMSG);
	msg_event(&m, PCC_EVENT_MISS);
	msg_put(&m, PCC_A_FH, fh, 8);
	assert_int_equal(pcc_nl_parse_event(m.buf, m.len, on_event, &s),
			 -EBADMSG);
	msg_event(&m, PCC_EVENT_MISS);
	msg_u32(&m, PCC_A_INO, 5);
	assert_int_equal(pcc_nl_parse_event(m.buf, m.len, on_event, &s),
			 -EBADMSG);
	msg_event(&m, PCC_EVENT_MISS);
	msg_put(&m, PCC_A_PATH, "/a", 2);
	assert_int_equal(pcc_nl_parse_event(m.buf, m.len, on_event, &s),
			 -EBADMSG);
	msg_event(&m, PCC_EVENT_MISS);
	((struct genlmsghdr *)(m.buf + NLMSG_HDRLEN))->cmd = PCC_CMD_MOUNT_GET;
	assert_int_equal(pcc_nl_parse_event(m.buf, m.len, on_event, &s),
			 -EBADMSG);
	msg_event(&m, PCC_EVENT_MISS);
	assert_int_equal(pcc_nl_parse_event(m.buf, m.len - 1, on_event, &s),
			 -EBADMSG);
	assert_int_equal(s.calls, 0);
}

/* Errors with extended acks. */

static void msg_error(struct msg *m, int error, int capped, const char *text)
{
	struct nlmsgerr e = { .error = error };

	memset(m, 0, sizeof(*m));
	m->nlh.nlmsg_type = NLMSG_ERROR;
	m->len = NLMSG_HDRLEN;
	/* The request's header, then (uncapped) its payload. */
	e.msg.nlmsg_len = NLMSG_HDRLEN + (capped ? 0 : 8);
	e.msg.nlmsg_type = 0x20;
	memcpy(m->buf + m->len, &e, sizeof(e));
	m->len += sizeof(e);
	if (capped)
		m->nlh.nlmsg_flags |= NLM_F_CAPPED;
	else
		m->len += 8;
	m->nlh.nlmsg_len = (uint32_t)m->len;
	if (text) {
		m->nlh.nlmsg_flags |= NLM_F_ACK_TLVS;
		msg_u32(m, NLMSGERR_ATTR_OFFS, 20);
		msg_str(m, NLMSGERR_ATTR_MSG, text);
	}
}

static void test_error(void **state)
{
	char errmsg[32];
	struct msg m;
	int error = -EPERM;

	msg_error(&m, -EINVAL, 1, "the path is not on a pcc mount");
	assert_int_equal(pcc_nl_parse_error(m.buf, m.len, errmsg,
					    sizeof(errmsg)), -EINVAL);
	assert_string_equal(errmsg, "the path is not on a pcc mount");
	/* Truncated to the caller's buffer. */
	assert_int_equal(pcc_nl_parse_error(m.buf, m.len, errmsg, 16),
			 -EINVAL);
	assert_string_equal(errmsg, "the path is not");
	msg_error(&m, -EEXIST, 0, "dataset 3 exists");
	assert_int_equal(pcc_nl_parse_error(m.buf, m.len, errmsg,
					    sizeof(errmsg)), -EEXIST);
	assert_string_equal(errmsg, "dataset 3 exists");
	msg_error(&m, -ENOENT, 1, NULL);
	assert_int_equal(pcc_nl_parse_error(m.buf, m.len, errmsg,
					    sizeof(errmsg)), -ENOENT);
	assert_string_equal(errmsg, "");
	msg_error(&m, 0, 1, NULL);
	assert_int_equal(pcc_nl_parse_error(m.buf, m.len, errmsg,
					    sizeof(errmsg)), 0);
	assert_int_equal(pcc_nl_parse_error(m.buf, m.len, NULL, 0), 0);

	/* The end of a dump: its error and message, or 0. */
	memset(&m, 0, sizeof(m));
	m.nlh.nlmsg_type = NLMSG_DONE;
	m.nlh.nlmsg_flags = NLM_F_MULTI;
	m.len = NLMSG_HDRLEN;
	msg_put(&m, 0, NULL, 0);	/* room for the int */
	memcpy(m.buf + NLMSG_HDRLEN, &error, sizeof(error));
	m.nlh.nlmsg_flags |= NLM_F_ACK_TLVS;
	msg_str(&m, NLMSGERR_ATTR_MSG, "CAP_SYS_ADMIN is needed");
	assert_int_equal(pcc_nl_parse_error(m.buf, m.len, errmsg,
					    sizeof(errmsg)), -EPERM);
	assert_string_equal(errmsg, "CAP_SYS_ADMIN is needed");
	error = 0;
	memcpy(m.buf + NLMSG_HDRLEN, &error, sizeof(error));
	assert_int_equal(pcc_nl_parse_error(m.buf, m.len, errmsg,
					    sizeof(errmsg)), 0);
	assert_string_equal(errmsg, "");

	/* Malformed: cut, an echo longer than the message, another type. */
	msg_error(&m, -EINVAL, 1, "x");
	assert_int_equal(pcc_nl_parse_error(m.buf, 20, errmsg,
					    sizeof(errmsg)), -EBADMSG);
	m.nlh.nlmsg_len = NLMSG_HDRLEN + 8;
	assert_int_equal(pcc_nl_parse_error(m.buf, m.len, errmsg,
					    sizeof(errmsg)), -EBADMSG);
	msg_error(&m, -EINVAL, 0, NULL);
	((struct nlmsgerr *)(m.buf + NLMSG_HDRLEN))->msg.nlmsg_len = 400;
	assert_int_equal(pcc_nl_parse_error(m.buf, m.len, errmsg,
					    sizeof(errmsg)), -EBADMSG);
	msg_error(&m, -EINVAL, 1, "x");
	m.nlh.nlmsg_len -= 2;
	assert_int_equal(pcc_nl_parse_error(m.buf, m.len, errmsg,
					    sizeof(errmsg)), -EBADMSG);
	msg_version(&m, "0.1", 2);
	assert_int_equal(pcc_nl_parse_error(m.buf, m.len, errmsg,
					    sizeof(errmsg)), -EBADMSG);
}

static void test_evict(void **state)
{
	uint32_t flags = 0xdead;
	uint16_t small = 1;
	struct msg m;

	msg_init(&m, PCC_CMD_EVICT);
	msg_u32(&m, PCC_A_EVICT_FLAGS,
		PCC_NL_EVICT_WAS_ATTACHED | PCC_NL_EVICT_IN_USE);
	msg_u64(&m, PCC_A_MAX + 3, 9);		/* newer: ignored */
	assert_int_equal(pcc_nl_parse_evict(m.buf, m.len, &flags), 0);
	assert_int_equal(flags, 0x3);
	assert_int_equal(PCC_NL_EVICT_WAS_ATTACHED, 0x1);
	assert_int_equal(PCC_NL_EVICT_IN_USE, 0x2);

	msg_init(&m, PCC_CMD_EVICT);
	msg_u32(&m, PCC_A_EVICT_FLAGS, 0);
	assert_int_equal(pcc_nl_parse_evict(m.buf, m.len, &flags), 0);
	assert_int_equal(flags, 0);

	/* No flags, flags of the wrong size, another command, cut short. */
	flags = 7;
	msg_init(&m, PCC_CMD_EVICT);
	assert_int_equal(pcc_nl_parse_evict(m.buf, m.len, &flags), -EBADMSG);
	msg_put(&m, PCC_A_EVICT_FLAGS, &small, sizeof(small));
	assert_int_equal(pcc_nl_parse_evict(m.buf, m.len, &flags), -EBADMSG);
	msg_init(&m, PCC_CMD_FILE_GET);
	msg_u32(&m, PCC_A_EVICT_FLAGS, 1);
	assert_int_equal(pcc_nl_parse_evict(m.buf, m.len, &flags), -EBADMSG);
	msg_init(&m, PCC_CMD_EVICT);
	msg_u32(&m, PCC_A_EVICT_FLAGS, 1);
	assert_int_equal(pcc_nl_parse_evict(m.buf, m.len - 1, &flags),
			 -EBADMSG);
	assert_int_equal(flags, 7);
}

/* Bad arguments are refused before anything is sent (nl is not used). */
static void test_evict_args(void **state)
{
	static const uint8_t fh[PCC_FH_MAX + 1] = { 1 };
	struct pcc_nl_mnt mnt = { .id = 1 };
	char errmsg[128];
	uint32_t flags = 5;

	assert_int_equal(pcc_nl_evict(NULL, &mnt, 0, 1, fh, 8, &flags, errmsg,
				      sizeof(errmsg)), -EINVAL);
	assert_non_null(strstr(errmsg, "dataset id 0"));
	assert_int_equal(flags, 0);
	assert_int_equal(pcc_nl_evict(NULL, &mnt, PCC_DS_ID_MAX + 1U, 1, fh,
				      8, NULL, errmsg, sizeof(errmsg)),
			 -EINVAL);
	assert_int_equal(pcc_nl_evict(NULL, &mnt, 1, 0x10000, fh, 8, NULL,
				      errmsg, sizeof(errmsg)), -EINVAL);
	assert_string_equal(errmsg, "bad file handle (type 65536, 8 bytes)");
	assert_int_equal(pcc_nl_evict(NULL, &mnt, 1, 1, fh, 0, NULL, errmsg,
				      sizeof(errmsg)), -EINVAL);
	assert_int_equal(pcc_nl_evict(NULL, &mnt, 1, 1, fh, PCC_FH_MAX + 1,
				      NULL, errmsg, sizeof(errmsg)), -EINVAL);
	assert_int_equal(pcc_nl_evict(NULL, &mnt, 1, 1, NULL, 8, NULL, errmsg,
				      sizeof(errmsg)), -EINVAL);
}

/* A FILE_GET message as the kernel sends it: padding before each u64. */
static void msg_file(struct msg *m, const uint8_t *fh, size_t fh_len)
{
	msg_init(m, PCC_CMD_FILE_GET);
	msg_u32(m, PCC_A_MOUNT_ID, 3);
	msg_u32(m, PCC_A_DS_ID, 0x7fffffff);
	msg_put(m, PCC_A_PAD, NULL, 0);
	msg_u64(m, PCC_A_INO, 0xfedcba9876543210ULL);
	msg_u32(m, PCC_A_FH_TYPE, 0xffff);
	msg_put(m, PCC_A_FH, fh, fh_len);
	msg_put(m, PCC_A_PAD, NULL, 0);
	msg_u64(m, PCC_A_LAST_USE, 1700000000ULL);
	msg_put(m, PCC_A_PAD, NULL, 0);
	msg_u64(m, PCC_A_HITS, 1ULL << 40);
}

static void test_file(void **state)
{
	static const uint8_t fh[] = { 9, 8, 7, 6, 5, 4, 3, 2, 1 };
	uint8_t big[PCC_FH_MAX] = { 0xaa };
	struct pcc_nl_file f;
	struct msg m;

	memset(&f, 0x55, sizeof(f));
	msg_file(&m, fh, sizeof(fh));
	msg_str(&m, PCC_A_MAX + 4, "newer");	/* ignored */
	assert_int_equal(pcc_nl_parse_file(m.buf, m.len, &f), 0);
	assert_int_equal(f.mount_id, 3);
	assert_int_equal(f.ds_id, 0x7fffffff);
	assert_int_equal(f.ino, 0xfedcba9876543210ULL);
	assert_int_equal(f.fh_type, 0xffff);
	assert_int_equal(f.fh_len, sizeof(fh));
	assert_memory_equal(f.fh, fh, sizeof(fh));
	/* The rest of the handle is cleared, not left from before. */
	assert_int_equal(f.fh[sizeof(fh)], 0);
	assert_int_equal(f.last_use, 1700000000ULL);
	assert_int_equal(f.hits, 1ULL << 40);

	/* The largest handle. */
	big[PCC_FH_MAX - 1] = 0xbb;
	msg_file(&m, big, sizeof(big));
	assert_int_equal(pcc_nl_parse_file(m.buf, m.len, &f), 0);
	assert_int_equal(f.fh_len, PCC_FH_MAX);
	assert_memory_equal(f.fh, big, sizeof(big));
}

static void test_file_bad(void **state)
{
	static const int required[] = {
		PCC_A_MOUNT_ID, PCC_A_DS_ID, PCC_A_INO, PCC_A_FH_TYPE,
		PCC_A_FH, PCC_A_LAST_USE, PCC_A_HITS,
	};
	uint8_t big[PCC_FH_MAX + 4] = { 0 };
	struct pcc_nl_file f, before;
	uint32_t four = 4;
	unsigned int i;
	struct msg m;

	memset(&f, 0x55, sizeof(f));
	before = f;
	/* Each required attribute left out in turn. */
	for (i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
		msg_init(&m, PCC_CMD_FILE_GET);
		if (required[i] != PCC_A_MOUNT_ID)
			msg_u32(&m, PCC_A_MOUNT_ID, 1);
		if (required[i] != PCC_A_DS_ID)
			msg_u32(&m, PCC_A_DS_ID, 1);
		if (required[i] != PCC_A_INO)
			msg_u64(&m, PCC_A_INO, 1);
		if (required[i] != PCC_A_FH_TYPE)
			msg_u32(&m, PCC_A_FH_TYPE, 1);
		if (required[i] != PCC_A_FH)
			msg_put(&m, PCC_A_FH, big, 8);
		if (required[i] != PCC_A_LAST_USE)
			msg_u64(&m, PCC_A_LAST_USE, 1);
		if (required[i] != PCC_A_HITS)
			msg_u64(&m, PCC_A_HITS, 1);
		assert_int_equal(pcc_nl_parse_file(m.buf, m.len, &f),
				 -EBADMSG);
	}
	/* A handle too long, a u64 sent as a u32, another command, cut. */
	msg_file(&m, big, sizeof(big));
	assert_int_equal(pcc_nl_parse_file(m.buf, m.len, &f), -EBADMSG);
	msg_init(&m, PCC_CMD_FILE_GET);
	msg_u32(&m, PCC_A_MOUNT_ID, 1);
	msg_u32(&m, PCC_A_DS_ID, 1);
	msg_u64(&m, PCC_A_INO, 1);
	msg_u32(&m, PCC_A_FH_TYPE, 1);
	msg_put(&m, PCC_A_FH, big, 8);
	msg_u64(&m, PCC_A_LAST_USE, 1);
	msg_put(&m, PCC_A_HITS, &four, sizeof(four));
	assert_int_equal(pcc_nl_parse_file(m.buf, m.len, &f), -EBADMSG);
	msg_file(&m, big, 8);
	((struct genlmsghdr *)(m.buf + NLMSG_HDRLEN))->cmd = PCC_CMD_EVENT;
	assert_int_equal(pcc_nl_parse_file(m.buf, m.len, &f), -EBADMSG);
	msg_file(&m, big, 8);
	assert_int_equal(pcc_nl_parse_file(m.buf, m.len - 4, &f), -EBADMSG);
	assert_memory_equal(&f, &before, sizeof(f));
}

static void test_names(void **state)
{
	unsigned int i;

	assert_string_equal(pcc_nl_event_name(PCC_EVENT_MISS), "miss");
	assert_string_equal(pcc_nl_event_name(PCC_EVENT_IO_ERROR), "io_error");
	assert_string_equal(pcc_nl_event_name(PCC_EVENT_ENOSPC), "enospc");
	assert_string_equal(pcc_nl_event_name(0), "unknown");
	assert_string_equal(pcc_nl_event_name(PCC_EVENT_ENOSPC + 1),
			    "unknown");
	assert_string_equal(pcc_nl_reason_name(PCC_DETACH_MANUAL), "manual");
	assert_string_equal(pcc_nl_reason_name(PCC_DETACH_LOCAL_CHANGE),
			    "local_change");
	assert_string_equal(pcc_nl_reason_name(PCC_DETACH_ERROR), "error");
	assert_string_equal(pcc_nl_reason_name(PCC_DETACH_EVICTED), "evicted");
	assert_string_equal(pcc_nl_reason_name(0), "unknown");
	assert_string_equal(pcc_nl_reason_name(99), "unknown");
	assert_string_equal(pcc_nl_stat_name(PCC_STAT_ATTACH_MANUAL),
			    "attach_manual");
	assert_string_equal(pcc_nl_stat_name(PCC_STAT_HITS), "hits");
	assert_string_equal(pcc_nl_stat_name(PCC_STAT_HIT_BYTES), "hit_bytes");
	assert_string_equal(pcc_nl_stat_name(PCC_STAT_MISSES), "misses");
	assert_string_equal(pcc_nl_stat_name(PCC_STAT_MIRROR_WRITES),
			    "mirror_writes");
	assert_string_equal(pcc_nl_stat_name(PCC_STAT_DETACH_EVICTED),
			    "detach_evicted");
	/* Appended: the counters before it keep their numbers. */
	assert_int_equal(PCC_STAT_DETACH_EVICTED, PCC_STAT_MIRROR_WRITES + 1);
	assert_int_equal(PCC_DETACH_EVICTED, PCC_DETACH_ERROR + 1);
	assert_string_equal(pcc_nl_stat_name(PCC_STAT_WRITEBACKS), "writebacks");
	assert_string_equal(pcc_nl_stat_name(PCC_STAT_WRITEBACK_BYTES),
			    "writeback_bytes");
	assert_int_equal(PCC_STAT_WRITEBACKS, PCC_STAT_DETACH_EVICTED + 1);
	assert_string_equal(pcc_nl_stat_name(PCC_STAT_PAGED_MKWRITES),
			    "paged_mkwrites");
	assert_int_equal(PCC_STAT_PAGED_FAULTS, PCC_STAT_WRITEBACK_BYTES + 1);
	assert_string_equal(pcc_nl_stat_name(PCC_STAT_MARKS), "marks");
	assert_string_equal(pcc_nl_stat_name(PCC_STAT_MARK_CONFLICTS),
			    "mark_conflicts");
	assert_string_equal(pcc_nl_stat_name(PCC_STAT_HELD_ELSEWHERE),
			    "held_elsewhere");
	assert_int_equal(PCC_STAT_MARKS, PCC_STAT_PAGED_MKWRITES + 1);
	assert_string_equal(pcc_nl_stat_name(PCC_STAT_COUNT), "unknown");
	for (i = 0; i < PCC_STAT_COUNT; i++)
		assert_string_not_equal(pcc_nl_stat_name(i), "unknown");
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_unknown_attribute),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_mount),
		cmocka_unit_test(test_mount_bad),
		cmocka_unit_test(test_rule_layout),
		cmocka_unit_test(test_dataset),
		cmocka_unit_test(test_dataset_writeback),
		cmocka_unit_test(test_rule_limits),
		cmocka_unit_test(test_dataset_bad),
		cmocka_unit_test(test_events),
		cmocka_unit_test(test_events_bad),
		cmocka_unit_test(test_error),
		cmocka_unit_test(test_evict),
		cmocka_unit_test(test_evict_args),
		cmocka_unit_test(test_file),
		cmocka_unit_test(test_file_bad),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests_name("nl", tests, NULL, NULL);
}
