// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_nl.c - parsing the module's PCC_CMD_GET_VERSION reply, from
 * messages built here byte by byte as the kernel would send them.
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

struct msg {
	union {
		struct nlmsghdr nlh;
		unsigned char buf[512];
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
	memcpy(m->buf + m->len + NLA_HDRLEN, data, len);
	m->len += NLA_ALIGN(NLA_HDRLEN + len);
	m->nlh.nlmsg_len = (uint32_t)m->len;
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

int main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_unknown_attribute),
		cmocka_unit_test(test_bad),
	};

	return cmocka_run_group_tests_name("nl", tests, NULL, NULL);
}
