/* SPDX-License-Identifier: MIT */
/*
 * test_xl_consoled.c: rivet-consoled's decisions: on_* actions, ATTACH
 * parsing, log names, restart argv, option values, the capped and rotated
 * log, the per-domain rate limit, the state of cores being written.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "consoled_dump.h"
#include "consoled_log.h"
#include "consoled_rate.h"
#include "consoled_util.h"

TEST(decide)
{
	struct rivet_domain_info i = { .domid = 3, .state = RIVET_DOMSTATE_SHUTDOWN };
	struct xl_record r;

	memset(&r, 0, sizeof r);
	r.on_reboot = RIVET_ACTION_RESTART;
	r.on_crash = RIVET_ACTION_RESTART;
	i.shutdown_reason = RIVET_SHUTDOWN_POWEROFF;
	CHECK_EQ(consoled_decide(&i, &r), CONSOLED_DESTROY);
	i.shutdown_reason = RIVET_SHUTDOWN_REBOOT;
	CHECK_EQ(consoled_decide(&i, &r), CONSOLED_RESTART);
	i.shutdown_reason = RIVET_SHUTDOWN_CRASH;
	CHECK_EQ(consoled_decide(&i, &r), CONSOLED_RESTART);
	CHECK_EQ(consoled_decide(&i, NULL), CONSOLED_DESTROY);    /* no record: destroy */
	r.on_crash = RIVET_ACTION_PRESERVE;                        /* kept until xl destroy */
	CHECK_EQ(consoled_decide(&i, &r), CONSOLED_NOTHING);
	r.on_crash = RIVET_ACTION_RENAME_RESTART;
	CHECK_EQ(consoled_decide(&i, &r), CONSOLED_RENAME_RESTART);
	r.on_crash = RIVET_ACTION_RESTART | RIVET_ACTION_COREDUMP;   /* the core first, then as restart */
	CHECK_EQ(consoled_decide(&i, &r), CONSOLED_RESTART);
	r.on_crash = RIVET_ACTION_DESTROY | RIVET_ACTION_COREDUMP;
	CHECK_EQ(consoled_decide(&i, &r), CONSOLED_DESTROY);
	r.on_crash = RIVET_ACTION_RESTART;
	i.shutdown_reason = RIVET_SHUTDOWN_WATCHDOG;               /* on_watchdog, destroy by default */
	CHECK_EQ(consoled_decide(&i, &r), CONSOLED_DESTROY);
	r.on_watchdog = RIVET_ACTION_RESTART;
	CHECK_EQ(consoled_decide(&i, &r), CONSOLED_RESTART);
	CHECK_STR(consoled_reason_name(RIVET_SHUTDOWN_WATCHDOG), "watchdog");
	i.shutdown_reason = 4;                                     /* destroyed by Dom0 */
	CHECK_EQ(consoled_decide(&i, &r), CONSOLED_DESTROY);
	i.state = RIVET_DOMSTATE_RUNNING;
	CHECK_EQ(consoled_decide(&i, &r), CONSOLED_NOTHING);
	i.state = RIVET_DOMSTATE_SHUTDOWN;
	i.domid = 0;
	CHECK_EQ(consoled_decide(&i, &r), CONSOLED_NOTHING);       /* never Dom0 */
	CHECK_STR(consoled_reason_name(RIVET_SHUTDOWN_CRASH), "crash");
}

/* rename-restart's names: Xen's UTC suffix, a counter when taken, always a valid name. */
TEST(preserved_name)
{
	char out[RIVET_NAME_LEN];
	time_t t = 1796110380;   /* 2026-12-01 07:33:00 UTC */

	CHECK_EQ(consoled_preserved_name("web", t, 0, out), 0);
	CHECK_STR(out, "web-20261201T0733Z");
	CHECK_EQ(consoled_preserved_name("web", t, 2, out), 0);
	CHECK_STR(out, "web-20261201T0733Z-2");
	/* A long name gives way: 31 bytes at most, the suffix whole. */
	CHECK_EQ(consoled_preserved_name("abcdefghijklmnopqrstuvwxyz01234", t, 9, out), 0);
	CHECK_EQ(strlen(out), RIVET_NAME_LEN - 1);
	CHECK_STR(out, "abcdefghijklmn-20261201T0733Z-9");
	CHECK_EQ(consoled_preserved_name("abcdefghijklmnopqrstuvwxyz01234", t, 0, out), 0);
	CHECK_STR(out, "abcdefghijklmnop-20261201T0733Z");
}

