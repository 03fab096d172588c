// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_ctl.c - libFuzzer target for the control protocol's receiving side
 * (lib/ctl.c): each input is sent as one message over a SOCK_SEQPACKET
 * socketpair and received with pcc_ctl_recv(), as pccd and pcc receive.
 *
 * Invariants: the answer is 0 with a JSON object, or -EBADMSG, -EMSGSIZE
 * or -ECONNRESET (an empty message reads as a closed peer) with none.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <json-c/json.h>

#include "ctl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int sv[2] = { -1, -1 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_object *msg = NULL;
	const char *text;
	int ret, sndbuf = 4 * PCC_CTL_MSG_MAX;

	/* One pair for the whole run: a socketpair per input is slow. */
	if (sv[0] < 0) {
		if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
			abort();
		setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &sndbuf,
			   sizeof(sndbuf));
	}
	if (size > 2 * PCC_CTL_MSG_MAX)
		size = 2 * PCC_CTL_MSG_MAX;
	if (send(sv[0], data, size, 0) != (ssize_t)size)
		abort();
	ret = pcc_ctl_recv(sv[1], &msg, 1000);
	switch (ret) {
	case 0:
		if (!msg || !json_object_is_type(msg, json_type_object))
			abort();
		/* What a client does with a reply. */
		pcc_ctl_reply_error(msg, &text);
		json_object_put(msg);
		break;
	case -ECONNRESET:
		if (size)
			abort();
		break;
	case -EMSGSIZE:
		if (size <= PCC_CTL_MSG_MAX)
			abort();
		break;
	case -EBADMSG:
		break;
	default:
		abort();
	}
	return 0;
}
