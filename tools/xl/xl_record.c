/* SPDX-License-Identifier: MIT */
/*
 * xl_record.c: /run/rivet/domains/<domid>, the note `xl create` leaves for
 * rivet-consoled: the domain's name, its config and overrides (to create it
 * again on `restart`), and its on_* actions. One "key=value" per line.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "consoled_proto.h"
#include "fileio.h"
#include "xl.h"

const char *xl_run_dir(void)
{
	const char *d = getenv("RIVET_RUN_DIR");

	return d && *d ? d : "/run/rivet";
}

int xl_consoled_sockaddr(struct sockaddr_un *sa)
{
	memset(sa, 0, sizeof *sa);
	sa->sun_family = AF_UNIX;
	if ((size_t)snprintf(sa->sun_path, sizeof sa->sun_path, "%s/%s", xl_run_dir(),
			     CONSOLED_SOCK_NAME) >= sizeof sa->sun_path)
		return -1;
	return 0;
}

void xl_record_path(uint32_t domid, char *buf, size_t size)
{
	snprintf(buf, size, "%s/domains/%u", xl_run_dir(), domid);
}

const char *xl_action_name(uint8_t action)
{
	return action == RIVET_ACTION_RESTART ? "restart" : "destroy";
}

static int has_newline(const char *s)
{
	return strchr(s, '\n') != NULL || strchr(s, '\r') != NULL;
}

int xl_record_format(const struct xl_record *r, char *buf, size_t size)
{
	size_t n;
	unsigned i;
	int k;

	if (has_newline(r->name) || has_newline(r->config) || r->nr_args > XL_RECORD_MAX_ARGS)
		return -1;
	k = snprintf(buf, size, "name=%s\nconfig=%s\non_poweroff=%s\non_reboot=%s\non_crash=%s\n",
		     r->name, r->config, xl_action_name(r->on_poweroff),
		     xl_action_name(r->on_reboot), xl_action_name(r->on_crash));
	if (k < 0 || (size_t)k >= size)
		return -1;
	n = (size_t)k;
	for (i = 0; i < r->nr_args; i++) {
		if (has_newline(r->args[i]))
			return -1;
		k = snprintf(buf + n, size - n, "arg=%s\n", r->args[i]);
		if (k < 0 || (size_t)k >= size - n)
			return -1;
		n += (size_t)k;
	}
	return (int)n;
}

static int copy_field(char *dst, size_t size, const char *v, size_t len)
{
	if (len >= size)
		return -1;
	memcpy(dst, v, len);
	dst[len] = '\0';
	return 0;
}

static int parse_action(const char *v, size_t len, uint8_t *out)
{
	if (len == 7 && !strncmp(v, "destroy", 7))
		*out = RIVET_ACTION_DESTROY;
	else if (len == 7 && !strncmp(v, "restart", 7))
		*out = RIVET_ACTION_RESTART;
	else
		return -1;
	return 0;
}

int xl_record_parse(const char *text, struct xl_record *r, char *why)
{
	const char *p = text;
	unsigned line = 0;

	memset(r, 0, sizeof *r);
	while (*p) {
		const char *nl = strchr(p, '\n'), *eq, *v;
		size_t klen, vlen;
		int bad = 0;

		if (!nl)
			nl = p + strlen(p);
		line++;
		eq = memchr(p, '=', (size_t)(nl - p));
		if (nl == p) {
			p = *nl ? nl + 1 : nl;
			continue;
		}
		if (!eq)
			return reason_set(why, "line %u: expected key=value", line);
		klen = (size_t)(eq - p);
		v = eq + 1;
		vlen = (size_t)(nl - v);
#define KEY(s) (klen == sizeof(s) - 1 && !strncmp(p, s, klen))
		if (KEY("name"))
			bad = copy_field(r->name, sizeof r->name, v, vlen);
		else if (KEY("config"))
			bad = copy_field(r->config, sizeof r->config, v, vlen);
		else if (KEY("on_poweroff"))
			bad = parse_action(v, vlen, &r->on_poweroff);
		else if (KEY("on_reboot"))
			bad = parse_action(v, vlen, &r->on_reboot);
		else if (KEY("on_crash"))
			bad = parse_action(v, vlen, &r->on_crash);
		else if (KEY("arg"))
			bad = r->nr_args == XL_RECORD_MAX_ARGS ||
			      copy_field(r->args[r->nr_args++], XL_RECORD_ARG_MAX, v, vlen);
		/* Unknown keys are skipped: a newer xl may write more. */
#undef KEY
		if (bad)
			return reason_set(why, "line %u: bad value for '%.*s'", line, (int)klen, p);
		p = *nl ? nl + 1 : nl;
	}
	if (!r->name[0] || !r->config[0])
		return reason_set(why, "no name or config");
	return 0;
}

static int mkdir_one(const char *path, char *why)
{
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		return reason_set(why, "cannot create %s: %s", path, strerror(errno));
	return 0;
}

int xl_record_write(uint32_t domid, const struct xl_record *r, char *why)
{
	char path[600], dir[600], *text;
	int n, rc;

	text = malloc(XL_RECORD_MAX);
	if (!text)
		return reason_set(why, "out of memory");
	n = xl_record_format(r, text, XL_RECORD_MAX);
	if (n < 0) {
		free(text);
		return reason_set(why, "record too long or a value holds a newline");
	}
	snprintf(dir, sizeof dir, "%s/domains", xl_run_dir());
	if (mkdir_one(xl_run_dir(), why) < 0 || mkdir_one(dir, why) < 0) {
		free(text);
		return -1;
	}
	xl_record_path(domid, path, sizeof path);
	rc = file_write_atomic(path, text, (size_t)n, why);
	free(text);
	return rc;
}

int xl_record_read(uint32_t domid, struct xl_record *r, char *why)
{
	char path[600];
	uint8_t *buf;
	size_t len;
	int rc;

	xl_record_path(domid, path, sizeof path);
	if (file_read(path, XL_RECORD_MAX, &buf, &len, why) < 0)
		return -1;
	rc = strlen((char *)buf) == len ? xl_record_parse((char *)buf, r, why)
					: reason_set(why, "NUL byte in the record");
	free(buf);
	return rc;
}

void xl_record_remove(uint32_t domid)
{
	char path[600];

	xl_record_path(domid, path, sizeof path);
	unlink(path);
}
