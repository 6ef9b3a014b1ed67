// SPDX-License-Identifier: MIT
/*
 * powerkey.c: what systemd-logind does with a power button, for the busybox
 * root filesystem of Rivet's Linux domains. It watches every evdev device
 * (/dev/input/event0..POWERKEY_MAX_DEVS-1) and asks busybox init, as its
 * signals say: KEY_POWER -> SIGUSR2 (poweroff), KEY_RESTART -> SIGTERM
 * (reboot). rivet-dm's power button (docs/dm.md) sends those keys for
 * `xl shutdown` and `xl reboot`. With no input device at all (Dom0) it
 * exits at once. Static, no libc: raw Linux system calls.
 */
#define SYS_OPENAT  56
#define SYS_CLOSE   57
#define SYS_READ    63
#define SYS_WRITE   64
#define SYS_PPOLL   73
#define SYS_EXIT    93
#define SYS_KILL    129

#define AT_FDCWD    (-100)
#define O_RDONLY    0
#define O_CLOEXEC   02000000
#define POLLIN      1
#define POLLERR     8
#define POLLHUP     16
#define POLLNVAL    32
#define EINTR       4
#define SIGTERM     15
#define SIGUSR2     12

/* Linux's input event codes (include/uapi/linux/input-event-codes.h). */
#define EV_KEY      1
#define KEY_POWER   116
#define KEY_RESTART 0x198

#define POWERKEY_MAX_DEVS 16

/* struct input_event on a 64-bit kernel: a struct timeval, then type, code, value. */
struct input_event {
	long sec, usec;
	unsigned short type, code;
	int value;
};

struct pollfd {
	int fd;
	short events, revents;
};

static long sys4(long n, long a, long b, long c, long d)
{
	register long a0 asm("a0") = a, a1 asm("a1") = b, a2 asm("a2") = c, a3 asm("a3") = d;
	register long a7 asm("a7") = n;
	asm volatile("ecall" : "+r"(a0) : "r"(a1), "r"(a2), "r"(a3), "r"(a7) : "memory");
	return a0;
}

static unsigned len(const char *s)
{
	unsigned n = 0;
	while (s[n])
		n++;
	return n;
}

static void say(const char *s)
{
	sys4(SYS_WRITE, 2, (long)s, len(s), 0);
}

static void __attribute__((noreturn)) quit(int code)
{
	sys4(SYS_EXIT, code, 0, 0, 0);
	for (;;)
		;
}

void _start(void) __attribute__((noreturn));
void _start(void)
{
	struct pollfd pfd[POWERKEY_MAX_DEVS];
	char path[] = "/dev/input/event00";
	const unsigned digits = sizeof path - 3;
	int n = 0;

	for (int i = 0; i < POWERKEY_MAX_DEVS; i++) {
		unsigned at = digits;
		if (i >= 10)
			path[at++] = (char)('0' + i / 10);
		path[at++] = (char)('0' + i % 10);
		path[at] = '\0';
		long fd = sys4(SYS_OPENAT, AT_FDCWD, (long)path, O_RDONLY | O_CLOEXEC, 0);
		if (fd >= 0)
			pfd[n++] = (struct pollfd){ (int)fd, POLLIN, 0 };
	}
	if (!n)
		quit(0);
	for (;;) {
		long r = sys4(SYS_PPOLL, (long)pfd, n, 0, 0);
		if (r == -EINTR)
			continue;
		if (r < 0) {
			say("powerkey: poll failed\n");
			quit(1);
		}
		for (int i = 0; i < n; i++) {
			struct input_event ev[16];
			if (pfd[i].revents & (POLLERR | POLLHUP | POLLNVAL)) {
				/* The device went: no longer watched (ppoll skips a negative fd). */
				sys4(SYS_CLOSE, pfd[i].fd, 0, 0, 0);
				pfd[i].fd = -1;
				continue;
			}
			if (!(pfd[i].revents & POLLIN))
				continue;
			long got = sys4(SYS_READ, pfd[i].fd, (long)ev, sizeof ev, 0);
			for (long k = 0; got > 0 && k < got / (long)sizeof ev[0]; k++) {
				if (ev[k].type != EV_KEY || ev[k].value != 1)
					continue;
				if (ev[k].code == KEY_POWER) {
					say("powerkey: power button pressed: powering off\n");
					sys4(SYS_KILL, 1, SIGUSR2, 0, 0);
				} else if (ev[k].code == KEY_RESTART) {
					say("powerkey: restart key pressed: rebooting\n");
					sys4(SYS_KILL, 1, SIGTERM, 0, 0);
				}
			}
		}
	}
}
