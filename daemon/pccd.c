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
#include <time.h>
#include <unistd.h>

#include "apply.h"
#include "client.h"
#include "conf.h"
#include "copy.h"
#include "ctl.h"
#include "events.h"
#include "kernel.h"
#include "log.h"
#include "nl.h"
#include "notify.h"
#include "opt.h"
#include "pccd.h"
#include "space.h"
#include "textfile.h"

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

void pccd_conf_seen(struct pccd *d)
{
	if (stat(d->conf_file, &d->conf_stat) < 0)
		memset(&d->conf_stat, 0, sizeof(d->conf_stat));
}

static void reload(struct pccd *d)
{
	char err[PCC_CONF_ERR_LEN], status[128];
	struct pcc_config *conf;
	unsigned int errors;

	pccd_notify("RELOADING=1");
	if (pcc_conf_load(d->conf_file, &conf, err, sizeof(err))) {
		log_errx("conf", "%s", err);
		log_warnx("conf", "keeping the configuration in force");
		pccd_notify("READY=1");
		return;
	}
	pccd_apply_removed(d, conf);
	pcc_conf_free(d->conf);
	d->conf = conf;
	pccd_conf_seen(d);
	errors = pccd_apply(d);
	pccd_events_open(d);
	log_info("conf", "reloaded %s: %zu mounts, %zu datasets, %u errors",
		 d->conf_file, pcc_conf_count_mounts(conf),
		 pcc_conf_count_datasets(conf), errors);
	snprintf(status, sizeof(status),
		 "READY=1\nSTATUS=serving; %u errors applying the configuration",
		 errors);
	pccd_notify(status);
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
			/* The metrics key may have changed; numbers may have. */
			pccd_textfile_write(d, true);
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
	char err[PCC_CONF_ERR_LEN], status[128];
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
	pccd_conf_seen(d);
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
	 * Mount and push the datasets before telling anyone we are ready.
	 * What a dead pccd's copies left in the datasets goes later, in
	 * space management's scan: walking every fan-out directory here
	 * would keep READY waiting (seconds at 100,000 copies), and the
	 * module never looks at those names.
	 */
	d->apply_errors = pccd_apply(d);
	pccd_events_open(d);
	pccd_apply_rearm(d);

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
	/* Threads only after daemon(): fork() keeps just the caller's. */
	ret = pccd_copy_engine_new(PCCD_COPY_WORKERS, NULL, &d->copy);
	if (ret) {
		log_err_errno("main", ret, "cannot start the copy workers");
		return PCCD_EXIT_OS;
	}
	ret = pccd_space_start(d);
	if (ret) {
		log_err_errno("main", ret, "cannot start space management");
		return PCCD_EXIT_OS;
	}
	/* After the space index: the first file shows the usage too. */
	pccd_textfile_write(d, false);
	log_info("main", "pccd %s serving %s; %u errors applying %s",
		 PACKAGE_VERSION, d->socket_path, d->apply_errors,
		 d->conf_file);
	snprintf(status, sizeof(status),
		 "READY=1\nSTATUS=serving; %u errors applying the configuration",
		 d->apply_errors);
	pccd_notify(status);
	return PCCD_EXIT_OK;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Progress messages of pending commands go out this often. */
#define TICK_MS		500

static int run(struct pccd *d)
{
	struct pollfd pfd[4 + PCCD_MAX_CLIENTS];
	int slot[4 + PCCD_MAX_CLIENTS];
	long long next_tick = now_ms() + TICK_MS;
	long long next_space = now_ms() + PCCD_SPACE_TICK_MS;
	int i, n, first, events_i, copy_i, timeout, t;

	while (!d->stop) {
		pfd[0] = (struct pollfd){ .fd = d->signal_fd, .events = POLLIN };
		pfd[1] = (struct pollfd){ .fd = d->listen_fd, .events = POLLIN };
		n = 2;
		events_i = copy_i = -1;
		if (d->events) {
			events_i = n;
			pfd[n++] = (struct pollfd){ .fd = pcc_nl_fd(d->events),
						    .events = POLLIN };
		}
		if (d->copy) {
			copy_i = n;
			pfd[n++] = (struct pollfd){ .fd = pccd_copy_fd(d->copy),
						    .events = POLLIN };
		}
		first = n;
		for (i = 0; i < PCCD_MAX_CLIENTS; i++) {
			if (d->clients[i].fd < 0)
				continue;
			/* A busy client is not read: only its hangup counts. */
			pfd[n] = (struct pollfd){ .fd = d->clients[i].fd,
				.events = d->clients[i].busy ? 0 : POLLIN };
			slot[n++] = i;
		}
		/* Space management's timer always runs; progress when asked. */
		timeout = next_space - now_ms();
		if (pccd_client_ticking(d) && next_tick - now_ms() < timeout)
			timeout = next_tick - now_ms();
		t = pccd_textfile_timeout(d);
		if (t >= 0 && t < timeout)
			timeout = t;
		if (timeout < 0)
			timeout = 0;
		if (poll(pfd, n, timeout) < 0) {
			if (errno == EINTR)
				continue;
			log_err("main", "poll");
			return PCCD_EXIT_OS;
		}
		if (pfd[0].revents)
			on_signal(d);
		if (events_i >= 0 && pfd[events_i].revents)
			pccd_events_read(d);
		if (copy_i >= 0 && pfd[copy_i].revents)
			pccd_copy_reap(d->copy);
		for (i = first; i < n; i++)
			if (pfd[i].revents)
				pccd_client_event(d, slot[i], pfd[i].revents);
		if (pfd[1].revents)
			pccd_client_accept(d);
		if (d->resync) {
			d->resync = false;
			pccd_apply(d);
		}
		if (now_ms() >= next_tick) {
			pccd_client_tick(d);
			next_tick = now_ms() + TICK_MS;
		}
		if (pccd_textfile_timeout(d) == 0)
			pccd_textfile_write(d, false);
		if (now_ms() >= next_space) {
			pccd_space_tick(d);
			next_space = now_ms() + PCCD_SPACE_TICK_MS;
		}
	}
	return PCCD_EXIT_OK;
}

static void stop(struct pccd *d)
{
	/*
	 * The datasets stay in the module: attached files go on being
	 * served, and a new pccd finds them in place.
	 */
	if (d->listen_fd >= 0) {
		pccd_notify("STOPPING=1");
		pccd_client_close_all(d);
		close(d->listen_fd);
		unlink(d->socket_path);
		pccd_textfile_stop(d);
		log_info("main", "stopped");
	}
	if (d->signal_fd >= 0)
		close(d->signal_fd);
	pccd_copy_engine_free(d->copy);
	pccd_space_stop(d);
	pccd_events_close(d);
	pccd_kernel_close(d);
	free(d->mounts);
	pcc_conf_free(d->conf);
	free(d->conf_file);
	free(d->socket_path);
}

int pccd_main(int argc, char *argv[])
{
	struct pccd d = { .listen_fd = -1, .signal_fd = -1 };
	int i, ret;

	for (i = 0; i < PCCD_MAX_CLIENTS; i++)
		d.clients[i].fd = -1;
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
