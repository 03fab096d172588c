// SPDX-License-Identifier: GPL-2.0-only
/*
 * admin.c - the commands that change or show the datasets: add, set, del,
 * clear (root), list and stats (anyone).
 *
 * A change is made on a copy of the configuration in force, applied to
 * the module, then written to the configuration file; if writing fails the
 * module is put back, so the module, the file and pccd always agree.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <json-c/json.h>
#include <linux/pcc.h>

#include "apply.h"
#include "client.h"
#include "conf.h"
#include "copy.h"
#include "kernel.h"
#include "log.h"
#include "nl.h"
#include "param.h"
#include "pccd.h"
#include "rule.h"
#include "space.h"

/* Make next the configuration in force (it was saved already). */
static void adopt(struct pccd *d, struct pcc_config *next)
{
	pcc_conf_free(d->conf);
	d->conf = next;
	pccd_apply(d);
}

/*
 * Write next to the configuration file, unless the file changed since pccd
 * read it (an edit not reloaded yet would be lost).
 */
static int save(struct pccd_request *r, struct pcc_config *next)
{
	char err[PCC_CONF_ERR_LEN];
	struct stat now, *seen = &r->d->conf_stat;
	int ret;

	if (stat(r->d->conf_file, &now) < 0)
		memset(&now, 0, sizeof(now));
	if (now.st_ino != seen->st_ino || now.st_dev != seen->st_dev ||
	    now.st_size != seen->st_size ||
	    now.st_mtim.tv_sec != seen->st_mtim.tv_sec ||
	    now.st_mtim.tv_nsec != seen->st_mtim.tv_nsec)
		return pccd_fail(r->c, -ESTALE,
				 "%s changed since pccd read it: reload pccd first (systemctl reload pccd, or SIGHUP) so that edit is not lost",
				 r->d->conf_file);
	ret = pcc_conf_save(next, r->d->conf_file, err, sizeof(err));
	if (ret)
		return pccd_fail(r->c, ret, "cannot write the configuration: %s",
				 err);
	pccd_conf_seen(r->d);
	return 0;
}

/* The module must be there for any change. */
static int need_module(struct pccd_request *r)
{
	int err = pccd_kernel_connect(r->d);

	if (err == -ENOENT)
		return pccd_fail(r->c, -ENOENT, "module pcc is not loaded");
	if (err)
		return pccd_fail(r->c, err, "cannot reach module pcc: %s",
				 strerror(-err));
	return 0;
}

/* In next, the mount configured at path (pccd_same_dir()). */
static struct pcc_conf_mount *conf_mount(struct pcc_config *next,
					 const char *path)
{
	struct pcc_conf_mount *m;
	char real[PATH_MAX];

	pccd_realpath(path, real);
	for (m = next->mounts; m; m = m->next)
		if (pccd_same_dir(m->path, path, real))
			return m;
	return NULL;
}

/* In m, the dataset whose directory is path (pccd_same_dir()). */
static struct pcc_conf_dataset **conf_dataset(struct pcc_conf_mount *m,
					      const char *path)
{
	struct pcc_conf_dataset **pp;
	char real[PATH_MAX];

	pccd_realpath(path, real);
	for (pp = &m->datasets; *pp; pp = &(*pp)->next)
		if (pccd_same_dir((*pp)->path, path, real))
			return pp;
	return NULL;
}

/*
 * Find the mount a command names: a configured one, or a pcc mount made
 * by hand, which add then configures.  *mp is the live mount (with a
 * temporary entry for an unconfigured one, in tmp).
 */
static int find_mount(struct pccd_request *r, const char *path,
		      struct pcc_config *next, bool may_create,
		      struct pcc_conf_mount **cmp, struct pccd_mount **mp,
		      struct pccd_mount *tmp)
{
	struct pcc_nl_mnt mnt = { .path = path };
	struct pcc_conf_mount *cm, **tail;
	struct pcc_nl_mount *km;
	char msg[256], real[PATH_MAX];
	int err;

