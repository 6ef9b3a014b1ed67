/* SPDX-License-Identifier: MIT */
/* fileio.h: whole-file reads with a size limit, and all-or-nothing writes. */
#ifndef MKIMAGE_FILEIO_H
#define MKIMAGE_FILEIO_H

#include <stddef.h>
#include <stdint.h>

/*
 * Reads all of PATH into a malloc'ed buffer (one spare NUL byte after the
 * data, so text can be handled as a C string). Fails with a reason in WHY
 * (strerror text, or "larger than N bytes") and returns -1.
 */
int file_read(const char *path, size_t max_bytes, uint8_t **buf, size_t *len, char *why);

/*
 * Writes BUF to a temporary file beside PATH, then renames it over PATH, so
 * PATH is either the complete new file or untouched. Returns 0 or -1 + WHY.
 */
int file_write_atomic(const char *path, const void *buf, size_t len, char *why);

/* Writes all LEN bytes to FD, again after EINTR or a short write; 0, or -1 with errno. */
int fd_write_all(int fd, const void *buf, size_t len);

#endif
