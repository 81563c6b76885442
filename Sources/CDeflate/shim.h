// The one header Swift imports for libdeflate (libdeflate-dev).
#pragma once
#include <libdeflate.h>
