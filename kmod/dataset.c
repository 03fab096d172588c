// SPDX-License-Identifier: GPL-2.0-only
/*
 * dataset.c - the caching state of a mount (struct pcc_super), its
 * datasets and their compiled rules, and the registry of pcc mounts that
 * netlink names them by.  The rule format is documented in
 * include/uapi/linux/pcc.h ("The compiled rule").
 */
#include <linux/cred.h>
#include <linux/dcache.h>
#include <linux/fileattr.h>
#include <linux/idr.h>
#include <linux/namei.h>
#include <linux/ratelimit.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/uidgid.h>
#include <net/netlink.h>

#include "pcc.h"
#include "pcc_glob.h"

/*
 * One expression: FIELD OP values.  Numbers are kept in an array; glob
 * patterns point into the rule's copy of its netlink nest.
 */
struct pcc_expr {
	u32 field;			/* enum pcc_rule_field */
	u32 op;				/* enum pcc_rule_op */
	u32 nr;				/* values */
	u64 *nums;			/* numeric fields */
	const char **globs;		/* PCC_RULE_FNAME */
};

struct pcc_term {
	u32 nr;
	struct pcc_expr *exprs;		/* ANDed */
};

struct pcc_rule {
	struct nlattr *nest;		/* as given, for dumps */
	bool need_projid;		/* some expression reads the project */
	bool need_name;			/* some expression reads the name */
	u32 nr;
	struct pcc_term terms[];	/* ORed */
};

/* Misses may be frequent: at most this many events a second a mount. */
#define PCC_MISS_BURST		200

static DEFINE_MUTEX(pcc_mounts_mutex);
static LIST_HEAD(pcc_mounts);		/* pcc_super.mounts, by id */
static DEFINE_IDA(pcc_mount_ida);

void pcc_mounts_lock(void)
{
	mutex_lock(&pcc_mounts_mutex);
}

void pcc_mounts_unlock(void)
{
	mutex_unlock(&pcc_mounts_mutex);
}

struct super_block *pcc_mount_find(u32 id)
{
	struct pcc_super *super;

	lockdep_assert_held(&pcc_mounts_mutex);
	list_for_each_entry(super, &pcc_mounts, mounts)
		if (super->id == id)
			return super->sb;
	return NULL;
}

struct super_block *pcc_mount_next(u32 id)
{
	struct pcc_super *super;

	lockdep_assert_held(&pcc_mounts_mutex);
	list_for_each_entry(super, &pcc_mounts, mounts)
		if (super->id > id)
			return super->sb;
	return NULL;
}

int pcc_super_init(struct super_block *sb)
{
	struct pcc_super *super = pcc_super(sb);
	struct pcc_super *pos;
	int i, id;

	init_rwsem(&super->rw_sem);
	INIT_LIST_HEAD(&super->datasets);
	super->generation = 1;
	spin_lock_init(&super->attached_lock);
	INIT_LIST_HEAD(&super->attached);
	INIT_LIST_HEAD(&super->dirty);
	super->nr_attached = 0;
	super->attached_seq = 1;
	pcc_rw_lazy_init(super);
	for (i = 0; i < PCC_STAT_COUNT; i++)
		atomic64_set(&super->stats[i], 0);
	ratelimit_state_init(&super->miss_rs, HZ, PCC_MISS_BURST);
	/* Suppressed events are not worth a line in the kernel log. */
	ratelimit_set_flags(&super->miss_rs, RATELIMIT_MSG_ON_RELEASE);
	super->sb = sb;
	super->cred = prepare_creds();
	if (!super->cred)
		return -ENOMEM;

	id = ida_alloc_range(&pcc_mount_ida, 1, PCC_DS_ID_MAX, GFP_KERNEL);
	if (id < 0) {
		put_cred(super->cred);
		super->cred = NULL;
		return id;
	}
	super->id = id;

	/* Kept in id order: a dump resumes after the last id it sent. */
	mutex_lock(&pcc_mounts_mutex);
	list_for_each_entry(pos, &pcc_mounts, mounts)
		if (pos->id > super->id)
			break;
	list_add_tail(&super->mounts, &pos->mounts);
	mutex_unlock(&pcc_mounts_mutex);
	return 0;
}

