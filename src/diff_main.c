/* reviewpdf-diff — the `diff` subcommand as an executable of its own, so
 * that poppler is loaded only when comparing (cli/exec.c). `reviewpdf diff`
 * runs it; it can also be run directly with the same arguments. */
#include "cli/cli.h"

int main(int argc, char **argv) { return rp_cli_diff(argc, argv); }
