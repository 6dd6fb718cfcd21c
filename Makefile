# The README's two commands. Both scripts install what they need first.
.PHONY: run test

# Installs what is missing, builds a release and serves it on the embedded
# database (SQLite in ./data).
run:
	scripts/run.sh

# Every test: fmt, clippy, cargo test (SQLite and PostgreSQL, the cloud
# drivers against their peers), the release browser build, Playwright.
test:
	scripts/test.sh
