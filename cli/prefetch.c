// SPDX-License-Identifier: GPL-2.0-only
/*
 * prefetch.c - pcc prefetch: copy whole trees in through pccd, showing
 * its progress messages.  On a terminal one line redrawn in place; to a
 * file or a pipe a plain line at most once a second, so a log stays
 * readable.  Failures are named as they come and counted at the end.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cli.h"
#include "ctl.h"
#include "output.h"

#define PREFETCH_JOBS_MAX	1024
#define BAR_WIDTH		20

const struct pcc_cli_opt pcc_prefetch_opts[] = {
	{ "jobs", 'j', required_argument, "N",
	  "copy N files at a time (1 to 1024; default pccd's)" },
	{ NULL, 0, 0, NULL, NULL }
};

struct progress {
	struct pcc_cli *cli;
	bool tty;		/* redraw one line */
	bool quiet;		/* --json: no progress at all */
	bool have_total;
	bool shown;		/* a line is on the terminal, unended */
	bool printed;		/* a plain line was printed */
	uint64_t files_total, bytes_total;
	uint64_t files_done, bytes_done, files_failed;
	double start, last;
	struct json_object *failures;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void format_eta(double secs, char *buf, size_t len)
{
	unsigned long s = (unsigned long)(secs + 0.5);

	if (s >= 3600)
		snprintf(buf, len, "%lu:%02lu:%02lu", s / 3600, s / 60 % 60,
			 s % 60);
	else
		snprintf(buf, len, "%lu:%02lu", s / 60, s % 60);
}

/* "10/100 files, 1.0 MiB/10.0 MiB, 2.0 MiB/s, ETA 0:05, 1 failed" */
static void format_counts(const struct progress *p, char *buf, size_t len)
{
	char done[32], total[32], rate[32], eta[32] = "";
	double elapsed = now() - p->start, r;
	size_t n;

	pcc_human_bytes(p->bytes_done, done, sizeof(done));
	pcc_human_bytes(p->bytes_total, total, sizeof(total));
	r = elapsed > 0.001 ? (double)p->bytes_done / elapsed : 0;
	pcc_human_bytes((uint64_t)r, rate, sizeof(rate));
	if (p->have_total && r > 0 && p->bytes_total >= p->bytes_done)
		format_eta((double)(p->bytes_total - p->bytes_done) / r, eta,
			   sizeof(eta));
	if (p->have_total)
		n = (size_t)snprintf(buf, len, "%" PRIu64 "/%" PRIu64
				     " files, %s/%s, %s/s", p->files_done,
				     p->files_total, done, total, rate);
	else
		n = (size_t)snprintf(buf, len, "%" PRIu64 " files, %s, %s/s",
				     p->files_done, done, rate);
	if (*eta && n < len)
		n += (size_t)snprintf(buf + n, len - n, ", ETA %s", eta);
	if (p->files_failed && n < len)
		snprintf(buf + n, len - n, ", %" PRIu64 " failed",
			 p->files_failed);
}

static void draw(struct progress *p)
{
	char counts[256], bar[BAR_WIDTH + 1];
	unsigned int fill = 0;
	FILE *out = p->cli->out;

	format_counts(p, counts, sizeof(counts));
	if (!p->tty) {
		fprintf(out, "%s\n", counts);
		fflush(out);
		return;
	}
	if (p->have_total && p->bytes_total)
		fill = (unsigned int)((double)p->bytes_done * BAR_WIDTH /
				      (double)p->bytes_total);
	else if (p->have_total && p->files_total)
		fill = (unsigned int)(p->files_done * BAR_WIDTH /
				      p->files_total);
	if (fill > BAR_WIDTH)
		fill = BAR_WIDTH;
	memset(bar, '#', fill);
	memset(bar + fill, '.', BAR_WIDTH - fill);
	bar[BAR_WIDTH] = '\0';
	/* \033[K: a shorter line leaves nothing of the longer one. */
	fprintf(out, "\r[%s] %s\033[K", bar, counts);
	fflush(out);
	p->shown = true;
}

/* Leave the progress line before anything else is printed. */
static void end_line(struct progress *p)
{
	if (p->shown) {
		fputc('\n', p->cli->out);
		fflush(p->cli->out);
		p->shown = false;
	}
}

static void add_failure(struct progress *p, struct json_object *msg)
{
	const char *path = pcc_json_str(msg, "failed");
	const char *error = pcc_json_str(msg, "error") ?: "failed";
	int64_t num = (int64_t)pcc_json_u64(msg, "errno");
	struct json_object *f = json_object_new_object();

	/* Kept for --json; a failure lost to memory is still printed. */
	if (f && (json_object_object_add(f, "path",
					 json_object_new_string(path)) ||
		  json_object_object_add(f, "error",
					 json_object_new_string(error)) ||
		  json_object_object_add(f, "errno",
					 json_object_new_int64(num)) ||
		  json_object_array_add(p->failures, f)))
		json_object_put(f);
	if (p->quiet)
		return;
	end_line(p);
	pcc_cli_error(p->cli, "%s: %s", path, error);
	fflush(p->cli->err);
	if (p->tty)
		draw(p);
}

