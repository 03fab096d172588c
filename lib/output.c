// SPDX-License-Identifier: GPL-2.0-only
/*
 * output.c - text and JSON printing behind one set of calls.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "output.h"

/* The formats come from the callers, one conversion each, by contract. */
#pragma GCC diagnostic ignored "-Wformat-nonliteral"

/* Deep enough for any document pcc prints; deeper opens are dropped. */
#define OUT_MAX_DEPTH	16

struct out {
	FILE *fp;
	unsigned int flags;
	int depth;			/* index of the innermost container */
	int lost;			/* an allocation failed or depth overflowed */
	int skipped;			/* opens dropped past OUT_MAX_DEPTH */
	struct json_object *stack[OUT_MAX_DEPTH];
};

struct out *out_new(FILE *fp, unsigned int flags)
{
	struct out *o = calloc(1, sizeof(*o));

	if (!o) {
		errno = ENOMEM;
		return NULL;
	}
	o->fp = fp;
	o->flags = flags;
	if (flags & OUT_F_JSON) {
		o->stack[0] = (flags & OUT_F_ARRAY) ?
			      json_object_new_array() :
			      json_object_new_object();
		if (!o->stack[0]) {
			free(o);
			errno = ENOMEM;
			return NULL;
		}
	}
	return o;
}

bool out_is_json(const struct out *o)
{
	return o->flags & OUT_F_JSON;
}

int out_end(struct out *o)
{
	int flags = JSON_C_TO_STRING_NOSLASHESCAPE;
	int err = 0;

	if (!o)
		return 0;
	if (out_is_json(o)) {
		flags |= (o->flags & OUT_F_PRETTY) ? JSON_C_TO_STRING_PRETTY
						   : JSON_C_TO_STRING_PLAIN;
		fprintf(o->fp, "%s\n",
			json_object_to_json_string_ext(o->stack[0], flags));
		json_object_put(o->stack[0]);
		if (o->lost)
			err = -ENOMEM;
	}
	if (fflush(o->fp) == EOF || ferror(o->fp))
		err = -EIO;
	free(o);
	return err;
}

/*
 * Give val (a reference we own; NULL is JSON null) to the innermost
 * container.  False if it was dropped.
 */
static bool add(struct out *o, const char *key, struct json_object *val)
{
	struct json_object *top = o->stack[o->depth];
	int err;

	if (o->skipped) {
		json_object_put(val);
		return false;
	}
	if (json_object_is_type(top, json_type_array))
		err = json_object_array_add(top, val);
	else
		err = key ? json_object_object_add(top, key, val) : -1;
	if (err < 0) {
		json_object_put(val);
		o->lost = 1;
		return false;
	}
	return true;
}

static bool want_json(const struct out *o, enum out_kind kind)
{
	return out_is_json(o) && kind != OUT_TEXT;
}

static bool want_text(const struct out *o, enum out_kind kind)
{
	return !out_is_json(o) && kind != OUT_JSON;
}

static void open_container(struct out *o, const char *key,
			   struct json_object *c)
{
	if (!c) {
		o->lost = 1;
		o->skipped++;
		return;
	}
	if (o->skipped || o->depth + 1 >= OUT_MAX_DEPTH) {
		json_object_put(c);
		o->lost = 1;
		o->skipped++;
		return;
	}
	/* The parent holds the only reference; the stack borrows it. */
	if (!add(o, key, c)) {
		o->skipped++;
		return;
	}
	o->stack[++o->depth] = c;
}

static void close_container(struct out *o)
{
	if (o->skipped)
		o->skipped--;
	else if (o->depth > 0)
		o->depth--;
}

void out_open_object(struct out *o, const char *key)
{
	if (out_is_json(o))
		open_container(o, key, json_object_new_object());
}

void out_close_object(struct out *o)
{
	if (out_is_json(o))
		close_container(o);
}

void out_open_array(struct out *o, const char *key)
{
	if (out_is_json(o))
		open_container(o, key, json_object_new_array());
}

void out_close_array(struct out *o)
{
	if (out_is_json(o))
		close_container(o);
}

/* A NULL from a json_object_new_*() is an allocation failure, not null. */
static void add_value(struct out *o, const char *key, struct json_object *v)
{
	if (!v) {
		o->lost = 1;
		return;
	}
	add(o, key, v);
}

void out_str(struct out *o, enum out_kind kind, const char *key,
	     const char *fmt, const char *val)
{
	if (want_json(o, kind))
		add_value(o, key, json_object_new_string(val));
	else if (want_text(o, kind) && fmt)
		fprintf(o->fp, fmt, val);
}

void out_uint(struct out *o, enum out_kind kind, const char *key,
	      const char *fmt, uint64_t val)
{
	if (want_json(o, kind))
		add_value(o, key, json_object_new_uint64(val));
	else if (want_text(o, kind) && fmt)
		fprintf(o->fp, fmt, val);
}

void out_int(struct out *o, enum out_kind kind, const char *key,
	     const char *fmt, int64_t val)
{
	if (want_json(o, kind))
		add_value(o, key, json_object_new_int64(val));
	else if (want_text(o, kind) && fmt)
		fprintf(o->fp, fmt, val);
}

void out_double(struct out *o, enum out_kind kind, const char *key,
		const char *fmt, double val)
{
	char text[32];

	/*
	 * json-c writes a double with 17 digits (0.08217785 comes out as
	 * 0.082177849999999997); 15 are all a double holds exactly.
	 */
	snprintf(text, sizeof(text), "%.15g", val);
	/* Still a float to a reader: 3.0, not 3. */
	if (!strpbrk(text, ".eEin"))
		strcat(text, ".0");
	if (want_json(o, kind))
		add_value(o, key, json_object_new_double_s(val, text));
	else if (want_text(o, kind) && fmt)
		fprintf(o->fp, fmt, val);
}

void out_bool(struct out *o, enum out_kind kind, const char *key,
	      const char *fmt, bool val)
{
	if (want_json(o, kind))
		add_value(o, key, json_object_new_boolean(val));
	else if (want_text(o, kind) && fmt)
		fprintf(o->fp, fmt, val ? "yes" : "no");
}

void out_null(struct out *o, enum out_kind kind, const char *key,
	      const char *fmt, const char *text)
{
	if (want_json(o, kind))
		add(o, key, NULL);
	else if (want_text(o, kind) && fmt)
		fprintf(o->fp, fmt, text);
}

void out_text(struct out *o, const char *fmt, ...)
{
	va_list ap;

	if (out_is_json(o))
		return;
	va_start(ap, fmt);
	vfprintf(o->fp, fmt, ap);
	va_end(ap);
}