TEST(attach_line)
{
	uint32_t id = 0;

	CHECK_EQ(consoled_parse_attach("ATTACH 12", &id), 0);
	CHECK_EQ(id, 12);
	CHECK_EQ(consoled_parse_attach("ATTACH ", &id), -1);
	CHECK_EQ(consoled_parse_attach("ATTACH 1x", &id), -1);
	CHECK_EQ(consoled_parse_attach("attach 1", &id), -1);
	CHECK_EQ(consoled_parse_attach("ATTACH 99999999999", &id), -1);
}

TEST(request_lines)
{
	enum consoled_con con = CONSOLED_NR_CON;
	uint32_t id = 0;

	CHECK_EQ(consoled_parse_request("ATTACH 3", &id, &con), CONSOLED_REQ_ATTACH);
	CHECK_EQ(id, 3);
	CHECK_EQ(con, CONSOLED_CON_ALL);
	CHECK_EQ(consoled_parse_request("ATTACH 4 sbi", &id, &con), CONSOLED_REQ_ATTACH);
	CHECK_EQ(id, 4);
	CHECK_EQ(con, CONSOLED_CON_SBI);
	CHECK_EQ(consoled_parse_request("ATTACH 4 serial", &id, &con), CONSOLED_REQ_ATTACH);
	CHECK_EQ(con, CONSOLED_CON_SERIAL);
	CHECK_EQ(consoled_parse_request("ATTACH 4 virtio", &id, &con), CONSOLED_REQ_ATTACH);
	CHECK_EQ(con, CONSOLED_CON_VIRTIO);
	CHECK_EQ(consoled_parse_request("SOURCE 12", &id, &con), CONSOLED_REQ_SOURCE);
	CHECK_EQ(id, 12);
	CHECK_EQ(con, CONSOLED_CON_SERIAL);   /* an older device model's UART */
	CHECK_EQ(consoled_parse_request("SOURCE 12 virtio", &id, &con), CONSOLED_REQ_SOURCE);
	CHECK_EQ(con, CONSOLED_CON_VIRTIO);
	CHECK_EQ(consoled_parse_request("SOURCE 12 serial", &id, &con), CONSOLED_REQ_SOURCE);
	CHECK_EQ(con, CONSOLED_CON_SERIAL);
	CHECK_EQ(consoled_parse_request("SOURCE 12 sbi", &id, &con), CONSOLED_REQ_BAD);
	CHECK_EQ(consoled_parse_request("SOURCE 12 all", &id, &con), CONSOLED_REQ_BAD);
	CHECK_EQ(consoled_parse_request("ATTACH 12 all", &id, &con), CONSOLED_REQ_BAD);
	CHECK_EQ(consoled_parse_request("ATTACH 12 pv", &id, &con), CONSOLED_REQ_BAD);
	CHECK_EQ(consoled_parse_request("ATTACH 12 ", &id, &con), CONSOLED_REQ_BAD);
	CHECK_EQ(consoled_parse_request("ATTACH 12 serial ", &id, &con), CONSOLED_REQ_BAD);
	CHECK_EQ(consoled_parse_request("SOURCE ", &id, &con), CONSOLED_REQ_BAD);
	CHECK_EQ(consoled_parse_request("SOURCE -1", &id, &con), CONSOLED_REQ_BAD);
	CHECK_EQ(consoled_parse_request("SOURCE 1 2", &id, &con), CONSOLED_REQ_BAD);
	CHECK_EQ(consoled_parse_request("source 1", &id, &con), CONSOLED_REQ_BAD);
	CHECK_EQ(consoled_parse_request("SOURCE 99999999999", &id, &con), CONSOLED_REQ_BAD);
	CHECK_EQ(consoled_parse_request("SOURCE 99999999999999999999 virtio", &id, &con), CONSOLED_REQ_BAD);
	CHECK_EQ(consoled_parse_request("", &id, &con), CONSOLED_REQ_BAD);
	CHECK_STR(consoled_con_name(CONSOLED_CON_VIRTIO), "virtio");
}

TEST(tails)
{
	static struct consoled_tail t;
	static char big[CONSOLED_TAIL_BYTES + 10], out[CONSOLED_TAIL_BYTES];

	CHECK_EQ(consoled_tail_get(&t, out), 0);
	consoled_tail_put(&t, "abc", 3);
	consoled_tail_put(&t, "de", 2);
	CHECK_EQ(consoled_tail_get(&t, out), 5);
	CHECK(!memcmp(out, "abcde", 5));
	for (size_t i = 0; i < sizeof big; i++)
		big[i] = (char)('a' + i % 26);
	consoled_tail_put(&t, big, sizeof big);   /* more than it holds: the last bytes */
	CHECK_EQ(consoled_tail_get(&t, out), CONSOLED_TAIL_BYTES);
	CHECK(!memcmp(out, big + 10, CONSOLED_TAIL_BYTES));
	consoled_tail_put(&t, "XY", 2);           /* wraps: the oldest go */
	CHECK_EQ(consoled_tail_get(&t, out), CONSOLED_TAIL_BYTES);
	CHECK(!memcmp(out, big + 12, CONSOLED_TAIL_BYTES - 2));
	CHECK(!memcmp(out + CONSOLED_TAIL_BYTES - 2, "XY", 2));
}

