// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_ctl.c - framing of the pcc <-> pccd protocol, over socketpairs and
 * a real listening socket.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "ctl.h"

static int setup_pair(void **state)
{
	int *sv = malloc(2 * sizeof(int));

	if (!sv || socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) < 0)
		return -1;
	*state = sv;
	return 0;
}

static int teardown_pair(void **state)
{
	int *sv = *state;

	close(sv[0]);
	if (sv[1] >= 0)
		close(sv[1]);
	free(sv);
	return 0;
}

static void test_round_trip(void **state)
{
	int *sv = *state;
	struct json_object *req, *got;

	req = json_tokener_parse("{\"cmd\":\"version\",\"path\":\"/mnt/\\u00e9\","
				 "\"n\":[1,2,{\"x\":null}]}");
	assert_non_null(req);
	assert_int_equal(pcc_ctl_send(sv[0], req), 0);
	assert_int_equal(pcc_ctl_recv(sv[1], &got, 1000), 0);
	assert_true(json_object_equal(req, got));
	json_object_put(got);

	/* One connection carries any number of messages, in order. */
	assert_int_equal(pcc_ctl_send(sv[0], req), 0);
	assert_int_equal(pcc_ctl_send(sv[1], req), 0);
	assert_int_equal(pcc_ctl_recv(sv[1], &got, 1000), 0);
	json_object_put(got);
	assert_int_equal(pcc_ctl_recv(sv[0], &got, 1000), 0);
	assert_true(json_object_equal(req, got));
	json_object_put(got);
	json_object_put(req);
}

static void test_request(void **state)
{
	struct json_object *req = pcc_ctl_request("version");

	assert_non_null(req);
	assert_string_equal(json_object_to_json_string_ext(req,
			    JSON_C_TO_STRING_PLAIN), "{\"cmd\":\"version\"}");
	json_object_put(req);
}

static void send_raw(int fd, const char *s)
{
	assert_int_equal(send(fd, s, strlen(s), 0), (ssize_t)strlen(s));
}

static void expect_bad(int *sv, const char *raw, int err)
{
	struct json_object *got = (struct json_object *)&got;

	send_raw(sv[0], raw);
	assert_int_equal(pcc_ctl_recv(sv[1], &got, 1000), err);
	assert_null(got);
}

static void test_malformed(void **state)
{
	int *sv = *state;

	expect_bad(sv, "{\"cmd\":", -EBADMSG);		/* cut short */
	expect_bad(sv, "{}{}", -EBADMSG);		/* two objects */
	expect_bad(sv, "[\"version\"]", -EBADMSG);	/* not an object */
	expect_bad(sv, "\"version\"", -EBADMSG);
	expect_bad(sv, "{} trailing", -EBADMSG);
}

static void test_too_big(void **state)
{
	int *sv = *state;
	struct json_object *msg = json_object_new_object();
	struct json_object *got;
	size_t len = PCC_CTL_MSG_MAX + 1;
	char *big = malloc(len + 1);
	int sndbuf = 4 * PCC_CTL_MSG_MAX;

	assert_non_null(big);
	memset(big, 'a', len);
	big[len] = '\0';
	json_object_object_add(msg, "x", json_object_new_string(big));
	assert_int_equal(pcc_ctl_send(sv[0], msg), -EMSGSIZE);

	/* A peer not using pcc_ctl_send() is cut off at the receiver. */
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	send_raw(sv[0], big);
	assert_int_equal(pcc_ctl_recv(sv[1], &got, 1000), -EMSGSIZE);
	json_object_put(msg);
	free(big);
}

static void test_closed_and_timeout(void **state)
{
	int *sv = *state;
	struct json_object *got;

	assert_int_equal(pcc_ctl_recv(sv[1], &got, 10), -ETIMEDOUT);
	close(sv[1]);
	sv[1] = -1;
	assert_int_equal(pcc_ctl_recv(sv[0], &got, 1000), -ECONNRESET);
}

/* Descriptors sent along are closed: nothing may pile up in pccd. */
static void test_fds_dropped(void **state)
{
	int *sv = *state;
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} control = { 0 };	/* the padding is sent too (valgrind) */
	struct json_object *got;
	char empty[] = "{}";
	struct iovec iov = { .iov_base = empty, .iov_len = 2 };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = control.buf, .msg_controllen = sizeof(control.buf),
	};
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	int pipefd[2];
	char byte;

	assert_int_equal(pipe(pipefd), 0);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &pipefd[1], sizeof(int));
	assert_int_equal(sendmsg(sv[0], &mh, 0), 2);
	close(pipefd[1]);

	assert_int_equal(pcc_ctl_recv(sv[1], &got, 1000), 0);
	json_object_put(got);
	/* The write end's last copy, the receiver's, is gone: EOF. */
	assert_int_equal(read(pipefd[0], &byte, 1), 0);
	close(pipefd[0]);
}

