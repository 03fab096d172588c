// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_cli.c - pcc's argument handling and the version command, with the
 * module faked (fake_nl.c) and pccd absent or played by a bare socket.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cli.h"
#include "ctl.h"
#include "fake_nl.h"

static char tmpdir[] = "/tmp/pcc-test-cli.XXXXXX";
static char nosock[128];	/* a socket path where nothing is */

struct run {
	int status;
	char *out;
	char *err;
};

/* Run pcc with the NULL-terminated arguments after "pcc". */
static struct run *pcc(struct run *r, ...)
{
	char *argv[16] = { (char *)"pcc" };
	size_t olen, elen;
	FILE *out, *err;
	va_list ap;
	int argc = 1;

	va_start(ap, r);
	while ((argv[argc] = va_arg(ap, char *)))
		argc++;
	va_end(ap);
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