TEST(log_names)
{
	char b[64];

	consoled_log_name("web-1.a_b", 4, b, sizeof b);
	CHECK_STR(b, "web-1.a_b");
	consoled_log_name("../etc/x", 4, b, sizeof b);
	CHECK_STR(b, ".._etc_x");
	consoled_log_name("..", 4, b, sizeof b);
	CHECK_STR(b, "domain-4");
	consoled_log_name("", 5, b, sizeof b);
	CHECK_STR(b, "domain-5");
	consoled_log_name("abcdef", 1, b, 4);
	CHECK_STR(b, "abc");
}

TEST(identity_after_rename)
{
	struct rivet_domain_info now = { .domid = 3, .name = "web", .start_ns = 777 };

	CHECK_EQ(consoled_identify("web", 777, &now), CONSOLED_SAME);
	CHECK_EQ(consoled_identify("web", 5, &now), CONSOLED_SAME);      /* a boot domain's restart */
	CHECK_EQ(consoled_identify("old", 777, &now), CONSOLED_RENAMED); /* xl rename */
	CHECK_EQ(consoled_identify("old", 5, &now), CONSOLED_OTHER);     /* a new domain took id 3 */
	now.start_ns = 0;
	CHECK_EQ(consoled_identify("old", 0, &now), CONSOLED_OTHER);     /* no times: as before */
}

TEST(restart_argv)
{
	struct xl_record r;
	char *argv[XL_RECORD_MAX_ARGS + 4], arg[16];
	unsigned i;

	xl_record_init(&r);
	CHECK_EQ(xl_record_set_config(&r, "/etc/rivet/web.cfg"), 0);
	for (i = 0; i < XL_RECORD_MAX_ARGS; i++) {
		snprintf(arg, sizeof arg, "k%u=1", i);
		CHECK_EQ(xl_record_add_arg(&r, arg), 0);
	}
	CHECK_EQ(consoled_restart_argv("/usr/sbin/xl", &r, argv), XL_RECORD_MAX_ARGS + 3);
	CHECK_STR(argv[0], "/usr/sbin/xl");
	CHECK_STR(argv[1], "create");
	CHECK_STR(argv[2], "/etc/rivet/web.cfg");
	CHECK_STR(argv[3], "k0=1");
	CHECK(argv[XL_RECORD_MAX_ARGS + 3] == NULL);
	xl_record_free(&r);
}

TEST(sizes)
{
	uint64_t v = 7;

	CHECK_EQ(consoled_parse_size("65536", &v), 0);
	CHECK_EQ(v, 65536);
	CHECK_EQ(consoled_parse_size("1M", &v), 0);
	CHECK_EQ(v, 1 << 20);
	CHECK_EQ(consoled_parse_size("64k", &v), 0);
	CHECK_EQ(v, 65536);
	CHECK_EQ(consoled_parse_size("0", &v), 0);
	CHECK_EQ(v, 0);
	CHECK_EQ(consoled_parse_size("", &v), -1);
	CHECK_EQ(consoled_parse_size("M", &v), -1);
	CHECK_EQ(consoled_parse_size("1MB", &v), -1);
	CHECK_EQ(consoled_parse_size("-1", &v), -1);
	CHECK_EQ(consoled_parse_size("1x", &v), -1);
	CHECK_EQ(consoled_parse_size("18446744073709551615", &v), 0);
	CHECK_EQ(consoled_parse_size("18446744073709551616", &v), -1);
	CHECK_EQ(consoled_parse_size("17179869184G", &v), -1);     /* 2^64: wraps */
	CHECK_EQ(consoled_parse_size("17179869183G", &v), 0);
}

static char tmpdir[64];

static long file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

static void path_in(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/%s", tmpdir, name);
}

