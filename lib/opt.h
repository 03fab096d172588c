/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * opt.h - shared getopt_long() error reporting for pccd and pcc.
 */
#ifndef PCC_OPT_H
#define PCC_OPT_H

#include <stdio.h>

/*
 * getopt_long() returned c, '?' or ':' (with an optstring starting "+:"
 * and opterr = 0, so it printed nothing itself).  Print
 * "PROG: unknown option '--foo'", "PROG: option '-c' needs an argument" or
 * "PROG: option '--json' takes no argument" to err, naming the option as
 * the user typed it.
 */
void pcc_opt_error(FILE *err, const char *prog, int c, char *const argv[]);

#endif /* PCC_OPT_H */
