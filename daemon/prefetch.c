// SPDX-License-Identifier: GPL-2.0-only
/*
 * prefetch.c - copy whole trees into the cache ahead of the jobs that
 * read them.
 *
 * A scan thread walks the paths (fts, not leaving their filesystem) and
 * lists the regular files; the event loop then keeps at most "jobs" of
 * them in the copy engine at once, and twice a second tells the client
 * how far it got.  The walk runs on its own thread because listing a
 * large tree on NFS takes long and the event loop must go on serving.
 */
#include "config.h"

#include <errno.h>
#include <fts.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <json-c/json.h>
#include <linux/pcc.h>

#include "apply.h"
#include "client.h"
#include "conf.h"
#include "copy.h"
#include "log.h"
#include "pccd.h"

struct pf_file {
	char *path;
	dev_t dev;
	ino_t ino;
	uint64_t size;
	int err;		/* the scan could not stat it */
};

struct prefetch {
	struct pccd *d;
	int slot;
	unsigned long long serial;
	char **paths;
	size_t npaths;
	unsigned int jobs;
	pthread_t thread;
	atomic_bool scanned;
	atomic_bool cancel;		/* the client went away: stop the scan */
	bool scan_reported;
	/* Filled by the scan thread, read after scanned. */
	struct pf_file *files;
	size_t nfiles;
	uint64_t bytes_total;
	/* Event loop only. */
	size_t next;			/* next file to submit */
	unsigned int running;
	uint64_t files_done, bytes_done, failed, already;
	struct timespec start;
	unsigned int refs;		/* copies outstanding + client */
};

struct pf_item {
	struct prefetch *pf;
	size_t index;
};

static void prefetch_put(struct prefetch *pf)
{
	size_t i;

	if (--pf->refs)
		return;
	pthread_join(pf->thread, NULL);
	for (i = 0; i < pf->nfiles; i++)
		free(pf->files[i].path);
	free(pf->files);
	for (i = 0; i < pf->npaths; i++)
		free(pf->paths[i]);
	free(pf->paths);
	free(pf);
}

static int add_file(struct prefetch *pf, const char *path,
		    const struct stat *st, int err)
{
	struct pf_file *n;

	if (pf->nfiles % 1024 == 0) {
		n = realloc(pf->files, (pf->nfiles + 1024) * sizeof(*n));
		if (!n)
			return -ENOMEM;
		pf->files = n;
	}
	n = &pf->files[pf->nfiles];
	*n = (struct pf_file){ .path = strdup(path), .err = err };
	if (!n->path)
		return -ENOMEM;
	if (st) {
		n->dev = st->st_dev;
		n->ino = st->st_ino;
		n->size = st->st_size;
		pf->bytes_total += st->st_size;
	}
	pf->nfiles++;
	return 0;
}

static void *scan(void *arg)
{
	struct prefetch *pf = arg;
	FTSENT *e;
	FTS *fts;

	fts = fts_open(pf->paths, FTS_PHYSICAL | FTS_XDEV | FTS_NOCHDIR,
		       NULL);
	if (!fts) {
		add_file(pf, pf->paths[0], NULL, -errno);
		goto out;
	}
	while (!atomic_load(&pf->cancel) && (e = fts_read(fts))) {
		switch (e->fts_info) {
		case FTS_F:
			if (add_file(pf, e->fts_path, e->fts_statp, 0))
				goto done;
			break;
		case FTS_DNR:
		case FTS_ERR:
		case FTS_NS:
			if (add_file(pf, e->fts_path, NULL, -e->fts_errno))
				goto done;
			break;
		default:
			break;
		}
	}
done:
	fts_close(fts);
out:
	atomic_store(&pf->scanned, true);
	return NULL;
}

static struct pccd_client *pf_client(struct prefetch *pf)
{
	struct pccd_client *c = pccd_client_get(pf->d, pf->slot, pf->serial);

	return c && c->work == pf ? c : NULL;
}

