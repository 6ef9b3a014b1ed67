/* SPDX-License-Identifier: MIT */
/* consoled_util.c: rivet-consoled's pure parts: on_* decisions, protocol parsing, names. */
#include <stdio.h>
#include <string.h>

#include "consoled_util.h"

enum consoled_action consoled_decide(const struct rivet_domain_info *info,
				     const struct xl_record *rec)
{
	uint8_t action;

	if (info->domid == 0 || !(info->state & RIVET_DOMSTATE_SHUTDOWN) ||
	    (info->state & RIVET_DOMSTATE_DYING))
		return CONSOLED_NOTHING;
	if (!rec)
		return CONSOLED_DESTROY;
	action = xl_record_action(rec, info->shutdown_reason) & (uint8_t)~RIVET_ACTION_COREDUMP;
	if (action == RIVET_ACTION_PRESERVE)
		return CONSOLED_NOTHING;   /* kept for inspection until xl destroy */
	if (action == RIVET_ACTION_RENAME_RESTART)
		return CONSOLED_RENAME_RESTART;
	return action == RIVET_ACTION_RESTART ? CONSOLED_RESTART : CONSOLED_DESTROY;
}

int consoled_preserved_name(const char *name, time_t when, unsigned n, char out[RIVET_NAME_LEN])
{
	char suffix[40];
	struct tm tm;

	if (!gmtime_r(&when, &tm))
		return -1;
	int k = (int)strftime(suffix, sizeof suffix, "-%Y%m%dT%H%MZ", &tm);
	if (k <= 0)
		return -1;
	if (n)
		k += snprintf(suffix + k, sizeof suffix - (size_t)k, "-%u", n);
	if (k >= RIVET_NAME_LEN - 1)
		return -1;
	/* The name gives way to the suffix: the whole stays a valid name of at most 31 bytes. */
	int keep = (int)strnlen(name, RIVET_NAME_LEN - 1);
	if (keep > RIVET_NAME_LEN - 1 - k)
		keep = RIVET_NAME_LEN - 1 - k;
	memcpy(out, name, (size_t)keep);
	memcpy(out + keep, suffix, (size_t)k + 1);
	return 0;
}

const char *consoled_reason_name(uint32_t reason)
{
	switch (reason) {
	case RIVET_SHUTDOWN_POWEROFF: return "poweroff";
	case RIVET_SHUTDOWN_REBOOT:   return "reboot";
	case RIVET_SHUTDOWN_CRASH:    return "crash";
	case RIVET_SHUTDOWN_WATCHDOG: return "watchdog";
	}
	return "shutdown";
}

int consoled_parse_attach(const char *line, uint32_t *domid)
{
	uint64_t v;

	if (strncmp(line, "ATTACH ", 7) || xl_parse_uint(line + 7, UINT32_MAX, &v) < 0)
		return -1;
	*domid = (uint32_t)v;
	return 0;
}

void consoled_tail_put(struct consoled_tail *t, const char *p, size_t n)
{
	if (n >= CONSOLED_TAIL_BYTES) {
		memcpy(t->buf, p + n - CONSOLED_TAIL_BYTES, CONSOLED_TAIL_BYTES);
		t->head = 0;
		t->len = CONSOLED_TAIL_BYTES;
		return;
	}
	for (size_t i = 0; i < n; i++) {
		t->buf[(t->head + t->len) % CONSOLED_TAIL_BYTES] = p[i];
		if (t->len < CONSOLED_TAIL_BYTES)
			t->len++;
		else
			t->head = (t->head + 1) % CONSOLED_TAIL_BYTES;
	}
}

size_t consoled_tail_get(const struct consoled_tail *t, char *out)
{
	for (size_t i = 0; i < t->len; i++)
		out[i] = t->buf[(t->head + i) % CONSOLED_TAIL_BYTES];
	return t->len;
}

