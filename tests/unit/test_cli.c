// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_cli.c - pcc's argument handling and the version command, with the
 * module faked (fake_nl.c) and pccd absent or played by a bare socket.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pty.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <json-c/json.h>
#include <linux/pcc.h>

#include "cli.h"
#include "ctl.h"
#include "fake_nl.h"
#include "output.h"

static char tmpdir[] = "/tmp/pcc-test-cli.XXXXXX";
static char nosock[128];	/* a socket path where nothing is */

struct run {
	int status;
	char *out;
	char *err;
};

/* Run pcc with argv (argv[0] "pcc", NULL-terminated). */
static struct run *pcc_argv(struct run *r, int argc, char *argv[])
{
	size_t olen, elen;
	FILE *out, *err;

	free(r->out);
	free(r->err);
	out = open_memstream(&r->out, &olen);
	err = open_memstream(&r->err, &elen);
	assert_non_null(out);
	assert_non_null(err);
	r->status = pcc_cli_main(argc, argv, out, err);
	fclose(out);
	fclose(err);
	return r;
}

/* Run pcc with the NULL-terminated arguments after "pcc". */
static struct run *pcc(struct run *r, ...)
{
	char *argv[32] = { (char *)"pcc" };
	va_list ap;
	int argc = 1;

	va_start(ap, r);
	while ((argv[argc] = va_arg(ap, char *)))
		argc++;
	va_end(ap);
	return pcc_argv(r, argc, argv);
}

static int setup(void **state)
{
	*state = calloc(1, sizeof(struct run));
	fake_nl_unloaded();
	unsetenv("PCC_SOCKET");
	return *state ? 0 : -1;
}

static int teardown(void **state)
{
	struct run *r = *state;

	free(r->out);
	free(r->err);
	free(r);
	return 0;
}

static void test_no_command(void **state)
{
	struct run *r = pcc(*state, NULL);

	assert_int_equal(r->status, PCC_EXIT_USAGE);
	assert_string_equal(r->out, "");
	assert_true(!strncmp(r->err, "Usage: pcc [OPTIONS] COMMAND", 28));
}

static void test_help(void **state)
{
	struct run *r = pcc(*state, "help", NULL);
	char *help = strdup(r->out);

	assert_int_equal(r->status, PCC_EXIT_OK);
	assert_string_equal(r->err, "");
	/* The help is the command table. */
	assert_non_null(strstr(help, "\n  help       show this help, or a command's\n"));
	assert_non_null(strstr(help, "\n  version    show the versions of pcc, pccd and the kernel module\n"));
	assert_non_null(strstr(help, "--json"));

	r = pcc(*state, "-h", NULL);
	assert_int_equal(r->status, PCC_EXIT_OK);
	assert_string_equal(r->out, help);
	r = pcc(*state, "--help", "version", NULL);
	assert_string_equal(r->out, help);
	free(help);

	r = pcc(*state, "help", "version", NULL);
	assert_int_equal(r->status, PCC_EXIT_OK);
	assert_string_equal(r->out, "Usage: pcc [OPTIONS] version\n"
			    "show the versions of pcc, pccd and the kernel module.\n");
	r = pcc(*state, "version", "--help", NULL);
	assert_int_equal(r->status, PCC_EXIT_OK);
	assert_string_equal(r->out, "Usage: pcc [OPTIONS] version\n"
			    "show the versions of pcc, pccd and the kernel module.\n");

	r = pcc(*state, "help", "frob", NULL);
	assert_int_equal(r->status, PCC_EXIT_USAGE);
	assert_string_equal(r->err, "pcc: unknown command 'frob'\n"
			    "Usage: pcc [OPTIONS] help [COMMAND]\n");
}

static void test_unknown_command(void **state)
{
	struct run *r = pcc(*state, "frob", NULL);

	assert_int_equal(r->status, PCC_EXIT_USAGE);
	assert_string_equal(r->out, "");
	assert_string_equal(r->err, "pcc: unknown command 'frob'\nTry 'pcc help'.\n");

	/* Exact names: no prefixes, no case folding. */
	r = pcc(*state, "vers", NULL);
	assert_int_equal(r->status, PCC_EXIT_USAGE);
	assert_string_equal(r->err, "pcc: unknown command 'vers'\nTry 'pcc help'.\n");
	r = pcc(*state, "Version", NULL);
	assert_int_equal(r->status, PCC_EXIT_USAGE);
}

static void test_bad_options(void **state)
{
	struct run *r = pcc(*state, "--frob", "version", NULL);

	assert_int_equal(r->status, PCC_EXIT_USAGE);
	assert_string_equal(r->err, "pcc: unknown option '--frob'\nTry 'pcc help'.\n");
	r = pcc(*state, "-x", "version", NULL);
	assert_string_equal(r->err, "pcc: unknown option '-x'\nTry 'pcc help'.\n");
	r = pcc(*state, "-jx", "version", NULL);
	assert_string_equal(r->err, "pcc: unknown option '-x'\nTry 'pcc help'.\n");
	r = pcc(*state, "--json=yes", "version", NULL);
	assert_int_equal(r->status, PCC_EXIT_USAGE);
	assert_string_equal(r->err, "pcc: option '--json' takes no argument\nTry 'pcc help'.\n");

	r = pcc(*state, "-s", NULL);
	assert_int_equal(r->status, PCC_EXIT_USAGE);
	assert_string_equal(r->err, "pcc: option '-s' needs an argument\nTry 'pcc help'.\n");
	r = pcc(*state, "version", "--socket", NULL);
	assert_int_equal(r->status, PCC_EXIT_USAGE);
	assert_string_equal(r->err, "pcc: option '--socket' needs an argument\n"
			    "Usage: pcc [OPTIONS] version\n");

	/* After the command, its usage; -V is not a command option. */
	r = pcc(*state, "version", "--frob", NULL);
	assert_int_equal(r->status, PCC_EXIT_USAGE);
	assert_string_equal(r->out, "");
	assert_string_equal(r->err, "pcc: unknown option '--frob'\n"
			    "Usage: pcc [OPTIONS] version\n");
	r = pcc(*state, "version", "-V", NULL);
	assert_int_equal(r->status, PCC_EXIT_USAGE);
	r = pcc(*state, "version", "extra", NULL);
	assert_int_equal(r->status, PCC_EXIT_USAGE);
	assert_string_equal(r->err, "pcc version: unexpected argument 'extra'\n"
			    "Usage: pcc [OPTIONS] version\n");
}

static void test_cli_version(void **state)
{
	struct run *r = pcc(*state, "-V", NULL);

	assert_int_equal(r->status, PCC_EXIT_OK);
	assert_string_equal(r->out, "pcc " PACKAGE_VERSION "\n");
	r = pcc(*state, "--version", "frob", NULL);	/* stops there */
	assert_int_equal(r->status, PCC_EXIT_OK);
}

static void test_version_nothing_running(void **state)
{
	char want[512];
	struct run *r = pcc(*state, "-s", nosock, "version", NULL);

	snprintf(want, sizeof(want),
		 "pcc: " PACKAGE_VERSION "\n"
		 "pccd: not running (no socket at %s)\n"
		 "module: not loaded\n", nosock);
	assert_int_equal(r->status, PCC_EXIT_OK);
	assert_string_equal(r->out, want);
	assert_string_equal(r->err, "");
	/* Without pccd, pcc asked the module itself. */
	assert_int_equal(fake_nl.opens, 1);
}

static void test_version_json_placement(void **state)
{
	static const char *const where[][3] = {
		{ "--json", "version", NULL },
		{ "-j", "version", NULL },
		{ "version", "--json", NULL },
		{ "version", "-j", NULL },
	};
	char want[512];
	size_t i;

	setenv("PCC_SOCKET", nosock, 1);
	snprintf(want, sizeof(want),
		 "{\"cli\":\"" PACKAGE_VERSION "\",\"daemon\":null,"
		 "\"daemon_error\":\"not running (no socket at %s)\","
		 "\"module\":null,\"genl_version\":null,"
		 "\"module_error\":\"not loaded\"}\n", nosock);
	for (i = 0; i < sizeof(where) / sizeof(where[0]); i++) {
		struct run *r = pcc(*state, where[i][0], where[i][1], NULL);

		assert_int_equal(r->status, PCC_EXIT_OK);
		assert_string_equal(r->out, want);
	}
}

