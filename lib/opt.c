// SPDX-License-Identifier: GPL-2.0-only
/*
 * opt.c - say which option getopt_long() did not like.
 */
#include "config.h"

#include <getopt.h>
#include <string.h>

#include "opt.h"

void pcc_opt_error(FILE *err, const char *prog, int c, char *const argv[])
{
	const char *arg = optind > 0 && argv[optind - 1] ? argv[optind - 1] : "";
	char name[64];

	/*
	 * A long option is the word just consumed (minus any "=value"); a
	 * short one may sit inside a bundle such as -fx, so take optopt.
	 */
	if (!strncmp(arg, "--", 2))
		snprintf(name, sizeof(name), "%.*s", (int)strcspn(arg, "="), arg);
	else if (optopt)
		snprintf(name, sizeof(name), "-%c", optopt);
	else
		snprintf(name, sizeof(name), "%s", arg);

	if (c == ':')
		fprintf(err, "%s: option '%s' needs an argument\n", prog, name);
	else if (arg[0] == '-' && arg[1] == '-' && strchr(arg, '=') && optopt)
		fprintf(err, "%s: option '%s' takes no argument\n", prog, name);
	else
		fprintf(err, "%s: unknown option '%s'\n", prog, name);
}
