"""The staff's pages. Each module is one page family; all of them are thin: they read
through selectors, change through services, and ask `portico.access`."""
