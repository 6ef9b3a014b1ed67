/* SPDX-License-Identifier: MIT */
/*
 * xl_record.c: /run/rivet/domains/<domid>, the note `xl create` leaves for
 * rivet-consoled: the domain's name, its config and overrides (to create it
 * again on `restart`), its on_* actions, and for a domain with devices its
 * device model's pid, serial port, disks and NICs (dm_pid=, serial=1,
 * disk=SLOT,VDEV,ACCESS,PATH per disk, vif=SLOT,DEVID,MAC,BRIDGE,TAP,IFINDEX
 * per NIC; dm=VCPUS,RAM_BASE,RAM_SIZE,INSTANCE for xl dm-restart,
 * on_dm_crash=restart). One "key=value" per line.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
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
	if (action & RIVET_ACTION_COREDUMP)
		return (action & ~RIVET_ACTION_COREDUMP) == RIVET_ACTION_RESTART ? "coredump-restart" : "coredump-destroy";
	return action == RIVET_ACTION_RESTART ? "restart" : action == RIVET_ACTION_PRESERVE ? "preserve" :
	       action == RIVET_ACTION_RENAME_RESTART ? "rename-restart" : "destroy";
}

int xl_record_of(const struct rivet_domain_info *info, struct xl_record *rec)
{
	char why[REASON_MAX];

	xl_record_init(rec);
	if (info->domid == 0 || xl_record_read(info->domid, rec, why) < 0)
		return 0;
	if (strncmp(rec->name, info->name, sizeof rec->name)) {
		xl_record_free(rec);
		return 0;
	}
	return 1;
}

uint8_t xl_record_action(const struct xl_record *rec, uint32_t reason)
{
	switch (reason) {
	case RIVET_SHUTDOWN_POWEROFF: return rec->on_poweroff;
	case RIVET_SHUTDOWN_REBOOT:   return rec->on_reboot;
	case RIVET_SHUTDOWN_CRASH:    return rec->on_crash;
	case RIVET_SHUTDOWN_WATCHDOG: return rec->on_watchdog;
	}
	return RIVET_ACTION_DESTROY;
}

static int has_newline(const char *s)
{
	return strchr(s, '\n') != NULL || strchr(s, '\r') != NULL;
}

void xl_record_init(struct xl_record *r)
{
	memset(r, 0, sizeof *r);
}

void xl_record_free(struct xl_record *r)
{
	unsigned i;

	free(r->config);
	for (i = 0; i < r->nr_args && i < XL_RECORD_MAX_ARGS; i++)
		free(r->args[i]);
	for (i = 0; i < r->nr_disks && i < XL_MAX_DISKS; i++)
		free(r->disks[i].path);
	xl_record_init(r);
}

static char *dup_n(const char *s, size_t len)
{
	char *p = malloc(len + 1);

	if (p) {
		memcpy(p, s, len);
		p[len] = '\0';
	}
	return p;
}

int xl_record_set_config(struct xl_record *r, const char *config)
{
	char *p = dup_n(config, strlen(config));

	if (!p)
		return -1;
	free(r->config);
	r->config = p;
	return 0;
}

int xl_record_add_arg(struct xl_record *r, const char *arg)
{
	if (r->nr_args >= XL_RECORD_MAX_ARGS || !(r->args[r->nr_args] = dup_n(arg, strlen(arg))))
		return -1;
	r->nr_args++;
	return 0;
}

int xl_record_set_arg(struct xl_record *r, const char *key, const char *value)
{
	size_t k = strlen(key);
	unsigned i, n = 0;
	char *arg = malloc(k + strlen(value) + 2);

	if (!arg)
		return -1;
	snprintf(arg, k + strlen(value) + 2, "%s=%s", key, value);
	for (i = 0; i < r->nr_args; i++) {
		const char *a = r->args[i];

		if (!strncmp(a, key, k) && (a[k] == '=' || (a[k] == '+' && a[k + 1] == '=')))
			free(r->args[i]);
		else
			r->args[n++] = r->args[i];
	}
	r->nr_args = n;
	if (n >= XL_RECORD_MAX_ARGS) {
		free(arg);
		return -1;
	}
	r->args[r->nr_args++] = arg;
	return 0;
}

int xl_record_add_disk(struct xl_record *r, const char *vdev, unsigned slot, int readonly,
		       const char *path)
{
	struct xl_disk *dk;

	if (r->nr_disks >= XL_MAX_DISKS || strlen(vdev) >= XL_VDEV_MAX)
		return -1;
	dk = &r->disks[r->nr_disks];
	dk->path = dup_n(path, strlen(path));
	if (!dk->path)
		return -1;
	memcpy(dk->vdev, vdev, strlen(vdev) + 1);
	dk->slot = slot;
	dk->readonly = readonly != 0;
	r->nr_disks++;
	return 0;
}

int xl_record_add_vif(struct xl_record *r, const struct xl_vif *v)
{
	if (r->nr_vifs >= XL_MAX_VIFS || !memchr(v->bridge, 0, sizeof v->bridge) ||
	    !memchr(v->tap, 0, sizeof v->tap))
		return -1;
	r->vifs[r->nr_vifs++] = *v;
	return 0;
}

long xl_record_format(const struct xl_record *r, char **text, char *why)
{
	size_t size, n;
	unsigned i;
	char *buf;
	int k;

	*text = NULL;
	if (!r->config || r->nr_args > XL_RECORD_MAX_ARGS)
		return reason_set(why, "no config path, or too many overrides");
	if (has_newline(r->name) || has_newline(r->config))
		return reason_set(why, "the name or config path holds a newline");
	/* Exact size: fixed text and action names (at most 16 bytes each: "coredump-restart") plus every string. */
	size = sizeof "name=\nconfig=\non_poweroff=\non_reboot=\non_crash=\non_watchdog=\n" +
	       4 * sizeof "coredump-restart" +
	       strnlen(r->name, sizeof r->name) + strlen(r->config);
	for (i = 0; i < r->nr_args; i++) {
		if (has_newline(r->args[i]))
			return reason_set(why, "override %u holds a newline", i + 1);
		size += sizeof "arg=\n" + strlen(r->args[i]);
	}
	if (r->nr_disks > XL_MAX_DISKS)
		return reason_set(why, "too many disks");
	size += sizeof "dm_pid=\nserial=1\nconsole=virtio\n" + 12;
	size += sizeof "dm=,,,\non_dm_crash=restart\n" + 10 + 3 * 18;
	size += sizeof "mem=,\n" + 2 * 18;
	for (i = 0; i < r->nr_disks; i++) {
		if (has_newline(r->disks[i].path) || strchr(r->disks[i].vdev, ','))
			return reason_set(why, "disk %u's path holds a newline", i + 1);
		size += sizeof "disk=,,rw,\n" + 12 + strlen(r->disks[i].vdev) + strlen(r->disks[i].path);
	}
	if (r->nr_vifs > XL_MAX_VIFS)
		return reason_set(why, "too many vifs");
	for (i = 0; i < r->nr_vifs; i++) {
		if (strpbrk(r->vifs[i].bridge, ",\n") || strpbrk(r->vifs[i].tap, ",\n"))
			return reason_set(why, "vif %u's names hold a comma or newline", i);
		size += sizeof "vif=,,,,,\n" + 3 * 12 + 17 + 2 * XL_IFNAME_MAX;
	}
	if (size > XL_RECORD_MAX)
		return reason_set(why, "record of %zu bytes is over %u", size, XL_RECORD_MAX);
	buf = malloc(size);
	if (!buf)
		return reason_set(why, "out of memory");
	k = snprintf(buf, size, "name=%.*s\nconfig=%s\non_poweroff=%s\non_reboot=%s\non_crash=%s\n"
		     "on_watchdog=%s\n", (int)sizeof r->name, r->name, r->config,
		     xl_action_name(r->on_poweroff), xl_action_name(r->on_reboot),
		     xl_action_name(r->on_crash), xl_action_name(r->on_watchdog));
	n = (size_t)k;
	for (i = 0; i < r->nr_args && k >= 0 && n < size; i++) {
		k = snprintf(buf + n, size - n, "arg=%s\n", r->args[i]);
		n += (size_t)k;
	}
	if (r->dm_pid > 0 && k >= 0 && n < size) {
		k = snprintf(buf + n, size - n, "dm_pid=%d\n", r->dm_pid);
		n += (size_t)k;
	}
	if (r->serial && k >= 0 && n < size) {
		k = snprintf(buf + n, size - n, "serial=1\n");
		n += (size_t)k;
	}
	if (r->vconsole && k >= 0 && n < size) {
		k = snprintf(buf + n, size - n, "console=virtio\n");
		n += (size_t)k;
	}
	for (i = 0; i < r->nr_disks && k >= 0 && n < size; i++) {
		k = snprintf(buf + n, size - n, "disk=%u,%s,%s,%s\n", r->disks[i].slot,
			     r->disks[i].vdev, r->disks[i].readonly ? "ro" : "rw", r->disks[i].path);
		n += (size_t)k;
	}
	for (i = 0; i < r->nr_vifs && k >= 0 && n < size; i++) {
		char mac[18];

		xl_vif_mac_string(r->vifs[i].mac, mac);
		k = snprintf(buf + n, size - n, "vif=%u,%u,%s,%s,%s,%u\n", r->vifs[i].slot,
			     r->vifs[i].devid, mac, r->vifs[i].bridge, r->vifs[i].tap, r->vifs[i].ifindex);
		n += (size_t)k;
	}
	if (r->dm_vcpus && k >= 0 && n < size) {
		k = snprintf(buf + n, size - n, "dm=%u,%#llx,%#llx,%#llx\n", r->dm_vcpus,
			     (unsigned long long)r->dm_ram_base, (unsigned long long)r->dm_ram_size,
			     (unsigned long long)r->dm_instance);
		n += (size_t)k;
	}
	if (r->mem_max && k >= 0 && n < size) {
		k = snprintf(buf + n, size - n, "mem=%#llx,%#llx\n", (unsigned long long)r->mem_target,
			     (unsigned long long)r->mem_max);
		n += (size_t)k;
	}
	if (r->dm_restart && k >= 0 && n < size) {
		k = snprintf(buf + n, size - n, "on_dm_crash=restart\n");
		n += (size_t)k;
	}
	if (k < 0 || n >= size) {   /* cannot happen with the size above; never write a cut record */
		free(buf);
		return reason_set(why, "record formatting failed");
	}
	*text = buf;
	return (long)n;
}

