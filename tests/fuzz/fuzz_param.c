// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_param.c - libFuzzer target for the --param parser (lib/param.c).
 *
 * Invariants: a rejected text leaves the values exactly as they were and
 * names a column inside it; an accepted one keeps mode non-zero and, with
 * a rule, a rule_text that parses to the same rule.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "param.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pcc_parse_error err = { 0 };
	struct pcc_params p = {
		.mode = PCC_DS_MODE_RO,
		.attach = PCC_DS_ATTACH_ALL,
	}, before;
	struct pcc_rule *again;
	char *text;
	int ret;

	text = strndup((const char *)data, size);
	if (!text)
		return 0;
	/* Start from a dataset with a rule, as `pcc set` does. */
	if (pcc_params_parse("uid={1} roid=1", &p, NULL))
		abort();
	before = p;
	ret = pcc_params_parse(text, &p, &err);
	if (ret) {
		if (ret != -EINVAL || memcmp(&p, &before, sizeof(p)) ||
		    err.column < 1 || err.column > strlen(text) + 1 ||
		    !err.msg[0])
			abort();
	} else {
		if (!p.mode || !p.rule || !p.rule_text ||
		    (p.attach & ~PCC_DS_ATTACH_ALL) || p.roid < 1 ||
		    p.roid > PCC_DS_ID_MAX || p.rwid > PCC_DS_ID_MAX)
			abort();
		if (pcc_rule_parse(p.rule_text, &again, NULL))
			abort();
		if (!pcc_rule_equal(p.rule, again))
			abort();
		pcc_rule_free(again);
	}
	pcc_params_clear(&p);
	free(text);
	return 0;
}
