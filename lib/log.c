// SPDX-License-Identifier: GPL-2.0-only
/*
 * log.c - token logging to stderr or syslog.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "log.h"

static const char *log_ident = PACKAGE;
static bool log_debug_on;
static bool log_syslog;

void log_init(const char *ident, bool debug)
{
	log_ident = ident;
	log_debug_on = debug;
}

void log_to_syslog(void)
{
	openlog(log_ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	log_syslog = true;
}

bool log_debug_enabled(void)
{
	return log_debug_on;
}

static const char *level_word(int prio)
{
	switch (prio) {
	case LOG_ERR:		return "error: ";
	case LOG_WARNING:	return "warning: ";
	case LOG_DEBUG:		return "debug: ";
	default:		return "";
	}
}

/* err: 0 for none, else a positive errno to append. */
static void log_vmsg(int prio, const char *token, int err, const char *fmt,
		     va_list ap)
{
	char msg[1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (log_syslog) {
		if (err)
			syslog(prio, "[%s] %s: %s", token, msg, strerror(err));
		else
			syslog(prio, "[%s] %s", token, msg);
		return;
	}
	if (err)
		fprintf(stderr, "%s [%s] %s%s: %s\n", log_ident, token,
			level_word(prio), msg, strerror(err));
	else
		fprintf(stderr, "%s [%s] %s%s\n", log_ident, token,
			level_word(prio), msg);
}

#define LOG_BODY(prio, err)					\
	do {							\
		va_list ap;					\
		int saved = (err);				\
								\
		va_start(ap, fmt);				\
		log_vmsg(prio, token, saved, fmt, ap);		\
		va_end(ap);					\
	} while (0)

void log_err(const char *token, const char *fmt, ...)
{
	LOG_BODY(LOG_ERR, errno);
}

void log_errx(const char *token, const char *fmt, ...)
{
	LOG_BODY(LOG_ERR, 0);
}

void log_warn(const char *token, const char *fmt, ...)
{
	LOG_BODY(LOG_WARNING, errno);
}

void log_warnx(const char *token, const char *fmt, ...)
{
	LOG_BODY(LOG_WARNING, 0);
}

void log_info(const char *token, const char *fmt, ...)
{
	LOG_BODY(LOG_INFO, 0);
}

void log_debug(const char *token, const char *fmt, ...)
{
	if (!log_debug_on)
		return;
	LOG_BODY(LOG_DEBUG, 0);
}

void log_err_errno(const char *token, int neg_errno, const char *fmt, ...)
{
	LOG_BODY(LOG_ERR, -neg_errno);
}

void log_warn_errno(const char *token, int neg_errno, const char *fmt, ...)
{
	LOG_BODY(LOG_WARNING, -neg_errno);
}
