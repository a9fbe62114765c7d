#ifndef LFM_CYAML_SHIM_H
#define LFM_CYAML_SHIM_H
#include <yaml.h>
#endif
