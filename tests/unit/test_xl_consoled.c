/* SPDX-License-Identifier: MIT */
/* test_xl_consoled.c: rivet-consoled's decisions: on_* actions, ATTACH parsing, log names, restart argv. */
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "check.h"
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
	i.shutdown_reason = 3;                                     /* destroyed by Dom0 */
	CHECK_EQ(consoled_decide(&i, &r), CONSOLED_DESTROY);
	i.state = RIVET_DOMSTATE_RUNNING;
	CHECK_EQ(consoled_decide(&i, &r), CONSOLED_NOTHING);
	i.state = RIVET_DOMSTATE_SHUTDOWN;
	i.domid = 0;
	CHECK_EQ(consoled_decide(&i, &r), CONSOLED_NOTHING);       /* never Dom0 */
	CHECK_STR(consoled_reason_name(RIVET_SHUTDOWN_CRASH), "crash");
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

TEST(restart_argv)
{
	struct xl_record r;
	char *argv[XL_RECORD_MAX_ARGS + 4];
	unsigned i;

	memset(&r, 0, sizeof r);
	strcpy(r.config, "/etc/rivet/web.cfg");
	r.nr_args = XL_RECORD_MAX_ARGS;
	for (i = 0; i < r.nr_args; i++)
		snprintf(r.args[i], sizeof r.args[i], "k%u=1", i);
	CHECK_EQ(consoled_restart_argv("/usr/sbin/xl", &r, argv), XL_RECORD_MAX_ARGS + 3);
	CHECK_STR(argv[0], "/usr/sbin/xl");
	CHECK_STR(argv[1], "create");
	CHECK_STR(argv[2], "/etc/rivet/web.cfg");
	CHECK_STR(argv[3], "k0=1");
	CHECK(argv[XL_RECORD_MAX_ARGS + 3] == NULL);
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

int main(void)
{
	check_suite = "consoled";
	RUN(decide);
	RUN(attach_line);
	RUN(log_names);
	RUN(restart_argv);
	RUN(sockaddr);
	return CHECK_DONE();
}
