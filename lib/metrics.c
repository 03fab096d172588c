// SPDX-License-Identifier: GPL-2.0-only
/*
 * metrics.c - the stats reply as Prometheus text (metrics.h).
 *
 * One table lists every family: where its value is in the reply (pccd,
 * a mount or a dataset of a mount, then one or two keys down), its name,
 * type and help.  Families are printed in table order, each walking every
 * mount (and dataset) for its series, so all the series of a name are
 * together as the format requires.  Module counters no entry knows (a
 * newer module's) still come out, as pcc_NAME_total.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "metrics.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

enum scope {
	SCOPE_DAEMON,		/* stats.daemon */
	SCOPE_MOUNT,		/* each of stats.mounts */
	SCOPE_DATASET,		/* each of each mount's datasets */
};

struct family {
	const char *name;
	const char *type;		/* "counter" or "gauge" */
	enum scope scope;
	const char *key;		/* the value: obj[key] ... */
	const char *sub;		/* ... or obj[key][sub] */
	/*
	 * Set: one series per member of obj[key] whose name starts with
	 * sub, labelled label="the rest of its name".
	 */
	const char *label;
	bool percent;			/* the value is in percent: /100 */
	const char *help;
	/* An info family: value 1, obj[key] (a string) in label "path". */
	bool info;
};

#define C "counter"
#define G "gauge"

