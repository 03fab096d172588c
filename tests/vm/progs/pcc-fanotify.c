// SPDX-License-Identifier: GPL-2.0-only
/*
 * pcc-fanotify - a read of a file through pcc goes through the lower's own
 * permission hooks (security_file_permission(), which calls fanotify):
 *   pcc-fanotify WATCH FILE	deny every FAN_ACCESS_PERM event on WATCH,
 *				then read FILE by read(2), splice(2) and
 *				sendfile(2): prints "read: ", "splice: " and
 *				"sendfile: " each with OK or the error.
 * With FILE = WATCH it shows the lower's answers, to compare with FILE in
 * a pcc mount of WATCH's directory.  Exits 77 if the kernel has no
 * permission events.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/fanotify.h>
#include <sys/sendfile.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

static void result(const char *what, ssize_t ret)
{
	printf("%s: %s\n", what, ret < 0 ? strerrorname_np(errno) : "OK");
}

static int reader(const char *path)
{
	int fd, p[2], null;
	char buf[16];
	loff_t off = 0;

	SYS(pipe(p));
	null = SYS(open("/dev/null", O_WRONLY));
	fd = SYS(open(path, O_RDONLY));
	result("read", pread(fd, buf, sizeof(buf), 0));
	result("splice", splice(fd, &off, p[1], NULL, sizeof(buf), 0));
	off = 0;
	result("sendfile", sendfile(null, fd, &off, sizeof(buf)));
	fflush(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	struct fanotify_event_metadata ev[16];
	struct fanotify_response resp;
	struct pollfd pfd;
	int fan, status;
	ssize_t len, i;
	pid_t pid;

	prog = "pcc-fanotify";
	if (argc != 3) {
		fprintf(stderr, "usage: pcc-fanotify WATCH FILE\n");
		return 2;
	}
	/* 77: no permission events in this kernel. */
	fan = fanotify_init(FAN_CLASS_CONTENT | FAN_CLOEXEC, O_RDONLY);
	if (fan < 0 && (errno == ENOSYS || errno == EINVAL))
		return 77;
	if (fan < 0)
		die("fanotify_init");
	if (fanotify_mark(fan, FAN_MARK_ADD, FAN_ACCESS_PERM, AT_FDCWD,
			  argv[1])) {
		if (errno == EINVAL)
			return 77;
		die("fanotify_mark %s", argv[1]);
	}
	fflush(stdout);
	pid = SYS(fork());
	if (!pid)
		exit(reader(argv[2]));
	pfd.fd = fan;
	pfd.events = POLLIN;
	while (waitpid(pid, &status, WNOHANG) == 0) {
		if (SYS(poll(&pfd, 1, 100)) <= 0)
			continue;
		len = SYS(read(fan, ev, sizeof(ev)));
		for (i = 0; FAN_EVENT_OK((struct fanotify_event_metadata *)
					 ((char *)ev + i), len - i);
		     i += ((struct fanotify_event_metadata *)
			   ((char *)ev + i))->event_len) {
			struct fanotify_event_metadata *m =
				(void *)((char *)ev + i);

			resp.fd = m->fd;
			resp.response = FAN_DENY;
			SYS(write(fan, &resp, sizeof(resp)));
			close(m->fd);
		}
	}
	CHECK(WIFEXITED(status) && !WEXITSTATUS(status));
	return 0;
}