static void test_call_skips_progress(void **state)
{
	int *sv = *state;
	struct json_object *req = pcc_ctl_request("version"), *reply, *v;

	/* The daemon's side, queued before the call. */
	send_raw(sv[1], "{\"more\":true,\"done\":1}");
	send_raw(sv[1], "{\"more\":true,\"done\":2}");
	send_raw(sv[1], "{\"more\":false,\"version\":\"0.1.0\"}");
	assert_int_equal(pcc_ctl_call(sv[0], req, &reply), 0);
	assert_true(json_object_object_get_ex(reply, "version", &v));
	assert_string_equal(json_object_get_string(v), "0.1.0");
	assert_int_equal(pcc_ctl_reply_error(reply, NULL), 0);
	json_object_put(reply);
	json_object_put(req);

	/* The request went out as sent. */
	assert_int_equal(pcc_ctl_recv(sv[1], &reply, 1000), 0);
	assert_true(json_object_object_get_ex(reply, "cmd", &v));
	assert_string_equal(json_object_get_string(v), "version");
	json_object_put(reply);
}

/* Descriptors really travel: the receiver's copies reach the same pipes. */
static void test_fds_pass(void **state)
{
	int *sv = *state;
	struct json_object *req = pcc_ctl_request("attach"), *got;
	int pipes[3][2], fds[PCC_CTL_FDS_MAX], sent[3];
	unsigned int nfds = 99, i;
	char byte;

	for (i = 0; i < 3; i++) {
		assert_int_equal(pipe(pipes[i]), 0);
		sent[i] = pipes[i][1];
	}
	assert_int_equal(pcc_ctl_send_fds(sv[0], req, sent, 3), 0);
	for (i = 0; i < 3; i++)
		close(pipes[i][1]);
	assert_int_equal(pcc_ctl_recv_fds(sv[1], &got, 1000, fds, &nfds), 0);
	assert_true(json_object_equal(req, got));
	json_object_put(got);
	assert_int_equal(nfds, 3);
	for (i = 0; i < 3; i++) {
		/* In order, and close-on-exec (MSG_CMSG_CLOEXEC). */
		assert_int_equal(fcntl(fds[i], F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
		byte = (char)('a' + i);
		assert_int_equal(write(fds[i], &byte, 1), 1);
		close(fds[i]);
		assert_int_equal(read(pipes[i][0], &byte, 1), 1);
		assert_int_equal(byte, 'a' + i);
		close(pipes[i][0]);
	}

	/* A message without any: none taken. */
	assert_int_equal(pcc_ctl_send(sv[0], req), 0);
	nfds = 99;
	assert_int_equal(pcc_ctl_recv_fds(sv[1], &got, 1000, fds, &nfds), 0);
	assert_int_equal(nfds, 0);
	json_object_put(got);

	/* More than one message carries: refused before sending. */
	assert_int_equal(pcc_ctl_send_fds(sv[0], req, fds,
					  PCC_CTL_FDS_MAX + 1), -EINVAL);
	json_object_put(req);
}

/* More descriptors than the receiver takes: all closed, -EMSGSIZE. */
static void test_fds_truncated(void **state)
{
	int *sv = *state;
	enum { N = PCC_CTL_FDS_MAX + 2 };
	union {
		char buf[CMSG_SPACE(N * sizeof(int))];
		struct cmsghdr align;
	} control;
	char empty[] = "{}";
	struct iovec iov = { .iov_base = empty, .iov_len = 2 };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = control.buf, .msg_controllen = sizeof(control.buf),
	};
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	int pipefd[2], many[N], fds[PCC_CTL_FDS_MAX], i;
	struct json_object *got = NULL;
	unsigned int nfds = 99;
	char byte;

	assert_int_equal(pipe(pipefd), 0);
	for (i = 0; i < N; i++)
		many[i] = pipefd[1];
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(many));
	memcpy(CMSG_DATA(c), many, sizeof(many));
	assert_int_equal(sendmsg(sv[0], &mh, 0), 2);
	close(pipefd[1]);

	assert_int_equal(pcc_ctl_recv_fds(sv[1], &got, 1000, fds, &nfds),
			 -EMSGSIZE);
	assert_null(got);
	assert_int_equal(nfds, 0);
	/* Every copy the receiver got is closed again: EOF. */
	assert_int_equal(read(pipefd[0], &byte, 1), 0);
	close(pipefd[0]);
}

struct seen {
	int calls;
	long long last;
};

static void count_progress(struct json_object *msg, void *arg)
{
	struct seen *seen = arg;
	struct json_object *v;

	seen->calls++;
	assert_true(json_object_object_get_ex(msg, "done", &v));
	seen->last = json_object_get_int64(v);
}

