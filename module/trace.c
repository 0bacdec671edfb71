// SPDX-License-Identifier: GPL-2.0
/*
 * The one file that defines aspace's tracepoints (see trace.h); the rest
 * of the module includes trace.h to call them.
 */
#define CREATE_TRACE_POINTS
#include "trace.h"
