# SPDX-License-Identifier: GPL-2.0-only
# PCC_CHECK_CFLAGS(VARIABLE, FLAGS)
# Append to VARIABLE each of FLAGS the C compiler accepts.  Each flag is
# tried on its own with -Werror, so a compiler that only warns about an
# unknown option does not get it.
AC_DEFUN([PCC_CHECK_CFLAGS], [
	for pcc_flag in m4_normalize([$2]); do
		AC_MSG_CHECKING([whether $CC accepts $pcc_flag])
		pcc_save_CFLAGS=$CFLAGS
		CFLAGS="$CFLAGS -Werror $pcc_flag"
		AC_COMPILE_IFELSE([AC_LANG_PROGRAM([], [])],
			[$1="$$1 $pcc_flag"; AC_MSG_RESULT([yes])],
			[AC_MSG_RESULT([no])])
		CFLAGS=$pcc_save_CFLAGS
	done
])
