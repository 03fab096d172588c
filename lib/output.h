/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * output.h - one output path, two formats.
 *
 * A command describes what it prints once; each call carries both the JSON
 * key and the human format, as iproute2's print_*() do:
 *
 *	struct out *o = out_new(stdout, json ? OUT_F_JSON : 0);
 *	out_str(o, OUT_ANY, "cli", "pcc: %s\n", PACKAGE_VERSION);
 *	out_end(o);
 *
 * In text mode a call prints fmt with its value right away (fmt may be NULL
 * to print nothing).  In JSON mode it adds key: value to the object or array
 * being built, and out_end() prints the whole document, so a command that
 * fails halfway prints nothing half-formed.  The kind says which formats a
 * call is for: OUT_ANY both, OUT_TEXT or OUT_JSON only one (for text that
 * has no JSON counterpart, or JSON keys with nothing to show a person).
 *
 * A format takes exactly one conversion, of the value's type: "%s" for
 * out_str, out_null and out_bool (which prints "yes" or "no"), PRIu64 and
 * PRId64 for out_uint and out_int.
 *
 * JSON keys are stable API: snake_case, never renamed, only added.
 * Calls never fail: a JSON object that cannot be allocated is dropped and
 * out_end() reports -ENOMEM.
 */
#ifndef PCC_OUTPUT_H
#define PCC_OUTPUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "log.h"

enum out_kind {
	OUT_ANY,
	OUT_TEXT,
	OUT_JSON,
};

#define OUT_F_JSON	(1U << 0)	/* JSON instead of text */
#define OUT_F_PRETTY	(1U << 1)	/* indented JSON */
#define OUT_F_ARRAY	(1U << 2)	/* the JSON document is an array */

struct out;

/* NULL (errno ENOMEM) on allocation failure. */
struct out *out_new(FILE *fp, unsigned int flags);
bool out_is_json(const struct out *o);

/*
 * Finish: in JSON mode print the document and a newline.  Frees o (NULL-safe).
 * Returns 0, -ENOMEM if part of the document was lost, -EIO if writing failed.
 */
int out_end(struct out *o);

/*
 * Nesting, in JSON only (text layout is up to the formats).  key is the
 * member name inside an object and ignored inside an array.
 */
void out_open_object(struct out *o, const char *key);
void out_close_object(struct out *o);
void out_open_array(struct out *o, const char *key);
void out_close_array(struct out *o);

void out_str(struct out *o, enum out_kind kind, const char *key,
	     const char *fmt, const char *val);
void out_uint(struct out *o, enum out_kind kind, const char *key,
	      const char *fmt, uint64_t val);
void out_int(struct out *o, enum out_kind kind, const char *key,
	     const char *fmt, int64_t val);
/* fmt takes a double ("%.1f"); JSON gets the full value. */
void out_double(struct out *o, enum out_kind kind, const char *key,
		const char *fmt, double val);
void out_bool(struct out *o, enum out_kind kind, const char *key,
	      const char *fmt, bool val);
/* JSON null; in text mode prints fmt with the string text (a reason). */
void out_null(struct out *o, enum out_kind kind, const char *key,
	      const char *fmt, const char *text);

/* Free text, text mode only. */
void out_text(struct out *o, const char *fmt, ...) PCC_PRINTF(2, 3);

#endif /* PCC_OUTPUT_H */
