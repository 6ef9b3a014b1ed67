/* SPDX-License-Identifier: MIT */
/* consoled_log.c: a capped, rotated per-domain console log (see consoled_log.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "consoled_log.h"
#include "diag.h"
#include "fileio.h"

static int open_fd(struct conlog *l, char *why)
{
	struct stat st;

	/* O_RDWR: the backlog for `xl console` is read through the same file. */
	l->fd = open(l->path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
	if (l->fd < 0)
		return reason_set(why, "cannot open %s: %s", l->path, strerror(errno));
	l->size = fstat(l->fd, &st) == 0 ? (uint64_t)st.st_size : 0;
	return 0;
}

int conlog_open(struct conlog *l, const char *path, char *why)
{
	l->fd = -1;
	l->size = 0;
	l->path = strdup(path);
	if (!l->path)
		return reason_set(why, "out of memory");
	return open_fd(l, why);
}

void conlog_close(struct conlog *l)
{
	if (l->fd >= 0)
		close(l->fd);
	free(l->path);
	l->fd = -1;
	l->path = NULL;
}

int conlog_reopen(struct conlog *l, char *why)
{
	if (!l->path)
		return reason_set(why, "no log");
	if (l->fd >= 0)
		close(l->fd);
	return open_fd(l, why);
}

static char *old_path(const struct conlog *l)
{
	size_t n = strlen(l->path);
	char *p = malloc(n + 3);

	if (p) {
		memcpy(p, l->path, n);
		memcpy(p + n, ".1", 3);
	}
	return p;
}

/* NAME.log -> NAME.log.1, then a fresh NAME.log. */
static int rotate(struct conlog *l, char *why)
{
	struct stat open_st, path_st;
	char *old = old_path(l);
	int rc = 0;

	if (!old)
		return reason_set(why, "out of memory");
	/* Only rename the path if it is still our file: someone may have moved it away. */
	if (fstat(l->fd, &open_st) == 0 && stat(l->path, &path_st) == 0 &&
	    open_st.st_dev == path_st.st_dev && open_st.st_ino == path_st.st_ino &&
	    rename(l->path, old) < 0) {
		/* Cannot keep it: empty it rather than grow past the cap. */
		rc = reason_set(why, "cannot rename %s: %s (emptied instead)", l->path,
				strerror(errno));
		if (ftruncate(l->fd, 0) < 0)
			rc = reason_set(why, "cannot rename or empty %s: %s", l->path, strerror(errno));
		free(old);
		l->size = 0;
		return rc;
	}
	free(old);
	close(l->fd);
	return open_fd(l, why);
}

int conlog_write(struct conlog *l, const void *buf, size_t n, uint64_t cap, char *why)
{
	const char *p = buf;
	struct stat st;
	int warn = 0;

	while (n) {
		size_t room = n;

		if (l->fd < 0)
			return reason_set(why, "%s is not open", l->path ? l->path : "the log");
		if (cap) {
			/* Someone may have emptied it (copytruncate): trust the file, not our count. */
			if (l->size + n > cap && fstat(l->fd, &st) == 0)
				l->size = (uint64_t)st.st_size;
			if (l->size >= cap) {
				int r = rotate(l, why);

				if (r < 0 && (l->fd < 0 || l->size >= cap))
					return -1;
				warn |= r < 0;   /* emptied instead of renamed: WHY says so */
			}
			if (room > cap - l->size)
				room = (size_t)(cap - l->size);
		}
		if (fd_write_all(l->fd, p, room) < 0)
			return reason_set(why, "writing %s: %s", l->path, strerror(errno));
		l->size += room;
		p += room;
		n -= room;
	}
	return warn ? -1 : 0;
}

static size_t read_tail(int fd, char *buf, size_t want)
{
	struct stat st;
	off_t from;
	ssize_t r;

	if (fd < 0 || want == 0 || fstat(fd, &st) < 0 || st.st_size <= 0)
		return 0;
	from = (uint64_t)st.st_size > want ? st.st_size - (off_t)want : 0;
	r = pread(fd, buf, (size_t)(st.st_size - from), from);
	return r > 0 ? (size_t)r : 0;
}

size_t conlog_tail(const struct conlog *l, char *buf, size_t size)
{
	struct stat st;
	size_t have = 0, n;
	char *old;
	int fd;

	if (l->fd < 0 || fstat(l->fd, &st) < 0)
		return 0;
	/* Too little in the new file: the end of the rotated one comes first. */
	if ((uint64_t)st.st_size < size && (old = old_path(l))) {
		fd = open(old, O_RDONLY | O_CLOEXEC);
		free(old);
		have = read_tail(fd, buf, size - (size_t)st.st_size);
		if (fd >= 0)
			close(fd);
	}
	n = read_tail(l->fd, buf + have, size - have);
	return have + n;
}
