// SPDX-License-Identifier: GPL-2.0-only
/*
 * client.c - serve the control socket: read a request and the descriptors
 * that came with it, check who sent it, dispatch it through a table of
 * commands, and send the reply now or, for the long commands (attach,
 * prefetch), when their work is done.  A client with a pending command is
 * not read from until it has its reply: one request at a time.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
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

int pccd_json_add(struct json_object *o, const char *key,
		  struct json_object *v)
{
	if (!v || json_object_object_add(o, key, v) < 0) {
		json_object_put(v);
		return -ENOMEM;
	}
	return 0;
}

int pccd_json_null(struct json_object *o, const char *key)
{
	/* json-c's null is the NULL object. */
	return json_object_object_add(o, key, NULL) < 0 ? -ENOMEM : 0;
}

int pccd_json_str(struct json_object *o, const char *key, const char *s)
{
	if (!s)
		return pccd_json_null(o, key);
	return pccd_json_add(o, key, json_object_new_string(s));
}

int pccd_json_u64(struct json_object *o, const char *key,
		  unsigned long long v)
{
	return pccd_json_add(o, key, json_object_new_uint64(v));
}

int pccd_fail(struct pccd_client *c, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->errmsg, sizeof(c->errmsg), fmt, ap);
	va_end(ap);
	return err;
}

int pccd_need_root(struct pccd_request *r)
{
	if (r->c->uid == 0)
		return 0;
	return pccd_fail(r->c, -EPERM, "%s needs root",
			 json_object_get_string(json_object_object_get(r->req,
								       "cmd")));
}

int pccd_req_str(struct pccd_request *r, const char *key, bool required,
		 const char **out)
{
	struct json_object *v;

	*out = NULL;
	if (!json_object_object_get_ex(r->req, key, &v) ||
	    json_object_is_type(v, json_type_null)) {
		if (required)
			return pccd_fail(r->c, -EINVAL, "\"%s\" is missing", key);
		return 0;
	}
	if (!json_object_is_type(v, json_type_string))
		return pccd_fail(r->c, -EINVAL, "\"%s\" must be a string", key);
	*out = json_object_get_string(v);
	return 0;
}

int pccd_req_bool(struct pccd_request *r, const char *key, bool *out)
{
	struct json_object *v;

	*out = false;
	if (!json_object_object_get_ex(r->req, key, &v))
		return 0;
	if (!json_object_is_type(v, json_type_boolean))
		return pccd_fail(r->c, -EINVAL, "\"%s\" must be true or false",
				 key);
	*out = json_object_get_boolean(v);
	return 0;
}

int pccd_req_u32(struct pccd_request *r, const char *key, unsigned int *out)
{
	struct json_object *v;
	int64_t n;

	*out = 0;
	if (!json_object_object_get_ex(r->req, key, &v))
		return 0;
	errno = 0;
	n = json_object_get_int64(v);
	if (!json_object_is_type(v, json_type_int) || errno || n < 0 ||
	    n > UINT32_MAX)
		return pccd_fail(r->c, -EINVAL,
				 "\"%s\" must be a number from 0 to %u", key,
				 UINT32_MAX);
	*out = (unsigned int)n;
	return 0;
}

static int cmd_version(struct pccd_request *r)
{
	char version[PCC_VERSION_LEN];
	struct json_object *module;
	uint32_t genl_version;
	int err;

	err = pccd_json_str(r->reply, "version", PACKAGE_VERSION);
	if (err)
		return err;
	err = pccd_kernel_version(r->d, version, sizeof(version),
				  &genl_version);
	if (err) {
		if (pccd_json_null(r->reply, "module") ||
		    pccd_json_str(r->reply, "module_error",
				  err == -ENOENT ? "module not loaded"
						 : strerror(-err)) ||
		    pccd_json_add(r->reply, "module_errno",
				  json_object_new_int(-err)))
			return -ENOMEM;
		return 0;
	}
	module = json_object_new_object();
	if (!module || pccd_json_str(module, "version", version) ||
	    pccd_json_u64(module, "genl_version", genl_version)) {
		json_object_put(module);
		return -ENOMEM;
	}
	return pccd_json_add(r->reply, "module", module);
}

