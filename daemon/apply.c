// SPDX-License-Identifier: GPL-2.0-only
/*
 * apply.c - bring the module to the configuration (apply.h).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include <linux/pcc.h>

#include "apply.h"
#include "conf.h"
#include "copy.h"
#include "kernel.h"
#include "log.h"
#include "nl.h"
#include "pccd.h"
#include "rule.h"
#include "writeback.h"

/* The netlink protocol that brought PCC_A_DS_WRITEBACK and _WB_INTERVAL. */
#define GENL_VERSION_WRITEBACK	5

/* One dataset as the module has it. */
struct kernel_ds {
	uint32_t id;
	uint32_t mode;
	uint32_t attach;
	char *path;
	char *rule_text;	/* NULL: none */
	uint32_t writeback;	/* PCC_DS_WB_CLOSE if not reported */
	uint32_t wb_interval;
	bool wanted;		/* the configuration has it */
};

struct kernel_ds_list {
	struct kernel_ds *ds;
	size_t n;
};

static void kernel_ds_list_free(struct kernel_ds_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->ds[i].path);
		free(l->ds[i].rule_text);
	}
	free(l->ds);
	l->ds = NULL;
	l->n = 0;
}

static int collect_ds(const struct pcc_nl_dataset *ds, void *arg)
{
	struct kernel_ds_list *l = arg;
	struct kernel_ds *n, *k;

	n = realloc(l->ds, (l->n + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	l->ds = n;
	k = &l->ds[l->n];
	*k = (struct kernel_ds){ .id = ds->id, .mode = ds->mode,
				 .attach = ds->attach,
				 .writeback = ds->writeback,
				 .wb_interval = ds->wb_interval };
	k->path = strdup(ds->path ? ds->path : "");
	k->rule_text = ds->rule_text ? strdup(ds->rule_text) : NULL;
	if (!k->path || (ds->rule_text && !k->rule_text)) {
		free(k->path);
		free(k->rule_text);
		return -ENOMEM;
	}
	l->n++;
	return 0;
}

static int dump_datasets(struct pccd *d, const struct pcc_nl_mnt *mnt,
			 struct kernel_ds_list *l)
{
	char msg[256];
	int err, tries;

	/* A dump interrupted by a concurrent change is asked again. */
	for (tries = 0; tries < 5; tries++) {
		kernel_ds_list_free(l);
		err = pcc_nl_dataset_dump(d->nl, mnt, collect_ds, l, msg,
					  sizeof(msg));
		if (err != -EINTR)
			break;
	}
	if (err)
		kernel_ds_list_free(l);
	return err;
}

int pccd_dataset_to_nl(const struct pcc_conf_dataset *ds,
		       struct pcc_nl_dataset *out, struct pcc_rule **rule)
{
	struct pcc_parse_error perr;
	int err;

	*rule = NULL;
	*out = (struct pcc_nl_dataset){
		.set = PCC_NL_DS_ATTACH | PCC_NL_DS_RULE | PCC_NL_DS_MODE,
		.id = pcc_conf_dataset_id(ds),
		.path = ds->path,
		.mode = ds->mode,
		.attach = ds->attach,
		.rule_text = ds->rule,
		.writeback = ds->writeback,
		.wb_interval = ds->wb_interval,
	};
	/*
	 * Both, always, for read-write datasets: a key taken out of the
	 * file must put the module back to the default.  The module
	 * refuses them for other datasets.
	 */
	if (ds->mode & PCC_MODE_RW)
		out->set |= PCC_NL_DS_WRITEBACK | PCC_NL_DS_WB_INTERVAL;
	if (!ds->rule)
		return 0;
	err = pcc_rule_parse(ds->rule, rule, &perr);
	if (err == -EINVAL)
		log_errx("conf", "dataset %s: rule, column %u: %s", ds->path,
			 perr.column, perr.msg);
	out->rule = *rule;
	return err;
}

/*
 * A module older than protocol 5 refuses the write-back attributes (as
 * unknown ones); its read-write copies are written back at the last
 * close, which is what the defaults ask for.  Those are not sent to it,
 * so its read-write datasets keep working; any other policy is refused
 * here, with a message that says why.
 */
static int old_module_fallback(const struct pccd *d,
			       struct pcc_nl_dataset *nds, char *msg,
			       size_t len)
{
	if (d->genl_version >= GENL_VERSION_WRITEBACK ||
	    !(nds->set & PCC_NL_DS_WRITEBACK))
		return 0;
	if (nds->writeback != PCC_DS_WB_CLOSE) {
		snprintf(msg, len,
			 "the module speaks netlink protocol %u: lazy write-back needs %u",
			 d->genl_version, GENL_VERSION_WRITEBACK);
		return -EOPNOTSUPP;
	}
	nds->set &= ~(PCC_NL_DS_WRITEBACK | PCC_NL_DS_WB_INTERVAL);
	return 0;
}

static bool same_text(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return !strcmp(a, b);
}

int pccd_check_cache_dir(const char *path, char *msg, size_t len)
{
	struct stat st;

	if (lstat(path, &st) < 0) {
		snprintf(msg, len, "%s: %s", path, strerror(errno));
		return -errno;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(msg, len, "%s is not a directory", path);
		return -ENOTDIR;
	}
	/*
	 * Copies of every user's files go there, and pccd removes what it
	 * finds there: nobody else may place or swap anything in it.
	 */
	if (st.st_uid != 0 || (st.st_mode & 022)) {
		snprintf(msg, len,
			 "%s must be a directory owned by root, not writable by group or others",
			 path);
		return -EPERM;
	}
	return 0;
}

int pccd_apply_add(struct pccd *d, struct pccd_mount *m,
		   const struct pcc_conf_dataset *ds, char *msg, size_t len)
{
	struct pcc_nl_mnt mnt = { .id = m->id };
	struct pcc_nl_dataset nds;
	struct pcc_rule *rule;
	int err;

	/*
	 * Leftovers of interrupted copies are not removed here: a copy
	 * still running into this directory (del -k, then add) may own a
	 * temporary name in it.  Space management's scan removes a dead
	 * pccd's (pccd_copy_remove_leftover()).
	 */
	*msg = '\0';
	err = pccd_check_cache_dir(ds->path, msg, len);
	if (err) {
		log_errx("conf", "%s: dataset %s: %s", m->conf->path, ds->path,
			 msg);
		return err;
	}
	/*
	 * Read-write copies a crash left dirty go back to their files
	 * before the module may attach any (writeback.c).
	 */
	if (ds->mode & PCC_MODE_RW) {
		struct pccd_writeback_stats wb;

		err = pccd_writeback_dirty(m->conf->lower, m->dev, ds->path,
					   &wb);
		if (err == -EXDEV)
			log_errx("writeback", "%s: dataset %s: the mount covers its own lower directory: copies a crash left dirty cannot be written back from here (unmount it first)",
				 m->conf->path, ds->path);
		else if (err)
			log_warn_errno("writeback", err, "%s: dataset %s: cannot look for dirty copies",
				       m->conf->path, ds->path);
		else if (wb.written || wb.failed)
			log_info("writeback", "%s: dataset %s: %u dirty copies written back, %u left as they are (see above)",
				 m->conf->path, ds->path, wb.written,
				 wb.failed);
	}
	err = pccd_dataset_to_nl(ds, &nds, &rule);
	if (!err)
		err = old_module_fallback(d, &nds, msg, len);
	if (!err)
		err = pcc_nl_dataset_add(d->nl, &mnt, &nds, msg, len);
	pcc_rule_free(rule);
	if (err) {
		log_err_errno("conf", err, "%s: cannot add dataset %s%s%s",
			      m->conf->path, ds->path, *msg ? ": " : "", msg);
		return err;
	}
	log_info("conf", "%s: dataset %s added (id %u)", m->conf->path,
		 ds->path, nds.id);
	return 0;
}

/*
 * PCC_CMD_DATASET_SET of ds's attach policy, rule and write-back policy,
 * unlogged.
 */
static int send_set(struct pccd *d, struct pccd_mount *m,
		    const struct pcc_conf_dataset *ds, char *msg, size_t len)
{
	struct pcc_nl_mnt mnt = { .id = m->id };
	struct pcc_nl_dataset nds;
	struct pcc_rule *rule;
	int err;

	*msg = '\0';
	err = pccd_dataset_to_nl(ds, &nds, &rule);
	nds.set &= ~PCC_NL_DS_MODE;
	if (!err)
		err = old_module_fallback(d, &nds, msg, len);
	if (!err)
		err = pcc_nl_dataset_set(d->nl, &mnt, &nds, msg, len);
	pcc_rule_free(rule);
	return err;
}

int pccd_apply_set(struct pccd *d, struct pccd_mount *m,
		   const struct pcc_conf_dataset *ds, char *msg, size_t len)
{
	int err = send_set(d, m, ds, msg, len);

	if (err)
		log_err_errno("conf", err, "%s: cannot change dataset %s%s%s",
			      m->conf->path, ds->path, *msg ? ": " : "", msg);
	else
		log_info("conf", "%s: dataset %s changed", m->conf->path,
			 ds->path);
	return err;
}

int pccd_apply_del(struct pccd *d, struct pccd_mount *m, uint32_t id,
		   const char *path, char *msg, size_t len)
{
	struct pcc_nl_mnt mnt = { .id = m->id };
	int err;

	*msg = '\0';
	err = pcc_nl_dataset_del(d->nl, &mnt, id, msg, len);
	if (err && err != -ENOENT) {
		log_err_errno("conf", err, "%s: cannot delete dataset %s%s%s",
			      m->conf->path, path, *msg ? ": " : "", msg);
		return err;
	}
	log_info("conf", "%s: dataset %s deleted", m->conf->path, path);
	return 0;
}

/*
 * The write-back policy, as the module has it (read-write datasets only:
 * mode is equal here).  The interval counts with lazy write-back only:
 * a close dataset's does nothing to the files closed from then on, and
 * pcc.yaml gives it none.
 */
static bool same_writeback(const struct kernel_ds *k,
			   const struct pcc_conf_dataset *ds)
{
	if (!(ds->mode & PCC_MODE_RW))
		return true;
	return k->writeback == ds->writeback &&
	       (ds->writeback != PCC_WRITEBACK_LAZY ||
		k->wb_interval == ds->wb_interval);
}

/* Make the module's datasets of m those of its configuration. */
static unsigned int sync_datasets(struct pccd *d, struct pccd_mount *m)
{
	struct pcc_nl_mnt mnt = { .id = m->id };
	const struct pcc_conf_dataset *ds;
	struct kernel_ds_list l = { 0 };
	unsigned int errors = 0;
	char msg[256];
	struct kernel_ds *k;
	size_t i;
	int err;

	err = dump_datasets(d, &mnt, &l);
	if (err) {
		log_err_errno("conf", err, "%s: cannot list the datasets",
			      m->conf->path);
		return 1;
	}
	for (ds = m->conf->datasets; ds; ds = ds->next) {
		uint32_t id = pcc_conf_dataset_id(ds);

		for (i = 0, k = NULL; i < l.n; i++)
			if (l.ds[i].id == id)
				k = &l.ds[i];
		if (k && (strcmp(k->path, ds->path) || k->mode != ds->mode)) {
			/* Path and mode cannot change in place. */
			if (pccd_apply_del(d, m, k->id, k->path, msg, sizeof(msg)))
				errors++;
			k->wanted = true;
			k = NULL;
		}
		if (!k) {
			errors += !!pccd_apply_add(d, m, ds, msg, sizeof(msg));
			continue;
		}
		k->wanted = true;
		if (k->attach != ds->attach ||
		    !same_text(k->rule_text, ds->rule) ||
		    !same_writeback(k, ds))
			errors += !!pccd_apply_set(d, m, ds, msg, sizeof(msg));
	}
	for (i = 0; i < l.n; i++)
		if (!l.ds[i].wanted)
			errors += !!pccd_apply_del(d, m, l.ds[i].id, l.ds[i].path,
						 msg, sizeof(msg));
	kernel_ds_list_free(&l);
	return errors;
}

/* Is the pcc mount at path the one stacked on lower?  0: yes. */
static int lookup_mount(struct pccd *d, struct pccd_mount *m)
{
	struct pcc_nl_mnt mnt = { .path = m->conf->path };
	char lower[PATH_MAX], msg[256];
	struct pcc_nl_mount *km;
	struct stat st;
	int err;

	km = calloc(1, sizeof(*km));
	if (!km)
		return -ENOMEM;
	err = pcc_nl_mount_get(d->nl, &mnt, km, msg, sizeof(msg));
	if (err)
		goto out;
	/* The lower may be covered by the mount itself (path == lower). */
	if (!realpath(m->conf->lower, lower))
		snprintf(lower, sizeof(lower), "%s", m->conf->lower);
	if (strcmp(km->lower, lower) && strcmp(km->lower, m->conf->lower)) {
		err = -EXDEV;
		goto out;
	}
	if (stat(m->conf->path, &st) < 0) {
		err = -errno;
		goto out;
	}
	m->id = km->id;
	m->dev = st.st_dev;
	m->mounted = true;
out:
	free(km);
	return err;
}

int pccd_apply_mount(struct pccd *d, struct pccd_mount *m)
{
	int err;

	m->mounted = false;
	err = lookup_mount(d, m);
	if (!err)
		return 0;
	if (err == -EXDEV) {
		log_errx("conf", "%s is a pcc mount of another directory than %s",
			 m->conf->path, m->conf->lower);
		return err;
	}
	if (err != -EINVAL && err != -ENOENT) {
		log_err_errno("conf", err, "cannot look up %s", m->conf->path);
		return err;
	}
	if (mount(m->conf->lower, m->conf->path, PCC_FS_NAME, 0, NULL) < 0) {
		err = -errno;
		log_err_errno("conf", err, "cannot mount %s on %s",
			      m->conf->lower, m->conf->path);
		return err;
	}
	log_info("conf", "mounted %s on %s", m->conf->lower, m->conf->path);
	err = lookup_mount(d, m);
	if (err)
		log_err_errno("conf", err, "%s: mounted, but not found",
			      m->conf->path);
	return err;
}

unsigned int pccd_apply(struct pccd *d)
{
	const struct pcc_conf_mount *cm;
	unsigned int errors = 0;
	size_t n = 0;

	free(d->mounts);
	d->nmounts = 0;
	d->mounts = calloc(pcc_conf_count_mounts(d->conf) + 1,
			   sizeof(*d->mounts));
	if (!d->mounts) {
		log_errx("conf", "out of memory");
		d->apply_errors = 1;
		return 1;
	}
	for (cm = d->conf->mounts; cm; cm = cm->next)
		d->mounts[n++].conf = cm;
	d->nmounts = n;

	if (pccd_kernel_connect(d)) {
		log_errx("conf", "module pcc is not loaded: nothing applied");
		d->apply_errors = n ? n : 1;
		return d->apply_errors;
	}
	for (n = 0; n < d->nmounts; n++) {
		if (pccd_apply_mount(d, &d->mounts[n])) {
			errors++;
			continue;
		}
		errors += sync_datasets(d, &d->mounts[n]);
	}
	d->apply_errors = errors;
	return errors;
}

void pccd_apply_rearm(struct pccd *d)
{
	char msg[256];
	size_t i;

	for (i = 0; i < d->nmounts; i++) {
		struct pccd_mount *m = &d->mounts[i];
		const struct pcc_conf_dataset *ds = m->conf->datasets;
		int err;

		if (!m->mounted || !ds)
			continue;
		/*
		 * Setting a dataset to what it is bumps the generation; it
		 * changes nothing, so it is not logged as a change.
		 */
		err = send_set(d, m, ds, msg, sizeof(msg));
		if (err)
			log_warn_errno("conf", err, "%s: misses of files opened while pccd was away will not be reported",
				       m->conf->path);
	}
}

void pccd_apply_removed(struct pccd *d, const struct pcc_config *next)
{
	const struct pcc_conf_mount *cm;
	char msg[256];
	size_t i;
	int err;

	for (i = 0; i < d->nmounts; i++) {
		struct pccd_mount *m = &d->mounts[i];
		struct pcc_nl_mnt mnt = { .id = m->id };

		if (!m->mounted || !d->nl)
			continue;
		for (cm = next->mounts; cm; cm = cm->next)
			if (!strcmp(cm->path, m->conf->path))
				break;
		if (cm)
			continue;
		err = pcc_nl_dataset_clear(d->nl, &mnt, msg, sizeof(msg));
		if (err)
			log_err_errno("conf", err, "%s: cannot clear datasets",
				      m->conf->path);
		else
			log_info("conf", "%s: no longer configured, datasets cleared",
				 m->conf->path);
	}
}

struct pccd_mount *pccd_mount_by_id(struct pccd *d, uint32_t id)
{
	size_t i;

	for (i = 0; i < d->nmounts; i++)
		if (d->mounts[i].mounted && d->mounts[i].id == id)
			return &d->mounts[i];
	return NULL;
}

struct pccd_mount *pccd_mount_by_dev(struct pccd *d, dev_t dev)
{
	size_t i;

	for (i = 0; i < d->nmounts; i++)
		if (d->mounts[i].mounted && d->mounts[i].dev == dev)
			return &d->mounts[i];
	return NULL;
}

const char *pccd_realpath(const char *path, char *buf)
{
	if (!realpath(path, buf))
		snprintf(buf, PATH_MAX, "%s", path);
	return buf;
}

bool pccd_same_dir(const char *configured, const char *path, const char *real)
{
	char b[PATH_MAX];

	return !strcmp(configured, path) || !strcmp(configured, real) ||
	       (realpath(configured, b) && !strcmp(b, real));
}

struct pccd_mount *pccd_mount_by_path(struct pccd *d, const char *path)
{
	char real[PATH_MAX];
	size_t i;

	pccd_realpath(path, real);
	for (i = 0; i < d->nmounts; i++)
		if (pccd_same_dir(d->mounts[i].conf->path, path, real))
			return &d->mounts[i];
	return NULL;
}

const struct pcc_conf_dataset *pccd_dataset_by_id(const struct pccd_mount *m,
						  uint32_t ds_id)
{
	const struct pcc_conf_dataset *ds;

	/* Ids are unique across roid and rwid: either names it. */
	for (ds = m->conf->datasets; ds; ds = ds->next)
		if (pcc_conf_dataset_id(ds) == ds_id ||
		    (ds->rwid && ds->rwid == ds_id))
			return ds;
	return NULL;
}

const struct pcc_conf_dataset *pccd_dataset_first(const struct pccd_mount *m,
						  unsigned int mode)
{
	const struct pcc_conf_dataset *ds;

	for (ds = m->conf->datasets; ds; ds = ds->next)
		if (ds->mode & mode)
			return ds;
	return NULL;
}

const struct pcc_conf_dataset *pccd_dataset_first_ro(const struct pccd_mount *m)
{
	return pccd_dataset_first(m, PCC_MODE_RO);
}
