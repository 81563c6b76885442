// The one header Swift imports for zlib (zlib1g-dev).
#pragma once
#include <zlib.h>
