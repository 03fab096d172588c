// SPDX-License-Identifier: GPL-2.0-only
/*
 * rule.c - the auto-caching rule's text form (rule.h) parsed into the
 * compiled form the module takes, and written back.
 *
 * A small recursive-descent parser over the text with the position kept,
 * so every error names the byte where the text stops making sense.
 * Unlike Lustre, which splits the text on ',' and '&' before looking at
 * braces, the braces are read as a unit: a ',' inside them is reported as
 * what it almost always is, a value separator written the wrong way.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rule.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Longest token quoted back in a message. */
#define QUOTE_MAX	40

struct parser {
	const char *text;
	const char *p;
	struct pcc_parse_error *err;
	size_t nest;		/* bytes of PCC_A_DS_RULE so far */
};

/*
 * The compiled rule's size in netlink attributes (pcc.h): the kernel
 * refuses a PCC_A_DS_RULE over PCC_RULE_NEST_MAX, so a rule is measured
 * as it is read and refused here, with a column, rather than there.
 */
#define NLA_HDR		4
#define NLA_ALIGN4(n)	(((n) + 3) & ~(size_t)3)
#define NEST_EXPR	(NLA_HDR + 2 * (NLA_HDR + 4))	/* FIELD, OP */
#define NEST_NUM	(NLA_HDR + 8)
#define NEST_GLOB(len)	(NLA_HDR + NLA_ALIGN4((len) + 1))

static const struct {
	const char *name;
	enum pcc_rule_field field;
} field_names[] = {
	{ "uid", PCC_RULE_UID },
	{ "gid", PCC_RULE_GID },
	{ "projid", PCC_RULE_PROJID },
	{ "fname", PCC_RULE_FNAME },
	{ "filename", PCC_RULE_FNAME },
	{ "size", PCC_RULE_SIZE },
	{ "mtime", PCC_RULE_MTIME },
};

/* Units of size and mtime, largest first so the writer picks it first. */
struct unit {
	char suffix;
	uint64_t mult;
};

static const struct unit size_units[] = {
	{ 'P', 1ULL << 50 }, { 'T', 1ULL << 40 }, { 'G', 1ULL << 30 },
	{ 'M', 1ULL << 20 }, { 'k', 1ULL << 10 },
};

static const struct unit age_units[] = {
	{ 'y', 52 * 7 * 86400ULL }, { 'w', 7 * 86400ULL }, { 'd', 86400 },
	{ 'h', 3600 }, { 'm', 60 }, { 's', 1 },	/* 's' last */
};

static const char op_chars[] = { [PCC_RULE_OP_EQ] = '=',
				  [PCC_RULE_OP_LT] = '<',
				  [PCC_RULE_OP_GT] = '>' };

const char *pcc_rule_field_name(enum pcc_rule_field field)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(field_names); i++)
		if (field_names[i].field == field)
			return field_names[i].name;
	return NULL;
}

