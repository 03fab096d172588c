// SPDX-License-Identifier: GPL-2.0-only
/*
 * pccd.c - the daemon: command line, startup, the poll loop, signals.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "client.h"
#include "conf.h"
#include "ctl.h"
#include "kernel.h"
#include "log.h"
#include "notify.h"
#include "opt.h"
#include "pccd.h"

static void usage(FILE *fp)
{
	fprintf(fp,
		"Usage: pccd [OPTIONS]\n"
		"The persistent client cache daemon.\n"
		"\n"
		"  -f, --foreground      do not daemonize; log to stderr\n"
		"  -c, --config FILE     configuration file (default %s)\n"
		"  -s, --socket PATH     control socket (default %s)\n"
		"  -d, --debug           log debug messages too\n"
		"  -t, --check-config    check the configuration file and exit\n"
		"  -h, --help            print this help and exit\n"
		"  -V, --version         print the version and exit\n",
		PCC_CONF_FILE, PCC_CTL_SOCKET);
}

int pccd_parse_options(struct pccd_options *opt, int argc, char *argv[],
		       FILE *out, FILE *err)
{
	static const struct option longopts[] = {
		{ "foreground",   no_argument,       NULL, 'f' },
		{ "config",       required_argument, NULL, 'c' },
		{ "socket",       required_argument, NULL, 's' },
		{ "debug",        no_argument,       NULL, 'd' },
		{ "check-config", no_argument,       NULL, 't' },
		{ "help",         no_argument,       NULL, 'h' },
		{ "version",      no_argument,       NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	*opt = (struct pccd_options){
		.conf_file = PCC_CONF_FILE,
		.socket_path = PCC_CTL_SOCKET,
	};
	optind = 0;	/* full getopt reset: the tests parse many times */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:fc:s:dthV", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			opt->foreground = true;
			break;
		case 'c':
			opt->conf_file = optarg;
			break;
		case 's':
			opt->socket_path = optarg;
			break;
		case 'd':
			opt->debug = true;
			break;
		case 't':
			opt->check_config = true;
			break;
		case 'h':
			usage(out);
			return PCCD_EXIT_OK;
		case 'V':
			fprintf(out, "pccd %s\n", PACKAGE_VERSION);
			return PCCD_EXIT_OK;
		default:
			pcc_opt_error(err, "pccd", c, argv);
			fprintf(err, "Try 'pccd --help'.\n");
			return PCCD_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(err, "pccd: unexpected argument '%s'\nTry 'pccd --help'.\n",
			argv[optind]);
		return PCCD_EXIT_USAGE;
	}
	if (!*opt->socket_path || !*opt->conf_file) {
		fprintf(err, "pccd: empty path\nTry 'pccd --help'.\n");
		return PCCD_EXIT_USAGE;
	}
	return -1;
}

static int check_config(const char *file)
{
	char err[PCC_CONF_ERR_LEN];
	struct pcc_config *conf;

	if (pcc_conf_load(file, &conf, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return PCCD_EXIT_CONFIG;
	}
	pcc_conf_free(conf);
	printf("%s: ok\n", file);
	return PCCD_EXIT_OK;
}

/* pccd runs in /: keep what was given relative to where it was started. */
static char *absolute(const char *path)
{
	char cwd[4096], *abs;

	if (path[0] == '/')
		return strdup(path);
	if (!getcwd(cwd, sizeof(cwd)))
		return NULL;
	if (asprintf(&abs, "%s/%s", cwd, path) < 0)
		return NULL;
	return abs;
}

/* mkdir -p for the directory holding path (absolute), new ones mode 0755. */
static int make_parent_dirs(const char *path)
{
	char *dir, *p;
	int err = 0;

	dir = strdup(path);
	if (!dir)
		return -ENOMEM;
	*strrchr(dir, '/') = '\0';
	for (p = strchr(dir + 1, '/');; p = strchr(p + 1, '/')) {
		if (p)
			*p = '\0';
		if (*dir && mkdir(dir, 0755) < 0 && errno != EEXIST) {
			err = -errno;
			break;
		}
		if (!p)
			break;
		*p = '/';
	}
	free(dir);
	return err;
}

static void reload(struct pccd *d)
{
	char err[PCC_CONF_ERR_LEN];
	struct pcc_config *conf;

	pccd_notify("RELOADING=1");
	if (pcc_conf_load(d->conf_file, &conf, err, sizeof(err))) {
		log_errx("conf", "%s", err);
		log_warnx("conf", "keeping the configuration in force");
	} else {
		pcc_conf_free(d->conf);
		d->conf = conf;
		log_info("conf", "reloaded %s: %zu mounts, %zu datasets",
			 d->conf_file, pcc_conf_count_mounts(conf),
			 pcc_conf_count_datasets(conf));
	}
	pccd_notify("READY=1");
}

static int setup_signals(struct pccd *d)
{
	sigset_t mask;

	/* A CLI hanging up mid-reply must not kill the daemon. */
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
		return -errno;
	d->signal_fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	return d->signal_fd < 0 ? -errno : 0;
}

static void on_signal(struct pccd *d)
{
	struct signalfd_siginfo si;

	while (read(d->signal_fd, &si, sizeof(si)) == sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGHUP:
			log_info("main", "SIGHUP: reloading %s", d->conf_file);
			reload(d);
			break;
		default:
			log_info("main", "%s: stopping", strsignal(si.ssi_signo));
			d->stop = true;
			break;
		}
	}
}

