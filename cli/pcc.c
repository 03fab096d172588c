// SPDX-License-Identifier: GPL-2.0-only
/*
 * pcc.c - global options, the command table and the help made from it.
 */
#include "config.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "opt.h"

static int help_main(struct pcc_cli *cli, int argc, char *argv[]);

static const struct pcc_command commands[] = {
	{ "add", pcc_add_main, " MNT CACHEDIR [-p PARAMS] [KEY OPTIONS]",
	  "add a dataset: cache files of MNT in CACHEDIR", pcc_dataset_opts },
	{ "set", pcc_set_main, " MNT CACHEDIR -p PARAMS | KEY OPTIONS",
	  "change a dataset's rule or policies in place", pcc_dataset_opts },
	{ "del", pcc_del_main, " [-k] MNT CACHEDIR",
	  "remove a dataset and, without -k, its copies", pcc_del_opts },
	{ "clear", pcc_clear_main, " [-k] MNT",
	  "remove every dataset of a mount and, without -k, their copies",
	  pcc_del_opts },
	{ "list", pcc_list_main, " [MNT]",
	  "list the mounts and datasets with their policies and usage" },
	{ "attach", pcc_attach_main, " [-i ID] [-r|-w] FILE...",
	  "copy files into a dataset and serve them from there",
	  pcc_attach_opts },
	{ "detach", pcc_detach_main, " [-k] FILE...",
	  "stop serving files from their copies and, without -k, remove them",
	  pcc_detach_opts },
	{ "pin", pcc_pin_main, " [-i ID] FILE...",
	  "cache files (as attach) and keep their copies from eviction",
	  pcc_pin_opts },
	{ "unpin", pcc_unpin_main, " [-i ID] FILE...",
	  "let the copies of files be evicted again", pcc_pin_opts },
	{ "state", pcc_state_main, " FILE...",
	  "show whether files are cached, without caching them" },
	{ "stats", pcc_stats_main, " [--prometheus] [MNT]",
	  "show the module's counters per mount and the daemon's",
	  pcc_stats_opts },
	{ "prefetch", pcc_prefetch_main, " [-j N] PATH...",
	  "copy in every file under PATH, with progress", pcc_prefetch_opts },
	{ "help", help_main, " [COMMAND]", "show this help, or a command's" },
	{ "version", pcc_version_main, "",
	  "show the versions of pcc, pccd and the kernel module" },
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static const struct pcc_command *find_command(const char *name)
{
	size_t i;

	/* Exact names only: a prefix today is ambiguous tomorrow. */
	for (i = 0; i < N_COMMANDS; i++)
		if (!strcmp(name, commands[i].name))
			return &commands[i];
	return NULL;
}

static void usage(FILE *fp)
{
	size_t i;

	fprintf(fp, "Usage: pcc [OPTIONS] COMMAND [ARGUMENTS]\n"
		"Control the persistent client cache.\n\nCommands:\n");
	for (i = 0; i < N_COMMANDS; i++)
		fprintf(fp, "  %-10s %s\n", commands[i].name,
			commands[i].summary);
	fprintf(fp, "\nOptions (also accepted after COMMAND, where a command's own\n"
		"short option wins: -p is --param for add and set, -j --jobs for\n"
		"prefetch; --json and --pretty always work):\n"
		"  -j, --json          print JSON instead of text\n"
		"  -p, --pretty        indent the JSON\n"
		"  -s, --socket PATH   pccd's control socket (default %s)\n"
		"  -h, --help          print this help and exit\n"
		"  -V, --version       print pcc's version and exit\n"
		"\nExit status: 0 done, 1 bad usage, 2 failed, "
		"3 pccd is not running.\n"
		"'pcc help COMMAND' shows a command's options.\n",
		PCC_CTL_SOCKET);
}

static void command_usage(FILE *fp, const struct pcc_command *cmd)
{
	fprintf(fp, "Usage: pcc [OPTIONS] %s%s\n", cmd->name, cmd->args);
}

/* The usage, the summary and the options, from the table. */
static void command_help(FILE *fp, const struct pcc_command *cmd)
{
	const struct pcc_cli_opt *opt;
	char left[48];

	command_usage(fp, cmd);
	fprintf(fp, "%s.\n", cmd->summary);
	if (!cmd->opts)
		return;
	fprintf(fp, "\nOptions:\n");
	for (opt = cmd->opts; opt->name; opt++) {
		if (opt->val < 0x100)
			snprintf(left, sizeof(left), "-%c, --%s%s%s", opt->val,
				 opt->name, opt->arg ? " " : "",
				 opt->arg ? opt->arg : "");
		else
			snprintf(left, sizeof(left), "    --%s%s%s", opt->name,
				 opt->arg ? " " : "", opt->arg ? opt->arg : "");
		/* One too long for the column has its help below it. */
		if (strlen(left) > 22)
			fprintf(fp, "  %s\n  %-22s %s\n", left, "", opt->help);
		else
			fprintf(fp, "  %-22s %s\n", left, opt->help);
	}
}

/* Long-only values of the global options. */
enum {
	G_JSON = 0x101,
	G_PRETTY,
	G_SOCKET,
	G_HELP,
	G_VERSION,
};

static const struct {
	struct option lo;
	int letter;
} globals[] = {
	{ { "version", no_argument,       NULL, G_VERSION }, 'V' },
	{ { "json",    no_argument,       NULL, G_JSON },    'j' },
	{ { "pretty",  no_argument,       NULL, G_PRETTY },  'p' },
	{ { "socket",  required_argument, NULL, G_SOCKET },  's' },
	{ { "help",    no_argument,       NULL, G_HELP },    'h' },
};

static bool short_taken(const struct pcc_cli_opt *opts, int letter)
{
	for (; opts && opts->name; opts++)
		if (opts->val == letter)
			return true;
	return false;
}

static bool long_taken(const struct pcc_cli_opt *opts, const char *name)
{
	for (; opts && opts->name; opts++)
		if (!strcmp(opts->name, name))
			return true;
	return false;
}

/* optstring and longopts for cli->cmd (NULL: before the command). */
static void build_options(struct pcc_cli *cli)
{
	const struct pcc_cli_opt *opts = cli->cmd ? cli->cmd->opts : NULL;
	char *s = cli->optstring;
	size_t i, n = 0;

	/*
	 * Before the command, stop at its name ("+").  After it, permute,
	 * so options may follow operands as in "pcc add MNT DIR -p ...".
	 */
	if (!cli->cmd)
		*s++ = '+';
	*s++ = ':';
	for (; opts && opts->name && n < PCC_CLI_MAX_OPTS - 5; opts++) {
		if (opts->val < 0x100) {
			*s++ = (char)opts->val;
			if (opts->has_arg)
				*s++ = ':';
		}
		cli->longopts[n++] = (struct option){ opts->name,
			opts->has_arg, NULL, opts->val };
	}
	opts = cli->cmd ? cli->cmd->opts : NULL;
	/* --version before the command only. */
	for (i = cli->cmd ? 1 : 0; i < sizeof(globals) / sizeof(globals[0]);
	     i++) {
		if (!short_taken(opts, globals[i].letter)) {
			*s++ = (char)globals[i].letter;
			if (globals[i].lo.has_arg)
				*s++ = ':';
		}
		if (!long_taken(opts, globals[i].lo.name))
			cli->longopts[n++] = globals[i].lo;
	}
	*s = '\0';
	cli->longopts[n] = (struct option){ NULL, 0, NULL, 0 };
}

int pcc_cli_getopt(struct pcc_cli *cli, int argc, char *argv[],
		   const char **arg)
{
	const struct pcc_cli_opt *opts = cli->cmd ? cli->cmd->opts : NULL;
	int c;

	if (!cli->opt_started) {
		build_options(cli);
		/* A full getopt reset, for each command and each test. */
		optind = 0;
		opterr = 0;
		cli->opt_started = true;
	}
	for (;;) {
		c = getopt_long(argc, argv, cli->optstring, cli->longopts,
				NULL);
		if (c == -1) {
			cli->opt_started = false;
			return 0;
		}
		if (c != '?' && c != ':' &&
		    (short_taken(opts, c) || c >= 0x200)) {
			*arg = optarg;
			return c;
		}
		switch (c) {
		case 'j':
		case G_JSON:
			cli->json = true;
			break;
		case 'p':
		case G_PRETTY:
			cli->pretty = true;
			break;
		case 's':
		case G_SOCKET:
			cli->socket_path = optarg;
			break;
		case 'h':
		case G_HELP:
			if (cli->cmd)
				command_help(cli->out, cli->cmd);
			else
				usage(cli->out);
			cli->opt_started = false;
			return PCC_OPT_DONE;
		case 'V':
		case G_VERSION:
			fprintf(cli->out, "pcc %s\n", PACKAGE_VERSION);
			cli->opt_started = false;
			return PCC_OPT_DONE;
		default:
			pcc_opt_error(cli->err, "pcc", c, argv);
			cli->opt_started = false;
			return PCC_OPT_BAD;
		}
	}
}

int pcc_cli_options(struct pcc_cli *cli, int argc, char *argv[])
{
	const char *arg;
	int c = pcc_cli_getopt(cli, argc, argv, &arg);

	if (c > 0) {	/* the command has options but did not parse them */
		cli->opt_started = false;
		return -1;
	}
	if (c < 0)
		return c == PCC_OPT_DONE ? 0 : -1;
	return optind;
}

static int help_main(struct pcc_cli *cli, int argc, char *argv[])
{
	const struct pcc_command *cmd;
	int i = pcc_cli_options(cli, argc, argv);

	if (i <= 0)
		return i ? PCC_EXIT_USAGE : PCC_EXIT_OK;
	if (i == argc) {
		usage(cli->out);
		return PCC_EXIT_OK;
	}
	if (i + 1 < argc) {
		fprintf(cli->err, "pcc help: one command at a time\n");
		return PCC_EXIT_USAGE;
	}
	cmd = find_command(argv[i]);
	if (!cmd) {
		fprintf(cli->err, "pcc: unknown command '%s'\n", argv[i]);
		return PCC_EXIT_USAGE;
	}
	command_help(cli->out, cmd);
	return PCC_EXIT_OK;
}

int pcc_cli_main(int argc, char *argv[], FILE *out, FILE *err)
{
	const char *env = getenv("PCC_SOCKET");
	struct pcc_cli cli = {
		.out = out,
		.err = err,
		.socket_path = env && *env ? env : PCC_CTL_SOCKET,
		.ctl = -1,
	};
	const struct pcc_command *cmd;
	int i, ret;

	i = pcc_cli_options(&cli, argc, argv);
	if (i < 0)
		fprintf(err, "Try 'pcc help'.\n");
	if (i <= 0)
		return i ? PCC_EXIT_USAGE : PCC_EXIT_OK;
	if (i == argc) {
		usage(err);
		return PCC_EXIT_USAGE;
	}
	cmd = find_command(argv[i]);
	if (!cmd) {
		fprintf(err, "pcc: unknown command '%s'\nTry 'pcc help'.\n",
			argv[i]);
		return PCC_EXIT_USAGE;
	}
	cli.cmd = cmd;
	ret = cmd->fn(&cli, argc - i, argv + i);
	if (ret == PCC_EXIT_USAGE)
		command_usage(err, cmd);
	if (cli.ctl >= 0)
		close(cli.ctl);
	if (fflush(out) == EOF || ferror(out)) {
		fprintf(err, "pcc: cannot write the output\n");
		return PCC_EXIT_ERROR;
	}
	return ret;
}
