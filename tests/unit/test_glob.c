// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_glob.c - the fname matcher of the module's rules (kmod/pcc_glob.h),
 * run on the build machine.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../kmod/pcc_glob.h"

struct glob_case {
	const char *pattern;
	const char *name;
	bool match;
};

static const struct glob_case cases[] = {
	{ "*.h5", "x.h5", true },
	{ "*.h5", "x.h5.bak", false },
	{ "*.h5", ".h5", true },
	{ "*", "", true },
	{ "*", "anything", true },
	{ "", "", true },
	{ "", "a", false },
	{ "?", "a", true },
	{ "?", "", false },
	{ "?", "ab", false },
	{ "a*b*c", "aXbYc", true },
	{ "a*b*c", "abcabd", false },
	{ "*a*a*", "baab", true },
	{ "*x*y*z*", "xxyyzz", true },
	{ "*x*y*z*", "zyx", false },
	{ "**", "ab", true },
	{ "data-[0-9]?", "data-12", true },
	{ "data-[0-9]?", "data-1", false },
	{ "data-[0-9]?", "data-x2", false },
	{ "[a-c]x", "bx", true },
	{ "[a-c]x", "dx", false },
	{ "[!a-c]x", "dx", true },
	{ "[!a-c]x", "ax", false },
	{ "[^a-c]x", "dx", true },
	{ "[]]", "]", true },
	{ "[]a]b", "ab", true },
	{ "[]a]b", "]b", true },
	{ "[-a]z", "-z", true },
	{ "[a-]z", "-z", true },
	{ "*.[ch]", "f.c", true },
	{ "*.[ch]", "f.o", false },
	/* An unclosed [ is an ordinary character (POSIX). */
	{ "[abc", "[abc", true },
	{ "[abc", "a", false },
	{ "a\\*b", "a*b", true },
	{ "a\\*b", "axb", false },
	{ "a\\?", "a?", true },
	{ "a\\?", "ab", false },
	/* Bytes above 127 compare as unsigned. */
	{ "[\x80-\xff]", "\xe9", true },
	{ "caf?", "caf\xc3", true },
};

static void test_cases(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bool got = pcc_glob_match(cases[i].pattern, cases[i].name);

		if (got != cases[i].match)
			fail_msg("pattern '%s' name '%s': %s, expected %s",
				 cases[i].pattern, cases[i].name,
				 got ? "match" : "no match",
				 cases[i].match ? "match" : "no match");
	}
}

/* Many stars against a long name that does not match end in good time. */
static void test_many_stars(void **state)
{
	char pattern[256], name[256];
	int i;

	(void)state;
	for (i = 0; i < 254; i += 2) {
		pattern[i] = 'a';
		pattern[i + 1] = '*';
	}
	pattern[254] = 'b';
	pattern[255] = '\0';
	for (i = 0; i < 255; i++)
		name[i] = 'a';
	name[255] = '\0';
	assert_false(pcc_glob_match(pattern, name));
	name[254] = 'b';
	assert_true(pcc_glob_match(pattern, name));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_many_stars),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