static int start(struct pccd *d)
{
	char err[PCC_CONF_ERR_LEN];
	int ret;

	d->conf_file = absolute(d->opt.conf_file);
	d->socket_path = absolute(d->opt.socket_path);
	if (!d->conf_file || !d->socket_path) {
		log_err("main", "cannot resolve paths");
		return PCCD_EXIT_OS;
	}
	if (pcc_conf_load(d->conf_file, &d->conf, err, sizeof(err))) {
		log_errx("conf", "%s", err);
		return PCCD_EXIT_CONFIG;
	}
	log_info("conf", "%s: %zu mounts, %zu datasets", d->conf_file,
		 pcc_conf_count_mounts(d->conf),
		 pcc_conf_count_datasets(d->conf));

	if (pccd_kernel_connect(d) == -ENOENT)
		log_warnx("nl", "module pcc is not loaded; will ask again when needed");

	ret = setup_signals(d);
	if (ret) {
		log_err_errno("main", ret, "cannot set up signal handling");
		return PCCD_EXIT_OS;
	}
	ret = make_parent_dirs(d->socket_path);
	if (!ret)
		d->listen_fd = pcc_ctl_listen(d->socket_path);
	if (ret || d->listen_fd < 0) {
		ret = ret ? ret : d->listen_fd;
		if (ret == -EADDRINUSE)
			log_errx("ctl", "another pccd is serving %s", d->socket_path);
		else
			log_err_errno("ctl", ret, "cannot listen on %s",
				      d->socket_path);
		return PCCD_EXIT_OS;
	}

	/*
	 * Daemonize only now: every startup error above reached the
	 * terminal, and a CLI started once we return finds the socket.
	 */
	if (!d->opt.foreground) {
		if (daemon(0, 0) < 0) {
			log_err("main", "cannot daemonize");
			return PCCD_EXIT_OS;
		}
		log_to_syslog();
	}
	log_info("main", "pccd %s serving %s", PACKAGE_VERSION, d->socket_path);
	pccd_notify("READY=1\nSTATUS=serving");
	return PCCD_EXIT_OK;
}

static int run(struct pccd *d)
{
	struct pollfd pfd[2 + PCCD_MAX_CLIENTS];
	int slot[2 + PCCD_MAX_CLIENTS];
	int i, n;

	while (!d->stop) {
		pfd[0] = (struct pollfd){ .fd = d->signal_fd, .events = POLLIN };
		pfd[1] = (struct pollfd){ .fd = d->listen_fd, .events = POLLIN };
		n = 2;
		for (i = 0; i < PCCD_MAX_CLIENTS; i++) {
			if (d->clients[i] < 0)
				continue;
			pfd[n] = (struct pollfd){ .fd = d->clients[i], .events = POLLIN };
			slot[n++] = i;
		}
		if (poll(pfd, n, -1) < 0) {
			if (errno == EINTR)
				continue;
			log_err("main", "poll");
			return PCCD_EXIT_OS;
		}
		if (pfd[0].revents)
			on_signal(d);
		for (i = 2; i < n; i++)
			if (pfd[i].revents)
				pccd_client_event(d, slot[i], pfd[i].revents);
		if (pfd[1].revents)
			pccd_client_accept(d);
	}
	return PCCD_EXIT_OK;
}

static void stop(struct pccd *d)
{
	if (d->listen_fd >= 0) {
		pccd_notify("STOPPING=1");
		pccd_client_close_all(d);
		close(d->listen_fd);
		unlink(d->socket_path);
		log_info("main", "stopped");
	}
	if (d->signal_fd >= 0)
		close(d->signal_fd);
	pccd_kernel_close(d);
	pcc_conf_free(d->conf);
	free(d->conf_file);
	free(d->socket_path);
}

int pccd_main(int argc, char *argv[])
{
	struct pccd d = { .listen_fd = -1, .signal_fd = -1 };
	int i, ret;

	for (i = 0; i < PCCD_MAX_CLIENTS; i++)
		d.clients[i] = -1;
	ret = pccd_parse_options(&d.opt, argc, argv, stdout, stderr);
	if (ret >= 0)
		return ret;
	if (d.opt.check_config)
		return check_config(d.opt.conf_file);

	log_init("pccd", d.opt.debug);
	ret = start(&d);
	if (ret == PCCD_EXIT_OK)
		ret = run(&d);
	stop(&d);
	return ret;
}
