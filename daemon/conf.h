/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * conf.h - pccd's configuration file (pcc.yaml(5)) as a plain C structure.
 *
 * pcc_conf_load() reads the YAML file, checks it completely and either
 * returns a struct pcc_config or fails with one message of the form
 *
 *	FILE:LINE:COLUMN: what is wrong
 *
 * (1-based, pointing at the offending node), so an editor can jump to it.
 * Nothing in the file is applied before all of it has been checked.
 *
 * Every optional field has a presence bit (PCC_DS_HAS_*) telling whether the
 * file set it; fields the file leaves out hold their documented default, so
 * code using the configuration never has to guess.
 */
#ifndef PCC_CONF_H
#define PCC_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif
#define PCC_CONF_FILE	SYSCONFDIR "/pcc/pcc.yaml"

/* Room for any message pcc_conf_load() writes, file name included. */
#define PCC_CONF_ERR_LEN	(4096 + 256)

/* Dataset modes: which kinds of caching a dataset does. */
#define PCC_MODE_RO	(1U << 0)	/* "ro": read-only copies */
#define PCC_MODE_RW	(1U << 1)	/* "rw": write-back copies */
#define PCC_MODE_RWRO	(PCC_MODE_RO | PCC_MODE_RW)	/* "rw+ro" */

/* When the module attaches a file to its cached copy by itself. */
#define PCC_ATTACH_OPEN	(1U << 0)
#define PCC_ATTACH_STAT	(1U << 1)
#define PCC_ATTACH_IO	(1U << 2)
#define PCC_ATTACH_ALL	(PCC_ATTACH_OPEN | PCC_ATTACH_STAT | PCC_ATTACH_IO)

/*
 * When a read-write copy is written back to the lower file (the module's
 * PCC_DS_WB_*): at the last close, or lazily, within writeback_interval
 * seconds of it.  Read-write datasets only.
 */
#define PCC_WRITEBACK_CLOSE	0	/* "close" */
#define PCC_WRITEBACK_LAZY	1	/* "lazy" */
#define PCC_WB_INTERVAL_MAX	86400	/* seconds: a day */

/* Defaults of the optional dataset keys. */
#define PCC_DEFAULT_MODE		PCC_MODE_RO
#define PCC_DEFAULT_ATTACH		PCC_ATTACH_ALL
#define PCC_DEFAULT_CAPACITY_HIGH	90
#define PCC_DEFAULT_CAPACITY_LOW	80
#define PCC_DEFAULT_WRITEBACK		PCC_WRITEBACK_CLOSE
#define PCC_DEFAULT_WB_INTERVAL		30	/* seconds */

/* Presence bits: the key was in the file. */
#define PCC_DS_HAS_ROID		(1U << 0)
#define PCC_DS_HAS_RWID		(1U << 1)
#define PCC_DS_HAS_MODE		(1U << 2)
#define PCC_DS_HAS_RULE		(1U << 3)
#define PCC_DS_HAS_ATTACH	(1U << 4)
#define PCC_DS_HAS_CAPACITY	(1U << 5)	/* the capacity mapping */
#define PCC_DS_HAS_CAP_HIGH	(1U << 6)	/* and each of its keys */
#define PCC_DS_HAS_CAP_LOW	(1U << 7)
#define PCC_DS_HAS_MAX_BYTES	(1U << 8)
#define PCC_DS_HAS_MAX_FILES	(1U << 9)
#define PCC_DS_HAS_MIN_FREE	(1U << 10)
#define PCC_DS_HAS_WRITEBACK	(1U << 11)
#define PCC_DS_HAS_WB_INTERVAL	(1U << 12)