static int copy_name(char *dst, size_t size, const char *v, size_t len)
{
	if (len >= size)
		return -1;
	memcpy(dst, v, len);
	dst[len] = '\0';
	return 0;
}

static int set_string(char **dst, const char *v, size_t len)
{
	char *p = dup_n(v, len);

	if (!p)
		return -1;
	free(*dst);
	*dst = p;
	return 0;
}

static int parse_uint(const char *v, size_t len, unsigned long max, unsigned long *out)
{
	unsigned long n = 0;
	size_t i;

	if (!len || len > 10)
		return -1;
	for (i = 0; i < len; i++) {
		if (v[i] < '0' || v[i] > '9')
			return -1;
		n = n * 10 + (unsigned long)(v[i] - '0');
	}
	if (n > max)
		return -1;
	*out = n;
	return 0;
}

/* "SLOT,VDEV,ACCESS,PATH": the path last, as it may hold commas. */
static int parse_disk(const char *v, size_t len, struct xl_record *r)
{
	const char *end = v + len, *c1, *c2, *c3;
	unsigned long slot;
	char vdev[XL_VDEV_MAX], *path;
	int ro, rc;

	c1 = memchr(v, ',', len);
	c2 = c1 ? memchr(c1 + 1, ',', (size_t)(end - c1 - 1)) : NULL;
	c3 = c2 ? memchr(c2 + 1, ',', (size_t)(end - c2 - 1)) : NULL;
	if (!c3 || parse_uint(v, (size_t)(c1 - v), XL_MAX_DISKS - 1, &slot) < 0 ||
	    (size_t)(c2 - c1 - 1) >= sizeof vdev || c2 == c1 + 1 || c3 + 1 == end)
		return -1;
	if (c3 - c2 - 1 == 2 && !strncmp(c2 + 1, "ro", 2))
		ro = 1;
	else if (c3 - c2 - 1 == 2 && !strncmp(c2 + 1, "rw", 2))
		ro = 0;
	else
		return -1;
	memcpy(vdev, c1 + 1, (size_t)(c2 - c1 - 1));
	vdev[c2 - c1 - 1] = '\0';
	path = dup_n(c3 + 1, (size_t)(end - c3 - 1));
	if (!path)
		return -1;
	rc = xl_record_add_disk(r, vdev, (unsigned)slot, ro, path);
	free(path);
	return rc;
}

