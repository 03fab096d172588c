// SPDX-License-Identifier: GPL-2.0-only
/*
 * fake_nl.c - stand-in for lib/nl.c; see fake_nl.h.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fake_nl.h"
#include "rule.h"

struct fake_nl fake_nl;

/* The handles handed out: only their addresses matter. */
static char fake_handle, fake_events_handle;
#define HANDLE		((struct pcc_nl *)&fake_handle)
#define EVENTS_HANDLE	((struct pcc_nl *)&fake_events_handle)

/* The fake's own deep copies: not rule.c's, which tests need not link. */
static void rule_free(struct pcc_rule *rule)
{
	unsigned int t, e, v;

	if (!rule)
		return;
	for (t = 0; t < rule->nterms; t++) {
		for (e = 0; e < rule->terms[t].nexprs; e++) {
			struct pcc_rule_expr *x = &rule->terms[t].exprs[e];

			free(x->nums);
			for (v = 0; x->globs && v < x->nvalues; v++)
				free(x->globs[v]);
			free(x->globs);
		}
	}
	free(rule);
}

static struct pcc_rule *rule_copy(const struct pcc_rule *from)
{
	struct pcc_rule *rule;
	unsigned int t, e, v;

	if (!from)
		return NULL;
	rule = malloc(sizeof(*rule));
	if (!rule)
		abort();
	*rule = *from;
	for (t = 0; t < rule->nterms; t++) {
		for (e = 0; e < rule->terms[t].nexprs; e++) {
			struct pcc_rule_expr *x = &rule->terms[t].exprs[e];
			const struct pcc_rule_expr *y =
				&from->terms[t].exprs[e];

			x->nums = NULL;
			x->globs = NULL;
			if (y->nums) {
				x->nums = calloc(x->nvalues + 1,
						 sizeof(*x->nums));
				if (!x->nums)
					abort();
				memcpy(x->nums, y->nums,
				       x->nvalues * sizeof(*x->nums));
			}
			if (y->globs) {
				x->globs = calloc(x->nvalues + 1,
						  sizeof(*x->globs));
				if (!x->globs)
					abort();
				for (v = 0; v < x->nvalues; v++)
					x->globs[v] = strdup(y->globs[v]);
			}
		}
	}
	return rule;
}

static void ds_free(struct fake_nl_ds *ds)
{
	rule_free(ds->rule);
	free(ds->rule_text);
	memset(ds, 0, sizeof(*ds));
}

static void reset(void)
{
	unsigned int m, d;

	for (m = 0; m < FAKE_NL_MOUNTS; m++)
		for (d = 0; d < fake_nl.mounts[m].nds; d++)
			ds_free(&fake_nl.mounts[m].ds[d]);
	if (fake_nl.piped) {
		close(fake_nl.pipe[0]);
		close(fake_nl.pipe[1]);
	}
	memset(&fake_nl, 0, sizeof(fake_nl));
}

void fake_nl_unloaded(void)
{
	reset();
	fake_nl.open_err = -ENOENT;
}

void fake_nl_loaded(const char *version, uint32_t genl_version)
{
	reset();
	fake_nl.version = version;
	fake_nl.genl_version = genl_version;
}

struct fake_nl_mount *fake_nl_add_mount(uint32_t id, const char *path,
					const char *lower)
{
	struct fake_nl_mount *m;
	unsigned int i;

	for (i = 0; i < FAKE_NL_MOUNTS; i++) {
		m = &fake_nl.mounts[i];
		if (m->id)
			continue;
		m->id = id;
		snprintf(m->path, sizeof(m->path), "%s", path);
		snprintf(m->lower, sizeof(m->lower), "%s", lower);
		m->gen = 1;
		return m;
	}
	abort();	/* a test with more mounts: raise FAKE_NL_MOUNTS */
}

struct fake_nl_mount *fake_nl_mount(uint32_t id)
{
	unsigned int i;

	for (i = 0; id && i < FAKE_NL_MOUNTS; i++)
		if (fake_nl.mounts[i].id == id)
			return &fake_nl.mounts[i];
	return NULL;
}

struct fake_nl_ds *fake_nl_dataset(uint32_t mount_id, uint32_t id)
{
	struct fake_nl_mount *m = fake_nl_mount(mount_id);
	unsigned int i;

	for (i = 0; m && i < m->nds; i++)
		if (m->ds[i].id == id)
			return &m->ds[i];
	return NULL;
}

