// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_daemon.c - pccd's options, its request handler, and the whole
 * daemon in a child process: startup, serving pcc, SIGHUP, SIGTERM.
 * The module is faked (fake_nl.c).
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "cli.h"
#include "ctl.h"
#include "client.h"
#include "conf.h"
#include "fake_nl.h"
#include "kernel.h"
#include "pccd.h"

#define GOOD	PCC_TEST_DATA "/good-full.yaml"
#define BAD	PCC_TEST_DATA "/bad-mode.yaml"

static char tmpdir[] = "/tmp/pcc-test-daemon.XXXXXX";

static int parse(struct pccd_options *opt, char **err_text, ...)
{
	char *argv[16] = { (char *)"pccd" }, *out_text = NULL;
	size_t olen, elen;
	FILE *out, *err;
	va_list ap;
	int argc = 1, ret;

	va_start(ap, err_text);
	while ((argv[argc] = va_arg(ap, char *)))
		argc++;
	va_end(ap);
	out = open_memstream(&out_text, &olen);
	err = open_memstream(err_text, &elen);
	ret = pccd_parse_options(opt, argc, argv, out, err);
	fclose(out);
	fclose(err);
	free(out_text);
	return ret;
}

static void test_options(void **state)
{
	struct pccd_options opt;
	char *err = NULL;

	assert_int_equal(parse(&opt, &err, NULL), -1);
	assert_string_equal(opt.conf_file, PCC_CONF_FILE);
	assert_string_equal(opt.socket_path, PCC_CTL_SOCKET);
	assert_false(opt.foreground || opt.debug || opt.check_config);
	free(err);

	assert_int_equal(parse(&opt, &err, "-f", "-d", "-t", "-c", "/x.yaml",
			       "--socket=/y.sock", NULL), -1);
	assert_true(opt.foreground && opt.debug && opt.check_config);
	assert_string_equal(opt.conf_file, "/x.yaml");
	assert_string_equal(opt.socket_path, "/y.sock");
	free(err);

	assert_int_equal(parse(&opt, &err, "--help", NULL), PCCD_EXIT_OK);
	free(err);
	assert_int_equal(parse(&opt, &err, "-V", NULL), PCCD_EXIT_OK);
	free(err);

	assert_int_equal(parse(&opt, &err, "--frob", NULL), PCCD_EXIT_USAGE);
	assert_string_equal(err, "pccd: unknown option '--frob'\nTry 'pccd --help'.\n");
	free(err);
	assert_int_equal(parse(&opt, &err, "-c", NULL), PCCD_EXIT_USAGE);
	assert_string_equal(err, "pccd: option '-c' needs an argument\nTry 'pccd --help'.\n");
	free(err);
	assert_int_equal(parse(&opt, &err, "-f", "start", NULL), PCCD_EXIT_USAGE);
	assert_string_equal(err, "pccd: unexpected argument 'start'\nTry 'pccd --help'.\n");
	free(err);
	assert_int_equal(parse(&opt, &err, "-s", "", NULL), PCCD_EXIT_USAGE);
	free(err);
}

static struct json_object *handle(const char *request)
{
	struct pccd d = { .listen_fd = -1, .signal_fd = -1 };
	struct json_object *req = json_tokener_parse(request), *reply;
	struct pccd_client c = { .fd = -1, .uid = 0 };

	assert_non_null(req);
	reply = pccd_handle_request(&d, &c, req, NULL, 0);
	assert_non_null(reply);
	json_object_put(req);
	pccd_kernel_close(&d);
	return reply;
}

static void expect_reply(const char *request, const char *want)
{
	struct json_object *reply = handle(request);

	assert_string_equal(json_object_to_json_string_ext(reply,
				JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE),
			    want);
	json_object_put(reply);
}

static void test_requests(void **state)
{
	fake_nl_unloaded();
	expect_reply("{\"cmd\":\"version\"}",
		     "{\"version\":\"" PACKAGE_VERSION "\",\"module\":null,"
		     "\"module_error\":\"module not loaded\",\"module_errno\":2}");

	fake_nl_loaded("1.2.3", 1);
	expect_reply("{\"cmd\":\"version\",\"future\":[1]}",
		     "{\"version\":\"" PACKAGE_VERSION "\","
		     "\"module\":{\"version\":\"1.2.3\",\"genl_version\":1}}");

	/* The module was reloaded between two requests: one reconnect. */
	fake_nl_loaded("1.2.4", 1);
	fake_nl.get_err[0] = 0;		/* the connect's own check */
	fake_nl.get_err[1] = -ENOENT;	/* the stale family id */
	expect_reply("{\"cmd\":\"version\"}",
		     "{\"version\":\"" PACKAGE_VERSION "\","
		     "\"module\":{\"version\":\"1.2.4\",\"genl_version\":1}}");
	assert_int_equal(fake_nl.opens, 2);

	expect_reply("{\"cmd\":\"frob\"}",
		     "{\"error\":\"unknown command \\\"frob\\\"\",\"errno\":95}");
	expect_reply("{\"command\":\"version\"}",
		     "{\"error\":\"request without a \\\"cmd\\\" string\",\"errno\":22}");
	expect_reply("{\"cmd\":7}",
		     "{\"error\":\"request without a \\\"cmd\\\" string\",\"errno\":22}");
}