static void test_version_module(void **state)
{
	struct run *r;
	char want[512];

	fake_nl_loaded("9.8.7", 1);
	r = pcc(*state, "-s", nosock, "version", NULL);
	assert_int_equal(r->status, PCC_EXIT_OK);
	assert_non_null(strstr(r->out, "\nmodule: 9.8.7 (netlink protocol 1)\n"));
	assert_int_equal(fake_nl.closes, 1);

	r = pcc(*state, "-s", nosock, "-j", "version", NULL);
	snprintf(want, sizeof(want),
		 "{\"cli\":\"" PACKAGE_VERSION "\",\"daemon\":null,"
		 "\"daemon_error\":\"not running (no socket at %s)\","
		 "\"module\":\"9.8.7\",\"genl_version\":1,"
		 "\"module_error\":null}\n", nosock);
	assert_string_equal(r->out, want);

	/* A module that is there but does not answer is an error. */
	fake_nl_loaded("9.8.7", 1);
	fake_nl.get_err[0] = -EPERM;
	r = pcc(*state, "-s", nosock, "version", NULL);
	assert_int_equal(r->status, PCC_EXIT_ERROR);
	assert_non_null(strstr(r->out, "\nmodule: error: Operation not permitted\n"));
}

/* A socket file nobody listens on: pccd died. */
static void test_version_stale_socket(void **state)
{
	char path[160], want[256];
	struct run *r;
	int fd;

	snprintf(path, sizeof(path), "%s/stale.sock", tmpdir);
	fd = pcc_ctl_listen(path);
	assert_true(fd >= 0);
	close(fd);
	r = pcc(*state, "-s", path, "version", NULL);
	assert_int_equal(r->status, PCC_EXIT_OK);
	snprintf(want, sizeof(want),
		 "\npccd: not running (nobody listening at %s)\n", path);
	assert_non_null(strstr(r->out, want));
	unlink(path);
}

/*
 * A fake pccd: a thread on a listening socket that takes one connection,
 * records each request (its JSON and its descriptors) and answers with
 * the script: messages in order, "" ending the answer to one request.
 */
#define FAKE_MAX_REQ	8

struct fake {
	char path[160];
	int lfd;
	pthread_t thread;
	const char *const *script;
	int nreq;
	char req[FAKE_MAX_REQ][8192];
	unsigned int nfds[FAKE_MAX_REQ];
	unsigned int nregular[FAKE_MAX_REQ];	/* of them, regular files */
	int fl_flags[FAKE_MAX_REQ];		/* F_GETFL of the first */
};

static void *fake_serve(void *arg)
{
	struct fake *f = arg;
	struct pollfd pfd = { .fd = f->lfd, .events = POLLIN };
	const char *const *msg = f->script;
	int conn, fds[PCC_CTL_FDS_MAX];
	struct json_object *req, *m;
	unsigned int nfds, i;
	struct stat st;

	if (poll(&pfd, 1, 5000) != 1)
		return NULL;
	conn = accept4(f->lfd, NULL, NULL, SOCK_CLOEXEC);
	if (conn < 0)
		return NULL;
	while (f->nreq < FAKE_MAX_REQ &&
	       !pcc_ctl_recv_fds(conn, &req, 5000, fds, &nfds)) {
		snprintf(f->req[f->nreq], sizeof(f->req[0]), "%s",
			 json_object_to_json_string_ext(req,
				JSON_C_TO_STRING_PLAIN |
				JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(req);
		f->nfds[f->nreq] = nfds;
		f->fl_flags[f->nreq] = nfds ? fcntl(fds[0], F_GETFL) : -1;
		for (i = 0; i < nfds; i++) {
			if (!fstat(fds[i], &st) && S_ISREG(st.st_mode))
				f->nregular[f->nreq]++;
			close(fds[i]);
		}
		f->nreq++;
		for (; msg && *msg && **msg; msg++) {
			m = json_tokener_parse(*msg);
			if (!m)
				break;
			pcc_ctl_send(conn, m);
			json_object_put(m);
		}
		if (msg && *msg)
			msg++;		/* the "" */
	}
	close(conn);
	return NULL;
}

static void fake_start(struct fake *f, const char *const *script)
{
	memset(f, 0, sizeof(*f));
	snprintf(f->path, sizeof(f->path), "%s/pccd.sock", tmpdir);
	f->script = script;
	f->lfd = pcc_ctl_listen(f->path);
	assert_true(f->lfd >= 0);
	assert_int_equal(pthread_create(&f->thread, NULL, fake_serve, f), 0);
}

/* After pcc returned (and so closed its connection). */
static void fake_stop(struct fake *f)
{
	pthread_join(f->thread, NULL);
	close(f->lfd);
	unlink(f->path);
}

/* Fixtures: a directory with two regular files and a subdirectory. */
static char dir[160], file1[192], file2[192], subdir[192];

static void remove_tree(void);

static void make_tree(void)
{
	int fd;

	snprintf(dir, sizeof(dir), "%s/tree", tmpdir);
	snprintf(file1, sizeof(file1), "%s/a.h5", dir);
	snprintf(file2, sizeof(file2), "%s/b.h5", dir);
	snprintf(subdir, sizeof(subdir), "%s/sub", dir);
	remove_tree();	/* left by a test that failed */
	assert_int_equal(mkdir(dir, 0700), 0);
	assert_int_equal(mkdir(subdir, 0700), 0);
	fd = open(file1, O_CREAT | O_WRONLY, 0600);
	assert_true(fd >= 0);
	close(fd);
	fd = open(file2, O_CREAT | O_WRONLY, 0600);
	assert_true(fd >= 0);
	close(fd);
}

static void remove_tree(void)
{
	unlink(file1);
	unlink(file2);
	rmdir(subdir);
	rmdir(dir);
}

static const char *const commands[] = {
	"add", "set", "del", "clear", "list", "attach", "detach", "state",
	"stats", "prefetch", "help", "version",
};

static void test_help_every_command(void **state)
{
	char want[64], *help;
	struct run *r;
	size_t i;

	r = pcc(*state, "help", NULL);
	help = strdup(r->out);
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		snprintf(want, sizeof(want), "\n  %-10s ", commands[i]);
		assert_non_null(strstr(help, want));

		/* help CMD and CMD --help say the same, from the table. */
		r = pcc(*state, "help", commands[i], NULL);
		assert_int_equal(r->status, PCC_EXIT_OK);
		snprintf(want, sizeof(want), "Usage: pcc [OPTIONS] %s",
			 commands[i]);
		assert_true(!strncmp(r->out, want, strlen(want)));
		{
			char *first = strdup(r->out);

			r = pcc(*state, commands[i], "--help", NULL);
			assert_int_equal(r->status, PCC_EXIT_OK);
			assert_string_equal(r->out, first);
			r = pcc(*state, commands[i], "-h", NULL);
			assert_string_equal(r->out, first);
			free(first);
		}
	}
	free(help);
	r = pcc(*state, "help", "attach", NULL);
	assert_non_null(strstr(r->out, "\n  -i, --id ID "));
	assert_non_null(strstr(r->out, "\n  -r, --readonly "));
	assert_non_null(strstr(r->out, "\n  -w, --write "));
	r = pcc(*state, "help", "add", NULL);
	assert_non_null(strstr(r->out, "\n  -p, --param PARAMS "));
	assert_non_null(strstr(r->out, "\n      --auto-attach B "));
	/* Too long for the column: the help on the next line. */
	assert_non_null(strstr(r->out, "\n      --writeback close|lazy\n"
				       "                         writeback=close|lazy "));
	assert_non_null(strstr(r->out, "\n      --writeback-interval SECONDS\n"
				       "                         writeback_interval=SECONDS "));
	r = pcc(*state, "help", "prefetch", NULL);
	assert_non_null(strstr(r->out, "\n  -j, --jobs N "));
}

/* Usage errors: status 1, the message, then the command's usage. */
static void test_usage_errors(void **state)
{
	static const char *const cases[][7] = {
		/* message, then the arguments */
		{ "pcc add: MNT and CACHEDIR are needed", "add" },
		{ "pcc add: MNT and CACHEDIR are needed", "add", "/" },
		{ "pcc add: unexpected argument 'c'", "add", "/", "/", "c" },
		{ "pcc add: bad value '1 pccrw=1' for --roid", "add", "/", "/",
		  "--roid", "1 pccrw=1" },
		{ "pcc add: empty PARAMS", "add", "/", "/", "-p", "" },
		{ "pcc set: bad value 'lazy writeback_interval=5' for --writeback",
		  "set", "/", "/", "--writeback", "lazy writeback_interval=5" },
		{ "pcc: option '--writeback-interval' needs an argument", "set",
		  "/", "/", "--writeback-interval" },
		{ "pcc: option '-p' needs an argument", "add", "/", "/", "-p" },
		{ "pcc set: nothing to change: give -p PARAMS or a key option",
		  "set", "/", "/" },
		{ "pcc del: MNT and CACHEDIR are needed", "del", "/" },
		{ "pcc del: unexpected argument 'x'", "del", "/", "/", "x" },
		{ "pcc: unknown option '-x'", "del", "-x", "/", "/" },
		{ "pcc clear: MNT is needed", "clear", "-k" },
		{ "pcc clear: unexpected argument '/'", "clear", "/", "/" },
		{ "pcc list: unexpected argument 'b'", "list", "a", "b" },
		{ "pcc stats: unexpected argument 'b'", "stats", "a", "b" },
		{ "pcc attach: no FILE given", "attach", "-r" },
		{ "pcc attach: bad dataset id '0' (1 to 2147483647)",
		  "attach", "-i", "0", "f" },
		{ "pcc attach: bad dataset id '2147483648' (1 to 2147483647)",
		  "attach", "-i", "2147483648", "f" },
		{ "pcc attach: bad dataset id '-1' (1 to 2147483647)",
		  "attach", "--id=-1", "f" },
		{ "pcc attach: bad dataset id '1x' (1 to 2147483647)",
		  "attach", "-i", "1x", "f" },
		{ "pcc attach: -r and -w exclude each other",
		  "attach", "-r", "-w", "f" },
		{ "pcc: option '-i' needs an argument", "attach", "f", "-i" },
		{ "pcc: unknown option '-k'", "attach", "-k", "f" },
		{ "pcc detach: no FILE given", "detach", "-k" },
		{ "pcc: unknown option '--id'", "detach", "--id", "1", "f" },
		{ "pcc state: no FILE given", "state" },
		{ "pcc: unknown option '-k'", "state", "-k", "f" },
		{ "pcc prefetch: no PATH given", "prefetch", "-j", "2" },
		{ "pcc prefetch: bad number of jobs '0' (1 to 1024)",
		  "prefetch", "-j", "0", "/" },
		{ "pcc prefetch: bad number of jobs 'many' (1 to 1024)",
		  "prefetch", "--jobs", "many", "/" },
	};
	char want[256], *argv[8];
	struct run *r;
	size_t i;
	int argc;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		argv[0] = (char *)"pcc";
		argv[1] = (char *)"-s";
		argv[2] = nosock;
		for (argc = 3; argc - 2 < 7 && cases[i][argc - 2]; argc++)
			argv[argc] = (char *)cases[i][argc - 2];
		argv[argc] = NULL;
		r = pcc_argv(*state, argc, argv);
		snprintf(want, sizeof(want), "%s\nUsage: pcc [OPTIONS] %s",
			 cases[i][0], cases[i][1]);
		if (r->status != PCC_EXIT_USAGE || strncmp(r->err, want,
							   strlen(want)))
			fail_msg("case %zu: status %d, err '%s'", i, r->status,
				 r->err);
		assert_string_equal(r->out, "");
	}
}