/* The cap holds, NAME.log.1 keeps the previous file, nothing is lost in between. */
TEST(log_rotation)
{
	char path[128], old[128], moved[128], why[REASON_MAX], chunk[300], back[4096];
	struct conlog l;
	unsigned i;
	size_t n;

	path_in(path, sizeof path, "web.log");
	path_in(old, sizeof old, "web.log.1");
	path_in(moved, sizeof moved, "moved.log");
	/* An earlier run's log is continued, not truncated. */
	{
		int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0640);

		CHECK(fd >= 0 && write(fd, "before\n", 7) == 7);
		close(fd);
	}
	CHECK_EQ(conlog_open(&l, path, why), 0);
	CHECK_EQ(l.size, 7);
	/* 20 chunks of 300 bytes into a 1000-byte cap: each file ends at exactly the cap. */
	for (i = 0; i < 20; i++) {
		memset(chunk, 'a' + (int)i, sizeof chunk);
		CHECK_EQ(conlog_write(&l, chunk, sizeof chunk, 1000, why), 0);
		CHECK(file_size(path) <= 1000);
		CHECK(file_size(old) <= 1000);
	}
	/* 7 + 6000 bytes: the current file holds the remainder, the rotated one is full. */
	CHECK_EQ(file_size(old), 1000);
	CHECK_EQ(file_size(path), 6007 % 1000);
	/* The backlog spans both files and ends with the newest bytes. */
	n = conlog_tail(&l, back, 1500);
	CHECK_EQ(n, 1000 + 6007 % 1000);
	CHECK(back[n - 1] == 'a' + 19);
	n = conlog_tail(&l, back, 5);
	CHECK_EQ(n, 5);
	CHECK(back[0] == 'a' + 19);

	/* Moved away without SIGHUP: the next rotation leaves the moved file alone. */
	CHECK_EQ(rename(path, moved), 0);
	memset(chunk, 'z', sizeof chunk);
	for (i = 0; i < 4; i++)
		CHECK_EQ(conlog_write(&l, chunk, sizeof chunk, 1000, why), 0);
	CHECK_EQ(file_size(moved), 1000);            /* 7 + 993 of the 1200 */
	CHECK_EQ(file_size(path), 207);              /* the rest, in a new NAME.log */
	CHECK_EQ(file_size(old), 1000);              /* the older rotation untouched */
	n = conlog_tail(&l, back, 1);
	CHECK(n == 1 && back[0] == 'z');
	conlog_close(&l);
	unlink(path);
	unlink(old);
	unlink(moved);
}

/* SIGHUP's reopen: after mv, new bytes land in a new NAME.log. */
TEST(log_reopen)
{
	char path[128], moved[128], why[REASON_MAX];
	struct conlog l;

	path_in(path, sizeof path, "hup.log");
	path_in(moved, sizeof moved, "hup.log.old");
	CHECK_EQ(conlog_open(&l, path, why), 0);
	CHECK_EQ(conlog_write(&l, "one\n", 4, 0, why), 0);
	CHECK_EQ(rename(path, moved), 0);
	CHECK_EQ(conlog_write(&l, "two\n", 4, 0, why), 0);   /* still the moved file */
	CHECK_EQ(conlog_reopen(&l, why), 0);
	CHECK_EQ(conlog_write(&l, "three\n", 6, 0, why), 0);
	CHECK_EQ(file_size(moved), 8);
	CHECK_EQ(file_size(path), 6);
	CHECK_EQ(l.size, 6);
	/* No cap: it just grows. */
	CHECK_EQ(conlog_write(&l, "four\n", 5, 0, why), 0);
	CHECK_EQ(file_size(path), 11);
	conlog_close(&l);
	/* A log that cannot be opened says why. */
	CHECK_EQ(conlog_open(&l, "/nonexistent-dir/x.log", why), -1);
	CHECK(strstr(why, "/nonexistent-dir/x.log") != NULL);
	CHECK_EQ(conlog_write(&l, "x", 1, 0, why), -1);
	conlog_close(&l);
	unlink(path);
	unlink(moved);
}

/* xenconsoled's rule: 30 reads per 200 ms, then nothing until the period ends. */
TEST(rate_limit)
{
	struct conrate r;
	unsigned long over = 99;
	unsigned i, reads = 0;
	uint64_t t;

	memset(&r, 0, sizeof r);
	/* A flood: the domain has output every time it is asked, for 1 s (1 ms steps). */
	for (t = 1000; t < 2000; t++)
		if (conrate_may_read(&r, t, 30, 200, &over)) {
			reads++;
			if (conrate_count(&r, 30))
				CHECK(conrate_held(&r, 30) && conrate_resume_ms(&r, 200) > t);
		}
	CHECK_EQ(reads, 5 * 30);       /* 5 periods, 30 each */
	CHECK_EQ(r.flood, 5);
	CHECK(conrate_held(&r, 30));
	/* A quiet period ends the flood; the next read reports how long it lasted. */
	CHECK_EQ(conrate_may_read(&r, 2000, 30, 200, &over), 1);
	CHECK_EQ(over, 0);              /* the last period was full: still a flood */
	conrate_count(&r, 30);
	CHECK_EQ(conrate_may_read(&r, 2200, 30, 200, &over), 1);
	CHECK_EQ(over, 5);
	CHECK_EQ(r.flood, 0);
	/* A clock that goes backwards starts a period rather than hold forever. */
	for (i = 0; i < 30; i++)
		conrate_count(&r, 30);
	CHECK_EQ(conrate_may_read(&r, 2201, 30, 200, &over), 0);
	CHECK_EQ(conrate_may_read(&r, 100, 30, 200, &over), 1);
	/* Limit 0: no limit, nothing held. */
	memset(&r, 0, sizeof r);
	for (i = 0; i < 1000; i++) {
		CHECK_EQ(conrate_may_read(&r, 5, 0, 200, &over), 1);
		CHECK_EQ(conrate_count(&r, 0), 0);
	}
	CHECK(!conrate_held(&r, 0));
}

