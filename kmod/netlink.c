// SPDX-License-Identifier: GPL-2.0-only
/*
 * netlink.c - the "pcc" generic netlink family: every attribute the module
 * reads or writes is handled here.  The contract is include/uapi/linux/pcc.h.
 */
#include <linux/module.h>
#include <linux/pcc.h>
#include <net/genetlink.h>

#include "pcc.h"

static const struct nla_policy pcc_policy[PCC_A_MAX + 1] = {
	[PCC_A_VERSION]		= { .type = NLA_NUL_STRING,
				    .len = PCC_VERSION_LEN - 1 },
	[PCC_A_GENL_VERSION]	= { .type = NLA_U32 },
};

static struct genl_family pcc_genl_family;

static int pcc_nl_get_version(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(nla_total_size(PCC_VERSION_LEN) +
			  nla_total_size(sizeof(u32)), GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	hdr = genlmsg_put_reply(msg, info, &pcc_genl_family, 0,
				PCC_CMD_GET_VERSION);
	if (!hdr)
		goto nospace;
	if (nla_put_string(msg, PCC_A_VERSION, PCC_VERSION) ||
	    nla_put_u32(msg, PCC_A_GENL_VERSION, PCC_GENL_VERSION))
		goto nospace;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

nospace:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

static const struct genl_small_ops pcc_genl_ops[] = {
	{
		/* Read-only and harmless: open to every user. */
		.cmd	= PCC_CMD_GET_VERSION,
		.doit	= pcc_nl_get_version,
	},
};

static struct genl_family pcc_genl_family __ro_after_init = {
	.name		= PCC_GENL_NAME,
	.version	= PCC_GENL_VERSION,
	.maxattr	= PCC_A_MAX,
	.policy		= pcc_policy,
	/* Handlers take their own locks; none waits on another message. */
	.parallel_ops	= true,
	.module		= THIS_MODULE,
	.small_ops	= pcc_genl_ops,
	.n_small_ops	= ARRAY_SIZE(pcc_genl_ops),
};

int __init pcc_netlink_init(void)
{
	return genl_register_family(&pcc_genl_family);
}

void pcc_netlink_exit(void)
{
	genl_unregister_family(&pcc_genl_family);
}

MODULE_ALIAS_GENL_FAMILY(PCC_GENL_NAME);
