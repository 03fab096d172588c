// SPDX-License-Identifier: GPL-2.0-only
/*
 * ctl.c - framing of the pcc <-> pccd protocol; see ctl.h.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <json-c/json.h>

#include "ctl.h"

static int make_addr(const char *path, struct sockaddr_un *sun)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun->sun_path))
		return -ENAMETOOLONG;
	strcpy(sun->sun_path, path);
	return 0;
}

int pcc_ctl_connect(const char *path)
{
	struct sockaddr_un sun;
	int fd, err;

	err = make_addr(path, &sun);
	if (err)
		return err;
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

/* A socket file at path: is a daemon behind it, or is it left over? */
static int clear_stale(const char *path)
{
	struct stat st;
	int fd;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode))
		return -EEXIST;
	fd = pcc_ctl_connect(path);
	if (fd >= 0) {
		close(fd);
		return -EADDRINUSE;
	}
	if (fd != -ECONNREFUSED)
		return fd;
	if (unlink(path) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

int pcc_ctl_listen(const char *path)
{
	struct sockaddr_un sun;
	int fd, err;

	err = make_addr(path, &sun);
	if (err)
		return err;
	err = clear_stale(path);
	if (err)
		return err;
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0)
		goto fail;
	/* Every user may ask; the commands check who is asking. */
	if (chmod(path, 0666) < 0 || listen(fd, 16) < 0) {
		err = -errno;
		unlink(path);
		close(fd);
		return err;
	}
	return fd;
fail:
	err = -errno;
	close(fd);
	return err;
}

