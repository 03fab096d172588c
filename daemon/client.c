// SPDX-License-Identifier: GPL-2.0-only
/*
 * client.c - serve the control socket: one request, one reply, dispatched
 * through a table of commands.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <json-c/json.h>
#include <linux/pcc.h>

#include "client.h"
#include "ctl.h"
#include "kernel.h"
#include "log.h"
#include "pccd.h"

/* Adds the command's result to reply; returns 0 or a negative errno. */
typedef int (*command_fn)(struct pccd *d, struct json_object *req,
			  struct json_object *reply);

static int add_string(struct json_object *o, const char *key, const char *s)
{
	struct json_object *v = json_object_new_string(s);

	if (!v || json_object_object_add(o, key, v) < 0) {
		json_object_put(v);
		return -ENOMEM;
	}
	return 0;
}

static int add_object(struct json_object *o, const char *key,
		      struct json_object *v)
{
	if (json_object_object_add(o, key, v) < 0) {
		json_object_put(v);
		return -ENOMEM;
	}
	return 0;
}

static int cmd_version(struct pccd *d, struct json_object *req,
		       struct json_object *reply)
{
	char version[PCC_VERSION_LEN];
	struct json_object *module;
	uint32_t genl_version;
	int err;

	err = add_string(reply, "version", PACKAGE_VERSION);
	if (err)
		return err;
	err = pccd_kernel_version(d, version, sizeof(version), &genl_version);
	if (err) {
		if (add_object(reply, "module", NULL) ||
		    add_string(reply, "module_error",
			       err == -ENOENT ? "module not loaded"
					      : strerror(-err)) ||
		    add_object(reply, "module_errno", json_object_new_int(-err)))
			return -ENOMEM;
		return 0;
	}
	module = json_object_new_object();
	if (!module || add_string(module, "version", version) ||
	    add_object(module, "genl_version",
		       json_object_new_uint64(genl_version))) {
		json_object_put(module);
		return -ENOMEM;
	}
	return add_object(reply, "module", module);
}

static const struct {
	const char *name;
	command_fn fn;
} commands[] = {
	{ "version", cmd_version },
};

struct json_object *pccd_handle_request(struct pccd *d,
					struct json_object *req)
{
	struct json_object *cmd, *reply;
	const char *name;
	size_t i;
	int err;

	if (!json_object_object_get_ex(req, "cmd", &cmd) ||
	    !json_object_is_type(cmd, json_type_string))
		return pcc_ctl_error(-EINVAL, "request without a \"cmd\" string");
	name = json_object_get_string(cmd);
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(name, commands[i].name))
			break;
	if (i == sizeof(commands) / sizeof(commands[0]))
		return pcc_ctl_error(-EOPNOTSUPP, "unknown command \"%s\"", name);

	log_debug("ctl", "request \"%s\"", name);
	reply = json_object_new_object();
	if (!reply)
		return NULL;
	err = commands[i].fn(d, req, reply);
	if (err) {
		json_object_put(reply);
		return pcc_ctl_error(err, "%s: %s", name, strerror(-err));
	}
	return reply;
}

static void drop(struct pccd *d, int i)
{
	log_debug("ctl", "client %d gone", d->clients[i]);
	close(d->clients[i]);
	d->clients[i] = -1;
}

void pccd_client_accept(struct pccd *d)
{
	int fd, i;

	for (;;) {
		fd = accept4(d->listen_fd, NULL, NULL,
			     SOCK_CLOEXEC | SOCK_NONBLOCK);
		if (fd < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != EINTR && errno != ECONNABORTED)
				log_warn("ctl", "accept");
			if (errno != EINTR && errno != ECONNABORTED)
				return;
			continue;
		}
		for (i = 0; i < PCCD_MAX_CLIENTS; i++)
			if (d->clients[i] < 0)
				break;
		if (i == PCCD_MAX_CLIENTS) {
			log_warnx("ctl", "%d clients already connected: turning one away",
				  PCCD_MAX_CLIENTS);
			close(fd);
			continue;
		}
		log_debug("ctl", "client %d connected", fd);
		d->clients[i] = fd;
	}
}

void pccd_client_event(struct pccd *d, int i, short revents)
{
	struct json_object *req = NULL, *reply;
	int err;

	if (!(revents & POLLIN)) {
		drop(d, i);
		return;
	}
	err = pcc_ctl_recv(d->clients[i], &req, 0);
	if (err == -ECONNRESET || err == -ETIMEDOUT || err == -EAGAIN) {
		if (err == -ECONNRESET)
			drop(d, i);
		return;
	}
	if (err == -EBADMSG || err == -EMSGSIZE)
		reply = pcc_ctl_error(err, err == -EBADMSG
					   ? "a request must be one JSON object"
					   : "request too long");
	else if (err)
		reply = NULL;
	else
		reply = pccd_handle_request(d, req);
	json_object_put(req);

	if (!reply) {
		log_warn_errno("ctl", err ? err : -ENOMEM,
			       "cannot serve client %d", d->clients[i]);
		drop(d, i);
		return;
	}
	err = pcc_ctl_send(d->clients[i], reply);
	json_object_put(reply);
	/* A client that does not read its replies is not waited for. */
	if (err) {
		log_debug("ctl", "cannot reply to client %d (%d)", d->clients[i],
			  err);
		drop(d, i);
	}
}

void pccd_client_close_all(struct pccd *d)
{
	int i;

	for (i = 0; i < PCCD_MAX_CLIENTS; i++)
		if (d->clients[i] >= 0)
			drop(d, i);
}
