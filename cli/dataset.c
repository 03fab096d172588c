// SPDX-License-Identifier: GPL-2.0-only
/*
 * dataset.c - pcc add, set, del, clear and list: the datasets of the pcc
 * mounts, kept by pccd (which checks PARAMS, applies them to the module
 * and rewrites pcc.yaml).  The CLI checks what it can see (operands, that
 * the directories exist) and sends absolute paths.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "cli.h"
#include "ctl.h"
#include "output.h"

/* Long options for single PARAMS keys: --open-attach B is open_attach=B. */
enum {
	OPT_ROID = 0x200,
	OPT_RWID,
	OPT_AUTO_ATTACH,
	OPT_OPEN_ATTACH,
	OPT_STAT_ATTACH,
	OPT_IO_ATTACH,
	OPT_PCCRO,
	OPT_PCCRW,
	OPT_HIGH,
	OPT_LOW,
	OPT_MAX_BYTES,
	OPT_MAX_FILES,
	OPT_MIN_FREE,
	OPT_WRITEBACK,
	OPT_WB_INTERVAL,
};

const struct pcc_cli_opt pcc_dataset_opts[] = {
	{ "param", 'p', required_argument, "PARAMS",
	  "[RULE] [KEY=VALUE...], as Lustre's --param" },
	{ "roid", OPT_ROID, required_argument, "N", "roid=N" },
	{ "rwid", OPT_RWID, required_argument, "N", "rwid=N" },
	{ "auto-attach", OPT_AUTO_ATTACH, required_argument, "B",
	  "auto_attach=B" },
	{ "open-attach", OPT_OPEN_ATTACH, required_argument, "B",
	  "open_attach=B" },
	{ "stat-attach", OPT_STAT_ATTACH, required_argument, "B",
	  "stat_attach=B" },
	{ "io-attach", OPT_IO_ATTACH, required_argument, "B",
	  "io_attach=B" },
	{ "pccro", OPT_PCCRO, required_argument, "B", "pccro=B" },
	{ "pccrw", OPT_PCCRW, required_argument, "B", "pccrw=B" },
	{ "high", OPT_HIGH, required_argument, "P", "high=P (percent)" },
	{ "low", OPT_LOW, required_argument, "P", "low=P (percent)" },
	{ "max-bytes", OPT_MAX_BYTES, required_argument, "S",
	  "max_bytes=S (K, M, G, T; none)" },
	{ "max-files", OPT_MAX_FILES, required_argument, "N",
	  "max_files=N (none)" },
	{ "min-free", OPT_MIN_FREE, required_argument, "S",
	  "min_free=S (K, M, G, T; none)" },
	{ "writeback", OPT_WRITEBACK, required_argument, "close|lazy",
	  "writeback=close|lazy (read-write datasets)" },
	{ "writeback-interval", OPT_WB_INTERVAL, required_argument, "SECONDS",
	  "writeback_interval=SECONDS (1 to 86400, with lazy)" },
	{ NULL, 0, 0, NULL, NULL }
};

const struct pcc_cli_opt pcc_del_opts[] = {
	{ "keep", 'k', no_argument, NULL, "keep the copies (detach only)" },
	{ NULL, 0, 0, NULL, NULL }
};

/* Append " text" (or text first) to the PARAMS being built. */
static bool append(char **params, const char *text)
{
	size_t old = *params ? strlen(*params) : 0;
	char *s = realloc(*params, old + strlen(text) + 2);

	if (!s)
		return false;
	if (old)
		s[old++] = ' ';
	strcpy(s + old, text);
	*params = s;
	return true;
}

/* The KEY=VALUE token of a key option, or NULL after saying why not. */
static bool append_key(struct pcc_cli *cli, char **params, int c,
		       const char *name, const char *val)
{
	char token[256];
	size_t i;

	/* A blank would start another token: --roid "1 pccrw=1". */
	if (!*val || strpbrk(val, " \t\n")) {
		pcc_cli_error(cli, "bad value '%s' for --%s", val, name);
		return false;
	}
	snprintf(token, sizeof(token), "%s=%s", name, val);
	for (i = 0; token[i] != '='; i++)
		if (token[i] == '-')
			token[i] = '_';
	(void)c;
	if (strlen(name) + strlen(val) + 1 >= sizeof(token) ||
	    !append(params, token)) {
		pcc_cli_error(cli, "value of --%s too long", name);
		return false;
	}
	return true;
}