	cm = conf_mount(next, path);
	if (cm) {
		*cmp = cm;
		*mp = pccd_mount_by_path(r->d, cm->path);
		if (!*mp || !(*mp)->mounted)
			return pccd_fail(r->c, -ENODEV,
					 "%s is configured but not mounted (see the log)",
					 cm->path);
		return 0;
	}
	if (!may_create)
		return pccd_fail(r->c, -ENOENT, "%s is not a configured pcc mount",
				 path);
	if (!realpath(path, real))
		return pccd_fail(r->c, -errno, "%s: %s", path, strerror(errno));
	km = calloc(1, sizeof(*km));
	if (!km)
		return -ENOMEM;
	mnt.path = real;
	err = pcc_nl_mount_get(r->d->nl, &mnt, km, msg, sizeof(msg));
	if (err) {
		free(km);
		return pccd_fail(r->c, err, "%s is not a pcc mount", path);
	}
	cm = calloc(1, sizeof(*cm));
	if (!cm || !(cm->path = strdup(real)) ||
	    !(cm->lower = strdup(km->lower))) {
		if (cm)
			free(cm->path);
		free(cm);
		free(km);
		return -ENOMEM;
	}
	for (tail = &next->mounts; *tail; tail = &(*tail)->next)
		;
	*tail = cm;
	*tmp = (struct pccd_mount){ .conf = cm, .mounted = true, .id = km->id };
	free(km);
	*cmp = cm;
	*mp = tmp;
	return 0;
}

static int parse_error(struct pccd_request *r, int err,
		       const struct pcc_parse_error *perr)
{
	if (err == -EINVAL)
		return pccd_fail(r->c, err, "parameters, column %u: %s",
				 perr->column, perr->msg);
	return err;
}

/*
 * The dataset object of list and of add/set replies; attached < 0: not
 * known (JSON null).
 */
static struct json_object *dataset_json(struct pccd *d,
					const struct pcc_conf_dataset *ds,
					long long attached)
{
	struct json_object *o = json_object_new_object(), *a, *u;
	uint64_t files = 0, bytes = 0, pfiles = 0, pbytes = 0;

	if (!o)
		return NULL;
	a = json_object_new_array();
	if (a && (ds->attach & PCC_ATTACH_OPEN))
		json_object_array_add(a, json_object_new_string("open"));
	if (a && (ds->attach & PCC_ATTACH_STAT))
		json_object_array_add(a, json_object_new_string("stat"));
	if (a && (ds->attach & PCC_ATTACH_IO))
		json_object_array_add(a, json_object_new_string("io"));
	if (pccd_json_u64(o, "id", pcc_conf_dataset_id(ds)) ||
	    pccd_json_u64(o, "roid", ds->roid) ||
	    pccd_json_u64(o, "rwid", ds->rwid) ||
	    pccd_json_str(o, "path", ds->path) ||
	    pccd_json_str(o, "mode", pcc_conf_mode_name(ds->mode)) ||
	    pccd_json_add(o, "attach", a) ||
	    pccd_json_str(o, "rule", ds->rule))
		goto fail;
	/*
	 * Read-write datasets only: null for the others, as the module; the
	 * interval only with lazy write-back, the one policy that uses it.
	 */
	if (ds->mode & PCC_MODE_RW) {
		if (pccd_json_str(o, "writeback",
				  pcc_conf_writeback_name(ds->writeback)))
			goto fail;
	} else if (pccd_json_null(o, "writeback")) {
		goto fail;
	}
	if ((ds->mode & PCC_MODE_RW) && ds->writeback == PCC_WRITEBACK_LAZY) {
		if (pccd_json_u64(o, "writeback_interval", ds->wb_interval))
			goto fail;
	} else if (pccd_json_null(o, "writeback_interval")) {
		goto fail;
	}
	if (attached >= 0 && pccd_json_u64(o, "attached", attached))
		goto fail;
	if (attached < 0 && pccd_json_null(o, "attached"))
		goto fail;
	u = json_object_new_object();
	/* The index when space management has one; a walk otherwise. */
	if (!d || !pccd_space_usage(d, ds->path, &files, &bytes, &pfiles,
				    &pbytes))
		pccd_copy_usage(ds->path, &files, &bytes);
	if (!u || pccd_json_u64(u, "files", files) ||
	    pccd_json_u64(u, "bytes", bytes) ||
	    pccd_json_u64(u, "pinned_files", pfiles) ||
	    pccd_json_u64(u, "pinned_bytes", pbytes)) {
		json_object_put(u);
		goto fail;
	}
	if (pccd_json_add(o, "usage", u))
		goto fail;
	u = json_object_new_object();
	if (!u || pccd_json_u64(u, "high_percent", ds->capacity_high) ||
	    pccd_json_u64(u, "low_percent", ds->capacity_low) ||
	    (ds->flags & PCC_DS_HAS_MAX_BYTES ?
	     pccd_json_u64(u, "max_bytes", ds->max_bytes) :
	     pccd_json_null(u, "max_bytes")) ||
	    (ds->flags & PCC_DS_HAS_MAX_FILES ?
	     pccd_json_u64(u, "max_files", ds->max_files) :
	     pccd_json_null(u, "max_files")) ||
	    (ds->flags & PCC_DS_HAS_MIN_FREE ?
	     pccd_json_u64(u, "min_free", ds->min_free) :
	     pccd_json_null(u, "min_free"))) {
		json_object_put(u);
		goto fail;
	}
	if (pccd_json_add(o, "limits", u))
		goto fail;
	return o;
fail:
	json_object_put(o);
	return NULL;
}

