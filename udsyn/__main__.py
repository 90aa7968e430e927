from udsyn.cli import main

main()