static void report_failure(struct prefetch *pf, const char *path, int err,
			   const char *msg)
{
	struct pccd_client *c = pf_client(pf);
	struct json_object *o;

	pf->failed++;
	log_info("copy", "prefetch %s: %s", path, msg ? msg : strerror(-err));
	if (!c)
		return;
	o = json_object_new_object();
	if (!o)
		return;
	pccd_json_str(o, "failed", path);
	pccd_json_str(o, "error", msg ? msg : strerror(-err));
	pccd_json_u64(o, "errno", -err);
	pccd_client_progress(pf->d, c, o);
	json_object_put(o);
}

static void send_progress(struct prefetch *pf, struct pccd_client *c)
{
	struct json_object *o = json_object_new_object();

	if (!o)
		return;
	pccd_json_u64(o, "files_done", pf->files_done);
	pccd_json_u64(o, "bytes_done", pf->bytes_done);
	pccd_json_u64(o, "files_failed", pf->failed);
	pccd_json_u64(o, "files_total", pf->nfiles);
	pccd_json_u64(o, "bytes_total", pf->bytes_total);
	pccd_client_progress(pf->d, c, o);
	json_object_put(o);
}

static void submit_more(struct prefetch *pf);

static void finish(struct prefetch *pf)
{
	struct pccd_client *c = pf_client(pf);
	struct timespec now;

	if (!c)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	send_progress(pf, c);
	pccd_json_u64(c->pending, "files", pf->files_done);
	pccd_json_u64(c->pending, "bytes", pf->bytes_done);
	pccd_json_u64(c->pending, "failed", pf->failed);
	pccd_json_u64(c->pending, "already", pf->already);
	pccd_json_add(c->pending, "seconds", json_object_new_double(
		      (now.tv_sec - pf->start.tv_sec) +
		      (now.tv_nsec - pf->start.tv_nsec) / 1e9));
	log_info("copy", "prefetch: %llu files, %llu bytes, %llu failed",
		 (unsigned long long)pf->files_done,
		 (unsigned long long)pf->bytes_done,
		 (unsigned long long)pf->failed);
	pccd_client_finish(pf->d, c, 0);
	prefetch_put(pf);	/* the client's reference */
}

static void copied(const struct pccd_copy_result *res, void *arg)
{
	struct pf_item *it = arg;
	struct prefetch *pf = it->pf;
	struct pf_file *f = &pf->files[it->index];

	free(it);
	pf->running--;
	if (res->err) {
		report_failure(pf, f->path, res->err,
			       res->msg[0] ? res->msg : NULL);
	} else {
		pf->files_done++;
		pf->bytes_done += f->size;
		pf->already += res->already;
	}
	if (pf_client(pf))
		submit_more(pf);
	prefetch_put(pf);
}

static void submit_more(struct prefetch *pf)
{
	const struct pcc_conf_dataset *ds;
	struct pccd_mount *m;
	struct pf_item *it;
	struct pf_file *f;
	int err;

	while (pf->running < pf->jobs && pf->next < pf->nfiles) {
		f = &pf->files[pf->next++];
		if (f->err) {
			report_failure(pf, f->path, f->err, NULL);
			continue;
		}
		m = pccd_mount_by_dev(pf->d, f->dev);
		ds = m ? pccd_dataset_first_ro(m) : NULL;
		if (!ds) {
			report_failure(pf, f->path, -ENOENT,
				       m ? "its mount has no read-only dataset"
					 : "not on a configured pcc mount");
			continue;
		}
		it = malloc(sizeof(*it));
		if (!it) {
			report_failure(pf, f->path, -ENOMEM, NULL);
			continue;
		}
		*it = (struct pf_item){ .pf = pf, .index = f - pf->files };
		err = pccd_copy_submit(pf->d->copy, &(struct pccd_copy_req){
					.fd = -1, .path = f->path,
					.dev = f->dev, .ino = f->ino,
					.ds_root = ds->path,
					.ds_id = pcc_conf_dataset_id(ds),
					.attach = true }, copied, it);
		if (err) {
			free(it);
			report_failure(pf, f->path, err, NULL);
			continue;
		}
		pf->running++;
		pf->refs++;
	}
	if (!pf->running && pf->next == pf->nfiles)
		finish(pf);
}