/* The files attached now from each dataset of a mount, from one dump. */
struct attached_count {
	bool counted;			/* the dump worked */
	uint32_t id[64];
	uint32_t n[64];
	unsigned int count;
};

static int count_attached(const struct pcc_nl_dataset *ds, void *arg)
{
	struct attached_count *a = arg;

	if (a->count < 64) {
		a->id[a->count] = ds->id;
		a->n[a->count++] = ds->attached;
	}
	return 0;
}

static void dump_attached(struct pccd *d, const struct pccd_mount *m,
			  struct attached_count *ac)
{
	struct pcc_nl_mnt mnt = { .id = m->id };

	*ac = (struct attached_count){ 0 };
	if (m->mounted && d->nl)
		ac->counted = !pcc_nl_dataset_dump(d->nl, &mnt, count_attached,
						   ac, NULL, 0);
}

/* Files attached from dataset id: 0 if the module has none, -1 unknown. */
static long long attached_of(const struct attached_count *ac, uint32_t id)
{
	unsigned int i;

	for (i = 0; i < ac->count; i++)
		if (ac->id[i] == id)
			return ac->n[i];
	return ac->counted ? 0 : -1;
}

static long long ds_attached(struct pccd *d, const struct pccd_mount *m,
			     uint32_t id)
{
	struct attached_count ac;

	dump_attached(d, m, &ac);
	return attached_of(&ac, id);
}

/* The values of ds as parameters, for set. */
static int params_of(const struct pcc_conf_dataset *ds, struct pcc_params *p)
{
	struct pcc_parse_error perr;

	*p = (struct pcc_params){ .roid = ds->roid, .rwid = ds->rwid,
				  .mode = ds->mode, .attach = ds->attach,
				  .writeback = ds->writeback,
				  .wb_interval = ds->wb_interval };
	if (!ds->rule)
		return 0;
	p->rule_text = strdup(ds->rule);
	if (!p->rule_text)
		return -ENOMEM;
	return pcc_rule_parse(ds->rule, &p->rule, &perr);
}

