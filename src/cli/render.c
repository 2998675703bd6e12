/* render — placeholder until the pipeline modules land (see /work/wip). */
#include "cli/cli.h"
int rp_cli_render(int argc, char **argv) { return 3; }