static const struct family families[] = {
	/* Per mount: the module's counters. */
	{ "pcc_hits_total", C, SCOPE_MOUNT, "counters", "hits", NULL, false,
	  "Reads, splices and page faults served from copies." },
	{ "pcc_hit_bytes_total", C, SCOPE_MOUNT, "counters", "hit_bytes", NULL,
	  false, "Bytes read from copies." },
	{ "pcc_misses_total", C, SCOPE_MOUNT, "counters", "misses", NULL, false,
	  "Miss events the module raised: files used while not cached." },
	{ "pcc_attaches_total", C, SCOPE_MOUNT, "counters", "attach_", "how",
	  false, "Files attached to their copies, by cause: manual (pcc attach), open, stat or io." },
	{ "pcc_detaches_total", C, SCOPE_MOUNT, "counters", "detach_", "reason",
	  false, "Files detached from their copies, by reason." },
	{ "pcc_stale_total", C, SCOPE_MOUNT, "counters", "stale", NULL, false,
	  "Copies found recording another version of their file." },
	{ "pcc_fallbacks_total", C, SCOPE_MOUNT, "counters", "fallbacks", NULL,
	  false, "Reads of a copy that failed and were served by the lower filesystem." },
	{ "pcc_cache_errors_total", C, SCOPE_MOUNT, "counters", "cache_errors",
	  NULL, false, "I/O errors on copies." },
	{ "pcc_events_dropped_total", C, SCOPE_MOUNT, "counters",
	  "events_dropped", NULL, false,
	  "Events the module could not send to pccd for lack of memory." },
	{ "pcc_mirror_writes_total", C, SCOPE_MOUNT, "counters",
	  "mirror_writes", NULL, false,
	  "Local writes also made to a mapped copy." },
	{ "pcc_writebacks_total", C, SCOPE_MOUNT, "counters", "writebacks",
	  NULL, false, "Read-write copies written back to the lower filesystem." },
	{ "pcc_writeback_bytes_total", C, SCOPE_MOUNT, "counters",
	  "writeback_bytes", NULL, false,
	  "Bytes read-write copies wrote back to the lower filesystem." },
	{ "pcc_paged_faults_total", C, SCOPE_MOUNT, "counters",
	  "paged_faults", NULL, false,
	  "Faults of mappings of read-write files not made for a store." },
	{ "pcc_paged_write_faults_total", C, SCOPE_MOUNT, "counters",
	  "paged_write_faults", NULL, false,
	  "Faults of mappings of read-write files made for a store." },
	{ "pcc_paged_mkwrites_total", C, SCOPE_MOUNT, "counters",
	  "paged_mkwrites", NULL, false,
	  "Stores to pages of read-write files mapped read-only." },
	{ "pcc_marks_total", C, SCOPE_MOUNT, "counters", "marks", NULL, false,
	  "Times this node marked a lower file as holding changes it lacks." },
	{ "pcc_mark_conflicts_total", C, SCOPE_MOUNT, "counters",
	  "mark_conflicts", NULL, false,
	  "Marks that found the lower file already marked by another node." },
	{ "pcc_held_elsewhere_total", C, SCOPE_MOUNT, "counters",
	  "held_elsewhere", NULL, false,
	  "Attaches not made because another node holds the file read-write." },
	{ "pcc_attached_files", G, SCOPE_MOUNT, "attached", NULL, NULL, false,
	  "Files served from their copies now." },

	/* Per dataset. */
	{ "pcc_dataset_info", G, SCOPE_DATASET, "path", NULL, NULL, false,
	  "A dataset's cache directory, in label path; the value is always 1.",
	  true },
	{ "pcc_cache_usage_bytes", G, SCOPE_DATASET, "usage", "bytes", NULL,
	  false, "Bytes of the dataset's copies." },
	{ "pcc_cache_files", G, SCOPE_DATASET, "usage", "files", NULL, false,
	  "Copies in the dataset." },
	{ "pcc_pinned_bytes", G, SCOPE_DATASET, "pinned", "bytes", NULL, false,
	  "Bytes of the dataset's pinned copies, never evicted." },
	{ "pcc_pinned_files", G, SCOPE_DATASET, "pinned", "files", NULL, false,
	  "Pinned copies in the dataset, never evicted." },
	{ "pcc_cache_limit_bytes", G, SCOPE_DATASET, "limits", "max_bytes",
	  NULL, false, "The dataset's max_bytes: most bytes of copies it keeps (no series: no limit)." },
	{ "pcc_cache_limit_files", G, SCOPE_DATASET, "limits", "max_files",
	  NULL, false, "The dataset's max_files: most copies it keeps (no series: no limit)." },
	{ "pcc_cache_min_free_bytes", G, SCOPE_DATASET, "limits", "min_free",
	  NULL, false, "The dataset's min_free: free bytes pccd keeps on the cache filesystem (no series: none)." },
	{ "pcc_cache_high_watermark_ratio", G, SCOPE_DATASET, "limits",
	  "high_percent", NULL, true,
	  "Usage of the cache filesystem above which pccd evicts, 0 to 1." },
	{ "pcc_cache_low_watermark_ratio", G, SCOPE_DATASET, "limits",
	  "low_percent", NULL, true,
	  "Usage of the cache filesystem pccd evicts down to, 0 to 1." },
	{ "pcc_cache_fs_size_bytes", G, SCOPE_DATASET, "fs", "size_bytes", NULL,
	  false, "Size of the filesystem holding the dataset." },
	{ "pcc_cache_fs_free_bytes", G, SCOPE_DATASET, "fs", "free_bytes", NULL,
	  false, "Free bytes of the filesystem holding the dataset." },
	{ "pcc_evictions_total", C, SCOPE_DATASET, "evictions", NULL, NULL,
	  false, "Copies pccd evicted from the dataset." },
	{ "pcc_evicted_bytes_total", C, SCOPE_DATASET, "evicted_bytes", NULL,
	  NULL, false, "Bytes of the copies pccd evicted from the dataset." },
	{ "pcc_refused_too_large_total", C, SCOPE_DATASET, "refused_too_large",
	  NULL, NULL, false,
	  "Copies not made because the file was larger than the room below the high watermark." },

	/* pccd's own. */
	{ "pcc_copies_total", C, SCOPE_DAEMON, "copies", NULL, NULL, false,
	  "Copies pccd made." },
	{ "pcc_copied_bytes_total", C, SCOPE_DAEMON, "bytes_copied", NULL, NULL,
	  false, "Bytes of the copies pccd made." },
	{ "pcc_copy_errors_total", C, SCOPE_DAEMON, "copy_errors", NULL, NULL,
	  false, "Copies that failed." },
	{ "pcc_copies_refused_total", C, SCOPE_DAEMON, "copies_refused", NULL,
	  NULL, false, "Copies pccd refused to make for lack of room." },
	{ "pcc_copies_queued", G, SCOPE_DAEMON, "queue", NULL, NULL, false,
	  "Copies waiting to start." },
	{ "pcc_copies_running", G, SCOPE_DAEMON, "running", NULL, NULL, false,
	  "Copies in progress." },
};

#undef C
#undef G

/* The mounts' counters that no entry above shows. */
static const char *const shown_otherwise[] = {
	"attaches",		/* the sum of pcc_attaches_total */
};

static struct json_object *member(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!o || !key || !json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, key, &v))
		return NULL;
	return v;
}

static struct json_object *array(struct json_object *o, const char *key)
{
	struct json_object *v = member(o, key);

