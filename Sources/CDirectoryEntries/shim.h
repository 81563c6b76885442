// getdents64(2) for the pack walk: glibc declares it only under _GNU_SOURCE, which Swift's
// Glibc module is not built with, and syscall(2) is variadic. Header only: nothing to link.
#pragma once
#include <stddef.h>
#include <errno.h>
#ifdef __linux__
#include <sys/syscall.h>
#include <unistd.h>

/// Fills `buffer` with `struct linux_dirent64` records of the open directory `fd`: bytes
/// filled, 0 at the end, -1 with errno set on error.
static inline long slugc_getdents64(int fd, void *buffer, size_t length) {
    return syscall(SYS_getdents64, fd, buffer, length);
}
#else
/// Not Linux: -1 with ENOSYS, and the caller lists the directory with readdir(3).
static inline long slugc_getdents64(int fd, void *buffer, size_t length) {
    (void)fd; (void)buffer; (void)length;
    errno = ENOSYS;
    return -1;
}
#endif
