/* check — placeholder until the model loader lands (see /work/wip). */
#include "cli/cli.h"
int rp_cli_check(int argc, char **argv) { return 3; }
