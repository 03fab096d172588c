/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * log.h - logging for pccd and the tools, lldpd style.
 *
 * Every message names the subsystem it comes from with a short token
 * ("conf", "nl", "ctl", "main", ...), so a reader can tell at a glance which
 * part of the daemon is speaking:
 *
 *	log_warn("nl", "cannot reach the module");
 *
 * The _warn and _err variants append strerror(errno) (or of the error passed
 * explicitly to the *_errno variants); the x variants do not.  Messages go to
 * stderr until log_to_syslog() is called (pccd does that once it has
 * daemonized), to syslog afterwards.  Debug messages are dropped unless
 * log_init() was asked for them.
 */
#ifndef PCC_LOG_H
#define PCC_LOG_H

#include <stdbool.h>

#define PCC_PRINTF(f, a) __attribute__((format(printf, f, a)))

/* ident: the program name put in front of every line and given to syslog. */
void log_init(const char *ident, bool debug);
void log_to_syslog(void);
bool log_debug_enabled(void);

void log_err(const char *token, const char *fmt, ...) PCC_PRINTF(2, 3);
void log_errx(const char *token, const char *fmt, ...) PCC_PRINTF(2, 3);
void log_warn(const char *token, const char *fmt, ...) PCC_PRINTF(2, 3);
void log_warnx(const char *token, const char *fmt, ...) PCC_PRINTF(2, 3);
void log_info(const char *token, const char *fmt, ...) PCC_PRINTF(2, 3);
void log_debug(const char *token, const char *fmt, ...) PCC_PRINTF(2, 3);

/* Like log_err/log_warn with a negative errno return value instead of errno. */
void log_err_errno(const char *token, int neg_errno, const char *fmt, ...)
	PCC_PRINTF(3, 4);
void log_warn_errno(const char *token, int neg_errno, const char *fmt, ...)
	PCC_PRINTF(3, 4);

#endif /* PCC_LOG_H */
