/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pcc_glob.h - the shell glob matcher of the rules' fname field (dataset.c).
 * Plain C with no kernel dependency, so tests/unit/test_glob.c runs it on
 * the build machine.  lib/glob.c's glob_match() is not used: it is built
 * only with CONFIG_GLOB, which the debug lane's kernel does not have.
 */
#ifndef PCC_GLOB_H
#define PCC_GLOB_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdbool.h>
#endif

/*
 * One element of a pattern against one character: ?, a [...] class (with
 * ! or ^ to negate, ranges a-z, ] first taken literally), \x for x, or a
 * character.  On a match, *@pp moves past the element.
 */
static inline bool pcc_glob_one(const char **pp, unsigned char c)
{
	const unsigned char *p = (const unsigned char *)*pp;

	if (*p == '?') {
		*pp += 1;
		return true;
	}
	if (*p == '[') {
		const unsigned char *q = p + 1, *first;
		bool neg = false, hit = false;

		if (*q == '!' || *q == '^') {
			neg = true;
			q++;
		}
		first = q;
		while (*q && (*q != ']' || q == first)) {
			unsigned char lo = *q, hi = *q;

			if (q[1] == '-' && q[2] && q[2] != ']') {
				hi = q[2];
				q += 3;
			} else {
				q++;
			}
			if (lo <= c && c <= hi)
				hit = true;
		}
		if (*q == ']') {
			*pp = (const char *)q + 1;
			return hit != neg;
		}
		/* No closing bracket: the [ is an ordinary character. */
	}
	if (*p == '\\' && p[1])
		p++;
	if (*p != c)
		return false;
	*pp = (const char *)p + 1;
	return true;
}

/*
 * Shell glob match of the whole of @s against @p.  A * is matched lazily:
 * on a mismatch the last * swallows one more character and the rest is
 * tried again, which is never worse than strlen(p) * strlen(s).
 */
static inline bool pcc_glob_match(const char *p, const char *s)
{
	const char *star_p = NULL, *star_s = NULL;

	while (*s) {
		if (*p == '*') {
			star_p = ++p;
			star_s = s;
			continue;
		}
		if (pcc_glob_one(&p, *s)) {
			s++;
			continue;
		}
		if (!star_p)
			return false;
		p = star_p;
		s = ++star_s;
	}
	while (*p == '*')
		p++;
	return !*p;
}

#endif /* PCC_GLOB_H */