static void on_progress(struct json_object *msg, void *arg)
{
	struct progress *p = arg;
	uint64_t files, bytes, failed;
	double t;

	if (pcc_json_str(msg, "failed")) {
		add_failure(p, msg);
		return;
	}
	/* The scan's totals; pccd repeats them with the counts that follow. */
	if (pcc_json_get(msg, "files_total")) {
		p->files_total = pcc_json_u64(msg, "files_total");
		p->bytes_total = pcc_json_u64(msg, "bytes_total");
		p->have_total = true;
		if (!pcc_json_get(msg, "files_done")) {
			if (!p->quiet && p->tty)
				draw(p);
			return;
		}
	}
	if (!pcc_json_get(msg, "files_done"))
		return;		/* a kind this pcc does not know */
	files = pcc_json_u64(msg, "files_done");
	bytes = pcc_json_u64(msg, "bytes_done");
	failed = pcc_json_u64(msg, "files_failed");
	if (files == p->files_done && bytes == p->bytes_done &&
	    failed == p->files_failed)
		return;
	p->files_done = files;
	p->bytes_done = bytes;
	p->files_failed = failed;
	if (p->quiet)
		return;
	t = now();
	if (!p->tty && p->printed && t - p->last < 1.0)
		return;
	p->last = t;
	p->printed = true;
	draw(p);
}

static void print_summary(struct out *o, struct json_object *reply,
			  struct json_object *failures)
{
	struct json_object *sec = pcc_json_get(reply, "seconds");
	double seconds = sec ? json_object_get_double(sec) : 0;
	char human[32];
	size_t i, n;

	out_uint(o, OUT_ANY, "files", "prefetched %" PRIu64 " files",
		 pcc_json_u64(reply, "files"));
	pcc_human_bytes(pcc_json_u64(reply, "bytes"), human, sizeof(human));
	out_text(o, " (%s)", human);
	out_uint(o, OUT_JSON, "bytes", NULL, pcc_json_u64(reply, "bytes"));
	out_double(o, OUT_ANY, "seconds", " in %.1f s", seconds);
	out_uint(o, OUT_ANY, "already", ", %" PRIu64 " already cached",
		 pcc_json_u64(reply, "already"));
	out_uint(o, OUT_ANY, "failed", ", %" PRIu64 " failed\n",
		 pcc_json_u64(reply, "failed"));
	out_open_array(o, "failures");
	n = json_object_array_length(failures);
	for (i = 0; i < n; i++) {
		struct json_object *f = json_object_array_get_idx(failures, i);

		out_open_object(o, NULL);
		out_str(o, OUT_JSON, "path", NULL, pcc_json_str(f, "path"));
		out_str(o, OUT_JSON, "error", NULL, pcc_json_str(f, "error"));
		out_uint(o, OUT_JSON, "errno", NULL, pcc_json_u64(f, "errno"));
		out_close_object(o);
	}
	out_close_array(o);
}

int pcc_prefetch_main(struct pcc_cli *cli, int argc, char *argv[])
{
	struct json_object *req = NULL, *reply = NULL, *paths;
	struct progress p = { .cli = cli };
	int c, k, ret = PCC_EXIT_ERROR;
	const char *arg;
	uint32_t jobs = 0;
	struct out *o;
	char *abs;

	while ((c = pcc_cli_getopt(cli, argc, argv, &arg)) > 0) {
		if (!pcc_parse_u32(arg, 1, PREFETCH_JOBS_MAX, &jobs)) {
			pcc_cli_error(cli, "bad number of jobs '%s' (1 to %d)",
				      arg, PREFETCH_JOBS_MAX);
			return PCC_EXIT_USAGE;
		}
	}
	if (c < 0)
		return pcc_cli_opt_status(c);
	if (optind == argc) {
		pcc_cli_error(cli, "no PATH given");
		return PCC_EXIT_USAGE;
	}
	req = pcc_ctl_request("prefetch");
	paths = json_object_new_array();
	p.failures = json_object_new_array();
	if (!req || !p.failures || json_object_object_add(req, "paths", paths) ||
	    json_object_object_add(req, "jobs", json_object_new_int64(jobs))) {
		pcc_cli_error(cli, "%s", strerror(ENOMEM));
		goto out;
	}
	for (k = optind; k < argc; k++) {
		abs = pcc_cli_abspath(cli, argv[k], true);
		if (!abs)
			goto out;
		json_object_array_add(paths, json_object_new_string(abs));
		free(abs);
	}
	p.tty = isatty(fileno(cli->out)) == 1;
	p.quiet = cli->json;
	p.start = now();
	ret = pcc_cli_call(cli, req, NULL, 0, on_progress, &p, &reply, false);
	end_line(&p);
	if (ret)
		goto out;
	o = pcc_cli_out(cli, 0);
	if (!o) {
		ret = PCC_EXIT_ERROR;
		goto out;
	}
	print_summary(o, reply, p.failures);
	c = pcc_json_u64(reply, "failed") ||
	    json_object_array_length(p.failures) ? PCC_EXIT_ERROR : PCC_EXIT_OK;
	ret = pcc_cli_out_end(cli, o, c);
out:
	json_object_put(p.failures);
	json_object_put(reply);
	json_object_put(req);
	return ret;
}