/* A command that needs pccd says it is not running: status 3. */
static void test_no_daemon(void **state)
{
	char want[256];
	struct run *r;

	make_tree();
	r = pcc(*state, "-s", nosock, "list", NULL);
	assert_int_equal(r->status, PCC_EXIT_NODAEMON);
	snprintf(want, sizeof(want),
		 "pcc list: pccd is not running (no socket at %s)\n", nosock);
	assert_string_equal(r->err, want);
	assert_string_equal(r->out, "");
	r = pcc(*state, "-s", nosock, "stats", NULL);
	assert_int_equal(r->status, PCC_EXIT_NODAEMON);
	r = pcc(*state, "-s", nosock, "add", dir, subdir, "-p", "roid=1", NULL);
	assert_int_equal(r->status, PCC_EXIT_NODAEMON);
	r = pcc(*state, "-s", nosock, "attach", file1, NULL);
	assert_int_equal(r->status, PCC_EXIT_NODAEMON);
	r = pcc(*state, "-s", nosock, "prefetch", dir, NULL);
	assert_int_equal(r->status, PCC_EXIT_NODAEMON);
	remove_tree();
}

/* Bad operands are named and nothing is sent. */
static void test_bad_operands(void **state)
{
	static const char *const script[] = { NULL };
	char want[512], missing[200];
	static struct fake f;
	struct run *r;

	make_tree();
	snprintf(missing, sizeof(missing), "%s/none", dir);
	fake_start(&f, script);
	r = pcc(*state, "-s", f.path, "attach", file1, subdir, missing, NULL);
	assert_int_equal(r->status, PCC_EXIT_ERROR);
	snprintf(want, sizeof(want),
		 "pcc attach: %s: not a regular file\n"
		 "pcc attach: %s: No such file or directory\n", subdir, missing);
	assert_string_equal(r->err, want);
	r = pcc(*state, "-s", f.path, "detach", "/dev/null", NULL);
	assert_int_equal(r->status, PCC_EXIT_ERROR);
	assert_string_equal(r->err,
			    "pcc detach: /dev/null: not a regular file\n");
	r = pcc(*state, "-s", f.path, "add", missing, dir, "-p", "roid=1", NULL);
	assert_int_equal(r->status, PCC_EXIT_ERROR);
	snprintf(want, sizeof(want), "pcc add: %s: No such file or directory\n",
		 missing);
	assert_string_equal(r->err, want);
	r = pcc(*state, "-s", f.path, "set", dir, missing, "--roid", "1", NULL);
	assert_int_equal(r->status, PCC_EXIT_ERROR);
	r = pcc(*state, "-s", f.path, "prefetch", missing, NULL);
	assert_int_equal(r->status, PCC_EXIT_ERROR);
	/* Let the fake go: a connection that sends nothing. */
	close(pcc_ctl_connect(f.path));
	fake_stop(&f);
	assert_int_equal(f.nreq, 0);
	remove_tree();
}

static const char *const dataset_json =
	"{\"id\":1,\"roid\":1,\"rwid\":0,\"path\":\"/var/cache/pcc\","
	"\"mode\":\"ro\",\"attach\":[\"open\",\"stat\",\"io\"],"
	"\"rule\":\"fname={*.h5}\",\"writeback\":null,"
	"\"writeback_interval\":null,\"attached\":3,"
	"\"usage\":{\"files\":12,\"bytes\":1572864}}";

