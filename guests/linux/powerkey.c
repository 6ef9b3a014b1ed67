// SPDX-License-Identifier: MIT
/*
 * powerkey.c: what systemd-logind does with a power button, for the busybox
 * root filesystem of Rivet's Linux domains. It watches every evdev device
 * (/dev/input/event0..POWERKEY_MAX_DEVS-1) and asks busybox init, as its
 * signals say: KEY_POWER -> SIGUSR2 (poweroff), KEY_RESTART -> SIGTERM
 * (reboot). rivet-dm's power button (docs/dm.md) sends those keys for
 * `xl shutdown` and `xl reboot`. With no input device at all (Dom0) it
 * exits at once. Static, no libc: raw Linux system calls.
 *
 * It is also the guest's vCPU agent (xl vcpu-set; docs/dm.md "The vCPU
 * count"): the button's ABS_MISC axis is how many vCPUs the domain may run.
 * At start (EVIOCGABS: 0 means not told yet) and on each change it onlines
 * cpu1.. below that count and offlines those at or above it, the highest
 * first, through /sys/devices/system/cpu/cpuN/online, and says so.
 */
#define SYS_IOCTL   29
#define SYS_OPENAT  56
#define SYS_CLOSE   57
#define SYS_READ    63
#define SYS_WRITE   64
#define SYS_PPOLL   73
#define SYS_EXIT    93
#define SYS_KILL    129

#define AT_FDCWD    (-100)
#define O_RDONLY    0
#define O_WRONLY    1
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

#define EV_ABS      3
#define ABS_MISC    0x28

/* struct input_absinfo: value, minimum, maximum, fuzz, flat, resolution (all s32). */
struct input_absinfo {
	int value, minimum, maximum, fuzz, flat, resolution;
};
/* _IOR('E', 0x40 + abs, struct input_absinfo) and _IOC(_IOC_READ, 'E', 0x06, len) of uapi/linux/input.h. */
#define IOC_READ          2UL
#define EVIOC(nr, size)   (IOC_READ << 30 | (unsigned long)(size) << 16 | 'E' << 8 | (nr))
#define EVIOCGABS(abs)    EVIOC(0x40 + (abs), sizeof(struct input_absinfo))
#define EVIOCGNAME(len)   EVIOC(0x06, (len))

#define POWERKEY_MAX_DEVS 16
#define POWERKEY_MAX_CPUS 64
#define BUTTON_NAME       "Rivet power button"   /* rivet-dm's (tools/dm/virtio_input.h) */

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

static int same(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

/* "N" for N < 100, into OUT (3 bytes). */
static const char *num(unsigned n, char *out)
{
	unsigned at = 0;
	if (n >= 10)
		out[at++] = (char)('0' + n / 10 % 10);
	out[at++] = (char)('0' + n % 10);
	out[at] = '\0';
	return out;
}

static void say3(const char *a, const char *b, const char *c)
{
	say(a);
	say(b);
	say(c);
}

/*
 * cpuN's online file: its state ('0' / '1') when WANT is 0, else writes WANT.
 * -1: no such CPU (or it cannot go offline: cpu0 has no file).
 */
static long cpu_online(unsigned n, char want)
{
	char path[] = "/sys/devices/system/cpu/cpuNN/online", d[3];
	const char *digits = num(n, d);
	unsigned at = 27;   /* after "cpu" */
	for (unsigned i = 0; digits[i]; i++)
		path[at++] = digits[i];
	const char *tail = "/online";
	for (unsigned i = 0; tail[i]; i++)
		path[at++] = tail[i];
	path[at] = '\0';
	long fd = sys4(SYS_OPENAT, AT_FDCWD, (long)path, (want ? O_WRONLY : O_RDONLY) | O_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	char c = want;
	long r = want ? sys4(SYS_WRITE, fd, (long)&c, 1, 0) : sys4(SYS_READ, fd, (long)&c, 1, 0);
	sys4(SYS_CLOSE, fd, 0, 0, 0);
	if (r != 1)
		return r < 0 ? r : -5;   /* -EIO: nothing read */
	return want ? 0 : c;
}

/* The domain may run COUNT vCPUs: cpu1..COUNT-1 online, the rest offline (highest first). */
static void set_vcpus(int count)
{
	char a[3], b[3];
	unsigned last = 0;

	if (count < 1)
		return;   /* not told yet */
	while (last + 1 < POWERKEY_MAX_CPUS && cpu_online(last + 1, 0) >= 0)
		last++;
	for (unsigned n = 1; n <= last && n < (unsigned)count; n++) {
		if (cpu_online(n, 0) == '1')
			continue;
		long r = cpu_online(n, '1');
		say3("powerkey: ", num((unsigned)count, a), " vCPUs available: ");
		say3("cpu", num(n, b), r ? " did not come online\n" : " online\n");
	}
	for (unsigned n = last; n >= 1 && n >= (unsigned)count; n--) {
		if (cpu_online(n, 0) == '0')
			continue;
		long r = cpu_online(n, '0');
		say3("powerkey: ", num((unsigned)count, a), " vCPUs available: ");
		say3("cpu", num(n, b), r ? " did not go offline\n" : " offline\n");
	}
}

/* Whether FD is rivet-dm's button with the vCPU axis; its value now into *COUNT (0: not told yet). */
static int vcpu_axis(long fd, int *count)
{
	char name[64] = { 0 };
	struct input_absinfo ai = { 0 };

	if (sys4(SYS_IOCTL, fd, (long)EVIOCGNAME(sizeof name - 1), (long)name, 0) < 0 || !same(name, BUTTON_NAME))
		return 0;
	if (sys4(SYS_IOCTL, fd, (long)EVIOCGABS(ABS_MISC), (long)&ai, 0) < 0)
		return 0;   /* an older rivet-dm: keys only */
	*count = ai.value;
	return 1;
}

void _start(void) __attribute__((noreturn));
void _start(void)
{
	struct pollfd pfd[POWERKEY_MAX_DEVS];
	int axis[POWERKEY_MAX_DEVS];   /* 1: this device has the vCPU axis */
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
		if (fd < 0)
			continue;
		int count = 0;
		axis[n] = vcpu_axis(fd, &count);
		pfd[n++] = (struct pollfd){ (int)fd, POLLIN, 0 };
		/* Told before we started: act on it now (a change comes as an event). */
		set_vcpus(count);
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
				if (axis[i] && ev[k].type == EV_ABS && ev[k].code == ABS_MISC)
					set_vcpus(ev[k].value);
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
