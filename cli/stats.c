// SPDX-License-Identifier: GPL-2.0-only
/*
 * stats.c - pcc stats: the module's counters per mount, as pccd reads
 * them, and the daemon's own.  In JSON the counters are members of each
 * mount's object, named as pcc_nl_stat_name() names them.  With
 * --prometheus, pccd's reply goes to lib/metrics.c as it is.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "cli.h"
#include "ctl.h"
#include "metrics.h"
#include "output.h"

#define OPT_PROMETHEUS	0x200

const struct pcc_cli_opt pcc_stats_opts[] = {
	{ "prometheus", OPT_PROMETHEUS, no_argument, NULL,
	  "print Prometheus text format (not with --json)" },
	{ NULL, 0, 0, NULL, NULL }
};

/* Keys pcc stats --json always has per mount (issue 10, pcc(8)). */
static const char *const required[] = {
	"hits", "hit_bytes", "misses", "attaches",
};

static const char *const daemon_keys[] = {
	"copies", "bytes_copied", "copy_errors", "queue", "running",
};

static void print_counter(struct out *o, const char *name,
			  struct json_object *v)
{
	char fmt[32];

	snprintf(fmt, sizeof(fmt), "  %-18s %%%s\n", name, PRIu64);
	if (json_object_is_type(v, json_type_int))
		out_uint(o, OUT_ANY, name, fmt, json_object_get_uint64(v));
	else
		out_null(o, OUT_ANY, name, "  %-18s -\n", name);
}

static void print_mount(struct out *o, struct json_object *m)
{
	struct json_object *counters = pcc_json_get(m, "counters");
	struct json_object *id = pcc_json_get(m, "mount_id");
	size_t i;

	out_str(o, OUT_ANY, "path", "%s", pcc_json_str(m, "path") ?: "?");
	if (json_object_is_type(id, json_type_int))
		out_uint(o, OUT_ANY, "mount_id", " (mount id %" PRIu64 "):\n",
			 json_object_get_uint64(id));
	else
		out_null(o, OUT_ANY, "mount_id", "%s:\n", "");
	if (json_object_is_type(counters, json_type_object)) {
		json_object_object_foreach(counters, name, v) {
			/* Not a counter's name: a daemon bug, not ours. */
			if (!strcmp(name, "path") || !strcmp(name, "mount_id"))
				continue;
			print_counter(o, name, v);
		}
	}
	for (i = 0; i < sizeof(required) / sizeof(required[0]); i++)
		if (!pcc_json_get(counters, required[i]))
			print_counter(o, required[i], NULL);
}

int pcc_stats_main(struct pcc_cli *cli, int argc, char *argv[])
{
	struct json_object *req = NULL, *reply = NULL, *mounts, *daemon;
	int c, i, ret = PCC_EXIT_ERROR;
	bool prometheus = false;
	const char *arg;
	char *mnt = NULL;
	struct out *o;
	size_t k, n;

	while ((c = pcc_cli_getopt(cli, argc, argv, &arg)) > 0)
		prometheus = true;	/* --prometheus, the only one */
	if (c < 0)
		return pcc_cli_opt_status(c);
	if (prometheus && cli->json) {
		pcc_cli_error(cli, "--prometheus and --json exclude each other");
		return PCC_EXIT_USAGE;
	}
	i = optind;
	if (argc - i > 1) {
		pcc_cli_error(cli, "unexpected argument '%s'", argv[i + 1]);
		return PCC_EXIT_USAGE;
	}
	if (i < argc) {
		mnt = pcc_cli_abspath(cli, argv[i], false);
		if (!mnt)
			return PCC_EXIT_ERROR;
	}
	req = pcc_ctl_request("stats");
	if (!req || (mnt && json_object_object_add(req, "mount",
					json_object_new_string(mnt)))) {
		pcc_cli_error(cli, "%s", strerror(ENOMEM));
		goto out;
	}
	ret = pcc_cli_call(cli, req, NULL, 0, NULL, NULL, &reply, false);
	if (ret)
		goto out;
	if (prometheus) {
		if (pcc_metrics_print(cli->out, reply)) {
			pcc_cli_error(cli, "cannot print the result");
			ret = PCC_EXIT_ERROR;
		}
		goto out;
	}
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
		out_text(o, "no pcc mounts\n");
	for (k = 0; k < n; k++) {
		out_open_object(o, NULL);
		print_mount(o, json_object_array_get_idx(mounts, k));
		out_close_object(o);
	}
	out_close_array(o);
	daemon = pcc_json_get(reply, "daemon");
	out_text(o, "pccd:\n");
	out_open_object(o, "daemon");
	for (k = 0; k < sizeof(daemon_keys) / sizeof(daemon_keys[0]); k++)
		print_counter(o, daemon_keys[k],
			      pcc_json_get(daemon, daemon_keys[k]));
	out_close_object(o);
	ret = pcc_cli_out_end(cli, o, PCC_EXIT_OK);
out:
	json_object_put(reply);
	json_object_put(req);
	free(mnt);
	return ret;
}
