from .cli import main

if __name__ == "__main__":  # not when a worker process (decoding in extraction) imports the main module
    raise SystemExit(main())
