from .cli import main

if __name__ == "__main__":  # not when imported (a spawned worker process imports the main module)
    raise SystemExit(main())
