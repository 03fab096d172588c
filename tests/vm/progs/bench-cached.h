/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bench-cached.h - pcc-bench's verbs for cached files (bench-cached.c).
 */
#ifndef PCC_BENCH_CACHED_H
#define PCC_BENCH_CACHED_H

/*
 * Run the verb ARGV[1] names (mkfile, seqread, ...) with ARGV[1..]; its
 * exit status, or -1 if ARGV[1] names no verb (then pcc-bench measures
 * passthrough, its original job, on the DIRs given).
 */
int pcc_bench_verb(int argc, char **argv);

#endif
