// The one header Swift imports for libarchive (libarchive-dev).
#pragma once
#include <archive.h>
#include <archive_entry.h>

// Swift cannot import these macros (they are casts), so they become constants.
static const unsigned int SLUGC_AE_IFREG = 0100000;
static const unsigned int SLUGC_AE_IFLNK = 0120000;
static const unsigned int SLUGC_AE_IFDIR = 0040000;