/* The one socket address the daemon listens on and xl console connects to. */
TEST(sockaddr)
{
	struct sockaddr_un sa;
	char longdir[sizeof sa.sun_path + 1];

	setenv("RIVET_RUN_DIR", "/tmp/rivet-test", 1);
	CHECK_EQ(xl_consoled_sockaddr(&sa), 0);
	CHECK_EQ(sa.sun_family, AF_UNIX);
	CHECK_STR(sa.sun_path, "/tmp/rivet-test/consoled.sock");
	memset(longdir, 'd', sizeof longdir - 1);
	longdir[sizeof longdir - 1] = '\0';
	setenv("RIVET_RUN_DIR", longdir, 1);
	CHECK_EQ(xl_consoled_sockaddr(&sa), -1);
	unsetenv("RIVET_RUN_DIR");
}

static void touch(const char *dir, const char *file)
{
	char path[700];
	snprintf(path, sizeof path, "%s/%s", dir, file);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd >= 0)
		close(fd);
}

static int present(const char *dir, const char *file)
{
	char path[700];
	snprintf(path, sizeof path, "%s/%s", dir, file);
	return access(path, F_OK) == 0;
}

/* coredump-*: a name's newest cores are kept, older ones go; other names' and other files stay. */
TEST(dump_prune)
{
	char dir[600];
	snprintf(dir, sizeof dir, "%s/dump", tmpdir);
	CHECK(mkdir(dir, 0700) == 0);
	setenv("RIVET_DUMP_DIR", dir, 1);
	CHECK_EQ(xl_dump_prune("web", XL_DUMP_KEEP), 0);   /* nothing yet */
	touch(dir, "web.3.20261201-070000.core");
	touch(dir, "web.4.20261201-070100.core");
	touch(dir, "web.12.20261201-065900.core");
	touch(dir, "web.5.20261201-070200.core");
	touch(dir, "web.2.5.20261201-065000.core");    /* domain "web.2" */
	touch(dir, "webx.1.20261201-060000.core");
	touch(dir, "web.3.20261201-070000.core.txt");
	touch(dir, "web.notes");
	/* Room for one more of the three kept: the two newest stay. */
	CHECK_EQ(xl_dump_prune("web", XL_DUMP_KEEP), 2);
	CHECK(present(dir, "web.5.20261201-070200.core"));
	CHECK(present(dir, "web.4.20261201-070100.core"));
	CHECK(!present(dir, "web.3.20261201-070000.core"));
	CHECK(!present(dir, "web.12.20261201-065900.core"));
	CHECK(present(dir, "web.2.5.20261201-065000.core"));
	CHECK(present(dir, "webx.1.20261201-060000.core"));
	CHECK(present(dir, "web.3.20261201-070000.core.txt"));
	CHECK(present(dir, "web.notes"));
	CHECK_EQ(xl_dump_prune("web", XL_DUMP_KEEP), 0);
	CHECK_EQ(xl_dump_prune("web.2", 1), 1);
	CHECK(!present(dir, "web.2.5.20261201-065000.core"));
	const char *left[] = { "web.5.20261201-070200.core", "web.4.20261201-070100.core",
			       "webx.1.20261201-060000.core", "web.3.20261201-070000.core.txt", "web.notes" };
	for (unsigned i = 0; i < sizeof left / sizeof left[0]; i++) {
		char path[700];
		snprintf(path, sizeof path, "%s/%s", dir, left[i]);
		unlink(path);
	}
	CHECK(rmdir(dir) == 0);
	unsetenv("RIVET_DUMP_DIR");
}

static struct rivet_domain_info shut(uint32_t domid, const char *name, uint64_t start_ns)
{
	struct rivet_domain_info i;

	memset(&i, 0, sizeof i);
	i.domid = domid;
	i.state = RIVET_DOMSTATE_SHUTDOWN;
	i.shutdown_reason = RIVET_SHUTDOWN_CRASH;
	i.start_ns = start_ns;
	snprintf(i.name, sizeof i.name, "%s", name);
	return i;
}

