"""`python -m udsyn`: the same as the `udsyn` command."""

from udsyn.cli import main

main()