/* fds: how many descriptors the command takes ("files" says which). */
static const struct {
	const char *name;
	pccd_command_fn fn;
	bool fds;
} commands[] = {
	{ "version",	cmd_version },
	{ "add",	pccd_cmd_add },
	{ "set",	pccd_cmd_set },
	{ "del",	pccd_cmd_del },
	{ "clear",	pccd_cmd_clear },
	{ "list",	pccd_cmd_list },
	{ "stats",	pccd_cmd_stats },
	{ "attach",	pccd_cmd_attach,	true },
	{ "detach",	pccd_cmd_detach,	true },
	{ "pin",	pccd_cmd_pin,		true },
	{ "unpin",	pccd_cmd_unpin,		true },
	{ "reason",	pccd_cmd_reason,	true },
	{ "prefetch",	pccd_cmd_prefetch },
};

static void close_fds(int *fds, unsigned int nfds)
{
	unsigned int i;

	for (i = 0; i < nfds; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

/* The number of descriptors must be that of the names in "files". */
static int check_files(struct pccd_request *r)
{
	struct json_object *files;
	size_t i, n;

	if (!json_object_object_get_ex(r->req, "files", &files) ||
	    !json_object_is_type(files, json_type_array))
		return pccd_fail(r->c, -EINVAL, "\"files\" must be an array");
	n = json_object_array_length(files);
	if (n == 0)
		return pccd_fail(r->c, -EINVAL, "no file named");
	if (n != r->nfds)
		return pccd_fail(r->c, -EINVAL,
				 "%zu files named but %u descriptors sent",
				 n, r->nfds);
	for (i = 0; i < n; i++)
		if (!json_object_is_type(json_object_array_get_idx(files, i),
					 json_type_string))
			return pccd_fail(r->c, -EINVAL,
					 "\"files\" must hold strings");
	return 0;
}

struct json_object *pccd_handle_request(struct pccd *d, struct pccd_client *c,
					struct json_object *req, int *fds,
					unsigned int nfds)
{
	struct pccd_request r = { .d = d, .c = c, .req = req, .fds = fds,
				  .nfds = nfds };
	struct json_object *cmd, *reply = NULL;
	const char *name;
	size_t i;
	int err;

	c->errmsg[0] = '\0';
	if (!json_object_object_get_ex(req, "cmd", &cmd) ||
	    !json_object_is_type(cmd, json_type_string)) {
		reply = pcc_ctl_error(-EINVAL, "request without a \"cmd\" string");
		goto out;
	}
	name = json_object_get_string(cmd);
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(name, commands[i].name))
			break;
	if (i == sizeof(commands) / sizeof(commands[0])) {
		reply = pcc_ctl_error(-EOPNOTSUPP, "unknown command \"%s\"",
				      name);
		goto out;
	}
	log_debug("ctl", "uid %u: \"%s\", %u descriptors", (unsigned int)c->uid,
		  name, nfds);
	if (!commands[i].fds && nfds) {
		reply = pcc_ctl_error(-EINVAL, "%s takes no descriptors", name);
		goto out;
	}
	r.reply = json_object_new_object();
	if (!r.reply)
		goto out;
	err = commands[i].fds ? check_files(&r) : 0;
	if (!err)
		err = commands[i].fn(&r);
	if (err == PCCD_PENDING) {
		c->busy = true;
		c->cmd = commands[i].name;
		c->pending = r.reply;
		goto out;
	}
	if (err) {
		json_object_put(r.reply);
		if (c->errmsg[0])
			reply = pcc_ctl_error(err, "%s", c->errmsg);
		else
			reply = pcc_ctl_error(err, "%s: %s", name,
					      strerror(-err));
		goto out;
	}
	reply = r.reply;
out:
	close_fds(fds, nfds);
	return reply;
}

static void drop(struct pccd *d, int i)
{
	struct pccd_client *c = &d->clients[i];

	log_debug("ctl", "client %d gone", c->fd);
	if (c->busy && c->cancel)
		c->cancel(d, c);
	json_object_put(c->pending);
	close(c->fd);
	*c = (struct pccd_client){ .fd = -1 };
}

static void send_reply(struct pccd *d, int i, struct json_object *reply)
{
	int err;

	err = pcc_ctl_send(d->clients[i].fd, reply);
	/* A client that does not read its replies is not waited for. */
	if (err) {
		log_debug("ctl", "cannot reply to client %d (%d)",
			  d->clients[i].fd, err);
		drop(d, i);
	}
}

void pccd_client_finish(struct pccd *d, struct pccd_client *c, int err)
{
	struct json_object *reply = c->pending;
	int i = c - d->clients;

	c->pending = NULL;
	c->busy = false;
	c->work = NULL;
	c->tick = NULL;
	c->cancel = NULL;
	if (err) {
		json_object_put(reply);
		reply = c->errmsg[0] ? pcc_ctl_error(err, "%s", c->errmsg)
				     : pcc_ctl_error(err, "%s: %s", c->cmd,
						     strerror(-err));
	}
	if (!reply) {
		drop(d, i);
		return;
	}
	send_reply(d, i, reply);
	json_object_put(reply);
}

void pccd_client_progress(struct pccd *d, struct pccd_client *c,
			  struct json_object *msg)
{
	if (json_object_object_add(msg, "more",
				   json_object_new_boolean(1)) < 0)
		return;
	/* A progress message that does not fit now is skipped. */
	if (pcc_ctl_send(c->fd, msg) == -EPIPE)
		log_debug("ctl", "client %d hung up during %s", c->fd, c->cmd);
	(void)d;
}

void pccd_client_accept(struct pccd *d)
{
	struct ucred cred;
	socklen_t len;
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
		len = sizeof(cred);
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) {
			log_warn("ctl", "SO_PEERCRED");
			close(fd);
			continue;
		}
		for (i = 0; i < PCCD_MAX_CLIENTS; i++)
			if (d->clients[i].fd < 0)
				break;
		if (i == PCCD_MAX_CLIENTS) {
			log_warnx("ctl", "%d clients already connected: turning one away",
				  PCCD_MAX_CLIENTS);
			close(fd);
			continue;
		}
		log_debug("ctl", "client %d connected: uid %u pid %d", fd,
			  (unsigned int)cred.uid, (int)cred.pid);
		d->clients[i] = (struct pccd_client){
			.fd = fd, .serial = ++d->next_serial,
			.uid = cred.uid, .pid = cred.pid,
		};
	}
}