void fake_nl_fail(const char *op, int err, const char *msg)
{
	fake_nl.fail_op = op;
	fake_nl.fail_err = err;
	fake_nl.fail_msg = msg;
}

void fake_nl_event(const struct pcc_nl_event *ev)
{
	unsigned int n = fake_nl.nevents;

	if (n == FAKE_NL_EVENTS)
		abort();
	fake_nl.events[n] = *ev;
	if (ev->path) {
		snprintf(fake_nl.event_paths[n], sizeof(fake_nl.event_paths[n]),
			 "%s", ev->path);
		fake_nl.events[n].path = fake_nl.event_paths[n];
	}
	fake_nl.nevents++;
	if (fake_nl.piped && write(fake_nl.pipe[1], "e", 1) != 1)
		abort();
}

/* Append to the log; say() does not count a call, log_call() does. */
__attribute__((format(printf, 1, 0)))
static void vsay(const char *fmt, va_list ap)
{
	size_t len = strlen(fake_nl.log);

	vsnprintf(fake_nl.log + len, sizeof(fake_nl.log) - len, fmt, ap);
}

__attribute__((format(printf, 1, 2)))
static void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(fmt, ap);
	va_end(ap);
}

__attribute__((format(printf, 1, 2)))
static void log_call(const char *fmt, ...)
{
	va_list ap;

	fake_nl.calls++;
	va_start(ap, fmt);
	vsay(fmt, ap);
	va_end(ap);
}

static void errmsg_set(char *errmsg, size_t errlen, const char *msg)
{
	if (errmsg && errlen)
		snprintf(errmsg, errlen, "%s", msg);
}

/* The failure the test asked of op, once. */
static int failing(const char *op, char *errmsg, size_t errlen)
{
	if (!fake_nl.fail_op || strcmp(fake_nl.fail_op, op))
		return 0;
	fake_nl.fail_op = NULL;
	errmsg_set(errmsg, errlen, fake_nl.fail_msg ? fake_nl.fail_msg : "");
	return fake_nl.fail_err;
}

/* The mount named, as the kernel finds it (by id, or by a path in it). */
static struct fake_nl_mount *find(const struct pcc_nl_mnt *mnt, int *err,
				  char *errmsg, size_t errlen)
{
	unsigned int i;

	*err = -EINVAL;
	if (!mnt || (!mnt->id && !mnt->path)) {
		errmsg_set(errmsg, errlen, "no mount named (id or path)");
		return NULL;
	}
	for (i = 0; i < FAKE_NL_MOUNTS; i++) {
		struct fake_nl_mount *m = &fake_nl.mounts[i];
		size_t len = strlen(m->path);

		if (!m->id)
			continue;
		if (mnt->id ? m->id == mnt->id :
		    !strncmp(mnt->path, m->path, len) &&
		    (mnt->path[len] == '\0' || mnt->path[len] == '/'))
			return m;
	}
	if (mnt->id) {
		*err = -ENOENT;
		errmsg_set(errmsg, errlen, "no such pcc mount");
	} else {
		errmsg_set(errmsg, errlen, "the path is not on a pcc mount");
	}
	return NULL;
}

static const char *mnt_name(const struct pcc_nl_mnt *mnt)
{
	static char buf[300];

	if (!mnt)
		return "(none)";
	if (mnt->id)
		snprintf(buf, sizeof(buf), "%u", mnt->id);
	else
		snprintf(buf, sizeof(buf), "%s", mnt->path ? mnt->path : "");
	return buf;
}

int __wrap_pcc_nl_open(struct pcc_nl **out)
{
	fake_nl.opens++;
	*out = fake_nl.open_err ? NULL : HANDLE;
	return fake_nl.open_err;
}

int __wrap_pcc_nl_get_version(struct pcc_nl *nl, char *buf, size_t len,
			      uint32_t *genl_version)
{
	int n = fake_nl.gets++;
	int err = n < 4 ? fake_nl.get_err[n] : 0;

	if (nl != HANDLE)
		return -EBADF;
	if (err)
		return err;
	snprintf(buf, len, "%s", fake_nl.version);
	if (genl_version)
		*genl_version = fake_nl.genl_version;
	return 0;
}

void __wrap_pcc_nl_close(struct pcc_nl *nl)
{
	if (nl)
		fake_nl.closes++;
}

