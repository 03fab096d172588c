// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_rule.c - libFuzzer target for the rule parser (lib/rule.c).
 *
 * Invariants: a rejected text has an error column inside it (or just past
 * its end) and a message; an accepted one formats to a text that parses
 * to an equal rule and formats to itself again.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rule.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pcc_parse_error err = { 0 };
	struct pcc_rule *a = NULL, *b = NULL;
	char *text, *buf, *buf2;
	int len, ret;

	text = strndup((const char *)data, size);
	if (!text)
		return 0;
	ret = pcc_rule_parse(text, &a, &err);
	if (ret) {
		if (ret != -EINVAL || a || err.column < 1 ||
		    err.column > strlen(text) + 1 || !err.msg[0])
			abort();
		free(text);
		return 0;
	}
	len = pcc_rule_format(a, NULL, 0);
	buf = malloc(len + 1);
	buf2 = malloc(len + 1);
	if (!buf || !buf2)
		abort();
	if (pcc_rule_format(a, buf, len + 1) != len || strlen(buf) != (size_t)len)
		abort();
	if (pcc_rule_parse(buf, &b, &err))
		abort();
	if (!pcc_rule_equal(a, b) || !pcc_rule_equal(b, a))
		abort();
	if (pcc_rule_format(b, buf2, len + 1) != len || strcmp(buf, buf2))
		abort();
	pcc_rule_free(a);
	pcc_rule_free(b);
	free(buf);
	free(buf2);
	free(text);
	return 0;
}
