#include "cli/cli.h"
int rp_cli_check(int argc, char **argv) { return 3; }