static void test_add(void **state)
{
	char script_reply[512], want[1024];
	const char *script[] = { script_reply, "", NULL };
	static struct fake f;
	struct run *r;

	make_tree();
	snprintf(script_reply, sizeof(script_reply), "{\"dataset\":%s}",
		 dataset_json);
	fake_start(&f, script);
	/* Options after operands; key options appended in order. */
	r = pcc(*state, "-s", f.path, "add", dir, subdir, "-p",
		"fname={*.h5}&size<{1G} roid=1", "--auto-attach", "on",
		"--pccro", "1", NULL);
	fake_stop(&f);
	assert_int_equal(r->status, PCC_EXIT_OK);
	assert_string_equal(r->err, "");
	assert_int_equal(f.nreq, 1);
	assert_int_equal(f.nfds[0], 0);
	snprintf(want, sizeof(want),
		 "{\"cmd\":\"add\",\"mount\":\"%s\",\"cache\":\"%s\","
		 "\"params\":\"fname={*.h5}&size<{1G} roid=1 auto_attach=on "
		 "pccro=1\"}", dir, subdir);
	assert_string_equal(f.req[0], want);
	snprintf(want, sizeof(want),
		 "added dataset %s on %s\n"
		 "  dataset 1: /var/cache/pcc\n"
		 "    mode: ro, roid: 1, rwid: 0, attach: open,stat,io\n"
		 "    rule: fname={*.h5}\n"
		 "    attached: 3, usage: 12 files, 1.5 MiB\n", subdir, dir);
	assert_string_equal(r->out, want);

	/* set, relative paths made absolute, JSON. */
	fake_start(&f, script);
	assert_int_equal(chdir(dir), 0);
	r = pcc(*state, "-s", f.path, "--json", "set", ".", "sub",
		"--open-attach", "0", NULL);
	assert_int_equal(chdir("/"), 0);
	fake_stop(&f);
	assert_int_equal(r->status, PCC_EXIT_OK);
	snprintf(want, sizeof(want),
		 "{\"cmd\":\"set\",\"mount\":\"%s\",\"cache\":\"%s\","
		 "\"params\":\"open_attach=0\"}", dir, subdir);
	assert_string_equal(f.req[0], want);
	snprintf(want, sizeof(want), "{\"dataset\":%s}\n", dataset_json);
	{
		struct json_object *a = json_tokener_parse(r->out);
		struct json_object *b = json_tokener_parse(want);

		assert_non_null(a);
		assert_true(json_object_equal(a, b));
		json_object_put(a);
		json_object_put(b);
	}

	/* As pccd answers set: no usage, attached null; no zeros shown. */
	snprintf(script_reply, sizeof(script_reply),
		 "{\"dataset\":{\"id\":1,\"roid\":1,\"rwid\":0,"
		 "\"path\":\"/var/cache/pcc\",\"mode\":\"ro\","
		 "\"attach\":[],\"rule\":null,\"attached\":null}}");
	fake_start(&f, script);
	r = pcc(*state, "-s", f.path, "set", dir, subdir, "-p",
		"auto_attach=0", NULL);
	fake_stop(&f);
	assert_int_equal(r->status, PCC_EXIT_OK);
	snprintf(want, sizeof(want),
		 "changed dataset %s on %s\n"
		 "  dataset 1: /var/cache/pcc\n"
		 "    mode: ro, roid: 1, rwid: 0, attach: none\n"
		 "    rule: none (manual attach only)\n", subdir, dir);
	assert_string_equal(r->out, want);
	remove_tree();
}

/* The write-back options, and a read-write dataset's policy shown. */
static void test_add_writeback(void **state)
{
	static const char *const lazy_ds =
		"{\"id\":2,\"roid\":0,\"rwid\":2,\"path\":\"/nvme/rw\","
		"\"mode\":\"rw\",\"attach\":[],\"rule\":null,"
		"\"writeback\":\"lazy\",\"writeback_interval\":600,"
		"\"attached\":0,\"usage\":{\"files\":1,\"bytes\":4096}}";
	char script_reply[512], want[1024];
	const char *script[] = { script_reply, "", NULL };
	struct json_object *a, *b;
	static struct fake f;
	struct run *r;

	make_tree();
	snprintf(script_reply, sizeof(script_reply), "{\"dataset\":%s}",
		 lazy_ds);
	fake_start(&f, script);
	r = pcc(*state, "-s", f.path, "add", dir, subdir, "--rwid", "2",
		"--pccrw", "1", "--writeback", "lazy", "--writeback-interval",
		"600", NULL);
	fake_stop(&f);
	assert_int_equal(r->status, PCC_EXIT_OK);
	snprintf(want, sizeof(want),
		 "{\"cmd\":\"add\",\"mount\":\"%s\",\"cache\":\"%s\","
		 "\"params\":\"rwid=2 pccrw=1 writeback=lazy "
		 "writeback_interval=600\"}", dir, subdir);
	assert_string_equal(f.req[0], want);
	snprintf(want, sizeof(want),
		 "added dataset %s on %s\n"
		 "  dataset 2: /nvme/rw\n"
		 "    mode: rw, roid: 0, rwid: 2, attach: none\n"
		 "    writeback: lazy, interval: 600s\n"
		 "    rule: none (manual attach only)\n"
		 "    attached: 0, usage: 1 files, 4.0 KiB\n", subdir, dir);
	assert_string_equal(r->out, want);

	/* JSON: the daemon's keys as they came. */
	fake_start(&f, script);
	r = pcc(*state, "-s", f.path, "-j", "set", dir, subdir,
		"--writeback-interval", "600", NULL);
	fake_stop(&f);
	assert_int_equal(r->status, PCC_EXIT_OK);
	snprintf(want, sizeof(want),
		 "{\"cmd\":\"set\",\"mount\":\"%s\",\"cache\":\"%s\","
		 "\"params\":\"writeback_interval=600\"}", dir, subdir);
	assert_string_equal(f.req[0], want);
	a = json_tokener_parse(r->out);
	b = json_tokener_parse(script_reply);
	assert_non_null(a);
	assert_true(json_object_equal(a, b));
	json_object_put(a);
	json_object_put(b);

	/* Close: no interval in text, which close does not use. */
	snprintf(script_reply, sizeof(script_reply),
		 "{\"dataset\":{\"id\":2,\"roid\":0,\"rwid\":2,"
		 "\"path\":\"/nvme/rw\",\"mode\":\"rw+ro\","
		 "\"attach\":[\"open\"],\"rule\":null,"
		 "\"writeback\":\"close\",\"writeback_interval\":null,"
		 "\"attached\":null}}");
	fake_start(&f, script);
	r = pcc(*state, "-s", f.path, "set", dir, subdir, "--writeback",
		"close", NULL);
	fake_stop(&f);
	assert_int_equal(r->status, PCC_EXIT_OK);
	assert_non_null(strstr(f.req[0], "\"params\":\"writeback=close\""));
	snprintf(want, sizeof(want),
		 "changed dataset %s on %s\n"
		 "  dataset 2: /nvme/rw\n"
		 "    mode: rw+ro, roid: 0, rwid: 2, attach: open\n"
		 "    writeback: close\n"
		 "    rule: none (manual attach only)\n", subdir, dir);
	assert_string_equal(r->out, want);

	/* pccd's refusal, as any other. */
	snprintf(script_reply, sizeof(script_reply),
		 "{\"error\":\"parameters, column 1: writeback is for "
		 "read-write datasets only (pccrw=1, given when the dataset is added)\",\"errno\":22}");
	fake_start(&f, script);
	r = pcc(*state, "-s", f.path, "set", dir, subdir, "--writeback",
		"lazy", NULL);
	fake_stop(&f);
	assert_int_equal(r->status, PCC_EXIT_ERROR);
	assert_string_equal(r->err, "pcc set: parameters, column 1: writeback "
			    "is for read-write datasets only (pccrw=1, given when the dataset is added)\n");
	remove_tree();
}

