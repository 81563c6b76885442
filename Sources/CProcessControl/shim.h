// prctl(2) is variadic, so Swift cannot call it; these wrappers are all SlugKit needs of it.
// Header only: nothing to link (Linux's C library has prctl).
#pragma once
#ifdef __linux__
#include <sys/prctl.h>

/// PR_SET_CHILD_SUBREAPER: orphaned descendants are reparented to this process, not to init.
static inline int slugc_set_child_subreaper(int on) { return prctl(PR_SET_CHILD_SUBREAPER, (unsigned long)on, 0UL, 0UL, 0UL); }

/// PR_GET_CHILD_SUBREAPER: 1 when this process is a subreaper, 0 when not, -1 on error.
static inline int slugc_is_child_subreaper(void) {
    int value = 0;
    if (prctl(PR_GET_CHILD_SUBREAPER, (unsigned long)&value, 0UL, 0UL, 0UL) != 0) { return -1; }
    return value != 0;
}
#else
static inline int slugc_set_child_subreaper(int on) { (void)on; return -1; }
static inline int slugc_is_child_subreaper(void) { return 0; }
#endif