static const char *opt_name(int c)
{
	const struct pcc_cli_opt *o;

	for (o = pcc_dataset_opts; o->name; o++)
		if (o->val == c)
			return o->name;
	return "?";
}

static struct json_object *request(const char *cmd, const char *mnt,
				   const char *cache)
{
	struct json_object *req = pcc_ctl_request(cmd);

	if (req && mnt &&
	    json_object_object_add(req, "mount", json_object_new_string(mnt)))
		goto fail;
	if (req && cache &&
	    json_object_object_add(req, "cache", json_object_new_string(cache)))
		goto fail;
	return req;
fail:
	json_object_put(req);
	return NULL;
}

/* A limit: text only when set, JSON null otherwise. */
static void print_limit(struct out *o, struct json_object *lim,
			const char *key, bool bytes, bool *first)
{
	struct json_object *v = pcc_json_get(lim, key);
	char human[32], fmt[64];

	if (!json_object_is_type(v, json_type_int)) {
		out_null(o, OUT_JSON, key, NULL, NULL);
		return;
	}
	if (bytes) {
		pcc_human_bytes(pcc_json_u64(lim, key), human, sizeof(human));
		snprintf(fmt, sizeof(fmt), ", %s: %s", key, human);
		out_text(o, "%s", fmt);
		out_uint(o, OUT_JSON, key, NULL, pcc_json_u64(lim, key));
	} else {
		snprintf(fmt, sizeof(fmt), ", %s: %%" PRIu64, key);
		out_uint(o, OUT_ANY, key, fmt, pcc_json_u64(lim, key));
	}
	*first = false;
}

/* The capacity limits of a dataset (list's "limits"). */
static void print_limits(struct out *o, struct json_object *lim)
{
	bool first = true;

	if (!json_object_is_type(lim, json_type_object))
		return;
	out_open_object(o, "limits");
	out_uint(o, OUT_ANY, "high_percent", "    capacity: high %" PRIu64 "%%",
		 pcc_json_u64(lim, "high_percent"));
	out_uint(o, OUT_ANY, "low_percent", ", low %" PRIu64 "%%",
		 pcc_json_u64(lim, "low_percent"));
	print_limit(o, lim, "max_bytes", true, &first);
	print_limit(o, lim, "max_files", false, &first);
	print_limit(o, lim, "min_free", true, &first);
	out_text(o, "\n");
	out_close_object(o);
}

/*
 * The write-back policy of a read-write dataset (null otherwise); the
 * interval in text only when lazy write-back uses it.
 */
static void print_writeback(struct out *o, struct json_object *ds)
{
	const char *wb = pcc_json_str(ds, "writeback");
	bool lazy = wb && !strcmp(wb, "lazy");

	if (!wb) {
		out_null(o, OUT_JSON, "writeback", NULL, NULL);
		out_null(o, OUT_JSON, "writeback_interval", NULL, NULL);
		return;
	}
	out_str(o, OUT_ANY, "writeback", "    writeback: %s", wb);
	if (json_object_is_type(pcc_json_get(ds, "writeback_interval"),
				json_type_int))
		out_uint(o, lazy ? OUT_ANY : OUT_JSON, "writeback_interval",
			 ", interval: %" PRIu64 "s",
			 pcc_json_u64(ds, "writeback_interval"));
	else
		out_null(o, OUT_JSON, "writeback_interval", NULL, NULL);
	out_text(o, "\n");
}

