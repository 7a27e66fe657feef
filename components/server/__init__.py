"""HTTP and infrastructure: services, login and users, hardening, downloads, uploads, jobs, settings, cache, CLI."""