/* The capacity keys of p into ds; -EINVAL (said) if low >= high. */
static int capacity_from(struct pccd_request *r, struct pcc_conf_dataset *ds,
			 const struct pcc_params *p)
{
	static const struct {
		unsigned int param, has;
	} sizes[] = {
		{ PCC_PARAM_MAX_BYTES, PCC_DS_HAS_MAX_BYTES },
		{ PCC_PARAM_MAX_FILES, PCC_DS_HAS_MAX_FILES },
		{ PCC_PARAM_MIN_FREE, PCC_DS_HAS_MIN_FREE },
	};
	const uint64_t v[] = { p->max_bytes, p->max_files, p->min_free };
	uint64_t *field[] = { &ds->max_bytes, &ds->max_files, &ds->min_free };
	size_t i;

	if (p->set & PCC_PARAM_HIGH) {
		ds->capacity_high = p->high;
		ds->flags |= PCC_DS_HAS_CAPACITY | PCC_DS_HAS_CAP_HIGH;
	}
	if (p->set & PCC_PARAM_LOW) {
		ds->capacity_low = p->low;
		ds->flags |= PCC_DS_HAS_CAPACITY | PCC_DS_HAS_CAP_LOW;
	}
	for (i = 0; i < 3; i++) {
		if (!(p->set & sizes[i].param))
			continue;
		*field[i] = v[i];
		if (v[i])	/* "none" takes the limit away */
			ds->flags |= PCC_DS_HAS_CAPACITY | sizes[i].has;
		else
			ds->flags &= ~sizes[i].has;
	}
	if (ds->capacity_low >= ds->capacity_high)
		return pccd_fail(r->c, -EINVAL,
				 "capacity low (%u%%) must be below high (%u%%)",
				 ds->capacity_low, ds->capacity_high);
	return 0;
}

/*
 * The write-back keys of p into ds (pcc_params_parse() checked them
 * against the mode).  Write-back at close has no interval: one set for
 * lazy goes with it, as pcc.yaml would refuse it.
 */
static void writeback_from(struct pcc_conf_dataset *ds,
			   const struct pcc_params *p)
{
	if (p->set & PCC_PARAM_WRITEBACK) {
		ds->writeback = p->writeback;
		ds->flags |= PCC_DS_HAS_WRITEBACK;
	}
	if (p->set & PCC_PARAM_WB_INTERVAL) {
		ds->wb_interval = p->wb_interval;
		ds->flags |= PCC_DS_HAS_WB_INTERVAL;
	}
	if (ds->writeback != PCC_WRITEBACK_LAZY) {
		ds->wb_interval = PCC_DEFAULT_WB_INTERVAL;
		ds->flags &= ~PCC_DS_HAS_WB_INTERVAL;
	}
}

static uint32_t free_id(const struct pcc_conf_mount *m)
{
	const struct pcc_conf_dataset *ds;
	uint32_t id;

	for (id = 1;; id++) {
		for (ds = m->datasets; ds; ds = ds->next)
			if (ds->roid == id || ds->rwid == id)
				break;
		if (!ds)
			return id;
	}
}

static int check_ids(struct pccd_request *r, const struct pcc_conf_mount *m,
		     const struct pcc_conf_dataset *self, uint32_t id)
{
	const struct pcc_conf_dataset *ds;

	if (!id)
		return 0;
	for (ds = m->datasets; ds; ds = ds->next)
		if (ds != self && (ds->roid == id || ds->rwid == id))
			return pccd_fail(r->c, -EEXIST,
					 "id %u is taken by dataset %s of %s",
					 id, ds->path, m->path);
	return 0;
}