/* DATASET of ctl.h, in list's layout. */
static void print_dataset(struct out *o, struct json_object *ds)
{
	struct json_object *attach = pcc_json_get(ds, "attach");
	struct json_object *usage = pcc_json_get(ds, "usage");
	const char *rule = pcc_json_str(ds, "rule");
	uint64_t pinned;
	bool attached;
	char human[32];
	size_t i, n;

	out_uint(o, OUT_ANY, "id", "  dataset %" PRIu64, pcc_json_u64(ds, "id"));
	out_str(o, OUT_ANY, "path", ": %s\n", pcc_json_str(ds, "path") ?: "?");
	out_str(o, OUT_ANY, "mode", "    mode: %s",
		pcc_json_str(ds, "mode") ?: "?");
	out_uint(o, OUT_ANY, "roid", ", roid: %" PRIu64,
		 pcc_json_u64(ds, "roid"));
	out_uint(o, OUT_ANY, "rwid", ", rwid: %" PRIu64,
		 pcc_json_u64(ds, "rwid"));
	out_text(o, ", attach: ");
	out_open_array(o, "attach");
	n = json_object_is_type(attach, json_type_array) ?
	    json_object_array_length(attach) : 0;
	for (i = 0; i < n; i++)
		out_str(o, OUT_ANY, NULL, i ? ",%s" : "%s",
			json_object_get_string(
				json_object_array_get_idx(attach, i)));
	out_close_array(o);
	out_text(o, "%s\n", n ? "" : "none");
	print_writeback(o, ds);
	if (rule)
		out_str(o, OUT_ANY, "rule", "    rule: %s\n", rule);
	else
		out_null(o, OUT_ANY, "rule", "    rule: %s\n",
			 "none (manual attach only)");
	/*
	 * The replies of add and set carry no usage, and set's no count of
	 * attached files (null): say nothing rather than 0.
	 */
	attached = json_object_is_type(pcc_json_get(ds, "attached"),
				       json_type_int);
	if (attached)
		out_uint(o, OUT_ANY, "attached", "    attached: %" PRIu64,
			 pcc_json_u64(ds, "attached"));
	else
		out_null(o, OUT_JSON, "attached", NULL, NULL);
	if (!json_object_is_type(usage, json_type_object)) {
		out_null(o, OUT_JSON, "usage", NULL, NULL);
		out_text(o, attached ? "\n" : "");
		return;
	}
	out_open_object(o, "usage");
	out_uint(o, OUT_ANY, "files", attached ? ", usage: %" PRIu64 " files" :
		 "    usage: %" PRIu64 " files", pcc_json_u64(usage, "files"));
	pcc_human_bytes(pcc_json_u64(usage, "bytes"), human, sizeof(human));
	out_text(o, ", %s", human);
	out_uint(o, OUT_JSON, "bytes", NULL, pcc_json_u64(usage, "bytes"));
	/* Pinned copies are the exception: text shows them when any. */
	pinned = pcc_json_u64(usage, "pinned_files");
	if (pcc_json_get(usage, "pinned_files")) {
		out_uint(o, pinned ? OUT_ANY : OUT_JSON, "pinned_files",
			 ", pinned: %" PRIu64 " files", pinned);
		pcc_human_bytes(pcc_json_u64(usage, "pinned_bytes"), human,
				sizeof(human));
		if (pinned)
			out_text(o, ", %s", human);
		out_uint(o, OUT_JSON, "pinned_bytes", NULL,
			 pcc_json_u64(usage, "pinned_bytes"));
	}
	out_text(o, "\n");
	out_close_object(o);
	print_limits(o, pcc_json_get(ds, "limits"));
}

static void print_mount(struct out *o, struct json_object *m)
{
	struct json_object *ds = pcc_json_get(m, "datasets");
	struct json_object *id = pcc_json_get(m, "mount_id");
	bool mounted = pcc_json_bool(m, "mounted");
	size_t i, n;

	out_str(o, OUT_ANY, "path", "%s", pcc_json_str(m, "path") ?: "?");
	out_str(o, OUT_ANY, "lower", " on %s", pcc_json_str(m, "lower") ?: "?");
	out_bool(o, OUT_JSON, "mounted", NULL, mounted);
	if (json_object_is_type(id, json_type_int))
		out_uint(o, OUT_ANY, "mount_id", mounted ?
			 " (mounted, mount id %" PRIu64 ")\n" :
			 " (not mounted, mount id %" PRIu64 ")\n",
			 json_object_get_uint64(id));
	else
		out_null(o, OUT_ANY, "mount_id", "%s\n",
			 mounted ? " (mounted)" : " (not mounted)");
	out_open_array(o, "datasets");
	n = json_object_is_type(ds, json_type_array) ?
	    json_object_array_length(ds) : 0;
	if (!n)
		out_text(o, "  no datasets\n");
	for (i = 0; i < n; i++) {
		out_open_object(o, NULL);
		print_dataset(o, json_object_array_get_idx(ds, i));
		out_close_object(o);
	}
	out_close_array(o);
}