static void test_call_progress(void **state)
{
	int *sv = *state;
	struct json_object *req = pcc_ctl_request("prefetch"), *reply, *v;
	struct seen seen = { 0, 0 };
	int pipefd[2], fds[PCC_CTL_FDS_MAX];
	unsigned int nfds;

	assert_int_equal(pipe(pipefd), 0);
	send_raw(sv[1], "{\"more\":true,\"done\":1}");
	send_raw(sv[1], "{\"more\":true,\"done\":7}");
	send_raw(sv[1], "{\"files\":7}");
	assert_int_equal(pcc_ctl_call_progress(sv[0], req, &pipefd[0], 1,
					       count_progress, &seen, &reply), 0);
	assert_int_equal(seen.calls, 2);
	assert_int_equal(seen.last, 7);
	assert_true(json_object_object_get_ex(reply, "files", &v));
	assert_int_equal(json_object_get_int(v), 7);
	json_object_put(reply);

	/* The request came with its descriptor. */
	assert_int_equal(pcc_ctl_recv_fds(sv[1], &reply, 1000, fds, &nfds), 0);
	assert_int_equal(nfds, 1);
	close(fds[0]);
	json_object_put(reply);

	/* Without a callback, progress is skipped; a closed peer is said. */
	send_raw(sv[1], "{\"more\":true,\"done\":1}");
	shutdown(sv[1], SHUT_WR);
	assert_int_equal(pcc_ctl_call_progress(sv[0], req, NULL, 0, NULL, NULL,
					       &reply), -ECONNRESET);
	assert_null(reply);
	close(pipefd[0]);
	close(pipefd[1]);
	json_object_put(req);
}

static void test_errors(void **state)
{
	struct json_object *e;
	const char *msg;

	e = pcc_ctl_error(-EOPNOTSUPP, "unknown command \"%s\"", "frob");
	assert_string_equal(json_object_to_json_string_ext(e, JSON_C_TO_STRING_PLAIN),
			    "{\"error\":\"unknown command \\\"frob\\\"\",\"errno\":95}");
	assert_int_equal(pcc_ctl_reply_error(e, &msg), -EOPNOTSUPP);
	assert_string_equal(msg, "unknown command \"frob\"");
	json_object_put(e);

	e = pcc_ctl_error(-ENOENT, NULL);
	assert_int_equal(pcc_ctl_reply_error(e, &msg), -ENOENT);
	assert_string_equal(msg, strerror(ENOENT));
	json_object_put(e);

	/* An error without a usable errno is still an error. */
	e = json_tokener_parse("{\"error\":\"bad\",\"errno\":-4}");
	assert_int_equal(pcc_ctl_reply_error(e, NULL), -EPROTO);
	json_object_put(e);
}

static void test_listen_connect(void **state)
{
	char dir[] = "/tmp/pcc-test-ctl.XXXXXX", path[128], longpath[200];
	int lfd, cfd, afd, fd;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/pccd.sock", dir);

	assert_int_equal(pcc_ctl_connect(path), -ENOENT);
	memset(longpath, 'x', sizeof(longpath) - 1);
	longpath[0] = '/';
	longpath[sizeof(longpath) - 1] = '\0';
	assert_int_equal(pcc_ctl_connect(longpath), -ENAMETOOLONG);

	lfd = pcc_ctl_listen(path);
	assert_true(lfd >= 0);
	assert_int_equal(pcc_ctl_listen(path), -EADDRINUSE);
	cfd = pcc_ctl_connect(path);
	assert_true(cfd >= 0);
	afd = accept(lfd, NULL, NULL);
	assert_true(afd >= 0);
	close(afd);
	close(cfd);

	/* A dead daemon's socket: refused, then replaced. */
	close(lfd);
	assert_int_equal(pcc_ctl_connect(path), -ECONNREFUSED);
	lfd = pcc_ctl_listen(path);
	assert_true(lfd >= 0);
	close(lfd);
	unlink(path);

	/* Never replace what is not a socket. */
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(pcc_ctl_listen(path), -EEXIST);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_round_trip, setup_pair, teardown_pair),
		cmocka_unit_test(test_request),
		cmocka_unit_test_setup_teardown(test_malformed, setup_pair, teardown_pair),
		cmocka_unit_test_setup_teardown(test_too_big, setup_pair, teardown_pair),
		cmocka_unit_test_setup_teardown(test_closed_and_timeout, setup_pair, teardown_pair),
		cmocka_unit_test_setup_teardown(test_fds_dropped, setup_pair, teardown_pair),
		cmocka_unit_test_setup_teardown(test_call_skips_progress, setup_pair, teardown_pair),
		cmocka_unit_test_setup_teardown(test_fds_pass, setup_pair, teardown_pair),
		cmocka_unit_test_setup_teardown(test_fds_truncated, setup_pair, teardown_pair),
		cmocka_unit_test_setup_teardown(test_call_progress, setup_pair, teardown_pair),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_listen_connect),
	};

	return cmocka_run_group_tests_name("ctl", tests, NULL, NULL);
}