/* The daemon's refusal is printed as "pcc COMMAND: MESSAGE": status 2. */
static void test_daemon_error(void **state)
{
	static const char *const script[] = {
		"{\"error\":\"add needs root\",\"errno\":1}", "", NULL
	};
	static struct fake f;
	struct run *r;

	make_tree();
	fake_start(&f, script);
	r = pcc(*state, "-s", f.path, "add", dir, subdir, "-p", "roid=1", NULL);
	fake_stop(&f);
	assert_int_equal(r->status, PCC_EXIT_ERROR);
	assert_string_equal(r->out, "");
	assert_string_equal(r->err, "pcc add: add needs root\n");
	remove_tree();
}

static void test_del_clear(void **state)
{
	static const char *const del[] = {
		"{\"removed_copies\":4,\"removed_bytes\":2048}", "", NULL
	};
	static const char *const clear[] = {
		"{\"datasets\":2,\"removed_copies\":0,\"removed_bytes\":0}", "",
		NULL
	};
	char want[512];
	static struct fake f;
	struct run *r;

	/* A cache directory already gone can still be deleted. */
	fake_start(&f, del);
	r = pcc(*state, "-s", f.path, "del", "/mnt/data", "/gone/cache", NULL);
	fake_stop(&f);
	assert_int_equal(r->status, PCC_EXIT_OK);
	assert_string_equal(f.req[0], "{\"cmd\":\"del\",\"mount\":\"/mnt/data\","
			    "\"cache\":\"/gone/cache\",\"keep\":false}");
	assert_string_equal(r->out, "removed dataset /gone/cache from /mnt/data, "
			    "4 copies removed (2.0 KiB)\n");

	fake_start(&f, clear);
	r = pcc(*state, "-s", f.path, "-j", "clear", "-k", "/mnt/data", NULL);
	fake_stop(&f);
	assert_int_equal(r->status, PCC_EXIT_OK);
	assert_string_equal(f.req[0], "{\"cmd\":\"clear\",\"mount\":\"/mnt/data\","
			    "\"keep\":true}");
	assert_string_equal(r->out, "{\"datasets\":2,\"removed_copies\":0,"
			    "\"removed_bytes\":0}\n");

	fake_start(&f, clear);
	r = pcc(*state, "-s", f.path, "clear", "--keep", "/mnt/data", NULL);
	fake_stop(&f);
	snprintf(want, sizeof(want),
		 "removed 2 datasets from /mnt/data, copies kept\n");
	assert_string_equal(r->out, want);
}

static void test_list(void **state)
{
	char reply[1024], want[1024];
	const char *script[] = { reply, "", NULL };
	struct json_object *a, *b;
	static struct fake f;
	struct run *r;

	snprintf(reply, sizeof(reply),
		 "{\"mounts\":[{\"path\":\"/mnt/data\",\"lower\":\"/mnt/nfs\","
		 "\"mounted\":true,\"mount_id\":7,\"datasets\":[%s]},"
		 "{\"path\":\"/mnt/b\",\"lower\":\"/mnt/nfsb\","
		 "\"mounted\":false,\"mount_id\":null,\"datasets\":[]}]}",
		 dataset_json);
	fake_start(&f, script);
	r = pcc(*state, "-s", f.path, "list", NULL);
	fake_stop(&f);
	assert_int_equal(r->status, PCC_EXIT_OK);
	assert_string_equal(f.req[0], "{\"cmd\":\"list\"}");
	assert_string_equal(r->out,
		"/mnt/data on /mnt/nfs (mounted, mount id 7)\n"
		"  dataset 1: /var/cache/pcc\n"
		"    mode: ro, roid: 1, rwid: 0, attach: open,stat,io\n"
		"    rule: fname={*.h5}\n"
		"    attached: 3, usage: 12 files, 1.5 MiB\n"
		"\n"
		"/mnt/b on /mnt/nfsb (not mounted)\n"
		"  no datasets\n");

	fake_start(&f, script);
	r = pcc(*state, "-s", f.path, "list", "--json", "/mnt/data", NULL);
	fake_stop(&f);
	assert_string_equal(f.req[0], "{\"cmd\":\"list\",\"mount\":\"/mnt/data\"}");
	/* The JSON is the daemon's reply, key for key. */
	a = json_tokener_parse(r->out);
	b = json_tokener_parse(reply);
	assert_non_null(a);
	assert_true(json_object_equal(a, b));
	json_object_put(a);
	json_object_put(b);
	(void)want;
}

static void test_attach(void **state)
{
	char reply[512], want[1024];
	const char *script[] = { reply, "", NULL };
	static struct fake f;
	struct run *r;

	make_tree();
	snprintf(reply, sizeof(reply),
		 "{\"files\":[{\"file\":\"%s\",\"dataset\":2,"
		 "\"cache_path\":\"/c/00/ab\",\"bytes\":4096},"
		 "{\"file\":\"%s\",\"error\":\"no read-only dataset\","
		 "\"errno\":2}]}", file1, file2);
	fake_start(&f, script);
	assert_int_equal(chdir(dir), 0);
	r = pcc(*state, "-s", f.path, "attach", "-i", "2", "a.h5", file2, NULL);
	assert_int_equal(chdir("/"), 0);
	fake_stop(&f);
	assert_int_equal(f.nreq, 1);
	assert_int_equal(f.nfds[0], 2);
	assert_int_equal(f.nregular[0], 2);
	assert_int_equal(f.fl_flags[0] & O_ACCMODE, O_RDONLY);
	snprintf(want, sizeof(want),
		 "{\"cmd\":\"attach\",\"id\":2,\"mode\":\"ro\","
		 "\"files\":[\"%s\",\"%s\"]}", file1, file2);
	assert_string_equal(f.req[0], want);
	/* Results under the names given; the failure named, status 2. */
	assert_int_equal(r->status, PCC_EXIT_ERROR);
	assert_string_equal(r->out, "a.h5: attached to dataset 2, "
			    "cache_path: /c/00/ab, 4.0 KiB copied\n");
	snprintf(want, sizeof(want),
		 "pcc attach: %s: no read-only dataset\n"
		 "pcc attach: 1 of 2 files failed\n", file2);
	assert_string_equal(r->err, want);

	/* -w is sent as mode "rw"; JSON has every file. */
	fake_start(&f, script);
	r = pcc(*state, "-s", f.path, "-j", "attach", "-w", file1, file2, NULL);
	fake_stop(&f);
	assert_non_null(strstr(f.req[0], "\"id\":0,\"mode\":\"rw\""));
	assert_int_equal(r->status, PCC_EXIT_ERROR);
	assert_string_equal(r->err, "");
	snprintf(want, sizeof(want),
		 "{\"files\":[{\"file\":\"%s\",\"dataset\":2,"
		 "\"cache_path\":\"/c/00/ab\",\"bytes\":4096},"
		 "{\"file\":\"%s\",\"error\":\"no read-only dataset\","
		 "\"errno\":2}]}\n", file1, file2);
	assert_string_equal(r->out, want);
	remove_tree();
}

/* More files than one message carries: batches of PCC_CTL_FDS_MAX. */
static void test_attach_batches(void **state)
{
	enum { N = PCC_CTL_FDS_MAX + 6 };
	static char names[N][200];
	char *argv[N + 6];
	const char *script[] = { "{\"files\":[]}", "", "{\"files\":[]}", "",
				 NULL };
	static struct fake f;
	struct run *r;
	int i, fd;

	make_tree();
	argv[0] = (char *)"pcc";
	argv[1] = (char *)"-s";
	argv[3] = (char *)"detach";
	argv[4] = (char *)"-k";
	for (i = 0; i < N; i++) {
		snprintf(names[i], sizeof(names[i]), "%s/f%d", dir, i);
		fd = open(names[i], O_CREAT | O_WRONLY, 0600);
		assert_true(fd >= 0);
		close(fd);
		argv[5 + i] = names[i];
	}
	argv[5 + N] = NULL;
	fake_start(&f, script);
	argv[2] = f.path;
	r = pcc_argv(*state, 5 + N, argv);
	fake_stop(&f);
	assert_int_equal(f.nreq, 2);
	assert_int_equal(f.nfds[0], PCC_CTL_FDS_MAX);
	assert_int_equal(f.nfds[1], N - PCC_CTL_FDS_MAX);
	assert_int_equal(f.nregular[1], N - PCC_CTL_FDS_MAX);
	/* detach opens O_NONBLOCK, and keep is sent. */
	assert_true(f.fl_flags[0] & O_NONBLOCK);
	assert_non_null(strstr(f.req[1], "\"keep\":true"));
	/* The daemon answered for none: each file named as failed. */
	assert_int_equal(r->status, PCC_EXIT_ERROR);
	assert_non_null(strstr(r->err, ": pccd gave no answer for this file\n"));
	assert_non_null(strstr(r->err, "pcc detach: 70 of 70 files failed\n"));
	for (i = 0; i < N; i++)
		unlink(names[i]);
	remove_tree();
}

