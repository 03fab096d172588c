// SPDX-License-Identifier: GPL-2.0-only
/*
 * conf.c - load pcc.yaml with libyaml's document API and check every node.
 *
 * The whole file is composed into a node tree first, then walked; each
 * mapping is checked against a table of the keys it may hold, so unknown,
 * duplicate and missing keys are all caught in one place.
 *
 * pcc_conf_save() writes the same keys back with libyaml's emitter (events,
 * not text, so every value is quoted as YAML needs) and checks the result
 * with the loader before it replaces the file.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/pcc.h>
#include <yaml.h>

#include "conf.h"
#include "rule.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

struct walk {
	const char *file;
	yaml_document_t *doc;
	struct pcc_config *conf;
	char *err;
	size_t errlen;
};

/* One key a mapping may hold; handlers return 0 or fail()'s -EINVAL. */
struct key {
	const char *name;
	int (*parse)(struct walk *w, const char *key, yaml_node_t *val,
		     void *obj);
};

static int fail_mark(struct walk *w, const yaml_mark_t *mark,
		     const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail_mark(struct walk *w, const yaml_mark_t *mark,
		     const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(w->err, w->errlen, "%s:%zu:%zu: ", w->file,
		     mark->line + 1, mark->column + 1);
	if (n < 0 || (size_t)n >= w->errlen)
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(w->err + n, w->errlen - n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

#define fail(w, node, ...) fail_mark(w, &(node)->start_mark, __VA_ARGS__)

static yaml_node_t *node(struct walk *w, int index)
{
	return yaml_document_get_node(w->doc, index);
}

static const char *kind(const yaml_node_t *n)
{
	switch (n->type) {
	case YAML_SCALAR_NODE:		return "a scalar";
	case YAML_SEQUENCE_NODE:	return "a sequence";
	case YAML_MAPPING_NODE:		return "a mapping";
	default:			return "nothing";
	}
}

static const char *text(const yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

/* `key:` with nothing after it, or an explicit null. */
static bool is_null(const yaml_node_t *n)
{
	static const char *const nulls[] = { "", "~", "null", "Null", "NULL" };
	size_t i;

	if (n->type != YAML_SCALAR_NODE ||
	    n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	for (i = 0; i < ARRAY_SIZE(nulls); i++)
		if (!strcmp(text(n), nulls[i]))
			return true;
	return false;
}

static int walk_mapping(struct walk *w, yaml_node_t *map, const char *what,
			const struct key *keys, size_t nkeys, void *obj,
			unsigned int *seen)
{
	yaml_node_pair_t *pair;
	char known[256];
	size_t i;
	int err;

	*seen = 0;
	for (pair = map->data.mapping.pairs.start;
	     pair < map->data.mapping.pairs.top; pair++) {
		yaml_node_t *k = node(w, pair->key), *v = node(w, pair->value);

		if (k->type != YAML_SCALAR_NODE)
			return fail(w, k, "a key must be a scalar, not %s",
				    kind(k));
		for (i = 0; i < nkeys; i++)
			if (!strcmp(text(k), keys[i].name))
				break;
		if (i == nkeys) {
			known[0] = '\0';
			for (i = 0; i < nkeys; i++) {
				strncat(known, i ? ", " : "",
					sizeof(known) - strlen(known) - 1);
				strncat(known, keys[i].name,
					sizeof(known) - strlen(known) - 1);
			}
			return fail(w, k, "unknown key \"%s\" in %s (known: %s)",
				    text(k), what, known);
		}
		if (*seen & (1U << i))
			return fail(w, k, "duplicate key \"%s\" in %s",
				    text(k), what);
		*seen |= 1U << i;
		err = keys[i].parse(w, keys[i].name, v, obj);
		if (err)
			return err;
	}
	return 0;
}

static int require(struct walk *w, yaml_node_t *map, const char *what,
		   const struct key *keys, unsigned int seen,
		   unsigned int required)
{
	size_t i;

	for (i = 0; required >> i; i++)
		if ((required & (1U << i)) && !(seen & (1U << i)))
			return fail(w, map, "missing key \"%s\" in %s",
				    keys[i].name, what);
	return 0;
}

/* The value of key in map, which has it. */
static yaml_node_t *value_of(struct walk *w, yaml_node_t *map, const char *key)
{
	yaml_node_pair_t *pair;

	for (pair = map->data.mapping.pairs.start;
	     pair < map->data.mapping.pairs.top; pair++)
		if (!strcmp(text(node(w, pair->key)), key))
			return node(w, pair->value);
	return map;
}

/*
 * A sequence (or null, for none) whose items parse_item reads into obj.
 * key names the sequence in messages.
 */
static int walk_sequence(struct walk *w, const char *key, yaml_node_t *val,
			 int (*parse_item)(struct walk *w, yaml_node_t *item,
					   void *obj),
			 void *obj)
{
	yaml_node_item_t *item;
	int err;

	if (is_null(val))
		return 0;
	if (val->type != YAML_SEQUENCE_NODE)
		return fail(w, val, "\"%s\" must be a sequence, not %s", key,
			    kind(val));
	for (item = val->data.sequence.items.start;
	     item < val->data.sequence.items.top; item++) {
		err = parse_item(w, node(w, *item), obj);
		if (err)
			return err;
	}
	return 0;
}

/* A decimal number in [min, max], optionally followed by '%'. */
static bool parse_uint(const char *s, bool percent, unsigned long min,
		       unsigned long max, unsigned long *out)
{
	unsigned long v = 0;
	const char *p;

	if (*s < '0' || *s > '9')
		return false;
	for (p = s; *p >= '0' && *p <= '9'; p++) {
		if (v > (max - (unsigned long)(*p - '0')) / 10)
			return false;
		v = v * 10 + (unsigned long)(*p - '0');
	}
	if (percent && *p == '%')
		p++;
	if (*p || v < min)
		return false;
	*out = v;
	return true;
}

static int get_path(struct walk *w, const char *key, yaml_node_t *val,
		    char **out)
{
	size_t len;

	if (val->type != YAML_SCALAR_NODE)
		return fail(w, val, "\"%s\" must be a path, not %s", key,
			    kind(val));
	if (is_null(val) || !*text(val))
		return fail(w, val, "\"%s\" must be an absolute path, not empty",
			    key);
	if (text(val)[0] != '/')
		return fail(w, val, "\"%s\" must be an absolute path, not \"%s\"",
			    key, text(val));
	*out = strdup(text(val));
	if (!*out)
		return -ENOMEM;
	/* "/a/b/" and "/a/b" are the same directory. */
	len = strlen(*out);
	while (len > 1 && (*out)[len - 1] == '/')
		(*out)[--len] = '\0';
	return 0;
}

/* --- capacity ------------------------------------------------------------- */

static int parse_percent(struct walk *w, const char *key, yaml_node_t *val,
			 unsigned int *out)
{
	unsigned long v;

	if (val->type != YAML_SCALAR_NODE)
		return fail(w, val, "\"%s\" must be a percentage, not %s", key,
			    kind(val));
	if (!parse_uint(text(val), true, 0, 100, &v))
		return fail(w, val,
			    "\"%s\" must be a percentage from 0%% to 100%%, not \"%s\"",
			    key, text(val));
	*out = (unsigned int)v;
	return 0;
}

static int cap_high(struct walk *w, const char *key, yaml_node_t *val,
		    void *obj)
{
	struct pcc_conf_dataset *ds = obj;

	ds->flags |= PCC_DS_HAS_CAP_HIGH;
	return parse_percent(w, key, val, &ds->capacity_high);
}

static int cap_low(struct walk *w, const char *key, yaml_node_t *val,
		   void *obj)
{
	struct pcc_conf_dataset *ds = obj;

	ds->flags |= PCC_DS_HAS_CAP_LOW;
	return parse_percent(w, key, val, &ds->capacity_low);
}

static const char size_suffixes[] = "KMGT";

int pcc_conf_parse_size(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	const char *p, *suffix;
	unsigned int shift = 0;

	if (*s < '0' || *s > '9')
		return 0;
	for (p = s; *p >= '0' && *p <= '9'; p++) {
		if (v > (UINT64_MAX - (uint64_t)(*p - '0')) / 10)
			return 0;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	if (*p) {
		suffix = strchr(size_suffixes, *p >= 'a' ? *p - 'a' + 'A' : *p);
		if (!suffix || p[1])
			return 0;
		shift = 10 * (unsigned int)(suffix - size_suffixes + 1);
		if (v > (UINT64_MAX >> shift))
			return 0;
	}
	*out = v << shift;
	return 1;
}

void pcc_conf_format_size(uint64_t n, char *buf, size_t len)
{
	int i = 0;

	while (n && i < 4 && !(n & 1023)) {
		n >>= 10;
		i++;
	}
	snprintf(buf, len, "%llu%.*s", (unsigned long long)n, i ? 1 : 0,
		 i ? &size_suffixes[i - 1] : "");
}

/* A size (pcc_conf_parse_size()) of at least min. */
static int parse_size(struct walk *w, const char *key, yaml_node_t *val,
		      uint64_t min, uint64_t *out)
{
	if (val->type != YAML_SCALAR_NODE)
		return fail(w, val, "\"%s\" must be a size, not %s", key,
			    kind(val));
	if (!pcc_conf_parse_size(text(val), out) || *out < min)
		return fail(w, val,
			    "\"%s\" must be a size of at least %llu, in bytes or with K, M, G or T (1024^n), not \"%s\"",
			    key, (unsigned long long)min, text(val));
	return 0;
}

static int cap_max_bytes(struct walk *w, const char *key, yaml_node_t *val,
			 void *obj)
{
	struct pcc_conf_dataset *ds = obj;

	ds->flags |= PCC_DS_HAS_MAX_BYTES;
	return parse_size(w, key, val, 1, &ds->max_bytes);
}

static int cap_max_files(struct walk *w, const char *key, yaml_node_t *val,
			 void *obj)
{
	struct pcc_conf_dataset *ds = obj;
	unsigned long v;

	if (val->type != YAML_SCALAR_NODE ||
	    !parse_uint(text(val), false, 1, ULONG_MAX, &v))
		return fail(w, val,
			    "\"%s\" must be a number of files from 1, not %s%s%s",
			    key, val->type == YAML_SCALAR_NODE ? "\"" : "",
			    val->type == YAML_SCALAR_NODE ? text(val) : kind(val),
			    val->type == YAML_SCALAR_NODE ? "\"" : "");
	ds->flags |= PCC_DS_HAS_MAX_FILES;
	ds->max_files = v;
	return 0;
}

static int cap_min_free(struct walk *w, const char *key, yaml_node_t *val,
			void *obj)
{
	struct pcc_conf_dataset *ds = obj;

	ds->flags |= PCC_DS_HAS_MIN_FREE;
	return parse_size(w, key, val, 0, &ds->min_free);
}

static const struct key capacity_keys[] = {
	{ "high", cap_high },
	{ "low", cap_low },
	{ "max_bytes", cap_max_bytes },
	{ "max_files", cap_max_files },
	{ "min_free", cap_min_free },
};

/* --- dataset -------------------------------------------------------------- */

static int ds_path(struct walk *w, const char *key, yaml_node_t *val,
		   void *obj)
{
	struct pcc_conf_dataset *ds = obj, *d;
	struct pcc_conf_mount *m;
	int err;

	err = get_path(w, key, val, &ds->path);
	if (err)
		return err;
	/* Two datasets sharing a cache directory would evict each other. */
	for (m = w->conf->mounts; m; m = m->next)
		for (d = m->datasets; d; d = d->next)
			if (d != ds && d->path && !strcmp(d->path, ds->path))
				return fail(w, val,
					    "duplicate dataset path \"%s\" (first at line %u)",
					    ds->path, d->line);
	return 0;
}

static int parse_id(struct walk *w, const char *key, yaml_node_t *val,
		    uint32_t *out)
{
	unsigned long v;

	if (val->type != YAML_SCALAR_NODE)
		return fail(w, val, "\"%s\" must be an integer, not %s", key,
			    kind(val));
	/* The module's dataset ids are 1..PCC_DS_ID_MAX. */
	if (!parse_uint(text(val), false, 1, PCC_DS_ID_MAX, &v))
		return fail(w, val,
			    "\"%s\" must be an integer from 1 to %u, not \"%s\"",
			    key, PCC_DS_ID_MAX, text(val));
	*out = (uint32_t)v;
	return 0;
}

static int ds_roid(struct walk *w, const char *key, yaml_node_t *val,
		   void *obj)
{
	struct pcc_conf_dataset *ds = obj;

	ds->flags |= PCC_DS_HAS_ROID;
	return parse_id(w, key, val, &ds->roid);
}

static int ds_rwid(struct walk *w, const char *key, yaml_node_t *val,
		   void *obj)
{
	struct pcc_conf_dataset *ds = obj;

	ds->flags |= PCC_DS_HAS_RWID;
	return parse_id(w, key, val, &ds->rwid);
}

static const struct {
	const char *name;
	unsigned int mode;
} modes[] = {
	{ "ro", PCC_MODE_RO },
	{ "rw", PCC_MODE_RW },
	{ "rw+ro", PCC_MODE_RWRO },
};

const char *pcc_conf_mode_name(unsigned int mode)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(modes); i++)
		if (modes[i].mode == mode)
			return modes[i].name;
	return "?";
}

static int ds_mode(struct walk *w, const char *key, yaml_node_t *val,
		   void *obj)
{
	struct pcc_conf_dataset *ds = obj;
	size_t i;

	if (val->type == YAML_SCALAR_NODE)
		for (i = 0; i < ARRAY_SIZE(modes); i++)
			if (!strcmp(text(val), modes[i].name)) {
				ds->mode = modes[i].mode;
				ds->flags |= PCC_DS_HAS_MODE;
				return 0;
			}
	if (val->type != YAML_SCALAR_NODE)
		return fail(w, val, "\"%s\" must be ro, rw or rw+ro, not %s",
			    key, kind(val));
	return fail(w, val, "\"%s\" must be ro, rw or rw+ro, not \"%s\"", key,
		    text(val));
}

/*
 * Where column (1-based, in the rule's text) is in the file, counted from
 * the scalar's start: exact when the scalar is on one line and holds the
 * text as written (plain, or quoted with no escape); otherwise the
 * scalar's start.  libyaml counts columns in characters, the rule in
 * bytes: a rule with multibyte characters before the fault also falls
 * back to the start, as its length does not match.
 */
static size_t rule_offset(const yaml_node_t *val, unsigned int column)
{
	const yaml_mark_t *s = &val->start_mark, *e = &val->end_mark;
	size_t quotes, len = val->data.scalar.length;

	switch (val->data.scalar.style) {
	case YAML_PLAIN_SCALAR_STYLE:
		quotes = 0;
		break;
	case YAML_SINGLE_QUOTED_SCALAR_STYLE:
	case YAML_DOUBLE_QUOTED_SCALAR_STYLE:
		quotes = 2;
		break;
	default:
		return 0;
	}
	if (s->line != e->line || e->column - s->column != len + quotes ||
	    !column)
		return 0;
	return column - 1 + quotes / 2;
}

static int ds_rule(struct walk *w, const char *key, yaml_node_t *val,
		   void *obj)
{
	struct pcc_conf_dataset *ds = obj;
	struct pcc_parse_error perr;
	struct pcc_rule *rule;
	int ret;

	if (val->type != YAML_SCALAR_NODE)
		return fail(w, val, "\"%s\" must be a string, not %s", key,
			    kind(val));
	if (is_null(val) || !*text(val))
		return fail(w, val, "\"%s\" must not be empty", key);
	/* The module keeps the text as well (PCC_A_DS_RULE_TEXT). */
	if (strlen(text(val)) >= PCC_RULE_TEXT_MAX)
		return fail(w, val, "\"%s\" is longer than %d bytes", key,
			    PCC_RULE_TEXT_MAX - 1);
	/* Checked now, so that a bad rule fails the file, not its use. */
	ret = pcc_rule_parse(text(val), &rule, &perr);
	if (ret == -EINVAL) {
		yaml_mark_t mark = val->start_mark;

		mark.column += rule_offset(val, perr.column);
		return fail_mark(w, &mark, "\"%s\": %s", key, perr.msg);
	}
	if (ret)
		return ret;
	pcc_rule_free(rule);
	/* Kept as written, for display and for rewriting the file. */
	ds->rule = strdup(text(val));
	if (!ds->rule)
		return -ENOMEM;
	ds->flags |= PCC_DS_HAS_RULE;
	return 0;
}

static const struct {
	const char *name;
	unsigned int bit;
} attach_names[] = {
	{ "open", PCC_ATTACH_OPEN },
	{ "stat", PCC_ATTACH_STAT },
	{ "io", PCC_ATTACH_IO },
};

static int ds_attach(struct walk *w, const char *key, yaml_node_t *val,
		     void *obj)
{
	struct pcc_conf_dataset *ds = obj;
	yaml_node_item_t *item;
	size_t i;

	if (val->type != YAML_SEQUENCE_NODE)
		return fail(w, val, "\"%s\" must be a sequence, not %s", key,
			    kind(val));
	ds->attach = 0;
	for (item = val->data.sequence.items.start;
	     item < val->data.sequence.items.top; item++) {
		yaml_node_t *v = node(w, *item);

		for (i = 0; i < ARRAY_SIZE(attach_names); i++)
			if (v->type == YAML_SCALAR_NODE &&
			    !strcmp(text(v), attach_names[i].name))
				break;
		if (v->type != YAML_SCALAR_NODE)
			return fail(w, v, "\"%s\" values must be open, stat or io, not %s",
				    key, kind(v));
		if (i == ARRAY_SIZE(attach_names))
			return fail(w, v, "\"%s\" values must be open, stat or io, not \"%s\"",
				    key, text(v));
		if (ds->attach & attach_names[i].bit)
			return fail(w, v, "duplicate \"%s\" value \"%s\"", key,
				    text(v));
		ds->attach |= attach_names[i].bit;
	}
	ds->flags |= PCC_DS_HAS_ATTACH;
	return 0;
}

static int ds_capacity(struct walk *w, const char *key, yaml_node_t *val,
		       void *obj)
{
	struct pcc_conf_dataset *ds = obj;
	unsigned int seen;
	int err;

	if (val->type != YAML_MAPPING_NODE)
		return fail(w, val, "\"%s\" must be a mapping, not %s", key,
			    kind(val));
	err = walk_mapping(w, val, "capacity", capacity_keys,
			   ARRAY_SIZE(capacity_keys), ds, &seen);
	if (err)
		return err;
	/* Either may be left out (its default), not the order. */
	if (ds->capacity_low >= ds->capacity_high)
		return fail(w, value_of(w, val, (seen & 2) ? "low" : "high"),
			    "capacity \"low\" (%u%%) must be below \"high\" (%u%%)",
			    ds->capacity_low, ds->capacity_high);
	ds->flags |= PCC_DS_HAS_CAPACITY;
	return 0;
}

/* apply.c hands these to the module as they are. */
_Static_assert(PCC_WRITEBACK_CLOSE == PCC_DS_WB_CLOSE &&
	       PCC_WRITEBACK_LAZY == PCC_DS_WB_LAZY &&
	       PCC_WB_INTERVAL_MAX == PCC_DS_WB_INTERVAL_MAX &&
	       PCC_DEFAULT_WB_INTERVAL == PCC_DS_WB_INTERVAL_DEFAULT,
	       "pcc.yaml's write-back values are not the module's");

static const char *const writeback_names[] = {
	[PCC_WRITEBACK_CLOSE] = "close",
	[PCC_WRITEBACK_LAZY] = "lazy",
};

const char *pcc_conf_writeback_name(unsigned int writeback)
{
	return writeback < ARRAY_SIZE(writeback_names) ?
	       writeback_names[writeback] : "?";
}

static int ds_writeback(struct walk *w, const char *key, yaml_node_t *val,
			void *obj)
{
	struct pcc_conf_dataset *ds = obj;
	size_t i;

	if (val->type != YAML_SCALAR_NODE)
		return fail(w, val, "\"%s\" must be close or lazy, not %s", key,
			    kind(val));
	for (i = 0; i < ARRAY_SIZE(writeback_names); i++)
		if (!strcmp(text(val), writeback_names[i])) {
			ds->writeback = (unsigned int)i;
			ds->flags |= PCC_DS_HAS_WRITEBACK;
			return 0;
		}
	return fail(w, val, "\"%s\" must be close or lazy, not \"%s\"", key,
		    text(val));
}

static int ds_wb_interval(struct walk *w, const char *key, yaml_node_t *val,
			  void *obj)
{
	struct pcc_conf_dataset *ds = obj;
	unsigned long v;

	if (val->type != YAML_SCALAR_NODE)
		return fail(w, val, "\"%s\" must be a number of seconds, not %s",
			    key, kind(val));
	/* Plain seconds, as metrics' interval: no unit to get wrong. */
	if (!parse_uint(text(val), false, 1, PCC_WB_INTERVAL_MAX, &v))
		return fail(w, val,
			    "\"%s\" must be a number of seconds from 1 to %u, not \"%s\"",
			    key, PCC_WB_INTERVAL_MAX, text(val));
	ds->wb_interval = (uint32_t)v;
	ds->flags |= PCC_DS_HAS_WB_INTERVAL;
	return 0;
}

static const struct key dataset_keys[] = {
	{ "path", ds_path },		/* required: bit 0 */
	{ "roid", ds_roid },
	{ "rwid", ds_rwid },
	{ "mode", ds_mode },
	{ "rule", ds_rule },
	{ "attach", ds_attach },
	{ "writeback", ds_writeback },
	{ "writeback_interval", ds_wb_interval },
	{ "capacity", ds_capacity },
};

/*
 * The write-back keys, once the whole dataset is read (mode may come after
 * them).  The module refuses a write-back policy for a dataset without
 * read-write copies, and an interval means something to lazy write-back
 * only: a key that would do nothing is a mistake to point at, not to
 * keep.
 */
static int check_writeback(struct walk *w, yaml_node_t *n,
			   const struct pcc_conf_dataset *ds)
{
	const char *key = ds->flags & PCC_DS_HAS_WRITEBACK ? "writeback" :
			  "writeback_interval";

	if (!(ds->flags & (PCC_DS_HAS_WRITEBACK | PCC_DS_HAS_WB_INTERVAL)))
		return 0;
	if (!(ds->mode & PCC_MODE_RW))
		return fail(w, value_of(w, n, key),
			    "\"%s\" is for read-write datasets only (mode rw or rw+ro), not mode %s",
			    key, pcc_conf_mode_name(ds->mode));
	if ((ds->flags & PCC_DS_HAS_WB_INTERVAL) &&
	    ds->writeback != PCC_WRITEBACK_LAZY)
		return fail(w, value_of(w, n, "writeback_interval"),
			    "\"writeback_interval\" needs \"writeback: lazy\"%s",
			    ds->flags & PCC_DS_HAS_WRITEBACK ?
			    ", not close" : "");
	return 0;
}

/* --- mount ---------------------------------------------------------------- */

/* One dataset of mount obj, appended to its list. */
/*
 * The module knows a dataset by one id (pcc_conf_dataset_id()), unique in
 * its mount: without one it cannot be added, and two datasets with the
 * same id would replace each other in the module at every apply.
 */
static int check_ids(struct walk *w, yaml_node_t *n,
		     const struct pcc_conf_mount *m,
		     const struct pcc_conf_dataset *ds)
{
	const struct pcc_conf_dataset *d;

	if (!(ds->flags & (PCC_DS_HAS_ROID | PCC_DS_HAS_RWID)))
		return fail(w, n, "a dataset needs an id: roid (or rwid)");
	for (d = m->datasets; d != ds; d = d->next) {
		if ((ds->roid && (d->roid == ds->roid || d->rwid == ds->roid)) ||
		    (ds->rwid && (d->roid == ds->rwid || d->rwid == ds->rwid)))
			return fail(w, n,
				    "dataset id %u is used by the dataset at line %u of this mount",
				    ds->roid && (d->roid == ds->roid ||
						 d->rwid == ds->roid)
				    ? ds->roid : ds->rwid, d->line);
	}
	return 0;
}

static int parse_dataset(struct walk *w, yaml_node_t *n, void *obj)
{
	struct pcc_conf_mount *m = obj;
	struct pcc_conf_dataset *ds, **tail;
	unsigned int seen;
	int err;

	if (n->type != YAML_MAPPING_NODE)
		return fail(w, n, "a dataset must be a mapping, not %s", kind(n));
	ds = calloc(1, sizeof(*ds));
	if (!ds)
		return -ENOMEM;
	/* Linked in first, so a failure below frees it with the rest. */
	for (tail = &m->datasets; *tail; tail = &(*tail)->next)
		;
	*tail = ds;
	ds->line = n->start_mark.line + 1;
	ds->mode = PCC_DEFAULT_MODE;
	ds->attach = PCC_DEFAULT_ATTACH;
	ds->capacity_high = PCC_DEFAULT_CAPACITY_HIGH;
	ds->capacity_low = PCC_DEFAULT_CAPACITY_LOW;
	ds->writeback = PCC_DEFAULT_WRITEBACK;
	ds->wb_interval = PCC_DEFAULT_WB_INTERVAL;
	err = walk_mapping(w, n, "a dataset", dataset_keys,
			   ARRAY_SIZE(dataset_keys), ds, &seen);
	if (!err)
		err = require(w, n, "a dataset", dataset_keys, seen, 0x1);
	if (!err)
		err = check_ids(w, n, m, ds);
	if (!err)
		err = check_writeback(w, n, ds);
	return err;
}

static int mnt_datasets(struct walk *w, const char *key, yaml_node_t *val,
			void *obj)
{
	return walk_sequence(w, key, val, parse_dataset, obj);
}

static int mnt_path(struct walk *w, const char *key, yaml_node_t *val,
		    void *obj)
{
	struct pcc_conf_mount *m = obj, *o;
	int err;

	err = get_path(w, key, val, &m->path);
	if (err)
		return err;
	for (o = w->conf->mounts; o; o = o->next)
		if (o != m && o->path && !strcmp(o->path, m->path))
			return fail(w, val,
				    "duplicate mount path \"%s\" (first at line %u)",
				    m->path, o->line);
	return 0;
}

static int mnt_lower(struct walk *w, const char *key, yaml_node_t *val,
		     void *obj)
{
	return get_path(w, key, val, &((struct pcc_conf_mount *)obj)->lower);
}

static const struct key mount_keys[] = {
	{ "path", mnt_path },		/* required: bit 0 */
	{ "lower", mnt_lower },		/* required: bit 1 */
	{ "datasets", mnt_datasets },
};

/* One mount, appended to the configuration's list. */
static int parse_mount(struct walk *w, yaml_node_t *n, void *obj)
{
	struct pcc_conf_mount *m, **tail;
	unsigned int seen;
	int err;

	if (n->type != YAML_MAPPING_NODE)
		return fail(w, n, "a mount must be a mapping, not %s", kind(n));
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	for (tail = &w->conf->mounts; *tail; tail = &(*tail)->next)
		;
	*tail = m;
	m->line = n->start_mark.line + 1;
	err = walk_mapping(w, n, "a mount", mount_keys, ARRAY_SIZE(mount_keys),
			   m, &seen);
	if (!err)
		err = require(w, n, "a mount", mount_keys, seen, 0x3);
	return err;
}

/* --- metrics -------------------------------------------------------------- */

static int met_textfile(struct walk *w, const char *key, yaml_node_t *val,
			void *obj)
{
	struct pcc_conf_metrics *mt = obj;
	int err;

	err = get_path(w, key, val, &mt->textfile);
	if (err)
		return err;
	/* get_path() took the trailing slashes: "/" is all that is left. */
	if (!strcmp(mt->textfile, "/") || text(val)[strlen(text(val)) - 1] == '/')
		return fail(w, val, "\"%s\" must name a file, not a directory",
			    key);
	return 0;
}

static int met_interval(struct walk *w, const char *key, yaml_node_t *val,
			void *obj)
{
	struct pcc_conf_metrics *mt = obj;
	unsigned long v;

	if (val->type != YAML_SCALAR_NODE)
		return fail(w, val, "\"%s\" must be a number of seconds, not %s",
			    key, kind(val));
	if (!parse_uint(text(val), false, 1, PCC_METRICS_INTERVAL_MAX, &v))
		return fail(w, val,
			    "\"%s\" must be a number of seconds from 1 to %u, not \"%s\"",
			    key, PCC_METRICS_INTERVAL_MAX, text(val));
	mt->interval = (unsigned int)v;
	mt->has_interval = true;
	return 0;
}

static const struct key metrics_keys[] = {
	{ "textfile", met_textfile },	/* required: bit 0 */
	{ "interval", met_interval },
};

static int top_metrics(struct walk *w, const char *key, yaml_node_t *val,
		       void *obj)
{
	unsigned int seen;
	int err;

	(void)obj;
	if (val->type != YAML_MAPPING_NODE)
		return fail(w, val, "\"%s\" must be a mapping, not %s", key,
			    kind(val));
	err = walk_mapping(w, val, "metrics", metrics_keys,
			   ARRAY_SIZE(metrics_keys), &w->conf->metrics, &seen);
	if (!err)
		err = require(w, val, "metrics", metrics_keys, seen, 0x1);
	return err;
}

/* --- top level ------------------------------------------------------------ */

static int top_mounts(struct walk *w, const char *key, yaml_node_t *val,
		      void *obj)
{
	return walk_sequence(w, key, val, parse_mount, NULL);
}

static const struct key top_keys[] = {
	{ "mounts", top_mounts },
	{ "metrics", top_metrics },
};

static int walk_document(struct walk *w)
{
	yaml_node_t *root = yaml_document_get_root_node(w->doc);
	unsigned int seen;

	if (!root || is_null(root))
		return 0;
	if (root->type != YAML_MAPPING_NODE)
		return fail(w, root, "the top level must be a mapping, not %s",
			    kind(root));
	return walk_mapping(w, root, "the top level", top_keys,
			    ARRAY_SIZE(top_keys), NULL, &seen);
}

/*
 * The reader fails on bytes (bad encoding) before it knows about lines:
 * find the line and column of byte offset in fp.
 */
static void offset_mark(FILE *fp, size_t offset, yaml_mark_t *mark)
{
	size_t i;
	int c;

	*mark = (yaml_mark_t){ 0 };
	rewind(fp);
	for (i = 0; i < offset && (c = getc(fp)) != EOF; i++) {
		if (c == '\n') {
			mark->line++;
			mark->column = 0;
		} else if ((c & 0xc0) != 0x80) {	/* not a continuation */
			mark->column++;
		}
	}
}

static int syntax_error(struct walk *w, yaml_parser_t *p, FILE *fp)
{
	const yaml_mark_t *pm = &p->problem_mark, *cm = &p->context_mark;
	yaml_mark_t mark;

	switch (p->error) {
	case YAML_MEMORY_ERROR:
		snprintf(w->err, w->errlen, "%s: out of memory", w->file);
		return -ENOMEM;
	case YAML_READER_ERROR:
		if (ferror(fp)) {
			snprintf(w->err, w->errlen, "%s: read error", w->file);
			return -EIO;
		}
		offset_mark(fp, p->problem_offset, &mark);
		return fail_mark(w, &mark, "%s", p->problem);
	default:
		break;
	}
	if (p->context && (cm->line != pm->line || cm->column != pm->column))
		return fail_mark(w, pm, "syntax error: %s (%s at %zu:%zu)",
				 p->problem, p->context, cm->line + 1,
				 cm->column + 1);
	if (p->context)
		return fail_mark(w, pm, "syntax error: %s %s", p->problem,
				 p->context);
	return fail_mark(w, pm, "syntax error: %s", p->problem);
}

static int load_stream(struct walk *w, FILE *fp)
{
	yaml_document_t doc, extra;
	yaml_parser_t parser;
	yaml_node_t *root;
	int err;

	if (!yaml_parser_initialize(&parser))
		return -ENOMEM;
	yaml_parser_set_input_file(&parser, fp);
	if (!yaml_parser_load(&parser, &doc)) {
		err = syntax_error(w, &parser, fp);
		goto out_parser;
	}
	w->doc = &doc;
	err = walk_document(w);
	if (err)
		goto out_doc;
	/* A second document would be silently ignored: refuse it. */
	if (!yaml_parser_load(&parser, &extra)) {
		err = syntax_error(w, &parser, fp);
		goto out_doc;
	}
	root = yaml_document_get_root_node(&extra);
	if (root)
		err = fail_mark(w, &extra.start_mark,
				"only one YAML document is allowed");
	yaml_document_delete(&extra);
out_doc:
	yaml_document_delete(&doc);
out_parser:
	yaml_parser_delete(&parser);
	return err;
}

int pcc_conf_load(const char *file, struct pcc_config **out, char *err,
		  size_t errlen)
{
	char scratch[1];
	struct walk w = {
		.file = file,
		.err = errlen ? err : scratch,
		.errlen = errlen ? errlen : sizeof(scratch),
	};
	struct stat st;
	FILE *fp;
	int ret;

	*out = NULL;
	w.err[0] = '\0';
	fp = fopen(file, "re");
	if (!fp) {
		ret = -errno;
		snprintf(w.err, w.errlen, "%s: %s", file, strerror(-ret));
		return ret;
	}
	ret = fstat(fileno(fp), &st) < 0 ? -errno : 0;
	if (!ret && S_ISDIR(st.st_mode))
		ret = -EISDIR;
	if (ret) {
		snprintf(w.err, w.errlen, "%s: %s", file, strerror(-ret));
		fclose(fp);
		return ret;
	}
	w.conf = calloc(1, sizeof(*w.conf));
	if (w.conf)
		w.conf->metrics.interval = PCC_DEFAULT_METRICS_INTERVAL;
	if (!w.conf || !(w.conf->file = strdup(file))) {
		ret = -ENOMEM;
		snprintf(w.err, w.errlen, "%s: %s", file, strerror(-ret));
		goto out;
	}
	ret = load_stream(&w, fp);
	if (ret == -ENOMEM && !w.err[0])
		snprintf(w.err, w.errlen, "%s: %s", file, strerror(-ret));
out:
	fclose(fp);
	if (ret) {
		pcc_conf_free(w.conf);
		return ret;
	}
	*out = w.conf;
	return 0;
}

void pcc_conf_free(struct pcc_config *conf)
{
	struct pcc_conf_mount *m, *mnext;
	struct pcc_conf_dataset *d, *dnext;

	if (!conf)
		return;
	for (m = conf->mounts; m; m = mnext) {
		mnext = m->next;
		for (d = m->datasets; d; d = dnext) {
			dnext = d->next;
			free(d->path);
			free(d->rule);
			free(d);
		}
		free(m->path);
		free(m->lower);
		free(m);
	}
	free(conf->metrics.textfile);
	free(conf->file);
	free(conf);
}

size_t pcc_conf_count_mounts(const struct pcc_config *conf)
{
	const struct pcc_conf_mount *m;
	size_t n = 0;

	for (m = conf->mounts; m; m = m->next)
		n++;
	return n;
}

size_t pcc_conf_count_datasets(const struct pcc_config *conf)
{
	const struct pcc_conf_mount *m;
	const struct pcc_conf_dataset *d;
	size_t n = 0;

	for (m = conf->mounts; m; m = m->next)
		for (d = m->datasets; d; d = d->next)
			n++;
	return n;
}

/* --- copies and comparisons ----------------------------------------------- */

void pcc_conf_dataset_free(struct pcc_conf_dataset *ds)
{
	if (!ds)
		return;
	free(ds->path);
	free(ds->rule);
	free(ds);
}

struct pcc_conf_dataset *pcc_conf_dataset_dup(const struct pcc_conf_dataset *ds)
{
	struct pcc_conf_dataset *d;

	d = malloc(sizeof(*d));
	if (!d)
		return NULL;
	*d = *ds;
	d->next = NULL;
	d->path = ds->path ? strdup(ds->path) : NULL;
	d->rule = ds->rule ? strdup(ds->rule) : NULL;
	if ((ds->path && !d->path) || (ds->rule && !d->rule)) {
		pcc_conf_dataset_free(d);
		return NULL;
	}
	return d;
}

static bool str_equal(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

int pcc_conf_dataset_equal(const struct pcc_conf_dataset *a,
			   const struct pcc_conf_dataset *b)
{
	/*
	 * Unset fields hold their defaults, so comparing every field and
	 * the presence bits tells "set to the default" from "left out":
	 * the file would be written differently.
	 */
	return a->flags == b->flags && str_equal(a->path, b->path) &&
	       a->roid == b->roid && a->rwid == b->rwid &&
	       a->mode == b->mode && str_equal(a->rule, b->rule) &&
	       a->attach == b->attach &&
	       a->capacity_high == b->capacity_high &&
	       a->capacity_low == b->capacity_low &&
	       a->max_bytes == b->max_bytes && a->max_files == b->max_files &&
	       a->min_free == b->min_free && a->writeback == b->writeback &&
	       a->wb_interval == b->wb_interval;
}

uint32_t pcc_conf_dataset_id(const struct pcc_conf_dataset *ds)
{
	return ds->roid ? ds->roid : ds->rwid;
}

struct pcc_config *pcc_conf_dup(const struct pcc_config *conf)
{
	const struct pcc_conf_mount *m;
	const struct pcc_conf_dataset *d;
	struct pcc_conf_mount *nm, **mtail;
	struct pcc_conf_dataset **dtail;
	struct pcc_config *c;

	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	if (conf->file && !(c->file = strdup(conf->file)))
		goto fail;
	c->metrics = conf->metrics;
	c->metrics.textfile = NULL;
	if (conf->metrics.textfile &&
	    !(c->metrics.textfile = strdup(conf->metrics.textfile)))
		goto fail;
	mtail = &c->mounts;
	for (m = conf->mounts; m; m = m->next) {
		/* Linked in at once, so pcc_conf_free() takes what is made. */
		nm = calloc(1, sizeof(*nm));
		if (!nm)
			goto fail;
		*mtail = nm;
		mtail = &nm->next;
		nm->line = m->line;
		if ((m->path && !(nm->path = strdup(m->path))) ||
		    (m->lower && !(nm->lower = strdup(m->lower))))
			goto fail;
		dtail = &nm->datasets;
		for (d = m->datasets; d; d = d->next) {
			*dtail = pcc_conf_dataset_dup(d);
			if (!*dtail)
				goto fail;
			dtail = &(*dtail)->next;
		}
	}
	return c;
fail:
	pcc_conf_free(c);
	return NULL;
}

/* --- the writer ------------------------------------------------------------ */

/*
 * The first line of what pcc_conf_save() puts after the kept comments; a
 * later save finds it and drops it (and anything below it) from the block
 * it keeps, so saves do not pile markers up.
 */
#define MARKER	"# Written by pcc: comments below this line are not kept"
static const char marker[] =
	MARKER " (libyaml\n"
	"# cannot keep them); see pcc.yaml(5).\n";
/* For a file that had no comment block of its own. */
static const char default_header[] =
	"# Configuration of pccd(8), the persistent client cache daemon.\n";

struct out {
	yaml_emitter_t e;
	bool failed;
};

/* Emit ev (made: its initializer's result); after one failure, nothing. */
static void put(struct out *o, yaml_event_t *ev, int made)
{
	if (!made) {
		o->failed = true;
		return;
	}
	if (o->failed) {
		yaml_event_delete(ev);
		return;
	}
	if (!yaml_emitter_emit(&o->e, ev))	/* it owns ev either way */
		o->failed = true;
}

/*
 * Plain when the text allows it; the emitter quotes it otherwise (a path
 * with ": " or " #" in it), and double quotes escape whatever needs it.
 */
static void scalar(struct out *o, const char *s, yaml_scalar_style_t style)
{
	yaml_event_t ev;

	put(o, &ev, yaml_scalar_event_initialize(&ev, NULL, NULL,
						 (yaml_char_t *)s, -1, 1, 1,
						 style));
}

static void key_value(struct out *o, const char *key, const char *value)
{
	scalar(o, key, YAML_PLAIN_SCALAR_STYLE);
	scalar(o, value, YAML_PLAIN_SCALAR_STYLE);
}

static void key_number(struct out *o, const char *key, unsigned long v,
		       const char *suffix)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lu%s", v, suffix);
	key_value(o, key, buf);
}

static void key_size(struct out *o, const char *key, uint64_t v)
{
	char buf[32];

	pcc_conf_format_size(v, buf, sizeof(buf));
	key_value(o, key, buf);
}

static void mapping_start(struct out *o, yaml_mapping_style_t style)
{
	yaml_event_t ev;

	put(o, &ev, yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1,
							style));
}

static void mapping_end(struct out *o)
{
	yaml_event_t ev;

	put(o, &ev, yaml_mapping_end_event_initialize(&ev));
}

static void sequence_start(struct out *o, yaml_sequence_style_t style)
{
	yaml_event_t ev;

	put(o, &ev, yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
							 style));
}

static void sequence_end(struct out *o)
{
	yaml_event_t ev;

	put(o, &ev, yaml_sequence_end_event_initialize(&ev));
}

/* Only the keys the dataset has set: a default stays a default. */
static void emit_dataset(struct out *o, const struct pcc_conf_dataset *ds)
{
	size_t i;

	mapping_start(o, YAML_BLOCK_MAPPING_STYLE);
	key_value(o, "path", ds->path);
	if (ds->flags & PCC_DS_HAS_ROID)
		key_number(o, "roid", ds->roid, "");
	if (ds->flags & PCC_DS_HAS_RWID)
		key_number(o, "rwid", ds->rwid, "");
	if (ds->flags & PCC_DS_HAS_MODE)
		key_value(o, "mode", pcc_conf_mode_name(ds->mode));
	if (ds->flags & PCC_DS_HAS_RULE) {
		/* Always quoted: rules are full of YAML's indicators. */
		scalar(o, "rule", YAML_PLAIN_SCALAR_STYLE);
		scalar(o, ds->rule, YAML_DOUBLE_QUOTED_SCALAR_STYLE);
	}
	if (ds->flags & PCC_DS_HAS_ATTACH) {
		scalar(o, "attach", YAML_PLAIN_SCALAR_STYLE);
		sequence_start(o, YAML_FLOW_SEQUENCE_STYLE);
		for (i = 0; i < ARRAY_SIZE(attach_names); i++)
			if (ds->attach & attach_names[i].bit)
				scalar(o, attach_names[i].name,
				       YAML_PLAIN_SCALAR_STYLE);
		sequence_end(o);
	}
	if (ds->flags & PCC_DS_HAS_WRITEBACK)
		key_value(o, "writeback",
			  pcc_conf_writeback_name(ds->writeback));
	if (ds->flags & PCC_DS_HAS_WB_INTERVAL)
		key_number(o, "writeback_interval", ds->wb_interval, "");
	if (ds->flags & PCC_DS_HAS_CAPACITY) {
		scalar(o, "capacity", YAML_PLAIN_SCALAR_STYLE);
		mapping_start(o, YAML_FLOW_MAPPING_STYLE);
		if (ds->flags & PCC_DS_HAS_CAP_HIGH)
			key_number(o, "high", ds->capacity_high, "%");
		if (ds->flags & PCC_DS_HAS_CAP_LOW)
			key_number(o, "low", ds->capacity_low, "%");
		if (ds->flags & PCC_DS_HAS_MAX_BYTES)
			key_size(o, "max_bytes", ds->max_bytes);
		if (ds->flags & PCC_DS_HAS_MAX_FILES)
			key_number(o, "max_files", ds->max_files, "");
		if (ds->flags & PCC_DS_HAS_MIN_FREE)
			key_size(o, "min_free", ds->min_free);
		mapping_end(o);
	}
	mapping_end(o);
}

static void emit_config(struct out *o, const struct pcc_config *conf)
{
	const struct pcc_conf_mount *m;
	const struct pcc_conf_dataset *d;
	yaml_event_t ev;

	put(o, &ev, yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING));
	put(o, &ev, yaml_document_start_event_initialize(&ev, NULL, NULL, NULL,
							 1));
	mapping_start(o, YAML_BLOCK_MAPPING_STYLE);
	scalar(o, "mounts", YAML_PLAIN_SCALAR_STYLE);
	/* "mounts: []" rather than nothing: the file says there are none. */
	sequence_start(o, conf->mounts ? YAML_BLOCK_SEQUENCE_STYLE :
			  YAML_FLOW_SEQUENCE_STYLE);
	for (m = conf->mounts; m; m = m->next) {
		mapping_start(o, YAML_BLOCK_MAPPING_STYLE);
		key_value(o, "path", m->path);
		key_value(o, "lower", m->lower);
		if (m->datasets) {
			scalar(o, "datasets", YAML_PLAIN_SCALAR_STYLE);
			sequence_start(o, YAML_BLOCK_SEQUENCE_STYLE);
			for (d = m->datasets; d; d = d->next)
				emit_dataset(o, d);
			sequence_end(o);
		}
		mapping_end(o);
	}
	sequence_end(o);
	if (conf->metrics.textfile) {
		scalar(o, "metrics", YAML_PLAIN_SCALAR_STYLE);
		mapping_start(o, YAML_BLOCK_MAPPING_STYLE);
		key_value(o, "textfile", conf->metrics.textfile);
		if (conf->metrics.has_interval)
			key_number(o, "interval", conf->metrics.interval, "");
		mapping_end(o);
	}
	mapping_end(o);
	put(o, &ev, yaml_document_end_event_initialize(&ev, 1));
	put(o, &ev, yaml_stream_end_event_initialize(&ev));
}

static int save_error(char *err, size_t errlen, int ret, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int save_error(char *err, size_t errlen, int ret, const char *fmt, ...)
{
	va_list ap;

	if (errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return ret;
}

/*
 * The leading comment block of file (comment and blank lines up to the
 * first other line, without a marker of ours and what follows it, and
 * without trailing blank lines) into *out; an empty string when there is
 * none or no file.
 */
static int read_header(const char *file, char **out, size_t *outlen)
{
	size_t cap = 0, len = 0, keep = 0;
	char *line = NULL;
	ssize_t n;
	FILE *in, *mem;
	int ret = 0;

	*out = NULL;
	mem = open_memstream(out, outlen);
	if (!mem)
		return -ENOMEM;
	in = fopen(file, "re");
	if (!in) {
		ret = errno == ENOENT ? 0 : -errno;
		goto out;
	}
	errno = 0;
	while ((n = getline(&line, &cap, in)) > 0) {
		const char *p = line + strspn(line, " \t");

		if (*p != '#' && *p != '\n' && *p != '\r' && *p)
			break;
		if (!strncmp(line, MARKER, strlen(MARKER)))
			break;
		fputs(line, mem);
		len += (size_t)n;
		if (line[n - 1] != '\n') {	/* the file's last line */
			fputc('\n', mem);
			len++;
		}
		if (*p == '#')
			keep = len;
	}
	if (ferror(in))
		ret = errno ? -errno : -EIO;
	fclose(in);
	free(line);
out:
	if (fclose(mem) && !ret)
		ret = -ENOMEM;
	if (ret) {
		free(*out);
		*out = NULL;
		return ret;
	}
	(*out)[keep] = '\0';	/* trailing blank lines go */
	*outlen = keep;
	return 0;
}

/* Write header and conf to fp; 0 or a negative errno with err filled. */
static int write_conf(FILE *fp, const char *header,
		      const struct pcc_config *conf, const char *tmp,
		      char *err, size_t errlen)
{
	struct out o = { .failed = false };

	/* Laid out as read_header() reads it back: saving twice is a no-op. */
	fprintf(fp, "%s\n%s", *header ? header : default_header, marker);
	if (!yaml_emitter_initialize(&o.e))
		return save_error(err, errlen, -ENOMEM, "%s: out of memory",
				  tmp);
	yaml_emitter_set_output_file(&o.e, fp);
	yaml_emitter_set_unicode(&o.e, 1);
	yaml_emitter_set_width(&o.e, -1);	/* a long rule stays one line */
	yaml_emitter_set_indent(&o.e, 2);
	emit_config(&o, conf);
	if (o.failed) {
		int ret = o.e.error == YAML_MEMORY_ERROR ? -ENOMEM :
			  o.e.error == YAML_WRITER_ERROR ? -EIO : -EINVAL;

		save_error(err, errlen, ret, "%s: %s", tmp,
			   o.e.problem ? o.e.problem : strerror(-ret));
		yaml_emitter_delete(&o.e);
		return ret;
	}
	yaml_emitter_delete(&o.e);
	errno = 0;
	if (fflush(fp) || ferror(fp)) {
		int e = errno ? errno : EIO;

		return save_error(err, errlen, -e, "%s: %s", tmp, strerror(e));
	}
	return 0;
}

/*
 * The file the loader will find the new text in: the target of a symbolic
 * link rather than the link, which the rename would replace.
 */
static char *resolve(const char *file)
{
	char *real = realpath(file, NULL);

	return real ? real : strdup(file);
}

int pcc_conf_save(const struct pcc_config *conf, const char *file,
		  char *err, size_t errlen)
{
	char *path = NULL, *dir = NULL, *tmp = NULL, *header = NULL, *slash;
	char check_err[PCC_CONF_ERR_LEN];
	struct pcc_config *check;
	size_t header_len;
	FILE *fp = NULL;
	int fd = -1, dfd, ret;

	if (errlen)
		err[0] = '\0';
	path = resolve(file);
	if (!path)
		return save_error(err, errlen, -ENOMEM, "%s: %s", file,
				  strerror(ENOMEM));
	slash = strrchr(path, '/');
	if (!slash)
		dir = strdup(".");
	else if (slash == path)
		dir = strdup("/");
	else
		dir = strndup(path, (size_t)(slash - path));
	if (!dir || asprintf(&tmp, "%s/.%s.XXXXXX", dir,
			     slash ? slash + 1 : path) < 0) {
		tmp = NULL;
		ret = save_error(err, errlen, -ENOMEM, "%s: %s", file,
				 strerror(ENOMEM));
		goto out;
	}

	ret = read_header(path, &header, &header_len);
	if (ret) {
		save_error(err, errlen, ret, "%s: %s", file, strerror(-ret));
		goto out;
	}

	/* In the same directory, so the rename is atomic. */
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		ret = save_error(err, errlen, -errno,
				 "%s: cannot create a temporary file in %s: %s",
				 file, dir, strerror(errno));
		goto out;
	}
	fp = fdopen(fd, "w");
	if (!fp) {
		ret = save_error(err, errlen, -errno, "%s: %s", tmp,
				 strerror(errno));
		goto out_unlink;
	}
	fd = -1;
	ret = write_conf(fp, header, conf, tmp, err, errlen);
	if (ret)
		goto out_unlink;
	if (fsync(fileno(fp)) || fchmod(fileno(fp), 0644)) {
		ret = save_error(err, errlen, -errno, "%s: %s", tmp,
				 strerror(errno));
		goto out_unlink;
	}
	ret = fclose(fp) ? -errno : 0;
	fp = NULL;
	if (ret) {
		save_error(err, errlen, ret, "%s: %s", tmp, strerror(-ret));
		goto out_unlink;
	}

	/*
	 * What pccd would read at its next start must load: a value the
	 * loader refuses (a relative path, capacity low above high, a bad
	 * rule) is refused here, naming it, and the old file stays.
	 */
	ret = pcc_conf_load(tmp, &check, check_err, sizeof(check_err));
	if (ret) {
		const char *why = check_err;

		/* "TMP:LINE:COLUMN: what": the place is in the new text. */
		if (!strncmp(why, tmp, strlen(tmp)) && why[strlen(tmp)] == ':')
			why += strlen(tmp) + 1;
		save_error(err, errlen, ret,
			   "%s: not written, the new text would be invalid at %s",
			   file, why);
		goto out_unlink;
	}
	pcc_conf_free(check);

	if (rename(tmp, path)) {
		ret = save_error(err, errlen, -errno,
				 "%s: cannot replace it: %s", file,
				 strerror(errno));
		goto out_unlink;
	}
	/*
	 * The rename is durable only once the directory is.  Its failure is
	 * not reported: the new file is in place, and an error now would
	 * tell the caller that a change it can see was not made.
	 */
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	goto out;

out_unlink:
	if (fp)
		fclose(fp);
	unlink(tmp);
out:
	if (fd >= 0)
		close(fd);
	free(header);
	free(tmp);
	free(dir);
	free(path);
	return ret;
}