static const char *const con_names[CONSOLED_NR_CON] = { "all", "sbi", "serial", "virtio" };

const char *consoled_con_name(enum consoled_con con)
{
	return con < CONSOLED_NR_CON ? con_names[con] : "?";
}

enum consoled_req consoled_parse_request(const char *line, uint32_t *domid, enum consoled_con *con)
{
	enum consoled_req req;
	char id[16];
	const char *sp;
	uint64_t v;
	size_t n;

	if (!strncmp(line, "ATTACH ", 7))
		req = CONSOLED_REQ_ATTACH;
	else if (!strncmp(line, "SOURCE ", 7))
		req = CONSOLED_REQ_SOURCE;
	else
		return CONSOLED_REQ_BAD;
	line += 7;
	sp = strchr(line, ' ');
	n = sp ? (size_t)(sp - line) : strlen(line);
	if (n >= sizeof id)
		return CONSOLED_REQ_BAD;
	memcpy(id, line, n);
	id[n] = '\0';
	if (xl_parse_uint(id, UINT32_MAX, &v) < 0)
		return CONSOLED_REQ_BAD;
	*con = req == CONSOLED_REQ_SOURCE ? CONSOLED_CON_SERIAL : CONSOLED_CON_ALL;
	if (sp) {
		unsigned k;

		for (k = CONSOLED_CON_SBI; k < CONSOLED_NR_CON && strcmp(sp + 1, con_names[k]); k++)
			;
		if (k == CONSOLED_NR_CON || (req == CONSOLED_REQ_SOURCE && k == CONSOLED_CON_SBI))
			return CONSOLED_REQ_BAD;
		*con = (enum consoled_con)k;
	}
	*domid = (uint32_t)v;
	return req;
}

void consoled_log_name(const char *name, uint32_t domid, char *buf, size_t size)
{
	size_t i, n = strnlen(name, RIVET_NAME_MAX - 1);

	if (n == 0 || !strcmp(name, ".") || !strcmp(name, "..")) {
		snprintf(buf, size, "domain-%u", domid);
		return;
	}
	for (i = 0; i < n && i + 1 < size; i++) {
		char c = name[i];

		buf[i] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			 c == '_' || c == '-' || c == '.' ? c : '_';
	}
	if (size)
		buf[i < size ? i : size - 1] = '\0';
}

int consoled_restart_argv(const char *xl, struct xl_record *rec, char **argv)
{
	unsigned i;
	int n = 0;

	argv[n++] = (char *)xl;
	argv[n++] = "create";
	argv[n++] = rec->config;
	for (i = 0; i < rec->nr_args && i < XL_RECORD_MAX_ARGS; i++)
		if (rec->args[i])
			argv[n++] = rec->args[i];
	argv[n] = NULL;
	return n;
}

int consoled_parse_size(const char *s, uint64_t *out)
{
	char digits[24];
	size_t n = strspn(s, "0123456789");
	unsigned shift = 0;
	uint64_t v;

	if (n == 0 || n >= sizeof digits)
		return -1;
	switch (s[n]) {
	case '\0': break;
	case 'k': case 'K': shift = 10; break;
	case 'm': case 'M': shift = 20; break;
	case 'g': case 'G': shift = 30; break;
	default: return -1;
	}
	if (shift && s[n + 1])
		return -1;
	memcpy(digits, s, n);
	digits[n] = '\0';
	if (xl_parse_uint(digits, UINT64_MAX >> shift, &v) < 0)
		return -1;
	*out = v << shift;
	return 0;
}

enum consoled_identity consoled_identify(const char *known_name, uint64_t known_start_ns,
					 const struct rivet_domain_info *now)
{
	if (!strncmp(known_name, now->name, RIVET_NAME_MAX))
		return CONSOLED_SAME;
	if (known_start_ns && known_start_ns == now->start_ns)
		return CONSOLED_RENAMED;
	return CONSOLED_OTHER;
}
