"""Portico: a web-based CRM customer-service portal."""
