// SPDX-License-Identifier: GPL-2.0-only
/*
 * version.c - pcc version: what runs, from the CLI down to the module.
 *
 * The daemon is asked first, and answers for the module too.  When it is
 * not running, pcc asks the module itself over netlink.  Neither one being
 * there is an answer, not an error (exit 0); failing to get an answer from
 * one that is there is (exit 2).
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>
#include <linux/pcc.h>

#include "cli.h"
#include "ctl.h"
#include "nl.h"
#include "output.h"

struct versions {
	char daemon[PCC_VERSION_LEN];
	char daemon_why[256];		/* why there is no daemon version */
	char module[PCC_VERSION_LEN];
	char module_why[256];
	uint32_t genl_version;
	bool failed;			/* something there did not answer */
};

static const char *get_str(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* The daemon's reply: its version, the module's or why it has none. */
static void parse_reply(struct versions *v, struct json_object *reply)
{
	struct json_object *module = NULL, *gv = NULL, *num = NULL;
	const char *s, *why;

	s = get_str(reply, "version");
	if (!s) {
		snprintf(v->daemon_why, sizeof(v->daemon_why),
			 "error: a reply without a version");
		v->failed = true;
		return;
	}
	snprintf(v->daemon, sizeof(v->daemon), "%s", s);

	json_object_object_get_ex(reply, "module", &module);
	s = module ? get_str(module, "version") : NULL;
	if (s && json_object_object_get_ex(module, "genl_version", &gv)) {
		snprintf(v->module, sizeof(v->module), "%s", s);
		v->genl_version = (uint32_t)json_object_get_int64(gv);
		return;
	}
	json_object_object_get_ex(reply, "module_errno", &num);
	if (json_object_get_int(num) == ENOENT) {
		snprintf(v->module_why, sizeof(v->module_why), "not loaded");
		return;
	}
	/* pccd could not ask a module that is there: that is a failure. */
	why = get_str(reply, "module_error");
	snprintf(v->module_why, sizeof(v->module_why), "error: %s",
		 why ? why : "pccd gave no module version");
	v->failed = true;
}

static void ask_daemon(struct versions *v, const char *path, int *errp)
{
	struct json_object *req, *reply = NULL;
	const char *msg;
	int fd, err;

	fd = pcc_ctl_connect(path);
	*errp = fd < 0 ? fd : 0;
	if (fd == -ENOENT || fd == -ECONNREFUSED) {
		snprintf(v->daemon_why, sizeof(v->daemon_why),
			 "not running (%s at %s)",
			 fd == -ENOENT ? "no socket" : "nobody listening", path);
		return;
	}
	if (fd < 0) {
		snprintf(v->daemon_why, sizeof(v->daemon_why),
			 "error: cannot connect to %s: %s", path, strerror(-fd));
		v->failed = true;
		return;
	}
	req = pcc_ctl_request("version");
	err = req ? pcc_ctl_call(fd, req, &reply) : -ENOMEM;
	if (!err && (err = pcc_ctl_reply_error(reply, &msg)))
		snprintf(v->daemon_why, sizeof(v->daemon_why), "error: %s", msg);
	else if (err)
		snprintf(v->daemon_why, sizeof(v->daemon_why), "error: %s",
			 strerror(-err));
	else
		parse_reply(v, reply);
	if (err)
		v->failed = true;
	json_object_put(reply);
	json_object_put(req);
	close(fd);
}

static void ask_module(struct versions *v)
{
	struct pcc_nl *nl;
	int err;

	err = pcc_nl_open(&nl);
	if (!err) {
		err = pcc_nl_get_version(nl, v->module, sizeof(v->module),
					 &v->genl_version);
		pcc_nl_close(nl);
	}
	if (err == -ENOENT) {
		snprintf(v->module_why, sizeof(v->module_why), "not loaded");
	} else if (err) {
		v->module[0] = '\0';
		snprintf(v->module_why, sizeof(v->module_why), "error: %s",
			 strerror(-err));
		v->failed = true;
	}
}

static void print(struct out *o, const struct versions *v)
{
	out_str(o, OUT_ANY, "cli", "pcc: %s\n", PACKAGE_VERSION);
	if (v->daemon[0]) {
		out_str(o, OUT_ANY, "daemon", "pccd: %s\n", v->daemon);
		out_null(o, OUT_JSON, "daemon_error", NULL, NULL);
	} else {
		out_null(o, OUT_ANY, "daemon", "pccd: %s\n", v->daemon_why);
		out_str(o, OUT_JSON, "daemon_error", NULL, v->daemon_why);
	}
	if (v->module[0]) {
		out_str(o, OUT_ANY, "module", "module: %s", v->module);
		out_uint(o, OUT_ANY, "genl_version",
			 " (netlink protocol %" PRIu64 ")\n", v->genl_version);
		out_null(o, OUT_JSON, "module_error", NULL, NULL);
	} else {
		out_null(o, OUT_ANY, "module", "module: %s\n", v->module_why);
		out_null(o, OUT_JSON, "genl_version", NULL, NULL);
		out_str(o, OUT_JSON, "module_error", NULL, v->module_why);
	}
}

int pcc_version_main(struct pcc_cli *cli, int argc, char *argv[])
{
	struct versions v = { .failed = false };
	struct out *o;
	int i, err;

	i = pcc_cli_options(cli, argc, argv);
	if (i <= 0)
		return i ? PCC_EXIT_USAGE : PCC_EXIT_OK;
	if (i < argc) {
		fprintf(cli->err, "pcc version: unexpected argument '%s'\n",
			argv[i]);
		return PCC_EXIT_USAGE;
	}

	ask_daemon(&v, cli->socket_path, &err);
	if (err == -ENOENT || err == -ECONNREFUSED)
		ask_module(&v);

	o = out_new(cli->out, (cli->json ? OUT_F_JSON : 0) |
			      (cli->pretty ? OUT_F_PRETTY : 0));
	if (!o) {
		fprintf(cli->err, "pcc: %s\n", strerror(errno));
		return PCC_EXIT_ERROR;
	}
	print(o, &v);
	if (out_end(o) < 0) {
		fprintf(cli->err, "pcc: cannot print the versions\n");
		return PCC_EXIT_ERROR;
	}
	return v.failed ? PCC_EXIT_ERROR : PCC_EXIT_OK;
}
