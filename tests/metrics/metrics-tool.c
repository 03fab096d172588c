// SPDX-License-Identifier: GPL-2.0-only
/*
 * metrics-tool.c - real output of lib/metrics.c for tests/metrics/promtool-check.
 *
 *   metrics-tool render FILE       print FILE (a stats reply) as
 *                                  pcc_metrics_print() prints it
 *   metrics-tool serve SOCKET FILE play pccd on SOCKET: answer every
 *                                  stats request with FILE, until killed
 *                                  (for "pcc -s SOCKET stats --prometheus")
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <json-c/json.h>

#include "ctl.h"
#include "metrics.h"

static struct json_object *load(const char *file)
{
	struct json_object *o = json_object_from_file(file);

	if (!o)
		fprintf(stderr, "metrics-tool: %s: %s\n", file,
			json_util_get_last_err());
	return o;
}

/* Answer one client's requests until it hangs up. */
static void serve_client(int fd, struct json_object *reply)
{
	struct json_object *req, *err;

	while (!pcc_ctl_recv(fd, &req, -1)) {
		const char *cmd = json_object_get_string(
			json_object_object_get(req, "cmd"));

		if (cmd && !strcmp(cmd, "stats")) {
			pcc_ctl_send(fd, reply);
		} else {
			err = json_object_new_object();
			json_object_object_add(err, "error",
					       json_object_new_string("only stats here"));
			json_object_object_add(err, "errno",
					       json_object_new_int(EINVAL));
			pcc_ctl_send(fd, err);
			json_object_put(err);
		}
		json_object_put(req);
	}
}

static int serve(const char *path, struct json_object *reply)
{
	struct pollfd p;
	int lfd = pcc_ctl_listen(path), fd;

	if (lfd < 0) {
		fprintf(stderr, "metrics-tool: %s: %s\n", path, strerror(-lfd));
		return 1;
	}
	/* Ready: the caller waits for the socket to appear. */
	for (;;) {
		p = (struct pollfd){ .fd = lfd, .events = POLLIN };
		if (poll(&p, 1, -1) < 0)
			break;
		fd = accept(lfd, NULL, NULL);
		if (fd < 0)
			continue;
		serve_client(fd, reply);
		close(fd);
	}
	close(lfd);
	return 1;
}

int main(int argc, char *argv[])
{
	struct json_object *stats;
	int ret;

	if (argc == 3 && !strcmp(argv[1], "render")) {
		stats = load(argv[2]);
		if (!stats)
			return 1;
		ret = pcc_metrics_print(stdout, stats) ? 1 : 0;
		json_object_put(stats);
		return ret;
	}
	if (argc == 4 && !strcmp(argv[1], "serve")) {
		stats = load(argv[3]);
		if (!stats)
			return 1;
		ret = serve(argv[2], stats);
		json_object_put(stats);
		return ret;
	}
	fprintf(stderr, "Usage: metrics-tool render FILE | serve SOCKET FILE\n");
	return 2;
}
