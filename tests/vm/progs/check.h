/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * check.h - assertions for the VM test programs: any mismatch ends the
 * program with status 1 and a message naming the program and the check.
 */
#ifndef PCC_TEST_CHECK_H
#define PCC_TEST_CHECK_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *prog = "pcc-test";

__attribute__((format(printf, 1, 2), noreturn))
static void die(const char *fmt, ...)
{
	va_list ap;
	int err = errno;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (errno %d: %s)\n", err, strerror(err));
	exit(1);
}

/* CHECK(cond): the condition must hold. */
#define CHECK(cond) do {						\
	if (!(cond))							\
		die("%s:%d: check failed: %s", __FILE__, __LINE__, #cond); \
} while (0)

/* SYS(call): the system call must not return -1. */
#define SYS(call) ({							\
	__typeof__(call) sys_ret_ = (call);				\
	if (sys_ret_ == -1)						\
		die("%s:%d: %s", __FILE__, __LINE__, #call);		\
	sys_ret_;							\
})

#endif
