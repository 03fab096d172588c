# SPDX-License-Identifier: GPL-2.0-only
# Configuration, the systemd unit, bash completion.

# Turn a *.in template into the file with the configured paths; man pages
# use it too (man/local.mk).
pcc_edit = $(SED) \
	-e 's|@sbindir[@]|$(sbindir)|g' \
	-e 's|@bindir[@]|$(bindir)|g' \
	-e 's|@sysconfdir[@]|$(sysconfdir)|g' \
	-e 's|@PCC_CTL_SOCKET[@]|$(pcc_ctl_socket)|g' \
	-e 's|@PCCD_SERVICE_TYPE[@]|$(PCCD_SERVICE_TYPE)|g' \
	-e 's|@VERSION[@]|$(VERSION)|g'
pcc_edit_rule = $(AM_V_GEN)$(MKDIR_P) $(@D) && rm -f $@ $@.tmp && \
	$(pcc_edit) $< > $@.tmp && mv $@.tmp $@

# The admin's file is theirs: installed only where there is none, and
# removed on uninstall only if still the one shipped.
pcc_confdir = $(sysconfdir)/pcc
EXTRA_DIST += conf/pcc.yaml

install-data-hook: install-pcc-yaml
uninstall-hook: uninstall-pcc-yaml

install-pcc-yaml:
	$(MKDIR_P) '$(DESTDIR)$(pcc_confdir)'
	@if test -f '$(DESTDIR)$(pcc_confdir)/pcc.yaml'; then \
		echo "keeping $(DESTDIR)$(pcc_confdir)/pcc.yaml"; \
	else \
		echo " $(INSTALL_DATA) conf/pcc.yaml '$(DESTDIR)$(pcc_confdir)/pcc.yaml'"; \
		$(INSTALL_DATA) '$(srcdir)/conf/pcc.yaml' \
			'$(DESTDIR)$(pcc_confdir)/pcc.yaml'; \
	fi

uninstall-pcc-yaml:
	@if cmp -s '$(srcdir)/conf/pcc.yaml' '$(DESTDIR)$(pcc_confdir)/pcc.yaml'; then \
		echo " rm -f '$(DESTDIR)$(pcc_confdir)/pcc.yaml'"; \
		rm -f '$(DESTDIR)$(pcc_confdir)/pcc.yaml'; \
	elif test -f '$(DESTDIR)$(pcc_confdir)/pcc.yaml'; then \
		echo "keeping the changed $(DESTDIR)$(pcc_confdir)/pcc.yaml"; \
	fi

.PHONY: install-pcc-yaml uninstall-pcc-yaml

# The unit: Type=notify with libsystemd, Type=simple without.
EXTRA_DIST += conf/pccd.service.in
CLEANFILES += conf/pccd.service
conf/pccd.service: conf/pccd.service.in Makefile
	$(pcc_edit_rule)
if INSTALL_UNIT
systemdsystemunit_DATA = conf/pccd.service
else
noinst_DATA = conf/pccd.service
endif

# 'systemd-analyze verify' of the built unit (skipped without systemd).
TESTS += tests/systemd/verify-unit
EXTRA_DIST += tests/systemd/verify-unit

# Under its command's name, as bash-completion looks it up.
bashcompletiondir = $(datadir)/bash-completion/completions
dist_bashcompletion_DATA = conf/bash-completion/pcc
