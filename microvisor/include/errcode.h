/* SPDX-License-Identifier: MIT */
/* errcode.h: the microvisor's internal error codes (returned negated). */
#ifndef RIVET_ERRNO_H
#define RIVET_ERRNO_H
#define RIVET_EINVAL  1   /* bad argument */
#define RIVET_ENOMEM  2   /* out of memory */
#define RIVET_ENOENT  3   /* no such object */
#define RIVET_EEXIST  4   /* already exists / already mapped */
#define RIVET_EPERM   5   /* not allowed for this caller */
#define RIVET_EFAULT  6   /* bad guest address */
#define RIVET_EBUSY   7   /* object in use */
#define RIVET_ERANGE  8   /* value out of range */
#define RIVET_ENOSPC  9   /* a fixed-size table is full */
#endif