/*
 * pcc_kill_sb() leaves the registry with this before kill_anon_super()
 * (netlink must not find a dying mount) and frees the datasets with
 * pcc_super_fini() after it (inodes evicted there may still look at
 * them); pcc_super_fini() unregisters too, so once is enough for a caller
 * tearing down in one step.
 */
void pcc_super_unregister(struct super_block *sb)
{
	struct pcc_super *super = pcc_super(sb);

	if (!super->id)
		return;
	mutex_lock(&pcc_mounts_mutex);
	list_del_init(&super->mounts);
	mutex_unlock(&pcc_mounts_mutex);
}

void pcc_super_fini(struct super_block *sb)
{
	struct pcc_super *super = pcc_super(sb);
	struct pcc_dataset *ds, *tmp;

	if (!super->id)
		return;
	pcc_super_unregister(sb);
	list_for_each_entry_safe(ds, tmp, &super->datasets, list) {
		list_del(&ds->list);
		pcc_dataset_free(ds);
	}
	put_cred(super->cred);
	super->cred = NULL;
	ida_free(&pcc_mount_ida, super->id);
	super->id = 0;
}

void pcc_generation_bump(struct pcc_super *super)
{
	u32 gen = super->generation + 1;
	struct pcc_dataset *ds;
	bool rw_rules = false;
	u32 attach = 0;

	lockdep_assert_held_write(&super->rw_sem);
	/* 0 is what a file that never looked has: never a generation. */
	if (!gen)
		gen = 1;
	/*
	 * When any read-only dataset allows an auto-attach, and whether a
	 * read-write one caches new files (attach.c).
	 */
	list_for_each_entry(ds, &super->datasets, list) {
		if (ds->mode & PCC_DS_MODE_RO)
			attach |= ds->attach;
		if ((ds->mode & PCC_DS_MODE_RW) && ds->rule)
			rw_rules = true;
	}
	WRITE_ONCE(super->attach, attach);
	WRITE_ONCE(super->rw_rules, rw_rules);
	WRITE_ONCE(super->generation, gen);
}

struct pcc_dataset *pcc_dataset_find(struct pcc_super *super, u32 id,
				     u32 mode)
{
	struct pcc_dataset *ds;

	lockdep_assert_held(&super->rw_sem);
	list_for_each_entry(ds, &super->datasets, list)
		if ((ds->mode & mode) && (!id || ds->id == id))
			return ds;
	return NULL;
}

void pcc_dataset_free(struct pcc_dataset *ds)
{
	if (!ds)
		return;
	path_put(&ds->root);
	kfree(ds->path_text);
	pcc_rule_free(ds->rule);
	kfree(ds->rule_text);
	kfree(ds);
}

/* Put @ds, resolved already, last on the mount's list. */
int pcc_dataset_add(struct pcc_super *super, struct pcc_dataset *ds,
		    struct netlink_ext_ack *extack)
{
	struct pcc_dataset *pos;
	int ret = 0;

	down_write(&super->rw_sem);
	list_for_each_entry(pos, &super->datasets, list) {
		if (pos->id == ds->id) {
			NL_SET_ERR_MSG(extack,
				       "the mount has a dataset with this id");
			ret = -EEXIST;
			goto out;
		}
		if (path_equal(&pos->root, &ds->root)) {
			NL_SET_ERR_MSG(extack,
				       "the directory is a dataset of the mount already");
			ret = -EEXIST;
			goto out;
		}
	}
	list_add_tail(&ds->list, &super->datasets);
	pcc_generation_bump(super);
out:
	up_write(&super->rw_sem);
	return ret;
}

/* Take dataset @id off the list; the caller detaches its files, frees it. */
struct pcc_dataset *pcc_dataset_remove(struct pcc_super *super, u32 id)
{
	struct pcc_dataset *ds;

	down_write(&super->rw_sem);
	list_for_each_entry(ds, &super->datasets, list) {
		if (ds->id == id) {
			list_del_init(&ds->list);
			pcc_generation_bump(super);
			up_write(&super->rw_sem);
			return ds;
		}
	}
	up_write(&super->rw_sem);
	return NULL;
}