/* add and set: MNT CACHEDIR and PARAMS from -p and the key options. */
static int add_or_set(struct pcc_cli *cli, int argc, char *argv[], bool add)
{
	struct json_object *req = NULL, *reply = NULL;
	char *params = NULL, *mnt = NULL, *cache = NULL;
	int c, ret = PCC_EXIT_USAGE;
	const char *arg;
	struct out *o;

	while ((c = pcc_cli_getopt(cli, argc, argv, &arg)) > 0) {
		if (c == 'p') {
			if (!*arg) {
				pcc_cli_error(cli, "empty PARAMS");
				goto out;
			}
			if (!append(&params, arg))
				goto nomem;
		} else if (!append_key(cli, &params, c, opt_name(c), arg)) {
			goto out;
		}
	}
	if (c < 0) {
		ret = pcc_cli_opt_status(c);
		goto out;
	}
	if (argc - optind != 2) {
		if (argc - optind < 2)
			pcc_cli_error(cli, "MNT and CACHEDIR are needed");
		else
			pcc_cli_error(cli, "unexpected argument '%s'",
				      argv[optind + 2]);
		goto out;
	}
	if (!add && !params) {
		pcc_cli_error(cli,
			      "nothing to change: give -p PARAMS or a key option");
		goto out;
	}
	ret = PCC_EXIT_ERROR;
	mnt = pcc_cli_abspath(cli, argv[optind], true);
	cache = mnt ? pcc_cli_abspath(cli, argv[optind + 1], true) : NULL;
	if (!cache)
		goto out;
	req = request(add ? "add" : "set", mnt, cache);
	if (!req || json_object_object_add(req, "params",
			json_object_new_string(params ? params : "")))
		goto nomem;
	ret = pcc_cli_call(cli, req, NULL, 0, NULL, NULL, &reply, false);
	if (ret)
		goto out;
	o = pcc_cli_out(cli, 0);
	if (!o)
		goto fail;
	out_text(o, "%s dataset %s on %s\n", add ? "added" : "changed",
		 cache, mnt);
	out_open_object(o, "dataset");
	print_dataset(o, pcc_json_get(reply, "dataset"));
	out_close_object(o);
	ret = pcc_cli_out_end(cli, o, PCC_EXIT_OK);
	goto out;
nomem:
	pcc_cli_error(cli, "%s", strerror(ENOMEM));
fail:
	ret = PCC_EXIT_ERROR;
out:
	json_object_put(reply);
	json_object_put(req);
	free(params);
	free(mnt);
	free(cache);
	return ret;
}

int pcc_add_main(struct pcc_cli *cli, int argc, char *argv[])
{
	return add_or_set(cli, argc, argv, true);
}

int pcc_set_main(struct pcc_cli *cli, int argc, char *argv[])
{
	return add_or_set(cli, argc, argv, false);
}

