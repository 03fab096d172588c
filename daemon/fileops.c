// SPDX-License-Identifier: GPL-2.0-only
/*
 * fileops.c - attach and detach, for any user, on files they opened.
 *
 * The CLI opens each file itself and passes the descriptor: an open
 * descriptor proves the caller could open the file, which a path could
 * not (pccd runs as root).  A descriptor must be readable (not O_PATH, not
 * write-only), a regular file on a configured pcc mount.  The copy is read
 * through the caller's descriptor, with the credentials it was opened
 * with, so files the daemon itself could not read (root_squash) are
 * copied too.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <json-c/json.h>
#include <linux/pcc.h>

#include "apply.h"
#include "client.h"
#include "conf.h"
#include "copy.h"
#include "log.h"
#include "pccd.h"
#include "reason.h"
#include "space.h"

static const char *file_name(struct pccd_request *r, unsigned int i)
{
	struct json_object *files = json_object_object_get(r->req, "files");

	return json_object_get_string(json_object_array_get_idx(files, i));
}

/* Put the error of file index of the request in list. */
static int file_error(struct json_object *list, unsigned int index,
		      const char *name, int err, const char *msg)
{
	struct json_object *o = json_object_new_object();

	if (!o || pccd_json_str(o, "file", name) ||
	    pccd_json_str(o, "error", msg ? msg : strerror(-err)) ||
	    pccd_json_u64(o, "errno", -err)) {
		json_object_put(o);
		return -ENOMEM;
	}
	return json_object_array_put_idx(list, index, o) ? -ENOMEM : 0;
}

/*
 * Check descriptor fd of a request: the mount it is on.  Returns the mount
 * or NULL with msg filled.
 */
static struct pccd_mount *check_fd(struct pccd *d, int fd, struct stat *st,
				   int *err, char *msg, size_t len)
{
	struct pccd_mount *m;
	int fl;

	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || (fl & O_PATH) || (fl & O_ACCMODE) == O_WRONLY) {
		*err = -EBADF;
		snprintf(msg, len, "the descriptor was not opened for reading");
		return NULL;
	}
	if (fstat(fd, st) < 0) {
		*err = -errno;
		snprintf(msg, len, "%s", strerror(errno));
		return NULL;
	}
	if (!S_ISREG(st->st_mode)) {
		*err = -EINVAL;
		snprintf(msg, len, "not a regular file");
		return NULL;
	}
	m = pccd_mount_by_dev(d, st->st_dev);
	if (!m) {
		*err = -ENOENT;
		snprintf(msg, len, "not on a configured pcc mount");
		return NULL;
	}
	return m;
}

/*
 * A pin keeps a copy's space from every other file of the dataset: only
 * the file's owner, or root, may pin it or take the pin away (as chattr
 * asks for the owner).  Reading the file is enough to attach it, not this.
 */
static bool may_pin(const struct pccd_request *r, const struct stat *st,
		    int *err, char *msg, size_t len)
{
	if (r->c->uid == 0 || r->c->uid == st->st_uid)
		return true;
	*err = -EPERM;
	snprintf(msg, len, "only the file's owner or root may pin or unpin it");
	return false;
}

/* One attach request waiting for its copies. */
struct attach_work {
	int slot;
	unsigned long long serial;
	struct json_object *files;	/* the reply's array, in order */
	unsigned int waiting;
	unsigned int refs;		/* callbacks outstanding + client */
};

/* One file of it, the argument of its copy callback. */
struct attach_item {
	struct pccd *d;
	struct attach_work *work;
	unsigned int index;
	char *name;
	dev_t dev;
	ino_t ino;
	char *ds_root;
	bool pin;
};

static void attach_work_put(struct attach_work *w)
{
	if (--w->refs)
		return;
	json_object_put(w->files);
	free(w);
}

static void attach_done(const struct pccd_copy_result *res, void *arg)
{
	struct attach_item *it = arg;
	struct attach_work *w = it->work;
	struct json_object *o = json_object_new_object();
	struct pccd_client *c;

	if (o && res->err) {
		pccd_json_str(o, "file", it->name);
		pccd_json_str(o, "error", res->msg[0] ? res->msg
						     : strerror(-res->err));
		pccd_json_u64(o, "errno", -res->err);
	} else if (o) {
		pccd_json_str(o, "file", it->name);
		pccd_json_u64(o, "dataset", res->ds_id);
		pccd_json_str(o, "cache_path", res->cache_path);
		pccd_json_u64(o, "bytes", res->bytes);
		pccd_json_add(o, "already", json_object_new_boolean(res->already));
		if (it->pin)
			pccd_json_add(o, "pinned", json_object_new_boolean(1));
	}
	if (o)
		json_object_array_put_idx(w->files, it->index, o);
	if (res->err)
		log_info("copy", "attach %s: %s", it->name,
			 res->msg[0] ? res->msg : strerror(-res->err));
	c = pccd_client_get(it->d, w->slot, w->serial);
	if (--w->waiting == 0 && c && c->work == w) {
		json_object_get(w->files);
		pccd_json_add(c->pending, "files", w->files);
		attach_work_put(w);	/* the client's reference */
		pccd_client_finish(it->d, c, 0);
	}
	attach_work_put(w);
	free(it->name);
	free(it->ds_root);
	free(it);
}