int pccd_cmd_add(struct pccd_request *r)
{
	struct pcc_params p = { .mode = PCC_DS_MODE_RO,
				.attach = PCC_DS_ATTACH_ALL,
				.writeback = PCC_DS_WB_CLOSE,
				.wb_interval = PCC_DS_WB_INTERVAL_DEFAULT };
	const char *mount, *cache, *params;
	struct pcc_conf_dataset *ds = NULL, **tail;
	struct pcc_config *next = NULL;
	struct pcc_conf_mount *cm, *other;
	struct pccd_mount *m, tmp;
	struct pcc_parse_error perr;
	char real[PATH_MAX], msg[256];
	int err;

	err = pccd_need_root(r);
	if (!err)
		err = pccd_req_str(r, "mount", true, &mount);
	if (!err)
		err = pccd_req_str(r, "cache", true, &cache);
	if (!err)
		err = pccd_req_str(r, "params", false, &params);
	if (err)
		return err;
	err = pcc_params_parse(params ? params : "", &p, &perr);
	if (err)
		return parse_error(r, err, &perr);
	if (!realpath(cache, real)) {
		err = pccd_fail(r->c, -errno, "%s: %s", cache, strerror(errno));
		goto out;
	}
	err = pccd_check_cache_dir(real, msg, sizeof(msg));
	if (err) {
		err = pccd_fail(r->c, err, "%s", msg);
		goto out;
	}
	err = need_module(r);
	if (err)
		goto out;
	next = pcc_conf_dup(r->d->conf);
	if (!next) {
		err = -ENOMEM;
		goto out;
	}
	err = find_mount(r, mount, next, true, &cm, &m, &tmp);
	if (err)
		goto out;
	/* A cache directory serves one dataset, whatever its mount. */
	for (other = next->mounts; other; other = other->next) {
		if (conf_dataset(other, real)) {
			err = pccd_fail(r->c, -EEXIST,
					"%s is a dataset of %s already",
					real, other->path);
			goto out;
		}
	}
	if (!(p.set & (PCC_PARAM_ROID | PCC_PARAM_RWID))) {
		p.roid = free_id(cm);
		p.set |= PCC_PARAM_ROID;
	}
	err = check_ids(r, cm, NULL, p.roid);
	if (!err)
		err = check_ids(r, cm, NULL, p.rwid);
	if (err)
		goto out;

	ds = calloc(1, sizeof(*ds));
	if (!ds || !(ds->path = strdup(real))) {
		err = -ENOMEM;
		goto out;
	}
	ds->roid = p.roid;
	ds->rwid = p.rwid;
	ds->mode = p.mode;
	ds->attach = p.attach;
	ds->capacity_high = PCC_DEFAULT_CAPACITY_HIGH;
	ds->capacity_low = PCC_DEFAULT_CAPACITY_LOW;
	ds->writeback = PCC_DEFAULT_WRITEBACK;
	ds->wb_interval = PCC_DEFAULT_WB_INTERVAL;
	ds->flags = (p.set & PCC_PARAM_ROID ? PCC_DS_HAS_ROID : 0) |
		    (p.set & PCC_PARAM_RWID ? PCC_DS_HAS_RWID : 0) |
		    (p.set & PCC_PARAM_MODE ? PCC_DS_HAS_MODE : 0) |
		    (p.set & PCC_PARAM_ATTACH ? PCC_DS_HAS_ATTACH : 0);
	writeback_from(ds, &p);
	if (p.rule_text) {
		ds->rule = strdup(p.rule_text);
		if (!ds->rule) {
			err = -ENOMEM;
			goto out;
		}
		ds->flags |= PCC_DS_HAS_RULE;
	}
	err = capacity_from(r, ds, &p);
	if (err)
		goto out;

	err = pccd_apply_add(r->d, m, ds, msg, sizeof(msg));
	if (err) {
		err = pccd_fail(r->c, err, "cannot add %s to %s: %s", real,
				cm->path, *msg ? msg : strerror(-err));
		goto out;
	}
	for (tail = &cm->datasets; *tail; tail = &(*tail)->next)
		;
	*tail = ds;
	ds = NULL;
	err = save(r, next);
	if (err) {
		pccd_apply_del(r->d, m, pcc_conf_dataset_id(*tail), real, msg,
			       sizeof(msg));
		goto out;
	}
	err = pccd_json_add(r->reply, "dataset",
			    dataset_json(r->d, *tail, ds_attached(r->d, m,
					 pcc_conf_dataset_id(*tail))));
	adopt(r->d, next);
	next = NULL;
out:
	pcc_conf_dataset_free(ds);
	pcc_conf_free(next);
	pcc_params_clear(&p);
	return err;
}