/* "VCPUS,RAM_BASE,RAM_SIZE,INSTANCE" (numbers as strtoull reads them, base 0). */
static int parse_dm(const char *v, size_t len, struct xl_record *r)
{
	char buf[128], *p, *end;
	unsigned long long n[4];

	if (len >= sizeof buf)
		return -1;
	memcpy(buf, v, len);
	buf[len] = '\0';
	p = buf;
	for (unsigned i = 0; i < 4; i++) {
		if (*p < '0' || *p > '9')
			return -1;
		errno = 0;
		n[i] = strtoull(p, &end, 0);
		if (errno || end == p || *end != (i < 3 ? ',' : '\0'))
			return -1;
		p = end + 1;
	}
	if (n[0] < 1 || n[0] > RIVET_MAX_VCPUS)
		return -1;
	r->dm_vcpus = (unsigned)n[0];
	r->dm_ram_base = n[1];
	r->dm_ram_size = n[2];
	r->dm_instance = n[3];
	return 0;
}

/* "TARGET,MAX": bytes, the target at most the maximum, both > 0. */
static int parse_mem(const char *v, size_t len, struct xl_record *r)
{
	char buf[64], *end;
	unsigned long long t, m;

	if (len >= sizeof buf || !len || *v < '0' || *v > '9')
		return -1;
	memcpy(buf, v, len);
	buf[len] = '\0';
	errno = 0;
	t = strtoull(buf, &end, 0);
	if (errno || *end != ',' || end[1] < '0' || end[1] > '9')
		return -1;
	m = strtoull(end + 1, &end, 0);
	if (errno || *end || !t || t > m)
		return -1;
	r->mem_target = t;
	r->mem_max = m;
	return 0;
}

