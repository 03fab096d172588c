/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * client.h - pccd's side of the control protocol (lib/ctl.h): accept CLI
 * connections, answer their requests.
 */
#ifndef PCCD_CLIENT_H
#define PCCD_CLIENT_H

struct json_object;
struct pccd;

/*
 * Answer one request.  Returns the final reply (never NULL unless out of
 * memory); the caller sends and puts it.  Unknown commands get an error
 * reply with EOPNOTSUPP, malformed requests one with EINVAL.
 */
struct json_object *pccd_handle_request(struct pccd *d,
					struct json_object *req);

/* The listening socket is readable: accept what is waiting. */
void pccd_client_accept(struct pccd *d);

/* Client slot i is readable or hung up: serve one request or drop it. */
void pccd_client_event(struct pccd *d, int i, short revents);

/* Drop every client. */
void pccd_client_close_all(struct pccd *d);

#endif /* PCCD_CLIENT_H */