static void mount_out(const struct fake_nl_mount *m, struct pcc_nl_mount *out)
{
	memset(out, 0, sizeof(*out));
	out->id = m->id;
	snprintf(out->lower, sizeof(out->lower), "%s", m->lower);
	out->gen = m->gen;
	out->datasets = m->nds;
	out->attached = m->attached;
	memcpy(out->stats, m->stats, sizeof(out->stats));
}

int __wrap_pcc_nl_mount_get(struct pcc_nl *nl, const struct pcc_nl_mnt *mnt,
			    struct pcc_nl_mount *out, char *errmsg,
			    size_t errlen)
{
	struct fake_nl_mount *m;
	int err;

	log_call("mount_get %s\n", mnt_name(mnt));
	errmsg_set(errmsg, errlen, "");
	if (nl != HANDLE)
		return -EBADF;
	err = failing("mount_get", errmsg, errlen);
	if (err)
		return err;
	m = find(mnt, &err, errmsg, errlen);
	if (!m)
		return err;
	mount_out(m, out);
	return 0;
}

int __wrap_pcc_nl_mount_dump(struct pcc_nl *nl,
			     int (*cb)(const struct pcc_nl_mount *m,
				       void *arg),
			     void *arg)
{
	static struct pcc_nl_mount out;
	unsigned int i;
	int err;

	log_call("mount_dump\n");
	if (nl != HANDLE)
		return -EBADF;
	err = failing("mount_dump", NULL, 0);
	if (err)
		return err;
	for (i = 0; i < FAKE_NL_MOUNTS; i++) {
		if (!fake_nl.mounts[i].id)
			continue;
		mount_out(&fake_nl.mounts[i], &out);
		err = cb(&out, arg);
		if (err)
			return err;
	}
	return 0;
}

static void log_ds(const char *op, const struct pcc_nl_mnt *mnt,
		   const struct pcc_nl_dataset *ds)
{
	log_call("%s mnt=%s id=%u", op, mnt_name(mnt), ds->id);
	if (ds->path)
		say(" path=%s", ds->path);
	if (ds->set & PCC_NL_DS_MODE)
		say(" mode=%u", ds->mode);
	if (ds->set & PCC_NL_DS_ATTACH)
		say(" attach=%u", ds->attach);
	if (ds->set & PCC_NL_DS_RULE)
		say(" rule=%s", ds->rule ? "yes" : "none");
	if (ds->rule_text)
		say(" text=%s", ds->rule_text);
	if (ds->set & PCC_NL_DS_WRITEBACK)
		say(" writeback=%u", ds->writeback);
	if (ds->set & PCC_NL_DS_WB_INTERVAL)
		say(" wb_interval=%u", ds->wb_interval);
	say("\n");
}

/*
 * The module's checks of the write-back attributes, on a dataset of mode:
 * for read-write datasets only, values in range.
 */
static int ds_check_writeback(uint32_t mode, const struct pcc_nl_dataset *ds,
			      char *errmsg, size_t errlen)
{
	if (!(ds->set & (PCC_NL_DS_WRITEBACK | PCC_NL_DS_WB_INTERVAL)))
		return 0;
	if (!(mode & PCC_DS_MODE_RW)) {
		errmsg_set(errmsg, errlen,
			   "write-back policy for a dataset without read-write copies");
		return -EINVAL;
	}
	if (((ds->set & PCC_NL_DS_WRITEBACK) &&
	     ds->writeback > PCC_DS_WB_LAZY) ||
	    ((ds->set & PCC_NL_DS_WB_INTERVAL) &&
	     (ds->wb_interval < 1 ||
	      ds->wb_interval > PCC_DS_WB_INTERVAL_MAX))) {
		errmsg_set(errmsg, errlen, "bad write-back policy or interval");
		return -EINVAL;
	}
	return 0;
}

/* What add and set change; the rule text goes with the rule. */
static void ds_apply(struct fake_nl_ds *d, const struct pcc_nl_dataset *ds)
{
	if (ds->set & PCC_NL_DS_ATTACH)
		d->attach = ds->attach;
	if (ds->set & PCC_NL_DS_RULE) {
		rule_free(d->rule);
		d->rule = rule_copy(ds->rule);
	}
	if (ds->rule_text || (ds->set & PCC_NL_DS_RULE)) {
		free(d->rule_text);
		d->rule_text = ds->rule_text && ds->rule_text[0] ?
			       strdup(ds->rule_text) : NULL;
	}
	if (ds->set & PCC_NL_DS_WRITEBACK)
		d->writeback = ds->writeback;
	if (ds->set & PCC_NL_DS_WB_INTERVAL)
		d->wb_interval = ds->wb_interval;
}