/* Move every dataset to @out, in order. */
void pcc_dataset_remove_all(struct pcc_super *super, struct list_head *out)
{
	down_write(&super->rw_sem);
	list_splice_tail_init(&super->datasets, out);
	pcc_generation_bump(super);
	up_write(&super->rw_sem);
}

/* Compiling a rule from its netlink nest. */

void pcc_rule_free(struct pcc_rule *rule)
{
	u32 t, e;

	if (!rule)
		return;
	for (t = 0; t < rule->nr; t++) {
		struct pcc_term *term = &rule->terms[t];

		for (e = 0; e < term->nr; e++) {
			kfree(term->exprs[e].nums);
			kfree(term->exprs[e].globs);
		}
		kfree(term->exprs);
	}
	kfree(rule->nest);
	kfree(rule);
}

static bool pcc_field_numeric(u32 field)
{
	switch (field) {
	case PCC_RULE_UID:
	case PCC_RULE_GID:
	case PCC_RULE_PROJID:
	case PCC_RULE_SIZE:
	case PCC_RULE_MTIME:
		return true;
	}
	return false;
}

/*
 * Check one expression and fill @expr.  The policy has checked the types
 * and ranges of each attribute; what is left are the combinations.
 */
static int pcc_expr_compile(const struct nlattr *nest, struct pcc_expr *expr,
			    struct netlink_ext_ack *extack)
{
	const struct nlattr *field = NULL, *op = NULL, *nla;
	u32 nums = 0, globs = 0, n = 0;
	int rem;

	nla_for_each_nested(nla, nest, rem) {
		switch (nla_type(nla)) {
		case PCC_EXPR_A_FIELD:
			if (nla_len(nla) != sizeof(u32))
				goto bad_attr;
			field = nla;
			break;
		case PCC_EXPR_A_OP:
			if (nla_len(nla) != sizeof(u32))
				goto bad_attr;
			op = nla;
			break;
		case PCC_EXPR_A_NUM:
			if (nla_len(nla) != sizeof(u64))
				goto bad_attr;
			nums++;
			break;
		case PCC_EXPR_A_GLOB:
			if (nla_len(nla) < 1 ||
			    nla_len(nla) > PCC_RULE_GLOB_MAX ||
			    strnlen(nla_data(nla), nla_len(nla)) >=
			    nla_len(nla))
				goto bad_attr;
			if (!*(const char *)nla_data(nla)) {
				NL_SET_ERR_MSG_ATTR(extack, nla,
						    "empty file name pattern");
				return -EINVAL;
			}
			globs++;
			break;
		default:
			goto bad_attr;
		}
	}
	if (!field) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "expression without a field");
		return -EINVAL;
	}
	if (!op) {
		NL_SET_ERR_MSG_ATTR(extack, nest,
				    "expression without an operator");
		return -EINVAL;
	}
	expr->field = nla_get_u32(field);
	expr->op = nla_get_u32(op);
	if (expr->op < PCC_RULE_OP_EQ || expr->op > PCC_RULE_OP_GT) {
		NL_SET_ERR_MSG_ATTR(extack, op, "unknown operator");
		return -EINVAL;
	}

	if (expr->field == PCC_RULE_FNAME) {
		if (expr->op != PCC_RULE_OP_EQ) {
			NL_SET_ERR_MSG_ATTR(extack, op,
					    "fname takes only the = operator");
			return -EINVAL;
		}
		if (nums) {
			NL_SET_ERR_MSG_ATTR(extack, nest,
					    "fname takes patterns, not numbers");
			return -EINVAL;
		}
		if (!globs || globs > PCC_RULE_MAX_VALUES) {
			NL_SET_ERR_MSG_ATTR(extack, nest,
					    "fname needs 1 to 64 patterns");
			return -EINVAL;
		}
		expr->globs = kcalloc(globs, sizeof(*expr->globs),
				      GFP_KERNEL);
		if (!expr->globs)
			return -ENOMEM;
		nla_for_each_nested(nla, nest, rem)
			if (nla_type(nla) == PCC_EXPR_A_GLOB)
				expr->globs[n++] = nla_data(nla);
		expr->nr = n;
		return 0;
	}

	if (!pcc_field_numeric(expr->field)) {
		NL_SET_ERR_MSG_ATTR(extack, field, "unknown field");
		return -EINVAL;
	}
	if (globs) {
		NL_SET_ERR_MSG_ATTR(extack, nest,
				    "only fname takes patterns");
		return -EINVAL;
	}
	if (expr->field == PCC_RULE_MTIME && expr->op == PCC_RULE_OP_EQ) {
		NL_SET_ERR_MSG_ATTR(extack, op,
				    "mtime takes only the < and > operators");
		return -EINVAL;
	}
	if (expr->op == PCC_RULE_OP_EQ &&
	    (!nums || nums > PCC_RULE_MAX_VALUES)) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "= needs 1 to 64 values");
		return -EINVAL;
	}
	if (expr->op != PCC_RULE_OP_EQ && nums != 1) {
		NL_SET_ERR_MSG_ATTR(extack, nest,
				    "< and > need exactly one value");
		return -EINVAL;
	}
	expr->nums = kcalloc(nums, sizeof(*expr->nums), GFP_KERNEL);
	if (!expr->nums)
		return -ENOMEM;
	nla_for_each_nested(nla, nest, rem)
		if (nla_type(nla) == PCC_EXPR_A_NUM)
			expr->nums[n++] = nla_get_u64(nla);
	expr->nr = n;
	return 0;