	return json_object_is_type(v, json_type_array) ? v : NULL;
}

/* A non-negative JSON integer as text; false for anything else. */
static bool number(struct json_object *v, bool percent, char *buf, size_t len)
{
	uint64_t u;

	if (!json_object_is_type(v, json_type_int) ||
	    json_object_get_int64(v) < 0)
		return false;
	u = json_object_get_uint64(v);
	if (percent)
		snprintf(buf, len, "%.15g", (double)u / 100);
	else
		snprintf(buf, len, "%" PRIu64, u);
	return true;
}

/*
 * s with \, " (label values only) and newline escaped, and bytes that are
 * not UTF-8 replaced by U+FFFD: the format is UTF-8 and a path need not be.
 */
static void put_escaped(FILE *fp, const char *s, bool quote)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n, i;

	while (*p) {
		if (*p == '\\' || (quote && *p == '"')) {
			fputc('\\', fp);
			fputc(*p++, fp);
			continue;
		}
		if (*p == '\n') {
			fputs("\\n", fp);
			p++;
			continue;
		}
		if (*p < 0x80) {
			fputc(*p++, fp);
			continue;
		}
		/* A lead byte and its continuations, shortest form only. */
		n = *p >= 0xc2 && *p <= 0xdf ? 2 : *p >= 0xe0 && *p <= 0xef ? 3 :
		    *p >= 0xf0 && *p <= 0xf4 ? 4 : 0;
		for (i = 1; i < n; i++)
			if ((p[i] & 0xc0) != 0x80)
				break;
		if (n && i == n &&
		    !(*p == 0xe0 && p[1] < 0xa0) &&	/* overlong */
		    !(*p == 0xed && p[1] >= 0xa0) &&	/* surrogate */
		    !(*p == 0xf0 && p[1] < 0x90) &&	/* overlong */
		    !(*p == 0xf4 && p[1] >= 0x90)) {	/* > U+10FFFF */
			fwrite(p, 1, n, fp);
			p += n;
		} else {
			fputs("\xef\xbf\xbd", fp);
			p++;
		}
	}
}

/* labels: name, value pairs, NULL-terminated. */
static void put_sample(FILE *fp, const char *name, const char *const *labels,
		       const char *value)
{
	const char *const *l;

	fputs(name, fp);
	for (l = labels; *l; l += 2) {
		fprintf(fp, "%s%s=\"", l == labels ? "{" : ",", l[0]);
		put_escaped(fp, l[1], true);
		fputc('"', fp);
	}
	fprintf(fp, "%s %s\n", labels[0] ? "}" : "", value);
}

/*
 * The series of f in obj (pccd's, a mount's or a dataset's), labelled
 * with base (pairs, at most 2, NULL-terminated).  Printed if fp is not
 * NULL; returns how many there are.
 */
static unsigned int series_in(FILE *fp, const struct family *f,
			      struct json_object *obj, const char *const *base)
{
	const char *labels[8];
	char value[32];
	struct json_object *v = member(obj, f->key);
	unsigned int n = 0, k;
	size_t plen;

	for (k = 0; base[k]; k++)
		labels[k] = base[k];
	labels[k] = NULL;
	if (f->info) {
		if (!json_object_is_type(v, json_type_string))
			return 0;
		labels[k] = "path";
		labels[k + 1] = json_object_get_string(v);
		labels[k + 2] = NULL;
		if (fp)
			put_sample(fp, f->name, labels, "1");
		return 1;
	}
	if (f->label) {
		plen = strlen(f->sub);
		if (!json_object_is_type(v, json_type_object))
			return 0;
		json_object_object_foreach(v, name, c) {
			if (strncmp(name, f->sub, plen) || !name[plen] ||
			    !number(c, f->percent, value, sizeof(value)))
				continue;
			if (fp) {
				labels[k] = f->label;
				labels[k + 1] = name + plen;
				labels[k + 2] = NULL;
				put_sample(fp, f->name, labels, value);
			}
			n++;
		}
		return n;
	}
	if (f->sub)
		v = member(v, f->sub);
	if (!number(v, f->percent, value, sizeof(value)))
		return 0;
	if (fp)
		put_sample(fp, f->name, labels, value);
	return 1;
}

/* Every series of f in stats (see series_in()). */
static unsigned int series(FILE *fp, const struct family *f,
			   struct json_object *stats)
{
	struct json_object *mounts = array(stats, "mounts"), *m, *dss, *ds;
	const char *labels[5] = { NULL };
	char id[24];
	unsigned int n = 0;
	size_t i, j;

