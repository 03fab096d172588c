// SPDX-License-Identifier: GPL-2.0-only
/*
 * pcc.c - global options and the command table.
 */
#include "config.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "opt.h"

static int help_main(struct pcc_cli *cli, int argc, char *argv[]);

static const struct pcc_command commands[] = {
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
	fprintf(fp, "\nOptions (also accepted after COMMAND):\n"
		"  -j, --json          print JSON instead of text\n"
		"  -p, --pretty        indent the JSON\n"
		"  -s, --socket PATH   pccd's control socket (default %s)\n"
		"  -h, --help          print this help and exit\n"
		"  -V, --version       print pcc's version and exit\n",
		PCC_CTL_SOCKET);
}

static void command_usage(FILE *fp, const struct pcc_command *cmd)
{
	fprintf(fp, "Usage: pcc [OPTIONS] %s%s\n", cmd->name, cmd->args);
}

/*
 * The options pcc takes before a command, and every command after its
 * name; cmd is NULL before.  Returns as pcc_cli_options() does.
 */
static int parse_options(struct pcc_cli *cli, int argc, char *argv[],
			 const struct pcc_command *cmd)
{
	/* --version first: after a command, options start at the second. */
	static const struct option longopts[] = {
		{ "version", no_argument,       NULL, 'V' },
		{ "json",    no_argument,       NULL, 'j' },
		{ "pretty",  no_argument,       NULL, 'p' },
		{ "socket",  required_argument, NULL, 's' },
		{ "help",    no_argument,       NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	optind = 0;	/* full getopt reset, for each command and each test */
	opterr = 0;
	while ((c = getopt_long(argc, argv, cmd ? "+:jps:h" : "+:jps:hV",
				cmd ? longopts + 1 : longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			cli->json = true;
			break;
		case 'p':
			cli->pretty = true;
			break;
		case 's':
			cli->socket_path = optarg;
			break;
		case 'h':
			if (cmd) {
				command_usage(cli->out, cmd);
				fprintf(cli->out, "%s.\n", cmd->summary);
			} else {
				usage(cli->out);
			}
			return 0;
		case 'V':
			fprintf(cli->out, "pcc %s\n", PACKAGE_VERSION);
			return 0;
		default:
			pcc_opt_error(cli->err, "pcc", c, argv);
			return -1;
		}
	}
	return optind;
}

int pcc_cli_options(struct pcc_cli *cli, int argc, char *argv[])
{
	return parse_options(cli, argc, argv, find_command(argv[0]));
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
	command_usage(cli->out, cmd);
	fprintf(cli->out, "%s.\n", cmd->summary);
	return PCC_EXIT_OK;
}

int pcc_cli_main(int argc, char *argv[], FILE *out, FILE *err)
{
	const char *env = getenv("PCC_SOCKET");
	struct pcc_cli cli = {
		.out = out,
		.err = err,
		.socket_path = env && *env ? env : PCC_CTL_SOCKET,
	};
	const struct pcc_command *cmd;
	int i, ret;

	i = parse_options(&cli, argc, argv, NULL);
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
	ret = cmd->fn(&cli, argc - i, argv + i);
	if (ret == PCC_EXIT_USAGE)
		command_usage(err, cmd);
	if (fflush(out) == EOF || ferror(out)) {
		fprintf(err, "pcc: cannot write the output\n");
		return PCC_EXIT_ERROR;
	}
	return ret;
}
