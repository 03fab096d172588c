// SPDX-License-Identifier: GPL-2.0-only
/*
 * netlink.c - the "pcc" generic netlink family: every attribute the module
 * reads or writes is handled here.  The contract is include/uapi/linux/pcc.h.
 *
 * Each command has its own policy listing only the attributes it takes, so
 * generic netlink's strict validation (resv_start_op 0) rejects any other
 * before the handler runs; the handlers check what a policy cannot say
 * (required attributes, combinations) and fail before changing anything.
 * A handler holds the mount registry's lock from naming the mount to its
 * reply, so the mount cannot go meanwhile; a path naming it is resolved
 * before.
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/dcache.h>
#include <linux/module.h>
#include <linux/namei.h>
#include <linux/pcc.h>
#include <linux/ratelimit.h>
#include <linux/slab.h>
#include <net/genetlink.h>

#include "pcc.h"

/*
 * Ranges of numbers are checked by the handlers, not by the policy: a
 * policy's range gives -ERANGE, and the contract says -EINVAL.
 */
#define PCC_POLICY_ID	{ .type = NLA_U32 }
#define PCC_POLICY_PATH	{ .type = NLA_NUL_STRING, .len = PCC_PATH_MAX - 1 }
#define PCC_POLICY_MOUNT				\
	[PCC_A_MOUNT_ID]	= PCC_POLICY_ID,	\
	[PCC_A_MOUNT_PATH]	= PCC_POLICY_PATH

static const struct nla_policy pcc_expr_policy[PCC_EXPR_A_MAX + 1] = {
	[PCC_EXPR_A_FIELD]	= { .type = NLA_U32 },
	[PCC_EXPR_A_OP]		= { .type = NLA_U32 },
	[PCC_EXPR_A_NUM]	= { .type = NLA_U64 },
	[PCC_EXPR_A_GLOB]	= { .type = NLA_NUL_STRING,
				    .len = PCC_RULE_GLOB_MAX - 1 },
};

static const struct nla_policy pcc_term_policy[PCC_TERM_A_MAX + 1] = {
	[PCC_TERM_A_EXPR]	= NLA_POLICY_NESTED(pcc_expr_policy),
};

static const struct nla_policy pcc_rule_policy[PCC_RULE_A_MAX + 1] = {
	[PCC_RULE_A_TERM]	= NLA_POLICY_NESTED(pcc_term_policy),
};

#define PCC_POLICY_RULE						\
	[PCC_A_DS_RULE]		= NLA_POLICY_NESTED(pcc_rule_policy),	\
	[PCC_A_DS_RULE_TEXT]	= { .type = NLA_NUL_STRING,		\
				    .len = PCC_RULE_TEXT_MAX - 1 },	\
	[PCC_A_DS_ATTACH]	= NLA_POLICY_MASK(NLA_U32, PCC_DS_ATTACH_ALL)

/* Not const: 6.1's struct nla_policy points to a writable one. */
static struct netlink_range_validation pcc_wb_interval_range = {
	.min = 1,
	.max = PCC_DS_WB_INTERVAL_MAX,
};

#define PCC_POLICY_WRITEBACK						\
	[PCC_A_DS_WRITEBACK]	= NLA_POLICY_MAX(NLA_U32, PCC_DS_WB_LAZY),	\
	[PCC_A_DS_WB_INTERVAL]	= NLA_POLICY_FULL_RANGE(NLA_U32,	\
							&pcc_wb_interval_range)

static const struct nla_policy pcc_version_policy[PCC_A_MAX + 1] = {
	[PCC_A_VERSION]		= { .type = NLA_NUL_STRING,
				    .len = PCC_VERSION_LEN - 1 },
	[PCC_A_GENL_VERSION]	= { .type = NLA_U32 },
};

/* MOUNT_GET, DATASET_CLEAR and DATASET_GET name a mount and no more. */
static const struct nla_policy pcc_mount_policy[PCC_A_MAX + 1] = {
	PCC_POLICY_MOUNT,
};

static const struct nla_policy pcc_ds_add_policy[PCC_A_MAX + 1] = {
	PCC_POLICY_MOUNT,
	[PCC_A_DS_ID]		= PCC_POLICY_ID,
	[PCC_A_DS_PATH]		= PCC_POLICY_PATH,
	[PCC_A_DS_MODE]		= NLA_POLICY_MASK(NLA_U32, PCC_DS_MODE_RO |
						  PCC_DS_MODE_RW),
	PCC_POLICY_RULE,
	PCC_POLICY_WRITEBACK,
};

static const struct nla_policy pcc_ds_del_policy[PCC_A_MAX + 1] = {
	PCC_POLICY_MOUNT,
	[PCC_A_DS_ID]		= PCC_POLICY_ID,
};

static const struct nla_policy pcc_ds_set_policy[PCC_A_MAX + 1] = {
	PCC_POLICY_MOUNT,
	[PCC_A_DS_ID]		= PCC_POLICY_ID,
	PCC_POLICY_RULE,
	PCC_POLICY_WRITEBACK,
};

/* The handle's length is checked by the handler: a policy's gives -ERANGE. */
static const struct nla_policy pcc_evict_policy[PCC_A_MAX + 1] = {
	PCC_POLICY_MOUNT,
	[PCC_A_DS_ID]		= PCC_POLICY_ID,
	[PCC_A_FH_TYPE]		= { .type = NLA_U32 },
	[PCC_A_FH]		= { .type = NLA_BINARY },
};