int __wrap_pcc_nl_dataset_add(struct pcc_nl *nl,
			      const struct pcc_nl_mnt *mnt,
			      const struct pcc_nl_dataset *ds,
			      char *errmsg, size_t errlen)
{
	struct fake_nl_mount *m;
	struct fake_nl_ds *d;
	unsigned int i;
	int err;

	log_ds("dataset_add", mnt, ds);
	errmsg_set(errmsg, errlen, "");
	if (nl != HANDLE)
		return -EBADF;
	err = failing("dataset_add", errmsg, errlen);
	if (err)
		return err;
	m = find(mnt, &err, errmsg, errlen);
	if (!m)
		return err;
	if (ds->id < 1 || ds->id > PCC_DS_ID_MAX || !ds->path ||
	    ds->path[0] != '/') {
		errmsg_set(errmsg, errlen, "bad dataset id or path");
		return -EINVAL;
	}
	if ((ds->set & PCC_NL_DS_MODE) &&
	    (!ds->mode || (ds->mode & ~(PCC_DS_MODE_RO | PCC_DS_MODE_RW)))) {
		errmsg_set(errmsg, errlen, "bad mode");
		return -EINVAL;
	}
	err = ds_check_writeback(ds->set & PCC_NL_DS_MODE ? ds->mode :
				 PCC_DS_MODE_RO, ds, errmsg, errlen);
	if (err)
		return err;
	for (i = 0; i < m->nds; i++) {
		if (m->ds[i].id == ds->id || !strcmp(m->ds[i].path, ds->path)) {
			errmsg_set(errmsg, errlen, "dataset exists");
			return -EEXIST;
		}
	}
	if (m->nds == FAKE_NL_DATASETS)
		abort();
	d = &m->ds[m->nds++];
	d->id = ds->id;
	snprintf(d->path, sizeof(d->path), "%s", ds->path);
	d->mode = ds->set & PCC_NL_DS_MODE ? ds->mode : PCC_DS_MODE_RO;
	d->attach = PCC_DS_ATTACH_ALL;
	d->writeback = PCC_DS_WB_CLOSE;
	d->wb_interval = PCC_DS_WB_INTERVAL_DEFAULT;
	ds_apply(d, ds);
	m->gen++;
	return 0;
}

int __wrap_pcc_nl_dataset_set(struct pcc_nl *nl,
			      const struct pcc_nl_mnt *mnt,
			      const struct pcc_nl_dataset *ds,
			      char *errmsg, size_t errlen)
{
	struct fake_nl_mount *m;
	struct fake_nl_ds *d;
	int err;

	log_ds("dataset_set", mnt, ds);
	errmsg_set(errmsg, errlen, "");
	if (nl != HANDLE)
		return -EBADF;
	err = failing("dataset_set", errmsg, errlen);
	if (err)
		return err;
	m = find(mnt, &err, errmsg, errlen);
	if (!m)
		return err;
	d = fake_nl_dataset(m->id, ds->id);
	if (!d) {
		errmsg_set(errmsg, errlen, "no such dataset");
		return -ENOENT;
	}
	if ((ds->set & PCC_NL_DS_MODE) ||
	    !(ds->set & (PCC_NL_DS_ATTACH | PCC_NL_DS_RULE |
			 PCC_NL_DS_WRITEBACK | PCC_NL_DS_WB_INTERVAL) ||
	      ds->rule_text)) {
		errmsg_set(errmsg, errlen, "nothing to set");
		return -EINVAL;
	}
	err = ds_check_writeback(d->mode, ds, errmsg, errlen);
	if (err)
		return err;
	ds_apply(d, ds);
	m->gen++;
	return 0;
}

static void ds_remove(struct fake_nl_mount *m, unsigned int i)
{
	ds_free(&m->ds[i]);
	memmove(&m->ds[i], &m->ds[i + 1], (m->nds - i - 1) * sizeof(m->ds[0]));
	m->nds--;
	memset(&m->ds[m->nds], 0, sizeof(m->ds[0]));
}