static void prefetch_tick(struct pccd *d, struct pccd_client *c)
{
	struct prefetch *pf = c->work;
	struct json_object *o;

	(void)d;
	if (!atomic_load(&pf->scanned))
		return;
	if (!pf->scan_reported) {
		pf->scan_reported = true;
		o = json_object_new_object();
		if (o) {
			pccd_json_str(o, "phase", "scan");
			pccd_json_u64(o, "files_total", pf->nfiles);
			pccd_json_u64(o, "bytes_total", pf->bytes_total);
			pccd_client_progress(pf->d, c, o);
			json_object_put(o);
		}
		/* May finish the command (nothing to copy): c is gone then. */
		submit_more(pf);
		return;
	}
	send_progress(pf, c);
}

static void prefetch_cancel(struct pccd *d, struct pccd_client *c)
{
	struct prefetch *pf = c->work;

	(void)d;
	/* The scan stops at its next entry, so the join below is short. */
	atomic_store(&pf->cancel, true);
	prefetch_put(pf);
}

int pccd_cmd_prefetch(struct pccd_request *r)
{
	struct json_object *paths;
	struct prefetch *pf;
	struct pccd_mount *m;
	unsigned int jobs;
	struct stat st;
	size_t i, n;
	int err;

	err = pccd_need_root(r);
	if (!err)
		err = pccd_req_u32(r, "jobs", &jobs);
	if (err)
		return err;
	if (!json_object_object_get_ex(r->req, "paths", &paths) ||
	    !json_object_is_type(paths, json_type_array) ||
	    !(n = json_object_array_length(paths)))
		return pccd_fail(r->c, -EINVAL,
				 "\"paths\" must be an array of paths");
	if (!r->d->copy)
		return pccd_fail(r->c, -EAGAIN, "pccd is starting");
	for (i = 0; i < n; i++) {
		const char *p = json_object_get_string(
					json_object_array_get_idx(paths, i));

		if (!p || p[0] != '/')
			return pccd_fail(r->c, -EINVAL,
					 "\"paths\" must hold absolute paths");
		if (stat(p, &st) < 0)
			return pccd_fail(r->c, -errno, "%s: %s", p,
					 strerror(errno));
		m = pccd_mount_by_dev(r->d, st.st_dev);
		if (!m)
			return pccd_fail(r->c, -EINVAL,
					 "%s is not on a configured pcc mount", p);
		if (!pccd_dataset_first_ro(m))
			return pccd_fail(r->c, -ENOENT,
					 "%s has no read-only dataset",
					 m->conf->path);
	}

	pf = calloc(1, sizeof(*pf));
	if (!pf)
		return -ENOMEM;
	pf->paths = calloc(n + 1, sizeof(*pf->paths));
	if (!pf->paths) {
		free(pf);
		return -ENOMEM;
	}
	pf->npaths = n;
	for (i = 0; i < n; i++) {
		pf->paths[i] = strdup(json_object_get_string(
					json_object_array_get_idx(paths, i)));
		if (!pf->paths[i])
			goto nomem;
	}
	pf->d = r->d;
	pf->slot = r->c - r->d->clients;
	pf->serial = r->c->serial;
	pf->jobs = jobs ? jobs : PCCD_COPY_WORKERS;
	pf->refs = 1;
	clock_gettime(CLOCK_MONOTONIC, &pf->start);
	err = pthread_create(&pf->thread, NULL, scan, pf);
	if (err) {
		err = -err;
		goto fail;
	}
	r->c->work = pf;
	r->c->tick = prefetch_tick;
	r->c->cancel = prefetch_cancel;
	return PCCD_PENDING;
nomem:
	err = -ENOMEM;
fail:
	for (i = 0; i < n; i++)
		free(pf->paths[i]);
	free(pf->paths);
	free(pf);
	return err;
}