/* Run pccd_main() in a child; returns the child's pid. */
static pid_t spawn(const char *const args[])
{
	char *argv[16] = { (char *)"pccd" };
	int argc = 1;
	pid_t pid;

	while (args[argc - 1]) {
		argv[argc] = (char *)args[argc - 1];
		argc++;
	}
	argv[argc] = NULL;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(pccd_main(argc, argv));
	return pid;
}

static int wait_exit(pid_t pid)
{
	int status;

	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static void test_exit_codes(void **state)
{
	char sock[160];

	snprintf(sock, sizeof(sock), "%s/exit.sock", tmpdir);
	fake_nl_unloaded();
	assert_int_equal(wait_exit(spawn((const char *[]){ "-t", "-c", GOOD, NULL })),
			 PCCD_EXIT_OK);
	assert_int_equal(wait_exit(spawn((const char *[]){ "-t", "-c", BAD, NULL })),
			 PCCD_EXIT_CONFIG);
	/* -t touches nothing else: no socket. */
	assert_int_equal(wait_exit(spawn((const char *[]){ "-t", "-c", GOOD,
						      "-s", sock, NULL })),
			 PCCD_EXIT_OK);
	assert_int_equal(access(sock, F_OK), -1);

	assert_int_equal(wait_exit(spawn((const char *[]){ "-f", "-c", BAD,
						      "-s", sock, NULL })),
			 PCCD_EXIT_CONFIG);
	assert_int_equal(wait_exit(spawn((const char *[]){ "-f", "--bogus", NULL })),
			 PCCD_EXIT_USAGE);
	/* A socket where no directory can be made. */
	assert_int_equal(wait_exit(spawn((const char *[]){ "-f", "-c", GOOD,
						      "-s", "/dev/null/pccd.sock", NULL })),
			 PCCD_EXIT_OS);
}

/* pcc version through the daemon at sock, stdout in out[len]. */
static int pcc_version(const char *sock, char *out, size_t len)
{
	char *argv[] = { (char *)"pcc", (char *)"-s", (char *)sock,
			 (char *)"version", NULL };
	FILE *o = fmemopen(out, len, "w"), *e = fopen("/dev/null", "w");
	int ret;

	assert_non_null(o);
	assert_non_null(e);
	ret = pcc_cli_main(4, argv, o, e);
	fclose(o);
	fclose(e);
	return ret;
}

static void wait_for_socket(const char *sock)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	int fd, i;

	for (i = 0; i < 500; i++) {
		fd = pcc_ctl_connect(sock);
		if (fd >= 0) {
			close(fd);
			return;
		}
		nanosleep(&ts, NULL);
	}
	fail_msg("pccd did not come up on %s", sock);
}

static void test_daemon(void **state)
{
	char sock[160], out[512];
	pid_t pid;

	snprintf(sock, sizeof(sock), "%s/run/pcc/pccd.sock", tmpdir);
	fake_nl_loaded("4.5.6", 1);	/* the child inherits it */
	pid = spawn((const char *[]){ "-f", "-c", GOOD, "-s", sock, NULL });
	wait_for_socket(sock);

	assert_int_equal(pcc_version(sock, out, sizeof(out)), PCC_EXIT_OK);
	assert_string_equal(out, "pcc: " PACKAGE_VERSION "\n"
			    "pccd: " PACKAGE_VERSION "\n"
			    "module: 4.5.6 (netlink protocol 1)\n");

	/* A reload keeps it serving. */
	assert_int_equal(kill(pid, SIGHUP), 0);
	assert_int_equal(pcc_version(sock, out, sizeof(out)), PCC_EXIT_OK);
	assert_non_null(strstr(out, "pccd: " PACKAGE_VERSION "\n"));

	/* A second daemon on the same socket refuses to start. */
	assert_int_equal(wait_exit(spawn((const char *[]){ "-f", "-c", GOOD,
						      "-s", sock, NULL })),
			 PCCD_EXIT_OS);
	assert_int_equal(pcc_version(sock, out, sizeof(out)), PCC_EXIT_OK);

	assert_int_equal(kill(pid, SIGTERM), 0);
	assert_int_equal(wait_exit(pid), PCCD_EXIT_OK);
	assert_int_equal(access(sock, F_OK), -1);	/* cleaned up */
}

static void remove_tree(void)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/run/pcc", tmpdir);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/run", tmpdir);
	rmdir(path);
	rmdir(tmpdir);
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_requests),
		cmocka_unit_test(test_exit_codes),
		cmocka_unit_test(test_daemon),
	};
	int failed;

	if (!mkdtemp(tmpdir)) {
		perror(tmpdir);
		return 1;
	}
	failed = cmocka_run_group_tests_name("pccd", tests, NULL, NULL);
	remove_tree();
	return failed ? 1 : 0;
}