/* A core being written holds its domain's action; two at once; a new life of the id is another. */
TEST(dump_states)
{
	struct consoled_dumps t;
	struct rivet_domain_info a = shut(3, "big", 100), b = shut(4, "other", 200);
	struct consoled_dump *da, *db;

	consoled_dumps_init(&t);
	CHECK_EQ(consoled_dump_gate(&t, &a), CONSOLED_DUMP_START);
	da = consoled_dump_add(&t, &a, 1000, 7, "/d/big.3.core", 0);
	CHECK(da && da->state == CONSOLED_DUMP_WRITING);
	CHECK_EQ(consoled_dump_gate(&t, &a), CONSOLED_DUMP_WAIT);   /* another event: not a second dump */
	CHECK_EQ(consoled_dump_gate(&t, &b), CONSOLED_DUMP_START);  /* another domain dumps at once */
	db = consoled_dump_add(&t, &b, 1001, 8, "/d/other.4.core", 0);
	CHECK(db && db != da);
	CHECK(consoled_dump_by_pid(&t, 1000) == da);
	CHECK(consoled_dump_by_pid(&t, 1001) == db);
	CHECK(consoled_dump_by_pid(&t, 999) == NULL);
	/* Renamed meanwhile: the same domain. Id 3 in a new life: another one. */
	struct rivet_domain_info renamed = shut(3, "big2", 100), reborn = shut(3, "big", 300);
	CHECK(consoled_dump_of(&t, &renamed) == da);
	CHECK(consoled_dump_of(&t, &reborn) == NULL);
	CHECK_EQ(consoled_dump_gate(&t, &reborn), CONSOLED_DUMP_START);
	/* A's child ends: its action may go on; B's still waits. */
	da->state = CONSOLED_DUMP_DONE;
	CHECK_EQ(consoled_dump_gate(&t, &a), CONSOLED_DUMP_ACT);
	CHECK_EQ(consoled_dump_gate(&t, &b), CONSOLED_DUMP_WAIT);
	/* Still shut down: kept. Gone (xl destroy), or dying: forgotten; a WRITING one waits for its child. */
	struct rivet_domain_info list[2] = { a, b };
	CHECK_EQ(consoled_dumps_sweep(&t, list, 2), 0);
	CHECK_EQ(consoled_dump_gate(&t, &a), CONSOLED_DUMP_ACT);
	list[0].state |= RIVET_DOMSTATE_DYING;
	CHECK_EQ(consoled_dumps_sweep(&t, list, 2), 1);
	CHECK_EQ(consoled_dump_gate(&t, &a), CONSOLED_DUMP_START);
	CHECK_EQ(consoled_dumps_sweep(&t, NULL, 0), 0);
	CHECK(consoled_dump_by_pid(&t, 1001) == db);
	consoled_dump_forget(db);
	CHECK_EQ(db->fd, -1);
	CHECK(consoled_dump_by_pid(&t, 1001) == NULL);
	/* Every slot writing: a new domain waits (BUSY) rather than losing its core. */
	for (unsigned i = 0; i < CONSOLED_MAX_DUMPS; i++) {
		struct rivet_domain_info x = shut(10 + i, "x", 1);
		CHECK(consoled_dump_add(&t, &x, 2000 + (int)i, -1, "/d/x", 0) != NULL);
	}
	CHECK_EQ(consoled_dump_gate(&t, &a), CONSOLED_DUMP_BUSY);
	CHECK(consoled_dump_add(&t, &a, 3000, -1, "/d/a", 0) == NULL);
}