bad_attr:
	NL_SET_ERR_MSG_ATTR(extack, nla, "bad attribute in a rule expression");
	return -EINVAL;
}

static int pcc_term_compile(const struct nlattr *nest, struct pcc_term *term,
			    struct netlink_ext_ack *extack)
{
	const struct nlattr *nla;
	u32 n = 0;
	int rem, ret;

	nla_for_each_nested(nla, nest, rem) {
		if (nla_type(nla) != PCC_TERM_A_EXPR) {
			NL_SET_ERR_MSG_ATTR(extack, nla,
					    "a rule term holds only expressions");
			return -EINVAL;
		}
		n++;
	}
	if (!n || n > PCC_RULE_MAX_EXPRS) {
		NL_SET_ERR_MSG_ATTR(extack, nest,
				    "a rule term needs 1 to 16 expressions");
		return -EINVAL;
	}
	term->exprs = kcalloc(n, sizeof(*term->exprs), GFP_KERNEL);
	if (!term->exprs)
		return -ENOMEM;
	nla_for_each_nested(nla, nest, rem) {
		/* Counted as it goes: pcc_rule_free() frees what was made. */
		ret = pcc_expr_compile(nla, &term->exprs[term->nr++], extack);
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * Compile @nest (PCC_A_DS_RULE) into *@rulep; a nest without a term gives
 * NULL, the rule matching nothing.  The policy validated the attributes
 * already; this checks their counts and combinations.
 */
int pcc_rule_compile(const struct nlattr *nest, struct pcc_rule **rulep,
		     struct netlink_ext_ack *extack)
{
	const struct nlattr *nla;
	struct pcc_rule *rule;
	u32 n = 0, t, e;
	int rem, ret;

	*rulep = NULL;
	if (nla_total_size(nla_len(nest)) > PCC_RULE_NEST_MAX) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "rule too large");
		return -EINVAL;
	}
	nla_for_each_nested(nla, nest, rem) {
		if (nla_type(nla) != PCC_RULE_A_TERM) {
			NL_SET_ERR_MSG_ATTR(extack, nla,
					    "a rule holds only terms");
			return -EINVAL;
		}
		n++;
	}
	if (!n)
		return 0;
	if (n > PCC_RULE_MAX_TERMS) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "more than 16 rule terms");
		return -EINVAL;
	}
	rule = kzalloc(struct_size(rule, terms, n), GFP_KERNEL);
	if (!rule)
		return -ENOMEM;
	/* The globs point into this copy; the errors into the request. */
	rule->nest = kmemdup(nest, nest->nla_len, GFP_KERNEL);
	if (!rule->nest) {
		ret = -ENOMEM;
		goto err;
	}
	nla_for_each_nested(nla, nest, rem) {
		size_t off = (const char *)nla - (const char *)nest;
		const struct nlattr *copy = (void *)rule->nest + off;

		ret = pcc_term_compile(nla, &rule->terms[rule->nr++], extack);
		if (ret)
			goto err;
		/* Now point the globs at the copy, which lives as long. */
		for (e = 0; e < rule->terms[rule->nr - 1].nr; e++) {
			struct pcc_expr *expr =
				&rule->terms[rule->nr - 1].exprs[e];

			for (t = 0; expr->globs && t < expr->nr; t++)
				expr->globs[t] = (const char *)copy +
					(expr->globs[t] - (const char *)nla);
			if (expr->field == PCC_RULE_PROJID)
				rule->need_projid = true;
			if (expr->field == PCC_RULE_FNAME)
				rule->need_name = true;
		}
	}
	*rulep = rule;
	return 0;