int pccd_cmd_set(struct pccd_request *r)
{
	struct pcc_params p = { 0 };
	const char *mount, *cache, *params;
	struct pcc_conf_dataset **pp, *ds, *old = NULL;
	struct pcc_config *next = NULL;
	struct pcc_conf_mount *cm;
	struct pccd_mount *m, tmp;
	struct pcc_parse_error perr;
	char msg[256];
	int err;

	err = pccd_need_root(r);
	if (!err)
		err = pccd_req_str(r, "mount", true, &mount);
	if (!err)
		err = pccd_req_str(r, "cache", true, &cache);
	if (!err)
		err = pccd_req_str(r, "params", true, &params);
	if (!err)
		err = need_module(r);
	if (err)
		return err;
	next = pcc_conf_dup(r->d->conf);
	if (!next)
		return -ENOMEM;
	err = find_mount(r, mount, next, false, &cm, &m, &tmp);
	if (err)
		goto out;
	pp = conf_dataset(cm, cache);
	if (!pp) {
		err = pccd_fail(r->c, -ENOENT, "%s is not a dataset of %s",
				cache, cm->path);
		goto out;
	}
	ds = *pp;
	err = params_of(ds, &p);
	if (err)
		goto out;
	err = pcc_params_parse(params, &p, &perr);
	if (err) {
		err = parse_error(r, err, &perr);
		goto out;
	}
	if (p.roid != ds->roid || p.rwid != ds->rwid || p.mode != ds->mode) {
		err = pccd_fail(r->c, -EINVAL,
				"roid, rwid and the mode of a dataset cannot change in place: del and add it");
		goto out;
	}
	old = pcc_conf_dataset_dup(ds);
	if (!old) {
		err = -ENOMEM;
		goto out;
	}
	if (p.set & PCC_PARAM_ATTACH) {
		ds->attach = p.attach;
		ds->flags |= PCC_DS_HAS_ATTACH;
	}
	if (p.set & PCC_PARAM_RULE) {
		free(ds->rule);
		ds->rule = strdup(p.rule_text);
		if (!ds->rule) {
			err = -ENOMEM;
			goto out;
		}
		ds->flags |= PCC_DS_HAS_RULE;
	}
	writeback_from(ds, &p);
	err = capacity_from(r, ds, &p);
	if (err)
		goto out;
	if (pcc_conf_dataset_equal(old, ds))
		goto reply;
	err = pccd_apply_set(r->d, m, ds, msg, sizeof(msg));
	if (err) {
		err = pccd_fail(r->c, err, "cannot change %s: %s", ds->path,
				*msg ? msg : strerror(-err));
		goto out;
	}
	err = save(r, next);
	if (err) {
		pccd_apply_set(r->d, m, old, msg, sizeof(msg));
		goto out;
	}
reply:
	err = pccd_json_add(r->reply, "dataset",
			    dataset_json(r->d, ds, ds_attached(r->d, m,
					 pcc_conf_dataset_id(ds))));
	adopt(r->d, next);
	next = NULL;
out:
	pcc_conf_dataset_free(old);
	pcc_conf_free(next);
	pcc_params_clear(&p);
	return err;
}

/*
 * Remove the copies of the datasets in list (unless keep), for the reply.
 * Their copies queued or running are cancelled first, whatever keep is:
 * one linked after the removal would stay for good, with the id of a
 * dataset that is gone.  With keep, the copies made so far stay.
 */
static void remove_copies(struct pccd_request *r,
			  const struct pcc_conf_dataset *list, bool keep)
{
	const struct pcc_conf_dataset *ds;
	uint64_t files = 0, bytes = 0;
	int err;

	for (ds = list; ds; ds = ds->next) {
		if (r->d->copy)
			pccd_copy_cancel_dataset(r->d->copy, ds->path);
		if (keep)
			continue;
		err = pccd_copy_remove_all(ds->path, pcc_conf_dataset_id(ds),
					   &files, &bytes);
		if (err < 0)
			log_warn_errno("copy", err, "%s: cannot remove every copy",
				       ds->path);
	}
	pccd_json_u64(r->reply, "removed_copies", files);
	pccd_json_u64(r->reply, "removed_bytes", bytes);
}