static int fail_at(struct parser *ps, const char *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail_at(struct parser *ps, const char *at, const char *fmt, ...)
{
	va_list ap;

	if (!ps->err)
		return -EINVAL;
	ps->err->column = at - ps->text + 1;
	va_start(ap, fmt);
	vsnprintf(ps->err->msg, sizeof(ps->err->msg), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static void skip_blanks(struct parser *ps)
{
	while (is_blank(*ps->p))
		ps->p++;
}

/* What is at p, for "expected X, found Y" messages. */
static const char *found(const char *p, char *buf, size_t len)
{
	if (!*p)
		return "the end of the rule";
	if ((unsigned char)*p < 0x20 || *p == 0x7f)
		snprintf(buf, len, "character 0x%02x", (unsigned char)*p);
	else
		snprintf(buf, len, "'%c'", *p);
	return buf;
}

/* Free what one expression owns. */
static void expr_free(struct pcc_rule_expr *e)
{
	unsigned int i;

	if (e->globs)
		for (i = 0; i < e->nvalues; i++)
			free(e->globs[i]);
	free(e->globs);
	free(e->nums);
	e->globs = NULL;
	e->nums = NULL;
	e->nvalues = 0;
}

void pcc_rule_free(struct pcc_rule *rule)
{
	unsigned int t, e;

	if (!rule)
		return;
	for (t = 0; t < rule->nterms; t++)
		for (e = 0; e < rule->terms[t].nexprs; e++)
			expr_free(&rule->terms[t].exprs[e]);
	free(rule);
}

/* Digits only: no sign, no blanks, nothing strtoull() would also take. */
static bool parse_decimal(const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (!len)
		return false;
	for (i = 0; i < len; i++) {
		unsigned int d = s[i] - '0';

		if (d > 9)
			return false;
		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}

/* uid, gid, projid: C notation (decimal, 0x hex, 0 octal), below 2^32. */
static int parse_id(struct parser *ps, const struct pcc_rule_expr *e,
		    const char *tok, size_t len, uint64_t *out)
{
	const char *name = pcc_rule_field_name(e->field);
	unsigned int base = 10;
	size_t i = 0;
	uint64_t v = 0;

	if (len > 1 && tok[0] == '0' && (tok[1] == 'x' || tok[1] == 'X')) {
		base = 16;
		i = 2;
	} else if (len > 1 && tok[0] == '0') {
		base = 8;
		i = 1;
	}
	if (i == len)
		goto bad;
	for (; i < len; i++) {
		char c = tok[i];
		unsigned int d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			goto bad;
		if (d >= base)
			goto bad;
		v = v * base + d;
		if (v > UINT32_MAX)
			return fail_at(ps, tok,
				       "%s value '%.*s' is too large (at most 4294967295)",
				       name, (int)(len > QUOTE_MAX ? QUOTE_MAX : len),
				       tok);
	}
	/* As Lustre: a bound of 0 or 0xffffffff would make no sense. */
	if (e->op != PCC_RULE_OP_EQ && (v == 0 || v == UINT32_MAX))
		return fail_at(ps, tok,
			       "%s%c takes a value between 1 and 4294967294",
			       name, op_chars[e->op]);
	*out = v;
	return 0;
bad:
	return fail_at(ps, tok, "%s value '%.*s' is not a number", name,
		       (int)(len > QUOTE_MAX ? QUOTE_MAX : len), tok);
}

/* A number with an optional unit suffix (size and mtime). */
static int parse_scaled(struct parser *ps, const struct pcc_rule_expr *e,
			const char *tok, size_t len, uint64_t *out)
{
	bool size = e->field == PCC_RULE_SIZE;
	const char *name = size ? "size" : "mtime";
	int qlen = len > QUOTE_MAX ? QUOTE_MAX : len;
	uint64_t v, mult;
	size_t digits, i;

	/* Lustre's limit, which also keeps an age far from overflowing. */
	if (!size && len > 10)
		return fail_at(ps, tok,
			       "mtime value '%.*s' is too long (at most 10 characters)",
			       qlen, tok);
	for (digits = 0; digits < len; digits++)
		if (tok[digits] < '0' || tok[digits] > '9')
			break;
	if (!digits)
		return fail_at(ps, tok, "%s value '%.*s' is not a number",
			       name, qlen, tok);
	if (!parse_decimal(tok, digits, &v))
		return fail_at(ps, tok, "%s value '%.*s' is too large", name,
			       qlen, tok);
	mult = size ? 1ULL << 20 : 1;	/* bare: MiB as Lustre, seconds */
	if (digits < len) {
		const char *suf = tok + digits;
		size_t slen = len - digits;

		mult = 0;
		if (size) {
			/* k, M, G, T, P, either case, then B or iB; or B. */
			if (slen == 1 && (*suf == 'B' || *suf == 'b')) {
				mult = 1;
			} else {
				for (i = 0; i < ARRAY_SIZE(size_units); i++)
					if ((*suf | 0x20) ==
					    (size_units[i].suffix | 0x20))
						mult = size_units[i].mult;
				if (slen == 2 && (suf[1] | 0x20) != 'b')
					mult = 0;
				if (slen == 3 && ((suf[1] | 0x20) != 'i' ||
						  (suf[2] | 0x20) != 'b'))
					mult = 0;
				if (slen > 3)
					mult = 0;
			}
		} else if (slen == 1) {
			for (i = 0; i < ARRAY_SIZE(age_units); i++)
				if (*suf == age_units[i].suffix)
					mult = age_units[i].mult;
		}
		if (!mult)
			return fail_at(ps, suf,
				       size ? "size value '%.*s': unknown suffix (k, M, G, T, P, or B for bytes)" :
					      "mtime value '%.*s': unknown suffix (s, m, h, d, w or y)",
				       qlen, tok);
	}
	if (v > UINT64_MAX / mult)
		return fail_at(ps, tok, "%s value '%.*s' is too large", name,
			       qlen, tok);
	*out = v * mult;
	return 0;
}

static int parse_glob(struct parser *ps, const char *tok, size_t len,
		      char **out)
{
	const char *slash = memchr(tok, '/', len);

	if (slash)
		return fail_at(ps, slash,
			       "fname patterns match the last name component: '/' is not allowed");
	if (len >= PCC_RULE_GLOB_MAX)
		return fail_at(ps, tok, "fname pattern too long (at most %d bytes)",
			       PCC_RULE_GLOB_MAX - 1);
	*out = strndup(tok, len);
	return *out ? 0 : -ENOMEM;
}

/* One value token at ps->p, into slot i of e. */
static int parse_value(struct parser *ps, struct pcc_rule_expr *e,
		       unsigned int i)
{
	const char *tok = ps->p, *q;
	size_t len;

	for (q = tok; *q && !is_blank(*q) && *q != '}'; q++) {
		if (*q == ',')
			return fail_at(ps, q,
				       "values are separated by blanks, not ','");
		if ((unsigned char)*q < 0x20 || *q == 0x7f)
			return fail_at(ps, q,
				       "control character 0x%02x in a value",
				       (unsigned char)*q);
	}
	len = q - tok;
	ps->p = q;
	ps->nest += e->field == PCC_RULE_FNAME ? NEST_GLOB(len) : NEST_NUM;
	if (ps->nest > PCC_RULE_NEST_MAX)
		return fail_at(ps, tok,
			       "the rule is too large: compiled, it passes the module's %d bytes",
			       PCC_RULE_NEST_MAX);
	switch (e->field) {
	case PCC_RULE_FNAME:
		return parse_glob(ps, tok, len, &e->globs[i]);
	case PCC_RULE_SIZE:
	case PCC_RULE_MTIME:
		return parse_scaled(ps, e, tok, len, &e->nums[i]);
	default:
		return parse_id(ps, e, tok, len, &e->nums[i]);
	}
}

/* "{" value { blank value } "}", at ps->p (blanks skipped). */
static int parse_values(struct parser *ps, struct pcc_rule_expr *e,
			const char *field_at)
{
	const char *open = ps->p, *first = NULL;
	const char *name = pcc_rule_field_name(e->field);
	char buf[16];
	int ret;

	if (*ps->p != '{')
		return fail_at(ps, ps->p,
			       "expected '{' after %.*s, found %s (values go in braces, as in %s%c{...})",
			       (int)(ps->p - field_at), field_at,
			       found(ps->p, buf, sizeof(buf)), name,
			       op_chars[e->op]);
	ps->p++;
	if (e->field == PCC_RULE_FNAME)
		e->globs = calloc(PCC_RULE_MAX_VALUES, sizeof(*e->globs));
	else
		e->nums = calloc(PCC_RULE_MAX_VALUES, sizeof(*e->nums));
	if (!e->globs && !e->nums)
		return -ENOMEM;
	for (;;) {
		skip_blanks(ps);
		if (*ps->p == '}')
			break;
		if (!*ps->p)
			return fail_at(ps, open, "'{' is never closed");
		if (e->nvalues == PCC_RULE_MAX_VALUES)
			return fail_at(ps, ps->p,
				       "too many values (at most %d)",
				       PCC_RULE_MAX_VALUES);
		if (e->nvalues == 1 && e->op != PCC_RULE_OP_EQ)
			return fail_at(ps, ps->p,
				       "%s%c takes exactly one value", name,
				       op_chars[e->op]);
		if (!first)
			first = ps->p;
		ret = parse_value(ps, e, e->nvalues);
		if (ret)
			return ret;
		e->nvalues++;
	}
	if (!e->nvalues)
		return fail_at(ps, open, "empty value list");
	ps->p++;
	return 0;
}

static int parse_expr(struct parser *ps, struct pcc_rule_expr *e)
{
	const char *start, *end;
	char buf[16];
	size_t i, len;

	skip_blanks(ps);
	start = ps->p;
	for (end = start; (*end >= 'a' && *end <= 'z') ||
	     (*end >= 'A' && *end <= 'Z') || (*end >= '0' && *end <= '9') ||
	     *end == '_'; end++)
		;
	len = end - start;
	if (!len)
		return fail_at(ps, start,
			       "expected a field (uid, gid, projid, fname, size or mtime), found %s",
			       found(start, buf, sizeof(buf)));
	e->field = 0;
	for (i = 0; i < ARRAY_SIZE(field_names); i++)
		if (strlen(field_names[i].name) == len &&
		    !memcmp(field_names[i].name, start, len))
			e->field = field_names[i].field;
	if (!e->field)
		return fail_at(ps, start,
			       "unknown field '%.*s'; expected uid, gid, projid, fname, size or mtime",
			       (int)(len > QUOTE_MAX ? QUOTE_MAX : len), start);
	ps->p = end;
	ps->nest += NEST_EXPR;
	skip_blanks(ps);
	switch (*ps->p) {
	case '=':
		e->op = PCC_RULE_OP_EQ;
		break;
	case '<':
		e->op = PCC_RULE_OP_LT;
		break;
	case '>':
		e->op = PCC_RULE_OP_GT;
		break;
	default:
		return fail_at(ps, ps->p, "expected =, < or > after '%.*s', found %s",
			       (int)len, start, found(ps->p, buf, sizeof(buf)));
	}
	if (e->field == PCC_RULE_MTIME && e->op == PCC_RULE_OP_EQ)
		return fail_at(ps, ps->p, "mtime takes only < or >");
	if (e->field == PCC_RULE_FNAME && e->op != PCC_RULE_OP_EQ)
		return fail_at(ps, ps->p, "%.*s takes only =", (int)len, start);
	ps->p++;
	skip_blanks(ps);
	return parse_values(ps, e, start);
}

static int parse_term(struct parser *ps, struct pcc_rule_term *t)
{
	int ret;

	for (;;) {
		skip_blanks(ps);
		if (t->nexprs == PCC_RULE_MAX_EXPRS)
			return fail_at(ps, ps->p,
				       "too many expressions in a term (at most %d)",
				       PCC_RULE_MAX_EXPRS);
		if (!t->nexprs)
			ps->nest += NLA_HDR;	/* the term's nest */
		/* Counted first so that a failed one is freed too. */
		ret = parse_expr(ps, &t->exprs[t->nexprs++]);
		if (ret)
			return ret;
		skip_blanks(ps);
		if (*ps->p != '&')
			return 0;
		ps->p++;
	}
}

int pcc_rule_parse(const char *text, struct pcc_rule **out,
		   struct pcc_parse_error *err)
{
	struct parser ps = { .text = text, .p = text, .err = err,
			     .nest = NLA_HDR };
	struct pcc_rule *rule;
	char buf[16];
	int ret;

	*out = NULL;
	skip_blanks(&ps);
	if (!*ps.p)
		return fail_at(&ps, ps.p, "empty rule");
	rule = calloc(1, sizeof(*rule));
	if (!rule)
		return -ENOMEM;
	for (;;) {
		skip_blanks(&ps);
		if (rule->nterms == PCC_RULE_MAX_TERMS) {
			ret = fail_at(&ps, ps.p, "too many terms (at most %d)",
				      PCC_RULE_MAX_TERMS);
			goto fail;
		}
		ret = parse_term(&ps, &rule->terms[rule->nterms++]);
		if (ret)
			goto fail;
		if (*ps.p == ',') {
			ps.p++;
			continue;
		}
		if (!*ps.p)
			break;
		ret = fail_at(&ps, ps.p, "expected ',', '&' or the end of the rule, found %s",
			      found(ps.p, buf, sizeof(buf)));
		goto fail;
	}
	*out = rule;
	return 0;
fail:
	pcc_rule_free(rule);
	return ret;
}

/* snprintf() into buf at *pos, counting what would be needed. */
static void put(char *buf, size_t len, size_t *pos, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void put(char *buf, size_t len, size_t *pos, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(*pos < len ? buf + *pos : NULL,
		      *pos < len ? len - *pos : 0, fmt, ap);
	va_end(ap);
	if (n > 0)
		*pos += n;
}

/* v with the largest unit dividing it exactly. */
static void put_scaled(char *buf, size_t len, size_t *pos, uint64_t v,
		       const struct unit *units, size_t nunits,
		       const char *plain)
{
	size_t i;

	for (i = 0; v && i < nunits; i++) {
		if (v % units[i].mult == 0) {
			put(buf, len, pos, "%" PRIu64 "%c", v / units[i].mult,
			    units[i].suffix);
			return;
		}
	}
	put(buf, len, pos, "%" PRIu64 "%s", v, plain);
}

int pcc_rule_format(const struct pcc_rule *rule, char *buf, size_t len)
{
	size_t pos = 0;
	unsigned int t, x, i;

	if (len)
		buf[0] = '\0';
	for (t = 0; t < rule->nterms; t++) {
		const struct pcc_rule_term *term = &rule->terms[t];

		if (t)
			put(buf, len, &pos, ",");
		for (x = 0; x < term->nexprs; x++) {
			const struct pcc_rule_expr *e = &term->exprs[x];
			const char *name = pcc_rule_field_name(e->field);
			char op = e->op < ARRAY_SIZE(op_chars) ?
				  op_chars[e->op] : '?';

			put(buf, len, &pos, "%s%s%c{", x ? "&" : "",
			    name ? name : "?", op ? op : '?');
			for (i = 0; i < e->nvalues; i++) {
				if (i)
					put(buf, len, &pos, " ");
				if (e->field == PCC_RULE_FNAME)
					put(buf, len, &pos, "%s", e->globs[i]);
				else if (e->field == PCC_RULE_SIZE)
					put_scaled(buf, len, &pos, e->nums[i],
						   size_units,
						   ARRAY_SIZE(size_units), "B");
				else if (e->field == PCC_RULE_MTIME)
					/* Not 's': "9999999999" must stay
					 * within mtime's 10 characters. */
					put_scaled(buf, len, &pos, e->nums[i],
						   age_units,
						   ARRAY_SIZE(age_units) - 1,
						   "");
				else
					put(buf, len, &pos, "%" PRIu64,
					    e->nums[i]);
			}
			put(buf, len, &pos, "}");
		}
	}
	return pos;
}

static int expr_equal(const struct pcc_rule_expr *a,
		      const struct pcc_rule_expr *b)
{
	unsigned int i;

	if (a->field != b->field || a->op != b->op ||
	    a->nvalues != b->nvalues)
		return 0;
	for (i = 0; i < a->nvalues; i++) {
		if (a->field == PCC_RULE_FNAME) {
			if (strcmp(a->globs[i], b->globs[i]))
				return 0;
		} else if (a->nums[i] != b->nums[i]) {
			return 0;
		}
	}
	return 1;
}

int pcc_rule_equal(const struct pcc_rule *a, const struct pcc_rule *b)
{
	unsigned int t, x;

	if (a->nterms != b->nterms)
		return 0;
	for (t = 0; t < a->nterms; t++) {
		if (a->terms[t].nexprs != b->terms[t].nexprs)
			return 0;
		for (x = 0; x < a->terms[t].nexprs; x++)
			if (!expr_equal(&a->terms[t].exprs[x],
					&b->terms[t].exprs[x]))
				return 0;
	}
	return 1;
}