err:
	pcc_rule_free(rule);
	return ret;
}

/* Put @rule back as it was given, for a dump; nothing for no rule. */
int pcc_rule_put(struct sk_buff *skb, int attrtype,
		 const struct pcc_rule *rule)
{
	if (!rule)
		return 0;
	return nla_put(skb, attrtype | NLA_F_NESTED, nla_len(rule->nest),
		       nla_data(rule->nest));
}

/* Matching. */

struct pcc_match_ctx {
	u64 num[PCC_RULE_MTIME + 1];	/* by field */
	const char *name;
};

static bool pcc_expr_match(const struct pcc_expr *expr,
			   const struct pcc_match_ctx *ctx)
{
	u64 v;
	u32 i;

	if (expr->field == PCC_RULE_FNAME) {
		for (i = 0; i < expr->nr; i++)
			if (pcc_glob_match(expr->globs[i], ctx->name))
				return true;
		return false;
	}
	v = ctx->num[expr->field];
	switch (expr->op) {
	case PCC_RULE_OP_EQ:
		for (i = 0; i < expr->nr; i++)
			if (v == expr->nums[i])
				return true;
		return false;
	case PCC_RULE_OP_LT:
		return v < expr->nums[0];
	case PCC_RULE_OP_GT:
		return v > expr->nums[0];
	}
	return false;
}

/*
 * Whether the file @dentry (ours) with lower inode @lower matches @rule:
 * any term whose expressions all match.  May sleep (the project id is
 * asked of the lower).
 */
bool pcc_rule_match(const struct pcc_rule *rule, struct dentry *dentry,
		    struct inode *lower)
{
	struct pcc_match_ctx ctx = {};
	struct name_snapshot name;
	bool match = false;
	s64 age;
	u32 t, e;

	if (!rule)
		return false;
	ctx.num[PCC_RULE_UID] = from_kuid(&init_user_ns, lower->i_uid);
	ctx.num[PCC_RULE_GID] = from_kgid(&init_user_ns, lower->i_gid);
	ctx.num[PCC_RULE_SIZE] = i_size_read(lower);
	/* A file modified "in the future" is taken as just modified. */
	age = ktime_get_real_seconds() - pcc_inode_mtime_sec(lower);
	ctx.num[PCC_RULE_MTIME] = age > 0 ? age : 0;
	if (rule->need_projid) {
		struct fileattr fa = {};

		/* No project ids on the lower (-ENOIOCTLCMD...): 0. */
		if (!vfs_fileattr_get(pcc_lower_dentry(dentry), &fa))
			ctx.num[PCC_RULE_PROJID] = fa.fsx_projid;
	}
	if (rule->need_name) {
		take_dentry_name_snapshot(&name, dentry);
		ctx.name = name.name.name;
	}

	for (t = 0; t < rule->nr && !match; t++) {
		const struct pcc_term *term = &rule->terms[t];

		match = true;
		for (e = 0; e < term->nr && match; e++)
			match = pcc_expr_match(&term->exprs[e], &ctx);
	}

	if (rule->need_name)
		release_dentry_name_snapshot(&name);
	return match;
}
