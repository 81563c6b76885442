// The one header Swift imports for yaml-0.1 (libyaml-dev).
#pragma once
#include <yaml.h>
