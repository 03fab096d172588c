// SPDX-License-Identifier: GPL-2.0-only
/*
 * textfile.c - pccd's metrics file (textfile.h).
 *
 * The numbers are those of the stats command, got by running it as a
 * root client would, so the file and "pcc stats --prometheus" cannot
 * differ.  The file is written to a temporary name in its own directory
 * (one node_exporter does not read: it ends in random letters, not .prom),
 * synced and renamed over the file, so a scrape sees the old file or the
 * new one, never half of one.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "client.h"
#include "conf.h"
#include "log.h"
#include "metrics.h"
#include "pccd.h"
#include "textfile.h"

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* The stats reply, as complete as it can be had (NULL: no memory). */
static struct json_object *stats(struct pccd *d)
{
	struct pccd_client c = { .fd = -1, .uid = 0 };
	struct pccd_request r = { .d = d, .c = &c };
	int err;

	r.req = json_object_new_object();
	r.reply = json_object_new_object();
	if (!r.req || !r.reply ||
	    pccd_json_str(r.req, "cmd", "stats")) {
		json_object_put(r.req);
		json_object_put(r.reply);
		return NULL;
	}
	err = pccd_cmd_stats(&r);
	/*
	 * Without the module there are no counters to give: the file says
	 * so by having none, rather than keeping old ones.
	 */
	if (err)
		log_debug("metrics", "stats: %s",
			  c.errmsg[0] ? c.errmsg : strerror(-err));
	json_object_put(r.req);
	return r.reply;
}

/* Write the file at path atomically; 0 or a negative errno. */
static int write_atomically(const char *path, struct json_object *reply)
{
	const char *slash = strrchr(path, '/');
	char *tmp = NULL;
	FILE *fp = NULL;
	int fd, ret;

	/* conf.c made path absolute and not a directory: slash[1] is set. */
	if (asprintf(&tmp, "%.*s/.%s.XXXXXX", (int)(slash - path), path,
		     slash + 1) < 0)
		return -ENOMEM;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		free(tmp);
		return ret;
	}
	fp = fdopen(fd, "w");
	if (!fp) {
		ret = -errno;
		close(fd);
		goto out_unlink;
	}
	/* node_exporter runs as another user. */
	ret = pcc_metrics_print(fp, reply);
	if (!ret && (fchmod(fd, 0644) || fsync(fd)))
		ret = -errno;
	if (fclose(fp) && !ret)
		ret = -errno;
	if (!ret && rename(tmp, path))
		ret = -errno;
	if (!ret) {
		free(tmp);
		return 0;
	}
out_unlink:
	unlink(tmp);
	free(tmp);
	return ret;
}

void pccd_textfile_write(struct pccd *d, bool reload)
{
	const struct pcc_conf_metrics *mt = &d->conf->metrics;
	struct json_object *reply;
	int err;

	if (reload)
		d->textfile_err = 0;
	/* Numbers under a name no longer configured would never change. */
	if (d->textfile && (!mt->textfile || strcmp(d->textfile, mt->textfile))) {
		if (unlink(d->textfile) && errno != ENOENT)
			log_warn("metrics", "cannot remove %s", d->textfile);
		free(d->textfile);
		d->textfile = NULL;
	}
	if (!mt->textfile)
		return;
	d->textfile_next = now_ms() + 1000LL *
			   (mt->interval ? mt->interval :
			    PCC_DEFAULT_METRICS_INTERVAL);
	reply = stats(d);
	err = reply ? write_atomically(mt->textfile, reply) : -ENOMEM;
	json_object_put(reply);
	if (err) {
		if (!d->textfile_err)
			log_err_errno("metrics", err,
				      "cannot write %s (said once; trying again every %u s)",
				      mt->textfile, mt->interval);
		d->textfile_err = err;
		return;
	}
	if (d->textfile_err)
		log_info("metrics", "%s written again", mt->textfile);
	d->textfile_err = 0;
	if (!d->textfile) {
		d->textfile = strdup(mt->textfile);
		if (!d->textfile)	/* only its removal at exit is lost */
			log_warnx("metrics", "out of memory");
	}
}

int pccd_textfile_timeout(struct pccd *d)
{
	long long left;

	if (!d->conf || !d->conf->metrics.textfile)
		return -1;
	left = d->textfile_next - now_ms();
	return left < 0 ? 0 : left > 3600000 ? 3600000 : (int)left;
}

void pccd_textfile_stop(struct pccd *d)
{
	if (d->textfile && unlink(d->textfile) && errno != ENOENT)
		log_warn("metrics", "cannot remove %s", d->textfile);
	free(d->textfile);
	d->textfile = NULL;
}
