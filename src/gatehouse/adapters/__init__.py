"""The only code that does I/O: storage, cache, hashing, outbound providers, geo."""