int pccd_cmd_del(struct pccd_request *r)
{
	struct pcc_conf_dataset **pp, *ds = NULL;
	struct pcc_config *next = NULL;
	const char *mount, *cache;
	struct pcc_conf_mount *cm;
	struct pccd_mount *m, tmp;
	char msg[256];
	bool keep;
	int err;

	err = pccd_need_root(r);
	if (!err)
		err = pccd_req_str(r, "mount", true, &mount);
	if (!err)
		err = pccd_req_str(r, "cache", true, &cache);
	if (!err)
		err = pccd_req_bool(r, "keep", &keep);
	if (!err)
		err = need_module(r);
	if (err)
		return err;
	next = pcc_conf_dup(r->d->conf);
	if (!next)
		return -ENOMEM;
	err = find_mount(r, mount, next, false, &cm, &m, &tmp);
	if (err)
		goto out;
	pp = conf_dataset(cm, cache);
	if (!pp) {
		err = pccd_fail(r->c, -ENOENT, "%s is not a dataset of %s",
				cache, cm->path);
		goto out;
	}
	ds = *pp;
	err = pccd_apply_del(r->d, m, pcc_conf_dataset_id(ds), ds->path, msg,
			     sizeof(msg));
	if (err) {
		err = pccd_fail(r->c, err, "cannot delete %s: %s", ds->path,
				*msg ? msg : strerror(-err));
		ds = NULL;
		goto out;
	}
	*pp = ds->next;
	ds->next = NULL;
	err = save(r, next);
	if (err) {
		pccd_apply_add(r->d, m, ds, msg, sizeof(msg));
		goto out;
	}
	remove_copies(r, ds, keep);
	adopt(r->d, next);
	next = NULL;
out:
	pcc_conf_dataset_free(ds);
	pcc_conf_free(next);
	return err;
}

int pccd_cmd_clear(struct pccd_request *r)
{
	struct pcc_conf_dataset *list = NULL, *ds, *n;
	struct pcc_config *next = NULL;
	struct pcc_nl_mnt mnt = { 0 };
	struct pcc_conf_mount *cm;
	struct pccd_mount *m, tmp;
	const char *mount;
	unsigned int count = 0;
	char msg[256] = "";
	bool keep;
	int err;

	err = pccd_need_root(r);
	if (!err)
		err = pccd_req_str(r, "mount", true, &mount);
	if (!err)
		err = pccd_req_bool(r, "keep", &keep);
	if (!err)
		err = need_module(r);
	if (err)
		return err;
	next = pcc_conf_dup(r->d->conf);
	if (!next)
		return -ENOMEM;
	err = find_mount(r, mount, next, false, &cm, &m, &tmp);
	if (err)
		goto out;
	mnt.id = m->id;
	err = pcc_nl_dataset_clear(r->d->nl, &mnt, msg, sizeof(msg));
	if (err) {
		err = pccd_fail(r->c, err, "cannot clear %s: %s", cm->path,
				*msg ? msg : strerror(-err));
		goto out;
	}
	list = cm->datasets;
	cm->datasets = NULL;
	for (ds = list; ds; ds = ds->next)
		count++;
	err = save(r, next);
	if (err) {
		for (ds = list; ds; ds = ds->next)
			pccd_apply_add(r->d, m, ds, msg, sizeof(msg));
		goto out;
	}
	log_info("conf", "%s: %u datasets cleared", cm->path, count);
	pccd_json_u64(r->reply, "datasets", count);
	remove_copies(r, list, keep);
	adopt(r->d, next);
	next = NULL;
out:
	for (ds = list; ds; ds = n) {
		n = ds->next;
		pcc_conf_dataset_free(ds);
	}
	pcc_conf_free(next);
	return err;
}

static struct json_object *mount_json(struct pccd *d, struct pccd_mount *m)
{
	struct json_object *o = json_object_new_object(), *list;
	const struct pcc_conf_dataset *ds;
	struct attached_count ac;

	if (!o)
		return NULL;
	dump_attached(d, m, &ac);
	list = json_object_new_array();
	if (pccd_json_str(o, "path", m->conf->path) ||
	    pccd_json_str(o, "lower", m->conf->lower) ||
	    pccd_json_add(o, "mounted", json_object_new_boolean(m->mounted)) ||
	    (m->mounted ? pccd_json_u64(o, "mount_id", m->id)
			: pccd_json_null(o, "mount_id")) ||
	    pccd_json_add(o, "datasets", list))
		goto fail;
	for (ds = m->conf->datasets; ds; ds = ds->next)
		if (json_object_array_add(list, dataset_json(d, ds,
				attached_of(&ac, pcc_conf_dataset_id(ds)))))
			goto fail;
	return o;
fail:
	json_object_put(o);
	return NULL;
}