void pccd_client_event(struct pccd *d, int i, short revents)
{
	struct pccd_client *c = &d->clients[i];
	struct json_object *req = NULL, *reply;
	int fds[PCC_CTL_FDS_MAX];
	unsigned int nfds = 0;
	int err;

	if (!(revents & POLLIN) || c->busy) {
		if (revents & (POLLHUP | POLLERR | POLLNVAL))
			drop(d, i);
		return;
	}
	err = pcc_ctl_recv_fds(c->fd, &req, 0, fds, &nfds);
	if (err == -ECONNRESET || err == -ETIMEDOUT || err == -EAGAIN) {
		if (err == -ECONNRESET)
			drop(d, i);
		return;
	}
	if (err == -EBADMSG || err == -EMSGSIZE) {
		reply = pcc_ctl_error(err, err == -EBADMSG
					   ? "a request must be one JSON object"
					   : "request too long, or too many descriptors");
		close_fds(fds, nfds);
	} else if (err) {
		reply = NULL;
		close_fds(fds, nfds);
	} else {
		reply = pccd_handle_request(d, c, req, fds, nfds);
	}
	json_object_put(req);

	if (!reply) {
		if (c->busy)
			return;
		log_warn_errno("ctl", err ? err : -ENOMEM,
			       "cannot serve client %d", c->fd);
		drop(d, i);
		return;
	}
	send_reply(d, i, reply);
	json_object_put(reply);
}

struct pccd_client *pccd_client_get(struct pccd *d, int slot,
				    unsigned long long serial)
{
	if (slot < 0 || slot >= PCCD_MAX_CLIENTS ||
	    d->clients[slot].fd < 0 || d->clients[slot].serial != serial)
		return NULL;
	return &d->clients[slot];
}

bool pccd_client_ticking(struct pccd *d)
{
	int i;

	for (i = 0; i < PCCD_MAX_CLIENTS; i++)
		if (d->clients[i].fd >= 0 && d->clients[i].busy &&
		    d->clients[i].tick)
			return true;
	return false;
}

void pccd_client_tick(struct pccd *d)
{
	int i;

	for (i = 0; i < PCCD_MAX_CLIENTS; i++)
		if (d->clients[i].fd >= 0 && d->clients[i].busy &&
		    d->clients[i].tick)
			d->clients[i].tick(d, &d->clients[i]);
}

void pccd_client_close_all(struct pccd *d)
{
	int i;

	for (i = 0; i < PCCD_MAX_CLIENTS; i++)
		if (d->clients[i].fd >= 0)
			drop(d, i);
}
