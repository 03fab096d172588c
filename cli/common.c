// SPDX-License-Identifier: GPL-2.0-only
/*
 * common.c - what the commands share: talking to pccd, paths, messages,
 * reading replies.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cli.h"
#include "ctl.h"
#include "output.h"

void pcc_cli_error(struct pcc_cli *cli, const char *fmt, ...)
{
	va_list ap;

	fprintf(cli->err, "pcc %s: ", cli->cmd ? cli->cmd->name : "");
	va_start(ap, fmt);
	vfprintf(cli->err, fmt, ap);
	va_end(ap);
	fputc('\n', cli->err);
}

char *pcc_cli_abspath(struct pcc_cli *cli, const char *path, bool must_exist)
{
	char *abs, *cwd;
	size_t len;

	if (!*path) {
		pcc_cli_error(cli, "an empty path");
		return NULL;
	}
	abs = realpath(path, NULL);
	if (abs)
		return abs;
	if (must_exist || errno != ENOENT) {
		pcc_cli_error(cli, "%s: %s", path, strerror(errno));
		return NULL;
	}
	/* Gone or not there yet (an unmounted mount point): as written. */
	if (path[0] == '/')
		return strdup(path);
	cwd = getcwd(NULL, 0);
	if (!cwd) {
		pcc_cli_error(cli, "cannot make %s absolute: %s", path,
			      strerror(errno));
		return NULL;
	}
	len = strlen(cwd) + strlen(path) + 2;
	abs = malloc(len);
	if (abs)
		snprintf(abs, len, "%s/%s", strcmp(cwd, "/") ? cwd : "", path);
	free(cwd);
	return abs;
}

static int connect_daemon(struct pcc_cli *cli, bool quiet)
{
	int fd;

	if (cli->ctl >= 0)
		return PCC_EXIT_OK;
	fd = pcc_ctl_connect(cli->socket_path);
	if (fd >= 0) {
		cli->ctl = fd;
		return PCC_EXIT_OK;
	}
	if (fd == -ENOENT || fd == -ECONNREFUSED) {
		if (!quiet)
			pcc_cli_error(cli, "pccd is not running (%s at %s)",
				      fd == -ENOENT ? "no socket"
						    : "nobody listening",
				      cli->socket_path);
		return PCC_EXIT_NODAEMON;
	}
	if (!quiet)
		pcc_cli_error(cli, "cannot connect to pccd at %s: %s",
			      cli->socket_path, strerror(-fd));
	return PCC_EXIT_ERROR;
}

int pcc_cli_call(struct pcc_cli *cli, struct json_object *req,
		 const int *fds, unsigned int nfds,
		 void (*progress)(struct json_object *msg, void *arg),
		 void *arg, struct json_object **reply, bool quiet)
{
	const char *msg = NULL;
	int ret, err;

	*reply = NULL;
	ret = connect_daemon(cli, quiet);
	if (ret)
		return ret;
	err = pcc_ctl_call_progress(cli->ctl, req, fds, nfds, progress, arg,
				    reply);
	if (err) {
		if (!quiet)
			pcc_cli_error(cli, "no answer from pccd: %s",
				      err == -ECONNRESET ?
				      "it closed the connection" :
				      strerror(-err));
		/* The connection is in an unknown state: do not reuse it. */
		close(cli->ctl);
		cli->ctl = -1;
		return PCC_EXIT_ERROR;
	}
	err = pcc_ctl_reply_error(*reply, &msg);
	if (err) {
		if (!quiet)
			pcc_cli_error(cli, "%s", msg ? msg : strerror(-err));
		json_object_put(*reply);
		*reply = NULL;
		return PCC_EXIT_ERROR;
	}
	return PCC_EXIT_OK;
}

struct out *pcc_cli_out(struct pcc_cli *cli, unsigned int flags)
{
	struct out *o = out_new(cli->out, flags |
				(cli->json ? OUT_F_JSON : 0) |
				(cli->pretty ? OUT_F_PRETTY : 0));

	if (!o)
		pcc_cli_error(cli, "%s", strerror(ENOMEM));
	return o;
}

int pcc_cli_out_end(struct pcc_cli *cli, struct out *o, int status)
{
	if (out_end(o) < 0) {
		pcc_cli_error(cli, "cannot print the result");
		return PCC_EXIT_ERROR;
	}
	return status;
}

struct json_object *pcc_json_get(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!o || !json_object_object_get_ex(o, key, &v))
		return NULL;
	return v;
}

uint64_t pcc_json_u64(struct json_object *o, const char *key)
{
	struct json_object *v = pcc_json_get(o, key);

	if (!v || !json_object_is_type(v, json_type_int))
		return 0;
	return json_object_get_uint64(v);
}

const char *pcc_json_str(struct json_object *o, const char *key)
{
	struct json_object *v = pcc_json_get(o, key);

	if (!v || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

bool pcc_json_bool(struct json_object *o, const char *key)
{
	struct json_object *v = pcc_json_get(o, key);

	return v && json_object_is_type(v, json_type_boolean) &&
	       json_object_get_boolean(v);
}

void pcc_human_bytes(uint64_t n, char *buf, size_t len)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB",
					     "PiB", "EiB" };
	double v = (double)n;
	int u = -1;

	if (n < 1024) {
		snprintf(buf, len, "%llu B", (unsigned long long)n);
		return;
	}
	while (v >= 1024 && u < 5) {
		v /= 1024;
		u++;
	}
	snprintf(buf, len, "%.1f %s", v, units[u]);
}

bool pcc_parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *v)
{
	unsigned long long n;
	char *end;

	/* Decimal only: strtoull takes signs and blanks we do not. */
	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	n = strtoull(s, &end, 10);
	if (errno || *end || n < min || n > max)
		return false;
	*v = (uint32_t)n;
	return true;
}
