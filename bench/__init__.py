"""Portico's benchmark harness: `python -m bench --scale S|L` (see bench/README.md).

Generates a dataset at a chosen scale, serves Portico with its production server
configuration (gunicorn + uvicorn workers, DEBUG off), drives it over HTTP with wrk and a
keep-alive Python client, and writes the figures to bench/RESULTS.md."""
