// SPDX-License-Identifier: GPL-2.0-only
/*
 * file.c - pcc attach, detach and state: per-file commands.
 *
 * attach and detach go through pccd with the open files (SCM_RIGHTS):
 * holding a descriptor proves the user may open the file, so an ordinary
 * user may attach and detach their own files.  state asks the module
 * directly, on the parent directory with the file's name, and never opens
 * the file: an open (or a stat) may attach it.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <json-c/json.h>
#include <linux/pcc.h>

#include "cli.h"
#include "ctl.h"
#include "output.h"

const struct pcc_cli_opt pcc_attach_opts[] = {
	{ "id", 'i', required_argument, "ID",
	  "the dataset's roid (rwid with -w); default the first of the mode" },
	{ "readonly", 'r', no_argument, NULL,
	  "read-only caching (the default)" },
	{ "write", 'w', no_argument, NULL,
	  "read-write caching: writes go to the copy, written back at the last close" },
	{ NULL, 0, 0, NULL, NULL }
};

const struct pcc_cli_opt pcc_pin_opts[] = {
	{ "id", 'i', required_argument, "ID",
	  "the read-only dataset's id; default the first of the file's mount" },
	{ NULL, 0, 0, NULL, NULL }
};

const struct pcc_cli_opt pcc_detach_opts[] = {
	{ "keep", 'k', no_argument, NULL,
	  "keep the copy (it may be attached again without copying)" },
	{ NULL, 0, 0, NULL, NULL }
};

/* The files of one attach or detach, opened and checked before anything. */
struct files {
	char **names;		/* as the user gave them */
	char **abs;		/* absolute, sent to pccd */
	int *fds;
	int n;
};

static void files_free(struct files *f)
{
	int i;

	for (i = 0; i < f->n; i++) {
		free(f->abs[i]);
		if (f->fds[i] >= 0)
			close(f->fds[i]);
	}
	free(f->abs);
	free(f->fds);
}

/*
 * Open every file: each one that cannot be used is named, and then
 * nothing is sent (a bad operand changes nothing).
 */
static int files_open(struct pcc_cli *cli, struct files *f, char **names,
		      int n, int flags)
{
	bool bad = false;
	struct stat st;
	int i;

	f->names = names;
	f->n = n;
	f->abs = calloc((size_t)n, sizeof(*f->abs));
	f->fds = malloc((size_t)n * sizeof(*f->fds));
	if (!f->abs || !f->fds) {
		f->n = 0;
		pcc_cli_error(cli, "%s", strerror(ENOMEM));
		return PCC_EXIT_ERROR;
	}
	for (i = 0; i < n; i++)
		f->fds[i] = -1;
	for (i = 0; i < n; i++) {
		f->abs[i] = pcc_cli_abspath(cli, names[i], true);
		if (!f->abs[i]) {
			bad = true;
			continue;
		}
		f->fds[i] = open(f->abs[i], flags | O_CLOEXEC | O_NOCTTY);
		if (f->fds[i] < 0) {
			pcc_cli_error(cli, "%s: %s", names[i], strerror(errno));
			bad = true;
		} else if (fstat(f->fds[i], &st) < 0) {
			pcc_cli_error(cli, "%s: %s", names[i], strerror(errno));
			bad = true;
		} else if (!S_ISREG(st.st_mode)) {
			pcc_cli_error(cli, "%s: not a regular file", names[i]);
			bad = true;
		}
	}
	return bad ? PCC_EXIT_ERROR : PCC_EXIT_OK;
}

enum file_cmd { CMD_ATTACH, CMD_DETACH, CMD_PIN, CMD_UNPIN };

/* One reply entry, printed under the user's name; false if it failed. */
static bool print_entry(struct pcc_cli *cli, struct out *o, const char *name,
			struct json_object *e, enum file_cmd cmd)
{
	const char *msg = pcc_json_str(e, "error");
	char human[32];

