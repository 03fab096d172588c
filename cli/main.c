// SPDX-License-Identifier: GPL-2.0-only
/* pcc: the command line is in libpcccli.a (pcc.c). */
#include "config.h"

#include <stdio.h>

#include "cli.h"

int main(int argc, char *argv[])
{
	return pcc_cli_main(argc, argv, stdout, stderr);
}