static struct genl_family pcc_genl_family;

enum pcc_mcgrp {
	PCC_MCGRP_EVENTS,
};

static const struct genl_multicast_group pcc_mcgrps[] = {
	/* Events name files and paths: admins only. */
	[PCC_MCGRP_EVENTS] = { .name = PCC_GENL_MCGRP_EVENTS,
			       .flags = PCC_GENL_MCAST_ADMIN },
};

/*
 * A required attribute: the extended ack names its type, and says so in
 * words too.
 */
#define PCC_NL_REQUIRE(info, attr, msg) ({			\
	struct genl_info *pcc__info = (info);			\
	bool pcc__missing = GENL_REQ_ATTR_CHECK(pcc__info, attr); \
								\
	if (pcc__missing)					\
		GENL_SET_ERR_MSG(pcc__info, msg);		\
	pcc__missing;						\
})

/*
 * Generic netlink's GENL_ADMIN_PERM asked for CAP_NET_ADMIN already; the
 * contract asks for CAP_SYS_ADMIN too, as for mounting.
 */
static int pcc_nl_admin(struct sk_buff *skb, struct netlink_ext_ack *extack)
{
	if (netlink_capable(skb, CAP_SYS_ADMIN))
		return 0;
	NL_SET_ERR_MSG(extack, "CAP_SYS_ADMIN is needed");
	return -EPERM;
}

/* The required PCC_A_DS_ID, 1..PCC_DS_ID_MAX. */
static int pcc_nl_ds_id(struct genl_info *info, u32 *id)
{
	struct nlattr *nla = info->attrs[PCC_A_DS_ID];

	if (PCC_NL_REQUIRE(info, PCC_A_DS_ID, "PCC_A_DS_ID is required"))
		return -EINVAL;
	*id = nla_get_u32(nla);
	if (!*id || *id > PCC_DS_ID_MAX) {
		NL_SET_ERR_MSG_ATTR(info->extack, nla,
				    "dataset id out of range");
		return -EINVAL;
	}
	return 0;
}

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

/*
 * A mount named by path is looked up first, without the registry's lock:
 * a lookup may wait on the lower (an NFS server) and must not hold up the
 * other requests and umount.  The reference keeps the mount until the
 * request ends.  @path stays empty when the mount is named otherwise.
 */
static int pcc_nl_mount_path(struct nlattr **attrs, struct path *path,
			     struct netlink_ext_ack *extack)
{
	struct nlattr *name = attrs[PCC_A_MOUNT_PATH];
	int ret;

	*path = (struct path){};
	if (!name || attrs[PCC_A_MOUNT_ID])
		return 0;	/* pcc_nl_mount() says what is wrong */
	ret = kern_path(nla_data(name), LOOKUP_FOLLOW, path);
	if (ret)
		NL_SET_ERR_MSG_ATTR(extack, name,
				    "cannot resolve the mount path");
	return ret;
}

/*
 * The mount a request names, by id or by the path pcc_nl_mount_path()
 * resolved.  pcc_mounts_lock() held: the superblock stays until it is
 * released.
 */
static struct super_block *pcc_nl_mount(struct nlattr **attrs,
					const struct path *path,
					struct netlink_ext_ack *extack)
{
	struct nlattr *id = attrs[PCC_A_MOUNT_ID];
	struct nlattr *name = attrs[PCC_A_MOUNT_PATH];
	struct super_block *sb;

	if (id && name) {
		NL_SET_ERR_MSG_ATTR(extack, name,
				    "name the mount by id or by path, not both");
		return ERR_PTR(-EINVAL);
	}
	if (id) {
		if (!nla_get_u32(id) || nla_get_u32(id) > PCC_DS_ID_MAX) {
			NL_SET_ERR_MSG_ATTR(extack, id, "mount id out of range");
			return ERR_PTR(-EINVAL);
		}
		sb = pcc_mount_find(nla_get_u32(id));
		if (!sb) {
			NL_SET_ERR_MSG_ATTR(extack, id, "no pcc mount has this id");
			return ERR_PTR(-ENOENT);
		}
		return sb;
	}
	if (!name || !path->mnt) {
		NL_SET_ERR_MSG(extack,
			       "no mount named (PCC_A_MOUNT_ID or PCC_A_MOUNT_PATH)");
		return ERR_PTR(-EINVAL);
	}
	sb = path->mnt->mnt_sb;
	if (!pcc_is_pcc_sb(sb) || pcc_mount_find(pcc_super(sb)->id) != sb) {
		NL_SET_ERR_MSG_ATTR(extack, name, "the path is not on a pcc mount");
		return ERR_PTR(-EINVAL);
	}
	return sb;
}

static int pcc_nl_put_stats(struct sk_buff *msg, struct pcc_super *super)
{
	struct nlattr *nest;
	int i;

	nest = nla_nest_start(msg, PCC_A_STATS);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < PCC_STAT_COUNT; i++)
		if (nla_put_u64_64bit(msg, i + 1,
				      atomic64_read(&super->stats[i]),
				      PCC_STATS_A_PAD))
			goto cancel;
	nla_nest_end(msg, nest);
	return 0;

cancel:
	nla_nest_cancel(msg, nest);
	return -EMSGSIZE;
}