static int hexv(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
	       c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* "SLOT,DEVID,MAC,BRIDGE,TAP,IFINDEX". */
static int parse_vif(const char *v, size_t len, struct xl_record *r)
{
	const char *f[6], *end = v + len;
	size_t fl[6];
	unsigned long slot, devid, ifindex;
	struct xl_vif x;
	unsigned i;

	memset(&x, 0, sizeof x);
	for (i = 0; i < 6; i++) {
		const char *c = i < 5 ? memchr(v, ',', (size_t)(end - v)) : end;
		if (!c)
			return -1;
		f[i] = v;
		fl[i] = (size_t)(c - v);
		v = c + (i < 5);
	}
	if (parse_uint(f[0], fl[0], XL_MAX_DISKS - 1, &slot) < 0 ||
	    parse_uint(f[1], fl[1], XL_MAX_VIFS - 1, &devid) < 0 ||
	    parse_uint(f[5], fl[5], 0xffffffffUL, &ifindex) < 0 || fl[2] != 17 ||
	    copy_name(x.bridge, sizeof x.bridge, f[3], fl[3]) < 0 || !fl[3] ||
	    copy_name(x.tap, sizeof x.tap, f[4], fl[4]) < 0 || !fl[4])
		return -1;
	for (i = 0; i < 6; i++) {
		int hi = hexv(f[2][3 * i]), lo = hexv(f[2][3 * i + 1]);
		if (hi < 0 || lo < 0 || (i < 5 && f[2][3 * i + 2] != ':'))
			return -1;
		x.mac[i] = (uint8_t)(hi << 4 | lo);
	}
	x.slot = (unsigned)slot;
	x.devid = (unsigned)devid;
	x.ifindex = (unsigned)ifindex;
	return xl_record_add_vif(r, &x);
}

static int parse_action(const char *v, size_t len, uint8_t *out)
{
	if (len == 7 && !strncmp(v, "destroy", 7))
		*out = RIVET_ACTION_DESTROY;
	else if (len == 7 && !strncmp(v, "restart", 7))
		*out = RIVET_ACTION_RESTART;
	else if (len == 8 && !strncmp(v, "preserve", 8))
		*out = RIVET_ACTION_PRESERVE;
	else if (len == 14 && !strncmp(v, "rename-restart", 14))
		*out = RIVET_ACTION_RENAME_RESTART;
	else if (len == 16 && !strncmp(v, "coredump-destroy", 16))
		*out = RIVET_ACTION_DESTROY | RIVET_ACTION_COREDUMP;
	else if (len == 16 && !strncmp(v, "coredump-restart", 16))
		*out = RIVET_ACTION_RESTART | RIVET_ACTION_COREDUMP;
	else
		return -1;
	return 0;
}

int xl_record_parse(const char *text, struct xl_record *r, char *why)
{
	const char *p = text;
	unsigned line = 0;

	xl_record_free(r);
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
			goto fail_line;
		klen = (size_t)(eq - p);
		v = eq + 1;
		vlen = (size_t)(nl - v);
#define KEY(s) (klen == sizeof(s) - 1 && !strncmp(p, s, klen))
		if (KEY("name"))
			bad = copy_name(r->name, sizeof r->name, v, vlen);
		else if (KEY("config"))
			bad = set_string(&r->config, v, vlen);
		else if (KEY("on_poweroff"))
			bad = parse_action(v, vlen, &r->on_poweroff);
		else if (KEY("on_reboot"))
			bad = parse_action(v, vlen, &r->on_reboot);
		else if (KEY("on_crash"))
			bad = parse_action(v, vlen, &r->on_crash);
		else if (KEY("on_watchdog"))
			bad = parse_action(v, vlen, &r->on_watchdog);
		else if (KEY("arg"))
			bad = r->nr_args == XL_RECORD_MAX_ARGS ||
			      set_string(&r->args[r->nr_args++], v, vlen);
		else if (KEY("dm_pid")) {
			unsigned long pid;

			bad = parse_uint(v, vlen, 0x7fffffff, &pid);
			if (!bad)
				r->dm_pid = (int)pid;
		} else if (KEY("serial")) {
			bad = !(vlen == 1 && (*v == '0' || *v == '1'));
			if (!bad)
				r->serial = *v == '1';
		} else if (KEY("console")) {
			bad = !(vlen == 6 && !memcmp(v, "virtio", 6));
			if (!bad)
				r->vconsole = 1;
		} else if (KEY("disk"))
			bad = parse_disk(v, vlen, r);
		else if (KEY("dm"))
			bad = parse_dm(v, vlen, r);
		else if (KEY("mem"))
			bad = parse_mem(v, vlen, r);
		else if (KEY("on_dm_crash")) {
			bad = !((vlen == 7 && !strncmp(v, "restart", 7)) || (vlen == 5 && !strncmp(v, "pause", 5)));
			r->dm_restart = vlen == 7;
		}
		else if (KEY("vif"))
			bad = parse_vif(v, vlen, r);
		/* Unknown keys are skipped: a newer xl may write more. */
#undef KEY
		if (bad) {
			reason_set(why, "line %u: bad value for '%.*s'", line, (int)(klen < 40 ? klen : 40), p);
			goto fail;
		}
		p = *nl ? nl + 1 : nl;
	}
	if (!r->name[0] || !r->config || !r->config[0]) {
		reason_set(why, "no name or config");
		goto fail;
	}
	return 0;
fail_line:
	reason_set(why, "line %u: expected key=value", line);
fail:
	xl_record_free(r);
	return -1;
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
	long n;
	int rc;

	n = xl_record_format(r, &text, why);
	if (n < 0)
		return -1;
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

int xl_record_lock(char *why)
{
	char dir[600];
	int fd;

	snprintf(dir, sizeof dir, "%s/dm", xl_run_dir());
	if (mkdir_one(xl_run_dir(), why) < 0 || mkdir_one(dir, why) < 0)
		return -1;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return reason_set(why, "cannot open %s: %s", dir, strerror(errno));
	while (flock(fd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			close(fd);
			return reason_set(why, "cannot lock %s: %s", dir, strerror(errno));
		}
	}
	return fd;
}

int xl_record_same_life(xc_handle *h, const struct rivet_domain_info *info, int shutdown_ok, char *why)
{
	struct rivet_domain_info now;
	int r = xc_domain_getinfo(h, info->domid, &now);

	if (r == XC_ENODOMAIN)
		return reason_set(why, "domain %u is gone", info->domid);
	if (r < 0)
		return reason_set(why, "cannot get domain %u's state: %s", info->domid, xc_strerror(r));
	/* Same id; same creation time, or without one the same name. */
	if (now.domid != info->domid || (now.start_ns && info->start_ns ? now.start_ns != info->start_ns :
					 strncmp(now.name, info->name, sizeof now.name) != 0))
		return reason_set(why, "domain %u is gone (its id may be another domain's now)", info->domid);
	if ((now.state & RIVET_DOMSTATE_DYING) || (!shutdown_ok && (now.state & RIVET_DOMSTATE_SHUTDOWN)))
		return reason_set(why, "domain %u has %s meanwhile", info->domid,
				  now.state & RIVET_DOMSTATE_DYING ? "been destroyed" : "shut down");
	return 0;
}

int xl_record_update(xc_handle *h, const struct rivet_domain_info *info, const char *rec_name,
		     xl_record_edit_fn *edit, void *arg, char *why)
{
	struct xl_record *rec;
	char rwhy[REASON_MAX];
	int lock, r;

	if (info->domid == 0)
		return 0;
	rec = malloc(sizeof *rec);
	if (!rec)
		return reason_set(why, "out of memory");
	xl_record_init(rec);
	lock = xl_record_lock(why);
	if (lock < 0) {
		free(rec);
		return -1;
	}
	/*
	 * Checked under the lock: a record read before the domain went (or
	 * before another life took its id) must not be written back.
	 */
	if (xl_record_same_life(h, info, 0, why) < 0) {
		r = -1;
	} else if (xl_record_read(info->domid, rec, rwhy) < 0 ||
		   strncmp(rec->name, rec_name ? rec_name : info->name, sizeof rec->name)) {
		r = 0;   /* none, or another domain's: nothing of INFO's to keep */
	} else if (edit(rec, arg, why) < 0 || xl_record_write(info->domid, rec, why) < 0) {
		r = -1;
	} else {
		r = 1;
	}
	close(lock);
	xl_record_free(rec);
	free(rec);
	return r;
}
