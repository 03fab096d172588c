// SPDX-License-Identifier: GPL-2.0-only
/* pccd: the daemon's logic is in libpccd.a (pccd.c). */
#include "config.h"

#include "pccd.h"

int main(int argc, char *argv[])
{
	return pccd_main(argc, argv);
}