int pccd_cmd_list(struct pccd_request *r)
{
	struct json_object *mounts;
	struct pccd_mount *only = NULL;
	const char *mount;
	size_t i;
	int err;

	err = pccd_req_str(r, "mount", false, &mount);
	if (err)
		return err;
	if (mount) {
		only = pccd_mount_by_path(r->d, mount);
		if (!only)
			return pccd_fail(r->c, -ENOENT,
					 "%s is not a configured pcc mount",
					 mount);
	}
	pccd_kernel_connect(r->d);
	mounts = json_object_new_array();
	err = pccd_json_add(r->reply, "mounts", mounts);
	for (i = 0; !err && i < r->d->nmounts; i++) {
		if (only && only != &r->d->mounts[i])
			continue;
		if (json_object_array_add(mounts,
					  mount_json(r->d, &r->d->mounts[i])))
			err = -ENOMEM;
	}
	return err;
}

static struct json_object *stats_json(struct pccd *d, struct pccd_mount *m)
{
	struct json_object *o = json_object_new_object(), *c;
	struct pcc_nl_mnt mnt = { .id = m->id };
	struct pcc_nl_mount *km;
	uint64_t attaches;
	unsigned int i;
	char msg[256] = "";
	int err;

	km = calloc(1, sizeof(*km));
	if (!o || !km)
		goto fail;
	err = pcc_nl_mount_get(d->nl, &mnt, km, msg, sizeof(msg));
	if (err) {
		/* Say which mount could not be read rather than drop it. */
		free(km);
		if (pccd_json_str(o, "path", m->conf->path) ||
		    pccd_json_str(o, "error", *msg ? msg : strerror(-err))) {
			json_object_put(o);
			return NULL;
		}
		return o;
	}
	c = json_object_new_object();
	if (pccd_json_str(o, "path", m->conf->path) ||
	    pccd_json_u64(o, "mount_id", m->id) ||
	    pccd_json_u64(o, "attached", km->attached) ||
	    pccd_json_add(o, "counters", c))
		goto fail;
	if (pccd_json_add(o, "datasets", pccd_space_stats_json(d, m)))
		goto fail;
	attaches = km->stats[PCC_STAT_ATTACH_MANUAL] +
		   km->stats[PCC_STAT_ATTACH_OPEN] +
		   km->stats[PCC_STAT_ATTACH_STAT] +
		   km->stats[PCC_STAT_ATTACH_IO];
	if (pccd_json_u64(c, "attaches", attaches))
		goto fail;
	for (i = 0; i < PCC_STAT_COUNT; i++)
		if (pccd_json_u64(c, pcc_nl_stat_name(i), km->stats[i]))
			goto fail;
	free(km);
	return o;
fail:
	free(km);
	json_object_put(o);
	return NULL;
}

int pccd_cmd_stats(struct pccd_request *r)
{
	struct pccd_copy_stats cs = { 0 };
	struct json_object *mounts, *dm;
	struct pccd_mount *only = NULL;
	const char *mount;
	size_t i;
	int err;

	err = pccd_req_str(r, "mount", false, &mount);
	if (err)
		return err;
	if (mount) {
		only = pccd_mount_by_path(r->d, mount);
		if (!only)
			return pccd_fail(r->c, -ENOENT,
					 "%s is not a configured pcc mount",
					 mount);
	}
	err = need_module(r);
	if (err)
		return err;
	mounts = json_object_new_array();
	err = pccd_json_add(r->reply, "mounts", mounts);
	for (i = 0; !err && i < r->d->nmounts; i++) {
		struct pccd_mount *m = &r->d->mounts[i];

		if ((only && only != m) || !m->mounted)
			continue;
		if (json_object_array_add(mounts, stats_json(r->d, m)))
			err = -ENOMEM;
	}
	if (err)
		return err;
	if (r->d->copy)
		pccd_copy_get_stats(r->d->copy, &cs);
	dm = json_object_new_object();
	if (!dm || pccd_json_u64(dm, "copies", cs.copies) ||
	    pccd_json_u64(dm, "bytes_copied", cs.bytes) ||
	    pccd_json_u64(dm, "copy_errors", cs.errors) ||
	    pccd_json_u64(dm, "queue", cs.queued) ||
	    pccd_json_u64(dm, "running", cs.running) ||
	    pccd_space_daemon_json(r->d, dm)) {
		json_object_put(dm);
		return -ENOMEM;
	}
	return pccd_json_add(r->reply, "daemon", dm);
}