/* The log line of each way a writer can end, and whether its partial file must go. */
TEST(dump_outcome)
{
	struct consoled_dumps t;
	struct rivet_domain_info a = shut(3, "cored", 100);
	struct consoled_dump_report rep;
	struct consoled_dump *d;
	char line[1024];
	int remove, status;
	pid_t pid;

	consoled_dumps_init(&t);
	d = consoled_dump_add(&t, &a, 1234, -1, "/var/lib/rivet/dump/cored.3.20261201-091500.core", 0);
	CHECK(d != NULL);
	memset(&rep, 0, sizeof rep);
	rep.ok = 1;
	rep.res.ram_bytes = 16u << 20;
	rep.res.nr_vcpus = 1;
	CHECK_EQ(consoled_dump_outcome(d, 0, &rep, sizeof rep, 0, line, sizeof line, &remove), 1);
	CHECK_STR(line, "domain 3 'cored': core dumped to /var/lib/rivet/dump/cored.3.20261201-091500.core "
		  "(16 MiB of RAM, 1 vCPU, 0 kernel mappings)");
	CHECK_EQ(remove, 0);
	/* Half a report (the writer died mid-write) is no success, even with status 0. */
	CHECK_EQ(consoled_dump_outcome(d, 0, &rep, sizeof rep - 1, 0, line, sizeof line, &remove), 0);
	CHECK_EQ(remove, 1);
	CHECK(strstr(line, "core dump failed: its writer (pid 1234) exited with status 0 without a report"));
	/* The writer's own failure: its reason, no file left (it removed its own). */
	rep.ok = 0;
	snprintf(rep.why, sizeof rep.why, "cannot create /x: Not a directory");
	CHECK_EQ(consoled_dump_outcome(d, 1 << 8, &rep, sizeof rep, 0, line, sizeof line, &remove), 0);
	CHECK_STR(line, "domain 3 'cored': core dump failed: cannot create /x: Not a directory");
	CHECK_EQ(remove, 0);
	/* A reason without its NUL stays inside its buffer. */
	memset(rep.why, 'w', sizeof rep.why);
	consoled_dump_outcome(d, 1 << 8, &rep, sizeof rep, 0, line, sizeof line, &remove);
	CHECK_EQ(strlen(line), strlen("domain 3 'cored': core dump failed: ") + sizeof rep.why - 1);
	/* Killed (a real child, a real wait status): said, and its partial file is the caller's to remove. */
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		pause();
		_exit(0);
	}
	kill(pid, SIGKILL);
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK_EQ(consoled_dump_outcome(d, status, &rep, 0, 0, line, sizeof line, &remove), 0);
	CHECK_EQ(remove, 1);
	CHECK(strstr(line, "'cored': core dump failed: its writer (pid 1234) was killed by signal 9 (Killed); "
		      "the partial /var/lib/rivet/dump/cored.3.20261201-091500.core.partial is removed"));
	/*
	 * The same signal once the daemon is told to exit (SIGTERM to its whole
	 * group, read in the same batch as this SIGCHLD): stopped, not failed,
	 * so no action goes on without the core.
	 */
	CHECK_EQ(consoled_dump_outcome(d, status, &rep, 0, 1, line, sizeof line, &remove), CONSOLED_DUMP_STOPPED);
	CHECK_EQ(remove, 1);
	CHECK_STR(line, "domain 3 'cored': core dump stopped (rivet-consoled exits): its writer (pid 1234) ended "
		  "by signal 9 (Killed); the partial /var/lib/rivet/dump/cored.3.20261201-091500.core.partial is "
		  "removed; it stays shut down, the next rivet-consoled writes its core and carries out its on_*");
	/* A writer that reported (or exited) by itself while the daemon exits: as ever. */
	rep.ok = 0;
	snprintf(rep.why, sizeof rep.why, "no space");
	CHECK_EQ(consoled_dump_outcome(d, 1 << 8, &rep, sizeof rep, 1, line, sizeof line, &remove),
		 CONSOLED_DUMP_FAILED);
	/* Killed at its deadline: failed (the action goes on), and said why. */
	d->killed = 1;
	CHECK_EQ(consoled_dump_outcome(d, status, &rep, 0, 0, line, sizeof line, &remove), CONSOLED_DUMP_FAILED);
	CHECK_EQ(remove, 1);
	CHECK_STR(line, "domain 3 'cored': core dump failed: its writer (pid 1234) did not finish within 600 s "
		  "and was killed; the partial /var/lib/rivet/dump/cored.3.20261201-091500.core.partial is removed");
}

/* A writer that hangs is killed at its deadline, once; poll wakes for the earliest one. */
TEST(dump_deadline)
{
	struct consoled_dumps t;
	struct rivet_domain_info a = shut(3, "a", 100), b = shut(4, "b", 200);
	struct consoled_dump *da, *db;

	consoled_dumps_init(&t);
	CHECK_EQ(consoled_dumps_next_deadline(&t), UINT64_MAX);
	da = consoled_dump_add(&t, &a, 10, -1, "/d/a", 5000);
	db = consoled_dump_add(&t, &b, 11, -1, "/d/b", 1000);
	CHECK(da && db);
	CHECK_EQ(consoled_dumps_next_deadline(&t), 1000 + CONSOLED_DUMP_DEADLINE_MS);
	CHECK(consoled_dump_overdue(&t, 1000 + CONSOLED_DUMP_DEADLINE_MS - 1) == NULL);
	CHECK(consoled_dump_overdue(&t, 1000 + CONSOLED_DUMP_DEADLINE_MS) == db);
	db->killed = 1;   /* as dumps_due does */
	CHECK(consoled_dump_overdue(&t, 1000 + CONSOLED_DUMP_DEADLINE_MS) == NULL);
	CHECK_EQ(consoled_dumps_next_deadline(&t), 5000 + CONSOLED_DUMP_DEADLINE_MS);
	CHECK(consoled_dump_overdue(&t, UINT64_MAX) == da);
	da->state = CONSOLED_DUMP_DONE;   /* reaped: no deadline any more */
	CHECK(consoled_dump_overdue(&t, UINT64_MAX) == NULL);
	CHECK_EQ(consoled_dumps_next_deadline(&t), UINT64_MAX);
}

