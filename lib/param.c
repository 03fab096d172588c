// SPDX-License-Identifier: GPL-2.0-only
/*
 * param.c - Lustre's "--param" string (param.h): an optional rule, then
 * KEY=VALUE tokens applied left to right.
 *
 * Everything is applied to a copy of the caller's values, which replaces
 * them only when the whole text was good, so a bad token anywhere changes
 * nothing.  Unlike Lustre, any run of blanks separates tokens (Lustre's
 * kernel parser refuses a double space with a bare -EINVAL).
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "param.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define QUOTE_MAX	40

struct pparser {
	const char *text;
	struct pcc_parse_error *err;
	struct pcc_params *p;
	const char *mode_at;	/* the last token that changed the mode */
	const char *wb_at;	/* the last writeback= token, or NULL */
	const char *wbi_at;	/* the last writeback_interval= token */
};

static int fail_at(struct pparser *ps, const char *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail_at(struct pparser *ps, const char *at, const char *fmt, ...)
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

/* The words Linux's kstrtobool() means, spelt out (it reads only the
 * first one or two characters, so "yellow" would be true: refused here). */
static int parse_bool(const char *s, size_t len, bool *out)
{
	static const char *const yes[] = { "1", "y", "yes", "on", "t", "true" };
	static const char *const no[] = { "0", "n", "no", "off", "f", "false" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(yes); i++) {
		if (strlen(yes[i]) == len && !strncasecmp(s, yes[i], len)) {
			*out = true;
			return 0;
		}
		if (strlen(no[i]) == len && !strncasecmp(s, no[i], len)) {
			*out = false;
			return 0;
		}
	}
	return -EINVAL;
}

/* A number 1..max in decimal digits only (no sign, no space). */
static int parse_positive(const char *s, size_t len, uint32_t max,
			  uint32_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (!len)
		return -EINVAL;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (uint64_t)(s[i] - '0');
		if (v > max)
			return -EINVAL;
	}
	if (!v)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

/* A size: digits with an optional K, M, G or T (1024^n); "none" is 0. */
static int parse_size(const char *s, size_t len, bool files, uint64_t *out)
{
	uint64_t v = 0;
	unsigned int shift = 0;
	size_t i;

	if (len == 4 && !memcmp(s, "none", 4)) {
		*out = 0;
		return 0;
	}
	for (i = 0; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
		if (v > (UINT64_MAX - (uint64_t)(s[i] - '0')) / 10)
			return -EINVAL;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (!i)
		return -EINVAL;
	if (i + 1 == len && !files && strchr("KkMmGgTt", s[i]) && s[i]) {
		shift = 10 * (unsigned int)((strchr("KMGT", s[i] & ~0x20) -
					    "KMGT") + 1);
		if (v > (UINT64_MAX >> shift))
			return -EINVAL;
	} else if (i != len) {
		return -EINVAL;
	}
	v <<= shift;
	if (!v)
		return -EINVAL;	/* "none" says it */
	*out = v;
	return 0;
}

static int parse_percent(const char *s, size_t len, unsigned int *out)
{
	unsigned int v = 0;
	size_t i;

	if (len && s[len - 1] == '%')
		len--;
	if (!len || len > 3)
		return -EINVAL;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (unsigned int)(s[i] - '0');
	}
	if (v > 100)
		return -EINVAL;
	*out = v;
	return 0;
}

enum key_kind { K_ROID, K_RWID, K_ATTACH, K_MODE, K_REFUSED, K_FIELD,
		K_PERCENT, K_SIZE, K_WRITEBACK, K_WB_INTERVAL };

static const struct {
	const char *name;
	enum key_kind kind;
	unsigned int bits;
} keys[] = {
	{ "roid", K_ROID, 0 },
	{ "rwid", K_RWID, 0 },
	{ "auto_attach", K_ATTACH, PCC_DS_ATTACH_ALL },
	{ "open_attach", K_ATTACH, PCC_DS_ATTACH_OPEN },
	{ "stat_attach", K_ATTACH, PCC_DS_ATTACH_STAT },
	{ "io_attach", K_ATTACH, PCC_DS_ATTACH_IO },
	{ "pccro", K_MODE, PCC_DS_MODE_RO },
	{ "ropcc", K_MODE, PCC_DS_MODE_RO },
	{ "pccrw", K_MODE, PCC_DS_MODE_RW },
	{ "rwpcc", K_MODE, PCC_DS_MODE_RW },
	{ "high", K_PERCENT, PCC_PARAM_HIGH },
	{ "low", K_PERCENT, PCC_PARAM_LOW },
	{ "max_bytes", K_SIZE, PCC_PARAM_MAX_BYTES },
	{ "max_files", K_SIZE, PCC_PARAM_MAX_FILES },
	{ "min_free", K_SIZE, PCC_PARAM_MIN_FREE },
	{ "writeback", K_WRITEBACK, 0 },
	{ "writeback_interval", K_WB_INTERVAL, 0 },
	/* Lustre's, with no meaning here. */
	{ "mmap_conv", K_REFUSED, 0 },
	{ "proj_quota", K_REFUSED, 0 },
	{ "hsmtool", K_REFUSED, 0 },
	/* Rule fields written as keys: a rule without braces. */
	{ "uid", K_FIELD, 0 },
	{ "gid", K_FIELD, 0 },
	{ "projid", K_FIELD, 0 },
	{ "fname", K_FIELD, 0 },
	{ "filename", K_FIELD, 0 },
	{ "size", K_FIELD, 0 },
	{ "mtime", K_FIELD, 0 },
};

/* One KEY=VALUE token, tok[0..len), applied to ps->p. */
static int parse_token(struct pparser *ps, const char *tok, size_t len)
{
	struct pcc_params *p = ps->p;
	const char *eq = memchr(tok, '=', len), *val;
	size_t klen, vlen, i;
	uint32_t id;
	bool b;

	/* The rule ends at the last '}': a '{' after it is never closed. */
	if (memchr(tok, '{', len))
		return fail_at(ps, (const char *)memchr(tok, '{', len),
			       "'{' without a closing '}'");
	if (!eq)
		return fail_at(ps, tok, "expected KEY=VALUE, found '%.*s'",
			       (int)(len > QUOTE_MAX ? QUOTE_MAX : len), tok);
	klen = eq - tok;
	val = eq + 1;
	vlen = len - klen - 1;
	for (i = 0; i < ARRAY_SIZE(keys); i++)
		if (strlen(keys[i].name) == klen &&
		    !memcmp(keys[i].name, tok, klen))
			break;
	if (i == ARRAY_SIZE(keys))
		return fail_at(ps, tok,
			       "unknown key '%.*s'; expected roid, rwid, auto_attach, open_attach, stat_attach, io_attach, pccro, pccrw, high, low, max_bytes, max_files, min_free, writeback or writeback_interval",
			       (int)(klen > QUOTE_MAX ? QUOTE_MAX : klen), tok);
	switch (keys[i].kind) {
	case K_REFUSED:
		return fail_at(ps, tok, "pcc has no %s setting", keys[i].name);
	case K_FIELD:
		return fail_at(ps, tok,
			       "%s is a rule field: its values go in braces, as in %s={...}",
			       keys[i].name, keys[i].name);
	case K_ROID:
	case K_RWID:
		if (parse_positive(val, vlen, PCC_DS_ID_MAX, &id))
			return fail_at(ps, val,
				       "%s must be a number from 1 to %d, not '%.*s'",
				       keys[i].name, PCC_DS_ID_MAX,
				       (int)(vlen > QUOTE_MAX ? QUOTE_MAX : vlen),
				       val);
		if (keys[i].kind == K_ROID) {
			p->roid = id;
			p->set |= PCC_PARAM_ROID;
		} else {
			p->rwid = id;
			p->set |= PCC_PARAM_RWID;
		}
		return 0;
	case K_PERCENT: {
		unsigned int pct;

		if (parse_percent(val, vlen, &pct))
			return fail_at(ps, val,
				       "%s must be a percentage from 0%% to 100%%, not '%.*s'",
				       keys[i].name,
				       (int)(vlen > QUOTE_MAX ? QUOTE_MAX : vlen),
				       val);
		if (keys[i].bits == PCC_PARAM_HIGH)
			p->high = pct;
		else
			p->low = pct;
		p->set |= keys[i].bits;
		return 0;
	}
	case K_SIZE: {
		bool files = keys[i].bits == PCC_PARAM_MAX_FILES;
		uint64_t v;

		if (parse_size(val, vlen, files, &v))
			return fail_at(ps, val, files
				       ? "%s must be a number of files from 1, or none, not '%.*s'"
				       : "%s must be a size from 1 (bytes, or with K, M, G or T), or none, not '%.*s'",
				       keys[i].name,
				       (int)(vlen > QUOTE_MAX ? QUOTE_MAX : vlen),
				       val);
		if (keys[i].bits == PCC_PARAM_MAX_BYTES)
			p->max_bytes = v;
		else if (files)
			p->max_files = v;
		else
			p->min_free = v;
		p->set |= keys[i].bits;
		return 0;
	}
	case K_WRITEBACK:
		if (vlen == 5 && !memcmp(val, "close", 5))
			p->writeback = PCC_DS_WB_CLOSE;
		else if (vlen == 4 && !memcmp(val, "lazy", 4))
			p->writeback = PCC_DS_WB_LAZY;
		else
			return fail_at(ps, val,
				       "writeback must be close or lazy, not '%.*s'",
				       (int)(vlen > QUOTE_MAX ? QUOTE_MAX : vlen),
				       val);
		p->set |= PCC_PARAM_WRITEBACK;
		ps->wb_at = tok;
		return 0;
	case K_WB_INTERVAL: {
		uint32_t secs;

		if (parse_positive(val, vlen, PCC_DS_WB_INTERVAL_MAX, &secs))
			return fail_at(ps, val,
				       "writeback_interval must be a number of seconds from 1 to %d, not '%.*s'",
				       PCC_DS_WB_INTERVAL_MAX,
				       (int)(vlen > QUOTE_MAX ? QUOTE_MAX : vlen),
				       val);
		p->wb_interval = secs;
		p->set |= PCC_PARAM_WB_INTERVAL;
		ps->wbi_at = tok;
		return 0;
	}
	case K_ATTACH:
	case K_MODE:
		if (parse_bool(val, vlen, &b))
			return fail_at(ps, val,
				       "%s takes a boolean (1/0, y/n, yes/no, on/off, true/false), not '%.*s'",
				       keys[i].name,
				       (int)(vlen > QUOTE_MAX ? QUOTE_MAX : vlen),
				       val);
		if (keys[i].kind == K_ATTACH) {
			p->attach = b ? p->attach | keys[i].bits :
					p->attach & ~keys[i].bits;
			p->set |= PCC_PARAM_ATTACH;
		} else {
			p->mode = b ? p->mode | keys[i].bits :
				      p->mode & ~keys[i].bits;
			p->set |= PCC_PARAM_MODE;
			ps->mode_at = tok;
		}
		return 0;
	}
	return -EINVAL;
}

/* The rule: text up to and with the last '}'; NULL rule_end if none. */
static int parse_rule(struct pparser *ps, const char *rule_end,
		      struct pcc_params *p)
{
	const char *start = ps->text, *end = rule_end + 1;
	char *whole;
	int ret;

	/* Parsed from the start of text so that columns are text's. */
	whole = strndup(ps->text, end - ps->text);
	if (!whole)
		return -ENOMEM;
	ret = pcc_rule_parse(whole, &p->rule, ps->err);
	free(whole);
	if (ret)
		return ret;
	while (is_blank(*start))
		start++;
	/* The module keeps the text as well (PCC_A_DS_RULE_TEXT). */
	if (end - start >= PCC_RULE_TEXT_MAX) {
		ret = fail_at(ps, start + PCC_RULE_TEXT_MAX - 1,
			      "the rule is longer than %d bytes",
			      PCC_RULE_TEXT_MAX - 1);
		pcc_rule_free(p->rule);
		p->rule = NULL;
		return ret;
	}
	p->rule_text = strndup(start, end - start);
	if (!p->rule_text) {
		pcc_rule_free(p->rule);
		p->rule = NULL;
		return -ENOMEM;
	}
	p->set |= PCC_PARAM_RULE;
	return 0;
}

int pcc_params_parse(const char *text, struct pcc_params *p,
		     struct pcc_parse_error *err)
{
	struct pcc_params n = *p;
	struct pparser ps = { .text = text, .err = err, .p = &n };
	const char *rule_end = strrchr(text, '}');
	const char *s = text, *tok;
	int ret;

	n.rule = NULL;
	n.rule_text = NULL;
	if (rule_end) {
		ret = parse_rule(&ps, rule_end, &n);
		if (ret)
			return ret;
		s = rule_end + 1;
		if (*s && !is_blank(*s)) {
			ret = fail_at(&ps, s,
				      "expected a blank after the rule's last '}'");
			goto fail;
		}
	}
	for (;;) {
		while (is_blank(*s))
			s++;
		if (!*s)
			break;
		for (tok = s; *s && !is_blank(*s); s++)
			;
		ret = parse_token(&ps, tok, s - tok);
		if (ret)
			goto fail;
	}
	if ((n.set & PCC_PARAM_MODE) && !n.mode) {
		ret = fail_at(&ps, ps.mode_at,
			      "no caching mode left: pccro and pccrw are both off");
		goto fail;
	}
	/*
	 * The module takes a write-back policy for read-write datasets only,
	 * and an interval means something only to lazy write-back: refused
	 * here, with the column, as pcc.yaml refuses them, rather than
	 * after a round trip to the module or the file's check.
	 */
	if ((ps.wb_at || ps.wbi_at) && !(n.mode & PCC_DS_MODE_RW)) {
		ret = fail_at(&ps, ps.wb_at ? ps.wb_at : ps.wbi_at,
			      "%s is for read-write datasets only (pccrw=1, given when the dataset is added)",
			      ps.wb_at ? "writeback" : "writeback_interval");
		goto fail;
	}
	if (ps.wbi_at && n.writeback != PCC_DS_WB_LAZY) {
		ret = fail_at(&ps, ps.wbi_at,
			      "writeback_interval needs writeback=lazy");
		goto fail;
	}
	/*
	 * Good: n replaces *p, with its rule if the text had one (p->set
	 * may say an earlier text did: n.rule is what tells).
	 */
	if (n.rule) {
		pcc_rule_free(p->rule);
		free(p->rule_text);
	} else {
		n.rule = p->rule;
		n.rule_text = p->rule_text;
	}
	*p = n;
	return 0;
fail:
	pcc_rule_free(n.rule);
	free(n.rule_text);
	return ret;
}

void pcc_params_clear(struct pcc_params *p)
{
	pcc_rule_free(p->rule);
	free(p->rule_text);
	p->rule = NULL;
	p->rule_text = NULL;
}
