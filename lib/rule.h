/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * rule.h - auto-caching rules: Lustre's text form, parsed into the compiled
 * form the module takes (include/uapi/linux/pcc.h, "The compiled rule").
 *
 * Grammar (lustre-pcc.md §2.4, with Lustre's quirks fixed):
 *
 *	rule  := term { "," term }
 *	term  := expr { "&" expr }
 *	expr  := FIELD OP "{" value { " " value } "}"
 *	FIELD := uid | gid | projid | fname | filename | size | mtime
 *	OP    := "=" | "<" | ">"
 *
 * Blanks (spaces, tabs) are allowed around every token.  Values inside the
 * braces are separated by blanks.  uid, gid and projid take numbers in C
 * notation (decimal, 0x hex, 0 octal) below 2^32; size takes a number with
 * an optional suffix k, M, G, T, P (powers of 1024, either case, an
 * optional trailing "B" or "iB"), and a bare number means MiB as in Lustre;
 * mtime an age with an optional suffix s, m, h, d, w, y (y = 52 weeks;
 * bare = seconds) and only < or >; fname (filename is the same field) only
 * = with shell glob patterns.  = takes 1..PCC_RULE_MAX_VALUES values, < and
 * > exactly one.  At most PCC_RULE_MAX_TERMS terms of PCC_RULE_MAX_EXPRS
 * expressions, and what fits in a PCC_A_DS_RULE of PCC_RULE_NEST_MAX
 * bytes.  The text's own limit, PCC_RULE_TEXT_MAX, is checked by those
 * who send it (param.c, daemon/conf.c): the canonical form of a rule can
 * be longer than the text it came from (a bare size gains its "M").
 */
#ifndef PCC_RULE_H
#define PCC_RULE_H

#include <stddef.h>
#include <stdint.h>

#include <linux/pcc.h>

struct pcc_rule_expr {
	enum pcc_rule_field field;
	enum pcc_rule_op op;
	unsigned int nvalues;
	uint64_t *nums;		/* nvalues numbers; NULL for FNAME */
	char **globs;		/* nvalues patterns, FNAME only */
};

struct pcc_rule_term {
	unsigned int nexprs;
	struct pcc_rule_expr exprs[PCC_RULE_MAX_EXPRS];
};

struct pcc_rule {
	unsigned int nterms;
	struct pcc_rule_term terms[PCC_RULE_MAX_TERMS];
};

/* Where a text was wrong: 1-based column (byte) of the fault, and why. */
struct pcc_parse_error {
	unsigned int column;
	char msg[256];
};

/*
 * Parse text into *out (free with pcc_rule_free()).  Returns 0, -EINVAL
 * with err filled when text is not a valid rule (err may be NULL),
 * -ENOMEM.  An empty text (or only blanks) is -EINVAL: "no rule" is
 * expressed by having none, not by an empty one.
 */
int pcc_rule_parse(const char *text, struct pcc_rule **out,
		   struct pcc_parse_error *err);

/* NULL-safe. */
void pcc_rule_free(struct pcc_rule *rule);

/*
 * Write the rule in canonical text form (no blanks but between values;
 * "fname"; ids in decimal; sizes and ages with the largest unit that
 * divides them exactly, "B" for bytes, a bare number for seconds: so
 * "size<{1G}&mtime>{1d}", not 1073741824 and 86400) into buf.  Returns
 * the length it needs (excluding the NUL), as snprintf() does.
 * pcc_rule_parse() of the result gives an equal rule.
 */
int pcc_rule_format(const struct pcc_rule *rule, char *buf, size_t len);

/* 1 when a and b are the same rule, value for value, 0 otherwise. */
int pcc_rule_equal(const struct pcc_rule *a, const struct pcc_rule *b);

/* "uid", "gid", ..., NULL for an unknown field. */
const char *pcc_rule_field_name(enum pcc_rule_field field);

#endif /* PCC_RULE_H */
