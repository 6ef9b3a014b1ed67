// SPDX-License-Identifier: MIT
/*
 * dm_state_file.c: the state arena (dm_state.h) as a file in tmpfs,
 * <run dir>/dm/<domid>.state (run dir: $RIVET_RUN_DIR or /run/rivet), mapped
 * MAP_SHARED, so that what this process stored is in the file the instant
 * it is stored, whenever the process dies. The serving rivet-dm holds an
 * exclusive flock on it for its whole life: a successor cannot take the
 * state over while its predecessor still runs (the kernel drops the lock
 * when the process is gone, however it went). The toolstack removes the
 * file when the domain is destroyed (xl destroy, rivet-consoled, a failed
 * xl create).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dm.h"

void dm_state_file_path(const struct dm_args *a, char *buf, size_t size)
{
	const char *dir = getenv("RIVET_RUN_DIR");

	if (a->state) {
		snprintf(buf, size, "%s", a->state);
		return;
	}
	snprintf(buf, size, "%s/dm/%u.state", dir && *dir ? dir : "/run/rivet", a->domid);
}

static int make_dirs(const char *path)
{
	char p[256];

	if (snprintf(p, sizeof p, "%s", path) >= (int)sizeof p)
		return -1;
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = 0;
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			return -1;
		*s = '/';
	}
	return 0;
}

static int map_locked(int fd, const char *path, void **base, char *err, size_t errlen)
{
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		snprintf(err, errlen, "%s is in use by another rivet-dm%s", path,
			 errno == EWOULDBLOCK ? " (the old one still runs)" : "");
		return -1;
	}
	void *p = mmap(NULL, DM_STATE_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		snprintf(err, errlen, "cannot map %s: %s", path, strerror(errno));
		return -1;
	}
	*base = p;
	return 0;
}

int dm_state_file_open(struct dm *dm, int *was_clean, char *err, size_t errlen)
{
	const struct dm_args *a = &dm->args;
	struct dm_state_id id = { a->domid, a->name, a->instance };
	char path[256];
	struct stat st;
	void *base;

	dm_state_file_path(a, path, sizeof path);
	dm->state_fd = -1;
	if (!a->resume) {
		/* A new inode: a stale file (an earlier life's) and whoever maps it stay apart from ours. */
		if (make_dirs(path) < 0 || (unlink(path) < 0 && errno != ENOENT)) {
			snprintf(err, errlen, "cannot make room for %s: %s", path, strerror(errno));
			return -1;
		}
		dm->state_fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (dm->state_fd < 0 || ftruncate(dm->state_fd, DM_STATE_BYTES) < 0) {
			snprintf(err, errlen, "cannot create %s: %s", path, strerror(errno));
			return -1;
		}
		if (map_locked(dm->state_fd, path, &base, err, errlen) < 0)
			return -1;
		dm_state_format(&dm->state, base, DM_STATE_BYTES, &id);
		*was_clean = 1;
		return 0;
	}
	dm->state_fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	if (dm->state_fd < 0) {
		snprintf(err, errlen, "no state to resume from: %s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(dm->state_fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size != DM_STATE_BYTES) {
		snprintf(err, errlen, "%s is not a rivet-dm state file", path);
		return -1;
	}
	if (map_locked(dm->state_fd, path, &base, err, errlen) < 0)
		return -1;
	char why[200];
	if (dm_state_resume(&dm->state, base, DM_STATE_BYTES, &id, was_clean, why, sizeof why) < 0) {
		snprintf(err, errlen, "%s: %s", path, why);
		munmap(base, DM_STATE_BYTES);
		dm->state.base = NULL;
		return -1;
	}
	return 0;
}

void dm_state_file_close(struct dm *dm)
{
	if (dm->state.base)
		munmap(dm->state.base, DM_STATE_BYTES);
	dm->state.base = NULL;
	if (dm->state_fd >= 0)
		close(dm->state_fd);   /* drops the lock: a successor may take over */
	dm->state_fd = -1;
}