int pcc_ctl_send_fds(int fd, struct json_object *msg, const int *fds,
		     unsigned int nfds)
{
	union {
		char buf[CMSG_SPACE(PCC_CTL_FDS_MAX * sizeof(int))];
		struct cmsghdr align;
	} control;
	struct msghdr mh = { .msg_iovlen = 1 };
	struct cmsghdr *c;
	struct iovec iov;
	const char *s;
	size_t len;
	ssize_t n;

	if (nfds > PCC_CTL_FDS_MAX)
		return -EINVAL;
	s = json_object_to_json_string_ext(msg, JSON_C_TO_STRING_PLAIN |
					   JSON_C_TO_STRING_NOSLASHESCAPE);
	if (!s)
		return -ENOMEM;
	len = strlen(s);
	if (len > PCC_CTL_MSG_MAX)
		return -EMSGSIZE;
	iov = (struct iovec){ .iov_base = (void *)s, .iov_len = len };
	mh.msg_iov = &iov;
	if (nfds) {
		memset(&control, 0, sizeof(control));
		mh.msg_control = control.buf;
		mh.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(nfds * sizeof(int));
		memcpy(CMSG_DATA(c), fds, nfds * sizeof(int));
	}
	/* MSG_NOSIGNAL: a client that went away must not kill the daemon. */
	do {
		n = sendmsg(fd, &mh, MSG_NOSIGNAL);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EMSGSIZE;
}

int pcc_ctl_send(int fd, struct json_object *msg)
{
	return pcc_ctl_send_fds(fd, msg, NULL, 0);
}

/*
 * Take the descriptors that came with a message: into fds (up to max) when
 * fds is not NULL, closed otherwise.  Returns how many were taken, or
 * -EMSGSIZE (every one closed) when there were more than max.
 */
static int take_fds(struct msghdr *mh, int *fds, unsigned int max)
{
	unsigned int got = 0, i;
	struct cmsghdr *c;
	bool over = false;

	for (c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		size_t n, j;
		int fd;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (j = 0; j < n; j++) {
			memcpy(&fd, CMSG_DATA(c) + j * sizeof(int), sizeof(fd));
			if (fds && got < max) {
				fds[got++] = fd;
				continue;
			}
			over = over || fds;
			close(fd);
		}
	}
	if (!over && !(mh->msg_flags & MSG_CTRUNC))
		return (int)got;
	/* Part of them lost: a request missing files must not run. */
	for (i = 0; i < got; i++)
		close(fds[i]);
	return -EMSGSIZE;
}

static int parse_object(const char *buf, size_t len, struct json_object **msg)
{
	struct json_tokener *tok;
	struct json_object *obj;
	int err = -EBADMSG;

	tok = json_tokener_new();
	if (!tok)
		return -ENOMEM;
	obj = json_tokener_parse_ex(tok, buf, (int)len);
	if (obj && json_tokener_get_error(tok) == json_tokener_success &&
	    json_tokener_get_parse_end(tok) == len &&
	    json_object_is_type(obj, json_type_object)) {
		*msg = obj;
		obj = NULL;
		err = 0;
	}
	json_object_put(obj);
	json_tokener_free(tok);
	return err;
}

/* pcc_ctl_recv_fds(), with fds NULL meaning "close whatever comes". */
static int recv_msg(int fd, struct json_object **msg, int timeout_ms,
		    int *fds, unsigned int *nfds)
{
	/* Room for PCC_CTL_FDS_MAX: more sets MSG_CTRUNC. */
	union {
		char buf[CMSG_SPACE(PCC_CTL_FDS_MAX * sizeof(int))];
		struct cmsghdr align;
	} control;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	struct iovec iov;
	struct msghdr mh;
	char *buf;
	ssize_t n;
	int err, got;

	*msg = NULL;
	if (nfds)
		*nfds = 0;
	do {
		err = poll(&pfd, 1, timeout_ms);
	} while (err < 0 && errno == EINTR);
	if (err < 0)
		return -errno;
	if (err == 0)
		return -ETIMEDOUT;

	buf = malloc(PCC_CTL_MSG_MAX);
	if (!buf)
		return -ENOMEM;
	iov = (struct iovec){ .iov_base = buf, .iov_len = PCC_CTL_MSG_MAX };
	mh = (struct msghdr){
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = control.buf, .msg_controllen = sizeof(control.buf),
	};
	do {
		n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		err = -errno;
		goto out;
	}
	got = take_fds(&mh, fds, PCC_CTL_FDS_MAX);
	if (got < 0 && fds) {
		err = got;
		goto out;
	}
	if (n == 0)
		err = -ECONNRESET;	/* SEQPACKET: end of stream */
	else if (mh.msg_flags & MSG_TRUNC)
		err = -EMSGSIZE;
	else
		err = parse_object(buf, (size_t)n, msg);
	if (fds && err) {
		while (got > 0)
			close(fds[--got]);
	} else if (fds) {
		*nfds = (unsigned int)got;
	}
out:
	free(buf);
	return err;
}

int pcc_ctl_recv(int fd, struct json_object **msg, int timeout_ms)
{
	return recv_msg(fd, msg, timeout_ms, NULL, NULL);
}

int pcc_ctl_recv_fds(int fd, struct json_object **msg, int timeout_ms,
		     int *fds, unsigned int *nfds)
{
	return recv_msg(fd, msg, timeout_ms, fds, nfds);
}

static bool is_progress(struct json_object *reply)
{
	struct json_object *more;

	return json_object_object_get_ex(reply, "more", &more) &&
	       json_object_get_boolean(more);
}

int pcc_ctl_call_progress(int fd, struct json_object *req, const int *fds,
			  unsigned int nfds,
			  void (*progress)(struct json_object *msg, void *arg),
			  void *arg, struct json_object **reply)
{
	int err;

	*reply = NULL;
	err = pcc_ctl_send_fds(fd, req, fds, nfds);
	if (err)
		return err;
	for (;;) {
		err = pcc_ctl_recv(fd, reply, PCC_CTL_TIMEOUT_MS);
		if (err || !is_progress(*reply))
			return err;
		if (progress)
			progress(*reply, arg);
		json_object_put(*reply);
		*reply = NULL;
	}
}

int pcc_ctl_call(int fd, struct json_object *req, struct json_object **reply)
{
	return pcc_ctl_call_progress(fd, req, NULL, 0, NULL, NULL, reply);
}

struct json_object *pcc_ctl_request(const char *cmd)
{
	struct json_object *req = json_object_new_object();
	struct json_object *name;

	if (!req)
		goto nomem;
	name = json_object_new_string(cmd);
	if (!name || json_object_object_add(req, "cmd", name) < 0) {
		json_object_put(name);
		json_object_put(req);
		goto nomem;
	}
	return req;
nomem:
	errno = ENOMEM;
	return NULL;
}

struct json_object *pcc_ctl_error(int err, const char *fmt, ...)
{
	struct json_object *reply, *msg, *num;
	char text[512];
	va_list ap;

	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(text, sizeof(text), fmt, ap);
		va_end(ap);
	} else {
		snprintf(text, sizeof(text), "%s", strerror(-err));
	}
	reply = json_object_new_object();
	msg = json_object_new_string(text);
	num = json_object_new_int(-err);
	if (!reply || !msg || !num ||
	    json_object_object_add(reply, "error", msg) < 0) {
		json_object_put(msg);
		goto fail;
	}
	if (json_object_object_add(reply, "errno", num) < 0)
		goto fail;
	return reply;
fail:
	json_object_put(num);
	json_object_put(reply);
	errno = ENOMEM;
	return NULL;
}

int pcc_ctl_reply_error(struct json_object *reply, const char **msg)
{
	struct json_object *e, *num;
	int n = 0;

	if (!json_object_object_get_ex(reply, "error", &e))
		return 0;
	if (msg)
		*msg = json_object_get_string(e);
	if (json_object_object_get_ex(reply, "errno", &num))
		n = json_object_get_int(num);
	return n > 0 ? -n : -EPROTO;
}