static void test_detach(void **state)
{
	char reply[512], want[512];
	const char *script[] = { reply, "", NULL };
	static struct fake f;
	struct run *r;

	make_tree();
	snprintf(reply, sizeof(reply),
		 "{\"files\":[{\"file\":\"%s\",\"removed\":true}]}", file1);
	fake_start(&f, script);
	r = pcc(*state, "-s", f.path, "detach", file1, NULL);
	fake_stop(&f);
	assert_int_equal(r->status, PCC_EXIT_OK);
	assert_int_equal(f.nfds[0], 1);
	snprintf(want, sizeof(want),
		 "{\"cmd\":\"detach\",\"keep\":false,\"files\":[\"%s\"]}", file1);
	assert_string_equal(f.req[0], want);
	snprintf(want, sizeof(want), "%s: detached, copy removed\n", file1);
	assert_string_equal(r->out, want);
	remove_tree();
}

/* pcc state's printing, from a filled struct (no ioctl on the host). */
static char *print_state_held(bool json, const char *file,
			      const struct pcc_ioc_state *st, int err,
			      const char *root, const char *held_by)
{
	char *buf = NULL;
	size_t len;
	FILE *fp = open_memstream(&buf, &len);
	struct out *o = out_new(fp, json ? OUT_F_JSON : 0);

	pcc_state_print(o, file, st, err, root, held_by, NULL);
	assert_int_equal(out_end(o), 0);
	fclose(fp);
	return buf;
}

static char *print_state(bool json, const char *file,
			 const struct pcc_ioc_state *st, int err,
			 const char *root)
{
	return print_state_held(json, file, st, err, root, NULL);
}

static void test_state_print(void **state)
{
	struct pcc_ioc_state *st = calloc(1, sizeof(*st));
	char *s;

	(void)state;
	st->type = PCC_TYPE_READONLY;
	st->dataset_id = 3;
	st->open_count = 2;
	st->flags = PCC_STATE_FL_MAPPED | PCC_STATE_FL_UNLINKED | 0x100;
	strcpy(st->path, "/0a/1b/0000abcd");
	s = print_state(false, "data/x.h5", st, 0, "/var/cache/pcc/");
	assert_string_equal(s, "file: data/x.h5, type: readonly, dataset: 3, "
			    "cache_path: /var/cache/pcc/0a/1b/0000abcd, "
			    "open_count: 2, flags: unlinked,mapped,0x100\n");
	free(s);
	/* Without pccd, the path in the dataset. */
	s = print_state(true, "data/x.h5", st, 0, NULL);
	assert_string_equal(s, "{\"file\":\"data/x.h5\",\"type\":\"readonly\","
			    "\"dataset\":3,\"cache_path\":\"0a/1b/0000abcd\","
			    "\"open_count\":2,"
			    "\"flags\":[\"unlinked\",\"mapped\",\"0x100\"],"
			    "\"held_by\":null}\n");
	free(s);

	memset(st, 0, sizeof(*st));
	st->flags = PCC_STATE_FL_NONE;
	s = print_state(false, "/mnt/data/y", st, 0, NULL);
	assert_string_equal(s, "file: /mnt/data/y, type: none, flags: no_copy\n");
	free(s);
	st->flags = 0;
	s = print_state(false, "/mnt/data/y", st, 0, NULL);
	assert_string_equal(s, "file: /mnt/data/y, type: none\n");
	free(s);
	s = print_state(true, "/mnt/data/y", st, 0, NULL);
	assert_string_equal(s, "{\"file\":\"/mnt/data/y\",\"type\":\"none\","
			    "\"dataset\":null,\"cache_path\":null,"
			    "\"open_count\":0,\"flags\":[],\"held_by\":null}\n");
	free(s);
	/* Another node holds it read-write: its name, after the flags. */
	st->type = PCC_TYPE_NONE;
	st->flags = PCC_STATE_FL_NONE;
	s = print_state_held(false, "/mnt/data/y", st, 0, NULL, "node-2");
	assert_string_equal(s, "file: /mnt/data/y, type: none, flags: no_copy, "
			    "held by: node-2\n");
	free(s);
	s = print_state_held(true, "/mnt/data/y", st, 0, NULL, "node-2");
	assert_string_equal(s, "{\"file\":\"/mnt/data/y\",\"type\":\"none\","
			    "\"dataset\":null,\"cache_path\":null,"
			    "\"open_count\":0,\"flags\":[\"no_copy\"],"
			    "\"held_by\":\"node-2\"}\n");
	free(s);
	/* A mark that is no node name is a mark, not bytes for a terminal. */
	s = print_state_held(false, "/mnt/data/y", st, 0, NULL, "n\033[2J");
	assert_string_equal(s, "file: /mnt/data/y, type: none, flags: no_copy, "
			    "held by: ?\n");
	free(s);
	s = print_state_held(true, "/mnt/data/y", st, 0, NULL, "n\033[2J");
	assert_non_null(strstr(s, ",\"held_by\":\"?\"}"));
	free(s);
	s = print_state_held(true, "/mnt/data/y", st, 0, NULL, NULL);
	assert_non_null(strstr(s, ",\"held_by\":null}"));
	free(s);
	s = print_state(true, "/etc/passwd", NULL, -ENOTTY, NULL);
	assert_string_equal(s, "{\"file\":\"/etc/passwd\","
			    "\"error\":\"not on a pcc mount\",\"errno\":25}\n");
	free(s);
	s = print_state(false, "/etc/passwd", NULL, -ENOTTY, NULL);
	assert_string_equal(s, "");
	free(s);
	free(st);
}

static const char *const prefetch_script[] = {
	"{\"more\":true,\"phase\":\"scan\",\"files_total\":3,"
	"\"bytes_total\":3072}",
	"{\"more\":true,\"files_done\":1,\"bytes_done\":1024,"
	"\"files_failed\":0}",
	"{\"more\":true,\"failed\":\"/t/b\",\"error\":\"Permission denied\","
	"\"errno\":13}",
	/* Within a second of the first: not printed. */
	"{\"more\":true,\"files_done\":2,\"bytes_done\":2048,"
	"\"files_failed\":1}",
	"{\"files\":2,\"bytes\":2048,\"failed\":1,\"already\":0,"
	"\"seconds\":0.5}", "", NULL
};

/* As pccd sends them: every progress message repeats the scan's totals. */
static const char *const prefetch_script_totals[] = {
	"{\"more\":true,\"phase\":\"scan\",\"files_total\":3,"
	"\"bytes_total\":3072}",
	"{\"more\":true,\"files_done\":3,\"bytes_done\":3072,"
	"\"files_failed\":0,\"files_total\":3,\"bytes_total\":3072}",
	"{\"files\":3,\"bytes\":3072,\"failed\":0,\"already\":0,"
	"\"seconds\":0.5}", "", NULL
};

