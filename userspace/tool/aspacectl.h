/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by the files of the aspacectl tool. */
#ifndef _ASPACECTL_H
#define _ASPACECTL_H

#include <stdio.h>

int aspacectl_open_dev(void);
int aspacectl_print_maps(int fd, FILE *out);
int aspacectl_demo(int argc, char **argv);

#endif /* _ASPACECTL_H */