	out_open_object(o, NULL);
	out_str(o, OUT_JSON, "file", NULL, name);
	if (!e || msg) {
		msg = msg ? msg : "pccd gave no answer for this file";
		if (!out_is_json(o))
			pcc_cli_error(cli, "%s: %s", name, msg);
		out_str(o, OUT_JSON, "error", NULL, msg);
		out_uint(o, OUT_JSON, "errno", NULL,
			 e ? pcc_json_u64(e, "errno") : EPROTO);
		out_close_object(o);
		return false;
	}
	if (cmd == CMD_UNPIN) {
		out_uint(o, OUT_JSON, "dataset", NULL,
			 pcc_json_u64(e, "dataset"));
		out_str(o, OUT_JSON, "cache_path", NULL,
			pcc_json_str(e, "cache_path") ?: "");
		out_bool(o, OUT_JSON, "was_pinned", NULL,
			 pcc_json_bool(e, "was_pinned"));
		out_text(o, "%s: %s\n", name, pcc_json_bool(e, "was_pinned")
			 ? "unpinned" : "was not pinned");
	} else if (cmd != CMD_DETACH) {
		out_text(o, "%s: %s", name, cmd == CMD_PIN ? "pinned" :
			 "attached");
		out_uint(o, OUT_ANY, "dataset", " to dataset %" PRIu64,
			 pcc_json_u64(e, "dataset"));
		out_str(o, OUT_ANY, "cache_path", ", cache_path: %s",
			pcc_json_str(e, "cache_path") ?: "");
		pcc_human_bytes(pcc_json_u64(e, "bytes"), human, sizeof(human));
		out_text(o, ", %s copied\n", human);
		out_uint(o, OUT_JSON, "bytes", NULL, pcc_json_u64(e, "bytes"));
	} else {
		out_bool(o, OUT_JSON, "removed", NULL,
			 pcc_json_bool(e, "removed"));
		out_text(o, "%s: detached, copy %s\n", name,
			 pcc_json_bool(e, "removed") ? "removed" : "kept");
	}
	out_close_object(o);
	return true;
}

/*
 * Send the files in batches of PCC_CTL_FDS_MAX with the arguments in
 * proto (copied per batch), printing each file's result.
 */
static int send_files(struct pcc_cli *cli, struct files *f,
		      struct json_object *proto, enum file_cmd cmd)
{
	struct json_object *req = NULL, *reply = NULL, *names, *res;
	int base, k, n, ret = PCC_EXIT_OK, failed = 0;
	struct out *o = NULL;
	for (base = 0; base < f->n; base += n) {
		n = f->n - base;
		if (n > PCC_CTL_FDS_MAX)
			n = PCC_CTL_FDS_MAX;
		req = NULL;
		names = json_object_new_array();
		if (!names || json_object_deep_copy(proto, &req, NULL) ||
		    json_object_object_add(req, "files", names)) {
			json_object_put(names);
			pcc_cli_error(cli, "%s", strerror(ENOMEM));
			ret = PCC_EXIT_ERROR;
			break;
		}
		for (k = 0; k < n; k++)
			json_object_array_add(names,
				json_object_new_string(f->abs[base + k]));
		ret = pcc_cli_call(cli, req, f->fds + base, (unsigned int)n,
				   NULL, NULL, &reply, false);
		json_object_put(req);
		if (ret)
			break;
		/* Output starts with the first answer: none, no document. */
		if (!o) {
			o = pcc_cli_out(cli, 0);
			if (!o) {
				json_object_put(reply);
				return PCC_EXIT_ERROR;
			}
			out_open_array(o, "files");
		}
		res = pcc_json_get(reply, "files");
		for (k = 0; k < n; k++) {
			struct json_object *e = NULL;

			if (json_object_is_type(res, json_type_array) &&
			    (size_t)k < json_object_array_length(res))
				e = json_object_array_get_idx(res, (size_t)k);
			if (!print_entry(cli, o, f->names[base + k], e, cmd))
				failed++;
		}
		json_object_put(reply);
		reply = NULL;
		/* Done with them: the daemon holds its own copies. */
		for (k = 0; k < n; k++) {
			close(f->fds[base + k]);
			f->fds[base + k] = -1;
		}
	}
	if (!o)
		return ret;
	out_close_array(o);
	if (ret) {
		out_end(o);	/* what was done is printed */
		return ret;
	}
	if (failed && !out_is_json(o))
		pcc_cli_error(cli, "%d of %d files failed", failed, f->n);
	return pcc_cli_out_end(cli, o, failed ? PCC_EXIT_ERROR : PCC_EXIT_OK);
}

