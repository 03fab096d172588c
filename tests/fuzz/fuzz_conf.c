// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_conf.c - libFuzzer target for the pcc.yaml loader (daemon/conf.c).
 *
 * The loader reads a named file, so each input is written to one
 * temporary file (in $TMPDIR, made once per process) and loaded.
 * Invariants: a rejected file has a message that starts with the file's
 * name; an accepted one has absolute paths, known modes and attach
 * policies, ordered watermarks.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[4096];

static void remove_file(void)
{
	unlink(path);
}

static void write_input(const uint8_t *data, size_t size)
{
	FILE *fp;
	int fd;

	if (!path[0]) {
		const char *dir = getenv("TMPDIR");

		snprintf(path, sizeof(path), "%s/fuzz_conf.XXXXXX",
			 dir ? dir : "/tmp");
		fd = mkstemp(path);
		if (fd < 0)
			abort();
		close(fd);
		atexit(remove_file);
	}
	fp = fopen(path, "w");
	if (!fp || fwrite(data, 1, size, fp) != size || fclose(fp))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[PCC_CONF_ERR_LEN];
	struct pcc_config *conf;
	const struct pcc_conf_mount *m;
	const struct pcc_conf_dataset *d;
	size_t n;
	int ret;

	write_input(data, size);
	ret = pcc_conf_load(path, &conf, err, sizeof(err));
	if (ret) {
		if (conf || strncmp(err, path, strlen(path)))
			abort();
		return 0;
	}
	/* What the daemon relies on in a loaded configuration. */
	n = 0;
	for (m = conf->mounts; m; m = m->next) {
		if (m->path[0] != '/' || m->lower[0] != '/')
			abort();
		for (d = m->datasets; d; d = d->next) {
			if (d->path[0] != '/' || !d->mode ||
			    (d->mode & ~PCC_MODE_RWRO) ||
			    (d->attach & ~PCC_ATTACH_ALL) ||
			    d->capacity_low >= d->capacity_high ||
			    !!d->rule != !!(d->flags & PCC_DS_HAS_RULE))
				abort();
			n++;
		}
	}
	if (n != pcc_conf_count_datasets(conf))
		abort();
	pcc_conf_free(conf);
	return 0;
}