/* Twice a second: how many files are still being copied (a keepalive). */
static void attach_tick(struct pccd *d, struct pccd_client *c)
{
	struct json_object *msg = json_object_new_object();

	if (!msg)
		return;
	pccd_json_u64(msg, "waiting", ((struct attach_work *)c->work)->waiting);
	pccd_client_progress(d, c, msg);
	json_object_put(msg);
}

static void attach_cancel(struct pccd *d, struct pccd_client *c)
{
	(void)d;
	attach_work_put(c->work);
}

/* attach, or pin: attach and mark the copy pinned. */
static int attach_files(struct pccd_request *r, bool pin)
{
	struct attach_work *w;
	struct attach_item *it;
	const struct pcc_conf_dataset *ds;
	const char *mode;
	struct pccd_mount *m;
	unsigned int id, i;
	bool rw;
	struct stat st;
	char msg[256];
	int err;

	err = pccd_req_u32(r, "id", &id);
	if (!err)
		err = pccd_req_str(r, "mode", false, &mode);
	if (err)
		return err;
	if (mode && strcmp(mode, "ro") && strcmp(mode, "rw"))
		return pccd_fail(r->c, -EINVAL, "\"mode\" must be \"ro\" or \"rw\"");
	rw = mode && !strcmp(mode, "rw");
	if (rw && pin)
		return pccd_fail(r->c, -EINVAL, "only read-only copies are pinned");
	if (!r->d->copy)
		return pccd_fail(r->c, -EAGAIN, "pccd is starting");

	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->files = json_object_new_array();
	if (!w->files) {
		free(w);
		return -ENOMEM;
	}
	w->slot = r->c - r->d->clients;
	w->serial = r->c->serial;
	w->refs = 1;
	for (i = 0; i < r->nfds; i++) {
		const char *name = file_name(r, i);

		m = check_fd(r->d, r->fds[i], &st, &err, msg, sizeof(msg));
		if (m && pin && !may_pin(r, &st, &err, msg, sizeof(msg)))
			m = NULL;
		if (m) {
			unsigned int want = rw ? PCC_MODE_RW : PCC_MODE_RO;

			ds = id ? pccd_dataset_by_id(m, id)
				: pccd_dataset_first(m, want);
			if (!ds || !(ds->mode & want)) {
				err = -ENOENT;
				snprintf(msg, sizeof(msg), id
					 ? "%s has no %s dataset with id %u"
					 : "%s has no %s dataset",
					 m->conf->path,
					 rw ? "read-write" : "read-only", id);
				m = NULL;
			}
		}
		if (!m) {
			/* Keep the reply's order: an error at index i. */
			file_error(w->files, i, name, err, msg);
			continue;
		}
		it = calloc(1, sizeof(*it));
		if (it) {
			it->name = strdup(name);
			it->ds_root = strdup(ds->path);
		}
		if (!it || !it->name || !it->ds_root) {
			if (it) {
				free(it->name);
				free(it->ds_root);
			}
			free(it);
			file_error(w->files, i, name, -ENOMEM, NULL);
			continue;
		}
		*it = (struct attach_item){ .d = r->d, .work = w,
					    .index = i, .name = it->name,
					    .dev = st.st_dev, .ino = st.st_ino,
					    .ds_root = it->ds_root, .pin = pin };
		/* Reserve the slot so the reply keeps the request's order. */
		json_object_array_put_idx(w->files, i, json_object_new_null());
		err = pccd_copy_submit(r->d->copy, &(struct pccd_copy_req){
					.fd = r->fds[i], .dev = st.st_dev,
					.ino = st.st_ino, .ds_root = ds->path,
					.ds_id = pcc_conf_dataset_id(ds),
					.attach = true, .pin = pin,
					.rw = rw },
					attach_done, it);
		if (err) {
			file_error(w->files, i, name, err, NULL);
			free(it->name);
			free(it->ds_root);
			free(it);
			continue;
		}
		w->waiting++;
		w->refs++;
	}
	if (!w->waiting) {
		err = pccd_json_add(r->reply, "files",
				    json_object_get(w->files));
		attach_work_put(w);
		return err;
	}
	r->c->work = w;
	r->c->tick = attach_tick;
	r->c->cancel = attach_cancel;
	return PCCD_PENDING;
}

int pccd_cmd_attach(struct pccd_request *r)
{
	return attach_files(r, false);
}

int pccd_cmd_pin(struct pccd_request *r)
{
	return attach_files(r, true);
}

/*
 * The copy of the file open as fd in dataset ds: its absolute path, from
 * the file's lower version (the kernel's handle), named as the module
 * names it.
 */