int pcc_attach_main(struct pcc_cli *cli, int argc, char *argv[])
{
	struct json_object *proto = NULL;
	struct files f = { .n = 0 };
	const char *arg, *mode = NULL;
	uint32_t id = 0;
	int c, ret;

	while ((c = pcc_cli_getopt(cli, argc, argv, &arg)) > 0) {
		switch (c) {
		case 'i':
			if (!pcc_parse_u32(arg, 1, PCC_DS_ID_MAX, &id)) {
				pcc_cli_error(cli,
					      "bad dataset id '%s' (1 to %u)",
					      arg, PCC_DS_ID_MAX);
				return PCC_EXIT_USAGE;
			}
			break;
		case 'r':
		case 'w':
			if (mode && strcmp(mode, c == 'r' ? "ro" : "rw")) {
				pcc_cli_error(cli,
					      "-r and -w exclude each other");
				return PCC_EXIT_USAGE;
			}
			mode = c == 'r' ? "ro" : "rw";
			break;
		}
	}
	if (c < 0)
		return pcc_cli_opt_status(c);
	if (optind == argc) {
		pcc_cli_error(cli, "no FILE given");
		return PCC_EXIT_USAGE;
	}
	ret = files_open(cli, &f, argv + optind, argc - optind, O_RDONLY);
	if (ret)
		goto out;
	proto = pcc_ctl_request("attach");
	if (!proto ||
	    json_object_object_add(proto, "id", json_object_new_int64(id)) ||
	    json_object_object_add(proto, "mode",
				   json_object_new_string(mode ?: "ro"))) {
		pcc_cli_error(cli, "%s", strerror(ENOMEM));
		ret = PCC_EXIT_ERROR;
		goto out;
	}
	ret = send_files(cli, &f, proto, CMD_ATTACH);
out:
	json_object_put(proto);
	files_free(&f);
	return ret;
}

int pcc_detach_main(struct pcc_cli *cli, int argc, char *argv[])
{
	struct json_object *proto = NULL;
	struct files f = { .n = 0 };
	bool keep = false;
	const char *arg;
	int c, ret;

	while ((c = pcc_cli_getopt(cli, argc, argv, &arg)) > 0)
		keep = true;	/* -k, the only one */
	if (c < 0)
		return pcc_cli_opt_status(c);
	if (optind == argc) {
		pcc_cli_error(cli, "no FILE given");
		return PCC_EXIT_USAGE;
	}
	/* O_NONBLOCK: an open must not wait (on a lease, a FIFO's peer). */
	ret = files_open(cli, &f, argv + optind, argc - optind,
			 O_RDONLY | O_NONBLOCK);
	if (ret)
		goto out;
	proto = pcc_ctl_request("detach");
	if (!proto || json_object_object_add(proto, "keep",
					     json_object_new_boolean(keep))) {
		pcc_cli_error(cli, "%s", strerror(ENOMEM));
		ret = PCC_EXIT_ERROR;
		goto out;
	}
	ret = send_files(cli, &f, proto, CMD_DETACH);
out:
	json_object_put(proto);
	files_free(&f);
	return ret;
}

/* pcc pin, pcc unpin: as attach, with the dataset id only. */
static int pin_unpin(struct pcc_cli *cli, int argc, char *argv[], bool pin)
{
	struct json_object *proto = NULL;
	struct files f = { .n = 0 };
	const char *arg;
	uint32_t id = 0;
	int c, ret;

	while ((c = pcc_cli_getopt(cli, argc, argv, &arg)) > 0) {
		if (!pcc_parse_u32(arg, 1, PCC_DS_ID_MAX, &id)) {
			pcc_cli_error(cli, "bad dataset id '%s' (1 to %u)",
				      arg, PCC_DS_ID_MAX);
			return PCC_EXIT_USAGE;
		}
	}
	if (c < 0)
		return pcc_cli_opt_status(c);
	if (optind == argc) {
		pcc_cli_error(cli, "no FILE given");
		return PCC_EXIT_USAGE;
	}
	/* unpin reads nothing: an open that does not wait is enough. */
	ret = files_open(cli, &f, argv + optind, argc - optind,
			 pin ? O_RDONLY : O_RDONLY | O_NONBLOCK);
	if (ret)
		goto out;
	proto = pcc_ctl_request(pin ? "pin" : "unpin");
	if (!proto ||
	    json_object_object_add(proto, "id", json_object_new_int64(id))) {
		pcc_cli_error(cli, "%s", strerror(ENOMEM));
		ret = PCC_EXIT_ERROR;
		goto out;
	}
	ret = send_files(cli, &f, proto, pin ? CMD_PIN : CMD_UNPIN);
out:
	json_object_put(proto);
	files_free(&f);
	return ret;
}

