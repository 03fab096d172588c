// SPDX-License-Identifier: GPL-2.0-only
/*
 * fail.c - fault injection for the tests, as Lustre's fail_loc: write an id
 * of include/uapi/linux/pcc.h (PCC_FAIL_*) to
 * /sys/kernel/debug/pcc/fail_loc, and a value some ids use to fail_val.
 * With PCC_FAIL_ONCE the id fires once and disarms.  Root only (debugfs
 * files of mode 0600).  Costs one load of a global on the paths it hooks.
 */
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/fs.h>

#include "pcc.h"

static u32 pcc_fail_loc;
static u32 pcc_fail_val;
static struct dentry *pcc_debugfs;

int pcc_fail_init(void)
{
	/* Tests need it; the module works without it. */
	pcc_debugfs = debugfs_create_dir("pcc", NULL);
	debugfs_create_x32("fail_loc", 0600, pcc_debugfs, &pcc_fail_loc);
	debugfs_create_u32("fail_val", 0600, pcc_debugfs, &pcc_fail_val);
	return 0;
}

void pcc_fail_exit(void)
{
	debugfs_remove(pcc_debugfs);
}

/* Whether @id is armed now; a PCC_FAIL_ONCE id disarms as it fires. */
bool pcc_fail_check(u32 id)
{
	u32 loc = READ_ONCE(pcc_fail_loc);

	if (likely(!loc) || (loc & ~PCC_FAIL_ONCE) != id)
		return false;
	if (loc & PCC_FAIL_ONCE)
		return cmpxchg(&pcc_fail_loc, loc, 0) == loc;
	return true;
}

/*
 * If @id is armed, the error it injects: -fail_val if set, else @err;
 * 0 if not armed.
 */
int pcc_fail_error(u32 id, int err)
{
	u32 val;

	if (!pcc_fail_check(id))
		return 0;
	val = READ_ONCE(pcc_fail_val);
	return val ? -(int)val : err;
}

/* Sleep fail_val milliseconds if @id is armed. */
void pcc_fail_pause(u32 id)
{
	if (pcc_fail_check(id))
		msleep(READ_ONCE(pcc_fail_val));
}