/* A domain waiting for a free slot is said once, not on every event; again in a new life or after its core. */
TEST(dump_wait_said_once)
{
	struct consoled_dumps t;
	struct rivet_domain_info a = shut(3, "a", 100), renamed = shut(3, "a2", 100), reborn = shut(3, "a", 300);

	consoled_dumps_init(&t);
	CHECK_EQ(consoled_dump_wait_said(&t, &a), 1);
	CHECK_EQ(consoled_dump_wait_said(&t, &a), 0);
	CHECK_EQ(consoled_dump_wait_said(&t, &renamed), 0);
	CHECK_EQ(consoled_dump_wait_said(&t, &reborn), 1);
	/* Its core starts: a later wait (after a restart in place, say) is said again. */
	CHECK(consoled_dump_add(&t, &a, 10, -1, "/d/a", 0) != NULL);
	CHECK_EQ(consoled_dump_wait_said(&t, &a), 1);
	/* Gone (destroyed): forgotten by the sweep. */
	struct rivet_domain_info list[1] = { reborn };
	consoled_dumps_sweep(&t, list, 1);
	CHECK_EQ(consoled_dump_wait_said(&t, &reborn), 0);
	consoled_dumps_sweep(&t, NULL, 0);
	CHECK_EQ(consoled_dump_wait_said(&t, &reborn), 1);
	/* No room to remember more: said every time rather than never. */
	consoled_dumps_init(&t);
	for (unsigned i = 0; i < CONSOLED_MAX_WAITING; i++) {
		struct rivet_domain_info x = shut(10 + i, "x", 1 + i);
		CHECK_EQ(consoled_dump_wait_said(&t, &x), 1);
	}
	CHECK_EQ(consoled_dump_wait_said(&t, &a), 1);
	CHECK_EQ(consoled_dump_wait_said(&t, &a), 1);
}

/* A core is written under .partial and renamed whole; the prune never counts a .partial; the daemon's start removes them. */
TEST(dump_partials)
{
	char dir[600], buf[64];
	snprintf(dir, sizeof dir, "%s/dumpp", tmpdir);
	CHECK(mkdir(dir, 0700) == 0);
	setenv("RIVET_DUMP_DIR", dir, 1);
	CHECK_EQ(xl_dump_partial_path("/d/web.3.core", buf, sizeof buf), 0);
	CHECK_STR(buf, "/d/web.3.core.partial");
	CHECK_EQ(xl_dump_partial_path("/d/web.3.core", buf, 21), -1);
	touch(dir, "web.3.20261201-070000.core.partial");
	touch(dir, "web.4.20261201-070100.core.partial");
	touch(dir, "web.5.20261201-070200.core");
	touch(dir, "notes.partial");
	touch(dir, ".core.partial");
	CHECK_EQ(xl_dump_prune("web", 1), 1);   /* keep 0 whole ones: only the whole one goes */
	CHECK(present(dir, "web.3.20261201-070000.core.partial"));
	CHECK_EQ(xl_dump_remove_partials(), 2);
	CHECK(!present(dir, "web.3.20261201-070000.core.partial"));
	CHECK(!present(dir, "web.4.20261201-070100.core.partial"));
	CHECK(present(dir, "notes.partial"));
	CHECK(present(dir, ".core.partial"));   /* no name before it: not a core of ours */
	CHECK_EQ(xl_dump_remove_partials(), 0);
	const char *left[] = { "notes.partial", ".core.partial" };
	for (unsigned i = 0; i < 2; i++) {
		char path[700];
		snprintf(path, sizeof path, "%s/%s", dir, left[i]);
		unlink(path);
	}
	CHECK(rmdir(dir) == 0);
	unsetenv("RIVET_DUMP_DIR");
}

int main(void)
{
	check_suite = "consoled";
	RUN(decide);
	RUN(preserved_name);
	RUN(attach_line);
	RUN(request_lines);
	RUN(tails);
	RUN(log_names);
	RUN(identity_after_rename);
	RUN(restart_argv);
	RUN(sockaddr);
	RUN(dump_states);
	RUN(dump_outcome);
	RUN(dump_deadline);
	RUN(dump_wait_said_once);
	snprintf(tmpdir, sizeof tmpdir, "/tmp/consoled-test-XXXXXX");
	if (!mkdtemp(tmpdir)) {
		printf("FAIL: consoled/setup: mkdtemp\n");
		return 1;
	}
	RUN(dump_partials);   /* in tmpdir */
	RUN(sizes);
	RUN(log_rotation);
	RUN(log_reopen);
	RUN(rate_limit);
	RUN(dump_prune);
	rmdir(tmpdir);
	return CHECK_DONE();
}
