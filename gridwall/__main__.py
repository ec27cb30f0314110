from gridwall.cli import main

main()