int pcc_pin_main(struct pcc_cli *cli, int argc, char *argv[])
{
	return pin_unpin(cli, argc, argv, true);
}

int pcc_unpin_main(struct pcc_cli *cli, int argc, char *argv[])
{
	return pin_unpin(cli, argc, argv, false);
}

/* pcc state */

static const struct {
	uint32_t flag;
	const char *name;
} state_flags[] = {
	{ PCC_STATE_FL_ATTACHING, "attaching" },
	{ PCC_STATE_FL_UNLINKED, "unlinked" },
	{ PCC_STATE_FL_NONE, "no_copy" },
	{ PCC_STATE_FL_MAPPED, "mapped" },
	{ PCC_STATE_FL_DIRTY, "dirty" },
};

static const char *type_name(uint32_t type)
{
	switch (type) {
	case PCC_TYPE_NONE:
		return "none";
	case PCC_TYPE_READONLY:
		return "readonly";
	case PCC_TYPE_READWRITE:
		return "readwrite";
	}
	return "unknown";
}

static const char *state_strerror(int err)
{
	return err == -ENOTTY ? "not on a pcc mount" : strerror(-err);
}

/* A node name fit for a terminal: printable ASCII, not empty. */
static bool printable(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return false;
	return true;
}

void pcc_state_print(struct out *o, const char *file,
		     const struct pcc_ioc_state *st, int err,
		     const char *root, const char *held_by,
		     struct json_object *why)
{
	const char *rel;
	char *abs = NULL, hex[16];
	uint32_t left;
	bool first = true;
	size_t i;

	if (!st) {
		/* Text: the caller says it on stderr. */
		out_str(o, OUT_JSON, "file", NULL, file);
		out_str(o, OUT_JSON, "error", NULL, state_strerror(err));
		out_int(o, OUT_JSON, "errno", NULL, -err);
		return;
	}
	out_str(o, OUT_ANY, "file", "file: %s", file);
	out_str(o, OUT_ANY, "type", ", type: %s", type_name(st->type));
	if (st->type != PCC_TYPE_NONE)
		out_uint(o, OUT_ANY, "dataset", ", dataset: %" PRIu64,
			 st->dataset_id);
	else
		out_null(o, OUT_JSON, "dataset", NULL, NULL);

	/* The kernel's path is the dataset's; without its root, as is. */
	rel = st->path;
	while (*rel == '/')
		rel++;
	if (*rel && root) {
		size_t len = strlen(root) + strlen(rel) + 2;

		abs = malloc(len);
		if (abs)
			snprintf(abs, len, "%s%s%s", root,
				 root[strlen(root) - 1] == '/' ? "" : "/", rel);
	}
	if (*rel)
		out_str(o, st->type != PCC_TYPE_NONE ? OUT_ANY : OUT_JSON,
			"cache_path", ", cache_path: %s", abs ? abs : rel);
	else
		out_null(o, OUT_JSON, "cache_path", NULL, NULL);
	free(abs);
	out_uint(o, st->type != PCC_TYPE_NONE ? OUT_ANY : OUT_JSON,
		 "open_count", ", open_count: %" PRIu64, st->open_count);