int __wrap_pcc_nl_dataset_del(struct pcc_nl *nl,
			      const struct pcc_nl_mnt *mnt, uint32_t id,
			      char *errmsg, size_t errlen)
{
	struct fake_nl_mount *m;
	unsigned int i;
	int err;

	log_call("dataset_del mnt=%s id=%u\n", mnt_name(mnt), id);
	errmsg_set(errmsg, errlen, "");
	if (nl != HANDLE)
		return -EBADF;
	err = failing("dataset_del", errmsg, errlen);
	if (err)
		return err;
	m = find(mnt, &err, errmsg, errlen);
	if (!m)
		return err;
	for (i = 0; i < m->nds; i++) {
		if (m->ds[i].id == id) {
			ds_remove(m, i);
			m->gen++;
			return 0;
		}
	}
	errmsg_set(errmsg, errlen, "no such dataset");
	return -ENOENT;
}

int __wrap_pcc_nl_dataset_clear(struct pcc_nl *nl,
				const struct pcc_nl_mnt *mnt,
				char *errmsg, size_t errlen)
{
	struct fake_nl_mount *m;
	int err;

	log_call("dataset_clear mnt=%s\n", mnt_name(mnt));
	errmsg_set(errmsg, errlen, "");
	if (nl != HANDLE)
		return -EBADF;
	err = failing("dataset_clear", errmsg, errlen);
	if (err)
		return err;
	m = find(mnt, &err, errmsg, errlen);
	if (!m)
		return err;
	while (m->nds)
		ds_remove(m, 0);
	m->gen++;
	return 0;
}

int __wrap_pcc_nl_dataset_dump(struct pcc_nl *nl,
			       const struct pcc_nl_mnt *mnt,
			       int (*cb)(const struct pcc_nl_dataset *ds,
					 void *arg),
			       void *arg, char *errmsg, size_t errlen)
{
	struct fake_nl_mount *m;
	unsigned int i;
	int err;

	log_call("dataset_dump mnt=%s\n", mnt_name(mnt));
	errmsg_set(errmsg, errlen, "");
	if (nl != HANDLE)
		return -EBADF;
	err = failing("dataset_dump", errmsg, errlen);
	if (err)
		return err;
	m = find(mnt, &err, errmsg, errlen);
	if (!m)
		return err;
	for (i = 0; i < m->nds; i++) {
		const struct fake_nl_ds *d = &m->ds[i];
		struct pcc_nl_dataset ds = {
			.set = PCC_NL_DS_ATTACH | PCC_NL_DS_RULE |
			       PCC_NL_DS_MODE,
			.mount_id = m->id, .id = d->id, .path = d->path,
			.mode = d->mode, .attach = d->attach,
			.rule = d->rule, .rule_text = d->rule_text,
			.writeback = d->writeback,
			.wb_interval = d->wb_interval,
			.attached = d->attached,
		};

		/* As the module: the write-back policy of RW datasets. */
		if (d->mode & PCC_DS_MODE_RW)
			ds.set |= PCC_NL_DS_WRITEBACK | PCC_NL_DS_WB_INTERVAL;

		err = cb(&ds, arg);
		if (err)
			return err;
	}
	return 0;
}

struct pcc_nl_file *fake_nl_add_file(uint32_t mount_id,
				     const struct pcc_nl_file *f)
{
	struct fake_nl_mount *m = fake_nl_mount(mount_id);
	struct pcc_nl_file *to;

	if (!m || m->nfiles == FAKE_NL_FILES)
		return NULL;
	to = &m->files[m->nfiles++];
	*to = *f;
	to->mount_id = mount_id;
	m->attached = m->nfiles;
	return to;
}

