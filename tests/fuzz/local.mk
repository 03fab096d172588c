# SPDX-License-Identifier: GPL-2.0-only
# libFuzzer targets: built and run by tests/fuzz/run (clang), not by make;
# scripts/test runs it as its "fuzz" stage.
EXTRA_DIST += \
	tests/fuzz/run \
	tests/fuzz/conf.dict \
	tests/fuzz/corpus/conf/seed-bad-capacity-order \
	tests/fuzz/corpus/conf/seed-bad-rule-block \
	tests/fuzz/corpus/conf/seed-bad-rule-quoted \
	tests/fuzz/corpus/conf/seed-good-comments \
	tests/fuzz/corpus/conf/seed-good-full \
	tests/fuzz/corpus/conf/seed-pcc \
	tests/fuzz/corpus/ctl/seed-1 \
	tests/fuzz/corpus/ctl/seed-2 \
	tests/fuzz/corpus/ctl/seed-3 \
	tests/fuzz/corpus/ctl/seed-4 \
	tests/fuzz/corpus/ctl/seed-5 \
	tests/fuzz/corpus/ctl/seed-6 \
	tests/fuzz/corpus/ctl/seed-7 \
	tests/fuzz/corpus/param/seed-1 \
	tests/fuzz/corpus/param/seed-2 \
	tests/fuzz/corpus/param/seed-3 \
	tests/fuzz/corpus/param/seed-4 \
	tests/fuzz/corpus/param/seed-5 \
	tests/fuzz/corpus/param/seed-6 \
	tests/fuzz/corpus/rule/seed-1 \
	tests/fuzz/corpus/rule/seed-2 \
	tests/fuzz/corpus/rule/seed-3 \
	tests/fuzz/corpus/rule/seed-4 \
	tests/fuzz/corpus/rule/seed-5 \
	tests/fuzz/corpus/rule/seed-6 \
	tests/fuzz/corpus/rule/seed-7 \
	tests/fuzz/corpus/rule/seed-8 \
	tests/fuzz/corpus/rule/seed-9 \
	tests/fuzz/ctl.dict \
	tests/fuzz/fuzz_conf.c \
	tests/fuzz/fuzz_ctl.c \
	tests/fuzz/fuzz_param.c \
	tests/fuzz/fuzz_rule.c \
	tests/fuzz/param.dict \
	tests/fuzz/rule.dict