/* del (MNT CACHEDIR) and clear (MNT). */
static int del_or_clear(struct pcc_cli *cli, int argc, char *argv[], bool del)
{
	struct json_object *req = NULL, *reply = NULL;
	char *mnt = NULL, *cache = NULL, human[32];
	int c, want = del ? 2 : 1, ret;
	bool keep = false;
	const char *arg;
	struct out *o;

	while ((c = pcc_cli_getopt(cli, argc, argv, &arg)) > 0)
		keep = true;	/* -k, the only one */
	if (c < 0)
		return pcc_cli_opt_status(c);
	if (argc - optind != want) {
		if (argc - optind > want)
			pcc_cli_error(cli, "unexpected argument '%s'",
				      argv[optind + want]);
		else
			pcc_cli_error(cli, "%s needed",
				      del ? "MNT and CACHEDIR are" : "MNT is");
		return PCC_EXIT_USAGE;
	}
	/* A cache directory already gone can still be forgotten. */
	ret = PCC_EXIT_ERROR;
	mnt = pcc_cli_abspath(cli, argv[optind], false);
	if (!mnt)
		goto out;
	if (del) {
		cache = pcc_cli_abspath(cli, argv[optind + 1], false);
		if (!cache)
			goto out;
	}
	req = request(del ? "del" : "clear", mnt, cache);
	if (!req || json_object_object_add(req, "keep",
					   json_object_new_boolean(keep))) {
		pcc_cli_error(cli, "%s", strerror(ENOMEM));
		goto out;
	}
	ret = pcc_cli_call(cli, req, NULL, 0, NULL, NULL, &reply, false);
	if (ret)
		goto out;
	o = pcc_cli_out(cli, 0);
	if (!o) {
		ret = PCC_EXIT_ERROR;
		goto out;
	}
	if (del)
		out_text(o, "removed dataset %s from %s", cache, mnt);
	else
		out_uint(o, OUT_ANY, "datasets",
			 "removed %" PRIu64 " datasets",
			 pcc_json_u64(reply, "datasets"));
	if (!del)
		out_text(o, " from %s", mnt);
	pcc_human_bytes(pcc_json_u64(reply, "removed_bytes"), human,
			sizeof(human));
	if (keep)
		out_text(o, ", copies kept");
	out_uint(o, keep ? OUT_JSON : OUT_ANY, "removed_copies",
		 ", %" PRIu64 " copies removed",
		 pcc_json_u64(reply, "removed_copies"));
	if (!keep)
		out_text(o, " (%s)", human);
	out_uint(o, OUT_JSON, "removed_bytes", NULL,
		 pcc_json_u64(reply, "removed_bytes"));
	out_text(o, "\n");
	ret = pcc_cli_out_end(cli, o, PCC_EXIT_OK);
out:
	json_object_put(reply);
	json_object_put(req);
	free(mnt);
	free(cache);
	return ret;
}

int pcc_del_main(struct pcc_cli *cli, int argc, char *argv[])
{
	return del_or_clear(cli, argc, argv, true);
}

int pcc_clear_main(struct pcc_cli *cli, int argc, char *argv[])
{
	return del_or_clear(cli, argc, argv, false);
}

int pcc_list_main(struct pcc_cli *cli, int argc, char *argv[])
{
	struct json_object *req = NULL, *reply = NULL, *mounts;
	int i = pcc_cli_options(cli, argc, argv), ret = PCC_EXIT_ERROR;
	char *mnt = NULL;
	struct out *o;
	size_t k, n;

	if (i <= 0)
		return i ? PCC_EXIT_USAGE : PCC_EXIT_OK;
	if (argc - i > 1) {
		pcc_cli_error(cli, "unexpected argument '%s'", argv[i + 1]);
		return PCC_EXIT_USAGE;
	}
	if (i < argc) {
		mnt = pcc_cli_abspath(cli, argv[i], false);
		if (!mnt)
			return PCC_EXIT_ERROR;
	}
	req = request("list", mnt, NULL);
	if (!req) {
		pcc_cli_error(cli, "%s", strerror(ENOMEM));
		goto out;
	}
	ret = pcc_cli_call(cli, req, NULL, 0, NULL, NULL, &reply, false);
	if (ret)
		goto out;
	o = pcc_cli_out(cli, 0);
	if (!o) {
		ret = PCC_EXIT_ERROR;
		goto out;
	}
	mounts = pcc_json_get(reply, "mounts");
	n = json_object_is_type(mounts, json_type_array) ?
	    json_object_array_length(mounts) : 0;
	out_open_array(o, "mounts");
	if (!n)
		out_text(o, "no pcc mounts configured\n");
	for (k = 0; k < n; k++) {
		out_text(o, k ? "\n" : "");
		out_open_object(o, NULL);
		print_mount(o, json_object_array_get_idx(mounts, k));
		out_close_object(o);
	}
	out_close_array(o);
	ret = pcc_cli_out_end(cli, o, PCC_EXIT_OK);
out:
	json_object_put(reply);
	json_object_put(req);
	free(mnt);
	return ret;
}