static int copy_path_of(struct pccd *d, int fd,
			const struct pcc_conf_dataset *ds, char *path,
			size_t len)
{
	char name[PCC_CACHE_NAME_MAX];
	struct pcc_version v;
	int err;

	memset(&v, 0, sizeof(v));
	if (d->copy)
		err = pccd_copy_version(d->copy, fd, &v);
	else
		err = ioctl(fd, PCC_IOC_VERSION, &v) < 0 ? -errno : 0;
	if (err)
		return err;
	if (v.fh_len > PCC_FH_MAX)
		return -EINVAL;
	pcc_cache_name(name, v.fh_type, v.fh, v.fh_len);
	snprintf(path, len, "%s/%s", ds->path, name);
	return 0;
}

int pccd_cmd_unpin(struct pccd_request *r)
{
	const struct pcc_conf_dataset *ds;
	struct json_object *list, *o;
	char msg[256], path[PCC_PATH_MAX + 300];
	struct pccd_mount *m;
	unsigned int id, i;
	struct stat st;
	bool was;
	int err;

	err = pccd_req_u32(r, "id", &id);
	if (err)
		return err;
	list = json_object_new_array();
	err = pccd_json_add(r->reply, "files", list);
	for (i = 0; !err && i < r->nfds; i++) {
		const char *name = file_name(r, i);

		m = check_fd(r->d, r->fds[i], &st, &err, msg, sizeof(msg));
		if (m && !may_pin(r, &st, &err, msg, sizeof(msg)))
			m = NULL;
		ds = !m ? NULL : id ? pccd_dataset_by_id(m, id)
				    : pccd_dataset_first_ro(m);
		if (m && (!ds || !(ds->mode & PCC_MODE_RO))) {
			err = -ENOENT;
			snprintf(msg, sizeof(msg), id
				 ? "%s has no read-only dataset with id %u"
				 : "%s has no read-only dataset",
				 m->conf->path, id);
			ds = NULL;
		}
		if (!ds) {
			err = file_error(list, i, name, err, msg);
			continue;
		}
		err = copy_path_of(r->d, r->fds[i], ds, path, sizeof(path));
		if (err) {
			err = file_error(list, i, name, err, NULL);
			continue;
		}
		was = !lremovexattr(path, PCCD_XATTR_PIN);
		err = was ? 0 : -errno;
		if (!was && err != -ENODATA) {
			snprintf(msg, sizeof(msg), err == -ENOENT
				 ? "not cached in %s" : "%s: %s", ds->path,
				 strerror(-err));
			err = file_error(list, i, name, err, msg);
			continue;
		}
		pccd_space_pinned(r->d, ds->path, path, false);
		log_info("ctl", "uid %u unpinned %s", (unsigned int)r->c->uid,
			 name);
		o = json_object_new_object();
		if (!o || pccd_json_str(o, "file", name) ||
		    pccd_json_u64(o, "dataset", pcc_conf_dataset_id(ds)) ||
		    pccd_json_str(o, "cache_path", path) ||
		    pccd_json_add(o, "was_pinned",
				  json_object_new_boolean(was))) {
			json_object_put(o);
			err = -ENOMEM;
			continue;
		}
		err = json_object_array_put_idx(list, i, o) ? -ENOMEM : 0;
	}
	return err;
}

int pccd_cmd_detach(struct pccd_request *r)
{
	struct json_object *list;
	unsigned int i;
	struct stat st;
	char msg[256];
	bool keep;
	int err;

	err = pccd_req_bool(r, "keep", &keep);
	if (err)
		return err;
	list = json_object_new_array();
	err = pccd_json_add(r->reply, "files", list);
	for (i = 0; !err && i < r->nfds; i++) {
		struct pcc_ioc_detach det = {
			.flags = keep ? 0 : PCC_DETACH_FL_UNCACHE,
		};
		const char *name = file_name(r, i);
		struct json_object *o;

		if (!check_fd(r->d, r->fds[i], &st, &err, msg, sizeof(msg))) {
			err = file_error(list, i, name, err, msg);
			continue;
		}
		if (ioctl(r->fds[i], PCC_IOC_DETACH, &det) < 0) {
			err = file_error(list, i, name, -errno, NULL);
			continue;
		}
		log_info("ctl", "uid %u detached %s%s", (unsigned int)r->c->uid,
			 name, det.flags & PCC_DETACH_FL_CACHE_REMOVED
			 ? ", copy removed" : "");
		o = json_object_new_object();
		if (!o || pccd_json_str(o, "file", name) ||
		    pccd_json_add(o, "removed", json_object_new_boolean(
				  !!(det.flags & PCC_DETACH_FL_CACHE_REMOVED)))) {
			json_object_put(o);
			err = -ENOMEM;
			continue;
		}
		err = json_object_array_add(list, o) ? -ENOMEM : 0;
	}
	return err;
}
