"""`python -m distill` is the `distill` command."""

from distill.cli import main

if __name__ == "__main__":  # not again in spawned worker processes
    main()