	out_open_array(o, "flags");
	left = st->flags;
	for (i = 0; i < sizeof(state_flags) / sizeof(state_flags[0]); i++) {
		if (!(left & state_flags[i].flag))
			continue;
		left &= ~state_flags[i].flag;
		out_str(o, OUT_ANY, NULL, first ? ", flags: %s" : ",%s",
			state_flags[i].name);
		first = false;
	}
	if (left) {	/* a newer module's: shown, not hidden */
		snprintf(hex, sizeof(hex), "0x%x", left);
		out_str(o, OUT_ANY, NULL, first ? ", flags: %s" : ",%s", hex);
	}
	out_close_array(o);
	/*
	 * The mark's value comes from the lower file: anyone may set it.
	 * One that is no node name is still a mark (the kernel takes it
	 * for another node's): "?", not bytes for a terminal.
	 */
	if (held_by)
		out_str(o, OUT_ANY, "held_by", ", held by: %s",
			printable(held_by) ? held_by : "?");
	else
		out_null(o, OUT_JSON, "held_by", NULL, NULL);
	/* Not cached: why, when pccd knows (null when it does not). */
	if (st->type == PCC_TYPE_NONE && why) {
		const char *reason = pcc_json_str(why, "reason");
		const char *msg = pcc_json_str(why, "message");

		if (reason) {
			out_str(o, OUT_ANY, "reason", ", reason: %s", reason);
			if (msg && *msg)
				out_str(o, OUT_ANY, "reason_message", " (%s)",
					msg);
			if (pcc_json_get(why, "errno"))
				out_uint(o, OUT_JSON, "reason_errno", NULL,
					 pcc_json_u64(why, "errno"));
		} else {
			out_null(o, OUT_JSON, "reason", NULL, NULL);
		}
	}
	out_text(o, "\n");
}

/*
 * pccd's reason for abs, or NULL (no pccd, or it does not know).  The file
 * goes as a descriptor opened O_PATH, which opens nothing (no attach) but
 * shows pccd this user could reach it.
 */
static struct json_object *ask_reason(struct pcc_cli *cli, const char *abs)
{
	struct json_object *req, *reply = NULL, *files;
	int fd;

	fd = open(abs, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	req = pcc_ctl_request("reason");
	files = json_object_new_array();
	if (!req || !files ||
	    json_object_array_add(files, json_object_new_string(abs)) ||
	    json_object_object_add(req, "files", files))
		json_object_put(files);
	else
		pcc_cli_call(cli, req, &fd, 1, NULL, NULL, &reply, true);
	json_object_put(req);
	close(fd);
	return reply;
}

/* Where pccd says datasets are: {"mounts": [...]}, or NULL. */
static struct json_object *ask_list(struct pcc_cli *cli)
{
	struct json_object *req = pcc_ctl_request("list"), *reply = NULL;

	if (req)
		pcc_cli_call(cli, req, NULL, 0, NULL, NULL, &reply, true);
	json_object_put(req);
	return reply;
}

const char *pcc_state_root(struct json_object *list, const char *abs,
				uint32_t id)
{
	struct json_object *mounts = pcc_json_get(list, "mounts"), *best = NULL;
	struct json_object *ds;
	size_t i, n, best_len = 0;

	n = json_object_is_type(mounts, json_type_array) ?
	    json_object_array_length(mounts) : 0;
	for (i = 0; i < n; i++) {
		struct json_object *m = json_object_array_get_idx(mounts, i);
		const char *p = pcc_json_str(m, "path");
		size_t len = p ? strlen(p) : 0;

		while (len > 1 && p[len - 1] == '/')
			len--;
		/* The longest mount path that is a prefix, at a '/'. */
		if (!len || strncmp(abs, p, len) ||
		    (abs[len] != '/' && !(len == 1 && p[0] == '/')) ||
		    len <= best_len)
			continue;
		best = m;
		best_len = len;
	}
	ds = pcc_json_get(best, "datasets");
	n = json_object_is_type(ds, json_type_array) ?
	    json_object_array_length(ds) : 0;
	for (i = 0; i < n; i++) {
		struct json_object *d = json_object_array_get_idx(ds, i);

		if (pcc_json_u64(d, "id") == id)
			return pcc_json_str(d, "path");
	}
	return NULL;
}

/*
 * Split path into its directory (realpath'd) and last name.  -EISDIR when
 * it names no file in a directory ("/", "x/.", "..").
 */
static int split(const char *path, char **dir, char **name)
{
	char *copy = strdup(path), *slash;
	size_t len;

	*dir = *name = NULL;
	if (!copy)
		return -ENOMEM;
	len = strlen(copy);
	while (len > 1 && copy[len - 1] == '/')
		copy[--len] = '\0';
	slash = strrchr(copy, '/');
	*name = strdup(slash ? slash + 1 : copy);
	if (slash)
		slash[slash == copy ? 1 : 0] = '\0';
	*dir = realpath(slash ? copy : ".", NULL);
	free(copy);
	if (!*name || !**name || !strcmp(*name, ".") || !strcmp(*name, ".."))
		return *name ? -EISDIR : -ENOMEM;
	if (!*dir)
		return -errno;
	return 0;
}

/* One file's state, asked on its directory. */
static int get_state(const char *file, struct pcc_ioc_state *st, char **abs)
{
	char *dir, *name;
	int fd, err;
	size_t len;

	*abs = NULL;
	err = split(file, &dir, &name);
	if (err)
		goto out;
	memset(st, 0, sizeof(*st));
	len = strlen(name) + 1;
	if (len > sizeof(st->path)) {
		err = -ENAMETOOLONG;
		goto out;
	}
	memcpy(st->path, name, len);
	st->namelen = (uint32_t)len;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		goto out;
	}
	err = ioctl(fd, PCC_IOC_STATE, st) < 0 ? -errno : 0;
	close(fd);
	if (!err) {
		len = strlen(dir) + strlen(name) + 2;
		*abs = malloc(len);
		if (*abs)
			snprintf(*abs, len, "%s/%s", strcmp(dir, "/") ? dir : "",
				 name);
	}
out:
	free(dir);
	free(name);
	return err;
}