static void test_state_root(void **state)
{
	struct json_object *list = json_tokener_parse(
		"{\"mounts\":[{\"path\":\"/mnt/data\",\"datasets\":["
		"{\"id\":1,\"path\":\"/c1\"},{\"id\":2,\"path\":\"/c2\"}]},"
		"{\"path\":\"/mnt/data/deep/\",\"datasets\":["
		"{\"id\":1,\"path\":\"/c3\"}]},"
		"{\"path\":\"/\",\"datasets\":[{\"id\":1,\"path\":\"/c4\"}]}]}");

	(void)state;
	assert_non_null(list);
	assert_string_equal(pcc_state_root(list, "/mnt/data/x", 2), "/c2");
	assert_string_equal(pcc_state_root(list, "/mnt/data/a/b", 1), "/c1");
	/* The longest mount path, at a '/' boundary. */
	assert_string_equal(pcc_state_root(list, "/mnt/data/deep/x", 1), "/c3");
	assert_string_equal(pcc_state_root(list, "/mnt/database/x", 1), "/c4");
	assert_null(pcc_state_root(list, "/mnt/data/deep/x", 2));
	assert_null(pcc_state_root(NULL, "/mnt/data/x", 1));
	json_object_put(list);
}

/* On a terminal: one line redrawn with \r, ended before the summary. */
static void test_prefetch_tty(void **state)
{
	char *argv[8], buf[4096], want[64];
	struct run *r = *state;
	int master, slave;
	struct fake f;
	ssize_t n;
	FILE *out, *err;
	size_t elen;

	make_tree();
	assert_int_equal(openpty(&master, &slave, NULL, NULL, NULL), 0);
	out = fdopen(slave, "w");
	fake_start(&f, prefetch_script);
	argv[0] = (char *)"pcc";
	argv[1] = (char *)"-s";
	argv[2] = f.path;
	argv[3] = (char *)"prefetch";
	argv[4] = dir;
	argv[5] = NULL;
	free(r->err);
	r->err = NULL;
	err = open_memstream(&r->err, &elen);
	r->status = pcc_cli_main(5, argv, out, err);
	fake_stop(&f);
	fclose(err);
	fflush(out);
	n = read(master, buf, sizeof(buf) - 1);
	assert_true(n > 0);
	buf[n] = '\0';
	fclose(out);
	close(master);
	assert_int_equal(r->status, PCC_EXIT_ERROR);
	/* The scan drew an empty bar, progress a quarter-full one. */
	assert_non_null(strstr(buf, "\r[....................] 0/3 files"));
	snprintf(want, sizeof(want), "\r[######..............] 1/3 files");
	assert_non_null(strstr(buf, want));
	assert_non_null(strstr(buf, "\033[K"));
	/* The line is ended before the failure and the summary. */
	assert_non_null(strstr(buf, "\r\nprefetched 2 files"));
	assert_string_equal(r->err, "pcc prefetch: /t/b: Permission denied\n");
	remove_tree();
}

/* On the host nothing is a pcc mount: ENOTTY is said as such. */
static void test_state_not_pcc(void **state)
{
	char want[512];
	struct run *r;

	make_tree();
	r = pcc(*state, "-s", nosock, "state", file1, NULL);
	assert_int_equal(r->status, PCC_EXIT_ERROR);
	snprintf(want, sizeof(want), "pcc state: %s: not on a pcc mount\n",
		 file1);
	assert_string_equal(r->err, want);
	r = pcc(*state, "-s", nosock, "--json", "state", file1, "/nonexistent/x",
		"/", NULL);
	assert_int_equal(r->status, PCC_EXIT_ERROR);
	snprintf(want, sizeof(want),
		 "[{\"file\":\"%s\",\"error\":\"not on a pcc mount\",\"errno\":25},"
		 "{\"file\":\"/nonexistent/x\",\"error\":\"No such file or directory\",\"errno\":2},"
		 "{\"file\":\"/\",\"error\":\"Is a directory\",\"errno\":21}]\n",
		 file1);
	assert_string_equal(r->out, want);
	remove_tree();
}

static void test_stats(void **state)
{
	static const char *const script[] = {
		"{\"mounts\":[{\"path\":\"/mnt/data\",\"mount_id\":7,"
		"\"counters\":{\"attach_manual\":1,\"hits\":10,"
		"\"hit_bytes\":4096,\"misses\":2,\"attaches\":5}}],"
		"\"daemon\":{\"copies\":3,\"bytes_copied\":8192,"
		"\"copy_errors\":0,\"queue\":1,\"running\":2}}", "", NULL
	};
	static struct fake f;
	struct run *r;

	fake_start(&f, script);
	r = pcc(*state, "-s", f.path, "stats", NULL);
	fake_stop(&f);
	assert_int_equal(r->status, PCC_EXIT_OK);
	assert_string_equal(f.req[0], "{\"cmd\":\"stats\"}");
	assert_string_equal(r->out,
		"/mnt/data (mount id 7):\n"
		"  attach_manual      1\n"
		"  hits               10\n"
		"  hit_bytes          4096\n"
		"  misses             2\n"
		"  attaches           5\n"
		"pccd:\n"
		"  copies             3\n"
		"  bytes_copied       8192\n"
		"  copy_errors        0\n"
		"  queue              1\n"
		"  running            2\n"
		"  evictions          -\n"
		"  evicted_bytes      -\n"
		"  copies_refused     -\n");

	fake_start(&f, script);
	r = pcc(*state, "-s", f.path, "stats", "-j", "/mnt/data", NULL);
	fake_stop(&f);
	assert_string_equal(f.req[0], "{\"cmd\":\"stats\",\"mount\":\"/mnt/data\"}");
	assert_string_equal(r->out,
		"{\"mounts\":[{\"path\":\"/mnt/data\",\"mount_id\":7,"
		"\"attach_manual\":1,\"hits\":10,\"hit_bytes\":4096,"
		"\"misses\":2,\"attaches\":5}],"
		"\"daemon\":{\"copies\":3,\"bytes_copied\":8192,"
		"\"copy_errors\":0,\"queue\":1,\"running\":2,"
		"\"evictions\":null,\"evicted_bytes\":null,"
		"\"copies_refused\":null}}\n");
}

/* Space per dataset: usage against the limits, the contract's keys. */
static void test_stats_space(void **state)
{
	static const char *const script[] = {
		"{\"mounts\":[{\"path\":\"/mnt/data\",\"mount_id\":7,"
		"\"counters\":{\"hits\":1,\"hit_bytes\":2,\"misses\":3,"
		"\"attaches\":4},\"datasets\":[{\"id\":1,"
		"\"path\":\"/c\",\"usage\":{\"bytes\":2097152,"
		"\"files\":3},\"pinned\":{\"bytes\":1048576,\"files\":1},"
		"\"limits\":{\"high_percent\":90,\"low_percent\":80,"
		"\"max_bytes\":10485760,\"max_files\":null,"
		"\"min_free\":null},\"fs\":{\"size_bytes\":104857600,"
		"\"free_bytes\":94371840},\"evictions\":5,"
		"\"evicted_bytes\":4096,\"refused_too_large\":2}]}],"
		"\"daemon\":{\"copies\":3,\"bytes_copied\":8192,"
		"\"copy_errors\":0,\"queue\":1,\"running\":2,"
		"\"evictions\":5,\"evicted_bytes\":4096,"
		"\"copies_refused\":2}}", "", NULL
	};
	struct json_object *doc, *ds, *lim;
	static struct fake f;
	struct run *r;

	fake_start(&f, script);
	r = pcc(*state, "-s", f.path, "stats", NULL);
	fake_stop(&f);
	assert_int_equal(r->status, PCC_EXIT_OK);
	assert_non_null(strstr(r->out,
		"  dataset 1 /c: 2.0 MiB in 3 copies (1.0 MiB pinned); cache "
		"fs 10.0 MiB of 100.0 MiB used (10%), high 90%, low 80%, "
		"max_bytes 10.0 MiB\n"
		"    evictions 5 (4.0 KiB), refused as too large 2\n"));
	assert_non_null(strstr(r->out, "  copies_refused     2\n"));

	fake_start(&f, script);
	r = pcc(*state, "-s", f.path, "stats", "-j", NULL);
	fake_stop(&f);
	doc = json_tokener_parse(r->out);
	assert_non_null(doc);
	ds = json_object_array_get_idx(pcc_json_get(json_object_array_get_idx(
		pcc_json_get(doc, "mounts"), 0), "datasets"), 0);
	assert_int_equal(pcc_json_u64(ds, "id"), 1);
	assert_int_equal(pcc_json_u64(pcc_json_get(ds, "usage"), "files"), 3);
	assert_int_equal(pcc_json_u64(pcc_json_get(ds, "pinned"), "bytes"),
			 1048576);
	lim = pcc_json_get(ds, "limits");
	assert_int_equal(pcc_json_u64(lim, "max_bytes"), 10485760);
	assert_true(json_object_object_get_ex(lim, "max_files", NULL));
	assert_null(pcc_json_get(lim, "max_files"));
	assert_int_equal(pcc_json_u64(pcc_json_get(ds, "fs"), "free_bytes"),
			 94371840);
	assert_int_equal(pcc_json_u64(ds, "refused_too_large"), 2);
	assert_int_equal(pcc_json_u64(pcc_json_get(doc, "daemon"),
				      "copies_refused"), 2);
	json_object_put(doc);
}

