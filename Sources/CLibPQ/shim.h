#ifndef SMSHUB_CLIBPQ_SHIM_H
#define SMSHUB_CLIBPQ_SHIM_H
#include <libpq-fe.h>
#endif