	if (f->scope == SCOPE_DAEMON)
		return series_in(fp, f, member(stats, "daemon"), labels);
	for (i = 0; mounts && i < json_object_array_length(mounts); i++) {
		m = json_object_array_get_idx(mounts, i);
		/* A mount pccd could not read has "error" and no counters. */
		if (!json_object_is_type(member(m, "path"), json_type_string))
			continue;
		labels[0] = "mount";
		labels[1] = json_object_get_string(member(m, "path"));
		labels[2] = NULL;
		if (f->scope == SCOPE_MOUNT) {
			n += series_in(fp, f, m, labels);
			continue;
		}
		dss = array(m, "datasets");
		for (j = 0; dss && j < json_object_array_length(dss); j++) {
			ds = json_object_array_get_idx(dss, j);
			if (!number(member(ds, "id"), false, id, sizeof(id)))
				continue;
			labels[2] = "dataset";
			labels[3] = id;
			labels[4] = NULL;
			n += series_in(fp, f, ds, labels);
		}
	}
	return n;
}

static void put_header(FILE *fp, const char *name, const char *help,
		       const char *type)
{
	fprintf(fp, "# HELP %s ", name);
	put_escaped(fp, help, false);
	fprintf(fp, "\n# TYPE %s %s\n", name, type);
}

static void put_family(FILE *fp, const struct family *f,
		       struct json_object *stats)
{
	if (!series(NULL, f, stats))
		return;
	put_header(fp, f->name, f->help, f->type);
	series(fp, f, stats);
}

/* Is name a module counter some family shows already? */
static bool known_counter(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(shown_otherwise); i++)
		if (!strcmp(name, shown_otherwise[i]))
			return true;
	for (i = 0; i < ARRAY_SIZE(families); i++) {
		const struct family *f = &families[i];

		if (f->scope != SCOPE_MOUNT || !f->sub ||
		    strcmp(f->key, "counters"))
			continue;
		if (f->label ? !strncmp(name, f->sub, strlen(f->sub))
			     : !strcmp(name, f->sub))
			return true;
	}
	return false;
}

/* [a-z][a-z0-9_]*: a counter name that makes a valid metric name as is. */
static bool plain_name(const char *s)
{
	if (*s < 'a' || *s > 'z')
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		      *s == '_'))
			return false;
	return true;
}

/*
 * Counters of a newer module than this pcc knows, pcc_NAME_total, in the
 * order first seen; one family each, even when several mounts have it.
 */
static void put_unknown_counters(FILE *fp, struct json_object *stats)
{
	struct json_object *mounts = array(stats, "mounts"), *counters, *c2;
	struct family f = {
		.type = "counter", .scope = SCOPE_MOUNT, .key = "counters",
		.help = "A counter of the module this pcc does not know.",
	};
	char name[128];
	size_t i, j, k;
	bool dup;

	for (i = 0; mounts && i < json_object_array_length(mounts); i++) {
		counters = member(json_object_array_get_idx(mounts, i),
				  "counters");
		if (!json_object_is_type(counters, json_type_object))
			continue;
		json_object_object_foreach(counters, key, v) {
			(void)v;
			if (known_counter(key) || !plain_name(key) ||
			    strlen(key) > sizeof(name) - 11)
				continue;
			/* Printed already, with an earlier mount's? */
			dup = false;
			for (j = 0; j < i && !dup; j++) {
				c2 = member(json_object_array_get_idx(mounts, j),
					    "counters");
				dup = member(c2, key) != NULL;
			}
			snprintf(name, sizeof(name), "pcc_%s_total", key);
			/* Nor may it take the name of a family of ours. */
			for (k = 0; k < ARRAY_SIZE(families) && !dup; k++)
				dup = !strcmp(name, families[k].name);
			if (dup)
				continue;
			f.name = name;
			f.sub = key;
			put_family(fp, &f, stats);
		}
	}
}

int pcc_metrics_print(FILE *fp, struct json_object *stats)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(families); i++) {
		put_family(fp, &families[i], stats);
		/* After the mounts' families, counters we do not know. */
		if (families[i].scope == SCOPE_MOUNT &&
		    (i + 1 == ARRAY_SIZE(families) ||
		     families[i + 1].scope != SCOPE_MOUNT))
			put_unknown_counters(fp, stats);
	}
	if (fflush(fp) == EOF || ferror(fp))
		return -EIO;
	return 0;
}