static size_t pcc_mount_msg_size(void)
{
	/* id, generation, datasets, attached; lower; stats */
	return nla_total_size(sizeof(u32)) * 4 +
	       nla_total_size(PATH_MAX) +
	       nla_total_size(0) +
	       nla_total_size_64bit(sizeof(u64)) * PCC_STAT_COUNT;
}

/* One MOUNT_GET message; @buf holds PATH_MAX bytes. */
static int pcc_nl_put_mount(struct sk_buff *msg, struct super_block *sb,
			    u32 portid, u32 seq, int flags, char *buf)
{
	struct pcc_super *super = pcc_super(sb);
	struct pcc_dataset *ds;
	u32 datasets = 0;
	char *lower;
	void *hdr;

	hdr = genlmsg_put(msg, portid, seq, &pcc_genl_family, flags,
			  PCC_CMD_MOUNT_GET);
	if (!hdr)
		return -EMSGSIZE;
	lower = d_path(&PCC_SB(sb)->lower, buf, PATH_MAX);
	if (IS_ERR(lower))
		lower = "";
	down_read(&super->rw_sem);
	list_for_each_entry(ds, &super->datasets, list)
		datasets++;
	up_read(&super->rw_sem);
	if (nla_put_u32(msg, PCC_A_MOUNT_ID, super->id) ||
	    nla_put_string(msg, PCC_A_MOUNT_LOWER, lower) ||
	    nla_put_u32(msg, PCC_A_MOUNT_GEN, READ_ONCE(super->generation)) ||
	    nla_put_u32(msg, PCC_A_MOUNT_DATASETS, datasets) ||
	    nla_put_u32(msg, PCC_A_MOUNT_ATTACHED,
			READ_ONCE(super->nr_attached)) ||
	    pcc_nl_put_stats(msg, super)) {
		genlmsg_cancel(msg, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return 0;
}

static int pcc_nl_mount_get(struct sk_buff *skb, struct genl_info *info)
{
	struct path path = {};
	struct super_block *sb;
	struct sk_buff *msg;
	char *buf;
	int ret;

	buf = kmalloc(PATH_MAX, GFP_KERNEL);
	msg = genlmsg_new(pcc_mount_msg_size(), GFP_KERNEL);
	if (!buf || !msg) {
		ret = -ENOMEM;
		goto out;
	}
	ret = pcc_nl_mount_path(info->attrs, &path, info->extack);
	if (ret)
		goto out;
	pcc_mounts_lock();
	sb = pcc_nl_mount(info->attrs, &path, info->extack);
	if (IS_ERR(sb))
		ret = PTR_ERR(sb);
	else
		ret = pcc_nl_put_mount(msg, sb, info->snd_portid,
				       info->snd_seq, 0, buf);
	pcc_mounts_unlock();
	if (!ret) {
		ret = genlmsg_reply(msg, info);
		msg = NULL;
	}
out:
	path_put(&path);
	nlmsg_free(msg);
	kfree(buf);
	return ret;
}

/*
 * Checks of a dump request are made in its first dumpit call, not in
 * ->start: 6.1 gives ->start no extended ack, dumpit's error goes into
 * NLMSG_DONE with its message.  cb->args[2] says they were made.
 */
#define PCC_DUMP_CHECKED	2

/* A dump of every mount takes no attribute. */
static int pcc_nl_mount_dump_check(struct netlink_callback *cb)
{
	struct nlattr **attrs = pcc_genl_dump_attrs(cb);
	int i;

	for (i = 0; attrs && i <= PCC_A_MAX; i++) {
		if (attrs[i]) {
			NL_SET_ERR_MSG_ATTR(cb->extack, attrs[i],
					    "a dump of the mounts takes no attribute");
			return -EINVAL;
		}
	}
	cb->args[PCC_DUMP_CHECKED] = 1;
	return 0;
}

/* cb->args[0]: the id of the last mount sent. */
static int pcc_nl_mount_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct super_block *sb;
	int ret = 0;
	char *buf;

	if (!cb->args[PCC_DUMP_CHECKED]) {
		ret = pcc_nl_mount_dump_check(cb);
		if (ret)
			return ret;
	}
	buf = kmalloc(PATH_MAX, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	pcc_mounts_lock();
	while ((sb = pcc_mount_next(cb->args[0]))) {
		ret = pcc_nl_put_mount(skb, sb, NETLINK_CB(cb->skb).portid,
				       cb->nlh->nlmsg_seq, NLM_F_MULTI, buf);
		if (ret)
			break;
		cb->args[0] = pcc_super(sb)->id;
	}
	pcc_mounts_unlock();
	kfree(buf);
	/* A mount alone too big for a message would end the dump early. */
	if (ret && !skb->len)
		return ret;
	return skb->len;
}

/*
 * The write-back policy of a dataset being added or set: only read-write
 * copies are written back, so only a dataset that may hold them has one.
 */
static int pcc_nl_ds_writeback(struct nlattr **attrs, struct pcc_dataset *ds,
			       struct netlink_ext_ack *extack)
{
	struct nlattr *wb = attrs[PCC_A_DS_WRITEBACK];
	struct nlattr *interval = attrs[PCC_A_DS_WB_INTERVAL];

	if ((wb || interval) && !(ds->mode & PCC_DS_MODE_RW)) {
		NL_SET_ERR_MSG_ATTR(extack, wb ? wb : interval,
				    "a write-back policy needs a dataset of read-write copies (PCC_DS_MODE_RW)");
		return -EINVAL;
	}
	if (wb)
		ds->writeback = nla_get_u32(wb);
	if (interval)
		ds->wb_interval = nla_get_u32(interval);
	return 0;
}

static int pcc_nl_ds_add(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **attrs = info->attrs;
	struct netlink_ext_ack *extack = info->extack;
	struct path mpath = {};
	struct pcc_dataset *ds;
	struct super_block *sb;
	const char *path;
	u32 id;
	int ret;

	ret = pcc_nl_admin(skb, extack);
	if (ret)
		return ret;
	ret = pcc_nl_ds_id(info, &id);
	if (ret)
		return ret;
	if (PCC_NL_REQUIRE(info, PCC_A_DS_PATH, "PCC_A_DS_PATH is required"))
		return -EINVAL;
	path = nla_data(attrs[PCC_A_DS_PATH]);
	if (path[0] != '/') {
		NL_SET_ERR_MSG_ATTR(extack, attrs[PCC_A_DS_PATH],
				    "the dataset path must be absolute");
		return -EINVAL;
	}

	ds = kzalloc(sizeof(*ds), GFP_KERNEL);
	if (!ds)
		return -ENOMEM;
	INIT_LIST_HEAD(&ds->list);
	ds->id = id;
	ds->mode = PCC_DS_MODE_RO;
	if (attrs[PCC_A_DS_MODE])
		ds->mode = nla_get_u32(attrs[PCC_A_DS_MODE]);
	ds->attach = PCC_DS_ATTACH_ALL;
	ds->writeback = PCC_DS_WB_CLOSE;
	ds->wb_interval = PCC_DS_WB_INTERVAL_DEFAULT;
	if (attrs[PCC_A_DS_ATTACH])
		ds->attach = nla_get_u32(attrs[PCC_A_DS_ATTACH]);
	if (!ds->mode) {
		NL_SET_ERR_MSG_ATTR(extack, attrs[PCC_A_DS_MODE],
				    "the dataset needs a mode");
		ret = -EINVAL;
		goto err;
	}
	ret = pcc_nl_ds_writeback(attrs, ds, extack);
	if (ret)
		goto err;
	if (attrs[PCC_A_DS_RULE]) {
		ret = pcc_rule_compile(attrs[PCC_A_DS_RULE], &ds->rule, extack);
		if (ret)
			goto err;
	}
	ds->path_text = kstrdup(path, GFP_KERNEL);
	if (attrs[PCC_A_DS_RULE_TEXT])
		ds->rule_text = nla_strdup(attrs[PCC_A_DS_RULE_TEXT],
					   GFP_KERNEL);
	if (!ds->path_text ||
	    (attrs[PCC_A_DS_RULE_TEXT] && !ds->rule_text)) {
		ret = -ENOMEM;
		goto err;
	}
	/* Resolved before the registry's lock: a lookup may be slow. */
	ret = kern_path(path, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &ds->root);
	if (ret) {
		NL_SET_ERR_MSG_ATTR(extack, attrs[PCC_A_DS_PATH],
				    "cannot resolve the dataset directory");
		goto err;
	}
	/* Copies read through pcc would recurse into the cache. */
	if (pcc_is_pcc_sb(ds->root.mnt->mnt_sb)) {
		NL_SET_ERR_MSG_ATTR(extack, attrs[PCC_A_DS_PATH],
				    "a dataset cannot be on a pcc mount");
		ret = -EINVAL;
		goto err;
	}

	ret = pcc_nl_mount_path(attrs, &mpath, extack);
	if (ret)
		goto err;
	pcc_mounts_lock();
	sb = pcc_nl_mount(attrs, &mpath, extack);
	if (IS_ERR(sb))
		ret = PTR_ERR(sb);
	else
		ret = pcc_dataset_add(pcc_super(sb), ds, extack);
	pcc_mounts_unlock();
	path_put(&mpath);
	if (ret)
		goto err;
	return 0;

err:
	pcc_dataset_free(ds);
	return ret;
}

/*
 * Detach the files of a deleted dataset (0: of all) of @sb, found under
 * the registry's lock, and drop the lock: detaching waits for I/O on the
 * copies, and must hold up neither other requests nor an umount.  The
 * superblock is pinned before the lock goes; one already going away
 * evicts its inodes, and their attachments, itself.
 */
static void pcc_nl_detach_dataset(struct super_block *sb, u32 id)
{
	bool pinned = atomic_inc_not_zero(&sb->s_active);

	pcc_mounts_unlock();
	if (!pinned)
		return;
	pcc_detach_dataset(sb, id);
	deactivate_super(sb);
}

static int pcc_nl_ds_del(struct sk_buff *skb, struct genl_info *info)
{
	struct netlink_ext_ack *extack = info->extack;
	struct pcc_dataset *ds = NULL;
	struct super_block *sb;
	struct path path;
	u32 id;
	int ret;

	ret = pcc_nl_admin(skb, extack);
	if (ret)
		return ret;
	ret = pcc_nl_ds_id(info, &id);
	if (ret)
		return ret;
	ret = pcc_nl_mount_path(info->attrs, &path, extack);
	if (ret)
		return ret;

	pcc_mounts_lock();
	sb = pcc_nl_mount(info->attrs, &path, extack);
	if (IS_ERR(sb)) {
		ret = PTR_ERR(sb);
		goto out;
	}
	ds = pcc_dataset_remove(pcc_super(sb), id);
	if (!ds) {
		NL_SET_ERR_MSG_ATTR(extack, info->attrs[PCC_A_DS_ID],
				    "the mount has no dataset with this id");
		ret = -ENOENT;
		goto out;
	}
	/* Off the list: no new attach from it; now detach what is. */
	pcc_nl_detach_dataset(sb, id);
	path_put(&path);
	pcc_dataset_free(ds);
	return 0;
out:
	pcc_mounts_unlock();
	path_put(&path);
	return ret;
}

static int pcc_nl_ds_clear(struct sk_buff *skb, struct genl_info *info)
{
	struct netlink_ext_ack *extack = info->extack;
	struct pcc_dataset *ds, *tmp;
	struct super_block *sb;
	struct path path;
	LIST_HEAD(gone);
	int ret;

	ret = pcc_nl_admin(skb, extack);
	if (ret)
		return ret;
	ret = pcc_nl_mount_path(info->attrs, &path, extack);
	if (ret)
		return ret;
	pcc_mounts_lock();
	sb = pcc_nl_mount(info->attrs, &path, extack);
	if (IS_ERR(sb)) {
		pcc_mounts_unlock();
		path_put(&path);
		return PTR_ERR(sb);
	}
	pcc_dataset_remove_all(pcc_super(sb), &gone);
	pcc_nl_detach_dataset(sb, 0);
	path_put(&path);
	list_for_each_entry_safe(ds, tmp, &gone, list) {
		list_del(&ds->list);
		pcc_dataset_free(ds);
	}
	return 0;
}

static int pcc_nl_ds_set(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **attrs = info->attrs;
	struct netlink_ext_ack *extack = info->extack;
	struct pcc_rule *rule = NULL;
	struct path path = {};
	char *rule_text = NULL;
	struct pcc_dataset *ds;
	struct pcc_super *super;
	struct super_block *sb;
	u32 id;
	int ret;

	ret = pcc_nl_admin(skb, extack);
	if (ret)
		return ret;
	ret = pcc_nl_ds_id(info, &id);
	if (ret)
		return ret;
	if (!attrs[PCC_A_DS_ATTACH] && !attrs[PCC_A_DS_RULE] &&
	    !attrs[PCC_A_DS_RULE_TEXT] && !attrs[PCC_A_DS_WRITEBACK] &&
	    !attrs[PCC_A_DS_WB_INTERVAL]) {
		NL_SET_ERR_MSG(extack,
			       "nothing to set: give PCC_A_DS_ATTACH, PCC_A_DS_RULE, PCC_A_DS_RULE_TEXT, PCC_A_DS_WRITEBACK or PCC_A_DS_WB_INTERVAL");
		return -EINVAL;
	}
	if (attrs[PCC_A_DS_RULE]) {
		ret = pcc_rule_compile(attrs[PCC_A_DS_RULE], &rule, extack);
		if (ret)
			return ret;
	}
	if (attrs[PCC_A_DS_RULE_TEXT]) {
		rule_text = nla_strdup(attrs[PCC_A_DS_RULE_TEXT], GFP_KERNEL);
		if (!rule_text) {
			ret = -ENOMEM;
			goto out_free;
		}
	}

	ret = pcc_nl_mount_path(attrs, &path, extack);
	if (ret)
		goto out_free;
	pcc_mounts_lock();
	sb = pcc_nl_mount(attrs, &path, extack);
	if (IS_ERR(sb)) {
		ret = PTR_ERR(sb);
		goto out_unlock;
	}
	super = pcc_super(sb);
	down_write(&super->rw_sem);
	list_for_each_entry(ds, &super->datasets, list)
		if (ds->id == id)
			break;
	if (list_entry_is_head(ds, &super->datasets, list)) {
		up_write(&super->rw_sem);
		NL_SET_ERR_MSG_ATTR(extack, attrs[PCC_A_DS_ID],
				    "the mount has no dataset with this id");
		ret = -ENOENT;
		goto out_unlock;
	}
	ret = pcc_nl_ds_writeback(attrs, ds, extack);
	if (ret) {
		up_write(&super->rw_sem);
		goto out_unlock;
	}
	if (attrs[PCC_A_DS_ATTACH])
		ds->attach = nla_get_u32(attrs[PCC_A_DS_ATTACH]);
	/* The old ones are freed below, after readers are done. */
	if (attrs[PCC_A_DS_RULE])
		swap(ds->rule, rule);
	if (attrs[PCC_A_DS_RULE_TEXT])
		swap(ds->rule_text, rule_text);
	pcc_generation_bump(super);
	/*
	 * Files closed under the old policy wait no longer than the new one
	 * says: at once if it is write-back at close.
	 */
	if (attrs[PCC_A_DS_WRITEBACK] || attrs[PCC_A_DS_WB_INTERVAL])
		pcc_rw_lazy_arm(sb, ds->writeback == PCC_DS_WB_LAZY ?
				ds->wb_interval : 0);
	up_write(&super->rw_sem);
out_unlock:
	pcc_mounts_unlock();
	path_put(&path);
out_free:
	pcc_rule_free(rule);
	kfree(rule_text);
	return ret;
}

static int pcc_nl_put_dataset(struct sk_buff *msg, struct super_block *sb,
			      struct pcc_dataset *ds,
			      struct netlink_callback *cb)
{
	void *hdr;

	hdr = genlmsg_put(msg, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &pcc_genl_family, NLM_F_MULTI, PCC_CMD_DATASET_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_u32(msg, PCC_A_MOUNT_ID, pcc_super(sb)->id) ||
	    nla_put_u32(msg, PCC_A_DS_ID, ds->id) ||
	    nla_put_string(msg, PCC_A_DS_PATH, ds->path_text) ||
	    nla_put_u32(msg, PCC_A_DS_MODE, ds->mode) ||
	    nla_put_u32(msg, PCC_A_DS_ATTACH, ds->attach) ||
	    pcc_rule_put(msg, PCC_A_DS_RULE, ds->rule) ||
	    (ds->rule_text &&
	     nla_put_string(msg, PCC_A_DS_RULE_TEXT, ds->rule_text)) ||
	    nla_put_u32(msg, PCC_A_DS_ATTACHED,
			pcc_attached_count(sb, ds->id)) ||
	    ((ds->mode & PCC_DS_MODE_RW) &&
	     (nla_put_u32(msg, PCC_A_DS_WRITEBACK, ds->writeback) ||
	      nla_put_u32(msg, PCC_A_DS_WB_INTERVAL, ds->wb_interval)))) {
		genlmsg_cancel(msg, hdr);
		return -EMSGSIZE;
	}
	genl_dump_check_consistent(cb, hdr);
	genlmsg_end(msg, hdr);
	return 0;
}

/*
 * The dumps of a mount's datasets and files name the mount once, in their
 * first call: the dump goes on with its id (cb->args[0]) and the number of
 * objects sent (cb->args[1]); a change meanwhile marks it interrupted.
 */
static int pcc_nl_named_dump_check(struct netlink_callback *cb)
{
	struct nlattr **attrs = pcc_genl_dump_attrs(cb);
	struct super_block *sb;
	struct path path;
	int ret;

	ret = pcc_nl_admin(cb->skb, cb->extack);
	if (ret)
		return ret;
	ret = pcc_nl_mount_path(attrs, &path, cb->extack);
	if (ret)
		return ret;
	pcc_mounts_lock();
	sb = pcc_nl_mount(attrs, &path, cb->extack);
	if (IS_ERR(sb)) {
		ret = PTR_ERR(sb);
	} else {
		cb->args[0] = pcc_super(sb)->id;
		cb->args[PCC_DUMP_CHECKED] = 1;
	}
	pcc_mounts_unlock();
	path_put(&path);
	return ret;
}

static int pcc_nl_ds_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct pcc_super *super;
	struct pcc_dataset *ds;
	struct super_block *sb;
	long i = 0;
	int ret = 0;

	if (!cb->args[PCC_DUMP_CHECKED]) {
		ret = pcc_nl_named_dump_check(cb);
		if (ret)
			return ret;
	}
	pcc_mounts_lock();
	sb = pcc_mount_find(cb->args[0]);
	if (!sb)		/* unmounted meanwhile: the dump ends */
		goto out;
	super = pcc_super(sb);
	down_read(&super->rw_sem);
	cb->seq = super->generation;
	list_for_each_entry(ds, &super->datasets, list) {
		if (i++ < cb->args[1])
			continue;
		ret = pcc_nl_put_dataset(skb, sb, ds, cb);
		if (ret)
			break;
		cb->args[1] = i;
	}
	up_read(&super->rw_sem);
out:
	pcc_mounts_unlock();
	/* A dataset alone too big for a message would never be sent. */
	if (ret && !skb->len)
		return ret;
	return skb->len;
}

/*
 * PCC_CMD_EVICT.  The mount is pinned and the registry's lock dropped
 * before the eviction: it decodes a handle on the lower (NFS: a request
 * to the server) and waits for the I/O on the copy.
 */
static int pcc_nl_evict(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **attrs = info->attrs;
	struct netlink_ext_ack *extack = info->extack;
	struct pcc_version v = {};
	struct super_block *sb;
	struct sk_buff *msg;
	struct path path;
	bool pinned;
	u32 id, flags;
	void *hdr;
	int ret;

	ret = pcc_nl_admin(skb, extack);
	if (ret)
		return ret;
	ret = pcc_nl_ds_id(info, &id);
	if (ret)
		return ret;
	if (PCC_NL_REQUIRE(info, PCC_A_FH_TYPE, "PCC_A_FH_TYPE is required") ||
	    PCC_NL_REQUIRE(info, PCC_A_FH, "PCC_A_FH is required"))
		return -EINVAL;
	if (nla_get_u32(attrs[PCC_A_FH_TYPE]) > 0xffff) {
		NL_SET_ERR_MSG_ATTR(extack, attrs[PCC_A_FH_TYPE],
				    "file handle type out of range");
		return -EINVAL;
	}
	if (!nla_len(attrs[PCC_A_FH]) || nla_len(attrs[PCC_A_FH]) > PCC_FH_MAX) {
		NL_SET_ERR_MSG_ATTR(extack, attrs[PCC_A_FH],
				    "a file handle is 1 to PCC_FH_MAX bytes");
		return -EINVAL;
	}
	v.fh_type = nla_get_u32(attrs[PCC_A_FH_TYPE]);
	v.fh_len = nla_len(attrs[PCC_A_FH]);
	nla_memcpy(v.fh, attrs[PCC_A_FH], sizeof(v.fh));

	msg = genlmsg_new(nla_total_size(sizeof(u32)), GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	ret = pcc_nl_mount_path(attrs, &path, extack);
	if (ret)
		goto out;
	pcc_mounts_lock();
	sb = pcc_nl_mount(attrs, &path, extack);
	if (IS_ERR(sb)) {
		pcc_mounts_unlock();
		ret = PTR_ERR(sb);
		goto out;
	}
	pinned = atomic_inc_not_zero(&sb->s_active);
	pcc_mounts_unlock();
	if (!pinned) {
		NL_SET_ERR_MSG(extack, "the mount is going away");
		ret = -ENOENT;
		goto out;
	}
	ret = pcc_evict(sb, id, &v, &flags, extack);
	deactivate_super(sb);
	if (ret)
		goto out;
	hdr = genlmsg_put_reply(msg, info, &pcc_genl_family, 0, PCC_CMD_EVICT);
	if (!hdr || nla_put_u32(msg, PCC_A_EVICT_FLAGS, flags)) {
		ret = -EMSGSIZE;
		goto out;
	}
	genlmsg_end(msg, hdr);
	path_put(&path);
	return genlmsg_reply(msg, info);

out:
	path_put(&path);
	nlmsg_free(msg);
	return ret;
}

/* One PCC_CMD_FILE_GET message.  attached_lock held: @pcci stays. */
static int pcc_nl_put_file(struct sk_buff *msg, struct super_block *sb,
			   struct pcc_inode *pcci, struct netlink_callback *cb)
{
	void *hdr;

	hdr = genlmsg_put(msg, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &pcc_genl_family, NLM_F_MULTI, PCC_CMD_FILE_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_u32(msg, PCC_A_MOUNT_ID, pcc_super(sb)->id) ||
	    nla_put_u32(msg, PCC_A_DS_ID, pcci->dataset_id) ||
	    nla_put_u64_64bit(msg, PCC_A_INO,
			      pcc_lower_inode(pcci->inode)->i_ino, PCC_A_PAD) ||
	    nla_put_u32(msg, PCC_A_FH_TYPE, pcci->version.fh_type) ||
	    nla_put(msg, PCC_A_FH, pcci->version.fh_len, pcci->version.fh) ||
	    nla_put_u64_64bit(msg, PCC_A_LAST_USE, READ_ONCE(pcci->last_use),
			      PCC_A_PAD) ||
	    nla_put_u64_64bit(msg, PCC_A_HITS, atomic64_read(&pcci->hits),
			      PCC_A_PAD)) {
		genlmsg_cancel(msg, hdr);
		return -EMSGSIZE;
	}
	genl_dump_check_consistent(cb, hdr);
	genlmsg_end(msg, hdr);
	return 0;
}

/*
 * The attached files, from the list under its spinlock: filling a message
 * neither sleeps nor allocates.
 */
static int pcc_nl_file_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct pcc_super *super;
	struct pcc_inode *pcci;
	struct super_block *sb;
	long i = 0;
	int ret = 0;

	if (!cb->args[PCC_DUMP_CHECKED]) {
		ret = pcc_nl_named_dump_check(cb);
		if (ret)
			return ret;
	}
	pcc_mounts_lock();
	sb = pcc_mount_find(cb->args[0]);
	if (!sb)		/* unmounted meanwhile: the dump ends */
		goto out;
	super = pcc_super(sb);
	spin_lock(&super->attached_lock);
	cb->seq = super->attached_seq;
	list_for_each_entry(pcci, &super->attached, attached) {
		if (i++ < cb->args[1])
			continue;
		ret = pcc_nl_put_file(skb, sb, pcci, cb);
		if (ret)
			break;
		cb->args[1] = i;
	}
	spin_unlock(&super->attached_lock);
out:
	pcc_mounts_unlock();
	if (ret && !skb->len)
		return ret;
	return skb->len;
}

static const struct genl_ops pcc_genl_ops[] = {
	{
		/* Read-only and harmless: open to every user. */
		.cmd	= PCC_CMD_GET_VERSION,
		.doit	= pcc_nl_get_version,
		.policy	= pcc_version_policy,
		.maxattr = PCC_A_MAX,
	},
	{
		/* Counters and the lower path: what mount(8) shows. */
		.cmd	= PCC_CMD_MOUNT_GET,
		.doit	= pcc_nl_mount_get,
		.dumpit	= pcc_nl_mount_dump,
		.policy	= pcc_mount_policy,
		.maxattr = PCC_A_MAX,
	},
	{
		.cmd	= PCC_CMD_DATASET_ADD,
		.doit	= pcc_nl_ds_add,
		.policy	= pcc_ds_add_policy,
		.maxattr = PCC_A_MAX,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= PCC_CMD_DATASET_DEL,
		.doit	= pcc_nl_ds_del,
		.policy	= pcc_ds_del_policy,
		.maxattr = PCC_A_MAX,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= PCC_CMD_DATASET_CLEAR,
		.doit	= pcc_nl_ds_clear,
		.policy	= pcc_mount_policy,
		.maxattr = PCC_A_MAX,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= PCC_CMD_DATASET_SET,
		.doit	= pcc_nl_ds_set,
		.policy	= pcc_ds_set_policy,
		.maxattr = PCC_A_MAX,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		/* Cache paths and rules: admins only. */
		.cmd	= PCC_CMD_DATASET_GET,
		.dumpit	= pcc_nl_ds_dump,
		.policy	= pcc_mount_policy,
		.maxattr = PCC_A_MAX,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= PCC_CMD_EVICT,
		.doit	= pcc_nl_evict,
		.policy	= pcc_evict_policy,
		.maxattr = PCC_A_MAX,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		/* Handles of files in use: admins only. */
		.cmd	= PCC_CMD_FILE_GET,
		.dumpit	= pcc_nl_file_dump,
		.policy	= pcc_mount_policy,
		.maxattr = PCC_A_MAX,
		.flags	= GENL_ADMIN_PERM,
	},
};

static struct genl_family pcc_genl_family __ro_after_init = {
	.name		= PCC_GENL_NAME,
	.version	= PCC_GENL_VERSION,
	.maxattr	= PCC_A_MAX,
	/* Handlers take their own locks; none waits on another message. */
	.parallel_ops	= true,
	.module		= THIS_MODULE,
	.ops		= pcc_genl_ops,
	.n_ops		= ARRAY_SIZE(pcc_genl_ops),
	.mcgrps		= pcc_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(pcc_mcgrps),
};

/* Room for an event: every attribute at its largest. */
static size_t pcc_event_size(bool path)
{
	/* event, mount, fh_type, dataset, reason, errno; ino; fh; path */
	return nla_total_size(sizeof(u32)) * 6 +
	       nla_total_size_64bit(sizeof(u64)) +
	       nla_total_size(PCC_FH_MAX) +
	       (path ? nla_total_size(PCC_PATH_MAX) : 0);
}

/*
 * Called with locks held and from I/O: nothing here may sleep, so the
 * message is made with GFP_NOWAIT and an event that cannot be made is
 * dropped and counted.
 */
void pcc_notify(struct super_block *sb, const struct pcc_event_info *ev)
{
	struct pcc_super *super = pcc_super(sb);
	struct inode *lower = ev->inode ? pcc_lower_inode(ev->inode) : NULL;
	struct pcc_version v;
	char *buf = NULL, *path = NULL;
	struct sk_buff *msg;
	void *hdr;

	if (!genl_has_listeners(&pcc_genl_family, &init_net,
				PCC_MCGRP_EVENTS))
		return;
	/* A listener learns of missed misses from PCC_STAT_MISSES. */
	if (ev->event == PCC_EVENT_MISS && !__ratelimit(&super->miss_rs))
		return;
	if (ev->dentry) {
		buf = kmalloc(PCC_PATH_MAX, GFP_NOWAIT | __GFP_NOWARN);
		if (!buf)
			goto dropped;
		path = dentry_path_raw(ev->dentry, buf, PCC_PATH_MAX);
		if (IS_ERR(path))
			path = NULL;
	}
	msg = genlmsg_new(pcc_event_size(!!path), GFP_NOWAIT | __GFP_NOWARN);
	if (!msg)
		goto dropped;
	hdr = genlmsg_put(msg, 0, 0, &pcc_genl_family, 0, PCC_CMD_EVENT);
	if (!hdr)
		goto cancel;
	if (nla_put_u32(msg, PCC_A_EVENT, ev->event) ||
	    nla_put_u32(msg, PCC_A_MOUNT_ID, super->id))
		goto cancel;
	if (lower) {
		if (nla_put_u64_64bit(msg, PCC_A_INO, lower->i_ino,
				      PCC_A_PAD))
			goto cancel;
		if (!pcc_lower_fh(lower, &v) &&
		    (nla_put_u32(msg, PCC_A_FH_TYPE, v.fh_type) ||
		     nla_put(msg, PCC_A_FH, v.fh_len, v.fh)))
			goto cancel;
	}
	if ((path && nla_put_string(msg, PCC_A_PATH, path)) ||
	    (ev->dataset_id &&
	     nla_put_u32(msg, PCC_A_DS_ID, ev->dataset_id)) ||
	    (ev->event == PCC_EVENT_DETACHED &&
	     nla_put_u32(msg, PCC_A_REASON, ev->reason)) ||
	    (ev->error && nla_put_u32(msg, PCC_A_ERRNO, -ev->error)))
		goto cancel;
	genlmsg_end(msg, hdr);
	kfree(buf);
	/* -ESRCH: the last listener left meanwhile; not a loss. */
	if (genlmsg_multicast(&pcc_genl_family, msg, 0, PCC_MCGRP_EVENTS,
			      GFP_NOWAIT) == -ENOBUFS)
		pcc_stat_inc(sb, PCC_STAT_EVENTS_DROPPED);
	return;

cancel:
	/* The size above is wrong if this happens. */
	WARN_ON_ONCE(1);
	nlmsg_free(msg);
dropped:
	kfree(buf);
	pcc_stat_inc(sb, PCC_STAT_EVENTS_DROPPED);
}

int __init pcc_netlink_init(void)
{
	return genl_register_family(&pcc_genl_family);
}

void pcc_netlink_exit(void)
{
	genl_unregister_family(&pcc_genl_family);
}

MODULE_ALIAS_GENL_FAMILY(PCC_GENL_NAME);
