# SPDX-License-Identifier: GPL-2.0-only
# Man pages: templates with the configured paths filled in (pcc_edit, from
# conf/local.mk).
man_MANS = man/pcc.8 man/pccd.8 man/pcc.yaml.5 man/mount.pcc.8
EXTRA_DIST += man/pcc.8.in man/pccd.8.in man/pcc.yaml.5.in man/mount.pcc.8.in
CLEANFILES += $(man_MANS)

man/pcc.8: man/pcc.8.in Makefile
	$(pcc_edit_rule)
man/pccd.8: man/pccd.8.in Makefile
	$(pcc_edit_rule)
man/pcc.yaml.5: man/pcc.yaml.5.in Makefile
	$(pcc_edit_rule)
man/mount.pcc.8: man/mount.pcc.8.in Makefile
	$(pcc_edit_rule)

# Render every page with all groff warnings on; any warning fails.
check-local: check-man
check-man: $(man_MANS)
	$(AM_V_GEN)if ! command -v groff >/dev/null; then \
		echo "check-man: no groff, pages not checked"; exit 0; fi; \
	for m in $(man_MANS); do \
		out=$$(LC_ALL=C.UTF-8 groff -man -ww -z $$m 2>&1); \
		if test -n "$$out"; then echo "$$m:"; echo "$$out"; exit 1; fi; \
	done
.PHONY: check-man