/*
 * The node holding abs read-write, in node: the lower file's mark
 * (PCC_XATTR_RW_MARK), which a pcc mount lets one read without attaching
 * the file.  NULL without one (ENODATA; EOPNOTSUPP: the lower has no user
 * xattrs) or when it cannot be read; one longer than a node name (ERANGE)
 * is still a mark, of a name that cannot be shown.  lgetxattr: a
 * symlink's own, as get_state asked about the name itself.
 */
static const char *get_mark(const char *abs, char node[PCC_NODE_MAX + 1])
{
	ssize_t n = lgetxattr(abs, PCC_XATTR_RW_MARK, node, PCC_NODE_MAX);

	if (n < 0 && errno == ERANGE)
		return "?";
	if (n <= 0)
		return NULL;
	node[n] = '\0';
	return node;
}

int pcc_state_main(struct pcc_cli *cli, int argc, char *argv[])
{
	int i = pcc_cli_options(cli, argc, argv), k, err, failed = 0;
	struct json_object *list = NULL, *why;
	struct pcc_ioc_state *st;
	bool asked = false, no_pccd = false;
	char *abs, node[PCC_NODE_MAX + 1];
	struct out *o;

	if (i <= 0)
		return i ? PCC_EXIT_USAGE : PCC_EXIT_OK;
	if (i == argc) {
		pcc_cli_error(cli, "no FILE given");
		return PCC_EXIT_USAGE;
	}
	st = malloc(sizeof(*st));
	o = st ? pcc_cli_out(cli, argc - i > 1 ? OUT_F_ARRAY : 0) : NULL;
	if (!o) {
		free(st);
		return PCC_EXIT_ERROR;
	}
	for (k = i; k < argc; k++) {
		const char *root = NULL, *held_by = NULL;

		err = get_state(argv[k], st, &abs);
		if (!err && abs)
			held_by = get_mark(abs, node);
		if (!err && st->dataset_id && st->path[0] && abs) {
			/* pccd knows the datasets' directories; ask once. */
			if (!asked)
				list = ask_list(cli);
			asked = true;
			root = pcc_state_root(list, abs, st->dataset_id);
		}
		why = NULL;
		if (!err && st->type == PCC_TYPE_NONE && abs && !no_pccd) {
			why = ask_reason(cli, abs);
			/* Not running: the module's answer is all there is. */
			no_pccd = !why && cli->ctl < 0;
		}
		free(abs);
		if (err) {
			failed++;
			if (!out_is_json(o))
				pcc_cli_error(cli, "%s: %s", argv[k],
					      state_strerror(err));
		}
		if (argc - i > 1)
			out_open_object(o, NULL);
		pcc_state_print(o, argv[k], err ? NULL : st, err, root,
				held_by, why);
		json_object_put(why);
		if (argc - i > 1)
			out_close_object(o);
	}
	json_object_put(list);
	free(st);
	return pcc_cli_out_end(cli, o, failed ? PCC_EXIT_ERROR : PCC_EXIT_OK);
}