/* --prometheus: pccd's reply through lib/metrics.c, as it came. */
static void test_stats_prometheus(void **state)
{
	static const char *const script[] = {
		"{\"mounts\":[{\"path\":\"/mnt/a\\\"b\",\"mount_id\":7,"
		"\"counters\":{\"hits\":10,\"attach_io\":2}}],"
		"\"daemon\":{\"copies\":3}}", "", NULL
	};
	static struct fake f;
	struct run *r;

	fake_start(&f, script);
	r = pcc(*state, "-s", f.path, "stats", "--prometheus", "/mnt/a", NULL);
	fake_stop(&f);
	assert_int_equal(r->status, PCC_EXIT_OK);
	assert_string_equal(r->err, "");
	assert_string_equal(f.req[0], "{\"cmd\":\"stats\",\"mount\":\"/mnt/a\"}");
	assert_string_equal(r->out,
		"# HELP pcc_hits_total Reads, splices and page faults served from copies.\n"
		"# TYPE pcc_hits_total counter\n"
		"pcc_hits_total{mount=\"/mnt/a\\\"b\"} 10\n"
		"# HELP pcc_attaches_total Files attached to their copies, by cause: manual (pcc attach), open, stat or io.\n"
		"# TYPE pcc_attaches_total counter\n"
		"pcc_attaches_total{mount=\"/mnt/a\\\"b\",how=\"io\"} 2\n"
		"# HELP pcc_copies_total Copies pccd made.\n"
		"# TYPE pcc_copies_total counter\n"
		"pcc_copies_total 3\n");

	/* Not with --json, before or after the command; nothing is sent. */
	r = pcc(*state, "-s", nosock, "-j", "stats", "--prometheus", NULL);
	assert_int_equal(r->status, PCC_EXIT_USAGE);
	assert_string_equal(r->out, "");
	assert_string_equal(r->err,
		"pcc stats: --prometheus and --json exclude each other\n"
		"Usage: pcc [OPTIONS] stats [--prometheus] [MNT]\n");
	r = pcc(*state, "-s", nosock, "stats", "--prometheus", "--json", NULL);
	assert_int_equal(r->status, PCC_EXIT_USAGE);
	r = pcc(*state, "-s", nosock, "stats", "--prometheus", NULL);
	assert_int_equal(r->status, PCC_EXIT_NODAEMON);
	r = pcc(*state, "help", "stats", NULL);
	assert_non_null(strstr(r->out, "\n      --prometheus       print Prometheus text format (not with --json)\n"));
}


static void test_prefetch(void **state)
{
	struct json_object *doc, *v;
	char want[512];
	static struct fake f;
	struct run *r;

	make_tree();
	fake_start(&f, prefetch_script);
	r = pcc(*state, "-s", f.path, "prefetch", "-j", "4", dir, NULL);
	fake_stop(&f);
	snprintf(want, sizeof(want),
		 "{\"cmd\":\"prefetch\",\"paths\":[\"%s\"],\"jobs\":4}", dir);
	assert_string_equal(f.req[0], want);
	assert_int_equal(r->status, PCC_EXIT_ERROR);
	/* Not a terminal: plain lines, then the summary. */
	assert_true(!strncmp(r->out, "1/3 files, 1.0 KiB/3.0 KiB, ", 28));
	assert_non_null(strstr(r->out, "\nprefetched 2 files (2.0 KiB) in 0.5 s, "
			       "0 already cached, 1 failed\n"));
	assert_null(strchr(r->out, '\r'));
	assert_null(strstr(r->out, "2/3 files"));
	assert_string_equal(r->err, "pcc prefetch: /t/b: Permission denied\n");

	fake_start(&f, prefetch_script);
	r = pcc(*state, "-s", f.path, "--json", "prefetch", dir, NULL);
	fake_stop(&f);
	assert_non_null(strstr(f.req[0], "\"jobs\":0"));
	assert_int_equal(r->status, PCC_EXIT_ERROR);
	assert_string_equal(r->err, "");
	assert_string_equal(r->out,
		"{\"files\":2,\"bytes\":2048,\"seconds\":0.5,\"already\":0,"
		"\"failed\":1,\"failures\":[{\"path\":\"/t/b\","
		"\"error\":\"Permission denied\",\"errno\":13}]}\n");
	doc = json_tokener_parse(r->out);
	assert_true(json_object_object_get_ex(doc, "failures", &v));
	json_object_put(doc);

	/* Counts that come with the totals are counts all the same. */
	fake_start(&f, prefetch_script_totals);
	r = pcc(*state, "-s", f.path, "prefetch", dir, NULL);
	fake_stop(&f);
	assert_int_equal(r->status, PCC_EXIT_OK);
	assert_true(!strncmp(r->out, "3/3 files, 3.0 KiB/3.0 KiB, ", 28));
	assert_non_null(strstr(r->out, "\nprefetched 3 files (3.0 KiB) in 0.5 s, "
			       "0 already cached, 0 failed\n"));
	remove_tree();
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_no_command, setup, teardown),
		cmocka_unit_test_setup_teardown(test_help, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_command, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_options, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cli_version, setup, teardown),
		cmocka_unit_test_setup_teardown(test_version_nothing_running, setup, teardown),
		cmocka_unit_test_setup_teardown(test_version_json_placement, setup, teardown),
		cmocka_unit_test_setup_teardown(test_version_module, setup, teardown),
		cmocka_unit_test_setup_teardown(test_version_stale_socket, setup, teardown),
		cmocka_unit_test_setup_teardown(test_help_every_command, setup, teardown),
		cmocka_unit_test_setup_teardown(test_usage_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_daemon, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_operands, setup, teardown),
		cmocka_unit_test_setup_teardown(test_add, setup, teardown),
		cmocka_unit_test_setup_teardown(test_add_writeback, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_daemon_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_del_clear, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list, setup, teardown),
		cmocka_unit_test_setup_teardown(test_attach, setup, teardown),
		cmocka_unit_test_setup_teardown(test_attach_batches, setup, teardown),
		cmocka_unit_test_setup_teardown(test_detach, setup, teardown),
		cmocka_unit_test(test_state_print),
		cmocka_unit_test_setup_teardown(test_state_not_pcc, setup, teardown),
		cmocka_unit_test(test_state_root),
		cmocka_unit_test_setup_teardown(test_prefetch_tty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stats, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stats_prometheus, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_stats_space, setup, teardown),
		cmocka_unit_test_setup_teardown(test_prefetch, setup, teardown),
	};
	int failed;

	if (!mkdtemp(tmpdir)) {
		perror(tmpdir);
		return 1;
	}
	snprintf(nosock, sizeof(nosock), "%s/none/pccd.sock", tmpdir);
	failed = cmocka_run_group_tests_name("cli", tests, NULL, NULL);
	rmdir(tmpdir);
	return failed ? 1 : 0;
}