int __wrap_pcc_nl_evict(struct pcc_nl *nl, const struct pcc_nl_mnt *mnt,
			uint32_t ds_id, uint32_t fh_type, const uint8_t *fh,
			uint32_t fh_len, uint32_t *flags, char *errmsg,
			size_t errlen)
{
	char name[PCC_CACHE_NAME_MAX], path[512];
	struct fake_nl_mount *m;
	struct fake_nl_ds *d;
	unsigned int i;
	int err, found = 0;

	log_call("evict mnt=%s ds=%u fh_type=%u fh_len=%u\n", mnt_name(mnt),
		 ds_id, fh_type, fh_len);
	errmsg_set(errmsg, errlen, "");
	if (flags)
		*flags = 0;
	if (nl != HANDLE)
		return -EBADF;
	if (!ds_id || ds_id > PCC_DS_ID_MAX || fh_type > 0xffff || !fh ||
	    !fh_len || fh_len > PCC_FH_MAX) {
		errmsg_set(errmsg, errlen, "bad dataset id or file handle");
		return -EINVAL;
	}
	err = failing("evict", errmsg, errlen);
	if (err)
		return err;
	m = find(mnt, &err, errmsg, errlen);
	if (!m)
		return err;
	d = fake_nl_dataset(m->id, ds_id);
	if (!d) {
		errmsg_set(errmsg, errlen, "no such dataset");
		return -ENOENT;
	}
	for (i = 0; i < m->nfiles; i++) {
		struct pcc_nl_file *f = &m->files[i];

		if (f->ds_id != ds_id || f->fh_type != fh_type ||
		    f->fh_len != fh_len || memcmp(f->fh, fh, fh_len))
			continue;
		memmove(f, f + 1, (m->nfiles - i - 1) * sizeof(*f));
		m->attached = --m->nfiles;
		m->stats[PCC_STAT_DETACH_EVICTED]++;
		if (flags)
			*flags |= PCC_NL_EVICT_WAS_ATTACHED;
		found = 1;
		break;
	}
	pcc_cache_name(name, fh_type, fh, fh_len);
	snprintf(path, sizeof(path), "%s/%s", d->path, name);
	if (!unlink(path))
		found = 1;
	if (!found) {
		errmsg_set(errmsg, errlen, "no copy of this file in the dataset");
		return -ENOENT;
	}
	return 0;
}

int __wrap_pcc_nl_file_dump(struct pcc_nl *nl, const struct pcc_nl_mnt *mnt,
			    int (*cb)(const struct pcc_nl_file *f, void *arg),
			    void *arg, char *errmsg, size_t errlen)
{
	struct fake_nl_mount *m;
	unsigned int i;
	int err;

	log_call("file_dump mnt=%s\n", mnt_name(mnt));
	errmsg_set(errmsg, errlen, "");
	if (nl != HANDLE)
		return -EBADF;
	err = failing("file_dump", errmsg, errlen);
	if (err)
		return err;
	m = find(mnt, &err, errmsg, errlen);
	if (!m)
		return err;
	for (i = 0; i < m->nfiles; i++) {
		err = cb(&m->files[i], arg);
		if (err)
			return err;
	}
	return 0;
}

int __wrap_pcc_nl_events_open(struct pcc_nl **out)
{
	int err;

	log_call("events_open\n");
	fake_nl.events_opens++;
	*out = NULL;
	if (fake_nl.open_err)
		return fake_nl.open_err;
	err = failing("events_open", NULL, 0);
	if (err)
		return err;
	if (!fake_nl.piped) {
		unsigned int i;

		if (pipe(fake_nl.pipe) < 0)
			abort();
		fake_nl.piped = 1;
		for (i = 0; i < fake_nl.nevents; i++)
			if (write(fake_nl.pipe[1], "e", 1) != 1)
				abort();
	}
	*out = EVENTS_HANDLE;
	return 0;
}

int __wrap_pcc_nl_fd(const struct pcc_nl *nl)
{
	if (nl != EVENTS_HANDLE || !fake_nl.piped)
		return -1;
	return fake_nl.pipe[0];
}

int __wrap_pcc_nl_events_read(struct pcc_nl *nl,
			      void (*cb)(const struct pcc_nl_event *ev,
					 void *arg),
			      void *arg)
{
	static struct pcc_nl_event evs[FAKE_NL_EVENTS];
	static char paths[FAKE_NL_EVENTS][256];
	unsigned int i, n = fake_nl.nevents;
	char byte;
	int err;

	log_call("events_read\n");
	if (nl != EVENTS_HANDLE)
		return -EBADF;
	err = failing("events_read", NULL, 0);
	if (err)
		return err;
	if (fake_nl.overrun) {
		fake_nl.overrun = 0;
		return -ENOBUFS;
	}
	/* Taken off the queue first: cb may queue more, read next time. */
	for (i = 0; i < n; i++) {
		evs[i] = fake_nl.events[i];
		if (evs[i].path) {
			memcpy(paths[i], fake_nl.event_paths[i],
			       sizeof(paths[i]));
			evs[i].path = paths[i];
		}
		if (fake_nl.piped && read(fake_nl.pipe[0], &byte, 1) != 1)
			abort();
	}
	fake_nl.nevents = 0;
	for (i = 0; i < n; i++)
		cb(&evs[i], arg);
	return 0;
}