struct pcc_conf_dataset {
	struct pcc_conf_dataset *next;
	unsigned int flags;		/* PCC_DS_HAS_* */
	unsigned int line;		/* where it starts in the file */
	char *path;			/* cache directory, absolute */
	uint32_t roid;			/* 0 when unset */
	uint32_t rwid;			/* 0 when unset */
	unsigned int mode;		/* PCC_MODE_* */
	char *rule;			/* as written; NULL when unset */
	unsigned int attach;		/* PCC_ATTACH_* */
	unsigned int capacity_high;	/* percent */
	unsigned int capacity_low;	/* percent, below capacity_high */
	/* Absolute limits; 0 and no PCC_DS_HAS_* bit: none. */
	uint64_t max_bytes;		/* bytes of copies in the dataset */
	uint64_t max_files;		/* copies in the dataset */
	uint64_t min_free;		/* free bytes kept on the cache fs */
	/* Read-write datasets (mode has PCC_MODE_RW) only. */
	unsigned int writeback;		/* PCC_WRITEBACK_* */
	uint32_t wb_interval;		/* seconds, 1..PCC_WB_INTERVAL_MAX */
};

struct pcc_conf_mount {
	struct pcc_conf_mount *next;
	unsigned int line;
	char *path;			/* the pcc mount point, absolute */
	char *lower;			/* the directory it stacks on, absolute */
	struct pcc_conf_dataset *datasets;
};

/* metrics: the file pccd writes "pcc stats --prometheus" to. */
#define PCC_DEFAULT_METRICS_INTERVAL	15	/* seconds */
#define PCC_METRICS_INTERVAL_MAX	3600

struct pcc_conf_metrics {
	char *textfile;			/* absolute; NULL: no metrics key */
	unsigned int interval;		/* seconds, 1..PCC_METRICS_INTERVAL_MAX */
	bool has_interval;		/* the file set it */
};

struct pcc_config {
	char *file;			/* where it was read from */
	struct pcc_conf_mount *mounts;
	struct pcc_conf_metrics metrics;
};

/*
 * Load and check file.  On success *out is the configuration (free it with
 * pcc_conf_free()) and 0 is returned.  On failure *out is NULL, err holds
 * the message (always, when errlen > 0) and the return value is -EINVAL for
 * a wrong file, another negative errno when it could not be read.
 * An empty file, or one with only comments, is a valid empty configuration.
 */
int pcc_conf_load(const char *file, struct pcc_config **out, char *err,
		  size_t errlen);

/* NULL-safe. */
void pcc_conf_free(struct pcc_config *conf);

size_t pcc_conf_count_mounts(const struct pcc_config *conf);
size_t pcc_conf_count_datasets(const struct pcc_config *conf);

/*
 * Write conf to file atomically: a temporary file in the same directory,
 * fsync, rename over file, fsync of the directory; mode 0644.  The
 * leading comment block of the file being replaced is kept; libyaml does
 * not keep other comments, so a line after it says the rest is written by
 * pcc and its comments are not kept.  Returns 0 or a negative errno with
 * err filled; on failure file is unchanged.
 */
int pcc_conf_save(const struct pcc_config *conf, const char *file,
		  char *err, size_t errlen);

/* A deep copy; NULL when out of memory. */
struct pcc_config *pcc_conf_dup(const struct pcc_config *conf);

/* A deep copy of one dataset, next = NULL; NULL when out of memory. */
struct pcc_conf_dataset *pcc_conf_dataset_dup(const struct pcc_conf_dataset *ds);
void pcc_conf_dataset_free(struct pcc_conf_dataset *ds);

/* 1 when the two datasets have the same keys and values (line ignored). */
int pcc_conf_dataset_equal(const struct pcc_conf_dataset *a,
			   const struct pcc_conf_dataset *b);

/* The id the module knows a dataset by: roid, or rwid if only it is set. */
uint32_t pcc_conf_dataset_id(const struct pcc_conf_dataset *ds);

/*
 * A size as pcc.yaml writes it: decimal digits with an optional K, M, G or
 * T (either case: 1024^n).  False if s is anything else or does not fit.
 */
int pcc_conf_parse_size(const char *s, uint64_t *out);
/* The inverse: the largest suffix that divides n exactly ("200G"). */
void pcc_conf_format_size(uint64_t n, char *buf, size_t len);

/* "ro", "rw" or "rw+ro". */
const char *pcc_conf_mode_name(unsigned int mode);
/* "close" or "lazy" (PCC_WRITEBACK_*); "?" otherwise. */
const char *pcc_conf_writeback_name(unsigned int writeback);

#endif /* PCC_CONF_H */
