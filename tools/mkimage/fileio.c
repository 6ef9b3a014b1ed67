/* SPDX-License-Identifier: MIT */
/* fileio.c: whole-file reads with a size limit, and all-or-nothing writes. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diag.h"
#include "fileio.h"

int file_read(const char *path, size_t max_bytes, uint8_t **buf, size_t *len, char *why)
{
	struct stat st;
	uint8_t *p;
	size_t got = 0;
	int fd;

	*buf = NULL;
	*len = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return reason_set(why, "%s", strerror(errno));
	if (fstat(fd, &st) < 0) {
		reason_set(why, "%s", strerror(errno));
		goto fail_fd;
	}
	if (S_ISDIR(st.st_mode)) {
		reason_set(why, "%s", strerror(EISDIR));
		goto fail_fd;
	}
	if (!S_ISREG(st.st_mode)) {
		reason_set(why, "not a regular file");
		goto fail_fd;
	}
	if ((uint64_t)st.st_size > max_bytes) {
		reason_set(why, "larger than %zu bytes", max_bytes);
		goto fail_fd;
	}
	p = malloc((size_t)st.st_size + 1);
	if (!p) {
		reason_set(why, "%s", strerror(ENOMEM));
		goto fail_fd;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, p + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			reason_set(why, "%s", strerror(errno));
			free(p);
			goto fail_fd;
		}
		if (n == 0)
			break; /* the file shrank under us: take what is there */
		got += (size_t)n;
	}
	close(fd);
	p[got] = '\0';
	*buf = p;
	*len = got;
	return 0;

fail_fd:
	close(fd);
	return -1;
}

int file_write_atomic(const char *path, const void *buf, size_t len, char *why)
{
	const uint8_t *p = buf;
	size_t plen = strlen(path);
	char *tmp = malloc(plen + sizeof ".tmp.XXXXXX");
	int fd;

	if (!tmp)
		return reason_set(why, "%s", strerror(ENOMEM));
	memcpy(tmp, path, plen);
	memcpy(tmp + plen, ".tmp.XXXXXX", sizeof ".tmp.XXXXXX");
	fd = mkstemp(tmp);
	if (fd < 0) {
		reason_set(why, "cannot create a temporary file beside it: %s", strerror(errno));
		free(tmp);
		return -1;
	}
	if (fd_write_all(fd, p, len) < 0) {
		reason_set(why, "cannot write: %s", strerror(errno));
		goto fail;
	}
	if (fchmod(fd, 0644) < 0 || fsync(fd) < 0) {
		reason_set(why, "cannot write: %s", strerror(errno));
		goto fail;
	}
	if (close(fd) < 0) {
		fd = -1;
		reason_set(why, "cannot write: %s", strerror(errno));
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) < 0) {
		reason_set(why, "cannot rename the temporary file: %s", strerror(errno));
		goto fail;
	}
	free(tmp);
	return 0;

fail:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	free(tmp);
	return -1;
}

int fd_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}
